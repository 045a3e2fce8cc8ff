package schema

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/hook"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
)

// Encounter is one meeting of two people at a meeting: who met whom, how, when.
// A pair is stored once per meeting, the lower person ID first.
type Encounter struct {
	ent.Schema
}

// Mixin of the Encounter.
func (Encounter) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{Parent: "meeting"}, TimeMixin{}}
}

// Policy of the Encounter: besides the tenant policy of its mixin, the
// records of VIP meetings are hidden from viewers below PLANNER.
func (Encounter) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{policy.FilterVIPGuestListsUnlessPlanner()},
	}
}

// Fields of the Encounter.
func (Encounter) Fields() []ent.Field {
	return []ent.Field{
		field.Int("meeting_id").Immutable().Comment("The meeting where they met.").Annotations(entgql.Type("ID")),
		field.Int("person_a_id").Immutable().Comment("The person with the lower ID.").Annotations(entgql.Type("ID")),
		field.Int("person_b_id").Immutable().Comment("The person with the higher ID.").Annotations(entgql.Type("ID")),
		field.Enum("how").
			NamedValues(
				"SameTable", "SAME_TABLE",
				"Introduction", "INTRODUCTION",
				"OneToOne", "ONE_TO_ONE",
				"Breakout", "BREAKOUT",
				"BadgeScan", "BADGE_SCAN",
			).
			Comment("How they met.").
			Annotations(entgql.OrderField("HOW")),
		field.Time("occurred_at").
			Default(time.Now).
			Immutable().
			Comment("When they met.").
			Annotations(entgql.OrderField("OCCURRED_AT")),
	}
}

// Edges of the Encounter.
func (Encounter) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("meeting", Meeting.Type).Field("meeting_id").Unique().Required().Immutable().Comment("The meeting where they met."),
		edge.To("person_a", Person.Type).Field("person_a_id").Unique().Required().Immutable().Comment("The person with the lower ID."),
		edge.To("person_b", Person.Type).Field("person_b_id").Unique().Required().Immutable().Comment("The person with the higher ID."),
	}
}

// Indexes of the Encounter: one per pair and meeting.
func (Encounter) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("meeting_id", "person_a_id", "person_b_id").Unique(),
		index.Fields("person_b_id"),
	}
}

// Hooks of the Encounter: pairs are stored in canonical order, and the rules
// of checkEncounter hold on every path. (network.RecordEncounter strengthens
// the pair's Relationship in the same transaction.)
func (Encounter) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.EncounterFunc(func(ctx context.Context, m *gen.EncounterMutation) (ent.Value, error) {
				a, _ := m.PersonAID()
				b, _ := m.PersonBID()
				if a == b {
					return nil, validation.Invalid("person_b_id", "an encounter needs two different people")
				}
				if a > b {
					m.SetPersonAID(b)
					m.SetPersonBID(a)
				}
				if err := checkEncounter(ctx, m); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate),
		hook.Reject(ent.OpUpdate | ent.OpUpdateOne),
	}
}

// Annotations of the Encounter.
func (Encounter) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One meeting of two people at a meeting: who met whom, how, when. Stored once per pair and meeting."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Encounters: who met whom, at which meeting, how."),
	}
}
