package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/hook"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/internal/validation"
)

// Objective is a strategic objective that meetings serve: a category, a purpose
// within that category, an owner, a due date and measurable indicators.
type Objective struct {
	ent.Schema
}

// purposeCategory is the category each purpose belongs to (domain.md).
var purposeCategory = map[string]string{
	"STRATEGIC_DIRECTION":     "CHANGE",
	"PRODUCT_LAUNCH":          "CHANGE",
	"CULTURE_MERGER":          "CHANGE",
	"RENEWED_ATTENTION":       "CHANGE",
	"ANNUAL_GATHERING":        "MOTIVATION",
	"MOTIVATION_SESSION":      "MOTIVATION",
	"PERFORMANCE_CELEBRATION": "MOTIVATION",
	"MILESTONE_CELEBRATION":   "MOTIVATION",
	"CULTURAL_COHESION":       "NETWORKING",
	"DISPERSED_TEAM":          "NETWORKING",
	"USER_COMMUNITY":          "NETWORKING",
	"KNOWLEDGE_SHARING":       "NETWORKING",
}

// Mixin of the Objective.
func (Objective) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the Objective.
func (Objective) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			Validate(validation.Title).
			Comment("Short statement of the objective.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("description").
			Optional().
			Nillable().
			Validate(validation.MaxLen(5000)).
			Comment("What success looks like and why it matters."),
		field.Enum("category").
			NamedValues(
				"Change", "CHANGE",
				"Motivation", "MOTIVATION",
				"Networking", "NETWORKING",
			).
			Comment("CHANGE captures attention in a situation of change; MOTIVATION inspires a positive emotional climate; NETWORKING builds social networks and relationships.").
			Annotations(entgql.OrderField("CATEGORY")),
		field.Enum("purpose").
			NamedValues(
				"StrategicDirection", "STRATEGIC_DIRECTION",
				"ProductLaunch", "PRODUCT_LAUNCH",
				"CultureMerger", "CULTURE_MERGER",
				"RenewedAttention", "RENEWED_ATTENTION",
				"AnnualGathering", "ANNUAL_GATHERING",
				"MotivationSession", "MOTIVATION_SESSION",
				"PerformanceCelebration", "PERFORMANCE_CELEBRATION",
				"MilestoneCelebration", "MILESTONE_CELEBRATION",
				"CulturalCohesion", "CULTURAL_COHESION",
				"DispersedTeam", "DISPERSED_TEAM",
				"UserCommunity", "USER_COMMUNITY",
				"KnowledgeSharing", "KNOWLEDGE_SHARING",
			).
			Comment("The typical purpose, which must belong to the category.").
			Annotations(entgql.OrderField("PURPOSE")),
		field.Int("owner_id").
			Optional().
			Nillable().
			Comment("The person accountable for the objective.").
			Annotations(entgql.Type("ID")),
		field.Time("due_date").
			Optional().
			Nillable().
			Comment("When the objective should be reached.").
			Annotations(entgql.OrderField("DUE_DATE")),
		field.Enum("status").
			NamedValues(
				"Draft", "DRAFT",
				"Active", "ACTIVE",
				"Achieved", "ACHIEVED",
				"Abandoned", "ABANDONED",
			).
			Default("DRAFT").
			Comment("Where the objective stands.").
			Annotations(entgql.OrderField("STATUS")),
	}
}

// Edges of the Objective.
func (Objective) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("series", Series.Type).Ref("objectives").
			Comment("Series whose occurrences serve the objective.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.To("owner", Person.Type).
			Field("owner_id").
			Unique().
			Comment("The person accountable for the objective."),
		edge.To("communities", Community.Type).
			Comment("Communities the objective targets.").
			Annotations(entgql.RelayConnection()),
		edge.From("indicators", Indicator.Type).Ref("objective").
			Comment("Measurable targets of the objective.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("meetings", Meeting.Type).Ref("objectives").
			Comment("Meetings that serve the objective.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("follow_ups", FollowUp.Type).Ref("objective").
			Comment("Follow-up actions that concern the objective.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Hooks of the Objective: the purpose must belong to the category, whichever of
// the two a mutation changes.
func (Objective) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.ObjectiveFunc(func(ctx context.Context, m *gen.ObjectiveMutation) (ent.Value, error) {
				category, hasCategory := m.Category()
				purpose, hasPurpose := m.Purpose()
				if !hasCategory && !hasPurpose {
					return next.Mutate(ctx, m)
				}
				if m.Op().Is(ent.OpUpdate) && hasCategory != hasPurpose {
					return nil, validation.Invalid("purpose", "category and purpose must be changed together when updating several objectives")
				}
				if m.Op().Is(ent.OpUpdateOne) {
					if !hasCategory {
						old, err := m.OldCategory(ctx)
						if err != nil {
							return nil, fmt.Errorf("loading objective category: %w", err)
						}
						category = old
					}
					if !hasPurpose {
						old, err := m.OldPurpose(ctx)
						if err != nil {
							return nil, fmt.Errorf("loading objective purpose: %w", err)
						}
						purpose = old
					}
				}
				if err := checkPurpose(category, purpose); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

func checkPurpose(c objective.Category, p objective.Purpose) error {
	if want := purposeCategory[string(p)]; want != string(c) {
		return validation.Invalid("purpose", "%s belongs to category %s, not %s", p, want, c)
	}
	return nil
}

// Annotations of the Objective.
func (Objective) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A strategic objective that meetings serve: a category, a purpose within it, an owner, a due date and measurable indicators."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Strategic objectives that meetings serve."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
