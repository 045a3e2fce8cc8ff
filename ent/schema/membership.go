package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
)

// Membership is an account's role in one organization.
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
		field.Int("account_id").Immutable().Comment("The account.").Annotations(entgql.Type("ID")),
		field.Enum("role").
			NamedValues(
				"Owner", "OWNER",
				"Planner", "PLANNER",
				"Viewer", "VIEWER",
			).
			Comment("What the account may do in the organization.").
			Annotations(entgql.OrderField("ROLE")),
	}
}

// Edges of the Membership.
func (Membership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable().Comment("The account."),
	}
}

// Indexes of the Membership: one per account and organization.
func (Membership) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "account_id").Unique(),
	}
}

// Policy of the Membership: owners see and manage the organization's
// members; others see their own membership.
func (Membership) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{policy.FilterOwnUnlessOwner()},
		Mutation: privacy.MutationPolicy{policy.DenyUnlessOwner()},
	}
}

// Annotations of the Membership.
func (Membership) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An account's role in one organization: OWNER, PLANNER or VIEWER."),
		entgql.RelayConnection(),
		entgql.QueryField().Description("Members of the organization (owners see all, others their own membership)."),
	}
}
