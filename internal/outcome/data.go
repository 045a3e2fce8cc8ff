// Package outcome measures what meetings change: the indicators of
// objectives computed from the records (one implementation per metric),
// the reports of objectives, series and meetings, and people's segments.
//
// A report or an indicator loads its scope once (load: a fixed number of
// statements, whatever the number of meetings, participations or
// encounters) and computes every metric in Go from that.
package outcome

import (
	"context"
	"fmt"
	"sort"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/feedback"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/internal/sqltime"
)

// meetingFacts are the records of one meeting that the metrics use.
type meetingFacts struct {
	meeting                      *ent.Meeting
	invited, accepted, checkedIn int
	// invitees and attendees are person IDs (participations not
	// CANCELLED; checked in).
	invitees, attendees []int
	// newPairs are the pairs (lower ID first) whose first encounter was at
	// this meeting.
	newPairs               [][2]int
	feedbackCount, ratings int
	followUps              []followUpFacts
}

// started reports whether the meeting has started by now: only those are
// measured.
func (m *meetingFacts) started(now time.Time) bool { return !m.meeting.StartsAt.After(now) }

// at is when a value after the meeting holds: its end, or now while it runs.
func (m *meetingFacts) at(now time.Time) time.Time {
	if m.meeting.EndsAt.After(now) {
		return now
	}
	return m.meeting.EndsAt
}

type followUpFacts struct {
	status      followup.Status
	due, doneAt *time.Time
}

func (f followUpFacts) doneOnTime() bool {
	return f.status == followup.StatusDone && (f.due == nil || f.doneAt != nil && !f.doneAt.After(*f.due))
}

// facts are the records of a scope: its meetings (not cancelled, in order
// of start), the communities of the people involved, and what the metrics
// that need more (check-in histories, tie shares) loaded.
type facts struct {
	now      time.Time
	currency string
	rules    Rules
	meetings []*meetingFacts
	// communitiesOf are the communities of the attendees and of the members
	// of the target communities.
	communitiesOf map[int][]int
	// membersOf are the members of the target communities.
	membersOf map[int][]int
	// objectiveFollowUps are the follow-ups of the objective whose meeting is
	// outside the scope.
	objectiveFollowUps []followUpFacts
	// history is the check-ins of the target population, when a metric
	// needs it.
	history map[int][]time.Time
}

// loadFacts loads the meetings of mq (cancelled ones left out) and their
// records, in a fixed number of statements. objectiveID, when set, adds the
// follow-ups of that objective; targets are the communities whose members
// are loaded.
func loadFacts(ctx context.Context, c *ent.Client, mq *ent.MeetingQuery, objectiveID *int, targets []int, now time.Time) (*facts, error) {
	org, err := c.Organization.Query().
		Select(organization.FieldCurrency, organization.FieldSegmentRegularMin, organization.FieldSegmentLoyalMin,
			organization.FieldSegmentWindowMonths, organization.FieldSegmentLapseMonths).
		Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the organization: %w", err)
	}
	f := &facts{now: now, currency: org.Currency, rules: RulesOf(org),
		communitiesOf: map[int][]int{}, membersOf: map[int][]int{}}
	ms, err := mq.Where(meeting.StatusNEQ(meeting.StatusCancelled)).
		Order(meeting.ByStartsAt(), meeting.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the meetings: %w", err)
	}
	ids := make([]int, len(ms))
	byID := map[int]*meetingFacts{}
	for i, m := range ms {
		ids[i] = m.ID
		mf := &meetingFacts{meeting: m}
		f.meetings = append(f.meetings, mf)
		byID[m.ID] = mf
	}
	ps, err := c.Participation.Query().
		Where(participation.MeetingIDIn(ids...), participation.StatusNEQ(participation.StatusCancelled)).
		Select(participation.FieldMeetingID, participation.FieldPersonID, participation.FieldStatus, participation.FieldCheckedInAt).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the participations: %w", err)
	}
	attendees := map[int]bool{}
	for _, p := range ps {
		mf := byID[p.MeetingID]
		mf.invited++
		mf.invitees = append(mf.invitees, p.PersonID)
		if p.Status == participation.StatusAccepted {
			mf.accepted++
		}
		if p.CheckedInAt != nil {
			mf.checkedIn++
			mf.attendees = append(mf.attendees, p.PersonID)
			attendees[p.PersonID] = true
		}
	}
	var ratings []struct {
		MeetingID int `json:"meeting_id"`
		Count     int `json:"count"`
		Sum       int `json:"sum"`
	}
	err = c.Feedback.Query().Where(feedback.MeetingIDIn(ids...)).
		GroupBy(feedback.FieldMeetingID).Aggregate(ent.Count(), ent.Sum(feedback.FieldRating)).Scan(ctx, &ratings)
	if err != nil {
		return nil, fmt.Errorf("loading the feedback: %w", err)
	}
	for _, r := range ratings {
		byID[r.MeetingID].feedbackCount, byID[r.MeetingID].ratings = r.Count, r.Sum
	}
	firsts, err := c.Encounter.Query().Where(encounter.MeetingIDIn(ids...), firstOfPair()).
		Select(encounter.FieldMeetingID, encounter.FieldPersonAID, encounter.FieldPersonBID).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the new relationships: %w", err)
	}
	for _, e := range firsts {
		mf := byID[e.MeetingID]
		mf.newPairs = append(mf.newPairs, [2]int{e.PersonAID, e.PersonBID})
	}
	// The communities of everyone involved: attendees and target members.
	involved := []predicate.Person{person.HasParticipationsWith(participation.MeetingIDIn(ids...), participation.CheckedInAtNotNil())}
	if len(targets) > 0 {
		involved = append(involved, person.HasCommunitiesWith(community.IDIn(targets...)))
	}
	people, err := c.Person.Query().Where(person.Or(involved...)).Select(person.FieldID).
		WithCommunities(func(q *ent.CommunityQuery) { q.Select(community.FieldID) }).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the communities of the people: %w", err)
	}
	isTarget := map[int]bool{}
	for _, t := range targets {
		isTarget[t] = true
	}
	for _, p := range people {
		for _, cm := range p.Edges.Communities {
			f.communitiesOf[p.ID] = append(f.communitiesOf[p.ID], cm.ID)
			if isTarget[cm.ID] {
				f.membersOf[cm.ID] = append(f.membersOf[cm.ID], p.ID)
			}
		}
	}
	fq := c.FollowUp.Query().Where(followup.MeetingIDIn(ids...))
	if objectiveID != nil {
		fq = c.FollowUp.Query().Where(followup.Or(followup.MeetingIDIn(ids...), followup.ObjectiveID(*objectiveID)))
	}
	fus, err := fq.Select(followup.FieldMeetingID, followup.FieldStatus, followup.FieldDueDate, followup.FieldDoneAt).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the follow-ups: %w", err)
	}
	for _, fu := range fus {
		ff := followUpFacts{status: fu.Status, due: fu.DueDate, doneAt: fu.DoneAt}
		if mf := byID[fu.MeetingID]; mf != nil {
			mf.followUps = append(mf.followUps, ff)
		} else {
			f.objectiveFollowUps = append(f.objectiveFollowUps, ff)
		}
	}
	return f, nil
}

// firstOfPair keeps the encounters that are the first of their pair: no
// earlier encounter of the same two people (ties broken by ID).
func firstOfPair() predicate.Encounter {
	return predicate.Encounter(func(s *sql.Selector) {
		d := s.Dialect()
		e2 := sql.Dialect(d).Table(encounter.Table).As("e2")
		at, at2 := sqltime.Expr(d, s.C(encounter.FieldOccurredAt)), sqltime.Expr(d, e2.C(encounter.FieldOccurredAt))
		earlier := sql.Dialect(d).Select(e2.C(encounter.FieldID)).From(e2).Where(sql.And(
			sql.ColumnsEQ(e2.C(encounter.FieldPersonAID), s.C(encounter.FieldPersonAID)),
			sql.ColumnsEQ(e2.C(encounter.FieldPersonBID), s.C(encounter.FieldPersonBID)),
			sql.P(func(b *sql.Builder) {
				b.WriteString("(" + at2 + " < " + at + " OR (" + at2 + " = " + at + " AND " +
					e2.C(encounter.FieldID) + " < " + s.C(encounter.FieldID) + "))")
			}),
		))
		s.Where(sql.NotExists(earlier))
	})
}

// loadHistory loads the check-ins of the given people (one statement), for
// the segments over time.
func (f *facts) loadHistory(ctx context.Context, c *ent.Client, people []int) error {
	f.history = map[int][]time.Time{}
	if len(people) == 0 {
		return nil
	}
	ps, err := c.Participation.Query().
		Where(participation.PersonIDIn(people...), participation.CheckedInAtNotNil()).
		Select(participation.FieldPersonID, participation.FieldCheckedInAt).All(ctx)
	if err != nil {
		return fmt.Errorf("loading the check-ins: %w", err)
	}
	for _, p := range ps {
		f.history[p.PersonID] = append(f.history[p.PersonID], *p.CheckedInAt)
	}
	return nil
}

// started is the meetings measured: those started by now.
func (f *facts) started() []*meetingFacts {
	var out []*meetingFacts
	for _, m := range f.meetings {
		if m.started(f.now) {
			out = append(out, m)
		}
	}
	return out
}

// population is the people targeted: the members of the target communities,
// or, without targets, the people invited to the meetings given.
func (f *facts) population(targets []int, ms []*meetingFacts) []int {
	seen := map[int]bool{}
	var out []int
	add := func(id int) {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(targets) > 0 {
		for _, t := range targets {
			for _, id := range f.membersOf[t] {
				add(id)
			}
		}
	} else {
		for _, m := range ms {
			for _, id := range m.invitees {
				add(id)
			}
		}
	}
	sort.Ints(out)
	return out
}

// shareCommunity reports whether two people have a community in common.
func (f *facts) shareCommunity(a, b int) bool {
	for _, x := range f.communitiesOf[a] {
		for _, y := range f.communitiesOf[b] {
			if x == y {
				return true
			}
		}
	}
	return false
}
