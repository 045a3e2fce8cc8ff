// Package analysis computes social-network measures over the graph of who
// met whom: centralities, communities, bridges, brokers, introduction paths,
// meeting suggestions and tie shares between groups.
//
// The package is pure: callers load people (Node) and relationships (Edge)
// and build a Graph once with New; every method then reads that Graph. A
// Graph is safe for concurrent use by several goroutines.
//
// Graph algorithms come from gonum (gonum.org/v1/gonum/graph): Louvain
// community detection and modularity (graph/community), Dijkstra (graph/path),
// connected components (graph/topo), with graph/network's Betweenness used as
// the reference in tests. Gonum is given a read-only view of the Graph whose
// node and neighbour iteration is sorted by ID, which makes gonum's results
// independent of map iteration order and of the order of the input slices.
//
// Internally people are numbered 0..n-1 in increasing person ID order, and
// the gonum node ID of a person is that index.
package analysis

import (
	"math"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/simple"
)

// Node is a person of the network.
type Node struct {
	ID          int      // person ID
	Communities []int    // community IDs the person belongs to (may be empty)
	Tags        []string // optional, for suggestions
	Attended    bool     // attended (checked in) in the scope; isolated = attended and no edge
}

// Edge is a relationship between two people.
type Edge struct {
	A, B     int     // person IDs, A < B
	Strength float64 // current strength, > 0
}

// Graph is an immutable, indexed network built once by New and reused by
// all functions of the package.
type Graph struct {
	ids   []int       // index -> person ID, ascending
	index map[int]int // person ID -> index
	comms [][]int     // index -> sorted, deduplicated community IDs
	tags  [][]string  // index -> sorted, deduplicated, lower-cased tags
	att   []bool      // index -> attended

	// Compressed adjacency: neighbours of i are adj[off[i]:off[i+1]],
	// ascending, with strengths w[off[i]:off[i+1]].
	off []int
	adj []int32
	w   []float64
	m   int // number of (undirected) edges

	once    sync.Once
	metrics []NodeMetrics
	stats   Stats
}

// New builds a Graph. Nodes with the same ID are merged (communities and
// tags united, Attended or-ed). Edges whose ends are not both nodes, self
// loops, and edges whose strength is not a positive finite number are
// ignored; A and B may be given in either order. For duplicate pairs the
// maximum strength is kept.
func New(nodes []Node, edges []Edge) *Graph {
	byID := make(map[int]*Node, len(nodes))
	for i := range nodes {
		n := nodes[i]
		if p, ok := byID[n.ID]; ok {
			p.Communities = append(append([]int(nil), p.Communities...), n.Communities...)
			p.Tags = append(append([]string(nil), p.Tags...), n.Tags...)
			p.Attended = p.Attended || n.Attended
			continue
		}
		cp := n
		byID[n.ID] = &cp
	}
	g := &Graph{index: make(map[int]int, len(byID))}
	g.ids = make([]int, 0, len(byID))
	for id := range byID {
		g.ids = append(g.ids, id)
	}
	sort.Ints(g.ids)
	n := len(g.ids)
	g.comms = make([][]int, n)
	g.tags = make([][]string, n)
	g.att = make([]bool, n)
	for i, id := range g.ids {
		g.index[id] = i
		p := byID[id]
		g.comms[i] = uniqInts(p.Communities)
		g.tags[i] = normTags(p.Tags)
		g.att[i] = p.Attended
	}

	type pair struct{ a, b int32 }
	best := make(map[pair]float64, len(edges))
	for _, e := range edges {
		a, okA := g.index[e.A]
		b, okB := g.index[e.B]
		if !okA || !okB || a == b || !(e.Strength > 0) || math.IsInf(e.Strength, 1) {
			continue
		}
		if a > b {
			a, b = b, a
		}
		k := pair{int32(a), int32(b)}
		if s, ok := best[k]; !ok || e.Strength > s {
			best[k] = e.Strength
		}
	}
	g.m = len(best)
	deg := make([]int, n+1)
	for k := range best {
		deg[k.a]++
		deg[k.b]++
	}
	g.off = make([]int, n+1)
	for i := 0; i < n; i++ {
		g.off[i+1] = g.off[i] + deg[i]
	}
	g.adj = make([]int32, 2*g.m)
	g.w = make([]float64, 2*g.m)
	fill := append([]int(nil), g.off[:n]...)
	for k, s := range best {
		g.adj[fill[k.a]], g.w[fill[k.a]] = k.b, s
		fill[k.a]++
		g.adj[fill[k.b]], g.w[fill[k.b]] = k.a, s
		fill[k.b]++
	}
	for i := 0; i < n; i++ {
		lo, hi := g.off[i], g.off[i+1]
		sort.Sort(adjSorter{g.adj[lo:hi], g.w[lo:hi]})
	}
	return g
}

type adjSorter struct {
	a []int32
	w []float64
}

func (s adjSorter) Len() int           { return len(s.a) }
func (s adjSorter) Less(i, j int) bool { return s.a[i] < s.a[j] }
func (s adjSorter) Swap(i, j int) {
	s.a[i], s.a[j] = s.a[j], s.a[i]
	s.w[i], s.w[j] = s.w[j], s.w[i]
}

func uniqInts(in []int) []int {
	if len(in) == 0 {
		return nil
	}
	out := append([]int(nil), in...)
	sort.Ints(out)
	j := 0
	for i, v := range out {
		if i == 0 || v != out[j-1] {
			out[j] = v
			j++
		}
	}
	return out[:j]
}

func normTags(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// n returns the number of nodes.
func (g *Graph) n() int { return len(g.ids) }

func (g *Graph) neighbours(i int) []int32 { return g.adj[g.off[i]:g.off[i+1]] }

func (g *Graph) degree(i int) int { return g.off[i+1] - g.off[i] }

// strength returns the strength of the edge between indices i and j.
func (g *Graph) strength(i, j int) (float64, bool) {
	nb := g.neighbours(i)
	k := sort.Search(len(nb), func(x int) bool { return int(nb[x]) >= j })
	if k < len(nb) && int(nb[k]) == j {
		return g.w[g.off[i]+k], true
	}
	return 0, false
}

func shareAny(a, b []int) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// view is a read-only gonum graph.WeightedUndirected over a Graph. Node IDs
// are internal indices. When cost is true, edge weights are 1/strength
// (for Dijkstra); otherwise they are strengths (for Louvain and modularity).
// Iteration is in ascending ID order, so gonum algorithms are deterministic.
type view struct {
	g    *Graph
	cost bool
	// keep, when non-nil, restricts the view to the induced subgraph of the
	// indices for which keep is true.
	keep []bool
}

var _ graph.WeightedUndirected = view{}

func (v view) has(id int64) bool {
	return id >= 0 && id < int64(v.g.n()) && (v.keep == nil || v.keep[id])
}

func (v view) Node(id int64) graph.Node {
	if !v.has(id) {
		return nil
	}
	return simple.Node(id)
}

func (v view) Nodes() graph.Nodes {
	var ids []int32
	for i := 0; i < v.g.n(); i++ {
		if v.keep == nil || v.keep[i] {
			ids = append(ids, int32(i))
		}
	}
	if len(ids) == 0 {
		return graph.Empty
	}
	return &idIter{ids: ids}
}

func (v view) From(id int64) graph.Nodes {
	if !v.has(id) {
		return graph.Empty
	}
	nb := v.g.neighbours(int(id))
	if v.keep != nil {
		var kept []int32
		for _, j := range nb {
			if v.keep[j] {
				kept = append(kept, j)
			}
		}
		nb = kept
	}
	if len(nb) == 0 {
		return graph.Empty
	}
	return &idIter{ids: nb}
}

func (v view) HasEdgeBetween(xid, yid int64) bool {
	_, ok := v.Weight(xid, yid)
	return ok && xid != yid
}

func (v view) Edge(uid, vid int64) graph.Edge { return v.WeightedEdge(uid, vid) }

func (v view) EdgeBetween(xid, yid int64) graph.Edge { return v.WeightedEdge(xid, yid) }

func (v view) WeightedEdgeBetween(xid, yid int64) graph.WeightedEdge {
	return v.WeightedEdge(xid, yid)
}

func (v view) WeightedEdge(uid, vid int64) graph.WeightedEdge {
	if uid == vid {
		return nil
	}
	w, ok := v.Weight(uid, vid)
	if !ok {
		return nil
	}
	return simple.WeightedEdge{F: simple.Node(uid), T: simple.Node(vid), W: w}
}

// Weight returns the weight of the edge between xid and yid; a node has a
// zero-weight self edge (no self loops exist).
func (v view) Weight(xid, yid int64) (float64, bool) {
	if !v.has(xid) || !v.has(yid) {
		return 0, false
	}
	if xid == yid {
		return 0, true
	}
	s, ok := v.g.strength(int(xid), int(yid))
	if !ok {
		return 0, false
	}
	if v.cost {
		return 1 / s, true
	}
	return s, true
}

// idIter iterates over a slice of node indices.
type idIter struct {
	ids []int32
	pos int
}

func (it *idIter) Next() bool {
	if it.pos < len(it.ids) {
		it.pos++
		return true
	}
	return false
}

func (it *idIter) Len() int { return len(it.ids) - it.pos }

func (it *idIter) Reset() { it.pos = 0 }

func (it *idIter) Node() graph.Node {
	if it.pos == 0 || it.pos > len(it.ids) {
		return nil
	}
	return simple.Node(it.ids[it.pos-1])
}
