package analysis

import (
	"math/rand/v2"
	"testing"
)

// plantedGraph is a graph of groups of size people, dense inside (p) and
// sparse across (q), with strengths between 0.5 and 3.
func plantedGraph(groups, size int, p, q float64, seed uint64) *Graph {
	r := rand.New(rand.NewPCG(seed, seed))
	var nodes []Node
	var edges []Edge
	n := groups * size
	for i := range n {
		nodes = append(nodes, Node{ID: i + 1})
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			prob := q
			if i/size == j/size {
				prob = p
			}
			if r.Float64() < prob {
				edges = append(edges, Edge{A: i + 1, B: j + 1, Strength: 0.5 + 2.5*r.Float64()})
			}
		}
	}
	return New(nodes, edges)
}

// TestFastLouvainMatchesGonum compares the array-based Louvain with gonum's
// community.Modularize on planted partitions: the same modularity within 2%
// (both are heuristics), and the planted groups found.
func TestFastLouvainMatchesGonum(t *testing.T) {
	for seed := range uint64(5) {
		g := plantedGraph(6, 25, 0.3, 0.01, seed+1)
		comm, q := fastLouvain(g)
		_, qGonum := g.louvain()
		if q < qGonum*0.98 {
			t.Errorf("seed %d: modularity %.4f, gonum's %.4f", seed, q, qGonum)
		}
		if want := modularityOf(g, comm); q != want {
			t.Errorf("seed %d: reported modularity %v, recomputed %v", seed, q, want)
		}
		// Each planted group is found: most of it in one community.
		for grp := range 6 {
			count := map[int]int{}
			most := 0
			for i := grp * 25; i < (grp+1)*25; i++ {
				count[comm[i]]++
				most = max(most, count[comm[i]])
			}
			if most < 20 {
				t.Errorf("seed %d: planted group %d spread over %v", seed, grp, count)
			}
		}
	}
}

func BenchmarkFastLouvain(b *testing.B) {
	g := plantedGraph(40, 100, 0.1, 0.0015, 1)
	b.ResetTimer()
	for range b.N {
		fastLouvain(g)
	}
}
