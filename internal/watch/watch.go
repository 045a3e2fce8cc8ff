// Package watch is the client side of the attendance subscription: it follows
// meetingAttendanceChanged of one meeting over a graphql-transport-ws
// WebSocket and prints one JSON line per event.
//
//	rencontre watch --meeting ID [--url http://127.0.0.1:8080/graphql] [--token TOKEN]
package watch

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// DefaultURL is the GraphQL endpoint of a server started with the defaults.
const DefaultURL = "http://127.0.0.1:8080/graphql"

// TokenEnv is the environment variable that holds the token when --token is
// not given.
const TokenEnv = "RENCONTRE_TOKEN"

// closeForbidden is the close code of a connection whose token is refused
// (graphql-transport-ws's 4403 Forbidden).
const closeForbidden websocket.StatusCode = 4403

// subscription asks for what a line shows.
const subscription = `subscription Watch($meetingID: ID!) {
  meetingAttendanceChanged(meetingID: $meetingID) {
    kind occurredAt
    participation { id status waitlistPosition checkedInAt person { name } }
  }
}`

// Line is what is printed of one event, as one JSON object per line. The
// participation's fields are absent for REFETCH, which has none: read the
// meeting's attendance again.
type Line struct {
	Kind             string     `json:"kind"`
	OccurredAt       time.Time  `json:"occurredAt"`
	ParticipationID  string     `json:"participationID,omitempty"`
	Status           string     `json:"status,omitempty"`
	WaitlistPosition *int       `json:"waitlistPosition,omitempty"`
	CheckedInAt      *time.Time `json:"checkedInAt,omitempty"`
	Person           string     `json:"person,omitempty"`
}

// Watch follows the attendance of one meeting.
type Watch struct {
	URL       string // the GraphQL endpoint, http(s):// or ws(s)://
	Token     string // an API token of the meeting's organization
	MeetingID string
	Out       io.Writer // one JSON line per event
	// Subscribed, when set, is called once the server has accepted the
	// token and the subscription has been sent.
	Subscribed func(wsURL string)
}

// Run follows meetingAttendanceChanged of meetingID at url with token, and
// writes one JSON line per event to out, until ctx ends (it then returns nil)
// or the server ends the subscription. A refused token, an unknown meeting or
// a subscription ended by the server is an error.
func Run(ctx context.Context, url, token, meetingID string, out io.Writer) error {
	return Watch{URL: url, Token: token, MeetingID: meetingID, Out: out}.Run(ctx)
}

// message is a graphql-transport-ws message.
type message struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// gqlError is a GraphQL error as the server sends it.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

func (e gqlError) String() string {
	if e.Extensions.Code == "" {
		return e.Message
	}
	return e.Extensions.Code + ": " + e.Message
}

// event is the data of a next message.
type event struct {
	Kind          string    `json:"kind"`
	OccurredAt    time.Time `json:"occurredAt"`
	Participation *struct {
		ID               string     `json:"id"`
		Status           string     `json:"status"`
		WaitlistPosition *int       `json:"waitlistPosition"`
		CheckedInAt      *time.Time `json:"checkedInAt"`
		Person           struct {
			Name string `json:"name"`
		} `json:"person"`
	} `json:"participation"`
}

// Run is the function Run, with the settings of w.
func (w Watch) Run(ctx context.Context) error {
	if strings.TrimSpace(w.MeetingID) == "" {
		return errors.New("watch: the meeting's ID is required (--meeting)")
	}
	if strings.TrimSpace(w.Token) == "" {
		return fmt.Errorf("watch: an API token is required (--token or %s)", TokenEnv)
	}
	wsURL, err := websocketURL(w.URL)
	if err != nil {
		return err
	}
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, resp, err := websocket.Dial(dialCtx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		if resp != nil {
			return fmt.Errorf("watch: %s answered HTTP %s instead of opening a WebSocket: is it the GraphQL endpoint of a Rencontre server?", wsURL, resp.Status)
		}
		return fmt.Errorf("watch: connecting to %s: %w", wsURL, err)
	}
	defer func() { _ = conn.CloseNow() }()
	if conn.Subprotocol() != "graphql-transport-ws" {
		_ = conn.Close(websocket.StatusProtocolError, "graphql-transport-ws expected")
		return fmt.Errorf("watch: %s does not speak graphql-transport-ws", wsURL)
	}
	c := &client{conn: conn}

	// Once ctx ends, say goodbye: complete the subscription and close the
	// connection normally, which ends the pending read.
	stopped := make(chan struct{})
	defer close(stopped)
	go func() {
		select {
		case <-ctx.Done():
			wctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_ = c.send(wctx, message{ID: "1", Type: "complete"})
			_ = conn.Close(websocket.StatusNormalClosure, "")
		case <-stopped:
		}
	}()

	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + strings.TrimSpace(w.Token)})
	if err := c.send(ctx, message{Type: "connection_init", Payload: init}); err != nil {
		return c.ended(ctx, err)
	}
	m, err := c.read(ctx)
	if err != nil {
		return c.ended(ctx, err)
	}
	if m.Type != "connection_ack" {
		return fmt.Errorf("watch: the server answered connection_init with %q, want connection_ack", m.Type)
	}
	sub, _ := json.Marshal(map[string]any{
		"query":         subscription,
		"operationName": "Watch",
		"variables":     map[string]string{"meetingID": strings.TrimSpace(w.MeetingID)},
	})
	if err := c.send(ctx, message{ID: "1", Type: "subscribe", Payload: sub}); err != nil {
		return c.ended(ctx, err)
	}
	if w.Subscribed != nil {
		w.Subscribed(wsURL)
	}
	enc := json.NewEncoder(w.Out)
	for {
		m, err := c.read(ctx)
		if err != nil {
			return c.ended(ctx, err)
		}
		if m.ID != "1" {
			continue
		}
		switch m.Type {
		case "next":
			var p struct {
				Data *struct {
					MeetingAttendanceChanged *event `json:"meetingAttendanceChanged"`
				} `json:"data"`
				Errors []gqlError `json:"errors"`
			}
			if err := json.Unmarshal(m.Payload, &p); err != nil {
				return fmt.Errorf("watch: undecodable event %s: %w", m.Payload, err)
			}
			if len(p.Errors) > 0 {
				return w.refused(p.Errors)
			}
			if p.Data == nil || p.Data.MeetingAttendanceChanged == nil {
				return fmt.Errorf("watch: an event without data: %s", m.Payload)
			}
			if err := enc.Encode(line(p.Data.MeetingAttendanceChanged)); err != nil {
				return fmt.Errorf("watch: writing an event: %w", err)
			}
		case "error":
			var errs []gqlError
			_ = json.Unmarshal(m.Payload, &errs)
			return w.refused(errs)
		case "complete":
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("watch: the server ended the subscription of meeting %s", w.MeetingID)
		}
	}
}

// refused explains the errors that ended the subscription.
func (w Watch) refused(errs []gqlError) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.String()
		switch e.Extensions.Code {
		case "NOT_FOUND":
			return fmt.Errorf("watch: meeting %s not found (NOT_FOUND): the token's organization has no meeting with this ID", w.MeetingID)
		case "UNAUTHENTICATED":
			return fmt.Errorf("watch: the token no longer holds (revoked, expired, or its membership is gone): %s", e.String())
		}
	}
	if len(msgs) == 0 {
		return fmt.Errorf("watch: the server refused the subscription of meeting %s", w.MeetingID)
	}
	return fmt.Errorf("watch: the server refused the subscription of meeting %s: %s", w.MeetingID, strings.Join(msgs, "; "))
}

func line(e *event) Line {
	l := Line{Kind: e.Kind, OccurredAt: e.OccurredAt}
	if p := e.Participation; p != nil {
		l.ParticipationID, l.Status, l.WaitlistPosition, l.CheckedInAt, l.Person =
			p.ID, p.Status, p.WaitlistPosition, p.CheckedInAt, p.Person.Name
	}
	return l
}

// websocketURL turns an http(s) URL into its ws(s) form; ws(s) URLs stay.
func websocketURL(raw string) (string, error) {
	if raw == "" {
		raw = DefaultURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("watch: %q is not a URL such as %s", raw, DefaultURL)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	case "ws", "wss":
	default:
		return "", fmt.Errorf("watch: %q: the URL must start with http://, https://, ws:// or wss://", raw)
	}
	return u.String(), nil
}

// client reads and writes graphql-transport-ws messages, answering pings.
type client struct{ conn *websocket.Conn }

func (c *client) send(ctx context.Context, m message) error {
	b, _ := json.Marshal(m)
	return c.conn.Write(ctx, websocket.MessageText, b)
}

// read returns the next message other than ping and pong.
func (c *client) read(ctx context.Context) (message, error) {
	for {
		// Not ctx: when it ends, the connection is closed normally, which
		// ends this read.
		_, b, err := c.conn.Read(context.Background())
		if err != nil {
			return message{}, err
		}
		var m message
		if err := json.Unmarshal(b, &m); err != nil {
			return message{}, fmt.Errorf("watch: undecodable message %q: %w", b, err)
		}
		switch m.Type {
		case "ping":
			if err := c.send(ctx, message{Type: "pong"}); err != nil && ctx.Err() == nil {
				return message{}, err
			}
		case "pong":
		default:
			return m, nil
		}
	}
}

// ended explains the error that ended the connection; nil when ctx ended
// first (Ctrl-C).
func (c *client) ended(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case closeForbidden:
			return fmt.Errorf("watch: the server refused the token (close code 4403 Forbidden): give a valid API token with --token or %s; unknown, revoked and expired tokens are refused", TokenEnv)
		case websocket.StatusNormalClosure, websocket.StatusGoingAway:
			return fmt.Errorf("watch: the server closed the connection (close code %d): it stopped or is restarting", int(ce.Code))
		}
		return fmt.Errorf("watch: the server closed the connection with code %d: %s", int(ce.Code), ce.Reason)
	}
	return fmt.Errorf("watch: %w", err)
}

// Command is the watch subcommand: it parses args (the arguments after
// "watch"), follows the meeting until ctx ends and writes the events to
// stdout, and what it does to stderr.
func Command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rencontre watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	meetingID := fs.String("meeting", "", "ID of the meeting to follow (required)")
	endpoint := fs.String("url", DefaultURL, "GraphQL endpoint of the server")
	token := fs.String("token", "", "API token (default: $"+TokenEnv+")")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: rencontre watch --meeting ID [--url %s] [--token TOKEN]\n\n", DefaultURL)
		fmt.Fprintln(stderr, "Prints one JSON line per change in the meeting's attendance (meetingAttendanceChanged), until Ctrl-C.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("watch: unexpected argument %q", fs.Arg(0))
	}
	if *token == "" {
		*token = getenv(TokenEnv)
	}
	return Watch{
		URL: *endpoint, Token: *token, MeetingID: *meetingID, Out: stdout,
		Subscribed: func(wsURL string) {
			fmt.Fprintf(stderr, "Connected to %s; following meeting %s, one JSON line per change (Ctrl-C to stop)\n", wsURL, *meetingID)
		},
	}.Run(ctx)
}
