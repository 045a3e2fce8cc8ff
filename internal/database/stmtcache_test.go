package database_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"

	"github.com/lib/pq"

	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/testenv"
)

// stmtDB opens a pool of one PostgreSQL connection that keeps size
// statements prepared, with a table t(id, v).
func stmtDB(t *testing.T, size int) *sql.DB {
	t.Helper()
	if !testenv.Postgres() {
		t.Skip("the statement cache is PostgreSQL's")
	}
	drv, err := database.DriverWithPool(testenv.URL(t), database.Pool{MaxOpen: 1, MaxIdle: 1, Statements: size})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	db := drv.DB()
	if _, err := db.Exec(`CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL); INSERT INTO t VALUES (1, 'one'), (2, 'two')`); err != nil {
		t.Fatal(err)
	}
	return db
}

// prepared is the number of statements the connection's session holds.
func prepared(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func value(t *testing.T, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int) string {
	t.Helper()
	var v string
	if err := q.QueryRowContext(context.Background(), `SELECT v FROM t WHERE id = $1`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// A statement is prepared on its second run and reused after, inside and
// outside transactions, including one rolled back; its answers are those of
// the unprepared statement.
func TestStatementPreparedOnItsSecondRun(t *testing.T) {
	db := stmtDB(t, 8)
	if v := value(t, db, 1); v != "one" || prepared(t, db) != 0 {
		t.Fatalf("first run: %q, %d prepared, want one and 0", v, prepared(t, db))
	}
	if v := value(t, db, 2); v != "two" || prepared(t, db) != 1 {
		t.Fatalf("second run: %q, %d prepared, want two and 1", v, prepared(t, db))
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if v := value(t, tx, 1); v != "one" {
		t.Fatalf("in a transaction: %q", v)
	}
	if _, err := tx.Exec(`UPDATE t SET v = $1 WHERE id = $2`, "uno", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE t SET v = $1 WHERE id = $2`, "eins", 1); err != nil {
		t.Fatal(err)
	}
	if v := value(t, tx, 1); v != "eins" {
		t.Fatalf("after the prepared update: %q", v)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if v := value(t, db, 1); v != "one" || prepared(t, db) != 2 {
		t.Fatalf("after the rollback: %q, %d prepared, want one and 2 (the select and the update)", v, prepared(t, db))
	}
	if _, err := db.Exec(`UPDATE t SET v = $1 WHERE id = $2`, "one", 1); err != nil {
		t.Fatalf("the update prepared in a rolled-back transaction: %v", err)
	}
}

// Each connection keeps at most size statements, closing the least recently
// used.
func TestStatementCacheIsBounded(t *testing.T) {
	db := stmtDB(t, 2)
	queries := []string{`SELECT v FROM t WHERE id = $1`, `SELECT v FROM t WHERE id = $1 AND v <> ''`, `SELECT v FROM t WHERE $1 = id`}
	for _, q := range queries {
		for range 2 {
			var v string
			if err := db.QueryRow(q, 2).Scan(&v); err != nil || v != "two" {
				t.Fatalf("%s: %q, %v", q, v, err)
			}
		}
	}
	// The third statement's first run closed the first, the least recently
	// used of the two the connection held.
	rows, err := db.Query(`SELECT statement FROM pg_prepared_statements ORDER BY statement`)
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			t.Fatal(err)
		}
		held = append(held, q)
	}
	rows.Close()
	if want := []string{queries[2], queries[1]}; !slices.Equal(held, want) { // in text order
		t.Fatalf("prepared %q, want %q", held, want)
	}
}

// An error of the statement (a constraint) keeps it prepared; a table
// changed under it fails its next run once, as PostgreSQL reports it, and
// the run after that prepares it again.
func TestStatementCacheAfterErrors(t *testing.T) {
	db := stmtDB(t, 8)
	insert := `INSERT INTO t (id, v) VALUES ($1, $2)`
	for _, id := range []int{3, 4} {
		if _, err := db.Exec(insert, id, "x"); err != nil {
			t.Fatal(err)
		}
	}
	var pqErr *pq.Error
	if _, err := db.Exec(insert, 3, "again"); !errors.As(err, &pqErr) || pqErr.Code != "23505" {
		t.Fatalf("a duplicate insert = %v, want a unique violation", err)
	}
	if _, err := db.Exec(insert, 5, "x"); err != nil || prepared(t, db) != 1 {
		t.Fatalf("after the violation: %v, %d prepared, want the insert still prepared", err, prepared(t, db))
	}

	star := `SELECT * FROM t WHERE id = $1`
	scan := func() error {
		rows, err := db.Query(star, 1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	}
	for range 2 {
		if err := scan(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN w int`); err != nil {
		t.Fatal(err)
	}
	if err := scan(); !errors.As(err, &pqErr) || pqErr.Code != "0A000" {
		t.Fatalf("the statement of a changed table = %v, want PostgreSQL's cached plan error", err)
	}
	for range 3 {
		if err := scan(); err != nil {
			t.Fatalf("after the table changed: %v", err)
		}
	}
}

// With a size of 0 nothing is prepared.
func TestStatementCacheOff(t *testing.T) {
	db := stmtDB(t, 0)
	for range 3 {
		value(t, db, 1)
	}
	if n := prepared(t, db); n != 0 {
		t.Fatalf("%d statements prepared, want none", n)
	}
}
