package database

import (
	"context"
	"fmt"

	"ariga.io/atlas/sql/migrate"

	"github.com/rencontre/rencontre/ent"
)

// Hooks for the tests of package database_test, which use internal/testenv
// (an import this package's own tests may not make).

// ApplyUpTo applies the migrations of this build up to version only, making
// a database that is behind the build.
func ApplyUpTo(ctx context.Context, c *ent.Client, rawURL, version string) error {
	m, err := openMigrator(ctx, c, rawURL)
	if err != nil {
		return err
	}
	defer m.close()
	i := migrate.FilesLastIndex(m.files, func(f migrate.File) bool { return f.Version() == version })
	if i < 0 {
		return fmt.Errorf("no migration %s", version)
	}
	m.files = m.files[:i+1]
	_, err = m.apply(ctx, c, MigrateOptions{}, nil)
	return err
}

// ReplayWithoutHistory runs the migrations of this build up to version
// without recording them: the database that the auto-migration of a build of
// that version left.
func ReplayWithoutHistory(ctx context.Context, c *ent.Client, rawURL, version string) error {
	m, err := openMigrator(ctx, c, rawURL)
	if err != nil {
		return err
	}
	defer m.close()
	drv, err := m.atlasDriver(m.conn)
	if err != nil {
		return err
	}
	ex, err := migrate.NewExecutor(drv, m.dir, migrate.NopRevisionReadWriter{})
	if err != nil {
		return err
	}
	for _, f := range m.files {
		if err := ex.Execute(ctx, f); err != nil {
			return err
		}
		if f.Version() == version {
			return nil
		}
	}
	return fmt.Errorf("no migration %s", version)
}

// ApplyDir applies the migrations of dir, instead of this build's.
func ApplyDir(ctx context.Context, c *ent.Client, rawURL string, dir migrate.Dir) (MigrationStatus, error) {
	m, err := newMigrator(ctx, c, rawURL, dir)
	if err != nil {
		return MigrationStatus{}, err
	}
	defer m.close()
	return m.apply(ctx, c, MigrateOptions{}, nil)
}

// MigrationDir is the embedded migrations of a dialect.
var MigrationDir = migrationDir
