package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/hook"
	"github.com/rencontre/rencontre/ent/participation"
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

// Hooks of the Feedback: only a participant of the meeting can give feedback.
func (Feedback) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.FeedbackFunc(func(ctx context.Context, m *gen.FeedbackMutation) (ent.Value, error) {
				meetingID, okM := m.MeetingID()
				personID, okP := m.PersonID()
				if okM && okP {
					// Only people who checked in rate a meeting, so never before its check-in opens.
					ok, err := m.Client().Participation.Query().
						Where(participation.MeetingID(meetingID), participation.PersonID(personID), participation.CheckedInAtNotNil()).
						Exist(ctx)
					if err != nil {
						return nil, fmt.Errorf("checking participation: %w", err)
					}
					if !ok {
						return nil, &validation.Error{Field: "person_id", Code: validation.CodeConflict,
							Message: fmt.Sprintf("person %d has not checked in at meeting %d", personID, meetingID)}
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
