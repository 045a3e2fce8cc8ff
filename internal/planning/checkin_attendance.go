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
	var rows []attendanceRow
	err := m.QueryParticipations().
		GroupBy(participation.FieldStatus).
		Aggregate(ent.Count(), checkedIn).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting the attendance of meeting %d: %w", m.ID, err)
	}
	return attendanceOf(m, rows, now), nil
}

// MeetingsAttendance counts the attendance of several meetings in one GROUP
// BY query over their participations, through c (the transaction's client
// in a mutation); the same counts as MeetingAttendance gives each.
func MeetingsAttendance(ctx context.Context, c *ent.Client, ms []*ent.Meeting, now time.Time) (map[int]*Attendance, error) {
	ids := make([]int, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	var rows []attendanceRow
	err := c.Participation.Query().
		Where(participation.MeetingIDIn(ids...)).
		GroupBy(participation.FieldMeetingID, participation.FieldStatus).
		Aggregate(ent.Count(), checkedIn).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting the attendance of %d meetings: %w", len(ms), err)
	}
	byMeeting := make(map[int][]attendanceRow, len(ms))
	for _, r := range rows {
		byMeeting[r.MeetingID] = append(byMeeting[r.MeetingID], r)
	}
	out := make(map[int]*Attendance, len(ms))
	for _, m := range ms {
		out[m.ID] = attendanceOf(m, byMeeting[m.ID], now)
	}
	return out, nil
}

// attendanceRow is one status of a meeting's participations.
type attendanceRow struct {
	MeetingID int                  `json:"meeting_id"`
	Status    participation.Status `json:"status"`
	Count     int                  `json:"count"`
	CheckedIn int                  `json:"checked_in"`
}

func checkedIn(s *sql.Selector) string {
	return sql.As(sql.Count(s.C(participation.FieldCheckedInAt)), "checked_in")
}

// attendanceOf is the attendance of m from its rows.
func attendanceOf(m *ent.Meeting, rows []attendanceRow, now time.Time) *Attendance {
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
	return &a
}
