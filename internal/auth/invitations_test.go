package auth_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/account"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// outbox records the invitations sent, in place of the log delivery.
type outbox struct{ auth.Outbox }

func (o *outbox) count() int { return len(o.Sent()) }

// code is the code of the last invitation sent to email.
func (o *outbox) code(t *testing.T, email string) string {
	t.Helper()
	inv, ok := o.Last(email)
	if !ok {
		t.Fatalf("no invitation sent to %s", email)
	}
	return inv.Code
}

// inviting is an owner of acme who invites, with the invitations sent to box.
func inviting(t *testing.T, c *ent.Client) (member, *outbox, context.Context) {
	t.Helper()
	owner := bootstrap(t, c, "acme", "owner@acme.example", membership.RoleOwner)
	box := &outbox{}
	return owner, box, auth.WithInvitations(ownerContext(owner), box)
}

// invite invites email to the owner's organization at now; it must succeed.
func invite(t *testing.T, ctx context.Context, c *ent.Client, email string, role membership.Role) *ent.Membership {
	t.Helper()
	m, err := auth.AddMember(ctx, c, auth.Member{Email: email, Role: role}, now)
	if err != nil {
		t.Fatalf("inviting %s: %v", email, err)
	}
	return m
}

// viewerContext is the context of a viewer acting for m's account in m's
// organization with role.
func viewerContext(m member, role viewer.Role) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{
		AccountID: m.account.ID, OrganizationID: m.org.ID, Role: role, TokenID: m.token.ID,
	})
}

var idOrTime = regexp.MustCompile(`\d{4}-\d\d-\d\d[^ ,}]*|\b\d{5,}\b`)

func TestAddMemberIsTheSameForAnEmailWithAnAccountAndANewOne(t *testing.T) {
	c := testenv.Client(t)
	_, box, ctx := inviting(t, c)
	bootstrap(t, c, "globex", "gus@globex.example", membership.RoleOwner)
	accounts := c.Account.Query().CountX(testenv.System())
	shape := func(email string) string {
		m := invite(t, ctx, c, email, membership.RolePlanner)
		switch {
		case m.Status != membership.StatusPending || m.AccountID != nil || m.InvitedEmail == nil || *m.InvitedEmail != email:
			t.Fatalf("invitation of %s: %+v, want PENDING for the email, without an account", email, m)
		case m.InvitationExpiresAt == nil || !m.InvitationExpiresAt.Equal(now.Add(auth.InvitationTTL)) || !m.CreatedAt.Equal(now):
			t.Fatalf("invitation of %s made %v, expires %v; want now and 14 days later", email, m.CreatedAt, m.InvitationExpiresAt)
		case m.InvitationCodeHash == nil || *m.InvitationCodeHash != auth.Hash(box.code(t, email)):
			t.Fatalf("stored hash %v, want the hash of the code sent", m.InvitationCodeHash)
		}
		m.ID, m.InvitedEmail, m.InvitationCodeHash = 0, nil, nil
		return idOrTime.ReplaceAllString(fmt.Sprintf("%+v", *m), "#")
	}
	if existing, fresh := shape("gus@globex.example"), shape("nobody@nowhere.example"); existing != fresh {
		t.Fatalf("invitations differ:\nexisting account: %s\nno account:       %s", existing, fresh)
	}
	if n := c.Account.Query().CountX(testenv.System()); n != accounts {
		t.Fatalf("%d accounts after inviting, was %d", n, accounts)
	}
}

func TestAddMemberRefusals(t *testing.T) {
	c := testenv.Client(t)
	owner, box, ctx := inviting(t, c)
	bootstrap(t, c, "globex", "gus@globex.example", membership.RoleOwner)
	invite(t, ctx, c, "ben@acme.example", membership.RoleViewer)
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		in    auth.Member
		field string
		code  string // "" for a privacy refusal
	}{
		{"an email already invited", ctx, auth.Member{Email: "Ben@acme.example", Role: membership.RoleOwner}, "email", validation.CodeTaken},
		{"a member's email", ctx, auth.Member{Email: "owner@acme.example", Role: membership.RoleViewer}, "email", validation.CodeTaken},
		{"an invalid email", ctx, auth.Member{Email: "nope", Role: membership.RoleViewer}, "email", validation.CodeInvalid},
		{"a blank name", ctx, auth.Member{Email: "cleo@acme.example", Name: " ", Role: membership.RoleViewer}, "name", validation.CodeInvalid},
		{"a PLANNER", viewerContext(owner, viewer.Planner), auth.Member{Email: "dan@acme.example", Role: membership.RoleViewer}, "", ""},
	} {
		t.Run(tc.name+" is refused and sends nothing", func(t *testing.T) {
			before, sent := countAll(t, c), box.count()
			m, err := auth.AddMember(tc.ctx, c, tc.in, now)
			if m != nil || err == nil {
				t.Fatalf("AddMember = %+v, %v; want a refusal", m, err)
			}
			if ve, ok := validation.As(err); tc.code != "" && (!ok || ve.Field != tc.field || ve.Code != tc.code) {
				t.Fatalf("error %v, want %s on %s", err, tc.code, tc.field)
			}
			if countAll(t, c) != before || box.count() != sent {
				t.Fatalf("a refusal wrote or sent something")
			}
		})
	}
	t.Run("an email with an account in another organization is not TAKEN", func(t *testing.T) {
		invite(t, ctx, c, "gus@globex.example", membership.RoleViewer)
	})
}

func TestAddMemberSendsTheCodeOnlyOnceTheTransactionCommits(t *testing.T) {
	c := testenv.Client(t)
	_, box, ctx := inviting(t, c)
	for _, commit := range []bool{false, true} {
		t.Run(fmt.Sprintf("commit %v", commit), func(t *testing.T) {
			tx, err := c.Tx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sent := box.count()
			email := fmt.Sprintf("tx-%v@acme.example", commit)
			invite(t, ent.NewTxContext(ctx, tx), tx.Client(), email, membership.RoleViewer)
			if box.count() != sent {
				t.Fatal("the invitation was sent before the transaction ended")
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 0, true: 1}[commit]; box.count()-sent != want {
				t.Fatalf("%d invitations sent, want %d", box.count()-sent, want)
			}
		})
	}
}

func TestLogInvitationsIsTheDefaultDelivery(t *testing.T) {
	// Without WithInvitations, AddMember writes the invitation to the log; the
	// test only checks that nothing fails (the log goes to the test output).
	c := testenv.Client(t)
	owner := bootstrap(t, c, "acme", "owner@acme.example", membership.RoleOwner)
	if _, err := auth.AddMember(ownerContext(owner), c, auth.Member{Email: "ben@acme.example", Role: membership.RoleViewer}, now); err != nil {
		t.Fatal(err)
	}
}

func TestAcceptInvitationWithTheCode(t *testing.T) {
	c := testenv.Client(t)
	owner, box, ctx := inviting(t, c)
	gus := bootstrap(t, c, "globex", "gus@globex.example", membership.RoleOwner)
	m, err := auth.AddMember(ctx, c, auth.Member{Email: "nina@acme.example", Name: "Nina", Role: membership.RolePlanner}, now)
	if err != nil {
		t.Fatal(err)
	}
	invite(t, ctx, c, "gus@globex.example", membership.RoleViewer)
	sys := testenv.System()

	t.Run("after its time the code is EXPIRED and changes nothing", func(t *testing.T) {
		before := countAll(t, c)
		if _, err := auth.AcceptInvitation(context.Background(), c, box.code(t, "nina@acme.example"), now.Add(auth.InvitationTTL)); !errors.Is(err, auth.ErrInvitationExpired) {
			t.Fatalf("accepting at the expiry: %v, want ErrInvitationExpired", err)
		}
		if _, _, err := auth.DeclineInvitation(context.Background(), c, box.code(t, "nina@acme.example"), now.Add(auth.InvitationTTL+time.Hour)); !errors.Is(err, auth.ErrInvitationExpired) {
			t.Fatalf("declining after the expiry: %v, want ErrInvitationExpired", err)
		}
		if countAll(t, c) != before {
			t.Fatal("an expired code changed something")
		}
	})
	t.Run("an unknown code is NOT_FOUND", func(t *testing.T) {
		if _, err := auth.AcceptInvitation(context.Background(), c, "rci_unknown", now); !errors.Is(err, auth.ErrInvitationNotFound) {
			t.Fatalf("%v, want ErrInvitationNotFound", err)
		}
	})
	t.Run("a new email: the account is created with the invited name", func(t *testing.T) {
		a, err := auth.AcceptInvitation(context.Background(), c, box.code(t, "nina@acme.example"), now.Add(auth.InvitationTTL-time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if a.Account.Email != "nina@acme.example" || a.Account.Name != "Nina" || a.Membership.ID != m.ID ||
			a.Membership.Status != membership.StatusActive || a.Organization.ID != owner.org.ID || a.Token.Role != apitoken.RolePlanner {
			t.Fatalf("accepted %+v", a)
		}
		v, err := auth.Authenticate(context.Background(), c, a.Secret, now)
		if err != nil || v.AccountID != a.Account.ID || v.OrganizationID != owner.org.ID || v.Role != viewer.Planner {
			t.Fatalf("the new token: %+v, %v", v, err)
		}
	})
	t.Run("an existing account is linked", func(t *testing.T) {
		accounts := c.Account.Query().CountX(sys)
		a, err := auth.AcceptInvitation(context.Background(), c, box.code(t, "gus@globex.example"), now)
		if err != nil {
			t.Fatal(err)
		}
		if a.Account.ID != gus.account.ID || c.Account.Query().CountX(sys) != accounts {
			t.Fatalf("accepted for account %d with %d accounts; want Gus's %d and no new one", a.Account.ID, c.Account.Query().CountX(sys), gus.account.ID)
		}
	})
	t.Run("a code is used once", func(t *testing.T) {
		if _, err := auth.AcceptInvitation(context.Background(), c, box.code(t, "gus@globex.example"), now); !errors.Is(err, auth.ErrInvitationNotFound) {
			t.Fatalf("%v, want ErrInvitationNotFound", err)
		}
	})
}

func TestDeclineInvitationWithTheCode(t *testing.T) {
	c := testenv.Client(t)
	_, box, ctx := inviting(t, c)
	m := invite(t, ctx, c, "ben@acme.example", membership.RoleViewer)
	declined, org, err := auth.DeclineInvitation(context.Background(), c, box.code(t, "ben@acme.example"), now)
	if err != nil {
		t.Fatal(err)
	}
	if declined.ID != m.ID || declined.Status != membership.StatusDeclined || declined.AccountID != nil ||
		declined.InvitationCodeHash != nil || declined.RespondedAt == nil || !declined.RespondedAt.Equal(now) || org.Slug != "acme" {
		t.Fatalf("declined %+v in %s", declined, org.Slug)
	}
	if n := c.Account.Query().Where(account.Email("ben@acme.example")).CountX(testenv.System()); n != 0 {
		t.Fatal("declining created an account")
	}
	if _, err := auth.AcceptInvitation(context.Background(), c, box.code(t, "ben@acme.example"), now); !errors.Is(err, auth.ErrInvitationNotFound) {
		t.Fatalf("accepting a declined invitation: %v", err)
	}
}

func TestInvitationsOfTheViewer(t *testing.T) {
	c := testenv.Client(t)
	_, _, acme := inviting(t, c)
	gus := bootstrap(t, c, "globex", "gus@globex.example", membership.RoleOwner)
	initechOwner := bootstrap(t, c, "initech", "owner@initech.example", membership.RoleOwner)
	initech := auth.WithInvitations(ownerContext(initechOwner), &outbox{})
	first := invite(t, acme, c, "gus@globex.example", membership.RolePlanner)
	second, err := auth.AddMember(initech, c, auth.Member{Email: "gus@globex.example", Role: membership.RoleViewer}, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	invite(t, acme, c, "other@globex.example", membership.RoleViewer)
	gusCtx := viewerContext(gus, viewer.ReadOnly)

	t.Run("PendingInvitations lists the invitations to the viewer's email, newest first, until they expire", func(t *testing.T) {
		for _, tc := range []struct {
			at   time.Time
			want []int
		}{
			{now.Add(time.Minute), []int{second.ID, first.ID}},
			{now.Add(auth.InvitationTTL), []int{second.ID}},
			{now.Add(auth.InvitationTTL + time.Hour), nil},
		} {
			got, err := auth.PendingInvitations(gusCtx, c, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int
			for _, m := range got {
				ids = append(ids, m.ID)
				if m.Edges.Organization == nil {
					t.Fatalf("invitation %d without its organization", m.ID)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.want) {
				t.Fatalf("at %v: invitations %v, want %v", tc.at, ids, tc.want)
			}
		}
	})
	t.Run("another account may not answer them, as if they did not exist", func(t *testing.T) {
		other := viewerContext(initechOwner, viewer.Owner)
		for _, id := range []int{first.ID, first.ID + 100000} {
			_, err := auth.AcceptInvitationFor(other, c, id, "", now)
			if ve, ok := validation.As(err); !ok || ve.Code != validation.CodeNotFound || ve.Field != "invitation_id" {
				t.Fatalf("accepting invitation %d for another account: %v, want NOT_FOUND", id, err)
			}
			_, _, err = auth.DeclineInvitationFor(other, c, id, now)
			if ve, ok := validation.As(err); !ok || ve.Code != validation.CodeNotFound {
				t.Fatalf("declining invitation %d for another account: %v, want NOT_FOUND", id, err)
			}
		}
	})
	t.Run("the viewer accepts one with its token and declines the other", func(t *testing.T) {
		a, err := auth.AcceptInvitationFor(gusCtx, c, first.ID, "laptop", now)
		if err != nil {
			t.Fatal(err)
		}
		if a.Account.ID != gus.account.ID || a.Token.Name != "laptop" || a.Membership.Status != membership.StatusActive {
			t.Fatalf("accepted %+v", a)
		}
		if _, _, err := auth.DeclineInvitationFor(gusCtx, c, second.ID, now); err != nil {
			t.Fatal(err)
		}
		if got, _ := auth.PendingInvitations(gusCtx, c, now); len(got) != 0 {
			t.Fatalf("%d invitations left", len(got))
		}
	})
}

func TestMembershipStatesAreKeptOnEveryWritePath(t *testing.T) {
	c := testenv.Client(t)
	owner, _, ctx := inviting(t, c)
	ben := bootstrap(t, c, "globex", "ben@globex.example", membership.RoleOwner)
	pending := invite(t, ctx, c, "ben@globex.example", membership.RoleViewer)
	sys := testenv.System()
	for _, tc := range []struct {
		name  string
		write func() error
	}{
		{"an ACTIVE membership without an account", func() error {
			return c.Membership.Create().SetOrganizationID(owner.org.ID).SetRole(membership.RoleViewer).Exec(sys)
		}},
		{"a PENDING invitation with an account", func() error {
			return c.Membership.Create().SetOrganizationID(owner.org.ID).SetRole(membership.RoleViewer).SetStatus(membership.StatusPending).
				SetInvitedEmail("x@acme.example").SetAccountID(ben.account.ID).Exec(sys)
		}},
		{"a PENDING invitation without an email", func() error {
			return c.Membership.Create().SetOrganizationID(owner.org.ID).SetRole(membership.RoleViewer).SetStatus(membership.StatusPending).Exec(sys)
		}},
		{"activating an invitation without linking an account", func() error {
			return c.Membership.UpdateOne(pending).SetStatus(membership.StatusActive).Exec(sys)
		}},
		{"linking an account without activating", func() error {
			return c.Membership.UpdateOne(pending).SetAccountID(ben.account.ID).Exec(sys)
		}},
		{"making an answered membership pending again", func() error {
			return c.Membership.Update().Where(membership.AccountID(owner.account.ID)).SetStatus(membership.StatusPending).Exec(sys)
		}},
		{"removing the account of a membership", func() error {
			return c.Membership.Update().Where(membership.AccountID(owner.account.ID)).ClearAccountID().Exec(sys)
		}},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			before := countAll(t, c)
			if err := tc.write(); err == nil {
				t.Fatal("the write succeeded")
			}
			if countAll(t, c) != before {
				t.Fatal("counts changed")
			}
		})
	}
	t.Run("an ACTIVE membership is not linked to another account", func(t *testing.T) {
		ownerMembership := c.Membership.Query().Where(membership.AccountID(owner.account.ID)).OnlyX(sys)
		err := c.Membership.UpdateOne(ownerMembership).SetAccountID(ben.account.ID).SetStatus(membership.StatusActive).Exec(sys)
		if !ent.IsNotFound(err) {
			t.Fatalf("relinking an active membership: %v, want it to match nothing", err)
		}
		if got := c.Membership.GetX(sys, ownerMembership.ID); got.AccountID == nil || *got.AccountID != owner.account.ID {
			t.Fatalf("the owner's membership is now of account %v", got.AccountID)
		}
	})
	if got := c.Membership.GetX(sys, pending.ID); got.Status != membership.StatusPending || got.AccountID != nil {
		t.Fatalf("the invitation is now %+v", got)
	}
}

func TestAnInvitationGivesNoAccess(t *testing.T) {
	c := testenv.Client(t)
	owner, _, ctx := inviting(t, c)
	gus := bootstrap(t, c, "globex", "gus@globex.example", membership.RoleOwner)
	invite(t, ctx, c, "gus@globex.example", membership.RoleOwner)
	t.Run("no token can be created for the invited account", func(t *testing.T) {
		_, _, err := auth.CreateToken(ownerContext(owner), c, auth.TokenRequest{AccountID: &gus.account.ID, Name: "x"}, now)
		if ve, ok := validation.As(err); !ok || ve.Code != validation.CodeNotFound || !strings.Contains(ve.Message, "no member") {
			t.Fatalf("CreateToken for an invited account: %v, want NOT_FOUND as for any non-member", err)
		}
	})
	t.Run("a token of the account in the organization does not authenticate", func(t *testing.T) {
		secret := expiringToken(t, c, member{org: owner.org, account: gus.account}, now.Add(time.Hour))
		if _, err := auth.Authenticate(context.Background(), c, secret, now); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Fatalf("Authenticate: %v, want ErrUnauthenticated", err)
		}
	})
}
