package database

import (
	"context"
	"log/slog"
	"time"

	"entgo.io/ent/dialect"

	"github.com/rencontre/rencontre/ent"
)

// OptimizeEvery is how often a server on SQLite refreshes the statistics of
// SQLite's query planner (KeepOptimized).
const OptimizeEvery = time.Hour

// KeepOptimized keeps the statistics of SQLite's query planner current, as
// SQLite recommends for long-lived connections: `PRAGMA optimize=0x10002`
// at once (it analyzes every table whose statistics are missing or out of
// date, within a bounded effort), then `PRAGMA optimize` every interval
// until ctx ends. Without statistics SQLite finds 50 people by ID through
// the organization's index, reading all of its people, rather than by the
// primary key. On PostgreSQL autovacuum analyzes the tables itself, and
// KeepOptimized returns at once.
func KeepOptimized(ctx context.Context, c *ent.Client, rawURL string, interval time.Duration) {
	if _, d, _, err := parse(rawURL); err != nil || d != dialect.SQLite {
		return
	}
	optimize := func(pragma string) {
		if _, err := c.ExecContext(ctx, pragma); err != nil && ctx.Err() == nil {
			slog.WarnContext(ctx, "refreshing SQLite's planner statistics", "error", err)
		}
	}
	optimize("PRAGMA optimize=0x10002")
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			optimize("PRAGMA optimize")
		}
	}
}
