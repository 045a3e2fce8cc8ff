package graph_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/graph"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/testenv"
)

// netWorld is an organization whose relationships are set directly: people
// named by letter in one community, relationships of given strengths met
// today.
type netWorld struct {
	*api
	org    *ent.Organization
	team   *ent.Community
	people map[string]*ent.Person
}

func newNetWorld(t *testing.T, names string, links map[string]float64) *netWorld {
	t.Helper()
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	w := &netWorld{api: a, org: f.org, people: map[string]*ent.Person{}}
	var members []*ent.Person
	for _, n := range strings.Split(names, "") {
		p := addPerson(t, a.ent, f.org, n, strings.ToLower(n)+"@net.example")
		w.people[n] = p
		members = append(members, p)
	}
	w.team = a.ent.Community.Create().SetOrganization(f.org).SetName("Net").SetKind("TEAM").AddMembers(members...).SaveX(ctx)
	now := time.Now().UTC()
	for pair, s := range links {
		x, y := w.people[pair[:1]].ID, w.people[pair[1:]].ID
		a.ent.Relationship.Create().SetOrganizationID(f.org.ID).SetPersonAID(min(x, y)).SetPersonBID(max(x, y)).
			SetFirstMetAt(now).SetLastMetAt(now).SetEncounterCount(1).SetStrength(s).
			SetDecayKey(network.DecayKey(s, now)).ExecX(ctx)
	}
	return w
}

type netNode struct {
	ID, Name                    string
	Degree, Community           int
	WeightedDegree, Betweenness float64
	Closeness                   float64
	Communities                 []struct{ Name string }
}

type netAnswer struct {
	Nodes []netNode
	Edges []struct {
		ID, Source, Target        string
		Strength, CurrentStrength float64
	}
	Stats struct {
		NodeCount, EdgeCount, Components int
		Density, Modularity              float64
		Bridges                          []struct{ Source, Target string }
	}
}

const networkQuery = `query($ids: [ID!], $min: Float) { network(scope: {communityIDs: $ids}, minStrength: $min) {
	nodes { id name degree weightedDegree betweenness closeness community communities { name } }
	edges { id source target strength currentStrength }
	stats { nodeCount edgeCount density components modularity bridges { source target } } } }`

func (w *netWorld) network(t *testing.T, min float64) netAnswer {
	t.Helper()
	var rsp struct{ Network netAnswer }
	post(t, w.api, networkQuery, &rsp, client.Var("ids", []string{gid(w.team.ID)}), client.Var("min", min))
	return rsp.Network
}

func (w *netWorld) node(t *testing.T, n netAnswer, name string) netNode {
	t.Helper()
	for _, x := range n.Nodes {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no node %s in %+v", name, n.Nodes)
	return netNode{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestNetworkOfAPath: a–b–c–d. Betweenness (normalized by (n−1)(n−2)/2 = 3):
// b and c lie on 2 of the 3 pairs that do not include them, 2/3; the ends 0.
// Every edge is a bridge; density 3/6.
func TestNetworkOfAPath(t *testing.T) {
	w := newNetWorld(t, "abcd", map[string]float64{"ab": 1, "bc": 1, "cd": 1})
	n := w.network(t, 0)
	if n.Stats.NodeCount != 4 || n.Stats.EdgeCount != 3 || n.Stats.Components != 1 || !near(n.Stats.Density, 0.5) || len(n.Stats.Bridges) != 3 {
		t.Fatalf("stats = %+v", n.Stats)
	}
	for name, want := range map[string]float64{"a": 0, "b": 2.0 / 3, "c": 2.0 / 3, "d": 0} {
		if got := w.node(t, n, name); !near(got.Betweenness, want) {
			t.Errorf("betweenness of %s = %v, want %v", name, got.Betweenness, want)
		}
	}
	// Closeness of b: distances 1, 1, 2 → 3/4.
	if got := w.node(t, n, "b"); !near(got.Closeness, 0.75) || got.Degree != 2 || got.Communities[0].Name != "Net" {
		t.Errorf("b = %+v, want closeness 3/4, degree 2, community Net", got)
	}
	for _, e := range n.Edges {
		if e.Source == "" || e.Target == "" || e.Source >= e.Target && len(e.Source) == len(e.Target) {
			t.Errorf("edge %+v: want source and target, lower ID first", e)
		}
	}
}

// TestNetworkOfTwoCliquesAndABridge: two K4 joined by one edge d–e. Louvain
// finds the two cliques; modularity 2 × (6/13 − (13/26)²) ≈ 0.4231; d–e is
// the only bridge. A minStrength above the bridge's strength cuts it.
func TestNetworkOfTwoCliquesAndABridge(t *testing.T) {
	links := map[string]float64{"de": 0.5}
	for _, clique := range []string{"abcd", "efgh"} {
		for i := range clique {
			for j := i + 1; j < len(clique); j++ {
				links[clique[i:i+1]+clique[j:j+1]] = 1
			}
		}
	}
	w := newNetWorld(t, "abcdefgh", links)
	n := w.network(t, 0)
	if n.Stats.EdgeCount != 13 || len(n.Stats.Bridges) != 1 || n.Stats.Components != 1 {
		t.Fatalf("stats = %+v", n.Stats)
	}
	if w.node(t, n, "a").Community != w.node(t, n, "d").Community || w.node(t, n, "a").Community == w.node(t, n, "e").Community {
		t.Errorf("the two cliques are not the two network communities: %+v", n.Nodes)
	}
	cut := w.network(t, 0.6)
	if cut.Stats.EdgeCount != 12 || cut.Stats.Components != 2 {
		t.Fatalf("with minStrength 0.6: %+v, want 12 relationships in 2 components", cut.Stats)
	}
}

// TestIntroductionPathIsTheWarmest: a–c is weak (cost 10), a–b–c strong
// (cost 1/2 + 1/2): the path goes through b. d is unreachable.
func TestIntroductionPathIsTheWarmest(t *testing.T) {
	w := newNetWorld(t, "abcd", map[string]float64{"ac": 0.1, "ab": 2, "bc": 2})
	var rsp struct {
		P struct {
			People []struct{ Name string }
			Cost   *float64
			Reason *string
		}
		None struct {
			People []struct{ Name string }
			Reason *string
		}
	}
	post(t, w.api, `query($a: ID!, $c: ID!, $d: ID!) { p: introductionPath(from: $a, to: $c) { people { name } cost reason } none: introductionPath(from: $a, to: $d) { people { name } reason } }`,
		&rsp, client.Var("a", gid(w.people["a"].ID)), client.Var("c", gid(w.people["c"].ID)), client.Var("d", gid(w.people["d"].ID)))
	if got := fmt.Sprint(rsp.P.People); got != "[{a} {b} {c}]" || rsp.P.Cost == nil || !near(*rsp.P.Cost, 1) {
		t.Fatalf("path = %v cost %v, want a, b, c at cost 1", got, rsp.P.Cost)
	}
	if rsp.None.People != nil || rsp.None.Reason == nil || *rsp.None.Reason == "" {
		t.Fatalf("unreachable: %+v, want no people and a reason", rsp.None)
	}
	// The organization's graph is cached; a new relationship is seen at once.
	now := time.Now().UTC()
	c, d := w.people["c"].ID, w.people["d"].ID
	w.ent.Relationship.Create().SetOrganizationID(w.org.ID).SetPersonAID(min(c, d)).SetPersonBID(max(c, d)).
		SetFirstMetAt(now).SetLastMetAt(now).SetEncounterCount(1).SetStrength(1).SetDecayKey(network.DecayKey(1, now)).
		ExecX(testenv.System())
	post(t, w.api, `query($a: ID!, $c: ID!, $d: ID!) { p: introductionPath(from: $a, to: $c) { people { name } cost reason } none: introductionPath(from: $a, to: $d) { people { name } reason } }`,
		&rsp, client.Var("a", gid(w.people["a"].ID)), client.Var("c", gid(w.people["c"].ID)), client.Var("d", gid(w.people["d"].ID)))
	if got := fmt.Sprint(rsp.None.People); got != "[{a} {b} {c} {d}]" {
		t.Fatalf("path to d after the new relationship = %v, want a, b, c, d", got)
	}
}

// TestNetworkTooLargeNamesTheWayOut checks the bound: a clear error naming
// minStrength and the export, not a truncated answer.
func TestNetworkTooLargeNamesTheWayOut(t *testing.T) {
	w := newNetWorld(t, "abc", map[string]float64{"ab": 1, "bc": 1})
	res := postWithOptions(t, w.api, graphOptions(1), networkQuery, map[string]any{"ids": []string{gid(w.team.ID)}, "min": 0})
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "minStrength") || !strings.Contains(res.Errors[0].Message, "/export/network") {
		t.Fatalf("errors = %+v, want one naming minStrength and the export", res.Errors)
	}
}

// TestTieShareRisesAfterAMixingMeeting records encounters across two
// communities at two meetings: the cross ties and shares rise point by point.
func TestTieShareRisesAfterAMixingMeeting(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	var alder, finch []*ent.Person
	for i := range 3 {
		alder = append(alder, addPerson(t, a.ent, f.org, fmt.Sprintf("Alder %d", i), fmt.Sprintf("al%d@x.example", i)))
		finch = append(finch, addPerson(t, a.ent, f.org, fmt.Sprintf("Finch %d", i), fmt.Sprintf("fi%d@x.example", i)))
	}
	ca := a.ent.Community.Create().SetOrganization(f.org).SetName("Alder Labs").SetKind("LEGACY_COMPANY").AddMembers(alder...).SaveX(ctx)
	cf := a.ent.Community.Create().SetOrganization(f.org).SetName("Finch Systems").SetKind("LEGACY_COMPANY").AddMembers(finch...).SaveX(ctx)
	start := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Minute)
	for round, pairs := range [][][2]*ent.Person{
		{{alder[0], finch[0]}},
		{{alder[1], finch[1]}, {alder[2], finch[2]}, {alder[0], finch[1]}},
	} {
		m := a.ent.Meeting.Create().SetOrganization(f.org).SetTitle(fmt.Sprintf("Mixer %d", round)).SetTimeZone("UTC").
			SetStartsAt(start.Add(time.Duration(round) * 24 * time.Hour)).SetEndsAt(start.Add(time.Duration(round)*24*time.Hour + 2*time.Hour)).SaveX(ctx)
		for _, p := range append(append([]*ent.Person{}, alder...), finch...) {
			a.ent.Participation.Create().SetMeeting(m).SetPerson(p).SetStatus("ACCEPTED").SetCheckedInAt(m.StartsAt).ExecX(ctx)
		}
		for _, pr := range pairs {
			if _, err := network.RecordEncounter(ctx, a.ent, network.Meet{MeetingID: m.ID, PersonA: pr[0].ID, PersonB: pr[1].ID,
				How: "SAME_TABLE", OccurredAt: m.StartsAt.Add(time.Hour), Now: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var rsp struct {
		TieShare []struct {
			CrossTies      int
			ShareA, ShareB float64
			Meeting        struct{ Title string }
		}
	}
	post(t, a, `query($a: ID!, $f: ID!) { tieShare(between: [$a, $f]) { crossTies shareA shareB meeting { title } } }`, &rsp,
		client.Var("a", gid(ca.ID)), client.Var("f", gid(cf.ID)))
	pts := rsp.TieShare
	if len(pts) != 2 || pts[0].CrossTies != 1 || pts[1].CrossTies != 4 || !near(pts[0].ShareA, 1.0/3) || !near(pts[1].ShareA, 1) || !near(pts[1].ShareB, 1) {
		t.Fatalf("tieShare = %+v, want 1 then 4 cross ties, shares 1/3 then 1", pts)
	}
}

// graphOptions are handler options with a bound on network answers.
func graphOptions(maxEdges int) graph.Options { return graph.Options{MaxNetworkEdges: maxEdges} }

// TestPersonRelationshipsAndNeighbourhood: on the path a–b–c–d with b–c the
// strongest, b's relationships list b–c first; b's network at depth 1 is a,
// b, c and at depth 2 everybody.
func TestPersonRelationshipsAndNeighbourhood(t *testing.T) {
	w := newNetWorld(t, "abcd", map[string]float64{"ab": 1, "bc": 3, "cd": 1})
	var rsp struct {
		Node struct {
			Relationships struct {
				TotalCount int
				Edges      []struct{ Node struct{ Strength float64 } }
			}
			One struct{ Nodes []struct{ Name string } }
			Two struct{ Nodes []struct{ Name string } }
		}
	}
	post(t, w.api, `query($id: ID!) { node(id: $id) { ... on Person {
		relationships(first: 10) { totalCount edges { node { strength } } }
		one: network(depth: 1) { nodes { name } }
		two: network(depth: 2) { nodes { name } } } } }`, &rsp, client.Var("id", gid(w.people["b"].ID)))
	n := rsp.Node
	if n.Relationships.TotalCount != 2 || n.Relationships.Edges[0].Node.Strength != 3 {
		t.Fatalf("relationships = %+v, want 2, b–c (3) first", n.Relationships)
	}
	if fmt.Sprint(n.One.Nodes) != "[{a} {b} {c}]" || len(n.Two.Nodes) != 4 {
		t.Fatalf("depth 1 = %v, depth 2 = %v", n.One.Nodes, n.Two.Nodes)
	}
}

// TestIntroductionPathWithoutRelationships: an organization without any
// relationship answers with a reason, not an error.
func TestIntroductionPathWithoutRelationships(t *testing.T) {
	w := newNetWorld(t, "ab", nil)
	var rsp struct {
		IntroductionPath struct {
			People []struct{ Name string }
			Reason *string
		}
	}
	post(t, w.api, `query($a: ID!, $b: ID!) { introductionPath(from: $a, to: $b) { people { name } reason } }`,
		&rsp, client.Var("a", gid(w.people["a"].ID)), client.Var("b", gid(w.people["b"].ID)))
	if rsp.IntroductionPath.People != nil || rsp.IntroductionPath.Reason == nil {
		t.Fatalf("introductionPath = %+v", rsp.IntroductionPath)
	}
}

// TestPersonNetworkCountsMatchItsNodesAndFollowChanges: Person.network's
// counts alone (served from the cached organization graph without loading
// people or relationships) agree with the nodes and edges of the full
// answer, with and without minStrength; a relationship written afterwards
// shows at once.
func TestPersonNetworkCountsMatchItsNodesAndFollowChanges(t *testing.T) {
	w := newNetWorld(t, "abcde", map[string]float64{"ab": 1, "bc": 3, "cd": 0.5, "bd": 2})
	type answer struct {
		Node struct {
			Counts struct {
				Stats struct{ NodeCount, EdgeCount int }
			}
			Full struct {
				Nodes []struct {
					Name   string
					Degree int
				}
				Edges []struct{ ID string }
				Stats struct{ NodeCount, EdgeCount int }
			}
		}
	}
	ask := func(name string, depth int, min float64) answer {
		t.Helper()
		var rsp answer
		post(t, w.api, `query($id: ID!, $d: Int!, $m: Float!) { node(id: $id) { ... on Person {
			counts: network(depth: $d, minStrength: $m) { stats { nodeCount edgeCount } }
			full: network(depth: $d, minStrength: $m) { nodes { name degree } edges { id } stats { nodeCount edgeCount } } } } }`,
			&rsp, client.Var("id", gid(w.people[name].ID)), client.Var("d", depth), client.Var("m", min))
		full := rsp.Node.Full
		if rsp.Node.Counts.Stats != full.Stats || full.Stats.NodeCount != len(full.Nodes) || full.Stats.EdgeCount != len(full.Edges) {
			t.Fatalf("%s depth %d minStrength %g: counts %+v, full answer %+v", name, depth, min, rsp.Node.Counts.Stats, full)
		}
		return rsp
	}
	for _, tc := range []struct {
		name         string
		depth        int
		min          float64
		nodes, edges int
	}{
		{"a", 1, 0, 2, 1},   // a, b
		{"a", 2, 0, 4, 4},   // a, b, c, d: ab bc cd bd
		{"a", 2, 1.5, 1, 0}, // a alone: ab is too weak to go through
		{"c", 1, 0.9, 2, 1}, // b, c: cd is too weak
		{"b", 1, 0.9, 4, 3}, // a, b, c, d: ab bc bd, not cd
		{"e", 2, 0, 1, 0},
	} {
		got := ask(tc.name, tc.depth, tc.min).Node.Full.Stats
		if got.NodeCount != tc.nodes || got.EdgeCount != tc.edges {
			t.Errorf("%s depth %d minStrength %g: %+v, want %d nodes and %d edges", tc.name, tc.depth, tc.min, got, tc.nodes, tc.edges)
		}
	}
	now := time.Now().UTC()
	a, e := w.people["a"].ID, w.people["e"].ID
	w.ent.Relationship.Create().SetOrganizationID(w.org.ID).SetPersonAID(min(a, e)).SetPersonBID(max(a, e)).
		SetFirstMetAt(now).SetLastMetAt(now).SetEncounterCount(1).SetStrength(1).SetDecayKey(network.DecayKey(1, now)).
		ExecX(testenv.System())
	if got := ask("e", 1, 0).Node.Full; got.Stats.NodeCount != 2 || got.Stats.EdgeCount != 1 || got.Nodes[0].Degree != 1 {
		t.Fatalf("after a new relationship a–e: %+v", got)
	}
}
