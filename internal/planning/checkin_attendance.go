package planning

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/participation"
)

// Attendance counts the participations of a meeting (CANCELLED ones left
// out).
type Attendance struct {
	Invited, Accepted, Tentative, Declined, Waitlisted, CheckedIn, NoShows int
	// Rate is CheckedIn / Accepted; nil while nobody is accepted.
	Rate *float64
}

// MeetingAttendance counts the attendance of m in one GROUP BY query over its
// participations, through the client that loaded m (the transaction's, in a
// mutation). After the meeting's end (by now), the ACCEPTED people not
// checked in are no-shows.
func MeetingAttendance(ctx context.Context, m *ent.Meeting, now time.Time) (*Attendance, error) {
	var rows []struct {
		Status    participation.Status `json:"status"`
		Count     int                  `json:"count"`
		CheckedIn int                  `json:"checked_in"`
	}
	err := m.QueryParticipations().
		GroupBy(participation.FieldStatus).
		Aggregate(ent.Count(), func(s *sql.Selector) string {
			return sql.As(sql.Count(s.C(participation.FieldCheckedInAt)), "checked_in")
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting the attendance of meeting %d: %w", m.ID, err)
	}
	var a Attendance
	acceptedNotIn := 0
	for _, r := range rows {
		if r.Status == participation.StatusCancelled {
			continue
		}
		a.Invited += r.Count
		a.CheckedIn += r.CheckedIn
		switch r.Status {
		case participation.StatusAccepted:
			a.Accepted = r.Count
			acceptedNotIn = r.Count - r.CheckedIn
		case participation.StatusTentative:
			a.Tentative = r.Count
		case participation.StatusDeclined:
			a.Declined = r.Count
		case participation.StatusWaitlisted:
			a.Waitlisted = r.Count
		}
	}
	if !m.EndsAt.After(now) {
		a.NoShows = acceptedNotIn
	}
	if a.Accepted > 0 {
		rate := float64(a.CheckedIn) / float64(a.Accepted)
		a.Rate = &rate
	}
	return &a, nil
}
