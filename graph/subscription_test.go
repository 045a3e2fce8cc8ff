package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/apitoken"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/events"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
)

// subscriptionWait bounds the wait for a message that must come: a failure
// is reported after it, a success never waits for it.
const subscriptionWait = 10 * time.Second

// liveServer is one server process as the subscription tests see it: its own
// ent client and its own bus, on a database it may share with others.
type liveServer struct {
	url string
	ent *ent.Client
	bus interface {
		events.Bus
		Subscribers() int
	}
	handler http.Handler
}

// liveServers starts n servers on one new database: each with its own ent
// client and PostgreSQL LISTEN/NOTIFY bus on PostgreSQL; on SQLite, one
// process, a single server with the in-process bus, whatever n.
func liveServers(t *testing.T, n int) []*liveServer {
	t.Helper()
	dbURL := testenv.URL(t)
	if !testenv.Postgres() {
		n = 1
	}
	var out []*liveServer
	for i := range n {
		c, err := database.Open(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if i == 0 {
			if err := database.Migrate(context.Background(), c, dbURL); err != nil {
				t.Fatal(err)
			}
		}
		s := &liveServer{ent: c}
		if testenv.Postgres() {
			bus, err := events.NewPostgres(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = bus.Close() })
			s.bus = bus
		} else {
			s.bus = events.NewMemory()
		}
		s.handler = graph.NewHandler(c, graph.Options{Events: s.bus})
		srv := httptest.NewServer(s.handler)
		t.Cleanup(srv.Close)
		s.url = srv.URL + "/graphql"
		out = append(out, s)
	}
	return out
}

// post runs a GraphQL request over HTTP with token and returns its data.
func (s *liveServer) post(t *testing.T, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	return postTo(t, s.handler, s.url, token, query, vars)
}

func postTo(t *testing.T, h http.Handler, url, token, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	r := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var res struct {
		Data   map[string]any
		Errors []map[string]any
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || len(res.Errors) > 0 {
		t.Fatalf("%s: status %d, %s (%v)", query, w.Code, w.Body.String(), err)
	}
	return res.Data
}

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient is a graphql-transport-ws client on a real WebSocket.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// dialWS opens a WebSocket to url and sends connection_init with payload;
// it does not wait for the answer.
func dialWS(t *testing.T, url string, payload map[string]any) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), subscriptionWait)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
	})
	if err != nil {
		t.Fatalf("dialing %s: %v", url, err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, conn: conn}
	p, _ := json.Marshal(payload)
	c.send(wsMessage{Type: "connection_init", Payload: p})
	return c
}

// connect opens an authenticated connection with token.
func connect(t *testing.T, url, token string) *wsClient {
	t.Helper()
	c := dialWS(t, url, map[string]any{"Authorization": "Bearer " + token})
	if m := c.read(); m.Type != "connection_ack" {
		t.Fatalf("after connection_init: %+v, want connection_ack", m)
	}
	return c
}

func (c *wsClient) send(m wsMessage) {
	c.t.Helper()
	b, _ := json.Marshal(m)
	ctx, cancel := context.WithTimeout(context.Background(), subscriptionWait)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatalf("writing %s: %v", m.Type, err)
	}
}

// readErr returns the next message other than ping and pong, or the error
// that ended the connection.
func (c *wsClient) readErr() (wsMessage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), subscriptionWait)
	defer cancel()
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			return wsMessage{}, err
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return wsMessage{}, fmt.Errorf("undecodable message %s: %w", b, err)
		}
		switch m.Type {
		case "ping":
			c.send(wsMessage{Type: "pong"})
		case "pong":
		default:
			return m, nil
		}
	}
}

func (c *wsClient) read() wsMessage {
	c.t.Helper()
	m, err := c.readErr()
	if err != nil {
		c.t.Fatalf("reading (waited up to %s): %v", subscriptionWait, err)
	}
	return m
}

const attendanceSubscription = `subscription($m: ID!) { meetingAttendanceChanged(meetingID: $m) {
	kind occurredAt meeting { id title } participation { id status checkedInAt person { name } } } }`

// subscribe starts the attendance subscription of meetingID as id.
func (c *wsClient) subscribe(id string, meetingID int) {
	c.t.Helper()
	p, _ := json.Marshal(map[string]any{"query": attendanceSubscription, "variables": map[string]any{"m": fmt.Sprint(meetingID)}})
	c.send(wsMessage{ID: id, Type: "subscribe", Payload: p})
}

// attendanceEvent is the shape of an AttendanceEvent in a next message.
type attendanceEvent struct {
	Kind          string
	OccurredAt    time.Time
	Meeting       struct{ ID, Title string }
	Participation *struct {
		ID, Status  string
		CheckedInAt *time.Time
		Person      struct{ Name string }
	}
}

// nextEvent reads the next message of subscription id, which must be an
// event.
func (c *wsClient) nextEvent(id string) attendanceEvent {
	c.t.Helper()
	m := c.read()
	var p struct {
		Data   struct{ MeetingAttendanceChanged attendanceEvent }
		Errors []map[string]any
	}
	_ = json.Unmarshal(m.Payload, &p)
	if m.Type != "next" || m.ID != id || len(p.Errors) > 0 {
		c.t.Fatalf("got %s %s %s, want an event of subscription %s", m.Type, m.ID, m.Payload, id)
	}
	return p.Data.MeetingAttendanceChanged
}

// waitSubscribers waits until bus has n subscriptions: the server handles a
// subscribe message asynchronously, and an event published before is not
// for the subscriber.
func waitSubscribers(t *testing.T, s *liveServer, n int) {
	t.Helper()
	deadline := time.Now().Add(subscriptionWait)
	for s.bus.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("the bus has %d subscriptions after %s, want %d", s.bus.Subscribers(), subscriptionWait, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// liveFixture is newFixture with Ana and Ben invited to the meeting, and
// tokens: an owner's for the mutations, a planner's for the subscriber.
type liveFixture struct {
	*fixture
	anaP, benP     *ent.Participation
	owner, planner string
}

func newLiveFixture(t *testing.T, c *ent.Client) *liveFixture {
	t.Helper()
	f := &liveFixture{fixture: newFixture(t, c)}
	f.meeting = happeningNow(t, c, f.meeting) // its people may check in
	ctx := testenv.System()
	f.anaP = c.Participation.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ana.ID).SaveX(ctx)
	f.benP = c.Participation.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ben.ID).SaveX(ctx)
	f.owner = tokenFor(t, c, "acme", membership.RoleOwner)
	f.planner = tokenFor(t, c, "acme", membership.RolePlanner)
	return f
}

const checkInMutation = `mutation($p: ID!) { participationCheckIn(input: {participationID: $p}) { participation { id } userErrors { code } } }`
const respondMutation = `mutation($p: ID!, $a: ParticipationAnswer!) { participationRespond(input: {participationID: $p, answer: $a}) { participation { id } userErrors { code } } }`

func TestSubscriptionCheckInThroughOneServerReachesTheSubscribersOfAnother(t *testing.T) {
	servers := liveServers(t, 2) // one on SQLite
	subscriberSide, mutationSide := servers[0], servers[len(servers)-1]
	f := newLiveFixture(t, subscriberSide.ent)

	ws := connect(t, subscriberSide.url, f.planner)
	ws.subscribe("1", f.meeting.ID)
	waitSubscribers(t, subscriberSide, 1)

	mutationSide.post(t, f.owner, respondMutation, map[string]any{"p": fmt.Sprint(f.anaP.ID), "a": "ACCEPTED"})
	e := ws.nextEvent("1")
	if e.Kind != "ANSWERED" || e.Participation == nil || e.Participation.ID != fmt.Sprint(f.anaP.ID) ||
		e.Participation.Status != "ACCEPTED" || e.Meeting.ID != fmt.Sprint(f.meeting.ID) || e.OccurredAt.IsZero() {
		t.Fatalf("after Ana's answer: %+v", e)
	}

	mutationSide.post(t, f.owner, checkInMutation, map[string]any{"p": fmt.Sprint(f.anaP.ID)})
	e = ws.nextEvent("1")
	if e.Kind != "CHECKED_IN" || e.Participation == nil || e.Participation.ID != fmt.Sprint(f.anaP.ID) ||
		e.Participation.CheckedInAt == nil || e.Participation.Person.Name != "Ana" {
		t.Fatalf("after Ana's check-in: %+v", e)
	}

	// Completing the subscription unsubscribes it from the bus.
	ws.send(wsMessage{ID: "1", Type: "complete"})
	waitSubscribers(t, subscriberSide, 0)
}

func TestSubscriptionPublishesOnlyCommittedChanges(t *testing.T) {
	s := liveServers(t, 1)[0]
	f := newLiveFixture(t, s.ent)
	ws := connect(t, s.url, f.planner)
	ws.subscribe("1", f.meeting.ID)
	waitSubscribers(t, s, 1)

	ben := map[string]any{"p": fmt.Sprint(f.benP.ID)}
	// Rolled back: a mutation with user errors (an unknown participation),
	// and one whose transaction is rolled back after its payload.
	data := s.post(t, f.owner, checkInMutation, map[string]any{"p": fmt.Sprint(f.meeting.ID)})
	if ues := data["participationCheckIn"].(map[string]any)["userErrors"].([]any); len(ues) == 0 {
		t.Fatalf("checking in a meeting's ID: no user error: %v", data)
	}
	postTo(t, graph.DryRun(s.handler), s.url, f.owner, checkInMutation, ben)
	// Committed: the only event the subscriber gets, and the first.
	s.post(t, f.owner, respondMutation, map[string]any{"p": fmt.Sprint(f.benP.ID), "a": "DECLINED"})
	if e := ws.nextEvent("1"); e.Kind != "ANSWERED" || e.Participation == nil || e.Participation.ID != fmt.Sprint(f.benP.ID) || e.Participation.Status != "DECLINED" {
		t.Fatalf("first event: %+v, want Ben's committed answer", e)
	}
}

func TestSubscriptionToAnotherOrganizationsMeetingIsNotFound(t *testing.T) {
	s := liveServers(t, 1)[0]
	f := newLiveFixture(t, s.ent)
	other := s.ent.Organization.Create().SetName("Other").SetSlug("other").SaveX(testenv.System())
	otherToken := tokenFor(t, s.ent, other.Slug, membership.RoleOwner)

	for _, tc := range []struct {
		name      string
		meetingID int
	}{
		{"a meeting of another organization does not exist for the token", f.meeting.ID},
		{"an unknown meeting", f.meeting.ID + 1000},
		{"the ID of another type", f.ana.ID},
	} {
		ws := connect(t, s.url, otherToken)
		ws.subscribe("1", tc.meetingID)
		m := ws.read()
		var p struct {
			Data   any
			Errors []struct{ Extensions struct{ Code string } }
		}
		_ = json.Unmarshal(m.Payload, &p)
		if m.Type != "next" || len(p.Errors) != 1 || p.Errors[0].Extensions.Code != "NOT_FOUND" || p.Data != nil {
			t.Fatalf("%s: %s %s, want a NOT_FOUND error and no data", tc.name, m.Type, m.Payload)
		}
		if m := ws.read(); m.Type != "complete" {
			t.Fatalf("%s: then %s, want complete", tc.name, m.Type)
		}
	}
	if n := s.bus.Subscribers(); n != 0 {
		t.Fatalf("%d subscriptions left on the bus", n)
	}

	// A subscriber of its own meeting hears nothing of the other
	// organization's changes: the first event it gets is of its own.
	ctx := testenv.System()
	start := time.Now().UTC().Truncate(time.Minute) // its check-in window is open
	otherMeeting := s.ent.Meeting.Create().SetOrganization(other).SetTitle("Other offsite").
		SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx)
	otherPerson := s.ent.Person.Create().SetOrganization(other).SetName("Olga").SetEmail("olga@other.example").SaveX(ctx)
	otherP := s.ent.Participation.Create().SetMeetingID(otherMeeting.ID).SetPersonID(otherPerson.ID).SaveX(ctx)
	ws := connect(t, s.url, otherToken)
	ws.subscribe("1", otherMeeting.ID)
	waitSubscribers(t, s, 1)
	s.post(t, f.owner, checkInMutation, map[string]any{"p": fmt.Sprint(f.anaP.ID)})
	s.post(t, otherToken, checkInMutation, map[string]any{"p": fmt.Sprint(otherP.ID)})
	if e := ws.nextEvent("1"); e.Participation == nil || e.Participation.ID != fmt.Sprint(otherP.ID) {
		t.Fatalf("first event of the other organization's subscriber: %+v, want its own check-in", e)
	}
}

func TestSubscriptionConnectionNeedsAValidToken(t *testing.T) {
	s := liveServers(t, 1)[0]
	f := newLiveFixture(t, s.ent)
	revoked := tokenFor(t, s.ent, "acme", membership.RoleViewer)
	s.ent.APIToken.Update().Where(apitoken.Prefix(revoked[:len("rct_")+8])).SetRevokedAt(time.Now()).ExecX(testenv.System())
	for _, tc := range []struct {
		name    string
		payload map[string]any
	}{
		{"no token", map[string]any{}},
		{"an unknown token", map[string]any{"Authorization": "Bearer rct_unknown"}},
		{"a revoked token", map[string]any{"token": revoked}},
		{"not a bearer token", map[string]any{"Authorization": "Basic " + f.owner}},
	} {
		ws := dialWS(t, s.url, tc.payload)
		_, err := ws.readErr()
		if code := websocket.CloseStatus(err); code != 4403 {
			t.Fatalf("%s: %v (close status %d), want the connection closed with 4403 Forbidden", tc.name, err, code)
		}
	}
	// Both forms of the init payload are accepted.
	connect(t, s.url, f.owner)
	if m := dialWS(t, s.url, map[string]any{"token": f.owner}).read(); m.Type != "connection_ack" {
		t.Fatalf(`{"token": …}: %+v, want connection_ack`, m)
	}
}

func TestSubscriptionEndsWhenItsTokenIsRevoked(t *testing.T) {
	s := liveServers(t, 1)[0]
	f := newLiveFixture(t, s.ent)
	ws := connect(t, s.url, f.planner)
	ws.subscribe("1", f.meeting.ID)
	waitSubscribers(t, s, 1)

	// The owner revokes the planner's token, then checks Ana in: the
	// subscriber, whose token is checked before each event, gets an error
	// instead of the event, and its connection closes.
	var tok struct{ ID string }
	data := s.post(t, f.planner, `{ viewer { token { id } } }`, nil)
	b, _ := json.Marshal(data["viewer"].(map[string]any)["token"])
	_ = json.Unmarshal(b, &tok)
	s.post(t, f.owner, `mutation($t: ID!) { apiTokenRevoke(input: {tokenID: $t}) { token { revokedAt } userErrors { code } } }`, map[string]any{"t": tok.ID})
	s.post(t, f.owner, checkInMutation, map[string]any{"p": fmt.Sprint(f.anaP.ID)})

	m := ws.read()
	var errs []struct{ Extensions struct{ Code string } }
	_ = json.Unmarshal(m.Payload, &errs)
	if m.Type != "error" || m.ID != "1" || len(errs) != 1 || errs[0].Extensions.Code != "UNAUTHENTICATED" {
		t.Fatalf("after the revocation: %s %s %s, want an UNAUTHENTICATED error of subscription 1", m.Type, m.ID, m.Payload)
	}
	if _, err := ws.readErr(); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the connection stays open after the revocation: %v", err)
	}
	waitSubscribers(t, s, 0)
}

func TestSubscriptionWebsocketOriginsAreTheCORSOrigins(t *testing.T) {
	c := testenv.Client(t)
	f := newLiveFixture(t, c)
	cfg, err := config.Load([]string{"--cors-origins", "https://desk.example.org"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	// The server's whole route chain: access log, security headers, CORS.
	srv := httptest.NewServer(server.RoutesWithEvents(c, cfg, events.NewMemory()))
	t.Cleanup(srv.Close)
	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	for _, tc := range []struct {
		name    string
		origin  string
		allowed bool
	}{
		{"a client that sends no Origin (not a browser)", "", true},
		{"a browser on a listed origin", "https://desk.example.org", true},
		{"a browser on the server's own origin", srv.URL, true},
		{"a browser on another origin", "https://evil.example", false},
		{"a listed host on another scheme", "http://desk.example.org", false},
	} {
		h := http.Header{}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
		}
		ctx, cancel := context.WithTimeout(context.Background(), subscriptionWait)
		conn, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
		cancel()
		if !tc.allowed {
			if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("%s: %v, want 403", tc.name, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		ws := &wsClient{t: t, conn: conn}
		t.Cleanup(func() { _ = conn.CloseNow() })
		p, _ := json.Marshal(map[string]any{"Authorization": "Bearer " + f.owner})
		ws.send(wsMessage{Type: "connection_init", Payload: p})
		if m := ws.read(); m.Type != "connection_ack" {
			t.Fatalf("%s: %+v, want connection_ack", tc.name, m)
		}
	}
}

func TestSubscriptionEndsWhenItsTokenIsRevokedWithoutAnyEvent(t *testing.T) {
	defer graph.SetTokenRecheckInterval(20 * time.Millisecond)()
	s := liveServers(t, 1)[0]
	f := newLiveFixture(t, s.ent)
	ws := connect(t, s.url, f.planner)
	ws.subscribe("1", f.meeting.ID)
	waitSubscribers(t, s, 1)

	// Revoked directly in the database: the periodic check notices it.
	s.ent.APIToken.Update().Where(apitoken.Prefix(f.planner[:len("rct_")+8])).SetRevokedAt(time.Now()).ExecX(testenv.System())
	m := ws.read()
	var errs []struct{ Extensions struct{ Code string } }
	_ = json.Unmarshal(m.Payload, &errs)
	if m.Type != "error" || m.ID != "1" || len(errs) != 1 || errs[0].Extensions.Code != "UNAUTHENTICATED" {
		t.Fatalf("after the revocation: %s %s %s, want an UNAUTHENTICATED error of subscription 1", m.Type, m.ID, m.Payload)
	}
	if _, err := ws.readErr(); err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the connection stays open after the revocation: %v", err)
	}
}

func TestSubscriptionOverHTTPIsABadRequest(t *testing.T) {
	s := liveServers(t, 1)[0]
	f := newLiveFixture(t, s.ent)
	body, _ := json.Marshal(map[string]any{"query": attendanceSubscription, "variables": map[string]any{"m": fmt.Sprint(f.meeting.ID)}})
	r := httptest.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+f.owner)
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), `"code":"BAD_REQUEST"`) || !strings.Contains(w.Body.String(), "WebSocket") {
		t.Fatalf("a subscription over HTTP: %d %s, want BAD_REQUEST pointing to the WebSocket", w.Code, w.Body.String())
	}
}

func TestSubscriptionStreamsTheWaitingListMoves(t *testing.T) {
	servers := liveServers(t, 2) // one on SQLite
	subscriberSide, mutationSide := servers[0], servers[len(servers)-1]
	f := newLiveFixture(t, subscriberSide.ent)
	subscriberSide.ent.Meeting.UpdateOneID(f.meeting.ID).SetCapacity(1).ExecX(testenv.System())
	ws := connect(t, subscriberSide.url, f.planner)
	ws.subscribe("1", f.meeting.ID)
	waitSubscribers(t, subscriberSide, 1)

	ana, ben := fmt.Sprint(f.anaP.ID), fmt.Sprint(f.benP.ID)
	respond := func(p, answer string) {
		mutationSide.post(t, f.owner, respondMutation, map[string]any{"p": p, "a": answer})
	}
	type step struct{ kind, participation, status string }
	expect := func(when string, want ...step) {
		t.Helper()
		for _, w := range want {
			e := ws.nextEvent("1")
			if e.Kind != w.kind || e.Participation == nil || e.Participation.ID != w.participation || e.Participation.Status != w.status {
				t.Fatalf("%s: %+v, want %+v", when, e, w)
			}
		}
	}
	respond(ana, "ACCEPTED")
	expect("Ana takes the only place", step{"ANSWERED", ana, "ACCEPTED"})
	respond(ben, "ACCEPTED")
	expect("Ben accepts the full meeting", step{"ANSWERED", ben, "WAITLISTED"})
	respond(ana, "DECLINED")
	expect("Ana declines", step{"ANSWERED", ana, "DECLINED"}, step{"PROMOTED", ben, "ACCEPTED"})
	mutationSide.post(t, f.owner, `mutation($p: ID!) { participationCancel(input: {participationID: $p}) { participation { id } userErrors { code } } }`, map[string]any{"p": ben})
	expect("Ben is uninvited", step{"CANCELLED", ben, "CANCELLED"})
}
