package database

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"text/template"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"
)

// plannedFile is the name PlanMigration gives the new file in its scratch copy
// of the directory; the caller names the real one.
const plannedFile = "99999999999999_planned.sql"

// plannedFormat writes Atlas's usual file content (each statement after a
// comment saying what it does) under plannedFile.
var plannedFormat = migrate.TemplateFormatter{{
	N: template.Must(template.New("name").Parse(plannedFile)),
	C: migrate.DefaultFormatter[0].C,
}}

// PlanMigration returns the migration that takes a database made by the files
// of dir to the schema of tables (ent's migrate.Tables), or nil when they
// agree. This is how the migrations are generated, and how a test proves they
// match the ent schema.
//
// dev is an empty scratch database of the dialect of dir (Atlas's dev
// database): the files are replayed on it, inspected, and dropped again.
// Dropped columns and indexes are planned too, so that the migrations lead to
// the ent schema exactly, where the auto-migration of earlier builds only ever
// added; tables are never dropped.
func PlanMigration(ctx context.Context, dev dialect.Driver, dir migrate.Dir, tables []*schema.Table) ([]byte, error) {
	// A scratch copy, so that the planner writes nothing in dir. The
	// directory's own atlas.sum is copied, not recomputed, so that an edited or
	// removed migration fails here as it would when applied.
	scratch := &migrate.MemDir{}
	files, err := dir.Files()
	if err != nil {
		return nil, fmt.Errorf("reading the migrations: %w", err)
	}
	for _, f := range files {
		if err := scratch.WriteFile(f.Name(), f.Bytes()); err != nil {
			return nil, err
		}
	}
	switch sum, err := fs.ReadFile(dir, migrate.HashFileName); {
	case err == nil:
		if err := scratch.WriteFile(migrate.HashFileName, sum); err != nil {
			return nil, err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("reading %s: %w", migrate.HashFileName, err)
	}
	m, err := schema.NewMigrate(dev,
		schema.WithDir(scratch),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithFormatter(plannedFormat),
		schema.WithIndent("  "),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		return nil, fmt.Errorf("planning the migration: %w", err)
	}
	if err := m.NamedDiff(ctx, "planned", tables...); err != nil {
		return nil, fmt.Errorf("planning the migration: %w", err)
	}
	planned, err := fs.ReadFile(scratch, plannedFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // nothing to change
	}
	return planned, err
}
