package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
)

// Touchpoint is one contact with a person on a channel, before, during or after
// a meeting: the timeline of a relationship.
type Touchpoint struct {
	ent.Schema
}

// Mixin of the Touchpoint.
func (Touchpoint) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{Parent: "person"}, TimeMixin{}}
}

// Fields of the Touchpoint.
func (Touchpoint) Fields() []ent.Field {
	return []ent.Field{
		field.Int("person_id").Immutable().Comment("The person contacted.").Annotations(entgql.Type("ID")),
		field.Int("meeting_id").Optional().Nillable().Comment("The meeting the contact was about, if any.").Annotations(entgql.Type("ID")),
		field.Enum("channel").
			NamedValues(
				"Email", "EMAIL",
				"Phone", "PHONE",
				"InPerson", "IN_PERSON",
				"Mail", "MAIL",
				"Social", "SOCIAL",
			).
			Comment("How the contact happened.").
			Annotations(entgql.OrderField("CHANNEL")),
		field.Enum("phase").
			NamedValues(
				"Before", "BEFORE",
				"During", "DURING",
				"After", "AFTER",
			).
			Optional().
			Nillable().
			Comment("When the contact happened relative to the meeting.").
			Annotations(entgql.OrderField("PHASE")),
		field.Time("occurred_at").
			Default(time.Now).
			Comment("When the contact happened.").
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.Text("note").
			Optional().
			Nillable().
			Validate(validation.MaxLen(5000)).
			Comment("What was said or sent."),
	}
}

// Edges of the Touchpoint.
func (Touchpoint) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("person", Person.Type).Field("person_id").Unique().Required().Immutable().Comment("The person contacted."),
		edge.To("meeting", Meeting.Type).Field("meeting_id").Unique().Comment("The meeting the contact was about, if any."),
	}
}

// Policy of the Touchpoint: contact history is personal data that a VIEWER
// does not read (on top of the tenant policy).
func (Touchpoint) Policy() ent.Policy {
	return privacy.Policy{Query: privacy.QueryPolicy{policy.DenyQueryIfReadOnly()}}
}

// Annotations of the Touchpoint.
func (Touchpoint) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One contact with a person on a channel, before, during or after a meeting."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Touchpoints: contacts with people on every channel."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
