package outcome

import (
	"time"

	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/indicator"
	"github.com/rencontre/rencontre/internal/money"
	"github.com/rencontre/rencontre/internal/network"
)

// target is what an indicator's objective aims at: its communities (the
// targeted population, the groups of a tie share) and due date.
type target struct {
	communities []int
	due         *time.Time
	// tiePoints are the tie shares between the communities after each
	// meeting of their members (CROSS_LEGACY_TIE_SHARE only).
	tiePoints []network.TiePoint
}

// metric computes the values of one metric after each meeting of ms (in
// order of start): values[k] is over ms[0..k]; nil where nothing is
// measured.
type metric func(f *facts, t *target, ms []*meetingFacts) []*float64

// metrics is the one implementation of each indicator metric, as documented
// on IndicatorMetric (internal/schemadoc).
var metrics = map[indicator.Metric]metric{
	indicator.MetricNewConnectionsPerAttendee:     newConnectionsPerAttendee,
	indicator.MetricCrossCommunityConnectionShare: crossCommunityShare,
	indicator.MetricCommunitiesBridged:            communitiesBridged,
	indicator.MetricAttendanceRate:                attendanceRate,
	indicator.MetricFollowUpsOnTimeShare:          followUpsOnTime,
	indicator.MetricCrossLegacyTieShare:           crossLegacyTieShare,
	indicator.MetricAverageSatisfaction:           averageSatisfaction,
	indicator.MetricReturnRate:                    returnRate,
	indicator.MetricLoyalSegmentGrowth:            loyalSegmentGrowth,
	indicator.MetricCostPerAttendee:               costPerAttendee,
	indicator.MetricCostPerNewConnection:          costPerNewConnection,
}

// LowerIsBetter reports the metrics whose target is a ceiling: the costs.
func LowerIsBetter(m indicator.Metric) bool {
	return m == indicator.MetricCostPerAttendee || m == indicator.MetricCostPerNewConnection
}

func ratio(a, b float64) *float64 {
	if b <= 0 {
		return nil
	}
	r := a / b
	return &r
}

func value(v float64) *float64 { return &v }

// cumulative runs step over ms in order, recording its result after each.
func cumulative(ms []*meetingFacts, step func(m *meetingFacts) *float64) []*float64 {
	return cumulativeK(ms, func(_ int, m *meetingFacts) *float64 { return step(m) })
}

// cumulativeK is cumulative with the meeting's index.
func cumulativeK(ms []*meetingFacts, step func(k int, m *meetingFacts) *float64) []*float64 {
	out := make([]*float64, len(ms))
	for k, m := range ms {
		out[k] = step(k, m)
	}
	return out
}

// newConnectionsPerAttendee: 2 × new pairs / check-ins.
func newConnectionsPerAttendee(_ *facts, _ *target, ms []*meetingFacts) []*float64 {
	pairs, checkIns := 0, 0
	return cumulative(ms, func(m *meetingFacts) *float64 {
		pairs += len(m.newPairs)
		checkIns += m.checkedIn
		return ratio(float64(2*pairs), float64(checkIns))
	})
}

// crossCommunityShare: attendees with a new relationship with someone who
// shares none of their communities, over the attendees.
func crossCommunityShare(f *facts, _ *target, ms []*meetingFacts) []*float64 {
	attended, crossed := map[int]bool{}, map[int]bool{}
	return cumulative(ms, func(m *meetingFacts) *float64 {
		for _, id := range m.attendees {
			attended[id] = true
		}
		for _, p := range m.newPairs {
			if !f.shareCommunity(p[0], p[1]) {
				crossed[p[0]], crossed[p[1]] = true, true
			}
		}
		n := 0
		for id := range crossed {
			if attended[id] {
				n++
			}
		}
		return ratio(float64(n), float64(len(attended)))
	})
}

// communitiesBridged: distinct pairs of communities joined by a new
// relationship between two people who share no community.
func communitiesBridged(f *facts, _ *target, ms []*meetingFacts) []*float64 {
	bridged := map[[2]int]bool{}
	return cumulative(ms, func(m *meetingFacts) *float64 {
		for _, p := range m.newPairs {
			if f.shareCommunity(p[0], p[1]) {
				continue
			}
			for _, x := range f.communitiesOf[p[0]] {
				for _, y := range f.communitiesOf[p[1]] {
					k := [2]int{min(x, y), max(x, y)}
					bridged[k] = true
				}
			}
		}
		return value(float64(len(bridged)))
	})
}

// attendanceRate: targeted people who checked in at least once, over the
// targeted people.
func attendanceRate(f *facts, t *target, ms []*meetingFacts) []*float64 {
	attended := map[int]bool{}
	return cumulativeK(ms, func(k int, m *meetingFacts) *float64 {
		for _, id := range m.attendees {
			attended[id] = true
		}
		pop := f.population(t.communities, ms[:k+1])
		n := 0
		for _, id := range pop {
			if attended[id] {
				n++
			}
		}
		return ratio(float64(n), float64(len(pop)))
	})
}

// followUpsOnTime: follow-ups done by their due date, over those not
// cancelled; the objective's follow-ups of meetings outside the scope count
// from the first meeting on.
func followUpsOnTime(f *facts, _ *target, ms []*meetingFacts) []*float64 {
	onTime, counted := 0, 0
	add := func(fs []followUpFacts) {
		for _, fu := range fs {
			if fu.status == followup.StatusCancelled {
				continue
			}
			counted++
			if fu.doneOnTime() {
				onTime++
			}
		}
	}
	first := true
	return cumulative(ms, func(m *meetingFacts) *float64 {
		if first {
			add(f.objectiveFollowUps)
			first = false
		}
		add(m.followUps)
		return ratio(float64(onTime), float64(counted))
	})
}

// crossLegacyTieShare: people of the target communities with a tie into
// another of them, over those people, after each meeting (the latest tie
// point at or before it).
func crossLegacyTieShare(f *facts, t *target, ms []*meetingFacts) []*float64 {
	if len(t.communities) < 2 {
		return make([]*float64, len(ms))
	}
	// Group sizes as analysis.TieShare counts them: a person in several
	// target communities belongs to the first listed.
	sizes := make([]int, len(t.communities))
	seen := map[int]bool{}
	for k, cm := range t.communities {
		for _, id := range f.membersOf[cm] {
			if !seen[id] {
				seen[id] = true
				sizes[k]++
			}
		}
	}
	return cumulative(ms, func(m *meetingFacts) *float64 {
		at := m.at(f.now)
		var last *network.TiePoint
		for i := range t.tiePoints {
			if !t.tiePoints[i].At.After(at) {
				last = &t.tiePoints[i]
			}
		}
		if last == nil {
			return nil
		}
		sum, total := 0.0, 0
		for k, share := range last.ShareOf {
			if k < len(sizes) {
				sum += share * float64(sizes[k])
				total += sizes[k]
			}
		}
		return ratio(sum, float64(total))
	})
}

// averageSatisfaction: the average rating of the feedback.
func averageSatisfaction(_ *facts, _ *target, ms []*meetingFacts) []*float64 {
	count, sum := 0, 0
	return cumulative(ms, func(m *meetingFacts) *float64 {
		count += m.feedbackCount
		sum += m.ratings
		return ratio(float64(sum), float64(count))
	})
}

// returnRate: of the people checked in at a meeting, those checked in at
// the next one too, over all consecutive pairs.
func returnRate(_ *facts, _ *target, ms []*meetingFacts) []*float64 {
	returned, before := 0, 0
	out := make([]*float64, len(ms))
	for k := 1; k < len(ms); k++ {
		prev := map[int]bool{}
		for _, id := range ms[k-1].attendees {
			prev[id] = true
		}
		before += len(prev)
		for _, id := range ms[k].attendees {
			if prev[id] {
				returned++
				delete(prev, id)
			}
		}
		out[k] = ratio(float64(returned), float64(before))
	}
	return out
}

// loyalSegmentGrowth: LOYAL targeted people after each meeting, less those
// LOYAL at the start of the first.
func loyalSegmentGrowth(f *facts, t *target, ms []*meetingFacts) []*float64 {
	if len(ms) == 0 {
		return nil
	}
	pop := f.population(t.communities, ms)
	loyalAt := func(at time.Time) int {
		n := 0
		for _, id := range pop {
			if f.rules.Classify(f.history[id], at) == Loyal {
				n++
			}
		}
		return n
	}
	base := loyalAt(ms[0].meeting.StartsAt.Add(-time.Nanosecond))
	return cumulative(ms, func(m *meetingFacts) *float64 {
		return value(float64(loyalAt(m.at(f.now)) - base))
	})
}

// budgeted is the cost and the check-ins and new pairs of the meetings
// budgeted in the organization's currency, up to each meeting.
func budgeted(f *facts, ms []*meetingFacts, per func(cost money.Amount, checkIns, pairs int) *float64) []*float64 {
	var cost money.Amount
	checkIns, pairs := 0, 0
	return cumulative(ms, func(m *meetingFacts) *float64 {
		if b := m.meeting.BudgetAmount; b != nil && m.meeting.BudgetCurrency != nil && *m.meeting.BudgetCurrency == f.currency {
			cost += *b
			checkIns += m.checkedIn
			pairs += len(m.newPairs)
		}
		return per(cost, checkIns, pairs)
	})
}

// costPerAttendee: budget over check-ins.
func costPerAttendee(f *facts, _ *target, ms []*meetingFacts) []*float64 {
	return budgeted(f, ms, func(cost money.Amount, checkIns, _ int) *float64 {
		return ratio(cost.Float(), float64(checkIns))
	})
}

// costPerNewConnection: budget over new relationships.
func costPerNewConnection(f *facts, _ *target, ms []*meetingFacts) []*float64 {
	return budgeted(f, ms, func(cost money.Amount, _, pairs int) *float64 {
		return ratio(cost.Float(), float64(pairs))
	})
}
