package database_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"ariga.io/atlas/sql/migrate"
	atlaspg "ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	atlassqlite "ariga.io/atlas/sql/sqlite"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"

	"github.com/rencontre/rencontre/ent"
	entmigrate "github.com/rencontre/rencontre/ent/migrate"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/migrations"
)

// dialectName is the dialect of the test databases.
func dialectName() string {
	if testenv.Postgres() {
		return dialect.Postgres
	}
	return dialect.SQLite
}

// fresh returns a client on a new, empty database and its URL.
func fresh(t *testing.T) (*ent.Client, string) {
	t.Helper()
	u := testenv.URL(t)
	c, err := database.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, u
}

// queryInt runs query, whose one row is one integer, and returns it.
func queryInt(t *testing.T, c *ent.Client, query string) int {
	t.Helper()
	rows, err := c.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// buildMigrations lists the migrations of this build, read from the embedded
// files (the list changes with the schema: no test names them).
func buildMigrations(t *testing.T) []database.Migration {
	t.Helper()
	dir, err := database.MigrationDir(dialectName())
	if err != nil {
		t.Fatal(err)
	}
	files, err := dir.Files()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no migrations in this build")
	}
	var out []database.Migration
	for _, f := range files {
		out = append(out, database.Migration{Version: f.Version(), Description: f.Desc()})
	}
	return out
}

// inspect reads the tables that the migrations make in the database of u.
func inspect(t *testing.T, u string) (*atlas.Schema, migrate.Driver) {
	t.Helper()
	drv, err := database.Driver(u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() })
	var ad migrate.Driver
	if testenv.Postgres() {
		ad, err = atlaspg.Open(drv.DB())
	} else {
		ad, err = atlassqlite.Open(drv.DB())
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := ad.InspectSchema(context.Background(), "", &atlas.InspectOptions{Mode: atlas.InspectSchemas | atlas.InspectTables})
	if err != nil {
		t.Fatal(err)
	}
	s.Tables = slices.DeleteFunc(s.Tables, func(t *atlas.Table) bool { return t.Name == database.RevisionsTable })
	return s, ad
}

// tableNames lists the tables of a schema, sorted.
func tableNames(s *atlas.Schema) []string {
	var names []string
	for _, t := range s.Tables {
		names = append(names, t.Name)
	}
	slices.Sort(names)
	return names
}

// requireSameSchema fails unless the databases of want and got have the same
// tables, columns, indexes and foreign keys (and, on SQLite, the same ID
// sequences: the global ID ranges).
func requireSameSchema(t *testing.T, want, got string) {
	t.Helper()
	ws, drv := inspect(t, want)
	gs, _ := inspect(t, got)
	if len(ws.Tables) == 0 {
		t.Fatal("the reference database has no tables")
	}
	if w, g := tableNames(ws), tableNames(gs); !slices.Equal(w, g) {
		t.Fatalf("tables differ:\nwant %v\ngot  %v", w, g)
	}
	gs.Name, gs.Attrs = ws.Name, ws.Attrs
	changes, err := drv.SchemaDiff(ws, gs)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		desc := fmt.Sprintf("%T", c)
		if m, ok := c.(*atlas.ModifyTable); ok {
			desc = fmt.Sprintf("table %s:", m.T.Name)
			for _, tc := range m.Changes {
				desc += fmt.Sprintf(" %T%+v", tc, tc)
			}
		}
		t.Errorf("schemas differ: %s", desc)
	}
	if !testenv.Postgres() {
		if w, g := sequences(t, want), sequences(t, got); w != g {
			t.Errorf("ID sequences differ:\nwant %s\ngot  %s", w, g)
		}
	}
}

// sequences lists SQLite's AUTOINCREMENT sequences, where each type's ID range
// starts.
func sequences(t *testing.T, u string) string {
	t.Helper()
	drv, err := database.Driver(u)
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	rows, err := drv.DB().Query("SELECT name, seq FROM sqlite_sequence ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var name string
		var seq int64
		if err := rows.Scan(&name, &seq); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s=%d ", name, seq)
	}
	return b.String()
}

// devDriver is an empty database for PlanMigration: SQLite in memory, or a
// PostgreSQL database of its own (Atlas replays only on a database without
// other schemas, so not a testenv schema).
func devDriver(t *testing.T) dialect.Driver {
	t.Helper()
	if !testenv.Postgres() {
		drv, err := database.Driver("sqlite::memory:")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { drv.Close() })
		return drv
	}
	base := os.Getenv("RENCONTRE_TEST_POSTGRES_URL")
	if base == "" {
		base = testenv.DefaultPostgresURL
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "test_dev_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("creating a dev database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("dropping the dev database: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	drv, err := database.Driver(u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close() }) // before the drop: cleanups run last first
	return drv
}

func TestMigrationsGiveTheSchemaOfTheAutoMigration(t *testing.T) {
	ctx := context.Background()
	auto, autoURL := fresh(t)
	if err := auto.Schema.Create(ctx); err != nil { // the auto-migration of earlier builds
		t.Fatal(err)
	}
	versioned, versionedURL := fresh(t)
	if err := database.Migrate(ctx, versioned, versionedURL); err != nil {
		t.Fatal(err)
	}
	requireSameSchema(t, autoURL, versionedURL)
}

func TestMigrationsAgreeWithTheEntSchema(t *testing.T) {
	dir, err := database.MigrationDir(dialectName())
	if err != nil {
		t.Fatal(err)
	}
	planned, err := database.PlanMigration(context.Background(), devDriver(t), dir, entmigrate.Tables)
	if err != nil {
		t.Fatal(err)
	}
	if planned != nil {
		t.Errorf("the migrations lag behind the ent schema: run `go generate ./...`; it would add:\n%s", planned)
	}
}

func TestPlanMigrationDetectsDrift(t *testing.T) {
	dir, err := database.MigrationDir(dialectName())
	if err != nil {
		t.Fatal(err)
	}
	// The ent schema with one more column in its first table.
	tables := slices.Clone(entmigrate.Tables)
	orig := tables[0]
	changed := schema.NewTable(orig.Name)
	for _, c := range orig.Columns {
		changed.AddColumn(c)
	}
	changed.AddColumn(&schema.Column{Name: "drift_probe", Type: field.TypeString, Nullable: true})
	changed.PrimaryKey, changed.Indexes, changed.ForeignKeys, changed.Annotation = orig.PrimaryKey, orig.Indexes, orig.ForeignKeys, orig.Annotation
	tables[0] = changed
	planned, err := database.PlanMigration(context.Background(), devDriver(t), dir, tables)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(planned, []byte("drift_probe")) {
		t.Errorf("a column added to %s was not planned; planned:\n%s", changed.Name, planned)
	}
}

func TestPrepareRefusesADatabaseThatIsBehindAndNamesTheCommand(t *testing.T) {
	ctx := context.Background()
	all := buildMigrations(t)
	c, u := fresh(t)

	err := database.Prepare(ctx, c, u, false)
	var behind *database.BehindError
	if !errors.As(err, &behind) {
		t.Fatalf("Prepare on an empty database without auto-migration = %v, want a BehindError", err)
	}
	if !strings.Contains(err.Error(), "rencontre migrate --database-url '") {
		t.Errorf("the error does not give the command to run: %v", err)
	}
	for _, m := range all {
		if !strings.Contains(err.Error(), m.Name()) {
			t.Errorf("the error does not name pending migration %s: %v", m.Name(), err)
		}
	}
	if len(behind.Status.Pending) != len(all) {
		t.Errorf("pending = %v, want all %d migrations", behind.Status.Pending, len(all))
	}
	if st, err := database.MigrationState(ctx, c, u); err != nil || len(st.Applied) != 0 {
		t.Errorf("the refusal changed the database: %+v, %v", st, err)
	}

	if len(all) > 1 {
		// Behind by one migration: only that one is named.
		if err := database.ApplyUpTo(ctx, c, u, all[len(all)-2].Version); err != nil {
			t.Fatal(err)
		}
		err := database.Prepare(ctx, c, u, false)
		if !errors.As(err, &behind) || len(behind.Status.Pending) != 1 || behind.Status.Pending[0] != all[len(all)-1] {
			t.Fatalf("Prepare on a database behind by one = %v, want a BehindError naming %s", err, all[len(all)-1].Name())
		}
		if strings.Contains(err.Error(), all[0].Name()) {
			t.Errorf("the error names a migration already applied: %v", err)
		}
	}

	if err := database.Prepare(ctx, c, u, true); err != nil {
		t.Fatalf("Prepare with auto-migration: %v", err)
	}
	if err := database.Prepare(ctx, c, u, false); err != nil {
		t.Fatalf("Prepare on a migrated database without auto-migration: %v", err)
	}
}

// revisionRows reads the revisions table as text, to tell whether it changed.
func revisionRows(t *testing.T, u string) string {
	t.Helper()
	drv, err := database.Driver(u)
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	rows, err := drv.DB().Query(fmt.Sprintf(`SELECT "version", "type", "applied", "total", "executed_at", "hash" FROM %q ORDER BY "version"`, database.RevisionsTable))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var version, hash string
		var typ, applied, total int
		var at any
		if err := rows.Scan(&version, &typ, &applied, &total, &at, &hash); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s type=%d %d/%d at=%v %s\n", version, typ, applied, total, at, hash)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestApplyingTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	all := buildMigrations(t)
	c, u := fresh(t)
	done, err := database.ApplyMigrations(ctx, c, u, database.MigrateOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Pending) != len(all) || done.Baseline != nil {
		t.Fatalf("the first run did %+v, want all %d migrations", done, len(all))
	}
	before := revisionRows(t, u)
	var steps []string
	again, err := database.ApplyMigrations(ctx, c, u, database.MigrateOptions{}, func(s string) { steps = append(steps, s) })
	if err != nil {
		t.Fatal(err)
	}
	if again.Behind() || len(steps) > 0 {
		t.Errorf("the second run did %+v, said %q; want nothing", again, steps)
	}
	if after := revisionRows(t, u); after != before {
		t.Errorf("the second run changed the revisions:\nbefore\n%s\nafter\n%s", before, after)
	}
	st, err := database.MigrationState(ctx, c, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Applied) != len(all) || st.Behind() {
		t.Errorf("state = %+v, want the %d migrations applied and nothing pending", st, len(all))
	}
	for i, a := range st.Applied {
		if a.Migration != all[i] || a.Baseline || a.Unknown || a.At.IsZero() {
			t.Errorf("applied[%d] = %+v, want %s run at a known time", i, a, all[i].Name())
		}
	}
}

func TestConcurrentMigrationsApplyEachMigrationOnce(t *testing.T) {
	ctx := context.Background()
	all := buildMigrations(t)
	c, u := fresh(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = database.Migrate(ctx, c, u)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("concurrent migration: %v", err)
		}
	}
	st, err := database.MigrationState(ctx, c, u)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Applied) != len(all) || st.Behind() {
		t.Errorf("state = %+v, want the %d migrations applied once", st, len(all))
	}
}

func TestDatabaseOfTheAutoMigrationIsBaselined(t *testing.T) {
	ctx := context.Background()
	all := buildMigrations(t)
	first, last := all[0], all[len(all)-1]
	reference, referenceURL := fresh(t)
	if err := reference.Schema.Create(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		make         func(c *ent.Client, u string) error
		wantBaseline database.Migration
	}{
		{"a database made by this build's auto-migration is at the last migration",
			func(c *ent.Client, u string) error { return c.Schema.Create(ctx) }, last},
		{"a database made by the first build's auto-migration is at the first migration",
			func(c *ent.Client, u string) error { return database.ReplayWithoutHistory(ctx, c, u, first.Version) }, first},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, u := fresh(t)
			if err := tc.make(c, u); err != nil {
				t.Fatal(err)
			}
			// Without auto-migration, even recording the baseline waits for
			// `rencontre migrate`.
			var behind *database.BehindError
			if err := database.Prepare(ctx, c, u, false); !errors.As(err, &behind) {
				t.Fatalf("Prepare without auto-migration = %v, want a BehindError", err)
			}
			if b := behind.Status.Baseline; b == nil || *b != tc.wantBaseline {
				t.Fatalf("baseline = %v, want %s", b, tc.wantBaseline.Name())
			}
			if err := database.Migrate(ctx, c, u); err != nil {
				t.Fatal(err)
			}
			st, err := database.MigrationState(ctx, c, u)
			if err != nil {
				t.Fatal(err)
			}
			if st.Behind() || len(st.Applied) == 0 || !st.Applied[0].Baseline || st.Applied[0].Migration != tc.wantBaseline {
				t.Errorf("after migrating: %+v, want %s recorded as baseline and nothing pending", st, tc.wantBaseline.Name())
			}
			requireSameSchema(t, referenceURL, u)
		})
	}
}

func TestUnknownSchemaIsRefusedUnlessTheOperatorNamesItsVersion(t *testing.T) {
	ctx := context.Background()
	all := buildMigrations(t)
	c, u := fresh(t)
	if _, err := c.ExecContext(ctx, "CREATE TABLE stray_table (id integer)"); err != nil {
		t.Fatal(err)
	}
	for name, try := range map[string]func() error{
		"status":       func() error { _, err := database.MigrationState(ctx, c, u); return err },
		"auto-migrate": func() error { return database.Prepare(ctx, c, u, true) },
	} {
		err := try()
		var unknown *database.UnknownSchemaError
		if !errors.As(err, &unknown) {
			t.Fatalf("%s = %v, want an UnknownSchemaError", name, err)
		}
		for _, want := range []string{"stray_table", "--baseline"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: the error does not say %q: %v", name, want, err)
			}
		}
	}
	last := all[len(all)-1]
	done, err := database.ApplyMigrations(ctx, c, u, database.MigrateOptions{Baseline: last.Version}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if done.Baseline == nil || *done.Baseline != last || len(done.Pending) != 0 {
		t.Errorf("--baseline %s did %+v", last.Version, done)
	}
	if err := database.Prepare(ctx, c, u, false); err != nil {
		t.Errorf("after --baseline: %v", err)
	}
	if _, err := database.ApplyMigrations(ctx, c, u, database.MigrateOptions{Baseline: last.Version}, nil); err == nil {
		t.Error("--baseline on a database with a history was accepted")
	}
}

// sqliteDir is a migration directory of hand-written SQLite migrations.
func sqliteDir(t *testing.T, files ...string) migrate.Dir {
	t.Helper()
	dir := &migrate.MemDir{}
	for i := 0; i < len(files); i += 2 {
		if err := dir.WriteFile(files[i], []byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := dir.Checksum()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate.WriteSumFile(dir, sum); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSQLiteTableRebuildKeepsTheRowsThatReferenceIt(t *testing.T) {
	ctx := context.Background()
	u := "sqlite:" + filepath.Join(t.TempDir(), "rebuild.db")
	c, err := database.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The second migration rebuilds parent as Atlas plans a column change on
	// SQLite. With foreign keys on, dropping parent would delete the child
	// rows (ON DELETE CASCADE).
	dir := sqliteDir(t,
		"0001_create.sql", "CREATE TABLE `parent` (`id` integer NOT NULL PRIMARY KEY, `name` text NOT NULL);\n"+
			"CREATE TABLE `child` (`id` integer NOT NULL PRIMARY KEY, `parent_id` integer NOT NULL, CONSTRAINT `child_parent` FOREIGN KEY (`parent_id`) REFERENCES `parent` (`id`) ON DELETE CASCADE);\n"+
			"INSERT INTO `parent` (`id`, `name`) VALUES (1, 'a');\n"+
			"INSERT INTO `child` (`id`, `parent_id`) VALUES (1, 1), (2, 1);\n",
		"0002_rebuild.sql", "PRAGMA foreign_keys = off;\n"+
			"CREATE TABLE `new_parent` (`id` integer NOT NULL PRIMARY KEY, `name` text NULL);\n"+
			"INSERT INTO `new_parent` (`id`, `name`) SELECT `id`, `name` FROM `parent`;\n"+
			"DROP TABLE `parent`;\n"+
			"ALTER TABLE `new_parent` RENAME TO `parent`;\n"+
			"PRAGMA foreign_keys = on;\n",
	)
	if _, err := database.ApplyDir(ctx, c, u, dir); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, c, "SELECT count(*) FROM child"); n != 2 {
		t.Errorf("%d child rows after the rebuild, want 2", n)
	}
}

func TestInMemorySQLiteIsMigratedThroughTheClient(t *testing.T) {
	ctx := context.Background()
	const u = "sqlite::memory:"
	c, err := database.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := database.Migrate(ctx, c, u); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Organization.Query().Count(testenv.System()); err != nil || n != 0 {
		t.Errorf("count on the migrated in-memory database = %d, %v", n, err)
	}
	if err := database.Prepare(ctx, c, u, false); err != nil {
		t.Errorf("the in-memory database is behind after migrating: %v", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	ctx := context.Background()
	all := buildMigrations(t)
	c, u := fresh(t)
	run := func(opts database.MigrateOptions) string {
		t.Helper()
		var out bytes.Buffer
		if err := database.RunMigrateCommand(ctx, c, u, opts, &out); err != nil {
			t.Fatalf("%+v: %v", opts, err)
		}
		return out.String()
	}
	contains := func(what, out string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("%s does not say %q:\n%s", what, w, out)
			}
		}
	}
	status := run(database.MigrateOptions{Status: true})
	for _, m := range all {
		contains("status", status, "pending  "+m.Name())
	}
	contains("status", status, "`rencontre migrate` applies")

	dry := run(database.MigrateOptions{DryRun: true})
	contains("--dry-run", dry, "would apply "+all[0].Name()+":", "CREATE TABLE", "nothing changed")
	if st, err := database.MigrationState(ctx, c, u); err != nil || len(st.Pending) != len(all) {
		t.Errorf("--dry-run changed the database: %+v, %v", st, err)
	}

	applied := run(database.MigrateOptions{})
	for _, m := range all {
		contains("migrate", applied, "applied "+m.Name())
	}
	contains("status after migrating", run(database.MigrateOptions{Status: true}), "applied  "+all[0].Name(), "up to date")
	contains("migrate again", run(database.MigrateOptions{}), "nothing to do")
}

func TestAutoMigrateDefault(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  string
		demo bool
		want bool
	}{
		{"the embedded default migrates itself", "", false, true},
		{"a SQLite file migrates itself", "sqlite:/tmp/x.db", false, true},
		{"PostgreSQL waits for `rencontre migrate`", "postgres://db/r", false, false},
		{"the demo migrates PostgreSQL too", "postgres://db/r", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := database.AutoMigrateDefault(tc.url, tc.demo); got != tc.want {
				t.Errorf("AutoMigrateDefault(%q, %v) = %v, want %v", tc.url, tc.demo, got, tc.want)
			}
		})
	}
}

func TestBehindErrorGivesTheCommandWithoutThePassword(t *testing.T) {
	err := &database.BehindError{
		Status:      database.MigrationStatus{Pending: []database.Migration{{Version: "0002", Description: "alter_memberships"}}},
		DatabaseURL: "postgres://ana:s3cret@db:5432/r?sslmode=disable",
	}
	msg := err.Error()
	for _, want := range []string{"0002_alter_memberships", "rencontre migrate --database-url 'postgres://ana:xxxxx@db:5432/r?sslmode=disable'", "--auto-migrate"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "s3cret") {
		t.Errorf("the error shows the password: %s", msg)
	}
}

// TestBudgetsBecomeExactDecimals applies the migrations up to 0009, writes a
// budget as the float column of then, and checks that 0010 turns it into
// ten-thousandths (12.5 → 125000), on the test dialect.
func TestBudgetsBecomeExactDecimals(t *testing.T) {
	ctx := context.Background()
	u := testenv.URL(t)
	c, err := database.Open(u)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := "sqlite"
	if testenv.Postgres() {
		name = "postgres"
	}
	entries, err := fs.ReadDir(migrations.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	var before, all []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(migrations.FS, name+"/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, e.Name(), string(b))
		if e.Name() < "0010" {
			before = append(before, e.Name(), string(b))
		}
	}
	if _, err := database.ApplyDir(ctx, c, u, sqliteDir(t, before...)); err != nil {
		t.Fatal(err)
	}
	insert := []string{
		`INSERT INTO organizations (created_at, updated_at, name, slug) VALUES ('2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', 'Old', 'old')`,
		`INSERT INTO meetings (created_at, updated_at, title, starts_at, ends_at, time_zone, organization_id, budget_amount, budget_currency)
		 SELECT created_at, updated_at, 'Offsite', created_at, created_at, 'Europe/Paris', id, 12.5, 'EUR' FROM organizations`,
		`INSERT INTO meetings (created_at, updated_at, title, starts_at, ends_at, time_zone, organization_id)
		 SELECT created_at, updated_at, 'Unbudgeted', created_at, created_at, 'Europe/Paris', id FROM organizations`,
	}
	for _, q := range insert {
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := database.ApplyDir(ctx, c, u, sqliteDir(t, all...)); err != nil {
		t.Fatal(err)
	}
	rows, err := c.QueryContext(ctx, "SELECT title, budget_amount FROM meetings ORDER BY title")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]*int64{}
	for rows.Next() {
		var title string
		var amount *int64
		if err := rows.Scan(&title, &amount); err != nil {
			t.Fatal(err)
		}
		got[title] = amount
	}
	if got["Offsite"] == nil || *got["Offsite"] != 125000 || got["Unbudgeted"] != nil {
		t.Fatalf("budgets after the migration = %v, want Offsite 125000 and Unbudgeted NULL", got)
	}
}
