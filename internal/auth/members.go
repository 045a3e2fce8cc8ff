package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/account"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Member names a person to invite to the viewer's organization.
type Member struct {
	Email string
	Name  string
	Role  membership.Role
}

// AddMember invites someone to the viewer's organization: it creates a
// PENDING membership for the email, linked to no account, and sends the
// invitation's one-time code to the email (after the transaction commits).
// Only the code's hash is stored, and the code is not returned: the owner
// must not hold a credential of someone else's account.
//
// Nothing outside the organization is looked up, so the answer, and every
// later read, is the same whether or not an account has the email anywhere
// on the server; an account joins only when its holder accepts (with the
// code, or with a token of the account). An email already invited to or
// member of the organization is TAKEN, which tells only about the
// organization itself. The privacy policy lets only owners do it.
func AddMember(ctx context.Context, c *ent.Client, in Member, now time.Time) (*ent.Membership, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, fmt.Errorf("adding a member: no viewer")
	}
	if err := ownersOnly(v); err != nil {
		return nil, err
	}
	email := validation.NormalizeEmail(in.Email)
	if err := validation.Email(email); err != nil {
		return nil, validation.Invalid("email", "%v", err)
	}
	if in.Name != "" {
		if err := validation.Title(in.Name); err != nil {
			return nil, validation.Invalid("name", "%v", err)
		}
	}
	// Read through the tenant filter: only this organization's memberships
	// (and the accounts linked to them) are considered.
	taken, err := c.Membership.Query().
		Where(membership.Or(membership.InvitedEmail(email), membership.HasAccountWith(account.Email(email)))).
		Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("checking membership: %w", err)
	}
	if taken {
		return nil, emailTaken(email)
	}
	org, err := c.Organization.Get(ctx, v.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("loading the organization: %w", err)
	}
	code, hash, _, err := newSecret(codePrefix)
	if err != nil {
		return nil, err
	}
	expires := now.Add(InvitationTTL)
	create := c.Membership.Create().
		SetStatus(membership.StatusPending).
		SetRole(in.Role).
		SetInvitedEmail(email).
		SetInvitationCodeHash(hash).
		SetInvitationExpiresAt(expires).
		SetCreatedAt(now).
		SetUpdatedAt(now)
	if in.Name != "" {
		create.SetInvitedName(in.Name)
	}
	m, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		// A concurrent invitation of the same email to this organization.
		return nil, emailTaken(email)
	}
	if err != nil {
		return nil, err
	}
	sendAfterCommit(ctx, Invitation{
		Email: email, Name: in.Name, Organization: org.Name, OrganizationSlug: org.Slug,
		Role: in.Role, Code: code, ExpiresAt: expires,
	})
	return m, nil
}

// emailTaken is the answer for an email already invited to or member of the
// organization.
func emailTaken(email string) error {
	return &validation.Error{Field: "email", Code: validation.CodeTaken,
		Message: fmt.Sprintf("%s is already a member of the organization or invited to it", email)}
}

// findOrCreateAccount looks accounts up server-wide (an account may belong to
// several organizations, and the viewer does not see the others), which is why
// the lookup runs as a system read. Only the bootstrap command uses it: the
// API never looks an account up by email for an owner (see AddMember).
func findOrCreateAccount(ctx context.Context, c *ent.Client, email, name string) (*ent.Account, error) {
	if err := validation.Email(validation.NormalizeEmail(email)); err != nil {
		return nil, validation.Invalid("email", "%v", err)
	}
	acc, err := c.Account.Query().Where(account.Email(validation.NormalizeEmail(email))).Only(policy.System(ctx))
	switch {
	case err == nil:
		return acc, nil
	case !ent.IsNotFound(err):
		return nil, fmt.Errorf("looking up account: %w", err)
	}
	if name == "" {
		name = email
	}
	return c.Account.Create().SetEmail(email).SetName(name).Save(ctx)
}

// ownersOnly refuses non-owners up front, with the policy's decision: the
// lookups that come first would otherwise answer NOT_FOUND, since non-owners
// do not see other members' memberships and tokens.
func ownersOnly(v *viewer.Viewer) error {
	if !v.IsOwner() {
		return privacy.Denyf("only an OWNER may manage members and tokens")
	}
	return nil
}

// TokenRequest describes a token to create.
type TokenRequest struct {
	AccountID *int // default: the viewer's account
	Name      string
	Role      apitoken.Role // default: the account's role
	ExpiresAt *time.Time
}

// CreateToken creates a token for an account of the viewer's organization and
// returns it with its secret, which is not stored and cannot be shown again.
// The token's role is at most the account's membership role.
func CreateToken(ctx context.Context, c *ent.Client, in TokenRequest, now time.Time) (*ent.APIToken, string, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, "", fmt.Errorf("creating a token: no viewer")
	}
	if err := ownersOnly(v); err != nil {
		return nil, "", err
	}
	accountID := v.AccountID
	if in.AccountID != nil {
		accountID = *in.AccountID
	}
	// A pending invitation has no account, and the status condition says so
	// again: a token is only ever made for an active member.
	m, err := c.Membership.Query().
		Where(membership.AccountID(accountID), membership.StatusEQ(membership.StatusActive)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, "", validation.NotFound("account_id", "no member with account ID %d in this organization", accountID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("loading membership: %w", err)
	}
	role := in.Role
	if role == "" {
		role = apitoken.Role(m.Role)
	}
	if !viewer.Role(m.Role).AtLeast(viewer.Role(role)) {
		return nil, "", validation.Invalid("role", "%s is more than the account's role %s", role, m.Role)
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		return nil, "", validation.Invalid("expires_at", "must be in the future")
	}
	return createToken(ctx, c, v.OrganizationID, accountID, in.Name, role, in.ExpiresAt)
}

func createToken(ctx context.Context, c *ent.Client, org, accountID int, name string, role apitoken.Role, expires *time.Time) (*ent.APIToken, string, error) {
	secret, hash, prefix, err := NewSecret()
	if err != nil {
		return nil, "", err
	}
	tok, err := c.APIToken.Create().
		SetOrganizationID(org).
		SetAccountID(accountID).
		SetName(name).
		SetRole(role).
		SetPrefix(prefix).
		SetSecretHash(hash).
		SetNillableExpiresAt(expires).
		Save(ctx)
	if err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// RevokeToken revokes a token of the viewer's organization; revoking twice
// keeps the first time.
func RevokeToken(ctx context.Context, c *ent.Client, id int, now time.Time) (*ent.APIToken, error) {
	if err := ownersOnly(viewer.FromContext(ctx)); err != nil {
		return nil, err
	}
	tok, err := c.APIToken.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("token_id", "no token with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading token: %w", err)
	}
	if tok.RevokedAt != nil {
		return tok, nil
	}
	return c.APIToken.UpdateOne(tok).SetRevokedAt(now).Save(ctx)
}

// Bootstrap is the system path that solves the first-token problem: it
// creates the organization (if its slug is new), the account (if its email is
// new), gives the account at least the role in the organization, and returns a
// new token with that role and its secret.
type Bootstrap struct {
	OrgSlug, OrgName       string
	Email, AccountName     string
	Role                   membership.Role
	TokenName              string
	ExpiresAt              *time.Time
	RevokeTokensNamedAlike bool // revoke the account's earlier tokens of the same name
}

// Run runs the bootstrap in one transaction.
func (b Bootstrap) Run(ctx context.Context, c *ent.Client) (*ent.APIToken, string, error) {
	ctx = policy.System(ctx)
	tx, err := c.Tx(ctx)
	if err != nil {
		return nil, "", err
	}
	tok, secret, err := b.run(ctx, tx.Client())
	if err != nil {
		_ = tx.Rollback()
		return nil, "", err
	}
	return tok, secret, tx.Commit()
}

func (b Bootstrap) run(ctx context.Context, c *ent.Client) (*ent.APIToken, string, error) {
	if b.Role == "" {
		b.Role = membership.RoleOwner
	}
	if err := membership.RoleValidator(b.Role); err != nil {
		return nil, "", fmt.Errorf("role %q is not OWNER, PLANNER or VIEWER", b.Role)
	}
	org, err := c.Organization.Query().Where(organization.Slug(b.OrgSlug)).Only(ctx)
	if ent.IsNotFound(err) {
		name := b.OrgName
		if name == "" {
			name = b.OrgSlug
		}
		org, err = c.Organization.Create().SetSlug(b.OrgSlug).SetName(name).Save(ctx)
	}
	if err != nil {
		return nil, "", fmt.Errorf("organization %q: %w", b.OrgSlug, err)
	}
	acc, err := findOrCreateAccount(ctx, c, b.Email, b.AccountName)
	if err != nil {
		return nil, "", fmt.Errorf("account %q: %w", b.Email, err)
	}
	m, err := c.Membership.Query().Where(membership.AccountID(acc.ID), membership.OrganizationID(org.ID)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		_, err = c.Membership.Create().SetOrganizationID(org.ID).SetAccountID(acc.ID).SetRole(b.Role).Save(ctx)
	case err == nil && !viewer.Role(m.Role).AtLeast(viewer.Role(b.Role)):
		// Raise a lower membership (bootstrap is the recovery path of owners);
		// never lower one: a PLANNER token for an owner leaves it an owner.
		_, err = c.Membership.UpdateOne(m).SetRole(b.Role).Save(ctx)
	}
	if err != nil {
		return nil, "", fmt.Errorf("membership: %w", err)
	}
	name := b.TokenName
	if name == "" {
		name = "bootstrap"
	}
	if b.RevokeTokensNamedAlike {
		if err := c.APIToken.Update().
			Where(apitoken.AccountID(acc.ID), apitoken.OrganizationID(org.ID), apitoken.Name(name), apitoken.RevokedAtIsNil()).
			SetRevokedAt(time.Now()).Exec(ctx); err != nil {
			return nil, "", fmt.Errorf("revoking earlier tokens: %w", err)
		}
	}
	return createToken(ctx, c, org.ID, acc.ID, name, apitoken.Role(b.Role), b.ExpiresAt)
}
