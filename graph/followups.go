package graph

import (
	"context"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/planning"
)

// completion is the GraphQL shape of follow-up counts.
func completion(c planning.Completion) *FollowUpCompletion {
	return &FollowUpCompletion{Total: c.Total, Open: c.Open, Done: c.Done, Cancelled: c.Cancelled,
		Overdue: c.Overdue, DoneOnTime: c.DoneOnTime, Rate: c.Rate(), OnTimeRate: c.OnTimeRate()}
}

// feedbackSummary counts and averages the feedback of q.
func feedbackSummary(ctx context.Context, q *ent.FeedbackQuery) (*FeedbackSummary, error) {
	s, err := planning.SummarizeFeedback(ctx, q)
	if err != nil {
		return nil, err
	}
	return &FeedbackSummary{Count: s.Count, AverageRating: s.Average}, nil
}
