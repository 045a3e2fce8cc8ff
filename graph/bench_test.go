package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

// BenchmarkIssueQuery measures the issue's nested query (20 meetings, their
// objectives, 50 participations each with the person's communities) through
// the whole handler: authentication, limits, privacy, eager loading.
//
//	go test -run '^$' -bench IssueQuery -benchmem ./graph/
func BenchmarkIssueQuery(b *testing.B) {
	c, counter := testenv.ClientWithCounter(b)
	buildMeetings(b, c, 20)
	token := ownerToken(b, c)
	h := graph.NewHandler(c, graph.Options{})
	body, err := json.Marshal(map[string]any{"query": issueQuery})
	if err != nil {
		b.Fatal(err)
	}
	counter.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("HTTP %d: %s", w.Code, w.Body.String())
		}
	}
	b.ReportMetric(float64(counter.Count())/float64(b.N), "statements/op")
}
