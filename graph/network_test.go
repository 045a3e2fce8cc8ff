package graph_test

import (
	"math"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/testenv"
)

const relationshipFields = `id organizationID personAID personBID firstMetAt lastMetAt encounterCount strength currentStrength`

const encounterRecord = `mutation($input: EncounterRecordInput!) {
	result: encounterRecord(input: $input) {
		object: encounter { id organizationID meetingID personAID personBID how occurredAt }
		relationship { ` + relationshipFields + ` }
		created
		` + userErrorFields + `
	}
}`

type encounterObj struct {
	ID, OrganizationID, MeetingID, PersonAID, PersonBID, How, OccurredAt string
}

type relationshipObj struct {
	ID, OrganizationID, PersonAID, PersonBID, FirstMetAt, LastMetAt string
	EncounterCount                                                  int
	Strength, CurrentStrength                                       float64
}

type encounterResponse struct {
	Result struct {
		Object       *encounterObj
		Relationship *relationshipObj
		Created      bool
		UserErrors   []userError
	}
}

// record sends encounterRecord, which must succeed.
func record(t *testing.T, a *api, input map[string]any) (*encounterObj, *relationshipObj, bool) {
	t.Helper()
	var rsp encounterResponse
	post(t, a, encounterRecord, &rsp, client.Var("input", input))
	r := rsp.Result
	if len(r.UserErrors) != 0 || r.Object == nil || r.Relationship == nil {
		t.Fatalf("encounterRecord = %+v", r)
	}
	return r.Object, r.Relationship, r.Created
}

func TestEncounterRecordRefusals(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example") // not invited
	dora := addPerson(t, a.ent, f.org, "Dora", "dora@acme.example") // invited, not checked in
	f.meeting = happeningNow(t, a.ent, f.meeting)
	participate(t, a.ent, f.meeting, f.ana, f.ben, dora)
	checkedIn(t, a.ent, f.meeting, f.ana, f.ben)
	cancelled := addMeeting(t, a.ent, f.org, "Cancelled", mustParse("2030-04-01T09:00:00Z"))
	participate(t, a.ent, cancelled, f.ana, f.ben)
	succeed[meetingObj](t, a, meetingCancel, client.Var("input", map[string]any{"meetingID": gid(cancelled.ID)}))
	_, gus := otherOrg(t, a.ent)

	for _, tc := range []struct {
		name    string
		meeting int
		personA int
		personB int
		want    wantError
	}{
		{"the two people must differ", f.meeting.ID, f.ana.ID, f.ana.ID,
			wantError{"personBID", "INVALID", []string{"personBID: an encounter needs two different people"}}},
		{"personA must have checked in", f.meeting.ID, cleo.ID, f.ana.ID,
			wantError{"personAID", "CONFLICT", []string{"personAID: person " + gid(cleo.ID) + " has not checked in at meeting " + gid(f.meeting.ID)}}},
		{"personB must have checked in", f.meeting.ID, f.ben.ID, cleo.ID,
			wantError{"personBID", "CONFLICT", []string{"personBID: person " + gid(cleo.ID) + " has not checked in at meeting " + gid(f.meeting.ID)}}},
		{"an invited person who did not check in met nobody", f.meeting.ID, f.ana.ID, dora.ID,
			wantError{"personBID", "CONFLICT", []string{"personBID: person " + gid(dora.ID) + " has not checked in"}}},
		{"a person of another organization has not checked in", f.meeting.ID, f.ana.ID, gus.ID,
			wantError{"personBID", "CONFLICT", []string{"personBID: person " + gid(gus.ID) + " has not checked in"}}},
		{"an encounter more than an hour before the start is refused", f.meeting.ID, f.ana.ID, f.ben.ID,
			wantError{"occurredAt", "INVALID", []string{"occurredAt: must lie between an hour before the meeting's start and twelve hours after its end"}}},
		{"nobody meets at a cancelled meeting", cancelled.ID, f.ana.ID, f.ben.ID,
			wantError{"meetingID", "CONFLICT", []string{"meetingID: meeting " + gid(cancelled.ID) + " is cancelled"}}},
		{"the meeting must exist", missingID, f.ana.ID, f.ben.ID,
			wantError{"meetingID", "NOT_FOUND", []string{"meetingID: no meeting with ID " + gid(missingID)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dbState(t, a.ent)
			var rsp encounterResponse
			in := map[string]any{
				"meetingID": gid(tc.meeting), "personAID": gid(tc.personA), "personBID": gid(tc.personB), "how": "BREAKOUT",
			}
			if tc.want.field == "occurredAt" {
				in["occurredAt"] = f.meeting.StartsAt.Add(-2 * time.Hour).Format(time.RFC3339)
			}
			post(t, a, encounterRecord, &rsp, client.Var("input", in))
			r := rsp.Result
			if r.Object != nil || r.Relationship != nil || r.Created {
				t.Errorf("encounterRecord = %+v, want no encounter, no relationship, created false", r)
			}
			checkUserErrors(t, r.UserErrors, tc.want)
			if after := dbState(t, a.ent); after != before {
				t.Fatalf("the refused encounter changed the database:\nbefore: %s\nafter:  %s", before, after)
			}
		})
	}
	if n := a.ent.Encounter.Query().CountX(ctx) + a.ent.Relationship.Query().CountX(ctx); n != 0 {
		t.Fatalf("%d encounters and relationships after refusals only", n)
	}
}

// TestEncounterBuildsRelationship follows one pair over several encounters and
// checks that the relationship always agrees with the encounters.
func TestEncounterBuildsRelationship(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	// The meetings took place in the past: encounters are recorded after
	// the people checked in, around the meeting.
	f.meeting = moveMeeting(t, a.ent, f.meeting, mustParse("2025-03-05T09:00:00Z"), 8)
	participate(t, a.ent, f.meeting, f.ana, f.ben)
	checkedIn(t, a.ent, f.meeting, f.ana, f.ben)
	low, high := f.ana.ID, f.ben.ID
	if low > high {
		low, high = high, low
	}
	first := mustParse("2025-03-05T10:30:00Z")  // at f.meeting
	second := mustParse("2025-07-03T11:00:00Z") // about four months later
	earlier := mustParse("2024-11-20T15:00:00Z")

	storedRelationship := func(t *testing.T) *ent.Relationship {
		t.Helper()
		return a.ent.Relationship.Query().Where(relationship.PersonAID(low), relationship.PersonBID(high)).OnlyX(ctx)
	}
	checkRelationship := func(t *testing.T, r *relationshipObj, count int, firstMet, lastMet time.Time, strength float64) {
		t.Helper()
		if r.PersonAID != gid(low) || r.PersonBID != gid(high) || r.OrganizationID != gid(f.org.ID) ||
			r.EncounterCount != count || !parseTime(t, r.FirstMetAt).Equal(firstMet) ||
			!parseTime(t, r.LastMetAt).Equal(lastMet) || math.Abs(r.Strength-strength) > 1e-9 {
			t.Fatalf("relationship = %+v, want %d-%d count %d first %s last %s strength %v",
				r, low, high, count, firstMet, lastMet, strength)
		}
		if r.CurrentStrength <= 0 || r.CurrentStrength > r.Strength+1e-9 {
			t.Fatalf("currentStrength = %v, want in (0, %v]", r.CurrentStrength, r.Strength)
		}
		got := storedRelationship(t)
		if gid(got.ID) != r.ID || got.EncounterCount != count || !got.FirstMetAt.Equal(firstMet) ||
			!got.LastMetAt.Equal(lastMet) || math.Abs(got.Strength-strength) > 1e-9 || got.OrganizationID != f.org.ID {
			t.Fatalf("stored relationship = %+v, want count %d first %s last %s strength %v", got, count, firstMet, lastMet, strength)
		}
	}

	var rel *relationshipObj
	t.Run("a first encounter stores the pair lower ID first and creates the relationship", func(t *testing.T) {
		e, r, created := record(t, a, map[string]any{
			"meetingID": gid(f.meeting.ID), "personAID": gid(high), "personBID": gid(low), "how": "SAME_TABLE",
			"occurredAt": first.Format(time.RFC3339),
		})
		if !created || e.PersonAID != gid(low) || e.PersonBID != gid(high) || e.MeetingID != gid(f.meeting.ID) ||
			e.How != "SAME_TABLE" || e.OrganizationID != gid(f.org.ID) || !parseTime(t, e.OccurredAt).Equal(first) {
			t.Fatalf("encounter = %+v, created %v", e, created)
		}
		stored := a.ent.Encounter.GetX(ctx, atoi(t, e.ID))
		if stored.PersonAID != low || stored.PersonBID != high || !stored.OccurredAt.Equal(first) {
			t.Fatalf("stored encounter = %+v", stored)
		}
		checkRelationship(t, r, 1, first, first, 1)
		rel = r
	})
	if rel == nil {
		t.FailNow()
	}

	t.Run("the same pair twice at the same meeting changes nothing", func(t *testing.T) {
		before := dbState(t, a.ent)
		e, r, created := record(t, a, map[string]any{
			"meetingID": gid(f.meeting.ID), "personAID": gid(low), "personBID": gid(high), "how": "INTRODUCTION",
			"occurredAt": "2025-03-05T16:00:00Z",
		})
		if created || e.PersonAID != gid(low) || e.How != "SAME_TABLE" || !parseTime(t, e.OccurredAt).Equal(first) {
			t.Fatalf("encounter = %+v, created %v, want the first encounter and created false", e, created)
		}
		checkRelationship(t, r, 1, first, first, 1)
		if after := dbState(t, a.ent); after != before {
			t.Fatalf("recording the pair again changed the database:\nbefore: %s\nafter:  %s", before, after)
		}
		if n := a.ent.Encounter.Query().Where(encounter.MeetingID(f.meeting.ID)).CountX(ctx); n != 1 {
			t.Fatalf("%d encounters at the meeting, want 1", n)
		}
	})

	wantStrength := 1*network.Decay(second.Sub(first)) + 1
	t.Run("a second meeting months later strengthens the relationship", func(t *testing.T) {
		m2 := addMeeting(t, a.ent, f.org, "Summer meetup", mustParse("2025-07-03T09:00:00Z"))
		participate(t, a.ent, m2, f.ana, f.ben)
		checkedIn(t, a.ent, m2, f.ana, f.ben)
		e, r, created := record(t, a, map[string]any{
			"meetingID": gid(m2.ID), "personAID": gid(low), "personBID": gid(high), "how": "ONE_TO_ONE",
			"occurredAt": second.Format(time.RFC3339),
		})
		if !created || e.MeetingID != gid(m2.ID) {
			t.Fatalf("encounter = %+v, created %v", e, created)
		}
		if r.ID != rel.ID {
			t.Fatalf("relationship %s, want the existing %s", r.ID, rel.ID)
		}
		if !(r.Strength > 1 && r.Strength < 2) {
			t.Fatalf("strength = %v, want between 1 and 2 after two encounters months apart", r.Strength)
		}
		checkRelationship(t, r, 2, first, second, wantStrength)
		if n := a.ent.Relationship.Query().CountX(ctx); n != 1 {
			t.Fatalf("%d relationships, want 1 per pair", n)
		}
	})
	t.Run("an encounter recorded late moves firstMetAt back and keeps lastMetAt", func(t *testing.T) {
		m0 := addMeeting(t, a.ent, f.org, "Autumn dinner", mustParse("2024-11-20T12:00:00Z"))
		participate(t, a.ent, m0, f.ana, f.ben)
		checkedIn(t, a.ent, m0, f.ana, f.ben)
		_, r, created := record(t, a, map[string]any{
			"meetingID": gid(m0.ID), "personAID": gid(high), "personBID": gid(low), "how": "BADGE_SCAN",
			"occurredAt": earlier.Format(time.RFC3339),
		})
		if !created {
			t.Fatal("created = false for a new meeting")
		}
		want := wantStrength + network.Decay(second.Sub(earlier))
		if !(r.Strength > wantStrength && r.Strength < wantStrength+1) {
			t.Fatalf("strength = %v, want between %v and %v", r.Strength, wantStrength, wantStrength+1)
		}
		checkRelationship(t, r, 3, earlier, second, want)
	})

	t.Run("the relationship reads back through the relationships query", func(t *testing.T) {
		var rsp struct {
			Relationships struct {
				TotalCount int
				Edges      []struct{ Node relationshipObj }
			}
		}
		post(t, a, `query($a: ID!) {
			relationships(where: {personAID: $a}) { totalCount edges { node { `+relationshipFields+` } } }
		}`, &rsp, client.Var("a", gid(low)))
		if rsp.Relationships.TotalCount != 1 || len(rsp.Relationships.Edges) != 1 {
			t.Fatalf("relationships = %+v", rsp.Relationships)
		}
		want := wantStrength + network.Decay(second.Sub(earlier))
		checkRelationship(t, &rsp.Relationships.Edges[0].Node, 3, earlier, second, want)

		// Nobody is stored as personA with the higher ID.
		post(t, a, `query($a: ID!) {
			relationships(where: {personAID: $a}) { totalCount edges { node { `+relationshipFields+` } } }
		}`, &rsp, client.Var("a", gid(high)))
		if rsp.Relationships.TotalCount != 0 {
			t.Fatalf("relationships with personA %d = %+v, want none", high, rsp.Relationships)
		}
	})
	t.Run("the relationship's encounters agree with it", func(t *testing.T) {
		n := a.ent.Encounter.Query().Where(encounter.PersonAID(low), encounter.PersonBID(high)).CountX(ctx)
		if got := storedRelationship(t); got.EncounterCount != n {
			t.Fatalf("encounterCount = %d, encounters stored = %d", got.EncounterCount, n)
		}
		if n := a.ent.Encounter.Query().Where(encounter.PersonAID(high)).CountX(ctx); n != 0 {
			t.Fatalf("%d encounters stored with the higher ID first", n)
		}
	})
}
