package events

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
)

// channelPrefix starts the name of the PostgreSQL notification channel; the
// database schema completes it, so that servers of different schemas of one
// database (as the tests are) do not hear each other's events, whose IDs
// would mean other rows.
const channelPrefix = "rencontre_attendance_"

// pingInterval is how often the listening connection is checked: a
// connection that died silently is noticed, and re-established, within it.
const pingInterval = 30 * time.Second

// Postgres is the Bus of servers sharing one PostgreSQL database: Publish
// sends a NOTIFY (pg_notify, a JSON payload with the event's IDs and kind),
// and every server's LISTEN connection hands what it hears to its own
// subscribers, its own publications included. The listening connection is
// re-established when it drops (lib/pq's Listener); notifications sent
// meanwhile are lost, so every subscriber then gets a Refetch notice.
//
// Events are published after the commit (see AfterCommit), rather than by a
// NOTIFY inside the transaction: both buses then share one publication
// path, and the transactions of mutations do not take PostgreSQL's
// database-wide notification lock at commit. Publish queues the event and
// returns; one sender sends what is queued in batches of up to
// maxNotifyBatch, one statement each (SELECT pg_notify(…), pg_notify(…)), in
// the order published: a mutation does not wait for a NOTIFY round trip,
// and concurrent mutations take the notification lock once per batch, not
// once each. The price is that an event is lost if the process dies between
// the commit and the sending of its batch; subscribers that reconnect read
// the attendance again. Close sends what is queued first.
type Postgres struct {
	local    *Memory
	db       *sql.DB
	listener *pq.Listener
	channel  string
	stop     context.CancelFunc
	done     chan struct{}
	once     sync.Once

	mu     sync.RWMutex // guards closed and sending on queue
	closed bool
	queue  chan string   // payloads to notify
	sent   chan struct{} // closed when the sender has sent the queue
}

// maxNotifyBatch bounds the notifications of one statement; queueSize the
// events waiting for the sender (Publish waits for room beyond it).
const (
	maxNotifyBatch = 64
	queueSize      = 4096
)

// ErrClosed is returned by Publish on a closed bus.
var ErrClosed = errors.New("events: the bus is closed")

var _ Bus = (*Postgres)(nil)

// NewPostgres returns the bus over the PostgreSQL database at dsn (a
// postgres:// URL) once it listens. Close it to stop listening.
func NewPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("events: opening PostgreSQL: %w", err)
	}
	// One connection, kept: only the sender notifies, one batch at a time.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("events: reading the current schema: %w", err)
	}
	b := &Postgres{local: NewMemory(), db: db, channel: channelName(schema), done: make(chan struct{}),
		queue: make(chan string, queueSize), sent: make(chan struct{})}
	b.listener = pq.NewListener(dsn, 100*time.Millisecond, 10*time.Second, b.connectionEvent)
	if err := b.listener.Listen(b.channel); err != nil {
		_ = b.listener.Close()
		_ = db.Close()
		return nil, fmt.Errorf("events: listening on %s: %w", b.channel, err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	b.stop = stop
	go b.run(runCtx)
	go b.send()
	return b, nil
}

// channelName is a valid notification channel for schema: at most 63 bytes.
func channelName(schema string) string {
	name := channelPrefix + schema
	if len(name) > 63 {
		sum := sha256.Sum256([]byte(schema))
		name = channelPrefix + hex.EncodeToString(sum[:])[:63-len(channelPrefix)]
	}
	return name
}

// Publish implements Bus: the event is queued for a NOTIFY on the bus's
// channel, sent by the bus's sender in its next batch.
func (b *Postgres) Publish(ctx context.Context, e Event) error {
	payload, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("events: encoding: %w", err)
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrClosed
	}
	select {
	case b.queue <- string(payload):
		return nil
	case <-ctx.Done():
		return fmt.Errorf("events: queueing: %w", ctx.Err())
	}
}

// send notifies the queued payloads, in batches of what is queued, until
// the queue is closed and empty.
func (b *Postgres) send() {
	defer close(b.sent)
	for first := range b.queue {
		batch := []string{first}
	drain:
		for len(batch) < maxNotifyBatch {
			select {
			case p, ok := <-b.queue:
				if !ok {
					break drain
				}
				batch = append(batch, p)
			default:
				break drain
			}
		}
		b.notify(batch)
	}
}

// notify sends payloads in one statement.
func (b *Postgres) notify(payloads []string) {
	var q strings.Builder
	args := make([]any, 0, len(payloads)+1)
	args = append(args, b.channel)
	q.WriteString("SELECT ")
	for i, p := range payloads {
		if i > 0 {
			q.WriteString(", ")
		}
		fmt.Fprintf(&q, "pg_notify($1, $%d)", i+2)
		args = append(args, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := b.db.ExecContext(ctx, q.String(), args...); err != nil {
		slog.Error("events: notifying", "events", len(payloads), "error", err)
	}
}

// Subscribe implements Bus.
func (b *Postgres) Subscribe(ctx context.Context, organizationID, meetingID int) (<-chan Event, error) {
	return b.local.Subscribe(ctx, organizationID, meetingID)
}

// Subscribers is the number of open subscriptions of this process.
func (b *Postgres) Subscribers() int { return b.local.Subscribers() }

// Close stops listening and closes the bus's connections. Subscribers stay
// open until their own context ends, and hear nothing more.
func (b *Postgres) Close() error {
	var err error
	b.once.Do(func() {
		b.mu.Lock()
		b.closed = true
		close(b.queue)
		b.mu.Unlock()
		<-b.sent
		b.stop()
		<-b.done
		err = errors.Join(b.listener.Close(), b.db.Close())
	})
	return err
}

// run hands notifications to the local subscribers until ctx ends.
func (b *Postgres) run(ctx context.Context) {
	defer close(b.done)
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-b.listener.NotificationChannel():
			if n == nil {
				// lib/pq sends nil after re-establishing the connection:
				// what was notified meanwhile is lost.
				slog.Warn("events: listening connection re-established; subscribers are told to refetch")
				b.local.refetchAll(time.Now())
				continue
			}
			var e Event
			if err := json.Unmarshal([]byte(n.Extra), &e); err != nil {
				slog.Error("events: undecodable notification", "channel", n.Channel, "error", err)
				continue
			}
			b.local.deliver(e)
		case <-ping.C:
			go func() {
				if err := b.listener.Ping(); err != nil {
					slog.Warn("events: listening connection unanswered", "error", err)
				}
			}()
		}
	}
}

// connectionEvent logs the listening connection's losses and failures to
// reconnect (lib/pq keeps trying).
func (b *Postgres) connectionEvent(ev pq.ListenerEventType, err error) {
	switch ev {
	case pq.ListenerEventDisconnected:
		slog.Warn("events: listening connection lost", "error", err)
	case pq.ListenerEventConnectionAttemptFailed:
		slog.Warn("events: reconnecting the listening connection failed", "error", err)
	}
}
