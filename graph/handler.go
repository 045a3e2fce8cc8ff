package graph

import (
	"fmt"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/events"
)

// Options configure the GraphQL handler.
type Options struct {
	// ComplexityLimit is the highest cost an operation may have: connections
	// count their page size times their selection, plus a statement cost
	// (see weightedSchema). Zero means DefaultComplexityLimit.
	ComplexityLimit int
	// MaxBodyBytes is the largest request body accepted. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxUploadBytes is the largest multipart request (files sent with
	// the operation; see multipartRequests). Zero means
	// DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// Limits bound the shape of an operation; zero fields take their
	// defaults (DefaultLimits).
	Limits Limits
	// Production turns off introspection and "did you mean" suggestions.
	Production bool
	// RequestTimeout is the deadline of each request, down to its SQL
	// statements. Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Events is the bus of attendance events: mutations publish on it once
	// committed, subscriptions listen to it. Servers sharing a database share
	// it (events.Postgres). Nil means an in-process bus of this handler.
	Events events.Bus
	// WebsocketOrigins are the browser origins allowed to open a WebSocket
	// besides the server's own (the CORS origins); a client that sends no
	// Origin (not a browser) is always allowed.
	WebsocketOrigins []string
	// Clock is the current time of the domain verbs; nil means time.Now.
	Clock func() time.Time
	// SeriesHorizonMonths is how many months ahead the occurrences of
	// series exist as meetings; zero means series.DefaultHorizon.
	SeriesHorizonMonths int
	// MaxNetworkEdges is the most relationships one network answer holds;
	// zero means network.DefaultMaxEdges.
	MaxNetworkEdges int
	// Auth authenticates requests; nil means auth.Default(client), which
	// caches validated tokens for auth.DefaultCacheTTL.
	Auth *auth.Authenticator
}

// Defaults of Options.
const (
	DefaultComplexityLimit = 200_000
	DefaultMaxBodyBytes    = 1 << 20
)

// NewHandler returns the GraphQL endpoint over client, served as GraphQL over
// HTTP: every request authenticated by its API token, POST (JSON, or
// multipart with files) for queries and mutations, GET for queries only,
// each root mutation field in its own transaction, page sizes bounded,
// shape, complexity, body size and time limited.
func NewHandler(client *ent.Client, opts Options) http.Handler {
	if opts.ComplexityLimit == 0 {
		opts.ComplexityLimit = DefaultComplexityLimit
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxUploadBytes == 0 {
		opts.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = DefaultRequestTimeout
	}
	if opts.Events == nil {
		opts.Events = events.NewMemory()
	}
	if opts.Auth == nil {
		opts.Auth = auth.Default(client)
	}
	srv := handler.New(newSchema(client, opts.Events, opts))
	srv.AroundOperations(withIssuedFeeds)
	srv.AroundOperations(withOutcomeMemo)
	srv.AroundRootFields(withLoaded)
	recordLoaded(client)
	srv.AddTransport(httpTransport{production: opts.Production})
	srv.AddTransport(websocketTransport(client, opts.WebsocketOrigins, opts.MaxBodyBytes))
	// Parsed and validated documents are kept (see documentCache, which
	// writes the default page sizes into a document before it is shared);
	// clients may send a query's hash instead of its text (APQ), before the
	// limits measure the query.
	documents := newDocumentCache()
	srv.SetQueryCache(documents)
	srv.Use(automaticPersistedQueries())
	if opts.Production {
		// Introspection stays off (gqlgen's default without the extension);
		// asking for it is refused before execution.
		srv.Use(refuseIntrospection{})
		srv.SetDisableSuggestion(true)
	} else {
		srv.Use(extension.Introspection{})
	}
	installLimits(srv, opts, documents)
	srv.Use(contactFilterGuard{})
	installTransactions(srv, client)
	installAttendanceEvents(srv, opts.Events) // inside the transaction of each mutation field
	srv.Use(fieldMiddlewareForMutationsOnly{})
	srv.SetErrorPresenter(presentDeadline(presentError))
	srv.SetRecoverFunc(recoverPanic)
	// Outermost first: the deadline covers the whole request; what is not a
	// GraphQL-over-HTTP request is answered before authentication touches the
	// database.
	// A WebSocket upgrade authenticates with its connection_init payload and
	// lives longer than any request: it skips the HTTP layers.
	// A multipart request (files) becomes the JSON request of its
	// operations, with the JSON body limit; its files join it once decoded.
	return serveWebsockets(srv, opts.WebsocketOrigins, withDeadline(multipartRequests(checkHTTP(limitBody(decodeRequest(attachUploads(opts.Auth.Middleware(srv))), opts.MaxBodyBytes)), opts.MaxUploadBytes), opts.RequestTimeout))
}

// limitBody refuses request bodies larger than limit with a GraphQL error and
// status 413: at once when the client announced the length, else when
// decodeRequest, which reads the body once, reaches the limit.
func limitBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			tooLargeResponse(w, r, limit)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

func tooLargeResponse(w http.ResponseWriter, r *http.Request, limit int64) {
	writeRequestError(w, r, http.StatusRequestEntityTooLarge, codeTooLarge,
		fmt.Sprintf("request body is larger than the limit of %d bytes", limit))
}
