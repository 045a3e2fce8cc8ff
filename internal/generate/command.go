package generate

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rencontre/rencontre/internal/database"
)

// Command runs `rencontre generate [flags]`: it migrates the database (unless
// --auto-migrate=false), generates the organization and prints its owner's
// API token on stdout (progress and the summary go to stderr).
func Command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rencontre generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dbDefault := database.DefaultURL
	if v := getenv("DATABASE_URL"); v != "" {
		dbDefault = v
	}
	dbURL := fs.String("database-url", dbDefault, "database (env DATABASE_URL)")
	o := Options{}
	fs.StringVar(&o.OrgSlug, "org", "bench", "slug of the organization to create (refused if it exists)")
	fs.StringVar(&o.OrgName, "org-name", "", "name of the organization (default: the slug)")
	fs.IntVar(&o.People, "people", 20000, "people")
	fs.IntVar(&o.Communities, "communities", 200, "communities (each person is in 1 to 3)")
	fs.IntVar(&o.Meetings, "meetings", 2000, "meetings, over the last 2 years and the next 6 months")
	fs.IntVar(&o.Relationships, "relationships", 400000, "relationships")
	fs.IntVar(&o.Participations, "participations", 0, "participations (default: people × 5)")
	fs.IntVar(&o.Objectives, "objectives", 20, "objectives, each meeting serving 1 to 3 of them")
	fs.IntVar(&o.BigMeeting, "big-meeting", 0, "attendees of the big meeting, the first one (default: min(500, people))")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed (the same seed gives the same organization)")
	fs.IntVar(&o.BatchSize, "batch", 1000, "rows per INSERT statement")
	autoMigrate := fs.Bool("auto-migrate", true, "apply pending migrations first")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: rencontre generate [--org bench] [--people 20000] [--communities 200] [--meetings 2000] [--relationships 400000] [--participations N] [--seed 1] [--database-url URL]")
		fmt.Fprintln(stderr, "\nBuilds a large, realistic organization for benchmarks and prints its owner's API token.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("generate: unexpected argument %q", fs.Arg(0))
	}
	o.Postgres = strings.HasPrefix(*dbURL, "postgres://") || strings.HasPrefix(*dbURL, "postgresql://")
	o.Progress = stderr
	client, err := database.Open(*dbURL)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := database.Prepare(ctx, client, *dbURL, *autoMigrate); err != nil {
		return err
	}
	res, err := Run(ctx, client, o)
	var exists *ExistsError
	if errors.As(err, &exists) {
		fmt.Fprintln(stderr, "generate:", err)
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Generated organization %s (ID %d) in %s: %d people, %d communities, %d meetings, %d participations, %d relationships, %d encounters, %d objectives.\n",
		o.OrgSlug, res.OrganizationID, res.Elapsed.Round(time.Millisecond), res.People, res.Communities, res.Meetings,
		res.Participations, res.Relationships, res.Encounters, res.Objectives)
	fmt.Fprintf(stderr, "Big meeting: %d (%d attendees). Owner token %s (the secret is shown only now):\n", res.BigMeetingID, res.BigMeetingSize, res.TokenPrefix)
	fmt.Fprintln(stdout, res.Token)
	return nil
}
