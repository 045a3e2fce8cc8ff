package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/account"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// InvitationTTL is how long an invitation can be accepted after it is made.
const InvitationTTL = 14 * 24 * time.Hour

// codePrefix starts every invitation code, so that a code is not mistaken
// for an API token (rct_) and is easy to recognise in logs and by secret
// scanners.
const codePrefix = "rci_"

// maxListedInvitations bounds PendingInvitations: there is at most one
// pending invitation per organization for an email.
const maxListedInvitations = 100

// Invitation is what the invitee needs to answer an invitation. Code is a
// credential of the invitee: whoever holds it may accept the invitation as
// the owner of Email.
type Invitation struct {
	Email            string
	Name             string // as the owner typed it; may be empty
	Organization     string // the organization's name
	OrganizationSlug string
	Role             membership.Role
	Code             string
	ExpiresAt        time.Time
}

// Invitations delivers invitation codes. An implementation must send the code
// to the invited email only, never where the inviting owner can read it, and
// must behave the same whether or not an account has the email (the owner
// must not learn it). A mailer goes here.
type Invitations interface {
	Send(ctx context.Context, inv Invitation) error
}

// LogInvitations is the development delivery: it writes the invitation, code
// included, to the server log at INFO, for whoever runs the server to pass
// on. Replace it with a mailer (WithInvitations) in production.
type LogInvitations struct {
	Logger *slog.Logger // slog.Default() when nil
}

// Send implements Invitations.
func (d LogInvitations) Send(ctx context.Context, inv Invitation) error {
	l := d.Logger
	if l == nil {
		l = slog.Default()
	}
	l.InfoContext(ctx, "invitation to deliver",
		"email", inv.Email,
		"organization", inv.Organization,
		"organizationSlug", inv.OrganizationSlug,
		"role", string(inv.Role),
		"expiresAt", inv.ExpiresAt.Format(time.RFC3339),
		"code", inv.Code,
		"accept", `POST /invitations/accept with the JSON body {"code": "`+inv.Code+`"} (no token needed); or, with a token of the account, membershipAccept`,
		"decline", `POST /invitations/decline with the same body; or membershipDecline`,
	)
	return nil
}

type invitationsKey struct{}

// Outbox keeps the invitations sent, in memory, in place of a mailer: for
// tests, and for tools that hand the codes over themselves.
type Outbox struct {
	mu   sync.Mutex
	sent []Invitation
}

// Send implements Invitations.
func (o *Outbox) Send(_ context.Context, inv Invitation) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, inv)
	return nil
}

// Sent returns the invitations sent so far, oldest first.
func (o *Outbox) Sent() []Invitation {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.sent)
}

// Last returns the last invitation sent to email.
func (o *Outbox) Last(email string) (Invitation, bool) {
	sent := o.Sent()
	for i := len(sent) - 1; i >= 0; i-- {
		if sent[i].Email == email {
			return sent[i], true
		}
	}
	return Invitation{}, false
}

// WithInvitations returns ctx in which AddMember sends invitations with d;
// without it, they go to the server log (LogInvitations).
func WithInvitations(ctx context.Context, d Invitations) context.Context {
	return context.WithValue(ctx, invitationsKey{}, d)
}

func invitationsFrom(ctx context.Context) Invitations {
	if d, ok := ctx.Value(invitationsKey{}).(Invitations); ok && d != nil {
		return d
	}
	return LogInvitations{}
}

// sendAfterCommit sends inv once the transaction of ctx commits, so that no
// code goes out for an invitation that was rolled back (a later failure in
// the same mutation, a retry); without a transaction it sends at once. A
// failed delivery is logged: the invitation stays, and the owner can cancel
// it and invite again.
func sendAfterCommit(ctx context.Context, inv Invitation) {
	send := func() {
		if err := invitationsFrom(ctx).Send(context.WithoutCancel(ctx), inv); err != nil {
			slog.ErrorContext(ctx, "sending an invitation", "organization", inv.OrganizationSlug, "error", err)
		}
	}
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		send()
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			send()
			return nil
		})
	})
}

// Errors of answering an invitation with its code.
var (
	// ErrInvitationNotFound: no pending invitation has this code (unknown,
	// already answered, or cancelled).
	ErrInvitationNotFound = errors.New("no pending invitation has this code")
	// ErrInvitationExpired: the invitation's time to answer has passed.
	ErrInvitationExpired = errors.New("the invitation has expired; ask for a new one")
	// ErrAlreadyMember: the invited account is a member of the organization
	// already (it was added another way since the invitation).
	ErrAlreadyMember = errors.New("the account is already a member of the organization")
)

// Accepted is the outcome of accepting an invitation: the membership, now
// ACTIVE, its organization and account, and a new API token of the account
// in the organization with its secret (shown once).
type Accepted struct {
	Membership   *ent.Membership
	Organization *ent.Organization
	Account      *ent.Account
	Token        *ent.APIToken
	Secret       string
}

// AcceptInvitation accepts the pending invitation with code: holding the
// code proves the invited email. The account with that email joins the
// organization (it is created, with the invited name, if no account has the
// email), and gets a new token there. It runs as the system, since the caller
// has no viewer; run it in a transaction.
func AcceptInvitation(ctx context.Context, c *ent.Client, code string, now time.Time) (*Accepted, error) {
	sys := policy.System(ctx)
	m, err := invitationByCode(sys, c, code, now)
	if err != nil {
		return nil, err
	}
	acc, err := c.Account.Query().Where(account.Email(*m.InvitedEmail)).Only(sys)
	if ent.IsNotFound(err) {
		name := *m.InvitedEmail
		if m.InvitedName != nil {
			name = *m.InvitedName
		}
		acc, err = c.Account.Create().SetEmail(*m.InvitedEmail).SetName(name).Save(sys)
	}
	if err != nil {
		return nil, fmt.Errorf("finding or creating the invited account: %w", err)
	}
	return accept(sys, c, m, acc, "invitation", now)
}

// DeclineInvitation declines the pending invitation with code; the
// membership stays, DECLINED, for the owner to see.
func DeclineInvitation(ctx context.Context, c *ent.Client, code string, now time.Time) (*ent.Membership, *ent.Organization, error) {
	sys := policy.System(ctx)
	m, err := invitationByCode(sys, c, code, now)
	if err != nil {
		return nil, nil, err
	}
	return decline(sys, c, m, now)
}

// invitationByCode returns the pending invitation whose code is code.
func invitationByCode(sys context.Context, c *ent.Client, code string, now time.Time) (*ent.Membership, error) {
	m, err := c.Membership.Query().
		Where(membership.InvitationCodeHash(Hash(code)), membership.StatusEQ(membership.StatusPending)).
		Only(sys)
	if ent.IsNotFound(err) {
		return nil, ErrInvitationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("loading the invitation: %w", err)
	}
	if m.InvitationExpiresAt == nil || !now.Before(*m.InvitationExpiresAt) || m.InvitedEmail == nil {
		return nil, ErrInvitationExpired
	}
	return m, nil
}

// PendingInvitations returns the pending, unexpired invitations addressed to
// the email of the viewer's account, from every organization, newest first,
// with their organizations. It reads past the tenant filter (as the
// system), but only invitations made to the viewer's own email.
func PendingInvitations(ctx context.Context, c *ent.Client, now time.Time) ([]*ent.Membership, error) {
	sys, email, err := viewerEmail(ctx, c)
	if err != nil {
		return nil, err
	}
	return c.Membership.Query().
		Where(pendingFor(email, now)...).
		WithOrganization().
		Order(ent.Desc(membership.FieldCreatedAt), ent.Desc(membership.FieldID)).
		Limit(maxListedInvitations).
		All(sys)
}

// AcceptInvitationFor accepts, for the viewer's account, a pending invitation
// addressed to its email: the viewer's token proves the account, so no code
// is needed. The new token (named tokenName, "invitation" by default) acts in
// the inviting organization with the invitation's role. An invitation that
// is not pending, expired, or addressed to another email is NOT_FOUND, like
// an unused ID.
func AcceptInvitationFor(ctx context.Context, c *ent.Client, id int, tokenName string, now time.Time) (*Accepted, error) {
	sys, m, err := viewerInvitation(ctx, c, id, now)
	if err != nil {
		return nil, err
	}
	acc, err := c.Account.Get(sys, viewer.FromContext(ctx).AccountID)
	if err != nil {
		return nil, fmt.Errorf("loading the viewer's account: %w", err)
	}
	if tokenName == "" {
		tokenName = "invitation"
	}
	if err := validation.Title(tokenName); err != nil {
		return nil, validation.Invalid("token_name", "%v", err)
	}
	a, err := accept(sys, c, m, acc, tokenName, now)
	if errors.Is(err, ErrAlreadyMember) {
		return nil, &validation.Error{Field: "invitation_id", Code: validation.CodeConflict,
			Message: "your account is already a member of this organization; the invitation can only be declined"}
	}
	if errors.Is(err, ErrInvitationNotFound) {
		return nil, invitationNotFound(id)
	}
	return a, err
}

// DeclineInvitationFor declines, for the viewer's account, a pending
// invitation addressed to its email.
func DeclineInvitationFor(ctx context.Context, c *ent.Client, id int, now time.Time) (*ent.Membership, *ent.Organization, error) {
	sys, m, err := viewerInvitation(ctx, c, id, now)
	if err != nil {
		return nil, nil, err
	}
	mem, org, err := decline(sys, c, m, now)
	if errors.Is(err, ErrInvitationNotFound) {
		return nil, nil, invitationNotFound(id)
	}
	return mem, org, err
}

// viewerEmail returns a system context and the email of the viewer's account.
func viewerEmail(ctx context.Context, c *ent.Client) (context.Context, string, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, "", fmt.Errorf("invitations: no viewer")
	}
	// A system read: the viewer's own account, whatever its role.
	sys := policy.System(ctx)
	acc, err := c.Account.Get(sys, v.AccountID)
	if err != nil {
		return nil, "", fmt.Errorf("loading the viewer's account: %w", err)
	}
	return sys, acc.Email, nil
}

// viewerInvitation returns the pending, unexpired invitation id addressed to
// the viewer's email.
func viewerInvitation(ctx context.Context, c *ent.Client, id int, now time.Time) (context.Context, *ent.Membership, error) {
	sys, email, err := viewerEmail(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	m, err := c.Membership.Query().Where(append(pendingFor(email, now), membership.ID(id))...).Only(sys)
	if ent.IsNotFound(err) {
		return nil, nil, invitationNotFound(id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("loading invitation %d: %w", id, err)
	}
	return sys, m, nil
}

// pendingFor are the predicates of the invitations that email may answer.
func pendingFor(email string, now time.Time) []predicate.Membership {
	return []predicate.Membership{
		membership.StatusEQ(membership.StatusPending),
		membership.InvitedEmail(email),
		membership.InvitationExpiresAtGT(now),
	}
}

// invitationNotFound is the answer for every invitation the viewer may not
// answer, so that it tells nothing about invitations to others.
func invitationNotFound(id int) error {
	return validation.NotFound("invitation_id", "no pending invitation with ID %d for your account", id)
}

// accept links acc to the invitation m, makes it ACTIVE and creates a token
// for acc in the organization.
func accept(sys context.Context, c *ent.Client, m *ent.Membership, acc *ent.Account, tokenName string, now time.Time) (*Accepted, error) {
	member, err := c.Membership.Query().
		Where(membership.OrganizationID(m.OrganizationID), membership.AccountID(acc.ID)).
		Exist(sys)
	if err != nil {
		return nil, fmt.Errorf("checking membership: %w", err)
	}
	if member {
		return nil, ErrAlreadyMember
	}
	// The membership hook matches only a pending invitation without an
	// account: of two concurrent answers, the second finds nothing.
	m, err = c.Membership.UpdateOne(m).
		SetAccountID(acc.ID).
		SetStatus(membership.StatusActive).
		ClearInvitationCodeHash().
		SetRespondedAt(now).
		Save(sys)
	if ent.IsNotFound(err) {
		return nil, ErrInvitationNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("accepting the invitation: %w", err)
	}
	tok, secret, err := createToken(sys, c, m.OrganizationID, acc.ID, tokenName, apitoken.Role(m.Role), nil)
	if err != nil {
		return nil, fmt.Errorf("creating a token: %w", err)
	}
	org, err := c.Organization.Get(sys, m.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("loading the organization: %w", err)
	}
	return &Accepted{Membership: m, Organization: org, Account: acc, Token: tok, Secret: secret}, nil
}

// decline makes the invitation m DECLINED; its code stops working.
func decline(sys context.Context, c *ent.Client, m *ent.Membership, now time.Time) (*ent.Membership, *ent.Organization, error) {
	m, err := c.Membership.UpdateOne(m).
		SetStatus(membership.StatusDeclined).
		ClearInvitationCodeHash().
		SetRespondedAt(now).
		Save(sys)
	if ent.IsNotFound(err) {
		return nil, nil, ErrInvitationNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("declining the invitation: %w", err)
	}
	org, err := c.Organization.Get(sys, m.OrganizationID)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the organization: %w", err)
	}
	return m, org, nil
}
