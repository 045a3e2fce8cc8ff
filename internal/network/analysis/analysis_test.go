package analysis

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

const eps = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= eps*math.Max(1, math.Abs(b)) }

func nodes(ids ...int) []Node {
	out := make([]Node, len(ids))
	for i, id := range ids {
		out[i] = Node{ID: id, Attended: true}
	}
	return out
}

func unit(pairs ...[2]int) []Edge {
	out := make([]Edge, len(pairs))
	for i, p := range pairs {
		out[i] = Edge{A: p[0], B: p[1], Strength: 1}
	}
	return out
}

func checkFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

// Path a–b–c–d = 1–2–3–4.
//
// Betweenness: normalization (n-1)(n-2)/2 = 3. Node 2 lies on the shortest
// paths 1–3 and 1–4 (of the 3 pairs {1,3},{1,4},{3,4}) → 2/3; node 3 likewise;
// endpoints 0.
// Closeness (r = n = 4): node 1: distances 1+2+3 = 6 → (3/3)·(3/6) = 0.5;
// node 2: 1+1+2 = 4 → 3/4.
// Density 2·3/(4·3) = 0.5; every edge is a bridge; 1 component.
func TestPathOfFour(t *testing.T) {
	g := New(nodes(1, 2, 3, 4), unit([2]int{1, 2}, [2]int{2, 3}, [2]int{3, 4}))
	m, st := g.Metrics()
	for id, want := range map[int]float64{1: 0, 2: 2.0 / 3, 3: 2.0 / 3, 4: 0} {
		checkFloat(t, "betweenness", m[id].Betweenness, want)
	}
	for id, want := range map[int]float64{1: 0.5, 2: 0.75, 3: 0.75, 4: 0.5} {
		checkFloat(t, "closeness", m[id].Closeness, want)
	}
	if m[2].Degree != 2 || m[1].Degree != 1 || m[2].WeightedDegree != 2 {
		t.Errorf("degrees: %+v %+v", m[1], m[2])
	}
	checkFloat(t, "density", st.Density, 0.5)
	if st.Components != 1 || st.NodeCount != 4 || st.EdgeCount != 3 {
		t.Errorf("stats = %+v", st)
	}
	want := [][2]int{{1, 2}, {2, 3}, {3, 4}}
	if !reflect.DeepEqual(st.Bridges, want) {
		t.Errorf("bridges = %v, want %v", st.Bridges, want)
	}
	if len(st.Isolated) != 0 || st.BetweennessSampled {
		t.Errorf("stats = %+v", st)
	}
}

// Star with center 1 and leaves 2..5: the center lies on all C(4,2) = 6
// leaf pairs, normalization (4·3)/2 = 6 → 1; leaves 0. Center closeness
// (4/4)·(4/4) = 1; a leaf: 1 + 3·2 = 7 → 4/7. All 4 edges are bridges.
func TestStar(t *testing.T) {
	g := New(nodes(1, 2, 3, 4, 5), unit([2]int{1, 2}, [2]int{1, 3}, [2]int{1, 4}, [2]int{1, 5}))
	m, st := g.Metrics()
	checkFloat(t, "center betweenness", m[1].Betweenness, 1)
	checkFloat(t, "center closeness", m[1].Closeness, 1)
	for id := 2; id <= 5; id++ {
		checkFloat(t, "leaf betweenness", m[id].Betweenness, 0)
		checkFloat(t, "leaf closeness", m[id].Closeness, 4.0/7)
	}
	want := [][2]int{{1, 2}, {1, 3}, {1, 4}, {1, 5}}
	if !reflect.DeepEqual(st.Bridges, want) {
		t.Errorf("bridges = %v, want %v", st.Bridges, want)
	}
	checkFloat(t, "density", st.Density, 0.4)
}

func twoCliques() ([]Node, []Edge) {
	var ns []Node
	for id := 1; id <= 8; id++ {
		c := 10
		if id > 4 {
			c = 20
		}
		ns = append(ns, Node{ID: id, Communities: []int{c}, Attended: true})
	}
	var es []Edge
	for _, base := range []int{0, 4} {
		for a := 1; a <= 4; a++ {
			for b := a + 1; b <= 4; b++ {
				es = append(es, Edge{A: base + a, B: base + b, Strength: 1})
			}
		}
	}
	es = append(es, Edge{A: 4, B: 5, Strength: 1})
	return ns, es
}

// Two K4 (1..4 and 5..8, 6 edges each) joined by the bridge 4–5, unit
// weights: m = 13, each clique has L_c = 6 and d_c = 13, so
// Q = 2·(6/13 − (13/26)²) = 12/13 − 1/2 ≈ 0.4231.
// Betweenness of 4: it lies on the 3·4 = 12 pairs {1,2,3}×{5..8} of the
// 7·6/2 = 21 pairs not involving it → 4/7; same for 5.
func TestTwoCliques(t *testing.T) {
	ns, es := twoCliques()
	g := New(ns, es)
	m, st := g.Metrics()
	checkFloat(t, "modularity", st.Modularity, 12.0/13-0.5)
	for id := 1; id <= 8; id++ {
		want := 0
		if id > 4 {
			want = 1
		}
		if m[id].Community != want {
			t.Errorf("community of %d = %d, want %d", id, m[id].Community, want)
		}
	}
	if !reflect.DeepEqual(st.Bridges, [][2]int{{4, 5}}) {
		t.Errorf("bridges = %v", st.Bridges)
	}
	checkFloat(t, "betweenness 4", m[4].Betweenness, 4.0/7)
	checkFloat(t, "betweenness 5", m[5].Betweenness, 4.0/7)
	checkFloat(t, "betweenness 1", m[1].Betweenness, 0)

	// Declared communities differ across the bridge: both ends are brokers.
	want := []Broker{{ID: 4, CommunitiesReached: 1}, {ID: 5, CommunitiesReached: 1}}
	if got := g.Brokers(); !reflect.DeepEqual(got, want) {
		t.Errorf("brokers = %v, want %v", got, want)
	}

	// The modularity reported equals gonum's Q on the original graph.
	var parts [2][]graph.Node
	for id := 1; id <= 8; id++ {
		parts[m[id].Community] = append(parts[m[id].Community], simple.Node(g.index[id]))
	}
	checkFloat(t, "gonum Q", modularity(view{g: g}, parts[:]), st.Modularity)
}

func TestBrokersSharedCommunity(t *testing.T) {
	// 1 and 2 share community 1; 2 is also in 2; 3 is in 3 only.
	ns := []Node{
		{ID: 1, Communities: []int{1}},
		{ID: 2, Communities: []int{1, 2}},
		{ID: 3, Communities: []int{3}},
		{ID: 4},
	}
	g := New(ns, unit([2]int{1, 2}, [2]int{2, 3}, [2]int{1, 4}))
	// 1: neighbour 2 shares community 1, neighbour 4 shares none but has no
	// community → reaches community 2 via 2 → broker with 1.
	// 2: neighbour 3 shares none → reaches 3 → 1.
	// 3: neighbour 2 shares none → reaches 1 and 2 → 2.
	// 4: neighbour 1 shares none (4 has none) → reaches 1 → 1.
	want := []Broker{{3, 2}, {1, 1}, {2, 1}, {4, 1}}
	if got := g.Brokers(); !reflect.DeepEqual(got, want) {
		t.Errorf("brokers = %v, want %v", got, want)
	}
}

// Two disconnected pairs 1–2 and 3–4 plus the attended isolated node 5:
// 3 components, Isolated = [5], no chain between the pairs.
func TestDisconnected(t *testing.T) {
	ns := []Node{{ID: 1}, {ID: 2}, {ID: 3}, {ID: 4}, {ID: 5, Attended: true}}
	g := New(ns, unit([2]int{1, 2}, [2]int{3, 4}))
	m, st := g.Metrics()
	if st.Components != 3 {
		t.Errorf("components = %d, want 3", st.Components)
	}
	if !reflect.DeepEqual(st.Isolated, []int{5}) {
		t.Errorf("isolated = %v", st.Isolated)
	}
	// Closeness with r = 2, n = 5: (1/4)·(1/1) = 0.25; isolated 0.
	checkFloat(t, "closeness 1", m[1].Closeness, 0.25)
	checkFloat(t, "closeness 5", m[5].Closeness, 0)
	p, reason := g.IntroductionPath(1, 3)
	if p != nil || reason != ReasonNoChain {
		t.Errorf("path = %v, %q", p, reason)
	}
	if p, reason := g.IntroductionPath(9, 1); p != nil || reason != ReasonFromUnknown {
		t.Errorf("unknown from: %v, %q", p, reason)
	}
	if p, reason := g.IntroductionPath(1, 9); p != nil || reason != ReasonToUnknown {
		t.Errorf("unknown to: %v, %q", p, reason)
	}
	if p, reason := g.IntroductionPath(1, 1); p != nil || reason != ReasonSamePerson {
		t.Errorf("same: %v, %q", p, reason)
	}
	if p, reason := g.IntroductionPath(5, 1); p != nil || reason != ReasonNoChain {
		t.Errorf("isolated: %v, %q", p, reason)
	}
	// An unattended node without edges is not "isolated" but is a component.
	g2 := New(append(ns, Node{ID: 6}), unit([2]int{1, 2}, [2]int{3, 4}))
	if _, st := g2.Metrics(); st.Components != 4 || !reflect.DeepEqual(st.Isolated, []int{5}) {
		t.Errorf("stats = %+v", st)
	}
}

// Triangle 1–2–3 where the direct tie 1–3 is weak (0.1 → cost 10) and the
// two hops are strong (2 and 2 → cost 0.5 + 0.5 = 1): the warmest chain goes
// through 2 with cost 1, and they already know each other.
func TestIntroductionPathDijkstra(t *testing.T) {
	g := New(nodes(1, 2, 3, 4), []Edge{{1, 2, 2}, {2, 3, 2}, {1, 3, 0.1}, {3, 4, 4}})
	p, reason := g.IntroductionPath(1, 3)
	if p == nil || !reflect.DeepEqual(p.People, []int{1, 2, 3}) || !near(p.Cost, 1) {
		t.Fatalf("path = %+v", p)
	}
	if reason != ReasonAlreadyKnown {
		t.Errorf("reason = %q", reason)
	}
	// 1 → 4: 1–2–3–4 costs 0.5+0.5+0.25 = 1.25.
	p, reason = g.IntroductionPath(1, 4)
	if p == nil || !reflect.DeepEqual(p.People, []int{1, 2, 3, 4}) || !near(p.Cost, 1.25) || reason != "" {
		t.Errorf("path = %+v, %q", p, reason)
	}
	// Direct tie that is the warmest: the 2-person path.
	p, reason = g.IntroductionPath(3, 4)
	if p == nil || !reflect.DeepEqual(p.People, []int{3, 4}) || !near(p.Cost, 0.25) || reason != ReasonAlreadyKnown {
		t.Errorf("path = %+v, %q", p, reason)
	}
}

// Person 1 knows 2 (strength 3) and 3 (1). 2–4 (2), 3–4 (5), 2–5 (1),
// 3–6 (0.5). Tags: 1 {go, data}, 6 {Go}, 7 {data, go} (7 is a stranger).
// Communities: 1 in {1}, 5 in {2}, 8 in {1} (stranger, no tag).
// Scores with target communities [2]:
//
//	4: min(3,2) + min(1,5) = 3                     ("2 mutual contacts")
//	5: min(3,1) = 1, +0.5 other community, +1 target = 2.5
//	7: 2 shared tags = 2
//	6: min(1,0.5) = 0.5, +1 shared tag = 1.5
//
// 2 and 3 are already related; 8 has no signal.
func TestSuggest(t *testing.T) {
	ns := []Node{
		{ID: 1, Tags: []string{"go", "data"}, Communities: []int{1}},
		{ID: 2}, {ID: 3}, {ID: 4},
		{ID: 5, Communities: []int{2}},
		{ID: 6, Tags: []string{"Go"}},
		{ID: 7, Tags: []string{"data", "go"}},
		{ID: 8, Communities: []int{1}},
	}
	es := []Edge{{1, 2, 3}, {1, 3, 1}, {2, 4, 2}, {3, 4, 5}, {2, 5, 1}, {3, 6, 0.5}}
	g := New(ns, es)
	got := g.Suggest(1, 0, []int{2})
	want := []Suggestion{
		{ID: 4, Score: 3, Reasons: []string{"2 mutual contacts"}},
		{ID: 5, Score: 2.5, Reasons: []string{"1 mutual contact", ReasonOtherCommunity, ReasonTargetedCommunity}},
		{ID: 7, Score: 2, Reasons: []string{"shares tags: data, go"}},
		{ID: 6, Score: 1.5, Reasons: []string{"1 mutual contact", "shares tags: go"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("suggest =\n%+v\nwant\n%+v", got, want)
	}
	if got := g.Suggest(1, 2, []int{2}); len(got) != 2 || got[0].ID != 4 || got[1].ID != 5 {
		t.Errorf("first 2 = %+v", got)
	}
	// Without targets, 5 scores 1.5 and ties with 6: ID order.
	got = g.Suggest(1, 0, nil)
	ids := []int{}
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	if !reflect.DeepEqual(ids, []int{4, 7, 5, 6}) {
		t.Errorf("order = %v", ids)
	}
	if g.Suggest(99, 0, nil) != nil {
		t.Error("unknown person should give nil")
	}
}

// Groups A = {1,2,3}, B = {4,5,6,3} (3 counts in A, listed first). Unit
// edges: triangle 1–2–3, 4–5, 5–6, cross 3–4 and 2–5, and 1–7 with 7 in no
// group (left out). CrossTies = 2; A: 2 and 3 cross → 2/3; B: 4 and 5 → 2/3.
// Induced subgraph: m = 7; A: L = 3, d = 8; B: L = 2, d = 6;
// Q = 3/7 − (8/14)² + 2/7 − (6/14)² = 10/49.
func TestTieShare(t *testing.T) {
	g := New(nodes(1, 2, 3, 4, 5, 6, 7), unit(
		[2]int{1, 2}, [2]int{2, 3}, [2]int{1, 3}, [2]int{4, 5}, [2]int{5, 6},
		[2]int{3, 4}, [2]int{2, 5}, [2]int{1, 7}))
	ts := g.TieShare([][]int{{1, 2, 3}, {4, 5, 6, 3, 99}})
	if ts.CrossTies != 2 {
		t.Errorf("cross ties = %d", ts.CrossTies)
	}
	if len(ts.ShareOf) != 2 || !near(ts.ShareOf[0], 2.0/3) || !near(ts.ShareOf[1], 2.0/3) {
		t.Errorf("share = %v", ts.ShareOf)
	}
	checkFloat(t, "modularity", ts.Modularity, 10.0/49)

	// Same value from gonum's Q on the induced subgraph.
	keep := make([]bool, g.n())
	var parts [2][]graph.Node
	for k, grp := range [][]int{{1, 2, 3}, {4, 5, 6}} {
		for _, id := range grp {
			keep[g.index[id]] = true
			parts[k] = append(parts[k], simple.Node(g.index[id]))
		}
	}
	checkFloat(t, "gonum Q", modularity(view{g: g, keep: keep}, parts[:]), ts.Modularity)

	if ts := g.TieShare(nil); ts.CrossTies != 0 || len(ts.ShareOf) != 0 || ts.Modularity != 0 {
		t.Errorf("empty = %+v", ts)
	}
}

func TestNeighbourhood(t *testing.T) {
	g := New(nodes(1, 2, 3, 4, 5), unit([2]int{1, 2}, [2]int{2, 3}, [2]int{3, 4}))
	cases := []struct {
		person, depth int
		want          []int
	}{
		{2, 0, []int{2}},
		{2, 1, []int{1, 2, 3}},
		{1, 2, []int{1, 2, 3}},
		{1, 10, []int{1, 2, 3, 4}},
		{5, 3, []int{5}},
		{2, -1, []int{2}},
	}
	for _, c := range cases {
		if got := g.Neighbourhood(c.person, c.depth); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Neighbourhood(%d,%d) = %v, want %v", c.person, c.depth, got, c.want)
		}
	}
	if g.Neighbourhood(42, 1) != nil {
		t.Error("unknown person should give nil")
	}
}

func TestNewIgnoresAndMerges(t *testing.T) {
	g := New(nodes(1, 2, 3), []Edge{
		{1, 2, 1}, {2, 1, 3}, // duplicate pair, reversed: keep max 3
		{1, 9, 1},                     // unknown end
		{3, 3, 1},                     // self loop
		{2, 3, 0}, {2, 3, math.NaN()}, // not positive
	})
	m, st := g.Metrics()
	if st.EdgeCount != 1 || m[1].WeightedDegree != 3 || m[3].Degree != 0 {
		t.Errorf("stats = %+v, metrics = %+v", st, m)
	}
	if _, st := New(nil, nil).Metrics(); st.NodeCount != 0 || st.Components != 0 {
		t.Errorf("empty = %+v", st)
	}
}

// randomGraph returns a random graph with heavy-tailed degrees: one end of
// each edge is drawn with density ∝ x^(1/skew-1) over the nodes.
func randomGraph(seed uint64, n, m int, skew float64) ([]Node, []Edge) {
	r := rand.New(rand.NewPCG(seed, seed))
	ns := make([]Node, n)
	for i := range ns {
		ns[i] = Node{ID: 1000 + 7*i, Attended: true, Communities: []int{r.IntN(20)}}
	}
	seen := make(map[[2]int]bool, m)
	es := make([]Edge, 0, m)
	for len(es) < m {
		a := int(float64(n) * math.Pow(r.Float64(), skew))
		b := r.IntN(n)
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		k := [2]int{a, b}
		if seen[k] {
			continue
		}
		seen[k] = true
		es = append(es, Edge{A: ns[a].ID, B: ns[b].ID, Strength: 0.1 + r.ExpFloat64()})
	}
	return ns, es
}

// The exact Brandes pass matches gonum's network.Betweenness, which sums
// over ordered pairs: normalized = gonum / ((n-1)(n-2)).
func TestBetweennessMatchesGonum(t *testing.T) {
	ns, es := randomGraph(3, 200, 600, 2)
	g := New(ns, es)
	m, _ := g.Metrics()
	n := float64(g.n())
	ref := network.Betweenness(view{g: g})
	for i, id := range g.ids {
		want := ref[int64(i)] / ((n - 1) * (n - 2))
		if math.Abs(m[id].Betweenness-want) > 1e-12 {
			t.Fatalf("betweenness of %d = %g, gonum %g", id, m[id].Betweenness, want)
		}
	}
}

func TestDeterminismAndInputOrder(t *testing.T) {
	ns, es := randomGraph(5, 400, 2000, 2)
	g1 := New(ns, es)
	m1, s1 := g1.Metrics()
	m1b, s1b := g1.Metrics()
	if !reflect.DeepEqual(m1, m1b) || !reflect.DeepEqual(s1, s1b) {
		t.Fatal("Metrics twice differ")
	}

	r := rand.New(rand.NewPCG(9, 9))
	ns2 := append([]Node(nil), ns...)
	es2 := append([]Edge(nil), es...)
	r.Shuffle(len(ns2), func(i, j int) { ns2[i], ns2[j] = ns2[j], ns2[i] })
	r.Shuffle(len(es2), func(i, j int) { es2[i], es2[j] = es2[j], es2[i] })
	for i := range es2 {
		if i%2 == 0 {
			es2[i].A, es2[i].B = es2[i].B, es2[i].A
		}
	}
	g2 := New(ns2, es2)
	m2, s2 := g2.Metrics()
	if !reflect.DeepEqual(m1, m2) || !reflect.DeepEqual(s1, s2) {
		t.Fatal("input order changes Metrics")
	}
	if s1.Modularity <= 0 {
		t.Errorf("modularity = %g", s1.Modularity)
	}
	if !reflect.DeepEqual(g1.Brokers(), g2.Brokers()) {
		t.Error("input order changes Brokers")
	}
	a, b := ns[0].ID, ns[len(ns)-1].ID
	p1, r1 := g1.IntroductionPath(a, b)
	p2, r2 := g2.IntroductionPath(a, b)
	if !reflect.DeepEqual(p1, p2) || r1 != r2 {
		t.Errorf("input order changes IntroductionPath: %v %v", p1, p2)
	}
	if !reflect.DeepEqual(g1.Suggest(a, 10, []int{3}), g2.Suggest(a, 10, []int{3})) {
		t.Error("input order changes Suggest")
	}
}

// A ring of SampleAbove+1 = 5001 nodes (odd, so h = 2500 hops each way)
// plus a separate pair: n = 5003 > SampleAbove, so betweenness is sampled.
// In the ring every node has exact raw (ordered-pair) betweenness h(h-1),
// and the estimator's mean over the ring is exact up to the factor
// (k_ring/k)/(ring/n) (k_ring = sampled sources in the ring), since every
// ring source has the same dependency total; with 2 of 5003 nodes outside
// the ring that factor is within 1e-3 of 1. Closeness in the ring is
// ((r-1)/(n-1))·((r-1)/(h(h+1))) with r = 5001; estimated values must be
// close. The pair (missed by the sample, or not) gets exact closeness
// (1/(n-1))·(1/1).
func TestSampledBetweenness(t *testing.T) {
	const ring = SampleAbove + 1
	ns := make([]Node, 0, ring+2)
	es := make([]Edge, 0, ring+1)
	for i := 0; i < ring; i++ {
		ns = append(ns, Node{ID: i})
		es = append(es, Edge{A: i, B: (i + 1) % ring, Strength: 1})
	}
	ns = append(ns, Node{ID: ring}, Node{ID: ring + 1})
	es = append(es, Edge{A: ring, B: ring + 1, Strength: 1})
	g := New(ns, es)
	m, st := g.Metrics()
	if !st.BetweennessSampled {
		t.Fatal("BetweennessSampled not set")
	}
	n := float64(ring + 2)
	h := float64(ring-1) / 2
	wantB := h * (h - 1) / ((n - 1) * (n - 2))
	wantC := (float64(ring-1) / (n - 1)) * (float64(ring-1) / (h * (h + 1)))
	var sumB float64
	for i := 0; i < ring; i++ {
		sumB += m[i].Betweenness
		if c := m[i].Closeness; math.Abs(c-wantC)/wantC > 0.1 {
			t.Fatalf("closeness of %d = %g, want ≈ %g", i, c, wantC)
		}
	}
	if mean := sumB / ring; math.Abs(mean-wantB)/wantB > 1e-3 {
		t.Errorf("mean betweenness = %g, want %g", mean, wantB)
	}
	checkFloat(t, "pair closeness", m[ring].Closeness, 1/(n-1))
	checkFloat(t, "pair betweenness", m[ring].Betweenness, 0)
	if st.Components != 2 || len(st.Bridges) != 1 {
		t.Errorf("components = %d, bridges = %v", st.Components, st.Bridges)
	}

	// Exactly SampleAbove nodes: exact.
	g = New(ns[:SampleAbove], es[:SampleAbove-1])
	if _, st := g.Metrics(); st.BetweennessSampled {
		t.Error("BetweennessSampled set at n = SampleAbove")
	}
}

// The array-based Dijkstra of IntroductionPath gives gonum's
// DijkstraFromTo's path and cost exactly, ties included (unit strengths
// make many equal-cost paths; disconnected pairs have none).
func TestIntroductionPathMatchesGonum(t *testing.T) {
	for _, tc := range []struct {
		name string
		unit bool
		seed uint64
	}{{"random strengths", false, 5}, {"unit strengths (ties)", true, 6}} {
		t.Run(tc.name, func(t *testing.T) {
			ns, es := randomGraph(tc.seed, 300, 700, 2)
			if tc.unit {
				for i := range es {
					es[i].Strength = 1
				}
			}
			ns = append(ns, Node{ID: 1}, Node{ID: 2}) // two people without relationships
			g := New(ns, es)
			r := rand.New(rand.NewPCG(tc.seed, 1))
			for range 400 {
				a, b := r.IntN(g.n()), r.IntN(g.n())
				if a == b {
					continue
				}
				got, gotCost := g.dijkstra(a, b)
				want, wantCost := path.DijkstraFromTo(simple.Node(a), simple.Node(b), view{g: g, cost: true})
				ids := make([]int, len(want))
				for i, v := range want {
					ids[i] = int(v.ID())
				}
				if !slices.Equal(got, ids) || gotCost != wantCost && !(math.IsInf(gotCost, 1) && math.IsInf(wantCost, 1)) {
					t.Fatalf("%d→%d: %v (cost %v), gonum %v (cost %v)", a, b, got, gotCost, ids, wantCost)
				}
			}
		})
	}
}
