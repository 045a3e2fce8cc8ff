package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rencontre/rencontre/internal/feeds"
)

// TestGraphQLRequestsCarryThePublicAddress checks the middleware that gives
// resolvers the base of the calendar feeds' addresses.
func TestGraphQLRequestsCarryThePublicAddress(t *testing.T) {
	for _, tc := range []struct{ name, configured, host, want string }{
		{"the configured address", "https://cal.example.org", "10.0.0.5:8080", "https://cal.example.org"},
		{"else the request's own", "", "localhost:8080", "http://localhost:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			h := withBaseURL(tc.configured, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got = feeds.BaseURL(r.Context())
			}))
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			r.Host = tc.host
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("BaseURL = %q, want %q", got, tc.want)
			}
		})
	}
}
