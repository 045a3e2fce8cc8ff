package importer

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Command runs `rencontre import people [flags] FILE.csv`: it checks the
// whole file, then imports it into the organization in one transaction, and
// prints the counts on stdout. Progress goes to stderr, as a bar when stderr
// is a terminal and as lines otherwise. An invalid file imports nothing: every
// error is listed on stderr and the command fails.
func Command(args []string, stdout, stderr io.Writer) error {
	var opts Options
	cmd := command{
		name:  "people",
		usage: "Usage: rencontre import people --org SLUG [--create-communities] [--dry-run] [--database-url URL] FILE.csv",
		about: fmt.Sprintf("Imports people from a CSV file whose header names the columns %s\n(name and email required; tags and communities separated by \";\"). People are matched on their email.", strings.Join(Columns, ",")),
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&opts.CreateCommunities, "create-communities", false, "create the communities the organization does not have, as teams (default: they are errors)")
			fs.BoolVar(&opts.DryRun, "dry-run", false, "check the file and count what would change, without writing")
		},
	}
	return cmd.run(args, stdout, stderr, func(ctx context.Context, client *ent.Client, org int, f io.Reader, stderr io.Writer) (string, error) {
		rows, perrs := ParseAll(f)
		if perrs != nil {
			all, err := AllErrors(ctx, client, org, rows, opts.CreateCommunities, perrs)
			if err != nil {
				return "", err
			}
			return "", all
		}
		bar := newProgress(stderr)
		opts.Progress = bar.update
		res, err := inTx(ctx, client, func(c *ent.Client) (Result, error) {
			return Import(ctx, c, org, rows, opts)
		})
		bar.finish()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d created, %d updated, %d unchanged, %d communities created", res.Created, res.Updated, res.Unchanged, res.CommunitiesCreated), nil
	}, &opts.DryRun)
}

// MembersCommand runs `rencontre import members [flags] FILE.csv`: it adds
// the people of a CSV file (columns community and email) to their
// communities, in one transaction, and prints the counts on stdout. An
// invalid file imports nothing: every error is listed on stderr.
func MembersCommand(args []string, stdout, stderr io.Writer) error {
	var opts MembersOptions
	cmd := command{
		name:  "members",
		usage: "Usage: rencontre import members --org SLUG [--create-communities] [--dry-run] [--database-url URL] FILE.csv",
		about: "Adds people to communities from a CSV file whose header names the columns community,email\n(people are matched on their email, communities on their name; memberships are only added).",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&opts.CreateCommunities, "create-communities", false, "create the communities the organization does not have, as teams (default: they are errors)")
			fs.BoolVar(&opts.DryRun, "dry-run", false, "check the file and count what would change, without writing")
		},
	}
	return cmd.run(args, stdout, stderr, func(ctx context.Context, client *ent.Client, org int, f io.Reader, _ io.Writer) (string, error) {
		rows, perrs := ParseMembers(f)
		if perrs != nil {
			all, err := MembersErrors(ctx, client, org, rows, opts.CreateCommunities, perrs)
			if err != nil {
				return "", err
			}
			return "", all
		}
		res, err := inTx(ctx, client, func(c *ent.Client) (MembersResult, error) {
			return ImportMembers(ctx, c, org, rows, opts)
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d memberships added, %d unchanged, %d communities created", res.Added, res.Unchanged, res.CommunitiesCreated), nil
	}, &opts.DryRun)
}

// AttendanceCommand runs `rencontre import attendance [flags] FILE.csv`: it
// records the past attendance of a CSV file (meeting, email, status,
// check-in, role) in one transaction and prints the counts on stdout. An
// invalid file imports nothing: every error is listed on stderr.
func AttendanceCommand(args []string, stdout, stderr io.Writer) error {
	var opts AttendanceOptions
	cmd := command{
		name:  "attendance",
		usage: "Usage: rencontre import attendance --org SLUG [--dry-run] [--database-url URL] FILE.csv",
		about: fmt.Sprintf("Records past attendance from a CSV file whose header names the columns %s\n(meeting_id, or meeting and starts_at; email required).", strings.Join(AttendanceColumns, ",")),
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&opts.DryRun, "dry-run", false, "check the file and count what would change, without writing")
		},
	}
	return cmd.run(args, stdout, stderr, func(ctx context.Context, client *ent.Client, org int, f io.Reader, _ io.Writer) (string, error) {
		rows, perrs := ParseAttendance(f)
		if perrs != nil {
			all, err := AttendanceErrors(ctx, client, org, rows, opts.Now, perrs)
			if err != nil {
				return "", err
			}
			return "", all
		}
		res, err := inTx(ctx, client, func(c *ent.Client) (AttendanceResult, error) {
			return ImportAttendance(ctx, c, org, rows, opts)
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%d participations created, %d updated, %d unchanged, %d checked in", res.Created, res.Updated, res.Unchanged, res.CheckedIn), nil
	}, &opts.DryRun)
}

// command is the frame of an import command: flags, the file, the database
// and the organization, and the report of an invalid file.
type command struct {
	name, usage, about string
	flags              func(*flag.FlagSet)
}

// run parses args, opens the database and runs do on the file as an owner of
// the organization; do returns the summary of what it did, or Errors.
func (cmd command) run(args []string, stdout, stderr io.Writer, do func(ctx context.Context, c *ent.Client, org int, f io.Reader, stderr io.Writer) (string, error), dryRun *bool) error {
	name := "import " + cmd.name
	fs := flag.NewFlagSet("rencontre "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbDefault := database.DefaultURL
	if v := os.Getenv("DATABASE_URL"); v != "" {
		dbDefault = v
	}
	dbURL := fs.String("database-url", dbDefault, "database (env DATABASE_URL)")
	org := fs.String("org", "", "slug of the organization to import into (required)")
	cmd.flags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, cmd.usage)
		fmt.Fprintf(stderr, "\n%s\n", cmd.about)
		fs.PrintDefaults()
	}
	// Flags may follow the file: parse what comes after it too.
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if *org == "" || len(files) != 1 {
		fs.Usage()
		return fmt.Errorf("%s: give --org and one file", name)
	}

	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	start := time.Now()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := database.Open(*dbURL)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := database.Prepare(ctx, client, *dbURL, database.AutoMigrateDefault(*dbURL, false)); err != nil {
		return err
	}
	o, err := client.Organization.Query().Where(organization.Slug(*org)).Only(policy.System(ctx))
	if ent.IsNotFound(err) {
		return fmt.Errorf("%s: no organization with slug %q", name, *org)
	}
	if err != nil {
		return fmt.Errorf("%s: loading the organization: %w", name, err)
	}
	// The command acts as an owner of the organization: the privacy
	// policies keep every write inside it.
	ctx = viewer.NewContext(ctx, &viewer.Viewer{OrganizationID: o.ID, Role: viewer.Owner})
	summary, err := do(ctx, client, o.ID, f, stderr)
	var rowErrs Errors
	if errors.As(err, &rowErrs) {
		for _, e := range rowErrs {
			fmt.Fprintln(stderr, files[0]+": "+e.Error())
		}
		return fmt.Errorf("%s: %s is invalid (%d errors): nothing was imported", name, files[0], len(rowErrs))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	verb := "imported"
	if *dryRun {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %s into %s in %s: %s\n", files[0], verb, *org, time.Since(start).Round(time.Millisecond), summary)
	return nil
}

// inTx runs fn in a transaction, committed when fn succeeds.
func inTx[T any](ctx context.Context, client *ent.Client, fn func(*ent.Client) (T, error)) (T, error) {
	var zero T
	tx, err := client.Tx(ctx)
	if err != nil {
		return zero, fmt.Errorf("starting a transaction: %w", err)
	}
	res, err := fn(tx.Client())
	if err != nil {
		_ = tx.Rollback()
		return zero, err
	}
	if err := tx.Commit(); err != nil {
		return zero, fmt.Errorf("committing: %w", err)
	}
	return res, nil
}

// progress shows how many rows are written: a bar redrawn in place on a
// terminal, a line per step otherwise (logs, pipes).
type progress struct {
	w        io.Writer
	terminal bool
	last     int // percentage last shown
	drawn    bool
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, last: -1}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

const barWidth = 40

func (p *progress) update(done, total int) {
	if total == 0 {
		return // nothing to write: every person is unchanged
	}
	pct := done * 100 / total
	if pct == p.last {
		return
	}
	p.last = pct
	if p.terminal {
		filled := pct * barWidth / 100
		fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %d/%d people written", strings.Repeat("#", filled), strings.Repeat(" ", barWidth-filled), pct, done, total)
		p.drawn = true
		return
	}
	fmt.Fprintf(p.w, "import: %d/%d people written (%d%%)\n", done, total, pct)
}

func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
