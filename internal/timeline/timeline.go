// Package timeline reads one person's history with the organization, newest
// first: invitations, answers, places given from the waiting list,
// check-ins, encounters, feedback, follow-up actions (owned or concerning the
// person) and touchpoints, each placed before, during or after its meeting.
//
// Each kind of entry is read by its own statement, at most first+1 rows past
// the cursor in the timeline's order, and the pages are merged here: a page
// costs a bounded number of statements whatever the length of the history.
// The statements go through the caller's ent client, so the privacy
// policies apply: a viewer that may not see VIP guest lists sees none of the
// participations, encounters and feedback of VIP meetings, and a viewer that
// may not read contact history gets no touchpoints (they are left out rather
// than refused).
package timeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/feedback"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/ent/touchpoint"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
	"github.com/rencontre/rencontre/internal/zone"
)

// Page sizes, the same as every connection of the API.
const (
	DefaultFirst = 20
	MaxFirst     = 100
)

// Kind is what happened.
type Kind string

// The kinds of entries, in the order of a meeting's life. At the same instant
// the later step comes first in the timeline (newest first): an answer above
// the invitation it answers.
const (
	Invited         Kind = "INVITED"
	Answered        Kind = "ANSWERED"
	Promoted        Kind = "PROMOTED"
	Touchpoint      Kind = "TOUCHPOINT"
	CheckedIn       Kind = "CHECKED_IN"
	Encounter       Kind = "ENCOUNTER"
	Feedback        Kind = "FEEDBACK"
	FollowUpCreated Kind = "FOLLOW_UP_CREATED"
	FollowUpDone    Kind = "FOLLOW_UP_DONE"
)

// Kinds are every kind, in the order of a meeting's life.
var Kinds = []Kind{Invited, Answered, Promoted, Touchpoint, CheckedIn, Encounter, Feedback, FollowUpCreated, FollowUpDone}

// rank orders kinds at the same instant: the higher comes first.
func (k Kind) rank() int { return slices.Index(Kinds, k) }

// Phase is when an entry happened relative to its meeting.
type Phase string

// Phases of an entry.
const (
	Before Phase = "BEFORE"
	During Phase = "DURING"
	After  Phase = "AFTER"
)

// PhaseAt is the phase of an event at t for a meeting from start to end:
// before the start, from the start until the end, or from the end on.
func PhaseAt(t, start, end time.Time) Phase {
	switch {
	case t.Before(start):
		return Before
	case t.Before(end):
		return During
	}
	return After
}

// Entry is one event of a person's timeline. Exactly one of the record
// fields is set, the one of its Kind.
type Entry struct {
	// At is when it happened, in the meeting's time zone when there is a
	// meeting (UTC otherwise).
	At   time.Time
	Kind Kind
	// Phase is nil when the entry has no meeting.
	Phase *Phase
	// Meeting is nil for touchpoints about no meeting.
	Meeting *ent.Meeting
	// Cursor is the entry's place in the timeline, for the next page.
	Cursor ent.Cursor

	// Participation of INVITED, ANSWERED, PROMOTED and CHECKED_IN.
	Participation *ent.Participation
	// Encounter of ENCOUNTER, and the person met (Other).
	Encounter *ent.Encounter
	Other     *ent.Person
	// Feedback of FEEDBACK.
	Feedback *ent.Feedback
	// FollowUp of FOLLOW_UP_CREATED and FOLLOW_UP_DONE; Owner says whether
	// the person owns it (else it concerns them).
	FollowUp *ent.FollowUp
	Owner    bool
	// Touchpoint of TOUCHPOINT.
	Touchpoint *ent.Touchpoint

	at        time.Time // as stored, for the order and the cursor
	id        int       // of the record
	meetingID *int
}

// Options of one page.
type Options struct {
	// First is the page size, 1 to MaxFirst; nil means DefaultFirst.
	First *int
	// After is the cursor of the last entry of the previous page.
	After *ent.Cursor
	// Count asks for TotalCount (one COUNT statement per kind).
	Count bool
}

// Page is a page of a timeline.
type Page struct {
	Entries     []Entry
	HasNextPage bool
	// TotalCount is the number of entries of the whole timeline, when
	// Options.Count.
	TotalCount int
}

// position is a place in the timeline's order: time descending, then kind
// (later step first), then record ID descending.
type position struct {
	at   time.Time
	kind Kind
	id   int
}

// before reports whether a comes before b in the timeline.
func (a position) before(b position) bool {
	if !a.at.Equal(b.at) {
		return a.at.After(b.at)
	}
	if a.kind != b.kind {
		return a.kind.rank() > b.kind.rank()
	}
	return a.id > b.id
}

// cursorOf writes the cursor of an entry.
func cursorOf(p position) ent.Cursor {
	return ent.Cursor{ID: p.id, Value: []any{p.at.UTC(), string(p.kind)}}
}

// positionOf reads a cursor written by cursorOf.
func positionOf(c *ent.Cursor) (*position, error) {
	if c == nil {
		return nil, nil
	}
	bad := validation.Invalid("after", "after: not a cursor of a timeline: pass an edge's cursor or pageInfo.endCursor of a previous timeline page")
	v, ok := c.Value.([]any)
	if !ok || len(v) != 2 || c.ID < 1 {
		return nil, bad
	}
	at, okAt := v[0].(time.Time)
	kind, okKind := v[1].(string)
	if !okAt || !okKind || !slices.Contains(Kinds, Kind(kind)) {
		return nil, bad
	}
	return &position{at: at.UTC(), kind: Kind(kind), id: c.ID}, nil
}

// afterCursor is the predicate of the rows of kind k past the cursor p, on
// the time column at (and the ID): a kind that comes after the cursor's at
// the same instant keeps that instant, the cursor's own kind keeps it for the
// lower IDs, a kind that comes before it does not.
func afterCursor(p *position, k Kind, at string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		if p == nil {
			return
		}
		col, id := s.C(at), s.C("id")
		switch r := k.rank(); {
		case r < p.kind.rank():
			s.Where(sql.LTE(col, p.at))
		case r > p.kind.rank():
			s.Where(sql.LT(col, p.at))
		default:
			s.Where(sql.Or(sql.LT(col, p.at), sql.And(sql.EQ(col, p.at), sql.LT(id, p.id))))
		}
	}
}

// source reads the entries of one kind.
type source struct {
	kind Kind
	// read returns at most limit entries past the cursor, in order.
	read func(ctx context.Context, c *ent.Client, personID int, after *position, limit int) ([]Entry, error)
	// count counts all entries.
	count func(ctx context.Context, c *ent.Client, personID int) (int, error)
}

func participationSource(kind Kind, column string, where ...func(*sql.Selector)) source {
	query := func(c *ent.Client, personID int) *ent.ParticipationQuery {
		q := c.Participation.Query().Where(participation.PersonID(personID))
		for _, w := range where {
			q.Where(w)
		}
		return q
	}
	return source{
		kind: kind,
		read: func(ctx context.Context, c *ent.Client, personID int, after *position, limit int) ([]Entry, error) {
			rows, err := query(c, personID).Where(afterCursor(after, kind, column)).
				Order(ent.Desc(column), ent.Desc(participation.FieldID)).Limit(limit).All(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]Entry, len(rows))
			for i, p := range rows {
				var at time.Time
				switch column {
				case participation.FieldInvitedAt:
					at = p.InvitedAt
				case participation.FieldRespondedAt:
					at = *p.RespondedAt
				case participation.FieldAcceptedAt:
					at = *p.AcceptedAt
				case participation.FieldCheckedInAt:
					at = *p.CheckedInAt
				}
				out[i] = Entry{Kind: kind, Participation: p, at: at, id: p.ID, meetingID: &p.MeetingID}
			}
			return out, nil
		},
		count: func(ctx context.Context, c *ent.Client, personID int) (int, error) {
			return query(c, personID).Count(ctx)
		},
	}
}

func followUpSource(kind Kind, column string) source {
	query := func(c *ent.Client, personID int) *ent.FollowUpQuery {
		q := c.FollowUp.Query().Where(followup.Or(followup.OwnerID(personID), followup.HasConcernsWith(person.ID(personID))))
		if kind == FollowUpDone {
			q.Where(followup.StatusEQ(followup.StatusDone), followup.DoneAtNotNil())
		}
		return q
	}
	return source{
		kind: kind,
		read: func(ctx context.Context, c *ent.Client, personID int, after *position, limit int) ([]Entry, error) {
			rows, err := query(c, personID).Where(afterCursor(after, kind, column)).
				Order(ent.Desc(column), ent.Desc(followup.FieldID)).Limit(limit).All(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]Entry, len(rows))
			for i, f := range rows {
				at := f.CreatedAt
				if kind == FollowUpDone {
					at = *f.DoneAt
				}
				out[i] = Entry{Kind: kind, FollowUp: f, Owner: f.OwnerID == personID, at: at, id: f.ID, meetingID: &f.MeetingID}
			}
			return out, nil
		},
		count: func(ctx context.Context, c *ent.Client, personID int) (int, error) {
			return query(c, personID).Count(ctx)
		},
	}
}

var sources = []source{
	participationSource(Invited, participation.FieldInvitedAt),
	participationSource(Answered, participation.FieldRespondedAt, participation.RespondedAtNotNil()),
	// A place given later than the answer: from the waiting list.
	participationSource(Promoted, participation.FieldAcceptedAt, participation.AcceptedAtNotNil(), participation.RespondedAtNotNil(),
		func(s *sql.Selector) {
			s.Where(sql.ColumnsGT(s.C(participation.FieldAcceptedAt), s.C(participation.FieldRespondedAt)))
		}),
	participationSource(CheckedIn, participation.FieldCheckedInAt, participation.CheckedInAtNotNil()),
	{
		kind: Encounter,
		read: func(ctx context.Context, c *ent.Client, personID int, after *position, limit int) ([]Entry, error) {
			rows, err := encounters(c, personID).Where(afterCursor(after, Encounter, encounter.FieldOccurredAt)).
				Order(ent.Desc(encounter.FieldOccurredAt), ent.Desc(encounter.FieldID)).Limit(limit).All(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]Entry, len(rows))
			for i, e := range rows {
				out[i] = Entry{Kind: Encounter, Encounter: e, at: e.OccurredAt, id: e.ID, meetingID: &e.MeetingID}
			}
			return out, nil
		},
		count: func(ctx context.Context, c *ent.Client, personID int) (int, error) {
			return encounters(c, personID).Count(ctx)
		},
	},
	{
		kind: Feedback,
		read: func(ctx context.Context, c *ent.Client, personID int, after *position, limit int) ([]Entry, error) {
			rows, err := c.Feedback.Query().Where(feedback.PersonID(personID), afterCursor(after, Feedback, feedback.FieldCreatedAt)).
				Order(ent.Desc(feedback.FieldCreatedAt), ent.Desc(feedback.FieldID)).Limit(limit).All(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]Entry, len(rows))
			for i, f := range rows {
				out[i] = Entry{Kind: Feedback, Feedback: f, at: f.CreatedAt, id: f.ID, meetingID: &f.MeetingID}
			}
			return out, nil
		},
		count: func(ctx context.Context, c *ent.Client, personID int) (int, error) {
			return c.Feedback.Query().Where(feedback.PersonID(personID)).Count(ctx)
		},
	},
	followUpSource(FollowUpCreated, followup.FieldCreatedAt),
	followUpSource(FollowUpDone, followup.FieldDoneAt),
	{
		kind: Touchpoint,
		read: func(ctx context.Context, c *ent.Client, personID int, after *position, limit int) ([]Entry, error) {
			rows, err := c.Touchpoint.Query().Where(touchpoint.PersonID(personID), afterCursor(after, Touchpoint, touchpoint.FieldOccurredAt)).
				Order(ent.Desc(touchpoint.FieldOccurredAt), ent.Desc(touchpoint.FieldID)).Limit(limit).All(ctx)
			if err != nil {
				return nil, err
			}
			out := make([]Entry, len(rows))
			for i, t := range rows {
				out[i] = Entry{Kind: Touchpoint, Touchpoint: t, at: t.OccurredAt, id: t.ID, meetingID: t.MeetingID}
			}
			return out, nil
		},
		count: func(ctx context.Context, c *ent.Client, personID int) (int, error) {
			return c.Touchpoint.Query().Where(touchpoint.PersonID(personID)).Count(ctx)
		},
	},
}

func encounters(c *ent.Client, personID int) *ent.EncounterQuery {
	return c.Encounter.Query().Where(encounter.Or(encounter.PersonAID(personID), encounter.PersonBID(personID)))
}

// readsTouchpoints reports whether the viewer of ctx may read touchpoints
// (the system context may; a VIEWER token may not, and gets none).
func readsTouchpoints(ctx context.Context) bool {
	if v := viewer.FromContext(ctx); v != nil {
		return v.SeesContactDetails()
	}
	d, ok := privacy.DecisionFromContext(ctx)
	return ok && errors.Is(d, privacy.Allow)
}

// Read returns one page of the timeline of person personID, newest first,
// through c (the privacy policies of ctx's viewer apply). It runs one
// statement per kind of entry (LIMIT first+1, past the cursor), one for the
// meetings of the page and one for the people met in its encounters; with
// opts.Count, one COUNT per kind more.
func Read(ctx context.Context, c *ent.Client, personID int, opts Options) (*Page, error) {
	first := DefaultFirst
	if opts.First != nil {
		first = *opts.First
	}
	if first < 1 || first > MaxFirst {
		return nil, validation.Invalid("first", "first: must be between 1 and %d, got %d", MaxFirst, first)
	}
	after, err := positionOf(opts.After)
	if err != nil {
		return nil, err
	}
	touchpoints := readsTouchpoints(ctx)
	var (
		entries []Entry
		page    Page
	)
	for _, s := range sources {
		if s.kind == Touchpoint && !touchpoints {
			continue
		}
		got, err := s.read(ctx, c, personID, after, first+1)
		if err != nil {
			return nil, fmt.Errorf("timeline: reading %s entries: %w", s.kind, err)
		}
		entries = append(entries, got...)
		if opts.Count {
			n, err := s.count(ctx, c, personID)
			if err != nil {
				return nil, fmt.Errorf("timeline: counting %s entries: %w", s.kind, err)
			}
			page.TotalCount += n
		}
	}
	slices.SortFunc(entries, func(a, b Entry) int {
		pa, pb := position{a.at, a.Kind, a.id}, position{b.at, b.Kind, b.id}
		switch {
		case pa.before(pb):
			return -1
		case pb.before(pa):
			return 1
		}
		return 0
	})
	if len(entries) > first {
		entries, page.HasNextPage = entries[:first], true
	}
	if err := complete(ctx, c, personID, entries); err != nil {
		return nil, err
	}
	page.Entries = entries
	return &page, nil
}

// complete loads the meetings of entries and the people met, and sets their
// times, phases and cursors.
func complete(ctx context.Context, c *ent.Client, personID int, entries []Entry) error {
	var meetingIDs, otherIDs []int
	for _, e := range entries {
		if e.meetingID != nil {
			meetingIDs = append(meetingIDs, *e.meetingID)
		}
		if e.Encounter != nil {
			otherIDs = append(otherIDs, other(e.Encounter, personID))
		}
	}
	meetings := map[int]*ent.Meeting{}
	if len(meetingIDs) > 0 {
		ms, err := c.Meeting.Query().Where(meeting.IDIn(unique(meetingIDs)...)).All(ctx)
		if err != nil {
			return fmt.Errorf("timeline: loading meetings: %w", err)
		}
		for _, m := range ms {
			meetings[m.ID] = m
		}
	}
	people := map[int]*ent.Person{}
	if len(otherIDs) > 0 {
		ps, err := c.Person.Query().Where(person.IDIn(unique(otherIDs)...)).All(ctx)
		if err != nil {
			return fmt.Errorf("timeline: loading the people met: %w", err)
		}
		for _, p := range ps {
			people[p.ID] = p
		}
	}
	for i := range entries {
		e := &entries[i]
		e.Cursor = cursorOf(position{e.at, e.Kind, e.id})
		e.At = e.at.UTC()
		if e.Encounter != nil {
			e.Other = people[other(e.Encounter, personID)]
		}
		if e.meetingID == nil {
			continue
		}
		m := meetings[*e.meetingID]
		if m == nil {
			continue // hidden from the viewer: the entry stays, without its meeting
		}
		e.Meeting = m
		e.At = e.at.In(zone.Of(m.TimeZone))
		phase := PhaseAt(e.at, m.StartsAt, m.EndsAt)
		if e.Touchpoint != nil && e.Touchpoint.Phase != nil {
			phase = Phase(*e.Touchpoint.Phase) // recorded with the contact
		}
		e.Phase = &phase
	}
	return nil
}

// other is the person of an encounter who is not personID.
func other(e *ent.Encounter, personID int) int {
	if e.PersonAID == personID {
		return e.PersonBID
	}
	return e.PersonAID
}

func unique(ids []int) []int {
	slices.Sort(ids)
	return slices.Compact(ids)
}
