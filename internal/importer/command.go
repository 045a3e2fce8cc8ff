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
	fs := flag.NewFlagSet("rencontre import people", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbDefault := database.DefaultURL
	if v := os.Getenv("DATABASE_URL"); v != "" {
		dbDefault = v
	}
	dbURL := fs.String("database-url", dbDefault, "database (env DATABASE_URL)")
	org := fs.String("org", "", "slug of the organization to import into (required)")
	var opts Options
	fs.BoolVar(&opts.CreateCommunities, "create-communities", false, "create the communities the organization does not have, as teams (default: they are errors)")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "check the file and count what would change, without writing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: rencontre import people --org SLUG [--create-communities] [--dry-run] [--database-url URL] FILE.csv")
		fmt.Fprintf(stderr, "\nImports people from a CSV file whose header names the columns %s\n", strings.Join(Columns, ","))
		fmt.Fprintln(stderr, "(name and email required; tags and communities separated by \";\"). People are matched on their email.")
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
		return errors.New("import people: give --org and one file")
	}

	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("import people: %w", err)
	}
	defer f.Close()
	start := time.Now()
	rows, perrs := ParseAll(f)

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
		return fmt.Errorf("import people: no organization with slug %q", *org)
	}
	if err != nil {
		return fmt.Errorf("import people: loading the organization: %w", err)
	}
	// The command acts as an owner of the organization: the privacy
	// policies keep every write inside it.
	ctx = viewer.NewContext(ctx, &viewer.Viewer{OrganizationID: o.ID, Role: viewer.Owner})
	if perrs != nil {
		if perrs, err = AllErrors(ctx, client, o.ID, rows, opts.CreateCommunities, perrs); err != nil {
			return fmt.Errorf("import people: %w", err)
		}
		for _, e := range perrs {
			fmt.Fprintln(stderr, files[0]+": "+e.Error())
		}
		return fmt.Errorf("import people: %s is invalid (%d errors): nothing was imported", files[0], len(perrs))
	}

	bar := newProgress(stderr)
	opts.Progress = bar.update
	res, err := inTx(ctx, client, func(c *ent.Client) (Result, error) {
		return Import(ctx, c, o.ID, rows, opts)
	})
	bar.finish()
	var rowErrs Errors
	if errors.As(err, &rowErrs) {
		for _, e := range rowErrs {
			fmt.Fprintln(stderr, files[0]+": "+e.Error())
		}
		return fmt.Errorf("import people: %s is invalid (%d errors): nothing was imported", files[0], len(rowErrs))
	}
	if err != nil {
		return fmt.Errorf("import people: %w", err)
	}
	verb := "imported"
	if opts.DryRun {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(stdout, "%s %s into %s in %s: %d created, %d updated, %d unchanged, %d communities created\n",
		files[0], verb, *org, time.Since(start).Round(time.Millisecond), res.Created, res.Updated, res.Unchanged, res.CommunitiesCreated)
	return nil
}

// inTx runs fn in a transaction, committed when fn succeeds.
func inTx(ctx context.Context, client *ent.Client, fn func(*ent.Client) (Result, error)) (Result, error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("starting a transaction: %w", err)
	}
	res, err := fn(tx.Client())
	if err != nil {
		_ = tx.Rollback()
		return Result{}, err
	}
	if err := tx.Commit(); err != nil {
		return Result{}, fmt.Errorf("committing: %w", err)
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
