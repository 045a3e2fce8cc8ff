package demo_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/testenv"
)

// TestReadmeExamplesWorkAgainstTheDemo runs every GraphQL example of the
// README, in order, against a fresh demo database with the demo token, as a
// newcomer pasting them into the playground would. Examples with placeholders
// (<…>) are skipped; the one named "Oops" must come back with userErrors, all
// others without errors of any kind.
func TestReadmeExamplesWorkAgainstTheDemo(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := graphQLBlocks(string(readme))
	if len(examples) < 8 {
		t.Fatalf("found %d GraphQL examples in the README, want at least 8", len(examples))
	}
	c, _, _ := loaded(t)
	_, token, err := demo.Token(testenv.System(), c)
	if err != nil {
		t.Fatal(err)
	}
	h := graph.NewHandler(c, graph.Options{})
	ran := 0
	for _, ex := range examples {
		if strings.Contains(ex, "<") {
			continue
		}
		// Subscriptions run over a WebSocket, not a POST: graph/subscription_test.go
		// streams them.
		if strings.HasPrefix(strings.TrimSpace(ex), "subscription") {
			continue
		}
		ran++
		body, _ := json.Marshal(map[string]any{"query": ex})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var res struct {
			Data   json.RawMessage
			Errors []json.RawMessage
		}
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
			t.Fatalf("decoding %s: %v", w.Body.String(), err)
		}
		if len(res.Errors) > 0 || w.Code != http.StatusOK {
			t.Errorf("README example failed (HTTP %d):\n%s\nerrors: %s", w.Code, ex, w.Body.String())
			continue
		}
		hasUserErrors := strings.Contains(string(res.Data), `"userErrors":[{`)
		if wantErrors := strings.Contains(ex, "Oops"); hasUserErrors != wantErrors {
			t.Errorf("README example:\n%s\nuserErrors present = %v, want %v; data: %s", ex, hasUserErrors, wantErrors, res.Data)
		}
	}
	t.Logf("ran %d README examples", ran)
}

// graphQLBlocks returns the contents of the ```graphql fences of a Markdown
// text, and the one-line GraphQL documents of plain code fences.
func graphQLBlocks(md string) []string {
	var out []string
	for _, part := range strings.Split(md, "```graphql\n")[1:] {
		if end := strings.Index(part, "```"); end > 0 {
			block := part[:end]
			// A fence may hold several one-line operations.
			if lines := strings.Split(strings.TrimSpace(block), "\n"); len(lines) > 1 && allOperations(lines) {
				out = append(out, lines...)
				continue
			}
			out = append(out, block)
		}
	}
	return out
}

func allOperations(lines []string) bool {
	for _, l := range lines {
		if !strings.HasPrefix(l, "mutation {") && !strings.HasPrefix(l, "{ ") {
			return false
		}
	}
	return true
}
