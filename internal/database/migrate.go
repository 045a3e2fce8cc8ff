package database

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	atlaspg "ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	atlassqlite "ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/migrations"
)

// The versioned migrations: the files of migrations/<dialect> (generated from
// the ent schema, embedded in the binary) are applied in order, each in its
// own transaction, through Atlas's executor; each applied file is recorded in
// RevisionsTable with its hash, so that a database knows where it stands.

// operator is recorded with each revision, as Atlas's CLI records its version.
const operator = "rencontre"

// Migration is one file of the migrations: its version (0001, 0002, …) and
// what it does (baseline, alter_memberships, …).
type Migration struct {
	Version     string
	Description string
}

// Name is the migration's file name without .sql, as it is shown.
func (m Migration) Name() string {
	if m.Description == "" {
		return m.Version
	}
	return m.Version + "_" + m.Description
}

func migrationOf(f migrate.File) Migration {
	return Migration{Version: f.Version(), Description: f.Desc()}
}

// AppliedMigration is a migration recorded in a database.
type AppliedMigration struct {
	Migration
	At time.Time // when it was applied or recorded
	// Baseline: recorded without being run, because the database already had
	// its schema (made by the auto-migration of an earlier build).
	Baseline bool
	// Unknown: this build has no such migration; the database was migrated by
	// a newer build.
	Unknown bool
}

// MigrationStatus is where a database stands against the migrations of this
// build.
type MigrationStatus struct {
	Dialect string
	Applied []AppliedMigration
	// Baseline is set for a database that has tables but no migration
	// history, made by the auto-migration of an earlier build, whose schema is
	// what this migration leads to: migrating records it as applied, without
	// running it or those before it.
	Baseline *Migration
	Pending  []Migration // to run, in order
}

// Behind reports whether the database needs migrating before this build may
// use it.
func (s MigrationStatus) Behind() bool { return s.Baseline != nil || len(s.Pending) > 0 }

// names lists the work to do, for messages.
func (s MigrationStatus) names() string {
	var names []string
	if s.Baseline != nil {
		names = append(names, s.Baseline.Name()+" (to record: the database already has its schema)")
	}
	for _, p := range s.Pending {
		names = append(names, p.Name())
	}
	return strings.Join(names, ", ")
}

// BehindError is Prepare's refusal to use a database that is behind this
// build while auto-migration is off.
type BehindError struct {
	Status      MigrationStatus
	DatabaseURL string
}

// Error names the pending migrations and the command that applies them.
func (e *BehindError) Error() string {
	cmd := "rencontre migrate"
	if e.DatabaseURL != "" {
		cmd += " --database-url '" + Redact(e.DatabaseURL) + "'"
	}
	hint := ""
	if Redact(e.DatabaseURL) != e.DatabaseURL {
		hint = " (the password is hidden: give the server's)"
	}
	return fmt.Sprintf("the database is behind this build: pending migrations %s; apply them with `%s`%s, or start with --auto-migrate",
		e.Status.names(), cmd, hint)
}

// UnknownSchemaError is the refusal to migrate a database that has tables but
// no migration history, when its schema is not what any migration of this
// build leads to: applying migrations over it could fail halfway or lose data.
type UnknownSchemaError struct {
	Compared    Migration // the last migration, which the differences are against
	Differences []string
}

// Error lists the first differences and what the operator can do.
func (e *UnknownSchemaError) Error() string {
	const shown = 8
	diffs := e.Differences
	more := ""
	if len(diffs) > shown {
		diffs, more = diffs[:shown], fmt.Sprintf("; and %d more", len(diffs)-shown)
	}
	return fmt.Sprintf("the database has tables but no migration history, and its schema is not what any migration of this build leads to "+
		"(against %s: %s%s); bring the schema to one of them by hand, or, if you know which one it is, record it with `rencontre migrate --baseline VERSION`",
		e.Compared.Name(), strings.Join(diffs, "; "), more)
}

// MigrateOptions are the choices of `rencontre migrate`.
type MigrateOptions struct {
	Status bool // list the applied and pending migrations, change nothing
	DryRun bool // say what migrating would do, change nothing
	// Baseline records this version (and those before it) as applied without
	// running it, on a database with tables but no migration history whose
	// schema the operator knows to be that version's.
	Baseline string
}

// AutoMigrateDefault is the default of the server's --auto-migrate: on for
// the embedded SQLite database (one process owns it; nobody runs a separate
// migration step for it) and with the demo data, off for PostgreSQL, where
// migrating is a deliberate step of a deployment.
func AutoMigrateDefault(rawURL string, demo bool) bool {
	if demo {
		return true
	}
	_, dialectName, _, err := parse(rawURL)
	return err == nil && dialectName == dialect.SQLite
}

// Prepare makes the database ready for this build at start: when migrations
// are pending it applies them if autoMigrate is on, and otherwise refuses with
// a *BehindError naming them and the command to run. A database made by the
// auto-migration of an earlier build is recognised (see MigrationStatus).
func Prepare(ctx context.Context, c *ent.Client, rawURL string, autoMigrate bool) error {
	var (
		st  MigrationStatus
		err error
	)
	if autoMigrate {
		st, err = ApplyMigrations(ctx, c, rawURL, MigrateOptions{}, nil)
	} else {
		st, err = MigrationState(ctx, c, rawURL)
	}
	if err != nil {
		return err
	}
	if st.Behind() && !autoMigrate {
		return &BehindError{Status: st, DatabaseURL: rawURL}
	}
	if st.Behind() {
		slog.Info("database migrated", "migrations", st.names())
	}
	for _, a := range st.Applied {
		if a.Unknown {
			// Rolling back a deployment runs an older build on a newer
			// schema: allowed, since migrations mostly add, but said.
			slog.Warn("the database has a migration this build does not know: it was migrated by a newer build", "migration", a.Name())
		}
	}
	return nil
}

// MigrationState reports the applied and pending migrations of the database.
// It changes nothing.
func MigrationState(ctx context.Context, c *ent.Client, rawURL string) (MigrationStatus, error) {
	m, err := openMigrator(ctx, c, rawURL)
	if err != nil {
		return MigrationStatus{}, err
	}
	defer m.close()
	return m.status(ctx, "")
}

// ApplyMigrations brings the database to the last migration of this build and
// returns what it did (or, with opts.DryRun, would do): the baseline recorded
// and the migrations run. Each migration runs in its own transaction; on
// PostgreSQL, concurrent callers wait for each other (an advisory lock), and
// the unused ID sequences are then aligned as the auto-migration did.
func ApplyMigrations(ctx context.Context, c *ent.Client, rawURL string, opts MigrateOptions, progress func(step string)) (MigrationStatus, error) {
	m, err := openMigrator(ctx, c, rawURL)
	if err != nil {
		return MigrationStatus{}, err
	}
	defer m.close()
	return m.apply(ctx, c, opts, progress)
}

// apply is ApplyMigrations on an open migrator.
func (m *migrator) apply(ctx context.Context, c *ent.Client, opts MigrateOptions, progress func(step string)) (MigrationStatus, error) {
	if progress == nil {
		progress = func(string) {}
	}
	if opts.DryRun {
		return m.status(ctx, opts.Baseline)
	}
	unlock, err := m.lock(ctx)
	if err != nil {
		return MigrationStatus{}, err
	}
	defer unlock()
	// Read again under the lock: another process may have migrated meanwhile.
	st, err := m.status(ctx, opts.Baseline)
	if err != nil {
		return st, err
	}
	if st.Behind() {
		if err := (&revisions{conn: m.conn, dialect: m.dialect}).create(ctx); err != nil {
			return st, err
		}
	}
	if st.Baseline != nil {
		if err := m.recordBaseline(ctx, *st.Baseline); err != nil {
			return st, err
		}
		progress(fmt.Sprintf("recorded %s as applied: the database already has its schema", st.Baseline.Name()))
	}
	for _, p := range st.Pending {
		start := time.Now()
		n, applied, err := m.execute(ctx, m.file(p.Version))
		if err != nil {
			return st, fmt.Errorf("applying migration %s (rolled back; those after it were not run): %w", p.Name(), err)
		}
		if applied {
			progress(fmt.Sprintf("applied %s (%d statements, %s)", p.Name(), n, time.Since(start).Round(time.Millisecond)))
		} else {
			progress(fmt.Sprintf("skipped %s: applied meanwhile by another process", p.Name()))
		}
	}
	// A baseline alone changes no table: the auto-migration that made them
	// aligned their sequences.
	if m.dialect == dialect.Postgres && len(st.Pending) > 0 {
		if err := alignIdentities(ctx, c); err != nil {
			return st, err
		}
	}
	return st, nil
}

// migrator works on one database with the migrations of its dialect.
type migrator struct {
	dialect string
	dir     migrate.Dir
	files   []migrate.File
	// conn is a single connection: SQLite's foreign_keys pragma and
	// PostgreSQL's advisory lock belong to one, and a transaction must start
	// on the connection where the pragma was set.
	conn  atlas.ExecQuerier
	begin func(context.Context) (txConn, error)
	close func() error
}

// txConn is a transaction on the migrator's connection.
type txConn interface {
	atlas.ExecQuerier
	Commit() error
	Rollback() error
}

// openMigrator works on the database of rawURL with the migrations of this
// build.
func openMigrator(ctx context.Context, c *ent.Client, rawURL string) (*migrator, error) {
	_, dialectName, _, err := parse(rawURL)
	if err != nil {
		return nil, err
	}
	dir, err := migrationDir(dialectName)
	if err != nil {
		return nil, err
	}
	return newMigrator(ctx, c, rawURL, dir)
}

// newMigrator opens a connection of its own to the database of rawURL, or,
// for an in-memory SQLite database, uses the client's: that database lives in
// the client's only connection, and another would be another database.
func newMigrator(ctx context.Context, c *ent.Client, rawURL string, dir migrate.Dir) (*migrator, error) {
	driverName, dialectName, dsn, err := parse(rawURL)
	if err != nil {
		return nil, err
	}
	m := &migrator{dialect: dialectName, dir: dir}
	if m.files, err = dir.Files(); err != nil {
		return nil, err
	}
	if dialectName == dialect.SQLite && strings.Contains(dsn, ":memory:") {
		m.conn, m.close = c, func() error { return nil }
		m.begin = func(ctx context.Context) (txConn, error) {
			tx, err := c.Tx(ctx)
			if err != nil {
				return nil, err
			}
			return tx, nil
		}
	} else {
		db, err := sql.Open(driverName, dsn)
		if err != nil {
			return nil, fmt.Errorf("opening %s database: %w", dialectName, err)
		}
		conn, err := db.Conn(ctx)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("connecting to the %s database: %w", dialectName, err)
		}
		m.conn, m.close = conn, func() error { return errors.Join(conn.Close(), db.Close()) }
		m.begin = func(ctx context.Context) (txConn, error) { return conn.BeginTx(ctx, nil) }
	}
	if dialectName == dialect.SQLite {
		m.begin = m.withoutForeignKeys(m.begin)
	}
	return m, nil
}

// withoutForeignKeys runs SQLite transactions with foreign keys off, checked
// before the commit as Atlas's own executor does. A migration that changes a
// column rebuilds the table (create a copy, copy the rows, drop, rename); with
// foreign keys on, the drop would delete or refuse the rows that reference it.
// The pragma is a no-op inside a transaction, hence set before it starts.
func (m *migrator) withoutForeignKeys(begin func(context.Context) (txConn, error)) func(context.Context) (txConn, error) {
	return func(ctx context.Context) (txConn, error) {
		var on bool
		if err := queryRow(ctx, m.conn, "PRAGMA foreign_keys", nil, &on); err != nil {
			return nil, err
		}
		if on {
			if _, err := m.conn.ExecContext(ctx, "PRAGMA foreign_keys = off"); err != nil {
				return nil, err
			}
		}
		tx, err := begin(ctx)
		if err != nil {
			return nil, m.foreignKeysOn(ctx, on, err)
		}
		commit, err := atlassqlite.CommitFunc(ctx, m.conn, tx, on)
		if err != nil {
			return nil, m.foreignKeysOn(ctx, on, errors.Join(err, tx.Rollback()))
		}
		return &sqliteTx{txConn: tx, commit: commit, rollback: atlassqlite.RollbackFunc(ctx, m.conn, tx, on)}, nil
	}
}

func (m *migrator) foreignKeysOn(ctx context.Context, on bool, err error) error {
	if on {
		if _, err2 := m.conn.ExecContext(ctx, "PRAGMA foreign_keys = on"); err2 != nil {
			return errors.Join(err, err2)
		}
	}
	return err
}

// sqliteTx turns foreign keys back on when it ends.
type sqliteTx struct {
	txConn
	commit, rollback func() error
}

func (t *sqliteTx) Commit() error   { return t.commit() }
func (t *sqliteTx) Rollback() error { return t.rollback() }

// migrationDir returns the embedded migrations of a dialect, with their
// atlas.sum as committed, so that a file changed after generation is refused.
func migrationDir(dialectName string) (migrate.Dir, error) {
	name := "postgres"
	if dialectName == dialect.SQLite {
		name = "sqlite" // ent's name for the dialect is sqlite3
	}
	sub, err := fs.Sub(migrations.FS, name)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		return nil, fmt.Errorf("reading the %s migrations: %w", dialectName, err)
	}
	dir := &migrate.MemDir{}
	for _, e := range entries {
		b, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			return nil, err
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("the %s migrations of this build do not match their atlas.sum: %w", dialectName, err)
	}
	return dir, nil
}

func (m *migrator) file(version string) migrate.File {
	for _, f := range m.files {
		if f.Version() == version {
			return f
		}
	}
	return nil
}

func (m *migrator) atlasDriver(conn atlas.ExecQuerier) (migrate.Driver, error) {
	if m.dialect == dialect.Postgres {
		return atlaspg.Open(conn)
	}
	return atlassqlite.Open(conn)
}

// status reads where the database stands. forcedBaseline is the operator's
// --baseline, taken instead of recognising the schema.
func (m *migrator) status(ctx context.Context, forcedBaseline string) (MigrationStatus, error) {
	st := MigrationStatus{Dialect: m.dialect}
	rrw := &revisions{conn: m.conn, dialect: m.dialect}
	revs, err := rrw.ReadRevisions(ctx)
	if err != nil {
		return st, err
	}
	for _, r := range revs {
		st.Applied = append(st.Applied, AppliedMigration{
			Migration: Migration{Version: r.Version, Description: r.Description},
			At:        r.ExecutedAt,
			Baseline:  r.Type.Has(migrate.RevisionTypeBaseline),
			Unknown:   m.file(r.Version) == nil,
		})
	}
	if len(revs) > 0 {
		if forcedBaseline != "" {
			return st, fmt.Errorf("--baseline is for a database without migration history; this one has %d applied migrations", len(revs))
		}
		drv, err := m.atlasDriver(m.conn)
		if err != nil {
			return st, err
		}
		ex, err := migrate.NewExecutor(drv, m.dir, rrw)
		if err != nil {
			return st, err
		}
		pending, err := ex.Pending(ctx)
		if err != nil && !errors.Is(err, migrate.ErrNoPendingFiles) {
			return st, fmt.Errorf("reading the pending migrations: %w", err)
		}
		for _, f := range pending {
			st.Pending = append(st.Pending, migrationOf(f))
		}
		return st, nil
	}
	drv, err := m.atlasDriver(m.conn)
	if err != nil {
		return st, err
	}
	existing, err := inspectTables(ctx, drv, "")
	if err != nil {
		return st, fmt.Errorf("inspecting the database: %w", err)
	}
	baseline := -1
	switch {
	case forcedBaseline != "":
		if baseline = migrate.FilesLastIndex(m.files, func(f migrate.File) bool { return f.Version() == forcedBaseline }); baseline < 0 {
			return st, fmt.Errorf("--baseline %s: this build has no migration of that version", forcedBaseline)
		}
	case len(existing.Tables) > 0:
		// Made by the auto-migration of an earlier build: recognise it.
		if baseline, err = m.matchBaseline(ctx, existing); err != nil {
			return st, err
		}
	}
	if baseline >= 0 {
		b := migrationOf(m.files[baseline])
		st.Baseline = &b
	}
	for _, f := range m.files[baseline+1:] {
		st.Pending = append(st.Pending, migrationOf(f))
	}
	return st, nil
}

// columnsOf is the set of "table.column" of a schema's tables.
func columnsOf(s *atlas.Schema) map[string]bool {
	out := map[string]bool{}
	for _, t := range s.Tables {
		for _, c := range t.Columns {
			out[t.Name+"."+c.Name] = true
		}
	}
	return out
}

// sameColumns reports whether the tables of a PostgreSQL schema (but
// RevisionsTable) have exactly the columns named in want.
func sameColumns(ctx context.Context, drv migrate.Driver, schemaName string, want map[string]bool) (bool, error) {
	rows, err := drv.QueryContext(ctx, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name <> $2",
		schemaName, RevisionsTable)
	if err != nil {
		return false, fmt.Errorf("listing the replayed columns: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return false, fmt.Errorf("listing the replayed columns: %w", err)
		}
		if !want[table+"."+column] {
			return false, nil
		}
		n++
	}
	return n == len(want), rows.Err()
}

// inspectTables reads the tables of a schema ("" for the connection's), but
// RevisionsTable: the part of a database that the migrations make.
func inspectTables(ctx context.Context, drv migrate.Driver, name string) (*atlas.Schema, error) {
	s, err := drv.InspectSchema(ctx, name, &atlas.InspectOptions{Mode: atlas.InspectSchemas | atlas.InspectTables})
	if err != nil {
		return nil, err
	}
	tables := s.Tables[:0]
	for _, t := range s.Tables {
		if t.Name != RevisionsTable {
			tables = append(tables, t)
		}
	}
	s.Tables = tables
	return s, nil
}

// matchBaseline returns the index of the last migration whose result is the
// schema of existing, by replaying the migrations one by one on a scratch
// database and comparing; it fails with an *UnknownSchemaError if none is.
func (m *migrator) matchBaseline(ctx context.Context, existing *atlas.Schema) (int, error) {
	match, last := -1, []atlas.Change(nil)
	want := columnsOf(existing)
	err := m.replay(ctx, func(drv migrate.Driver, schemaName string) error {
		ex, err := migrate.NewExecutor(drv, m.dir, migrate.NopRevisionReadWriter{})
		if err != nil {
			return err
		}
		for i, f := range m.files {
			if err := ex.Execute(ctx, f); err != nil {
				return fmt.Errorf("replaying migration %s: %w", f.Name(), err)
			}
			// Inspecting a PostgreSQL schema takes seconds: after each
			// migration but the last (whose differences an unknown schema
			// reports), inspect only when the tables' columns have the
			// names of existing's, one catalog query.
			if m.dialect == dialect.Postgres && i < len(m.files)-1 {
				same, err := sameColumns(ctx, drv, schemaName, want)
				if err != nil {
					return err
				}
				if !same {
					continue
				}
			}
			replayed, err := inspectTables(ctx, drv, schemaName)
			if err != nil {
				return err
			}
			// Compare the tables, not where they are.
			replayed.Name, replayed.Attrs = existing.Name, existing.Attrs
			if last, err = drv.SchemaDiff(existing, replayed); err != nil {
				return err
			}
			if len(last) == 0 {
				match = i
			}
		}
		return nil
	})
	if err != nil {
		return -1, fmt.Errorf("recognising a database made without migration history (if you know which migration its schema is, record it with `rencontre migrate --baseline VERSION`): %w", err)
	}
	if match < 0 {
		var latest Migration
		if n := len(m.files); n > 0 {
			latest = migrationOf(m.files[n-1])
		}
		return -1, &UnknownSchemaError{Compared: latest, Differences: describeChanges(last)}
	}
	return match, nil
}

// replay gives run an empty scratch database of the dialect, which leaves no
// trace: SQLite in memory; on PostgreSQL a schema created in a transaction of
// the database itself, rolled back at the end.
func (m *migrator) replay(ctx context.Context, run func(drv migrate.Driver, schemaName string) error) error {
	if m.dialect == dialect.SQLite {
		driverName, _, dsn, err := parse("sqlite::memory:")
		if err != nil {
			return err
		}
		db, err := sql.Open(driverName, dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		db.SetMaxOpenConns(1) // each connection would be its own database
		drv, err := atlassqlite.Open(db)
		if err != nil {
			return err
		}
		return run(drv, "")
	}
	tx, err := m.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "rencontre_replay_" + hex.EncodeToString(b)
	for _, stmt := range []string{"CREATE SCHEMA " + name, "SET LOCAL search_path TO " + name} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("creating a scratch schema (rolled back at once): %w", err)
		}
	}
	drv, err := atlaspg.Open(tx)
	if err != nil {
		return err
	}
	return run(drv, name)
}

// describeChanges says, for an operator, how a database differs from what a
// migration leads to (changes from the database to the migration's result).
func describeChanges(changes []atlas.Change) []string {
	var out []string
	for _, c := range changes {
		switch c := c.(type) {
		case *atlas.AddTable:
			out = append(out, fmt.Sprintf("table %s is missing", c.T.Name))
		case *atlas.DropTable:
			out = append(out, fmt.Sprintf("table %s is not in the migrations", c.T.Name))
		case *atlas.ModifyTable:
			for _, tc := range c.Changes {
				out = append(out, fmt.Sprintf("table %s: %s", c.T.Name, describeTableChange(tc)))
			}
		default:
			out = append(out, fmt.Sprintf("%T", c))
		}
	}
	return out
}

func describeTableChange(c atlas.Change) string {
	switch c := c.(type) {
	case *atlas.AddColumn:
		return fmt.Sprintf("column %s is missing", c.C.Name)
	case *atlas.DropColumn:
		return fmt.Sprintf("column %s is not in the migrations", c.C.Name)
	case *atlas.ModifyColumn:
		return fmt.Sprintf("column %s differs", c.To.Name)
	case *atlas.AddIndex:
		return fmt.Sprintf("index %s is missing", c.I.Name)
	case *atlas.DropIndex:
		return fmt.Sprintf("index %s is not in the migrations", c.I.Name)
	case *atlas.ModifyIndex:
		return fmt.Sprintf("index %s differs", c.To.Name)
	case *atlas.AddForeignKey:
		return fmt.Sprintf("foreign key %s is missing", c.F.Symbol)
	case *atlas.DropForeignKey:
		return fmt.Sprintf("foreign key %s is not in the migrations", c.F.Symbol)
	case *atlas.ModifyForeignKey:
		return fmt.Sprintf("foreign key %s differs", c.To.Symbol)
	}
	return fmt.Sprintf("%T", c)
}

// recordBaseline records a migration as applied without running it, as
// Atlas's executor records a baseline.
func (m *migrator) recordBaseline(ctx context.Context, b Migration) error {
	tx, err := m.begin(ctx)
	if err != nil {
		return err
	}
	err = (&revisions{conn: tx, dialect: m.dialect}).WriteRevision(ctx, &migrate.Revision{
		Version:         b.Version,
		Description:     b.Description,
		Type:            migrate.RevisionTypeBaseline,
		ExecutedAt:      time.Now(),
		OperatorVersion: operator,
	})
	if err != nil {
		return errors.Join(fmt.Errorf("recording the baseline %s: %w", b.Name(), err), tx.Rollback())
	}
	return tx.Commit()
}

// execute runs one migration and records it, in one transaction: a failed
// migration leaves neither a half-changed schema nor a record. It runs
// nothing (applied false) when the migration is already recorded: another
// process applied it since the status was read (SQLite, whose immediate
// transaction is where writers queue).
func (m *migrator) execute(ctx context.Context, f migrate.File) (statements int, applied bool, err error) {
	tx, err := m.begin(ctx)
	if err != nil {
		return 0, false, err
	}
	rrw := &revisions{conn: tx, dialect: m.dialect}
	switch r, err := rrw.ReadRevision(ctx, f.Version()); {
	case errors.Is(err, migrate.ErrRevisionNotExist):
	case err != nil:
		return 0, false, errors.Join(err, tx.Rollback())
	case r.Applied == r.Total && r.Error == "":
		return 0, false, tx.Rollback()
	}
	drv, err := m.atlasDriver(tx)
	if err != nil {
		return 0, false, errors.Join(err, tx.Rollback())
	}
	// Atlas records the revision after each statement, for migrations run
	// outside a transaction; in one, only the last record can ever be seen.
	last := &lastRevision{RevisionReadWriter: rrw}
	ex, err := migrate.NewExecutor(drv, m.dir, last, migrate.WithOperatorVersion(operator))
	if err != nil {
		return 0, false, errors.Join(err, tx.Rollback())
	}
	if err := ex.Execute(ctx, f); err != nil {
		return 0, false, errors.Join(err, tx.Rollback())
	}
	// Atlas stamps each write with its time; the record says when the
	// migration started and how long it took.
	last.rev.ExecutedAt, last.rev.ExecutionTime = last.start, time.Since(last.start)
	if err := rrw.WriteRevision(ctx, last.rev); err != nil {
		return 0, false, errors.Join(err, tx.Rollback())
	}
	stmts, err := f.Stmts()
	if err != nil {
		return 0, false, errors.Join(err, tx.Rollback())
	}
	return len(stmts), true, tx.Commit()
}

// lastRevision keeps the revision Atlas writes, for one write at the end.
type lastRevision struct {
	migrate.RevisionReadWriter
	rev   *migrate.Revision
	start time.Time // of the first write, when the migration started
}

// WriteRevision keeps a copy of the revision.
func (l *lastRevision) WriteRevision(_ context.Context, r *migrate.Revision) error {
	if l.rev == nil {
		l.start = r.ExecutedAt
	}
	c := *r
	l.rev = &c
	return nil
}

// lock makes concurrent migrations of one PostgreSQL database (servers
// starting together) wait for each other; the key is per schema, so that
// tests migrating their own schemas do not. SQLite's immediate transactions
// already serialize writers, and a migration already recorded is not run
// again.
func (m *migrator) lock(ctx context.Context) (unlock func(), err error) {
	if m.dialect != dialect.Postgres {
		return func() {}, nil
	}
	var current sql.NullString
	if err := queryRow(ctx, m.conn, "SELECT current_schema()", nil, &current); err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("rencontre migrate " + current.String))
	key := int64(h.Sum64())
	if _, err := m.conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return nil, fmt.Errorf("waiting for other migrations of the database: %w", err)
	}
	return func() {
		_, _ = m.conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
	}, nil
}

// queryRow scans the first row of a query into dest.
func queryRow(ctx context.Context, q atlas.ExecQuerier, query string, args []any, dest ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}
