package outcome

import (
	"context"
	"fmt"
	"sort"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/internal/sqltime"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Segment is a person's relationship with the organization, computed from
// verified attendance (check-ins).
type Segment string

// The segments, in the order their rules apply (see Classify).
const (
	New        Segment = "NEW"
	Lapsed     Segment = "LAPSED"
	Loyal      Segment = "LOYAL"
	Regular    Segment = "REGULAR"
	FirstTimer Segment = "FIRST_TIMER"
	Occasional Segment = "OCCASIONAL"
)

// Segments lists every segment, in the order of the rules.
var Segments = []Segment{New, Lapsed, Loyal, Regular, FirstTimer, Occasional}

// Rules are an organization's segment thresholds.
type Rules struct {
	// RegularMin and LoyalMin are the attendances within WindowMonths that
	// make a person REGULAR and LOYAL.
	RegularMin, LoyalMin int
	// WindowMonths is how far back attendances count for REGULAR and LOYAL.
	WindowMonths int
	// LapseMonths is how long without an attendance makes a person LAPSED.
	LapseMonths int
}

// RulesOf returns the thresholds of an organization.
func RulesOf(o *ent.Organization) Rules {
	return Rules{RegularMin: o.SegmentRegularMin, LoyalMin: o.SegmentLoyalMin,
		WindowMonths: o.SegmentWindowMonths, LapseMonths: o.SegmentLapseMonths}
}

// LoadRules reads the thresholds of the organization of the client's viewer
// (the only one it sees).
func LoadRules(ctx context.Context, c *ent.Client) (Rules, error) {
	o, err := c.Organization.Query().
		Select(organization.FieldSegmentRegularMin, organization.FieldSegmentLoyalMin,
			organization.FieldSegmentWindowMonths, organization.FieldSegmentLapseMonths).
		Only(ctx)
	if err != nil {
		return Rules{}, fmt.Errorf("loading the segment thresholds: %w", err)
	}
	return RulesOf(o), nil
}

// cutoffs are the starts of the counting and lapse windows at a time.
func (r Rules) cutoffs(at time.Time) (window, lapse time.Time) {
	return at.AddDate(0, -r.WindowMonths, 0), at.AddDate(0, -r.LapseMonths, 0)
}

// Classify is the segment, at time at, of a person checked in at the given
// times (those after at are ignored). It is the same rule as the SQL of
// segmentOfPerson, for the time series computed in Go; TestSegmentRulesAgree
// checks that the two agree.
func (r Rules) Classify(checkIns []time.Time, at time.Time) Segment {
	window, lapse := r.cutoffs(at)
	total, recent := 0, 0
	var last time.Time
	for _, t := range checkIns {
		if t.After(at) {
			continue
		}
		total++
		if !t.Before(window) {
			recent++
		}
		if t.After(last) {
			last = t
		}
	}
	switch {
	case total == 0:
		return New
	case last.Before(lapse):
		return Lapsed
	case recent >= r.LoyalMin:
		return Loyal
	case recent >= r.RegularMin:
		return Regular
	case total == 1:
		return FirstTimer
	default:
		return Occasional
	}
}

// segmentOfPerson writes the SQL form of Classify: a scalar subquery, the
// segment at time at of the person whose ID column is personID, from their
// check-ins up to at. Without check-ins its aggregates are NULL and 0, and
// the person is NEW.
func segmentOfPerson(b *sql.Builder, d, personID string, r Rules, at time.Time) {
	window, lapse := r.cutoffs(at)
	checkedIn := sqltime.Expr(d, "pa."+participation.FieldCheckedInAt)
	b.WriteString("(SELECT CASE WHEN COUNT(*) = 0 THEN ").Arg(string(New))
	b.WriteString(" WHEN MAX(" + checkedIn + ") < ").Arg(sqltime.Arg(d, lapse)).WriteString(" THEN ").Arg(string(Lapsed))
	recent := func(min int) {
		b.WriteString(" WHEN SUM(CASE WHEN " + checkedIn + " >= ").Arg(sqltime.Arg(d, window)).
			WriteString(" THEN 1 ELSE 0 END) >= ").Arg(min)
	}
	recent(r.LoyalMin)
	b.WriteString(" THEN ").Arg(string(Loyal))
	recent(r.RegularMin)
	b.WriteString(" THEN ").Arg(string(Regular))
	b.WriteString(" WHEN COUNT(*) = 1 THEN ").Arg(string(FirstTimer))
	b.WriteString(" ELSE ").Arg(string(Occasional)).WriteString(" END")
	b.WriteString(" FROM " + b.Quote(participation.Table) + " AS pa WHERE pa." + participation.FieldPersonID + " = " + personID)
	b.WriteString(" AND pa." + participation.FieldCheckedInAt + " IS NOT NULL AND " + checkedIn + " <= ").Arg(sqltime.Arg(d, at))
	b.WriteString(")")
}

// InSegments is a predicate on people whose segment at time at is one of
// segs, evaluated in SQL from their check-ins.
func InSegments(r Rules, at time.Time, segs []Segment) predicate.Person {
	return predicate.Person(func(s *sql.Selector) {
		if len(segs) == 0 {
			s.Where(sql.False())
			return
		}
		s.Where(sql.P(func(b *sql.Builder) {
			segmentOfPerson(b, s.Dialect(), s.C(person.FieldID), r, at)
			b.WriteString(" IN (")
			for i, sg := range segs {
				if i > 0 {
					b.Comma()
				}
				b.Arg(string(sg))
			}
			b.WriteString(")")
		}))
	})
}

// SegmentOf is the segment of one person at time at.
func SegmentOf(ctx context.Context, c *ent.Client, r Rules, personID int, at time.Time) (Segment, error) {
	segs, err := SegmentsOf(ctx, c, r, []int{personID}, at)
	if err != nil {
		return "", err
	}
	return segs[personID], nil
}

// SegmentsOf is the segment of each of the people at time at, in one
// statement; a person the viewer may not see is NEW.
func SegmentsOf(ctx context.Context, c *ent.Client, r Rules, personIDs []int, at time.Time) (map[int]Segment, error) {
	var rows []struct {
		ID  int    `json:"id"`
		Seg string `json:"seg"`
	}
	err := c.Person.Query().Where(person.IDIn(personIDs...)).
		Modify(func(s *sql.Selector) {
			s.Select(s.C(person.FieldID)).AppendSelectExprAs(sql.ExprFunc(func(b *sql.Builder) {
				segmentOfPerson(b, s.Dialect(), s.C(person.FieldID), r, at)
			}), "seg")
		}).
		Scan(ctx, &rows)
	if err != nil {
		if len(personIDs) == 1 {
			return nil, fmt.Errorf("computing the segment of person %d: %w", personIDs[0], err)
		}
		return nil, fmt.Errorf("computing the segments of %d people: %w", len(personIDs), err)
	}
	out := make(map[int]Segment, len(personIDs))
	for _, id := range personIDs {
		out[id] = New
	}
	for _, row := range rows {
		out[row.ID] = Segment(row.Seg)
	}
	return out, nil
}

// grouped runs, over the people of the viewer's organization (or of one
// community), one row per person with their VIP flag and segment at each
// time (seg0, seg1…), grouped by outer. ent applies a query's predicates
// (the privacy rules among them) after its modifiers, so they apply to the
// rows of the inner query, which carries the columns they read; the inner
// query filters the organization and the community itself, so that only
// those people's segments are computed.
func grouped(ctx context.Context, c *ent.Client, communityID *int, r Rules, times []time.Time, outer func(s *sql.Selector), v any) error {
	vw := viewer.FromContext(ctx)
	if vw == nil {
		return fmt.Errorf("counting segments needs a viewer")
	}
	return c.Person.Query().Modify(func(s *sql.Selector) {
		d := s.Dialect()
		t := sql.Table(person.Table)
		inner := sql.Dialect(d).Select(t.C(person.FieldID), t.C(person.FieldOrganizationID)).From(t)
		inner.AppendSelectExprAs(sql.Raw("CASE WHEN "+t.C(person.FieldVip)+" THEN 1 ELSE 0 END"), "vip")
		for i, at := range times {
			inner.AppendSelectExprAs(sql.ExprFunc(func(b *sql.Builder) {
				segmentOfPerson(b, d, t.C(person.FieldID), r, at)
			}), fmt.Sprintf("seg%d", i))
		}
		inner.Where(sql.EQ(t.C(person.FieldOrganizationID), vw.OrganizationID))
		if communityID != nil {
			members := sql.Dialect(d).Select(community.MembersPrimaryKey[1]).From(sql.Table(community.MembersTable)).
				Where(sql.EQ(community.MembersPrimaryKey[0], *communityID))
			inner.Where(sql.In(t.C(person.FieldID), members))
		}
		s.From(inner.As(person.Table))
		outer(s)
	}).Scan(ctx, v)
}

// Counts are the people of each segment at a time, and the VIPs among them.
type Counts struct {
	At         time.Time
	BySegment  map[Segment]int
	Total, VIP int
}

// CountSegments counts the people of the viewer's organization (or of one
// community) in each segment at time at, in one grouped statement.
func CountSegments(ctx context.Context, c *ent.Client, r Rules, communityID *int, at time.Time) (*Counts, error) {
	if err := checkCommunity(ctx, c, communityID); err != nil {
		return nil, err
	}
	var rows []struct {
		Seg  string `json:"seg0"`
		N    int    `json:"n"`
		VIPs int    `json:"vips"`
	}
	err := grouped(ctx, c, communityID, r, []time.Time{at}, func(s *sql.Selector) {
		s.Select("seg0").
			AppendSelectExprAs(sql.Raw("COUNT(*)"), "n").
			AppendSelectExprAs(sql.Raw("SUM(vip)"), "vips").
			GroupBy("seg0")
	}, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting segments: %w", err)
	}
	counts := &Counts{At: at, BySegment: map[Segment]int{}}
	for _, row := range rows {
		counts.BySegment[Segment(row.Seg)] = row.N
		counts.Total += row.N
		counts.VIP += row.VIPs
	}
	return counts, nil
}

// Move is how many people went from one segment to another.
type Move struct {
	From, To Segment
	Count    int
}

// Movement counts the moves between the segments at from and at to, of the
// people of the organization (or of one community), in one statement: the
// loyalty funnel.
func Movement(ctx context.Context, c *ent.Client, r Rules, communityID *int, from, to time.Time) ([]Move, error) {
	if !from.Before(to) {
		return nil, validation.Invalid("from", "must be before to (%s is not before %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if err := checkCommunity(ctx, c, communityID); err != nil {
		return nil, err
	}
	var rows []struct {
		From string `json:"seg0"`
		To   string `json:"seg1"`
		N    int    `json:"n"`
	}
	err := grouped(ctx, c, communityID, r, []time.Time{from, to}, func(s *sql.Selector) {
		s.Select("seg0", "seg1").
			AppendSelectExprAs(sql.Raw("COUNT(*)"), "n").
			GroupBy("seg0", "seg1")
	}, &rows)
	if err != nil {
		return nil, fmt.Errorf("counting segment moves: %w", err)
	}
	moves := make([]Move, 0, len(rows))
	for _, row := range rows {
		moves = append(moves, Move{From: Segment(row.From), To: Segment(row.To), Count: row.N})
	}
	rank := map[Segment]int{}
	for i, s := range []Segment{New, FirstTimer, Occasional, Regular, Loyal, Lapsed} {
		rank[s] = i
	}
	sort.Slice(moves, func(i, j int) bool {
		if moves[i].From != moves[j].From {
			return rank[moves[i].From] < rank[moves[j].From]
		}
		return rank[moves[i].To] < rank[moves[j].To]
	})
	return moves, nil
}

// checkCommunity refuses a community the viewer does not see.
func checkCommunity(ctx context.Context, c *ent.Client, id *int) error {
	if id == nil {
		return nil
	}
	ok, err := c.Community.Query().Where(community.ID(*id)).Exist(ctx)
	if err != nil {
		return fmt.Errorf("loading community %d: %w", *id, err)
	}
	if !ok {
		return validation.NotFound("community_id", "no community with ID %d", *id)
	}
	return nil
}
