package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rencontre/rencontre/internal/server"
)

// logSink collects JSON log lines written concurrently.
type logSink struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// lines returns the records logged so far.
func (s *logSink) lines(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(s.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func (s *logSink) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// accessLine waits for the access log line of the request with id: it is
// written once the handler has returned, which may be after the client read
// the response.
func (s *logSink) accessLine(t *testing.T, id string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, l := range s.lines(t) {
			if l["msg"] == "request" && l["request_id"] == id {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no access log line for request %s in:\n%s", id, s.text())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// captureLogs makes the default logger write JSON to the returned sink, at
// every level, for servers built from now until the test ends.
func captureLogs(t *testing.T) *logSink {
	t.Helper()
	sink := &logSink{}
	previous := slog.Default()
	slog.SetDefault(slog.New(server.WithRequestID(slog.NewJSONHandler(sink, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	t.Cleanup(func() { slog.SetDefault(previous) })
	return sink
}

func TestAccessLog(t *testing.T) {
	sink := captureLogs(t)
	srv, c := serve(t, defaults(t))
	tok, _ := tokens.Load(srv.URL)
	const secret = "s3cr3t-variable-value"
	n := 0
	send := func(t *testing.T, method, path, body string, header map[string]string) (reply, string) {
		t.Helper()
		n++
		id := "test-" + strings.Repeat("x", n)
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("X-Request-Id", id)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return do(t, req), id
	}
	named := `{"query": "query Communities($name: String) { communities(where: {name: $name}) { totalCount } }", "operationName": "Communities", "variables": {"name": "` + secret + `"}}`
	for _, tc := range []struct {
		name               string
		method, path, body string
		header             map[string]string
		status             int
		level              string
		operation, typ     string
		codes              []string
	}{
		{"a named query", "POST", "/graphql", named, nil, 200, "INFO", "Communities", "query", nil},
		{"a query with GET", "GET", "/graphql?query=%7Bcommunities%7BtotalCount%7D%7D&variables=%7B%22x%22%3A%22" + secret + "%22%7D", "", nil, 200, "INFO", "", "query", nil},
		{"a mutation", "POST", "/graphql", graphQLBody(t, createOrganization), nil, 200, "INFO", "", "mutation", nil},
		{"a validation error: the name asked for, no type", "POST", "/graphql", `{"query": "query Bad { communitiez }", "operationName": "Bad"}`, nil, 400, "INFO", "Bad", "", []string{"GRAPHQL_VALIDATION_FAILED"}},
		{"a field error", "POST", "/graphql", `{"query": "query Node { node(id: \"abc\") { id } }"}`, nil, 200, "INFO", "Node", "query", []string{"BAD_USER_INPUT"}},
		{"a wrong token", "POST", "/graphql", named, map[string]string{"Authorization": "Bearer rct_wrong_" + secret}, 401, "INFO", "", "", []string{"UNAUTHENTICATED"}},
		{"a body that is not JSON", "POST", "/graphql", `{"query": "` + secret, nil, 400, "INFO", "", "", []string{"INVALID_JSON"}},
		{"a mutation with GET", "GET", "/graphql?query=" + url.QueryEscape(createOrganization), "", nil, 405, "INFO", "", "mutation", []string{"METHOD_NOT_ALLOWED"}},
		{"a health check", "GET", "/healthz", "", nil, 200, "DEBUG", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, id := send(t, tc.method, tc.path, tc.body, tc.header)
			if r.status != tc.status {
				t.Fatalf("HTTP %d %s, want %d", r.status, r.body, tc.status)
			}
			if got := r.header.Get("X-Request-Id"); got != id {
				t.Errorf("X-Request-Id %q in the response, want the request's %q", got, id)
			}
			l := sink.accessLine(t, id)
			path, _, _ := strings.Cut(tc.path, "?")
			if l["level"] != tc.level || l["method"] != tc.method || l["path"] != path || l["status"] != float64(tc.status) {
				t.Errorf("line %v, want level %s, %s %s, status %d", l, tc.level, tc.method, path, tc.status)
			}
			if _, ok := l["duration_ms"].(float64); !ok {
				t.Errorf("line %v has no duration_ms", l)
			}
			if op, _ := l["operation"].(string); op != tc.operation {
				t.Errorf("operation %q, want %q", op, tc.operation)
			}
			if typ, _ := l["operation_type"].(string); typ != tc.typ {
				t.Errorf("operation_type %q, want %q", typ, tc.typ)
			}
			var codes []string
			if raw, ok := l["error_codes"].([]any); ok {
				for _, c := range raw {
					codes = append(codes, c.(string))
				}
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("error_codes %q, want %q", codes, tc.codes)
			}
		})
	}
	t.Run("no secret, query or variable is logged", func(t *testing.T) {
		logs := sink.text()
		for _, leak := range []string{secret, tok.(string), "communities(where", "Bearer", "communityCreate"} {
			if strings.Contains(logs, leak) {
				t.Errorf("the logs contain %q:\n%s", leak, logs)
			}
		}
	})
	t.Run("a request id is made when none or a strange one is sent", func(t *testing.T) {
		for _, sent := range []string{"", "has space", "new\nline", strings.Repeat("a", 129), `"quoted"`} {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/healthz", nil)
			if sent != "" {
				req.Header["X-Request-Id"] = []string{sent}
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				if sent == "new\nline" { // the client itself refuses to send it
					continue
				}
				t.Fatal(err)
			}
			res.Body.Close()
			id := res.Header.Get("X-Request-Id")
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(id) {
				t.Errorf("sent %q, got X-Request-Id %q, want a new one of 32 hex digits", sent, id)
			}
			sink.accessLine(t, id)
		}
	})
	t.Run("a server fault is logged as ERROR, with the request id on every line", func(t *testing.T) {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		// The token is remembered (auth's cache): the request gets past
		// authentication, and the operation fails.
		r, id := send(t, "POST", "/graphql", named, nil)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"INTERNAL_SERVER_ERROR"`) {
			t.Fatalf("HTTP %d %s, want 200 with INTERNAL_SERVER_ERROR with the database closed", r.status, r.body)
		}
		if l := sink.accessLine(t, id); l["level"] != "ERROR" || !slices.Equal(l["error_codes"].([]any), []any{"INTERNAL_SERVER_ERROR"}) {
			t.Errorf("line %v, want ERROR with INTERNAL_SERVER_ERROR", l)
		}
		others := 0
		for _, l := range sink.lines(t) {
			if l["request_id"] == id && l["msg"] != "request" {
				others++
			}
		}
		if others == 0 {
			t.Errorf("the error logged while serving request %s does not carry its id:\n%s", id, sink.text())
		}
	})
}

func TestLogsAreJSONLinesOutsideATerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	slog.New(server.NewLogHandler(f, slog.LevelInfo)).Info("hello", "n", 1)
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["msg"] != "hello" || m["n"] != float64(1) {
		t.Fatalf("log %q is not one JSON record (%v)", b, err)
	}
}
