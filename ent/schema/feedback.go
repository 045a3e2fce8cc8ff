package schema

import (
	"context"
	"fmt"
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

// Feedback is a person's rating and comment about a meeting they took part in;
// one per person and meeting.
type Feedback struct {
	ent.Schema
}

// Mixin of the Feedback.
func (Feedback) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{Parent: "meeting"}, TimeMixin{}}
}

// Policy of the Feedback: besides the tenant policy of its mixin, the
// records of VIP meetings are hidden from viewers below PLANNER.
func (Feedback) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{policy.FilterVIPGuestListsUnlessPlanner()},
	}
}

// Fields of the Feedback.
func (Feedback) Fields() []ent.Field {
	return []ent.Field{
		field.Int("meeting_id").Immutable().Comment("The meeting the feedback is about.").Annotations(entgql.Type("ID")),
		field.Int("person_id").Immutable().Comment("The person who gave the feedback.").Annotations(entgql.Type("ID")),
		field.Int("rating").
			Validate(validation.Rating).
			Comment("Satisfaction from 1 (poor) to 5 (excellent).").
			Annotations(entgql.OrderField("RATING")),
		field.Text("comment").
			Optional().
			Nillable().
			Validate(validation.MaxLen(5000)).
			Comment("Free comment."),
	}
}

// Edges of the Feedback.
func (Feedback) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("meeting", Meeting.Type).Field("meeting_id").Unique().Required().Immutable().Comment("The meeting the feedback is about."),
		edge.To("person", Person.Type).Field("person_id").Unique().Required().Immutable().Comment("The person who gave the feedback."),
	}
}

// Indexes of the Feedback: one per person and meeting.
func (Feedback) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("meeting_id", "person_id").Unique(),
	}
}

// Hooks of the Feedback: only a participant who checked in gives feedback,
// and only once the meeting has started (as of Now).
func (Feedback) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.FeedbackFunc(func(ctx context.Context, m *gen.FeedbackMutation) (ent.Value, error) {
				meetingID, okM := m.MeetingID()
				personID, okP := m.PersonID()
				if okM && okP {
					mt, err := m.Client().Meeting.Get(ctx, meetingID)
					if gen.IsNotFound(err) {
						return nil, validation.NotFound("meeting_id", "no meeting with ID %d", meetingID)
					}
					if err != nil {
						return nil, fmt.Errorf("loading meeting %d: %w", meetingID, err)
					}
					if Now(ctx).Before(mt.StartsAt) {
						return nil, &validation.Error{Field: "meeting_id", Code: validation.CodeConflict,
							Message: fmt.Sprintf("meeting %d has not started yet (%s): feedback comes after", mt.ID, mt.StartsAt.Format(time.RFC3339))}
					}
					if err := checkCheckedIn(ctx, m.Client(), meetingID, personID, "person_id"); err != nil {
						return nil, err
					}
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate),
	}
}

// Annotations of the Feedback.
func (Feedback) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A participant's rating and comment about a meeting; one per person and meeting."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Feedback given about meetings."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
