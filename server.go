// Command rencontre serves the Rencontre GraphQL API: configuration, database,
// migration, demo data, handler, graceful shutdown. The decisions live in
// internal/ and graph/.
//
//	rencontre [flags]                 serve the API (see --help)
//	rencontre migrate [status] [flags]  apply (or list) the database's pending migrations
//	rencontre token create [flags]    bootstrap an organization, an account and an API token
//	rencontre watch --meeting ID [flags]  print a meeting's attendance changes as they happen (JSON lines)
//	rencontre generate [flags]        build a large, realistic organization for benchmarks (prints an owner token)
//	rencontre import people --org SLUG file.csv  import or update people from a CSV file
//	rencontre import members --org SLUG file.csv  add people to communities from a CSV file
//	rencontre import attendance --org SLUG file.csv  record past attendance from a CSV file
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/gctune"
	"github.com/rencontre/rencontre/internal/generate"
	"github.com/rencontre/rencontre/internal/importer"
	"github.com/rencontre/rencontre/internal/metrics"
	"github.com/rencontre/rencontre/internal/series"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/watch"
)

func main() {
	// JSON lines unless stderr is a terminal; records of a request carry its id.
	slog.SetDefault(slog.New(server.NewLogHandler(os.Stderr, slog.LevelInfo)))
	run := serve
	switch {
	case len(os.Args) > 2 && os.Args[1] == "token" && os.Args[2] == "create":
		run = createToken
	case len(os.Args) > 1 && os.Args[1] == "migrate":
		run = migrate
	case len(os.Args) > 1 && os.Args[1] == "watch":
		run = func() error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return watch.Command(ctx, os.Args[2:], os.Getenv, os.Stdout, os.Stderr)
		}
	case len(os.Args) > 2 && os.Args[1] == "import" && os.Args[2] == "people":
		run = func() error { return importer.Command(os.Args[3:], os.Stdout, os.Stderr) }
	case len(os.Args) > 2 && os.Args[1] == "import" && os.Args[2] == "members":
		run = func() error { return importer.MembersCommand(os.Args[3:], os.Stdout, os.Stderr) }
	case len(os.Args) > 2 && os.Args[1] == "import" && os.Args[2] == "attendance":
		run = func() error { return importer.AttendanceCommand(os.Args[3:], os.Stdout, os.Stderr) }
	case len(os.Args) > 1 && os.Args[1] == "generate":
		run = func() error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return generate.Command(ctx, os.Args[2:], os.Getenv, os.Stdout, os.Stderr)
		}
	}
	if err := run(); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		slog.Error("rencontre stopped", "error", err)
		os.Exit(1)
	}
}

func serve() error {
	cfg, err := config.Load(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The garbage collector lets the heap grow to --gc-heap-target while the
	// live heap is small, unless GOGC is set in the environment.
	if os.Getenv("GOGC") == "" {
		defer gctune.Start(uint64(cfg.GCHeapTargetMiB) << 20)()
	}

	client, db, err := database.OpenWithDB(cfg.DatabaseURL, cfg.Pool)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := database.Prepare(ctx, client, cfg.DatabaseURL, cfg.AutoMigrate); err != nil {
		return err
	}
	go database.KeepOptimized(ctx, client, cfg.DatabaseURL, database.OptimizeEvery) // SQLite's planner statistics
	authn := auth.New(client, auth.Settings{CacheTTL: cfg.AuthCacheTTL})            // before the client is shared
	defer authn.Wait()                                                              // the last uses in flight, before the client closes
	m := metrics.New(db)
	stopDiagnostics, err := server.StartDiagnostics(cfg, m) // --metrics-addr, --pprof-addr
	if err != nil {
		return err
	}
	defer stopDiagnostics()
	var demoToken string
	if cfg.Demo {
		res, err := demo.Load(ctx, client, time.Now())
		if err != nil {
			return err
		}
		if _, demoToken, err = demo.Token(ctx, client); err != nil {
			return err
		}
		slog.Info("demo data", "organization", res.Organization.Name, "loaded_now", res.Created)
	}
	bus, closeBus, err := server.OpenEvents(ctx, cfg.DatabaseURL) // subscriptions across servers
	if err != nil {
		return err
	}
	defer closeBus()
	stopAuthPeers, err := server.ListenAuth(ctx, cfg.DatabaseURL, authn) // token changes heard from the other servers
	if err != nil {
		return err
	}
	defer stopAuthPeers()
	// Occurrences of series exist up to the horizon, which moves daily.
	go series.KeepHorizon(ctx, client, series.Settings{HorizonMonths: cfg.SeriesHorizon}, 24*time.Hour, time.Now)
	return server.Run(ctx, cfg, server.NewRoutes(client, cfg, server.Deps{Events: bus, Auth: authn, Metrics: m}), func(addr string) {
		slog.Info("Rencontre is listening", "addr", addr, "database", database.Redact(cfg.DatabaseURL),
			"production", cfg.Production, "playground", cfg.Playground, "request_timeout", cfg.RequestTimeout.String())
		fmt.Printf("GraphQL API:  http://%s/graphql\n", addr)
		if cfg.Playground {
			fmt.Printf("Playground:   http://%s/%s\n", addr, playgroundQuery(demoToken))
		}
		if demoToken != "" {
			fmt.Printf("Demo token:   %s  (owner of the demo organization; a new one at each start)\n", demoToken)
		}
	})
}

// playgroundQuery opens the playground with the token already in the request
// headers.
func playgroundQuery(token string) string {
	if token == "" {
		return ""
	}
	headers, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + token})
	return "?" + url.Values{"headers": {string(headers)}}.Encode()
}

func createToken() error {
	cmd, err := config.LoadTokenCommand(os.Args[3:], os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	ctx := context.Background()
	client, err := database.Open(cmd.DatabaseURL)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := database.Prepare(ctx, client, cmd.DatabaseURL, database.AutoMigrateDefault(cmd.DatabaseURL, false)); err != nil {
		return err
	}
	b := auth.Bootstrap{
		OrgSlug: cmd.OrgSlug, OrgName: cmd.OrgName,
		Email: cmd.Email, AccountName: cmd.Name,
		Role: membership.Role(cmd.Role), TokenName: cmd.TokenName,
	}
	if cmd.ExpiresIn > 0 {
		at := time.Now().Add(cmd.ExpiresIn)
		b.ExpiresAt = &at
	}
	tok, secret, err := b.Run(ctx, client)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Token %s (%s) for %s as %s in %s. The secret is shown only now:\n", tok.Prefix, tok.Name, cmd.Email, tok.Role, cmd.OrgSlug)
	fmt.Println(secret)
	return nil
}

// migrate applies the pending migrations of the database, or lists them.
func migrate() error {
	cmd, err := config.LoadMigrateCommand(os.Args[2:], os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, err := database.Open(cmd.DatabaseURL)
	if err != nil {
		return err
	}
	defer client.Close()
	return database.RunMigrateCommand(ctx, client, cmd.DatabaseURL, cmd.MigrateOptions, os.Stdout)
}
