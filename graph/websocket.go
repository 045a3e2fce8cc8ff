package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Subscriptions travel over a WebSocket at /graphql (graphql-transport-ws;
// gqlgen's transport, on github.com/coder/websocket). The HTTP layers of the
// endpoint do not apply to it: the token comes in the connection_init
// payload, not in a header, and a connection outlives any request deadline.
// The operations it carries get the same limits, privacy and transactions as
// those sent over HTTP.

// tokenRecheckInterval is how often a connection's token is checked again,
// besides before each event: a revoked or expired token, or a removed
// membership, ends the connection within it. A variable for the tests.
var tokenRecheckInterval atomic.Int64 // time.Duration

func init() { tokenRecheckInterval.Store(int64(30 * time.Second)) }

// closeGrace is how long a connection whose token no longer holds stays open
// after its subscriptions were told so, for the errors to reach the client.
const closeGrace = time.Second

// wsStepTimeout bounds each database step of a connection (checking its
// token, reading an event's rows), as the request timeout bounds a request.
const wsStepTimeout = 10 * time.Second

// codeUnauthenticated is the code of a request without a valid token.
const codeUnauthenticated = "UNAUTHENTICATED"

// websocketTransport is gqlgen's WebSocket transport, authenticating each
// connection with its init payload. Browsers may connect from the server's
// own origin and from origins; other clients send no Origin. A message may
// be as large as a request body.
func websocketTransport(client *ent.Client, origins []string, maxMessageBytes int64) transport.Websocket {
	return transport.Websocket{
		PayloadReadLimit: &maxMessageBytes, // as the body of a request
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: coderws.AcceptOptions{OriginPatterns: origins},
		},
		InitFunc:         wsAuthenticator{client: client}.init,
		InitTimeout:      10 * time.Second,
		PingPongInterval: 30 * time.Second, // graphql-transport-ws: a dead client is noticed
		ErrorFunc: func(ctx context.Context, err error) {
			slog.DebugContext(ctx, "websocket", "error", err)
		},
	}
}

// serveWebsockets sends WebSocket upgrades to srv directly and every other
// request to next. An upgrade from a browser on an origin that is neither
// the server's own nor one of origins is refused with 403 FORBIDDEN (the
// transport would refuse it too, less clearly).
func serveWebsockets(srv http.Handler, origins []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			next.ServeHTTP(w, r)
			return
		}
		if !originAllowed(r, origins) {
			writeRequestError(w, r, http.StatusForbidden, codeForbidden,
				"this origin may not open a WebSocket: the server's browser origins are its own and those of --cors-origins")
			return
		}
		// The server's read and write timeouts are meant for requests; a
		// hijacked connection keeps them unless they are lifted first. The
		// transport's ping-pong notices dead peers instead.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		srv.ServeHTTP(w, r)
	})
}

// originAllowed reports whether r may open a WebSocket: it has no Origin
// (not a browser), or its origin is the server's own or one of origins.
func originAllowed(r *http.Request, origins []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || slices.Contains(origins, origin)
}

// wsAuthenticator checks the token of a WebSocket connection.
type wsAuthenticator struct{ client *ent.Client }

// init authenticates a connection with the token of its init payload,
// {"Authorization": "Bearer <token>"} or {"token": "<token>"}, and puts the
// viewer in the connection's context, as auth.Middleware does for a request.
// A missing or invalid token closes the connection with 4403 Forbidden, as
// graphql-transport-ws asks.
func (a wsAuthenticator) init(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	refused := transport.WithWebsocketCloseCode(ctx, 4403)
	secret := tokenOf(p)
	if secret == "" {
		return refused, nil, errors.New(`authentication required: send the API token in the connection_init payload, {"Authorization": "Bearer <token>"}`)
	}
	actx, cancel := context.WithTimeout(ctx, wsStepTimeout)
	v, err := auth.Authenticate(actx, a.client, secret, time.Now())
	cancel()
	if errors.Is(err, auth.ErrUnauthenticated) {
		return refused, nil, err
	}
	if err != nil {
		slog.ErrorContext(ctx, "authenticating a websocket", "error", err)
		return transport.WithWebsocketCloseCode(ctx, 1011), nil, errors.New("internal server error")
	}
	ctx, closeConn := context.WithCancel(ctx)
	s := &wsSession{client: a.client, secret: secret, ended: make(chan struct{}), closeConn: closeConn}
	go s.watch(ctx)
	return context.WithValue(viewer.NewContext(ctx, v), wsSessionKey{}, s), nil, nil
}

// tokenOf is the token secret of an init payload, or "".
func tokenOf(p transport.InitPayload) string {
	if h := p.Authorization(); h != "" {
		scheme, secret, found := strings.Cut(h, " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return ""
		}
		return strings.TrimSpace(secret)
	}
	return strings.TrimSpace(p.GetString("token"))
}

type wsSessionKey struct{}

// wsSession is an authenticated WebSocket connection: its token is checked
// again periodically and before each event, and the connection ends when the
// token no longer holds.
type wsSession struct {
	client    *ent.Client
	secret    string
	closeConn context.CancelFunc

	mu    sync.Mutex // serializes checks
	once  sync.Once
	ended chan struct{} // closed when the token no longer holds
}

func sessionFrom(ctx context.Context) *wsSession {
	s, _ := ctx.Value(wsSessionKey{}).(*wsSession)
	return s
}

// watch checks the token every tokenRecheckInterval until ctx ends.
func (s *wsSession) watch(ctx context.Context) {
	t := time.NewTicker(time.Duration(tokenRecheckInterval.Load()))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.ended:
			return
		case <-t.C:
			_ = s.check(ctx)
		}
	}
}

// check reports whether the token still holds; when it does not, the
// session ends: its subscriptions stop with UNAUTHENTICATED, and the
// connection closes closeGrace later. A failure to look the token up (the
// database) does not end the session.
func (s *wsSession) check(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.ended:
		return errSessionEnded
	default:
	}
	ctx, cancel := context.WithTimeout(ctx, wsStepTimeout)
	defer cancel()
	_, err := auth.Authenticate(ctx, s.client, s.secret, time.Now())
	switch {
	case errors.Is(err, auth.ErrUnauthenticated):
		s.end()
		return errSessionEnded
	case err != nil && ctx.Err() == nil:
		slog.WarnContext(ctx, "checking a websocket's token again", "error", err)
	}
	return nil
}

// errSessionEnded: the connection's token no longer holds.
var errSessionEnded = errors.New("the token of this connection was revoked, has expired or lost its membership")

// end tells the session's subscriptions that the token no longer holds, and
// closes the connection after closeGrace.
func (s *wsSession) end() {
	s.once.Do(func() {
		close(s.ended)
		time.AfterFunc(closeGrace, s.closeConn)
	})
}

// unauthenticatedError is the error a subscription ends with when its
// connection's token no longer holds.
func unauthenticatedError() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "unauthenticated: " + errSessionEnded.Error(),
		Extensions: map[string]any{"code": codeUnauthenticated},
	}
}
