package graph_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/indicator"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

var outcomeNow = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)

// outcomeAPI is an API over testenv.MergerWorld, with its clock.
func outcomeAPI(t *testing.T) (*api, *testenv.MergerWorld, graph.Options) {
	t.Helper()
	a := newAPI(t)
	w := testenv.NewMergerWorld(t, a.ent, "acme", outcomeNow)
	testenv.NewMergerWorld(t, a.ent, "other", outcomeNow)
	return a, w, graph.Options{Clock: func() time.Time { return outcomeNow }}
}

const reportQuery = `query Report($id: ID!) {
  report: objectiveReport(id: $id) {
    objective { title }
    meetings { meeting { id title } cost { amount currency formatted } invited checkedIn newRelationships averageRating }
    totals { ...Totals }
    indicators { indicator { metric target lowerIsBetter } measured progress status series { at value meetingID } }
  }
}
fragment Totals on OutcomeTotals {
  meetingCount invited checkedIn attendees newRelationships feedbackCount averageSatisfaction
  cost { amount currency } otherCurrencyCosts { amount currency }
  costPerAttendee { amount formatted } costPerNewRelationship { amount }
}`

type reportData struct {
	Report struct {
		Objective struct{ Title string }
		Meetings  []struct {
			Meeting   struct{ ID, Title string }
			Cost      *struct{ Amount, Currency, Formatted string }
			Invited   int
			CheckedIn int
		}
		Totals struct {
			MeetingCount, Invited, CheckedIn, Attendees, NewRelationships, FeedbackCount int
			AverageSatisfaction                                                          float64
			Cost                                                                         struct{ Amount, Currency string }
			OtherCurrencyCosts                                                           []struct{ Amount, Currency string }
			CostPerAttendee                                                              struct{ Amount, Formatted string }
			CostPerNewRelationship                                                       struct{ Amount string }
		}
		Indicators []struct {
			Indicator struct {
				Metric        string
				Target        float64
				LowerIsBetter bool
			}
			Measured *float64
			Progress *float64
			Status   string
			Series   []struct {
				At        string
				Value     float64
				MeetingID string
			}
		}
	}
}

func TestObjectiveReportThroughTheAPI(t *testing.T) {
	a, w, opts := outcomeAPI(t)
	var d reportData
	postWithOptions(t, a, opts, reportQuery, map[string]any{"id": gid(w.Objective.ID)}).mustData(t, &d)
	r := d.Report
	if r.Objective.Title != "One company" || len(r.Meetings) != 3 {
		t.Fatalf("report = %+v", r)
	}
	if r.Meetings[0].Cost == nil || r.Meetings[0].Cost.Amount != "1000.00" || r.Meetings[1].Cost.Formatted != "500.10" {
		t.Fatalf("meeting costs = %+v %+v", r.Meetings[0].Cost, r.Meetings[1].Cost)
	}
	tt := r.Totals
	if tt.Cost.Amount != "1500.10" || tt.Cost.Currency != "EUR" || tt.CostPerAttendee.Amount != "250.02" ||
		tt.CostPerNewRelationship.Amount != "375.03" || len(tt.OtherCurrencyCosts) != 1 || tt.OtherCurrencyCosts[0].Currency != "USD" {
		t.Fatalf("totals = %+v", tt)
	}
	if tt.Invited != 10 || tt.CheckedIn != 6 || tt.Attendees != 4 || tt.NewRelationships != 4 || tt.AverageSatisfaction != 4 {
		t.Fatalf("totals = %+v", tt)
	}
	byMetric := map[string]int{}
	for i, ind := range r.Indicators {
		byMetric[ind.Indicator.Metric] = i
	}
	tie := r.Indicators[byMetric["CROSS_LEGACY_TIE_SHARE"]]
	if tie.Status != "ACHIEVED" || len(tie.Series) != 2 || tie.Series[0].Value >= tie.Series[1].Value ||
		tie.Series[1].MeetingID != gid(w.M2.ID) {
		t.Fatalf("tie share = %+v, want rising over M1 and M2", tie)
	}
	cost := r.Indicators[byMetric["COST_PER_ATTENDEE"]]
	if !cost.Indicator.LowerIsBetter || cost.Status != "AT_RISK" {
		t.Fatalf("cost per attendee = %+v", cost)
	}
}

func TestIndicatorFieldsAreMeasuredOncePerObjective(t *testing.T) {
	a, w, opts := outcomeAPI(t)
	const q = `query($id: ID!) { node(id: $id) { ... on Objective { indicators(first: 20) { edges { node {
	  metric measured progress status series { value meetingID meeting { title } } } } } } } }`
	var d struct {
		Node struct {
			Indicators struct {
				Edges []struct {
					Node struct {
						Metric   string
						Measured *float64
						Status   string
						Series   []struct {
							Value   float64
							Meeting struct{ Title string }
						}
					}
				}
			}
		}
	}
	// Warm the token cache, so the count below is the query's own.
	postWithOptions(t, a, opts, `{ viewer { role } }`, nil)
	a.counter.Reset()
	postWithOptions(t, a, opts, q, map[string]any{"id": gid(w.Objective.ID)}).mustData(t, &d)
	first := a.counter.Count()
	// One load for the objective's eleven indicators, not one each (which
	// would take more than a hundred statements).
	if first > 25 {
		t.Fatalf("%d statements for one objective's indicators, want at most 25", first)
	}
	t.Logf("%d statements", first)
	edges := d.Node.Indicators.Edges
	if len(edges) != len(w.Indicators) {
		t.Fatalf("%d indicators, want %d", len(edges), len(w.Indicators))
	}
	for _, e := range edges {
		if e.Node.Metric == string(indicator.MetricAttendanceRate) {
			if e.Node.Status != "ON_TRACK" || len(e.Node.Series) != 2 || e.Node.Series[1].Meeting.Title != "Workshop" {
				t.Fatalf("attendance rate = %+v", e.Node)
			}
		}
	}
	// More meetings, people, check-ins and encounters: the same number of
	// statements (the measured series is loaded once for the objective).
	for i := range 4 {
		m := w.Meeting(fmt.Sprintf("Extra %d", i), outcomeNow.Add(-time.Duration(5+i)*24*time.Hour), 2*time.Hour, w.Objective)
		people := []*ent.Person{w.Person(fmt.Sprintf("x%d", i), w.A), w.Person(fmt.Sprintf("y%d", i), w.B)}
		w.Attend(m, people...)
		w.Attend(m, w.A1)
		w.Meet(m, people[0], people[1])
	}
	a.counter.Reset()
	postWithOptions(t, a, opts, q, map[string]any{"id": gid(w.Objective.ID)}).mustData(t, &d)
	if second := a.counter.Count(); second != first {
		t.Fatalf("statements: %d for 3 meetings, %d for 7: they must not grow with the rows", first, second)
	}
}

func TestSegmentsThroughTheAPI(t *testing.T) {
	a, w, opts := outcomeAPI(t)
	var d struct {
		Loyal struct {
			TotalCount int
			Edges      []struct {
				Node struct{ Name, Segment string }
			}
		}
		Counts struct{ Total, New, FirstTimer, Occasional, Regular, Loyal, Lapsed, Vip int }
		A      struct{ Total, Loyal int }
		Funnel []struct {
			From, To string
			Count    int
		}
	}
	postWithOptions(t, a, opts, `query($a: ID!, $from: Time!) {
	  loyal: people(where: {segmentIn: [LOYAL]}, orderBy: {field: NAME}) { totalCount edges { node { name segment } } }
	  counts: segmentCounts { total new firstTimer occasional regular loyal lapsed vip }
	  a: segmentCounts(communityID: $a) { total loyal }
	  funnel: segmentMovement(from: $from) { from to count }
	}`, map[string]any{"a": gid(w.A.ID), "from": outcomeNow.AddDate(0, 0, -100).Format(time.RFC3339)}).mustData(t, &d)
	if d.Loyal.TotalCount != 2 || d.Loyal.Edges[0].Node.Name != "a1" || d.Loyal.Edges[1].Node.Segment != "LOYAL" {
		t.Fatalf("loyal people = %+v", d.Loyal)
	}
	if c := d.Counts; c.Total != 8 || c.New != 2 || c.FirstTimer != 2 || c.Occasional != 1 || c.Loyal != 2 || c.Lapsed != 1 || c.Vip != 1 {
		t.Fatalf("counts = %+v", c)
	}
	if d.A.Total != 3 || d.A.Loyal != 1 {
		t.Fatalf("counts of A = %+v", d.A)
	}
	if len(d.Funnel) != 5 {
		t.Fatalf("funnel = %+v", d.Funnel)
	}
	t.Run("a page of people costs one statement for all their segments", func(t *testing.T) {
		const q = `query($n: Int!) { people(first: $n, orderBy: {field: NAME}) { edges { node { id segment } } } }`
		type page struct {
			People struct {
				Edges []struct{ Node struct{ ID, Segment string } }
			}
		}
		count := func(n int) (int64, page) {
			var p page
			a.counter.Reset()
			postWithOptions(t, a, opts, q, map[string]any{"n": n}).mustData(t, &p)
			return a.counter.Count(), p
		}
		two, _ := count(2)
		eight, p := count(8)
		if eight != two || len(p.People.Edges) != 8 {
			t.Fatalf("statements: %d for 2 people, %d for 8 (%d answered); want the same", two, eight, len(p.People.Edges))
		}
		// Each person's segment is the one asked alone.
		for _, e := range p.People.Edges {
			var one struct{ Node struct{ Segment string } }
			postWithOptions(t, a, opts, `query($id: ID!) { node(id: $id) { ... on Person { segment } } }`,
				map[string]any{"id": e.Node.ID}).mustData(t, &one)
			if one.Node.Segment != e.Node.Segment {
				t.Fatalf("person %s: %s in the page, %s alone", e.Node.ID, e.Node.Segment, one.Node.Segment)
			}
		}
	})
	t.Run("segmentMovement refuses from after to", func(t *testing.T) {
		res := postWithOptions(t, a, opts, `{ segmentMovement(from: "2030-01-01T00:00:00Z", to: "2029-01-01T00:00:00Z") { count } }`, nil)
		if len(res.Errors) != 1 || res.Errors[0].code() != "BAD_USER_INPUT" {
			t.Fatalf("errors = %+v", res.Errors)
		}
	})
	t.Run("an unknown community is not found", func(t *testing.T) {
		res := postWithOptions(t, a, opts, `{ segmentCounts(communityID: "1") { total } }`, nil)
		if len(res.Errors) != 1 || res.Errors[0].code() != "NOT_FOUND" {
			t.Fatalf("errors = %+v", res.Errors)
		}
	})
	t.Run("meetingInvite invites the loyal members of a community, then the VIPs", func(t *testing.T) {
		dinner := w.Meeting("VIP dinner", outcomeNow.AddDate(0, 1, 0), 3*time.Hour)
		var inv struct {
			Loyal, Vips struct {
				InvitedCount int
				Invited      []struct{ Person struct{ Name string } }
				UserErrors   []userError
			}
		}
		postWithOptions(t, a, opts, `mutation($m: ID!, $a: ID!) {
		  loyal: meetingInvite(input: {meetingID: $m, communityID: $a, segments: [LOYAL]}) { ...Invited }
		  vips: meetingInvite(input: {meetingID: $m, vipOnly: true, role: VIP}) { ...Invited }
		}
		fragment Invited on MeetingInvitePayload { invitedCount invited { person { name } } userErrors { field message code } }`,
			map[string]any{"m": gid(dinner.ID), "a": gid(w.A.ID)}).mustData(t, &inv)
		if inv.Loyal.InvitedCount != 1 || inv.Loyal.Invited[0].Person.Name != "a1" {
			t.Fatalf("loyal of A = %+v", inv.Loyal)
		}
		if inv.Vips.InvitedCount != 1 || inv.Vips.Invited[0].Person.Name != "b1" {
			t.Fatalf("VIPs = %+v", inv.Vips)
		}
		n, err := a.ent.Participation.Query().Where(participation.MeetingID(dinner.ID)).Count(testenv.System())
		if err != nil || n != 2 {
			t.Fatalf("participations = %d, %v; want 2", n, err)
		}
	})
}

func TestBudgetsAreExactDecimals(t *testing.T) {
	a, w, opts := outcomeAPI(t)
	var d struct {
		Update struct {
			Meeting *struct {
				BudgetAmount   string
				BudgetCurrency string
				Budget         struct{ Amount, Formatted string }
			}
			UserErrors []userError
		}
	}
	// No currency given: the organization's (EUR); a number literal is read
	// by its decimal text.
	postWithOptions(t, a, opts, `mutation($id: ID!) { update: meetingUpdate(id: $id, input: {budgetAmount: 0.1}) {
	  meeting { budgetAmount budgetCurrency budget { amount formatted } } userErrors { field message code } } }`,
		map[string]any{"id": gid(w.M3.ID)}).mustData(t, &d)
	if d.Update.Meeting == nil || d.Update.Meeting.BudgetAmount != "0.10" || d.Update.Meeting.BudgetCurrency != "USD" {
		t.Fatalf("update = %+v", d.Update)
	}
	m := w.Meeting("Unbudgeted", outcomeNow.AddDate(0, 2, 0), time.Hour)
	postWithOptions(t, a, opts, `mutation($id: ID!, $b: Decimal) { update: meetingUpdate(id: $id, input: {budgetAmount: $b}) {
	  meeting { budgetAmount budgetCurrency budget { amount formatted } } userErrors { field message code } } }`,
		map[string]any{"id": gid(m.ID), "b": "1234.5"}).mustData(t, &d)
	if d.Update.Meeting == nil || d.Update.Meeting.BudgetAmount != "1234.50" || d.Update.Meeting.BudgetCurrency != "EUR" ||
		d.Update.Meeting.Budget.Formatted != "1234.50" {
		t.Fatalf("update = %+v", d.Update)
	}
	for _, bad := range []any{"12,5", "1e3", "abc", true} {
		res := postWithOptions(t, a, opts, `mutation($id: ID!, $b: Decimal) { meetingUpdate(id: $id, input: {budgetAmount: $b}) { userErrors { message } } }`,
			map[string]any{"id": gid(m.ID), "b": bad})
		if len(res.Errors) != 1 || res.Errors[0].code() != "BAD_USER_INPUT" {
			t.Fatalf("budget %v: errors = %+v, want BAD_USER_INPUT", bad, res.Errors)
		}
	}
}

func TestSeriesReportCoversTheOccurrences(t *testing.T) {
	s := newSeriesAPI(t, 12)
	ctx := testenv.System()
	obj := s.ent.Objective.Create().SetOrganization(s.org).SetTitle("Come back").
		SetCategory("MOTIVATION").SetPurpose("MOTIVATION_SESSION").SaveX(ctx)
	s.ent.Indicator.Create().SetObjective(obj).SetMetric(indicator.MetricReturnRate).SetTarget(0.5).SaveX(ctx)
	in := s.monthly()
	in["objectiveIDs"] = []string{gid(obj.ID)}
	var created struct {
		Result struct {
			Object     seriesObj
			UserErrors []userError
		}
	}
	postWithOptions(t, s.api, graph.Options{Clock: s.clock.Now}, seriesCreate, map[string]any{"input": in}).mustData(t, &created)
	if len(created.Result.UserErrors) > 0 {
		t.Fatalf("seriesCreate: %+v", created.Result.UserErrors)
	}
	occ := created.Result.Object.Occurrences
	if len(occ) != 11 {
		t.Fatalf("%d occurrences, want 11", len(occ))
	}
	// January: three people; February: one of them comes back, one new.
	s.clock.now = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	b := testenv.BuilderFor(t, s.ent, s.org, s.clock.now)
	jan, _ := strconv.Atoi(occ[0].ID)
	feb, _ := strconv.Atoi(occ[1].ID)
	b.CheckIn(s.ent.Meeting.GetX(ctx, jan), s.people[0], s.people[1], s.people[2])
	b.CheckIn(s.ent.Meeting.GetX(ctx, feb), s.people[0], s.people[3])
	var d struct {
		SeriesReport struct {
			Series     struct{ Title string }
			Meetings   []struct{ CheckedIn int }
			Totals     struct{ MeetingCount, CheckedIn, Attendees int }
			Indicators []struct {
				Measured *float64
				Status   string
				Series   []struct{ MeetingID string }
			}
		}
	}
	postWithOptions(t, s.api, graph.Options{Clock: s.clock.Now}, `query($id: ID!) { seriesReport(id: $id) {
	  series { title } meetings { checkedIn } totals { meetingCount checkedIn attendees }
	  indicators { measured status series { meetingID } } } }`, map[string]any{"id": created.Result.Object.ID}).mustData(t, &d)
	r := d.SeriesReport
	if r.Series.Title != "Monthly team-building" || r.Totals.MeetingCount != 11 || r.Totals.CheckedIn != 5 || r.Totals.Attendees != 4 {
		t.Fatalf("report = %+v", r)
	}
	if len(r.Indicators) != 1 || r.Indicators[0].Measured == nil || !closeTo(*r.Indicators[0].Measured, 1.0/3) ||
		r.Indicators[0].Status != "AT_RISK" || len(r.Indicators[0].Series) != 1 || r.Indicators[0].Series[0].MeetingID != occ[1].ID {
		t.Fatalf("return rate = %+v, want 1/3 after February", r.Indicators)
	}
}

func closeTo(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
