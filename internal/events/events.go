// Package events carries changes of a meeting's attendance to the clients
// that subscribed to them: an Event, a Bus that delivers it to the
// subscribers of every server process (in-process on SQLite, PostgreSQL
// LISTEN/NOTIFY across processes), and AfterCommit, which publishes an event
// only once the transaction that made the change has committed.
//
// An event is a notice, not a copy of the data: it carries IDs, and the
// subscriber reads the participation and the meeting through the ent privacy
// policies with its own viewer. Nothing secret travels on the bus, and a
// subscriber never learns more than a query would tell it.
package events

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/rencontre/rencontre/ent"
)

// Kind is the kind of change an event reports. Its values are those of the
// GraphQL enum AttendanceEventKind.
type Kind string

// Kinds of changes. Refetch is not a change: it tells subscribers that events
// may have been lost (the bus lost its connection, or a subscriber fell
// behind), so that they read the meeting's attendance again.
const (
	Answered      Kind = "ANSWERED"
	CheckedIn     Kind = "CHECKED_IN"
	CheckInUndone Kind = "CHECK_IN_UNDONE"
	Promoted      Kind = "PROMOTED"
	Waitlisted    Kind = "WAITLISTED"
	Cancelled     Kind = "CANCELLED"
	Refetch       Kind = "REFETCH"
)

// Event is a change in the attendance of one meeting. It is also the JSON
// payload of a PostgreSQL notification.
type Event struct {
	Kind            Kind      `json:"kind"`
	OrganizationID  int       `json:"organizationID"`
	MeetingID       int       `json:"meetingID"`
	ParticipationID int       `json:"participationID,omitempty"` // 0 for Refetch
	At              time.Time `json:"at"`
}

// Bus delivers events to their subscribers.
type Bus interface {
	// Publish delivers e to the subscribers of its meeting, in every
	// process. It does not wait for them.
	Publish(ctx context.Context, e Event) error
	// Subscribe returns the events of one meeting of one organization,
	// Refetch notices included (with that meeting's IDs), until ctx ends;
	// the channel is then closed.
	Subscribe(ctx context.Context, organizationID, meetingID int) (<-chan Event, error)
}

// AfterCommit publishes e on bus once the transaction of ctx (ent's
// transaction context) commits, and never if it rolls back: a subscriber
// hears of nothing that did not happen, and reading the participation when
// it receives the event shows the change. The events of one transaction are
// published in the order they were registered. Without a transaction it
// publishes at once. A failed publication is logged; the change itself is
// committed.
func AfterCommit(ctx context.Context, bus Bus, e Event) {
	if bus == nil {
		return
	}
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		publish(ctx, bus, e)
		return
	}
	v, loaded := outboxes.LoadOrStore(tx, &outbox{})
	o := v.(*outbox)
	o.mu.Lock()
	o.pending = append(o.pending, pending{bus, e})
	o.mu.Unlock()
	if loaded {
		return
	}
	// One hook per transaction: ent runs the hooks registered later inside
	// the earlier ones, which would publish in reverse order.
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			outboxes.Delete(tx)
			if err != nil {
				return err
			}
			o.mu.Lock()
			defer o.mu.Unlock()
			for _, p := range o.pending {
				publish(ctx, p.bus, p.event)
			}
			return nil
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			outboxes.Delete(tx)
			return next.Rollback(ctx, tx)
		})
	})
}

// outboxes are the events waiting for the commit of their transaction, by
// transaction.
var outboxes sync.Map // *ent.Tx -> *outbox

type outbox struct {
	mu      sync.Mutex
	pending []pending
}

type pending struct {
	bus   Bus
	event Event
}

// publish publishes e on bus now, stamped with the time if it has none.
func publish(ctx context.Context, bus Bus, e Event) {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	// The request may be over by now: its values stay, its end does not.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := bus.Publish(pctx, e); err != nil {
		slog.ErrorContext(ctx, "publishing an attendance event", "kind", e.Kind,
			"meeting", e.MeetingID, "participation", e.ParticipationID, "error", err)
	}
}
