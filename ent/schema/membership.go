package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
)

// Membership is an account's role in one organization. It starts as an
// invitation (PENDING, addressed to an email, linked to no account) when an
// owner invites someone, and becomes ACTIVE, linked to the invitee's account,
// only when the invitee accepts: adding a member never looks accounts up
// server-wide, so it tells the owner nothing about accounts elsewhere, and no
// account joins an organization without its consent.
type Membership struct {
	ent.Schema
}

// Mixin of the Membership.
func (Membership) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the Membership.
func (Membership) Fields() []ent.Field {
	return []ent.Field{
		// Optional and mutable (once, by the membershipStates hook): an
		// invitation has no account until it is accepted.
		field.Int("account_id").
			Optional().
			Nillable().
			Comment("The account; null while the membership is an invitation (PENDING or DECLINED).").
			Annotations(entgql.Type("ID")),
		field.Enum("role").
			NamedValues(
				"Owner", "OWNER",
				"Planner", "PLANNER",
				"Viewer", "VIEWER",
			).
			Comment("What the account may do in the organization.").
			Annotations(entgql.OrderField("ROLE")),
		// ACTIVE by default: members added by the bootstrap command (and every
		// membership made before invitations existed) are active.
		field.Enum("status").
			NamedValues(
				"Pending", "PENDING",
				"Active", "ACTIVE",
				"Declined", "DECLINED",
			).
			Default("ACTIVE").
			Comment("PENDING: invited, no access yet; ACTIVE: the account is a member; DECLINED: the invitee said no.").
			Annotations(entgql.OrderField("STATUS")),
		field.String("invited_email").
			Optional().
			Nillable().
			Immutable().
			Validate(validation.Email).
			Comment("The email address the invitation was sent to, as the owner typed it (lower-cased); null for members added by the bootstrap command."),
		field.String("invited_name").
			Optional().
			Nillable().
			Immutable().
			Validate(validation.Title).
			Comment("The name the owner gave the invitee; an account created on acceptance takes it."),
		field.String("invitation_code_hash").
			Optional().
			Nillable().
			Unique().
			Sensitive().
			Comment("SHA-256 of the invitation's one-time code, hex-encoded; cleared once the invitation is answered.").
			Annotations(entgql.Skip()),
		field.Time("invitation_expires_at").
			Optional().
			Nillable().
			Immutable().
			Comment("When the invitation can no longer be accepted; null for members added by the bootstrap command."),
		field.Time("responded_at").
			Optional().
			Nillable().
			Comment("When the invitee accepted or declined the invitation; null while it is pending."),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		// NO ACTION as when the edge was required: an account with
		// memberships is not deleted, so an ACTIVE membership keeps its account.
		edge.To("account", Account.Type).Field("account_id").Unique().
			Comment("The account; null while the membership is an invitation (PENDING or DECLINED).").
			Annotations(entsql.OnDelete(entsql.NoAction)),
	}
}

// Indexes of the Membership: one per account and organization, and one
// invitation per email and organization. Both tolerate NULLs (invitations
// have no account, bootstrapped members no invited email) on SQLite and
// PostgreSQL alike.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "account_id").Unique(),
		index.Fields("organization_id", "invited_email").Unique(),
		index.Fields("invited_email"),
	}
}

// Hooks of the Membership.
func (Membership) Hooks() []ent.Hook {
	return []ent.Hook{normalizeInvitedEmail(), membershipStates()}
}

// Policy of the Membership: owners see and manage the organization's
// members and invitations; others see their own membership (an invitation
// has no account, so it is nobody's own until accepted).
func (Membership) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{policy.FilterOwnUnlessOwner()},
		Mutation: privacy.MutationPolicy{policy.DenyUnlessOwner()},
	}
}

// Annotations of the Membership.
func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An account's role in one organization: OWNER, PLANNER or VIEWER. It starts as an invitation (PENDING) that the invitee accepts (ACTIVE) or declines (DECLINED)."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Members and invitations of the organization (owners see all, others their own membership)."),
	}
}

// normalizeInvitedEmail stores invited emails trimmed and lower-cased, like
// account emails, so that an invitation matches its account whatever the case
// the owner typed.
func normalizeInvitedEmail() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.Field("invited_email"); ok {
				if err := m.SetField("invited_email", validation.NormalizeEmail(v.(string))); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// membershipStates keeps the states of a membership consistent on every write
// path: an ACTIVE membership has an account and an invitation (PENDING,
// DECLINED) has none; an invitation is answered once (PENDING to ACTIVE or
// DECLINED), and its account is linked once, when it becomes ACTIVE. Access
// (authentication, tokens, the accounts an owner sees) follows the account
// link, so this is what makes a pending invitation grant nothing.
//
// The hook uses the generic mutation API: the schema package is compiled
// before the code generated from it.
func membershipStates() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if m.Op().Is(ent.OpDelete | ent.OpDeleteOne) {
				return next.Mutate(ctx, m)
			}
			status, statusSet := m.Field("status")
			_, accountSet := m.Field("account_id")
			state := ""
			if statusSet {
				state = fmt.Sprint(status)
			}
			if m.Op().Is(ent.OpCreate) {
				if !statusSet {
					state = "ACTIVE" // the field's default
				}
				_, invited := m.Field("invited_email")
				switch {
				case state == "ACTIVE" && !accountSet:
					return nil, fmt.Errorf("membership: an ACTIVE membership needs an account")
				case state != "ACTIVE" && accountSet:
					return nil, fmt.Errorf("membership: an invitation is linked to an account only when it is accepted")
				case state != "ACTIVE" && !invited:
					return nil, fmt.Errorf("membership: an invitation needs the invited email")
				}
				return next.Mutate(ctx, m)
			}
			if m.FieldCleared("account_id") {
				return nil, fmt.Errorf("membership: the account of a membership cannot be removed")
			}
			where, ok := m.(interface{ Where(...predicate.Membership) })
			if !ok {
				return nil, fmt.Errorf("membership: unexpected mutation type %T", m)
			}
			switch {
			case accountSet && state != "ACTIVE":
				return nil, fmt.Errorf("membership: an account is linked only when the invitation is accepted")
			case statusSet && state == "ACTIVE" && !accountSet:
				return nil, fmt.Errorf("membership: accepting an invitation links its account")
			case statusSet && state == "PENDING":
				return nil, fmt.Errorf("membership: an answered invitation cannot be pending again")
			case statusSet:
				// Only a pending invitation is answered, and only one without an
				// account is linked: the update matches no other row.
				where.Where(
					predicate.Membership(sql.FieldEQ("status", "PENDING")),
					predicate.Membership(sql.FieldIsNull("account_id")),
				)
			}
			return next.Mutate(ctx, m)
		})
	}
}
