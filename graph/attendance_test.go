package graph_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/lib/pq"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/testenv"
)

// attendance is a meeting with a capacity and invited people, as the tests
// of answers, capacity and the waiting list need it.
type attendance struct {
	meeting *ent.Meeting
	people  []*ent.Person
	parts   []*ent.Participation // in the order of people
}

// newAttendance makes a meeting of org with the given capacity (0: no limit)
// and invites n new people to it as guests. The meeting started an hour ago,
// so that people may check in.
func newAttendance(t *testing.T, c *ent.Client, org *ent.Organization, capacity, n int) *attendance {
	t.Helper()
	ctx := testenv.System()
	start := time.Now().UTC().Truncate(time.Minute).Add(-time.Hour)
	mc := c.Meeting.Create().SetOrganization(org).SetTitle(fmt.Sprintf("Capacity %d", capacity)).
		SetStartsAt(start).SetEndsAt(start.Add(3 * time.Hour)).SetTimeZone("Europe/Paris")
	if capacity > 0 {
		mc.SetCapacity(capacity)
	}
	at := &attendance{meeting: mc.SaveX(ctx)}
	ids := make([]int, n)
	for i := range n {
		m := at.meeting.ID
		p := c.Person.Create().SetOrganization(org).SetName(fmt.Sprintf("Guest %d-%d", m, i)).
			SetEmail(fmt.Sprintf("guest%d-%d@acme.example", m, i)).SaveX(ctx)
		at.people = append(at.people, p)
		ids[i] = p.ID
	}
	if n > 0 {
		res, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: at.meeting.ID, PersonIDs: ids})
		if err != nil {
			t.Fatalf("inviting: %v", err)
		}
		at.parts = res.Invited // in order of person ID, as created
	}
	return at
}

// accept answers ACCEPTED for the first n people directly, in order.
func (at *attendance) accept(t *testing.T, c *ent.Client, n int) {
	t.Helper()
	for _, p := range at.parts[:n] {
		if _, err := planning.Respond(testenv.System(), c, p.ID, participation.StatusAccepted); err != nil {
			t.Fatalf("accepting %d: %v", p.ID, err)
		}
	}
}

// places reads the meeting's places from the database: the IDs of the
// accepted participations (sorted) and of the waiting list in order. It fails
// the test unless the waiting list is numbered 1, 2, … without gap or
// duplicate and only waitlisted people have a position.
func (at *attendance) places(t *testing.T, c *ent.Client) (accepted, waiting []int) {
	t.Helper()
	all := c.Participation.Query().Where(participation.MeetingID(at.meeting.ID)).
		Order(participation.ByWaitlistPosition(), participation.ByID()).AllX(testenv.System())
	for _, p := range all {
		switch {
		case p.Status == participation.StatusWaitlisted:
			if p.WaitlistPosition == nil || *p.WaitlistPosition != len(waiting)+1 {
				t.Fatalf("participation %d is waiting at position %v, want %d (positions 1, 2, … without gaps)",
					p.ID, p.WaitlistPosition, len(waiting)+1)
			}
			waiting = append(waiting, p.ID)
		case p.WaitlistPosition != nil:
			t.Fatalf("participation %d is %s with waiting-list position %d", p.ID, p.Status, *p.WaitlistPosition)
		case p.Status == participation.StatusAccepted:
			if p.AcceptedAt == nil {
				t.Fatalf("participation %d is ACCEPTED without acceptedAt", p.ID)
			}
			accepted = append(accepted, p.ID)
		}
	}
	slices.Sort(accepted)
	return accepted, waiting
}

// wantPlaces checks the accepted people (in any order) and the waiting list
// (in order), given as indexes into at.parts.
func (at *attendance) wantPlaces(t *testing.T, c *ent.Client, accepted, waiting []int) {
	t.Helper()
	ids := func(idx []int) []int {
		out := []int{}
		for _, i := range idx {
			out = append(out, at.parts[i].ID)
		}
		return out
	}
	gotA, gotW := at.places(t, c)
	wantA := ids(accepted)
	slices.Sort(wantA)
	if !slices.Equal(gotA, wantA) || !slices.Equal(gotW, ids(waiting)) {
		t.Fatalf("accepted %v waiting %v, want accepted %v waiting %v", gotA, gotW, wantA, ids(waiting))
	}
}

const placeFields = `id status waitlistPosition acceptedAt respondedAt`

type placeObj struct {
	ID, Status              string
	WaitlistPosition        *int
	AcceptedAt, RespondedAt *string
}

const respondPlaces = `mutation($input: ParticipationRespondInput!) {
	result: participationRespond(input: $input) {
		object: participation { ` + placeFields + ` }
		waitlisted
		promoted { ` + placeFields + ` }
		` + userErrorFields + `
	}
}`

const cancelPlaces = `mutation($input: ParticipationCancelInput!) {
	result: participationCancel(input: $input) {
		object: participation { ` + placeFields + ` }
		promoted { ` + placeFields + ` }
		` + userErrorFields + `
	}
}`

const capacityUpdate = `mutation($id: ID!, $input: UpdateMeetingInput!, $force: Boolean) {
	result: meetingUpdate(id: $id, input: $input, force: $force) {
		object: meeting { id }
		promoted { ` + placeFields + ` }
		movedToWaitlist { ` + placeFields + ` }
		` + userErrorFields + `
	}
}`

// For refuse, which reads only the object and userErrors.
var (
	participationCancel = createMutation("participationCancel", "ParticipationCancelInput", "participation", placeFields)
	capacityRefused     = `mutation($id: ID!, $input: UpdateMeetingInput!, $force: Boolean) {
	result: meetingUpdate(id: $id, input: $input, force: $force) { object: meeting { id } ` + userErrorFields + ` }
}`
)

// placesPayload is the payload of the three mutations above.
type placesPayload struct {
	Object          *placeObj
	Waitlisted      bool
	Promoted        []placeObj
	MovedToWaitlist []placeObj
	UserErrors      []userError
}

// answer posts participationRespond, which must succeed.
func answer(t *testing.T, a *api, p *ent.Participation, ans string) placesPayload {
	t.Helper()
	var rsp struct{ Result placesPayload }
	post(t, a, respondPlaces, &rsp, client.Var("input", map[string]any{"participationID": gid(p.ID), "answer": ans}))
	if len(rsp.Result.UserErrors) > 0 || rsp.Result.Object == nil {
		t.Fatalf("participationRespond %s = %+v", ans, rsp.Result)
	}
	return rsp.Result
}

// promotedIDs are the IDs of the promoted participations of a payload.
func promotedIDs(ps []placeObj) []string {
	out := []string{}
	for _, p := range ps {
		if p.Status != "ACCEPTED" || p.WaitlistPosition != nil || p.AcceptedAt == nil {
			return append(out, "not accepted: "+p.ID)
		}
		out = append(out, p.ID)
	}
	return out
}

func partIDs(ps ...*ent.Participation) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, gid(p.ID))
	}
	return out
}

func TestAnswers(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 1, 3)

	t.Run("ACCEPTED takes a free place", func(t *testing.T) {
		r := answer(t, a, at.parts[0], "ACCEPTED")
		if r.Object.Status != "ACCEPTED" || r.Waitlisted || r.Object.WaitlistPosition != nil || r.Object.AcceptedAt == nil ||
			r.Object.RespondedAt == nil || len(r.Promoted) != 0 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0}, nil)
	})
	t.Run("TENTATIVE takes no place and does not wait", func(t *testing.T) {
		r := answer(t, a, at.parts[1], "TENTATIVE")
		if r.Object.Status != "TENTATIVE" || r.Waitlisted || r.Object.WaitlistPosition != nil || r.Object.AcceptedAt != nil {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0}, nil)
	})
	t.Run("ACCEPTED on a full meeting puts the person on the waiting list and says so", func(t *testing.T) {
		r := answer(t, a, at.parts[1], "ACCEPTED")
		if r.Object.Status != "WAITLISTED" || !r.Waitlisted || r.Object.WaitlistPosition == nil || *r.Object.WaitlistPosition != 1 ||
			r.Object.AcceptedAt != nil {
			t.Fatalf("payload = %+v", r)
		}
		r = answer(t, a, at.parts[2], "ACCEPTED")
		if !r.Waitlisted || *r.Object.WaitlistPosition != 2 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0}, []int{1, 2})
	})
	t.Run("accepting again keeps the place on the waiting list", func(t *testing.T) {
		r := answer(t, a, at.parts[1], "ACCEPTED")
		if !r.Waitlisted || *r.Object.WaitlistPosition != 1 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0}, []int{1, 2})
	})
	t.Run("TENTATIVE from the accepted person promotes the first waiting", func(t *testing.T) {
		r := answer(t, a, at.parts[0], "TENTATIVE")
		if r.Object.Status != "TENTATIVE" || r.Object.AcceptedAt != nil || !slices.Equal(promotedIDs(r.Promoted), partIDs(at.parts[1])) {
			t.Fatalf("payload = %+v, want %d promoted", r, at.parts[1].ID)
		}
		at.wantPlaces(t, a.ent, []int{1}, []int{2})
	})
	t.Run("a waiting person who declines leaves the list and promotes nobody", func(t *testing.T) {
		answer(t, a, at.parts[0], "ACCEPTED") // back, behind parts[2]
		at.wantPlaces(t, a.ent, []int{1}, []int{2, 0})
		r := answer(t, a, at.parts[2], "DECLINED")
		if r.Object.Status != "DECLINED" || r.Object.WaitlistPosition != nil || len(r.Promoted) != 0 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{1}, []int{0})
	})
	t.Run("an accepted person who declines frees the place for the first waiting", func(t *testing.T) {
		r := answer(t, a, at.parts[1], "DECLINED")
		if r.Object.Status != "DECLINED" || !slices.Equal(promotedIDs(r.Promoted), partIDs(at.parts[0])) {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0}, nil)
	})
	t.Run("a checked-in person cannot answer TENTATIVE", func(t *testing.T) {
		a.ent.Participation.UpdateOneID(at.parts[0].ID).SetCheckedInAt(mustParse("2030-06-01T09:05:00Z")).ExecX(testenv.System())
		refuse(t, a, participationRespond, wantError{"answer", "CONFLICT", []string{"answer: participation ", "is checked in: cannot answer tentatively"}},
			client.Var("input", map[string]any{"participationID": gid(at.parts[0].ID), "answer": "TENTATIVE"}))
	})
}

func TestParticipationCancel(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	at := newAttendance(t, a.ent, f.org, 2, 5)
	at.accept(t, a.ent, 5) // 0, 1 accepted; 2, 3, 4 waiting

	cancel := func(t *testing.T, p *ent.Participation) placesPayload {
		t.Helper()
		var rsp struct{ Result placesPayload }
		post(t, a, cancelPlaces, &rsp, client.Var("input", map[string]any{"participationID": gid(p.ID)}))
		if len(rsp.Result.UserErrors) > 0 || rsp.Result.Object == nil {
			t.Fatalf("participationCancel = %+v", rsp.Result)
		}
		return rsp.Result
	}
	t.Run("cancelling an accepted person keeps the record and promotes the first waiting", func(t *testing.T) {
		before := a.ent.Participation.Query().Where(participation.MeetingID(at.meeting.ID)).CountX(ctx)
		r := cancel(t, at.parts[0])
		if r.Object.Status != "CANCELLED" || r.Object.AcceptedAt != nil || !slices.Equal(promotedIDs(r.Promoted), partIDs(at.parts[2])) {
			t.Fatalf("payload = %+v", r)
		}
		if n := a.ent.Participation.Query().Where(participation.MeetingID(at.meeting.ID)).CountX(ctx); n != before {
			t.Fatalf("%d participations after cancelling, want %d: the record stays", n, before)
		}
		if got := a.ent.Participation.GetX(ctx, at.parts[0].ID); got.Status != participation.StatusCancelled || got.RespondedAt == nil {
			t.Fatalf("stored participation = %+v, want CANCELLED with its answer time kept", got)
		}
		at.wantPlaces(t, a.ent, []int{1, 2}, []int{3, 4})
	})
	t.Run("cancelling a waiting person closes up the positions", func(t *testing.T) {
		r := cancel(t, at.parts[3])
		if r.Object.Status != "CANCELLED" || r.Object.WaitlistPosition != nil || len(r.Promoted) != 0 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{1, 2}, []int{4})
	})
	for _, tc := range []struct {
		name     string
		mutation string
		input    map[string]any
		want     wantError
	}{
		{"cancelling twice is a conflict", participationCancel, map[string]any{"participationID": gid(at.parts[0].ID)},
			wantError{"participationID", "CONFLICT", []string{"participationID: participation " + gid(at.parts[0].ID) + " is already cancelled"}}},
		{"a cancelled person cannot answer", participationRespond, map[string]any{"participationID": gid(at.parts[0].ID), "answer": "ACCEPTED"},
			wantError{"participationID", "CONFLICT", []string{"was cancelled: cannot answer it"}}},
		{"an unknown participation is not found", participationCancel, map[string]any{"participationID": gid(missingID)},
			wantError{"participationID", "NOT_FOUND", []string{"participationID: no participation with ID " + gid(missingID)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, tc.mutation, tc.want, client.Var("input", tc.input))
		})
	}
	t.Run("a checked-in person cannot be cancelled", func(t *testing.T) {
		a.ent.Participation.UpdateOneID(at.parts[1].ID).SetCheckedInAt(mustParse("2030-06-01T09:05:00Z")).ExecX(ctx)
		refuse(t, a, participationCancel, wantError{"participationID", "CONFLICT", []string{"is checked in: cannot cancel it"}},
			client.Var("input", map[string]any{"participationID": gid(at.parts[1].ID)}))
	})
}

func TestCapacityChange(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 3, 7)
	at.accept(t, a.ent, 7) // 0, 1, 2 accepted; 3, 4, 5, 6 waiting

	update := func(t *testing.T, input map[string]any, force bool) placesPayload {
		t.Helper()
		var rsp struct{ Result placesPayload }
		post(t, a, capacityUpdate, &rsp, client.Var("id", gid(at.meeting.ID)), client.Var("input", input), client.Var("force", force))
		if len(rsp.Result.UserErrors) > 0 || rsp.Result.Object == nil {
			t.Fatalf("meetingUpdate = %+v", rsp.Result)
		}
		return rsp.Result
	}
	t.Run("a larger capacity promotes the first waiting, in order", func(t *testing.T) {
		r := update(t, map[string]any{"capacity": 5}, false)
		if !slices.Equal(promotedIDs(r.Promoted), partIDs(at.parts[3], at.parts[4])) || len(r.MovedToWaitlist) != 0 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0, 1, 2, 3, 4}, []int{5, 6})
	})
	t.Run("a capacity below the people accepted is refused without force", func(t *testing.T) {
		refuse(t, a, capacityRefused, wantError{"capacity", "CONFLICT", []string{"capacity: 3 is below the 5 people accepted", "last 2 accepted"}},
			client.Var("id", gid(at.meeting.ID)), client.Var("input", map[string]any{"capacity": 3}))
	})
	t.Run("changing other fields leaves the places alone", func(t *testing.T) {
		r := update(t, map[string]any{"title": "Renamed"}, false)
		if len(r.Promoted)+len(r.MovedToWaitlist) != 0 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0, 1, 2, 3, 4}, []int{5, 6})
	})
	t.Run("force moves the latest accepted back to the front of the waiting list", func(t *testing.T) {
		r := update(t, map[string]any{"capacity": 3}, true)
		want := partIDs(at.parts[3], at.parts[4]) // promoted last, in that order
		var got []string
		for i, p := range r.MovedToWaitlist {
			if p.Status != "WAITLISTED" || p.WaitlistPosition == nil || *p.WaitlistPosition != i+1 || p.AcceptedAt != nil {
				t.Fatalf("moved = %+v", p)
			}
			got = append(got, p.ID)
		}
		if !slices.Equal(got, want) || len(r.Promoted) != 0 {
			t.Fatalf("payload = %+v, want %v moved", r, want)
		}
		at.wantPlaces(t, a.ent, []int{0, 1, 2}, []int{3, 4, 5, 6})
	})
	t.Run("no limit promotes everybody waiting", func(t *testing.T) {
		r := update(t, map[string]any{"clearCapacity": true}, false)
		if len(r.Promoted) != 4 {
			t.Fatalf("payload = %+v", r)
		}
		at.wantPlaces(t, a.ent, []int{0, 1, 2, 3, 4, 5, 6}, nil)
	})
}

func TestCapacityAndHosts(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	at := newAttendance(t, a.ent, f.org, 1, 3)
	a.ent.Participation.UpdateOneID(at.parts[0].ID).SetRole(participation.RoleHost).ExecX(ctx)

	t.Run("a host takes a place by default", func(t *testing.T) {
		answer(t, a, at.parts[0], "ACCEPTED")
		if r := answer(t, a, at.parts[1], "ACCEPTED"); !r.Waitlisted {
			t.Fatalf("payload = %+v, want the guest waitlisted", r)
		}
	})
	t.Run("a capacity that leaves hosts out promotes the guest", func(t *testing.T) {
		var rsp struct{ Result placesPayload }
		post(t, a, capacityUpdate, &rsp, client.Var("id", gid(at.meeting.ID)), client.Var("input", map[string]any{"capacityIncludesHosts": false}))
		if !slices.Equal(promotedIDs(rsp.Result.Promoted), partIDs(at.parts[1])) {
			t.Fatalf("payload = %+v", rsp.Result)
		}
		if r := answer(t, a, at.parts[2], "ACCEPTED"); !r.Waitlisted || *r.Object.WaitlistPosition != 1 {
			t.Fatalf("payload = %+v, want the second guest waitlisted", r)
		}
		at.wantPlaces(t, a.ent, []int{0, 1}, []int{2})
	})
	t.Run("counting hosts again is refused while that overbooks", func(t *testing.T) {
		refuse(t, a, capacityRefused, wantError{"capacity", "CONFLICT", []string{"capacity: 1 is below the 2 people accepted"}},
			client.Var("id", gid(at.meeting.ID)), client.Var("input", map[string]any{"capacityIncludesHosts": true}))
	})
}

func TestCheckInOfAFullMeeting(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 1, 3)
	at.accept(t, a.ent, 2) // 0 accepted, 1 waiting

	t.Run("a waiting person cannot check in", func(t *testing.T) {
		refuse(t, a, participationCheckIn, wantError{"participationID", "CONFLICT", []string{"is full", "on the waiting list at position 1"}},
			client.Var("input", map[string]any{"participationID": gid(at.parts[1].ID)}))
	})
	t.Run("nor can someone who did not answer", func(t *testing.T) {
		refuse(t, a, participationCheckIn, wantError{"participationID", "CONFLICT", []string{"is full"}},
			client.Var("input", map[string]any{"participationID": gid(at.parts[2].ID)}))
	})
	t.Run("the accepted person checks in", func(t *testing.T) {
		succeed[participationState](t, a, participationCheckIn, client.Var("input", map[string]any{"participationID": gid(at.parts[0].ID)}))
	})
}

// parallel sends query once per variables at the same time and returns the
// payloads; every request must succeed without userErrors.
func parallel(t *testing.T, a *api, query string, vars []map[string]any) []placesPayload {
	t.Helper()
	reqs := make([]placesRequest, len(vars))
	for i, v := range vars {
		reqs[i] = placesRequest{query, v}
	}
	return parallelRequests(t, a, reqs)
}

// placesRequest is one request of parallelRequests.
type placesRequest struct {
	query string
	vars  map[string]any
}

// parallelRequests sends the requests at the same time, each returning a
// placesPayload as result, and returns the payloads; every request must
// succeed without userErrors.
func parallelRequests(t *testing.T, a *api, reqs []placesRequest) []placesPayload {
	t.Helper()
	a.bearer(t) // create the token before the parallel requests
	out := make([]placesPayload, len(reqs))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []string
	)
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := postRaw(t, a, r.query, r.vars)
			var data struct{ Result placesPayload }
			msg := ""
			switch {
			case len(res.Errors) > 0:
				msg = fmt.Sprintf("errors %+v", res.Errors)
			case json.Unmarshal(res.Data, &data) != nil:
				msg = "undecodable data " + string(res.Data)
			case len(data.Result.UserErrors) > 0 || data.Result.Object == nil:
				msg = fmt.Sprintf("payload %+v", data.Result)
			}
			mu.Lock()
			defer mu.Unlock()
			if msg != "" {
				failures = append(failures, msg)
			}
			out[i] = data.Result
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d parallel requests failed, first: %s", len(failures), len(reqs), failures[0])
	}
	return out
}

// TestParallelAccepts: 50 people accept a meeting of 10 places at once; the
// meeting's row lock makes them take turns, so exactly 10 get a place and 40
// wait at positions 1..40, each told so by its payload.
func TestParallelAccepts(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 10, 50)
	var vars []map[string]any
	for _, p := range at.parts {
		vars = append(vars, map[string]any{"input": map[string]any{"participationID": gid(p.ID), "answer": "ACCEPTED"}})
	}
	payloads := parallel(t, a, respondPlaces, vars)
	accepted, waiting := at.places(t, a.ent) // fails on a gap or a duplicate position
	if len(accepted) != 10 || len(waiting) != 40 {
		t.Fatalf("%d accepted and %d waiting, want 10 and 40", len(accepted), len(waiting))
	}
	positions := map[int]bool{}
	for _, p := range payloads {
		switch {
		case p.Object.Status == "ACCEPTED" && !p.Waitlisted:
		case p.Object.Status == "WAITLISTED" && p.Waitlisted && p.Object.WaitlistPosition != nil:
			positions[*p.Object.WaitlistPosition] = true
		default:
			t.Fatalf("payload = %+v", p)
		}
	}
	if len(positions) != 40 {
		t.Fatalf("the payloads told %d distinct positions, want 40", len(positions))
	}
	t.Logf("%s: 10 ACCEPTED, 40 WAITLISTED at 1..40", dbName())
}

// TestParallelDeclines: 20 of 20 accepted people decline at once with 25
// waiting: exactly 20 are promoted, each once, in the order of the list, and
// the 5 left wait at 1..5.
func TestParallelDeclines(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 20, 45)
	at.accept(t, a.ent, 45)
	_, waitingBefore := at.places(t, a.ent)
	var vars []map[string]any
	for _, p := range at.parts[:20] {
		vars = append(vars, map[string]any{"input": map[string]any{"participationID": gid(p.ID), "answer": "DECLINED"}})
	}
	payloads := parallel(t, a, respondPlaces, vars)
	promoted := map[string]int{}
	for _, p := range payloads {
		for _, id := range promotedIDs(p.Promoted) {
			promoted[id]++
		}
	}
	accepted, waiting := at.places(t, a.ent)
	var want []int
	for _, id := range waitingBefore[:20] {
		want = append(want, id)
		if promoted[gid(id)] != 1 {
			t.Errorf("participation %d was reported promoted %d times, want once", id, promoted[gid(id)])
		}
	}
	slices.Sort(want)
	if len(promoted) != 20 || !slices.Equal(accepted, want) || !slices.Equal(waiting, waitingBefore[20:]) {
		t.Fatalf("promoted %v; accepted %v waiting %v; want accepted %v waiting %v", promoted, accepted, waiting, want, waitingBefore[20:])
	}
	t.Logf("%s: 20 declines promoted exactly 20, 5 left waiting at 1..5", dbName())
}

// TestParallelAcceptsWhileACapacityIsSet: 40 people accept a meeting
// without a capacity while, at the same time, a planner gives it 10 places
// (forced). Answers to a meeting without a capacity run side by side, but
// each sees the capacity as it is when it locks the meeting, and the
// capacity's change waits for those already running: whatever the order,
// 10 end with a place and 30 wait at 1..30.
func TestParallelAcceptsWhileACapacityIsSet(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 0, 40)
	var reqs []placesRequest
	for i, p := range at.parts {
		reqs = append(reqs, placesRequest{respondPlaces, map[string]any{"input": map[string]any{"participationID": gid(p.ID), "answer": "ACCEPTED"}}})
		if i == len(at.parts)/2 {
			reqs = append(reqs, placesRequest{capacityUpdate, map[string]any{"id": gid(at.meeting.ID), "input": map[string]any{"capacity": 10}, "force": true}})
		}
	}
	parallelRequests(t, a, reqs)
	accepted, waiting := at.places(t, a.ent) // fails on a gap or a duplicate position
	if len(accepted) != 10 || len(waiting) != 30 {
		t.Fatalf("%d accepted and %d waiting, want 10 and 30", len(accepted), len(waiting))
	}
}

// TestAnswersToAMeetingWithoutCapacityDoNotWait: on PostgreSQL, an answer
// to a meeting without a capacity does not wait for another answer to the
// same meeting that is still in its transaction (it would with the
// meeting's exclusive lock), but an answer to the same participation does,
// and so does a change of the meeting.
func TestAnswersToAMeetingWithoutCapacityDoNotWait(t *testing.T) {
	if !testenv.Postgres() {
		t.Skip("SQLite runs one write transaction at a time")
	}
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 0, 3)
	ctx := testenv.System()
	first, err := a.ent.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback()
	if _, err := planning.Respond(ctx, first.Client(), at.parts[0].ID, participation.StatusAccepted); err != nil {
		t.Fatal(err)
	}
	// answer runs an answer in its own transaction that gives up waiting for
	// a lock after 2 s (lock_timeout), and commits it.
	answer := func(p *ent.Participation) error {
		tx, err := a.ent.Tx(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "SET LOCAL lock_timeout = '2s'"); err != nil {
			return err
		}
		if _, err := planning.Respond(ctx, tx.Client(), p.ID, participation.StatusTentative); err != nil {
			return err
		}
		return tx.Commit()
	}
	if err := answer(at.parts[1]); err != nil {
		t.Fatalf("another answer to the meeting waited for the first: %v", err)
	}
	if err := answer(at.parts[0]); !lockTimeout(err) {
		t.Fatalf("an answer to the same participation = %v, want it to wait for the first (lock timeout)", err)
	}
	one := 1
	change, err := a.ent.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer change.Rollback()
	if _, err := change.ExecContext(ctx, "SET LOCAL lock_timeout = '2s'"); err != nil {
		t.Fatal(err)
	}
	_, err = planning.UpdateMeeting(ctx, change.Client(), at.meeting.ID, ent.UpdateMeetingInput{Capacity: &one}, true)
	if !lockTimeout(err) {
		t.Fatalf("a capacity set during the answer = %v, want it to wait for the answer (lock timeout)", err)
	}
}

// lockTimeout reports whether err is PostgreSQL's lock_timeout.
func lockTimeout(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "55P03"
}

func dbName() string {
	if testenv.Postgres() {
		return "PostgreSQL"
	}
	return "SQLite"
}
