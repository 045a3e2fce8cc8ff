// Package server assembles the HTTP routes of Rencontre (GraphQL, playground,
// health checks, CORS) and runs them with a graceful shutdown.
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

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/rs/cors"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/database"
)

// Routes returns the server's handler:
//
//	/graphql  the API (POST JSON; GET for queries)
//	/         the GraphiQL playground, when enabled
//	/healthz  the process is up
//	/readyz   the database answers
func Routes(client *ent.Client, cfg config.Config) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewHandler(client, graph.Options{
		ComplexityLimit: cfg.ComplexityLimit,
		MaxBodyBytes:    cfg.MaxBodyBytes,
	}))
	if cfg.Playground {
		// The state (query, headers) lives in the URL, so that a printed address
		// can open the playground with the token already set.
		mux.Handle("GET /{$}", playground.Handler("Rencontre", "/graphql", playground.WithGraphiqlPersistStateInURL(true)))
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
	allowed := slices.Clone(cfg.CORSOrigins)
	return cors.New(cors.Options{
		// A function rather than AllowedOrigins: rs/cors allows every origin
		// when AllowedOrigins is empty, and an empty list must allow none.
		AllowOriginFunc: func(origin string) bool { return slices.Contains(allowed, origin) },
		AllowedMethods:  []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:  []string{"Authorization", "Content-Type"},
		MaxAge:          600,
	}).Handler(logRequests(mux))
}

// Run serves handler on cfg.Addr until ctx is done, then lets in-flight
// requests finish (up to 15 seconds). ready is called with the bound address.
func Run(ctx context.Context, cfg config.Config, handler http.Handler, ready func(addr string)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
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
	slog.Info("shutting down: waiting for in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// logRequests logs each request at debug level, with its duration.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		slog.Debug("request", "method", r.Method, "path", r.URL.Path, "duration", time.Since(start))
	})
}
