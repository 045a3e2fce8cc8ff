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
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
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
	mail    *mailbox // the invitations the server sent
}

// mailbox records the invitations the server sends, in place of the log
// delivery: the tests read the codes from it, as an invitee from an email.
type mailbox struct{ auth.Outbox }

// all returns the invitations sent so far.
func (b *mailbox) all() []auth.Invitation { return b.Sent() }

// last returns the last invitation sent to email; the test fails if none was.
func (b *mailbox) last(t *testing.T, email string) auth.Invitation {
	t.Helper()
	inv, ok := b.Last(email)
	if !ok {
		t.Fatalf("no invitation was sent to %s (sent: %d)", email, len(b.Sent()))
	}
	return inv
}

// deliverTo makes the server send invitations to b.
func deliverTo(b *mailbox, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(auth.WithInvitations(r.Context(), b)))
	})
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
	mail := &mailbox{}
	srv := httptest.NewServer(deliverTo(mail, server.Routes(c, cfg)))
	t.Cleanup(srv.Close)
	e := &accessEnv{ent: c, counter: counter, url: srv.URL, fix: newFixture(t, c), mail: mail}
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
		fmt.Fprintf(&b, "membership %d org %d account %s %s %s invited %s %s code %v expires %s responded %s\n",
			m.ID, m.OrganizationID, fmtInt(m.AccountID), m.Role, m.Status, fmtStr(m.InvitedEmail), fmtStr(m.InvitedName),
			m.InvitationCodeHash != nil, fmtTime(m.InvitationExpiresAt), fmtTime(m.RespondedAt))
	}
	for _, k := range c.APIToken.Query().Order(byID).AllX(ctx) {
		fmt.Fprintf(&b, "token %d org %d account %d %q %s %s expires %s revoked %s\n", k.ID, k.OrganizationID, k.AccountID,
			k.Name, k.Role, k.Prefix, fmtTime(k.ExpiresAt), fmtTime(k.RevokedAt))
	}
	return b.String() + dbState(t, c)
}

func fmtInt(p *int) string {
	if p == nil {
		return "none"
	}
	return strconv.Itoa(*p)
}

func fmtStr(p *string) string {
	if p == nil {
		return "none"
	}
	return strconv.Quote(*p)
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
	membershipFields   = `id role status invitedEmail invitedName invitationExpiresAt respondedAt accountID account { id email name }`
	membershipCreateOp = `mutation($input: MembershipCreateInput!) {
	membershipCreate(input: $input) { membership { ` + membershipFields + ` } userErrors { field message code } } }`
	membershipAcceptOp = `mutation($id: ID!) {
	membershipAccept(input: {invitationID: $id}) { invitation { ` + invitationFields + ` } secret userErrors { field message code } } }`
	membershipDeclineOp = `mutation($id: ID!) {
	membershipDecline(input: {invitationID: $id}) { declinedInvitationID userErrors { field message code } } }`
	invitationFields    = `id organizationName organizationSlug role invitedAt expiresAt`
	viewerInvitationsOp = `{ viewer { invitations { ` + invitationFields + ` } } }`
	membershipUpdateOp  = `mutation($id: ID!, $role: MembershipRole!) {
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

// addMember invites email as the owner (membershipCreate) and accepts the
// invitation with the code sent to the email (POST /invitations/accept),
// as the invitee would; both must succeed.
func (e *accessEnv) addMember(t *testing.T, email string, role membership.Role) (membershipID, accountID string) {
	t.Helper()
	id := e.invite(t, email, role)
	var got acceptedBody
	e.acceptCode(t, e.mail.last(t, email).Code).decode(t, http.StatusOK, &got)
	if got.MembershipID != id || got.Role != string(role) {
		t.Fatalf("accepting the invitation of %s: %+v, want membership %s as %s", email, got, id, role)
	}
	return id, got.Account.ID
}

// invite runs membershipCreate as the owner; it must succeed, with a PENDING
// membership.
func (e *accessEnv) invite(t *testing.T, email string, role membership.Role) (membershipID string) {
	t.Helper()
	var rsp struct {
		MembershipCreate struct {
			Membership *membershipObj
			UserErrors []userError
		}
	}
	e.as(t, e.owner.secret, membershipCreateOp, map[string]any{"input": map[string]any{"email": email, "role": role}}).decode(t, &rsp)
	p := rsp.MembershipCreate
	if len(p.UserErrors) > 0 || p.Membership == nil || p.Membership.Status != "PENDING" {
		t.Fatalf("membershipCreate(%s): %+v", email, p)
	}
	return p.Membership.ID
}

// membershipObj is a Membership as membershipFields selects it.
type membershipObj struct {
	ID, Role, Status    string
	InvitedEmail        *string
	InvitedName         *string
	InvitationExpiresAt *string
	RespondedAt         *string
	AccountID           *string
	Account             *struct{ ID, Email, Name string }
}

// httpReply is a response of the invitation routes.
type httpReply struct {
	status int
	body   []byte
}

// decode fails the test unless the status is want, and decodes the body.
func (r httpReply) decode(t *testing.T, want int, into any) {
	t.Helper()
	if r.status != want {
		t.Fatalf("HTTP %d %s, want %d", r.status, r.body, want)
	}
	if err := json.Unmarshal(r.body, into); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// wantError asserts a GraphQL-shaped error with status and code, and no data.
func (r httpReply) wantError(t *testing.T, status int, code string) {
	t.Helper()
	var body struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	r.decode(t, status, &body)
	if len(body.Errors) != 1 || body.Errors[0].Extensions.Code != code || body.Errors[0].Message == "" || body.Data != nil {
		t.Fatalf("HTTP %d %s, want one error with a message and code %s, and no data", r.status, r.body, code)
	}
}

// acceptedBody is the answer of POST /invitations/accept.
type acceptedBody struct {
	Token, TokenPrefix, Role, MembershipID string
	Organization                           struct{ ID, Name, Slug string }
	Account                                struct{ ID, Email, Name string }
}

// postInvitation POSTs body to the invitation route path, without a token.
func (e *accessEnv) postInvitation(t *testing.T, path, body string) httpReply {
	t.Helper()
	res, err := http.Post(e.url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("POST %s: Content-Type %q, want application/json", path, ct)
	}
	return httpReply{status: res.StatusCode, body: b}
}

// acceptCode accepts an invitation with its code.
func (e *accessEnv) acceptCode(t *testing.T, code string) httpReply {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"code": code})
	return e.postInvitation(t, "/invitations/accept", string(b))
}

// declineCode declines an invitation with its code.
func (e *accessEnv) declineCode(t *testing.T, code string) httpReply {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"code": code})
	return e.postInvitation(t, "/invitations/decline", string(b))
}

// membership reads a membership past the API.
func (e *accessEnv) membership(t *testing.T, id string) *ent.Membership {
	t.Helper()
	return e.ent.Membership.GetX(testenv.System(), atoi(t, id))
}

// wantUnauthenticated asserts a 401 with a JSON body whose first error has
// code UNAUTHENTICATED, and no data.
func wantUnauthenticated(t *testing.T, r accessReply) {
	t.Helper()
	if r.status != http.StatusUnauthorized {
		t.Fatalf("HTTP %d %s, want 401", r.status, r.body)
	}
	// Without Accept, a GraphQL response is application/graphql-response+json.
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/graphql-response+json") {
		t.Fatalf("Content-Type %q, want application/graphql-response+json", ct)
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
			checkUserErrors(t, p.UserErrors, wantError{field: "expiresAt", code: "INVALID", message: []string{"expiresAt: must be in the future"}})
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

// --- Invitations ---

// createMembership runs membershipCreate as secret.
func (e *accessEnv) createMembership(t *testing.T, secret string, input map[string]any) (*membershipObj, []userError, accessReply) {
	t.Helper()
	var rsp struct {
		MembershipCreate struct {
			Membership *membershipObj
			UserErrors []userError
		}
	}
	r := e.as(t, secret, membershipCreateOp, map[string]any{"input": input})
	r.decode(t, &rsp)
	return rsp.MembershipCreate.Membership, rsp.MembershipCreate.UserErrors, r
}

// accounts is the number of accounts on the server.
func (e *accessEnv) accounts() int { return e.ent.Account.Query().CountX(testenv.System()) }

func TestAccessMembershipCreate(t *testing.T) {
	e := newAccessEnv(t)
	start := time.Now()

	t.Run("an email makes a PENDING invitation linked to no account, and sends the code to the email", func(t *testing.T) {
		n, sent := e.accounts(), len(e.mail.all())
		m, ues, r := e.createMembership(t, e.owner.secret, map[string]any{"email": " Ben@Acme.example ", "name": "Ben", "role": "PLANNER"})
		if len(ues) > 0 || m == nil {
			t.Fatalf("userErrors %+v", ues)
		}
		switch {
		case m.Status != "PENDING" || m.Role != "PLANNER":
			t.Fatalf("membership %+v, want PENDING PLANNER", m)
		case m.Account != nil || m.AccountID != nil:
			t.Fatalf("membership linked to account %v %v, want none before acceptance", m.AccountID, m.Account)
		case fmtStr(m.InvitedEmail) != `"ben@acme.example"` || fmtStr(m.InvitedName) != `"Ben"`:
			t.Fatalf("invited %s %s, want the email lower-cased and the name", fmtStr(m.InvitedEmail), fmtStr(m.InvitedName))
		case m.RespondedAt != nil:
			t.Fatalf("respondedAt %s before any answer", *m.RespondedAt)
		case e.accounts() != n:
			t.Fatalf("%d accounts after an invitation, was %d: no account is created before acceptance", e.accounts(), n)
		}
		expires := parseTime(t, *m.InvitationExpiresAt)
		if lo, hi := start.Add(auth.InvitationTTL-time.Minute), time.Now().Add(auth.InvitationTTL+time.Minute); expires.Before(lo) || expires.After(hi) {
			t.Fatalf("invitationExpiresAt %s, want 14 days from now", expires)
		}
		all := e.mail.all()
		if len(all) != sent+1 {
			t.Fatalf("%d invitations sent, want 1", len(all)-sent)
		}
		inv := all[len(all)-1]
		if inv.Email != "ben@acme.example" || inv.Name != "Ben" || inv.Organization != "Acme" || inv.OrganizationSlug != "acme" ||
			inv.Role != membership.RolePlanner || !strings.HasPrefix(inv.Code, "rci_") || !inv.ExpiresAt.Equal(expires) {
			t.Fatalf("invitation sent %+v", inv)
		}
		if strings.Contains(string(r.body), strings.TrimPrefix(inv.Code, "rci_")) {
			t.Fatalf("the owner's response holds the code: %s", r.body)
		}
	})

	for _, tc := range []struct {
		name  string
		input map[string]any
		want  wantError
	}{
		{"inviting the same email twice", map[string]any{"email": "ben@acme.example", "role": "VIEWER"}, wantError{field: "email", code: "TAKEN", message: []string{"ben@acme.example"}}},
		{"inviting the same email twice in other case", map[string]any{"email": "BEN@ACME.EXAMPLE", "role": "OWNER"}, wantError{field: "email", code: "TAKEN", message: []string{"ben@acme.example"}}},
		{"inviting a member (the owner itself)", map[string]any{"email": "owner@acme.example", "role": "VIEWER"}, wantError{field: "email", code: "TAKEN", message: []string{"owner@acme.example"}}},
		{"an invalid email", map[string]any{"email": "not an email", "role": "VIEWER"}, wantError{field: "email", code: "INVALID"}},
		{"a blank name", map[string]any{"email": "cleo@acme.example", "name": "   ", "role": "VIEWER"}, wantError{field: "name", code: "INVALID", message: []string{"name: must not be empty"}}},
	} {
		t.Run(tc.name+" is refused, changes nothing and sends nothing", func(t *testing.T) {
			before, sent := accessState(t, e.ent), len(e.mail.all())
			m, ues, _ := e.createMembership(t, e.owner.secret, tc.input)
			if m != nil {
				t.Errorf("membership %+v, want none", m)
			}
			checkUserErrors(t, ues, tc.want)
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
			}
			if n := len(e.mail.all()) - sent; n != 0 {
				t.Fatalf("%d invitations sent by a refused membershipCreate", n)
			}
		})
	}

	t.Run("the organization lists its members and its invitations", func(t *testing.T) {
		var rsp struct {
			Memberships struct {
				Edges []struct{ Node membershipObj }
			}
		}
		e.as(t, e.owner.secret, `{ memberships { edges { node { `+membershipFields+` } } } }`, nil).decode(t, &rsp)
		var got []string
		for _, edge := range rsp.Memberships.Edges {
			n := edge.Node
			who := fmtStr(n.InvitedEmail)
			if n.Account != nil {
				who = n.Account.Email
			}
			got = append(got, who+" "+n.Role+" "+n.Status)
		}
		sort.Strings(got)
		want := []string{`"ben@acme.example" PLANNER PENDING`, "owner@acme.example OWNER ACTIVE"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("memberships %v, want %v", got, want)
		}
	})
}

// idPattern, timePattern: what differs between two otherwise identical
// answers about two invitations (their IDs and creation times).
var (
	idPattern   = regexp.MustCompile(`\b\d{5,}\b`)
	timePattern = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
)

// TestAccessInvitingRevealsNothingAboutAccounts proves that an owner learns
// nothing from inviting an email that has an account elsewhere on the server:
// every answer (the mutation, later reads of the membership, the accounts,
// a second invitation, a role change, and the invitation sent) is the same,
// IDs and times aside, as for an email that no account has.
func TestAccessInvitingRevealsNothingAboutAccounts(t *testing.T) {
	e := newAccessEnv(t)
	gus := e.member(t, "globex", "gus@globex.example", membership.RoleOwner)
	sel := strings.Join(e.scalarFields(t, "Membership"), " ")
	// observe is everything the owner can see after inviting email, with
	// email, IDs and times blanked out.
	observe := func(t *testing.T, email string) []string {
		t.Helper()
		accountsBefore := e.accounts()
		var out []string
		add := func(name string, r accessReply) {
			t.Helper()
			if r.status != http.StatusOK {
				t.Fatalf("%s: HTTP %d %s", name, r.status, r.body)
			}
			s := strings.ReplaceAll(string(r.body), email, "<email>")
			s = timePattern.ReplaceAllString(idPattern.ReplaceAllString(s, "<id>"), "<time>")
			out = append(out, name+": "+s)
		}
		input := map[string]any{"email": email, "name": "Invitee", "role": "PLANNER"}
		m, _, r := e.createMembership(t, e.owner.secret, input)
		add("membershipCreate", r)
		if m == nil {
			t.Fatalf("membershipCreate(%s): %s", email, r.body)
		}
		vars := map[string]any{"id": m.ID, "email": email}
		add("node", e.as(t, e.owner.secret, `query($id: ID!) { node(id: $id) { ... on Membership { `+sel+` account { id email name memberships { totalCount } } organization { slug } } } }`, vars))
		add("memberships", e.as(t, e.owner.secret, `query($email: String!) { memberships(where: {invitedEmail: $email}) { totalCount edges { node { `+sel+` account { id } } } } }`, vars))
		add("accounts", e.as(t, e.owner.secret, `query($email: String!) { all: accounts { totalCount } same: accounts(where: {email: $email}) { totalCount } }`, vars))
		add("membershipCreate again", e.as(t, e.owner.secret, membershipCreateOp, map[string]any{"input": input}))
		add("membershipUpdate", e.as(t, e.owner.secret, membershipUpdateOp, map[string]any{"id": m.ID, "role": "VIEWER"}))
		add("viewer", e.as(t, e.owner.secret, `{ viewer { role invitations { id } account { memberships { totalCount } } } }`, nil))
		inv := e.mail.last(t, email)
		inv.Code, inv.Email, inv.ExpiresAt = "<code>", "<email>", time.Time{}
		out = append(out, fmt.Sprintf("invitation sent: %+v", inv))
		if n := e.accounts(); n != accountsBefore {
			t.Fatalf("inviting %s changed the number of accounts from %d to %d", email, accountsBefore, n)
		}
		return out
	}
	existing := observe(t, "gus@globex.example")
	fresh := observe(t, "nobody@nowhere.example")
	for i := range existing {
		if existing[i] != fresh[i] {
			t.Errorf("the owner's view differs between an email with an account and one without:\naccount:    %s\nno account: %s", existing[i], fresh[i])
		}
	}
	t.Run("the account that has the email is not linked to the organization", func(t *testing.T) {
		n := e.ent.Membership.Query().Where(membership.AccountID(gus.account.ID)).CountX(testenv.System())
		if n != 1 {
			t.Fatalf("Gus's account has %d memberships, want only its globex one", n)
		}
		if v := e.whoAmI(t, gus.secret); v.Org.Slug != "globex" || v.Role != "OWNER" {
			t.Fatalf("Gus's token acts as %+v", v)
		}
	})
}

// TestAccessInvitationAcceptedWithTheCode: the code alone (no token) lets the
// invitee join: a new email gets an account, an existing account is linked,
// and either way the answer carries a working token.
func TestAccessInvitationAcceptedWithTheCode(t *testing.T) {
	e := newAccessEnv(t)
	gus := e.member(t, "globex", "gus@globex.example", membership.RoleOwner)

	t.Run("a new email: the account is created with the invited name, and the token works", func(t *testing.T) {
		n := e.accounts()
		_, _, _ = e.createMembership(t, e.owner.secret, map[string]any{"email": "Nina@Acme.example", "name": "Nina", "role": "PLANNER"})
		var got acceptedBody
		e.acceptCode(t, e.mail.last(t, "nina@acme.example").Code).decode(t, http.StatusOK, &got)
		if got.Role != "PLANNER" || got.Organization.Slug != "acme" || got.Organization.Name != "Acme" || got.Organization.ID != gid(e.fix.org.ID) ||
			got.Account.Email != "nina@acme.example" || got.Account.Name != "Nina" || !strings.HasPrefix(got.Token, got.TokenPrefix) {
			t.Fatalf("accepted: %+v", got)
		}
		if e.accounts() != n+1 {
			t.Fatalf("%d accounts, want one more (was %d)", e.accounts(), n)
		}
		v := e.whoAmI(t, got.Token)
		if v.Org.Slug != "acme" || v.Role != "PLANNER" || v.Account.Email != "nina@acme.example" || v.Account.ID != got.Account.ID {
			t.Fatalf("the token acts as %+v", v)
		}
		m := e.membership(t, got.MembershipID)
		if m.Status != membership.StatusActive || m.AccountID == nil || gid(*m.AccountID) != got.Account.ID ||
			m.InvitationCodeHash != nil || m.RespondedAt == nil {
			t.Fatalf("membership %+v, want ACTIVE, linked, its code cleared and its answer time set", m)
		}
		var rsp struct{ Node membershipObj }
		e.as(t, e.owner.secret, `query($id: ID!) { node(id: $id) { ... on Membership { `+membershipFields+` } } }`, map[string]any{"id": got.MembershipID}).decode(t, &rsp)
		if rsp.Node.Status != "ACTIVE" || rsp.Node.Account == nil || rsp.Node.Account.Email != "nina@acme.example" || rsp.Node.RespondedAt == nil {
			t.Fatalf("the owner sees %+v", rsp.Node)
		}
	})

	t.Run("an account of another organization is linked, not duplicated nor renamed", func(t *testing.T) {
		n := e.accounts()
		_, _, _ = e.createMembership(t, e.owner.secret, map[string]any{"email": "GUS@globex.example", "name": "Someone Else", "role": "VIEWER"})
		var got acceptedBody
		e.acceptCode(t, e.mail.last(t, "gus@globex.example").Code).decode(t, http.StatusOK, &got)
		if got.Account.ID != gid(gus.account.ID) || got.Account.Name != gus.account.Name || e.accounts() != n {
			t.Fatalf("accepted %+v with %d accounts (was %d); want Gus's account %d as it is", got, e.accounts(), n, gus.account.ID)
		}
		if v := e.whoAmI(t, got.Token); v.Org.Slug != "acme" || v.Role != "VIEWER" || v.Account.ID != gid(gus.account.ID) {
			t.Fatalf("Gus's acme token acts as %+v", v)
		}
		if v := e.whoAmI(t, gus.secret); v.Org.Slug != "globex" || v.Role != "OWNER" {
			t.Fatalf("Gus's globex token acts as %+v", v)
		}
		// The owner may now make tokens for Gus in acme, as for any member.
		_, secret := e.createToken(t, e.owner.secret, map[string]any{"accountID": got.Account.ID, "name": "laptop"})
		if v := e.whoAmI(t, secret); v.Org.Slug != "acme" || v.Role != "VIEWER" {
			t.Fatalf("the owner's token for Gus acts as %+v", v)
		}
	})

	t.Run("a code works once", func(t *testing.T) {
		code := e.mail.last(t, "nina@acme.example").Code
		before := accessState(t, e.ent)
		e.acceptCode(t, code).wantError(t, http.StatusNotFound, "NOT_FOUND")
		e.declineCode(t, code).wantError(t, http.StatusNotFound, "NOT_FOUND")
		if after := accessState(t, e.ent); after != before {
			t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("an invitee who became a member another way is a CONFLICT, and the invitation stays", func(t *testing.T) {
		id := e.invite(t, "olga@acme.example", membership.RoleViewer)
		e.member(t, "acme", "olga@acme.example", membership.RolePlanner) // the bootstrap command
		before := accessState(t, e.ent)
		e.acceptCode(t, e.mail.last(t, "olga@acme.example").Code).wantError(t, http.StatusConflict, "CONFLICT")
		if after := accessState(t, e.ent); after != before {
			t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
		}
		if m := e.membership(t, id); m.Status != membership.StatusPending {
			t.Fatalf("invitation %s, want it PENDING for the owner to cancel", m.Status)
		}
	})
}

// TestAccessInvitationRouteRefusals: the accept and decline routes answer
// every refusal with a GraphQL-shaped error and change nothing.
func TestAccessInvitationRouteRefusals(t *testing.T) {
	e := newAccessEnv(t)
	cancelled := e.invite(t, "cancelled@acme.example", membership.RoleViewer)
	e.as(t, e.owner.secret, membershipDeleteOp, map[string]any{"id": cancelled}).decode(t, new(any))
	e.invite(t, "declined@acme.example", membership.RoleViewer)
	declined := e.mail.last(t, "declined@acme.example").Code
	var rsp struct{ Status string }
	e.declineCode(t, declined).decode(t, http.StatusOK, &rsp)
	if rsp.Status != "DECLINED" {
		t.Fatalf("decline answered %+v", rsp)
	}
	// An invitation whose time has passed (expiry as time goes by is proved in
	// internal/server, with a clock).
	expired, hash, _, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	e.ent.Membership.Create().SetOrganizationID(e.fix.org.ID).SetStatus(membership.StatusPending).SetRole(membership.RoleViewer).
		SetInvitedEmail("late@acme.example").SetInvitationCodeHash(hash).SetInvitationExpiresAt(time.Now().Add(-time.Second)).
		ExecX(testenv.System())
	unknown, _, _, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	body := func(code string) string { b, _ := json.Marshal(map[string]string{"code": code}); return string(b) }
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"a body that is not JSON", http.MethodPost, "/invitations/accept", "code=abc", http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a body without a code", http.MethodPost, "/invitations/accept", `{}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"a blank code", http.MethodPost, "/invitations/accept", `{"code": "  "}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"an unknown field", http.MethodPost, "/invitations/accept", `{"code": "x", "email": "a@b.example"}`, http.StatusBadRequest, "BAD_USER_INPUT"},
		{"an unknown code", http.MethodPost, "/invitations/accept", body(unknown), http.StatusNotFound, "NOT_FOUND"},
		{"the owner's API token as a code", http.MethodPost, "/invitations/accept", body(e.owner.secret), http.StatusNotFound, "NOT_FOUND"},
		{"the code of a cancelled invitation", http.MethodPost, "/invitations/accept", body(e.mail.last(t, "cancelled@acme.example").Code), http.StatusNotFound, "NOT_FOUND"},
		{"the code of a declined invitation", http.MethodPost, "/invitations/accept", body(declined), http.StatusNotFound, "NOT_FOUND"},
		{"the code of an expired invitation", http.MethodPost, "/invitations/accept", body(expired), http.StatusGone, "EXPIRED"},
		{"declining an expired invitation", http.MethodPost, "/invitations/decline", body(expired), http.StatusGone, "EXPIRED"},
		{"GET", http.MethodGet, "/invitations/accept", "", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"another path", http.MethodPost, "/invitations/resend", body(unknown), http.StatusNotFound, "NOT_FOUND"},
	} {
		t.Run(tc.name+" is refused with "+tc.code, func(t *testing.T) {
			before := accessState(t, e.ent)
			req, err := http.NewRequest(tc.method, e.url+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			httpReply{status: res.StatusCode, body: b}.wantError(t, tc.status, tc.code)
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestAccessInvitationsOfTheViewer: an account with a token elsewhere sees the
// invitations to its email and answers them with its token; nobody else can.
func TestAccessInvitationsOfTheViewer(t *testing.T) {
	e := newAccessEnv(t)
	gus := e.member(t, "globex", "gus@globex.example", membership.RoleOwner)
	pat := e.member(t, "globex", "pat@globex.example", membership.RolePlanner)
	initech := e.member(t, "initech", "owner@initech.example", membership.RoleOwner)
	acmeInvitation := e.invite(t, "gus@globex.example", membership.RolePlanner)
	e.invite(t, "someone@else.example", membership.RoleViewer)
	// Gus's invitations that are not pending any more, or expired, are not his
	// to answer.
	_, hash, _, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	initechOrg := e.ent.APIToken.GetX(testenv.System(), initech.tokenID).OrganizationID
	expired := e.ent.Membership.Create().SetOrganizationID(initechOrg).SetStatus(membership.StatusPending).SetRole(membership.RoleOwner).
		SetInvitedEmail("gus@globex.example").SetInvitationCodeHash(hash).SetInvitationExpiresAt(time.Now().Add(-time.Minute)).
		SaveX(testenv.System())
	invitations := func(t *testing.T, secret string) []struct{ ID, OrganizationName, OrganizationSlug, Role, InvitedAt, ExpiresAt string } {
		t.Helper()
		var rsp struct {
			Viewer struct {
				Invitations []struct{ ID, OrganizationName, OrganizationSlug, Role, InvitedAt, ExpiresAt string }
			}
		}
		e.as(t, secret, viewerInvitationsOp, nil).decode(t, &rsp)
		return rsp.Viewer.Invitations
	}

	t.Run("the invitee's viewer lists the pending invitation to its email, from the other organization", func(t *testing.T) {
		got := invitations(t, gus.secret)
		if len(got) != 1 {
			t.Fatalf("invitations %+v, want acme's only (not the expired one)", got)
		}
		inv := got[0]
		m := e.membership(t, acmeInvitation)
		if inv.ID != acmeInvitation || inv.OrganizationName != "Acme" || inv.OrganizationSlug != "acme" || inv.Role != "PLANNER" ||
			!parseTime(t, inv.InvitedAt).Equal(m.CreatedAt) || !parseTime(t, inv.ExpiresAt).Equal(*m.InvitationExpiresAt) {
			t.Fatalf("invitation %+v, want acme's as PLANNER with its times (%v, %v)", inv, m.CreatedAt, *m.InvitationExpiresAt)
		}
	})
	t.Run("others see no invitation", func(t *testing.T) {
		for name, secret := range map[string]string{"acme's owner": e.owner.secret, "another globex member": pat.secret, "initech's owner": initech.secret} {
			if got := invitations(t, secret); len(got) != 0 {
				t.Errorf("%s sees %+v", name, got)
			}
		}
	})

	// answer runs membershipAccept or membershipDecline and returns the
	// outcome with IDs blanked out, to compare refusals.
	answer := func(t *testing.T, op, secret, id string) (string, accessReply) {
		t.Helper()
		r := e.as(t, secret, op, map[string]any{"id": id})
		if r.status != http.StatusOK {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		return idPattern.ReplaceAllString(string(r.body), "<id>"), r
	}
	for _, op := range []struct{ name, query string }{{"membershipAccept", membershipAcceptOp}, {"membershipDecline", membershipDeclineOp}} {
		t.Run(op.name+" of another account's invitation answers as for an unused ID and changes nothing", func(t *testing.T) {
			before := accessState(t, e.ent)
			unused, _ := answer(t, op.query, pat.secret, gid(atoi(t, acmeInvitation)+100000))
			for name, c := range map[string]struct{ secret, id string }{
				"by another globex member":          {pat.secret, acmeInvitation},
				"by the inviting owner":             {e.owner.secret, acmeInvitation},
				"by Gus, of his expired invitation": {gus.secret, gid(expired.ID)},
				"by Gus, of a membership of globex": {gus.secret, gid(pat.membershipID)},
			} {
				got, r := answer(t, op.query, c.secret, c.id)
				if !strings.Contains(string(r.body), `"code":"NOT_FOUND"`) || got != unused {
					t.Errorf("%s: %s\nwant as for an unused ID: %s", name, got, unused)
				}
			}
			if after := accessState(t, e.ent); after != before {
				t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	t.Run("the invitee accepts with its token and gets a token of the organization", func(t *testing.T) {
		var rsp struct {
			MembershipAccept struct {
				Invitation *struct{ ID, OrganizationName, Role string }
				Secret     *string
				UserErrors []userError
			}
		}
		e.as(t, gus.secret, membershipAcceptOp, map[string]any{"id": acmeInvitation}).decode(t, &rsp)
		p := rsp.MembershipAccept
		if len(p.UserErrors) > 0 || p.Invitation == nil || p.Secret == nil || p.Invitation.ID != acmeInvitation || p.Invitation.OrganizationName != "Acme" {
			t.Fatalf("membershipAccept: %+v", p)
		}
		if v := e.whoAmI(t, *p.Secret); v.Org.Slug != "acme" || v.Role != "PLANNER" || v.Account.ID != gid(gus.account.ID) {
			t.Fatalf("the new token acts as %+v", v)
		}
		if m := e.membership(t, acmeInvitation); m.Status != membership.StatusActive || m.AccountID == nil || *m.AccountID != gus.account.ID {
			t.Fatalf("membership %+v, want ACTIVE for Gus's account", m)
		}
		if got := invitations(t, gus.secret); len(got) != 0 {
			t.Fatalf("invitations after accepting: %+v", got)
		}
		e.acceptCode(t, e.mail.last(t, "gus@globex.example").Code).wantError(t, http.StatusNotFound, "NOT_FOUND")
		// Accepting again is refused like any invitation that is not pending.
		var again struct {
			MembershipAccept struct{ UserErrors []userError }
		}
		e.as(t, gus.secret, membershipAcceptOp, map[string]any{"id": acmeInvitation}).decode(t, &again)
		checkUserErrors(t, again.MembershipAccept.UserErrors, wantError{field: "invitationID", code: "NOT_FOUND"})
	})

	t.Run("the invitee declines with its token; the owner sees DECLINED", func(t *testing.T) {
		// Initech's expired invitation is TAKEN until the owner deletes it.
		_, ues, _ := e.createMembership(t, initech.secret, map[string]any{"email": "gus@globex.example", "role": "VIEWER"})
		checkUserErrors(t, ues, wantError{field: "email", code: "TAKEN"})
		e.as(t, initech.secret, membershipDeleteOp, map[string]any{"id": gid(expired.ID)}).decode(t, new(any))
		var created struct {
			MembershipCreate struct{ Membership *membershipObj }
		}
		e.as(t, initech.secret, membershipCreateOp, map[string]any{"input": map[string]any{"email": "gus@globex.example", "role": "VIEWER"}}).decode(t, &created)
		id := created.MembershipCreate.Membership.ID
		if got := invitations(t, gus.secret); len(got) != 1 || got[0].OrganizationSlug != "initech" {
			t.Fatalf("invitations %+v, want initech's", got)
		}
		var rsp struct {
			MembershipDecline struct {
				DeclinedInvitationID *string
				UserErrors           []userError
			}
		}
		e.as(t, gus.secret, membershipDeclineOp, map[string]any{"id": id}).decode(t, &rsp)
		if p := rsp.MembershipDecline; len(p.UserErrors) > 0 || p.DeclinedInvitationID == nil || *p.DeclinedInvitationID != id {
			t.Fatalf("membershipDecline: %+v", p)
		}
		var seen struct{ Node membershipObj }
		e.as(t, initech.secret, `query($id: ID!) { node(id: $id) { ... on Membership { `+membershipFields+` } } }`, map[string]any{"id": id}).decode(t, &seen)
		if seen.Node.Status != "DECLINED" || seen.Node.Account != nil || seen.Node.RespondedAt == nil {
			t.Fatalf("initech's owner sees %+v, want DECLINED without an account", seen.Node)
		}
		if got := invitations(t, gus.secret); len(got) != 0 {
			t.Fatalf("invitations after declining: %+v", got)
		}
		e.acceptCode(t, e.mail.last(t, "gus@globex.example").Code).wantError(t, http.StatusNotFound, "NOT_FOUND")
		// A declined invitation blocks a new one until the owner deletes it.
		_, ues, _ = e.createMembership(t, initech.secret, map[string]any{"email": "gus@globex.example", "role": "VIEWER"})
		checkUserErrors(t, ues, wantError{field: "email", code: "TAKEN"})
		e.as(t, initech.secret, membershipDeleteOp, map[string]any{"id": id}).decode(t, new(any))
		if m, ues, _ := e.createMembership(t, initech.secret, map[string]any{"email": "gus@globex.example", "role": "VIEWER"}); m == nil {
			t.Fatalf("inviting again after deleting the declined invitation: %+v", ues)
		}
	})
}

// TestAccessPendingInvitationGrantsNothing: until the invitee accepts, the
// invitation is no access: no token can be made for it, a token of the
// account in the organization does not authenticate, the owner cannot
// activate it, and deleting it cancels it.
func TestAccessPendingInvitationGrantsNothing(t *testing.T) {
	e := newAccessEnv(t)
	gus := e.member(t, "globex", "gus@globex.example", membership.RoleOwner)
	id := e.invite(t, "gus@globex.example", membership.RoleOwner)
	code := e.mail.last(t, "gus@globex.example").Code

	t.Run("apiTokenCreate for the invited account answers as for an account that does not exist", func(t *testing.T) {
		try := func(accountID string) string {
			var rsp struct {
				APITokenCreate struct {
					Secret     *string
					UserErrors []userError
				}
			}
			e.as(t, e.owner.secret, apiTokenCreateOp, map[string]any{"input": map[string]any{"accountID": accountID, "name": "x"}}).decode(t, &rsp)
			if rsp.APITokenCreate.Secret != nil {
				t.Fatalf("a token was created for account %s", accountID)
			}
			checkUserErrors(t, rsp.APITokenCreate.UserErrors, wantError{field: "accountID", code: "NOT_FOUND"})
			b, _ := json.Marshal(rsp)
			return idPattern.ReplaceAllString(string(b), "<id>")
		}
		before := accessState(t, e.ent)
		if got, unused := try(gid(gus.account.ID)), try(gid(gus.account.ID+100000)); got != unused {
			t.Fatalf("%s\nwant as for an unused account ID: %s", got, unused)
		}
		if after := accessState(t, e.ent); after != before {
			t.Fatalf("changed:\nbefore %s\nafter  %s", before, after)
		}
	})

	t.Run("a token of the account in the organization does not authenticate while the invitation is pending", func(t *testing.T) {
		secret, hash, prefix, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		e.ent.APIToken.Create().SetOrganizationID(e.fix.org.ID).SetAccountID(gus.account.ID).SetName("forged").
			SetRole(apitoken.RoleOwner).SetPrefix(prefix).SetSecretHash(hash).ExecX(testenv.System())
		wantUnauthenticated(t, e.as(t, secret, viewerQuery, nil))
		wantUnauthenticated(t, e.as(t, secret, `{ people { totalCount } }`, nil))
	})

	t.Run("the owner sees no account and cannot activate the invitation", func(t *testing.T) {
		var rsp struct {
			Accounts struct{ TotalCount int }
		}
		e.as(t, e.owner.secret, `{ accounts { totalCount } }`, nil).decode(t, &rsp)
		if rsp.Accounts.TotalCount != 1 {
			t.Fatalf("the owner sees %d accounts, want its own only", rsp.Accounts.TotalCount)
		}
		e.as(t, e.owner.secret, membershipUpdateOp, map[string]any{"id": id, "role": "VIEWER"}).decode(t, new(any))
		if m := e.membership(t, id); m.Status != membership.StatusPending || m.AccountID != nil || m.Role != membership.RoleViewer {
			t.Fatalf("after membershipUpdate: %+v, want a PENDING VIEWER invitation", m)
		}
	})

	t.Run("membershipDelete cancels the invitation: its code and its listing are gone", func(t *testing.T) {
		var rsp struct {
			MembershipDelete struct {
				DeletedMembershipID *string
				UserErrors          []userError
			}
		}
		e.as(t, e.owner.secret, membershipDeleteOp, map[string]any{"id": id}).decode(t, &rsp)
		if p := rsp.MembershipDelete; len(p.UserErrors) > 0 || p.DeletedMembershipID == nil {
			t.Fatalf("membershipDelete: %+v", p)
		}
		var inv struct {
			Viewer struct{ Invitations []struct{ ID string } }
		}
		e.as(t, gus.secret, viewerInvitationsOp, nil).decode(t, &inv)
		if len(inv.Viewer.Invitations) != 0 {
			t.Fatalf("Gus still sees %+v", inv.Viewer.Invitations)
		}
		e.acceptCode(t, code).wantError(t, http.StatusNotFound, "NOT_FOUND")
	})
}

// TestAccessOwnerNeverReceivesTheCode: the code goes to the invited email
// only; the owner's answers hold neither it nor its hash, and the database
// holds only the hash, until the invitation is answered.
func TestAccessOwnerNeverReceivesTheCode(t *testing.T) {
	e := newAccessEnv(t)
	fields := e.scalarFields(t, "Membership")
	for _, f := range fields {
		if l := strings.ToLower(f); strings.Contains(l, "code") || strings.Contains(l, "hash") || strings.Contains(l, "secret") {
			t.Errorf("Membership has a field %s", f)
		}
	}
	m, _, created := e.createMembership(t, e.owner.secret, map[string]any{"email": "ben@acme.example", "role": "PLANNER"})
	code := e.mail.last(t, "ben@acme.example").Code
	body := strings.TrimPrefix(code, "rci_")
	sum := sha256.Sum256([]byte(code))
	hash := hex.EncodeToString(sum[:])
	sel := strings.Join(fields, " ")
	replies := map[string]accessReply{
		"membershipCreate": created,
		"memberships":      e.as(t, e.owner.secret, `{ memberships { edges { node { `+sel+` } } } }`, nil),
		"node":             e.as(t, e.owner.secret, `query($id: ID!) { node(id: $id) { ... on Membership { `+sel+` } } }`, map[string]any{"id": m.ID}),
		"viewer":           e.as(t, e.owner.secret, `{ viewer { invitations { id } } }`, nil),
	}
	for name, r := range replies {
		for _, leak := range []string{body, hash} {
			if bytes.Contains(bytes.ToLower(r.body), []byte(strings.ToLower(leak))) {
				t.Errorf("%s: the owner's answer holds %q: %s", name, leak, r.body)
			}
		}
	}
	db := testenv.DB(e.counter)
	if where := rowsContaining(t, db, body); len(where) > 0 {
		t.Fatalf("the code is stored in %v", where)
	}
	if stored := e.membership(t, m.ID).InvitationCodeHash; stored == nil || *stored != hash {
		t.Fatalf("invitation_code_hash = %v, want hex(sha256(code))", stored)
	}
	e.acceptCode(t, code).decode(t, http.StatusOK, new(acceptedBody))
	if where := rowsContaining(t, db, hash); len(where) > 0 {
		t.Fatalf("the code's hash is kept after acceptance, in %v", where)
	}
}
