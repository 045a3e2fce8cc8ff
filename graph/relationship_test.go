package graph_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/testenv"
)

// TestConcurrentEncountersOfOnePairAllCount records the same pair at 20
// meetings in parallel: every encounter counts in their relationship (the
// relationship's row is locked while it is updated), on PostgreSQL with real
// parallel requests.
func TestConcurrentEncountersOfOnePairAllCount(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	const n = 20
	var meetings []*ent.Meeting
	for i := range n {
		m := happeningNow(t, a.ent, addMeeting(t, a.ent, f.org, fmt.Sprintf("Round %d", i), time.Now()))
		a.ent.Participation.Create().SetMeetingID(m.ID).SetPersonID(f.ana.ID).ExecX(testenv.System())
		a.ent.Participation.Create().SetMeetingID(m.ID).SetPersonID(f.ben.ID).ExecX(testenv.System())
		checkedIn(t, a.ent, m, f.ana, f.ben)
		meetings = append(meetings, m)
	}
	a.bearer(t)
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for _, m := range meetings {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := postRaw(t, a, `mutation { r: encounterRecord(input: {meetingID: "`+gid(m.ID)+`", personAID: "`+gid(f.ana.ID)+`", personBID: "`+gid(f.ben.ID)+`", how: SAME_TABLE}) { `+userErrorFields+` } }`, nil)
			if len(res.Errors) > 0 || strings.Contains(string(res.Data), `"userErrors":[{`) {
				errs <- fmt.Sprintf("errors %v data %s", res.Errors, res.Data)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	rel := a.ent.Relationship.Query().Where(relationship.PersonAID(min(f.ana.ID, f.ben.ID))).OnlyX(testenv.System())
	if rel.EncounterCount != n {
		t.Fatalf("encounterCount = %d after %d parallel encounters, want %d", rel.EncounterCount, n, n)
	}
	// All within minutes of each other: the strength is about n.
	if rel.Strength < n-0.01 || rel.Strength > n+0.01 {
		t.Fatalf("strength = %v after %d encounters at once, want about %d", rel.Strength, n, n)
	}
	if rel.DecayKey == nil || *rel.DecayKey != network.DecayKey(rel.Strength, rel.LastMetAt) {
		t.Fatalf("decayKey = %v, want %v", rel.DecayKey, network.DecayKey(rel.Strength, rel.LastMetAt))
	}
}

// TestRelationshipsOrderByCurrentStrength checks that CURRENT_STRENGTH sorts
// by today's strength (stored strength faded since lastMetAt), not by the
// stored strength, in both directions and across pages.
func TestRelationshipsOrderByCurrentStrength(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	now := time.Now().UTC()
	// stored strength, days since last met -> current strength
	pairs := []struct {
		strength float64
		days     int
	}{
		{8, 720}, // 8 / 16 = 0.5
		{1, 0},   // 1
		{3, 180}, // 1.5
		{2, 30},  // ≈ 1.78
		{4, 540}, // 0.5 … 4/8 = 0.5, ties break by ID
	}
	var ids []int
	for i, p := range pairs {
		x := addPerson(t, a.ent, f.org, fmt.Sprintf("X%d", i), fmt.Sprintf("x%d@acme.example", i))
		y := addPerson(t, a.ent, f.org, fmt.Sprintf("Y%d", i), fmt.Sprintf("y%d@acme.example", i))
		last := now.Add(-time.Duration(p.days) * 24 * time.Hour)
		r := a.ent.Relationship.Create().SetOrganizationID(f.org.ID).SetPersonAID(x.ID).SetPersonBID(y.ID).
			SetFirstMetAt(last).SetLastMetAt(last).SetEncounterCount(1).SetStrength(p.strength).
			SetDecayKey(network.DecayKey(p.strength, last)).SaveX(ctx)
		ids = append(ids, r.ID)
	}
	for dir, want := range map[string][]int{
		"DESC": {ids[3], ids[2], ids[1], ids[0], ids[4]},
		"ASC":  {ids[0], ids[4], ids[1], ids[2], ids[3]},
	} {
		var got []int
		after := ""
		for range 10 {
			var rsp struct {
				Relationships struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node struct{ ID string } }
				}
			}
			post(t, a, `{ relationships(first: 2, orderBy: [{field: CURRENT_STRENGTH, direction: `+dir+`}]`+after+`) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`, &rsp)
			for _, e := range rsp.Relationships.Edges {
				var id int
				fmt.Sscan(e.Node.ID, &id)
				got = append(got, id)
			}
			if !rsp.Relationships.PageInfo.HasNextPage {
				break
			}
			after = `, after: "` + rsp.Relationships.PageInfo.EndCursor + `"`
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v (by current strength 1.78, 1.5, 1, 0.5, 0.5)", dir, got, want)
		}
	}
}
