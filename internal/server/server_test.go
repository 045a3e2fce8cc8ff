package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
)

// defaults is the configuration with no flags and no environment.
func defaults(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// serve starts the server's routes over a fresh database.
func serve(t *testing.T, cfg config.Config) (*httptest.Server, *ent.Client) {
	t.Helper()
	c := testenv.Client(t)
	srv := httptest.NewServer(server.Routes(c, cfg))
	t.Cleanup(srv.Close)
	_, secret, err := auth.Bootstrap{OrgSlug: "test", Email: "owner@test.example"}.Run(testenv.System(), c)
	if err != nil {
		t.Fatalf("bootstrapping a token: %v", err)
	}
	tokens.Store(srv.URL, secret)
	return srv, c
}

// tokens holds the owner token of each test server, sent by do on /graphql
// requests that carry no Authorization header.
var tokens sync.Map

// reply is an HTTP response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	if tok, ok := tokens.Load("http://" + req.URL.Host); ok && req.URL.Path == "/graphql" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+tok.(string))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the body of %s %s: %v", req.Method, req.URL, err)
	}
	return reply{status: res.StatusCode, header: res.Header, body: body}
}

func get(t *testing.T, url string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func postJSON(t *testing.T, url string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}

// graphQLBody is the JSON body of a GraphQL request.
func graphQLBody(t *testing.T, query string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// gqlReply is the body of a GraphQL response.
type gqlReply struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func (r reply) graphQL(t *testing.T) gqlReply {
	t.Helper()
	var g gqlReply
	if err := json.Unmarshal(r.body, &g); err != nil {
		t.Fatalf("HTTP %d, body %q is not a GraphQL response: %v", r.status, r.body, err)
	}
	return g
}

func (g gqlReply) code() string {
	if len(g.Errors) == 0 {
		return ""
	}
	c, _ := g.Errors[0].Extensions["code"].(string)
	return c
}

func (r reply) isJSON(t *testing.T) map[string]any {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/graphql-response+json") {
		t.Fatalf("Content-Type = %q, want JSON", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
	return m
}

func organizations(t *testing.T, c *ent.Client) int {
	t.Helper()
	n, err := c.Community.Query().Count(testenv.System())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

const createOrganization = `mutation { communityCreate(input: {name: "Acme", kind: TEAM}) { community { id } userErrors { message } } }`

func TestHealthz(t *testing.T) {
	srv, _ := serve(t, defaults(t))
	r := get(t, srv.URL+"/healthz")
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200", r.status)
	}
	if m := r.isJSON(t); m["status"] != "ok" {
		t.Fatalf("body = %s, want status ok", r.body)
	}
}

func TestReadyzFollowsTheDatabase(t *testing.T) {
	srv, c := serve(t, defaults(t))
	t.Run("ready with a live database", func(t *testing.T) {
		r := get(t, srv.URL+"/readyz")
		if m := r.isJSON(t); r.status != http.StatusOK || m["status"] != "ok" {
			t.Fatalf("HTTP %d %s, want 200 status ok", r.status, r.body)
		}
	})
	t.Run("unavailable once the database is closed", func(t *testing.T) {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		r := get(t, srv.URL+"/readyz")
		if m := r.isJSON(t); r.status != http.StatusServiceUnavailable || m["status"] != "unavailable" {
			t.Fatalf("HTTP %d %s, want 503 status unavailable", r.status, r.body)
		}
	})
}

func TestGraphQLOverPOST(t *testing.T) {
	srv, c := serve(t, defaults(t))
	r := postJSON(t, srv.URL+"/graphql", strings.NewReader(graphQLBody(t, createOrganization)))
	g := r.graphQL(t)
	if r.status != http.StatusOK || len(g.Errors) > 0 || !strings.Contains(string(g.Data), `"community":{"id"`) {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	if n := organizations(t, c); n != 1 {
		t.Fatalf("organizations = %d after the mutation, want 1", n)
	}
	r = postJSON(t, srv.URL+"/graphql", strings.NewReader(graphQLBody(t, `{ communities { totalCount } }`)))
	if g := r.graphQL(t); r.status != http.StatusOK || len(g.Errors) > 0 || string(g.Data) != `{"communities":{"totalCount":1}}` {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

func TestMalformedRequestsAreClientErrors(t *testing.T) {
	srv, _ := serve(t, defaults(t))
	for _, tc := range []struct{ name, body string }{
		{"a body that is not JSON", `{"query": "{ communities { totalCount } }"`},
		{"a body that is not a GraphQL request", `[1, 2, 3]`},
	} {
		t.Run(tc.name+" gets 400 with an error", func(t *testing.T) {
			r := postJSON(t, srv.URL+"/graphql", strings.NewReader(tc.body))
			g := r.graphQL(t)
			if r.status != http.StatusBadRequest || len(g.Errors) == 0 || g.code() == "INTERNAL_SERVER_ERROR" {
				t.Fatalf("HTTP %d %s, want 400 with an error that is not a server fault", r.status, r.body)
			}
		})
	}
}

func TestGraphQLOverGET(t *testing.T) {
	srv, c := serve(t, defaults(t))
	t.Run("a query works", func(t *testing.T) {
		r := get(t, srv.URL+"/graphql?query="+url.QueryEscape(`{communities{totalCount}}`))
		if g := r.graphQL(t); r.status != http.StatusOK || len(g.Errors) > 0 || string(g.Data) != `{"communities":{"totalCount":0}}` {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
	})
	t.Run("a mutation is refused and changes nothing", func(t *testing.T) {
		r := get(t, srv.URL+"/graphql?query="+url.QueryEscape(createOrganization))
		if g := r.graphQL(t); r.status < 400 || len(g.Errors) == 0 {
			t.Fatalf("HTTP %d %s, want a 4xx error", r.status, r.body)
		}
		if n := organizations(t, c); n != 0 {
			t.Fatalf("organizations = %d, want 0: a GET ran a mutation", n)
		}
	})
}

func TestPlayground(t *testing.T) {
	for _, tc := range []struct {
		name    string
		enabled bool
		status  int
	}{
		{"served at / when enabled", true, http.StatusOK},
		{"absent when disabled", false, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaults(t)
			cfg.Playground = tc.enabled
			srv, _ := serve(t, cfg)
			r := get(t, srv.URL+"/")
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d", r.status, tc.status)
			}
			if tc.enabled {
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(r.body), "/graphql") {
					t.Fatalf("Content-Type %q, body %.200q: want the HTML playground on /graphql", ct, r.body)
				}
			}
		})
	}
}

// onlyReader hides the length of a body, so that it is sent chunked.
type onlyReader struct{ io.Reader }

func TestBodyLimit(t *testing.T) {
	const limit = 1024
	cfg := defaults(t)
	cfg.MaxBodyBytes = limit
	srv, c := serve(t, cfg)
	// body pads the mutation with spaces to exactly n bytes.
	body := func(n int) string {
		b := graphQLBody(t, createOrganization)
		return b[:len(b)-1] + strings.Repeat(" ", n-len(b)) + "}"
	}
	tooLarge := body(limit + 1)

	t.Run("a body of exactly the limit is accepted", func(t *testing.T) {
		r := postJSON(t, srv.URL+"/graphql", strings.NewReader(body(limit)))
		if g := r.graphQL(t); r.status != http.StatusOK || len(g.Errors) > 0 {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		if _, err := c.Community.Delete().Exec(testenv.System()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a larger body with Content-Length gets 413 REQUEST_TOO_LARGE", func(t *testing.T) {
		r := postJSON(t, srv.URL+"/graphql", strings.NewReader(tooLarge))
		r.isJSON(t)
		if g := r.graphQL(t); r.status != http.StatusRequestEntityTooLarge || g.code() != "REQUEST_TOO_LARGE" {
			t.Fatalf("HTTP %d %s, want 413 with code REQUEST_TOO_LARGE", r.status, r.body)
		}
		if n := organizations(t, c); n != 0 {
			t.Fatalf("organizations = %d, want 0", n)
		}
	})
	// The chunked cases send the body without a length: the server only learns
	// it is too large while reading.
	chunked := func(t *testing.T) (reply, bool) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", onlyReader{strings.NewReader(tooLarge)})
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if req.ContentLength > 0 {
			t.Fatalf("request announces its length %d: not chunked", req.ContentLength)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Logf("the server cut the request: %v", err)
			return reply{}, false
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return reply{status: res.StatusCode, header: res.Header, body: b}, true
	}
	t.Run("a larger chunked body fails and changes nothing", func(t *testing.T) {
		if r, answered := chunked(t); answered {
			if g := r.graphQL(t); len(g.Errors) == 0 || (len(g.Data) > 0 && string(g.Data) != "null") {
				t.Fatalf("HTTP %d %s, want an error and no data", r.status, r.body)
			}
		}
		if n := organizations(t, c); n != 0 {
			t.Fatalf("organizations = %d, want 0", n)
		}
	})
	t.Run("a larger chunked body gets 413 REQUEST_TOO_LARGE like one with Content-Length", func(t *testing.T) {
		r, answered := chunked(t)
		if !answered {
			t.Fatal("no answer, want 413 with code REQUEST_TOO_LARGE")
		}
		if g := r.graphQL(t); r.status != http.StatusRequestEntityTooLarge || g.code() != "REQUEST_TOO_LARGE" {
			t.Fatalf("HTTP %d %s, want 413 with code REQUEST_TOO_LARGE", r.status, r.body)
		}
	})
}

func TestCORS(t *testing.T) {
	const allowed = "https://app.example.org"
	for _, tc := range []struct {
		name    string
		origins []string
		origin  string
		allow   bool
	}{
		{"a listed origin is allowed", []string{allowed}, allowed, true},
		{"a listed origin is allowed among several", []string{"https://other.example.org", allowed}, allowed, true},
		{"an unlisted origin is not allowed", []string{allowed}, "https://evil.example.com", false},
		{"a sub-domain of a listed origin is not allowed", []string{allowed}, "https://x.app.example.org", false},
		{"no origin is allowed when none is configured", nil, allowed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := defaults(t)
			cfg.CORSOrigins = tc.origins
			srv, _ := serve(t, cfg)

			// A simple request.
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(graphQLBody(t, `{ communities { totalCount } }`)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", tc.origin)
			r := do(t, req)
			check := func(kind string, r reply) {
				t.Helper()
				got := r.header.Get("Access-Control-Allow-Origin")
				switch {
				case tc.allow && got != tc.origin:
					t.Errorf("%s: Access-Control-Allow-Origin = %q, want %q", kind, got, tc.origin)
				case !tc.allow && got != "":
					t.Errorf("%s: Access-Control-Allow-Origin = %q, want none", kind, got)
				}
			}
			check("POST", r)

			// A preflight request.
			req, err = http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", http.MethodPost)
			req.Header.Set("Access-Control-Request-Headers", "content-type")
			check("preflight", do(t, req))
		})
	}
}
