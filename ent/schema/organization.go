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

// Organization is a tenant: a company, a chamber of commerce, a museum, a user
// community. Every other record belongs to exactly one.
type Organization struct {
	ent.Schema
}

// Mixin of the Organization.
func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Validate(validation.Title).
			Comment("The organization's display name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("slug").
			Unique().
			Validate(validation.Slug).
			Comment("A unique, URL-safe identifier such as `acme-group`.").
			Annotations(entgql.OrderField("SLUG")),
	}
}

// Edges of the Organization. Only the top-level records are listed here; the
// records under them (indicators, participations…) are reached through those.
func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("people", Person.Type).Ref("organization").
			Comment("People the organization has a relationship with.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("communities", Community.Type).Ref("organization").
			Comment("Teams, departments, legacy companies and other groups of the organization.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("objectives", Objective.Type).Ref("organization").
			Comment("Strategic objectives of the organization.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("meetings", Meeting.Type).Ref("organization").
			Comment("Face-to-face meetings organised by the organization.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Policy of the Organization: a viewer sees its own organization; only its
// owners change it; organizations are created by the bootstrap command.
func (Organization) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			policy.DenyIfNoViewer(),
			policy.FilterOrganization(),
		},
		Mutation: privacy.MutationPolicy{
			policy.DenyIfNoViewer(),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpCreate),
			policy.DenyUnlessOwner(),
			policy.FilterOrganization(),
		},
	}
}

// Annotations of the Organization.
func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An organization (tenant): a company, a chamber of commerce, a museum, a user community. Every other record belongs to exactly one."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Organizations (tenants) on this server."),
		entgql.Mutations(entgql.MutationUpdate()),
	}
}
