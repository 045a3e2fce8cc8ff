package testenv

import (
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/indicator"
)

// MergerWorld is a small culture merger whose outcome is known by hand (see
// internal/outcome's tests for the figures): two legacy companies A (a1, a2,
// a3) and B (b1, b2, b3), an objective targeting both with one indicator per
// metric, two past meetings and one to come, and people with a history
// (c1 lapsed, d1 occasional, a1 and b1 loyal).
type MergerWorld struct {
	*Builder
	A, B                           *ent.Community
	A1, A2, A3, B1, B2, B3, C1, D1 *ent.Person
	Objective                      *ent.Objective
	// Indicators by metric.
	Indicators  map[indicator.Metric]*ent.Indicator
	Old, M0     *ent.Meeting // 400 and 200 days before Now, not of the objective
	M1, M2, M3  *ent.Meeting // 30 and 10 days before Now, and 20 days after
	Empty       *ent.Objective
	EmptyTarget *ent.Indicator
}

// Targets of MergerWorld's indicators.
var mergerTargets = map[indicator.Metric]float64{
	indicator.MetricNewConnectionsPerAttendee:     1,
	indicator.MetricCrossCommunityConnectionShare: 0.5,
	indicator.MetricCommunitiesBridged:            2,
	indicator.MetricAttendanceRate:                0.8,
	indicator.MetricFollowUpsOnTimeShare:          0.9,
	indicator.MetricCrossLegacyTieShare:           0.5,
	indicator.MetricAverageSatisfaction:           4,
	indicator.MetricReturnRate:                    0.9,
	indicator.MetricLoyalSegmentGrowth:            2,
	indicator.MetricCostPerAttendee:               200,
	indicator.MetricCostPerNewConnection:          400,
}

// NewMergerWorld builds MergerWorld in organization slug, with segment
// thresholds regular 2 and loyal 3 attendances within 12 months.
func NewMergerWorld(t testing.TB, c *ent.Client, slug string, now time.Time) *MergerWorld {
	t.Helper()
	w := &MergerWorld{Builder: NewBuilder(t, c, slug, now), Indicators: map[indicator.Metric]*ent.Indicator{}}
	org, err := c.Organization.UpdateOne(w.Org).SetSegmentRegularMin(2).SetSegmentLoyalMin(3).Save(System())
	w.check(err, "setting segment thresholds")
	w.Org = org
	w.A, w.B = w.Community("Alder"), w.Community("Finch")
	w.A1, w.A2, w.A3 = w.Person("a1", w.A), w.Person("a2", w.A), w.Person("a3", w.A)
	w.B1, w.B2, w.B3 = w.Person("b1", w.B), w.Person("b2", w.B), w.Person("b3", w.B)
	w.C1, w.D1 = w.Person("c1"), w.Person("d1")
	w.B1, err = c.Person.UpdateOne(w.B1).SetVip(true).Save(System())
	w.check(err, "making b1 a VIP")
	w.Objective, err = c.Objective.Create().SetOrganization(w.Org).SetTitle("One company").
		SetCategory("CHANGE").SetPurpose("CULTURE_MERGER").SetDueDate(now.AddDate(0, 6, 0)).
		AddCommunities(w.A, w.B).Save(System())
	w.check(err, "creating the objective")
	for _, m := range []indicator.Metric{
		indicator.MetricNewConnectionsPerAttendee, indicator.MetricCrossCommunityConnectionShare,
		indicator.MetricCommunitiesBridged, indicator.MetricAttendanceRate, indicator.MetricFollowUpsOnTimeShare,
		indicator.MetricCrossLegacyTieShare, indicator.MetricAverageSatisfaction, indicator.MetricReturnRate,
		indicator.MetricLoyalSegmentGrowth, indicator.MetricCostPerAttendee, indicator.MetricCostPerNewConnection,
	} {
		ind, err := c.Indicator.Create().SetObjective(w.Objective).SetMetric(m).SetTarget(mergerTargets[m]).Save(System())
		w.check(err, "creating indicator "+string(m))
		w.Indicators[m] = ind
	}
	w.Empty, err = c.Objective.Create().SetOrganization(w.Org).SetTitle("Later").
		SetCategory("MOTIVATION").SetPurpose("ANNUAL_GATHERING").Save(System())
	w.check(err, "creating the empty objective")
	w.EmptyTarget, err = c.Indicator.Create().SetObjective(w.Empty).SetMetric(indicator.MetricAverageSatisfaction).SetTarget(4).Save(System())
	w.check(err, "creating the empty objective's indicator")

	day := 24 * time.Hour
	w.Old = w.Meeting("Old gathering", now.Add(-400*day), 3*time.Hour)
	w.Attend(w.Old, w.C1, w.D1)
	w.M0 = w.Budget(w.Meeting("Pre-merger party", now.Add(-200*day), 3*time.Hour), "999", "EUR")
	w.Attend(w.M0, w.A1, w.B1, w.D1)

	w.M1 = w.Budget(w.Meeting("Kick-off", now.Add(-30*day), 8*time.Hour, w.Objective), "1000", "EUR")
	w.Attend(w.M1, w.A1, w.A2, w.B1)
	w.Accept(w.M1, w.A3)
	w.Meet(w.M1, w.A1, w.A2)
	w.Meet(w.M1, w.A1, w.B1)
	w.Feedback(w.M1, w.A1, 4)
	w.Feedback(w.M1, w.B1, 5)
	due := w.M1.EndsAt.Add(7 * day)
	w.FollowUp(w.M1, w.A1, due, due.Add(-day), false) // on time
	w.FollowUp(w.M1, w.A2, due, due.Add(day), false)  // late

	w.M2 = w.Budget(w.Meeting("Workshop", now.Add(-10*day), 4*time.Hour, w.Objective), "500.10", "EUR")
	w.Attend(w.M2, w.A1, w.B1, w.B2)
	w.Invite(w.M2, w.A2, w.B3)
	w.Meet(w.M2, w.A1, w.B1) // not new
	w.Meet(w.M2, w.B1, w.B2)
	w.Meet(w.M2, w.A1, w.B2)
	w.Feedback(w.M2, w.B2, 3)
	w.FollowUp(w.M2, w.B1, now.Add(day), time.Time{}, false) // open
	w.FollowUp(w.M2, w.B2, now.Add(day), time.Time{}, true)  // cancelled

	w.M3 = w.Budget(w.Meeting("Summit", now.Add(20*day), 8*time.Hour, w.Objective), "200", "USD")
	w.Invite(w.M3, w.A1)
	return w
}
