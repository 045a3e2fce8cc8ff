package graph

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/events"
)

// attendanceMutations are the mutation fields that change a meeting's
// attendance, with the kind of event their payload's participation (its
// Participation field) gets. The people a mutation moved on the waiting list
// get an event each: PROMOTED for those of a Promoted field of the payload
// ([]*ent.Participation), WAITLISTED for those of a MovedToWaitlist field. A
// mutation listed with no kind publishes only those.
var attendanceMutations = map[string]events.Kind{
	"participationRespond":     events.Answered,
	"participationCheckIn":     events.CheckedIn,
	"participationUndoCheckIn": events.CheckInUndone,
	"participationCancel":      events.Cancelled,
	"meetingUpdate":            "", // a larger capacity promotes people of the waiting list
	"meetingRegister":          events.Answered,
}

// installAttendanceEvents publishes the events of the attendance mutations
// on bus once their transaction commits, and never when it rolls back (user
// errors, a failed later step, a retry). Installed after installTransactions,
// it runs inside the transaction of each mutation field.
func installAttendanceEvents(srv *handler.Server, bus events.Bus) {
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Object != "Mutation" || !fc.IsResolver {
			return next(ctx)
		}
		kind, ok := attendanceMutations[fc.Field.Name]
		if !ok {
			return next(ctx)
		}
		res, err := next(ctx)
		if err != nil || hasUserErrors(res) {
			return res, err
		}
		for _, e := range attendanceEvents(res, kind) {
			events.AfterCommit(ctx, bus, e)
		}
		return res, nil
	})
}

// attendanceEvents are the events of a successful mutation payload: kind for
// its participation (when kind is set), then WAITLISTED and PROMOTED for the
// people the mutation moved on the waiting list.
func attendanceEvents(payload any, kind events.Kind) []events.Event {
	var out []events.Event
	add := func(k events.Kind, p *ent.Participation) {
		if p != nil {
			out = append(out, events.Event{Kind: k, OrganizationID: p.OrganizationID, MeetingID: p.MeetingID, ParticipationID: p.ID})
		}
	}
	if kind != "" {
		if p, ok := payloadField[*ent.Participation](payload, "Participation"); ok {
			add(kind, p)
		}
	}
	for _, moved := range []struct {
		field string
		kind  events.Kind
	}{{"MovedToWaitlist", events.Waitlisted}, {"Promoted", events.Promoted}} {
		ps, _ := payloadField[[]*ent.Participation](payload, moved.field)
		for _, p := range ps {
			add(moved.kind, p)
		}
	}
	return out
}

// forwardAttendance turns the bus's events of one meeting into the
// subscription's AttendanceEvents, read with the subscriber's viewer, until
// the subscription ends or its token no longer holds (checked before each
// event); it closes out when done.
func (r *Resolver) forwardAttendance(ctx context.Context, s *wsSession, src <-chan events.Event, out chan<- *AttendanceEvent) {
	defer close(out)
	for {
		var e events.Event
		select {
		case <-ctx.Done():
			return
		case <-s.ended:
			transport.AddSubscriptionError(ctx, unauthenticatedError())
			return
		case got, ok := <-src:
			if !ok {
				return
			}
			e = got
		}
		if err := s.check(ctx); err != nil {
			transport.AddSubscriptionError(ctx, unauthenticatedError())
			return
		}
		ectx, cancel := context.WithTimeout(ctx, wsStepTimeout)
		ae, err := r.attendanceEvent(ectx, e)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				slog.ErrorContext(ctx, "reading an attendance event", "meeting", e.MeetingID, "participation", e.ParticipationID, "error", err)
			}
			return
		}
		if ae == nil {
			return // the meeting is gone
		}
		select {
		case out <- ae:
		case <-ctx.Done():
			return
		}
	}
}

// attendanceEvent reads the meeting and the participation of e through the
// privacy policies of the subscriber's viewer; nil when the meeting is gone.
// A participation that cannot be read any more becomes a REFETCH.
func (r *Resolver) attendanceEvent(ctx context.Context, e events.Event) (*AttendanceEvent, error) {
	m, err := r.client.Meeting.Get(ctx, e.MeetingID)
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("loading meeting %d: %w", e.MeetingID, err)
	}
	ae := &AttendanceEvent{Kind: AttendanceEventKind(e.Kind), Meeting: m, OccurredAt: e.At.UTC()}
	if e.Kind == events.Refetch || e.ParticipationID == 0 {
		ae.Kind = AttendanceEventKindRefetch
		return ae, nil
	}
	p, err := r.client.Participation.Get(ctx, e.ParticipationID)
	switch {
	case ent.IsNotFound(err):
		ae.Kind = AttendanceEventKindRefetch
	case err != nil:
		return nil, fmt.Errorf("loading participation %d: %w", e.ParticipationID, err)
	case p.MeetingID != m.ID:
		ae.Kind = AttendanceEventKindRefetch
	default:
		ae.Participation = p
	}
	if !ae.Kind.IsValid() {
		ae.Kind = AttendanceEventKindRefetch // a kind this build does not know
	}
	return ae, nil
}
