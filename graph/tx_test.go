package graph_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/testenv"
)

// TestEachRootMutationIsItsOwnUnit checks that in a request with several
// mutations, each root field commits or rolls back on its own: what a payload
// reports as done is stored under the ID it gave; a payload with userErrors
// stores nothing, even what its own earlier statements wrote; and a later
// field's failure does not undo an earlier field's success, in either order.
func TestEachRootMutationIsItsOwnUnit(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example")
	absent := addPerson(t, a.ent, f.org, "Hal", "hal@acme.example")
	f.meeting = happeningNow(t, a.ent, f.meeting)
	a.ent.Participation.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ana.ID).ExecX(ctx)
	a.ent.Participation.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ben.ID).ExecX(ctx)
	checkedIn(t, a.ent, f.meeting, f.ana, f.ben) // only people checked in meet and give feedback
	a.ent.Feedback.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ana.ID).SetRating(4).ExecX(ctx)

	type result struct {
		Object     *struct{ ID string }
		UserErrors []userError
	}
	count := func() map[string]int {
		return map[string]int{
			"people": a.ent.Person.Query().CountX(ctx), "communities": a.ent.Community.Query().CountX(ctx),
			"participations": a.ent.Participation.Query().CountX(ctx), "feedbacks": a.ent.Feedback.Query().CountX(ctx),
			"encounters": a.ent.Encounter.Query().CountX(ctx), "relationships": a.ent.Relationship.Query().CountX(ctx),
		}
	}
	for _, tc := range []struct {
		name        string
		query       string
		vars        []client.Option
		failedFirst bool
		added       map[string]int // the rows the successful field adds
		want        wantError
	}{
		{
			name: "personCreate then an invalid personCreate: the first is stored",
			query: `mutation($p: CreatePersonInput!) {
				first: personCreate(input: $p) { object: person { id } ` + userErrorFields + ` }
				second: personCreate(input: {name: "", email: "nameless@acme.example"}) { object: person { id } ` + userErrorFields + ` }
			}`,
			vars:  []client.Option{client.Var("p", map[string]any{"name": "Dan", "email": "dan@acme.example"})},
			added: map[string]int{"people": 1},
			want:  wantError{"name", "INVALID", []string{"name"}},
		},
		{
			name: "an invalid personCreate then communityCreate: the second is stored",
			query: `mutation {
				first: personCreate(input: {name: "Eve", email: "not-an-email"}) { object: person { id } ` + userErrorFields + ` }
				second: communityCreate(input: {name: "Initech", kind: TEAM}) { object: community { id } ` + userErrorFields + ` }
			}`,
			failedFirst: true,
			added:       map[string]int{"communities": 1},
			want:        wantError{"email", "INVALID", []string{"is not a valid email address"}},
		},
		{
			name: "meetingInvite then communityCreate breaking a unique index, through fragments and aliases",
			query: `mutation($invite: MeetingInviteInput!) {
				first: meetingInvite(input: $invite) { ...Invited }
				second: communityCreate(input: {name: "` + f.team.Name + `", kind: TEAM}) {
					object: community { id } ` + userErrorFields + `
				}
			}
			fragment Invited on MeetingInvitePayload { object: meeting { id } ` + userErrorFields + ` }`,
			vars:  []client.Option{client.Var("invite", map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(cleo.ID)})},
			added: map[string]int{"participations": 1},
			want:  wantError{"name", "TAKEN", []string{"name: is already used by another community"}},
		},
		{
			name: "encounterRecord and its relationship, then a refused feedbackCreate",
			query: `mutation {
				first: encounterRecord(input: {meetingID: "` + gid(f.meeting.ID) + `", personAID: "` + gid(f.ana.ID) + `", personBID: "` + gid(f.ben.ID) + `", how: SAME_TABLE}) {
					object: encounter { id } ` + userErrorFields + `
				}
				second: feedbackCreate(input: {meetingID: "` + gid(f.meeting.ID) + `", personID: "` + gid(absent.ID) + `", rating: 3}) {
					object: feedback { id } ` + userErrorFields + `
				}
			}`,
			added: map[string]int{"encounters": 1, "relationships": 1},
			want:  wantError{"personID", "CONFLICT", []string{"has not checked in at meeting"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := count()
			for k, n := range tc.added {
				want[k] += n
			}
			var rsp struct{ First, Second result }
			post(t, a, tc.query, &rsp, tc.vars...)
			ok, failed := rsp.First, rsp.Second
			if tc.failedFirst {
				ok, failed = failed, ok
			}
			if ok.Object == nil || len(ok.UserErrors) != 0 {
				t.Fatalf("the valid mutation = %+v, want its object and no userErrors", ok)
			}
			if failed.Object != nil {
				t.Errorf("the refused mutation returned %+v", failed.Object)
			}
			checkUserErrors(t, failed.UserErrors, tc.want)
			if _, err := a.ent.Noder(ctx, atoi(t, ok.Object.ID)); err != nil {
				t.Fatalf("the payload reported %s as done, but it is not stored: %v", ok.Object.ID, err)
			}
			if got := count(); !maps.Equal(got, want) {
				t.Fatalf("stored after the request:\n got  %v\n want %v", got, want)
			}
		})
	}

	t.Run("an ID reported to the client is never handed out again", func(t *testing.T) {
		var rsp struct{ First, Second result }
		post(t, a, `mutation {
			first: personCreate(input: {name: "Finn", email: "finn@acme.example"}) { object: person { id } `+userErrorFields+` }
			second: personCreate(input: {name: " ", email: "blank@acme.example"}) { object: person { id } `+userErrorFields+` }
		}`, &rsp)
		var next struct{ Result result }
		post(t, a, `mutation { result: personCreate(input: {name: "Gus", email: "gus@acme.example"}) { object: person { id } `+userErrorFields+` } }`, &next)
		if rsp.First.Object == nil || next.Result.Object == nil || rsp.First.Object.ID == next.Result.Object.ID {
			t.Fatalf("first request %+v, next %+v: want two different stored people", rsp.First, next.Result)
		}
		if n := a.ent.Person.Query().Where(person.NameIn("Finn", "Gus")).CountX(ctx); n != 2 {
			t.Fatalf("%d of Finn and Gus stored, want 2", n)
		}
	})
}

// TestIdempotentMutationsUnderConcurrency sends the same idempotent mutation
// from many clients at once: every one succeeds (a conflict between
// concurrent transactions is retried, never reported), and the result is
// stored once.
func TestIdempotentMutationsUnderConcurrency(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	f.meeting = happeningNow(t, a.ent, f.meeting)
	a.ent.Participation.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ana.ID).ExecX(ctx)
	a.ent.Participation.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ben.ID).ExecX(ctx)
	checkedIn(t, a.ent, f.meeting, f.ana, f.ben) // only people checked in meet and give feedback
	var extra []*ent.Person
	for i := range 5 {
		extra = append(extra, addPerson(t, a.ent, f.org, fmt.Sprintf("P%d", i), fmt.Sprintf("p%d@acme.example", i)))
	}
	ids := []int{f.ana.ID, f.ben.ID}
	for _, p := range extra {
		ids = append(ids, p.ID)
	}
	a.bearer(t) // create the token before the parallel requests
	const parallel = 50
	for _, tc := range []struct {
		name, query string
		check       func(t *testing.T)
	}{
		{"meetingInvite", `mutation { r: meetingInvite(input: {meetingID: "` + gid(f.meeting.ID) + `", personIDs: [` + quoted(gids(ids...)) + `]}) { ` + userErrorFields + ` } }`,
			func(t *testing.T) {
				if n := a.ent.Participation.Query().CountX(ctx); n != len(ids) {
					t.Errorf("%d participations, want %d", n, len(ids))
				}
			}},
		{"encounterRecord", `mutation { r: encounterRecord(input: {meetingID: "` + gid(f.meeting.ID) + `", personAID: "` + gid(f.ana.ID) + `", personBID: "` + gid(f.ben.ID) + `", how: INTRODUCTION}) { ` + userErrorFields + ` } }`,
			func(t *testing.T) {
				if n := a.ent.Encounter.Query().Where(encounter.MeetingID(f.meeting.ID)).CountX(ctx); n != 1 {
					t.Errorf("%d encounters, want 1", n)
				}
				if n := a.ent.Relationship.Query().CountX(ctx); n != 1 {
					t.Errorf("%d relationships, want 1", n)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				failures []string
			)
			for range parallel {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res := postRaw(t, a, tc.query, nil)
					var data struct {
						R struct{ UserErrors []userError }
					}
					msg := ""
					switch {
					case len(res.Errors) > 0:
						msg = fmt.Sprintf("errors %+v", res.Errors)
					case json.Unmarshal(res.Data, &data) != nil:
						msg = "undecodable data " + string(res.Data)
					case len(data.R.UserErrors) > 0:
						msg = fmt.Sprintf("userErrors %+v", data.R.UserErrors)
					}
					if msg != "" {
						mu.Lock()
						failures = append(failures, msg)
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if len(failures) > 0 {
				t.Fatalf("%d of %d parallel requests failed, first: %s", len(failures), parallel, failures[0])
			}
			tc.check(t)
		})
	}
}

func quoted(ss []string) string {
	return `"` + strings.Join(ss, `", "`) + `"`
}

// TestPayloadFieldsReadTheMutationsTransactionConcurrently resolves a
// mutation's payload whose fields load edges concurrently, inside the
// mutation's open transaction: a transaction is one connection, and its
// statements must not interleave (on PostgreSQL that broke the connection).
func TestPayloadFieldsReadTheMutationsTransactionConcurrently(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	var ids []int
	for i := range 30 {
		ids = append(ids, addPerson(t, a.ent, f.org, fmt.Sprintf("Guest %d", i), fmt.Sprintf("guest%d@acme.example", i)).ID)
	}
	const query = `mutation($in: MeetingInviteInput!) {
		r: meetingInvite(input: $in) {
			invited {
				id
				a: person { name communities { totalCount } }
				b: person { email }
				meeting { title objectives { totalCount } }
			}
			` + userErrorFields + `
		}
	}`
	for round := range 5 {
		in := map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(ids[round*6 : round*6+6]...)}
		res := postRaw(t, a, query, map[string]any{"in": in})
		var data struct {
			R struct {
				Invited    []struct{ ID string }
				UserErrors []userError
			}
		}
		res.mustData(t, &data)
		if len(data.R.Invited) != 6 || len(data.R.UserErrors) > 0 {
			t.Fatalf("round %d: %s", round, res.Data)
		}
	}
}
