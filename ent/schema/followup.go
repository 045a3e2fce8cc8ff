package schema

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/hook"
	"github.com/rencontre/rencontre/internal/validation"
)

// FollowUp is an action after a meeting: what, who owns it, by when, its status,
// and the objective and people it concerns.
type FollowUp struct {
	ent.Schema
}

// Mixin of the FollowUp.
func (FollowUp) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{Parent: "meeting"}, TimeMixin{}}
}

// Fields of the FollowUp.
func (FollowUp) Fields() []ent.Field {
	return []ent.Field{
		field.Int("meeting_id").Immutable().Comment("The meeting the action follows.").Annotations(entgql.Type("ID")),
		field.Int("owner_id").Comment("The person who owns the action.").Annotations(entgql.Type("ID")),
		field.Int("objective_id").Optional().Nillable().Comment("The objective the action serves, if any.").Annotations(entgql.Type("ID")),
		field.String("title").
			Validate(validation.Title).
			Comment("What is to be done.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("description").
			Optional().
			Nillable().
			Validate(validation.MaxLen(5000)).
			Comment("Details of the action."),
		field.Time("due_date").
			Optional().
			Nillable().
			Comment("When the action should be done.").
			Annotations(entgql.OrderField("DUE_DATE")),
		field.Enum("status").
			NamedValues(
				"Open", "OPEN",
				"Done", "DONE",
				"Cancelled", "CANCELLED",
			).
			Default("OPEN").
			Comment("Where the action stands.").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("done_at").
			Optional().
			Nillable().
			Comment("When the action was marked done; set when status becomes DONE.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the FollowUp.
func (FollowUp) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("meeting", Meeting.Type).Field("meeting_id").Unique().Required().Immutable().Comment("The meeting the action follows."),
		edge.To("owner", Person.Type).Field("owner_id").Unique().Required().Comment("The person who owns the action."),
		edge.To("objective", Objective.Type).Field("objective_id").Unique().Comment("The objective the action serves, if any."),
		edge.To("concerns", Person.Type).
			Comment("People the action concerns.").
			Annotations(entgql.RelayConnection()),
	}
}

// Hooks of the FollowUp: the organization comes from the meeting, and doneAt
// follows the status.
func (FollowUp) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.FollowUpFunc(func(ctx context.Context, m *gen.FollowUpMutation) (ent.Value, error) {
				if s, ok := m.Status(); ok {
					if s == followup.StatusDone {
						m.SetDoneAt(time.Now())
					} else {
						m.ClearDoneAt()
					}
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

// Annotations of the FollowUp.
func (FollowUp) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An action after a meeting: what, who owns it, by when, its status, and the objective and people it concerns."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Follow-up actions after meetings."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
