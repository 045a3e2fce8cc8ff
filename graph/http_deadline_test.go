package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/testenv"
)

// slowStatement is SQL that the database itself takes minutes to run: only
// the cancellation of its context ends it early.
func slowStatement() string {
	if testenv.Postgres() {
		return "SELECT pg_sleep(60)"
	}
	return "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000000) SELECT max(x) FROM c"
}

// meetingsTable finds the meetings table in a statement, quoted by SQLite
// (backquotes) or PostgreSQL (double quotes).
var meetingsTable = regexp.MustCompile("[`\"]meetings[`\"]")

// slowDriver runs, once armed, the slow statement in place of every query
// that reads the meetings table, with the context ent gave the query: what
// ends the statement is what the request's context carried down to SQL.
type slowDriver struct {
	*testenv.Counter
	armed   atomic.Bool
	started chan struct{} // closed when the slow statement starts
	ended   chan error    // what the slow statement returned
	ctxErr  atomic.Value  // the query context's cause, once ended
	once    atomic.Bool   // the slow statement runs once
}

// Query implements dialect.Driver.
func (d *slowDriver) Query(ctx context.Context, query string, args, v any) error {
	return d.query(ctx, d.Counter, query, args, v)
}

// Tx implements dialect.Driver: a mutation's queries are slowed too.
func (d *slowDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Counter.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return slowTx{tx, d}, nil
}

type slowTx struct {
	dialect.Tx
	d *slowDriver
}

// Query implements dialect.Tx.
func (tx slowTx) Query(ctx context.Context, query string, args, v any) error {
	return tx.d.query(ctx, tx.Tx, query, args, v)
}

func (d *slowDriver) query(ctx context.Context, on dialect.ExecQuerier, query string, args, v any) error {
	if !d.armed.Load() || !meetingsTable.MatchString(query) || !d.once.CompareAndSwap(false, true) {
		return on.Query(ctx, query, args, v)
	}
	close(d.started)
	var rows entsql.Rows
	err := on.Query(ctx, slowStatement(), []any{}, &rows)
	if err == nil {
		for rows.Next() {
		}
		err = errors.Join(rows.Err(), rows.Close())
	}
	if err == nil {
		err = errors.New("the slow statement finished")
	}
	d.ctxErr.Store(context.Cause(ctx))
	d.ended <- err
	return err
}

// wait returns what the slow statement returned.
func (d *slowDriver) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-d.ended:
		return err
	case <-time.After(time.Minute):
		t.Fatal("the slow statement did not end (or never started) within a minute")
		return nil
	}
}

// slowAPI is an API whose first query of meetings, once armed (after the
// test's own setup), runs until its context ends.
func slowAPI(t *testing.T) (*api, *slowDriver) {
	t.Helper()
	dbURL := testenv.URL(t)
	drv, err := database.Driver(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	sd := &slowDriver{Counter: &testenv.Counter{Driver: drv}, started: make(chan struct{}), ended: make(chan error, 1)}
	c := ent.NewClient(ent.Driver(sd))
	t.Cleanup(func() { _ = c.Close() })
	if err := database.Migrate(context.Background(), c, dbURL); err != nil {
		t.Fatal(err)
	}
	return &api{ent: c}, sd
}

func TestRequestTimeoutStopsTheSQLAndAnswersRequestTimeout(t *testing.T) {
	a, sd := slowAPI(t)
	a.bearer(t)
	sd.armed.Store(true)
	// Long enough for authentication, short for the test.
	h := graph.NewHandler(a.ent, graph.Options{RequestTimeout: time.Second})
	for _, accept := range []string{plainJSON, graphQLResponse} {
		t.Run("Accept "+accept, func(t *testing.T) {
			sd.once.Store(false)
			sd.started = make(chan struct{})
			r := a.wire(t, h, wireCall{body: jsonBody(t, map[string]any{"query": `query Slow { meetings { totalCount } }`}), accept: accept})
			if err := sd.wait(t); err == nil || strings.Contains(err.Error(), "finished") {
				t.Fatalf("the slow statement returned %v, want it cancelled", err)
			}
			if cause := sd.ctxErr.Load(); cause != graph.ErrRequestTimeout {
				t.Errorf("the statement's context ended with %v, want graph.ErrRequestTimeout", cause)
			}
			errs := r.errors(t)
			if r.status != http.StatusOK || len(errs) != 1 || errs[0].code() != "REQUEST_TIMEOUT" || !r.hasData(t) {
				t.Fatalf("HTTP %d %s, want 200 with data and one REQUEST_TIMEOUT error", r.status, r)
			}
			if strings.Contains(errs[0].Message, "pq:") || strings.Contains(errs[0].Message, "interrupt") || strings.Contains(errs[0].Message, "deadline") {
				t.Errorf("message %q shows the driver's error", errs[0].Message)
			}
		})
	}
}

func TestRequestTimeoutOfAMutationChangesNothing(t *testing.T) {
	a, sd := slowAPI(t)
	f := newFixture(t, a.ent)
	a.token = tokenFor(t, a.ent, f.org.Slug, "OWNER")
	sd.armed.Store(true)
	h := graph.NewHandler(a.ent, graph.Options{RequestTimeout: time.Second})
	q := `mutation { meetingCancel(input: {meetingID: "` + strID(f.meeting.ID) + `", reason: "x"}) { meeting { id status } } }`
	r := a.wire(t, h, wireCall{body: jsonBody(t, map[string]any{"query": q})})
	sd.wait(t)
	if r.status != http.StatusOK || r.code(t) != "REQUEST_TIMEOUT" {
		t.Fatalf("HTTP %d %s, want 200 with REQUEST_TIMEOUT", r.status, r)
	}
	if m := a.ent.Meeting.GetX(testenv.System(), f.meeting.ID); m.Status != f.meeting.Status || m.CancelledAt != nil {
		t.Fatalf("meeting %+v after a cut mutation, want it unchanged", m)
	}
}

func TestClientGoneCancelsTheSQL(t *testing.T) {
	a, sd := slowAPI(t)
	a.bearer(t)
	sd.armed.Store(true)
	srv := httptest.NewServer(graph.NewHandler(a.ent, graph.Options{RequestTimeout: time.Hour}))
	defer srv.Close()
	body, _ := json.Marshal(map[string]any{"query": `{ meetings { totalCount } }`})
	ctx, hangUp := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.bearer(t))
	done := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		done <- err
	}()
	select {
	case <-sd.started:
	case <-time.After(time.Minute):
		t.Fatal("the slow statement never started")
	}
	waitRunning(t, a.ent)
	hangUp()
	if err := sd.wait(t); err == nil || strings.Contains(err.Error(), "finished") {
		t.Fatalf("the slow statement returned %v, want it cancelled when the client left", err)
	}
	if cause := sd.ctxErr.Load(); cause != context.Canceled {
		t.Errorf("the statement's context ended with %v, want context.Canceled", cause)
	}
	if err := <-done; err == nil {
		t.Error("the client got an answer after hanging up")
	}
}

// waitRunning waits until PostgreSQL executes the slow statement: lib/pq
// cancels a statement with a cancel request, which does nothing to a statement
// the server has not started yet.
func waitRunning(t *testing.T, c *ent.Client) {
	t.Helper()
	if !testenv.Postgres() {
		return // SQLite interrupts a statement whenever its context ends
	}
	for range 500 {
		rows, err := c.QueryContext(context.Background(),
			"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(%'")
		if err != nil {
			t.Fatal(err)
		}
		var n int
		for rows.Next() {
			_ = rows.Scan(&n)
		}
		rows.Close()
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the slow statement never ran on PostgreSQL")
}
