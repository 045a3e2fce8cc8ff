package calendar

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"
)

var (
	fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	far      = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	past     = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func write(t *testing.T, cal Calendar) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, cal); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.String()
}

func expand(t *testing.T, feed string, from, to time.Time) []Instance {
	t.Helper()
	got, err := Expand(strings.NewReader(feed), from, to)
	if err != nil {
		t.Fatalf("Expand: %v\n%s", err, feed)
	}
	return got
}

// vtimezone returns the VTIMEZONE block for tzid in feed.
func vtimezone(t *testing.T, feed, tzid string) string {
	t.Helper()
	start := strings.Index(feed, "BEGIN:VTIMEZONE\r\nTZID:"+tzid+"\r\n")
	if start < 0 {
		t.Fatalf("no VTIMEZONE for %s in\n%s", tzid, feed)
	}
	end := strings.Index(feed[start:], "END:VTIMEZONE\r\n")
	return feed[start : start+end+len("END:VTIMEZONE\r\n")]
}

// parsedEvents parses feed with golang-ical and returns its events.
func parsedEvents(t *testing.T, feed string) []*ics.VEvent {
	t.Helper()
	c, err := ics.ParseCalendar(strings.NewReader(feed))
	if err != nil {
		t.Fatalf("ParseCalendar: %v", err)
	}
	return c.Events()
}

func checkLines(t *testing.T, feed string) {
	t.Helper()
	if !strings.HasSuffix(feed, "\r\n") {
		t.Errorf("feed does not end with CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(feed, "\r\n"), "\r\n")
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, l)
		}
	}
}

func TestSingleMeetingParis(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	start := time.Date(2027, 1, 7, 9, 0, 0, 0, paris)
	end := start.Add(90 * time.Minute)
	feed := write(t, Calendar{
		Name: "Rencontre",
		Now:  fixedNow,
		Events: []Event{{
			UID: "meeting-25769803786@rencontre", Sequence: 3,
			Summary: "Planning", Description: "Quarterly planning", Location: "Salle 2",
			Start: start, End: end, TimeZone: "Europe/Paris", Status: "CONFIRMED",
			URL: "https://rencontre.example/meetings/25769803786",
		}},
	})
	checkLines(t, feed)
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n",
		"PRODID:-//Rencontre//Rencontre//EN\r\n",
		"VERSION:2.0\r\n",
		"CALSCALE:GREGORIAN\r\n",
		"METHOD:PUBLISH\r\n",
		"X-WR-CALNAME:Rencontre\r\n",
		"DTSTART;TZID=Europe/Paris:20270107T090000\r\n",
		"DTEND;TZID=Europe/Paris:20270107T103000\r\n",
		"DTSTAMP:20261125T120000Z\r\n",
		"SEQUENCE:3\r\n",
		"STATUS:CONFIRMED\r\n",
		"URL:https://rencontre.example/meetings/25769803786\r\n",
	} {
		if !strings.Contains(feed, want) {
			t.Errorf("feed lacks %q:\n%s", want, feed)
		}
	}
	tz := vtimezone(t, feed, "Europe/Paris")
	for _, want := range []string{
		"BEGIN:STANDARD\r\n", "BEGIN:DAYLIGHT\r\n",
		"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n",
		"TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n",
		"DTSTART:20260329T020000\r\n", // spring 2026: local time before the change
		"DTSTART:20261025T030000\r\n", // autumn 2026
	} {
		if !strings.Contains(tz, want) {
			t.Errorf("VTIMEZONE lacks %q:\n%s", want, tz)
		}
	}
	if strings.Count(feed, "BEGIN:VTIMEZONE") != 1 {
		t.Errorf("want one VTIMEZONE:\n%s", feed)
	}

	got := expand(t, feed, past, far)
	if len(got) != 1 {
		t.Fatalf("got %d instances, want 1: %+v", len(got), got)
	}
	in := got[0]
	if !in.Start.Equal(start) || !in.End.Equal(end) || in.Summary != "Planning" || in.Status != "CONFIRMED" ||
		in.UID != "meeting-25769803786@rencontre" || in.Sequence != 3 {
		t.Errorf("got %+v", in)
	}
	if in.Start.Location() != time.UTC {
		t.Errorf("instance start not in UTC: %v", in.Start)
	}
	if want := time.Date(2027, 1, 7, 8, 0, 0, 0, time.UTC); !in.Start.Equal(want) {
		t.Errorf("start %v, want %v", in.Start, want)
	}
}

func seriesCalendar(paris *time.Location) Calendar {
	at := func(mo time.Month, d, h int) time.Time { return time.Date(2027, mo, d, h, 0, 0, 0, paris) }
	moved := at(3, 4, 9)
	cancelled := at(10, 7, 9)
	return Calendar{
		Name:  "Series",
		Now:   fixedNow,
		Until: time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC),
		Events: []Event{
			{
				UID: "series-1@rencontre", Summary: "Monthly sync", Status: "CONFIRMED", Sequence: 1,
				Start: at(1, 7, 9), End: at(1, 7, 10), TimeZone: "Europe/Paris",
				RRule:   "FREQ=MONTHLY;BYDAY=1TH;COUNT=12",
				ExDates: []time.Time{at(8, 5, 9)},
			},
			{
				UID: "series-1@rencontre", Summary: "Monthly sync (moved)", Status: "CONFIRMED", Sequence: 2,
				Start: at(3, 5, 10), End: at(3, 5, 11), TimeZone: "Europe/Paris",
				RecurrenceID: &moved,
			},
			{
				UID: "series-1@rencontre", Summary: "Monthly sync", Status: "CANCELLED", Sequence: 2,
				Start: cancelled, End: cancelled.Add(time.Hour), TimeZone: "Europe/Paris",
				RecurrenceID: &cancelled,
			},
		},
	}
}

func TestRecurringSeriesAcrossDST(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	feed := write(t, seriesCalendar(paris))
	checkLines(t, feed)
	for _, want := range []string{
		"RRULE:FREQ=MONTHLY;BYDAY=1TH;COUNT=12\r\n",
		"EXDATE;TZID=Europe/Paris:20270805T090000\r\n",
		"RECURRENCE-ID;TZID=Europe/Paris:20270304T090000\r\n",
		"RECURRENCE-ID;TZID=Europe/Paris:20271007T090000\r\n",
		"STATUS:CANCELLED\r\n",
		"DTSTART:20280326T020000\r\n", // the VTIMEZONE reaches Until (spring 2028)
	} {
		if !strings.Contains(feed, want) {
			t.Errorf("feed lacks %q:\n%s", want, feed)
		}
	}

	got := expand(t, feed, past, far)
	if len(got) != 11 {
		t.Fatalf("got %d instances, want 11: %+v", len(got), got)
	}
	wantDays := []struct {
		mo     time.Month
		d      int
		status string
	}{
		{1, 7, "CONFIRMED"}, {2, 4, "CONFIRMED"}, {3, 5, "CONFIRMED"}, {4, 1, "CONFIRMED"},
		{5, 6, "CONFIRMED"}, {6, 3, "CONFIRMED"}, {7, 1, "CONFIRMED"}, {9, 2, "CONFIRMED"},
		{10, 7, "CANCELLED"}, {11, 4, "CONFIRMED"}, {12, 2, "CONFIRMED"},
	}
	for i, in := range got {
		w := wantDays[i]
		local := in.Start.In(paris)
		if local.Month() != w.mo || local.Day() != w.d || in.Status != w.status {
			t.Errorf("instance %d: %v %s, want %s %d %s", i, local, in.Status, w.mo, w.d, w.status)
		}
		if in.UID != "series-1@rencontre" || in.End.Sub(in.Start) != time.Hour {
			t.Errorf("instance %d: %+v", i, in)
		}
		if w.mo == 3 {
			// The moved occurrence.
			if want := time.Date(2027, 3, 5, 9, 0, 0, 0, time.UTC); !in.Start.Equal(want) || in.Summary != "Monthly sync (moved)" || in.Sequence != 2 {
				t.Errorf("moved occurrence: %+v", in)
			}
			continue
		}
		if local.Hour() != 9 || local.Minute() != 0 {
			t.Errorf("instance %d at %v, want 09:00 Paris", i, local)
		}
		// 09:00 Paris is 08:00Z in winter and 07:00Z in summer.
		wantUTC := 8
		if w.mo >= 4 && w.mo <= 10 {
			wantUTC = 7
		}
		if in.Start.Hour() != wantUTC {
			t.Errorf("instance %d at %v, want %02d:00Z", i, in.Start, wantUTC)
		}
	}

	// The range is honoured: starts in [from, to).
	from := time.Date(2027, 4, 1, 7, 0, 0, 0, time.UTC) // exactly the April occurrence
	to := time.Date(2027, 6, 3, 7, 0, 0, 0, time.UTC)   // exactly the June occurrence: left out
	got = expand(t, feed, from, to)
	if len(got) != 2 || !got[0].Start.Equal(from) {
		t.Errorf("range [%v, %v): %+v", from, to, got)
	}
	// The moved occurrence is found by its new start only.
	got = expand(t, feed, time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC))
	if len(got) != 0 {
		t.Errorf("the original start of a moved occurrence is still listed: %+v", got)
	}
}

func TestEscapingAndFolding(t *testing.T) {
	summary := "Budget, Q3; costs \\ review\nsecond line"
	var desc strings.Builder
	for desc.Len() < 200 {
		desc.WriteString("abcdefghij")
	}
	description := desc.String()
	if len(description) != 200 {
		t.Fatalf("description is %d characters", len(description))
	}
	location := "Café « Le Zinc », 3 rue de l’Église; Paris\\5e — " + strings.Repeat("é", 60)
	paris := mustLoad(t, "Europe/Paris")
	feed := write(t, Calendar{
		Name: "Équipe, Paris; \\ tests",
		Now:  fixedNow,
		Events: []Event{{
			UID: "meeting-1@rencontre", Summary: summary, Description: description, Location: location,
			Start: time.Date(2027, 5, 10, 14, 0, 0, 0, paris), End: time.Date(2027, 5, 10, 15, 0, 0, 0, paris),
			TimeZone: "Europe/Paris", Status: "TENTATIVE",
		}},
	})
	checkLines(t, feed)
	if !strings.Contains(feed, `SUMMARY:Budget\, Q3\; costs \\ review\nsecond line`+"\r\n") {
		t.Errorf("SUMMARY not escaped as RFC 5545 says:\n%s", feed)
	}
	if !strings.Contains(feed, `X-WR-CALNAME:Équipe\, Paris\; \\ tests`+"\r\n") {
		t.Errorf("X-WR-CALNAME not escaped:\n%s", feed)
	}
	if !strings.Contains(feed, "DESCRIPTION:abcdefghij") || strings.Contains(feed, "DESCRIPTION:"+description) {
		t.Errorf("DESCRIPTION not folded:\n%s", feed)
	}
	evs := parsedEvents(t, feed)
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	for prop, want := range map[ics.ComponentProperty]string{
		ics.ComponentPropertySummary:     summary,
		ics.ComponentPropertyDescription: description,
		ics.ComponentPropertyLocation:    location,
	} {
		if p := evs[0].GetProperty(prop); p == nil || p.Value != want {
			t.Errorf("%s round trip: got %v, want %q", prop, p, want)
		}
	}
	got := expand(t, feed, past, far)
	if len(got) != 1 || got[0].Summary != summary || got[0].Status != "TENTATIVE" {
		t.Errorf("Expand: %+v", got)
	}
}

func TestTextRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []rune("abc XYZ,;:\\\n\t\"'<>é€😀—ÿ/=")
	for i := 0; i < 300; i++ {
		n := rng.Intn(300)
		rs := make([]rune, n)
		for j := range rs {
			rs[j] = alphabet[rng.Intn(len(alphabet))]
		}
		s := string(rs)
		feed := write(t, Calendar{Now: fixedNow, Events: []Event{{
			UID: "u", Summary: s, Description: s, Location: s,
			Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		}}})
		checkLines(t, feed)
		evs := parsedEvents(t, feed)
		for _, prop := range []ics.ComponentProperty{ics.ComponentPropertySummary, ics.ComponentPropertyDescription, ics.ComponentPropertyLocation} {
			p := evs[0].GetProperty(prop)
			got := ""
			if p != nil {
				got = p.Value
			}
			if got != s {
				t.Fatalf("%s round trip of %q: got %q\n%s", prop, s, got, feed)
			}
		}
	}
}

func TestControlCharacters(t *testing.T) {
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{{
		UID: "u", Summary: "a\r\nb\rc\x00d\x1be\tf",
		Start: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}}})
	checkLines(t, feed)
	if !strings.Contains(feed, "SUMMARY:a\\nb\\ncde\tf\r\n") {
		t.Errorf("control characters:\n%s", feed)
	}
}

func TestZonesWithoutDSTAndSouthern(t *testing.T) {
	kolkata := mustLoad(t, "Asia/Kolkata")
	sydney := mustLoad(t, "Australia/Sydney")
	k := time.Date(2027, 7, 15, 18, 30, 0, 0, kolkata)
	// Sydney: weekly at 09:00 across the end of DST (first Sunday of April 2027).
	s := time.Date(2027, 3, 25, 9, 0, 0, 0, sydney)
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{
		{UID: "k@rencontre", Summary: "Kolkata", Start: k, End: k.Add(45 * time.Minute), TimeZone: "Asia/Kolkata"},
		{UID: "s@rencontre", Summary: "Sydney", Start: s, End: s.Add(time.Hour), TimeZone: "Australia/Sydney", RRule: "FREQ=WEEKLY;COUNT=4"},
	}})
	checkLines(t, feed)
	kz := vtimezone(t, feed, "Asia/Kolkata")
	if strings.Count(kz, "BEGIN:STANDARD") != 1 || strings.Contains(kz, "DAYLIGHT") ||
		!strings.Contains(kz, "TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nTZNAME:IST\r\n") {
		t.Errorf("Asia/Kolkata VTIMEZONE:\n%s", kz)
	}
	sz := vtimezone(t, feed, "Australia/Sydney")
	if !strings.Contains(sz, "BEGIN:DAYLIGHT") || !strings.Contains(sz, "BEGIN:STANDARD") ||
		!strings.Contains(sz, "DTSTART:20270404T030000\r\nTZOFFSETFROM:+1100\r\nTZOFFSETTO:+1000\r\n") {
		t.Errorf("Australia/Sydney VTIMEZONE:\n%s", sz)
	}
	if !strings.Contains(feed, "DTSTART;TZID=Asia/Kolkata:20270715T183000\r\n") {
		t.Errorf("Kolkata DTSTART:\n%s", feed)
	}

	got := expand(t, feed, past, far)
	if len(got) != 5 {
		t.Fatalf("got %d instances: %+v", len(got), got)
	}
	var syd []Instance
	for _, in := range got {
		if in.UID == "k@rencontre" {
			if !in.Start.Equal(k) || !in.End.Equal(k.Add(45*time.Minute)) {
				t.Errorf("Kolkata: %+v", in)
			}
			if want := time.Date(2027, 7, 15, 13, 0, 0, 0, time.UTC); !in.Start.Equal(want) {
				t.Errorf("Kolkata start %v, want %v", in.Start, want)
			}
			continue
		}
		syd = append(syd, in)
	}
	wantUTC := []time.Time{
		time.Date(2027, 3, 24, 22, 0, 0, 0, time.UTC), // +11
		time.Date(2027, 3, 31, 22, 0, 0, 0, time.UTC), // +11
		time.Date(2027, 4, 7, 23, 0, 0, 0, time.UTC),  // +10
		time.Date(2027, 4, 14, 23, 0, 0, 0, time.UTC), // +10
	}
	for i, in := range syd {
		if !in.Start.Equal(wantUTC[i]) || in.Start.In(sydney).Hour() != 9 {
			t.Errorf("Sydney %d: %v, want %v", i, in.Start, wantUTC[i])
		}
	}
}

func TestAttendees(t *testing.T) {
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{{
		UID: "m@rencontre", Summary: "Sync", Start: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC),
		Attendees: []Attendee{
			{Name: "Ada Lovelace", Email: "ada@example.com", PartStat: "ACCEPTED"},
			{Name: "Hidden Person", Email: "", PartStat: "DECLINED"},
			{Name: "O'Brien, Seán", Email: "sean@example.com", PartStat: "TENTATIVE"},
			{Name: "", Email: "nameless@example.com"},
			{Name: "Injected", Email: "x@example.com\r\nATTENDEE:mailto:evil@example.com"},
		},
	}}})
	checkLines(t, feed)
	for _, want := range []string{
		"ATTENDEE;CN=Ada Lovelace;PARTSTAT=ACCEPTED:mailto:ada@example.com\r\n",
		"ATTENDEE;CN=O’Brien Seán;PARTSTAT=TENTATIVE:mailto:sean@example.com\r\n",
		"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:nameless@example.com\r\n",
	} {
		if !strings.Contains(feed, want) {
			t.Errorf("feed lacks %q:\n%s", want, feed)
		}
	}
	for _, bad := range []string{"Hidden", "Injected", "evil"} {
		if strings.Contains(feed, bad) {
			t.Errorf("feed shows %q:\n%s", bad, feed)
		}
	}
	if n := strings.Count(feed, "ATTENDEE"); n != 3 {
		t.Errorf("%d ATTENDEE lines, want 3", n)
	}
	evs := parsedEvents(t, feed)
	as := evs[0].Attendees()
	if len(as) != 3 || as[0].Email() != "ada@example.com" || as[0].ParticipationStatus() != ics.ParticipationStatusAccepted {
		t.Errorf("parsed attendees: %+v", as)
	}
}

func TestDeterministic(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	cal := seriesCalendar(paris)
	kolkata := mustLoad(t, "Asia/Kolkata")
	cal.Events = append(cal.Events,
		Event{UID: "b@rencontre", Start: time.Date(2027, 2, 1, 9, 0, 0, 0, kolkata), TimeZone: "Asia/Kolkata",
			Attendees: []Attendee{{Name: "Z", Email: "z@example.com", PartStat: "ACCEPTED"}, {Name: "A", Email: "a@example.com"}}},
		Event{UID: "a@rencontre", Start: time.Date(2027, 2, 1, 9, 0, 0, 0, kolkata), TimeZone: "Asia/Kolkata"},
	)
	first := write(t, cal)
	second := write(t, cal)
	if first != second {
		t.Fatalf("two writes differ:\n%s\n----\n%s", first, second)
	}
	// The order of the input events does not matter.
	rev := cal
	rev.Events = make([]Event, len(cal.Events))
	for i, ev := range cal.Events {
		rev.Events[len(cal.Events)-1-i] = ev
	}
	if third := write(t, rev); third != first {
		t.Fatalf("reversed input gives other bytes:\n%s\n----\n%s", first, third)
	}
	// Sorted by start, then UID.
	if a, b := strings.Index(first, "UID:a@rencontre"), strings.Index(first, "UID:b@rencontre"); a < 0 || b < 0 || a > b {
		t.Errorf("events with the same start not sorted by UID")
	}
	if a, b := strings.Index(first, "BEGIN:VTIMEZONE\r\nTZID:Asia/Kolkata"), strings.Index(first, "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris"); a < 0 || b < 0 || a > b {
		t.Errorf("VTIMEZONEs not sorted by TZID")
	}
}

func TestExpandReadsVTimezone(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	feed := write(t, seriesCalendar(paris))
	orig := expand(t, feed, past, far)

	// Summer time at +03:00 instead of +02:00, in the VTIMEZONE only.
	tz := vtimezone(t, feed, "Europe/Paris")
	altered := strings.ReplaceAll(tz, "+0200", "+0300")
	if altered == tz {
		t.Fatal("nothing altered")
	}
	got := expand(t, strings.Replace(feed, tz, altered, 1), past, far)
	if len(got) != len(orig) {
		t.Fatalf("%d instances, want %d", len(got), len(orig))
	}
	shifted := 0
	for i := range got {
		local := orig[i].Start.In(paris)
		if local.IsDST() {
			shifted++
			if want := orig[i].Start.Add(-time.Hour); !got[i].Start.Equal(want) {
				t.Errorf("summer instance %d: %v, want %v", i, got[i].Start, want)
			}
		} else if !got[i].Start.Equal(orig[i].Start) {
			t.Errorf("winter instance %d moved: %v, want %v", i, got[i].Start, orig[i].Start)
		}
	}
	if shifted != 6 {
		t.Errorf("%d summer instances, want 6", shifted)
	}

	// Asia/Kolkata at +06:30 instead of +05:30.
	kolkata := mustLoad(t, "Asia/Kolkata")
	k := time.Date(2027, 7, 15, 18, 30, 0, 0, kolkata)
	feed = write(t, Calendar{Now: fixedNow, Events: []Event{{UID: "k", Start: k, End: k.Add(time.Hour), TimeZone: "Asia/Kolkata"}}})
	got = expand(t, strings.ReplaceAll(feed, "+0530", "+0630"), past, far)
	if len(got) != 1 || !got[0].Start.Equal(k.Add(-time.Hour)) || !got[0].End.Equal(k) {
		t.Errorf("altered Kolkata: %+v, want start %v", got, k.Add(-time.Hour))
	}
}

func TestUTCEvents(t *testing.T) {
	start := time.Date(2027, 1, 7, 9, 0, 0, 0, time.FixedZone("X", 3*3600))
	for _, tz := range []string{"", "UTC"} {
		feed := write(t, Calendar{Now: fixedNow, Events: []Event{{UID: "u", Start: start, End: start.Add(time.Hour), TimeZone: tz, Summary: "x"}}})
		if !strings.Contains(feed, "DTSTART:20270107T060000Z\r\n") || !strings.Contains(feed, "DTEND:20270107T070000Z\r\n") || strings.Contains(feed, "VTIMEZONE") {
			t.Errorf("TimeZone %q:\n%s", tz, feed)
		}
		got := expand(t, feed, past, far)
		if len(got) != 1 || !got[0].Start.Equal(start) {
			t.Errorf("TimeZone %q: %+v", tz, got)
		}
	}
}

func TestDTStamp(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	modified := time.Date(2026, 6, 7, 8, 9, 10, 0, time.UTC)
	start := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ev   Event
		want string
	}{
		{Event{UID: "a", Start: start}, "DTSTAMP:20261125T120000Z"},
		{Event{UID: "a", Start: start, Created: created}, "DTSTAMP:20260102T030405Z"},
		{Event{UID: "a", Start: start, Created: created, LastModified: modified}, "DTSTAMP:20260607T080910Z"},
	} {
		feed := write(t, Calendar{Now: fixedNow, Events: []Event{c.ev}})
		if !strings.Contains(feed, c.want+"\r\n") {
			t.Errorf("want %s:\n%s", c.want, feed)
		}
	}
	feed := write(t, Calendar{Now: fixedNow, Events: []Event{{UID: "a", Start: start, Created: created, LastModified: modified}}})
	if !strings.Contains(feed, "CREATED:20260102T030405Z\r\n") || !strings.Contains(feed, "LAST-MODIFIED:20260607T080910Z\r\n") {
		t.Errorf("CREATED / LAST-MODIFIED:\n%s", feed)
	}
}

func TestWriteErrors(t *testing.T) {
	start := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	for name, cal := range map[string]Calendar{
		"no UID":        {Now: fixedNow, Events: []Event{{Start: start}}},
		"no start":      {Now: fixedNow, Events: []Event{{UID: "a"}}},
		"end < start":   {Now: fixedNow, Events: []Event{{UID: "a", Start: start, End: start.Add(-time.Hour)}}},
		"bad zone":      {Now: fixedNow, Events: []Event{{UID: "a", Start: start, TimeZone: "Mars/Olympus"}}},
		"bad RRULE":     {Now: fixedNow, Events: []Event{{UID: "a", Start: start, RRule: "FREQ=SOMETIMES"}}},
		"RRULE inject":  {Now: fixedNow, Events: []Event{{UID: "a", Start: start, RRule: "FREQ=DAILY\r\nX-EVIL:1"}}},
		"bad status":    {Now: fixedNow, Events: []Event{{UID: "a", Start: start, Status: "MAYBE"}}},
		"bad partstat":  {Now: fixedNow, Events: []Event{{UID: "a", Start: start, Attendees: []Attendee{{Email: "a@b.c", PartStat: "SURE"}}}}},
		"no DTSTAMP":    {Events: []Event{{UID: "a", Start: start}}},
		"bad URL":       {Now: fixedNow, Events: []Event{{UID: "a", Start: start, URL: "https://x\r\nX-EVIL:1"}}},
		"EXDATE alone":  {Now: fixedNow, Events: []Event{{UID: "a", Start: start, ExDates: []time.Time{start}}}},
		"override+rule": {Now: fixedNow, Events: []Event{{UID: "a", Start: start, RRule: "FREQ=DAILY", RecurrenceID: &start}}},
	} {
		if err := Write(&bytes.Buffer{}, cal); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestEmptyCalendar(t *testing.T) {
	feed := write(t, Calendar{Name: "Empty", Now: fixedNow})
	checkLines(t, feed)
	if got := expand(t, feed, past, far); len(got) != 0 {
		t.Errorf("%+v", got)
	}
}
