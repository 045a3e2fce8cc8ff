package recurrence

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/rencontre/rencontre/internal/validation"
)

// Limits of a series.
const (
	// MaxCount is the largest COUNT a rule may give.
	MaxCount = 1000
	// MaxDuration is the longest duration of one occurrence.
	MaxDuration = 7 * 24 * time.Hour
	// DefaultLimit is the limit Between applies when given a limit below 1.
	DefaultLimit = 1000
	// horizonYears bounds the search for a rule's first occurrence, so that a
	// rule that can never match does not run rrule-go to year 9999.
	horizonYears = 100
)

// Field names of the validation errors.
const (
	FieldRRule    = "rrule"
	FieldStartsAt = "starts_at"
	FieldTimeZone = "time_zone"
	FieldDuration = "duration_minutes"
	FieldExDates  = "exdates"
)

// Rule is a recurring series as given by its author.
type Rule struct {
	RRule    string        // body without "RRULE:", e.g. "FREQ=MONTHLY;BYDAY=1TH;COUNT=12"
	Start    Local         // first occurrence, local wall-clock
	TimeZone string        // IANA name
	Duration time.Duration // length of each occurrence
	ExDates  []Local       // local wall-clock starts to skip
}

// Occurrence is one meeting of a series.
type Occurrence struct {
	Local Local     // the wall-clock start the rule gave (the occurrence's identity)
	Start time.Time // the instant, in the zone's location (Resolve)
	End   time.Time // Start + Duration, in the zone's location
}

// Compiled is a validated Rule, ready to expand. It is safe for concurrent
// use: every expansion builds its own rrule-go iterator.
type Compiled struct {
	rule  Rule // normalized
	loc   *time.Location
	parts []part         // normalized body, in the author's order
	opt   rrule.ROption  // floating: Dtstart and Until hold wall-clock fields in UTC
	until Local          // zero when the rule has no UNTIL
	count int            // 0 when the rule has no COUNT
	ex    map[Local]bool // exdates
}

type part struct{ key, value string }

func joinParts(parts []part) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.key + "=" + p.value
	}
	return strings.Join(s, ";")
}

const floatingLayout = "20060102T150405"

// Compile validates r and prepares it for expansion. Errors are
// *validation.Error on the fields "rrule", "starts_at", "time_zone",
// "duration_minutes" and "exdates".
//
// The rule held by the result (Rule) is normalized: the body is upper-cased
// and trimmed, and an UNTIL is written as a floating wall-clock time in the
// series' zone (an UNTIL given in UTC, with Z, is converted; a date-only
// UNTIL means the end of that day); Start and ExDates are truncated to the
// second, and ExDates sorted without duplicates.
func Compile(r Rule) (*Compiled, error) {
	loc, err := loadZone(r.TimeZone)
	if err != nil {
		return nil, err
	}
	if r.Duration <= 0 {
		return nil, validation.Invalid(FieldDuration, "must be more than 0 minutes, got %d", int64(r.Duration/time.Minute))
	}
	if r.Duration > MaxDuration {
		return nil, validation.Invalid(FieldDuration, "must be at most 7 days (%d minutes), got %d", int64(MaxDuration/time.Minute), int64(r.Duration/time.Minute))
	}
	if r.Start.IsZero() {
		return nil, validation.Invalid(FieldStartsAt, "must be given: the first occurrence of the series, as a local wall-clock time such as 2027-01-07T09:00:00")
	}
	start := r.Start.truncate()
	if y := start.Year(); y < 1 || y > 9999 {
		return nil, validation.Invalid(FieldStartsAt, "%s is out of range: the year must be between 0001 and 9999", start)
	}

	c := &Compiled{loc: loc}
	if err := c.parse(r.RRule, loc); err != nil {
		return nil, err
	}
	c.opt.Dtstart = start.Time
	if !c.until.IsZero() {
		c.opt.Until = c.until.Time
		if c.until.Before(start.Time) {
			return nil, validation.Invalid(FieldRRule, "gives no occurrence: UNTIL (%s in the series' time zone) is before the start (%s)", c.until, start)
		}
	}
	if _, err := rrule.NewRRule(c.opt); err != nil {
		return nil, validation.Invalid(FieldRRule, "not a valid RRULE body: %s", err)
	}

	// The start must be the first occurrence (RFC 5545 counts DTSTART as
	// the first instance; rrule-go would silently skip a start that does
	// not match).
	first, ok := c.firstOnOrAfter(start)
	if !ok {
		if c.until.IsZero() && c.count == 0 {
			return nil, validation.Invalid(FieldRRule, "gives no occurrence within %d years of the start (%s): check BYMONTH, BYMONTHDAY, BYDAY and the other parts against each other", horizonYears, start)
		}
		return nil, validation.Invalid(FieldRRule, "gives no occurrence from the start (%s) on", start)
	}
	if !first.Equal(start.Time) {
		return nil, validation.Invalid(FieldStartsAt, "%s is not an occurrence of the rule: the start must be the first occurrence; the first occurrence the rule gives on or after it is %s", start, Local{first})
	}

	// Exdates must be occurrences.
	c.ex = map[Local]bool{}
	var ex []Local
	for _, e := range r.ExDates {
		e = e.truncate()
		if c.ex[e] {
			continue
		}
		if !c.isInstance(e) {
			return nil, validation.Invalid(FieldExDates, "%s is not an occurrence of the rule", e)
		}
		c.ex[e] = true
		ex = append(ex, e)
	}
	slices.SortFunc(ex, func(a, b Local) int { return a.Compare(b.Time) })

	c.rule = Rule{
		RRule:    joinParts(c.parts),
		Start:    start,
		TimeZone: r.TimeZone,
		Duration: r.Duration,
		ExDates:  ex,
	}
	return c, nil
}

func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return nil, validation.Invalid(FieldTimeZone, "must be given: an IANA time zone such as Europe/Paris")
	}
	if name == "Local" {
		return nil, validation.Invalid(FieldTimeZone, "%q is not an IANA time zone such as Europe/Paris", name)
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, validation.Invalid(FieldTimeZone, "%q is not an IANA time zone such as Europe/Paris", name)
	}
	actual, _ := zones.LoadOrStore(name, loc)
	return actual.(*time.Location), nil
}

// zones caches loaded locations by name, so that the series of one zone share
// one *time.Location (and their times compare with ==).
var zones sync.Map

// parse reads the body into c.parts, c.opt, c.until and c.count.
func (c *Compiled) parse(body string, loc *time.Location) error {
	body = strings.ToUpper(strings.TrimSpace(body))
	if body == "" {
		return validation.Invalid(FieldRRule, "must be given: a rule body such as FREQ=WEEKLY;BYDAY=MO")
	}
	// A body never holds a colon, a line break, DTSTART or TZID: those come
	// from an iCalendar text ("DTSTART;TZID=…:…\nRRULE:…").
	if strings.ContainsAny(body, ":\r\n") || strings.Contains(body, "DTSTART") || strings.Contains(body, "TZID") {
		return validation.Invalid(FieldRRule, "DTSTART/TZID/RRULE: prefix do not belong in the rule: give startsAt and timeZone, and only the rule body such as FREQ=MONTHLY;BYDAY=1TH")
	}
	opt, err := rrule.StrToROption(body)
	if err != nil {
		return validation.Invalid(FieldRRule, "not a valid RRULE body: %s", err)
	}
	seen := map[string]bool{}
	for _, attr := range strings.Split(body, ";") {
		k, v, _ := strings.Cut(attr, "=")
		if seen[k] {
			return validation.Invalid(FieldRRule, "%s is given twice", k)
		}
		seen[k] = true
		c.parts = append(c.parts, part{k, v})
	}
	switch opt.Freq {
	case rrule.HOURLY, rrule.MINUTELY, rrule.SECONDLY:
		return validation.Invalid(FieldRRule, "meetings repeat at most daily: FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
	}
	for _, k := range []string{"BYHOUR", "BYMINUTE", "BYSECOND"} {
		if seen[k] {
			return validation.Invalid(FieldRRule, "meetings repeat at most daily and the time of day comes from the start: BYHOUR, BYMINUTE and BYSECOND are not supported")
		}
	}
	if seen["BYEASTER"] {
		return validation.Invalid(FieldRRule, "BYEASTER is not part of RFC 5545 and is not supported")
	}
	if seen["INTERVAL"] && opt.Interval < 1 {
		return validation.Invalid(FieldRRule, "INTERVAL must be at least 1, got %d", opt.Interval)
	}
	if seen["COUNT"] {
		if opt.Count < 1 {
			return validation.Invalid(FieldRRule, "COUNT must be at least 1, got %d", opt.Count)
		}
		if opt.Count > MaxCount {
			return validation.Invalid(FieldRRule, "COUNT must be at most %d, got %d", MaxCount, opt.Count)
		}
		c.count = opt.Count
	}
	if seen["COUNT"] && seen["UNTIL"] {
		return validation.Invalid(FieldRRule, "COUNT and UNTIL cannot both be given: end the series either after a number of occurrences or at a date")
	}
	for _, d := range opt.Byweekday {
		if d.N() != 0 && opt.Freq != rrule.MONTHLY && opt.Freq != rrule.YEARLY {
			return validation.Invalid(FieldRRule, "BYDAY=%s with a number needs FREQ=MONTHLY or YEARLY", d)
		}
	}
	if seen["BYWEEKNO"] && opt.Freq != rrule.YEARLY {
		return validation.Invalid(FieldRRule, "BYWEEKNO needs FREQ=YEARLY")
	}
	if seen["BYYEARDAY"] && opt.Freq != rrule.YEARLY {
		return validation.Invalid(FieldRRule, "BYYEARDAY needs FREQ=YEARLY")
	}
	if seen["BYMONTHDAY"] && opt.Freq == rrule.WEEKLY {
		return validation.Invalid(FieldRRule, "BYMONTHDAY cannot be used with FREQ=WEEKLY")
	}
	if seen["UNTIL"] {
		for i, p := range c.parts {
			if p.key != "UNTIL" {
				continue
			}
			u, err := parseUntil(p.value, loc)
			if err != nil {
				return validation.Invalid(FieldRRule, "UNTIL=%s is not a date-time such as 20271231T235959 (in the series' time zone) or 20271231T225959Z (UTC)", p.value)
			}
			c.until = u
			c.parts[i].value = u.Format(floatingLayout)
		}
	}
	opt.Until = time.Time{}
	opt.Dtstart = time.Time{}
	c.opt = *opt
	return nil
}

// parseUntil reads an UNTIL value as a wall-clock time in loc.
func parseUntil(v string, loc *time.Location) (Local, error) {
	switch {
	case len(v) == len("20060102"):
		t, err := time.ParseInLocation("20060102", v, time.UTC)
		if err != nil {
			return Local{}, err
		}
		return Local{t.Add(24*time.Hour - time.Second)}, nil
	case len(v) == len(floatingLayout):
		t, err := time.ParseInLocation(floatingLayout, v, time.UTC)
		return Local{t}, err
	case len(v) == len(floatingLayout)+1 && strings.HasSuffix(v, "Z"):
		t, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			return Local{}, err
		}
		return LocalOf(t.In(loc)), nil
	}
	return Local{}, errors.New("bad UNTIL")
}

// newRRule builds a fresh floating rrule-go rule, with UNTIL at most until
// when until is not zero.
func (c *Compiled) newRRule(until time.Time) *rrule.RRule {
	opt := c.opt
	if !until.IsZero() && (opt.Until.IsZero() || until.Before(opt.Until)) {
		opt.Until = until
	}
	r, err := rrule.NewRRule(opt)
	if err != nil { // validated by Compile
		panic("recurrence: " + err.Error())
	}
	return r
}

// firstOnOrAfter returns the first instance (exdates included) at or after l,
// searching at most horizonYears years past it.
func (c *Compiled) firstOnOrAfter(l Local) (time.Time, bool) {
	t := c.newRRule(l.AddDate(horizonYears, 0, 0)).After(l.Time, true)
	return t, !t.IsZero()
}

// isInstance reports whether l is an instance of the rule, exdates ignored.
func (c *Compiled) isInstance(l Local) bool {
	if l.Before(c.opt.Dtstart) || (!c.until.IsZero() && l.After(c.until.Time)) {
		return false
	}
	t := c.newRRule(l.Time).After(l.Time, true)
	return !t.IsZero() && t.Equal(l.Time)
}

// Rule returns the normalized rule (see Compile).
func (c *Compiled) Rule() Rule {
	r := c.rule
	r.ExDates = slices.Clone(r.ExDates)
	return r
}

// Location returns the series' time zone.
func (c *Compiled) Location() *time.Location { return c.loc }

// Contains reports whether the wall-clock time l is an occurrence of the
// series; exdates are not occurrences.
func (c *Compiled) Contains(l Local) bool {
	l = l.truncate()
	return !c.ex[l] && c.isInstance(l)
}

// occurrence builds the Occurrence starting at wall-clock l.
func (c *Compiled) occurrence(l Local) Occurrence {
	s := Resolve(l, c.loc)
	return Occurrence{Local: l, Start: s, End: s.Add(c.rule.Duration)}
}

// TooManyError is returned by Between when more than Limit occurrences fall
// in the range.
type TooManyError struct {
	Limit    int
	From, To time.Time
}

func (e *TooManyError) Error() string {
	return fmt.Sprintf("the rule gives more than %d occurrences between %s and %s", e.Limit, day(e.From), day(e.To))
}

func day(t time.Time) string {
	if h, m, s := t.Clock(); h == 0 && m == 0 && s == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

// Between returns the occurrences whose Start instant lies in [from, to), in
// order of Start, exdates removed. When more than limit occurrences fall in
// the range it returns a *TooManyError; a limit below 1 means DefaultLimit.
// Rules without end are fine: the expansion stops past to.
func (c *Compiled) Between(from, to time.Time, limit int) ([]Occurrence, error) {
	if limit < 1 {
		limit = DefaultLimit
	}
	if !from.Before(to) {
		return nil, nil
	}
	// Wall-clock bounds wide enough for any UTC offset and DST shift.
	lo := LocalOf(from.In(c.loc)).Add(-48 * time.Hour)
	hi := LocalOf(to.In(c.loc)).Add(48 * time.Hour)
	next := c.newRRule(hi).Iterator()
	var out []Occurrence
	for {
		w, ok := next()
		if !ok {
			break
		}
		if w.Before(lo) {
			continue
		}
		l := Local{w}
		if c.ex[l] {
			continue
		}
		o := c.occurrence(l)
		if o.Start.Before(from) || !o.Start.Before(to) {
			continue
		}
		if len(out) == limit {
			return nil, &TooManyError{Limit: limit, From: from, To: to}
		}
		out = append(out, o)
	}
	// Instants follow wall-clock order except around a gap; sort to be sure.
	slices.SortStableFunc(out, func(a, b Occurrence) int {
		if r := a.Start.Compare(b.Start); r != 0 {
			return r
		}
		return a.Local.Compare(b.Local.Time)
	})
	return out, nil
}

// All returns every occurrence of a series that ends (COUNT or UNTIL), in
// order, exdates removed; for a rule without end it returns nil and false.
func (c *Compiled) All() ([]Occurrence, bool) {
	if c.count == 0 && c.until.IsZero() {
		return nil, false
	}
	var out []Occurrence
	for _, w := range c.newRRule(time.Time{}).All() {
		if l := (Local{w}); !c.ex[l] {
			out = append(out, c.occurrence(l))
		}
	}
	slices.SortStableFunc(out, func(a, b Occurrence) int { return a.Start.Compare(b.Start) })
	return out, true
}

// ICalRRule returns the rule body for an iCalendar feed whose DTSTART has a
// TZID: UNTIL, when present, in UTC ("…Z") as RFC 5545 requires; otherwise
// the (normalized) body unchanged.
func (c *Compiled) ICalRRule() string {
	if c.until.IsZero() {
		return c.rule.RRule
	}
	parts := slices.Clone(c.parts)
	for i, p := range parts {
		if p.key == "UNTIL" {
			parts[i].value = Resolve(c.until, c.loc).UTC().Format("20060102T150405Z")
		}
	}
	return joinParts(parts)
}

// SplitAt splits the series at the occurrence at, for "this and following
// occurrences" edits.
//
// before is the same rule ending the day before at (UNTIL = 23:59:59
// wall-clock of the previous day, COUNT removed), with the exdates before at.
// after starts at at, its COUNT reduced by the number of instances before at
// (when the rule has a COUNT), UNTIL kept, with the exdates from at on.
//
// at must be an occurrence (not an exdate) other than the first; otherwise
// the error is a *validation.Error on "starts_at". Errors of Compile(r) are
// returned as they are.
func SplitAt(r Rule, at Local) (before, after Rule, err error) {
	c, err := Compile(r)
	if err != nil {
		return Rule{}, Rule{}, err
	}
	at = at.truncate()
	if !c.Contains(at) {
		return Rule{}, Rule{}, validation.Invalid(FieldStartsAt, "%s is not an occurrence of the series", at)
	}
	if at.Equal(c.rule.Start.Time) {
		return Rule{}, Rule{}, validation.Invalid(FieldStartsAt, "%s is the first occurrence of the series: there is nothing before it to split off", at)
	}
	y, m, d := at.Date()
	untilBefore := Local{time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(-time.Second)}

	// Instances before at, exdates included: COUNT counts them.
	nBefore := len(c.newRRule(at.Add(-time.Second)).All())

	var bParts, aParts []part
	hasUntil := false
	for _, p := range c.parts {
		switch p.key {
		case "COUNT":
			aParts = append(aParts, part{"COUNT", strconv.Itoa(c.count - nBefore)})
		case "UNTIL":
			hasUntil = true
			bParts = append(bParts, part{"UNTIL", untilBefore.Format(floatingLayout)})
			aParts = append(aParts, p)
		default:
			bParts = append(bParts, p)
			aParts = append(aParts, p)
		}
	}
	if !hasUntil {
		bParts = append(bParts, part{"UNTIL", untilBefore.Format(floatingLayout)})
	}

	before = c.Rule()
	before.RRule = joinParts(bParts)
	before.ExDates = nil
	after = c.Rule()
	after.RRule = joinParts(aParts)
	after.Start = at
	after.ExDates = nil
	for _, e := range c.rule.ExDates {
		if e.Before(at.Time) {
			before.ExDates = append(before.ExDates, e)
		} else {
			after.ExDates = append(after.ExDates, e)
		}
	}
	return before, after, nil
}
