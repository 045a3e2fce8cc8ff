package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/account"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// now is the fixed time of these tests, in whole seconds so that it survives
// both databases unchanged.
var now = time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)

// --- Secrets and hashes ---

// secretPattern is "rct_" and 160 random bits in lower-case base32 (32
// characters of 5 bits), no padding.
var secretPattern = regexp.MustCompile(`^rct_[a-z2-7]{32}$`)

func TestNewSecretIsPrefixedAndCarries160RandomBits(t *testing.T) {
	const n = 2000
	seen := make(map[string]bool, n)
	for i := 0; i < n; i++ {
		secret, hash, prefix, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		if !secretPattern.MatchString(secret) {
			t.Fatalf("secret %q does not match %s", secret, secretPattern)
		}
		if hash != auth.Hash(secret) {
			t.Fatalf("hash %q is not Hash(secret) %q", hash, auth.Hash(secret))
		}
		if want := secret[:len("rct_")+8]; prefix != want {
			t.Fatalf("prefix %q, want the start of the secret %q", prefix, want)
		}
		if seen[secret] {
			t.Fatalf("secret %q generated twice in %d", secret, i+1)
		}
		seen[secret] = true
	}
}

func TestNewSecretUsesEveryCharacterPosition(t *testing.T) {
	// With 160 random bits, every one of the 32 positions varies; a constant
	// position would mean fewer random bits than the length suggests.
	first, _, _, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	varies := make([]bool, len(first))
	for i := 0; i < 200; i++ {
		s, _, _, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		for j := len("rct_"); j < len(s); j++ {
			if s[j] != first[j] {
				varies[j] = true
			}
		}
	}
	for j := len("rct_"); j < len(first); j++ {
		if !varies[j] {
			t.Errorf("character %d of the secret never changes over 200 secrets", j)
		}
	}
}

func TestHashIsHexSHA256(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"The quick brown fox jumps over the lazy dog", "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
	} {
		if got := auth.Hash(tc.in); got != tc.want {
			t.Errorf("Hash(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// --- Fixtures ---

// member is an account with a role in an organization and one token.
type member struct {
	org     *ent.Organization
	account *ent.Account
	token   *ent.APIToken
	secret  string
}

// bootstrap creates (or reuses) an organization and an account with role,
// and a new token.
func bootstrap(t *testing.T, c *ent.Client, slug, email string, role membership.Role) member {
	t.Helper()
	tok, secret, err := auth.Bootstrap{OrgSlug: slug, Email: email, Role: role, TokenName: "test"}.Run(context.Background(), c)
	if err != nil {
		t.Fatalf("bootstrap %s in %s: %v", email, slug, err)
	}
	sys := testenv.System()
	return member{
		org:     c.Organization.Query().Where(organization.Slug(slug)).OnlyX(sys),
		account: c.Account.GetX(sys, tok.AccountID),
		token:   tok,
		secret:  secret,
	}
}

// storedToken reloads a token past the policies.
func storedToken(t *testing.T, c *ent.Client, id int) *ent.APIToken {
	t.Helper()
	tok, err := c.APIToken.Get(testenv.System(), id)
	if err != nil {
		t.Fatalf("loading token %d: %v", id, err)
	}
	return tok
}

// ownerContext is the context of an OWNER viewer of m's organization.
func ownerContext(m member) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{
		AccountID: m.account.ID, OrganizationID: m.org.ID, Role: viewer.Owner, TokenID: m.token.ID,
	})
}

// --- Authenticate ---

func TestAuthenticateAValidToken(t *testing.T) {
	c := testenv.Client(t)
	m := bootstrap(t, c, "acme", "ana@acme.example", membership.RolePlanner)
	v, err := auth.Authenticate(context.Background(), c, m.secret, now)
	if err != nil {
		t.Fatal(err)
	}
	want := viewer.Viewer{AccountID: m.account.ID, OrganizationID: m.org.ID, Role: viewer.Planner, TokenID: m.token.ID}
	if *v != want {
		t.Fatalf("viewer = %+v, want %+v", *v, want)
	}
}

func TestAuthenticateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		secret func(t *testing.T, c *ent.Client, m member) string // changes the data, returns the secret to send
	}{
		{"an empty secret", func(*testing.T, *ent.Client, member) string { return "" }},
		{"a secret without the rct_ prefix", func(_ *testing.T, _ *ent.Client, m member) string {
			return strings.TrimPrefix(m.secret, "rct_")
		}},
		{"an unknown secret", func(*testing.T, *ent.Client, member) string {
			s, _, _, _ := auth.NewSecret()
			return s
		}},
		{"the stored hash sent as the secret", func(_ *testing.T, _ *ent.Client, m member) string {
			return "rct_" + auth.Hash(m.secret)
		}},
		{"the secret with different case", func(_ *testing.T, _ *ent.Client, m member) string {
			return "rct_" + strings.ToUpper(strings.TrimPrefix(m.secret, "rct_"))
		}},
		{"a revoked token", func(t *testing.T, c *ent.Client, m member) string {
			c.APIToken.UpdateOne(m.token).SetRevokedAt(now.Add(-time.Hour)).ExecX(testenv.System())
			return m.secret
		}},
		{"a token revoked in the future is revoked already", func(t *testing.T, c *ent.Client, m member) string {
			c.APIToken.UpdateOne(m.token).SetRevokedAt(now.Add(time.Hour)).ExecX(testenv.System())
			return m.secret
		}},
		{"a token that expired before now", func(t *testing.T, c *ent.Client, m member) string {
			return expiringToken(t, c, m, now.Add(-time.Second))
		}},
		{"a token that expires exactly now", func(t *testing.T, c *ent.Client, m member) string {
			return expiringToken(t, c, m, now)
		}},
		{"a token whose account is no longer a member", func(t *testing.T, c *ent.Client, m member) string {
			c.Membership.Delete().Where(membership.AccountID(m.account.ID)).ExecX(testenv.System())
			return m.secret
		}},
		{"a token whose account is a member of another organization only", func(t *testing.T, c *ent.Client, m member) string {
			bootstrap(t, c, "other", m.account.Email, membership.RoleOwner)
			c.Membership.Delete().Where(membership.AccountID(m.account.ID), membership.OrganizationID(m.org.ID)).ExecX(testenv.System())
			return m.secret
		}},
	} {
		t.Run(tc.name+" is unauthenticated", func(t *testing.T) {
			c := testenv.Client(t)
			m := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleOwner)
			secret := tc.secret(t, c, m)
			v, err := auth.Authenticate(context.Background(), c, secret, now)
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("Authenticate = %+v, %v; want ErrUnauthenticated", v, err)
			}
			if v != nil {
				t.Fatalf("viewer = %+v with an error, want nil", v)
			}
			if strings.Contains(err.Error(), secret) && secret != "" {
				t.Fatalf("error %q repeats the secret", err)
			}
		})
	}
}

// expiringToken creates a token for m that expires at.
func expiringToken(t *testing.T, c *ent.Client, m member, at time.Time) string {
	t.Helper()
	secret, hash, prefix, err := auth.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	c.APIToken.Create().SetOrganizationID(m.org.ID).SetAccountID(m.account.ID).SetName("expiring").
		SetRole(apitoken.RoleOwner).SetPrefix(prefix).SetSecretHash(hash).SetExpiresAt(at).
		ExecX(testenv.System())
	return secret
}

func TestAuthenticateATokenBeforeItExpires(t *testing.T) {
	c := testenv.Client(t)
	m := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleOwner)
	secret := expiringToken(t, c, m, now.Add(time.Second))
	if _, err := auth.Authenticate(context.Background(), c, secret, now); err != nil {
		t.Fatalf("a token expiring a second after now: %v", err)
	}
}

func TestAuthenticateRoleIsTheLesserOfTokenAndMembership(t *testing.T) {
	roles := []membership.Role{membership.RoleOwner, membership.RolePlanner, membership.RoleViewer}
	c := testenv.Client(t)
	m := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleOwner)
	sys := testenv.System()
	for _, tokenRole := range roles {
		secret, hash, prefix, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		c.APIToken.Create().SetOrganizationID(m.org.ID).SetAccountID(m.account.ID).SetName("t").
			SetRole(apitoken.Role(tokenRole)).SetPrefix(prefix).SetSecretHash(hash).ExecX(sys)
		for _, memberRole := range roles {
			want := viewer.Min(viewer.Role(tokenRole), viewer.Role(memberRole))
			t.Run("token "+string(tokenRole)+", membership "+string(memberRole)+" acts as "+string(want), func(t *testing.T) {
				c.Membership.Update().Where(membership.AccountID(m.account.ID)).SetRole(memberRole).ExecX(sys)
				v, err := auth.Authenticate(context.Background(), c, secret, now)
				if err != nil {
					t.Fatal(err)
				}
				if v.Role != want {
					t.Fatalf("role = %s, want %s", v.Role, want)
				}
			})
		}
	}
}

func TestAuthenticateRecordsLastUseAtMostOnceAMinute(t *testing.T) {
	for _, tc := range []struct {
		name     string
		previous *time.Duration // last recorded use, before the request; nil for never
		recorded bool           // whether the request's time is written
	}{
		{"a first use is recorded", nil, true},
		{"a use 30 seconds after the recorded one is not", ptr(30 * time.Second), false},
		{"a use 59 seconds after the recorded one is not", ptr(59 * time.Second), false},
		{"a use a minute after the recorded one is", ptr(time.Minute), true},
		{"a use two minutes after the recorded one is", ptr(2 * time.Minute), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testenv.Client(t)
			m := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleOwner)
			var before *time.Time
			if tc.previous != nil {
				at := now.Add(-*tc.previous)
				before = &at
				c.APIToken.UpdateOne(m.token).SetLastUsedAt(at).ExecX(testenv.System())
			}
			if _, err := auth.Authenticate(context.Background(), c, m.secret, now); err != nil {
				t.Fatal(err)
			}
			got := storedToken(t, c, m.token.ID).LastUsedAt
			want := before
			if tc.recorded {
				want = &now
			}
			if got == nil || !got.Equal(*want) {
				t.Fatalf("lastUsedAt = %v, want %v", got, *want)
			}
		})
	}
}

func TestAuthenticateWritesLastUseOnceForRequestsWithinAMinute(t *testing.T) {
	c := testenv.Client(t)
	m := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleOwner)
	// use authenticates at at and returns the stored token: its updated_at
	// changes on every write, so it tells whether the request wrote.
	use := func(at time.Time) *ent.APIToken {
		t.Helper()
		if _, err := auth.Authenticate(context.Background(), c, m.secret, at); err != nil {
			t.Fatal(err)
		}
		return storedToken(t, c, m.token.ID)
	}
	first := use(now)
	if first.LastUsedAt == nil || !first.LastUsedAt.Equal(now) {
		t.Fatalf("lastUsedAt = %v after the first use, want %v", first.LastUsedAt, now)
	}
	second := use(now.Add(30 * time.Second))
	if second.LastUsedAt == nil || !second.LastUsedAt.Equal(now) || !second.UpdatedAt.Equal(first.UpdatedAt) {
		t.Fatalf("after a use 30 s later: lastUsedAt %v, updatedAt %v (was %v); want no write", second.LastUsedAt, second.UpdatedAt, first.UpdatedAt)
	}
	third := use(now.Add(2 * time.Minute))
	if third.LastUsedAt == nil || !third.LastUsedAt.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("lastUsedAt = %v after a use 2 min later, want %v", third.LastUsedAt, now.Add(2*time.Minute))
	}
}

func ptr[T any](v T) *T { return &v }

// --- Middleware ---

func TestMiddleware(t *testing.T) {
	c := testenv.Client(t)
	m := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleViewer)
	var seen *viewer.Viewer
	h := auth.Middleware(c, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = viewer.FromContext(r.Context())
		w.WriteHeader(http.StatusTeapot)
	}))
	for _, tc := range []struct {
		name, method, header string
		status               int
		viewer               bool
	}{
		{"a Bearer token passes with its viewer", http.MethodPost, "Bearer " + m.secret, http.StatusTeapot, true},
		{"the scheme is case-insensitive", http.MethodPost, "bearer " + m.secret, http.StatusTeapot, true},
		{"no header is refused", http.MethodPost, "", http.StatusUnauthorized, false},
		{"another scheme is refused", http.MethodPost, "Basic " + m.secret, http.StatusUnauthorized, false},
		{"a bare secret is refused", http.MethodPost, m.secret, http.StatusUnauthorized, false},
		{"Bearer without a secret is refused", http.MethodPost, "Bearer ", http.StatusUnauthorized, false},
		{"an unknown secret is refused", http.MethodGet, "Bearer rct_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", http.StatusUnauthorized, false},
		{"a CORS preflight passes without a viewer", http.MethodOptions, "", http.StatusTeapot, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seen = nil
			req := httptest.NewRequest(tc.method, "/graphql", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if (seen != nil) != tc.viewer {
				t.Fatalf("viewer = %+v, want one: %v", seen, tc.viewer)
			}
			if tc.viewer && (seen.TokenID != m.token.ID || seen.Role != viewer.ReadOnly) {
				t.Fatalf("viewer = %+v, want token %d as VIEWER", seen, m.token.ID)
			}
			if tc.status == http.StatusUnauthorized {
				body := w.Body.String()
				if !strings.Contains(body, `"code":"UNAUTHENTICATED"`) || strings.Contains(body, `"data"`) {
					t.Fatalf("body %s, want an UNAUTHENTICATED error and no data", body)
				}
				if w.Header().Get("WWW-Authenticate") == "" {
					t.Fatalf("no WWW-Authenticate header on a 401")
				}
			}
		})
	}
}

// --- Creating and revoking tokens ---

func TestCreateToken(t *testing.T) {
	c := testenv.Client(t)
	owner := bootstrap(t, c, "acme", "owner@acme.example", membership.RoleOwner)
	planner := bootstrap(t, c, "acme", "planner@acme.example", membership.RolePlanner)
	stranger := bootstrap(t, c, "other", "stranger@other.example", membership.RoleOwner)
	ctx := ownerContext(owner)
	for _, tc := range []struct {
		name     string
		req      auth.TokenRequest
		wantRole apitoken.Role
		wantErr  *validation.Error // nil: created
	}{
		{"for oneself with the account's role by default", auth.TokenRequest{Name: "CI"}, apitoken.RoleOwner, nil},
		{"for a member with the member's role by default", auth.TokenRequest{AccountID: &planner.account.ID, Name: "CI"}, apitoken.RolePlanner, nil},
		{"for a member with a lower role", auth.TokenRequest{AccountID: &planner.account.ID, Name: "CI", Role: apitoken.RoleViewer}, apitoken.RoleViewer, nil},
		{"expiring after now", auth.TokenRequest{Name: "CI", ExpiresAt: ptr(now.Add(time.Second))}, apitoken.RoleOwner, nil},
		{"for a member with a role above the member's is refused",
			auth.TokenRequest{AccountID: &planner.account.ID, Name: "CI", Role: apitoken.RoleOwner}, "",
			&validation.Error{Field: "role", Code: validation.CodeInvalid}},
		{"expiring now is refused", auth.TokenRequest{Name: "CI", ExpiresAt: ptr(now)}, "",
			&validation.Error{Field: "expires_at", Code: validation.CodeInvalid}},
		{"expiring before now is refused", auth.TokenRequest{Name: "CI", ExpiresAt: ptr(now.Add(-time.Hour))}, "",
			&validation.Error{Field: "expires_at", Code: validation.CodeInvalid}},
		{"for an account of another organization is refused", auth.TokenRequest{AccountID: &stranger.account.ID, Name: "CI"}, "",
			&validation.Error{Field: "account_id", Code: validation.CodeNotFound}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := c.APIToken.Query().CountX(testenv.System())
			tok, secret, err := auth.CreateToken(ctx, c, tc.req, now)
			if tc.wantErr != nil {
				ve, ok := validation.As(err)
				if !ok || ve.Field != tc.wantErr.Field || ve.Code != tc.wantErr.Code {
					t.Fatalf("error %v, want %s on %s", err, tc.wantErr.Code, tc.wantErr.Field)
				}
				if after := c.APIToken.Query().CountX(testenv.System()); after != before {
					t.Fatalf("%d tokens before, %d after a refusal", before, after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Role != tc.wantRole || !secretPattern.MatchString(secret) || tok.Prefix != secret[:12] {
				t.Fatalf("token role %s prefix %q secret %q, want role %s and a secret starting with the prefix", tok.Role, tok.Prefix, secret, tc.wantRole)
			}
			v, err := auth.Authenticate(context.Background(), c, secret, now)
			if err != nil {
				t.Fatalf("the new token does not authenticate: %v", err)
			}
			if v.OrganizationID != owner.org.ID {
				t.Fatalf("the token acts in organization %d, want %d", v.OrganizationID, owner.org.ID)
			}
		})
	}
}

func TestCreateTokenNeedsAViewer(t *testing.T) {
	c := testenv.Client(t)
	bootstrap(t, c, "acme", "owner@acme.example", membership.RoleOwner)
	if _, _, err := auth.CreateToken(context.Background(), c, auth.TokenRequest{Name: "CI"}, now); err == nil {
		t.Fatal("a token was created without a viewer")
	}
}

func TestRevokeTokenKeepsTheFirstTime(t *testing.T) {
	c := testenv.Client(t)
	owner := bootstrap(t, c, "acme", "owner@acme.example", membership.RoleOwner)
	other := bootstrap(t, c, "acme", "other@acme.example", membership.RolePlanner)
	ctx := ownerContext(owner)
	tok, err := auth.RevokeToken(ctx, c, other.token.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RevokedAt == nil || !tok.RevokedAt.Equal(now) {
		t.Fatalf("revokedAt = %v, want %v", tok.RevokedAt, now)
	}
	again, err := auth.RevokeToken(ctx, c, other.token.ID, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if stored := storedToken(t, c, other.token.ID).RevokedAt; again.RevokedAt == nil || !again.RevokedAt.Equal(now) || stored == nil || !stored.Equal(now) {
		t.Fatalf("after a second revocation: returned %v, stored %v, want the first time %v", again.RevokedAt, stored, now)
	}
	if _, err := auth.Authenticate(context.Background(), c, other.secret, now); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("the revoked token authenticates: %v", err)
	}
	if _, err := auth.Authenticate(context.Background(), c, owner.secret, now); err != nil {
		t.Fatalf("revoking another token broke the owner's: %v", err)
	}
}

func TestRevokeTokenOfAnotherOrganizationIsNotFound(t *testing.T) {
	c := testenv.Client(t)
	owner := bootstrap(t, c, "acme", "owner@acme.example", membership.RoleOwner)
	stranger := bootstrap(t, c, "other", "stranger@other.example", membership.RoleOwner)
	_, err := auth.RevokeToken(ownerContext(owner), c, stranger.token.ID, now)
	if ve, ok := validation.As(err); !ok || ve.Code != validation.CodeNotFound {
		t.Fatalf("error %v, want NOT_FOUND", err)
	}
	if storedToken(t, c, stranger.token.ID).RevokedAt != nil {
		t.Fatal("another organization's token was revoked")
	}
}

// --- Bootstrap ---

// counts is how many organizations, accounts, memberships and tokens exist.
type counts struct{ orgs, accounts, memberships, tokens int }

func countAll(t *testing.T, c *ent.Client) counts {
	t.Helper()
	sys := testenv.System()
	return counts{
		orgs:        c.Organization.Query().CountX(sys),
		accounts:    c.Account.Query().CountX(sys),
		memberships: c.Membership.Query().CountX(sys),
		tokens:      c.APIToken.Query().CountX(sys),
	}
}

func TestBootstrapCreatesOrganizationAccountMembershipAndToken(t *testing.T) {
	c := testenv.Client(t)
	tok, secret, err := auth.Bootstrap{
		OrgSlug: "acme", OrgName: "Acme Group", Email: "Ana@Acme.example", AccountName: "Ana",
		Role: membership.RolePlanner, TokenName: "CI",
	}.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := countAll(t, c); got != (counts{1, 1, 1, 1}) {
		t.Fatalf("counts = %+v, want one of each", got)
	}
	sys := testenv.System()
	org := c.Organization.Query().OnlyX(sys)
	acc := c.Account.Query().OnlyX(sys)
	mem := c.Membership.Query().OnlyX(sys)
	switch {
	case org.Slug != "acme" || org.Name != "Acme Group":
		t.Fatalf("organization = %+v", org)
	case acc.Email != "ana@acme.example" || acc.Name != "Ana":
		t.Fatalf("account = %+v, want the email lower-cased and the name", acc)
	case mem.OrganizationID != org.ID || mem.AccountID == nil || *mem.AccountID != acc.ID || mem.Role != membership.RolePlanner:
		t.Fatalf("membership = %+v", mem)
	case tok.OrganizationID != org.ID || tok.AccountID != acc.ID || tok.Role != apitoken.RolePlanner || tok.Name != "CI":
		t.Fatalf("token = %+v", tok)
	case tok.SecretHash != auth.Hash(secret) || tok.Prefix != secret[:12]:
		t.Fatalf("token hash/prefix do not match the secret")
	}
	v, err := auth.Authenticate(context.Background(), c, secret, now)
	if err != nil || v.Role != viewer.Planner || v.OrganizationID != org.ID {
		t.Fatalf("Authenticate = %+v, %v", v, err)
	}
}

func TestBootstrapDefaults(t *testing.T) {
	c := testenv.Client(t)
	tok, _, err := auth.Bootstrap{OrgSlug: "acme", Email: "ana@acme.example"}.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	sys := testenv.System()
	org := c.Organization.Query().OnlyX(sys)
	acc := c.Account.Query().OnlyX(sys)
	mem := c.Membership.Query().OnlyX(sys)
	if org.Name != "acme" || acc.Name != "ana@acme.example" || mem.Role != membership.RoleOwner ||
		tok.Role != apitoken.RoleOwner || tok.Name != "bootstrap" || tok.ExpiresAt != nil {
		t.Fatalf("org %q, account %q, role %s, token %s %q expires %v; want the slug, the email, OWNER, OWNER \"bootstrap\", never",
			org.Name, acc.Name, mem.Role, tok.Role, tok.Name, tok.ExpiresAt)
	}
}

func TestBootstrapAgainReusesOrganizationAccountAndMembership(t *testing.T) {
	c := testenv.Client(t)
	first := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleOwner)
	second := bootstrap(t, c, "acme", "  ANA@acme.example ", membership.RoleOwner)
	if got := countAll(t, c); got != (counts{1, 1, 1, 2}) {
		t.Fatalf("counts = %+v, want 1 organization, 1 account, 1 membership and 2 tokens", got)
	}
	if second.org.ID != first.org.ID || second.account.ID != first.account.ID {
		t.Fatalf("second run used organization %d account %d, want %d and %d", second.org.ID, second.account.ID, first.org.ID, first.account.ID)
	}
	for _, m := range []member{first, second} {
		if _, err := auth.Authenticate(context.Background(), c, m.secret, now); err != nil {
			t.Fatalf("token %s: %v (without RevokeTokensNamedAlike, both stay valid)", m.token.Prefix, err)
		}
	}
}

func TestBootstrapAgainRaisesButNeverLowersTheMembership(t *testing.T) {
	for _, tc := range []struct {
		name          string
		first, second membership.Role
		member        membership.Role // the membership after the second run
		newToken      viewer.Role     // what the second run's token acts as
	}{
		{"a VIEWER bootstrapped as OWNER becomes OWNER", membership.RoleViewer, membership.RoleOwner, membership.RoleOwner, viewer.Owner},
		{"a PLANNER bootstrapped as OWNER becomes OWNER", membership.RolePlanner, membership.RoleOwner, membership.RoleOwner, viewer.Owner},
		{"a VIEWER bootstrapped as PLANNER becomes PLANNER", membership.RoleViewer, membership.RolePlanner, membership.RolePlanner, viewer.Planner},
		{"an OWNER bootstrapped as VIEWER stays OWNER, with a VIEWER token", membership.RoleOwner, membership.RoleViewer, membership.RoleOwner, viewer.ReadOnly},
		{"an OWNER bootstrapped as PLANNER stays OWNER, with a PLANNER token", membership.RoleOwner, membership.RolePlanner, membership.RoleOwner, viewer.Planner},
		{"the same role changes nothing", membership.RolePlanner, membership.RolePlanner, membership.RolePlanner, viewer.Planner},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testenv.Client(t)
			first := bootstrap(t, c, "acme", "ana@acme.example", tc.first)
			second := bootstrap(t, c, "acme", "ana@acme.example", tc.second)
			if got := c.Membership.Query().OnlyX(testenv.System()).Role; got != tc.member {
				t.Fatalf("membership role = %s, want %s", got, tc.member)
			}
			v, err := auth.Authenticate(context.Background(), c, second.secret, now)
			if err != nil || v.Role != tc.newToken {
				t.Fatalf("the new token acts as %+v (%v), want %s", v, err, tc.newToken)
			}
			// The earlier token keeps its own role, capped by the membership.
			want := viewer.Min(viewer.Role(first.token.Role), viewer.Role(tc.member))
			if v, err := auth.Authenticate(context.Background(), c, first.secret, now); err != nil || v.Role != want {
				t.Fatalf("the earlier token acts as %+v (%v), want %s", v, err, want)
			}
		})
	}
}

func TestBootstrapOfAnExistingAccountInAnotherOrganization(t *testing.T) {
	c := testenv.Client(t)
	acme := bootstrap(t, c, "acme", "ana@acme.example", membership.RoleOwner)
	globex := bootstrap(t, c, "globex", "ana@acme.example", membership.RoleViewer)
	if got := countAll(t, c); got != (counts{2, 1, 2, 2}) {
		t.Fatalf("counts = %+v, want 2 organizations, 1 account, 2 memberships, 2 tokens", got)
	}
	if globex.account.ID != acme.account.ID {
		t.Fatal("a second account was created for the same email")
	}
	for _, tc := range []struct {
		m    member
		role viewer.Role
	}{{acme, viewer.Owner}, {globex, viewer.ReadOnly}} {
		v, err := auth.Authenticate(context.Background(), c, tc.m.secret, now)
		if err != nil || v.OrganizationID != tc.m.org.ID || v.Role != tc.role {
			t.Fatalf("token of %s acts as %+v (%v), want %s in organization %d", tc.m.org.Slug, v, err, tc.role, tc.m.org.ID)
		}
	}
}

func TestBootstrapRefusalsWriteNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    auth.Bootstrap
	}{
		{"an unknown role", auth.Bootstrap{OrgSlug: "acme", Email: "ana@acme.example", Role: "ADMIN"}},
		{"a lower-case role", auth.Bootstrap{OrgSlug: "acme", Email: "ana@acme.example", Role: "owner"}},
		{"an invalid email", auth.Bootstrap{OrgSlug: "acme", Email: "not an email"}},
		{"an invalid slug", auth.Bootstrap{OrgSlug: "Not A Slug!", Email: "ana@acme.example"}},
		{"an empty slug", auth.Bootstrap{Email: "ana@acme.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testenv.Client(t)
			if tok, _, err := tc.b.Run(context.Background(), c); err == nil {
				t.Fatalf("accepted: token %+v", tok)
			}
			if got := countAll(t, c); got != (counts{}) {
				t.Fatalf("counts = %+v after a refusal, want nothing", got)
			}
		})
	}
}

func TestBootstrapRevokesTokensNamedAlike(t *testing.T) {
	c := testenv.Client(t)
	run := func(b auth.Bootstrap) (*ent.APIToken, string) {
		t.Helper()
		tok, secret, err := b.Run(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		return tok, secret
	}
	named := func(name, email string, revoke bool) auth.Bootstrap {
		return auth.Bootstrap{OrgSlug: "acme", Email: email, TokenName: name, RevokeTokensNamedAlike: revoke}
	}
	_, first := run(named("playground", "ana@acme.example", false))
	_, otherName := run(named("CI", "ana@acme.example", false))
	_, otherAccount := run(named("playground", "ben@acme.example", false))
	otherOrg, otherOrgSecret, err := auth.Bootstrap{OrgSlug: "globex", Email: "ana@acme.example", TokenName: "playground"}.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	_, latest := run(named("playground", "ana@acme.example", true))

	for _, tc := range []struct {
		name   string
		secret string
		valid  bool
	}{
		{"the earlier token of the same name is revoked", first, false},
		{"the new token works", latest, true},
		{"a token of another name stays valid", otherName, true},
		{"a token of the same name of another account stays valid", otherAccount, true},
		{"a token of the same name in another organization stays valid", otherOrgSecret, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.Authenticate(context.Background(), c, tc.secret, now)
			if tc.valid && err != nil {
				t.Fatalf("Authenticate: %v, want valid", err)
			}
			if !tc.valid && !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("Authenticate: %v, want ErrUnauthenticated", err)
			}
		})
	}
	if storedToken(t, c, otherOrg.ID).RevokedAt != nil {
		t.Fatal("the token in another organization was revoked")
	}
}

func TestDemoTokenRevokesThePreviousDemoToken(t *testing.T) {
	c := testenv.Client(t)
	ctx := context.Background()
	_, first, err := demo.Token(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	_, second, err := demo.Token(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, c, first, now); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("the first demo token still authenticates (%v): each start must leave one valid demo token", err)
	}
	if _, err := auth.Authenticate(ctx, c, second, now); err != nil {
		t.Fatalf("the new demo token: %v", err)
	}
	sys := testenv.System()
	valid := c.APIToken.Query().Where(apitoken.RevokedAtIsNil(), apitoken.HasAccountWith(account.Email("demo@alder-finch.example"))).CountX(sys)
	if valid != 1 {
		t.Fatalf("%d valid demo tokens, want 1", valid)
	}
}
