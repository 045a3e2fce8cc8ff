package graph_test

// Tests of authentication and roles through the real HTTP server: API tokens
// (creation, secrecy, use, revocation, expiry), the effective role of a token,
// what each role may do, and membership management.

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/account"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/migrate"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
)

// --- Environment ---

// accessEnv is the server's routes over real HTTP on a fresh database holding
// the small fixture organization (acme) and its owner.
type accessEnv struct {
	ent     *ent.Client
	counter *testenv.Counter
	url     string
	fix     *fixture
	owner   accessMember
}

// accessMember is an account with a membership and one token.
type accessMember struct {
	account      *ent.Account
	membershipID int
	tokenID      int
	secret       string
}

func newAccessEnv(t *testing.T) *accessEnv {
	t.Helper()
	c, counter := testenv.ClientWithCounter(t)
	cfg, err := config.Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.Routes(c, cfg))
	t.Cleanup(srv.Close)
	e := &accessEnv{ent: c, counter: counter, url: srv.URL, fix: newFixture(t, c)}
	e.owner = e.member(t, "acme", "owner@acme.example", membership.RoleOwner)
	return e
}

// member bootstraps an account with role in the organization with slug (the
// system path), with a token.
func (e *accessEnv) member(t *testing.T, slug, email string, role membership.Role) accessMember {
	t.Helper()
	tok, secret, err := auth.Bootstrap{OrgSlug: slug, Email: email, Role: role, TokenName: "test"}.Run(testenv.System(), e.ent)
	if err != nil {
		t.Fatalf("bootstrapping %s in %s: %v", email, slug, err)
	}
	m := e.ent.Membership.Query().
		Where(membership.AccountID(tok.AccountID), membership.OrganizationID(tok.OrganizationID)).
		OnlyX(testenv.System())
	return accessMember{
		account:      e.ent.Account.GetX(testenv.System(), tok.AccountID),
		membershipID: m.ID,
		tokenID:      tok.ID,
		secret:       secret,
	}
}

// accessReply is a response as it comes over the wire.
type accessReply struct {
	status int
	header http.Header
	body   []byte
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Path       []any
		Extensions map[string]any
	}
}

// code is the extensions.code of the first error.
func (r accessReply) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r accessReply) noData() bool { return len(r.Data) == 0 || string(r.Data) == "null" }

// decode fails the test unless the request succeeded, and decodes data.
func (r accessReply) decode(t *testing.T, into any) {
	t.Helper()
	if r.status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.Data, into); err != nil {
		t.Fatalf("decoding %s: %v", r.Data, err)
	}
}

// send makes a GraphQL request with authorization as the Authorization header
// (none when empty).
func (e *accessEnv) send(t *testing.T, method, authorization, query string, vars map[string]any) accessReply {
	t.Helper()
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequest(method, e.url+"/graphql?query="+url.QueryEscape(query), nil)
	} else {
		body, merr := json.Marshal(map[string]any{"query": query, "variables": vars})
		if merr != nil {
			t.Fatal(merr)
		}
		req, err = http.NewRequest(method, e.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s /graphql: %v", method, err)
	}
	defer res.Body.Close()
	r := accessReply{status: res.StatusCode, header: res.Header}
	if r.body, err = io.ReadAll(res.Body); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(r.body, &r); err != nil {
		t.Fatalf("HTTP %d, body %q is not a GraphQL response: %v", r.status, r.body, err)
	}
	return r
}

// as POSTs an operation with the token secret.
func (e *accessEnv) as(t *testing.T, secret, query string, vars map[string]any) accessReply {
	t.Helper()
	return e.send(t, http.MethodPost, "Bearer "+secret, query, vars)
}

// accessState is every account, membership and token (without the times that
// a use updates), and every row of the planning data: two equal states mean
// nothing was written in between.
func accessState(t *testing.T, c *ent.Client) string {
	t.Helper()
	ctx := testenv.System()
	byID := ent.Asc("id")
	var b strings.Builder
	for _, a := range c.Account.Query().Order(byID).AllX(ctx) {
		fmt.Fprintf(&b, "account %d %s %q\n", a.ID, a.Email, a.Name)
	}
	for _, m := range c.Membership.Query().Order(byID).AllX(ctx) {
		fmt.Fprintf(&b, "membership %d org %d account %d %s\n", m.ID, m.OrganizationID, m.AccountID, m.Role)
	}
	for _, k := range c.APIToken.Query().Order(byID).AllX(ctx) {
		fmt.Fprintf(&b, "token %d org %d account %d %q %s %s expires %s revoked %s\n", k.ID, k.OrganizationID, k.AccountID,
			k.Name, k.Role, k.Prefix, fmtTime(k.ExpiresAt), fmtTime(k.RevokedAt))
	}
	return b.String() + dbState(t, c)
}

func fmtTime(p *time.Time) string {
	if p == nil {
		return "never"
	}
	return p.UTC().Format(time.RFC3339Nano)
}

// --- Operations ---

const (
	viewerQuery = `{ viewer { role account { id email } organization { id slug } token { id prefix role lastUsedAt } } }`

	tokenFields = `id accountID name role prefix expiresAt lastUsedAt revokedAt`

	apiTokenCreateOp = `mutation($input: APITokenCreateInput!) {
	apiTokenCreate(input: $input) { secret token { ` + tokenFields + ` } userErrors { field message code } } }`
	apiTokenRevokeOp = `mutation($id: ID!) {
	apiTokenRevoke(input: {tokenID: $id}) { token { ` + tokenFields + ` } userErrors { field message code } } }`
	membershipCreateOp = `mutation($input: MembershipCreateInput!) {
	membershipCreate(input: $input) { membership { id role accountID account { id email name } } userErrors { field message code } } }`
	membershipUpdateOp = `mutation($id: ID!, $role: MembershipRole!) {
	membershipUpdate(input: {membershipID: $id, role: $role}) { membership { id role } userErrors { field message code } } }`
	membershipDeleteOp = `mutation($id: ID!) {
	membershipDelete(input: {membershipID: $id}) { deletedMembershipID userErrors { field message code } } }`
)

type tokenObj struct {
	ID, AccountID, Name, Role, Prefix string
	ExpiresAt, LastUsedAt, RevokedAt  *string
}

type viewerObj struct {
	Role    string
	Account struct{ ID, Email string }
	Org     struct{ ID, Slug string } `json:"organization"`
	Token   struct {
		ID, Prefix, Role string
		LastUsedAt       *string
	}
}

// whoAmI returns the viewer of a token, failing the test on any error.
func (e *accessEnv) whoAmI(t *testing.T, secret string) viewerObj {
	t.Helper()
	var rsp struct{ Viewer viewerObj }
	e.as(t, secret, viewerQuery, nil).decode(t, &rsp)
	return rsp.Viewer
}

// createToken runs apiTokenCreate as secret; it must succeed.
func (e *accessEnv) createToken(t *testing.T, secret string, input map[string]any) (tokenObj, string) {
	t.Helper()
	var rsp struct {
		APITokenCreate struct {
			Secret     *string
			Token      *tokenObj
			UserErrors []userError
		}
	}
	e.as(t, secret, apiTokenCreateOp, map[string]any{"input": input}).decode(t, &rsp)
	p := rsp.APITokenCreate
	if len(p.UserErrors) > 0 || p.Token == nil || p.Secret == nil {
		t.Fatalf("apiTokenCreate(%v): %+v", input, p)
	}
	return *p.Token, *p.Secret
}

// addMember runs membershipCreate as the owner; it must succeed.
func (e *accessEnv) addMember(t *testing.T, email string, role membership.Role) (membershipID, accountID string) {
	t.Helper()
	var rsp struct {
		MembershipCreate struct {
			Membership *struct{ ID, AccountID string }
			UserErrors []userError
		}
	}
	e.as(t, e.owner.secret, membershipCreateOp, map[string]any{"input": map[string]any{"email": email, "role": role}}).decode(t, &rsp)
	p := rsp.MembershipCreate
	if len(p.UserErrors) > 0 || p.Membership == nil {
		t.Fatalf("membershipCreate(%s): %+v", email, p)
	}
	return p.Membership.ID, p.Membership.AccountID
}

// wantUnauthenticated asserts a 401 with a JSON body whose first error has
// code UNAUTHENTICATED, and no data.
func wantUnauthenticated(t *testing.T, r accessReply) {
	t.Helper()
	if r.status != http.StatusUnauthorized {
		t.Fatalf("HTTP %d %s, want 401", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	if r.code() != "UNAUTHENTICATED" {
		t.Fatalf("errors[0].extensions.code = %q in %s, want UNAUTHENTICATED", r.code(), r.body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["data"]; ok {
		t.Fatalf("body %s has a data member, want none", r.body)
	}
}

// wantForbidden asserts a FORBIDDEN top-level error without data; the test
// goes on, to check that nothing changed either.
func wantForbidden(t *testing.T, r accessReply) {
	t.Helper()
	if r.code() != "FORBIDDEN" || !r.noData() {
		t.Errorf("HTTP %d %s, want a FORBIDDEN error and no data", r.status, r.body)
	}
}

// --- Token lifecycle ---

// scalarFields lists the fields of a GraphQL object type that take no
// arguments and return a scalar or enum: everything a client can read of it.
func (e *accessEnv) scalarFields(t *testing.T, typeName string) []string {
	t.Helper()
	type typeRef struct {
		Kind   string
		OfType *typeRef
	}
	var rsp struct {
		Type struct {
			Fields []struct {
				Name string
				Args []struct{ Name string }
				Type typeRef
			}
		} `json:"__type"`
	}
	q := `query($name: String!) { __type(name: $name) { fields { name args { name } type { kind ofType { kind ofType { kind ofType { kind } } } } } } }`
	e.as(t, e.owner.secret, q, map[string]any{"name": typeName}).decode(t, &rsp)
	var out []string
	for _, f := range rsp.Type.Fields {
		k := &f.Type
		for k.OfType != nil {
			k = k.OfType
		}
		if len(f.Args) == 0 && (k.Kind == "SCALAR" || k.Kind == "ENUM") {
			out = append(out, f.Name)
		}
	}
	if len(out) < 8 {
		t.Fatalf("%s has only the scalar fields %v", typeName, out)
	}
	return out
}

// rowsContaining returns the table.column of every stored value, in every
// table, that contains s.
func rowsContaining(t *testing.T, db *sql.DB, s string) []string {
	t.Helper()
	var found []string
	for _, table := range migrate.Tables {
		rows, err := db.Query("SELECT * FROM " + table.Name)
		if err != nil {
			t.Fatalf("reading %s: %v", table.Name, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var text string
				switch v := v.(type) {
				case []byte:
					text = string(v)
				case string:
					text = v
				default:
					text = fmt.Sprint(v)
				}
				if strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
					found = append(found, table.Name+"."+cols[i])
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return found
}

func TestAccessTokenLifecycle(t *testing.T) {
	e := newAccessEnv(t)
	_, benAccount := e.addMember(t, "ben@acme.example", membership.RolePlanner)
	tok, secret := e.createToken(t, e.owner.secret, map[string]any{"accountID": benAccount, "name": "CI"})
	tokenID := atoi(t, tok.ID)
	if got := e.ent.APIToken.GetX(testenv.System(), tokenID).LastUsedAt; got != nil {
		t.Fatalf("lastUsedAt = %v before any use", got)
	}
	body := strings.TrimPrefix(secret, "rct_") // the random part

	t.Run("the secret is returned once, starts with rct_ and its prefix is the token's", func(t *testing.T) {
		if !strings.HasPrefix(secret, "rct_") || len(body) < 32 {
			t.Fatalf("secret %q, want rct_ and at least 32 characters", secret)
		}
		if !strings.HasPrefix(secret, tok.Prefix) || len(tok.Prefix) <= len("rct_") || len(tok.Prefix) >= len(secret)/2 {
			t.Fatalf("prefix %q, want a short start of the secret", tok.Prefix)
		}
		if tok.Role != "PLANNER" || tok.AccountID != benAccount || tok.Name != "CI" {
			t.Fatalf("token %+v, want Ben's PLANNER token named CI (the account's role by default)", tok)
		}
		if tok.LastUsedAt != nil || tok.RevokedAt != nil || tok.ExpiresAt != nil {
			t.Fatalf("token %+v, want never used, not revoked, no expiry", tok)
		}
	})

	t.Run("no field of APIToken exposes the secret or its hash", func(t *testing.T) {
		fields := e.scalarFields(t, "APIToken")
		for _, f := range fields {
			if l := strings.ToLower(f); strings.Contains(l, "secret") || strings.Contains(l, "hash") {
				t.Errorf("APIToken has a field %s", f)
			}
		}
		sel := strings.Join(fields, " ")
		hash := sha256.Sum256([]byte(secret))
		for _, tc := range []struct{ name, as, query string }{
			{"apiTokens as the owner", e.owner.secret, `{ apiTokens { edges { node { ` + sel + ` } } } }`},
			{"node as the owner", e.owner.secret, fmt.Sprintf(`{ node(id: "%d") { ... on APIToken { %s } } }`, tokenID, sel)},
			{"apiTokens as the token itself", secret, `{ apiTokens { edges { node { ` + sel + ` } } } }`},
			{"viewer as the token itself", secret, `{ viewer { token { ` + sel + ` } } }`},
			{"the account's edges", e.owner.secret, `{ accounts { edges { node { email memberships { edges { node { role } } } } } } }`},
		} {
			r := e.as(t, tc.as, tc.query, nil)
			var data map[string]any
			r.decode(t, &data)
			if !strings.Contains(string(r.Data), tok.Prefix) && tc.name != "the account's edges" {
				t.Fatalf("%s: the token is not in %s", tc.name, r.Data)
			}
			for _, leak := range []string{body, hex.EncodeToString(hash[:])} {
				if bytes.Contains(bytes.ToLower(r.body), []byte(strings.ToLower(leak))) {
					t.Errorf("%s: the response contains %q: %s", tc.name, leak, r.body)
				}
			}
		}
	})

	t.Run("the database holds only the SHA-256 of the secret", func(t *testing.T) {
		db := testenv.DB(e.counter)
		if where := rowsContaining(t, db, body); len(where) > 0 {
			t.Fatalf("the secret is stored in %v", where)
		}
		var storedHash, prefix string
		err := db.QueryRow("SELECT secret_hash, prefix FROM "+apitoken.Table+" WHERE id = "+tok.ID).Scan(&storedHash, &prefix)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if want := hex.EncodeToString(sum[:]); storedHash != want {
			t.Fatalf("secret_hash = %q, want hex(sha256(secret)) %q", storedHash, want)
		}
		if prefix != tok.Prefix {
			t.Fatalf("stored prefix %q, want %q", prefix, tok.Prefix)
		}
	})

	t.Run("using the token works and records its last use", func(t *testing.T) {
		v := e.whoAmI(t, secret)
		if v.Token.ID != tok.ID || v.Account.ID != benAccount || v.Role != "PLANNER" {
			t.Fatalf("viewer %+v, want Ben's token %s as PLANNER", v, tok.ID)
		}
		stored := e.ent.APIToken.GetX(testenv.System(), tokenID).LastUsedAt
		if stored == nil || v.Token.LastUsedAt == nil {
			t.Fatalf("lastUsedAt stored %v, shown %v after a use; want both set", stored, v.Token.LastUsedAt)
		}
		if shown := parseTime(t, *v.Token.LastUsedAt); !shown.Equal(*stored) {
			t.Fatalf("lastUsedAt shown %v, stored %v", shown, *stored)
		}
	})

	t.Run("the owner revokes the token and its next request is unauthenticated", func(t *testing.T) {
		var rsp struct {
			APITokenRevoke struct {
				Token      *tokenObj
				UserErrors []userError
			}
		}
		e.as(t, e.owner.secret, apiTokenRevokeOp, map[string]any{"id": tok.ID}).decode(t, &rsp)
		p := rsp.APITokenRevoke
		if len(p.UserErrors) > 0 || p.Token == nil || p.Token.RevokedAt == nil {
			t.Fatalf("apiTokenRevoke: %+v, want the token with revokedAt", p)
		}
		wantUnauthenticated(t, e.as(t, secret, viewerQuery, nil))
		// Revoking again keeps the first time.
		first := *p.Token.RevokedAt
		e.as(t, e.owner.secret, apiTokenRevokeOp, map[string]any{"id": tok.ID}).decode(t, &rsp)
		if rsp.APITokenRevoke.Token == nil || rsp.APITokenRevoke.Token.RevokedAt == nil || *rsp.APITokenRevoke.Token.RevokedAt != first {
			t.Fatalf("second revocation: %+v, want revokedAt %s kept", rsp.APITokenRevoke, first)
		}
		// The owner's own token is untouched.
		if v := e.whoAmI(t, e.owner.secret); v.Role != "OWNER" {
			t.Fatalf("owner acts as %s after revoking another token", v.Role)
		}
	})
}

func TestAccessRequestsWithoutAValidTokenAreUnauthenticated(t *testing.T) {
	e := newAccessEnv(t)
	revoked := e.member(t, "acme", "revoked@acme.example", membership.RoleOwner)
	e.ent.APIToken.UpdateOneID(revoked.tokenID).SetRevokedAt(time.Now().Add(-time.Minute)).ExecX(testenv.System())
	past := time.Now().Add(-time.Hour)
	_, expired, err := auth.Bootstrap{OrgSlug: "acme", Email: "expired@acme.example", ExpiresAt: &past}.Run(testenv.System(), e.ent)
	if err != nil {
		t.Fatal(err)
	}
	removed := e.member(t, "acme", "removed@acme.example", membership.RoleOwner)
	e.ent.Membership.DeleteOneID(removed.membershipID).ExecX(testenv.System())
	unknown, _, _, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	const personCreate = `mutation { personCreate(input: {name: "Eve", email: "eve@acme.example"}) { person { id } userErrors { message } } }`

	for _, tc := range []struct {
		name, method, authorization, query string
	}{
		{"no Authorization header", http.MethodPost, "", viewerQuery},
		{"no Authorization header on GET", http.MethodGet, "", `{ people { totalCount } }`},
		{"no Authorization header on a mutation", http.MethodPost, "", personCreate},
		{"the Basic scheme", http.MethodPost, "Basic " + e.owner.secret, viewerQuery},
		{"the secret without a scheme", http.MethodPost, e.owner.secret, viewerQuery},
		{"Bearer without a secret", http.MethodPost, "Bearer", viewerQuery},
		{"Bearer and a blank", http.MethodPost, "Bearer    ", viewerQuery},
		{"a secret that is not a Rencontre token", http.MethodPost, "Bearer abcdef", viewerQuery},
		{"an unknown token", http.MethodPost, "Bearer " + unknown, viewerQuery},
		{"an unknown token on a mutation", http.MethodPost, "Bearer " + unknown, personCreate},
		{"the token's prefix only", http.MethodPost, "Bearer " + e.owner.secret[:12], viewerQuery},
		{"the token with a character more", http.MethodPost, "Bearer " + e.owner.secret + "a", viewerQuery},
		{"a revoked token", http.MethodPost, "Bearer " + revoked.secret, viewerQuery},
		{"an expired token", http.MethodPost, "Bearer " + expired, viewerQuery},
		{"an expired token on a mutation", http.MethodPost, "Bearer " + expired, personCreate},
		{"the token of a removed member", http.MethodPost, "Bearer " + removed.secret, viewerQuery},
	} {
		t.Run(tc.name+" gets 401 UNAUTHENTICATED and no data", func(t *testing.T) {
			before := accessState(t, e.ent)
			wantUnauthenticated(t, e.send(t, tc.method, tc.authorization, tc.query, nil))
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("an unauthenticated request changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	// Controls: the same server accepts valid tokens, with the scheme in any case.
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		t.Run("a valid token with scheme "+scheme+" is accepted", func(t *testing.T) {
			r := e.send(t, http.MethodPost, scheme+" "+e.owner.secret, viewerQuery, nil)
			var rsp struct{ Viewer viewerObj }
			r.decode(t, &rsp)
			if rsp.Viewer.Role != "OWNER" {
				t.Fatalf("viewer %+v", rsp.Viewer)
			}
		})
	}
}

func TestAccessHealthChecksArePublic(t *testing.T) {
	e := newAccessEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		t.Run(path+" answers without a token", func(t *testing.T) {
			res, err := http.Get(e.url + path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct{ Status string }
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != http.StatusOK || body.Status != "ok" {
				t.Fatalf("HTTP %d status %q, want 200 ok", res.StatusCode, body.Status)
			}
		})
	}
	t.Run("while /graphql without a token is refused", func(t *testing.T) {
		wantUnauthenticated(t, e.send(t, http.MethodPost, "", `{ people { totalCount } }`, nil))
	})
}

func TestAccessTokenExpiry(t *testing.T) {
	e := newAccessEnv(t)
	at := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339) }

	t.Run("apiTokenCreate refuses an expiry in the past and creates nothing", func(t *testing.T) {
		for _, expires := range []string{at(-time.Hour), at(-365 * 24 * time.Hour)} {
			before := accessState(t, e.ent)
			var rsp struct {
				APITokenCreate struct {
					Secret     *string
					Token      *tokenObj
					UserErrors []userError
				}
			}
			e.as(t, e.owner.secret, apiTokenCreateOp, map[string]any{"input": map[string]any{"name": "old", "expiresAt": expires}}).decode(t, &rsp)
			p := rsp.APITokenCreate
			checkUserErrors(t, p.UserErrors, wantError{field: "expiresAt", code: "INVALID", message: []string{"expiresAt"}})
			if p.Secret != nil || p.Token != nil {
				t.Fatalf("payload %+v, want no secret and no token", p)
			}
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("the refused apiTokenCreate changed the database:\nbefore %s\nafter  %s", before, after)
			}
		}
	})

	t.Run("a token with an expiry in the future works until then", func(t *testing.T) {
		expires := at(24 * time.Hour)
		tok, secret := e.createToken(t, e.owner.secret, map[string]any{"name": "day", "expiresAt": expires})
		if tok.ExpiresAt == nil || !parseTime(t, *tok.ExpiresAt).Equal(parseTime(t, expires)) {
			t.Fatalf("expiresAt = %v, want %s", tok.ExpiresAt, expires)
		}
		if v := e.whoAmI(t, secret); v.Token.ID != tok.ID {
			t.Fatalf("viewer token %s, want %s", v.Token.ID, tok.ID)
		}
	})

	t.Run("a token whose expiry has passed is unauthenticated", func(t *testing.T) {
		secret, hash, prefix, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		e.ent.APIToken.Create().SetOrganizationID(e.fix.org.ID).SetAccountID(e.owner.account.ID).SetName("expired").
			SetRole(apitoken.RoleOwner).SetPrefix(prefix).SetSecretHash(hash).SetExpiresAt(time.Now().Add(-time.Second)).
			ExecX(testenv.System())
		wantUnauthenticated(t, e.as(t, secret, viewerQuery, nil))
	})
}

// --- Roles ---

func TestAccessEffectiveRoleIsTheLesserOfTokenAndMembership(t *testing.T) {
	e := newAccessEnv(t)
	benMembership, benAccount := e.addMember(t, "ben@acme.example", membership.RoleOwner)
	tokens := map[string]string{}
	for _, role := range []string{"OWNER", "PLANNER", "VIEWER"} {
		_, tokens[role] = e.createToken(t, e.owner.secret, map[string]any{"accountID": benAccount, "name": role, "role": role})
	}
	rank := map[string]int{"VIEWER": 1, "PLANNER": 2, "OWNER": 3}
	lesser := func(a, b string) string {
		if rank[a] <= rank[b] {
			return a
		}
		return b
	}
	// The membership goes down and up again: the cap follows it.
	for _, memberRole := range []string{"OWNER", "PLANNER", "VIEWER", "PLANNER", "OWNER"} {
		var rsp struct {
			MembershipUpdate struct {
				Membership *struct{ ID, Role string }
				UserErrors []userError
			}
		}
		e.as(t, e.owner.secret, membershipUpdateOp, map[string]any{"id": benMembership, "role": memberRole}).decode(t, &rsp)
		if p := rsp.MembershipUpdate; len(p.UserErrors) > 0 || p.Membership == nil || p.Membership.Role != memberRole {
			t.Fatalf("membershipUpdate to %s: %+v", memberRole, p)
		}
		for _, tokenRole := range []string{"OWNER", "PLANNER", "VIEWER"} {
			want := lesser(tokenRole, memberRole)
			t.Run(fmt.Sprintf("a %s token of a %s member acts as %s", tokenRole, memberRole, want), func(t *testing.T) {
				v := e.whoAmI(t, tokens[tokenRole])
				if v.Role != want || v.Token.Role != tokenRole {
					t.Fatalf("viewer role %s (token role %s), want %s", v.Role, v.Token.Role, want)
				}
			})
		}
	}
	t.Run("a lowered owner token may no longer manage members", func(t *testing.T) {
		e.as(t, e.owner.secret, membershipUpdateOp, map[string]any{"id": benMembership, "role": "PLANNER"}).decode(t, new(any))
		before := accessState(t, e.ent)
		wantForbidden(t, e.as(t, tokens["OWNER"], membershipCreateOp, map[string]any{"input": map[string]any{"email": "eve@acme.example", "role": "VIEWER"}}))
		if after := accessState(t, e.ent); after != before {
			t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
		}
	})
}

func TestAccessMembershipDeleteStopsTheMembersTokens(t *testing.T) {
	e := newAccessEnv(t)
	benMembership, benAccount := e.addMember(t, "ben@acme.example", membership.RolePlanner)
	_, first := e.createToken(t, e.owner.secret, map[string]any{"accountID": benAccount, "name": "laptop"})
	_, second := e.createToken(t, e.owner.secret, map[string]any{"accountID": benAccount, "name": "CI", "role": "VIEWER"})
	for _, s := range []string{first, second} {
		e.whoAmI(t, s) // both work before
	}
	var rsp struct {
		MembershipDelete struct {
			DeletedMembershipID *string
			UserErrors          []userError
		}
	}
	e.as(t, e.owner.secret, membershipDeleteOp, map[string]any{"id": benMembership}).decode(t, &rsp)
	if p := rsp.MembershipDelete; len(p.UserErrors) > 0 || p.DeletedMembershipID == nil || *p.DeletedMembershipID != benMembership {
		t.Fatalf("membershipDelete: %+v", p)
	}
	for name, s := range map[string]string{"the member's first token": first, "the member's second token": second} {
		t.Run(name+" is unauthenticated", func(t *testing.T) {
			wantUnauthenticated(t, e.as(t, s, viewerQuery, nil))
		})
	}
	t.Run("the owner's token still works", func(t *testing.T) {
		if v := e.whoAmI(t, e.owner.secret); v.Role != "OWNER" {
			t.Fatalf("owner acts as %s", v.Role)
		}
	})
	t.Run("the member is no longer listed", func(t *testing.T) {
		var rsp struct{ Memberships struct{ TotalCount int } }
		e.as(t, e.owner.secret, `{ memberships { totalCount } }`, nil).decode(t, &rsp)
		if rsp.Memberships.TotalCount != 1 {
			t.Fatalf("%d memberships, want the owner's only", rsp.Memberships.TotalCount)
		}
	})
}

func TestAccessTokenRoleAboveTheAccountsRoleIsRefused(t *testing.T) {
	e := newAccessEnv(t)
	_, planner := e.addMember(t, "planner@acme.example", membership.RolePlanner)
	_, viewer := e.addMember(t, "viewer@acme.example", membership.RoleViewer)
	for _, tc := range []struct {
		name, account, role string
	}{
		{"an OWNER token for a PLANNER", planner, "OWNER"},
		{"an OWNER token for a VIEWER", viewer, "OWNER"},
		{"a PLANNER token for a VIEWER", viewer, "PLANNER"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			before := accessState(t, e.ent)
			var rsp struct {
				APITokenCreate struct {
					Secret     *string
					Token      *tokenObj
					UserErrors []userError
				}
			}
			e.as(t, e.owner.secret, apiTokenCreateOp, map[string]any{"input": map[string]any{"accountID": tc.account, "name": "x", "role": tc.role}}).decode(t, &rsp)
			p := rsp.APITokenCreate
			checkUserErrors(t, p.UserErrors, wantError{field: "role", code: "INVALID", message: []string{tc.role}})
			if p.Secret != nil || p.Token != nil {
				t.Fatalf("payload %+v, want no token", p)
			}
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	for _, tc := range []struct {
		name, account, role string
	}{
		{"a PLANNER token for a PLANNER", planner, "PLANNER"},
		{"a VIEWER token for a PLANNER", planner, "VIEWER"},
		{"a VIEWER token for a VIEWER", viewer, "VIEWER"},
	} {
		t.Run(tc.name+" is created", func(t *testing.T) {
			tok, secret := e.createToken(t, e.owner.secret, map[string]any{"accountID": tc.account, "name": "x", "role": tc.role})
			if v := e.whoAmI(t, secret); tok.Role != tc.role || v.Role != tc.role {
				t.Fatalf("token role %s acting as %s, want %s", tok.Role, v.Role, tc.role)
			}
		})
	}
}

// accessMutation is a mutation and its variables, run as some role.
type accessMutation struct {
	name  string
	query string
	vars  map[string]any
}

// memberAndTokenMutations are the OWNER-only mutations, aimed at the owner's
// records and at the caller's own.
func memberAndTokenMutations(e *accessEnv, self accessMember, otherOrgEmail string) []accessMutation {
	id := func(n int) string { return gid(n) }
	create := func(email, role string) map[string]any {
		return map[string]any{"input": map[string]any{"email": email, "role": role}}
	}
	return []accessMutation{
		{"membershipCreate of a new account", membershipCreateOp, create("new@acme.example", "VIEWER")},
		{"membershipCreate of an account of another organization", membershipCreateOp, create(otherOrgEmail, "VIEWER")},
		{"membershipUpdate of the owner's membership", membershipUpdateOp, map[string]any{"id": id(e.owner.membershipID), "role": "VIEWER"}},
		{"membershipUpdate of its own membership to OWNER", membershipUpdateOp, map[string]any{"id": id(self.membershipID), "role": "OWNER"}},
		{"membershipDelete of the owner's membership", membershipDeleteOp, map[string]any{"id": id(e.owner.membershipID)}},
		{"membershipDelete of its own membership", membershipDeleteOp, map[string]any{"id": id(self.membershipID)}},
		{"apiTokenCreate for itself", apiTokenCreateOp, map[string]any{"input": map[string]any{"name": "mine"}}},
		{"apiTokenCreate for the owner", apiTokenCreateOp, map[string]any{"input": map[string]any{"name": "theirs", "accountID": id(e.owner.account.ID)}}},
		{"apiTokenRevoke of the owner's token", apiTokenRevokeOp, map[string]any{"id": id(e.owner.tokenID)}},
		{"apiTokenRevoke of its own token", apiTokenRevokeOp, map[string]any{"id": id(self.tokenID)}},
	}
}

func TestAccessOnlyOwnersManageMembersAndTokens(t *testing.T) {
	for _, role := range []membership.Role{membership.RolePlanner, membership.RoleViewer} {
		e := newAccessEnv(t)
		e.member(t, "globex", "gus@globex.example", membership.RoleOwner)
		self := e.member(t, "acme", strings.ToLower(string(role))+"@acme.example", role)
		e.whoAmI(t, self.secret) // its first use is recorded before the states are taken
		for _, m := range memberAndTokenMutations(e, self, "gus@globex.example") {
			t.Run(fmt.Sprintf("a %s may not use %s", role, m.name), func(t *testing.T) {
				before := accessState(t, e.ent)
				wantForbidden(t, e.as(t, self.secret, m.query, m.vars))
				if after := accessState(t, e.ent); after != before {
					t.Fatalf("the forbidden mutation changed the database:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
		t.Run(fmt.Sprintf("after the %s's attempts the owner and the %s act as before", role, role), func(t *testing.T) {
			if v := e.whoAmI(t, e.owner.secret); v.Role != "OWNER" {
				t.Fatalf("owner acts as %s", v.Role)
			}
			if v := e.whoAmI(t, self.secret); v.Role != string(role) {
				t.Fatalf("%s acts as %s", role, v.Role)
			}
		})
	}
}

func TestAccessViewerCannotWritePlanningData(t *testing.T) {
	e := newAccessEnv(t)
	viewer := e.member(t, "acme", "viewer@acme.example", membership.RoleViewer)
	planner := e.member(t, "acme", "planner@acme.example", membership.RolePlanner)
	f := e.fix
	cleo := addPerson(t, e.ent, f.org, "Cleo", "cleo@acme.example") // in no community
	start := "2031-03-05T09:00:00Z"
	mutations := []accessMutation{
		{"personCreate", `mutation($input: CreatePersonInput!) { personCreate(input: $input) { person { id } userErrors { message } } }`,
			map[string]any{"input": map[string]any{"name": "Eve", "email": "eve@acme.example"}}},
		{"personUpdate", `mutation($id: ID!) { personUpdate(id: $id, input: {name: "Anna"}) { person { id } userErrors { message } } }`,
			map[string]any{"id": gid(f.ana.ID)}},
		{"communityCreate", `mutation { communityCreate(input: {name: "Sales", kind: TEAM}) { community { id } userErrors { message } } }`, nil},
		{"communityAddMembers", `mutation($c: ID!, $p: [ID!]!) { communityAddMembers(input: {communityID: $c, personIDs: $p}) { userErrors { message } } }`,
			map[string]any{"c": gid(f.team.ID), "p": []string{gid(cleo.ID)}}},
		{"objectiveCreate", `mutation { objectiveCreate(input: {title: "More", category: NETWORKING, purpose: DISPERSED_TEAM}) { objective { id } userErrors { message } } }`, nil},
		{"meetingCreate", `mutation($input: CreateMeetingInput!) { meetingCreate(input: $input) { meeting { id } userErrors { message } } }`,
			map[string]any{"input": map[string]any{"title": "Lunch", "startsAt": start, "endsAt": "2031-03-05T10:00:00Z", "timeZone": "UTC"}}},
		{"meetingUpdate", `mutation($id: ID!) { meetingUpdate(id: $id, input: {title: "Renamed"}) { meeting { id } userErrors { message } } }`,
			map[string]any{"id": gid(f.meeting.ID)}},
		{"meetingCancel", `mutation($id: ID!) { meetingCancel(input: {meetingID: $id, reason: "no"}) { userErrors { message } } }`,
			map[string]any{"id": gid(f.meeting.ID)}},
		{"meetingInvite", `mutation($id: ID!, $p: [ID!]) { meetingInvite(input: {meetingID: $id, personIDs: $p}) { userErrors { message } } }`,
			map[string]any{"id": gid(f.meeting.ID), "p": []string{gid(f.ana.ID)}}},
		{"touchpointCreate", `mutation($p: ID!) { touchpointCreate(input: {personID: $p, channel: EMAIL}) { touchpoint { id } userErrors { message } } }`,
			map[string]any{"p": gid(f.ana.ID)}},
		{"organizationUpdate", `mutation($id: ID!) { organizationUpdate(id: $id, input: {name: "Renamed"}) { organization { id } userErrors { message } } }`,
			map[string]any{"id": gid(f.org.ID)}},
	}
	e.whoAmI(t, viewer.secret)
	for _, m := range mutations {
		t.Run("a VIEWER may not use "+m.name, func(t *testing.T) {
			before := accessState(t, e.ent)
			wantForbidden(t, e.as(t, viewer.secret, m.query, m.vars))
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("the forbidden mutation changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	// Controls: a PLANNER may make the same planning writes (organizationUpdate
	// is OWNER only), so the refusals above are about the role.
	for _, m := range mutations[:3] {
		t.Run("a PLANNER may use "+m.name, func(t *testing.T) {
			r := e.as(t, planner.secret, m.query, m.vars)
			if r.status != http.StatusOK || len(r.Errors) > 0 || strings.Contains(string(r.Data), `"message"`) {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
		})
	}
}

func TestAccessViewerSeesPeopleWithoutContactDetails(t *testing.T) {
	e := newAccessEnv(t)
	e.ent.Person.UpdateOne(e.fix.ana).SetPhone("+33 1 23 45 67 89").ExecX(testenv.System())
	people := `{ people { edges { node { id name email phone } } } }`
	node := fmt.Sprintf(`{ node(id: "%d") { ... on Person { id name email phone } } }`, e.fix.ana.ID)
	for _, tc := range []struct {
		role     membership.Role
		contacts bool
	}{
		{membership.RoleOwner, true},
		{membership.RolePlanner, true},
		{membership.RoleViewer, false},
	} {
		t.Run(fmt.Sprintf("a %s sees contact details: %v", tc.role, tc.contacts), func(t *testing.T) {
			m := e.member(t, "acme", "m-"+strings.ToLower(string(tc.role))+"@acme.example", tc.role)
			type person struct {
				ID, Name     string
				Email, Phone *string
			}
			var list struct {
				People struct{ Edges []struct{ Node person } }
			}
			e.as(t, m.secret, people, nil).decode(t, &list)
			var one struct{ Node person }
			e.as(t, m.secret, node, nil).decode(t, &one)
			got := []person{one.Node}
			for _, edge := range list.People.Edges {
				got = append(got, edge.Node)
			}
			if len(got) != 3 {
				t.Fatalf("people = %+v, want Ana and Ben and Ana by node", got)
			}
			for _, p := range got {
				if p.Name == "" {
					t.Fatalf("person %+v without a name", p)
				}
				hasEmail := p.Email != nil && strings.Contains(*p.Email, "@")
				if hasEmail != tc.contacts {
					t.Fatalf("%s: email %v, want shown: %v", p.Name, p.Email, tc.contacts)
				}
				if !tc.contacts && p.Phone != nil {
					t.Fatalf("%s: phone %q shown to a VIEWER", p.Name, *p.Phone)
				}
				if tc.contacts && p.Name == "Ana" && (p.Phone == nil || *p.Phone != "+33 1 23 45 67 89") {
					t.Fatalf("Ana's phone = %v, want it shown", p.Phone)
				}
			}
		})
	}
}

func TestAccessViewerQueryShowsAccountOrganizationRoleAndToken(t *testing.T) {
	e := newAccessEnv(t)
	for _, role := range []membership.Role{membership.RoleOwner, membership.RolePlanner, membership.RoleViewer} {
		t.Run(string(role), func(t *testing.T) {
			email := "who-" + strings.ToLower(string(role)) + "@acme.example"
			m := e.member(t, "acme", email, role)
			v := e.whoAmI(t, m.secret)
			tok := e.ent.APIToken.GetX(testenv.System(), m.tokenID)
			switch {
			case v.Role != string(role):
				t.Fatalf("role %s, want %s", v.Role, role)
			case v.Account.ID != gid(m.account.ID) || v.Account.Email != email:
				t.Fatalf("account %+v, want %d %s", v.Account, m.account.ID, email)
			case v.Org.ID != gid(e.fix.org.ID) || v.Org.Slug != "acme":
				t.Fatalf("organization %+v, want %d acme", v.Org, e.fix.org.ID)
			case v.Token.ID != gid(m.tokenID) || v.Token.Prefix != tok.Prefix || v.Token.Role != string(role):
				t.Fatalf("token %+v, want %d %s %s", v.Token, m.tokenID, tok.Prefix, role)
			}
		})
	}
}

func TestAccessMembershipCreate(t *testing.T) {
	e := newAccessEnv(t)
	gus := e.member(t, "globex", "gus@globex.example", membership.RoleOwner)
	accounts := func() int { return e.ent.Account.Query().CountX(testenv.System()) }
	type membershipObj struct {
		ID, Role, AccountID string
		Account             struct{ ID, Email, Name string }
	}
	create := func(t *testing.T, input map[string]any) (*membershipObj, []userError) {
		t.Helper()
		var rsp struct {
			MembershipCreate struct {
				Membership *membershipObj
				UserErrors []userError
			}
		}
		e.as(t, e.owner.secret, membershipCreateOp, map[string]any{"input": input}).decode(t, &rsp)
		return rsp.MembershipCreate.Membership, rsp.MembershipCreate.UserErrors
	}

	t.Run("a new email creates an account, stored lower-cased", func(t *testing.T) {
		n := accounts()
		m, ues := create(t, map[string]any{"email": " Ben@Acme.example ", "name": "Ben", "role": "PLANNER"})
		if len(ues) > 0 || m == nil {
			t.Fatalf("userErrors %+v", ues)
		}
		if m.Role != "PLANNER" || m.Account.Email != "ben@acme.example" || m.Account.Name != "Ben" || accounts() != n+1 {
			t.Fatalf("membership %+v, %d accounts (was %d)", m, accounts(), n)
		}
	})

	t.Run("an account of another organization joins without a second account", func(t *testing.T) {
		n := accounts()
		m, ues := create(t, map[string]any{"email": "GUS@globex.example", "name": "Someone Else", "role": "VIEWER"})
		if len(ues) > 0 || m == nil {
			t.Fatalf("userErrors %+v", ues)
		}
		if m.AccountID != gid(gus.account.ID) || accounts() != n {
			t.Fatalf("membership of account %s, %d accounts (was %d); want Gus's account %d reused", m.AccountID, accounts(), n, gus.account.ID)
		}
		if acc := e.ent.Account.GetX(testenv.System(), gus.account.ID); acc.Name != gus.account.Name {
			t.Fatalf("Gus's account was renamed to %q by another organization", acc.Name)
		}
		n = e.ent.Account.Query().Where(account.Email("gus@globex.example")).CountX(testenv.System())
		if n != 1 {
			t.Fatalf("%d accounts with Gus's email", n)
		}
		// Gus's globex token still acts in globex, as OWNER; a token for Gus in
		// acme acts in acme as VIEWER.
		if v := e.whoAmI(t, gus.secret); v.Org.Slug != "globex" || v.Role != "OWNER" {
			t.Fatalf("Gus's globex token acts as %+v", v)
		}
		_, acmeSecret := e.createToken(t, e.owner.secret, map[string]any{"accountID": gid(gus.account.ID), "name": "acme"})
		if v := e.whoAmI(t, acmeSecret); v.Org.Slug != "acme" || v.Role != "VIEWER" {
			t.Fatalf("Gus's acme token acts as %+v", v)
		}
	})

	for _, tc := range []struct {
		name  string
		input map[string]any
		want  wantError
	}{
		{"the same member twice", map[string]any{"email": "ben@acme.example", "role": "VIEWER"}, wantError{field: "email", code: "TAKEN", message: []string{"ben@acme.example"}}},
		{"the same member twice in other case", map[string]any{"email": "BEN@ACME.EXAMPLE", "role": "OWNER"}, wantError{field: "email", code: "TAKEN", message: []string{"ben@acme.example"}}},
		{"the owner itself", map[string]any{"email": "owner@acme.example", "role": "VIEWER"}, wantError{field: "email", code: "TAKEN"}},
		{"an invalid email", map[string]any{"email": "not an email", "role": "VIEWER"}, wantError{field: "email", code: "INVALID"}},
	} {
		t.Run(tc.name+" is refused and changes nothing", func(t *testing.T) {
			before := accessState(t, e.ent)
			m, ues := create(t, tc.input)
			if m != nil {
				t.Errorf("membership %+v, want none", m)
			}
			checkUserErrors(t, ues, tc.want)
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	t.Run("the organization lists exactly its members", func(t *testing.T) {
		var rsp struct {
			Memberships struct {
				Edges []struct {
					Node struct {
						Role    string
						Account struct{ Email string }
					}
				}
			}
		}
		e.as(t, e.owner.secret, `{ memberships { edges { node { role account { email } } } } }`, nil).decode(t, &rsp)
		var got []string
		for _, edge := range rsp.Memberships.Edges {
			got = append(got, edge.Node.Account.Email+" "+edge.Node.Role)
		}
		sort.Strings(got)
		want := []string{"ben@acme.example PLANNER", "gus@globex.example VIEWER", "owner@acme.example OWNER"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("members %v, want %v", got, want)
		}
	})
}
