package network

import (
	"context"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/network/analysis"
	"github.com/rencontre/rencontre/internal/validation"
)

// IntroductionPath is the warmest chain of introductions between two people
// of the organization: people nil and a reason when there is none.
func IntroductionPath(ctx context.Context, c *ent.Client, from, to int, now time.Time) ([]*ent.Person, *float64, string, error) {
	for _, p := range []struct {
		id    int
		field string
	}{{from, "from"}, {to, "to"}} {
		if ok, err := c.Person.Query().Where(person.ID(p.id)).Exist(ctx); err != nil {
			return nil, nil, "", err
		} else if !ok {
			return nil, nil, "", validation.NotFound(p.field, "no person with ID %d", p.id)
		}
	}
	g, err := organizationGraph(ctx, c, now)
	if err != nil {
		return nil, nil, "", err
	}
	path, reason := g.graph.IntroductionPath(from, to)
	if path == nil {
		return nil, nil, reason, nil
	}
	people, err := peopleInOrder(ctx, c, path.People)
	if err != nil {
		return nil, nil, "", err
	}
	cost := path.Cost
	return people, &cost, reason, nil
}

// peopleInOrder loads people by ID, in the order given.
func peopleInOrder(ctx context.Context, c *ent.Client, ids []int) ([]*ent.Person, error) {
	ps, err := c.Person.Query().Where(person.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.Person, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	out := make([]*ent.Person, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// Suggestion is a person worth meeting.
type Suggestion struct {
	Person  *ent.Person
	Score   float64
	Reasons []string
}

// Suggest lists people personID should meet and has not met, best first:
// friends of friends, shared tags, other communities, and the communities
// targeted by the objectives of the meetings the person takes part in.
func Suggest(ctx context.Context, c *ent.Client, personID, first int, now time.Time) ([]Suggestion, error) {
	if first < 1 || first > 100 {
		return nil, validation.Invalid("first", "must be between 1 and 100")
	}
	if ok, err := c.Person.Query().Where(person.ID(personID)).Exist(ctx); err != nil {
		return nil, err
	} else if !ok {
		return nil, validation.NotFound("person_id", "no person with ID %d", personID)
	}
	targets, err := c.Community.Query().Where(community.HasTargetedByWith(objective.HasMeetingsWith(
		meeting.HasParticipationsWith(participation.PersonID(personID),
			participation.StatusNotIn(participation.StatusDeclined, participation.StatusCancelled))))).IDs(ctx)
	if err != nil {
		return nil, err
	}
	g, err := organizationGraph(ctx, c, now)
	if err != nil {
		return nil, err
	}
	sugg := g.graph.Suggest(personID, first, targets)
	ids := make([]int, len(sugg))
	for i, s := range sugg {
		ids[i] = s.ID
	}
	people, err := peopleInOrder(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(sugg))
	for i, s := range sugg {
		if i < len(people) && people[i].ID == s.ID {
			out = append(out, Suggestion{Person: people[i], Score: s.Score, Reasons: s.Reasons})
		}
	}
	return out, nil
}

// Parts says which parts of a neighbourhood to load beyond the people's
// IDs and the number of relationships.
type Parts struct {
	// People loads the people's records (for nodes, isolated people and
	// brokers), read by SQL as the viewer's role sees them; without it the
	// network has PersonIDs instead of People.
	People bool
	// Links loads the relationships (for edges and metrics); without it the
	// network has no Links, only their number (EdgeCount).
	Links bool
}

// Neighbourhood is the network of the people within depth (1 or 2)
// relationships of personID, through relationships at least minStrength
// strong today, and the relationships among them of that strength.
//
// It is read from the cached organization graph (a search in memory, the
// current strengths recomputed at now), or by SQL from the person outwards
// (never the whole organization) when the person is not in it yet. parts
// says what to load beyond the people's IDs and the number of
// relationships.
func Neighbourhood(ctx context.Context, c *ent.Client, personID, depth int, minStrength float64, now time.Time, parts Parts) (*Network, error) {
	if depth < 1 || depth > 2 {
		return nil, validation.Invalid("depth", "must be 1 or 2")
	}
	if minStrength < 0 || math.IsNaN(minStrength) {
		return nil, validation.Invalid("min_strength", "must be 0 or more")
	}
	g, err := organizationGraph(ctx, c, now)
	if err != nil {
		return nil, err
	}
	var n *Network
	if g.index(personID) >= 0 {
		n = g.neighbourhood(personID, depth, minStrength, now, parts.Links)
	} else {
		n, err = neighbourhoodSQL(ctx, c, personID, depth, minStrength, now)
		if err != nil {
			return nil, err
		}
	}
	if parts.People {
		if n.People, err = c.Person.Query().Where(person.IDIn(n.PersonIDs...)).WithCommunities().Order(person.ByID()).All(ctx); err != nil {
			return nil, err
		}
		n.PersonIDs = nil
	}
	return n, nil
}

// neighbourhood is Neighbourhood in the cached graph: a breadth-first search
// through the links at least minStrength strong at now. Without links, only
// their number is kept.
func (g *orgGraph) neighbourhood(personID, depth int, minStrength float64, now time.Time, links bool) *Network {
	in := make([]bool, len(g.ids)) // by index: within the neighbourhood
	start := g.index(personID)
	in[start] = true
	members := []int32{int32(start)}
	frontier := members
	strong := func(li int32) bool {
		l := &g.links[li]
		return minStrength <= 0 || StrengthAt(l.Strength, l.LastMetAt, now) >= minStrength
	}
	for range depth {
		var next []int32
		for _, i := range frontier {
			for k := g.off[i]; k < g.off[i+1]; k++ {
				if j := g.nbr[k]; !in[j] && strong(g.inc[k]) {
					in[j] = true
					next = append(next, j)
				}
			}
		}
		members = append(members, next...)
		if frontier = next; len(frontier) == 0 {
			break
		}
	}
	slices.Sort(members)
	n := &Network{PersonIDs: make([]int, len(members)), Attended: map[int]bool{}, At: now}
	var chosen []int32
	for x, i := range members {
		n.PersonIDs[x] = g.ids[i]
		for k := g.off[i]; k < g.off[i+1]; k++ {
			// Each link once: from its end of lower index (IDs are in order).
			if j := g.nbr[k]; j > i && in[j] && strong(g.inc[k]) {
				if links {
					chosen = append(chosen, g.inc[k])
				} else {
					n.linkCount++
				}
			}
		}
	}
	if !links {
		return n
	}
	slices.Sort(chosen) // links are by ID
	n.Links = make([]Link, len(chosen))
	for x, li := range chosen {
		l := &n.Links[x]
		*l = g.links[li]
		l.CurrentStrength = StrengthAt(l.Strength, l.LastMetAt, now)
	}
	return n
}

// neighbourhoodSQL is Neighbourhood by SQL, from the person outwards.
func neighbourhoodSQL(ctx context.Context, c *ent.Client, personID, depth int, minStrength float64, now time.Time) (*Network, error) {
	ids := []int{personID}
	seen := map[int]bool{personID: true}
	frontier := []int{personID}
	for range depth {
		rels, err := c.Relationship.Query().
			Where(relationship.Or(relationship.PersonAIDIn(frontier...), relationship.PersonBIDIn(frontier...))).
			Select(relationship.FieldPersonAID, relationship.FieldPersonBID, relationship.FieldStrength, relationship.FieldLastMetAt).
			All(ctx)
		if err != nil {
			return nil, err
		}
		var next []int
		for _, r := range rels {
			if StrengthAt(r.Strength, r.LastMetAt, now) < minStrength {
				continue
			}
			for _, id := range []int{r.PersonAID, r.PersonBID} {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
					next = append(next, id)
				}
			}
		}
		frontier = next
		if len(frontier) == 0 {
			break
		}
	}
	slices.Sort(ids)
	n := &Network{PersonIDs: ids, Attended: map[int]bool{}, At: now}
	links, err := scanLinks(ctx, c.Relationship.Query().Where(relationship.PersonAIDIn(ids...), relationship.PersonBIDIn(ids...)), now, minStrength, -1)
	n.Links = links
	return n, err
}

// TiePoint is the tie share between communities after one meeting.
type TiePoint struct {
	Meeting *ent.Meeting
	At      time.Time
	analysis.TieShare
}

// TieShares measures the ties between communities (at least two) after
// each meeting their members attended in [from, to], on the network as of
// the end of that meeting, rebuilt from the encounters among them.
func TieShares(ctx context.Context, c *ent.Client, communityIDs []int, from, to *time.Time, now time.Time) ([]TiePoint, error) {
	if len(slices.Compact(slices.Sorted(slices.Values(communityIDs)))) < 2 {
		return nil, validation.Invalid("between", "name at least two different communities")
	}
	end := now
	if to != nil && to.Before(now) {
		end = *to
	}
	coms, err := c.Community.Query().Where(community.IDIn(communityIDs...)).WithMembers().All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int]*ent.Community{}
	for _, cm := range coms {
		byID[cm.ID] = cm
	}
	var groups [][]int
	var members []int
	seen := map[int]bool{}
	for _, id := range communityIDs {
		cm := byID[id]
		if cm == nil {
			return nil, validation.NotFound("between", "no community with ID %d", id)
		}
		var g []int
		for _, p := range cm.Edges.Members {
			if !seen[p.ID] {
				seen[p.ID] = true
				g = append(g, p.ID)
				members = append(members, p.ID)
			}
		}
		groups = append(groups, g)
	}
	mq := c.Meeting.Query().Where(meeting.EndsAtLTE(end), meeting.StatusNEQ(meeting.StatusCancelled),
		meeting.HasParticipationsWith(participation.PersonIDIn(members...), participation.CheckedInAtNotNil()))
	if from != nil {
		mq.Where(meeting.EndsAtGTE(*from))
	}
	meetings, err := mq.Order(meeting.ByEndsAt(), meeting.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	encs, err := c.Encounter.Query().Where(encounter.OccurredAtLTE(end),
		encounter.PersonAIDIn(members...), encounter.PersonBIDIn(members...)).
		Order(encounter.ByOccurredAt(), encounter.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	nodes := make([]analysis.Node, 0, len(members))
	for _, id := range members {
		nodes = append(nodes, analysis.Node{ID: id})
	}
	type pairState struct {
		strength float64
		last     time.Time
	}
	pairs := map[[2]int]*pairState{}
	next := 0
	out := make([]TiePoint, 0, len(meetings))
	for _, m := range meetings {
		for ; next < len(encs) && !encs[next].OccurredAt.After(m.EndsAt); next++ {
			e := encs[next]
			k := [2]int{e.PersonAID, e.PersonBID}
			st := pairs[k]
			if st == nil {
				st = &pairState{}
				pairs[k] = st
			}
			st.strength = Strengthen(st.strength, st.last, e.OccurredAt)
			if e.OccurredAt.After(st.last) {
				st.last = e.OccurredAt
			}
		}
		edges := make([]analysis.Edge, 0, len(pairs))
		for k, st := range pairs {
			edges = append(edges, analysis.Edge{A: k[0], B: k[1], Strength: StrengthAt(st.strength, st.last, m.EndsAt)})
		}
		sort.Slice(edges, func(i, j int) bool {
			return edges[i].A < edges[j].A || edges[i].A == edges[j].A && edges[i].B < edges[j].B
		})
		ts := analysis.New(nodes, edges).TieShare(groups)
		out = append(out, TiePoint{Meeting: m, At: m.EndsAt, TieShare: ts})
	}
	return out, nil
}
