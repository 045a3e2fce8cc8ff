package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/rencontre/rencontre/internal/validation"
)

// AgendaItem is one slot of a meeting's agenda: a talk, a workshop, a
// networking round, a meal, a break.
type AgendaItem struct {
	ent.Schema
}

// Mixin of the AgendaItem.
func (AgendaItem) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{Parent: "meeting"}, TimeMixin{}}
}

// Fields of the AgendaItem.
func (AgendaItem) Fields() []ent.Field {
	return []ent.Field{
		field.Int("meeting_id").
			Immutable().
			Comment("The meeting this agenda item belongs to.").
			Annotations(entgql.Type("ID")),
		field.String("title").
			Validate(validation.Title).
			Comment("Title of the slot.").
			Annotations(entgql.OrderField("TITLE")),
		field.Enum("kind").
			NamedValues(
				"Talk", "TALK",
				"Workshop", "WORKSHOP",
				"Panel", "PANEL",
				"NetworkingRound", "NETWORKING_ROUND",
				"Meal", "MEAL",
				"Break", "BREAK",
				"Other", "OTHER",
			).
			Comment("What happens in the slot.").
			Annotations(entgql.OrderField("KIND")),
		field.Time("starts_at").
			Comment("When the slot starts.").
			Annotations(entgql.OrderField("STARTS_AT")),
		field.Int("duration_minutes").
			Validate(validation.Positive).
			Comment("Length of the slot in minutes, at least 1."),
	}
}

// Edges of the AgendaItem.
func (AgendaItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("meeting", Meeting.Type).
			Field("meeting_id").
			Unique().
			Required().
			Immutable().
			Comment("The meeting this agenda item belongs to."),
	}
}

// Annotations of the AgendaItem.
func (AgendaItem) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One slot of a meeting's agenda: a talk, a workshop, a networking round, a meal, a break."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Agenda items of meetings."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
