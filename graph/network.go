package graph

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/network/analysis"
	"github.com/rencontre/rencontre/internal/network/seating"
	"github.com/rencontre/rencontre/internal/validation"
)

// networkAnswer turns a loaded network into the GraphQL answer: nodes with
// their metrics, edges, statistics.
//
// Metrics cost time (betweenness above all): they are computed only when the
// operation selects one (a node's degree…, or stats beyond the counts).
func networkAnswer(ctx context.Context, n *network.Network) *Network {
	var (
		g       *analysis.Graph
		metrics map[int]analysis.NodeMetrics
		stats   analysis.Stats
	)
	if needsMetrics(ctx) {
		g = n.Graph()
		metrics, stats = g.Metrics()
	} else {
		stats = analysis.Stats{NodeCount: n.NodeCount(), EdgeCount: n.EdgeCount()}
	}
	byID := make(map[int]*ent.Person, len(n.People))
	out := &Network{Nodes: make([]*NetworkNode, 0, len(n.People)), Edges: make([]*NetworkEdge, 0, len(n.Links))}
	for _, p := range n.People {
		byID[p.ID] = p
		m := metrics[p.ID]
		communities := p.Edges.Communities
		if communities == nil {
			communities = []*ent.Community{}
		}
		out.Nodes = append(out.Nodes, &NetworkNode{
			ID: p.ID, Name: p.Name, Company: p.Company, Communities: communities,
			Degree: m.Degree, WeightedDegree: m.WeightedDegree, Betweenness: m.Betweenness,
			Closeness: m.Closeness, Community: m.Community, Attended: n.Attended[p.ID],
		})
	}
	for _, l := range n.Links {
		out.Edges = append(out.Edges, &NetworkEdge{
			ID: l.ID, Source: l.A, Target: l.B, Strength: l.Strength, CurrentStrength: l.CurrentStrength,
			EncounterCount: l.EncounterCount, FirstMetAt: l.FirstMetAt, LastMetAt: l.LastMetAt,
		})
	}
	st := &NetworkStats{
		NodeCount: stats.NodeCount, EdgeCount: stats.EdgeCount, Density: stats.Density,
		Components: stats.Components, Modularity: stats.Modularity, BetweennessSampled: stats.BetweennessSampled,
		Isolated: []*ent.Person{}, Bridges: []*NetworkBridge{}, Brokers: []*NetworkBroker{},
	}
	for _, id := range stats.Isolated {
		st.Isolated = append(st.Isolated, byID[id])
	}
	for _, b := range stats.Bridges {
		st.Bridges = append(st.Bridges, &NetworkBridge{Source: b[0], Target: b[1]})
	}
	if metrics != nil && n.People != nil { // brokers need the people's communities
		for _, b := range g.Brokers() {
			st.Brokers = append(st.Brokers, &NetworkBroker{Person: byID[b.ID], CommunitiesReached: b.CommunitiesReached})
		}
	}
	out.Stats = st
	return out
}

// metricFields are the fields of a network answer that need its metrics.
var metricFields = map[string]map[string]bool{
	"nodes": {"degree": true, "weightedDegree": true, "betweenness": true, "closeness": true, "community": true},
	"stats": {"density": true, "components": true, "modularity": true, "isolated": true, "bridges": true, "brokers": true, "betweennessSampled": true},
}

// needsMetrics reports whether the network field being resolved selects a
// field that needs the metrics (through fragments and aliases).
func needsMetrics(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	op := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(op, fc.Field.Selections, nil) {
		need := metricFields[f.Name]
		if need == nil {
			continue
		}
		for _, sub := range graphql.CollectFields(op, f.Selections, nil) {
			if need[sub.Name] {
				return true
			}
		}
	}
	return false
}

// neighbourhoodParts says what a Person.network field being resolved needs
// beyond counts: the people's records for nodes, isolated people and
// brokers; the relationships for edges and metrics.
func neighbourhoodParts(ctx context.Context) network.Parts {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return network.Parts{People: true, Links: true}
	}
	parts := network.Parts{Links: needsMetrics(ctx)}
	op := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(op, fc.Field.Selections, nil) {
		switch f.Name {
		case "nodes":
			parts.People = true
		case "edges":
			parts.Links = true
		case "stats":
			for _, sub := range graphql.CollectFields(op, f.Selections, nil) {
				if sub.Name == "isolated" || sub.Name == "brokers" {
					parts.People = true
				}
			}
		}
	}
	return parts
}

// queryError turns a domain error of a query into a client error where the
// client is at fault: a broken rule (BAD_USER_INPUT, naming the argument)
// or a network too large (NETWORK_TOO_LARGE).
func queryError(field string, err error) error {
	if err == nil {
		return nil
	}
	var tooLarge *network.TooLargeError
	if errors.As(err, &tooLarge) {
		return &gqlerror.Error{Message: field + ": " + tooLarge.Error(),
			Extensions: map[string]any{"code": "NETWORK_TOO_LARGE", "edges": tooLarge.Edges, "max": tooLarge.Max}}
	}
	if ve, ok := validation.As(err); ok {
		code := "BAD_USER_INPUT"
		if ve.Code == validation.CodeNotFound {
			code = "NOT_FOUND"
		}
		return &gqlerror.Error{Message: field + ": " + graphQLName(ve.Field) + ": " + ve.Message, Extensions: map[string]any{"code": code}}
	}
	return err
}

// seatingRequest is the domain request of a seating input.
func seatingRequest(in MeetingSeatingPlanInput) network.SeatingRequest {
	r := network.SeatingRequest{MeetingID: in.MeetingID, TableSize: in.TableSize, Rounds: 1, Seed: 1,
		KeepApart: in.KeepApart, KeepTogether: in.KeepTogether}
	if in.Rounds != nil {
		r.Rounds = *in.Rounds
	}
	if in.MaxPerCommunityPerTable != nil {
		r.MaxPerCommunityPerTable = *in.MaxPerCommunityPerTable
	}
	if in.Seed != nil {
		r.Seed = uint64(*in.Seed)
	}
	return r
}

// seatingPayload is the answer of the seating mutations: the plan, and its
// figures at the top of the payload too.
func seatingPayload(m *ent.Meeting, p *seating.Saved, ues []*UserError) *MeetingSeatingPlanPayload {
	return &MeetingSeatingPlanPayload{Meeting: m, Plan: p, UserErrors: ues,
		NewPairs: &p.NewPairs, SeatedPairs: &p.SeatedPairs, UpperBound: &p.UpperBound,
		RandomBaseline: &p.RandomBaseline, Violations: &p.Violations}
}

// savedPlan is a computed plan in its recorded form.
func savedPlan(p *seating.Plan) *seating.Saved {
	return &seating.Saved{Rounds: p.Rounds, NewPairs: p.NewPairs, SeatedPairs: p.SeatedPairs, UpperBound: p.UpperBound,
		RandomBaseline: p.RandomBaseline, Violations: p.Violations}
}

// seatingRounds loads the people of a plan's tables, in one query.
func seatingRounds(ctx context.Context, c *ent.Client, s *seating.Saved) ([]*SeatingRound, error) {
	var ids []int
	for _, round := range s.Rounds {
		for _, table := range round {
			ids = append(ids, table...)
		}
	}
	people, err := c.Person.Query().Where(person.IDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int]*ent.Person, len(people))
	for _, p := range people {
		byID[p.ID] = p
	}
	out := make([]*SeatingRound, 0, len(s.Rounds))
	for i, round := range s.Rounds {
		r := &SeatingRound{Number: i + 1}
		for j, table := range round {
			t := &SeatingTable{Number: j + 1, People: []*ent.Person{}}
			for _, id := range table {
				if p := byID[id]; p != nil { // people the viewer may not see are left out
					t.People = append(t.People, p)
				}
			}
			r.Tables = append(r.Tables, t)
		}
		out = append(out, r)
	}
	return out, nil
}
