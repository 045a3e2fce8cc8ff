package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/metrics"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
)

// serveWithMetrics starts the routes with metrics over a fresh database, and
// the metrics' own listener.
func serveWithMetrics(t *testing.T) (api, metricsSrv *httptest.Server) {
	t.Helper()
	c, counter := testenv.ClientWithCounter(t)
	m := metrics.New(testenv.DB(counter))
	api = httptest.NewServer(server.NewRoutes(c, defaults(t), server.Deps{Metrics: m}))
	t.Cleanup(api.Close)
	metricsSrv = httptest.NewServer(server.MetricsRoutes(m))
	t.Cleanup(metricsSrv.Close)
	bootstrapToken(t, c, api.URL)
	return api, metricsSrv
}

func bootstrapToken(t *testing.T, c *ent.Client, url string) {
	t.Helper()
	_, secret, err := auth.Bootstrap{OrgSlug: "test", Email: "owner@test.example"}.Run(testenv.System(), c)
	if err != nil {
		t.Fatal(err)
	}
	tokens.Store(url, secret)
}

func TestMetrics(t *testing.T) {
	api, ms := serveWithMetrics(t)
	for range 2 {
		if r := postJSON(t, api.URL+"/graphql", strings.NewReader(graphQLBody(t, `query Who { viewer { role } }`))); r.status != http.StatusOK {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
	}
	postJSON(t, api.URL+"/graphql", strings.NewReader(graphQLBody(t, `{ nope }`)))
	req, _ := http.NewRequest(http.MethodPost, api.URL+"/graphql", strings.NewReader(graphQLBody(t, `{ viewer { role } }`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer rct_unknown")
	do(t, req)
	get(t, api.URL+"/healthz")
	// The API's listener does not serve the metrics.
	if r := get(t, api.URL+"/metrics"); r.status != http.StatusNotFound {
		t.Fatalf("/metrics on the API's listener: HTTP %d, want 404", r.status)
	}

	r := get(t, ms.URL+"/metrics")
	if r.status != http.StatusOK {
		t.Fatalf("/metrics: HTTP %d", r.status)
	}
	body := string(r.body)
	for _, want := range []string{
		`rencontre_graphql_requests_total{operation="Who",type="query"} 2`,
		`rencontre_graphql_request_duration_seconds_count{operation="Who",type="query"} 2`,
		`rencontre_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1`,
		`rencontre_graphql_errors_total{code="UNAUTHENTICATED"} 1`,
		`rencontre_http_requests_total{code="200",route="/graphql"} 2`,
		`rencontre_http_requests_total{code="401",route="/graphql"} 1`,
		`rencontre_http_requests_total{code="200",route="/healthz"} 1`,
		`go_sql_max_open_connections{db_name="rencontre"}`,
		`go_sql_open_connections{db_name="rencontre"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}

func TestMetricsBoundOperationNames(t *testing.T) {
	m := metrics.New(nil)
	for i := range 300 {
		m.Observe(metrics.Request{Path: "/graphql", Status: 200, Operation: "Op" + strings.Repeat("x", i%150+1)})
	}
	m.Observe(metrics.Request{Path: "/graphql", Status: 200, Operation: "not a name {"})
	srv := httptest.NewServer(server.MetricsRoutes(m))
	defer srv.Close()
	body := string(get(t, srv.URL+"/metrics").body)
	if n := strings.Count(body, "rencontre_graphql_requests_total{"); n > 201 {
		t.Fatalf("%d series of rencontre_graphql_requests_total, want at most 200 names and other", n)
	}
	if !strings.Contains(body, `rencontre_graphql_requests_total{operation="other",type=""}`) {
		t.Fatalf("no \"other\" series:\n%s", body)
	}
}

func TestPprofRoutes(t *testing.T) {
	srv := httptest.NewServer(server.PprofRoutes())
	defer srv.Close()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/goroutine?debug=1"} {
		if r := get(t, srv.URL+path); r.status != http.StatusOK {
			t.Errorf("%s: HTTP %d", path, r.status)
		}
	}
}

func TestStartDiagnosticsIsOffByDefault(t *testing.T) {
	stop, err := server.StartDiagnostics(defaults(t), metrics.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	stop()
}
