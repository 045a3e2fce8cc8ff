package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/internal/money"
	"github.com/rencontre/rencontre/internal/outcome"
)

// moneyOf is the GraphQL shape of an amount.
func moneyOf(m *money.Money) *Money {
	if m == nil {
		return nil
	}
	return &Money{Amount: m.Amount, Currency: m.Currency, Formatted: m.Amount.Format(m.Currency)}
}

func points(ps []outcome.Point) []*IndicatorPoint {
	out := make([]*IndicatorPoint, 0, len(ps))
	for _, p := range ps {
		out = append(out, &IndicatorPoint{At: p.At, Value: p.Value, MeetingID: p.Meeting.ID, Meeting: p.Meeting})
	}
	return out
}

// reportOf is the GraphQL shape of a report.
func reportOf(r *outcome.Report) *OutcomeReport {
	out := &OutcomeReport{Objective: r.Objective, Series: r.Series, Meeting: r.Meeting,
		Meetings: make([]*MeetingOutcome, 0, len(r.Meetings)), Indicators: make([]*IndicatorValue, 0, len(r.Indicators))}
	for _, l := range r.Meetings {
		out.Meetings = append(out.Meetings, &MeetingOutcome{Meeting: l.Meeting, Cost: moneyOf(l.Cost), Invited: l.Invited,
			Accepted: l.Accepted, CheckedIn: l.CheckedIn, AttendanceRate: l.AttendanceRate, NewRelationships: l.NewRelationships,
			FeedbackCount: l.FeedbackCount, AverageRating: l.AverageRating})
	}
	t := r.Totals
	out.Totals = &OutcomeTotals{MeetingCount: t.MeetingCount, Cost: moneyOf(&t.Cost), OtherCurrencyCosts: []*Money{},
		Invited: t.Invited, CheckedIn: t.CheckedIn, Attendees: t.Attendees, AttendanceRate: t.AttendanceRate,
		NewRelationships: t.NewRelationships, FeedbackCount: t.FeedbackCount, AverageSatisfaction: t.AverageSatisfaction,
		CostPerAttendee: moneyOf(t.CostPerAttendee), CostPerNewRelationship: moneyOf(t.CostPerNewRelation)}
	for i := range t.OtherCurrencyCosts {
		out.Totals.OtherCurrencyCosts = append(out.Totals.OtherCurrencyCosts, moneyOf(&t.OtherCurrencyCosts[i]))
	}
	for _, m := range r.Indicators {
		out.Indicators = append(out.Indicators, &IndicatorValue{Indicator: m.Indicator, Measured: m.Measured,
			Progress: m.Progress, Status: IndicatorStatus(m.Status), Series: points(m.Series)})
	}
	return out
}

// outcomeMemo keeps, for one operation, the indicators measured per
// objective: the fields of an indicator (measured, progress, status,
// series), and the indicators of one objective, share one load.
type outcomeMemo struct {
	mu          sync.Mutex
	byObjective map[int]*objectiveMeasures
	// rules are the organization's segment thresholds, read once.
	rulesOnce sync.Once
	rules     outcome.Rules
	rulesErr  error
}

type objectiveMeasures struct {
	once   sync.Once
	byID   map[int]*outcome.Measurement
	failed error
}

type outcomeMemoKey struct{}

// withOutcomeMemo gives each operation its own outcomeMemo.
func withOutcomeMemo(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, outcomeMemoKey{}, &outcomeMemo{byObjective: map[int]*objectiveMeasures{}}))
}

// measurement measures an indicator (with every indicator of its objective,
// once per operation).
func (r *Resolver) measurement(ctx context.Context, ind *ent.Indicator) (*outcome.Measurement, error) {
	memo, _ := ctx.Value(outcomeMemoKey{}).(*outcomeMemo)
	if memo == nil {
		memo = &outcomeMemo{byObjective: map[int]*objectiveMeasures{}}
	}
	memo.mu.Lock()
	om := memo.byObjective[ind.ObjectiveID]
	if om == nil {
		om = &objectiveMeasures{}
		memo.byObjective[ind.ObjectiveID] = om
	}
	memo.mu.Unlock()
	om.once.Do(func() {
		ms, err := outcome.MeasureIndicators(ctx, r.client, ind.ObjectiveID, r.now())
		om.failed = err
		om.byID = map[int]*outcome.Measurement{}
		for i := range ms {
			om.byID[ms[i].Indicator.ID] = &ms[i]
		}
	})
	if om.failed != nil {
		return nil, om.failed
	}
	if m := om.byID[ind.ID]; m != nil {
		return m, nil
	}
	return &outcome.Measurement{Indicator: ind, Status: outcome.NoData}, nil
}

// segmentRules are the segment thresholds of the viewer's organization,
// read once per operation (a list of people with their segment reads them
// once, not once per person).
func (r *Resolver) segmentRules(ctx context.Context) (outcome.Rules, error) {
	memo, _ := ctx.Value(outcomeMemoKey{}).(*outcomeMemo)
	if memo == nil {
		return outcome.LoadRules(ctx, r.client)
	}
	memo.rulesOnce.Do(func() { memo.rules, memo.rulesErr = outcome.LoadRules(ctx, r.client) })
	return memo.rules, memo.rulesErr
}

func segments(in []PersonSegment) []outcome.Segment {
	out := make([]outcome.Segment, len(in))
	for i, s := range in {
		out[i] = outcome.Segment(s)
	}
	return out
}

// inviteFilter is the people filter of meetingInvite's segments and vipOnly.
func (r *Resolver) inviteFilter(ctx context.Context, in MeetingInviteInput) ([]predicate.Person, error) {
	var filter []predicate.Person
	if in.Segments != nil {
		rules, err := r.segmentRules(ctx)
		if err != nil {
			return nil, err
		}
		filter = append(filter, outcome.InSegments(rules, r.now(), segments(in.Segments)))
	}
	if deref(in.VipOnly) {
		filter = append(filter, person.Vip(true))
	}
	return filter, nil
}
