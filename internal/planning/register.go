package planning

import (
	"context"
	"fmt"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/tenant"
	"github.com/rencontre/rencontre/internal/validation"
)

// Register registers a person for an OPEN meeting: a new participation (role
// GUEST) asks for a place like an acceptance does, so it is ACCEPTED, or
// WAITLISTED when the meeting is full (the capacity rule of places.go, under
// the meeting's row lock). A person who already has a place or is on the
// waiting list keeps it and gets their participation back unchanged; an
// invited (or tentative, or declined) person accepts. INVITE_ONLY and VIP
// meetings are refused: only invited people take part in them; so are
// cancelled meetings and meetings that have ended (CONFLICT).
func Register(ctx context.Context, c *ent.Client, meetingID, personID int) (*Change, error) {
	if err := policy.CheckWrite(ctx); err != nil {
		return nil, err
	}
	m, err := lockMeeting(ctx, c, meetingID, "meeting_id")
	if err != nil {
		return nil, err
	}
	if err := checkOpen(m, "meeting_id", "register"); err != nil {
		return nil, err
	}
	now := time.Now()
	if m.Status == meeting.StatusDone || !m.EndsAt.After(now) {
		return nil, &validation.Error{Field: "meeting_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d has ended: cannot register", m.ID)}
	}
	if m.Visibility != meeting.VisibilityOpen {
		return nil, validation.Invalid("meeting_id",
			"meeting %d is %s: only invited people take part, registration is for OPEN meetings", m.ID, m.Visibility)
	}
	if _, err := tenant.Person(ctx, c, m.OrganizationID, personID, "person_id"); err != nil {
		return nil, err
	}
	p, err := c.Participation.Query().
		Where(participation.MeetingID(m.ID), participation.PersonID(personID)).
		Only(ctx)
	switch {
	case ent.IsNotFound(err):
		p, err = c.Participation.Create().
			SetMeetingID(m.ID).
			SetPersonID(personID).
			SetRole(participation.RoleGuest).
			Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("creating the participation: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("loading the participation: %w", err)
	case p.Status == participation.StatusAccepted || p.Status == participation.StatusWaitlisted:
		return &Change{Participation: p, Waitlisted: p.Status == participation.StatusWaitlisted}, nil
	case p.Status == participation.StatusCancelled:
		return nil, &validation.Error{Field: "person_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d was cancelled by a planner: cannot register again", p.ID)}
	}
	if p, err = join(ctx, c, p); err == nil {
		p, err = c.Participation.UpdateOne(p).SetRespondedAt(now).Save(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("registering: %w", err)
	}
	return settled(ctx, c, m, p, now)
}
