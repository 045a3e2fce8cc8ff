package series

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/agendaitem"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	entseries "github.com/rencontre/rencontre/ent/series"
	"github.com/rencontre/rencontre/ent/seriesanswer"
	"github.com/rencontre/rencontre/ent/touchpoint"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/recurrence"
	"github.com/rencontre/rencontre/internal/validation"
)

// Scope says which occurrences an edit of a series changes.
type Scope string

// Scopes of an edit.
const (
	// All: the series and its future occurrences that were not changed on
	// their own; past occurrences never change.
	All Scope = "ALL"
	// ThisAndFollowing: the series splits at an occurrence; the first part
	// ends the day before it, the second follows the edit.
	ThisAndFollowing Scope = "THIS_AND_FOLLOWING"
)

// Result is what an edit did.
type Result struct {
	// Series is the edited series: with ThisAndFollowing, the new one that
	// continues from the occurrence.
	Series *ent.Series
	// Cancelled are the future occurrences that left the rule but kept
	// answers (or other records), so were cancelled rather than deleted.
	Cancelled []*ent.Meeting
	// Deleted counts the future occurrences that left the rule, with
	// nothing recorded on them.
	Deleted int
}

// Update edits series id with t. With ThisAndFollowing, fromMeetingID names
// the occurrence from which the edit applies.
func Update(ctx context.Context, c *ent.Client, id int, t Template, scope Scope, fromMeetingID *int, force bool, now time.Time, set Settings) (*Result, error) {
	s, err := lockSeries(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if s.Status == entseries.StatusCancelled {
		return nil, &validation.Error{Field: "id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("series %d is cancelled and can no longer be changed", s.ID)}
	}
	if err := checkRefs(ctx, c, s.OrganizationID, t); err != nil {
		return nil, err
	}
	switch scope {
	case All, "":
		if fromMeetingID != nil {
			return nil, validation.Invalid("from_meeting_id", "is only for the scope THIS_AND_FOLLOWING")
		}
		return apply(ctx, c, s, t, force, now, set)
	case ThisAndFollowing:
		return split(ctx, c, s, t, fromMeetingID, force, now, set)
	}
	return nil, validation.Invalid("scope", "%q is not ALL or THIS_AND_FOLLOWING", scope)
}

// apply writes t to s and makes its future, non-overridden occurrences
// follow.
func apply(ctx context.Context, c *ent.Client, s *ent.Series, t Template, force bool, now time.Time, set Settings) (*Result, error) {
	draft := *s
	merge(&draft, t)
	comp, err := compile(&draft, now, set)
	if err != nil {
		return nil, err
	}
	u := c.Series.UpdateOne(s).
		SetTitle(draft.Title).
		SetFormat(draft.Format).
		SetVisibility(draft.Visibility).
		SetRrule(draft.Rrule).
		SetStartsAt(canonical(draft.StartsAt)).
		SetTimeZone(draft.TimeZone).
		SetDurationMinutes(draft.DurationMinutes).
		SetExdates(canonicalAll(draft.Exdates)).
		SetNillableDescription(draft.Description).
		SetNillableVenueName(draft.VenueName).
		SetNillableVenueAddress(draft.VenueAddress).
		SetNillableCapacity(draft.Capacity).
		AddSequence(1)
	if draft.Description == nil {
		u.ClearDescription()
	}
	if draft.Capacity == nil {
		u.ClearCapacity()
	}
	if t.SetInvitees {
		u.ClearInvitees().AddInviteeIDs(t.PersonIDs...).ClearInviteeCommunities().AddInviteeCommunityIDs(t.CommunityIDs...)
	}
	if t.SetObjectives {
		u.ClearObjectives().AddObjectiveIDs(t.ObjectiveIDs...)
	}
	if s, err = u.Save(ctx); err != nil {
		return nil, err
	}
	res := &Result{Series: s}
	until := set.horizonOf(comp, now)
	if s.MaterializedUntil != nil && s.MaterializedUntil.After(until) {
		until = *s.MaterializedUntil
	}
	occs, err := comp.Between(now, until, MaxOccurrences)
	if err != nil {
		return nil, err
	}
	loc := comp.Location()
	byDay := make(map[string]recurrence.Occurrence, len(occs))
	for _, o := range occs {
		byDay[day(o.Start, loc)] = o
	}
	future, err := c.Meeting.Query().Where(meeting.SeriesID(s.ID), meeting.StartsAtGT(now),
		meeting.StatusNEQ(meeting.StatusCancelled), meeting.Overridden(false)).
		Order(meeting.ByStartsAt()).All(ctx)
	if err != nil {
		return nil, err
	}
	objectives, err := s.QueryObjectives().IDs(ctx)
	if err != nil {
		return nil, err
	}
	var kept []*ent.Meeting // future occurrences still in the rule
	for _, m := range future {
		o, ok := byDay[day(occurrenceStart(m), loc)]
		if !ok {
			if err := drop(ctx, c, m, res); err != nil {
				return nil, err
			}
			continue
		}
		kept = append(kept, m)
		in := ent.UpdateMeetingInput{
			Title: &s.Title, Description: s.Description, ClearDescription: s.Description == nil,
			VenueName: s.VenueName, ClearVenueName: s.VenueName == nil,
			VenueAddress: s.VenueAddress, ClearVenueAddress: s.VenueAddress == nil,
			Capacity: s.Capacity, ClearCapacity: s.Capacity == nil,
			StartsAt: &o.Start, EndsAt: &o.End, TimeZone: &s.TimeZone,
		}
		format, visibility := meeting.Format(s.Format), meeting.Visibility(s.Visibility)
		in.Format, in.Visibility = &format, &visibility
		if t.SetObjectives {
			in.ClearObjectives, in.AddObjectiveIDs = true, objectives
		}
		if _, err := planning.FollowSeries(ctx, c, m.ID, in, force); err != nil {
			return nil, onOccurrence(err, m)
		}
		if err := c.Meeting.UpdateOneID(m.ID).SetOccurrenceStart(o.Start).Exec(ctx); err != nil {
			return nil, err
		}
	}
	// Occurrences changed on their own keep their times, but their identity
	// (occurrenceStart, the RECURRENCE-ID of calendar feeds) follows the
	// rule's occurrence of their day.
	overridden, err := c.Meeting.Query().Where(meeting.SeriesID(s.ID), meeting.StartsAtGT(now), meeting.Overridden(true)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range overridden {
		if o, ok := byDay[day(occurrenceStart(m), loc)]; ok && !o.Start.Equal(occurrenceStart(m)) {
			if err := c.Meeting.UpdateOneID(m.ID).SetOccurrenceStart(o.Start).Exec(ctx); err != nil {
				return nil, err
			}
		}
	}
	if err := materialize(ctx, c, s, occs, now); err != nil {
		return nil, err
	}
	if t.SetInvitees && len(kept) > 0 {
		inv, err := inviteesOf(ctx, c, s)
		if err != nil {
			return nil, err
		}
		for _, m := range kept {
			if err := inv.inviteAndAnswer(ctx, c, m); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// onOccurrence says which occurrence refused a series edit (a capacity cut
// below the people accepted).
func onOccurrence(err error, m *ent.Meeting) error {
	if ve, ok := validation.As(err); ok {
		return &validation.Error{Field: ve.Field, Code: ve.Code,
			Message: fmt.Sprintf("occurrence %d (%s): %s", m.ID, m.StartsAt.Format(time.DateOnly), ve.Message)}
	}
	return err
}

// occurrenceStart is the start the rule gave m.
func occurrenceStart(m *ent.Meeting) time.Time {
	if m.OccurrenceStart != nil {
		return *m.OccurrenceStart
	}
	return m.StartsAt
}

// drop removes a future occurrence that left the rule: deleted when nothing
// was recorded on it, cancelled otherwise, so that no answer is lost.
func drop(ctx context.Context, c *ent.Client, m *ent.Meeting, res *Result) error {
	answered, err := c.Participation.Query().Where(participation.MeetingID(m.ID),
		participation.Or(participation.RespondedAtNotNil(), participation.CheckedInAtNotNil(),
			participation.StatusNotIn(participation.StatusInvited, participation.StatusCancelled))).Exist(ctx)
	if err != nil {
		return err
	}
	if !answered {
		for _, exists := range []func() (bool, error){
			func() (bool, error) { return c.AgendaItem.Query().Where(agendaitem.MeetingID(m.ID)).Exist(ctx) },
			func() (bool, error) { return c.FollowUp.Query().Where(followup.MeetingID(m.ID)).Exist(ctx) },
			func() (bool, error) { return c.Touchpoint.Query().Where(touchpoint.MeetingID(m.ID)).Exist(ctx) },
		} {
			if answered, err = exists(); err != nil || answered {
				break
			}
		}
		if err != nil {
			return err
		}
	}
	if answered {
		cm, err := planning.Cancel(ctx, c, m.ID, "no longer an occurrence of the series")
		if err != nil {
			return err
		}
		res.Cancelled = append(res.Cancelled, cm)
		return nil
	}
	if _, err := c.Participation.Delete().Where(participation.MeetingID(m.ID)).Exec(ctx); err != nil {
		return err
	}
	if err := c.Meeting.UpdateOneID(m.ID).ClearObjectives().Exec(ctx); err != nil {
		return err
	}
	if err := c.Meeting.DeleteOneID(m.ID).Exec(ctx); err != nil {
		return fmt.Errorf("deleting occurrence %d: %w", m.ID, err)
	}
	res.Deleted++
	return nil
}

// merge writes the fields given in t over s.
func merge(s *ent.Series, t Template) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	if t.StartsAt != nil && !t.SetExDates {
		s.Exdates = retime(s.Exdates, *t.StartsAt)
	}
	set(&s.Title, t.Title)
	set(&s.Rrule, t.RRule)
	set(&s.StartsAt, t.StartsAt)
	set(&s.TimeZone, t.TimeZone)
	if t.Description != nil || t.ClearDesc {
		s.Description = t.Description
	}
	if t.VenueName != nil {
		s.VenueName = t.VenueName
	}
	if t.VenueAddress != nil {
		s.VenueAddress = t.VenueAddress
	}
	if t.Capacity != nil || t.ClearCapacity {
		s.Capacity = t.Capacity
	}
	if t.Format != nil {
		s.Format = *t.Format
	}
	if t.Visibility != nil {
		s.Visibility = *t.Visibility
	}
	if t.DurationMinutes != nil {
		s.DurationMinutes = *t.DurationMinutes
	}
	if t.SetExDates {
		s.Exdates = t.ExDates
	}
}

// retime moves exception dates to the time of day of a new start, as
// calendars do: "not on 5 August" stays true when the series moves to 10:00.
func retime(exdates []string, start string) []string {
	st, err := recurrence.ParseLocal(start)
	if err != nil {
		return exdates
	}
	out := make([]string, 0, len(exdates))
	for _, x := range exdates {
		l, err := recurrence.ParseLocal(x)
		if err != nil {
			out = append(out, x)
			continue
		}
		h, m, sec := st.Clock()
		out = append(out, recurrence.Local{Time: time.Date(l.Year(), l.Month(), l.Day(), h, m, sec, 0, time.UTC)}.String())
	}
	return out
}

// split cuts s at the occurrence fromMeetingID: s ends the day before, and a
// new series, made of s and t, continues from that occurrence with the
// meetings from it on.
func split(ctx context.Context, c *ent.Client, s *ent.Series, t Template, fromMeetingID *int, force bool, now time.Time, set Settings) (*Result, error) {
	if fromMeetingID == nil {
		return nil, &validation.Error{Field: "from_meeting_id", Code: validation.CodeRequired,
			Message: "is required with the scope THIS_AND_FOLLOWING: the occurrence from which the change applies"}
	}
	from, err := c.Meeting.Query().Where(meeting.ID(*fromMeetingID), meeting.SeriesID(s.ID)).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("from_meeting_id", "no occurrence of series %d with ID %d", s.ID, *fromMeetingID)
	}
	if err != nil {
		return nil, err
	}
	r, err := rule(s)
	if err != nil {
		return nil, err
	}
	comp, err := recurrence.Compile(r)
	if err != nil {
		return nil, err
	}
	loc := comp.Location()
	start := occurrenceStart(from)
	dayStart := time.Date(start.In(loc).Year(), start.In(loc).Month(), start.In(loc).Day(), 0, 0, 0, 0, loc)
	occs, err := comp.Between(dayStart, dayStart.AddDate(0, 0, 1), MaxOccurrences)
	if err != nil {
		return nil, err
	}
	if len(occs) == 0 {
		return nil, validation.Invalid("from_meeting_id", "meeting %d is no longer an occurrence of the series' rule", from.ID)
	}
	if occs[0].Local == r.Start {
		return apply(ctx, c, s, t, force, now, set) // from the first occurrence: the whole series
	}
	before, after, err := recurrence.SplitAt(r, occs[0].Local)
	if err != nil {
		return nil, err
	}
	if s, err = c.Series.UpdateOne(s).SetRrule(before.RRule).SetExdates(locals(before.ExDates)).AddSequence(1).Save(ctx); err != nil {
		return nil, err
	}
	people, err := s.QueryInvitees().IDs(ctx)
	if err != nil {
		return nil, err
	}
	coms, err := s.QueryInviteeCommunities().IDs(ctx)
	if err != nil {
		return nil, err
	}
	objectives, err := s.QueryObjectives().IDs(ctx)
	if err != nil {
		return nil, err
	}
	ns, err := c.Series.Create().
		SetOrganizationID(s.OrganizationID).
		SetTitle(s.Title).
		SetNillableDescription(s.Description).
		SetFormat(s.Format).
		SetNillableVenueName(s.VenueName).
		SetNillableVenueAddress(s.VenueAddress).
		SetNillableCapacity(s.Capacity).
		SetVisibility(s.Visibility).
		SetRrule(after.RRule).
		SetStartsAt(after.Start.String()).
		SetTimeZone(s.TimeZone).
		SetDurationMinutes(s.DurationMinutes).
		SetExdates(locals(after.ExDates)).
		SetNillableMaterializedUntil(s.MaterializedUntil).
		SetSplitFromID(s.ID).
		AddInviteeIDs(people...).
		AddInviteeCommunityIDs(coms...).
		AddObjectiveIDs(objectives...).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	answers, err := c.SeriesAnswer.Query().Where(seriesanswer.SeriesID(s.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range answers {
		if err := c.SeriesAnswer.Create().SetOrganizationID(a.OrganizationID).SetSeriesID(ns.ID).SetPersonID(a.PersonID).
			SetAnswer(a.Answer).SetRespondedAt(a.RespondedAt).Exec(ctx); err != nil {
			return nil, err
		}
	}
	// The meetings from the occurrence on belong to the new series.
	moved, err := c.Meeting.Query().Where(meeting.SeriesID(s.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, m := range moved {
		if day(occurrenceStart(m), loc) >= day(occs[0].Start, loc) {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) > 0 {
		if err := c.Meeting.Update().Where(meeting.IDIn(ids...)).SetSeriesID(ns.ID).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return apply(ctx, c, ns, t, force, now, set)
}

// locals writes local times back as strings.
func locals(ls []recurrence.Local) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.String())
	}
	slices.Sort(out)
	return out
}

// Cancel cancels series id and its future occurrences (overridden ones
// included); past ones stay as they were.
func Cancel(ctx context.Context, c *ent.Client, id int, reason string, now time.Time) (*ent.Series, error) {
	s, err := lockSeries(ctx, c, id)
	if err != nil {
		return nil, err
	}
	if s.Status == entseries.StatusCancelled {
		return nil, &validation.Error{Field: "id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("series %d is already cancelled", s.ID)}
	}
	future, err := c.Meeting.Query().Where(meeting.SeriesID(s.ID), meeting.StartsAtGT(now),
		meeting.StatusNEQ(meeting.StatusCancelled)).IDs(ctx)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		reason = "the series was cancelled"
	}
	for _, mid := range future {
		if _, err := planning.Cancel(ctx, c, mid, reason); err != nil {
			return nil, err
		}
	}
	return c.Series.UpdateOne(s).SetStatus(entseries.StatusCancelled).SetCancelledAt(now).AddSequence(1).Save(ctx)
}
