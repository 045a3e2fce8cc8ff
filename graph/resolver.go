// Package graph is the GraphQL layer of Rencontre: thin resolvers over the ent
// client and the internal domain packages, and the HTTP handler that serves them.
package graph

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/ent"
)

// Resolver is the resolver root. Queries read through client; mutations write
// through the transaction-bound client in the request context (ent.FromContext).
type Resolver struct{ client *ent.Client }

// NewSchema returns the executable schema over client, with connection fields
// weighted by their page size for the complexity limit.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return weighConnections(NewExecutableSchema(Config{Resolvers: &Resolver{client}}))
}

// deref returns the value behind an optional input, or its zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// inZone returns t in the IANA time zone tz (unchanged if tz is unknown, which
// validation prevents).
func inZone(t time.Time, tz string) *time.Time {
	if loc, err := time.LoadLocation(tz); err == nil {
		t = t.In(loc)
	}
	return &t
}
