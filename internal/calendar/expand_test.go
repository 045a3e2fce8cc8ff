package calendar

import (
	"strings"
	"testing"
	"time"
)

// crlf turns a readable feed (one content line per line) into CRLF lines.
func crlf(s string) string {
	s = strings.TrimSpace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

// A VTIMEZONE as Google Calendar and others write it: observances with RRULEs.
const newYorkRRuleTZ = `
BEGIN:VTIMEZONE
TZID:America/New_York
X-LIC-LOCATION:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE`

func gapOverlapFeed(withVTimezone bool) string {
	tz := ""
	if withVTimezone {
		tz = newYorkRRuleTZ
	}
	return crlf(`
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Test//EN
` + tz + `
BEGIN:VEVENT
UID:gap
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20270313T023000
DURATION:PT30M
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:gap
END:VEVENT
BEGIN:VEVENT
UID:overlap
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20271106T013000
DTEND;TZID=America/New_York:20271106T020000
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:overlap
END:VEVENT
END:VCALENDAR`)
}

// RFC 5545 §3.3.5: a local time in a gap is read with the offset before the
// gap; a local time that occurs twice is the first one.
func TestExpandGapAndOverlap(t *testing.T) {
	want := map[string][]time.Time{
		"gap": {
			time.Date(2027, 3, 13, 7, 30, 0, 0, time.UTC), // 02:30 EST
			time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC), // 02:30 does not exist: read at -05:00 (03:30 EDT)
			time.Date(2027, 3, 15, 6, 30, 0, 0, time.UTC), // 02:30 EDT
		},
		"overlap": {
			time.Date(2027, 11, 6, 5, 30, 0, 0, time.UTC), // 01:30 EDT
			time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC), // 01:30 twice: the first (EDT)
			time.Date(2027, 11, 8, 6, 30, 0, 0, time.UTC), // 01:30 EST
		},
	}
	for _, withTZ := range []bool{true, false} {
		got := expand(t, gapOverlapFeed(withTZ), past, far)
		if len(got) != 6 {
			t.Fatalf("VTIMEZONE %v: %d instances: %+v", withTZ, len(got), got)
		}
		byUID := map[string][]Instance{}
		for _, in := range got {
			byUID[in.UID] = append(byUID[in.UID], in)
		}
		for uid, starts := range want {
			for i, w := range starts {
				in := byUID[uid][i]
				if !in.Start.Equal(w) {
					t.Errorf("VTIMEZONE %v: %s %d: %v, want %v", withTZ, uid, i, in.Start, w)
				}
				if in.End.Sub(in.Start) != 30*time.Minute {
					t.Errorf("VTIMEZONE %v: %s %d: lasts %v", withTZ, uid, i, in.End.Sub(in.Start))
				}
			}
		}
	}
}

// Write then Expand keeps the wall clock of a New York series through both
// changes of the year.
func TestNewYorkSeriesRoundTrip(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	start := time.Date(2027, 3, 1, 10, 0, 0, 0, ny)
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{{
		UID: "ny", Start: start, End: start.Add(time.Hour), TimeZone: "America/New_York",
		RRule: "FREQ=WEEKLY;BYDAY=MO;UNTIL=20271231T235959Z",
	}}})
	got := expand(t, feed, past, far)
	if len(got) != 44 {
		t.Fatalf("%d instances", len(got))
	}
	for _, in := range got {
		l := in.Start.In(ny)
		if l.Weekday() != time.Monday || l.Hour() != 10 || l.Minute() != 0 {
			t.Errorf("instance at %v", l)
		}
	}
}

// UNTIL is an instant: an occurrence that starts exactly at UNTIL is in,
// even though its wall clock (09:00) is later than UNTIL's (07:00Z).
func TestExpandUntilIsAnInstant(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	start := time.Date(2027, 3, 11, 9, 0, 0, 0, paris)
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{{
		UID: "w", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Paris",
		RRule: "FREQ=WEEKLY;UNTIL=20270401T070000Z",
	}}})
	got := expand(t, feed, past, far)
	if len(got) != 4 || !got[3].Start.Equal(time.Date(2027, 4, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v", got)
	}
	// The VTIMEZONE reaches the end of the series (+1 year) without Until.
	if !strings.Contains(feed, "DTSTART:20280326T020000\r\n") {
		t.Errorf("VTIMEZONE does not reach a year past the series:\n%s", feed)
	}
}

func TestExpandUnboundedRule(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	start := time.Date(2027, 1, 4, 9, 0, 0, 0, paris)
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{{
		UID: "d", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Paris", RRule: "FREQ=DAILY",
	}}})
	// Without Until, an unbounded series gets five years of VTIMEZONE (+1).
	if !strings.Contains(feed, "DTSTART:20320328T020000\r\n") {
		t.Errorf("VTIMEZONE too short:\n%s", feed)
	}
	from := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	got := expand(t, feed, from, from.AddDate(0, 0, 10))
	if len(got) != 10 {
		t.Fatalf("%d instances", len(got))
	}
	for _, in := range got {
		if in.Start.Hour() != 7 { // 09:00 CEST
			t.Errorf("%v", in.Start)
		}
	}
}

func TestExpandForeignFeed(t *testing.T) {
	feed := crlf(`
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Other//Other//EN
X-WR-CALNAME:Other
` + newYorkRRuleTZ + `
BEGIN:VEVENT
UID:series
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/New_York:20270104T090000
DTEND;TZID=America/New_York:20270104T093000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=America/New_York:20270111T090000,20270118T090000
EXDATE:20270125T140000Z
RDATE;TZID=America/New_York:20270301T120000
SUMMARY:Standup
SEQUENCE:4
END:VEVENT
BEGIN:VEVENT
UID:allday
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20270105
DTEND;VALUE=DATE:20270107
SUMMARY:Offsite
END:VEVENT
BEGIN:VEVENT
UID:series
DTSTAMP:20260101T000000Z
RECURRENCE-ID:20270201T140000Z
DTSTART:20270201T150000Z
DTEND:20270201T153000Z
SUMMARY:Standup (late)
END:VEVENT
END:VCALENDAR`)
	got := expand(t, feed, past, far)
	type want struct {
		uid     string
		start   time.Time
		dur     time.Duration
		summary string
	}
	wants := []want{
		{"series", time.Date(2027, 1, 4, 14, 0, 0, 0, time.UTC), 30 * time.Minute, "Standup"},
		{"allday", time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC), 48 * time.Hour, "Offsite"},
		{"series", time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC), 30 * time.Minute, "Standup (late)"},
		{"series", time.Date(2027, 2, 8, 14, 0, 0, 0, time.UTC), 30 * time.Minute, "Standup"},
		{"series", time.Date(2027, 3, 1, 17, 0, 0, 0, time.UTC), 30 * time.Minute, "Standup"},
	}
	if len(got) != len(wants) {
		t.Fatalf("got %d instances: %+v", len(got), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.UID != w.uid || !g.Start.Equal(w.start) || g.End.Sub(g.Start) != w.dur || g.Summary != w.summary {
			t.Errorf("%d: got %+v, want %+v", i, g, w)
		}
	}
	if got[0].Sequence != 4 {
		t.Errorf("sequence %d", got[0].Sequence)
	}
}

func TestExpandErrors(t *testing.T) {
	for name, feed := range map[string]string{
		"not a calendar": "hello\r\n",
		"unknown TZID": crlf(`
BEGIN:VCALENDAR
BEGIN:VEVENT
UID:x
DTSTART;TZID=Mars/Olympus:20270101T090000
END:VEVENT
END:VCALENDAR`),
		"no DTSTART": crlf(`
BEGIN:VCALENDAR
BEGIN:VEVENT
UID:x
END:VEVENT
END:VCALENDAR`),
		"bad RRULE": crlf(`
BEGIN:VCALENDAR
BEGIN:VEVENT
UID:x
DTSTART:20270101T090000Z
RRULE:FREQ=SOMETIMES
END:VEVENT
END:VCALENDAR`),
		"bad offset": crlf(`
BEGIN:VCALENDAR
BEGIN:VTIMEZONE
TZID:X
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+1
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
END:VCALENDAR`),
	} {
		if _, err := Expand(strings.NewReader(feed), past, far); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestResolveGoZone(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	z := goZone{ny}
	wall := time.Date(2027, 3, 14, 2, 30, 0, 0, time.UTC)
	if got, want := resolve(z, wall), time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("gap: %v, want %v", got, want)
	}
	wall = time.Date(2027, 11, 7, 1, 30, 0, 0, time.UTC)
	if got, want := resolve(z, wall), time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("overlap: %v, want %v", got, want)
	}
	if got := toWall(z, time.Date(2027, 7, 1, 16, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2027, 7, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("toWall: %v", got)
	}
}

func TestOffsets(t *testing.T) {
	for sec, s := range map[int]string{0: "+0000", 3600: "+0100", -19800: "-0530", 19800: "+0530", 561: "+000921", -(3*3600 + 30*60): "-0330"} {
		if got := formatOffset(sec); got != s {
			t.Errorf("formatOffset(%d) = %q, want %q", sec, got, s)
		}
		if got, err := parseOffset(s); err != nil || got != sec {
			t.Errorf("parseOffset(%q) = %d, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "0100", "+1", "+01:00", "+ab00"} {
		if _, err := parseOffset(bad); err == nil {
			t.Errorf("parseOffset(%q): no error", bad)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"PT1H":       time.Hour,
		"PT1H30M":    90 * time.Minute,
		"P1D":        24 * time.Hour,
		"P1W":        7 * 24 * time.Hour,
		"-PT15M":     -15 * time.Minute,
		"P1DT2H3M4S": 26*time.Hour + 3*time.Minute + 4*time.Second,
	} {
		if got, err := parseDuration(s); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v", s, got, err)
		}
	}
	for _, bad := range []string{"", "P", "PT", "1H", "PT1X", "P1H", "PT1"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q): no error", bad)
		}
	}
}

// An override in another zone than its master still names the occurrence
// it replaces in the master's zone.
func TestOverrideInOtherZone(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	start := time.Date(2027, 1, 7, 9, 0, 0, 0, paris)
	rid := start.AddDate(0, 0, 7)
	moved := time.Date(2027, 1, 14, 12, 0, 0, 0, time.UTC)
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{
		{UID: "s", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Paris", RRule: "FREQ=WEEKLY;COUNT=3"},
		{UID: "s", Start: moved, End: moved.Add(time.Hour), RecurrenceID: &rid, Summary: "moved"},
	}})
	if !strings.Contains(feed, "RECURRENCE-ID;TZID=Europe/Paris:20270114T090000\r\n") || !strings.Contains(feed, "DTSTART:20270114T120000Z\r\n") {
		t.Errorf("override:\n%s", feed)
	}
	got := expand(t, feed, past, far)
	if len(got) != 3 || !got[1].Start.Equal(moved) || got[1].Summary != "moved" {
		t.Errorf("%+v", got)
	}
}

// An unbounded series that started long ago still gets a VTIMEZONE for the
// years after Calendar.Now.
func TestUnboundedSeriesCoversNow(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	start := time.Date(2020, 1, 6, 9, 0, 0, 0, paris)
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{{
		UID: "old", Start: start, End: start.Add(time.Hour), TimeZone: "Europe/Paris", RRule: "FREQ=WEEKLY",
	}}})
	if !strings.Contains(feed, "DTSTART:20320328T020000\r\n") || !strings.Contains(feed, "DTSTART:20181028T030000\r\n") {
		t.Errorf("VTIMEZONE span:\n%s", feed)
	}
}
