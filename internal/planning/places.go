package planning

import (
	"context"
	"fmt"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/internal/validation"
)

// The places of a meeting. Only ACCEPTED participations take a place (hosts
// and speakers too, unless the meeting's capacity excludes them); someone who
// accepts a full meeting is WAITLISTED, at a position 1, 2, … of the
// meeting's waiting list. Every change of who has a place goes the same way:
// lock the meeting's row, change the participation, then settle, which
// restores the rule for the whole meeting (see settle).

// Change is what an answer, a cancellation or a check-in did to the places
// of a meeting.
type Change struct {
	// Participation is the participation changed, as stored.
	Participation *ent.Participation
	// Waitlisted is true when the person accepted a full meeting and was put
	// on the waiting list.
	Waitlisted bool
	// Promoted are the other people of the waiting list who got a place, in
	// the order they were promoted.
	Promoted []*ent.Participation
}

// MeetingChange is what UpdateMeeting did.
type MeetingChange struct {
	Meeting *ent.Meeting
	// Promoted are the people of the waiting list who got a place because
	// the capacity grew, in order.
	Promoted []*ent.Participation
	// MovedToWaitlist are the latest accepted people moved back to the front
	// of the waiting list by a forced smaller capacity, in their new order.
	MovedToWaitlist []*ent.Participation
}

// forUpdate locks the selected rows until the transaction ends, on
// PostgreSQL. SQLite has no row locks and needs none: its write transactions
// are immediate (see database.Open), so they already run one at a time.
// (ent's generated ForUpdate cannot be used: it fails on SQLite, and the
// dialect is only known to the selector.)
//
// ForUpdate is the same, for other domain packages.
func ForUpdate(s *sql.Selector) { forUpdate(s) }

func forUpdate(s *sql.Selector) {
	if s.Dialect() != dialect.SQLite {
		s.ForUpdate()
	}
}

// forShare is forUpdate's shared lock: transactions holding it run side by
// side, and one that changes the row, or takes forUpdate, waits for them all.
func forShare(s *sql.Selector) {
	if s.Dialect() != dialect.SQLite {
		s.ForShare()
	}
}

// lockMeeting loads a meeting and locks its row for the rest of the
// transaction: every change of the places of a meeting takes this lock
// first, so concurrent answers to one meeting run one after the other and
// each sees the places as the previous one left them.
func lockMeeting(ctx context.Context, c *ent.Client, id int, field string) (*ent.Meeting, error) {
	m, err := c.Meeting.Query().Where(meeting.ID(id), forUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound(field, "no meeting with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("locking meeting %d: %w", id, err)
	}
	return m, nil
}

// lockParticipation loads a participation and its meeting, with the
// meeting's row locked. The meeting is found and locked in one statement
// (by its participation), and the participation is read after the lock is
// taken, so it includes what a concurrent transaction did to it (a
// promotion).
func lockParticipation(ctx context.Context, c *ent.Client, id int) (*ent.Participation, error) {
	m, err := c.Meeting.Query().Where(meeting.HasParticipationsWith(participation.ID(id)), forUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("participation_id", "no participation with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("locking the meeting of participation %d: %w", id, err)
	}
	return participationOf(ctx, c, m, id)
}

// participationOf reads participation id of meeting m (with lock, when
// given), with m as its meeting edge.
func participationOf(ctx context.Context, c *ent.Client, m *ent.Meeting, id int, lock ...predicate.Participation) (*ent.Participation, error) {
	p, err := c.Participation.Query().Where(participation.ID(id)).Where(lock...).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("participation_id", "no participation with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading participation %d: %w", id, err)
	}
	p.Edges.Meeting = m
	return p, nil
}

// lockForAnswer is lockParticipation for an answer, which changes the
// places of a meeting only when it has a capacity. A meeting without one is
// locked shared, so that answers to it run side by side, while a change of
// its capacity or status (which takes the exclusive lock, or writes the row)
// waits for them and sees what they did; the participation itself is locked,
// so two answers to it run one after the other. A meeting with a capacity
// is locked exclusively, as by lockParticipation.
//
// The shared lock is asked for first, in one statement, and only on a
// meeting without a capacity (PostgreSQL checks the condition again on the
// row as a concurrent change left it). When it finds none, the participation
// does not exist or its meeting has a capacity: the answer takes the
// exclusive lock, holding no lock yet, so it cannot deadlock with answers
// that hold the shared one; if the capacity was removed in between, the
// exclusive lock is stronger than needed, not wrong.
func lockForAnswer(ctx context.Context, c *ent.Client, id int) (*ent.Participation, error) {
	m, err := c.Meeting.Query().
		Where(meeting.HasParticipationsWith(participation.ID(id)), meeting.CapacityIsNil(), forShare).
		Only(ctx)
	switch {
	case err == nil:
		return participationOf(ctx, c, m, id, forUpdate)
	case ent.IsNotFound(err):
		return lockParticipation(ctx, c, id)
	default:
		return nil, fmt.Errorf("locking the meeting of participation %d: %w", id, err)
	}
}

// takesPlace reports whether an accepted person with role counts against
// the meeting's capacity.
func takesPlace(m *ent.Meeting, role participation.Role) bool {
	return m.CapacityIncludesHosts || (role != participation.RoleHost && role != participation.RoleSpeaker)
}

// countedRoles selects the participations of m whose role counts against its
// capacity.
func countedRoles(m *ent.Meeting) []predicate.Participation {
	ps := []predicate.Participation{participation.MeetingID(m.ID)}
	if !m.CapacityIncludesHosts {
		ps = append(ps, participation.RoleNotIn(participation.RoleHost, participation.RoleSpeaker))
	}
	return ps
}

// join asks a place for p: a person who has none yet goes to the end of the
// waiting list, from which settle promotes them at once when there is room.
// A person who has a place or is waiting for one keeps it.
func join(ctx context.Context, c *ent.Client, p *ent.Participation) (*ent.Participation, error) {
	if p.Status == participation.StatusAccepted || p.Status == participation.StatusWaitlisted {
		return p, nil
	}
	last, err := c.Participation.Query().
		Where(participation.MeetingID(p.MeetingID), participation.StatusEQ(participation.StatusWaitlisted)).
		Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("counting the waiting list: %w", err)
	}
	return c.Participation.UpdateOne(p).
		SetStatus(participation.StatusWaitlisted).
		SetWaitlistPosition(last + 1).
		ClearAcceptedAt().
		Save(ctx)
}

// leave gives up p's place or its place on the waiting list: it becomes
// status (TENTATIVE, DECLINED or CANCELLED).
func leave(ctx context.Context, c *ent.Client, p *ent.Participation, status participation.Status, now time.Time) (*ent.Participation, error) {
	u := c.Participation.UpdateOne(p).SetStatus(status).ClearWaitlistPosition().ClearAcceptedAt()
	if status != participation.StatusCancelled {
		u.SetRespondedAt(now)
	}
	return u.Save(ctx)
}

// settle restores the rule of the places of the meeting m, whose row the
// transaction holds locked; every change of an answer, a role or the capacity
// ends with it:
//   - no more people accepted (counted) than the capacity: when there are,
//     force moves the latest accepted back to the front of the waiting list,
//     in the order they accepted; without force it is an error on capacity;
//   - no free place while someone waits: the first of the waiting list are
//     promoted (and people whose role takes no place, at once);
//   - the waiting list is numbered 1, 2, … without gaps, in its order.
func settle(ctx context.Context, c *ent.Client, m *ent.Meeting, force bool, now time.Time) (promoted, moved []*ent.Participation, err error) {
	accepted, err := c.Participation.Query().
		Where(append(countedRoles(m), participation.StatusEQ(participation.StatusAccepted))...).
		Count(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("counting accepted people: %w", err)
	}
	waiting, err := c.Participation.Query().
		Where(participation.MeetingID(m.ID), participation.StatusEQ(participation.StatusWaitlisted)).
		Order(participation.ByWaitlistPosition(), participation.ByID()).
		All(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the waiting list: %w", err)
	}
	promote := func(w *ent.Participation) error {
		p, err := c.Participation.UpdateOne(w).
			SetStatus(participation.StatusAccepted).
			SetAcceptedAt(now).
			ClearWaitlistPosition().
			Save(ctx)
		if err != nil {
			return fmt.Errorf("promoting participation %d: %w", w.ID, err)
		}
		promoted = append(promoted, p)
		return nil
	}
	// People whose role takes no place never wait.
	counted := waiting[:0]
	for _, p := range waiting {
		if takesPlace(m, p.Role) {
			counted = append(counted, p)
		} else if err := promote(p); err != nil {
			return nil, nil, err
		}
	}
	waiting = counted

	switch {
	case m.Capacity != nil && accepted > *m.Capacity:
		excess := accepted - *m.Capacity
		if !force {
			return nil, nil, &validation.Error{Field: "capacity", Code: validation.CodeConflict,
				Message: fmt.Sprintf("%d is below the %d people accepted: force the change to move the last %d accepted back to the waiting list",
					*m.Capacity, accepted, excess)}
		}
		latest, err := c.Participation.Query().
			Where(append(countedRoles(m), participation.StatusEQ(participation.StatusAccepted))...).
			Order(latestAcceptedFirst).
			Limit(excess).
			All(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("loading the latest accepted: %w", err)
		}
		front := make([]*ent.Participation, 0, len(latest)+len(waiting))
		for i := len(latest) - 1; i >= 0; i-- { // in the order they accepted
			front = append(front, latest[i])
		}
		moved = front
		waiting = append(front, waiting...)
	default:
		free := len(waiting)
		if m.Capacity != nil {
			free = min(free, *m.Capacity-accepted)
		}
		for _, p := range waiting[:free] {
			if err := promote(p); err != nil {
				return nil, nil, err
			}
		}
		waiting = waiting[free:]
	}

	movedIDs := make(map[int]bool, len(moved))
	for _, p := range moved {
		movedIDs[p.ID] = true
	}
	moved = moved[:0:0]
	for i, p := range waiting {
		pos := i + 1
		if p.Status == participation.StatusWaitlisted && p.WaitlistPosition != nil && *p.WaitlistPosition == pos {
			continue
		}
		u := c.Participation.UpdateOne(p).SetStatus(participation.StatusWaitlisted).SetWaitlistPosition(pos)
		if movedIDs[p.ID] {
			u.ClearAcceptedAt()
		}
		if p, err = u.Save(ctx); err != nil {
			return nil, nil, fmt.Errorf("numbering the waiting list: %w", err)
		}
		if movedIDs[p.ID] {
			moved = append(moved, p)
		}
	}
	return promoted, moved, nil
}

// latestAcceptedFirst orders accepted participations from the one that got
// its place last. People accepted before acceptedAt was recorded count from
// their answer, or else their invitation.
func latestAcceptedFirst(s *sql.Selector) {
	s.OrderExpr(sql.ExprP(fmt.Sprintf("COALESCE(%s, %s, %s) DESC, %s DESC",
		s.C(participation.FieldAcceptedAt), s.C(participation.FieldRespondedAt),
		s.C(participation.FieldInvitedAt), s.C(participation.FieldID))))
}

// others leaves p out of a list of participations.
func others(ps []*ent.Participation, p *ent.Participation) []*ent.Participation {
	out := make([]*ent.Participation, 0, len(ps))
	for _, q := range ps {
		if q.ID != p.ID {
			out = append(out, q)
		}
	}
	return out
}

// withdrawal names the answers that give up a place, for messages.
var withdrawal = map[participation.Status]string{
	participation.StatusDeclined:  "decline",
	participation.StatusTentative: "answer tentatively",
}

// Respond records an answer to an invitation: ACCEPTED (a place, or the end
// of the waiting list when the meeting is full), TENTATIVE or DECLINED. An
// accepted person who no longer accepts frees a place for the first on the
// waiting list, in the same transaction.
func Respond(ctx context.Context, c *ent.Client, participationID int, answer participation.Status) (*Change, error) {
	switch answer {
	case participation.StatusAccepted, participation.StatusTentative, participation.StatusDeclined:
	default:
		return nil, validation.Invalid("answer", "must be ACCEPTED, TENTATIVE or DECLINED, got %s", answer)
	}
	p, err := lockForAnswer(ctx, c, participationID)
	if err != nil {
		return nil, err
	}
	m := p.Edges.Meeting
	if err := checkOpen(m, "participation_id", "answer the invitation"); err != nil {
		return nil, err
	}
	if p.Status == participation.StatusCancelled {
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d was cancelled: cannot answer it", p.ID)}
	}
	if answer != participation.StatusAccepted && p.CheckedInAt != nil {
		return nil, &validation.Error{Field: "answer", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d is checked in: cannot %s", p.ID, withdrawal[answer])}
	}
	now := time.Now()
	if m.Capacity == nil {
		// A meeting without a capacity has no waiting list (settle, which
		// ends every change of its places and of its capacity, promotes
		// everyone): an answer changes its participation only.
		if answer == participation.StatusAccepted {
			u := c.Participation.UpdateOne(p).SetRespondedAt(now)
			if p.Status != participation.StatusAccepted {
				u.SetStatus(participation.StatusAccepted).SetAcceptedAt(now).ClearWaitlistPosition()
			}
			p, err = u.Save(ctx)
		} else {
			p, err = leave(ctx, c, p, answer, now)
		}
		if err != nil {
			return nil, fmt.Errorf("recording the answer: %w", err)
		}
		return &Change{Participation: p}, nil
	}
	if answer == participation.StatusAccepted {
		if p, err = join(ctx, c, p); err == nil {
			p, err = c.Participation.UpdateOne(p).SetRespondedAt(now).Save(ctx)
		}
	} else {
		p, err = leave(ctx, c, p, answer, now)
	}
	if err != nil {
		return nil, fmt.Errorf("recording the answer: %w", err)
	}
	return settled(ctx, c, m, p, now)
}

// CancelParticipation uninvites a person: the participation stays, as
// CANCELLED, and a place it held goes to the first on the waiting list.
func CancelParticipation(ctx context.Context, c *ent.Client, participationID int) (*Change, error) {
	p, err := lockParticipation(ctx, c, participationID)
	if err != nil {
		return nil, err
	}
	m := p.Edges.Meeting
	if err := checkOpen(m, "participation_id", "cancel a participation"); err != nil {
		return nil, err
	}
	switch {
	case p.Status == participation.StatusCancelled:
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d is already cancelled", p.ID)}
	case p.CheckedInAt != nil:
		return nil, &validation.Error{Field: "participation_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("participation %d is checked in: cannot cancel it", p.ID)}
	}
	now := time.Now()
	if p, err = leave(ctx, c, p, participation.StatusCancelled, now); err != nil {
		return nil, fmt.Errorf("cancelling participation %d: %w", participationID, err)
	}
	return settled(ctx, c, m, p, now)
}

// settled settles the meeting after a change of p and reports it.
func settled(ctx context.Context, c *ent.Client, m *ent.Meeting, p *ent.Participation, now time.Time) (*Change, error) {
	promoted, _, err := settle(ctx, c, m, false, now)
	if err != nil {
		return nil, err
	}
	if p, err = c.Participation.Get(ctx, p.ID); err != nil {
		return nil, fmt.Errorf("loading participation %d: %w", p.ID, err)
	}
	return &Change{
		Participation: p,
		Waitlisted:    p.Status == participation.StatusWaitlisted,
		Promoted:      others(promoted, p),
	}, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// UpdateMeeting changes the fields of a meeting given in input. A change of
// its capacity (or of whether hosts count against it) settles its places in
// the same transaction: a larger capacity promotes the first of the waiting
// list; one below the number of people accepted is an error on capacity
// unless force moves the latest accepted back to the front of the waiting
// list.
//
// A meeting that is an occurrence of a series is marked as overridden: later
// edits of the series leave it alone.
func UpdateMeeting(ctx context.Context, c *ent.Client, id int, input ent.UpdateMeetingInput, force bool) (*MeetingChange, error) {
	return updateMeeting(ctx, c, id, input, force, true)
}

// FollowSeries is UpdateMeeting for the edits of a series, which its
// occurrences follow without being marked as overridden.
func FollowSeries(ctx context.Context, c *ent.Client, id int, input ent.UpdateMeetingInput, force bool) (*MeetingChange, error) {
	return updateMeeting(ctx, c, id, input, force, false)
}

func updateMeeting(ctx context.Context, c *ent.Client, id int, input ent.UpdateMeetingInput, force, override bool) (*MeetingChange, error) {
	places := input.Capacity != nil || input.ClearCapacity || input.CapacityIncludesHosts != nil
	if places {
		// A missing meeting is reported by the update, as for any field.
		if _, err := c.Meeting.Query().Where(meeting.ID(id), forUpdate).IDs(ctx); err != nil {
			return nil, fmt.Errorf("locking meeting %d: %w", id, err)
		}
	}
	u := c.Meeting.UpdateOneID(id).SetInput(input)
	if override {
		occurrence, err := c.Meeting.Query().Where(meeting.ID(id), meeting.SeriesIDNotNil()).Exist(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading meeting %d: %w", id, err)
		}
		if occurrence {
			u.SetOverridden(true)
		}
	}
	m, err := u.Save(ctx)
	if err != nil {
		return nil, err
	}
	res := &MeetingChange{Meeting: m}
	if places {
		if res.Promoted, res.MovedToWaitlist, err = settle(ctx, c, m, force, time.Now()); err != nil {
			return nil, err
		}
	}
	return res, nil
}
