package series

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/policy"
)

// KeepHorizon moves the horizon of every active series forward at once and
// then every interval (daily in the server), until ctx ends. Each run is one
// transaction, as the system; a failed run is logged and retried at the next
// tick. clock gives the current time.
func KeepHorizon(ctx context.Context, c *ent.Client, set Settings, interval time.Duration, clock func() time.Time) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if n, err := ExtendAllTx(ctx, c, clock(), set); err != nil {
			if ctx.Err() != nil {
				return
			}
			slog.ErrorContext(ctx, "moving the horizon of series forward", "error", err)
		} else if n > 0 {
			slog.InfoContext(ctx, "series horizon moved forward", "series", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// ExtendAllTx is ExtendAll in a transaction of its own, as the system.
func ExtendAllTx(ctx context.Context, c *ent.Client, now time.Time, set Settings) (int, error) {
	sys := policy.System(ctx)
	tx, err := c.Tx(sys)
	if err != nil {
		return 0, fmt.Errorf("starting a transaction: %w", err)
	}
	n, err := ExtendAll(ent.NewTxContext(sys, tx), tx.Client(), now, set)
	if err != nil {
		_ = tx.Rollback()
		return 0, err
	}
	return n, tx.Commit()
}
