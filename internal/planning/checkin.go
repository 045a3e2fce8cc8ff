package planning

import (
	"context"
	"fmt"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/feedback"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/tenant"
	"github.com/rencontre/rencontre/internal/validation"
	tz "github.com/rencontre/rencontre/internal/zone"
)

// CheckInWindow is when people may be checked in at m: from
// CheckInOpensBefore minutes before its start until CheckInClosesAfter
// minutes after its end.
func CheckInWindow(m *ent.Meeting) (opens, closes time.Time) {
	return m.StartsAt.Add(-time.Duration(m.CheckInOpensBefore) * time.Minute),
		m.EndsAt.Add(time.Duration(m.CheckInClosesAfter) * time.Minute)
}

// Arrival says who arrived at a meeting, and when: a participation, or a
// meeting and a person (who may have no participation yet: a walk-in).
type Arrival struct {
	ParticipationID *int
	MeetingID       *int
	PersonID        *int
	// At is when the person arrived; now when zero.
	At time.Time
}

// CheckIn records that a person arrived at the venue, at a.At (now when
// zero), which must lie in the meeting's check-in window and not after now.
// People INVITED, ACCEPTED, TENTATIVE or WAITLISTED take a place (refused
// when the meeting is full); DECLINED and CANCELLED people are refused. At an
// OPEN meeting, a person given by meeting and person without a participation
// is a walk-in: the participation is created with role WALK_IN. Checking in
// twice keeps the first time.
func CheckIn(ctx context.Context, c *ent.Client, a Arrival, now time.Time) (*ent.Participation, error) {
	p, err := arrival(ctx, c, a, now)
	if err != nil || p.CheckedInAt != nil {
		return p, err
	}
	m := p.Edges.Meeting
	at := a.At
	if at.IsZero() {
		at = now
	}
	switch p.Status {
	case participation.StatusCancelled:
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d was cancelled: cannot check in (a planner may invite the person again)", p.ID)}
	case participation.StatusDeclined:
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d declined the invitation: record an ACCEPTED answer before checking in", p.ID)}
	}
	if err := inWindow(m, at, now, a.At.IsZero()); err != nil {
		return nil, err
	}
	if p, err = join(ctx, c, p); err != nil {
		return nil, fmt.Errorf("checking in: %w", err)
	}
	ch, err := settled(ctx, c, m, p, now)
	if err != nil {
		return nil, err
	}
	if p = ch.Participation; p.Status != participation.StatusAccepted {
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d is full: participation %d is on the waiting list at position %d and cannot check in",
				m.ID, p.ID, deref(p.WaitlistPosition))}
	}
	return c.Participation.UpdateOne(p).SetCheckedInAt(at).Save(ctx)
}

// inWindow checks that a check-in at at, recorded at now, lies in m's window.
func inWindow(m *ent.Meeting, at, now time.Time, atIsNow bool) error {
	opens, closes := CheckInWindow(m)
	field := "at"
	if atIsNow {
		field = "participation_id"
	}
	switch {
	case at.After(now):
		return validation.Invalid("at", "%s is in the future: a check-in records an arrival that happened", at.Format(time.RFC3339))
	case at.Before(opens), at.After(closes):
		return &validation.Error{Field: field, Code: validation.CodeConflict,
			Message: fmt.Sprintf("check-in at meeting %d is open from %s to %s, not at %s",
				m.ID, opens.In(zone(m)).Format(time.RFC3339), closes.In(zone(m)).Format(time.RFC3339), at.In(zone(m)).Format(time.RFC3339))}
	}
	return nil
}

// zone is the meeting's time zone, for messages.
func zone(m *ent.Meeting) *time.Location { return tz.Of(m.TimeZone) }

// arrival finds (or, for a walk-in, creates) the participation of a, with
// its meeting locked and open.
func arrival(ctx context.Context, c *ent.Client, a Arrival, now time.Time) (*ent.Participation, error) {
	if a.ParticipationID != nil {
		if a.MeetingID != nil || a.PersonID != nil {
			return nil, validation.Invalid("participation_id", "give a participation, or a meeting and a person, not both")
		}
		p, err := lockParticipation(ctx, c, *a.ParticipationID)
		if err != nil {
			return nil, err
		}
		if err := checkOpen(p.Edges.Meeting, "participation_id", "check in"); err != nil {
			return nil, err
		}
		return p, nil
	}
	switch {
	case a.MeetingID == nil && a.PersonID == nil:
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeRequired,
			Message: "give the participation, or the meeting and the person, to check in"}
	case a.MeetingID == nil:
		return nil, &validation.Error{Field: "meeting_id", Code: validation.CodeRequired, Message: "is required with a person"}
	case a.PersonID == nil:
		return nil, &validation.Error{Field: "person_id", Code: validation.CodeRequired, Message: "is required with a meeting"}
	}
	m, err := lockMeeting(ctx, c, *a.MeetingID, "meeting_id")
	if err != nil {
		return nil, err
	}
	if err := checkOpen(m, "meeting_id", "check in"); err != nil {
		return nil, err
	}
	person, err := tenant.Person(ctx, c, m.OrganizationID, *a.PersonID, "person_id")
	if err != nil {
		return nil, err
	}
	p, err := c.Participation.Query().
		Where(participation.MeetingID(m.ID), participation.PersonID(person.ID)).Only(ctx)
	switch {
	case err == nil:
	case ent.IsNotFound(err):
		if m.Visibility != meeting.VisibilityOpen {
			return nil, &validation.Error{Field: "person_id", Code: validation.CodeConflict,
				Message: fmt.Sprintf("meeting %d is %s: only invited people may check in, and person %d is not invited", m.ID, m.Visibility, person.ID)}
		}
		// Checked in at once below, in the same transaction: the window is
		// checked before anything is kept.
		if p, err = c.Participation.Create().SetMeetingID(m.ID).SetPersonID(person.ID).
			SetRole(participation.RoleWalkIn).SetInvitedAt(now).Save(ctx); err != nil {
			return nil, fmt.Errorf("creating the walk-in's participation: %w", err)
		}
	default:
		return nil, fmt.Errorf("loading participation: %w", err)
	}
	p.Edges.Meeting = m
	return p, nil
}

// UndoCheckIn removes a check-in recorded by mistake: the participation
// stays ACCEPTED (it keeps its place), without a check-in time. It is refused
// while the person has encounters or feedback at the meeting, which only
// people who checked in may have: the check-in they rest on stays.
func UndoCheckIn(ctx context.Context, c *ent.Client, participationID int) (*ent.Participation, error) {
	p, err := lockParticipation(ctx, c, participationID)
	if err != nil {
		return nil, err
	}
	if err := checkOpen(p.Edges.Meeting, "participation_id", "undo a check-in"); err != nil {
		return nil, err
	}
	if p.CheckedInAt == nil {
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d is not checked in", p.ID)}
	}
	met, err := c.Encounter.Query().Where(encounter.MeetingID(p.MeetingID),
		encounter.Or(encounter.PersonAID(p.PersonID), encounter.PersonBID(p.PersonID))).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("counting encounters: %w", err)
	}
	rated, err := c.Feedback.Query().Where(feedback.MeetingID(p.MeetingID), feedback.PersonID(p.PersonID)).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("counting feedback: %w", err)
	}
	if met > 0 || rated > 0 {
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("person %d has %d encounter(s) and %d feedback at meeting %d, which rest on the check-in: it stays",
				p.PersonID, met, rated, p.MeetingID)}
	}
	return c.Participation.UpdateOne(p).ClearCheckedInAt().Save(ctx)
}
