package events_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/events"
	"github.com/rencontre/rencontre/internal/testenv"
)

// wait is how long a test waits for an event before it fails: generous, as
// it only bounds a failure.
const wait = 10 * time.Second

func receive(t *testing.T, ch <-chan events.Event) events.Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("the subscription ended before the event")
		}
		return e
	case <-time.After(wait):
		t.Fatalf("no event within %s", wait)
	}
	return events.Event{}
}

func TestMemoryDeliversOnlyTheEventsOfTheSubscribedMeeting(t *testing.T) {
	bus := events.NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := bus.Subscribe(ctx, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []events.Event{
		{Kind: events.CheckedIn, OrganizationID: 1, MeetingID: 11, ParticipationID: 100}, // another meeting
		{Kind: events.CheckedIn, OrganizationID: 2, MeetingID: 10, ParticipationID: 101}, // another organization
		{Kind: events.Answered, OrganizationID: 1, MeetingID: 10, ParticipationID: 102},
	} {
		if err := bus.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if e := receive(t, ch); e.ParticipationID != 102 || e.Kind != events.Answered {
		t.Fatalf("first event = %+v, want the answer of participation 102", e)
	}
	cancel()
	for range ch { // closed once the subscription's context ends
	}
	if n := bus.Subscribers(); n != 0 {
		t.Fatalf("%d subscribers after the end of the only one", n)
	}
}

func TestMemorySubscriberThatFallsBehindGetsRefetch(t *testing.T) {
	bus := events.NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, _ := bus.Subscribe(ctx, 1, 10)
	const published = 200 // more than a subscriber may have waiting
	for i := 1; i <= published; i++ {
		_ = bus.Publish(ctx, events.Event{Kind: events.CheckedIn, OrganizationID: 1, MeetingID: 10, ParticipationID: i})
	}
	got := 0
	for got < published && len(ch) > 0 {
		<-ch
		got++
	}
	if got >= published {
		t.Fatalf("received all %d events: the test did not overflow the buffer", published)
	}
	// Room again: the next event is preceded by a Refetch notice.
	_ = bus.Publish(ctx, events.Event{Kind: events.Answered, OrganizationID: 1, MeetingID: 10, ParticipationID: 999})
	if e := receive(t, ch); e.Kind != events.Refetch || e.MeetingID != 10 || e.OrganizationID != 1 {
		t.Fatalf("after falling behind: %+v, want REFETCH of meeting 10", e)
	}
	if e := receive(t, ch); e.ParticipationID != 999 {
		t.Fatalf("after the refetch: %+v, want participation 999", e)
	}
}

func TestAfterCommitPublishesOnlyCommittedTransactions(t *testing.T) {
	c := testenv.Client(t)
	bus := events.NewMemory()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, _ := bus.Subscribe(ctx, 1, 10)
	for _, tc := range []struct {
		name   string
		commit bool
		id     int
	}{
		{"a rolled back transaction publishes nothing", false, 1},
		{"a committed transaction publishes after its commit, in order", true, 3},
	} {
		tx, err := c.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int{tc.id, tc.id + 1} { // a check-in and a promotion, say
			events.AfterCommit(ent.NewTxContext(ctx, tx), bus, events.Event{Kind: events.CheckedIn, OrganizationID: 1, MeetingID: 10, ParticipationID: id})
		}
		if len(ch) != 0 {
			t.Fatalf("%s: published before the end of the transaction", tc.name)
		}
		if tc.commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Events arrive in order: the first ones are the committed ones.
	for _, want := range []int{3, 4} {
		if e := receive(t, ch); e.ParticipationID != want || e.At.IsZero() {
			t.Fatalf("received %+v, want the committed participation %d, with its time", e, want)
		}
	}
}

// postgresBuses returns n buses on one new PostgreSQL database, as n servers
// would have; it skips on SQLite.
func postgresBuses(t *testing.T, n int) (string, []*events.Postgres) {
	t.Helper()
	if !testenv.Postgres() {
		t.Skip("LISTEN/NOTIFY: PostgreSQL only (RENCONTRE_TEST_DB=postgres)")
	}
	dbURL := testenv.URL(t)
	var buses []*events.Postgres
	for range n {
		b, err := events.NewPostgres(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		buses = append(buses, b)
	}
	return dbURL, buses
}

func TestPostgresEventPublishedByOneServerReachesTheOthers(t *testing.T) {
	_, buses := postgresBuses(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, _ := buses[1].Subscribe(ctx, 7, 70)
	sent := events.Event{Kind: events.CheckedIn, OrganizationID: 7, MeetingID: 70, ParticipationID: 700, At: time.Date(2030, 3, 5, 9, 0, 0, 0, time.UTC)}
	if err := buses[0].Publish(ctx, sent); err != nil {
		t.Fatal(err)
	}
	if e := receive(t, ch); e != sent {
		t.Fatalf("received %+v, want %+v", e, sent)
	}
}

func TestPostgresListenerReconnectTellsSubscribersToRefetch(t *testing.T) {
	dbURL, buses := postgresBuses(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, _ := buses[0].Subscribe(ctx, 7, 70)
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Cut the listening connection, as a database restart or a network
	// failure would: lib/pq reconnects, and notifications may have been lost.
	var killed int
	err = db.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN %' || current_schema() || '%' AND pid <> pg_backend_pid()`).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminating the listening connection: %d terminated, %v", killed, err)
	}
	if e := receive(t, ch); e.Kind != events.Refetch || e.OrganizationID != 7 || e.MeetingID != 70 {
		t.Fatalf("after the reconnection: %+v, want REFETCH of meeting 70", e)
	}
	// And it listens again.
	sent := events.Event{Kind: events.Answered, OrganizationID: 7, MeetingID: 70, ParticipationID: 701, At: time.Date(2030, 3, 5, 9, 0, 0, 0, time.UTC)}
	if err := buses[0].Publish(ctx, sent); err != nil {
		t.Fatal(err)
	}
	if e := receive(t, ch); e != sent {
		t.Fatalf("after the reconnection: %+v, want %+v", e, sent)
	}
}

// Events published at once by concurrent publishers are sent in batches;
// each arrives, once, and those of one publisher in the order it published
// them. Close sends what is still queued.
func TestPostgresBatchesArriveInOrderAndCloseSendsTheQueue(t *testing.T) {
	_, buses := postgresBuses(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, _ := buses[1].Subscribe(ctx, 7, 70)
	const publishers, each = 4, 12 // within a subscriber's buffer
	var wg sync.WaitGroup
	for g := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := events.Event{Kind: events.Answered, OrganizationID: 7, MeetingID: 70, ParticipationID: g*1000 + i,
					At: time.Date(2030, 3, 5, 9, 0, 0, 0, time.UTC)}
				if err := buses[0].Publish(ctx, e); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	// Closing the publishing bus now still sends what it queued.
	if err := buses[0].Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, publishers)
	for range publishers * each {
		e := receive(t, ch)
		g, i := e.ParticipationID/1000, e.ParticipationID%1000
		if e.Kind != events.Answered || g >= publishers || i != next[g] {
			t.Fatalf("received %+v; want participation %d of publisher %d next", e, next[min(g, publishers-1)], g)
		}
		next[g]++
	}
	if err := buses[0].Publish(ctx, events.Event{Kind: events.Answered, OrganizationID: 7, MeetingID: 70}); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("Publish on a closed bus: %v, want ErrClosed", err)
	}
}
