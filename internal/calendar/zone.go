package calendar

import (
	"sort"
	"time"
)

// zone maps instants to UTC offsets. Wall-clock times ("local" times) are
// carried as time.Time values in UTC whose fields are the local fields.
type zone interface {
	// offsetAt is the UTC offset, in seconds, in effect at instant u.
	offsetAt(u time.Time) int
	// transitionsIn lists the transitions with an instant in [a, b].
	transitionsIn(a, b time.Time) []transition
}

// utcZone is UTC, also used for floating times.
type utcZone struct{}

func (utcZone) offsetAt(time.Time) int                          { return 0 }
func (utcZone) transitionsIn(time.Time, time.Time) []transition { return nil }

// goZone is a zone from Go's zone database, used when a feed names a TZID it
// has no VTIMEZONE for.
type goZone struct{ loc *time.Location }

func (z goZone) offsetAt(u time.Time) int {
	_, off := u.In(z.loc).Zone()
	return off
}

func (z goZone) transitionsIn(a, b time.Time) []transition {
	var out []transition
	t := a.In(z.loc)
	for i := 0; i < 1000; i++ {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.After(b) {
			break
		}
		out = append(out, transition{at: end.UTC(), from: z.offsetAt(end.Add(-time.Second)), to: z.offsetAt(end)})
		t = end.In(z.loc)
	}
	return out
}

// tableZone is a zone defined by a feed's VTIMEZONE: its transitions, sorted.
type tableZone struct {
	trs []transition
}

func (z *tableZone) offsetAt(u time.Time) int {
	if len(z.trs) == 0 {
		return 0
	}
	i := sort.Search(len(z.trs), func(i int) bool { return z.trs[i].at.After(u) })
	if i == 0 {
		return z.trs[0].from
	}
	return z.trs[i-1].to
}

func (z *tableZone) transitionsIn(a, b time.Time) []transition {
	i := sort.Search(len(z.trs), func(i int) bool { return !z.trs[i].at.Before(a) })
	j := sort.Search(len(z.trs), func(i int) bool { return z.trs[i].at.After(b) })
	return z.trs[i:j]
}

// toWall is the wall clock of instant u in z.
func toWall(z zone, u time.Time) time.Time {
	return u.UTC().Add(time.Duration(z.offsetAt(u)) * time.Second)
}

// resolve turns a wall-clock time in z into an instant, per RFC 5545
// §3.3.5: a local time that falls in a gap (the clock jumps forward) is
// read with the offset before the gap; a local time that occurs twice (the
// clock goes back) is the first of the two.
func resolve(z zone, wall time.Time) time.Time {
	wall = wall.UTC()
	const window = 30 * time.Hour // wider than any UTC offset
	a, b := wall.Add(-window), wall.Add(window)
	trs := z.transitionsIn(a, b)
	cands := []int{z.offsetAt(a)}
	for _, tr := range trs {
		cands = append(cands, tr.from, tr.to)
	}
	best, found := 0, false
	for _, o := range cands {
		u := wall.Add(-time.Duration(o) * time.Second)
		if z.offsetAt(u) != o {
			continue
		}
		if !found || o > best { // larger offset: earlier instant
			best, found = o, true
		}
	}
	if found {
		return wall.Add(-time.Duration(best) * time.Second)
	}
	// In a gap: use the offset before it.
	for _, tr := range trs {
		if tr.to <= tr.from {
			continue
		}
		gapStart := tr.at.Add(time.Duration(tr.from) * time.Second)
		gapEnd := tr.at.Add(time.Duration(tr.to) * time.Second)
		if !wall.Before(gapStart) && wall.Before(gapEnd) {
			return wall.Add(-time.Duration(tr.from) * time.Second)
		}
	}
	return wall.Add(-time.Duration(cands[0]) * time.Second)
}
