package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/zone"
)

// Columns of a file of past attendance (ParseAttendance).
const (
	// ColumnMeetingID is the meeting's ID; or else ColumnMeeting and
	// ColumnStartsAt name it.
	ColumnMeetingID = "meeting_id"
	// ColumnMeeting is the meeting's title, matched regardless of case.
	ColumnMeeting = "meeting"
	// ColumnStartsAt is the meeting's start, RFC 3339 with an offset.
	ColumnStartsAt = "starts_at"
	// ColumnStatus is INVITED, ACCEPTED, TENTATIVE, DECLINED or CANCELLED.
	ColumnStatus = "status"
	// ColumnCheckedInAt is when the person arrived, RFC 3339.
	ColumnCheckedInAt = "checked_in_at"
	// ColumnRole is HOST, SPEAKER, GUEST, VIP or WALK_IN.
	ColumnRole = "role"
	// ColumnInvitedAt is when the person was invited, RFC 3339.
	ColumnInvitedAt = "invited_at"
	// ColumnRespondedAt is when the person answered, RFC 3339.
	ColumnRespondedAt = "responded_at"
)

// AttendanceColumns are the columns of a file of past attendance.
var AttendanceColumns = []string{ColumnMeetingID, ColumnMeeting, ColumnStartsAt, ColumnEmail, ColumnStatus, ColumnCheckedInAt, ColumnRole, ColumnInvitedAt, ColumnRespondedAt}

// importedStatuses are the statuses a file may give: WAITLISTED is not one
// (a waiting list belongs to a meeting to come).
var importedStatuses = []participation.Status{
	participation.StatusInvited, participation.StatusAccepted, participation.StatusTentative,
	participation.StatusDeclined, participation.StatusCancelled,
}

// AttendanceRow is one valid row of a file of past attendance. Optional
// fields are nil when the file has no such column (an existing
// participation's field is then left as it is).
type AttendanceRow struct {
	// Row is the line of the file where the row starts; the header is 1.
	Row int
	// MeetingID names the meeting, or else Meeting (a title) and StartsAt.
	MeetingID int
	Meeting   string
	StartsAt  time.Time
	Email     string // normalized: trimmed and lower-cased
	// Status is ACCEPTED for an empty cell.
	Status *participation.Status
	// CheckedInAt is nil for an empty cell or no column: an import never
	// undoes a check-in (participationUndoCheckIn does, with its rules).
	CheckedInAt *time.Time
	// Role is GUEST for an empty cell.
	Role *participation.Role
	// InvitedAt and RespondedAt are nil for an empty cell or no column.
	InvitedAt, RespondedAt *time.Time
}

// ParseAttendance reads and checks a file of past attendance. Like
// ParseAll, it returns the valid rows of an invalid file too (for
// AttendanceErrors); nothing is to be imported from an invalid file. The
// checks that need the meetings and people (ImportAttendance) come after.
func ParseAttendance(r io.Reader) ([]AttendanceRow, Errors) {
	var rows []AttendanceRow
	meetingNamed := func(index map[string]int, errs *errorList) {
		_, byID := index[ColumnMeetingID]
		_, byTitle := index[ColumnMeeting]
		_, byStart := index[ColumnStartsAt]
		if !byID && !(byTitle && byStart) {
			errs.add(1, ColumnMeetingID, "the header names no meeting: give a meeting_id column, or meeting (the title) and starts_at")
		}
	}
	errs := readTable(r, AttendanceColumns, []string{ColumnEmail}, meetingNamed, func(rec *record) {
		row := AttendanceRow{Row: rec.line}
		id, _ := rec.cell(ColumnMeetingID)
		title, _ := rec.cell(ColumnMeeting)
		start, _ := rec.cell(ColumnStartsAt)
		switch {
		case id != "":
			n, err := strconv.Atoi(id)
			if err != nil || n < 1 {
				rec.fail(ColumnMeetingID, "%q is not a meeting ID (a positive integer, as the API gives it)", truncate(id, 40))
			}
			row.MeetingID = n
		case title == "" && start == "" && rec.has(ColumnMeeting):
			rec.fail(ColumnMeeting, "is required (or give the meeting_id)")
		case title == "" && start == "":
			rec.fail(ColumnMeetingID, "is required")
		case title == "":
			rec.fail(ColumnMeeting, "is required with starts_at")
		case start == "":
			rec.fail(ColumnStartsAt, "is required with meeting")
		default:
			row.Meeting = title
			if t, ok := parseTime(rec, ColumnStartsAt, start); ok {
				row.StartsAt = t
			}
		}
		if email, ok := rec.cell(ColumnEmail); ok {
			row.Email = normalizedEmail(rec, email)
		}
		if v, ok := rec.cell(ColumnStatus); ok {
			s := participation.StatusAccepted
			if v != "" {
				s = participation.Status(strings.ToUpper(v))
				if !slices.Contains(importedStatuses, s) {
					rec.fail(ColumnStatus, "%q is not INVITED, ACCEPTED, TENTATIVE, DECLINED or CANCELLED", truncate(v, 40))
				}
			}
			row.Status = &s
		}
		if v, ok := rec.cell(ColumnRole); ok {
			r := participation.RoleGuest
			if v != "" {
				r = participation.Role(strings.ToUpper(v))
				if participation.RoleValidator(r) != nil {
					rec.fail(ColumnRole, "%q is not HOST, SPEAKER, GUEST, VIP or WALK_IN", truncate(v, 40))
				}
			}
			row.Role = &r
		}
		for _, t := range []struct {
			column string
			into   **time.Time
		}{{ColumnCheckedInAt, &row.CheckedInAt}, {ColumnInvitedAt, &row.InvitedAt}, {ColumnRespondedAt, &row.RespondedAt}} {
			if v, ok := rec.cell(t.column); ok && v != "" {
				if at, ok := parseTime(rec, t.column, v); ok {
					*t.into = &at
				}
			}
		}
		if row.CheckedInAt != nil && row.Status != nil && *row.Status != participation.StatusAccepted {
			rec.fail(ColumnStatus, "is %s, but the person checked in (checked_in_at): a person checked in is ACCEPTED", *row.Status)
		}
		if row.InvitedAt != nil && row.RespondedAt != nil && row.RespondedAt.Before(*row.InvitedAt) {
			rec.fail(ColumnRespondedAt, "is before invited_at")
		}
		if !rec.failed {
			rows = append(rows, row)
		}
	})
	return rows, errs
}

func normalizedEmail(rec *record, email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		rec.fail(ColumnEmail, "is required")
	} else if err := validation.Email(email); err != nil {
		rec.fail(ColumnEmail, "%v", err)
	}
	return email
}

func parseTime(rec *record, column, v string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		rec.fail(column, "%q is not an RFC 3339 date-time with an offset, such as 2026-01-09T18:10:00+01:00", truncate(v, 40))
		return time.Time{}, false
	}
	return t, true
}

// AttendanceOptions are the options of ImportAttendance.
type AttendanceOptions struct {
	// DryRun checks and counts everything and writes nothing.
	DryRun bool
	// Now is the current time (the wall clock when zero): only meetings
	// that have started are imported, and no time may be later.
	Now time.Time
}

// AttendanceResult counts what ImportAttendance did (or, dry, would do).
type AttendanceResult struct {
	// Created participations.
	Created int
	// Updated participations: a field changed.
	Updated int
	// Unchanged rows: the participation was already as the file says.
	Unchanged int
	// CheckedIn rows: the participation has a check-in.
	CheckedIn int
}

// ImportAttendance records the past attendance of rows (from
// ParseAttendance) in organization org, with c bound to the caller's
// transaction (one transaction: nothing is written when it returns an
// error, if the caller rolls back). Every row is checked against its meeting
// and person first (see planAttendance); a row with a problem makes the whole
// file fail with Errors, before anything is written.
//
// The participations are written by recordPastAttendance, the importer's own
// path around the live rules; the viewer of ctx must be allowed to write
// (CheckWrite), and the meetings and people are those the viewer reads in
// org. Statements: one query per BatchSize meeting IDs (and per BatchSize
// start times), one per BatchSize emails, one per BatchSize people for the
// existing participations, then one upsert per BatchSize changed rows.
func ImportAttendance(ctx context.Context, c *ent.Client, org int, rows []AttendanceRow, opts AttendanceOptions) (res AttendanceResult, err error) {
	if err := policy.CheckWrite(ctx); err != nil {
		return AttendanceResult{}, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	plan, err := planAttendance(ctx, c, org, rows, opts.Now)
	if err != nil {
		return AttendanceResult{}, err
	}
	if plan.errs != nil {
		return AttendanceResult{}, plan.errs
	}
	if opts.DryRun {
		release, err := savepoint(ctx, c, "attendance_import")
		if err != nil {
			return AttendanceResult{}, err
		}
		defer func() { err = release(err) }()
	}
	var writes []pastParticipation
	for _, p := range plan.rows {
		switch {
		case p.existing == nil:
			res.Created++
			writes = append(writes, p.final)
		case p.final.differs(p.existing):
			res.Updated++
			writes = append(writes, p.final)
		default:
			res.Unchanged++
		}
		if p.final.checkedInAt != nil {
			res.CheckedIn++
		}
	}
	if err := recordPastAttendance(ctx, c, plan.dialect, org, writes, opts.Now); err != nil {
		return AttendanceResult{}, err
	}
	return res, nil
}

// AttendanceErrors adds to the errors of ParseAttendance those that need the
// database, so that every error of an invalid file is told at once, in row
// order. It writes nothing.
func AttendanceErrors(ctx context.Context, c *ent.Client, org int, rows []AttendanceRow, now time.Time, parsed Errors) (Errors, error) {
	if now.IsZero() {
		now = time.Now()
	}
	plan, err := planAttendance(ctx, c, org, rows, now)
	if err != nil {
		return parsed, err
	}
	return merged(parsed, plan.errs), nil
}

// pastParticipation is the state of a participation after the import.
type pastParticipation struct {
	meetingID, personID                  int
	role                                 participation.Role
	status                               participation.Status
	invitedAt                            time.Time
	respondedAt, acceptedAt, checkedInAt *time.Time
}

// differs reports whether the state changes the stored participation p.
func (s pastParticipation) differs(p *ent.Participation) bool {
	same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	return s.role != p.Role || s.status != p.Status || !same(s.respondedAt, p.RespondedAt) ||
		!same(s.acceptedAt, p.AcceptedAt) || !same(s.checkedInAt, p.CheckedInAt)
}

type plannedRow struct {
	existing *ent.Participation
	final    pastParticipation
}

type attendancePlan struct {
	rows    []plannedRow
	errs    Errors
	dialect string
}

// planAttendance resolves the meetings and people of rows and the
// participations they have, and computes each row's participation after the
// import, reporting every row that:
//   - names a meeting the organization does not have (or, by title and
//     start, more than one), or one that has not started by now;
//   - names an email no person of the organization has;
//   - repeats the meeting and person of an earlier row;
//   - checks in outside the days of the meeting (from the start of its first
//     day to the end of its last, in its time zone), in the future, or at a
//     cancelled meeting;
//   - leaves a person checked in with another status than ACCEPTED (a check-in
//     already recorded stays), or changes a participation on the waiting list;
//   - gives an invitation or an answer in the future.
func planAttendance(ctx context.Context, c *ent.Client, org int, rows []AttendanceRow, now time.Time) (*attendancePlan, error) {
	plan := &attendancePlan{}
	meetings, err := attendanceMeetings(ctx, c, org, rows, &plan.dialect)
	if err != nil {
		return nil, err
	}
	emails := make([]string, len(rows))
	for i, r := range rows {
		emails[i] = r.Email
	}
	people, err := peopleByEmail(ctx, c, org, emails, false)
	if err != nil {
		return nil, err
	}
	var personIDs []int
	for _, p := range people {
		personIDs = append(personIDs, p.ID)
	}
	existing, err := existingParticipations(ctx, c, personIDs)
	if err != nil {
		return nil, err
	}

	var errs errorList
	seen := map[[2]int]int{} // meeting, person: first row
	for _, r := range rows {
		m, meetingColumn, ok := meetings.find(r, &errs)
		p := people[r.Email]
		if p == nil {
			errs.add(r.Row, ColumnEmail, "no person with the email %s in the organization: import the people first", r.Email)
			ok = false
		}
		if m != nil && !m.StartsAt.Before(now) {
			errs.add(r.Row, meetingColumn, "meeting %d starts at %s, which is not past: only the attendance of meetings that have started is imported (invite with meetingInvite)", m.ID, m.StartsAt.Format(time.RFC3339))
			ok = false
		}
		if !ok {
			continue
		}
		key := [2]int{m.ID, p.ID}
		if first, dup := seen[key]; dup {
			errs.add(r.Row, ColumnEmail, "%s at meeting %d is already on row %d: each participation appears once", r.Email, m.ID, first)
			continue
		}
		seen[key] = r.Row
		old := existing[key]
		final, ok := pastState(r, m, p.ID, old, now, &errs)
		if ok {
			plan.rows = append(plan.rows, plannedRow{existing: old, final: final})
		}
	}
	if len(errs.errs) > 0 {
		plan.errs = errs.result()
	}
	return plan, nil
}

// pastState is the participation of row r at meeting m after the import,
// from the stored one (old, nil when there is none), or false when a rule
// is broken (reported in errs).
func pastState(r AttendanceRow, m *ent.Meeting, personID int, old *ent.Participation, now time.Time, errs *errorList) (pastParticipation, bool) {
	ok := true
	fail := func(column, format string, args ...any) {
		errs.add(r.Row, column, format, args...)
		ok = false
	}
	for _, t := range []struct {
		column string
		at     *time.Time
	}{{ColumnCheckedInAt, r.CheckedInAt}, {ColumnInvitedAt, r.InvitedAt}, {ColumnRespondedAt, r.RespondedAt}} {
		if t.at != nil && t.at.After(now) {
			fail(t.column, "%s is in the future", t.at.Format(time.RFC3339))
		}
	}
	if at := r.CheckedInAt; at != nil {
		from, to := meetingDays(m)
		switch {
		case m.Status == meeting.StatusCancelled:
			fail(ColumnCheckedInAt, "meeting %d is cancelled: nobody checked in", m.ID)
		case at.Before(from) || !at.Before(to):
			fail(ColumnCheckedInAt, "%s is outside the days of meeting %d (%s to %s, %s)", at.Format(time.RFC3339), m.ID,
				from.Format(time.RFC3339), to.Format(time.RFC3339), m.TimeZone)
		}
	}

	s := pastParticipation{meetingID: m.ID, personID: personID, status: participation.StatusAccepted, role: participation.RoleGuest}
	if old != nil {
		if old.Status == participation.StatusWaitlisted {
			fail(ColumnStatus, "the person is on the waiting list of meeting %d: answer with participationRespond", m.ID)
		}
		s.role, s.status, s.invitedAt = old.Role, old.Status, old.InvitedAt
		s.respondedAt, s.acceptedAt, s.checkedInAt = old.RespondedAt, old.AcceptedAt, old.CheckedInAt
	} else {
		// Invited before the start (or the arrival) unless the file says.
		s.invitedAt = m.StartsAt
		if r.CheckedInAt != nil && r.CheckedInAt.Before(s.invitedAt) {
			s.invitedAt = *r.CheckedInAt
		}
		if r.InvitedAt != nil {
			s.invitedAt = *r.InvitedAt
		}
	}
	if r.Role != nil {
		s.role = *r.Role
	}
	if r.Status != nil {
		s.status = *r.Status
	}
	if r.CheckedInAt != nil {
		s.checkedInAt = r.CheckedInAt
	}
	if r.RespondedAt != nil {
		s.respondedAt = r.RespondedAt
	}
	answered := s.status == participation.StatusAccepted || s.status == participation.StatusTentative || s.status == participation.StatusDeclined
	if answered && s.respondedAt == nil {
		at := s.invitedAt
		s.respondedAt = &at
	}
	switch {
	case s.status != participation.StatusAccepted:
		s.acceptedAt = nil
	case s.acceptedAt == nil:
		s.acceptedAt = s.respondedAt
	}
	if s.checkedInAt != nil && s.status != participation.StatusAccepted {
		column := ColumnStatus
		if r.Status == nil {
			column = ColumnCheckedInAt
		}
		fail(column, "the person checked in at meeting %d, so the status must be ACCEPTED, not %s (undo the check-in first with participationUndoCheckIn)", m.ID, s.status)
	}
	if s.respondedAt != nil && s.respondedAt.Before(s.invitedAt) {
		fail(ColumnRespondedAt, "%s is before the invitation (%s)", s.respondedAt.Format(time.RFC3339), s.invitedAt.Format(time.RFC3339))
	}
	return s, ok
}

// meetingDays is the range of the days of meeting m in its time zone: from
// midnight of its first day to midnight after its last.
func meetingDays(m *ent.Meeting) (from, to time.Time) {
	loc := zone.Of(m.TimeZone)
	s, e := m.StartsAt.In(loc), m.EndsAt.In(loc)
	from = time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
	to = time.Date(e.Year(), e.Month(), e.Day()+1, 0, 0, 0, 0, loc)
	return from, to
}

// meetingIndex finds the meetings rows name.
type meetingIndex struct {
	byID    map[int]*ent.Meeting
	byStart map[int64][]*ent.Meeting // UnixNano of the start
}

// find returns the meeting of row r and the column that names it, or
// reports why it cannot.
func (x meetingIndex) find(r AttendanceRow, errs *errorList) (*ent.Meeting, string, bool) {
	if r.MeetingID != 0 {
		if m := x.byID[r.MeetingID]; m != nil {
			return m, ColumnMeetingID, true
		}
		errs.add(r.Row, ColumnMeetingID, "no meeting with ID %d in the organization", r.MeetingID)
		return nil, ColumnMeetingID, false
	}
	var found []*ent.Meeting
	for _, m := range x.byStart[r.StartsAt.UnixNano()] {
		if strings.EqualFold(m.Title, r.Meeting) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 1:
		return found[0], ColumnMeeting, true
	case 0:
		errs.add(r.Row, ColumnMeeting, "no meeting titled %q starts at %s in the organization", truncate(r.Meeting, 40), r.StartsAt.Format(time.RFC3339))
	default:
		errs.add(r.Row, ColumnMeeting, "%d meetings titled %q start at %s: name it by meeting_id", len(found), truncate(r.Meeting, 40), r.StartsAt.Format(time.RFC3339))
	}
	return nil, ColumnMeeting, false
}

// attendanceMeetings loads the meetings rows name, by ID and by start, and
// records the SQL dialect of c in dialect (for recordPastAttendance).
func attendanceMeetings(ctx context.Context, c *ent.Client, org int, rows []AttendanceRow, dialect *string) (meetingIndex, error) {
	x := meetingIndex{byID: map[int]*ent.Meeting{}, byStart: map[int64][]*ent.Meeting{}}
	var ids []int
	var starts []time.Time
	for _, r := range rows {
		if r.MeetingID != 0 {
			ids = append(ids, r.MeetingID)
		} else {
			starts = append(starts, r.StartsAt.UTC())
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	starts = slices.CompactFunc(starts, time.Time.Equal)
	probe := func(s *sql.Selector) { *dialect = s.Dialect() }
	load := func(preds ...func(*sql.Selector)) error {
		q := c.Meeting.Query().Where(meeting.OrganizationID(org), probe)
		for _, p := range preds {
			q.Where(p)
		}
		ms, err := q.All(ctx)
		if err != nil {
			return fmt.Errorf("loading meetings: %w", err)
		}
		for _, m := range ms {
			x.byID[m.ID] = m
			k := m.StartsAt.UnixNano()
			if !slices.ContainsFunc(x.byStart[k], func(o *ent.Meeting) bool { return o.ID == m.ID }) {
				x.byStart[k] = append(x.byStart[k], m)
			}
		}
		return nil
	}
	for batch := range slices.Chunk(ids, BatchSize) {
		if err := load(meeting.IDIn(batch...)); err != nil {
			return x, err
		}
	}
	for batch := range slices.Chunk(starts, BatchSize) {
		if err := load(meeting.StartsAtIn(batch...)); err != nil {
			return x, err
		}
	}
	if *dialect == "" && len(rows) > 0 {
		// No meeting to look up: one empty query for the dialect.
		if err := load(func(s *sql.Selector) { s.Where(sql.False()) }); err != nil {
			return x, err
		}
	}
	return x, nil
}

// existingParticipations loads the participations of people, by meeting and
// person.
func existingParticipations(ctx context.Context, c *ent.Client, personIDs []int) (map[[2]int]*ent.Participation, error) {
	out := map[[2]int]*ent.Participation{}
	slices.Sort(personIDs)
	for batch := range slices.Chunk(personIDs, BatchSize) {
		ps, err := c.Participation.Query().Where(participation.PersonIDIn(batch...)).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading participations: %w", err)
		}
		for _, p := range ps {
			out[[2]int{p.MeetingID, p.PersonID}] = p
		}
	}
	return out, nil
}

// participationColumns are the columns recordPastAttendance writes; those
// after the first five are updated on a participation that exists.
var participationColumns = []string{
	participation.FieldOrganizationID, participation.FieldMeetingID, participation.FieldPersonID,
	participation.FieldInvitedAt, participation.FieldCreatedAt,
	participation.FieldRole, participation.FieldStatus, participation.FieldRespondedAt,
	participation.FieldAcceptedAt, participation.FieldCheckedInAt, participation.FieldWaitlistPosition,
	participation.FieldUpdatedAt,
}

// recordPastAttendance writes the participations of a past-attendance import
// as upserts of BatchSize rows on (meeting, person). It is the importer's
// own path to participations, around the live rules that ent's hooks and
// internal/planning apply one participation at a time (the check-in window,
// capacity and waiting list, which are for meetings as they happen), and
// around the per-row tenant hooks, which would cost statements per row. Its
// invariants are established by planAttendance: every meeting and person was
// read through c with the viewer's privacy policies in org, each state was
// checked, and ImportAttendance checked that the viewer may write. Nothing
// else may call it.
func recordPastAttendance(ctx context.Context, c *ent.Client, dialect string, org int, writes []pastParticipation, now time.Time) error {
	if len(writes) == 0 {
		return nil
	}
	if dialect == "" {
		return errors.New("recording attendance: unknown SQL dialect")
	}
	for batch := range slices.Chunk(writes, BatchSize) {
		ins := sql.Dialect(dialect).Insert(participation.Table).Columns(participationColumns...)
		for _, w := range batch {
			ins.Values(org, w.meetingID, w.personID, w.invitedAt.UTC(), now.UTC(),
				string(w.role), string(w.status), utcOrNil(w.respondedAt), utcOrNil(w.acceptedAt),
				utcOrNil(w.checkedInAt), nil, now.UTC())
		}
		ins.OnConflict(
			sql.ConflictColumns(participation.FieldMeetingID, participation.FieldPersonID),
			sql.ResolveWith(func(u *sql.UpdateSet) {
				for _, col := range participationColumns[5:] {
					u.SetExcluded(col)
				}
			}),
		)
		query, args := ins.Query()
		if _, err := c.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("recording attendance: %w", err)
		}
	}
	return nil
}

func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}
