package events

import (
	"context"
	"sync"
	"time"
)

// subscriberBuffer is how many events a subscriber may have waiting before
// it is considered behind: it then loses events and gets a Refetch notice
// instead, as soon as it has room again.
const subscriberBuffer = 64

// Memory is the Bus of a single process (the SQLite server): events go from
// Publish straight to the subscribers. The zero value is not usable: use
// NewMemory.
type Memory struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

var _ Bus = (*Memory)(nil)

// NewMemory returns an in-process bus.
func NewMemory() *Memory { return &Memory{subs: map[*subscriber]struct{}{}} }

type subscriber struct {
	organizationID, meetingID int
	ch                        chan Event
	behind                    bool // an event was dropped: send Refetch first
}

// Publish implements Bus.
func (m *Memory) Publish(_ context.Context, e Event) error {
	m.deliver(e)
	return nil
}

// Subscribe implements Bus.
func (m *Memory) Subscribe(ctx context.Context, organizationID, meetingID int) (<-chan Event, error) {
	s := &subscriber{organizationID: organizationID, meetingID: meetingID, ch: make(chan Event, subscriberBuffer)}
	m.mu.Lock()
	m.subs[s] = struct{}{}
	m.mu.Unlock()
	go func() {
		<-ctx.Done()
		m.mu.Lock()
		delete(m.subs, s)
		close(s.ch) // under the lock: deliver never sends on a closed channel
		m.mu.Unlock()
	}()
	return s.ch, nil
}

// Subscribers is the number of open subscriptions.
func (m *Memory) Subscribers() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.subs)
}

// deliver hands e to the subscribers of its meeting without waiting for
// them.
func (m *Memory) deliver(e Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.subs {
		if s.organizationID == e.OrganizationID && s.meetingID == e.MeetingID {
			s.send(e)
		}
	}
}

// refetchAll tells every subscriber to read its meeting again: events may
// have been lost.
func (m *Memory) refetchAll(at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.subs {
		s.send(Event{Kind: Refetch, OrganizationID: s.organizationID, MeetingID: s.meetingID, At: at})
	}
}

// send queues e, or records that the subscriber lost an event; called with
// the bus's lock held.
func (s *subscriber) send(e Event) {
	if s.behind {
		select {
		case s.ch <- Event{Kind: Refetch, OrganizationID: s.organizationID, MeetingID: s.meetingID, At: e.At}:
			s.behind = false
		default:
			return
		}
		if e.Kind == Refetch {
			return
		}
	}
	select {
	case s.ch <- e:
	default:
		s.behind = true
	}
}
