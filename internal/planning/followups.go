package planning

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/predicate"
)

// Overdue is the predicate of open follow-up actions past their due date
// at now.
func Overdue(now time.Time) predicate.FollowUp {
	return followup.And(followup.StatusEQ(followup.StatusOpen), followup.DueDateLT(now))
}

// doneOnTime is the predicate of actions done by their due date (or done
// without one).
func doneOnTime() predicate.FollowUp {
	return followup.And(followup.StatusEQ(followup.StatusDone), followup.Or(
		followup.DueDateIsNil(),
		predicate.FollowUp(func(s *sql.Selector) {
			s.Where(sql.ColumnsLTE(s.C(followup.FieldDoneAt), s.C(followup.FieldDueDate)))
		})))
}

// Completion counts the follow-up actions of a query by state, in SQL.
type Completion struct {
	Total, Open, Done, Cancelled, Overdue, DoneOnTime int
}

// Rate is done over the actions not cancelled; nil when there are none.
func (c Completion) Rate() *float64 { return ratio(c.Done, c.Total-c.Cancelled) }

// OnTimeRate is done by the due date over the actions not cancelled.
func (c Completion) OnTimeRate() *float64 { return ratio(c.DoneOnTime, c.Total-c.Cancelled) }

func ratio(a, b int) *float64 {
	if b <= 0 {
		return nil
	}
	r := float64(a) / float64(b)
	return &r
}

// FollowUpCompletion counts the follow-up actions of q (a meeting's, an
// objective's) by status, overdue at now and done on time: three aggregate
// statements, whatever the number of actions.
func FollowUpCompletion(ctx context.Context, q *ent.FollowUpQuery, now time.Time) (Completion, error) {
	var rows []struct {
		Status followup.Status `json:"status"`
		Count  int             `json:"count"`
	}
	if err := q.Clone().GroupBy(followup.FieldStatus).Aggregate(ent.Count()).Scan(ctx, &rows); err != nil {
		return Completion{}, fmt.Errorf("counting follow-ups: %w", err)
	}
	var c Completion
	for _, r := range rows {
		c.Total += r.Count
		switch r.Status {
		case followup.StatusOpen:
			c.Open = r.Count
		case followup.StatusDone:
			c.Done = r.Count
		case followup.StatusCancelled:
			c.Cancelled = r.Count
		}
	}
	var err error
	if c.Overdue, err = q.Clone().Where(Overdue(now)).Count(ctx); err != nil {
		return Completion{}, err
	}
	if c.DoneOnTime, err = q.Clone().Where(doneOnTime()).Count(ctx); err != nil {
		return Completion{}, err
	}
	return c, nil
}
