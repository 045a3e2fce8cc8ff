// Package recurrence expands recurring meeting series.
//
// A series is an RFC 5545 RRULE body, a first start given as a local
// wall-clock time, an IANA time zone, a duration and exception dates (local
// wall-clock times too). Rules are expanded by rrule-go in "floating" time
// (wall-clock fields held in a UTC time.Time, so no daylight-saving effect
// enters the expansion); each wall-clock start is then turned into an instant
// in the series' zone by Resolve. A meeting at 09:00 Europe/Paris thus stays
// at 09:00 local time all year while its UTC instant moves.
package recurrence

import (
	"fmt"
	"strings"
	"time"
)

// LocalLayout is the text form of a Local.
const LocalLayout = "2006-01-02T15:04:05"

const localShortLayout = "2006-01-02T15:04"

// Local is a wall-clock date and time without zone, such as
// 2027-01-07T09:00:00. The time.Time is in UTC and holds the wall-clock
// fields, so Locals compare and sort naturally (Before, Equal, Compare).
type Local struct{ time.Time }

// ParseLocal parses "2006-01-02T15:04:05" or "2006-01-02T15:04" as a
// wall-clock time. It refuses a trailing Z or UTC offset: the series' time
// zone gives the offset.
func ParseLocal(s string) (Local, error) {
	t, err := time.ParseInLocation(LocalLayout, s, time.UTC)
	if err != nil {
		t, err = time.ParseInLocation(localShortLayout, s, time.UTC)
	}
	if err != nil {
		if hasZone(s) {
			return Local{}, fmt.Errorf("%q is a local wall-clock time such as 2027-01-07T09:00:00, without Z or offset: the series' time zone gives the offset", s)
		}
		return Local{}, fmt.Errorf("%q is not a local wall-clock time such as 2027-01-07T09:00:00", s)
	}
	if t.Nanosecond() != 0 {
		return Local{}, fmt.Errorf("%q has a fraction of a second: give a wall-clock time to the second, such as 2027-01-07T09:00:00", s)
	}
	if t.Year() < 1 || t.Year() > 9999 {
		return Local{}, fmt.Errorf("%q is out of range: the year must be between 0001 and 9999", s)
	}
	return Local{t}, nil
}

// hasZone reports whether s looks like a date-time with a Z or an offset.
func hasZone(s string) bool {
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		return true
	}
	i := strings.IndexByte(s, 'T')
	if i < 0 {
		return false
	}
	return strings.ContainsAny(s[i:], "+-")
}

// LocalOf returns the wall-clock fields of t, read in t's own location.
func LocalOf(t time.Time) Local {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return Local{time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)}
}

// String returns the wall-clock time as "2006-01-02T15:04:05".
func (l Local) String() string { return l.Time.Format(LocalLayout) }

// truncate drops any fraction of a second: Locals of a series are to the second.
func (l Local) truncate() Local { return Local{l.Time.Truncate(time.Second)} }

// Resolve turns the wall-clock time l into an instant in loc, by RFC 5545
// §3.3.5: a wall-clock time that occurs twice (the overlap when clocks fall
// back) is the first, earlier, instant; a wall-clock time that does not exist
// (the gap when clocks spring forward) is read with the UTC offset in force
// before the gap, so 02:30 on the spring-forward day in Europe/Paris is 03:30
// CEST (01:30Z). The result is expressed in loc.
func Resolve(l Local, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	// w is the wall-clock read as if it were UTC; the instant for an offset
	// off (seconds east of UTC) is w - off.
	w := l.Time
	// Zone periods that can hold the instant: offsets lie within -12h..+14h,
	// so the instant lies within [w-14h, w+12h]; look a little wider.
	type period struct {
		start, end time.Time // zero: unbounded
		off        int
	}
	var periods []period
	x := w.Add(-16 * time.Hour).In(loc)
	limit := w.Add(16 * time.Hour)
	for range 64 {
		_, off := x.Zone()
		start, end := x.ZoneBounds()
		periods = append(periods, period{start, end, off})
		if end.IsZero() || end.After(limit) || !end.After(x) {
			break
		}
		x = end.In(loc)
	}
	contains := func(p period, t time.Time) bool {
		return (p.start.IsZero() || !t.Before(p.start)) && (p.end.IsZero() || t.Before(p.end))
	}
	// The wall-clock exists in every period whose offset maps it inside the
	// period; the earliest such instant is the answer (overlap: the first).
	var best time.Time
	found := false
	for _, p := range periods {
		c := w.Add(-time.Duration(p.off) * time.Second)
		if contains(p, c) && (!found || c.Before(best)) {
			best, found = c, true
		}
	}
	if found {
		return best.In(loc)
	}
	// A gap: the wall-clock lies after the end of some period (read with
	// its offset) and before the start of the next. Use the offset before
	// the gap: the last period whose end the wall-clock has passed.
	for i := len(periods) - 1; i >= 0; i-- {
		p := periods[i]
		c := w.Add(-time.Duration(p.off) * time.Second)
		if !p.end.IsZero() && !c.Before(p.end) {
			return c.In(loc)
		}
	}
	// Not reachable with consistent zone data; fall back on time.Date.
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
}
