package graph_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/rencontre/rencontre/graph"
)

func TestAccessRecordTellsOperationAndErrorCodes(t *testing.T) {
	a := newAPI(t)
	h := graph.NewHandler(a.ent, graph.Options{})
	for _, tc := range []struct {
		name      string
		method    string
		target    string
		body      string
		operation string
		typ       string
		codes     []string
	}{
		{"a named query", "POST", "/graphql", `{"query": "query Count { meetings { totalCount } }"}`, "Count", "query", nil},
		{"the operation picked by name", "POST", "/graphql", `{"query": "query A { __typename } mutation B { communityCreate(input: {name: \"B\", kind: TEAM}) { community { id } } }", "operationName": "B"}`, "B", "mutation", nil},
		{"an anonymous query with GET", "GET", "/graphql?query=%7B__typename%7D", "", "", "query", nil},
		{"field errors, one code each", "POST", "/graphql", `{"query": "{ a: node(id: \"x\") { id } b: node(id: \"y\") { id } }"}`, "", "query", []string{"BAD_USER_INPUT", "BAD_USER_INPUT"}},
		{"a request error", "POST", "/graphql", `{"query": "query Typo { meetingz }", "operationName": "Typo"}`, "Typo", "", []string{"GRAPHQL_VALIDATION_FAILED"}},
		{"a mutation with GET", "GET", "/graphql?query=mutation+M+%7B+__typename+%7D", "", "M", "mutation", []string{"METHOD_NOT_ALLOWED"}},
		{"a batch", "POST", "/graphql", `[{"query": "{ __typename }"}]`, "", "", []string{"BATCHING_NOT_SUPPORTED"}},
		{"a method the endpoint does not serve", "PUT", "/graphql", "", "", "", []string{"METHOD_NOT_ALLOWED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &graph.AccessRecord{}
			req := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			req = req.WithContext(graph.WithAccessRecord(req.Context(), rec))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+a.bearer(t))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			name, typ := rec.Operation()
			if name != tc.operation || typ != tc.typ {
				t.Errorf("operation %q of type %q, want %q of type %q (HTTP %d %s)", name, typ, tc.operation, tc.typ, w.Code, w.Body)
			}
			if codes := rec.ErrorCodes(); !slices.Equal(codes, tc.codes) {
				t.Errorf("codes %q, want %q (HTTP %d %s)", codes, tc.codes, w.Code, w.Body)
			}
		})
	}
	t.Run("the endpoint runs without a record", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query": "{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.bearer(t))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("HTTP %d %s", w.Code, w.Body)
		}
	})
}
