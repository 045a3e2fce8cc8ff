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

// APIToken lets an account act in one organization with at most its role.
// Only the SHA-256 hash of the secret is stored; the secret is shown once.
type APIToken struct {
	ent.Schema
}

// Mixin of the APIToken.
func (APIToken) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the APIToken.
func (APIToken) Fields() []ent.Field {
	return []ent.Field{
		field.Int("account_id").Immutable().Comment("The account the token acts for.").Annotations(entgql.Type("ID")),
		field.String("name").
			Validate(validation.Title).
			Comment("What the token is for, such as `CI` or `playground`."),
		field.Enum("role").
			NamedValues(
				"Owner", "OWNER",
				"Planner", "PLANNER",
				"Viewer", "VIEWER",
			).
			Immutable().
			Comment("The most the token may do; the account's membership may lower it.").
			Annotations(entgql.OrderField("ROLE")),
		field.String("prefix").
			Immutable().
			Comment("The start of the secret, to recognise the token (`rct_ab12cd34`)."),
		field.String("secret_hash").
			Unique().
			Immutable().
			Sensitive().
			Comment("SHA-256 of the secret, hex-encoded.").
			Annotations(entgql.Skip()),
		field.Time("expires_at").
			Optional().
			Nillable().
			Immutable().
			Comment("When the token stops working; null for never."),
		field.Time("revoked_at").
			Optional().
			Nillable().
			Comment("When the token was revoked; null while it is valid."),
		field.Time("last_used_at").
			Optional().
			Nillable().
			Comment("When the token was last used, to the minute."),
	}
}

// Edges of the APIToken.
func (APIToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable().Comment("The account the token acts for."),
	}
}

// Policy of the APIToken: owners see and manage the organization's tokens;
// others see their own.
func (APIToken) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{policy.FilterOwnUnlessOwner()},
		Mutation: privacy.MutationPolicy{policy.DenyUnlessOwner()},
	}
}

// Annotations of the APIToken.
func (APIToken) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A bearer token acting for one account in one organization. The secret is shown once, at creation."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("API tokens of the organization (owners see all, others their own)."),
	}
}
