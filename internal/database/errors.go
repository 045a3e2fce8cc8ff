package database

import (
	"errors"
	"strings"

	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/rencontre/rencontre/ent/migrate"
)

// ViolationKind is the kind of integrity constraint a statement broke.
type ViolationKind int

// Kinds of constraint violations.
const (
	Unique ViolationKind = iota + 1
	ForeignKey
)

// Violation is a broken integrity constraint, read from the driver's error
// (PostgreSQL's SQLSTATE and constraint name, SQLite's extended result code
// and its "table.column" list), the same on both databases.
type Violation struct {
	Kind    ViolationKind
	Table   string   // the table written to, such as "people"
	Columns []string // the columns of the constraint, such as ["organization_id", "email"], when known
}

// ConstraintViolation reports the integrity constraint that err (from any
// depth of wrapping) broke.
func ConstraintViolation(err error) (Violation, bool) {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "23505":
			return Violation{Kind: Unique, Table: pqErr.Table, Columns: indexColumns(pqErr.Table, pqErr.Constraint)}, true
		case "23503":
			return Violation{Kind: ForeignKey, Table: pqErr.Table}, true
		}
		return Violation{}, false
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			table, cols := sqliteColumns(liteErr.Error())
			return Violation{Kind: Unique, Table: table, Columns: cols}, true
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return Violation{Kind: ForeignKey}, true
		}
	}
	return Violation{}, false
}

// Retryable reports an error after which running the whole transaction again
// may succeed: a serialization failure or deadlock, a unique violation from a
// concurrent insert of the same row (the retry sees the committed row), or a
// busy SQLite database.
func Retryable(err error) bool {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "40001", "40P01", "23505": // serialization_failure, deadlock_detected, unique_violation
			return true
		}
		return false
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff { // the primary result code
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}

// indexColumns returns the columns of the unique index named constraint on
// table, from the ent schema (PostgreSQL names the index, not its columns).
func indexColumns(table, constraint string) []string {
	for _, t := range migrate.Tables {
		if t.Name != table {
			continue
		}
		for _, idx := range t.Indexes {
			if idx.Name == constraint {
				cols := make([]string, len(idx.Columns))
				for i, c := range idx.Columns {
					cols[i] = c.Name
				}
				return cols
			}
		}
		for _, c := range t.Columns {
			if c.Unique && (constraint == t.Name+"_"+c.Name+"_key" || constraint == t.Name+"_"+c.Name) {
				return []string{c.Name}
			}
		}
	}
	return nil
}

// sqliteColumns reads SQLite's structured constraint report,
// "UNIQUE constraint failed: people.organization_id, people.email (2067)":
// the table and the columns of the constraint.
func sqliteColumns(msg string) (table string, cols []string) {
	const marker = "constraint failed: "
	i := strings.LastIndex(msg, marker)
	if i < 0 {
		return "", nil
	}
	list := msg[i+len(marker):]
	if i := strings.LastIndex(list, " ("); i >= 0 {
		list = list[:i]
	}
	for _, qualified := range strings.Split(list, ",") {
		t, c, ok := strings.Cut(strings.TrimSpace(qualified), ".")
		if !ok {
			continue
		}
		table = t
		cols = append(cols, c)
	}
	return table, cols
}
