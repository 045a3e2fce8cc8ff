package database

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rencontre/rencontre/ent"
)

// RunMigrateCommand is `rencontre migrate`: it applies the pending migrations
// of the database and prints what it did. With opts.Status it lists the
// applied and pending migrations; with opts.DryRun it prints what migrating
// would do, with the SQL. Both change nothing.
func RunMigrateCommand(ctx context.Context, c *ent.Client, rawURL string, opts MigrateOptions, w io.Writer) error {
	shown := rawURL
	if shown == "" {
		shown = DefaultURL
	}
	fmt.Fprintf(w, "database %s\n", Redact(shown))
	switch {
	case opts.Status:
		st, err := MigrationState(ctx, c, rawURL)
		if err != nil {
			return err
		}
		printStatus(w, st)
		return nil
	case opts.DryRun:
		st, err := ApplyMigrations(ctx, c, rawURL, opts, nil)
		if err != nil {
			return err
		}
		return printPlan(w, st)
	}
	st, err := ApplyMigrations(ctx, c, rawURL, opts, func(step string) { fmt.Fprintln(w, step) })
	if err != nil {
		return err
	}
	if !st.Behind() {
		fmt.Fprintln(w, "nothing to do: the database is up to date")
		return nil
	}
	fmt.Fprintln(w, "the database is up to date")
	return nil
}

// printStatus lists the applied migrations, then the pending ones.
func printStatus(w io.Writer, st MigrationStatus) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, a := range st.Applied {
		line := fmt.Sprintf("applied\t%s\t%s", a.Name(), a.At.UTC().Format(time.DateTime+" MST"))
		switch {
		case a.Unknown:
			line += "\tnot in this build: applied by a newer one"
		case a.Baseline:
			line += "\tbaseline: recorded, not run"
		}
		fmt.Fprintln(tw, line)
	}
	if st.Baseline != nil {
		fmt.Fprintf(tw, "baseline\t%s\tthe database already has its schema: to record as applied\n", st.Baseline.Name())
	}
	for _, p := range st.Pending {
		fmt.Fprintf(tw, "pending\t%s\n", p.Name())
	}
	tw.Flush()
	switch n := len(st.Pending); {
	case !st.Behind():
		fmt.Fprintln(w, "up to date")
	case n == 1:
		fmt.Fprintln(w, "1 migration pending: `rencontre migrate` applies it")
	default:
		fmt.Fprintf(w, "%d migrations pending: `rencontre migrate` applies them\n", n)
	}
}

// printPlan says what migrating would do, with each migration's SQL.
func printPlan(w io.Writer, st MigrationStatus) error {
	if !st.Behind() {
		fmt.Fprintln(w, "nothing to do: the database is up to date")
		return nil
	}
	if st.Baseline != nil {
		fmt.Fprintf(w, "would record %s as applied: the database already has its schema\n", st.Baseline.Name())
	}
	dir, err := migrationDir(st.Dialect)
	if err != nil {
		return err
	}
	files, err := dir.Files()
	if err != nil {
		return err
	}
	for _, p := range st.Pending {
		fmt.Fprintf(w, "would apply %s:\n", p.Name())
		for _, f := range files {
			if f.Version() == p.Version {
				for _, line := range strings.Split(strings.TrimRight(string(f.Bytes()), "\n"), "\n") {
					fmt.Fprintf(w, "    %s\n", line)
				}
			}
		}
	}
	fmt.Fprintln(w, "nothing changed (--dry-run)")
	return nil
}
