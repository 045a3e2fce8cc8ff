// Package graph is the GraphQL layer of Rencontre: thin resolvers over the ent
// client and the internal domain packages, and the HTTP handler that serves them.
package graph

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/events"
	"github.com/rencontre/rencontre/internal/series"
	"github.com/rencontre/rencontre/internal/zone"
)

// Resolver is the resolver root. Queries read through client; mutations write
// through the transaction-bound client in the request context (ent.FromContext).
// Subscriptions listen to events, the bus on which committed mutations
// publish attendance changes.
type Resolver struct {
	client *ent.Client
	events events.Bus
	clock  func() time.Time
	series series.Settings
	// maxNetworkEdges bounds one network answer (0: the default).
	maxNetworkEdges int
}

// now is the resolvers' current time.
func (r *Resolver) now() time.Time {
	if r.clock != nil {
		return r.clock()
	}
	return time.Now()
}

// NewSchema returns the executable schema over client, with connection fields
// weighted by their page size for the complexity limit. Its subscriptions
// listen to an in-process bus of their own.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return newSchema(client, events.NewMemory(), Options{})
}

// newSchema is NewSchema with the bus of attendance events.
func newSchema(client *ent.Client, bus events.Bus, opts Options) graphql.ExecutableSchema {
	r := &Resolver{client: client, events: bus, clock: opts.Clock, series: series.Settings{HorizonMonths: opts.SeriesHorizonMonths},
		maxNetworkEdges: opts.MaxNetworkEdges}
	return weighConnections(NewExecutableSchema(Config{Resolvers: r}))
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
	if loc, err := location(tz); err == nil {
		t = t.In(loc)
	}
	return &t
}

// location is the IANA time zone tz, loaded once per process.
func location(tz string) (*time.Location, error) { return zone.Load(tz) }
