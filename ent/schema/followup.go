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
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/hook"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
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

// Policy of the FollowUp: besides the tenant policy of its mixin, the actions
// of VIP meetings (whose owners and people concerned are guests) are hidden
// from viewers below PLANNER, like the meetings' guest lists.
func (FollowUp) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{policy.FilterVIPGuestListsUnlessPlanner()},
	}
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
		field.Time("cancelled_at").
			Optional().
			Nillable().
			Comment("When the action was cancelled; set when status becomes CANCELLED.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("status_changed_at").
			Optional().
			Nillable().
			Comment("When the status last changed.").
			Annotations(entgql.OrderField("STATUS_CHANGED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("reopened_count").
			Default(0).
			Comment("How many times the action was reopened (back to OPEN after DONE or CANCELLED).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("reopened_at").
			Optional().
			Nillable().
			Comment("When the action was last reopened.").
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
				if err := followUpTransition(ctx, m); err != nil {
					return nil, err
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

// followUpTransition keeps the status rules: OPEN → DONE or CANCELLED, and
// back to OPEN (a reopening, counted); DONE and CANCELLED do not turn into
// each other. Each change stamps its time: doneAt, cancelledAt,
// statusChangedAt, reopenedAt.
func followUpTransition(ctx context.Context, m *gen.FollowUpMutation) error {
	to, ok := m.Status()
	if !ok {
		return nil
	}
	from := followup.StatusOpen
	if m.Op().Is(ent.OpUpdateOne) {
		old, err := m.OldStatus(ctx)
		if gen.IsNotFound(err) {
			return nil // the update reports the missing record
		}
		if err != nil {
			return fmt.Errorf("loading the follow-up's status: %w", err)
		}
		from = old
	} else if m.Op().Is(ent.OpUpdate) {
		return validation.Invalid("status", "is changed one follow-up at a time")
	}
	if from == to {
		return nil
	}
	if from != followup.StatusOpen && to != followup.StatusOpen {
		return &validation.Error{Field: "status", Code: validation.CodeConflict,
			Message: fmt.Sprintf("a %s action cannot become %s: reopen it (OPEN) first", from, to)}
	}
	now := Now(ctx)
	m.SetStatusChangedAt(now)
	switch to {
	case followup.StatusDone:
		m.SetDoneAt(now)
		m.ClearCancelledAt()
	case followup.StatusCancelled:
		m.SetCancelledAt(now)
		m.ClearDoneAt()
	case followup.StatusOpen:
		m.ClearDoneAt()
		m.ClearCancelledAt()
		m.SetReopenedAt(now)
		m.AddReopenedCount(1)
	}
	return nil
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
