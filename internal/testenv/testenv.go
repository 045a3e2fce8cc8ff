// Package testenv gives tests a fresh, migrated database of their own, on
// SQLite (the default) or on PostgreSQL when RENCONTRE_TEST_DB=postgres.
//
// On PostgreSQL every test gets its own schema in the database named by
// RENCONTRE_TEST_POSTGRES_URL (default: the local server's postgres database),
// dropped when the test ends. When PostgreSQL was asked for and cannot be
// reached, the test fails: it is never skipped.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/policy"
)

// DefaultPostgresURL is used when RENCONTRE_TEST_POSTGRES_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Postgres reports whether the tests run against PostgreSQL.
func Postgres() bool { return os.Getenv("RENCONTRE_TEST_DB") == "postgres" }

// URL returns the URL of a new, empty database for t, removed at cleanup.
func URL(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
	}
	base := os.Getenv("RENCONTRE_TEST_POSTGRES_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("testenv: opening PostgreSQL %s: %v", database.Redact(base), err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("testenv: PostgreSQL at %s is required (RENCONTRE_TEST_DB=postgres) and failed: %v", database.Redact(base), err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("postgres", base)
		if err != nil {
			t.Errorf("testenv: dropping schema %s: %v", schema, err)
			return
		}
		defer db.Close()
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("testenv: dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema) // lib/pq sends it as a session parameter
	u.RawQuery = q.Encode()
	return u.String()
}

// Client returns an ent client on a new, migrated database for t.
func Client(t testing.TB) *ent.Client {
	t.Helper()
	c, _ := ClientWithCounter(t)
	return c
}

// ClientWithCounter is Client with a counter of the SQL statements it runs.
func ClientWithCounter(t testing.TB) (*ent.Client, *Counter) {
	t.Helper()
	dbURL := URL(t)
	drv, err := database.Driver(dbURL)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	counter := &Counter{Driver: drv}
	c := ent.NewClient(ent.Driver(database.SerialTx(counter))) // as database.Open does
	c.Use(network.TrackChanges())
	t.Cleanup(func() { _ = c.Close() })
	if err := database.Migrate(context.Background(), c, dbURL); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	counter.Reset()
	return c, counter
}

// Counter is an ent driver that counts the statements run outside
// transactions, as ent's own GraphQL example does to prove queries N+1-free.
type Counter struct {
	dialect.Driver
	n atomic.Int64

	mu        sync.Mutex
	recording bool
	queries   []string
}

var _ dialect.Driver = (*Counter)(nil)

// Query counts and runs a query.
func (c *Counter) Query(ctx context.Context, query string, args, v any) error {
	c.count(query)
	return c.Driver.Query(ctx, query, args, v)
}

// Exec counts and runs a statement.
func (c *Counter) Exec(ctx context.Context, query string, args, v any) error {
	c.count(query)
	return c.Driver.Exec(ctx, query, args, v)
}

// QueryContext counts and runs a raw query (ent's sql/execquery feature).
func (c *Counter) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.count(query)
	q, ok := c.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("testenv: driver %T cannot run raw queries", c.Driver)
	}
	return q.QueryContext(ctx, query, args...)
}

// ExecContext counts and runs a raw statement (ent's sql/execquery feature).
func (c *Counter) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.count(query)
	e, ok := c.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("testenv: driver %T cannot run raw statements", c.Driver)
	}
	return e.ExecContext(ctx, query, args...)
}

// count counts a statement, and keeps its text while recording.
func (c *Counter) count(query string) {
	c.n.Add(1)
	c.mu.Lock()
	if c.recording {
		c.queries = append(c.queries, query)
	}
	c.mu.Unlock()
}

// Record starts keeping the text of the statements run outside transactions,
// from now until the next Reset.
func (c *Counter) Record() {
	c.mu.Lock()
	c.recording, c.queries = true, nil
	c.mu.Unlock()
}

// Statements returns the statements kept since Record.
func (c *Counter) Statements() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.queries...)
}

// Count returns how many statements ran since the last Reset.
func (c *Counter) Count() int64 { return c.n.Load() }

// Reset sets the count to zero and stops recording.
func (c *Counter) Reset() {
	c.n.Store(0)
	c.mu.Lock()
	c.recording, c.queries = false, nil
	c.mu.Unlock()
}

// DB returns the underlying *sql.DB, for direct checks in tests.
func DB(c *Counter) *sql.DB {
	if d, ok := c.Driver.(*entsql.Driver); ok {
		return d.DB()
	}
	panic(fmt.Sprintf("testenv: unexpected driver %T", c.Driver))
}

// System returns a background context for tests' direct reads and writes
// through the ent client, past the privacy policies (a system path, like the
// demo loader).
func System() context.Context { return policy.System(context.Background()) }
