package series

import (
	"context"
	"slices"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/validation"
)

// MaxAgendaRange is the longest period an agenda covers.
const MaxAgendaRange = 366 * 24 * time.Hour

// Entry is one meeting of a person's agenda.
type Entry struct {
	Meeting       *ent.Meeting
	Participation *ent.Participation
	// ConflictsWith are the other meetings of the agenda the person
	// accepted that overlap this one, when the person accepted this one too.
	ConflictsWith []*ent.Meeting
}

// Agenda lists the meetings person was invited to or accepted (not
// declined, not uninvited) that overlap [from, to), in order of start, with
// the overlaps between accepted meetings that are not cancelled marked as
// conflicts.
func Agenda(ctx context.Context, c *ent.Client, personID int, from, to time.Time) ([]*Entry, error) {
	return AgendaOf(ctx, c.Participation.Query().Where(participation.PersonID(personID)), from, to)
}

// AgendaOf is Agenda over the participations of one person given as a query
// (Person.QueryParticipations, bound to the caller's transaction).
func AgendaOf(ctx context.Context, parts *ent.ParticipationQuery, from, to time.Time) ([]*Entry, error) {
	switch {
	case !to.After(from):
		return nil, validation.Invalid("to", "must be after from")
	case to.Sub(from) > MaxAgendaRange:
		return nil, validation.Invalid("to", "an agenda covers at most 366 days")
	}
	ps, err := parts.
		Where(participation.StatusIn(participation.StatusInvited, participation.StatusAccepted,
			participation.StatusTentative, participation.StatusWaitlisted),
			participation.HasMeetingWith(meeting.StartsAtLT(to), meeting.EndsAtGT(from))).
		WithMeeting().
		All(ctx)
	if err != nil {
		return nil, err
	}
	entries := make([]*Entry, 0, len(ps))
	for _, p := range ps {
		if p.Edges.Meeting != nil {
			entries = append(entries, &Entry{Meeting: p.Edges.Meeting, Participation: p})
		}
	}
	slices.SortFunc(entries, func(a, b *Entry) int {
		if c := a.Meeting.StartsAt.Compare(b.Meeting.StartsAt); c != 0 {
			return c
		}
		return a.Meeting.ID - b.Meeting.ID
	})
	busy := func(e *Entry) bool {
		return e.Participation.Status == participation.StatusAccepted && e.Meeting.Status != meeting.StatusCancelled
	}
	for i, a := range entries {
		if !busy(a) {
			continue
		}
		for _, b := range entries[i+1:] {
			if !b.Meeting.StartsAt.Before(a.Meeting.EndsAt) {
				break // sorted by start: no later one overlaps a
			}
			if busy(b) {
				a.ConflictsWith = append(a.ConflictsWith, b.Meeting)
				b.ConflictsWith = append(b.ConflictsWith, a.Meeting)
			}
		}
	}
	return entries, nil
}
