package network_test

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

// BenchmarkNeighbourhoodCached measures a depth-2 neighbourhood (its
// counts, as Person.network { stats { nodeCount edgeCount } } asks) from the cached organization graph, in process, on an organization
// made by `rencontre generate`:
//
//	RENCONTRE_BENCH_DATABASE_URL=postgres://… go test -run '^$' -bench Neighbourhood ./internal/network
//
// (RENCONTRE_BENCH_ORG: the organization's slug, bench by default). Skipped
// without a database.
func BenchmarkNeighbourhoodCached(b *testing.B) {
	benchNeighbourhood(b, network.Parts{})
}

// BenchmarkNeighbourhoodCachedWithPeople is the same with the people's
// records (read by SQL) and the relationships, as nodes and edges ask.
func BenchmarkNeighbourhoodCachedWithPeople(b *testing.B) {
	benchNeighbourhood(b, network.Parts{People: true, Links: true})
}

func benchNeighbourhood(b *testing.B, parts network.Parts) {
	url := os.Getenv("RENCONTRE_BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("RENCONTRE_BENCH_DATABASE_URL is not set: no generated organization to measure")
	}
	slug := os.Getenv("RENCONTRE_BENCH_ORG")
	if slug == "" {
		slug = "bench"
	}
	c, err := database.Open(url)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	org, err := c.Organization.Query().Where(organization.Slug(slug)).Only(testenv.System())
	if err != nil {
		b.Fatalf("organization %q: %v", slug, err)
	}
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.Owner})
	ids, err := c.Person.Query().Order(person.ByID()).IDs(ctx)
	if err != nil || len(ids) == 0 {
		b.Fatalf("people: %d, %v", len(ids), err)
	}
	now := time.Now()
	start := time.Now()
	if _, err := network.Neighbourhood(ctx, c, ids[0], 2, 0, now, parts); err != nil {
		b.Fatal(err)
	}
	b.Logf("first call (loads the organization graph): %s", time.Since(start).Round(time.Millisecond))
	r := rand.New(rand.NewPCG(1, 7))
	nodes, links := 0, 0
	for b.Loop() {
		n, err := network.Neighbourhood(ctx, c, ids[r.IntN(len(ids))], 2, 0, now, parts)
		if err != nil {
			b.Fatal(err)
		}
		nodes, links = nodes+n.NodeCount(), links+n.EdgeCount()
	}
	b.ReportMetric(float64(nodes)/float64(b.N), "nodes/op")
	b.ReportMetric(float64(links)/float64(b.N), "links/op")
}
