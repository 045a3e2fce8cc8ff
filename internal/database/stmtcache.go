package database

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"

	"github.com/lib/pq"
)

// A PostgreSQL connection that keeps the statements it runs often prepared:
// PostgreSQL then neither parses nor (once it settles on a generic plan)
// plans them again, which is most of its work for the short statements of a
// request. It is what pgx does by default, and what PostGraphile does.
//
// A statement is prepared the second time the connection runs it, so that
// one-off statements (the IN lists of a page's eager loading have one text
// per length) cost no extra round trip; preparing is one round trip, each
// later run one, as unprepared. Each connection keeps at most size
// statements, the least recently used closed first. PostgreSQL chooses
// between a generic plan and one per run by itself (plan_cache_mode=auto:
// the first 5 runs get their own plan, later ones the generic plan unless it
// is estimated much worse); plan_cache_mode=force_custom_plan in the
// database URL keeps a plan per run and saves only the parsing.
//
// database/sql gives a connection to one goroutine at a time, so the cache
// needs no lock.

// sqlConn is what the connections of both drivers implement and
// database/sql uses; a wrapper must forward them all.
type sqlConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// pqConn is what lib/pq's connection implements and database/sql uses.
type pqConn interface {
	sqlConn
	driver.NamedValueChecker
}

// stmtConnector opens connections that cache up to size statements, wrapped
// by wrap (wrapPQ, wrapSQLite); a connection wrap does not know is returned
// as it is.
type stmtConnector struct {
	driver.Connector
	size int
	wrap func(cn driver.Conn, lru stmtLRU) (driver.Conn, bool)
}

// Connect implements driver.Connector.
func (c stmtConnector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil || c.size <= 0 {
		return cn, err
	}
	if w, ok := c.wrap(cn, stmtLRU{size: c.size, byQuery: make(map[string]*list.Element, c.size)}); ok {
		return w, nil
	}
	return cn, nil
}

// wrapPQ gives a lib/pq connection its statement cache.
func wrapPQ(cn driver.Conn, lru stmtLRU) (driver.Conn, bool) {
	pc, ok := cn.(pqConn)
	if !ok {
		return nil, false
	}
	return &stmtConn{pqConn: pc, stmtLRU: lru}, true
}

// stmtConn is a connection with its statement cache.
type stmtConn struct {
	pqConn
	stmtLRU
}

// stmtLRU is a connection's statements by text, most recently used first,
// at most size of them (also SQLite's, see sqliteStmtConn).
type stmtLRU struct {
	size    int
	byQuery map[string]*list.Element // of *cachedStmt
	lru     list.List                // most recently used first
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt // nil until the second run
	// SQLite only: busy while rows read from the statement are open (it
	// cannot run again until they are closed), and released when it was
	// dropped from the cache meanwhile, to be closed with its rows.
	busy, released bool
}

// preparedStmt is what the statements of both drivers implement.
type preparedStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

// prepared returns the connection's prepared statement for query, preparing
// it on its second run; nil means run it unprepared.
func (c *stmtConn) prepared(ctx context.Context, query string, args []driver.NamedValue) preparedStmt {
	if len(args) == 0 {
		return nil // lib/pq's simple query, one round trip already
	}
	_, ps := c.lookup(ctx, query, c.pqConn.PrepareContext)
	return ps
}

// lookup returns query's cached statement, preparing it with prepare on its
// second run; a nil statement means run query unprepared: its first run, a
// busy statement (SQLite), or one that failed to prepare, which then reports
// its error as it would have.
func (c *stmtLRU) lookup(ctx context.Context, query string, prepare func(context.Context, string) (driver.Stmt, error)) (*cachedStmt, preparedStmt) {
	e, ok := c.byQuery[query]
	if !ok {
		c.byQuery[query] = c.lru.PushFront(&cachedStmt{query: query})
		c.trim()
		return nil, nil
	}
	c.lru.MoveToFront(e)
	cs := e.Value.(*cachedStmt)
	if cs.busy {
		return nil, nil
	}
	if cs.stmt == nil {
		st, err := prepare(ctx, query)
		if err != nil {
			c.forget(e)
			return nil, nil
		}
		cs.stmt = st
	}
	ps, ok := cs.stmt.(preparedStmt)
	if !ok {
		return nil, nil
	}
	return cs, ps
}

// trim closes the least recently used statements beyond size.
func (c *stmtLRU) trim() {
	for c.lru.Len() > c.size {
		c.drop(c.lru.Back())
	}
}

// drop forgets a statement and closes it (on the server, for PostgreSQL); a
// busy one is closed when its rows are.
func (c *stmtLRU) drop(e *list.Element) {
	cs := c.forget(e)
	if cs.busy {
		cs.released = true
	} else if cs.stmt != nil {
		_ = cs.stmt.Close() // a statement PostgreSQL failed to close stays until the session ends
	}
}

func (c *stmtLRU) forget(e *list.Element) *cachedStmt {
	cs := c.lru.Remove(e).(*cachedStmt)
	delete(c.byQuery, cs.query)
	return cs
}

// failed forgets query's statement when err says it can no longer run (a
// table it reads changed, or PostgreSQL lost it); other errors (a
// constraint, a lock timeout) leave it cached.
func (c *stmtConn) failed(query string, err error) {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code != "0A000" && pqErr.Code != "26000" { // cached plan must not change result type; no such prepared statement
		return
	}
	if e, ok := c.byQuery[query]; ok {
		c.forget(e) // not closed: the connection may be unusable, or the statement gone
	}
}

// QueryContext implements driver.QueryerContext.
func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.prepared(ctx, query, args)
	if st == nil {
		return c.pqConn.QueryContext(ctx, query, args)
	}
	rows, err := st.QueryContext(ctx, args)
	if err != nil {
		c.failed(query, err)
	}
	return rows, err
}

// ExecContext implements driver.ExecerContext.
func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st := c.prepared(ctx, query, args)
	if st == nil {
		return c.pqConn.ExecContext(ctx, query, args)
	}
	res, err := st.ExecContext(ctx, args)
	if err != nil {
		c.failed(query, err)
	}
	return res, err
}
