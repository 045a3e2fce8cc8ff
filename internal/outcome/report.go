package outcome

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/indicator"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/ent/series"
	"github.com/rencontre/rencontre/internal/money"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/validation"
)

// Status is whether an indicator meets its target.
type Status string

// The statuses (the rule is in Measure's comment and the schema).
const (
	NoData   Status = "NO_DATA"
	AtRisk   Status = "AT_RISK"
	OnTrack  Status = "ON_TRACK"
	Achieved Status = "ACHIEVED"
)

// OnTrackProgress is the progress from which an indicator is ON_TRACK.
const OnTrackProgress = 0.8

// Point is an indicator's value after one meeting.
type Point struct {
	At      time.Time
	Value   float64
	Meeting *ent.Meeting
}

// Measurement is an indicator measured over meetings.
type Measurement struct {
	Indicator          *ent.Indicator
	Measured, Progress *float64
	Status             Status
	Series             []Point
}

// MeetingLine is one meeting's figures in a report.
type MeetingLine struct {
	Meeting                      *ent.Meeting
	Cost                         *money.Money
	Invited, Accepted, CheckedIn int
	AttendanceRate               *float64
	NewRelationships             int
	FeedbackCount                int
	AverageRating                *float64
}

// Totals add up a report's meetings.
type Totals struct {
	MeetingCount        int
	Cost                money.Money
	OtherCurrencyCosts  []money.Money
	Invited, CheckedIn  int
	Attendees           int
	AttendanceRate      *float64
	NewRelationships    int
	FeedbackCount       int
	AverageSatisfaction *float64
	CostPerAttendee     *money.Money
	CostPerNewRelation  *money.Money
}

// Report is the outcome of an objective, a series or a meeting.
type Report struct {
	Objective  *ent.Objective
	Series     *ent.Series
	Meeting    *ent.Meeting
	Meetings   []MeetingLine
	Totals     Totals
	Indicators []Measurement
}

// ObjectiveReport reports on an objective's meetings and measures its
// indicators over them.
func ObjectiveReport(ctx context.Context, c *ent.Client, id int, now time.Time) (*Report, error) {
	o, err := objectives(ctx, c, objective.ID(id))
	if err != nil {
		return nil, err
	}
	if len(o) == 0 {
		return nil, validation.NotFound("id", "no objective with ID %d", id)
	}
	return reportOn(ctx, c, &Report{Objective: o[0]}, o, c.Meeting.Query().Where(meeting.HasObjectivesWith(objective.ID(id))), &id, now)
}

// MeetingReport reports on one meeting and measures the indicators of its
// objectives on it alone.
func MeetingReport(ctx context.Context, c *ent.Client, id int, now time.Time) (*Report, error) {
	m, err := c.Meeting.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("id", "no meeting with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading meeting %d: %w", id, err)
	}
	o, err := objectives(ctx, c, objective.HasMeetingsWith(meeting.ID(id)))
	if err != nil {
		return nil, err
	}
	return reportOn(ctx, c, &Report{Meeting: m}, o, c.Meeting.Query().Where(meeting.ID(id)), nil, now)
}

// SeriesReport reports on a series' occurrences and measures the
// indicators of its objectives on them.
func SeriesReport(ctx context.Context, c *ent.Client, id int, now time.Time) (*Report, error) {
	s, err := c.Series.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("id", "no series with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading series %d: %w", id, err)
	}
	o, err := objectives(ctx, c, objective.HasSeriesWith(series.ID(id)))
	if err != nil {
		return nil, err
	}
	return reportOn(ctx, c, &Report{Series: s}, o, c.Meeting.Query().Where(meeting.SeriesID(id)), nil, now)
}

// reportOn fills r with the meetings of mq, measuring the indicators of os
// over them; objectiveID adds the objective's own follow-ups.
func reportOn(ctx context.Context, c *ent.Client, r *Report, os []*ent.Objective, mq *ent.MeetingQuery, objectiveID *int, now time.Time) (*Report, error) {
	f, err := loadFacts(ctx, c, mq, objectiveID, targetsOf(os), now)
	if err != nil {
		return nil, err
	}
	if err := f.report(ctx, c, r, os); err != nil {
		return nil, err
	}
	return r, nil
}

// MeasureIndicators measures indicators over all the meetings of their
// objectives: one load per objective.
func MeasureIndicators(ctx context.Context, c *ent.Client, objectiveID int, now time.Time) ([]Measurement, error) {
	o, err := objectives(ctx, c, objective.ID(objectiveID))
	if err != nil || len(o) == 0 {
		return nil, err
	}
	f, err := loadFacts(ctx, c, c.Meeting.Query().Where(meeting.HasObjectivesWith(objective.ID(objectiveID))), &objectiveID, targetsOf(o), now)
	if err != nil {
		return nil, err
	}
	return f.measure(ctx, c, o)
}

// objectives loads objectives with their target communities and
// indicators.
func objectives(ctx context.Context, c *ent.Client, where ...predicate.Objective) ([]*ent.Objective, error) {
	os, err := c.Objective.Query().Where(where...).Order(objective.ByID()).
		WithCommunities(func(q *ent.CommunityQuery) { q.Select(community.FieldID) }).
		WithIndicators(func(q *ent.IndicatorQuery) { q.Order(indicator.ByID()) }).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the objectives: %w", err)
	}
	return os, nil
}

func targetsOf(os []*ent.Objective) []int {
	seen := map[int]bool{}
	var out []int
	for _, o := range os {
		for _, cm := range o.Edges.Communities {
			if !seen[cm.ID] {
				seen[cm.ID] = true
				out = append(out, cm.ID)
			}
		}
	}
	return out
}

// report fills r from the facts and measures the objectives' indicators.
func (f *facts) report(ctx context.Context, c *ent.Client, r *Report, os []*ent.Objective) error {
	t := &r.Totals
	t.Cost = money.Money{Currency: f.currency}
	others := map[string]money.Amount{}
	attendees := map[int]bool{}
	var pricedCheckIns, pricedPairs, ratings int
	var spent money.Amount // budgets of the meetings started by now
	for _, m := range f.meetings {
		line := MeetingLine{Meeting: m.meeting, Invited: m.invited, Accepted: m.accepted, CheckedIn: m.checkedIn,
			AttendanceRate: ratio(float64(m.checkedIn), float64(m.invited)), NewRelationships: len(m.newPairs),
			FeedbackCount: m.feedbackCount, AverageRating: ratio(float64(m.ratings), float64(m.feedbackCount))}
		if b, cur := m.meeting.BudgetAmount, m.meeting.BudgetCurrency; b != nil && cur != nil {
			line.Cost = &money.Money{Amount: *b, Currency: *cur}
			if *cur == f.currency {
				t.Cost.Amount += *b
				if m.started(f.now) {
					spent += *b
					pricedCheckIns += m.checkedIn
					pricedPairs += len(m.newPairs)
				}
			} else {
				others[*cur] += *b
			}
		}
		r.Meetings = append(r.Meetings, line)
		t.MeetingCount++
		t.Invited += m.invited
		t.CheckedIn += m.checkedIn
		t.NewRelationships += len(m.newPairs)
		t.FeedbackCount += m.feedbackCount
		ratings += m.ratings
		for _, id := range m.attendees {
			attendees[id] = true
		}
	}
	t.Attendees = len(attendees)
	t.AttendanceRate = ratio(float64(t.CheckedIn), float64(t.Invited))
	t.AverageSatisfaction = ratio(float64(ratings), float64(t.FeedbackCount))
	if per, ok := spent.Div(int64(pricedCheckIns), f.currency); ok {
		t.CostPerAttendee = &money.Money{Amount: per, Currency: f.currency}
	}
	if per, ok := spent.Div(int64(pricedPairs), f.currency); ok {
		t.CostPerNewRelation = &money.Money{Amount: per, Currency: f.currency}
	}
	codes := make([]string, 0, len(others))
	for code := range others {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		t.OtherCurrencyCosts = append(t.OtherCurrencyCosts, money.Money{Amount: others[code], Currency: code})
	}
	ms, err := f.measure(ctx, c, os)
	r.Indicators = ms
	return err
}

// measure computes the indicators of the objectives over the started
// meetings of the facts. The status rule: NO_DATA without a measured value;
// ACHIEVED from progress 1; ON_TRACK from progress OnTrackProgress while
// the objective's due date has not passed; AT_RISK otherwise.
func (f *facts) measure(ctx context.Context, c *ent.Client, os []*ent.Objective) ([]Measurement, error) {
	started := f.started()
	var history []int
	targets := map[int]*target{}
	for _, o := range os {
		t := &target{due: o.DueDate}
		for _, cm := range o.Edges.Communities {
			t.communities = append(t.communities, cm.ID)
		}
		sort.Ints(t.communities)
		targets[o.ID] = t
		for _, ind := range o.Edges.Indicators {
			switch ind.Metric {
			case indicator.MetricCrossLegacyTieShare:
				if t.tiePoints == nil && len(t.communities) >= 2 {
					now := f.now
					points, err := network.TieShares(ctx, c, t.communities, nil, &now, now)
					if err != nil {
						return nil, fmt.Errorf("measuring the tie share: %w", err)
					}
					t.tiePoints = points
				}
			case indicator.MetricLoyalSegmentGrowth:
				history = append(history, f.population(t.communities, started)...)
			}
		}
	}
	if len(history) > 0 && f.history == nil {
		if err := f.loadHistory(ctx, c, history); err != nil {
			return nil, err
		}
	}
	var out []Measurement
	for _, o := range os {
		for _, ind := range o.Edges.Indicators {
			out = append(out, f.measureOne(ind, targets[o.ID], started))
		}
	}
	return out, nil
}

func (f *facts) measureOne(ind *ent.Indicator, t *target, ms []*meetingFacts) Measurement {
	m := Measurement{Indicator: ind, Status: NoData, Series: []Point{}}
	compute := metrics[ind.Metric]
	if compute == nil {
		return m
	}
	values := compute(f, t, ms)
	for k, v := range values {
		if v != nil {
			m.Series = append(m.Series, Point{At: ms[k].at(f.now), Value: *v, Meeting: ms[k].meeting})
		}
	}
	if len(values) > 0 {
		m.Measured = values[len(values)-1]
	}
	if m.Measured == nil {
		return m
	}
	p := progress(*m.Measured, ind.Target, LowerIsBetter(ind.Metric))
	m.Progress = &p
	switch {
	case p >= 1:
		m.Status = Achieved
	case p >= OnTrackProgress && (t.due == nil || !f.now.After(*t.due)):
		m.Status = OnTrack
	default:
		m.Status = AtRisk
	}
	return m
}

// progress is measured / target, or target / measured where lower is
// better; 1 when the divisor is zero (nothing to reach, or nothing spent).
func progress(measured, target float64, lowerIsBetter bool) float64 {
	if lowerIsBetter {
		measured, target = target, measured
	}
	if target == 0 {
		return 1
	}
	return measured / target
}
