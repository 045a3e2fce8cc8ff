package schema

import (
	"context"
	"fmt"
	"time"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/validation"
)

// The rules that tie encounters and feedback to attendance: only people
// checked in at a meeting met there or rate it, and an encounter happened
// around the meeting, from an hour before its start to twelve hours after
// its end, and not in the future.

// EncounterWindow is when an encounter at a meeting from start to end may
// have happened.
func EncounterWindow(start, end time.Time) (from, to time.Time) {
	return start.Add(-time.Hour), end.Add(12 * time.Hour)
}

// checkCheckedIn fails on field unless person checked in at the meeting.
func checkCheckedIn(ctx context.Context, c *gen.Client, meetingID, personID int, field string) error {
	ok, err := c.Participation.Query().
		Where(participation.MeetingID(meetingID), participation.PersonID(personID), participation.CheckedInAtNotNil()).
		Exist(ctx)
	if err != nil {
		return fmt.Errorf("checking the check-in of person %d: %w", personID, err)
	}
	if !ok {
		return &validation.Error{Field: field, Code: validation.CodeConflict,
			Message: fmt.Sprintf("person %d has not checked in at meeting %d", personID, meetingID)}
	}
	return nil
}

// checkEncounter applies the rules of attendance to a new encounter.
func checkEncounter(ctx context.Context, m *gen.EncounterMutation) error {
	meetingID, okM := m.MeetingID()
	if !okM {
		return nil // the create reports the missing field
	}
	for _, p := range []struct {
		get   func() (int, bool)
		field string
	}{{m.PersonAID, "person_a_id"}, {m.PersonBID, "person_b_id"}} {
		if id, ok := p.get(); ok {
			if err := checkCheckedIn(ctx, m.Client(), meetingID, id, p.field); err != nil {
				return err
			}
		}
	}
	at, ok := m.OccurredAt()
	if !ok {
		return nil
	}
	mt, err := m.Client().Meeting.Get(ctx, meetingID)
	if err != nil {
		return fmt.Errorf("loading meeting %d: %w", meetingID, err)
	}
	from, to := EncounterWindow(mt.StartsAt, mt.EndsAt)
	switch now := Now(ctx); {
	case at.After(now):
		return validation.Invalid("occurred_at", "%s is in the future", at.Format(time.RFC3339))
	case at.Before(from), at.After(to):
		return validation.Invalid("occurred_at", "must lie between an hour before the meeting's start and twelve hours after its end (%s to %s), not %s",
			from.Format(time.RFC3339), to.Format(time.RFC3339), at.Format(time.RFC3339))
	}
	return nil
}
