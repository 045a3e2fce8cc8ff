package watch_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/watch"
)

// TestMain keeps the servers' access log out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// wait bounds every wait of these tests.
const wait = 10 * time.Second

// liveServer is one server process's handler: its own ent client and event
// bus on the shared database.
type liveServer struct {
	url string // the GraphQL endpoint
	bus interface{ Subscribers() int }
}

// servers starts n servers, as `rencontre --demo` does, on one new database
// with the demo loaded: on PostgreSQL each has its own client and
// LISTEN/NOTIFY bus; on SQLite (events stay in the process) there is one,
// whatever n. It returns them with the demo's owner token.
func servers(t *testing.T, n int) ([]liveServer, *ent.Client, string) {
	t.Helper()
	if !testenv.Postgres() {
		n = 1
	}
	dbURL := testenv.URL(t)
	cfg, err := config.Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var (
		out   []liveServer
		first *ent.Client
	)
	for i := range n {
		c, err := database.Open(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if i == 0 {
			if err := database.Migrate(ctx, c, dbURL); err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Load(ctx, c, time.Now()); err != nil {
				t.Fatal(err)
			}
			first = c
		}
		bus, closeBus, err := server.OpenEvents(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = closeBus() })
		srv := httptest.NewServer(server.RoutesWithEvents(c, cfg, bus))
		t.Cleanup(srv.Close)
		out = append(out, liveServer{url: srv.URL + "/graphql", bus: bus.(interface{ Subscribers() int })})
	}
	_, token, err := demo.Token(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	return out, first, token
}

// post runs a GraphQL operation and returns its data; errors fail the test.
func post(t *testing.T, url, token, query string, vars map[string]any) json.RawMessage {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage
		Errors []json.RawMessage
	}
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &r); err != nil || len(r.Errors) > 0 || res.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d %s", query, res.StatusCode, b)
	}
	return r.Data
}

const respond = `mutation($p: ID!, $a: ParticipationAnswer!) {
  participationRespond(input: {participationID: $p, answer: $a}) {
    waitlisted participation { status waitlistPosition } userErrors { message }
  }
}`

// watching runs watch.Run on srv for meetingID with token, and returns the
// lines it prints, and the function that stops it (Ctrl-C) and returns its
// error.
func watching(t *testing.T, srv liveServer, token string, meetingID int) (<-chan watch.Line, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan struct{})
	var runErr error
	go func() {
		runErr = watch.Run(ctx, srv.url, token, fmt.Sprint(meetingID), pw)
		_ = pw.Close()
		close(done)
	}()
	lines := make(chan watch.Line, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var l watch.Line
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Errorf("an output line that is not JSON: %q", sc.Text())
				continue
			}
			if !strings.HasSuffix(sc.Text(), "}") || strings.Contains(sc.Text(), "\n") {
				t.Errorf("not one JSON object per line: %q", sc.Text())
			}
			lines <- l
		}
	}()
	stop := func() error {
		cancel()
		select {
		case <-done:
			return runErr
		case <-time.After(wait):
			t.Fatal("watch did not return after its context ended")
			return nil
		}
	}
	t.Cleanup(func() { cancel(); <-done })
	// The server registers a subscription asynchronously: an event published
	// before is not for it.
	deadline := time.Now().Add(wait)
	for srv.bus.Subscribers() != 1 {
		select {
		case <-done:
			t.Fatalf("watch returned before subscribing: %v", runErr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no subscription on the server after %s", wait)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return lines, stop
}

func next(t *testing.T, lines <-chan watch.Line) watch.Line {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("watch stopped printing")
		}
		return l
	case <-time.After(wait):
		t.Fatalf("no event line within %s", wait)
	}
	return watch.Line{}
}

// TestWatchPrintsThePromotionMadeThroughAnotherServer is the README's
// walk-through in small: the demo's rehearsal (10 places) filled and one more
// on the waiting list through the first server; watch follows it through the
// second (the same one on SQLite); one accepted person declines and watch
// prints the answer, then the promotion of number 1 of the waiting list.
func TestWatchPrintsThePromotionMadeThroughAnotherServer(t *testing.T) {
	srvs, c, token := servers(t, 2)
	first, second := srvs[0], srvs[len(srvs)-1]
	ctx := testenv.System()
	m := c.Meeting.Query().Where(meeting.Title(demo.RehearsalTitle)).OnlyX(ctx)
	parts := c.Participation.Query().Where(participation.MeetingID(m.ID)).Order(ent.Asc(participation.FieldID)).Limit(11).AllX(ctx)
	for i, p := range parts {
		post(t, first.url, token, respond, map[string]any{"p": fmt.Sprint(p.ID), "a": "ACCEPTED"})
		got := c.Participation.GetX(ctx, p.ID)
		if want := i < 10; (got.Status == participation.StatusAccepted) != want {
			t.Fatalf("answer %d: %s, want accepted = %v", i+1, got.Status, want)
		}
	}
	waiting := parts[10]
	if p := c.Participation.GetX(ctx, waiting.ID); p.Status != participation.StatusWaitlisted || p.WaitlistPosition == nil || *p.WaitlistPosition != 1 {
		t.Fatalf("the 11th: %s at %v, want WAITLISTED at 1", p.Status, p.WaitlistPosition)
	}

	lines, stop := watching(t, second, token, m.ID)
	before := time.Now().Add(-time.Second)
	post(t, first.url, token, respond, map[string]any{"p": fmt.Sprint(parts[3].ID), "a": "DECLINED"})
	if l := next(t, lines); l.Kind != "ANSWERED" || l.ParticipationID != fmt.Sprint(parts[3].ID) || l.Status != "DECLINED" || l.Person == "" || l.OccurredAt.Before(before) {
		t.Fatalf("first line %+v, want the answer DECLINED of participation %d", l, parts[3].ID)
	}
	if l := next(t, lines); l.Kind != "PROMOTED" || l.ParticipationID != fmt.Sprint(waiting.ID) || l.Status != "ACCEPTED" || l.WaitlistPosition != nil {
		t.Fatalf("second line %+v, want participation %d PROMOTED to ACCEPTED", l, waiting.ID)
	}
	if err := stop(); err != nil {
		t.Fatalf("watch after Ctrl-C: %v, want nil", err)
	}
	if _, ok := <-lines; ok {
		t.Fatal("a line after the events")
	}
}

func TestWatchExplainsWhatItCannotFollow(t *testing.T) {
	srvs, c, token := servers(t, 1)
	s := srvs[0]
	m := c.Meeting.Query().Where(meeting.Title(demo.RehearsalTitle)).OnlyX(testenv.System())
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for _, tc := range []struct {
		name, token, meeting, want string
	}{
		{"an unknown token", "rct_unknown", fmt.Sprint(m.ID), "refused the token (close code 4403"},
		{"no token", "", fmt.Sprint(m.ID), "an API token is required"},
		{"an unknown meeting", token, fmt.Sprint(m.ID + 1000), "meeting " + fmt.Sprint(m.ID+1000) + " not found"},
		{"the ID of another type", token, fmt.Sprint(m.OrganizationID), "not found"},
		{"not an ID", token, "launch", "BAD_USER_INPUT"},
		{"no meeting", token, "", "the meeting's ID is required"},
	} {
		var out bytes.Buffer
		err := watch.Run(ctx, s.url, tc.token, tc.meeting, &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("%s: printed %q, want nothing", tc.name, out.String())
		}
	}
	if n := s.bus.Subscribers(); n != 0 {
		t.Errorf("%d subscriptions left on the server", n)
	}
	// A server that is not there, and an address that is not a WebSocket.
	if err := watch.Run(ctx, "http://127.0.0.1:1/graphql", token, "1", io.Discard); err == nil || !strings.Contains(err.Error(), "connecting to ws://127.0.0.1:1/graphql") {
		t.Errorf("no server: %v", err)
	}
	if err := watch.Run(ctx, strings.TrimSuffix(s.url, "/graphql")+"/healthz", token, "1", io.Discard); err == nil || !strings.Contains(err.Error(), "instead of opening a WebSocket") {
		t.Errorf("not the GraphQL endpoint: %v", err)
	}
}

func TestWatchCommand(t *testing.T) {
	srvs, c, token := servers(t, 1)
	m := c.Meeting.Query().Where(meeting.Title(demo.RehearsalTitle)).OnlyX(testenv.System())
	var stdout, stderr bytes.Buffer
	// The token from the environment; the context ends at once (Ctrl-C):
	// nothing printed, no error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	env := func(k string) string {
		if k == watch.TokenEnv {
			return token
		}
		return ""
	}
	if err := watch.Command(ctx, []string{"--meeting", fmt.Sprint(m.ID), "--url", srvs[0].url}, env, &stdout, &stderr); err != nil {
		t.Fatalf("watch after Ctrl-C: %v", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--url", srvs[0].url}, "the meeting's ID is required (--meeting)"},
		{[]string{"--meeting", fmt.Sprint(m.ID), "extra"}, `unexpected argument "extra"`},
		{[]string{"--meeting", "1", "--url", "ftp://x/graphql"}, "must start with http://"},
	} {
		err := watch.Command(context.Background(), tc.args, env, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
	if err := watch.Command(context.Background(), []string{"--meeting", "1", "--url", srvs[0].url}, func(string) string { return "" }, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), watch.TokenEnv) {
		t.Errorf("without a token: %v, want the error to name %s", err, watch.TokenEnv)
	}
}
