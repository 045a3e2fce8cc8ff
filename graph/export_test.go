package graph

import (
	"context"
	"net/http"
)

// DryRun returns h with every mutation of every request rolled back instead of
// committed, so that a test can try many mutations on the same data.
func DryRun(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), dryRunKey{}, true)))
	})
}
