package planning

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/sqltime"
)

// PersonAttendance sums up how a person takes part in meetings.
type PersonAttendance struct {
	// Invited counts the participations not CANCELLED; Attended those checked
	// in; NoShows the ACCEPTED ones not checked in at meetings ended by now.
	Invited, Attended, NoShows int
	// LastAttendedAt is the latest check-in; nil if none.
	LastAttendedAt *time.Time
}

// joinMeetings joins the participations selected by s to their meetings.
func joinMeetings(s *sql.Selector) *sql.SelectTable {
	m := sql.Table(meeting.Table).As("m")
	s.Join(m).On(s.C(participation.FieldMeetingID), m.C(meeting.FieldID))
	return m
}

// noShowPred is the predicate of a no-show: ACCEPTED, not checked in, at a
// meeting (m) that ended before now.
func noShowPred(d string, s *sql.Selector, m *sql.SelectTable, now time.Time) *sql.Predicate {
	return sql.And(
		sql.EQ(s.C(participation.FieldStatus), participation.StatusAccepted.String()),
		sql.IsNull(s.C(participation.FieldCheckedInAt)),
		sql.P(func(b *sql.Builder) {
			b.WriteString(sqltime.Expr(d, m.C(meeting.FieldEndsAt))).WriteString(" < ").Arg(sqltime.Arg(d, now))
		}),
	)
}

// PersonAttendanceOf counts the attendance of p in one aggregate query over
// its participations joined to their meetings, through the client that loaded
// p (so the tenant and VIP rules of its viewer apply).
func PersonAttendanceOf(ctx context.Context, p *ent.Person, now time.Time) (*PersonAttendance, error) {
	var rows []personAttendanceRow
	err := p.QueryParticipations().
		Where(participation.StatusNEQ(participation.StatusCancelled)).
		Modify(func(s *sql.Selector) {
			s.Select()
			selectPersonAttendance(s, now)
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting the attendance of person %d: %w", p.ID, err)
	}
	if len(rows) == 0 {
		return &PersonAttendance{}, nil
	}
	rows[0].PersonID = p.ID
	return rows[0].attendance()
}

// PeopleAttendance counts the attendance of several people in one aggregate
// query grouped by person, through c (the viewer's tenant and VIP rules
// apply); the same counts as PersonAttendanceOf gives each.
func PeopleAttendance(ctx context.Context, c *ent.Client, personIDs []int, now time.Time) (map[int]*PersonAttendance, error) {
	var rows []personAttendanceRow
	err := c.Participation.Query().
		Where(participation.PersonIDIn(personIDs...), participation.StatusNEQ(participation.StatusCancelled)).
		Modify(func(s *sql.Selector) {
			s.Select(s.C(participation.FieldPersonID))
			selectPersonAttendance(s, now)
			s.GroupBy(s.C(participation.FieldPersonID))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting the attendance of %d people: %w", len(personIDs), err)
	}
	out := make(map[int]*PersonAttendance, len(personIDs))
	for _, id := range personIDs {
		out[id] = &PersonAttendance{}
	}
	for _, r := range rows {
		a, err := r.attendance()
		if err != nil {
			return nil, err
		}
		out[r.PersonID] = a
	}
	return out, nil
}

// personAttendanceRow is the aggregate of a person's participations.
type personAttendanceRow struct {
	PersonID int `json:"person_id"`
	Invited  int `json:"invited"`
	Attended int `json:"attended"`
	NoShows  int `json:"no_shows"`
	Last     any `json:"last_attended_at"`
}

// selectPersonAttendance adds the aggregates of personAttendanceRow to s,
// over the participations it selects joined to their meetings.
func selectPersonAttendance(s *sql.Selector, now time.Time) {
	d := s.Dialect()
	m := joinMeetings(s)
	noShow := noShowPred(d, s, m, now)
	s.AppendSelectExprAs(sql.Raw("COUNT(*)"), "invited").
		AppendSelectExprAs(sql.Raw("COUNT("+s.C(participation.FieldCheckedInAt)+")"), "attended").
		AppendSelectExprAs(sql.ExprFunc(func(b *sql.Builder) {
			b.WriteString("COUNT(CASE WHEN ").Join(noShow).WriteString(" THEN 1 END)")
		}), "no_shows").
		AppendSelectExprAs(sql.Raw("MAX("+sqltime.Expr(d, s.C(participation.FieldCheckedInAt))+")"), "last_attended_at")
}

func (r personAttendanceRow) attendance() (*PersonAttendance, error) {
	last, err := sqltime.Scan(r.Last)
	if err != nil {
		return nil, fmt.Errorf("reading the last check-in of person %d: %w", r.PersonID, err)
	}
	return &PersonAttendance{Invited: r.Invited, Attended: r.Attended, NoShows: r.NoShows, LastAttendedAt: last}, nil
}

// PeopleWithNoShows returns a predicate on people with at least minNoShows
// no-shows (as in PersonAttendanceOf) at meetings that ended within
// [since, until) (either bound optional) and before now. The participations
// are counted through client, so its viewer's tenant and VIP rules apply.
func PeopleWithNoShows(ctx context.Context, client *ent.Client, minNoShows int, since, until *time.Time, now time.Time) ([]int, error) {
	var ids []int
	err := client.Participation.Query().
		Modify(func(s *sql.Selector) {
			d := s.Dialect()
			m := joinMeetings(s)
			preds := []*sql.Predicate{noShowPred(d, s, m, now)}
			if since != nil {
				t := *since
				preds = append(preds, sql.P(func(b *sql.Builder) {
					b.WriteString(sqltime.Expr(d, m.C(meeting.FieldEndsAt))).WriteString(" >= ").Arg(sqltime.Arg(d, t))
				}))
			}
			if until != nil {
				t := *until
				preds = append(preds, sql.P(func(b *sql.Builder) {
					b.WriteString(sqltime.Expr(d, m.C(meeting.FieldEndsAt))).WriteString(" < ").Arg(sqltime.Arg(d, t))
				}))
			}
			s.Where(sql.And(preds...)).
				Select(s.C(participation.FieldPersonID)).
				GroupBy(s.C(participation.FieldPersonID)).
				Having(sql.GTE("COUNT(*)", minNoShows))
		}).
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("finding people with %d no-shows: %w", minNoShows, err)
	}
	return ids, nil
}
