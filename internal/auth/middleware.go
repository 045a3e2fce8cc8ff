package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Middleware is Default(c).Middleware(next).
func Middleware(c *ent.Client, next http.Handler) http.Handler {
	return Default(c).Middleware(next)
}

// Middleware authenticates every request with its `Authorization: Bearer`
// token and puts the viewer in the request context. A request without a
// valid token gets a GraphQL error with extensions.code UNAUTHENTICATED, status
// 401, and no data. CORS preflight requests pass through.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		header := r.Header.Get("Authorization")
		scheme, secret, found := strings.Cut(header, " ")
		if header == "" || !found || !strings.EqualFold(scheme, "Bearer") {
			unauthenticated(w, "authentication required: send an API token as `Authorization: Bearer <token>`")
			return
		}
		v, err := a.Authenticate(r.Context(), strings.TrimSpace(secret))
		if errors.Is(err, ErrUnauthenticated) {
			unauthenticated(w, err.Error())
			return
		}
		if ctxErr := r.Context().Err(); err != nil && ctxErr != nil {
			// The request's deadline passed, or the client left, while the
			// token was looked up: not a fault of the server.
			code := "REQUEST_CANCELLED"
			if errors.Is(ctxErr, context.DeadlineExceeded) {
				code = "REQUEST_TIMEOUT"
			}
			slog.InfoContext(r.Context(), "request ended during authentication", "code", code)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(errorBody("the request ended before its token was checked", code))
			return
		}
		if err != nil {
			slog.ErrorContext(r.Context(), "authenticating a request", "error", err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_ = json.NewEncoder(w).Encode(errorBody("internal server error", "INTERNAL_SERVER_ERROR"))
			return
		}
		next.ServeHTTP(w, r.WithContext(viewer.NewContext(r.Context(), v)))
	})
}

func unauthenticated(w http.ResponseWriter, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="rencontre"`)
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(errorBody(message, "UNAUTHENTICATED"))
}

func errorBody(message, code string) map[string]any {
	return map[string]any{"errors": []map[string]any{{
		"message":    message,
		"extensions": map[string]any{"code": code},
	}}}
}
