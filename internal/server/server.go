// Package server assembles the HTTP routes of Rencontre (GraphQL, playground,
// health checks, CORS, security headers, access log) and runs them with a
// graceful shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/rs/cors"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/events"
	"github.com/rencontre/rencontre/internal/feeds"
	"github.com/rencontre/rencontre/internal/metrics"
	"github.com/rencontre/rencontre/internal/network/export"
)

// Routes returns the server's handler:
//
//	/graphql  the API (POST JSON; GET for queries; a WebSocket for subscriptions)
//	/         the GraphiQL playground, when enabled
//	/ics/     calendar feeds, /ics/{secret}.ics (the secret authenticates)
//	/export/  the network of a scope as a file: /export/network.graphml and
//	          /export/network.json (graphology), with the API token
//	/healthz  the process is up
//	/readyz   the database answers
//
// Every response carries the security headers and an X-Request-Id, and every
// request gets one access log line on slog's default logger. Subscriptions
// (a WebSocket at /graphql) hear the changes made through this handler only:
// see RoutesWithEvents.
func Routes(client *ent.Client, cfg config.Config) http.Handler {
	return NewRoutes(client, cfg, Deps{})
}

// Deps are what the routes share with the rest of the process; each may be
// nil.
type Deps struct {
	// Events is the bus of attendance events (see RoutesWithEvents); nil
	// means one of the GraphQL handler's own.
	Events events.Bus
	// Auth authenticates the API's requests; nil means one over client with
	// cfg.AuthCacheTTL.
	Auth *auth.Authenticator
	// Metrics counts the requests; nil counts nothing.
	Metrics *metrics.Metrics
}

// NewRoutes is Routes with what the process shares.
func NewRoutes(client *ent.Client, cfg config.Config, deps Deps) http.Handler {
	bus, authn := deps.Events, deps.Auth
	if authn == nil {
		authn = auth.New(client, auth.Settings{CacheTTL: cfg.AuthCacheTTL})
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", withBaseURL(cfg.PublicURL, graph.NewHandler(client, graph.Options{
		ComplexityLimit:     cfg.ComplexityLimit,
		MaxBodyBytes:        cfg.MaxBodyBytes,
		Production:          cfg.Production,
		RequestTimeout:      cfg.RequestTimeout,
		Limits:              cfg.Limits,
		Events:              bus,
		WebsocketOrigins:    cfg.CORSOrigins, // browsers' WebSockets: the same origins as CORS
		SeriesHorizonMonths: cfg.SeriesHorizon,
		MaxNetworkEdges:     cfg.MaxNetworkEdges,
		MaxUploadBytes:      cfg.MaxUploadBytes,
		Auth:                authn,
	})))
	if cfg.Playground {
		mux.HandleFunc("GET /{$}", playground)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := database.Ping(ctx, client); err != nil {
			slog.WarnContext(ctx, "readiness check failed", "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": "database unreachable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("/invitations/", Invitations(client, time.Now))     // answering an invitation with its code: no token
	mux.Handle("/ics/", calendarFeeds(client, cfg.RequestTimeout)) // calendar clients send no token: the address is the secret
	// Network exports: the API token, the request deadline on the loading,
	// and a streamed answer (so no http.TimeoutHandler, which buffers).
	mux.Handle("/export/", withDeadline(cfg.RequestTimeout, authn.Middleware(export.Handler(client, time.Now))))
	allowed := slices.Clone(cfg.CORSOrigins)
	withCORS := cors.New(cors.Options{
		// A function rather than AllowedOrigins: rs/cors allows every origin
		// when AllowedOrigins is empty, and an empty list must allow none.
		AllowOriginFunc: func(origin string) bool { return slices.Contains(allowed, origin) },
		AllowedMethods:  []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:  []string{"Authorization", "Content-Type", "Accept", requestIDHeader},
		ExposedHeaders:  []string{requestIDHeader},
		MaxAge:          600,
	}).Handler(mux)
	return AccessLogWithMetrics(slog.Default(), deps.Metrics, securityHeaders(withCORS))
}

// withBaseURL gives the GraphQL resolvers the public address of the server,
// from which they build the addresses of calendar feeds.
func withBaseURL(configured string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := feeds.WithBaseURL(r.Context(), feeds.RequestBaseURL(r, configured))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// calendarFeeds serves the feeds within the request deadline of the API.
func calendarFeeds(client *ent.Client, timeout time.Duration) http.Handler {
	h := feeds.Handler(client, time.Now)
	if timeout <= 0 {
		return h
	}
	return http.TimeoutHandler(h, timeout, "request timeout\n")
}

// withDeadline gives a request's context the request deadline of the API,
// without buffering the response as http.TimeoutHandler does: an export is
// streamed, and its loading (the SQL and the metrics) is what the deadline
// bounds; the writing is bounded by the server's WriteTimeout.
func withDeadline(timeout time.Duration, next http.Handler) http.Handler {
	if timeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// securityHeaders sets the headers every response carries: no MIME sniffing
// (a JSON error must not be run as HTML), no Referer to other sites (the
// playground's address may hold a token), and no caching anywhere (answers
// depend on the token and the data of the moment) unless a route says
// otherwise: a calendar feed lets its client keep it for a few minutes.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// Run serves handler on cfg.Addr until ctx is done, then shuts down: no new
// connections, and in-flight requests get cfg.ShutdownTimeout (15 seconds by
// default) to finish. What is still running then is cancelled (its context
// ends, which stops its SQL) and its connection closed; Run returns nil, a
// stop being the expected end. ready is called with the bound address.
func Run(ctx context.Context, cfg config.Config, handler http.Handler, ready func(addr string)) error {
	grace := cfg.ShutdownTimeout
	if grace <= 0 {
		grace = config.DefaultShutdownTimeout
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	// Requests' contexts derive from base, not from ctx: the stop signal must
	// not cancel in-flight requests, only the end of the grace period does.
	// Nor may a value of ctx leak into every request.
	base, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	srv := &http.Server{
		Handler:           handler,
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Long enough for any request to reach its own deadline first, which
		// answers REQUEST_TIMEOUT instead of a cut connection.
		WriteTimeout: max(60*time.Second, cfg.RequestTimeout+15*time.Second),
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down: waiting for in-flight requests", "grace", grace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		slog.Warn("in-flight requests did not finish in time: cancelling them", "grace", grace.String())
		cancelRequests()
		if err := srv.Close(); err != nil {
			return fmt.Errorf("closing the remaining connections: %w", err)
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	slog.Info("stopped")
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
