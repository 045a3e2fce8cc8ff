package analysis

import (
	"container/heap"
	"math"
	"sort"
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
	nodes, cost := g.dijkstra(fi, ti)
	if len(nodes) == 0 {
		return nil, ReasonNoChain
	}
	p := &Path{People: make([]int, len(nodes)), Cost: cost}
	for i, v := range nodes {
		p.People[i] = g.ids[v]
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

// dijkstra is gonum's path.DijkstraFromTo on the view with costs 1/strength,
// run on the compressed adjacency: the same priority queue (container/heap,
// no decrease-key, stale entries skipped), the same order of neighbours
// (ascending index) and the same sums, hence the same path and cost, without
// gonum's maps and per-edge interface calls and binary searches (the test
// compares both). It returns the indices from from to to, or nil.
func (g *Graph) dijkstra(from, to int) ([]int, float64) {
	dist := make([]float64, g.n())
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	prev := make([]int32, g.n())
	dist[from] = 0
	q := distQueue{{node: int32(from), dist: 0}}
	for q.Len() != 0 {
		mid := heap.Pop(&q).(distItem)
		k := int(mid.node)
		if mid.dist > dist[k] {
			continue
		}
		if k == to {
			break
		}
		for x := g.off[k]; x < g.off[k+1]; x++ {
			j := g.adj[x]
			if joint := dist[k] + 1/g.w[x]; joint < dist[j] {
				heap.Push(&q, distItem{node: j, dist: joint})
				dist[j], prev[j] = joint, int32(k)
			}
		}
	}
	if math.IsInf(dist[to], 1) {
		return nil, math.Inf(1)
	}
	path := []int{to}
	for v := to; v != from; {
		v = int(prev[v])
		path = append(path, v)
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, dist[to]
}

// distItem and distQueue are gonum's distanceNode and priorityQueue.
type distItem struct {
	node int32
	dist float64
}

type distQueue []distItem

func (q distQueue) Len() int           { return len(q) }
func (q distQueue) Less(i, j int) bool { return q[i].dist < q[j].dist }
func (q distQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *distQueue) Push(n any)        { *q = append(*q, n.(distItem)) }
func (q *distQueue) Pop() any {
	t := *q
	n := t[len(t)-1]
	*q = t[:len(t)-1]
	return n
}
