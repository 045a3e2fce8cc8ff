package schema

import (
	"context"
	"fmt"
	"math"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/hook"
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
			Comment("The value the objective aims for, on the metric's scale: shares between 0 and 1, satisfaction between 1 and 5, costs in the organization's currency.").
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

// shareMetrics are the metrics measured as a share between 0 and 1.
var shareMetrics = map[string]bool{
	"CROSS_COMMUNITY_CONNECTION_SHARE": true,
	"ATTENDANCE_RATE":                  true,
	"FOLLOW_UPS_ON_TIME_SHARE":         true,
	"CROSS_LEGACY_TIE_SHARE":           true,
	"RETURN_RATE":                      true,
}

// Hooks of the Indicator: a target is never negative; the target of a share
// is between 0 and 1 (0.8, not 80); a satisfaction is between 1 and 5.
func (Indicator) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.IndicatorFunc(func(ctx context.Context, m *gen.IndicatorMutation) (ent.Value, error) {
				metric, hasMetric := m.Metric()
				target, hasTarget := m.Target()
				if !hasMetric && !hasTarget {
					return next.Mutate(ctx, m)
				}
				if m.Op().Is(ent.OpUpdateOne) {
					var err error
					if !hasMetric {
						metric, err = m.OldMetric(ctx)
					}
					if err == nil && !hasTarget {
						target, err = m.OldTarget(ctx)
					}
					if err != nil {
						return nil, fmt.Errorf("loading the indicator: %w", err)
					}
				} else if !hasMetric || !hasTarget {
					return next.Mutate(ctx, m)
				}
				if err := checkTarget(string(metric), target); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

func checkTarget(metric string, target float64) error {
	switch {
	case math.IsNaN(target) || target < 0:
		return validation.Invalid("target", "must not be negative, got %v", target)
	case shareMetrics[metric] && target > 1:
		return validation.Invalid("target", "%s is a share between 0 and 1 (0.8 for 80%%), got %v", metric, target)
	case metric == "AVERAGE_SATISFACTION" && (target < 1 || target > 5):
		return validation.Invalid("target", "AVERAGE_SATISFACTION is a rating between 1 and 5, got %v", target)
	}
	return nil
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
