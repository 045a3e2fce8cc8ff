package generate_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/generate"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/testenv"
)

func TestGenerateSmallOrganization(t *testing.T) {
	c := testenv.Client(t)
	ctx := testenv.System()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	opts := generate.Options{
		OrgSlug: "gen", People: 200, Communities: 10, Meetings: 30, Relationships: 1000,
		BigMeeting: 80, Seed: 7, Postgres: testenv.Postgres(), Now: now, BatchSize: 97, Objectives: 6,
	}
	// Another organization first: the generated one must not touch it.
	other, err := generate.Run(ctx, c, generate.Options{OrgSlug: "other", People: 20, Communities: 2, Meetings: 3,
		Relationships: 30, Seed: 1, Postgres: testenv.Postgres(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	res, err := generate.Run(ctx, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Token == "" || res.OrganizationID == other.OrganizationID {
		t.Fatalf("result %+v", res)
	}
	org := res.OrganizationID

	// The tables were analyzed: the planner knows how many people there are.
	stats := `SELECT reltuples FROM pg_class WHERE oid = 'persons'::regclass`
	if !testenv.Postgres() {
		stats = `SELECT CAST(substr(stat, 1, instr(stat || ' ', ' ') - 1) AS REAL) FROM sqlite_stat1 WHERE tbl = 'persons' LIMIT 1`
	}
	rows, err := c.QueryContext(ctx, stats)
	if err != nil {
		t.Fatal(err)
	}
	var tuples float64
	for rows.Next() {
		if err := rows.Scan(&tuples); err != nil {
			t.Fatal(err)
		}
	}
	rows.Close()
	if tuples != 220 {
		t.Errorf("the statistics of persons count %v rows, want 220 (ANALYZE after generating)", tuples)
	}

	// Counts.
	people, err := c.Person.Query().Where(person.OrganizationID(org)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inOrg := map[int]bool{}
	for _, p := range people {
		inOrg[p.ID] = true
	}
	count := func(name string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %d, want %d", name, got, want)
		}
	}
	count("people", len(people), 200)
	count("communities", c.Community.Query().Where(community.OrganizationID(org)).CountX(ctx), 10)
	count("meetings", c.Meeting.Query().Where(meeting.OrganizationID(org)).CountX(ctx), 30)
	count("objectives", c.Objective.Query().Where(objective.OrganizationID(org)).CountX(ctx), 6)
	count("objectives (result)", res.Objectives, 6)
	count("meetings without an objective", c.Meeting.Query().Where(meeting.OrganizationID(org), meeting.Not(meeting.HasObjectives())).CountX(ctx), 0)
	nPart := c.Participation.Query().Where(participation.OrganizationID(org)).CountX(ctx)
	count("participations (result)", res.Participations, nPart)
	if nPart < 900 || nPart > 1100 {
		t.Errorf("participations: %d, want about 1000 (people × 5)", nPart)
	}
	big := c.Participation.Query().Where(participation.MeetingID(res.BigMeetingID), participation.CheckedInAtNotNil(),
		participation.StatusEQ(participation.StatusAccepted)).CountX(ctx)
	count("checked-in attendees of the big meeting", big, 80)

	// Each person in 1 to 3 communities.
	for _, p := range c.Person.Query().Where(person.OrganizationID(org)).WithCommunities().AllX(ctx) {
		if n := len(p.Edges.Communities); n < 1 || n > 3 {
			t.Fatalf("person %d is in %d communities", p.ID, n)
		}
	}
	comms := map[int][]int{}
	for _, cm := range c.Community.Query().Where(community.OrganizationID(org)).WithMembers().AllX(ctx) {
		for _, p := range cm.Edges.Members {
			comms[p.ID] = append(comms[p.ID], cm.ID)
		}
	}

	rels, err := c.Relationship.Query().Where(relationship.OrganizationID(org)).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	count("relationships", len(rels), 1000)
	degree := map[int]int{}
	within := 0
	type key struct{ a, b int }
	byPair := map[key]*ent.Relationship{}
	for _, r := range rels {
		if !inOrg[r.PersonAID] || !inOrg[r.PersonBID] || r.PersonAID >= r.PersonBID {
			t.Fatalf("relationship %d between %d and %d: not two people of the organization in order", r.ID, r.PersonAID, r.PersonBID)
		}
		degree[r.PersonAID]++
		degree[r.PersonBID]++
		if shareOne(comms[r.PersonAID], comms[r.PersonBID]) {
			within++
		}
		byPair[key{r.PersonAID, r.PersonBID}] = r
		// Consistency of the stored fields.
		if r.EncounterCount < 1 || r.FirstMetAt.After(r.LastMetAt) || r.LastMetAt.After(now) {
			t.Fatalf("relationship %d: count %d, first %s, last %s", r.ID, r.EncounterCount, r.FirstMetAt, r.LastMetAt)
		}
		if r.Strength < 1-1e-9 || r.Strength > float64(r.EncounterCount)+1e-9 {
			t.Fatalf("relationship %d: strength %g for %d encounters", r.ID, r.Strength, r.EncounterCount)
		}
		if r.DecayKey == nil || math.Abs(*r.DecayKey-network.DecayKey(r.Strength, r.LastMetAt)) > 1e-6 {
			t.Fatalf("relationship %d: decay key %v, want %g", r.ID, r.DecayKey, network.DecayKey(r.Strength, r.LastMetAt))
		}
	}
	maxDeg, sum := 0, 0
	for _, d := range degree {
		sum += d
		maxDeg = max(maxDeg, d)
	}
	mean := float64(sum) / float64(len(people))
	t.Logf("degree: mean %.1f, max %d; within communities %d of %d", mean, maxDeg, within, len(rels))
	if float64(maxDeg) < 4*mean {
		t.Errorf("max degree %d is not ≫ mean %.1f: the degrees are not heavy-tailed", maxDeg, mean)
	}
	if within <= len(rels)-within {
		t.Errorf("%d relationships within a community, %d across: want more within", within, len(rels)-within)
	}

	// Encounters: at a meeting both checked in at, within the relationship's dates.
	encs := c.Encounter.Query().Where(encounter.OrganizationID(org)).AllX(ctx)
	count("encounters (result)", res.Encounters, len(encs))
	if len(encs) == 0 {
		t.Fatal("no encounters")
	}
	checkedIn := map[key]bool{}
	for _, p := range c.Participation.Query().Where(participation.OrganizationID(org), participation.CheckedInAtNotNil()).AllX(ctx) {
		checkedIn[key{p.MeetingID, p.PersonID}] = true
	}
	for _, e := range encs {
		r := byPair[key{e.PersonAID, e.PersonBID}]
		if r == nil {
			t.Fatalf("encounter %d of %d and %d: no relationship", e.ID, e.PersonAID, e.PersonBID)
		}
		if !checkedIn[key{e.MeetingID, e.PersonAID}] || !checkedIn[key{e.MeetingID, e.PersonBID}] {
			t.Fatalf("encounter %d at meeting %d: both did not check in", e.ID, e.MeetingID)
		}
		if e.OccurredAt.Before(r.FirstMetAt) || e.OccurredAt.After(r.LastMetAt) {
			t.Fatalf("encounter %d at %s outside [%s, %s]", e.ID, e.OccurredAt, r.FirstMetAt, r.LastMetAt)
		}
	}

	// The other organization is untouched.
	count("people of the other organization", c.Person.Query().Where(person.OrganizationID(other.OrganizationID)).CountX(ctx), 20)

	// A second run with the same slug is refused.
	_, err = generate.Run(ctx, c, opts)
	var exists *generate.ExistsError
	if !errors.As(err, &exists) {
		t.Fatalf("second run: %v, want ExistsError", err)
	}
}

func shareOne(a, b []int) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
