package outcome_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/indicator"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/schema"
	"github.com/rencontre/rencontre/internal/money"
	"github.com/rencontre/rencontre/internal/outcome"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

// BenchmarkObjectiveReport50Meetings reports on an objective with 50
// meetings, 5,000 participations (4,500 check-ins), 2,250 encounters and
// every indicator metric, as the planner's objectiveReport does:
//
//	RENCONTRE_TEST_DB=postgres go test -run '^$' -bench ObjectiveReport50 ./internal/outcome
func BenchmarkObjectiveReport50Meetings(b *testing.B) {
	c, counter := testenv.ClientWithCounter(b)
	sys := testenv.System()
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	now := start.AddDate(1, 0, 0)
	w := testenv.NewBuilder(b, c, "bench", now)
	coms := []*ent.Community{w.Community("Alder"), w.Community("Finch")}
	var people []*ent.PersonCreate
	for i := range 400 {
		people = append(people, c.Person.Create().SetOrganization(w.Org).SetName(fmt.Sprintf("P%03d", i)).
			SetEmail(fmt.Sprintf("p%03d@bench.example", i)).AddCommunities(coms[i%2]))
	}
	ps := c.Person.CreateBulk(people...).SaveX(sys)
	obj := c.Objective.Create().SetOrganization(w.Org).SetTitle("Merge").SetCategory("CHANGE").
		SetPurpose("CULTURE_MERGER").AddCommunities(coms...).SaveX(sys)
	for _, m := range []indicator.Metric{
		indicator.MetricNewConnectionsPerAttendee, indicator.MetricCrossCommunityConnectionShare,
		indicator.MetricCommunitiesBridged, indicator.MetricAttendanceRate, indicator.MetricFollowUpsOnTimeShare,
		indicator.MetricCrossLegacyTieShare, indicator.MetricAverageSatisfaction, indicator.MetricReturnRate,
		indicator.MetricLoyalSegmentGrowth, indicator.MetricCostPerAttendee, indicator.MetricCostPerNewConnection,
	} {
		c.Indicator.Create().SetObjective(obj).SetMetric(m).SetTarget(1).SaveX(sys)
	}
	ctx := schema.WithNow(sys, now)
	for k := range 50 {
		at := start.AddDate(0, 0, 7*k)
		m := c.Meeting.Create().SetOrganization(w.Org).SetTitle(fmt.Sprintf("Meeting %d", k)).SetStartsAt(at).
			SetEndsAt(at.Add(4 * time.Hour)).SetTimeZone("Europe/Paris").SetBudgetAmount(money.Units(1000)).
			AddObjectives(obj).SaveX(ctx)
		var parts []*ent.ParticipationCreate
		for i := range 100 {
			p := ps[(k*37+i)%len(ps)]
			pc := c.Participation.Create().SetMeetingID(m.ID).SetPersonID(p.ID).SetInvitedAt(at.Add(-time.Hour))
			if i < 90 {
				pc.SetStatus(participation.StatusAccepted).SetCheckedInAt(at)
			}
			parts = append(parts, pc)
		}
		c.Participation.CreateBulk(parts...).SaveX(ctx)
		var encs []*ent.EncounterCreate
		for i := 0; i < 90; i += 2 {
			a, bb := ps[(k*37+i)%len(ps)], ps[(k*37+i+1)%len(ps)]
			if a.ID > bb.ID {
				a, bb = bb, a
			}
			encs = append(encs, c.Encounter.Create().SetMeetingID(m.ID).SetPersonAID(a.ID).SetPersonBID(bb.ID).
				SetHow(encounter.HowSameTable).SetOccurredAt(at.Add(time.Hour)))
		}
		c.Encounter.CreateBulk(encs...).SaveX(ctx)
		c.Feedback.Create().SetMeetingID(m.ID).SetPersonID(ps[(k*37)%len(ps)].ID).SetRating(4).SaveX(ctx)
		c.FollowUp.Create().SetMeetingID(m.ID).SetOwnerID(ps[0].ID).SetTitle("Follow up").SetDueDate(at.AddDate(0, 0, 7)).SaveX(ctx)
	}
	vctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: w.Org.ID, Role: viewer.Planner})
	counter.Reset()
	b.ResetTimer()
	for b.Loop() {
		r, err := outcome.ObjectiveReport(vctx, c, obj.ID, now)
		if err != nil {
			b.Fatal(err)
		}
		if r.Totals.CheckedIn != 4500 {
			b.Fatalf("check-ins = %d, want 4500", r.Totals.CheckedIn)
		}
	}
	b.ReportMetric(float64(counter.Count())/float64(b.N), "statements/op")
}
