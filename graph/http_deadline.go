package graph

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// ErrRequestTimeout is the cause (context.Cause) of a request context whose
// deadline, Options.RequestTimeout, has passed. It tells a request the server
// stopped from one the client abandoned (context.Canceled) or that the
// shutdown cut short.
var ErrRequestTimeout = errors.New("the request did not finish within the server's time limit")

// Codes of requests cut short.
const (
	codeRequestTimeout   = "REQUEST_TIMEOUT"
	codeRequestCancelled = "REQUEST_CANCELLED"
)

// DefaultRequestTimeout is the deadline of a request when Options set none.
const DefaultRequestTimeout = 10 * time.Second

// withDeadline gives each request a deadline. The context goes down to every
// SQL statement (ent passes it to database/sql, and both drivers cancel a
// running statement when it ends), so a slow query stops at the deadline, or
// as soon as the client goes away (net/http cancels the context then).
func withDeadline(next http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeoutCause(r.Context(), timeout, ErrRequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// contextError is the error a client gets for work that ctx cut short, or nil
// while ctx is live.
func contextError(ctx context.Context) *gqlerror.Error {
	if ctx.Err() == nil {
		return nil
	}
	if errors.Is(context.Cause(ctx), ErrRequestTimeout) {
		return &gqlerror.Error{
			Message:    "the request took longer than the server's time limit and was stopped; ask for less (smaller pages, fewer fields) or try again",
			Extensions: map[string]any{"code": codeRequestTimeout},
		}
	}
	return &gqlerror.Error{
		Message:    "the request was cancelled: the client went away or the server is shutting down",
		Extensions: map[string]any{"code": codeRequestCancelled},
	}
}

// presentDeadline wraps the error presenter: once the request's context has
// ended, an error without a code is the timeout or the cancellation, whatever
// the driver called it ("context deadline exceeded", "pq: canceling statement
// due to user request", "interrupted"), and neither a server fault nor worth
// an ERROR log. Errors that already carry a code (request errors) keep it.
func presentDeadline(next graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		ce := contextError(ctx)
		if ce == nil {
			return next(ctx, err)
		}
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Extensions != nil && gqlErr.Extensions["code"] != nil {
			return next(ctx, err)
		}
		presented := graphql.DefaultErrorPresenter(ctx, err) // for the path
		return &gqlerror.Error{
			Err:        err,
			Message:    ce.Message,
			Path:       presented.Path,
			Locations:  presented.Locations,
			Extensions: ce.Extensions,
		}
	}
}
