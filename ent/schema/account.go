package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
)

// Account is someone who uses the API. An account belongs to organizations
// through memberships, and acts through API tokens.
type Account struct {
	ent.Schema
}

// Mixin of the Account.
func (Account) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Account.
func (Account) Fields() []ent.Field {
	return []ent.Field{
		field.String("email").
			Unique().
			Validate(validation.Email).
			Comment("Email address of the account, unique on the server; stored lower-cased."),
		field.String("name").
			Validate(validation.Title).
			Comment("Display name."),
	}
}

// Edges of the Account.
func (Account) Edges() []ent.Edge {
	return []ent.Edge{
		// No where-input predicate on this edge: an account is shared by
		// organizations, and ent's privacy filters do not reach the subquery
		// of hasMembershipsWith, which would answer about other tenants.
		edge.From("memberships", Membership.Type).Ref("account").
			Comment("The account's roles in organizations (only the viewer's organization is visible).").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
	}
}

// Hooks of the Account.
func (Account) Hooks() []ent.Hook {
	return []ent.Hook{normalizeEmail()}
}

// Policy of the Account: owners see the accounts of their organization, other
// members their own account; only owners write.
func (Account) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			policy.DenyIfNoViewer(),
			policy.FilterAccountsOfOrganization(),
			policy.FilterOwnAccountUnlessOwner(),
		},
		Mutation: privacy.MutationPolicy{
			policy.DenyIfNoViewer(),
			policy.DenyUnlessOwner(),
		},
	}
}

// Annotations of the Account.
func (Account) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Someone who uses the API: an email and a name, with roles in organizations through memberships."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Accounts that are members of the organization."),
	}
}
