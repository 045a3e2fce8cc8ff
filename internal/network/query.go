package network

import (
	"context"

	"entgo.io/ent/dialect/sql"
	"fmt"
	"slices"
	"sort"
	"sync"
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
	"github.com/rencontre/rencontre/internal/viewer"
)

// organizationGraph is the graph of every person of the organization and
// their relationships today, for paths and suggestions. It is cached per
// organization (relationships are the same for every role) and rebuilt when
// relationships changed (their latest updatedAt, read by index, tells) or
// after graphMaxAge, as strengths fade.
func organizationGraph(ctx context.Context, c *ent.Client, now time.Time) (*Network, *analysis.Graph, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return loadOrganizationGraph(ctx, c, now)
	}
	// Every write of a relationship or a person stamps its updatedAt: the
	// latest ones, each read by index, say whether the network changed.
	var rels, people []struct {
		Max string `json:"max"`
	}
	if err := c.Relationship.Query().Aggregate(latestUpdate(relationship.FieldUpdatedAt)).Scan(ctx, &rels); err != nil {
		return nil, nil, fmt.Errorf("reading the network's version: %w", err)
	}
	if err := c.Person.Query().Aggregate(latestUpdate(person.FieldUpdatedAt)).Scan(ctx, &people); err != nil {
		return nil, nil, fmt.Errorf("reading the network's version: %w", err)
	}
	stamp := append(rels, people...)
	key := fmt.Sprint(stamp)
	graphCache.mu.Lock()
	cached := graphCache.byOrg[v.OrganizationID]
	graphCache.mu.Unlock()
	if cached != nil && cached.stamp == key && now.Sub(cached.at) < graphMaxAge && !now.Before(cached.at) {
		return cached.net, cached.graph, nil
	}
	n, g, err := loadOrganizationGraph(ctx, c, now)
	if err != nil {
		return nil, nil, err
	}
	graphCache.mu.Lock()
	graphCache.byOrg[v.OrganizationID] = &cachedGraph{stamp: key, at: now, net: n, graph: g}
	graphCache.mu.Unlock()
	return n, g, nil
}

// latestUpdate is the latest value of an updated_at column as text ("" for
// none), comparable on both databases.
func latestUpdate(column string) ent.AggregateFunc {
	return func(s *sql.Selector) string {
		return sql.As("COALESCE(CAST(MAX("+s.C(column)+") AS TEXT), '')", "max")
	}
}

// graphMaxAge is how long a cached organization graph serves: strengths
// fade by 0.4% a day, so an hour changes no path.
const graphMaxAge = time.Hour

type cachedGraph struct {
	stamp string
	at    time.Time
	net   *Network
	graph *analysis.Graph
}

var graphCache = struct {
	mu    sync.Mutex
	byOrg map[int]*cachedGraph
}{byOrg: map[int]*cachedGraph{}}

func loadOrganizationGraph(ctx context.Context, c *ent.Client, now time.Time) (*Network, *analysis.Graph, error) {
	n, err := Load(ctx, c, Scope{Organization: true}, Options{Now: now, MaxEdges: 1 << 30})
	if err != nil {
		return nil, nil, err
	}
	return n, n.Graph(), nil
}

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
	_, g, err := organizationGraph(ctx, c, now)
	if err != nil {
		return nil, nil, "", err
	}
	path, reason := g.IntroductionPath(from, to)
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
	_, g, err := organizationGraph(ctx, c, now)
	if err != nil {
		return nil, err
	}
	sugg := g.Suggest(personID, first, targets)
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

// Neighbourhood loads the people within depth (1 or 2) relationships of
// personID and the relationships among them, by SQL from the person
// outwards (never the whole organization).
func Neighbourhood(ctx context.Context, c *ent.Client, personID, depth int, minStrength float64, now time.Time) (*Network, error) {
	if depth < 1 || depth > 2 {
		return nil, validation.Invalid("depth", "must be 1 or 2")
	}
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
	scope := person.IDIn(ids...)
	people, err := c.Person.Query().Where(scope).WithCommunities().Order(person.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	n := &Network{People: people, Attended: map[int]bool{}, At: now}
	rels, err := c.Relationship.Query().Where(relationship.PersonAIDIn(ids...), relationship.PersonBIDIn(ids...)).
		Order(relationship.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		l := Link{ID: r.ID, A: r.PersonAID, B: r.PersonBID, Strength: r.Strength, EncounterCount: r.EncounterCount,
			FirstMetAt: r.FirstMetAt, LastMetAt: r.LastMetAt, CurrentStrength: StrengthAt(r.Strength, r.LastMetAt, now)}
		if l.CurrentStrength >= minStrength {
			n.Links = append(n.Links, l)
		}
	}
	return n, nil
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
