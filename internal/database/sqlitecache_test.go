package database

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// sqliteDB opens a pool of one SQLite connection (a file of the test's own)
// that keeps size statements prepared, with a table t(id, v).
func sqliteDB(t *testing.T, size int) *sql.DB {
	t.Helper()
	drv, err := DriverWithPool("sqlite:"+filepath.Join(t.TempDir(), "cache.db"), Pool{MaxOpen: 1, MaxIdle: 1, Statements: size})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	db := drv.DB()
	if _, err := db.Exec(`CREATE TABLE t (id integer PRIMARY KEY, v text NOT NULL); INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three')`); err != nil {
		t.Fatal(err)
	}
	return db
}

// cached is the connection's statements: text → prepared.
func cached(t *testing.T, db *sql.DB) map[string]bool {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out := map[string]bool{}
	if err := conn.Raw(func(dc any) error {
		c, ok := dc.(*sqliteStmtConn)
		if !ok {
			t.Fatalf("connection is a %T, not a caching one", dc)
		}
		for q, e := range c.byQuery {
			out[q] = e.Value.(*cachedStmt).stmt != nil
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func sqliteValue(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int) string {
	t.Helper()
	var v string
	if err := q.QueryRowContext(context.Background(), `SELECT v FROM t WHERE id = ?`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

const sqliteSelect = `SELECT v FROM t WHERE id = ?`

// A statement is prepared on its second run and reused after, in and out of
// transactions, a rolled-back one included; its answers are the unprepared
// statement's, with other arguments each time.
func TestSQLiteStatementPreparedOnItsSecondRun(t *testing.T) {
	db := sqliteDB(t, 8)
	if v := sqliteValue(t, db, 1); v != "one" {
		t.Fatalf("first run: %q", v)
	}
	if got := cached(t, db); len(got) != 1 || got[sqliteSelect] {
		t.Fatalf("after one run: %v, want the text only", got)
	}
	for id, want := range map[int]string{2: "two", 3: "three"} {
		if v := sqliteValue(t, db, id); v != want {
			t.Fatalf("id %d: %q, want %q", id, v, want)
		}
	}
	if got := cached(t, db); !got[sqliteSelect] {
		t.Fatalf("after three runs: %v, want it prepared", got)
	}
	for _, commit := range []bool{false, true} {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`UPDATE t SET v = ? WHERE id = ?`, "uno", 1); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`UPDATE t SET v = ? WHERE id = ?`, "uno", 1); err != nil { // prepared now
			t.Fatal(err)
		}
		if v := sqliteValue(t, tx, 1); v != "uno" {
			t.Fatalf("in the transaction: %q", v)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		want := "one"
		if commit {
			want = "uno"
		}
		if v := sqliteValue(t, db, 1); v != want {
			t.Fatalf("after commit=%v: %q, want %q", commit, v, want)
		}
	}
	if got := cached(t, db); !got[`UPDATE t SET v = ? WHERE id = ?`] {
		t.Fatalf("the update is not prepared: %v", got)
	}
}

// The same statement run while its rows are open runs unprepared, and both
// read their own rows; a statement dropped from the cache while its rows
// are open still reads them, and is closed with them.
func TestSQLiteBusyStatement(t *testing.T) {
	db := sqliteDB(t, 1)
	const all = `SELECT id, v FROM t WHERE id >= ? ORDER BY id`
	for range 2 {
		rows, err := db.Query(all, 1)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	if got := cached(t, db); !got[all] {
		t.Fatalf("not prepared: %v", got)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	outer, err := conn.QueryContext(ctx, all, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int
	for outer.Next() {
		var id int
		var v string
		if err := outer.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		// The same text while the outer rows are open: unprepared.
		var n int
		inner, err := conn.QueryContext(ctx, all, id)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			n++
		}
		inner.Close()
		if n != 4-id {
			t.Fatalf("inner query from %d: %d rows, want %d", id, n, 4-id)
		}
		// Another statement twice: the cache holds one, so the busy outer
		// statement is dropped, and must keep reading.
		if id == 1 {
			for range 2 {
				if v := sqliteValue(t, conn, 2); v != "two" {
					t.Fatalf("other statement: %q", v)
				}
			}
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if len(ids) != 3 || ids[0] != 1 || ids[2] != 3 {
		t.Fatalf("outer rows: %v, want 1, 2, 3", ids)
	}
	// Column types still come from the driver.
	rows, err := conn.QueryContext(ctx, sqliteSelect, 1)
	if err != nil {
		t.Fatal(err)
	}
	types, err := rows.ColumnTypes()
	if err != nil || len(types) != 1 || types[0].DatabaseTypeName() != "TEXT" {
		t.Fatalf("column types %v, %v", types, err)
	}
	rows.Close()
}

// A failing statement reports its error, prepared or not, and the cache
// stays usable; closing the pool closes the statements (no zombie
// connection: the file can be opened and written again).
func TestSQLiteCachedStatementErrors(t *testing.T) {
	db := sqliteDB(t, 8)
	const insert = `INSERT INTO t (id, v) VALUES (?, ?)`
	for i := range 3 {
		if _, err := db.Exec(insert, 1, "dup"); err == nil {
			t.Fatalf("run %d: duplicate key accepted", i)
		}
	}
	if _, err := db.Exec(insert, 9, "nine"); err != nil {
		t.Fatal(err)
	}
	if got := cached(t, db); !got[insert] {
		t.Fatalf("the insert is not prepared: %v", got)
	}
	if v := sqliteValue(t, db, 9); v != "nine" {
		t.Fatalf("inserted %q", v)
	}
	// A table changed under a prepared statement: SQLite compiles it again.
	for range 2 {
		sqliteValue(t, db, 9)
	}
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN w text NOT NULL DEFAULT 'x'`); err != nil {
		t.Fatal(err)
	}
	if v := sqliteValue(t, db, 9); v != "nine" {
		t.Fatalf("after ALTER TABLE: %q", v)
	}
}
