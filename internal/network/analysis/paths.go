package analysis

import (
	"sort"

	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// Reasons returned by IntroductionPath.
const (
	ReasonFromUnknown  = "from is not in the network"
	ReasonToUnknown    = "to is not in the network"
	ReasonSamePerson   = "same person"
	ReasonNoChain      = "no chain of relationships connects them"
	ReasonAlreadyKnown = "they already know each other"
)

// Path is the warmest chain of introductions: Dijkstra with edge cost
// 1/strength. People starts with from and ends with to.
type Path struct {
	People []int
	Cost   float64
}

// IntroductionPath returns the warmest chain of introductions from one
// person to another (gonum Dijkstra, edge cost 1/strength, so strong ties
// are cheap), and a reason:
//
//   - from (or to) unknown: nil, ReasonFromUnknown (or ReasonToUnknown);
//   - from == to: nil, ReasonSamePerson;
//   - not connected: nil, ReasonNoChain;
//   - directly related: the warmest path (usually the 2-person path
//     [from, to]; a chain of strong ties can be warmer than a weak direct
//     tie and is then returned instead) and ReasonAlreadyKnown;
//   - otherwise: the path and "".
//
// So a non-nil Path always comes with either "" or ReasonAlreadyKnown.
func (g *Graph) IntroductionPath(from, to int) (*Path, string) {
	fi, ok := g.index[from]
	if !ok {
		return nil, ReasonFromUnknown
	}
	ti, ok := g.index[to]
	if !ok {
		return nil, ReasonToUnknown
	}
	if from == to {
		return nil, ReasonSamePerson
	}
	nodes, cost := path.DijkstraFromTo(simple.Node(fi), simple.Node(ti), view{g: g, cost: true})
	if len(nodes) == 0 {
		return nil, ReasonNoChain
	}
	p := &Path{People: make([]int, len(nodes)), Cost: cost}
	for i, v := range nodes {
		p.People[i] = g.ids[v.ID()]
	}
	reason := ""
	if _, direct := g.strength(fi, ti); direct {
		reason = ReasonAlreadyKnown
	}
	return p, reason
}

// Neighbourhood returns the node IDs within depth hops of person (person
// included), sorted. It returns nil when person is not in the network; a
// negative depth is treated as 0.
func (g *Graph) Neighbourhood(person, depth int) []int {
	s, ok := g.index[person]
	if !ok {
		return nil
	}
	dist := map[int32]int{int32(s): 0}
	frontier := []int32{int32(s)}
	for d := 1; d <= depth && len(frontier) > 0; d++ {
		var next []int32
		for _, v := range frontier {
			for _, u := range g.neighbours(int(v)) {
				if _, seen := dist[u]; !seen {
					dist[u] = d
					next = append(next, u)
				}
			}
		}
		frontier = next
	}
	out := make([]int, 0, len(dist))
	for v := range dist {
		out = append(out, g.ids[v])
	}
	sort.Ints(out)
	return out
}
