package database

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	atlas "ariga.io/atlas/sql/schema"
	"entgo.io/ent/dialect"
)

// RevisionsTable is the table in which a database records its migrations:
// one row per migration file applied (or recorded as a baseline), with
// Atlas's revision fields, so that a failed or edited migration is told.
const RevisionsTable = "schema_revisions"

// revisionColumns are the columns of RevisionsTable, in the order read and
// written.
const revisionColumns = `"version", "description", "type", "applied", "total", "executed_at", "execution_time", "error", "error_stmt", "hash", "partial_hashes", "operator_version"`

// revisions is Atlas's RevisionReadWriter over RevisionsTable, through a
// connection or a transaction (a migration and its record commit together).
type revisions struct {
	conn    atlas.ExecQuerier
	dialect string
}

var _ migrate.RevisionReadWriter = (*revisions)(nil)

// Ident names the table, so that Atlas does not take it for part of the
// schema.
func (r *revisions) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: RevisionsTable}
}

// sql writes a query with ? placeholders for the dialect.
func (r *revisions) sql(query string) string {
	if r.dialect != dialect.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// create creates the table if it does not exist.
func (r *revisions) create(ctx context.Context) error {
	timestamp, integer := "datetime", "integer"
	if r.dialect == dialect.Postgres {
		timestamp, integer = "timestamptz", "bigint"
	}
	_, err := r.conn.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %q (
  "version" text NOT NULL,
  "description" text NOT NULL,
  "type" %[2]s NOT NULL,
  "applied" %[2]s NOT NULL,
  "total" %[2]s NOT NULL,
  "executed_at" %[3]s NOT NULL,
  "execution_time" %[2]s NOT NULL,
  "error" text NULL,
  "error_stmt" text NULL,
  "hash" text NOT NULL,
  "partial_hashes" text NULL,
  "operator_version" text NOT NULL,
  PRIMARY KEY ("version")
)`, RevisionsTable, integer, timestamp))
	if err != nil {
		return fmt.Errorf("creating the table %s: %w", RevisionsTable, err)
	}
	return nil
}

// exists reports whether the table exists; it is looked up rather than
// queried, since a failed query would abort a PostgreSQL transaction.
func (r *revisions) exists(ctx context.Context) (bool, error) {
	var ok bool
	var err error
	if r.dialect == dialect.Postgres {
		// to_regclass resolves the name through the search path, like the
		// unqualified names of the migrations.
		err = queryRow(ctx, r.conn, "SELECT to_regclass($1) IS NOT NULL", []any{RevisionsTable}, &ok)
	} else {
		err = queryRow(ctx, r.conn, "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?", []any{RevisionsTable}, &ok)
	}
	if err != nil {
		return false, fmt.Errorf("looking for the table %s: %w", RevisionsTable, err)
	}
	return ok, nil
}

// ReadRevisions returns the recorded migrations by version; none when the
// table does not exist yet.
func (r *revisions) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	return r.read(ctx, "")
}

// ReadRevision returns the record of a version, or migrate.ErrRevisionNotExist.
func (r *revisions) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	revs, err := r.read(ctx, version)
	if err != nil {
		return nil, err
	}
	if len(revs) == 0 {
		return nil, migrate.ErrRevisionNotExist
	}
	return revs[0], nil
}

func (r *revisions) read(ctx context.Context, version string) ([]*migrate.Revision, error) {
	if ok, err := r.exists(ctx); err != nil || !ok {
		return nil, err
	}
	query, args := fmt.Sprintf("SELECT %s FROM %q", revisionColumns, RevisionsTable), []any{}
	if version != "" {
		query, args = query+` WHERE "version" = ?`, append(args, version)
	}
	rows, err := r.conn.QueryContext(ctx, r.sql(query), args...)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", RevisionsTable, err)
	}
	defer rows.Close()
	var revs []*migrate.Revision
	for rows.Next() {
		var (
			rev                          migrate.Revision
			typ                          int64
			execution                    int64
			errText, errStmt, partialRaw sql.NullString
		)
		if err := rows.Scan(&rev.Version, &rev.Description, &typ, &rev.Applied, &rev.Total, &rev.ExecutedAt, &execution,
			&errText, &errStmt, &rev.Hash, &partialRaw, &rev.OperatorVersion); err != nil {
			return nil, fmt.Errorf("reading %s: %w", RevisionsTable, err)
		}
		rev.Type, rev.ExecutionTime = migrate.RevisionType(typ), time.Duration(execution)
		rev.Error, rev.ErrorStmt = errText.String, errStmt.String
		if partialRaw.Valid && partialRaw.String != "" {
			if err := json.Unmarshal([]byte(partialRaw.String), &rev.PartialHashes); err != nil {
				return nil, fmt.Errorf("reading %s: version %s: %w", RevisionsTable, rev.Version, err)
			}
		}
		revs = append(revs, &rev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", RevisionsTable, err)
	}
	// Atlas searches them by version, compared as strings.
	sort.Slice(revs, func(i, j int) bool { return revs[i].Version < revs[j].Version })
	return revs, nil
}

// WriteRevision records a migration, or updates its record (Atlas writes it
// when it starts and after each statement).
func (r *revisions) WriteRevision(ctx context.Context, rev *migrate.Revision) error {
	var partial sql.NullString
	if len(rev.PartialHashes) > 0 {
		b, err := json.Marshal(rev.PartialHashes)
		if err != nil {
			return err
		}
		partial = sql.NullString{String: string(b), Valid: true}
	}
	nullable := func(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
	query := fmt.Sprintf(`INSERT INTO %q (%s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT ("version") DO UPDATE SET "description" = excluded."description", "type" = excluded."type",
  "applied" = excluded."applied", "total" = excluded."total", "executed_at" = excluded."executed_at",
  "execution_time" = excluded."execution_time", "error" = excluded."error", "error_stmt" = excluded."error_stmt",
  "hash" = excluded."hash", "partial_hashes" = excluded."partial_hashes", "operator_version" = excluded."operator_version"`,
		RevisionsTable, revisionColumns)
	_, err := r.conn.ExecContext(ctx, r.sql(query),
		rev.Version, rev.Description, int64(rev.Type), rev.Applied, rev.Total, rev.ExecutedAt.UTC(), int64(rev.ExecutionTime),
		nullable(rev.Error), nullable(rev.ErrorStmt), rev.Hash, partial, rev.OperatorVersion)
	if err != nil {
		return fmt.Errorf("recording migration %s: %w", rev.Version, err)
	}
	return nil
}

// DeleteRevision removes the record of a version.
func (r *revisions) DeleteRevision(ctx context.Context, version string) error {
	_, err := r.conn.ExecContext(ctx, r.sql(fmt.Sprintf(`DELETE FROM %q WHERE "version" = ?`, RevisionsTable)), version)
	if err != nil {
		return fmt.Errorf("deleting the record of migration %s: %w", version, err)
	}
	return nil
}
