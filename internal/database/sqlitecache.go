package database

import (
	"context"
	"database/sql/driver"
	"reflect"
)

// A SQLite connection that keeps the statements it runs often prepared, as
// stmtConn does for PostgreSQL: SQLite then does not compile their SQL again
// (sqlite3_prepare_v2 was 6 % of the CPU of issue 11's P1 on SQLite), and
// runs the compiled program after a reset.
//
// The policy is stmtConn's: a statement with parameters is kept from its
// second run, so that one-off statements (the IN lists of eager loading, one
// text per length) hold no compiled program; at most size per connection,
// the least recently used closed first. Unlike PostgreSQL, SQLite lets a
// connection run a statement while the rows of another are open, so a
// statement whose rows are open is busy: the same text run meanwhile runs
// unprepared, and a busy statement dropped from the cache is closed with its
// rows. database/sql runs a connection's calls, its rows' Close included,
// under the connection's lock, so the cache needs none of its own.

// wrapSQLite gives a modernc.org/sqlite connection its statement cache.
func wrapSQLite(cn driver.Conn, lru stmtLRU) (driver.Conn, bool) {
	sc, ok := cn.(sqlConn)
	if !ok {
		return nil, false
	}
	return &sqliteStmtConn{sqlConn: sc, stmtLRU: lru}, true
}

// sqliteStmtConn is a SQLite connection with its statement cache.
type sqliteStmtConn struct {
	sqlConn
	stmtLRU
}

// Unwrap returns the driver's connection (modernc.org/sqlite's Limit and
// other functions look through wrappers so).
func (c *sqliteStmtConn) Unwrap() driver.Conn { return c.sqlConn }

// prepared returns the connection's statement for query, prepared on its
// second run; nil means run it unprepared.
func (c *sqliteStmtConn) prepared(ctx context.Context, query string, args []driver.NamedValue) (*cachedStmt, preparedStmt) {
	if len(args) == 0 {
		return nil, nil // pragmas, transactions, scripts: nothing to keep
	}
	return c.lookup(ctx, query, c.sqlConn.PrepareContext)
}

// QueryContext implements driver.QueryerContext.
func (c *sqliteStmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, st := c.prepared(ctx, query, args)
	if st == nil {
		return c.sqlConn.QueryContext(ctx, query, args)
	}
	rows, err := st.QueryContext(ctx, args)
	if err != nil {
		return nil, err // the driver reset the statement
	}
	cs.busy = true
	return &sqliteRows{Rows: rows, cs: cs}, nil
}

// ExecContext implements driver.ExecerContext.
func (c *sqliteStmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	_, st := c.prepared(ctx, query, args)
	if st == nil {
		return c.sqlConn.ExecContext(ctx, query, args)
	}
	return st.ExecContext(ctx, args)
}

// Close closes the cached statements, then the connection: SQLite keeps a
// connection with statements open as a zombie.
func (c *sqliteStmtConn) Close() error {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		if cs := e.Value.(*cachedStmt); cs.stmt != nil {
			_ = cs.stmt.Close()
		}
	}
	c.lru.Init()
	clear(c.byQuery)
	return c.sqlConn.Close()
}

// sqliteRows are the rows of a cached statement: closing them resets the
// statement for its next run (the driver does) and frees it.
type sqliteRows struct {
	driver.Rows
	cs *cachedStmt
}

// Close implements driver.Rows.
func (r *sqliteRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	if r.cs.released {
		_ = r.cs.stmt.Close()
	}
	return err
}

// The column type methods of the driver's rows, which database/sql's
// ColumnTypes reads; database/sql's defaults where the rows lack one.

func (r *sqliteRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *sqliteRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *sqliteRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *sqliteRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *sqliteRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
