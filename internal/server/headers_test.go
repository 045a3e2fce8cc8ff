package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/rencontre/rencontre/internal/config"
)

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	srv, _ := serve(t, defaults(t))
	preflight := func() *http.Request {
		req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
		req.Header.Set("Origin", "https://elsewhere.example")
		req.Header.Set("Access-Control-Request-Method", http.MethodPost)
		return req
	}
	post := func(body string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	for _, tc := range []struct {
		name string
		req  *http.Request
	}{
		{"a GraphQL answer", post(graphQLBody(t, `{ communities { totalCount } }`))},
		{"a GraphQL request error", post(`{"query": `)},
		{"a method the API refuses", func() *http.Request { r, _ := http.NewRequest(http.MethodPut, srv.URL+"/graphql", nil); return r }()},
		{"the playground", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil); return r }()},
		{"a health check", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil); return r }()},
		{"a page that does not exist", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, srv.URL+"/nope", nil); return r }()},
		{"a CORS preflight", preflight()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tc.req)
			for name, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"Referrer-Policy":        "no-referrer",
				"Cache-Control":          "no-store",
			} {
				if got := r.header.Get(name); got != want {
					t.Errorf("HTTP %d: %s = %q, want %q", r.status, name, got, want)
				}
			}
			if ct := r.header.Get("Content-Type"); strings.HasPrefix(ct, "text/plain") && strings.HasPrefix(tc.req.URL.Path, "/graphql") {
				t.Errorf("the API answered %s: %s", ct, r.body)
			}
		})
	}
}

func TestPlaygroundPolicyAllowsExactlyWhatThePageLoads(t *testing.T) {
	srv, _ := serve(t, defaults(t))
	r := get(t, srv.URL+"/?headers=%7B%22Authorization%22%3A%22Bearer+rct_x%22%7D")
	if r.status != http.StatusOK {
		t.Fatalf("HTTP %d", r.status)
	}
	page, csp := string(r.body), r.header.Get("Content-Security-Policy")
	directives := map[string][]string{}
	for d := range strings.SplitSeq(csp, ";") {
		fields := strings.Fields(d)
		if len(fields) > 0 {
			directives[fields[0]] = fields[1:]
		}
	}
	has := func(directive, source string) bool {
		for _, s := range directives[directive] {
			if s == source {
				return true
			}
		}
		return false
	}
	for directive, want := range map[string]string{
		"default-src": "'none'", "frame-ancestors": "'none'", "base-uri": "'none'",
		"form-action": "'none'", "connect-src": "'self'", "font-src": "data:", "img-src": "data:",
	} {
		if got := strings.Join(directives[directive], " "); got != want {
			t.Errorf("%s %q, want %q (CSP %q)", directive, got, want, csp)
		}
	}
	if got := r.header.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("X-Frame-Options %q, want DENY", got)
	}

	// Every external script and stylesheet is pinned by integrity and
	// allowed by its exact URL; nothing else is.
	scripts := regexp.MustCompile(`<script src="([^"]+)" integrity="(sha256-[^"]+)" crossorigin="anonymous"></script>`).FindAllStringSubmatch(page, -1)
	if len(scripts) != 3 {
		t.Fatalf("%d external scripts with integrity, want 3 (React, ReactDOM, GraphiQL)", len(scripts))
	}
	for _, s := range scripts {
		if !has("script-src", s[1]) {
			t.Errorf("script %s is not allowed by script-src %q", s[1], directives["script-src"])
		}
	}
	styles := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)" integrity="sha256-[^"]+" crossorigin="anonymous">`).FindAllStringSubmatch(page, -1)
	if len(styles) != 1 || !has("style-src", styles[0][1]) {
		t.Errorf("stylesheets %q, style-src %q: want one, allowed", styles, directives["style-src"])
	}
	inline := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(page, -1)
	if len(inline) != 1 {
		t.Fatalf("%d inline scripts, want 1", len(inline))
	}
	sum := sha256.Sum256([]byte(inline[0][1]))
	if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !has("script-src", hash) {
		t.Errorf("the inline script's hash %s is not in script-src %q", hash, directives["script-src"])
	}
	if n := len(directives["script-src"]); n != 4 {
		t.Errorf("script-src has %d sources, want the 3 scripts and the inline hash", n)
	}
	if has("script-src", "'unsafe-inline'") || has("script-src", "'unsafe-eval'") || has("script-src", "https:") {
		t.Errorf("script-src %q allows more than the page's scripts", directives["script-src"])
	}

	// The token never goes to the browser's storage.
	script := inline[0][1]
	for _, want := range []string{"shouldPersistHeaders: false", "storage: storage", "parameters.delete('headers')"} {
		if !strings.Contains(script, want) {
			t.Errorf("the page's script lacks %q", want)
		}
	}
	for _, unwanted := range []string{"localStorage", "sessionStorage", "indexedDB", "document.cookie", "onEditHeaders"} {
		if strings.Contains(script, unwanted) {
			t.Errorf("the page's script uses %s", unwanted)
		}
	}
	if strings.Contains(page, "rct_x") {
		t.Error("the page repeats the token of its address")
	}
}

func TestProductionPlayground(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		status int
	}{
		{"production mode has no playground", []string{"--production"}, http.StatusNotFound},
		{"production mode serves it when asked for", []string{"--production", "--playground"}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load(tc.args, func(string) string { return "" }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			srv, _ := serve(t, cfg)
			if r := get(t, srv.URL+"/"); r.status != tc.status {
				t.Fatalf("HTTP %d, want %d", r.status, tc.status)
			}
		})
	}
}

func TestProductionModeReachesTheAPI(t *testing.T) {
	cfg, err := config.Load([]string{"--production"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := serve(t, cfg)
	r := postJSON(t, srv.URL+"/graphql", strings.NewReader(graphQLBody(t, `{ __schema { queryType { name } } }`)))
	if g := r.graphQL(t); g.code() != "INTROSPECTION_DISABLED" {
		t.Fatalf("HTTP %d %s, want INTROSPECTION_DISABLED", r.status, r.body)
	}
}

// TestLimitSettingsReachTheAPI sets a limit by flag and by environment
// variable and sees the API refuse an operation over it.
func TestLimitSettingsReachTheAPI(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"by flag", []string{"--max-root-fields", "2"}, nil},
		{"by environment variable", nil, map[string]string{"RENCONTRE_MAX_ROOT_FIELDS": "2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Load(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			srv, _ := serve(t, cfg)
			r := postJSON(t, srv.URL+"/graphql", strings.NewReader(graphQLBody(t, `{ a: __typename b: __typename c: __typename }`)))
			if g := r.graphQL(t); g.code() != "TOO_MANY_ROOT_FIELDS" {
				t.Fatalf("HTTP %d %s, want TOO_MANY_ROOT_FIELDS", r.status, r.body)
			}
		})
	}
}
