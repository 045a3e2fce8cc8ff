package outcome_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/indicator"
	"github.com/rencontre/rencontre/ent/schema"
	"github.com/rencontre/rencontre/internal/outcome"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

var now = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

// world is the merger of testenv.MergerWorld, next to a second organization
// with the same records (which must never count).
func world(t *testing.T) (*testenv.MergerWorld, context.Context) {
	t.Helper()
	c := testenv.Client(t)
	testenv.NewMergerWorld(t, c, "other", now)
	w := testenv.NewMergerWorld(t, c, "acme", now)
	ctx := viewer.NewContext(schema.WithNow(context.Background(), now), &viewer.Viewer{OrganizationID: w.Org.ID, Role: viewer.Planner})
	return w, ctx
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestIndicatorsOfTheMergerAreMeasuredFromTheRecords(t *testing.T) {
	w, ctx := world(t)
	ms, err := outcome.MeasureIndicators(ctx, w.C, w.Objective.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	// Values after M1 and after M2, worked out by hand from the world.
	for _, tc := range []struct {
		metric   indicator.Metric
		after    []float64 // after M1, after M2 (NaN: no point)
		progress float64
		status   outcome.Status
	}{
		{indicator.MetricNewConnectionsPerAttendee, []float64{2.0 * 2 / 3, 2.0 * 4 / 6}, 4.0 / 3, outcome.Achieved},
		{indicator.MetricCrossCommunityConnectionShare, []float64{2.0 / 3, 3.0 / 4}, 1.5, outcome.Achieved},
		{indicator.MetricCommunitiesBridged, []float64{1, 1}, 0.5, outcome.AtRisk},
		{indicator.MetricAttendanceRate, []float64{3.0 / 6, 4.0 / 6}, (4.0 / 6) / 0.8, outcome.OnTrack},
		{indicator.MetricFollowUpsOnTimeShare, []float64{1.0 / 2, 1.0 / 3}, (1.0 / 3) / 0.9, outcome.AtRisk},
		{indicator.MetricCrossLegacyTieShare, []float64{2.0 / 6, 3.0 / 6}, 1, outcome.Achieved},
		{indicator.MetricAverageSatisfaction, []float64{4.5, 4}, 1, outcome.Achieved},
		{indicator.MetricReturnRate, []float64{math.NaN(), 2.0 / 3}, (2.0 / 3) / 0.9, outcome.AtRisk},
		{indicator.MetricLoyalSegmentGrowth, []float64{0, 2}, 1, outcome.Achieved},
		{indicator.MetricCostPerAttendee, []float64{1000.0 / 3, 1500.10 / 6}, 200 / (1500.10 / 6), outcome.AtRisk},
		{indicator.MetricCostPerNewConnection, []float64{1000.0 / 2, 1500.10 / 4}, 400 / (1500.10 / 4), outcome.Achieved},
	} {
		t.Run(string(tc.metric), func(t *testing.T) {
			var m *outcome.Measurement
			for i := range ms {
				if ms[i].Indicator.ID == w.Indicators[tc.metric].ID {
					m = &ms[i]
				}
			}
			if m == nil {
				t.Fatalf("indicator %s not measured", tc.metric)
			}
			var want []float64
			var wantMeetings []int
			for k, v := range tc.after {
				if !math.IsNaN(v) {
					want = append(want, v)
					wantMeetings = append(wantMeetings, []int{w.M1.ID, w.M2.ID}[k])
				}
			}
			if len(m.Series) != len(want) {
				t.Fatalf("series = %+v, want values %v", m.Series, want)
			}
			for k, p := range m.Series {
				if !near(p.Value, want[k]) || p.Meeting.ID != wantMeetings[k] {
					t.Errorf("point %d = %v at meeting %d, want %v at %d", k, p.Value, p.Meeting.ID, want[k], wantMeetings[k])
				}
			}
			if m.Measured == nil || !near(*m.Measured, want[len(want)-1]) {
				t.Errorf("measured = %v, want %v", m.Measured, want[len(want)-1])
			}
			if m.Progress == nil || !near(*m.Progress, tc.progress) {
				t.Errorf("progress = %v, want %v", m.Progress, tc.progress)
			}
			if m.Status != tc.status {
				t.Errorf("status = %s, want %s", m.Status, tc.status)
			}
		})
	}
	t.Run("an objective without meetings has no data", func(t *testing.T) {
		ms, err := outcome.MeasureIndicators(ctx, w.C, w.Empty.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Status != outcome.NoData || ms[0].Measured != nil || len(ms[0].Series) != 0 {
			t.Fatalf("measurements = %+v, want one NO_DATA", ms)
		}
	})
	t.Run("an objective past its due date is at risk below its target", func(t *testing.T) {
		later := w.Objective.DueDate.Add(time.Hour)
		ms, err := outcome.MeasureIndicators(ctx, w.C, w.Objective.ID, later)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Indicator.Metric == indicator.MetricAttendanceRate && m.Status != outcome.AtRisk {
				t.Fatalf("ATTENDANCE_RATE after the due date = %s, want AT_RISK", m.Status)
			}
		}
	})
}

func TestObjectiveReportAddsCostsUpExactly(t *testing.T) {
	w, ctx := world(t)
	r, err := outcome.ObjectiveReport(ctx, w.C, w.Objective.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	tt := r.Totals
	if len(r.Meetings) != 3 || r.Meetings[0].Meeting.ID != w.M1.ID || r.Meetings[2].Meeting.ID != w.M3.ID {
		t.Fatalf("meetings = %+v, want M1, M2, M3", r.Meetings)
	}
	if tt.MeetingCount != 3 || tt.Invited != 10 || tt.CheckedIn != 6 || tt.Attendees != 4 || tt.NewRelationships != 4 || tt.FeedbackCount != 3 {
		t.Fatalf("totals = %+v", tt)
	}
	if tt.Cost.Amount.String() != "1500.10" || tt.Cost.Currency != "EUR" {
		t.Fatalf("cost = %v %s, want 1500.10 EUR", tt.Cost.Amount, tt.Cost.Currency)
	}
	if len(tt.OtherCurrencyCosts) != 1 || tt.OtherCurrencyCosts[0].Amount.String() != "200.00" || tt.OtherCurrencyCosts[0].Currency != "USD" {
		t.Fatalf("other currencies = %+v, want 200.00 USD", tt.OtherCurrencyCosts)
	}
	// 1500.10 / 6 = 250.01666… and 1500.10 / 4 = 375.025, rounded half away
	// from zero to the cent.
	if tt.CostPerAttendee == nil || tt.CostPerAttendee.Amount.String() != "250.02" {
		t.Fatalf("cost per attendee = %+v, want 250.02", tt.CostPerAttendee)
	}
	if tt.CostPerNewRelation == nil || tt.CostPerNewRelation.Amount.String() != "375.03" {
		t.Fatalf("cost per new relationship = %+v, want 375.03", tt.CostPerNewRelation)
	}
	if tt.AttendanceRate == nil || !near(*tt.AttendanceRate, 0.6) || tt.AverageSatisfaction == nil || !near(*tt.AverageSatisfaction, 4) {
		t.Fatalf("rates = %v, %v", tt.AttendanceRate, tt.AverageSatisfaction)
	}
	m1 := r.Meetings[0]
	if m1.Invited != 4 || m1.Accepted != 4 || m1.CheckedIn != 3 || m1.NewRelationships != 2 || m1.FeedbackCount != 2 || !near(*m1.AverageRating, 4.5) {
		t.Fatalf("M1 = %+v", m1)
	}
	if len(r.Indicators) != len(w.Indicators) {
		t.Fatalf("indicators = %d, want %d", len(r.Indicators), len(w.Indicators))
	}
	t.Run("a meeting to come adds to the cost, not to the cost per attendee", func(t *testing.T) {
		w.Budget(w.M3, "200", "EUR")
		r, err := outcome.ObjectiveReport(ctx, w.C, w.Objective.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if r.Totals.Cost.Amount.String() != "1700.10" || r.Totals.CostPerAttendee.Amount.String() != "250.02" || len(r.Totals.OtherCurrencyCosts) != 0 {
			t.Fatalf("totals = %+v", r.Totals)
		}
	})
}

func TestMeetingReportMeasuresTheMeetingAlone(t *testing.T) {
	w, ctx := world(t)
	r, err := outcome.MeetingReport(ctx, w.C, w.M2.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.NewRelationships != 2 || r.Totals.CheckedIn != 3 || r.Totals.Cost.Amount.String() != "500.10" {
		t.Fatalf("totals = %+v", r.Totals)
	}
	for _, m := range r.Indicators {
		if m.Indicator.Metric == indicator.MetricNewConnectionsPerAttendee && (m.Measured == nil || !near(*m.Measured, 4.0/3)) {
			t.Fatalf("new connections per attendee at M2 alone = %v, want 4/3", m.Measured)
		}
	}
	if _, err := outcome.MeetingReport(ctx, w.C, w.M2.ID+1_000_000, now); err == nil {
		t.Fatal("an unknown meeting was reported on")
	}
}

func TestSegmentsComeFromCheckIns(t *testing.T) {
	w, ctx := world(t)
	rules, err := outcome.LoadRules(ctx, w.C)
	if err != nil {
		t.Fatal(err)
	}
	want := map[*ent.Person]outcome.Segment{
		w.A1: outcome.Loyal, w.B1: outcome.Loyal, w.A2: outcome.FirstTimer, w.B2: outcome.FirstTimer,
		w.A3: outcome.New, w.B3: outcome.New, w.C1: outcome.Lapsed, w.D1: outcome.Occasional,
	}
	for p, seg := range want {
		got, err := outcome.SegmentOf(ctx, w.C, rules, p.ID, now)
		if err != nil || got != seg {
			t.Errorf("segment of %s = %s, %v; want %s", p.Name, got, err, seg)
		}
	}
	t.Run("the SQL filter selects the same people", func(t *testing.T) {
		for _, seg := range outcome.Segments {
			ids, err := w.C.Person.Query().Where(outcome.InSegments(rules, now, []outcome.Segment{seg})).IDs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []int
			for p, s := range want {
				if s == seg {
					wantIDs = append(wantIDs, p.ID)
				}
			}
			if len(ids) != len(wantIDs) {
				t.Errorf("%s: %v, want %v", seg, ids, wantIDs)
			}
		}
	})
	t.Run("counts per organization and per community", func(t *testing.T) {
		c, err := outcome.CountSegments(ctx, w.C, rules, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if c.Total != 8 || c.VIP != 1 || c.BySegment[outcome.New] != 2 || c.BySegment[outcome.FirstTimer] != 2 ||
			c.BySegment[outcome.Occasional] != 1 || c.BySegment[outcome.Loyal] != 2 || c.BySegment[outcome.Lapsed] != 1 || c.BySegment[outcome.Regular] != 0 {
			t.Fatalf("counts = %+v", c)
		}
		a, err := outcome.CountSegments(ctx, w.C, rules, &w.A.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		if a.Total != 3 || a.BySegment[outcome.Loyal] != 1 || a.BySegment[outcome.FirstTimer] != 1 || a.BySegment[outcome.New] != 1 {
			t.Fatalf("counts of A = %+v", a)
		}
	})
	t.Run("the loyalty funnel between two dates", func(t *testing.T) {
		moves, err := outcome.Movement(ctx, w.C, rules, nil, now.AddDate(0, 0, -100), now)
		if err != nil {
			t.Fatal(err)
		}
		got := map[[2]outcome.Segment]int{}
		for _, m := range moves {
			got[[2]outcome.Segment{m.From, m.To}] = m.Count
		}
		wantMoves := map[[2]outcome.Segment]int{
			{outcome.New, outcome.New}: 2, {outcome.New, outcome.FirstTimer}: 2, {outcome.FirstTimer, outcome.Loyal}: 2,
			{outcome.FirstTimer, outcome.Lapsed}: 1, {outcome.Regular, outcome.Occasional}: 1,
		}
		if len(got) != len(wantMoves) {
			t.Fatalf("moves = %v, want %v", got, wantMoves)
		}
		for k, n := range wantMoves {
			if got[k] != n {
				t.Errorf("%s -> %s = %d, want %d", k[0], k[1], got[k], n)
			}
		}
	})
}

// TestSegmentRulesAgree checks the Go rule (Classify, for time series)
// against the SQL one (filters, counts) for everyone at several times.
func TestSegmentRulesAgree(t *testing.T) {
	w, ctx := world(t)
	rules, err := outcome.LoadRules(ctx, w.C)
	if err != nil {
		t.Fatal(err)
	}
	people, err := w.C.Person.Query().WithParticipations().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{-500, -401, -399, -250, -199, -100, -31, -29, -9, 0, 200, 400} {
		at := now.AddDate(0, 0, days)
		for _, p := range people {
			var checkIns []time.Time
			for _, pa := range p.Edges.Participations {
				if pa.CheckedInAt != nil {
					checkIns = append(checkIns, *pa.CheckedInAt)
				}
			}
			sqlSeg, err := outcome.SegmentOf(ctx, w.C, rules, p.ID, at)
			if err != nil {
				t.Fatal(err)
			}
			if goSeg := rules.Classify(checkIns, at); goSeg != sqlSeg {
				t.Errorf("%s at %+d days: Go says %s, SQL says %s", p.Name, days, goSeg, sqlSeg)
			}
		}
	}
}
