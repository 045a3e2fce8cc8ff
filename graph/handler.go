package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/auth"
)

// Options configure the GraphQL handler.
type Options struct {
	// ComplexityLimit is the highest cost an operation may have; connections
	// count their page size. Zero means DefaultComplexityLimit.
	ComplexityLimit int
	// MaxBodyBytes is the largest request body accepted. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Limits bound the shape of an operation; zero fields take their
	// defaults (DefaultLimits).
	Limits Limits
	// Production turns off introspection and "did you mean" suggestions.
	Production bool
}

// Defaults of Options.
const (
	DefaultComplexityLimit = 200_000
	DefaultMaxBodyBytes    = 1 << 20
)

// NewHandler returns the GraphQL endpoint over client: every request
// authenticated by its API token, POST (JSON) for queries and mutations, GET
// for queries only, every mutation in one transaction, page sizes bounded,
// complexity and body size limited.
func NewHandler(client *ent.Client, opts Options) http.Handler {
	if opts.ComplexityLimit == 0 {
		opts.ComplexityLimit = DefaultComplexityLimit
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	srv := handler.New(NewSchema(client))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	// No query cache on purpose: pageLimits writes default page sizes into
	// each request's own parsed document.
	srv.Use(extension.Introspection{})
	installLimits(srv, opts)
	srv.Use(contactFilterGuard{})
	installTransactions(srv, client)
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	return limitBody(auth.Middleware(client, srv), opts.MaxBodyBytes)
}

// limitBody refuses request bodies larger than limit with a GraphQL error and
// status 413, whether or not the client announced the length.
func limitBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			tooLargeResponse(w, limit)
			return
		}
		if r.Body != nil && r.ContentLength < 0 { // chunked: read it to know its size
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				tooLargeResponse(w, limit)
				return
			}
			if err != nil {
				http.Error(w, "reading request body: "+err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		next.ServeHTTP(w, r)
	})
}

func tooLargeResponse(w http.ResponseWriter, limit int64) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message":    fmt.Sprintf("request body is larger than the limit of %d bytes", limit),
		"extensions": map[string]any{"code": codeTooLarge},
	}}})
}
