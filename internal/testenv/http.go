package testenv

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// ServeGraphQL posts body to h's /graphql with the bearer token, as a client
// would, and fails tb on a status other than 200 (for benchmarks through the
// handler).
func ServeGraphQL(tb testing.TB, h http.Handler, token string, body []byte) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		tb.Fatalf("HTTP %d: %s", w.Code, w.Body.String())
	}
	return w
}
