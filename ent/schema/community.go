package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/rencontre/rencontre/internal/validation"
)

// Community is a group of people: a team, a department, a legacy company (in a
// merger), a user group, a professional community, a chapter.
type Community struct {
	ent.Schema
}

// Mixin of the Community.
func (Community) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the Community.
func (Community) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Validate(validation.Title).
			Comment("Name, unique within the organization.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("kind").
			NamedValues(
				"Team", "TEAM",
				"Department", "DEPARTMENT",
				"LegacyCompany", "LEGACY_COMPANY",
				"UserGroup", "USER_GROUP",
				"ProfessionalCommunity", "PROFESSIONAL_COMMUNITY",
				"Chapter", "CHAPTER",
			).
			Comment("What kind of group this is.").
			Annotations(entgql.OrderField("KIND")),
		field.Text("description").
			Optional().
			Nillable().
			Validate(validation.MaxLen(5000)).
			Comment("What the community is about."),
	}
}

// Edges of the Community.
func (Community) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("invited_to_series", Series.Type).Ref("invitee_communities").
			Comment("Series whose every occurrence the community's members are invited to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("members", Person.Type).
			Comment("People who belong to the community.").
			Annotations(entgql.RelayConnection()),
		edge.From("targeted_by", Objective.Type).Ref("communities").
			Comment("Objectives that target this community.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Community.
func (Community) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "name").Unique(),
	}
}

// Annotations of the Community.
func (Community) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A group of people: a team, a department, a legacy company (in a merger), a user group, a professional community, a chapter."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Communities: teams, departments, legacy companies, user groups."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
