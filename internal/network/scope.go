package network

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/network/analysis"
	"github.com/rencontre/rencontre/internal/validation"
)

// DefaultMaxEdges is the most relationships one network answer holds; a
// larger scope is refused (raise minStrength, or use the export).
const DefaultMaxEdges = 50000

// Scope says whose network to load: exactly one of its fields.
type Scope struct {
	MeetingID    *int
	CommunityIDs []int
	ObjectiveID  *int
	SeriesID     *int
	Organization bool
}

// Options of a network load.
type Options struct {
	// AsOf rebuilds the network from the encounters up to that time (nil:
	// now, from the stored relationships).
	AsOf *time.Time
	// MinStrength keeps the relationships whose current strength is at
	// least this.
	MinStrength float64
	// MaxEdges bounds the answer; zero means DefaultMaxEdges.
	MaxEdges int
	// Now is the current time.
	Now time.Time
}

// TooLargeError is returned when a scope holds more relationships than the
// bound.
type TooLargeError struct{ Edges, Max int }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the network of this scope has %d relationships, more than the %d one answer holds: raise minStrength, narrow the scope, or download it whole from /export/network.graphml or /export/network.json", e.Edges, e.Max)
}

// Link is one relationship of a loaded network.
// (The tags name the columns the relationships are scanned from.)
type Link struct {
	ID              int       `sql:"id"`
	A               int       `sql:"person_a_id"`
	B               int       `sql:"person_b_id"`
	Strength        float64   `sql:"strength"` // as of LastMetAt
	CurrentStrength float64   `sql:"-"`        // as of the load's time
	EncounterCount  int       `sql:"encounter_count"`
	FirstMetAt      time.Time `sql:"first_met_at"`
	LastMetAt       time.Time `sql:"last_met_at"`
}

// Network is a loaded scope: its people (with their communities) and the
// relationships among them, ready for analysis.
type Network struct {
	People []*ent.Person // sorted by ID, with Edges.Communities loaded; nil when left out (PersonIDs)
	// PersonIDs are the IDs of the people, sorted, when People was left
	// out (Neighbourhood without people); nil otherwise.
	PersonIDs []int
	Links     []Link       // sorted by ID
	Attended  map[int]bool // people who checked in within the scope
	At        time.Time

	cached    *orgGraph // the organization's cached graph, when the network is all of it
	linkCount int       // the number of relationships, when Links were left out
}

// EdgeCount is the number of relationships of the network.
func (n *Network) EdgeCount() int {
	if n.Links == nil {
		return n.linkCount
	}
	return len(n.Links)
}

// NodeCount is the number of people of the network.
func (n *Network) NodeCount() int {
	if n.People == nil {
		return len(n.PersonIDs)
	}
	return len(n.People)
}

// NodeMetrics are the metrics of the people (not the statistics, whose
// isolated people need attendance). When n is the whole organization today
// they are those of the cached organization graph, computed once for it:
// betweenness, closeness and degrees do not depend on the time, and neither
// does the partition (every strength fades by the same factor); weighted
// degrees are scaled from the graph's loading to n.At.
func (n *Network) NodeMetrics() map[int]analysis.NodeMetrics {
	if n.cached == nil {
		m, _ := n.Graph().Metrics()
		return m
	}
	m, _ := n.cached.graph.Metrics()
	if f := Decay(n.At.Sub(n.cached.at)); f != 1 {
		for id, nm := range m {
			nm.WeightedDegree *= f
			m[id] = nm
		}
	}
	return m
}

// Graph is the network as an analysis graph.
func (n *Network) Graph() *analysis.Graph {
	nodes := make([]analysis.Node, 0, n.NodeCount())
	for _, id := range n.PersonIDs {
		nodes = append(nodes, analysis.Node{ID: id, Attended: n.Attended[id]})
	}
	for _, p := range n.People {
		node := analysis.Node{ID: p.ID, Tags: p.Tags, Attended: n.Attended[p.ID]}
		for _, c := range p.Edges.Communities {
			node.Communities = append(node.Communities, c.ID)
		}
		nodes = append(nodes, node)
	}
	edges := make([]analysis.Edge, 0, len(n.Links))
	for _, l := range n.Links {
		edges = append(edges, analysis.Edge{A: l.A, B: l.B, Strength: l.CurrentStrength})
	}
	return analysis.New(nodes, edges)
}

// people is the person predicate of a scope, and the participation
// predicate that says who attended in it (checked in).
func (s Scope) people() (predicate.Person, predicate.Participation, error) {
	n := 0
	for _, set := range []bool{s.MeetingID != nil, len(s.CommunityIDs) > 0, s.ObjectiveID != nil, s.SeriesID != nil, s.Organization} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, nil, validation.Invalid("scope", "give exactly one of meetingID, communityIDs, objectiveID, seriesID and organization: true")
	}
	taking := participation.StatusIn(participation.StatusAccepted, participation.StatusInvited,
		participation.StatusTentative, participation.StatusWaitlisted)
	switch {
	case s.MeetingID != nil:
		in := participation.MeetingID(*s.MeetingID)
		return person.HasParticipationsWith(in, participation.Or(taking, participation.CheckedInAtNotNil())),
			participation.And(in, participation.CheckedInAtNotNil()), nil
	case len(s.CommunityIDs) > 0:
		return person.HasCommunitiesWith(community.IDIn(s.CommunityIDs...)), participation.CheckedInAtNotNil(), nil
	case s.ObjectiveID != nil:
		meetings := participation.HasMeetingWith(meeting.HasObjectivesWith(objective.ID(*s.ObjectiveID)))
		return person.Or(
				person.HasParticipationsWith(meetings, participation.CheckedInAtNotNil()),
				person.HasCommunitiesWith(community.HasTargetedByWith(objective.ID(*s.ObjectiveID)))),
			participation.And(meetings, participation.CheckedInAtNotNil()), nil
	case s.SeriesID != nil:
		meetings := participation.HasMeetingWith(meeting.SeriesID(*s.SeriesID))
		return person.HasParticipationsWith(meetings, participation.Or(taking, participation.CheckedInAtNotNil())),
			participation.And(meetings, participation.CheckedInAtNotNil()), nil
	}
	return person.IDGT(0), participation.CheckedInAtNotNil(), nil
}

// Load reads the people of a scope and the relationships among them (SQL
// filtered by the scope: a small scope never reads the whole organization).
func Load(ctx context.Context, c *ent.Client, s Scope, o Options) (*Network, error) {
	inScope, attended, err := s.people()
	if err != nil {
		return nil, err
	}
	if o.MinStrength < 0 || math.IsNaN(o.MinStrength) {
		return nil, validation.Invalid("min_strength", "must be 0 or more")
	}
	max := o.MaxEdges
	if max <= 0 {
		max = DefaultMaxEdges
	}
	at := o.Now
	if o.AsOf != nil {
		if o.AsOf.After(o.Now) {
			return nil, validation.Invalid("as_of", "is in the future: the network of a later day is not known yet")
		}
		at = *o.AsOf
	}
	if s.Organization && o.AsOf == nil {
		return loadOrganization(ctx, c, o.MinStrength, max, at)
	}
	people, err := c.Person.Query().Where(inScope).WithCommunities().Order(person.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the people of the scope: %w", err)
	}
	n := &Network{People: people, Attended: map[int]bool{}, At: at}
	if err := n.loadAttended(ctx, c, attended, inScope); err != nil {
		return nil, err
	}
	both := []predicate.Relationship{relationship.HasPersonAWith(inScope), relationship.HasPersonBWith(inScope)}
	if o.AsOf != nil {
		n.Links, err = rebuild(ctx, c, inScope, at, o.MinStrength, max)
		return n, err
	}
	q := c.Relationship.Query().Where(both...)
	if o.MinStrength > 0 {
		// currentStrength ≥ m ⟺ decayKey ≥ log2(m) + now/halfLife.
		q.Where(relationship.DecayKeyGTE(math.Log2(o.MinStrength) + float64(at.Unix())/HalfLife.Seconds()))
	}
	count, err := q.Clone().Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("counting relationships: %w", err)
	}
	if count > max {
		return nil, &TooLargeError{Edges: count, Max: max}
	}
	n.Links, err = scanLinks(ctx, q, at, o.MinStrength, count)
	return n, err
}

// loadAttended fills n.Attended with the people of the scope who checked in
// within it.
func (n *Network) loadAttended(ctx context.Context, c *ent.Client, attended predicate.Participation, inScope predicate.Person) error {
	ids, err := c.Participation.Query().Where(attended, participation.HasPersonWith(inScope)).
		Select(participation.FieldPersonID).Ints(ctx)
	if err != nil {
		return fmt.Errorf("loading attendance: %w", err)
	}
	for _, id := range ids {
		n.Attended[id] = true
	}
	return nil
}

// loadOrganization is the organization's network today: its relationships
// from the cached organization graph (current strengths recomputed at at),
// its people and attendance read by SQL (what the viewer's role sees of
// them, always fresh).
func loadOrganization(ctx context.Context, c *ent.Client, minStrength float64, max int, at time.Time) (*Network, error) {
	g, err := organizationGraph(ctx, c, at)
	if err != nil {
		return nil, err
	}
	count := 0
	for i := range g.links {
		if l := &g.links[i]; StrengthAt(l.Strength, l.LastMetAt, at) >= minStrength {
			count++
		}
	}
	if count > max {
		return nil, &TooLargeError{Edges: count, Max: max}
	}
	people, err := c.Person.Query().WithCommunities().Order(person.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the people of the scope: %w", err)
	}
	n := &Network{People: people, Attended: map[int]bool{}, At: at}
	if err := n.loadAttended(ctx, c, participation.CheckedInAtNotNil(), person.IDGT(0)); err != nil {
		return nil, err
	}
	same := len(people) == len(g.ids) // the cached graph has these very people
	for i, p := range people {
		same = same && g.ids[i] == p.ID
	}
	known := func(id int) bool {
		i := sort.Search(len(people), func(i int) bool { return people[i].ID >= id })
		return i < len(people) && people[i].ID == id
	}
	n.Links = make([]Link, 0, count)
	for _, l := range g.links {
		l.CurrentStrength = StrengthAt(l.Strength, l.LastMetAt, at)
		if l.CurrentStrength >= minStrength && (same || known(l.A) && known(l.B)) {
			n.Links = append(n.Links, l)
		}
	}
	if same && len(n.Links) == len(g.links) {
		n.cached = g
	}
	return n, nil
}

// rebuild computes the relationships among the people of a scope from their
// encounters up to at. A pair's link takes the ID of its relationship today.
func rebuild(ctx context.Context, c *ent.Client, inScope predicate.Person, at time.Time, minStrength float64, max int) ([]Link, error) {
	encs, err := c.Encounter.Query().
		Where(encounter.OccurredAtLTE(at), encounter.HasPersonAWith(inScope), encounter.HasPersonBWith(inScope)).
		Order(encounter.ByOccurredAt(), encounter.ByID()).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading encounters: %w", err)
	}
	byPair := map[[2]int]*Link{}
	for _, e := range encs {
		k := [2]int{e.PersonAID, e.PersonBID}
		l := byPair[k]
		if l == nil {
			l = &Link{A: e.PersonAID, B: e.PersonBID, FirstMetAt: e.OccurredAt}
			byPair[k] = l
		}
		l.Strength = Strengthen(l.Strength, l.LastMetAt, e.OccurredAt)
		l.EncounterCount++
		if e.OccurredAt.After(l.LastMetAt) {
			l.LastMetAt = e.OccurredAt
		}
	}
	if len(byPair) > max {
		return nil, &TooLargeError{Edges: len(byPair), Max: max}
	}
	rels, err := c.Relationship.Query().Where(relationship.HasPersonAWith(inScope), relationship.HasPersonBWith(inScope)).
		Select(relationship.FieldID, relationship.FieldPersonAID, relationship.FieldPersonBID).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading relationships: %w", err)
	}
	for _, r := range rels {
		if l := byPair[[2]int{r.PersonAID, r.PersonBID}]; l != nil {
			l.ID = r.ID
		}
	}
	out := make([]Link, 0, len(byPair))
	for _, l := range byPair {
		l.CurrentStrength = StrengthAt(l.Strength, l.LastMetAt, at)
		if l.CurrentStrength >= minStrength {
			out = append(out, *l)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].A < out[j].A || out[i].A == out[j].A && out[i].B < out[j].B
	})
	return out, nil
}
