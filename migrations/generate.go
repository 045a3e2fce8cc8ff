//go:build ignore

// Command generate writes the versioned migrations of the ent schema into
// migrations/postgres and migrations/sqlite. It is run by `go generate ./...`
// from the module root, after entc and gqlgen.
//
// For each dialect it replays the committed migrations on an empty dev
// database, compares the result with the ent schema (ent/migrate.Tables) and,
// when they differ, writes one new file with the statements that close the
// gap, and updates atlas.sum. When they agree it writes nothing, so that a run
// on an up-to-date tree changes nothing, and CI's "go generate changes
// nothing" check fails when the schema and the migrations disagree.
//
// Both dialects get the same version for the same change: the next number
// after the highest version of either directory. The name says what changes
// (create_invitations, alter_memberships), or is given with -name.
//
// Dev databases: SQLite in memory; PostgreSQL, a temporary database on the
// server of RENCONTRE_TEST_POSTGRES_URL (default: the local server, as for
// the tests), dropped afterwards.
//
//	go run ./migrations/generate.go [-name add_invitations] [-rehash]
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	atlasmigrate "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"

	"github.com/rencontre/rencontre/ent/migrate"
	"github.com/rencontre/rencontre/internal/database"
)

// defaultPostgresURL is the tests' default server (internal/testenv).
const defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func main() {
	name := flag.String("name", "", "name of the new migration (default: from what it changes, such as alter_memberships)")
	rehash := flag.Bool("rehash", false, "first rewrite each atlas.sum from the files, after removing or editing an unreleased migration on purpose")
	flag.Parse()
	if err := run(context.Background(), *name, *rehash); err != nil {
		fmt.Fprintf(os.Stderr, "migrations: %v\n", err)
		os.Exit(1)
	}
}

// target is one dialect's migration directory and dev database.
type target struct {
	dialect string
	path    string
	dir     *atlasmigrate.LocalDir
	planned []byte // the new migration's content, nil when up to date
	empty   bool   // the directory had no migration yet
}

func run(ctx context.Context, name string, rehash bool) error {
	targets := []*target{
		{dialect: dialect.Postgres, path: filepath.Join("migrations", "postgres")},
		{dialect: dialect.SQLite, path: filepath.Join("migrations", "sqlite")},
	}
	last := 0
	for _, t := range targets {
		if err := os.MkdirAll(t.path, 0o755); err != nil {
			return err
		}
		dir, err := atlasmigrate.NewLocalDir(t.path)
		if err != nil {
			return err
		}
		t.dir = dir
		if rehash {
			if err := writeSum(dir); err != nil {
				return err
			}
		}
		files, err := dir.Files()
		if err != nil {
			return err
		}
		t.empty = len(files) == 0
		for _, f := range files {
			n, err := strconv.Atoi(f.Version())
			if err != nil {
				return fmt.Errorf("%s: version %q is not a number", filepath.Join(t.path, f.Name()), f.Version())
			}
			last = max(last, n)
		}
	}
	// Plan both before writing either, so that a failure leaves no half-done
	// pair of migrations.
	for _, t := range targets {
		dev, cleanup, err := devDriver(ctx, t.dialect)
		if err != nil {
			return err
		}
		t.planned, err = database.PlanMigration(ctx, dev, t.dir, migrate.Tables)
		if cerr := cleanup(); err == nil {
			err = cerr
		}
		if errors.Is(err, atlasmigrate.ErrChecksumMismatch) {
			err = fmt.Errorf("%w: a migration was edited or removed; if on purpose (it was never released), rerun with -rehash", err)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", t.path, err)
		}
	}
	desc := name
	for _, t := range targets {
		if desc == "" && t.planned != nil {
			desc = describe(t.planned, t.empty)
		}
	}
	if desc = sanitize(desc); desc == "" {
		desc = "changes"
	}
	version := fmt.Sprintf("%04d", last+1)
	for _, t := range targets {
		if t.planned == nil {
			continue
		}
		file := version + "_" + desc + ".sql"
		if err := t.dir.WriteFile(file, t.planned); err != nil {
			return err
		}
		if err := writeSum(t.dir); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "migrations: wrote %s: review it and commit it with the schema change\n", filepath.Join(t.path, file))
	}
	return nil
}

// writeSum rewrites the directory's integrity file from its migrations.
func writeSum(dir *atlasmigrate.LocalDir) error {
	sum, err := dir.Checksum()
	if err != nil {
		return err
	}
	return atlasmigrate.WriteSumFile(dir, sum)
}

// devDriver opens an empty database of the dialect for Atlas to replay the
// migrations on, with the connection settings of the server (foreign keys on
// for SQLite), and a function that drops it.
func devDriver(ctx context.Context, dialectName string) (dialect.Driver, func() error, error) {
	if dialectName == dialect.SQLite {
		drv, err := database.Driver("sqlite::memory:")
		if err != nil {
			return nil, nil, err
		}
		return drv, drv.Close, nil
	}
	base := os.Getenv("RENCONTRE_TEST_POSTGRES_URL")
	if base == "" {
		base = defaultPostgresURL
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return nil, nil, err
	}
	// A database rather than a schema: Atlas replays only on a database
	// with no other schema than an empty public one.
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "rencontre_dev_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, nil, fmt.Errorf("PostgreSQL, needed as Atlas's dev database, at %s (set RENCONTRE_TEST_POSTGRES_URL): %w", database.Redact(base), err)
	}
	drop := func() error {
		_, err := admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE "+name)
		return errors.Join(err, admin.Close())
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, nil, errors.Join(err, drop())
	}
	u.Path = "/" + name
	drv, err := database.Driver(u.String())
	if err != nil {
		return nil, nil, errors.Join(err, drop())
	}
	return drv, func() error { return errors.Join(drv.Close(), drop()) }, nil
}

var (
	createdTable = regexp.MustCompile(`(?m)^-- Create "([^"]+)" table$`)
	changedTable = regexp.MustCompile(`(?m)^-- (?:Modify "([^"]+)" table|(?:Create|Drop) index "[^"]+" (?:to|from) table: "([^"]+)")$`)
)

// describe names a migration from the comments Atlas writes before each
// statement: baseline for the first, else the tables it creates and alters.
func describe(planned []byte, first bool) string {
	if first {
		return "baseline"
	}
	var created, altered []string
	seen := map[string]bool{}
	for _, m := range createdTable.FindAllStringSubmatch(string(planned), -1) {
		// SQLite rebuilds a table as new_<name>; it is altered, not created.
		if !strings.HasPrefix(m[1], "new_") && !seen[m[1]] {
			seen[m[1]] = true
			created = append(created, m[1])
		}
	}
	for _, m := range changedTable.FindAllStringSubmatch(string(planned), -1) {
		if t := m[1] + m[2]; !seen[t] {
			seen[t] = true
			altered = append(altered, t)
		}
	}
	var parts []string
	for _, g := range []struct {
		verb   string
		tables []string
	}{{"create", created}, {"alter", altered}} {
		switch n := len(g.tables); {
		case n == 0:
		case n <= 3:
			parts = append(parts, g.verb+"_"+strings.Join(g.tables, "_"))
		default:
			parts = append(parts, fmt.Sprintf("%s_%s_and_%d_more", g.verb, strings.Join(g.tables[:2], "_"), n-2))
		}
	}
	return strings.Join(parts, "_")
}

// sanitize keeps a name usable in a file name and as Atlas's description.
func sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '_'
	}, s)
	return strings.Trim(s, "_")
}
