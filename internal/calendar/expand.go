package calendar

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/teambition/rrule-go"
)

// Limits that keep Expand bounded on hostile or unbounded input.
const (
	maxOccurrences = 1_000_000 // rule iterations for one recurring master
	maxOnsets      = 20_000    // onsets of one VTIMEZONE observance
)

// Expand parses an iCalendar stream with golang-ical and lists every
// occurrence it describes with its start in [from, to): single events as
// they are; recurring masters (RRULE, RDATE) expanded with rrule-go in the
// wall clock of their DTSTART's zone, EXDATEs removed, and occurrences
// replaced by the override with the same UID and RECURRENCE-ID (an override
// is listed at its own start, even when it was moved in from outside the
// range). Cancelled events and occurrences are listed too, with their
// status.
//
// A DTSTART;TZID=… is resolved with the feed's VTIMEZONE for that TZID (its
// observances' TZOFFSETFROM/TZOFFSETTO, with their RRULEs and RDATEs), and
// only with Go's zone database when the feed has no such VTIMEZONE. Local
// times are read per RFC 5545 §3.3.5: a time in a gap takes the offset
// before the gap, a time that occurs twice is the first one. Floating times
// and dates (VALUE=DATE) are read as UTC.
//
// Instances are sorted by start, then UID.
func Expand(r io.Reader, from, to time.Time) ([]Instance, error) {
	cal, err := ics.ParseCalendarWithOptions(r, ics.WithUnknownPropertyHandler(ics.AcceptUnknownPropertyHandler))
	if err != nil {
		return nil, fmt.Errorf("calendar: parse: %w", err)
	}
	from, to = from.UTC(), to.UTC()

	var vtzs []*ics.VTimezone
	var events []*rawEvent
	horizon := to
	for _, comp := range cal.Components {
		switch c := comp.(type) {
		case *ics.VTimezone:
			vtzs = append(vtzs, c)
		case *ics.VEvent:
			ev, err := parseEvent(&c.ComponentBase)
			if err != nil {
				return nil, err
			}
			for _, w := range ev.walls() {
				if w.After(horizon) {
					horizon = w
				}
			}
			events = append(events, ev)
		}
	}
	horizon = horizon.AddDate(1, 0, 0)

	zones := map[string]zone{}
	for _, vtz := range vtzs {
		id, z, err := parseVTimezone(vtz, horizon)
		if err != nil {
			return nil, err
		}
		zones[id] = z
	}
	zoneOf := func(tzid string) (zone, error) {
		if tzid == "" {
			return utcZone{}, nil
		}
		if z, ok := zones[tzid]; ok {
			return z, nil
		}
		loc, err := time.LoadLocation(tzid)
		if err != nil {
			return nil, fmt.Errorf("calendar: TZID %q has no VTIMEZONE and is not a known zone: %w", tzid, err)
		}
		z := goZone{loc}
		zones[tzid] = z
		return z, nil
	}
	instant := func(v dtValue) (time.Time, error) {
		if v.utc || v.date {
			return v.wall, nil
		}
		z, err := zoneOf(v.tzid)
		if err != nil {
			return time.Time{}, err
		}
		return resolve(z, v.wall), nil
	}

	// Resolve every event's times.
	for _, ev := range events {
		if ev.startAt, err = instant(ev.start); err != nil {
			return nil, fmt.Errorf("calendar: event %q: %w", ev.uid, err)
		}
		switch {
		case ev.end != nil:
			end, err := instant(*ev.end)
			if err != nil {
				return nil, fmt.Errorf("calendar: event %q: %w", ev.uid, err)
			}
			ev.dur = end.Sub(ev.startAt)
		case ev.start.date && !ev.hasDur:
			ev.dur = 24 * time.Hour
		}
		if ev.recurrenceID != nil {
			if ev.recurAt, err = instant(*ev.recurrenceID); err != nil {
				return nil, fmt.Errorf("calendar: event %q: %w", ev.uid, err)
			}
		}
	}

	// Overrides by UID and original start.
	type key struct {
		uid string
		at  int64
	}
	overridden := map[key]bool{}
	for _, ev := range events {
		if ev.recurrenceID != nil {
			overridden[key{ev.uid, ev.recurAt.Unix()}] = true
		}
	}

	var out []Instance
	add := func(ev *rawEvent, start time.Time) {
		if start.Before(from) || !start.Before(to) {
			return
		}
		out = append(out, Instance{
			UID:      ev.uid,
			Start:    start.UTC(),
			End:      start.Add(ev.dur).UTC(),
			Status:   ev.status,
			Summary:  ev.summary,
			Sequence: ev.sequence,
		})
	}
	for _, ev := range events {
		if ev.recurrenceID != nil || (ev.rrule == "" && len(ev.rdates) == 0) {
			add(ev, ev.startAt)
			continue
		}
		var z zone = utcZone{}
		if !ev.start.utc && !ev.start.date && ev.start.tzid != "" {
			if z, err = zoneOf(ev.start.tzid); err != nil {
				return nil, fmt.Errorf("calendar: event %q: %w", ev.uid, err)
			}
		}
		exAt := map[int64]bool{}
		exDay := map[string]bool{}
		for _, x := range ev.exdates {
			if x.date && !ev.start.date {
				exDay[x.wall.Format(formatDate)] = true
				continue
			}
			at, err := instant(x)
			if err != nil {
				return nil, fmt.Errorf("calendar: event %q: EXDATE: %w", ev.uid, err)
			}
			exAt[at.Unix()] = true
		}
		seen := map[int64]bool{}
		occurrence := func(wall time.Time, at time.Time) {
			u := at.Unix()
			if seen[u] || exAt[u] || exDay[wall.Format(formatDate)] || overridden[key{ev.uid, u}] {
				return
			}
			seen[u] = true
			add(ev, at)
		}
		if ev.rrule != "" {
			walls, err := ruleWalls(ev, z, to)
			if err != nil {
				return nil, err
			}
			for _, w := range walls {
				occurrence(w, resolve(z, w))
			}
		}
		for _, rd := range ev.rdates {
			at, err := instant(rd)
			if err != nil {
				return nil, fmt.Errorf("calendar: event %q: RDATE: %w", ev.uid, err)
			}
			occurrence(toWall(z, at), at)
		}
	}

	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Start.Equal(b.Start) {
			return a.Start.Before(b.Start)
		}
		if a.UID != b.UID {
			return a.UID < b.UID
		}
		if !a.End.Equal(b.End) {
			return a.End.Before(b.End)
		}
		return a.Summary < b.Summary
	})
	return out, nil
}

// ruleWalls lists the wall-clock starts of a master's RRULE (with its
// DTSTART, which always counts as the first occurrence) up to a little
// past to.
func ruleWalls(ev *rawEvent, z zone, to time.Time) ([]time.Time, error) {
	opt, err := rrule.StrToROption(ev.rrule)
	if err != nil {
		return nil, fmt.Errorf("calendar: event %q: RRULE %q: %w", ev.uid, ev.rrule, err)
	}
	if !opt.Until.IsZero() && untilIsUTC(ev.rrule) {
		// UNTIL is an instant: compare it in the same wall clock.
		opt.Until = toWall(z, opt.Until)
	}
	dtstart := ev.start.wall
	opt.Dtstart = dtstart
	rr, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, fmt.Errorf("calendar: event %q: RRULE %q: %w", ev.uid, ev.rrule, err)
	}
	stop := to.Add(30 * time.Hour) // walls past this start after to in any zone
	next := rr.Iterator()
	var walls []time.Time
	t, ok := next()
	if !ok || !t.Equal(dtstart) {
		walls = append(walls, dtstart)
	}
	for n := 0; ok; n++ {
		if n >= maxOccurrences {
			return nil, fmt.Errorf("calendar: event %q: RRULE %q: more than %d occurrences before %s", ev.uid, ev.rrule, maxOccurrences, to)
		}
		if opt.Count > 0 && len(walls) >= opt.Count || t.After(stop) {
			break
		}
		walls = append(walls, t)
		t, ok = next()
	}
	return walls, nil
}

// untilIsUTC reports whether a RRULE's UNTIL is a UTC date-time (ends in Z).
func untilIsUTC(rule string) bool {
	for _, part := range strings.Split(rule, ";") {
		if k, v, ok := strings.Cut(part, "="); ok && strings.EqualFold(strings.TrimSpace(k), "UNTIL") {
			return strings.HasSuffix(strings.ToUpper(strings.TrimSpace(v)), "Z")
		}
	}
	return false
}

// dtValue is a DATE or DATE-TIME value as written: wall holds its fields
// (in UTC); utc: it ended in Z (wall is then the instant); date: a DATE.
type dtValue struct {
	wall time.Time
	tzid string
	utc  bool
	date bool
}

type rawEvent struct {
	uid, summary, status string
	sequence             int
	start                dtValue
	end                  *dtValue
	hasDur               bool
	dur                  time.Duration
	rrule                string
	rdates, exdates      []dtValue
	recurrenceID         *dtValue

	startAt, recurAt time.Time
}

// walls lists the event's written times (to bound VTIMEZONE expansion).
func (ev *rawEvent) walls() []time.Time {
	out := []time.Time{ev.start.wall}
	if ev.end != nil {
		out = append(out, ev.end.wall)
	}
	if ev.recurrenceID != nil {
		out = append(out, ev.recurrenceID.wall)
	}
	for _, v := range ev.rdates {
		out = append(out, v.wall)
	}
	for _, v := range ev.exdates {
		out = append(out, v.wall)
	}
	return out
}

func parseEvent(cb *ics.ComponentBase) (*rawEvent, error) {
	ev := &rawEvent{}
	if p := cb.GetProperty(ics.ComponentPropertyUniqueId); p != nil {
		ev.uid = p.Value
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("calendar: event %q: "+format, append([]any{ev.uid}, args...)...)
	}
	if p := cb.GetProperty(ics.ComponentPropertySummary); p != nil {
		ev.summary = p.Value
	}
	if p := cb.GetProperty(ics.ComponentPropertyStatus); p != nil {
		ev.status = strings.ToUpper(strings.TrimSpace(p.Value))
	}
	if p := cb.GetProperty(ics.ComponentPropertySequence); p != nil {
		n, err := strconv.Atoi(strings.TrimSpace(p.Value))
		if err != nil {
			return nil, fail("SEQUENCE %q: %w", p.Value, err)
		}
		ev.sequence = n
	}
	p := cb.GetProperty(ics.ComponentPropertyDtStart)
	if p == nil {
		return nil, fail("no DTSTART")
	}
	vs, err := parseDateTimes(&p.BaseProperty)
	if err != nil || len(vs) != 1 {
		return nil, fail("DTSTART %q: %v", p.Value, err)
	}
	ev.start = vs[0]
	if p := cb.GetProperty(ics.ComponentPropertyDtEnd); p != nil {
		vs, err := parseDateTimes(&p.BaseProperty)
		if err != nil || len(vs) != 1 {
			return nil, fail("DTEND %q: %v", p.Value, err)
		}
		ev.end = &vs[0]
	} else if p := cb.GetProperty(ics.ComponentPropertyDuration); p != nil {
		d, err := parseDuration(p.Value)
		if err != nil {
			return nil, fail("DURATION: %w", err)
		}
		ev.dur, ev.hasDur = d, true
	}
	if p := cb.GetProperty(ics.ComponentPropertyRecurrenceId); p != nil {
		vs, err := parseDateTimes(&p.BaseProperty)
		if err != nil || len(vs) != 1 {
			return nil, fail("RECURRENCE-ID %q: %v", p.Value, err)
		}
		ev.recurrenceID = &vs[0]
	}
	if p := cb.GetProperty(ics.ComponentPropertyRrule); p != nil {
		ev.rrule = strings.TrimPrefix(strings.TrimSpace(p.Value), "RRULE:")
	}
	for _, p := range cb.GetProperties(ics.ComponentPropertyExdate) {
		vs, err := parseDateTimes(&p.BaseProperty)
		if err != nil {
			return nil, fail("EXDATE %q: %w", p.Value, err)
		}
		ev.exdates = append(ev.exdates, vs...)
	}
	for _, p := range cb.GetProperties(ics.ComponentPropertyRdate) {
		vs, err := parseDateTimes(&p.BaseProperty)
		if err != nil {
			return nil, fail("RDATE %q: %w", p.Value, err)
		}
		ev.rdates = append(ev.rdates, vs...)
	}
	return ev, nil
}

// parseDateTimes parses a DATE / DATE-TIME (list) property value with its
// TZID and VALUE parameters; a PERIOD is read as its start.
func parseDateTimes(p *ics.BaseProperty) ([]dtValue, error) {
	tzid := ""
	if v := p.ICalParameters[string(ics.ParameterTzid)]; len(v) > 0 {
		tzid = strings.TrimSpace(v[0])
	}
	isDate := false
	if v := p.ICalParameters[string(ics.ParameterValue)]; len(v) > 0 && strings.EqualFold(v[0], "DATE") {
		isDate = true
	}
	var out []dtValue
	for _, s := range strings.Split(p.Value, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if i := strings.IndexByte(s, '/'); i >= 0 {
			s = s[:i]
		}
		v, err := parseDateTime(s, isDate)
		if err != nil {
			return nil, err
		}
		if !v.utc && !v.date {
			v.tzid = tzid
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("empty value")
	}
	return out, nil
}

func parseDateTime(s string, isDate bool) (dtValue, error) {
	switch {
	case len(s) == 8 || isDate:
		t, err := time.Parse(formatDate, s)
		return dtValue{wall: t, date: true}, err
	case strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z"):
		t, err := time.Parse(formatLocal, s[:len(s)-1])
		return dtValue{wall: t, utc: true}, err
	default:
		t, err := time.Parse(formatLocal, s)
		return dtValue{wall: t}, err
	}
}

// parseDuration parses an RFC 5545 DURATION ([+-]P[nW][nD][T[nH][nM][nS]]);
// days are 24 hours.
func parseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.ToUpper(strings.TrimSpace(s))
	sign := time.Duration(1)
	if strings.HasPrefix(s, "-") {
		sign, s = -1, s[1:]
	} else {
		s = strings.TrimPrefix(s, "+")
	}
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, fmt.Errorf("invalid duration %q", orig)
	}
	s = s[1:]
	var d time.Duration
	inTime := false
	num := ""
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
			continue
		case r == 'T':
			if inTime || num != "" {
				return 0, fmt.Errorf("invalid duration %q", orig)
			}
			inTime = true
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", orig)
		}
		num = ""
		unit := map[rune]time.Duration{'W': 7 * 24 * time.Hour, 'D': 24 * time.Hour}
		if inTime {
			unit = map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}
		}
		u, ok := unit[r]
		if !ok {
			return 0, fmt.Errorf("invalid duration %q", orig)
		}
		d += time.Duration(n) * u
	}
	if num != "" {
		return 0, fmt.Errorf("invalid duration %q", orig)
	}
	return sign * d, nil
}

// parseVTimezone reads a VTIMEZONE into the transitions its observances
// describe, with observance RRULEs expanded up to horizon.
func parseVTimezone(vtz *ics.VTimezone, horizon time.Time) (string, *tableZone, error) {
	p := vtz.GetProperty(ics.ComponentPropertyTzid)
	if p == nil || strings.TrimSpace(p.Value) == "" {
		return "", nil, errors.New("calendar: VTIMEZONE without TZID")
	}
	id := strings.TrimSpace(p.Value)
	fail := func(err error) error { return fmt.Errorf("calendar: VTIMEZONE %q: %w", id, err) }
	z := &tableZone{}
	for _, sub := range vtz.Components {
		var cb *ics.ComponentBase
		switch c := sub.(type) {
		case *ics.Standard:
			cb = &c.ComponentBase
		case *ics.Daylight:
			cb = &c.ComponentBase
		default:
			continue
		}
		offFrom, err := offsetProp(cb, ics.PropertyTzoffsetfrom)
		if err != nil {
			return "", nil, fail(err)
		}
		offTo, err := offsetProp(cb, ics.PropertyTzoffsetto)
		if err != nil {
			return "", nil, fail(err)
		}
		dp := cb.GetProperty(ics.ComponentPropertyDtStart)
		if dp == nil {
			return "", nil, fail(errors.New("observance without DTSTART"))
		}
		start, err := parseDateTime(strings.TrimSpace(dp.Value), false)
		if err != nil {
			return "", nil, fail(fmt.Errorf("observance DTSTART %q: %w", dp.Value, err))
		}
		onsets := []time.Time{start.wall}
		if rp := cb.GetProperty(ics.ComponentPropertyRrule); rp != nil {
			rule := strings.TrimPrefix(strings.TrimSpace(rp.Value), "RRULE:")
			opt, err := rrule.StrToROption(rule)
			if err != nil {
				return "", nil, fail(fmt.Errorf("observance RRULE %q: %w", rp.Value, err))
			}
			if !opt.Until.IsZero() && untilIsUTC(rule) {
				opt.Until = opt.Until.Add(time.Duration(offFrom) * time.Second)
			}
			opt.Dtstart = start.wall
			rr, err := rrule.NewRRule(*opt)
			if err != nil {
				return "", nil, fail(fmt.Errorf("observance RRULE %q: %w", rp.Value, err))
			}
			next := rr.Iterator()
			for n := 0; n < maxOnsets; n++ {
				t, ok := next()
				if !ok || t.After(horizon) {
					break
				}
				onsets = append(onsets, t)
			}
		}
		for _, rp := range cb.GetProperties(ics.ComponentPropertyRdate) {
			vs, err := parseDateTimes(&rp.BaseProperty)
			if err != nil {
				return "", nil, fail(fmt.Errorf("observance RDATE %q: %w", rp.Value, err))
			}
			for _, v := range vs {
				onsets = append(onsets, v.wall)
			}
		}
		for _, o := range onsets {
			z.trs = append(z.trs, transition{at: o.Add(-time.Duration(offFrom) * time.Second), from: offFrom, to: offTo})
		}
	}
	sort.SliceStable(z.trs, func(i, j int) bool { return z.trs[i].at.Before(z.trs[j].at) })
	// One transition per instant.
	dedup := z.trs[:0]
	for _, tr := range z.trs {
		if n := len(dedup); n > 0 && dedup[n-1].at.Equal(tr.at) {
			dedup[n-1] = tr
			continue
		}
		dedup = append(dedup, tr)
	}
	z.trs = dedup
	return id, z, nil
}

func offsetProp(cb *ics.ComponentBase, name ics.Property) (int, error) {
	p := cb.GetProperty(ics.ComponentProperty(name))
	if p == nil {
		return 0, fmt.Errorf("observance without %s", name)
	}
	return parseOffset(p.Value)
}
