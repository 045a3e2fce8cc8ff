package recurrence

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/internal/validation"
)

func mustLocal(t *testing.T, s string) Local {
	t.Helper()
	l, err := ParseLocal(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustCompile(t *testing.T, r Rule) *Compiled {
	t.Helper()
	c, err := Compile(r)
	if err != nil {
		t.Fatalf("Compile(%+v): %v", r, err)
	}
	return c
}

func allOf(t *testing.T, c *Compiled) []Occurrence {
	t.Helper()
	occ, ok := c.All()
	if !ok {
		t.Fatal("All on a rule without end")
	}
	return occ
}

func monthly(t *testing.T) Rule {
	return Rule{
		RRule:    "FREQ=MONTHLY;BYDAY=1TH;COUNT=12",
		Start:    mustLocal(t, "2027-01-07T09:00:00"),
		TimeZone: "Europe/Paris",
		Duration: time.Hour,
		ExDates:  []Local{mustLocal(t, "2027-08-05T09:00:00")},
	}
}

func TestParseLocal(t *testing.T) {
	for _, s := range []string{"2027-01-07T09:00:00", "2027-01-07T09:00"} {
		l, err := ParseLocal(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if l.String() != "2027-01-07T09:00:00" || l.Location() != time.UTC {
			t.Errorf("%s: got %s in %v", s, l, l.Location())
		}
	}
	for _, s := range []string{"2027-01-07T09:00:00Z", "2027-01-07T09:00:00+01:00", "2027-01-07T09:00-05:00"} {
		_, err := ParseLocal(s)
		if err == nil || !strings.Contains(err.Error(), "without Z or offset: the series' time zone gives the offset") {
			t.Errorf("%s: got %v", s, err)
		}
	}
	for _, s := range []string{"", "2027-01-07", "tomorrow", "0000-01-01T00:00:00", "2027-13-01T00:00:00", "2027-01-07T09:00:00.5"} {
		if _, err := ParseLocal(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
	paris := mustLoc(t, "Europe/Paris")
	if got := LocalOf(time.Date(2027, 7, 1, 7, 0, 0, 0, time.UTC).In(paris)).String(); got != "2027-07-01T09:00:00" {
		t.Errorf("LocalOf: %s", got)
	}
}

func TestMonthlyFirstThursday(t *testing.T) {
	c := mustCompile(t, monthly(t))
	occ := allOf(t, c)
	if len(occ) != 11 {
		t.Fatalf("got %d occurrences, want 11", len(occ))
	}
	paris := c.Location()
	for i, o := range occ {
		if o.Start.Location() != paris || o.Start.Hour() != 9 || o.Start.Minute() != 0 || o.Start.Weekday() != time.Thursday || o.Start.Day() > 7 {
			t.Errorf("occurrence %d: %v", i, o.Start)
		}
		if o.Local != LocalOf(o.Start) {
			t.Errorf("occurrence %d: Local %s, Start %v", i, o.Local, o.Start)
		}
		if o.End.Sub(o.Start) != time.Hour || o.End.Location() != paris {
			t.Errorf("occurrence %d: End %v", i, o.End)
		}
		if o.Start.Month() == time.August {
			t.Errorf("August not excluded")
		}
	}
	if got := occ[0].Start.UTC(); !got.Equal(time.Date(2027, 1, 7, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("January: %v", got)
	}
	if got := occ[6].Start.UTC(); !got.Equal(time.Date(2027, 7, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("July: %v", got)
	}
	// Between over the whole year gives the same list.
	b, err := c.Between(time.Date(2027, 1, 1, 0, 0, 0, 0, paris), time.Date(2028, 1, 1, 0, 0, 0, 0, paris), 100)
	if err != nil || len(b) != 11 {
		t.Fatalf("Between: %d, %v", len(b), err)
	}
	for i := range b {
		if b[i] != occ[i] {
			t.Errorf("Between[%d] = %v, All %v", i, b[i], occ[i])
		}
	}
	// Between is half-open on the instant.
	b, _ = c.Between(occ[0].Start, occ[1].Start, 0)
	if len(b) != 1 || b[0] != occ[0] {
		t.Errorf("half-open Between: %v", b)
	}
	if !c.Contains(mustLocal(t, "2027-02-04T09:00:00")) || c.Contains(mustLocal(t, "2027-08-05T09:00:00")) ||
		c.Contains(mustLocal(t, "2027-02-04T10:00:00")) || c.Contains(mustLocal(t, "2028-01-06T09:00:00")) ||
		!c.Contains(mustLocal(t, "2027-12-02T09:00:00")) || c.Contains(mustLocal(t, "2026-12-03T09:00:00")) {
		t.Error("Contains")
	}
	r := c.Rule()
	if r.RRule != "FREQ=MONTHLY;BYDAY=1TH;COUNT=12" || len(r.ExDates) != 1 {
		t.Errorf("Rule: %+v", r)
	}
}

func TestResolve(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	ny := mustLoc(t, "America/New_York")
	sydney := mustLoc(t, "Australia/Sydney")
	lordHowe := mustLoc(t, "Australia/Lord_Howe")
	for _, tc := range []struct {
		loc  *time.Location
		l    string
		want time.Time // UTC
	}{
		{paris, "2027-03-28T01:59:59", time.Date(2027, 3, 28, 0, 59, 59, 0, time.UTC)},
		{paris, "2027-03-28T02:00:00", time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC)}, // gap: CET offset
		{paris, "2027-03-28T02:30:00", time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC)},
		{paris, "2027-03-28T03:00:00", time.Date(2027, 3, 28, 1, 0, 0, 0, time.UTC)},
		{paris, "2027-10-31T02:30:00", time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC)}, // overlap: first
		{paris, "2027-10-31T01:59:59", time.Date(2027, 10, 30, 23, 59, 59, 0, time.UTC)},
		{paris, "2027-10-31T03:00:00", time.Date(2027, 10, 31, 2, 0, 0, 0, time.UTC)},
		{ny, "2027-03-14T02:30:00", time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC)},        // gap: EST
		{ny, "2027-11-07T01:30:00", time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC)},        // overlap: EDT
		{sydney, "2027-10-03T02:30:00", time.Date(2027, 10, 2, 16, 30, 0, 0, time.UTC)},   // gap: AEST
		{sydney, "2027-04-04T02:30:00", time.Date(2027, 4, 3, 15, 30, 0, 0, time.UTC)},    // overlap: AEDT
		{lordHowe, "2027-10-03T02:15:00", time.Date(2027, 10, 2, 15, 45, 0, 0, time.UTC)}, // 30 min gap: +10:30
		{time.UTC, "2027-03-28T02:30:00", time.Date(2027, 3, 28, 2, 30, 0, 0, time.UTC)},
		{mustLoc(t, "Asia/Kolkata"), "2027-03-28T02:30:00", time.Date(2027, 3, 27, 21, 0, 0, 0, time.UTC)},
	} {
		got := Resolve(mustLocal(t, tc.l), tc.loc)
		if !got.Equal(tc.want) || got.Location() != tc.loc {
			t.Errorf("Resolve(%s, %v) = %v, want %v", tc.l, tc.loc, got, tc.want)
		}
	}
}

func dailyAt(t *testing.T, zone, start string, count int) []Occurrence {
	t.Helper()
	c := mustCompile(t, Rule{RRule: "FREQ=DAILY;COUNT=" + itoa(count), Start: mustLocal(t, start), TimeZone: zone, Duration: 30 * time.Minute})
	return allOf(t, c)
}

func itoa(n int) string { return time.Duration(n).String()[:len(time.Duration(n).String())-2] }

func TestDSTGap(t *testing.T) {
	occ := dailyAt(t, "Europe/Paris", "2027-03-27T02:30:00", 3)
	want := []time.Time{
		time.Date(2027, 3, 27, 1, 30, 0, 0, time.UTC), // 02:30 CET
		time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC), // 02:30 does not exist: 03:30 CEST
		time.Date(2027, 3, 29, 0, 30, 0, 0, time.UTC), // 02:30 CEST
	}
	for i, o := range occ {
		if !o.Start.Equal(want[i]) {
			t.Errorf("Paris %d: %v, want %v", i, o.Start, want[i])
		}
		if o.Local.Hour() != 2 || o.Local.Minute() != 30 {
			t.Errorf("Paris %d: Local %s", i, o.Local)
		}
	}
	if h := occ[1].Start.Hour(); h != 3 {
		t.Errorf("Paris gap day at %v, want 03:30 CEST", occ[1].Start)
	}
	if occ[1].End.Sub(occ[1].Start) != 30*time.Minute {
		t.Errorf("End %v", occ[1].End)
	}

	occ = dailyAt(t, "America/New_York", "2027-03-13T02:30:00", 3)
	want = []time.Time{
		time.Date(2027, 3, 13, 7, 30, 0, 0, time.UTC), // EST
		time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC), // gap: 03:30 EDT
		time.Date(2027, 3, 15, 6, 30, 0, 0, time.UTC), // EDT
	}
	for i, o := range occ {
		if !o.Start.Equal(want[i]) {
			t.Errorf("New York %d: %v, want %v", i, o.Start, want[i])
		}
	}
}

func TestDSTOverlap(t *testing.T) {
	occ := dailyAt(t, "Europe/Paris", "2027-10-30T02:30:00", 3)
	want := []time.Time{
		time.Date(2027, 10, 30, 0, 30, 0, 0, time.UTC), // CEST
		time.Date(2027, 10, 31, 0, 30, 0, 0, time.UTC), // twice: the first, CEST
		time.Date(2027, 11, 1, 1, 30, 0, 0, time.UTC),  // CET
	}
	for i, o := range occ {
		if !o.Start.Equal(want[i]) {
			t.Errorf("%d: %v, want %v", i, o.Start, want[i])
		}
	}
	if _, off := occ[1].Start.Zone(); off != 2*3600 {
		t.Errorf("overlap chose offset %d", off)
	}
}

func TestNoEndAndTooMany(t *testing.T) {
	paris := mustLoc(t, "Europe/Paris")
	c := mustCompile(t, Rule{RRule: "FREQ=WEEKLY", Start: mustLocal(t, "2027-01-04T09:00:00"), TimeZone: "Europe/Paris", Duration: time.Hour})
	if _, ok := c.All(); ok {
		t.Error("All on a rule without end")
	}
	for _, from := range []time.Time{time.Date(2027, 1, 1, 0, 0, 0, 0, paris), time.Date(2031, 5, 17, 0, 0, 0, 0, time.UTC), time.Date(2090, 2, 1, 0, 0, 0, 0, time.UTC)} {
		occ, err := c.Between(from, from.AddDate(1, 0, 0), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(occ) != 52 && len(occ) != 53 {
			t.Errorf("from %v: %d occurrences", from, len(occ))
		}
		for i, o := range occ {
			if o.Start.Weekday() != time.Monday || o.Start.Hour() != 9 || (i > 0 && !occ[i-1].Start.Before(o.Start)) {
				t.Errorf("occurrence %v", o.Start)
			}
		}
	}
	if !c.Contains(mustLocal(t, "2095-01-03T09:00:00")) || c.Contains(mustLocal(t, "2095-01-04T09:00:00")) {
		t.Error("Contains far ahead")
	}

	d := mustCompile(t, Rule{RRule: "FREQ=DAILY", Start: mustLocal(t, "2027-01-01T09:00:00"), TimeZone: "Europe/Paris", Duration: time.Hour})
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, paris)
	_, err := d.Between(from, from.AddDate(3, 0, 0), 1000)
	var tm *TooManyError
	if !errors.As(err, &tm) || tm.Limit != 1000 {
		t.Fatalf("got %v", err)
	}
	if want := "the rule gives more than 1000 occurrences between 2027-01-01 and 2030-01-01"; err.Error() != want {
		t.Errorf("message %q", err.Error())
	}
	if occ, err := d.Between(from, from.AddDate(2, 0, 0), 1000); err != nil || len(occ) != 731 {
		t.Errorf("two years: %d, %v", len(occ), err)
	}
	// Exactly the limit is fine.
	if occ, err := d.Between(from, from.AddDate(0, 0, 10), 10); err != nil || len(occ) != 10 {
		t.Errorf("limit: %d, %v", len(occ), err)
	}
	if _, err := d.Between(from, from.AddDate(0, 0, 11), 10); err == nil {
		t.Error("limit + 1 accepted")
	}
}

func TestSplitAt(t *testing.T) {
	r := monthly(t)
	orig := allOf(t, mustCompile(t, r))
	before, after, err := SplitAt(r, mustLocal(t, "2027-06-03T09:00:00"))
	if err != nil {
		t.Fatal(err)
	}
	if before.RRule != "FREQ=MONTHLY;BYDAY=1TH;UNTIL=20270602T235959" {
		t.Errorf("before: %s", before.RRule)
	}
	if after.RRule != "FREQ=MONTHLY;BYDAY=1TH;COUNT=7" || after.Start.String() != "2027-06-03T09:00:00" {
		t.Errorf("after: %s from %s", after.RRule, after.Start)
	}
	if len(before.ExDates) != 0 || len(after.ExDates) != 1 {
		t.Errorf("exdates: %v / %v", before.ExDates, after.ExDates)
	}
	b := allOf(t, mustCompile(t, before))
	a := allOf(t, mustCompile(t, after))
	if len(b) != 5 || b[0].Start.Month() != time.January || b[4].Start.Month() != time.May {
		t.Errorf("before: %v", b)
	}
	if a[0].Start.Month() != time.June {
		t.Errorf("after: %v", a)
	}
	union := append(b, a...)
	if len(union) != len(orig) {
		t.Fatalf("union %d, original %d", len(union), len(orig))
	}
	for i := range orig {
		if union[i] != orig[i] {
			t.Errorf("%d: %v != %v", i, union[i], orig[i])
		}
	}

	// UNTIL is kept after; the day before goes before.
	u := Rule{RRule: "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270331T235959", Start: mustLocal(t, "2027-03-01T18:00"), TimeZone: "America/New_York", Duration: time.Hour}
	before, after, err = SplitAt(u, mustLocal(t, "2027-03-15T18:00"))
	if err != nil {
		t.Fatal(err)
	}
	if before.RRule != "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20270314T235959" || after.RRule != u.RRule {
		t.Errorf("%s / %s", before.RRule, after.RRule)
	}
	if n := len(allOf(t, mustCompile(t, before))) + len(allOf(t, mustCompile(t, after))); n != len(allOf(t, mustCompile(t, u))) {
		t.Errorf("union has %d", n)
	}

	for _, at := range []string{"2027-01-07T09:00:00", "2027-06-04T09:00:00", "2027-08-05T09:00:00"} {
		_, _, err := SplitAt(r, mustLocal(t, at))
		ve, ok := validation.As(err)
		if !ok || ve.Field != "starts_at" || ve.Code != validation.CodeInvalid {
			t.Errorf("SplitAt %s: %v", at, err)
		}
	}
}

func TestICalRRule(t *testing.T) {
	c := mustCompile(t, Rule{RRule: "FREQ=DAILY;UNTIL=20270331T090000", Start: mustLocal(t, "2027-03-20T09:00"), TimeZone: "Europe/Paris", Duration: time.Hour})
	if got := c.ICalRRule(); got != "FREQ=DAILY;UNTIL=20270331T070000Z" {
		t.Errorf("ICalRRule: %s", got)
	}
	if n := len(allOf(t, c)); n != 12 {
		t.Errorf("%d occurrences", n)
	}
	// A UTC UNTIL is normalized to the zone's wall-clock.
	z := mustCompile(t, Rule{RRule: "freq=daily;until=20270331T070000Z", Start: mustLocal(t, "2027-03-20T09:00"), TimeZone: "Europe/Paris", Duration: time.Hour})
	if got := z.Rule().RRule; got != "FREQ=DAILY;UNTIL=20270331T090000" {
		t.Errorf("normalized: %s", got)
	}
	if z.ICalRRule() != c.ICalRRule() || len(allOf(t, z)) != 12 {
		t.Errorf("Z UNTIL: %s", z.ICalRRule())
	}
	// A date UNTIL includes its day.
	d := mustCompile(t, Rule{RRule: "FREQ=DAILY;UNTIL=20270331", Start: mustLocal(t, "2027-03-20T09:00"), TimeZone: "Europe/Paris", Duration: time.Hour})
	if got := d.Rule().RRule; got != "FREQ=DAILY;UNTIL=20270331T235959" || len(allOf(t, d)) != 12 {
		t.Errorf("date UNTIL: %s", got)
	}
	m := mustCompile(t, monthly(t))
	if m.ICalRRule() != "FREQ=MONTHLY;BYDAY=1TH;COUNT=12" {
		t.Errorf("no UNTIL: %s", m.ICalRRule())
	}
}

func TestValidation(t *testing.T) {
	base := func() Rule {
		return Rule{RRule: "FREQ=WEEKLY;BYDAY=TH", Start: mustLocal(t, "2027-01-07T09:00:00"), TimeZone: "Europe/Paris", Duration: time.Hour}
	}
	for _, tc := range []struct {
		name  string
		edit  func(r *Rule)
		field string
		msg   string
	}{
		{"garbage", func(r *Rule) { r.RRule = "FREQ=WEEKLY;BYDAY=XX" }, "rrule", "not a valid RRULE body"},
		{"unknown part", func(r *Rule) { r.RRule = "FREQ=WEEKLY;FOO=1" }, "rrule", "not a valid RRULE body"},
		{"no freq", func(r *Rule) { r.RRule = "BYDAY=TH" }, "rrule", "FREQ"},
		{"empty", func(r *Rule) { r.RRule = " " }, "rrule", "must be given"},
		{"prefix", func(r *Rule) { r.RRule = "RRULE:FREQ=WEEKLY" }, "rrule", "DTSTART/TZID/RRULE: prefix do not belong in the rule: give startsAt and timeZone"},
		{"dtstart", func(r *Rule) { r.RRule = "DTSTART;TZID=Europe/Paris:20270107T090000\nRRULE:FREQ=WEEKLY" }, "rrule", "DTSTART/TZID/RRULE: prefix"},
		{"dtstart part", func(r *Rule) { r.RRule = "FREQ=WEEKLY;DTSTART=20270107T090000" }, "rrule", "DTSTART/TZID/RRULE: prefix"},
		{"hourly", func(r *Rule) { r.RRule = "FREQ=HOURLY" }, "rrule", "meetings repeat at most daily: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"},
		{"minutely", func(r *Rule) { r.RRule = "FREQ=MINUTELY" }, "rrule", "at most daily"},
		{"secondly", func(r *Rule) { r.RRule = "FREQ=SECONDLY" }, "rrule", "at most daily"},
		{"byhour", func(r *Rule) { r.RRule = "FREQ=DAILY;BYHOUR=9,14" }, "rrule", "BYHOUR"},
		{"no occurrence", func(r *Rule) {
			r.RRule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"
			r.Start = mustLocal(t, "2027-02-28T09:00")
		}, "rrule", "gives no occurrence"},
		{"no occurrence daily", func(r *Rule) {
			r.RRule = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30,31"
			r.Start = mustLocal(t, "2027-02-28T09:00")
		}, "rrule", "gives no occurrence within 100 years"},
		{"no occurrence with count", func(r *Rule) {
			r.RRule = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=5"
			r.Start = mustLocal(t, "2027-02-28T09:00")
		}, "rrule", "gives no occurrence"},
		{"until before start", func(r *Rule) { r.RRule = "FREQ=WEEKLY;UNTIL=20261231T000000Z" }, "rrule", "gives no occurrence"},
		{"count too big", func(r *Rule) { r.RRule = "FREQ=DAILY;COUNT=1001" }, "rrule", "COUNT must be at most 1000"},
		{"count zero", func(r *Rule) { r.RRule = "FREQ=DAILY;COUNT=0" }, "rrule", "COUNT must be at least 1"},
		{"count and until", func(r *Rule) { r.RRule = "FREQ=DAILY;COUNT=3;UNTIL=20270301T000000" }, "rrule", "COUNT and UNTIL"},
		{"interval", func(r *Rule) { r.RRule = "FREQ=DAILY;INTERVAL=0" }, "rrule", "INTERVAL"},
		{"twice", func(r *Rule) { r.RRule = "FREQ=DAILY;COUNT=3;COUNT=4" }, "rrule", "COUNT is given twice"},
		{"bad until", func(r *Rule) { r.RRule = "FREQ=DAILY;UNTIL=2027" }, "rrule", "not a valid RRULE body"},
		{"ordinal weekly", func(r *Rule) { r.RRule = "FREQ=WEEKLY;BYDAY=1TH" }, "rrule", "FREQ=MONTHLY or YEARLY"},
		{"bounds", func(r *Rule) { r.RRule = "FREQ=MONTHLY;BYMONTHDAY=32" }, "rrule", "bymonthday must be between"},
		{"start not occurrence", func(r *Rule) { r.Start = mustLocal(t, "2027-01-05T09:00:00") }, "starts_at", "2027-01-05T09:00:00 is not an occurrence of the rule: the start must be the first occurrence; the first occurrence the rule gives on or after it is 2027-01-07T09:00:00"},
		{"start missing", func(r *Rule) { r.Start = Local{} }, "starts_at", "must be given"},
		{"zone", func(r *Rule) { r.TimeZone = "Europe/Pariss" }, "time_zone", `"Europe/Pariss" is not an IANA time zone such as Europe/Paris`},
		{"zone empty", func(r *Rule) { r.TimeZone = "" }, "time_zone", "must be given"},
		{"zone local", func(r *Rule) { r.TimeZone = "Local" }, "time_zone", "not an IANA time zone"},
		{"duration zero", func(r *Rule) { r.Duration = 0 }, "duration_minutes", "more than 0"},
		{"duration negative", func(r *Rule) { r.Duration = -time.Minute }, "duration_minutes", "more than 0"},
		{"duration long", func(r *Rule) { r.Duration = 7*24*time.Hour + time.Minute }, "duration_minutes", "at most 7 days (10080 minutes)"},
		{"exdate", func(r *Rule) { r.ExDates = []Local{mustLocal(t, "2027-08-06T09:00:00")} }, "exdates", "2027-08-06T09:00:00 is not an occurrence of the rule"},
		{"exdate before start", func(r *Rule) { r.ExDates = []Local{mustLocal(t, "2026-12-31T09:00:00")} }, "exdates", "is not an occurrence"},
	} {
		r := base()
		tc.edit(&r)
		c, err := Compile(r)
		var ve *validation.Error
		if !errors.As(err, &ve) {
			t.Errorf("%s: got %v, %v", tc.name, c, err)
			continue
		}
		if ve.Field != tc.field || ve.Code != "INVALID" || !strings.Contains(ve.Message, tc.msg) {
			t.Errorf("%s: got %s %s %q", tc.name, ve.Field, ve.Code, ve.Message)
		}
		if tc.field != "rrule" && strings.Contains(ve.Message, tc.field) {
			t.Errorf("%s: message names its field: %q", tc.name, ve.Message)
		}
	}
	// Accepted: exactly 7 days, COUNT=1000, lower case, exdates duplicated.
	r := base()
	r.Duration = 7 * 24 * time.Hour
	r.RRule = "freq=weekly;byday=th;count=1000"
	r.ExDates = []Local{mustLocal(t, "2027-01-14T09:00"), mustLocal(t, "2027-01-14T09:00")}
	c := mustCompile(t, r)
	if n := len(allOf(t, c)); n != 999 {
		t.Errorf("%d occurrences", n)
	}
	if got := c.Rule(); got.RRule != "FREQ=WEEKLY;BYDAY=TH;COUNT=1000" || len(got.ExDates) != 1 {
		t.Errorf("Rule: %+v", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := mustCompile(t, monthly(t))
	from := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	march := mustLocal(t, "2027-03-04T09:00")
	done := make(chan int)
	for range 8 {
		go func() {
			occ, _ := c.Between(from, from.AddDate(1, 0, 0), 100)
			if !c.Contains(march) {
				t.Error("Contains")
			}
			done <- len(occ)
		}()
	}
	for range 8 {
		if n := <-done; n != 11 {
			t.Errorf("got %d", n)
		}
	}
}
