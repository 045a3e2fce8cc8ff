package network_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

// cacheFixture is an organization of 40 people in two communities with 120
// relationships of random strengths and ages (some below the minStrengths
// tried), person 39 without any, and a meeting yesterday that everybody
// checked in to; and a second organization whose relationships must never
// show.
type cacheFixture struct {
	c       *ent.Client
	ctx     context.Context // a PLANNER of the organization
	viewer  context.Context // a VIEWER of it
	people  []*ent.Person
	meeting *ent.Meeting
	now     time.Time
}

func newCacheFixture(t *testing.T) *cacheFixture {
	t.Helper()
	sys := testenv.System()
	c := testenv.Client(t)
	now := time.Now().UTC().Truncate(time.Second)
	f := &cacheFixture{c: c, now: now}
	org := c.Organization.Create().SetName("Cache").SetSlug("cache").SaveX(sys)
	other := c.Organization.Create().SetName("Other").SetSlug("other").SaveX(sys)
	f.ctx = viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.Planner})
	f.viewer = viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.ReadOnly})
	for i := range 40 {
		f.people = append(f.people, c.Person.Create().SetOrganization(org).SetName(fmt.Sprintf("P%02d", i)).
			SetEmail(fmt.Sprintf("p%02d@cache.example", i)).SaveX(sys))
	}
	c.Community.Create().SetOrganization(org).SetName("Even").SetKind("TEAM").AddMembers(even(f.people)...).SaveX(sys)
	c.Community.Create().SetOrganization(org).SetName("Low").SetKind("TEAM").AddMembers(f.people[:10]...).SaveX(sys)
	r := rand.New(rand.NewPCG(9, 9))
	seen := map[[2]int]bool{}
	for len(seen) < 120 {
		a, b := f.people[r.IntN(39)], f.people[r.IntN(39)]
		k := [2]int{min(a.ID, b.ID), max(a.ID, b.ID)}
		if a.ID == b.ID || seen[k] {
			continue
		}
		seen[k] = true
		last := now.Add(-time.Duration(r.IntN(400*24)) * time.Hour)
		s := 0.2 + 4*r.Float64()
		c.Relationship.Create().SetOrganizationID(org.ID).SetPersonAID(k[0]).SetPersonBID(k[1]).
			SetFirstMetAt(last.Add(-24 * time.Hour)).SetLastMetAt(last).SetEncounterCount(1 + r.IntN(5)).
			SetStrength(s).SetDecayKey(network.DecayKey(s, last)).SaveX(sys)
	}
	x := c.Person.Create().SetOrganization(other).SetName("X").SetEmail("x@other.example").SaveX(sys)
	y := c.Person.Create().SetOrganization(other).SetName("Y").SetEmail("y@other.example").SaveX(sys)
	c.Relationship.Create().SetOrganizationID(other.ID).SetPersonAID(min(x.ID, y.ID)).SetPersonBID(max(x.ID, y.ID)).
		SetFirstMetAt(now).SetLastMetAt(now).SetEncounterCount(1).SetStrength(1).SaveX(sys)
	start := now.Add(-26 * time.Hour)
	f.meeting = c.Meeting.Create().SetOrganization(org).SetTitle("Yesterday").
		SetStartsAt(start).SetEndsAt(start.Add(4 * time.Hour)).SetTimeZone("UTC").SaveX(sys)
	for _, p := range f.people {
		c.Participation.Create().SetMeeting(f.meeting).SetPerson(p).SetStatus(participation.StatusAccepted).
			SetCheckedInAt(start.Add(time.Minute)).SaveX(sys)
	}
	return f
}

func even(ps []*ent.Person) []*ent.Person {
	var out []*ent.Person
	for i := 0; i < len(ps); i += 2 {
		out = append(out, ps[i])
	}
	return out
}

// reference is the neighbourhood computed here from every relationship of
// the organization read as ent entities: the people's IDs and the links.
func (f *cacheFixture) reference(t *testing.T, person, depth int, minStrength float64) ([]int, []network.Link) {
	t.Helper()
	rels := f.c.Relationship.Query().AllX(f.ctx)
	in := map[int]bool{person: true}
	frontier := []int{person}
	for range depth {
		var next []int
		for _, r := range rels {
			if network.StrengthAt(r.Strength, r.LastMetAt, f.now) < minStrength {
				continue
			}
			for _, e := range [][2]int{{r.PersonAID, r.PersonBID}, {r.PersonBID, r.PersonAID}} {
				if slices.Contains(frontier, e[0]) && !in[e[1]] {
					in[e[1]] = true
					next = append(next, e[1])
				}
			}
		}
		frontier = next
	}
	var ids []int
	for id := range in {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var links []network.Link
	for _, r := range rels {
		cur := network.StrengthAt(r.Strength, r.LastMetAt, f.now)
		if in[r.PersonAID] && in[r.PersonBID] && cur >= minStrength {
			links = append(links, network.Link{ID: r.ID, A: r.PersonAID, B: r.PersonBID, Strength: r.Strength,
				CurrentStrength: cur, EncounterCount: r.EncounterCount, FirstMetAt: r.FirstMetAt, LastMetAt: r.LastMetAt})
		}
	}
	slices.SortFunc(links, func(a, b network.Link) int { return a.ID - b.ID })
	return ids, links
}

// check compares a loaded neighbourhood with the reference.
func check(t *testing.T, what string, n *network.Network, ids []int, links []network.Link) {
	t.Helper()
	got := n.PersonIDs
	if n.People != nil {
		got = nil
		for _, p := range n.People {
			got = append(got, p.ID)
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("%s: people %v, want %v", what, got, ids)
	}
	if len(n.Links) != len(links) {
		t.Errorf("%s: %d links, want %d", what, len(n.Links), len(links))
		return
	}
	for i, l := range n.Links {
		w := links[i]
		if l.ID != w.ID || l.A != w.A || l.B != w.B || l.Strength != w.Strength || l.CurrentStrength != w.CurrentStrength ||
			l.EncounterCount != w.EncounterCount || !l.FirstMetAt.Equal(w.FirstMetAt) || !l.LastMetAt.Equal(w.LastMetAt) {
			t.Errorf("%s: link %d is %+v, want %+v", what, i, l, w)
		}
	}
}

func TestCachedNeighbourhoodIsTheSQLOne(t *testing.T) {
	f := newCacheFixture(t)
	for _, p := range []*ent.Person{f.people[0], f.people[7], f.people[21], f.people[39]} {
		for _, depth := range []int{1, 2} {
			for _, minStrength := range []float64{0, 0.7, 1.5} {
				what := fmt.Sprintf("%s depth %d minStrength %g", p.Name, depth, minStrength)
				ids, links := f.reference(t, p.ID, depth, minStrength)
				cached, err := network.Neighbourhood(f.ctx, f.c, p.ID, depth, minStrength, f.now, network.Parts{Links: true})
				if err != nil {
					t.Fatal(err)
				}
				check(t, what+" (cached)", cached, ids, links)
				withPeople, err := network.Neighbourhood(f.ctx, f.c, p.ID, depth, minStrength, f.now, network.Parts{People: true, Links: true})
				if err != nil {
					t.Fatal(err)
				}
				check(t, what+" (cached, with people)", withPeople, ids, links)
				counted, err := network.Neighbourhood(f.ctx, f.c, p.ID, depth, minStrength, f.now, network.Parts{})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(counted.PersonIDs, ids) || counted.Links != nil || counted.EdgeCount() != len(links) {
					t.Errorf("%s (counts only): people %v, %d links (%d loaded), want %v and %d", what, counted.PersonIDs,
						counted.EdgeCount(), len(counted.Links), ids, len(links))
				}
				bySQL, err := network.NeighbourhoodSQL(f.ctx, f.c, p.ID, depth, minStrength, f.now)
				if err != nil {
					t.Fatal(err)
				}
				check(t, what+" (SQL)", bySQL, ids, links)
			}
		}
	}
	if len(f.people) > 0 {
		ids, _ := f.reference(t, f.people[39].ID, 2, 0)
		if len(ids) != 1 {
			t.Fatalf("the fixture's person 39 should have no relationship, has a neighbourhood of %d", len(ids))
		}
	}
}

func TestNeighbourhoodPeopleAreWhatTheRoleSees(t *testing.T) {
	f := newCacheFixture(t)
	for _, tc := range []struct {
		ctx   context.Context
		email bool
	}{{f.ctx, true}, {f.viewer, false}, {f.ctx, true}} { // the cache is shared by the roles: the people are not
		n, err := network.Neighbourhood(tc.ctx, f.c, f.people[0].ID, 2, 0, f.now, network.Parts{People: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(n.People) < 2 {
			t.Fatalf("a neighbourhood of %d people", len(n.People))
		}
		for _, p := range n.People {
			if (p.Email != "") != tc.email {
				t.Fatalf("role %s: %s has email %q", viewer.FromContext(tc.ctx).Role, p.Name, p.Email)
			}
		}
		if n.People[0].Edges.Communities == nil {
			t.Fatalf("communities not loaded")
		}
	}
}

// TestNewEncounterRefreshesTheCachedGraph proves the cached graph is not
// served stale: a new encounter, and a relationship written through ent,
// show at once in the neighbourhood, well within network.StampInterval (only
// the in-process version can tell).
func TestNewEncounterRefreshesTheCachedGraph(t *testing.T) {
	f := newCacheFixture(t)
	p := f.people[39] // no relationship yet
	n, err := network.Neighbourhood(f.ctx, f.c, p.ID, 2, 0, f.now, network.Parts{Links: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.PersonIDs) != 1 || len(n.Links) != 0 {
		t.Fatalf("before: %v %v", n.PersonIDs, n.Links)
	}
	// An encounter, in a transaction as the API records it.
	tx, err := f.c.Tx(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := network.RecordEncounter(ent.NewTxContext(ent.NewContext(f.ctx, tx.Client()), tx), tx.Client(), network.Meet{
		MeetingID: f.meeting.ID, PersonA: p.ID, PersonB: f.people[0].ID, How: encounter.HowIntroduction, Now: f.now,
	}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	n, err = network.Neighbourhood(f.ctx, f.c, p.ID, 2, 0, f.now, network.Parts{Links: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, links := f.reference(t, p.ID, 2, 0)
	if len(ids) < 3 {
		t.Fatalf("the reference after the encounter has %d people", len(ids))
	}
	check(t, "after the encounter", n, ids, links)

	// A relationship written through ent outside internal/network (the hook).
	q := f.people[38]
	f.c.Relationship.Create().SetOrganizationID(viewer.FromContext(f.ctx).OrganizationID).
		SetPersonAID(min(p.ID, q.ID)).SetPersonBID(max(p.ID, q.ID)).SetFirstMetAt(f.now).SetLastMetAt(f.now).
		SetEncounterCount(1).SetStrength(1).SetDecayKey(network.DecayKey(1, f.now)).SaveX(f.ctx)
	n, err = network.Neighbourhood(f.ctx, f.c, p.ID, 1, 0, f.now, network.Parts{Links: true})
	if err != nil {
		t.Fatal(err)
	}
	ids, links = f.reference(t, p.ID, 1, 0)
	check(t, "after a relationship written through ent", n, ids, links)
	if !slices.Contains(n.PersonIDs, q.ID) {
		t.Fatalf("%s is not in %v", q.Name, n.PersonIDs)
	}
}
