// Command rencontre serves the Rencontre GraphQL API: configuration, database,
// migration, demo data, handler, graceful shutdown. The decisions live in
// internal/ and graph/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/server"
)

func main() {
	if err := run(); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		slog.Error("rencontre stopped", "error", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client, err := database.Open(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer client.Close()
	if err := database.Migrate(ctx, client, cfg.DatabaseURL); err != nil {
		return err
	}
	if cfg.Demo {
		res, err := demo.Load(ctx, client, time.Now())
		if err != nil {
			return err
		}
		slog.Info("demo data", "organization", res.Organization.Name, "loaded_now", res.Created)
	}
	return server.Run(ctx, cfg, server.Routes(client, cfg), func(addr string) {
		slog.Info("Rencontre is listening", "database", database.Redact(cfg.DatabaseURL), "playground", cfg.Playground)
		fmt.Printf("GraphQL API:  http://%s/graphql\n", addr)
		if cfg.Playground {
			fmt.Printf("Playground:   http://%s/\n", addr)
		}
	})
}
