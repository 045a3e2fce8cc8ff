package analysis

import (
	"fmt"
	"sort"
	"strings"
)

// Broker is a person whose ties reach communities other than their own.
type Broker struct{ ID, CommunitiesReached int }

// Brokers returns the people whose ties reach communities other than their
// own. Communities are the declared Node.Communities (not the Louvain
// partition). A person qualifies when at least one of their neighbours
// shares no community with them; CommunitiesReached is the number of
// distinct communities, other than the person's own, that their neighbours
// (all of them) belong to. People reaching no such community (e.g. whose
// only "foreign" neighbours belong to no community) are left out. Sorted by
// CommunitiesReached descending, then ID ascending.
func (g *Graph) Brokers() []Broker {
	out := []Broker{}
	for i := 0; i < g.n(); i++ {
		own := g.comms[i]
		foreign := false
		reached := map[int]bool{}
		for _, j := range g.neighbours(i) {
			nc := g.comms[j]
			if !shareAny(own, nc) {
				foreign = true
			}
			for _, c := range nc {
				if !containsInt(own, c) {
					reached[c] = true
				}
			}
		}
		if foreign && len(reached) > 0 {
			out = append(out, Broker{ID: g.ids[i], CommunitiesReached: len(reached)})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].CommunitiesReached != out[b].CommunitiesReached {
			return out[a].CommunitiesReached > out[b].CommunitiesReached
		}
		return out[a].ID < out[b].ID
	})
	return out
}

func containsInt(sorted []int, v int) bool {
	k := sort.SearchInts(sorted, v)
	return k < len(sorted) && sorted[k] == v
}

// Scoring of Suggest.
const (
	// TagScore is added per shared tag.
	TagScore = 1.0
	// CrossCommunityBonus is added when both people belong to at least one
	// community and share none.
	CrossCommunityBonus = 0.5
	// TargetCommunityBonus is added when the candidate belongs to one of
	// the target communities.
	TargetCommunityBonus = 1.0
)

// Reason strings of Suggest (besides "N mutual contact(s)" and
// "shares tags: a, b").
const (
	ReasonOtherCommunity    = "in another community"
	ReasonTargetedCommunity = "in a community targeted by the same objective"
)

// Suggestion is a person someone should meet.
type Suggestion struct {
	ID      int
	Score   float64
	Reasons []string
}

// Suggest returns the people person should meet. Candidates are the people
// other than person who are not already related to them and who have at
// least one mutual contact, shared tag, or target community. The score is
//
//	Σ over mutual contacts w of min(strength(person,w), strength(w,candidate))
//	+ TagScore × (number of shared tags, compared case-insensitively)
//	+ CrossCommunityBonus if both have communities and share none
//	+ TargetCommunityBonus if the candidate is in one of targetCommunities
//
// Reasons read "3 mutual contacts", "shares tags: data, go",
// ReasonOtherCommunity, ReasonTargetedCommunity. Results are ordered by
// score descending then ID ascending, and truncated to first when
// first > 0. Returns nil when person is not in the network.
func (g *Graph) Suggest(person int, first int, targetCommunities []int) []Suggestion {
	p, ok := g.index[person]
	if !ok {
		return nil
	}
	targets := uniqInts(targetCommunities)
	related := map[int32]bool{int32(p): true}
	for _, j := range g.neighbours(p) {
		related[j] = true
	}

	type cand struct {
		fof    float64
		mutual int
	}
	cands := map[int32]*cand{}
	get := func(j int32) *cand {
		c := cands[j]
		if c == nil {
			c = &cand{}
			cands[j] = c
		}
		return c
	}
	for k := g.off[p]; k < g.off[p+1]; k++ {
		w, sw := g.adj[k], g.w[k]
		for k2 := g.off[w]; k2 < g.off[w+1]; k2++ {
			j := g.adj[k2]
			if related[j] {
				continue
			}
			c := get(j)
			c.fof += min(sw, g.w[k2])
			c.mutual++
		}
	}
	// Shared tags or target communities make strangers candidates too.
	if len(g.tags[p]) > 0 || len(targets) > 0 {
		for j := 0; j < g.n(); j++ {
			if related[int32(j)] {
				continue
			}
			if sharedCount(g.tags[p], g.tags[j]) > 0 || shareAny(targets, g.comms[j]) {
				get(int32(j))
			}
		}
	}

	out := make([]Suggestion, 0, len(cands))
	for j, c := range cands {
		s := Suggestion{ID: g.ids[j], Score: c.fof}
		if c.mutual > 0 {
			word := "contacts"
			if c.mutual == 1 {
				word = "contact"
			}
			s.Reasons = append(s.Reasons, fmt.Sprintf("%d mutual %s", c.mutual, word))
		}
		if shared := sharedTags(g.tags[p], g.tags[j]); len(shared) > 0 {
			s.Score += TagScore * float64(len(shared))
			s.Reasons = append(s.Reasons, "shares tags: "+strings.Join(shared, ", "))
		}
		if len(g.comms[p]) > 0 && len(g.comms[j]) > 0 && !shareAny(g.comms[p], g.comms[j]) {
			s.Score += CrossCommunityBonus
			s.Reasons = append(s.Reasons, ReasonOtherCommunity)
		}
		if shareAny(targets, g.comms[j]) {
			s.Score += TargetCommunityBonus
			s.Reasons = append(s.Reasons, ReasonTargetedCommunity)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		return out[a].ID < out[b].ID
	})
	if first > 0 && len(out) > first {
		out = out[:first]
	}
	return out
}

// sharedTags returns the tags in both sorted lists.
func sharedTags(a, b []string) []string {
	var out []string
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, a[i])
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return out
}

func sharedCount(a, b []string) int { return len(sharedTags(a, b)) }

// TieShare measures ties between groups (e.g. two teams after a merger).
type TieShare struct {
	CrossTies  int       // edges between people of different groups
	ShareOf    []float64 // per group: share of its people with at least one tie into another group
	Modularity float64   // weighted modularity of the group partition, people in no group left out
}

// TieShare measures the ties between groups of person IDs. A person listed
// in several groups counts in the first group listed that contains them;
// IDs not in the network are ignored. CrossTies counts the edges whose ends
// are in two different groups. ShareOf[k] is the share of group k's people
// (as assigned above) with at least one tie to a person of another group (0
// for an empty group). Modularity is the strength-weighted modularity
// Q = Σ_groups [L_c/m − (d_c/2m)²] of the subgraph induced by the grouped
// people (0 when it has no edges); it equals gonum's community.Q on that
// subgraph but is computed in O(edges).
func (g *Graph) TieShare(groups [][]int) TieShare {
	groupOf := make([]int, g.n())
	for i := range groupOf {
		groupOf[i] = -1
	}
	size := make([]int, len(groups))
	for k, grp := range groups {
		for _, id := range grp {
			if i, ok := g.index[id]; ok && groupOf[i] < 0 {
				groupOf[i] = k
				size[k]++
			}
		}
	}
	res := TieShare{ShareOf: make([]float64, len(groups))}
	crossers := make([]int, len(groups))
	internal := make([]float64, len(groups)) // L_c: weight inside the group
	degree := make([]float64, len(groups))   // d_c: weight of ends in the group
	var total float64                        // m: weight of the induced subgraph
	for i := 0; i < g.n(); i++ {
		gi := groupOf[i]
		if gi < 0 {
			continue
		}
		crosses := false
		for k := g.off[i]; k < g.off[i+1]; k++ {
			j := int(g.adj[k])
			gj := groupOf[j]
			if gj < 0 {
				continue
			}
			w := g.w[k]
			degree[gi] += w
			if gj != gi {
				crosses = true
				if i < j {
					res.CrossTies++
				}
			} else if i < j {
				internal[gi] += w
			}
			if i < j {
				total += w
			}
		}
		if crosses {
			crossers[gi]++
		}
	}
	for k := range groups {
		if size[k] > 0 {
			res.ShareOf[k] = float64(crossers[k]) / float64(size[k])
		}
		if total > 0 {
			d := degree[k] / (2 * total)
			res.Modularity += internal[k]/total - d*d
		}
	}
	return res
}
