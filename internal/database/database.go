// Package database opens the ent client on the embedded SQLite default or on
// PostgreSQL, and migrates the schema.
package database

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"  // PostgreSQL, also as driver "postgres"
	"modernc.org/sqlite" // pure-Go SQLite driver

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/migrate"
	_ "github.com/rencontre/rencontre/ent/runtime" // schema hooks and defaults
	"github.com/rencontre/rencontre/internal/network"
)

// DefaultURL is the embedded default: a SQLite file in the working directory.
const DefaultURL = "sqlite:rencontre.db"

// Open connects to the database named by rawURL:
//
//	sqlite:PATH or file:PATH    SQLite (pure Go, no cgo); PATH may be :memory:
//	postgres://… postgresql://… PostgreSQL through lib/pq
//
// SQLite connections get foreign keys on, WAL journaling, a busy timeout and
// immediate write transactions, so that concurrent requests queue instead of
// failing with "database is locked". A transaction runs one statement at a
// time (SerialTx).
func Open(rawURL string, opts ...ent.Option) (*ent.Client, error) {
	return OpenWithPool(rawURL, DefaultPool, opts...)
}

// OpenWithPool is Open with the connection pool settings of a server.
func OpenWithPool(rawURL string, pool Pool, opts ...ent.Option) (*ent.Client, error) {
	drv, err := DriverWithPool(rawURL, pool)
	if err != nil {
		return nil, err
	}
	c := ent.NewClient(append([]ent.Option{ent.Driver(SerialTx(drv))}, opts...)...)
	c.Use(network.TrackChanges()) // the network's cached graphs see this process's writes at once
	return c, nil
}

// Pool are the settings of the connection pool (database/sql's).
type Pool struct {
	// MaxOpen is the most open connections; 0 means no limit.
	MaxOpen int
	// MaxIdle is the most idle connections kept. database/sql keeps 2 by
	// default, so that a server under load opens and closes a PostgreSQL
	// session for most requests: a server keeps as many as it may open.
	MaxIdle int
	// IdleTime closes connections idle for longer; 0 keeps them.
	IdleTime time.Duration
	// Statements is how many statements each connection keeps prepared
	// (see stmtConn for PostgreSQL, sqliteStmtConn for SQLite); 0 prepares
	// none.
	Statements int
}

// DefaultPool suits a server on a small machine: 20 connections, all kept
// while idle for up to 5 minutes.
var DefaultPool = Pool{MaxOpen: 20, MaxIdle: 20, IdleTime: 5 * time.Minute, Statements: 256}

// Driver opens the database like Open but returns the ent driver, for callers
// that wrap it (statement counting in tests).
func Driver(rawURL string) (*entsql.Driver, error) {
	return DriverWithPool(rawURL, DefaultPool)
}

// DriverWithPool is Driver with pool settings.
func DriverWithPool(rawURL string, pool Pool) (*entsql.Driver, error) {
	_, dialectName, dsn, err := parse(rawURL)
	if err != nil {
		return nil, err
	}
	if dialectName == dialect.Postgres {
		// ent's statements only: they pass through SerialTx.
		if dsn, err = postgresDSN(dsn); err != nil {
			return nil, err
		}
	}
	var db *sql.DB
	if dialectName == dialect.Postgres {
		connector, err := pq.NewConnector(dsn)
		if err != nil {
			return nil, fmt.Errorf("opening %s database: %w", dialectName, err)
		}
		db = sql.OpenDB(stmtConnector{Connector: connector, size: pool.Statements, wrap: wrapPQ})
	} else {
		connector, err := sqlite.NewConnector(dsn)
		if err != nil {
			return nil, fmt.Errorf("opening %s database: %w", dialectName, err)
		}
		db = sql.OpenDB(stmtConnector{Connector: connector, size: pool.Statements, wrap: wrapSQLite})
	}
	db.SetMaxOpenConns(pool.MaxOpen)
	db.SetMaxIdleConns(pool.MaxIdle)
	db.SetConnMaxIdleTime(pool.IdleTime)
	if dialectName == dialect.SQLite && strings.Contains(dsn, ":memory:") {
		db.SetMaxOpenConns(1) // every connection would be its own empty database
	}
	return entsql.OpenDB(dialectName, db), nil
}

// Migrate brings the database named by rawURL to the schema of this build
// by applying its pending versioned migrations (see migrate.go), silently:
// it is the auto-migration of tests and tools. The server calls Prepare,
// which may refuse instead.
func Migrate(ctx context.Context, c *ent.Client, rawURL string) error {
	_, err := ApplyMigrations(ctx, c, rawURL, MigrateOptions{}, nil)
	return err
}

// alignIdentities makes PostgreSQL hand out the same IDs as SQLite. Each type
// has its own ID range (ent's sql/globalid); SQLite's first ID in a range is
// start+1, PostgreSQL's identity would start at start itself, which gives the
// first type ID 0. A sequence that has never been used is moved to start+1.
func alignIdentities(ctx context.Context, c *ent.Client) error {
	for _, t := range migrate.Tables {
		if t.Annotation == nil || t.Annotation.IncrementStart == nil {
			continue
		}
		var used bool
		// A database migrated up to an older version has no table (nor
		// sequence) for the types added since.
		var exists bool
		rows, err := c.QueryContext(ctx, "SELECT to_regclass($1) IS NOT NULL", pqIdent(t.Name+"_id_seq"))
		if err != nil {
			return fmt.Errorf("looking up the ID sequence of %s: %w", t.Name, err)
		}
		for rows.Next() {
			if err := rows.Scan(&exists); err != nil {
				rows.Close()
				return fmt.Errorf("looking up the ID sequence of %s: %w", t.Name, err)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if !exists {
			continue
		}
		rows, err = c.QueryContext(ctx, fmt.Sprintf("SELECT is_called FROM %s", pqIdent(t.Name+"_id_seq")))
		if err != nil {
			return fmt.Errorf("reading the ID sequence of %s: %w", t.Name, err)
		}
		for rows.Next() {
			if err := rows.Scan(&used); err != nil {
				rows.Close()
				return fmt.Errorf("reading the ID sequence of %s: %w", t.Name, err)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if used {
			continue
		}
		stmt := fmt.Sprintf("ALTER TABLE %s ALTER COLUMN id RESTART WITH %d", pqIdent(t.Name), *t.Annotation.IncrementStart+1)
		if _, err := c.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("aligning the IDs of %s: %w", t.Name, err)
		}
	}
	return nil
}

// pqIdent quotes a PostgreSQL identifier.
func pqIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// Ping checks that the database answers (a raw statement: no viewer needed).
func Ping(ctx context.Context, c *ent.Client) error {
	rows, err := c.QueryContext(ctx, "SELECT 1")
	if err != nil {
		return err
	}
	return rows.Close()
}

func parse(rawURL string) (driverName, dialectName, dsn string, err error) {
	if rawURL == "" {
		rawURL = DefaultURL
	}
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return "postgres", dialect.Postgres, rawURL, nil
	case strings.HasPrefix(rawURL, "sqlite:"), strings.HasPrefix(rawURL, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
		path = strings.TrimPrefix(path, "//")
		query := ""
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path, query = path[:i], path[i+1:]
		}
		if path == "" {
			return "", "", "", fmt.Errorf("database URL %q names no SQLite file", rawURL)
		}
		q, perr := url.ParseQuery(query)
		if perr != nil {
			return "", "", "", fmt.Errorf("database URL %q: %w", rawURL, perr)
		}
		for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"} {
			q.Add("_pragma", p)
		}
		if q.Get("_txlock") == "" {
			q.Set("_txlock", "immediate")
		}
		if q.Get("_time_format") == "" {
			// Store times as "2006-01-02 15:04:05.999999999-07:00", which the
			// driver reads back for any offset; its default (time.String)
			// cannot be read back for fixed offsets such as +01:00.
			q.Set("_time_format", "sqlite")
		}
		return "sqlite", dialect.SQLite, "file:" + path + "?" + q.Encode(), nil
	}
	return "", "", "", fmt.Errorf("database URL %q: want sqlite:PATH, file:PATH or postgres://…", rawURL)
}

// postgresDSN is the lib/pq connection string of a postgres:// URL: the URL
// with binary_parameters=yes unless it sets binary_parameters itself.
// Without it, lib/pq runs each statement with parameters in two round trips
// (it prepares the statement and waits for its description, then binds and
// executes it); with it, in one (parse, bind and execute sent together), the
// parameters sent as text as before but for []byte, sent in binary, which
// SerialTx turns into strings.
func postgresDSN(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("database URL %s: %w", Redact(rawURL), err)
	}
	q := u.Query()
	if q.Get("binary_parameters") == "" {
		q.Set("binary_parameters", "yes")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Redact returns the database URL with every password replaced, for logs:
// the one in the user information (postgres://u:secret@h/db) and those given
// as query parameters (?password=secret, &sslpassword=…), which lib/pq
// accepts too. A URL that does not parse is not shown at all, since where its
// secrets are cannot be told.
func Redact(rawURL string) string {
	const mask = "xxxxx"
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable database URL)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), mask)
		}
	}
	if u.RawQuery != "" {
		// Rewritten pair by pair rather than through url.Values, which would
		// reorder the parameters and re-escape the others.
		pairs := strings.Split(u.RawQuery, "&")
		for i, pair := range pairs {
			key, _, _ := strings.Cut(pair, "=")
			name, err := url.QueryUnescape(key)
			if err != nil {
				name = key
			}
			if strings.Contains(strings.ToLower(name), "password") {
				pairs[i] = key + "=" + mask
			}
		}
		u.RawQuery = strings.Join(pairs, "&")
	}
	return u.String()
}
