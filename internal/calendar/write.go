package calendar

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	ics "github.com/arran4/golang-ical"
	"github.com/teambition/rrule-go"
)

// Write writes cal as an iCalendar stream (CRLF lines, folded at 75 octets,
// PRODID "-//Rencontre//Rencontre//EN", VERSION 2.0, CALSCALE GREGORIAN,
// METHOD PUBLISH).
//
// For every zone used it writes one VTIMEZONE built from Go's zone data
// (time.LoadLocation): the STANDARD/DAYLIGHT transitions covering from a year
// before the earliest start to Until, each with DTSTART (local time before
// the transition), TZOFFSETFROM, TZOFFSETTO, TZNAME; a zone without
// transitions in that span gets one STANDARD component. Events are sorted by
// start then UID; the output is deterministic (same input, same bytes).
//
// When Until is zero the span ends a year after the latest event end, where
// a recurring master ends with its last occurrence (COUNT/UNTIL) or, for an
// unbounded rule, five years after its start or after Now, whichever is
// later.
//
// Text values are escaped by golang-ical; carriage returns are turned into
// newlines and other control characters are dropped. An attendee without an
// e-mail (or with an e-mail that cannot be a calendar address) is left out.
// golang-ical v0.3.4 cannot quote a CN, so in attendee names , ; : " and \
// become spaces and ' becomes ’ (see paramText).
func Write(w io.Writer, cal Calendar) error {
	c, err := build(cal)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := c.SerializeTo(&buf, ics.WithNewLineWindows, ics.WithLineLength(75)); err != nil {
		return fmt.Errorf("calendar: serialize: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// zoneInfo is an event's zone: nil loc means UTC.
type zoneInfo struct {
	name string
	loc  *time.Location
}

func build(cal Calendar) (*ics.Calendar, error) {
	c := &ics.Calendar{}
	c.SetProductId(ProductID)
	c.SetVersion("2.0")
	c.SetCalscale("GREGORIAN")
	c.SetMethod(ics.MethodPublish)
	if name := cleanText(cal.Name); name != "" {
		c.SetXWRCalName(name)
	}
	if desc := cleanText(cal.Description); desc != "" {
		c.SetXWRCalDesc(desc)
	}

	events := make([]Event, len(cal.Events))
	copy(events, cal.Events)
	sort.SliceStable(events, func(i, j int) bool { return eventLess(&events[i], &events[j]) })

	// Zones used, and the span the VTIMEZONEs must cover.
	locs := map[string]*time.Location{}
	zones := make([]zoneInfo, len(events))
	var earliest, latest time.Time
	widen := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if earliest.IsZero() || t.Before(earliest) {
			earliest = t
		}
		if latest.IsZero() || t.After(latest) {
			latest = t
		}
	}
	for i := range events {
		ev := &events[i]
		if strings.TrimSpace(ev.UID) == "" {
			return nil, fmt.Errorf("calendar: event %d (%q) has no UID", i, ev.Summary)
		}
		if ev.Start.IsZero() {
			return nil, fmt.Errorf("calendar: event %q has no start", ev.UID)
		}
		if !ev.End.IsZero() && ev.End.Before(ev.Start) {
			return nil, fmt.Errorf("calendar: event %q ends (%s) before it starts (%s)", ev.UID, ev.End, ev.Start)
		}
		z, err := loadZone(ev.TimeZone, locs)
		if err != nil {
			return nil, fmt.Errorf("calendar: event %q: %w", ev.UID, err)
		}
		zones[i] = z
		widen(ev.Start)
		widen(ev.End)
		if ev.RecurrenceID != nil {
			widen(*ev.RecurrenceID)
		}
		for _, x := range ev.ExDates {
			widen(x)
		}
		if ev.RRule != "" && cal.Until.IsZero() {
			widen(seriesEnd(ev, z, cal.Now))
		}
	}

	// VTIMEZONEs first, one per zone, by name.
	if len(locs) > 0 {
		from := earliest.AddDate(-1, 0, 0)
		to := latest.AddDate(1, 0, 0)
		if !cal.Until.IsZero() {
			to = cal.Until
			if to.Before(latest) {
				to = latest
			}
		}
		names := make([]string, 0, len(locs))
		for n := range locs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c.AddVTimezone(buildVTimezone(n, locs[n], from, to))
		}
	}

	// An override's RECURRENCE-ID is written like its master's DTSTART
	// (same TZID), so clients match it to the occurrence it replaces.
	masterZone := map[string]zoneInfo{}
	for i := range events {
		if events[i].RRule != "" {
			masterZone[events[i].UID] = zones[i]
		}
	}
	for i := range events {
		ridZone := zones[i]
		if mz, ok := masterZone[events[i].UID]; ok {
			ridZone = mz
		}
		ve, err := buildEvent(&events[i], zones[i], ridZone, cal.Now)
		if err != nil {
			return nil, err
		}
		c.AddVEvent(ve)
	}
	return c, nil
}

// eventLess orders events by start, then UID, then the master before its
// overrides (by original start).
func eventLess(a, b *Event) bool {
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	if a.UID != b.UID {
		return a.UID < b.UID
	}
	if (a.RecurrenceID == nil) != (b.RecurrenceID == nil) {
		return a.RecurrenceID == nil
	}
	if a.RecurrenceID != nil && !a.RecurrenceID.Equal(*b.RecurrenceID) {
		return a.RecurrenceID.Before(*b.RecurrenceID)
	}
	return false
}

func loadZone(name string, cache map[string]*time.Location) (zoneInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "UTC" {
		return zoneInfo{name: "UTC"}, nil
	}
	if loc, ok := cache[name]; ok {
		return zoneInfo{name: name, loc: loc}, nil
	}
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '"' }) >= 0 {
		return zoneInfo{}, fmt.Errorf("invalid time zone %q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return zoneInfo{}, fmt.Errorf("time zone %q: %w", name, err)
	}
	cache[name] = loc
	return zoneInfo{name: name, loc: loc}, nil
}

// seriesEnd is how far the VTIMEZONE must reach for a recurring master when
// Calendar.Until is zero: the end of its last occurrence for a rule with
// COUNT or UNTIL; for an unbounded rule, five years past its start or past
// now, whichever is later (so the feed keeps covering the years ahead).
func seriesEnd(ev *Event, z zoneInfo, now time.Time) time.Time {
	loc := time.UTC
	if z.loc != nil {
		loc = z.loc
	}
	opt, err := rrule.StrToROption(strings.TrimPrefix(strings.TrimSpace(ev.RRule), "RRULE:"))
	if err != nil {
		return time.Time{}
	}
	if opt.Count == 0 && opt.Until.IsZero() {
		from := ev.Start
		if now.After(from) {
			from = now
		}
		return from.AddDate(5, 0, 0)
	}
	opt.Dtstart = ev.Start.In(loc)
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return time.Time{}
	}
	next := r.Iterator()
	var last time.Time
	for n := 0; n < 100000; n++ {
		t, ok := next()
		if !ok {
			break
		}
		last = t
	}
	if last.IsZero() {
		return time.Time{}
	}
	if !ev.End.IsZero() {
		last = last.Add(ev.End.Sub(ev.Start))
	}
	return last
}

// timeValue formats t for DTSTART/DTEND/RECURRENCE-ID/EXDATE in zone z.
func timeValue(t time.Time, z zoneInfo) (string, []ics.PropertyParameter) {
	if z.loc == nil {
		return t.UTC().Format(formatUTC), nil
	}
	return t.In(z.loc).Format(formatLocal), []ics.PropertyParameter{ics.WithTZID(z.name)}
}

var statuses = map[string]ics.ObjectStatus{
	"CONFIRMED": ics.ObjectStatusConfirmed,
	"TENTATIVE": ics.ObjectStatusTentative,
	"CANCELLED": ics.ObjectStatusCancelled,
}

var partStats = map[string]bool{
	"NEEDS-ACTION": true,
	"ACCEPTED":     true,
	"DECLINED":     true,
	"TENTATIVE":    true,
	"DELEGATED":    true,
}

func buildEvent(ev *Event, z, ridZone zoneInfo, now time.Time) (*ics.VEvent, error) {
	ve := ics.NewEvent(cleanText(ev.UID))

	stamp := ev.LastModified
	if stamp.IsZero() {
		stamp = ev.Created
	}
	if stamp.IsZero() {
		stamp = now
	}
	if stamp.IsZero() {
		return nil, fmt.Errorf("calendar: event %q: no DTSTAMP (LastModified, Created and Calendar.Now are all zero)", ev.UID)
	}
	ve.SetDtStampTime(stamp)
	ve.SetSequence(ev.Sequence)
	if !ev.Created.IsZero() {
		ve.SetCreatedTime(ev.Created)
	}
	if !ev.LastModified.IsZero() {
		ve.SetModifiedAt(ev.LastModified)
	}

	v, p := timeValue(ev.Start, z)
	ve.SetProperty(ics.ComponentPropertyDtStart, v, p...)
	if !ev.End.IsZero() {
		v, p := timeValue(ev.End, z)
		ve.SetProperty(ics.ComponentPropertyDtEnd, v, p...)
	}

	if ev.RecurrenceID != nil {
		if ev.RRule != "" {
			return nil, fmt.Errorf("calendar: event %q: an override (RecurrenceID) cannot have an RRULE", ev.UID)
		}
		v, p := timeValue(*ev.RecurrenceID, ridZone)
		ve.SetProperty(ics.ComponentPropertyRecurrenceId, v, p...)
	}

	if ev.RRule != "" {
		rule := strings.TrimPrefix(strings.TrimSpace(ev.RRule), "RRULE:")
		if strings.IndexFunc(rule, unicode.IsControl) >= 0 || strings.ContainsAny(rule, ": ") {
			return nil, fmt.Errorf("calendar: event %q: invalid RRULE %q", ev.UID, ev.RRule)
		}
		if _, err := rrule.StrToROption(rule); err != nil {
			return nil, fmt.Errorf("calendar: event %q: invalid RRULE %q: %w", ev.UID, ev.RRule, err)
		}
		ve.AddRrule(rule)
		exdates := make([]time.Time, len(ev.ExDates))
		copy(exdates, ev.ExDates)
		sort.Slice(exdates, func(i, j int) bool { return exdates[i].Before(exdates[j]) })
		var prev string
		for _, x := range exdates {
			v, p := timeValue(x, z)
			if v == prev {
				continue
			}
			prev = v
			ve.AddExdate(v, p...)
		}
	} else if len(ev.ExDates) > 0 {
		return nil, fmt.Errorf("calendar: event %q: EXDATEs without an RRULE", ev.UID)
	}

	if s := cleanText(ev.Summary); s != "" {
		ve.SetSummary(s)
	}
	if s := cleanText(ev.Description); s != "" {
		ve.SetDescription(s)
	}
	if s := cleanText(ev.Location); s != "" {
		ve.SetLocation(s)
	}
	if u := strings.TrimSpace(ev.URL); u != "" {
		if strings.IndexFunc(u, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
			return nil, fmt.Errorf("calendar: event %q: invalid URL %q", ev.UID, ev.URL)
		}
		ve.SetURL(u)
	}
	if ev.Status != "" {
		st, ok := statuses[strings.ToUpper(strings.TrimSpace(ev.Status))]
		if !ok {
			return nil, fmt.Errorf("calendar: event %q: invalid STATUS %q", ev.UID, ev.Status)
		}
		ve.SetStatus(st)
	}

	for _, a := range ev.Attendees {
		email := attendeeAddress(a.Email)
		if email == "" {
			continue
		}
		ps := strings.ToUpper(strings.TrimSpace(a.PartStat))
		if ps == "" {
			ps = "NEEDS-ACTION"
		}
		if !partStats[ps] {
			return nil, fmt.Errorf("calendar: event %q: invalid PARTSTAT %q", ev.UID, a.PartStat)
		}
		params := []ics.PropertyParameter{ics.ParticipationStatus(ps)}
		if cn := paramText(a.Name); cn != "" {
			params = append(params, ics.WithCN(cn))
		}
		ve.AddAttendee("mailto:"+email, params...)
	}
	return ve, nil
}

// attendeeAddress is the address written after mailto:, or "" when the
// attendee must be left out: no e-mail, or one that is not a plain address
// (CAL-ADDRESS values are not escaped, so no control character or space may
// pass).
func attendeeAddress(email string) string {
	email = strings.TrimSpace(email)
	if len(email) >= 7 && strings.EqualFold(email[:7], "mailto:") {
		email = email[7:]
	}
	if email == "" || !strings.Contains(email, "@") {
		return ""
	}
	if strings.IndexFunc(email, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r) || r == '"' || r == '<' || r == '>'
	}) >= 0 {
		return ""
	}
	return email
}

// cleanText prepares a TEXT value: line breaks become "\n" (escaped as \n
// by golang-ical), other control characters but TAB are dropped.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// paramText prepares a parameter value (CN). golang-ical v0.3.4 never
// quotes CN and backslash-escapes , ; : " ' and \ in it, which RFC 5545
// does not define (clients would show the backslashes), so those
// characters are replaced: ' by U+2019, the others by a space.
func paramText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\'':
			return '’'
		case r == ',' || r == ';' || r == ':' || r == '"' || r == '\\' || unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// formatOffset formats a UTC offset in seconds as +HHMM (or +HHMMSS).
func formatOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign = "-"
		sec = -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// parseOffset parses a UTC-OFFSET value (+HHMM or +HHMMSS).
func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("invalid UTC offset %q", s)
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid UTC offset %q", s)
	}
	var sec int
	if len(s) == 5 {
		sec = n/100*3600 + n%100*60
	} else {
		sec = n/10000*3600 + n/100%100*60 + n%100
	}
	if s[0] == '-' {
		sec = -sec
	}
	return sec, nil
}
