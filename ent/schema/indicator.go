package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/rencontre/rencontre/internal/validation"
)

// Indicator is a measurable target of an objective: which metric, the target
// value and its unit. Measured values are computed from the records.
type Indicator struct {
	ent.Schema
}

// Mixin of the Indicator.
func (Indicator) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{Parent: "objective"}, TimeMixin{}}
}

// Fields of the Indicator.
func (Indicator) Fields() []ent.Field {
	return []ent.Field{
		field.Int("objective_id").
			Immutable().
			Comment("The objective this indicator measures.").
			Annotations(entgql.Type("ID")),
		field.Enum("metric").
			NamedValues(
				"NewConnectionsPerAttendee", "NEW_CONNECTIONS_PER_ATTENDEE",
				"CrossCommunityConnectionShare", "CROSS_COMMUNITY_CONNECTION_SHARE",
				"CommunitiesBridged", "COMMUNITIES_BRIDGED",
				"AttendanceRate", "ATTENDANCE_RATE",
				"FollowUpsOnTimeShare", "FOLLOW_UPS_ON_TIME_SHARE",
				"CrossLegacyTieShare", "CROSS_LEGACY_TIE_SHARE",
				"AverageSatisfaction", "AVERAGE_SATISFACTION",
				"ReturnRate", "RETURN_RATE",
				"LoyalSegmentGrowth", "LOYAL_SEGMENT_GROWTH",
				"CostPerAttendee", "COST_PER_ATTENDEE",
				"CostPerNewConnection", "COST_PER_NEW_CONNECTION",
			).
			Comment("What is measured.").
			Annotations(entgql.OrderField("METRIC")),
		field.Float("target").
			Comment("The value the objective aims for.").
			Annotations(entgql.OrderField("TARGET")),
		field.String("unit").
			Optional().
			Nillable().
			Validate(validation.MaxLen(40)).
			Comment("Unit of the target, such as `%`, `connections` or `EUR`."),
		field.Text("description").
			Optional().
			Nillable().
			Validate(validation.MaxLen(2000)).
			Comment("How to read the indicator."),
	}
}

// Edges of the Indicator.
func (Indicator) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("objective", Objective.Type).
			Field("objective_id").
			Unique().
			Required().
			Immutable().
			Comment("The objective this indicator measures."),
	}
}

// Annotations of the Indicator.
func (Indicator) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A measurable target of an objective: which metric, the target value and its unit."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Indicators of objectives."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
