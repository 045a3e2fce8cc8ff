package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/metrics"
)

// StartDiagnostics opens the listeners beside the API's, each off unless
// configured: Prometheus metrics at /metrics on cfg.MetricsAddr, and Go's
// profiler at /debug/pprof/ on cfg.PprofAddr (a loopback address: config
// refuses others). Neither is ever served on the API's listener, and neither
// asks for a token: what reaches their addresses may read them. It returns
// once they listen, with the function that closes them.
func StartDiagnostics(cfg config.Config, m *metrics.Metrics) (stop func(), err error) {
	var servers []*http.Server
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(ctx)
		}
	}
	start := func(what, addr string, h http.Handler, writeTimeout time.Duration) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listening on %s for %s: %w", addr, what, err)
		}
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			WriteTimeout:      writeTimeout,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
		}
		servers = append(servers, srv)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Error("diagnostics listener stopped", "what", what, "addr", addr, "error", err)
			}
		}()
		slog.Info("diagnostics listening", "what", what, "addr", ln.Addr().String())
		return nil
	}
	if cfg.MetricsAddr != "" && m != nil {
		if err := start("metrics", cfg.MetricsAddr, MetricsRoutes(m), 30*time.Second); err != nil {
			stop()
			return nil, err
		}
	}
	if cfg.PprofAddr != "" {
		// No write timeout: a CPU profile or a trace streams for as long as
		// asked (?seconds=30 by default).
		if err := start("pprof", cfg.PprofAddr, PprofRoutes(), 0); err != nil {
			stop()
			return nil, err
		}
	}
	return stop, nil
}

// MetricsRoutes serves m at /metrics.
func MetricsRoutes(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return mux
}

// PprofRoutes serves Go's profiler at /debug/pprof/ (net/http/pprof's
// handlers on a mux of their own, not http.DefaultServeMux).
func PprofRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
