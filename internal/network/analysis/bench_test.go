package analysis

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// Benchmark graph: 20,000 people and 400,000 relationships with
// heavy-tailed degrees (one end of each edge drawn with density ∝ x^(-2/3),
// skew 3), strengths 0.1 + Exp(1).
const (
	benchNodes = 20000
	benchEdges = 400000
)

var benchData = sync.OnceValues(func() ([]Node, []Edge) {
	return randomGraph(42, benchNodes, benchEdges, 3)
})

// BenchmarkMetrics measures a full Metrics computation on a fresh Graph
// (Metrics is cached per Graph, so New runs outside the timer).
func BenchmarkMetrics(b *testing.B) {
	ns, es := benchData()
	for b.Loop() {
		b.StopTimer()
		g := New(ns, es)
		b.StartTimer()
		_, st := g.Metrics()
		if !st.BetweennessSampled {
			b.Fatal("expected sampling")
		}
	}
}

// BenchmarkNew measures building the Graph.
func BenchmarkNew(b *testing.B) {
	ns, es := benchData()
	for b.Loop() {
		New(ns, es)
	}
}

// BenchmarkIntroductionPath measures one Dijkstra query between random
// people of the benchmark graph.
func BenchmarkIntroductionPath(b *testing.B) {
	ns, es := benchData()
	g := New(ns, es)
	r := rand.New(rand.NewPCG(7, 7))
	for b.Loop() {
		from, to := ns[r.IntN(len(ns))].ID, ns[r.IntN(len(ns))].ID
		g.IntroductionPath(from, to)
	}
}
