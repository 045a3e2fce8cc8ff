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
	var rows []struct {
		Invited  int `json:"invited"`
		Attended int `json:"attended"`
		NoShows  int `json:"no_shows"`
		Last     any `json:"last_attended_at"`
	}
	err := p.QueryParticipations().
		Where(participation.StatusNEQ(participation.StatusCancelled)).
		Modify(func(s *sql.Selector) {
			d := s.Dialect()
			m := joinMeetings(s)
			noShow := noShowPred(d, s, m, now)
			s.Select().
				AppendSelectExprAs(sql.Raw("COUNT(*)"), "invited").
				AppendSelectExprAs(sql.Raw("COUNT("+s.C(participation.FieldCheckedInAt)+")"), "attended").
				AppendSelectExprAs(sql.ExprFunc(func(b *sql.Builder) {
					b.WriteString("COUNT(CASE WHEN ").Join(noShow).WriteString(" THEN 1 END)")
				}), "no_shows").
				AppendSelectExprAs(sql.Raw("MAX("+sqltime.Expr(d, s.C(participation.FieldCheckedInAt))+")"), "last_attended_at")
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting the attendance of person %d: %w", p.ID, err)
	}
	a := &PersonAttendance{}
	if len(rows) == 0 {
		return a, nil
	}
	r := rows[0]
	a.Invited, a.Attended, a.NoShows = r.Invited, r.Attended, r.NoShows
	last, err := sqltime.Scan(r.Last)
	if err != nil {
		return nil, fmt.Errorf("reading the last check-in of person %d: %w", p.ID, err)
	}
	a.LastAttendedAt = last
	return a, nil
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
