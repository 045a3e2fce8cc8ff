// Package calendar writes iCalendar (RFC 5545) feeds (text/calendar) for a
// meeting, a recurring series or a person's agenda, the kind of feed that
// Google Calendar, Outlook and Apple Calendar subscribe to, and reads them
// back (Expand) so that tests can check what a feed really describes.
//
// Feeds are built with github.com/arran4/golang-ical: content lines are
// folded at 75 octets and TEXT values (SUMMARY, DESCRIPTION, LOCATION, ...)
// are escaped by the library. Date-times in a zone are written as
// DTSTART;TZID=<zone>:<local time> with a VTIMEZONE built from Go's zone
// data, so clients do not depend on knowing the zone themselves.
//
// The package never reads the clock: callers pass it in Calendar.Now.
package calendar

import "time"

// ContentType is the media type of the feeds this package writes.
const ContentType = "text/calendar; charset=utf-8"

// ProductID is the PRODID of every feed.
const ProductID = "-//Rencontre//Rencontre//EN"

// Attendee is one ATTENDEE of an event.
type Attendee struct {
	Name     string
	Email    string // empty: the attendee is left out (no e-mail may be shown to this reader)
	PartStat string // "NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE"
}

// Event is one VEVENT: a single meeting, the master of a recurring series
// (RRule set), or the override of one occurrence of a series (RecurrenceID
// set, same UID as the master).
type Event struct {
	UID          string // stable, e.g. "meeting-25769803786@rencontre"
	Sequence     int    // grows on each change
	Summary      string
	Description  string
	Location     string
	Start, End   time.Time // instants
	TimeZone     string    // IANA; DTSTART/DTEND are written as DTSTART;TZID=<zone>:<local> with a matching VTIMEZONE. Empty or "UTC": written in UTC with Z.
	Status       string    // "CONFIRMED", "TENTATIVE" or "CANCELLED"
	Created      time.Time // may be zero
	LastModified time.Time // may be zero; DTSTAMP = LastModified or Created or a fixed time given by Calendar.Now
	URL          string    // optional
	Attendees    []Attendee

	// A recurring master event: RRULE body (UNTIL already in UTC) and the starts (instants) of occurrences left out (EXDATE;TZID=…).
	RRule   string
	ExDates []time.Time
	// An override of one occurrence of a master with the same UID: the original start (RECURRENCE-ID;TZID=…).
	RecurrenceID *time.Time
}

// Calendar is one feed.
type Calendar struct {
	Name        string    // X-WR-CALNAME
	Description string    // X-WR-CALDESC (optional)
	Now         time.Time // DTSTAMP fallback; callers pass their clock (no time.Now() in this package)
	Events      []Event
	// Until bounds the VTIMEZONE transitions written for recurring masters (e.g. the series horizon); zero: the latest event end + 1 year.
	Until time.Time
}

// Instance is one occurrence described by a feed.
type Instance struct {
	UID        string
	Start, End time.Time // instants (UTC)
	Status     string
	Summary    string
	Sequence   int
}

const (
	formatLocal = "20060102T150405"
	formatUTC   = "20060102T150405Z"
	formatDate  = "20060102"
)
