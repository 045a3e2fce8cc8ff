package server

import (
	"context"
	"net/http"
	"strings"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/events"
)

// OpenEvents returns the bus of attendance events for the database at
// databaseURL, and the function that releases it: on PostgreSQL, LISTEN/NOTIFY
// on the database, so that a change made through one server reaches the
// subscribers of every server on it; on SQLite (one process), an in-process
// bus.
func OpenEvents(ctx context.Context, databaseURL string) (events.Bus, func() error, error) {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		bus, err := events.NewPostgres(ctx, databaseURL)
		if err != nil {
			return nil, nil, err
		}
		return bus, bus.Close, nil
	}
	return events.NewMemory(), func() error { return nil }, nil
}

// RoutesWithEvents is Routes whose mutations publish attendance events on
// bus, and whose subscriptions listen to it.
func RoutesWithEvents(client *ent.Client, cfg config.Config, bus events.Bus) http.Handler {
	return NewRoutes(client, cfg, Deps{Events: bus})
}
