package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/viewer"
)

// DefaultCacheTTL is how long an Authenticator trusts a validated token
// without reading it again, unless told otherwise.
const DefaultCacheTTL = 30 * time.Second

// defaultMaxEntries bounds the tokens an Authenticator remembers.
const defaultMaxEntries = 10_000

// Settings configure an Authenticator.
type Settings struct {
	// CacheTTL is how long a validated token is trusted without reading
	// the database again: the bound on how late this process learns of a
	// change made by another process that does not tell it (see Peers).
	// Changes made through this process's client are seen at once. Zero turns the cache off: every request
	// reads the token and the membership.
	CacheTTL time.Duration
	// MaxEntries bounds the tokens remembered; zero means 10,000.
	MaxEntries int
	// Clock is the current time; nil means time.Now.
	Clock func() time.Time
}

// Authenticator turns token secrets into viewers, remembering the tokens it
// validated for Settings.CacheTTL so that a request with a known token runs
// no SQL statement. What it remembers is forgotten at once, in this process,
// when a token or a membership changes through its ent client (an ent hook
// on API tokens and memberships, acting when the transaction commits), and
// in the other servers on PostgreSQL when they hear of it (Peers), else
// within the TTL. A token's expiry is checked on every request against the remembered
// expiry time. The last use of a token is written at most once a
// lastUsedResolution (a minute) per token, in the background when the token
// came from the cache.
type Authenticator struct {
	client *ent.Client
	ttl    time.Duration
	max    int
	clock  func() time.Time

	mu      sync.Mutex
	entries map[[sha256.Size]byte]*entry
	// generation counts the invalidations: a lookup that began before one
	// does not store what it read, which may be what was just changed.
	generation uint64
	peers      *Peers // nil: no other server hears of invalidations

	writes sync.WaitGroup // last-use writes in flight
}

// entry is a remembered token.
type entry struct {
	grant
	until   time.Time // trusted until then
	writing bool      // a last-use write is in flight
}

// New returns the authenticator of the tokens of client, with its hooks
// installed on client. Create one per client (and per process), before the
// client is used concurrently.
func New(client *ent.Client, s Settings) *Authenticator {
	a := &Authenticator{client: client, ttl: s.CacheTTL, max: s.MaxEntries, clock: s.Clock,
		entries: map[[sha256.Size]byte]*entry{}}
	if a.max <= 0 {
		a.max = defaultMaxEntries
	}
	if a.clock == nil {
		a.clock = time.Now
	}
	if a.ttl > 0 {
		client.APIToken.Use(a.invalidationHook)
		client.Membership.Use(a.invalidationHook)
	}
	return a
}

// defaults are the authenticators of Default, by client.
var (
	defaultsMu sync.Mutex
	defaults   = map[*ent.Client]*Authenticator{}
)

// Default returns the authenticator of client with the default settings,
// created at the first call: the handlers built over one client without an
// authenticator of their own share it, and its hooks.
func Default(client *ent.Client) *Authenticator {
	defaultsMu.Lock()
	defer defaultsMu.Unlock()
	a := defaults[client]
	if a == nil {
		a = New(client, Settings{CacheTTL: DefaultCacheTTL})
		defaults[client] = a
	}
	return a
}

// Authenticate returns the viewer of a token secret, from the cache when the
// token is remembered.
func (a *Authenticator) Authenticate(ctx context.Context, secret string) (*viewer.Viewer, error) {
	now := a.clock()
	if a.ttl <= 0 {
		return Authenticate(ctx, a.client, secret, now)
	}
	if !strings.HasPrefix(secret, secretPrefix) {
		return nil, fmt.Errorf("%w: not a Rencontre API token", ErrUnauthenticated)
	}
	key := sha256.Sum256([]byte(secret))
	a.mu.Lock()
	if e := a.entries[key]; e != nil && now.Before(e.until) {
		if !e.expiresAt.IsZero() && !now.Before(e.expiresAt) {
			delete(a.entries, key)
			a.mu.Unlock()
			return nil, expiredError(e.prefix, e.expiresAt)
		}
		v := e.viewer
		due := !e.writing && now.Sub(e.lastUsedAt) >= lastUsedResolution
		if due {
			e.writing = true
		}
		a.mu.Unlock()
		if due {
			a.recordUse(ctx, key, v.TokenID, now)
		}
		return &v, nil
	}
	generation := a.generation
	a.mu.Unlock()

	g, err := lookup(ctx, a.client, secret, now)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if a.generation == generation {
		if len(a.entries) >= a.max {
			a.evict(now)
		}
		a.entries[key] = &entry{grant: *g, until: now.Add(a.ttl)}
	}
	a.mu.Unlock()
	v := g.viewer
	return &v, nil
}

// evict makes room: the entries past their time go, and if none is, an
// arbitrary tenth of them. Called with a.mu held.
func (a *Authenticator) evict(now time.Time) {
	for k, e := range a.entries {
		if !now.Before(e.until) {
			delete(a.entries, k)
		}
	}
	for k := range a.entries {
		if len(a.entries) < a.max-a.max/10 {
			break
		}
		delete(a.entries, k)
	}
}

// recordUse writes the last use of a remembered token in the background,
// without moving it back if another process wrote a later one.
func (a *Authenticator) recordUse(ctx context.Context, key [sha256.Size]byte, tokenID int, now time.Time) {
	a.writes.Add(1)
	go func() {
		defer a.writes.Done()
		// The request may be over by the time the write runs: its values
		// stay (the request id of the log), its end does not.
		wctx, cancel := context.WithTimeout(policy.System(context.WithoutCancel(ctx)), 5*time.Second)
		defer cancel()
		err := a.client.APIToken.Update().
			Where(apitoken.ID(tokenID), apitoken.Or(apitoken.LastUsedAtIsNil(), apitoken.LastUsedAtLT(now))).
			SetLastUsedAt(now).
			Exec(wctx)
		if err != nil {
			slog.WarnContext(ctx, "recording the last use of a token", "token_id", tokenID, "error", err)
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		if e := a.entries[key]; e != nil && e.viewer.TokenID == tokenID {
			e.writing = false
			if err == nil {
				e.lastUsedAt = now
			}
		}
	}()
}

// Wait waits for the last-use writes in flight.
func (a *Authenticator) Wait() { a.writes.Wait() }

// Invalidation names what changed: a token, a membership, or everything
// (Token and Membership zero).
type Invalidation struct {
	Token      int `json:"token,omitempty"`
	Membership int `json:"membership,omitempty"`
}

// Forget drops the remembered tokens that inv concerns, and makes the
// lookups in progress keep nothing.
func (a *Authenticator) Forget(inv Invalidation) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.generation++
	if inv.Token == 0 && inv.Membership == 0 {
		clear(a.entries)
		return
	}
	for k, e := range a.entries {
		if (inv.Token != 0 && e.viewer.TokenID == inv.Token) || (inv.Membership != 0 && e.membershipID == inv.Membership) {
			delete(a.entries, k)
		}
	}
}

// Len is the number of remembered tokens.
func (a *Authenticator) Len() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.entries)
}

// usageFields are the fields a last-use write changes: such a write
// invalidates nothing.
var usageFields = []string{apitoken.FieldLastUsedAt, apitoken.FieldUpdatedAt}

// invalidationHook forgets what a change of API tokens or memberships makes
// stale: at once (so that this process's next request reads the database),
// and again once the transaction commits (a lookup that read the row before
// the commit keeps nothing). A change of one row forgets its entries; a
// change of many rows forgets everything. Only the creation of a row, which
// makes no remembered grant wrong, forgets nothing.
func (a *Authenticator) invalidationHook(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if m.Op().Is(ent.OpCreate) || (m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) && onlyUsage(m)) {
			return next.Mutate(ctx, m)
		}
		inv := invalidationOf(m)
		a.Forget(inv)
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		a.afterCommit(ctx, m, inv)
		return v, nil
	})
}

func onlyUsage(m ent.Mutation) bool {
	fields := m.Fields()
	for _, f := range fields {
		if !slices.Contains(usageFields, f) {
			return false
		}
	}
	return len(fields) > 0 && len(m.ClearedFields()) == 0
}

// invalidationOf is what a mutation of one row, by ID, or of many concerns.
func invalidationOf(m ent.Mutation) Invalidation {
	if !m.Op().Is(ent.OpUpdateOne | ent.OpDeleteOne) {
		return Invalidation{}
	}
	switch m := m.(type) {
	case *ent.APITokenMutation:
		if id, ok := m.ID(); ok {
			return Invalidation{Token: id}
		}
	case *ent.MembershipMutation:
		if id, ok := m.ID(); ok {
			return Invalidation{Membership: id}
		}
	}
	return Invalidation{}
}

// txOf is the transaction of a mutation, or nil.
func txOf(m ent.Mutation) *ent.Tx {
	var (
		tx  *ent.Tx
		err error
	)
	switch m := m.(type) {
	case *ent.APITokenMutation:
		tx, err = m.Tx()
	case *ent.MembershipMutation:
		tx, err = m.Tx()
	}
	if err != nil {
		return nil
	}
	return tx
}

// afterCommit forgets inv again once the mutation's transaction commits, or
// at once without a transaction, and tells the other servers (Peers).
func (a *Authenticator) afterCommit(ctx context.Context, m ent.Mutation, inv Invalidation) {
	done := func(ctx context.Context) {
		a.Forget(inv)
		a.mu.Lock()
		p := a.peers
		a.mu.Unlock()
		if p != nil {
			p.publish(ctx, inv)
		}
	}
	tx := txOf(m)
	if tx == nil {
		done(ctx)
		return
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			if err := next.Commit(ctx, tx); err != nil {
				return err
			}
			done(ctx)
			return nil
		})
	})
}
