package planning

import (
	"context"
	"fmt"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/feedback"
	"github.com/rencontre/rencontre/ent/schema"
)

// GiveFeedback records a person's feedback on a meeting, one per person and
// meeting: a second one updates the first. The model's rules (only once the
// meeting has started, as of now, and from people who checked in) apply to
// the first. It reports whether an earlier feedback was updated.
func GiveFeedback(ctx context.Context, c *ent.Client, in ent.CreateFeedbackInput, now time.Time) (*ent.Feedback, bool, error) {
	existing, err := c.Feedback.Query().Where(feedback.MeetingID(in.MeetingID), feedback.PersonID(in.PersonID)).Only(ctx)
	switch {
	case ent.IsNotFound(err):
		f, err := c.Feedback.Create().SetInput(in).Save(schema.WithNow(ctx, now))
		return f, false, err
	case err != nil:
		return nil, false, fmt.Errorf("loading feedback: %w", err)
	}
	u := c.Feedback.UpdateOne(existing).SetRating(in.Rating)
	if in.Comment != nil {
		u.SetComment(*in.Comment)
	}
	f, err := u.Save(ctx)
	return f, true, err
}

// FeedbackSummary is how many gave feedback and their average rating.
type FeedbackSummary struct {
	Count   int
	Average *float64
}

// SummarizeFeedback averages the ratings of q in SQL (one statement).
func SummarizeFeedback(ctx context.Context, q *ent.FeedbackQuery) (FeedbackSummary, error) {
	var rows []struct {
		Count int      `json:"count"`
		Avg   *float64 `json:"avg"`
	}
	if err := q.Aggregate(ent.Count(), ent.Mean(feedback.FieldRating)).Scan(ctx, &rows); err != nil {
		return FeedbackSummary{}, fmt.Errorf("averaging feedback: %w", err)
	}
	if len(rows) == 0 {
		return FeedbackSummary{}, nil
	}
	return FeedbackSummary{Count: rows[0].Count, Average: rows[0].Avg}, nil
}
