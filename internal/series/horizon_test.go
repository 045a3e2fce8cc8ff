package series_test

import (
	"context"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/internal/series"
	"github.com/rencontre/rencontre/internal/testenv"
)

func ptr[T any](v T) *T { return &v }

// TestKeepHorizonMovesForwardWithoutDuplicates creates a weekly series
// without end, then lets the daily job run at later and later times: each
// run creates the occurrences newly inside the horizon, and running twice at
// one time creates nothing.
func TestKeepHorizonMovesForwardWithoutDuplicates(t *testing.T) {
	c := testenv.Client(t)
	ctx := testenv.System()
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	set := series.Settings{HorizonMonths: 1}
	tx, err := c.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s, err := series.Create(ent.NewTxContext(ctx, tx), tx.Client(), org.ID, series.Template{
		Title: ptr("Weekly"), RRule: ptr("FREQ=WEEKLY;BYDAY=MO"), StartsAt: ptr("2027-01-11T09:00:00"),
		TimeZone: ptr("Europe/Paris"), DurationMinutes: ptr(60),
	}, now, set)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	count := func() int { return c.Meeting.Query().Where(meeting.SeriesID(s.ID)).CountX(ctx) }
	// From 11 January through the end of February: 7 Mondays.
	if got := count(); got != 7 {
		t.Fatalf("%d occurrences at creation, want 7 (11 January to 22 February)", got)
	}
	for _, step := range []struct {
		at   time.Time
		want int
	}{
		{now, 7},                   // same time: nothing new
		{now.AddDate(0, 0, 20), 7}, // still January: the horizon is the end of February
		{now.AddDate(0, 1, 0), 12}, // February: through March, 5 more Mondays
		{now.AddDate(0, 1, 0), 12}, // twice at one time: nothing new
		{now.AddDate(0, 2, 5), 16}, // March: through April, 4 more
	} {
		if _, err := series.ExtendAllTx(context.Background(), c, step.at, set); err != nil {
			t.Fatalf("at %s: %v", step.at, err)
		}
		if got := count(); got != step.want {
			t.Fatalf("at %s: %d occurrences, want %d", step.at.Format(time.DateOnly), got, step.want)
		}
	}
	// The job itself: one run at start, then it stops with its context.
	jobCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		series.KeepHorizon(jobCtx, c, set, time.Hour, func() time.Time { return now.AddDate(0, 3, 0) })
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for count() != 21 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if got := count(); got != 21 {
		t.Fatalf("after the job's first run in April: %d occurrences, want 21 (5 more, through May)", got)
	}
}
