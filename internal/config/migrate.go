package config

import (
	"flag"
	"fmt"
	"io"

	"github.com/rencontre/rencontre/internal/database"
)

// MigrateCommand is the configuration of `rencontre migrate`, which applies
// the pending migrations of the database, and `rencontre migrate status`,
// which lists them.
type MigrateCommand struct {
	DatabaseURL string
	database.MigrateOptions
}

// LoadMigrateCommand parses the arguments after `migrate`: an optional
// `status`, then the flags (or the flags, then `status`).
func LoadMigrateCommand(args []string, getenv func(string) string, usage io.Writer) (MigrateCommand, error) {
	var c MigrateCommand
	if len(args) > 0 && args[0] == "status" {
		c.Status, args = true, args[1:]
	}
	fs := flag.NewFlagSet("rencontre migrate", flag.ContinueOnError)
	fs.SetOutput(usage)
	dbDefault := database.DefaultURL
	if v := getenv("DATABASE_URL"); v != "" {
		dbDefault = v
	}
	fs.StringVar(&c.DatabaseURL, "database-url", dbDefault, "database (env DATABASE_URL)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "print what would be done, with the SQL, and change nothing")
	fs.StringVar(&c.Baseline, "baseline", "", "on a database with tables but no migration history, record this `version` and those before it as applied without running them (when its schema is known to be that version's)")
	fs.Usage = func() {
		fmt.Fprintln(usage, `Usage:
  rencontre migrate [flags]           apply the pending migrations of the database
  rencontre migrate status [flags]    list the applied and pending migrations

A database made by the automatic migration of earlier versions (tables, no
migration history) is recognised when its schema is the result of one of the
migrations, which is then recorded as applied. Flags:`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return MigrateCommand{}, err
	}
	rest := fs.Args()
	if len(rest) > 0 && rest[0] == "status" && !c.Status {
		c.Status, rest = true, rest[1:]
	}
	switch {
	case len(rest) > 0:
		return MigrateCommand{}, fmt.Errorf("unexpected argument %q: the commands are `rencontre migrate` and `rencontre migrate status`", rest[0])
	case c.Status && (c.DryRun || c.Baseline != ""):
		return MigrateCommand{}, fmt.Errorf("`rencontre migrate status` changes nothing: --dry-run and --baseline are flags of `rencontre migrate`")
	}
	return c, nil
}
