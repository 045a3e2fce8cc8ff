package calendar

import (
	"time"

	ics "github.com/arran4/golang-ical"
)

// transition is a change of UTC offset: at the instant at, the offset goes
// from "from" to "to" (seconds east of UTC).
type transition struct {
	at       time.Time
	from, to int
	name     string
	dst      bool
}

// goTransitions lists the transitions of loc that a VTIMEZONE covering
// [from, to) needs: the one that began the period in effect at from (so the
// whole span is covered), then every one before to.
func goTransitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	add := func(at time.Time) {
		before := at.Add(-time.Second).In(loc)
		after := at.In(loc)
		_, off0 := before.Zone()
		name, off1 := after.Zone()
		out = append(out, transition{at: at.UTC(), from: off0, to: off1, name: name, dst: after.IsDST()})
	}
	t := from.In(loc)
	if start, _ := t.ZoneBounds(); !start.IsZero() {
		add(start)
	}
	for i := 0; i < 100000; i++ {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			break
		}
		add(end)
		t = end.In(loc)
	}
	return out
}

// buildVTimezone builds the VTIMEZONE of loc for the span [from, to).
func buildVTimezone(name string, loc *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(name)
	trs := goTransitions(loc, from, to)
	inSpan := 0
	for _, tr := range trs {
		if tr.at.After(from) {
			inSpan++
		}
	}
	if inSpan == 0 {
		// No change in the span: one STANDARD observance, from 1970 (or
		// the start of the span, if earlier) on.
		at := from.In(loc)
		zname, off := at.Zone()
		onset := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		if local := wallOf(at); local.Before(onset) {
			onset = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
		}
		std := tz.AddStandard()
		addObservance(&std.ComponentBase, onset, off, off, zname)
		return tz
	}
	for _, tr := range trs {
		// DTSTART is the local time just before the transition, in the
		// offset it leaves.
		onset := tr.at.Add(time.Duration(tr.from) * time.Second)
		if tr.dst {
			d := &ics.Daylight{}
			addObservance(&d.ComponentBase, onset, tr.from, tr.to, tr.name)
			tz.Components = append(tz.Components, d)
		} else {
			std := tz.AddStandard()
			addObservance(&std.ComponentBase, onset, tr.from, tr.to, tr.name)
		}
	}
	return tz
}

func addObservance(cb *ics.ComponentBase, onset time.Time, from, to int, name string) {
	cb.AddProperty(ics.ComponentPropertyDtStart, onset.UTC().Format(formatLocal))
	cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), formatOffset(from))
	cb.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), formatOffset(to))
	if name != "" {
		cb.AddProperty(ics.ComponentProperty(ics.PropertyTzname), cleanText(name))
	}
}

// wallOf is the wall clock of t (in its location) as a UTC time.
func wallOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.UTC)
}
