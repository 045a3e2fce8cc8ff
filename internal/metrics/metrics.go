// Package metrics exposes the server's Prometheus metrics: GraphQL requests
// by operation (count and latency), their errors by extensions.code, HTTP
// requests by route and status, the database connection pool, and the Go
// runtime and process. The access log middleware reports each request
// (Observe); Handler serves /metrics on the listener of --metrics-addr, never
// on the API's.
package metrics

import (
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Bounds on the values of client-chosen labels: operation names are the
// client's, and each distinct value is a time series kept forever. Past the
// bound, new names are counted as "other".
const (
	maxOperationNames = 200
	maxErrorCodes     = 100
	maxNameLength     = 100
	otherLabel        = "other"
)

// Metrics are the server's metrics, in a registry of their own.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	http     *prometheus.CounterVec

	operations labelSet
	codes      labelSet
}

// New returns the metrics of a server whose database pool is db (nil: none).
func New(db *sql.DB) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "rencontre", Subsystem: "graphql", Name: "requests_total",
			Help: "GraphQL requests over HTTP, by operation name (\"\" when anonymous, \"other\" past 200 names) and type (\"\" when the document did not parse).",
		}, []string{"operation", "type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "rencontre", Subsystem: "graphql", Name: "request_duration_seconds",
			Help:    "Time to answer a GraphQL request over HTTP, authentication and writing included, by operation name and type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "rencontre", Subsystem: "graphql", Name: "errors_total",
			Help: "Errors of GraphQL responses, by extensions.code (UNAUTHENTICATED, BAD_USER_INPUT, INTERNAL_SERVER_ERROR…).",
		}, []string{"code"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "rencontre", Subsystem: "http", Name: "requests_total",
			Help: "HTTP requests by route (/graphql, /export, /ics, /invitations, /healthz, /readyz, /, other) and status code.",
		}, []string{"route", "code"}),
		operations: labelSet{max: maxOperationNames},
		codes:      labelSet{max: maxErrorCodes},
	}
	m.registry.MustRegister(m.requests, m.latency, m.errors, m.http,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if db != nil {
		m.registry.MustRegister(collectors.NewDBStatsCollector(db, "rencontre"))
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Request is what the access log knows of one request.
type Request struct {
	Path          string
	Status        int
	Duration      time.Duration
	Operation     string   // GraphQL operation name
	OperationType string   // query, mutation, subscription, or ""
	ErrorCodes    []string // extensions.code of each error
}

// Observe counts a request. A nil Metrics counts nothing.
func (m *Metrics) Observe(r Request) {
	if m == nil {
		return
	}
	route := routeOf(r.Path)
	m.http.WithLabelValues(route, strconv.Itoa(r.Status)).Inc()
	if route != "/graphql" {
		return
	}
	op := m.operations.label(r.Operation)
	typ := r.OperationType
	switch typ {
	case "query", "mutation", "subscription", "":
	default:
		typ = otherLabel
	}
	m.requests.WithLabelValues(op, typ).Inc()
	m.latency.WithLabelValues(op, typ).Observe(r.Duration.Seconds())
	for _, code := range r.ErrorCodes {
		m.errors.WithLabelValues(m.codes.label(code)).Inc()
	}
}

// routeOf is the route label of a path: a bounded set, and no secret (a
// calendar feed's path holds one).
func routeOf(path string) string {
	switch {
	case path == "/graphql", path == "/healthz", path == "/readyz", path == "/":
		return path
	case strings.HasPrefix(path, "/export/"):
		return "/export"
	case strings.HasPrefix(path, "/ics/"):
		return "/ics"
	case strings.HasPrefix(path, "/invitations/"):
		return "/invitations"
	}
	return otherLabel
}

// labelSet admits the first max distinct values of a label that look like
// GraphQL names (operation names, error codes); the others are "other".
type labelSet struct {
	mu   sync.Mutex
	max  int
	seen map[string]bool
}

func (s *labelSet) label(v string) string {
	if v == "" {
		return ""
	}
	if !isName(v) {
		return otherLabel
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[v] {
		return v
	}
	if len(s.seen) >= s.max {
		return otherLabel
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[v] = true
	return v
}

// isName reports a GraphQL name of at most maxNameLength characters.
func isName(s string) bool {
	if len(s) > maxNameLength {
		return false
	}
	for i, c := range []byte(s) {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
