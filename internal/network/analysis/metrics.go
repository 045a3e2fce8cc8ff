package analysis

import (
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/topo"
)

// SampleAbove is the node count above which betweenness (and closeness) are
// estimated from SampleSize BFS sources instead of computed exactly.
const SampleAbove = 5000

// SampleSize is the number of BFS sources used when sampling.
const SampleSize = 500

// Seeds of the pseudo-random sources, fixed so results are reproducible.
const (
	louvainSeed = 1
	sampleSeed  = 1
)

// chunks is the fixed number of accumulation buckets for the parallel
// Brandes pass. It does not depend on GOMAXPROCS, so floating-point sums
// are added in the same order on every machine.
const chunks = 16

// NodeMetrics are the per-person measures returned by Metrics.
type NodeMetrics struct {
	Degree         int
	WeightedDegree float64 // sum of strengths
	Betweenness    float64 // unweighted shortest paths, normalized by (n-1)(n-2)/2 for n > 2 (0 otherwise), so in [0,1]
	Closeness      float64 // Wasserman–Faust closeness: ((r-1)/(n-1)) * ((r-1)/sum of distances to the r-1 reachable), 0 when isolated
	Community      int     // index of the node's community in the Louvain partition (0..k-1, numbered by order of the smallest node ID in each)
}

// Stats are the whole-network measures returned by Metrics.
type Stats struct {
	NodeCount, EdgeCount int
	Density              float64  // 2m / (n(n-1)), 0 when n < 2
	Components           int      // connected components; an isolated node is a component
	Modularity           float64  // of the Louvain partition (weighted by strength)
	Isolated             []int    // node IDs with Attended && degree 0, sorted
	Bridges              [][2]int // edges whose removal disconnects their component, sorted (A<B)
	BetweennessSampled   bool     // true when n > SampleAbove and betweenness was estimated from SampleSize sources
}

// Metrics returns the per-person measures keyed by person ID and the
// network statistics. It is deterministic: Louvain runs with a fixed seed,
// sampled sources are drawn with a fixed seed, and the parallel Brandes pass
// accumulates in a fixed order. The result is computed once per Graph and
// cached; each call returns fresh copies.
//
// Betweenness uses Brandes' algorithm on unweighted shortest paths. When
// n > SampleAbove it is estimated from SampleSize sources drawn uniformly
// without replacement (estimate = n/k times the sum of the sampled
// dependencies) and Stats.BetweennessSampled is set. In that case Closeness
// is estimated from the same BFS trees: the mean distance from the sampled
// sources of a node's component (distances are symmetric) replaces the
// exact mean distance; sampled sources themselves, and nodes of components
// no source fell in, get exact values.
func (g *Graph) Metrics() (map[int]NodeMetrics, Stats) {
	g.once.Do(g.computeMetrics)
	out := make(map[int]NodeMetrics, len(g.ids))
	for i, id := range g.ids {
		out[id] = g.metrics[i]
	}
	st := g.stats
	st.Isolated = append([]int(nil), g.stats.Isolated...)
	st.Bridges = append([][2]int(nil), g.stats.Bridges...)
	return out, st
}

func (g *Graph) computeMetrics() {
	n := g.n()
	ms := make([]NodeMetrics, n)
	st := Stats{NodeCount: n, EdgeCount: g.m, Isolated: []int{}, Bridges: [][2]int{}}
	if n >= 2 {
		st.Density = 2 * float64(g.m) / (float64(n) * float64(n-1))
	}
	for i := 0; i < n; i++ {
		ms[i].Degree = g.degree(i)
		var s float64
		for k := g.off[i]; k < g.off[i+1]; k++ {
			s += g.w[k]
		}
		ms[i].WeightedDegree = s
		if ms[i].Degree == 0 && g.att[i] {
			st.Isolated = append(st.Isolated, g.ids[i])
		}
	}

	// Connected components (gonum topo).
	compOf := make([]int, n)
	compSize := []int{}
	if n > 0 {
		for c, nodes := range topo.ConnectedComponents(view{g: g}) {
			for _, v := range nodes {
				compOf[v.ID()] = c
			}
			compSize = append(compSize, len(nodes))
		}
	}
	st.Components = len(compSize)

	// Louvain communities and modularity (gonum community).
	commOf, q := fastLouvain(g)
	st.Modularity = q
	for i := range ms {
		ms[i].Community = commOf[i]
	}

	// Betweenness and closeness.
	bet, clo, sampled := g.centralities(compOf, compSize)
	st.BetweennessSampled = sampled
	for i := range ms {
		ms[i].Betweenness = bet[i]
		ms[i].Closeness = clo[i]
	}

	st.Bridges = g.bridges()
	g.metrics, g.stats = ms, st
}

// louvain returns the community index of every node (numbered by the order
// of the smallest member) and the modularity of the partition.
func (g *Graph) louvain() ([]int, float64) {
	n := g.n()
	commOf := make([]int, n)
	if g.m == 0 {
		// No edges: every node is its own community, modularity 0.
		for i := range commOf {
			commOf[i] = i
		}
		return commOf, 0
	}
	red := community.Modularize(view{g: g}, 1, rand.NewPCG(louvainSeed, louvainSeed))
	comms := red.Communities()
	mins := make([]int, len(comms))
	order := make([]int, len(comms))
	for c, nodes := range comms {
		mn := n
		for _, v := range nodes {
			if int(v.ID()) < mn {
				mn = int(v.ID())
			}
		}
		mins[c] = mn
		order[c] = c
	}
	sort.Slice(order, func(a, b int) bool { return mins[order[a]] < mins[order[b]] })
	for k, c := range order {
		for _, v := range comms[c] {
			commOf[v.ID()] = k
		}
	}
	// Modularity of the partition, computed by gonum on the top level of
	// the reduction (same value as on the original graph, but cheap).
	q := community.Q(red, red.Structure(), 1)
	if q != q { // NaN guard
		q = 0
	}
	return commOf, q
}

// modularity returns gonum's weighted modularity Q (resolution 1) of the
// partition, 0 when the graph has no edge weight.
func modularity(v view, parts [][]graph.Node) float64 {
	q := community.Q(v, parts, 1)
	if q != q { // NaN: no edges
		return 0
	}
	return q
}

// brandesWork holds the per-goroutine scratch arrays of a BFS/Brandes pass.
type brandesWork struct {
	dist  []int32
	sigma []float64
	delta []float64
	order []int32
}

func newBrandesWork(n int) *brandesWork {
	w := &brandesWork{
		dist:  make([]int32, n),
		sigma: make([]float64, n),
		delta: make([]float64, n),
		order: make([]int32, 0, n),
	}
	for i := range w.dist {
		w.dist[i] = -1
	}
	return w
}

// brandes runs one BFS from s, adds the dependencies of s to cb, and calls
// visit for each node reached other than s with its distance. It returns
// the number of nodes reached (s included) and the sum of their distances.
func (g *Graph) brandes(s int, wk *brandesWork, cb []float64, visit func(v int, d int32)) (int, int64) {
	dist, sigma, delta := wk.dist, wk.sigma, wk.delta
	order := wk.order[:0]
	order = append(order, int32(s))
	dist[s], sigma[s] = 0, 1
	var sum int64
	for head := 0; head < len(order); head++ {
		v := order[head]
		dv := dist[v]
		for _, u := range g.adj[g.off[v]:g.off[v+1]] {
			if dist[u] < 0 {
				dist[u] = dv + 1
				sum += int64(dv + 1)
				order = append(order, u)
			}
			if dist[u] == dv+1 {
				sigma[u] += sigma[v]
			}
		}
	}
	for i := len(order) - 1; i > 0; i-- {
		w := order[i]
		dw := dist[w]
		coef := (1 + delta[w]) / sigma[w]
		for _, v := range g.adj[g.off[w]:g.off[w+1]] {
			if dist[v] == dw-1 {
				delta[v] += sigma[v] * coef
			}
		}
		cb[w] += delta[w]
		if visit != nil {
			visit(int(w), dw)
		}
	}
	for _, v := range order {
		dist[v], sigma[v], delta[v] = -1, 0, 0
	}
	wk.order = order
	return len(order), sum
}

// centralities computes normalized betweenness and Wasserman–Faust
// closeness, exactly or (n > SampleAbove) from sampled sources.
func (g *Graph) centralities(compOf, compSize []int) (bet, clo []float64, sampled bool) {
	n := g.n()
	bet = make([]float64, n)
	clo = make([]float64, n)
	if n == 0 {
		return bet, clo, false
	}
	sources := make([]int, n)
	for i := range sources {
		sources[i] = i
	}
	sampled = n > SampleAbove
	if sampled {
		rng := rand.New(rand.NewPCG(sampleSeed, sampleSeed))
		sources = rng.Perm(n)[:SampleSize]
		sort.Ints(sources)
	}

	nc := min(chunks, len(sources))
	cbs := make([][]float64, nc)
	var distSums [][]int64
	var distCnts [][]int32
	if sampled {
		distSums = make([][]int64, nc)
		distCnts = make([][]int32, nc)
	}
	exact := make([]bool, n) // closeness already exact
	closenessOf := func(r int, sum int64) float64 {
		if r <= 1 || sum == 0 || n < 2 {
			return 0
		}
		rr := float64(r - 1)
		return (rr / float64(n-1)) * (rr / float64(sum))
	}

	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), nc)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newBrandesWork(n)
			for {
				c := int(next.Add(1) - 1)
				if c >= nc {
					return
				}
				cb := make([]float64, n)
				cbs[c] = cb
				var visit func(int, int32)
				if sampled {
					ds := make([]int64, n)
					cn := make([]int32, n)
					distSums[c], distCnts[c] = ds, cn
					visit = func(v int, d int32) { ds[v] += int64(d); cn[v]++ }
				}
				lo, hi := c*len(sources)/nc, (c+1)*len(sources)/nc
				for _, s := range sources[lo:hi] {
					r, sum := g.brandes(s, wk, cb, visit)
					clo[s] = closenessOf(r, sum) // each s is in one chunk only
					exact[s] = true
				}
			}
		}()
	}
	wg.Wait()

	// Accumulate in chunk order (deterministic).
	for _, cb := range cbs {
		for i, v := range cb {
			bet[i] += v
		}
	}
	// Each unordered pair was counted from both ends: divide by 2, then
	// normalize by the (n-1)(n-2)/2 pairs not involving the node.
	scale := 0.0
	if n > 2 {
		scale = 1 / (float64(n-1) * float64(n-2))
		if sampled {
			scale *= float64(n) / float64(len(sources))
		}
	}
	for i := range bet {
		bet[i] *= scale
	}

	if sampled {
		sums := make([]int64, n)
		cnts := make([]int64, n)
		for c := range distSums {
			for i := range sums {
				sums[i] += distSums[c][i]
				cnts[i] += int64(distCnts[c][i])
			}
		}
		wk := newBrandesWork(n)
		scratch := make([]float64, n)
		for v := 0; v < n; v++ {
			if exact[v] {
				continue
			}
			r := compSize[compOf[v]]
			switch {
			case r <= 1:
				clo[v] = 0
			case cnts[v] > 0:
				mean := float64(sums[v]) / float64(cnts[v])
				rr := float64(r - 1)
				clo[v] = (rr / float64(n-1)) / mean
			default:
				// No source in this component: exact BFS (components
				// missed by the sample are small with high probability).
				rv, sum := g.brandes(v, wk, scratch, nil)
				clo[v] = closenessOf(rv, sum)
			}
		}
	}
	return bet, clo, sampled
}

// bridges returns the edges whose removal disconnects their component
// (Tarjan's low-link algorithm, iterative; gonum has no bridge finder).
func (g *Graph) bridges() [][2]int {
	n := g.n()
	disc := make([]int32, n) // 0 = unvisited
	low := make([]int32, n)
	parent := make([]int32, n)
	pos := make([]int, n)
	var stack []int32
	var t int32
	out := [][2]int{}
	for r := 0; r < n; r++ {
		if disc[r] != 0 {
			continue
		}
		t++
		disc[r], low[r], parent[r], pos[r] = t, t, -1, g.off[r]
		stack = append(stack[:0], int32(r))
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			if pos[v] < g.off[v+1] {
				u := g.adj[pos[v]]
				pos[v]++
				if disc[u] == 0 {
					t++
					disc[u], low[u], parent[u], pos[u] = t, t, v, g.off[u]
					stack = append(stack, u)
				} else if u != parent[v] {
					low[v] = min(low[v], disc[u])
				}
				continue
			}
			stack = stack[:len(stack)-1]
			if p := parent[v]; p >= 0 {
				low[p] = min(low[p], low[v])
				if low[v] > disc[p] {
					a, b := g.ids[p], g.ids[v]
					if a > b {
						a, b = b, a
					}
					out = append(out, [2]int{a, b})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}
