package database

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// SerialTx wraps drv so that each of its transactions runs one statement at a
// time. A transaction is one connection, and GraphQL resolves the fields of a
// mutation's payload concurrently while the mutation's transaction is open:
// two queries interleaved on one connection break its protocol (lib/pq:
// "unexpected Parse response", then "bad connection"). A query holds the
// transaction until its rows are closed, which ent does before it sends the
// next statement of the same goroutine (see SharedTx).
//
// On SQLite it also stores every time in UTC: times are text there, compared
// and sorted as text, which is time order only when they share one offset.
// (The API shows a meeting's times in its own time zone whatever is stored.)
//
// On PostgreSQL it passes []byte arguments (ent's JSON fields) as strings:
// lib/pq, in the one-round-trip mode PostgresDSN asks for, sends []byte in
// binary, which a jsonb column reads as its binary format. As text they are
// what lib/pq sent before for a column that is not bytea (Rencontre has
// none).
func SerialTx(drv dialect.Driver) dialect.Driver {
	return serialDriver{Driver: drv, utc: drv.Dialect() == dialect.SQLite}
}

type serialDriver struct {
	dialect.Driver
	utc bool // SQLite: times in UTC; else PostgreSQL: []byte as text
}

// Exec implements dialect.ExecQuerier.
func (d serialDriver) Exec(ctx context.Context, query string, args, v any) error {
	return d.Driver.Exec(ctx, query, fixedArgs(d.utc, args), v)
}

// Query implements dialect.ExecQuerier.
func (d serialDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.Driver.Query(ctx, query, fixedArgs(d.utc, args), v)
}

// fixedArgs converts the times among ent's statement arguments to UTC when on is
// set (SQLite), and its []byte to strings otherwise (PostgreSQL).
func fixedArgs(on bool, args any) any {
	list, ok := args.([]any)
	if !ok {
		return args
	}
	return fixArgs(on, list)
}

// fixArgs is utcArgs on SQLite (utc), textArgs on PostgreSQL.
func fixArgs(utc bool, args []any) []any {
	if utc {
		return utcArgs(args)
	}
	return textArgs(args)
}

// textArgs returns args with its []byte and json.RawMessage (ent's JSON
// values) as strings, nil as NULL, copying it only when needed.
func textArgs(args []any) []any {
	out := args
	for i, a := range args {
		var b []byte
		switch v := a.(type) {
		case []byte:
			b = v
		case json.RawMessage:
			b = v
		default:
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		if b == nil {
			out[i] = nil
		} else {
			out[i] = string(b)
		}
	}
	return out
}

// utcArgs returns args with its times in UTC, copying it only when needed.
func utcArgs(args []any) []any {
	out := args
	for i, a := range args {
		var t time.Time
		switch v := a.(type) {
		case time.Time:
			t = v
		case *time.Time:
			if v == nil {
				continue
			}
			t = *v
		default:
			continue
		}
		if t.Location() == time.UTC {
			continue
		}
		if &out[0] == &args[0] {
			out = append([]any(nil), args...)
		}
		out[i] = t.UTC()
	}
	return out
}

// QueryContext runs a raw query outside any transaction (ent's ExecQuery
// feature: client.QueryContext), when the wrapped driver can.
func (d serialDriver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("driver %T does not support QueryContext", d.Driver)
	}
	return q.QueryContext(ctx, query, d.raw(args)...)
}

func (d serialDriver) raw(args []any) []any { return fixArgs(d.utc, args) }

// ExecContext runs a raw statement outside any transaction, when the wrapped
// driver can.
func (d serialDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	e, ok := d.Driver.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("driver %T does not support ExecContext", d.Driver)
	}
	return e.ExecContext(ctx, query, d.raw(args)...)
}

// Tx implements dialect.Driver.
func (d serialDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &serialTx{Tx: tx, utc: d.utc}, nil
}

// serialTx is a transaction whose statements run one at a time.
type serialTx struct {
	dialect.Tx
	mu  sync.Mutex
	utc bool
}

// Exec implements dialect.ExecQuerier.
func (t *serialTx) Exec(ctx context.Context, query string, args, v any) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Tx.Exec(ctx, query, fixedArgs(t.utc, args), v)
}

// Query implements dialect.ExecQuerier: the transaction stays held until the
// rows are closed.
func (t *serialTx) Query(ctx context.Context, query string, args, v any) error {
	t.mu.Lock()
	err := t.Tx.Query(ctx, query, fixedArgs(t.utc, args), v)
	rows, ok := v.(*entsql.Rows)
	if err != nil || !ok || rows.ColumnScanner == nil || ctx.Value(sharedTxKey{}) == nil {
		t.mu.Unlock()
		return err
	}
	rows.ColumnScanner = &unlockOnClose{ColumnScanner: rows.ColumnScanner, unlock: t.mu.Unlock}
	return nil
}

type sharedTxKey struct{}

// SharedTx marks ctx as one whose transaction is used by several goroutines
// at once (the fields of a GraphQL payload): its queries then hold the
// transaction until their rows are closed. Elsewhere (schema migration, whose
// code needs the driver's own rows) a query holds it only while it is sent.
func SharedTx(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedTxKey{}, true)
}

// QueryContext runs a raw query in the transaction (ent's ExecQuery feature).
// Only the call is serialized: the *sql.Rows it returns cannot tell when they
// are closed, so raw queries are kept to hooks, which run in the mutation's
// own goroutine before the payload's fields are resolved.
func (t *serialTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	q, ok := t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	})
	if !ok {
		return nil, fmt.Errorf("transaction %T does not support QueryContext", t.Tx)
	}
	args = fixArgs(t.utc, args)
	t.mu.Lock()
	defer t.mu.Unlock()
	return q.QueryContext(ctx, query, args...)
}

// ExecContext runs a raw statement in the transaction.
func (t *serialTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	e, ok := t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	})
	if !ok {
		return nil, fmt.Errorf("transaction %T does not support ExecContext", t.Tx)
	}
	args = fixArgs(t.utc, args)
	t.mu.Lock()
	defer t.mu.Unlock()
	return e.ExecContext(ctx, query, args...)
}

// Commit implements dialect.Tx.
func (t *serialTx) Commit() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Tx.Commit()
}

// Rollback implements dialect.Tx.
func (t *serialTx) Rollback() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Tx.Rollback()
}

// unlockOnClose releases the transaction when the rows are closed, once.
type unlockOnClose struct {
	entsql.ColumnScanner
	once   sync.Once
	unlock func()
}

// Close implements entsql.ColumnScanner.
func (r *unlockOnClose) Close() error {
	err := r.ColumnScanner.Close()
	r.once.Do(r.unlock)
	return err
}
