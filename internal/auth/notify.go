package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// notifyChannelPrefix starts the PostgreSQL notification channel of
// invalidations; the database schema completes it, as for attendance events,
// so that servers of different schemas do not hear each other.
const notifyChannelPrefix = "rencontre_auth_"

// Peers tells the other servers sharing a PostgreSQL database of each
// invalidation, and makes this server forget what they tell it: a token
// revoked, or a membership changed, through one server is refused by the
// others as soon as the notification arrives (milliseconds), rather than
// within their TTL. When the listening connection drops, notifications sent
// meanwhile are lost, so every remembered token is forgotten once it is back.
type Peers struct {
	a        *Authenticator
	db       *sql.DB
	listener *pq.Listener
	channel  string
	stop     context.CancelFunc
	done     chan struct{}
	once     sync.Once
	heard    func(Invalidation) // tests: called after each invalidation heard
}

// ListenPostgres connects a to the other servers on the PostgreSQL database
// at dsn (a postgres:// URL): it listens until Close, and publishes a's
// invalidations once committed. heard, if not nil, is called after each
// invalidation heard (its own included) has been applied.
func ListenPostgres(ctx context.Context, dsn string, a *Authenticator, heard func(Invalidation)) (*Peers, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("auth: opening PostgreSQL: %w", err)
	}
	db.SetMaxOpenConns(2)
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("auth: reading the current schema: %w", err)
	}
	p := &Peers{a: a, db: db, channel: notifyChannel(schema), done: make(chan struct{}), heard: heard}
	p.listener = pq.NewListener(dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		if ev == pq.ListenerEventDisconnected {
			slog.Warn("auth: listening connection lost", "error", err)
		}
	})
	if err := p.listener.Listen(p.channel); err != nil {
		_ = p.listener.Close()
		_ = db.Close()
		return nil, fmt.Errorf("auth: listening on %s: %w", p.channel, err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	p.stop = stop
	go p.run(runCtx)
	a.mu.Lock()
	a.peers = p
	a.mu.Unlock()
	return p, nil
}

// notifyChannel is a valid channel name for schema: at most 63 bytes.
func notifyChannel(schema string) string {
	name := notifyChannelPrefix + schema
	if len(name) > 63 {
		sum := sha256.Sum256([]byte(schema))
		name = notifyChannelPrefix + hex.EncodeToString(sum[:])[:63-len(notifyChannelPrefix)]
	}
	return name
}

// publish sends inv to every server, this one included.
func (p *Peers) publish(ctx context.Context, inv Invalidation) {
	payload, err := json.Marshal(inv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_, err = p.db.ExecContext(ctx, "SELECT pg_notify($1, $2)", p.channel, string(payload))
	}
	if err != nil {
		// The others learn of it within their TTL.
		slog.WarnContext(ctx, "auth: telling the other servers of a token change", "error", err)
	}
}

// run applies what it hears until ctx ends.
func (p *Peers) run(ctx context.Context) {
	defer close(p.done)
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-p.listener.NotificationChannel():
			var inv Invalidation
			if n == nil {
				// Re-established: what was sent meanwhile is lost.
				slog.Warn("auth: listening connection re-established; remembered tokens forgotten")
			} else if err := json.Unmarshal([]byte(n.Extra), &inv); err != nil {
				slog.Error("auth: undecodable notification", "error", err)
				continue
			}
			p.a.Forget(inv)
			if p.heard != nil {
				p.heard(inv)
			}
		case <-ping.C:
			go func() { _ = p.listener.Ping() }()
		}
	}
}

// Close stops listening and publishing.
func (p *Peers) Close() error {
	var err error
	p.once.Do(func() {
		p.a.mu.Lock()
		if p.a.peers == p {
			p.a.peers = nil
		}
		p.a.mu.Unlock()
		p.stop()
		<-p.done
		err = errors.Join(p.listener.Close(), p.db.Close())
	})
	return err
}
