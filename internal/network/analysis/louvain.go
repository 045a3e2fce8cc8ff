package analysis

import "sort"

// Louvain (Blondel et al. 2008) on the graph's compressed adjacency, in
// arrays: gonum's community.Modularize finds the same kind of partition but
// scans every member of each neighbouring community through maps, which
// takes tens of seconds on an organization of 20,000 people and 400,000
// relationships; this takes well under a second. It is deterministic: nodes
// are visited in index order and ties go to the lowest community.

// level is one level of the Louvain hierarchy: a weighted graph whose nodes
// are the communities of the level below. self[i] is twice the weight inside
// node i (both directions), as the adjacency of the level below counted it.
type level struct {
	off  []int
	adj  []int32
	w    []float64
	self []float64
}

// fastLouvain returns the community of every node of g (numbered by the
// order of their smallest node) and the weighted modularity of the
// partition.
func fastLouvain(g *Graph) ([]int, float64) {
	n := g.n()
	lv := level{off: g.off, adj: g.adj, w: g.w, self: make([]float64, n)}
	member := make([]int32, n) // original node -> node of the current level
	for i := range member {
		member[i] = int32(i)
	}
	for {
		comm, moved := localMoves(lv)
		if !moved {
			break
		}
		// Renumber the communities 0..k-1 and move the members up.
		ids := map[int32]int32{}
		for _, c := range comm {
			if _, ok := ids[c]; !ok {
				ids[c] = int32(len(ids))
			}
		}
		for i := range comm {
			comm[i] = ids[comm[i]]
		}
		for i, m := range member {
			member[i] = comm[m]
		}
		lv = aggregate(lv, comm, len(ids))
	}
	// Number the communities by their smallest node.
	first := map[int32]int{}
	out := make([]int, n)
	for i := range n { // index order = ascending person ID
		c := member[i]
		k, ok := first[c]
		if !ok {
			k = len(first)
			first[c] = k
		}
		out[i] = k
	}
	return out, modularityOf(g, out)
}

// localMoves moves each node to the neighbouring community with the largest
// modularity gain until no node moves; it reports whether any did.
func localMoves(lv level) ([]int32, bool) {
	n := len(lv.self)
	comm := make([]int32, n)
	k := make([]float64, n)   // node strength (self loops included)
	tot := make([]float64, n) // total strength of each community
	var twoM float64
	for i := range n {
		comm[i] = int32(i)
		k[i] = lv.self[i]
		for e := lv.off[i]; e < lv.off[i+1]; e++ {
			k[i] += lv.w[e]
		}
		tot[i] = k[i]
		twoM += k[i]
	}
	if twoM == 0 {
		return comm, false
	}
	weightTo := make([]float64, n)
	var touched []int32
	movedAny := false
	for pass := 0; pass < 100; pass++ {
		moved := false
		for i := range n {
			ci := comm[i]
			touched = touched[:0]
			for e := lv.off[i]; e < lv.off[i+1]; e++ {
				j := lv.adj[e]
				if int(j) == i {
					continue
				}
				c := comm[j]
				if weightTo[c] == 0 {
					touched = append(touched, c)
				}
				weightTo[c] += lv.w[e]
			}
			tot[ci] -= k[i]
			// Gain of joining c (up to a constant): w(i,c) − tot(c)·k(i)/2m.
			best, bestGain := ci, weightTo[ci]-tot[ci]*k[i]/twoM
			sort.Slice(touched, func(a, b int) bool { return touched[a] < touched[b] })
			for _, c := range touched {
				gain := weightTo[c] - tot[c]*k[i]/twoM
				if gain > bestGain+1e-12 || gain > bestGain-1e-12 && c < best && gain >= bestGain {
					best, bestGain = c, gain
				}
			}
			tot[best] += k[i]
			if best != ci {
				comm[i] = best
				moved, movedAny = true, true
			}
			for _, c := range touched {
				weightTo[c] = 0
			}
		}
		if !moved {
			break
		}
	}
	return comm, movedAny
}

// aggregate builds the next level: one node per community.
func aggregate(lv level, comm []int32, k int) level {
	next := level{self: make([]float64, k)}
	rows := make([]map[int32]float64, k)
	for i := range comm {
		c := comm[i]
		next.self[c] += lv.self[i]
		for e := lv.off[i]; e < lv.off[i+1]; e++ {
			d := comm[lv.adj[e]]
			if d == c {
				next.self[c] += lv.w[e]
				continue
			}
			if rows[c] == nil {
				rows[c] = map[int32]float64{}
			}
			rows[c][d] += lv.w[e]
		}
	}
	next.off = make([]int, k+1)
	for c := range k {
		next.off[c+1] = next.off[c] + len(rows[c])
	}
	next.adj = make([]int32, next.off[k])
	next.w = make([]float64, next.off[k])
	for c := range k {
		ds := make([]int32, 0, len(rows[c]))
		for d := range rows[c] {
			ds = append(ds, d)
		}
		sort.Slice(ds, func(a, b int) bool { return ds[a] < ds[b] })
		for x, d := range ds {
			next.adj[next.off[c]+x] = d
			next.w[next.off[c]+x] = rows[c][d]
		}
	}
	return next
}

// modularityOf is the weighted modularity (resolution 1) of a partition of
// g, in one pass over its edges.
func modularityOf(g *Graph, comm []int) float64 {
	nc := 0
	for _, c := range comm {
		nc = max(nc, c+1)
	}
	k := make([]float64, nc)
	in := make([]float64, nc)
	var twoM float64
	for i := range g.n() {
		for e := g.off[i]; e < g.off[i+1]; e++ {
			w := g.w[e]
			twoM += w
			k[comm[i]] += w
			if comm[int(g.adj[e])] == comm[i] {
				in[comm[i]] += w
			}
		}
	}
	if twoM == 0 {
		return 0
	}
	q := 0.0
	for c := range nc {
		q += in[c]/twoM - (k[c]/twoM)*(k[c]/twoM)
	}
	return q
}
