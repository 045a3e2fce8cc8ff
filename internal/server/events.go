package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/events"
)

// OpenEvents returns the bus of attendance events for the database at
// databaseURL, and the function that releases it: on PostgreSQL, LISTEN/NOTIFY
// on the database, so that a change made through one server reaches the
// subscribers of every server on it; on SQLite (one process), an in-process
// bus.
func OpenEvents(ctx context.Context, databaseURL string) (events.Bus, func() error, error) {
	if isPostgres(databaseURL) {
		bus, err := events.NewPostgres(ctx, databaseURL)
		if err != nil {
			return nil, nil, err
		}
		return bus, bus.Close, nil
	}
	return events.NewMemory(), func() error { return nil }, nil
}

// ListenAuth connects authn to the other servers on the database at
// databaseURL, so that a token revoked or a membership changed through one of
// them is forgotten by all at once (PostgreSQL LISTEN/NOTIFY; on SQLite, one
// process, nothing to do). It returns the function that stops it.
func ListenAuth(ctx context.Context, databaseURL string, authn *auth.Authenticator) (func() error, error) {
	if !isPostgres(databaseURL) {
		return func() error { return nil }, nil
	}
	p, err := auth.ListenPostgres(ctx, databaseURL, authn, nil)
	if err != nil {
		return nil, err
	}
	return p.Close, nil
}

func isPostgres(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

// RoutesWithEvents is Routes whose mutations publish attendance events on
// bus, and whose subscriptions listen to it.
func RoutesWithEvents(client *ent.Client, cfg config.Config, bus events.Bus) http.Handler {
	return NewRoutes(client, cfg, Deps{Events: bus})
}
