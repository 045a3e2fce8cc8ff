package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
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
		testenv.ServeGraphQL(b, h, token, body)
	}
	b.ReportMetric(float64(counter.Count())/float64(b.N), "statements/op")
}

// BenchmarkRefusals measures how long the handler takes to refuse the
// requests that once kept a core busy for seconds or minutes (issue 6), each
// as a client sends it. Every one must be refused with a 4xx.
//
//	go test -run '^$' -bench Refusals -benchmem ./graph/
func BenchmarkRefusals(b *testing.B) {
	c := testenv.Client(b)
	token := ownerToken(b, c)
	h := graph.NewHandler(c, graph.Options{})
	nested := func(n int) any {
		var v any = map[string]any{"name": "x"}
		for range n {
			v = map[string]any{"not": v}
		}
		return v
	}
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strconv.Itoa(i + 1)
		}
		return out
	}
	bomb := "query Q { ...F0 }\n"
	for i := range 20 {
		bomb += fmt.Sprintf("fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	bomb += "fragment F20 on Query { __typename }"
	var totals []string
	for i := range 1980 {
		totals = append(totals, fmt.Sprintf("a%d: communities { totalCount }", i))
	}
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"20000 repeated fields", "{ " + strings.Repeat("__typename ", 20000) + "}", nil},
		{"fragment bomb of 2^20 fields", bomb, nil},
		{"where nested 5000 deep in a variable", `query($w: PersonWhereInput) { people(where: $w) { totalCount } }`, map[string]any{"w": nested(5000)}},
		{"nodes with 50000 IDs", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids(50000)}},
		{"idIn with 70000 IDs", `query($ids: [ID!]) { people(where: {idIn: $ids}) { totalCount } }`, map[string]any{"ids": ids(70000)}},
		{"1980 aliased totalCounts", "{ organizations { edges { node { " + strings.Join(totals, " ") + " } } } }", nil},
	} {
		body, err := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code < 400 || w.Code >= 500 {
					b.Fatalf("HTTP %d, want a 4xx refusal: %.200s", w.Code, w.Body.String())
				}
			}
		})
	}
}

// BenchmarkMeetingsWithCounts measures issue 11's P1b through the whole
// handler: 20 meetings with their title, start and participations'
// totalCount.
//
//	go test -run '^$' -bench MeetingsWithCounts -benchmem ./graph/
func BenchmarkMeetingsWithCounts(b *testing.B) {
	c, counter := testenv.ClientWithCounter(b)
	buildMeetings(b, c, 20)
	token := ownerToken(b, c)
	h := graph.NewHandler(c, graph.Options{})
	body, err := json.Marshal(map[string]any{"query": `query P1b { meetings(first: 20, orderBy: [{field: STARTS_AT, direction: ASC}]) {
  edges { node { id title startsAt participations { totalCount } } } } }`})
	if err != nil {
		b.Fatal(err)
	}
	counter.Reset()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		testenv.ServeGraphQL(b, h, token, body)
	}
	b.ReportMetric(float64(counter.Count())/float64(b.N), "statements/op")
}

// BenchmarkParticipationRespond measures issue 11's mutation through the
// whole handler: answers alternating ACCEPTED and TENTATIVE over the
// participations of meetings without a capacity, each in its transaction.
//
//	RENCONTRE_TEST_DB=postgres go test -run '^$' -bench ParticipationRespond -benchmem ./graph/
func BenchmarkParticipationRespond(b *testing.B) {
	c := testenv.Client(b)
	buildMeetings(b, c, 4)
	token := ownerToken(b, c)
	h := graph.NewHandler(c, graph.Options{})
	var bodies [][]byte
	for _, answer := range []string{"ACCEPTED", "TENTATIVE"} {
		for _, p := range c.Participation.Query().AllX(testenv.System()) {
			body, err := json.Marshal(map[string]any{
				"query": `mutation Respond($id: ID!, $answer: ParticipationAnswer!) {
  participationRespond(input: {participationID: $id, answer: $answer}) {
    participation { id status } waitlisted userErrors { code message } } }`,
				"variables": map[string]any{"id": strconv.Itoa(p.ID), "answer": answer}})
			if err != nil {
				b.Fatal(err)
			}
			bodies = append(bodies, body)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		w := testenv.ServeGraphQL(b, h, token, bodies[i%len(bodies)])
		i++
		if !strings.Contains(w.Body.String(), `"userErrors":[]`) {
			b.Fatalf("user errors: %s", w.Body.String())
		}
	}
}
