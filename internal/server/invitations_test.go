package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

// lastCode records the code of the last invitation sent.
type lastCode struct {
	mu   sync.Mutex
	code string
}

func (l *lastCode) Send(_ context.Context, inv auth.Invitation) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.code = inv.Code
	return nil
}

// invited bootstraps acme and invites email to it at at; it returns the code.
func invited(t *testing.T, c *ent.Client, email string, at time.Time) string {
	t.Helper()
	tok, _, err := auth.Bootstrap{OrgSlug: "acme", Email: "owner@acme.example"}.Run(testenv.System(), c)
	if err != nil {
		t.Fatal(err)
	}
	box := &lastCode{}
	ctx := auth.WithInvitations(viewer.NewContext(context.Background(), &viewer.Viewer{
		AccountID: tok.AccountID, OrganizationID: tok.OrganizationID, Role: viewer.Owner, TokenID: tok.ID,
	}), box)
	if _, err := auth.AddMember(ctx, c, auth.Member{Email: email, Name: "Nina", Role: membership.RolePlanner}, at); err != nil {
		t.Fatal(err)
	}
	return box.code
}

// answerCode POSTs {"code": code} to path.
func answerCode(t *testing.T, base, path, code string) reply {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"code": code})
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

// errorCode is the extensions.code of the only error of a reply.
func errorCode(t *testing.T, r reply) string {
	t.Helper()
	var body struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(r.body, &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Message == "" {
		t.Fatalf("HTTP %d %s: want one GraphQL-shaped error", r.status, r.body)
	}
	return body.Errors[0].Extensions.Code
}

func TestInvitationsExpireAfterFourteenDays(t *testing.T) {
	start := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		after  time.Duration
		status int
		code   string
	}{
		{"a second before the end is accepted", auth.InvitationTTL - time.Second, http.StatusOK, ""},
		{"at the end is EXPIRED", auth.InvitationTTL, http.StatusGone, "EXPIRED"},
		{"a month later is EXPIRED", 30 * 24 * time.Hour, http.StatusGone, "EXPIRED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testenv.Client(t)
			code := invited(t, c, "nina@acme.example", start)
			clock := func() time.Time { return start.Add(tc.after) }
			srv := httptest.NewServer(server.Invitations(c, clock))
			t.Cleanup(srv.Close)
			r := answerCode(t, srv.URL, "/invitations/accept", code)
			if r.status != tc.status {
				t.Fatalf("HTTP %d %s, want %d", r.status, r.body, tc.status)
			}
			if tc.code != "" {
				if got := errorCode(t, r); got != tc.code {
					t.Fatalf("code %s, want %s", got, tc.code)
				}
				if n := c.Account.Query().CountX(testenv.System()); n != 1 {
					t.Fatalf("%d accounts after an expired code, want the owner's only", n)
				}
				return
			}
			var got struct{ Token, Role string }
			if err := json.Unmarshal(r.body, &got); err != nil || got.Role != "PLANNER" {
				t.Fatalf("accepted %s (%v)", r.body, err)
			}
			if _, err := auth.Authenticate(context.Background(), c, got.Token, clock()); err != nil {
				t.Fatalf("the token does not work: %v", err)
			}
		})
	}
}

func TestInvitationRoutesAreMountedWithoutAToken(t *testing.T) {
	srv, c := serve(t, defaults(t))
	code := invited(t, c, "nina@acme.example", time.Now())
	// do adds the owner's token to /graphql requests only: these carry none.
	if r := answerCode(t, srv.URL, "/invitations/accept", "rci_unknown"); r.status != http.StatusNotFound || errorCode(t, r) != "NOT_FOUND" {
		t.Fatalf("an unknown code: HTTP %d %s, want 404 NOT_FOUND", r.status, r.body)
	}
	r := answerCode(t, srv.URL, "/invitations/accept", code)
	var got struct {
		Token        string
		Organization struct{ ID, Name, Slug string }
		Account      struct{ Email, Name string }
	}
	if err := json.Unmarshal(r.body, &got); r.status != http.StatusOK || err != nil {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	acme := c.Organization.Query().Where(organization.Slug("acme")).OnlyX(testenv.System())
	if got.Organization.Slug != "acme" || got.Organization.Name != acme.Name || got.Account.Email != "nina@acme.example" || got.Account.Name != "Nina" {
		t.Fatalf("accepted %s", r.body)
	}
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { role organization { slug } } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+got.Token)
	if r := do(t, req); r.status != http.StatusOK || !strings.Contains(string(r.body), `"role":"PLANNER"`) || !strings.Contains(string(r.body), `"slug":"acme"`) {
		t.Fatalf("the new token on /graphql: HTTP %d %s", r.status, r.body)
	}
}
