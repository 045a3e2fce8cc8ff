package auth_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/testenv"
)

// clock is a settable clock for authenticators.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cachedAPI is the GraphQL API over HTTP with an authenticator of its own.
type cachedAPI struct {
	t       *testing.T
	ent     *ent.Client
	counter *testenv.Counter
	authn   *auth.Authenticator
	clock   *clock
	url     string
}

// newCachedAPI serves the API over a fresh database; its authenticator
// trusts a token for an hour, so that only an invalidation can explain a
// refusal.
func newCachedAPI(t *testing.T) *cachedAPI {
	t.Helper()
	c, counter := testenv.ClientWithCounter(t)
	return serveCached(t, c, counter)
}

func serveCached(t *testing.T, c *ent.Client, counter *testenv.Counter) *cachedAPI {
	t.Helper()
	a := &cachedAPI{t: t, ent: c, counter: counter, clock: &clock{t: time.Now().Truncate(time.Second)}}
	a.authn = auth.New(c, auth.Settings{CacheTTL: time.Hour, Clock: a.clock.now})
	srv := httptest.NewServer(graph.NewHandler(c, graph.Options{Auth: a.authn}))
	t.Cleanup(srv.Close)
	t.Cleanup(a.authn.Wait) // the last-use writes end before the database closes
	a.url = srv.URL
	return a
}

type gqlResponse struct {
	status int
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions struct{ Code string }
	}
}

// post sends query with the token secret over HTTP.
func (a *cachedAPI) post(secret, query string, vars map[string]any) gqlResponse {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, a.url, bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	r := gqlResponse{status: res.StatusCode}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		a.t.Fatalf("decoding the response (HTTP %d): %v", res.StatusCode, err)
	}
	return r
}

// role is the viewer's role as the API tells it, failing on any error.
func (a *cachedAPI) role(secret string) string {
	a.t.Helper()
	r := a.post(secret, `{ viewer { role } }`, nil)
	if r.status != http.StatusOK || len(r.Errors) > 0 {
		a.t.Fatalf("viewer: HTTP %d %+v", r.status, r.Errors)
	}
	var data struct{ Viewer struct{ Role string } }
	if err := json.Unmarshal(r.Data, &data); err != nil {
		a.t.Fatal(err)
	}
	return data.Viewer.Role
}

// ping sends a request that runs no SQL of its own, failing on any error.
func (a *cachedAPI) ping(secret string) {
	a.t.Helper()
	if r := a.post(secret, `{ __typename }`, nil); r.status != http.StatusOK || len(r.Errors) > 0 {
		a.t.Fatalf("HTTP %d %+v", r.status, r.Errors)
	}
}

// mutate runs a mutation as secret and fails on any error or user error.
func (a *cachedAPI) mutate(secret, query string, vars map[string]any) {
	a.t.Helper()
	r := a.post(secret, query, vars)
	if r.status != http.StatusOK || len(r.Errors) > 0 || bytes.Contains(r.Data, []byte(`"message"`)) {
		a.t.Fatalf("mutation: HTTP %d %+v %s", r.status, r.Errors, r.Data)
	}
}

func wantUnauthenticated(t *testing.T, r gqlResponse) {
	t.Helper()
	if r.status != http.StatusUnauthorized || len(r.Errors) != 1 || r.Errors[0].Extensions.Code != "UNAUTHENTICATED" {
		t.Fatalf("HTTP %d %+v, want 401 UNAUTHENTICATED", r.status, r.Errors)
	}
}

// cachedMembers are an owner and a planner of one organization, each with a
// token the cache knows.
func cachedMembers(t *testing.T, a *cachedAPI) (owner, planner member) {
	t.Helper()
	owner = bootstrap(t, a.ent, "acme", "ana@acme.example", membership.RoleOwner)
	planner = bootstrap(t, a.ent, "acme", "ben@acme.example", membership.RolePlanner)
	if got := a.role(planner.secret); got != "PLANNER" {
		t.Fatalf("role %s, want PLANNER", got)
	}
	a.role(owner.secret)
	return owner, planner
}

func membershipOf(t *testing.T, c *ent.Client, m member) *ent.Membership {
	t.Helper()
	return c.Membership.Query().
		Where(membership.AccountID(m.account.ID), membership.OrganizationID(m.org.ID)).
		OnlyX(testenv.System())
}

func TestCachedTokenRunsNoStatement(t *testing.T) {
	a := newCachedAPI(t)
	_, planner := cachedMembers(t, a)
	a.counter.Reset()
	for range 3 {
		a.ping(planner.secret)
	}
	if n := a.counter.Count(); n != 0 {
		t.Fatalf("%d SQL statements for 3 requests with a remembered token, want 0", n)
	}
	// Without the cache, each request reads the token and the membership.
	a.authn = auth.New(a.ent, auth.Settings{})
	srv := httptest.NewServer(graph.NewHandler(a.ent, graph.Options{Auth: a.authn}))
	defer srv.Close()
	uncached := *a
	uncached.url = srv.URL
	a.counter.Reset()
	uncached.post(planner.secret, `{ __typename }`, nil)
	if n := a.counter.Count(); n != 2 {
		t.Fatalf("%d SQL statements without the cache, want 2 (the token and the membership)", n)
	}
}

func TestCachedTokenRevokedIsRefusedAtOnce(t *testing.T) {
	a := newCachedAPI(t)
	owner, planner := cachedMembers(t, a)
	a.mutate(owner.secret, `mutation($id: ID!) { apiTokenRevoke(input: {tokenID: $id}) { userErrors { message } } }`,
		map[string]any{"id": strconv.Itoa(planner.token.ID)})
	wantUnauthenticated(t, a.post(planner.secret, `{ viewer { role } }`, nil))
	if got := a.role(owner.secret); got != "OWNER" {
		t.Fatalf("the owner's token: role %s, want OWNER", got)
	}
}

func TestCachedTokenChangedOutsideTheAPIIsRefusedAtOnce(t *testing.T) {
	a := newCachedAPI(t)
	_, planner := cachedMembers(t, a)
	// Through the client, without a transaction (as the token command's
	// bootstrap does within one).
	a.ent.APIToken.UpdateOneID(planner.token.ID).SetRevokedAt(time.Now()).ExecX(testenv.System())
	wantUnauthenticated(t, a.post(planner.secret, `{ viewer { role } }`, nil))
}

func TestCachedTokenFollowsItsMembership(t *testing.T) {
	a := newCachedAPI(t)
	owner, planner := cachedMembers(t, a)
	m := membershipOf(t, a.ent, planner)
	a.mutate(owner.secret, `mutation($id: ID!) { membershipUpdate(input: {membershipID: $id, role: VIEWER}) { userErrors { message } } }`,
		map[string]any{"id": strconv.Itoa(m.ID)})
	if got := a.role(planner.secret); got != "VIEWER" {
		t.Fatalf("after the membership was lowered: role %s, want VIEWER", got)
	}
	a.mutate(owner.secret, `mutation($id: ID!) { membershipDelete(input: {membershipID: $id}) { userErrors { message } } }`,
		map[string]any{"id": strconv.Itoa(m.ID)})
	wantUnauthenticated(t, a.post(planner.secret, `{ viewer { role } }`, nil))
}

func TestCachedTokenExpires(t *testing.T) {
	a := newCachedAPI(t)
	owner, _ := cachedMembers(t, a)
	expires := a.clock.now().Add(10 * time.Minute)
	secret := expiringToken(t, a.ent, owner, expires)
	a.role(secret) // remembered now
	a.clock.advance(10*time.Minute - time.Second)
	a.counter.Reset()
	a.ping(secret)
	a.clock.advance(time.Second)
	wantUnauthenticated(t, a.post(secret, `{ __typename }`, nil))
	a.authn.Wait()
	if n := a.counter.Count(); n != 1 {
		// The one statement: the last use, written in the background.
		t.Fatalf("%d statements, want 1 (the last use): the expiry is checked from the cache", n)
	}
}

func TestCachedTokenRecordsItsLastUseAtMostOnceAMinute(t *testing.T) {
	a := newCachedAPI(t)
	_, planner := cachedMembers(t, a)
	first := storedToken(t, a.ent, planner.token.ID).LastUsedAt
	if first == nil {
		t.Fatal("no last use after the first request")
	}
	a.clock.advance(59 * time.Second)
	a.counter.Reset()
	a.ping(planner.secret)
	a.authn.Wait()
	if n := a.counter.Count(); n != 0 {
		t.Fatalf("%d statements within the minute, want none", n)
	}
	a.clock.advance(time.Second)
	a.ping(planner.secret)
	a.ping(planner.secret) // the write is in flight or done: not again
	a.authn.Wait()
	if n := a.counter.Count(); n != 1 {
		t.Fatalf("%d statements a minute later, want 1 (the last use)", n)
	}
	got, want := storedToken(t, a.ent, planner.token.ID).LastUsedAt, first.Add(time.Minute)
	if got == nil || !got.Equal(want) {
		t.Fatalf("lastUsedAt = %v, want %v", got, want)
	}
	// A later use written by another process is not moved back.
	later := want.Add(time.Hour)
	a.ent.APIToken.UpdateOneID(planner.token.ID).SetLastUsedAt(later).ExecX(testenv.System())
	a.clock.advance(time.Minute)
	a.role(planner.secret)
	a.authn.Wait()
	if got := storedToken(t, a.ent, planner.token.ID).LastUsedAt; got == nil || !got.Equal(later) {
		t.Fatalf("lastUsedAt = %v, want %v kept", got, later)
	}
}

// TestCachedTokenAcrossProcesses: a second server on the same database, which
// hears nothing of the first one's changes, refuses a revoked token once its
// TTL has passed.
func TestCachedTokenAcrossProcesses(t *testing.T) {
	dbURL := testenv.URL(t)
	first, err := database.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := database.Migrate(t.Context(), first, dbURL); err != nil {
		t.Fatal(err)
	}
	second, err := database.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	a := serveCached(t, first, nil)
	b := serveCached(t, second, nil)
	_, planner := cachedMembers(t, a)
	b.role(planner.secret)
	a.ent.APIToken.UpdateOneID(planner.token.ID).SetRevokedAt(time.Now()).ExecX(testenv.System())
	wantUnauthenticated(t, a.post(planner.secret, `{ viewer { role } }`, nil))
	if got := b.role(planner.secret); got != "PLANNER" {
		t.Fatalf("the other server within its TTL: role %s, want the remembered PLANNER", got)
	}
	b.clock.advance(time.Hour)
	wantUnauthenticated(t, b.post(planner.secret, `{ viewer { role } }`, nil))
}

// BenchmarkAuthenticatedRequest measures a request that does nothing but
// authenticate, `{ __typename }`, through the whole GraphQL handler, with a
// remembered token and without the cache.
//
//	go test -run '^$' -bench AuthenticatedRequest -benchmem ./internal/auth/
func BenchmarkAuthenticatedRequest(b *testing.B) {
	for _, tc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", time.Minute}, {"uncached", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			c, counter := testenv.ClientWithCounter(b)
			_, secret, err := auth.Bootstrap{OrgSlug: "acme", Email: "ana@acme.example", TokenName: "bench"}.Run(testenv.System(), c)
			if err != nil {
				b.Fatal(err)
			}
			authn := auth.New(c, auth.Settings{CacheTTL: tc.ttl})
			b.Cleanup(authn.Wait)
			h := graph.NewHandler(c, graph.Options{Auth: authn})
			body := []byte(`{"query":"{ __typename }"}`)
			send := func() { testenv.ServeGraphQL(b, h, secret, body) }
			send() // warm: the token is remembered, its last use written
			counter.Reset()
			b.ReportAllocs()
			for b.Loop() {
				send()
			}
			b.ReportMetric(float64(counter.Count())/float64(b.N), "statements/op")
		})
	}
}

// TestCachedTokenAcrossServersOnPostgres: servers sharing a PostgreSQL
// database tell each other of a revocation, which the other refuses as soon
// as it hears of it, well within its TTL (an hour here).
func TestCachedTokenAcrossServersOnPostgres(t *testing.T) {
	if !testenv.Postgres() {
		t.Skip("LISTEN/NOTIFY: PostgreSQL only (RENCONTRE_TEST_DB=postgres)")
	}
	dbURL := testenv.URL(t)
	var clients [2]*ent.Client
	for i := range clients {
		c, err := database.Open(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	if err := database.Migrate(t.Context(), clients[0], dbURL); err != nil {
		t.Fatal(err)
	}
	a := serveCached(t, clients[0], nil)
	b := serveCached(t, clients[1], nil)
	heardByB := make(chan auth.Invalidation, 16)
	for _, s := range []struct {
		api   *cachedAPI
		heard func(auth.Invalidation)
	}{{a, nil}, {b, func(inv auth.Invalidation) { heardByB <- inv }}} {
		p, err := auth.ListenPostgres(t.Context(), dbURL, s.api.authn, s.heard)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
	}
	_, planner := cachedMembers(t, a)
	b.role(planner.secret)
	a.ent.APIToken.UpdateOneID(planner.token.ID).SetRevokedAt(time.Now()).ExecX(testenv.System())
	for heard := false; !heard; {
		select {
		case inv := <-heardByB:
			heard = inv.Token == planner.token.ID
		case <-time.After(time.Minute): // a guard, not a measure: delivery takes milliseconds
			t.Fatal("the other server never heard of the revocation")
		}
	}
	wantUnauthenticated(t, b.post(planner.secret, `{ viewer { role } }`, nil))
}
