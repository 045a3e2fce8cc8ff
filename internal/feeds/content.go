package feeds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/calendarfeed"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	entseries "github.com/rencontre/rencontre/ent/series"
	"github.com/rencontre/rencontre/internal/calendar"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/recurrence"
	"github.com/rencontre/rencontre/internal/viewer"
)

// The period of an agenda feed: the recent past, for meetings a calendar
// client still shows, and a year ahead.
const (
	agendaPast   = 30 * 24 * time.Hour
	agendaFuture = 365 * 24 * time.Hour
)

// errGone is a feed whose meeting, series or person no longer exists (or can
// no longer be seen): its address answers 404 like an unknown one.
var errGone = errors.New("the feed's target is gone")

// build returns the calendar of feed, read in ctx, which carries the feed's
// viewer: every read goes through the privacy policies.
func build(ctx context.Context, c *ent.Client, feed *ent.CalendarFeed, now time.Time) (calendar.Calendar, error) {
	switch {
	case feed.Kind == calendarfeed.KindMeeting && feed.MeetingID != nil:
		return meetingCalendar(ctx, c, *feed.MeetingID, now)
	case feed.Kind == calendarfeed.KindSeries && feed.SeriesID != nil:
		return seriesCalendar(ctx, c, *feed.SeriesID, now)
	case feed.Kind == calendarfeed.KindAgenda && feed.PersonID != nil:
		return agendaCalendar(ctx, c, *feed.PersonID, now)
	}
	return calendar.Calendar{}, fmt.Errorf("feed %d: kind %s without its target: %w", feed.ID, feed.Kind, errGone)
}

func meetingCalendar(ctx context.Context, c *ent.Client, id int, now time.Time) (calendar.Calendar, error) {
	m, err := c.Meeting.Get(ctx, id)
	if ent.IsNotFound(err) {
		return calendar.Calendar{}, errGone
	}
	if err != nil {
		return calendar.Calendar{}, fmt.Errorf("loading meeting %d: %w", id, err)
	}
	att, err := attendees(ctx, c, m.ID)
	if err != nil {
		return calendar.Calendar{}, err
	}
	ev := meetingEvent(m)
	ev.Attendees = att[m.ID]
	return calendar.Calendar{Name: m.Title, Now: now, Events: []calendar.Event{ev}}, nil
}

func seriesCalendar(ctx context.Context, c *ent.Client, id int, now time.Time) (calendar.Calendar, error) {
	s, err := c.Series.Get(ctx, id)
	if ent.IsNotFound(err) {
		return calendar.Calendar{}, errGone
	}
	if err != nil {
		return calendar.Calendar{}, fmt.Errorf("loading series %d: %w", id, err)
	}
	compiled, err := compileSeries(s)
	if err != nil {
		return calendar.Calendar{}, err
	}
	rule := compiled.Rule()
	loc := compiled.Location()
	start := recurrence.Resolve(rule.Start, loc)
	master := calendar.Event{
		UID:          seriesUID(s.ID),
		Sequence:     s.Sequence,
		Summary:      s.Title,
		Description:  deref(s.Description),
		Location:     location(s.VenueName, s.VenueAddress),
		Start:        start,
		End:          start.Add(rule.Duration),
		TimeZone:     s.TimeZone,
		Status:       "CONFIRMED",
		Created:      s.CreatedAt,
		LastModified: s.UpdatedAt,
		RRule:        compiled.ICalRRule(),
		// No attendees on the master: who comes is a matter of each
		// occurrence, and the overrides carry it.
	}
	if s.Status == entseries.StatusCancelled {
		master.Status = "CANCELLED"
	}
	for _, x := range rule.ExDates {
		master.ExDates = append(master.ExDates, recurrence.Resolve(x, loc))
	}
	occurrences, err := c.Meeting.Query().Where(meeting.SeriesID(s.ID)).Order(meeting.ByStartsAt(), meeting.ByID()).All(ctx)
	if err != nil {
		return calendar.Calendar{}, fmt.Errorf("loading the occurrences of series %d: %w", id, err)
	}
	var overrides []*ent.Meeting
	for _, m := range occurrences {
		occ := occurrenceStart(m)
		if !compiled.Contains(recurrence.LocalOf(occ.In(loc))) {
			// Left the rule (a series edit cancelled it rather than lose
			// answers): the master no longer describes it, nor may an
			// override of an instance it does not have.
			continue
		}
		if m.Overridden || m.Status == meeting.StatusCancelled ||
			!m.StartsAt.Equal(occ) || !m.EndsAt.Equal(occ.Add(rule.Duration)) {
			overrides = append(overrides, m)
		}
	}
	ids := make([]int, len(overrides))
	for i, m := range overrides {
		ids[i] = m.ID
	}
	att, err := attendees(ctx, c, ids...)
	if err != nil {
		return calendar.Calendar{}, err
	}
	events := []calendar.Event{master}
	for _, m := range overrides {
		ev := meetingEvent(m)
		ev.UID = master.UID
		occ := occurrenceStart(m)
		ev.RecurrenceID = &occ
		ev.Attendees = att[m.ID]
		events = append(events, ev)
	}
	return calendar.Calendar{Name: s.Title, Now: now, Events: events}, nil
}

func agendaCalendar(ctx context.Context, c *ent.Client, personID int, now time.Time) (calendar.Calendar, error) {
	p, err := c.Person.Get(ctx, personID)
	if ent.IsNotFound(err) {
		return calendar.Calendar{}, errGone
	}
	if err != nil {
		return calendar.Calendar{}, fmt.Errorf("loading person %d: %w", personID, err)
	}
	v := viewer.FromContext(ctx)
	from, to := now.Add(-agendaPast), now.Add(agendaFuture)
	// The person's own participations, VIP meetings included whatever the
	// feed's role: an agenda is the person's calendar, and below PLANNER the
	// privacy policy would hide their VIP invitations from it. This is the
	// one read past the policies, narrowed by hand to the feed's
	// organization and person; the meetings themselves, and every guest
	// list, are read with the feed's role.
	meetingIDs, err := c.Participation.Query().
		Where(participation.PersonID(p.ID),
			participation.StatusIn(participation.StatusInvited, participation.StatusAccepted,
				participation.StatusTentative, participation.StatusWaitlisted),
			participation.HasMeetingWith(meeting.OrganizationID(v.OrganizationID),
				meeting.StartsAtLT(to), meeting.EndsAtGT(from))).
		Select(participation.FieldMeetingID).
		Ints(policy.System(ctx))
	if err != nil {
		return calendar.Calendar{}, fmt.Errorf("loading the agenda of person %d: %w", personID, err)
	}
	ms, err := c.Meeting.Query().
		Where(meeting.IDIn(meetingIDs...)).
		Order(meeting.ByStartsAt(), meeting.ByID()).
		All(ctx)
	if err != nil {
		return calendar.Calendar{}, fmt.Errorf("loading the meetings of the agenda of person %d: %w", personID, err)
	}
	ids := make([]int, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	att, err := attendees(ctx, c, ids...)
	if err != nil {
		return calendar.Calendar{}, err
	}
	events := make([]calendar.Event, 0, len(ms))
	for _, m := range ms {
		ev := meetingEvent(m)
		ev.Attendees = att[m.ID]
		events = append(events, ev)
	}
	return calendar.Calendar{Name: "Agenda of " + p.Name, Now: now, Events: events}, nil
}

// meetingEvent is the VEVENT of m, without attendees.
func meetingEvent(m *ent.Meeting) calendar.Event {
	return calendar.Event{
		UID:          meetingUID(m.ID),
		Sequence:     m.Sequence,
		Summary:      m.Title,
		Description:  deref(m.Description),
		Location:     location(m.VenueName, m.VenueAddress),
		Start:        m.StartsAt,
		End:          m.EndsAt,
		TimeZone:     m.TimeZone,
		Status:       eventStatus(m.Status),
		Created:      m.CreatedAt,
		LastModified: m.UpdatedAt,
	}
}

// attendees returns the ATTENDEEs of the meetings ids, by meeting: none for
// a feed that may not see e-mail addresses (below PLANNER), which then gets
// no ATTENDEE line at all; uninvited people are left out. The guest lists
// are read with the feed's role, so the VIP policy applies too.
func attendees(ctx context.Context, c *ent.Client, ids ...int) (map[int][]calendar.Attendee, error) {
	if len(ids) == 0 || !viewer.FromContext(ctx).SeesContactDetails() {
		return nil, nil
	}
	parts, err := c.Participation.Query().
		Where(participation.MeetingIDIn(ids...), participation.StatusNEQ(participation.StatusCancelled)).
		WithPerson().
		Order(participation.ByMeetingID(), participation.ByID()).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the guest lists: %w", err)
	}
	out := map[int][]calendar.Attendee{}
	for _, p := range parts {
		if p.Edges.Person == nil {
			continue
		}
		out[p.MeetingID] = append(out[p.MeetingID], calendar.Attendee{
			Name:     p.Edges.Person.Name,
			Email:    p.Edges.Person.Email,
			PartStat: partStat(p.Status),
		})
	}
	return out, nil
}

// partStat maps a participation's status to an iCalendar PARTSTAT.
func partStat(s participation.Status) string {
	switch s {
	case participation.StatusAccepted:
		return "ACCEPTED"
	case participation.StatusTentative:
		return "TENTATIVE"
	case participation.StatusDeclined:
		return "DECLINED"
	}
	return "NEEDS-ACTION" // invited, or waiting for a place
}

// eventStatus maps a meeting's status to an iCalendar STATUS.
func eventStatus(s meeting.Status) string {
	switch s {
	case meeting.StatusCancelled:
		return "CANCELLED"
	case meeting.StatusDraft:
		return "TENTATIVE"
	}
	return "CONFIRMED"
}

// compileSeries compiles the stored rule of s.
func compileSeries(s *ent.Series) (*recurrence.Compiled, error) {
	start, err := recurrence.ParseLocal(s.StartsAt)
	if err != nil {
		return nil, fmt.Errorf("series %d: starts_at: %w", s.ID, err)
	}
	r := recurrence.Rule{RRule: s.Rrule, Start: start, TimeZone: s.TimeZone, Duration: time.Duration(s.DurationMinutes) * time.Minute}
	for _, x := range s.Exdates {
		l, err := recurrence.ParseLocal(x)
		if err != nil {
			return nil, fmt.Errorf("series %d: exdate %s: %w", s.ID, x, err)
		}
		r.ExDates = append(r.ExDates, l)
	}
	c, err := recurrence.Compile(r)
	if err != nil {
		return nil, fmt.Errorf("series %d: %w", s.ID, err)
	}
	return c, nil
}

// occurrenceStart is the start the series' rule gave m.
func occurrenceStart(m *ent.Meeting) time.Time {
	if m.OccurrenceStart != nil {
		return *m.OccurrenceStart
	}
	return m.StartsAt
}

func meetingUID(id int) string { return "meeting-" + strconv.Itoa(id) + "@rencontre" }
func seriesUID(id int) string  { return "series-" + strconv.Itoa(id) + "@rencontre" }

// location joins a venue's name and address.
func location(name, address *string) string {
	parts := slices.DeleteFunc([]string{strings.TrimSpace(deref(name)), strings.TrimSpace(deref(address))},
		func(s string) bool { return s == "" })
	return strings.Join(parts, ", ")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
