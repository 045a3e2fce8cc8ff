package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/testenv"
)

// vipWorld is an organization with an OPEN, an INVITE_ONLY and a VIP
// meeting; Ana and Ben take part in each, met at the OPEN and the VIP one,
// and gave feedback about both.
type vipWorld struct {
	a                    *api
	f                    *fixture
	open, invite, vip    *ent.Meeting
	vipRecords           map[string]int // a VIP participation, encounter and feedback
	openRecords          map[string]int
	owner, planner, view string
}

func newVIPWorld(t *testing.T) *vipWorld {
	t.Helper()
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	w := &vipWorld{a: a, f: f, vipRecords: map[string]int{}, openRecords: map[string]int{}}
	// The meetings took place a few hours ago: encounters and feedback need
	// people checked in, at a meeting that has started.
	start := time.Now().UTC().Add(-4 * time.Hour).Truncate(time.Minute)
	mk := func(title string, vis meeting.Visibility) *ent.Meeting {
		return a.ent.Meeting.Create().SetOrganization(f.org).SetTitle(title).SetVisibility(vis).
			SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx)
	}
	w.open = mk("Networking evening", meeting.VisibilityOpen)
	w.invite = mk("Board dinner", meeting.VisibilityInviteOnly)
	w.vip = mk("Founders' circle", meeting.VisibilityVip)
	for _, m := range []*ent.Meeting{w.open, w.invite, w.vip} {
		res, err := planning.Invite(ctx, a.ent, planning.Invitation{MeetingID: m.ID, PersonIDs: []int{f.ana.ID, f.ben.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if m == w.vip {
			w.vipRecords["participation"] = res.Invited[0].ID
		}
		if m == w.open {
			w.openRecords["participation"] = res.Invited[0].ID
		}
	}
	for _, m := range []*ent.Meeting{w.open, w.vip} {
		a.ent.Participation.Update().Where(participation.MeetingID(m.ID)).
			SetStatus(participation.StatusAccepted).SetAcceptedAt(start).SetCheckedInAt(start.Add(5 * time.Minute)).ExecX(ctx)
		e := a.ent.Encounter.Create().SetMeetingID(m.ID).SetPersonAID(f.ana.ID).SetPersonBID(f.ben.ID).
			SetHow("SAME_TABLE").SetOccurredAt(start.Add(30 * time.Minute)).SaveX(ctx)
		fb := a.ent.Feedback.Create().SetMeetingID(m.ID).SetPersonID(f.ana.ID).SetRating(5).SaveX(ctx)
		recs := w.openRecords
		if m == w.vip {
			recs = w.vipRecords
		}
		fu := a.ent.FollowUp.Create().SetMeetingID(m.ID).SetOwnerID(f.ana.ID).SetTitle("Thank the hosts").SaveX(ctx)
		recs["encounter"], recs["feedback"], recs["followUp"] = e.ID, fb.ID, fu.ID
	}
	w.owner = tokenFor(t, a.ent, "acme", membership.RoleOwner)
	w.planner = tokenFor(t, a.ent, "acme", membership.RolePlanner)
	w.view = tokenFor(t, a.ent, "acme", membership.RoleViewer)
	return w
}

// as posts query with token.
func (w *vipWorld) as(t *testing.T, token, query string, vars map[string]any) rawResult {
	t.Helper()
	w.a.token = token
	return postRaw(t, w.a, query, vars)
}

// vipCounts is what a role should count: the VIP meeting's records or not.
type vipCounts struct{ participations, encounters, feedbacks int }

// TestVIPFollowUpsHiddenBelowPlanner: the follow-ups of a VIP meeting name
// its guests (owner, people concerned); a VIEWER does not see them.
func TestVIPFollowUpsHiddenBelowPlanner(t *testing.T) {
	w := newVIPWorld(t)
	for _, r := range []struct {
		name, token string
		want        int
	}{{"OWNER", w.owner, 2}, {"PLANNER", w.planner, 2}, {"VIEWER", w.view, 1}} {
		var got struct {
			FollowUps struct{ TotalCount int }
			Node      struct{ FollowUps struct{ TotalCount int } }
		}
		w.as(t, r.token, `query($p: ID!) { followUps { totalCount } node(id: $p) { ... on Person { followUps { totalCount } } } }`,
			map[string]any{"p": gid(w.f.ana.ID)}).mustData(t, &got)
		if got.FollowUps.TotalCount != r.want || got.Node.FollowUps.TotalCount != r.want {
			t.Errorf("%s: %d follow-ups, %d through Ana; want %d", r.name, got.FollowUps.TotalCount, got.Node.FollowUps.TotalCount, r.want)
		}
	}
}

func TestVIPGuestListIsolation(t *testing.T) {
	w := newVIPWorld(t)
	// Everyone: 3 meetings × 2 participations, 2 encounters, 2 feedbacks.
	all := vipCounts{6, 2, 2}
	hidden := vipCounts{4, 1, 1}
	roles := []struct {
		name, token string
		want        vipCounts
		seesVIP     bool
	}{
		{"OWNER", w.owner, all, true},
		{"PLANNER", w.planner, all, true},
		{"VIEWER", w.view, hidden, false},
	}
	for _, r := range roles {
		t.Run(r.name+" root connections and totalCount", func(t *testing.T) {
			var got struct {
				Participations, Encounters, Feedbacks struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID string } }
				}
			}
			w.as(t, r.token, `{
				participations { totalCount edges { node { id } } }
				encounters { totalCount edges { node { id } } }
				feedbacks { totalCount edges { node { id } } }
			}`, nil).mustData(t, &got)
			if g := (vipCounts{got.Participations.TotalCount, got.Encounters.TotalCount, got.Feedbacks.TotalCount}); g != r.want {
				t.Errorf("totalCounts = %+v, want %+v", g, r.want)
			}
			if g := (vipCounts{len(got.Participations.Edges), len(got.Encounters.Edges), len(got.Feedbacks.Edges)}); g != r.want {
				t.Errorf("edges = %+v, want %+v", g, r.want)
			}
		})
		t.Run(r.name+" node and nodes of VIP records", func(t *testing.T) {
			for kind, id := range w.vipRecords {
				res := w.as(t, r.token, `query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`,
					map[string]any{"id": gid(id)})
				var got struct {
					Node  *struct{ ID string }
					Nodes []*struct{ ID string }
				}
				if len(res.Data) > 0 && string(res.Data) != "null" {
					if err := json.Unmarshal(res.Data, &got); err != nil {
						t.Fatal(err)
					}
				}
				seen := got.Node != nil || (len(got.Nodes) == 1 && got.Nodes[0] != nil)
				if seen != r.seesVIP {
					t.Errorf("%s %d: seen = %v, want %v (%s, %+v)", kind, id, seen, r.seesVIP, res.Data, res.Errors)
				}
				if r.seesVIP && len(res.Errors) > 0 {
					t.Errorf("%s: errors %+v", kind, res.Errors)
				}
			}
			for kind, id := range w.openRecords {
				var got struct{ Node *struct{ ID string } }
				w.as(t, r.token, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid(id)}).mustData(t, &got)
				if got.Node == nil {
					t.Errorf("the %s of the OPEN meeting is hidden", kind)
				}
			}
		})
		t.Run(r.name+" meeting edges", func(t *testing.T) {
			for _, m := range []*ent.Meeting{w.open, w.invite, w.vip} {
				var got struct {
					Node struct {
						Title                                 string
						StartsAt                              string
						Participations, Encounters, Feedbacks struct {
							TotalCount int
							Edges      []struct{ Node struct{ ID string } }
						}
					}
				}
				w.as(t, r.token, `query($id: ID!) { node(id: $id) { ... on Meeting {
					title startsAt
					participations { totalCount edges { node { id } } }
					encounters { totalCount edges { node { id } } }
					feedbacks { totalCount edges { node { id } } }
				} } }`, map[string]any{"id": gid(m.ID)}).mustData(t, &got)
				if got.Node.Title != m.Title || got.Node.StartsAt == "" {
					t.Errorf("meeting %s: title %q, startsAt %q: the meeting itself must stay visible", m.Title, got.Node.Title, got.Node.StartsAt)
				}
				want := vipCounts{2, 0, 0}
				if m == w.open {
					want = vipCounts{2, 1, 1}
				}
				if m == w.vip {
					want = vipCounts{2, 1, 1}
					if !r.seesVIP {
						want = vipCounts{}
					}
				}
				n := got.Node
				if g := (vipCounts{n.Participations.TotalCount, n.Encounters.TotalCount, n.Feedbacks.TotalCount}); g != want {
					t.Errorf("meeting %s: totalCounts %+v, want %+v", m.Title, g, want)
				}
				if g := (vipCounts{len(n.Participations.Edges), len(n.Encounters.Edges), len(n.Feedbacks.Edges)}); g != want {
					t.Errorf("meeting %s: edges %+v, want %+v", m.Title, g, want)
				}
			}
		})
		t.Run(r.name+" person edges", func(t *testing.T) {
			var got struct {
				Node struct {
					Participations struct {
						TotalCount int
						Edges      []struct {
							Node struct{ Meeting struct{ ID string } }
						}
					}
					Feedbacks struct{ TotalCount int }
				}
			}
			w.as(t, r.token, `query($id: ID!) { node(id: $id) { ... on Person {
				participations { totalCount edges { node { meeting { id } } } }
				feedbacks { totalCount }
			} } }`, map[string]any{"id": gid(w.f.ana.ID)}).mustData(t, &got)
			wantP, wantF := 3, 2
			if !r.seesVIP {
				wantP, wantF = 2, 1
			}
			if got.Node.Participations.TotalCount != wantP || len(got.Node.Participations.Edges) != wantP || got.Node.Feedbacks.TotalCount != wantF {
				t.Errorf("Ana: %+v, want %d participations and %d feedbacks", got.Node, wantP, wantF)
			}
			for _, e := range got.Node.Participations.Edges {
				if !r.seesVIP && e.Node.Meeting.ID == gid(w.vip.ID) {
					t.Errorf("Ana's participation in the VIP meeting is visible")
				}
			}
		})
		t.Run(r.name+" where-filters on the records", func(t *testing.T) {
			var got struct {
				Participations, Encounters, Feedbacks struct{ TotalCount int }
			}
			w.as(t, r.token, `query($m: ID!) {
				participations(where: {meetingID: $m}) { totalCount }
				encounters(where: {hasMeetingWith: {visibility: VIP}}) { totalCount }
				feedbacks(where: {meetingID: $m}) { totalCount }
			}`, map[string]any{"m": gid(w.vip.ID)}).mustData(t, &got)
			want := vipCounts{2, 1, 1}
			if !r.seesVIP {
				want = vipCounts{}
			}
			if g := (vipCounts{got.Participations.TotalCount, got.Encounters.TotalCount, got.Feedbacks.TotalCount}); g != want {
				t.Errorf("VIP records filtered: %+v, want %+v", g, want)
			}
		})
		// Predicate subqueries through participations, encounters, feedback
		// or follow-ups are not filtered by ent privacy: they are refused.
		filters := []struct {
			name, query string
		}{
			{"meetings hasParticipationsWith", `query($m: ID!, $p: ID!) { meetings(where: {hasParticipationsWith: {personID: $p}, id: $m}) { totalCount } }`},
			{"meetings hasParticipations", `query($m: ID!) { meetings(where: {hasParticipations: true, id: $m}) { totalCount } }`},
			{"meetings hasEncountersWith", `query($m: ID!) { meetings(where: {hasEncountersWith: {howNEQ: BADGE_SCAN}, id: $m}) { totalCount } }`},
			{"meetings hasFeedbacksWith", `query($m: ID!) { meetings(where: {hasFeedbacksWith: {ratingGTE: 1}, id: $m}) { totalCount } }`},
			{"people hasParticipationsWith", `query($m: ID!) { people(where: {hasParticipationsWith: {meetingID: $m}}) { totalCount } }`},
			{"people hasFeedbacksWith", `query($m: ID!) { people(where: {hasFeedbacksWith: {meetingID: $m}}) { totalCount } }`},
			{"people hasFollowUpsWith", `query($m: ID!) { people(where: {hasFollowUpsWith: {meetingID: $m}}) { totalCount } }`},
			{"meetings hasFollowUps", `query($m: ID!) { meetings(where: {hasFollowUps: true, id: $m}) { totalCount } }`},
			{"nested under an edge", `query($m: ID!) { communities { edges { node { members(where: {or: [{hasParticipationsWith: [{meetingID: $m}]}]}) { totalCount } } } } }`},
			{"through a variable", `query($m: ID!, $w: PersonWhereInput) { people(where: $w) { totalCount } meetings(where: {id: $m}) { totalCount } }`},
		}
		for _, fl := range filters {
			t.Run(r.name+" "+fl.name, func(t *testing.T) {
				vars := map[string]any{"m": gid(w.vip.ID), "p": gid(w.f.ana.ID),
					"w": map[string]any{"hasParticipationsWith": []any{map[string]any{"meetingID": gid(w.vip.ID)}}}}
				if !strings.Contains(fl.query, "$p") {
					delete(vars, "p")
				}
				if !strings.Contains(fl.query, "$w") {
					delete(vars, "w")
				}
				res := w.as(t, r.token, fl.query, vars)
				if r.seesVIP {
					var got map[string]any
					res.mustData(t, &got)
					if !strings.Contains(string(res.Data), `"totalCount":1`) && !strings.Contains(string(res.Data), `"totalCount":2`) {
						t.Errorf("the filter finds nothing: %s", res.Data)
					}
					return
				}
				if len(res.Errors) != 1 || res.Errors[0].code() != "FORBIDDEN" || !res.dataIsNull() {
					t.Fatalf("want one FORBIDDEN error and no data, got %s %+v", res.Data, res.Errors)
				}
			})
		}
	}
}

// TestMeetingRegister registers people for meetings through the API.
func TestMeetingRegister(t *testing.T) {
	w := newVIPWorld(t)
	ctx := testenv.System()
	c := w.a.ent
	small := c.Meeting.Create().SetOrganization(w.f.org).SetTitle("Small talk").SetCapacity(1).
		SetStartsAt(time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)).SetEndsAt(time.Date(2030, 5, 1, 10, 0, 0, 0, time.UTC)).
		SetTimeZone("Europe/Paris").SaveX(ctx)
	cleo := c.Person.Create().SetOrganization(w.f.org).SetName("Cleo").SetEmail("cleo@acme.example").SaveX(ctx)
	other := c.Organization.Create().SetName("Other").SetSlug("other").SaveX(ctx)
	otherMeeting := c.Meeting.Create().SetOrganization(other).SetTitle("Theirs").
		SetStartsAt(time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)).SetEndsAt(time.Date(2030, 5, 1, 10, 0, 0, 0, time.UTC)).
		SetTimeZone("Europe/Paris").SaveX(ctx)

	const register = `mutation($m: ID!, $p: ID!) { meetingRegister(input: {meetingID: $m, personID: $p}) {
		participation { id status role waitlistPosition meeting { id } person { id } }
		waitlisted
		userErrors { field message code }
	} }`
	type result struct {
		MeetingRegister struct {
			Participation *struct {
				ID, Status, Role string
				WaitlistPosition *int
			}
			Waitlisted bool
			UserErrors []userError
		}
	}
	reg := func(t *testing.T, token string, m, p int) result {
		t.Helper()
		var got result
		w.as(t, token, register, map[string]any{"m": gid(m), "p": gid(p)}).mustData(t, &got)
		return got
	}

	var first string
	t.Run("OPEN meeting with room: ACCEPTED, as GUEST", func(t *testing.T) {
		got := reg(t, w.planner, small.ID, w.f.ana.ID).MeetingRegister
		if len(got.UserErrors) > 0 || got.Participation == nil {
			t.Fatalf("%+v", got)
		}
		if p := got.Participation; p.Status != "ACCEPTED" || p.Role != "GUEST" || got.Waitlisted {
			t.Errorf("got %+v, waitlisted %v", p, got.Waitlisted)
		}
		first = got.Participation.ID
	})
	t.Run("OPEN meeting full: WAITLISTED", func(t *testing.T) {
		got := reg(t, w.owner, small.ID, w.f.ben.ID).MeetingRegister
		if got.Participation == nil || got.Participation.Status != "WAITLISTED" || !got.Waitlisted ||
			got.Participation.WaitlistPosition == nil || *got.Participation.WaitlistPosition != 1 {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("twice: the same participation, unchanged", func(t *testing.T) {
		got := reg(t, w.planner, small.ID, w.f.ana.ID).MeetingRegister
		if got.Participation == nil || got.Participation.ID != first || got.Participation.Status != "ACCEPTED" || got.Waitlisted {
			t.Fatalf("%+v", got)
		}
		again := reg(t, w.planner, small.ID, w.f.ben.ID).MeetingRegister
		if again.Participation == nil || again.Participation.Status != "WAITLISTED" || !again.Waitlisted || *again.Participation.WaitlistPosition != 1 {
			t.Fatalf("%+v", again)
		}
		if n := c.Participation.Query().CountX(testenv.System()); n != 8 { // 6 of the world, 2 here
			t.Errorf("%d participations, want 8", n)
		}
	})
	t.Run("an invited person of an OPEN meeting accepts", func(t *testing.T) {
		inv, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: w.f.meeting.ID, PersonIDs: []int{w.f.ana.ID}})
		if err != nil {
			t.Fatal(err)
		}
		got := reg(t, w.planner, w.f.meeting.ID, w.f.ana.ID).MeetingRegister
		if got.Participation == nil || got.Participation.ID != gid(inv.Invited[0].ID) || got.Participation.Status != "ACCEPTED" {
			t.Fatalf("%+v (want participation %d)", got, inv.Invited[0].ID)
		}
	})
	for _, vis := range []meeting.Visibility{meeting.VisibilityInviteOnly, meeting.VisibilityVip} {
		m := c.Meeting.Create().SetOrganization(w.f.org).SetTitle("Later").SetVisibility(vis).
			SetStartsAt(time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)).SetEndsAt(time.Date(2030, 5, 1, 10, 0, 0, 0, time.UTC)).
			SetTimeZone("Europe/Paris").SaveX(ctx)
		t.Run(fmt.Sprintf("%s meeting refused", m.Visibility), func(t *testing.T) {
			before := c.Participation.Query().CountX(testenv.System())
			got := reg(t, w.planner, m.ID, cleo.ID).MeetingRegister
			if got.Participation != nil || len(got.UserErrors) != 1 || got.UserErrors[0].Code != "INVALID" ||
				!strings.Contains(got.UserErrors[0].Message, "OPEN") {
				t.Fatalf("%+v", got)
			}
			if after := c.Participation.Query().CountX(testenv.System()); after != before {
				t.Errorf("participations %d -> %d", before, after)
			}
		})
	}
	t.Run("an OPEN meeting that has ended or is cancelled: CONFLICT", func(t *testing.T) {
		past := c.Meeting.Create().SetOrganization(w.f.org).SetTitle("Last year").
			SetStartsAt(time.Now().Add(-48 * time.Hour)).SetEndsAt(time.Now().Add(-47 * time.Hour)).
			SetTimeZone("Europe/Paris").SaveX(ctx)
		cancelled := c.Meeting.Create().SetOrganization(w.f.org).SetTitle("Called off").
			SetStartsAt(time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)).SetEndsAt(time.Date(2030, 5, 1, 10, 0, 0, 0, time.UTC)).
			SetTimeZone("Europe/Paris").SaveX(ctx)
		if _, err := planning.Cancel(ctx, c, cancelled.ID, "Storm"); err != nil {
			t.Fatal(err)
		}
		for _, m := range []*ent.Meeting{past, cancelled} {
			got := reg(t, w.planner, m.ID, cleo.ID).MeetingRegister
			if got.Participation != nil || len(got.UserErrors) != 1 || got.UserErrors[0].Code != "CONFLICT" {
				t.Errorf("%s: %+v", m.Title, got)
			}
		}
	})
	t.Run("VIEWER FORBIDDEN", func(t *testing.T) {
		res := w.as(t, w.view, register, map[string]any{"m": gid(small.ID), "p": gid(cleo.ID)})
		if len(res.Errors) == 0 || res.Errors[0].code() != "FORBIDDEN" {
			t.Fatalf("want FORBIDDEN, got %s %+v", res.Data, res.Errors)
		}
		if c.Participation.Query().CountX(testenv.System()) != 9 {
			t.Errorf("the participation was created")
		}
	})
	t.Run("another organization's meeting or person: NOT_FOUND", func(t *testing.T) {
		otherPerson := c.Person.Create().SetOrganization(other).SetName("Zed").SetEmail("zed@other.example").SaveX(ctx)
		for _, mp := range [][2]int{{otherMeeting.ID, cleo.ID}, {small.ID, otherPerson.ID}} {
			got := reg(t, w.owner, mp[0], mp[1]).MeetingRegister
			if got.Participation != nil || len(got.UserErrors) != 1 || got.UserErrors[0].Code != "NOT_FOUND" {
				t.Errorf("%v: %+v", mp, got)
			}
		}
	})
}

// TestMeetingRegisterUnderConcurrency registers people for a small OPEN
// meeting from many clients at once, each person twice: the capacity holds,
// the waiting list is numbered without gaps, and nobody is registered twice.
func TestMeetingRegisterUnderConcurrency(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	c := a.ent
	m := c.Meeting.Create().SetOrganization(f.org).SetTitle("Tasting").SetCapacity(3).
		SetStartsAt(time.Date(2030, 5, 1, 9, 0, 0, 0, time.UTC)).SetEndsAt(time.Date(2030, 5, 1, 10, 0, 0, 0, time.UTC)).
		SetTimeZone("Europe/Paris").SaveX(ctx)
	var people []int
	for i := range 8 {
		people = append(people, c.Person.Create().SetOrganization(f.org).SetName(fmt.Sprintf("P%d", i)).
			SetEmail(fmt.Sprintf("p%d@acme.example", i)).SaveX(ctx).ID)
	}
	a.bearer(t) // create the token before the parallel requests
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []string
	)
	for _, p := range append(people, people...) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := postRaw(t, a, `mutation($m: ID!, $p: ID!) { r: meetingRegister(input: {meetingID: $m, personID: $p}) { userErrors { message } } }`,
				map[string]any{"m": gid(m.ID), "p": gid(p)})
			if len(res.Errors) > 0 || strings.Contains(string(res.Data), "message") {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("%s %+v", res.Data, res.Errors))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d requests failed, first: %s", len(failures), failures[0])
	}
	ps := c.Participation.Query().Where(participation.MeetingID(m.ID)).AllX(ctx)
	var accepted []int
	positions := map[int]bool{}
	for _, p := range ps {
		switch {
		case p.Status == participation.StatusAccepted:
			accepted = append(accepted, p.ID)
		case p.Status == participation.StatusWaitlisted && p.WaitlistPosition != nil:
			positions[*p.WaitlistPosition] = true
		default:
			t.Errorf("participation %d: %s", p.ID, p.Status)
		}
	}
	if len(ps) != len(people) || len(accepted) != 3 || len(positions) != len(people)-3 {
		t.Fatalf("%d participations, %d accepted, waiting positions %v; want %d, 3, 1…%d", len(ps), len(accepted), positions, len(people), len(people)-3)
	}
	for i := 1; i <= len(people)-3; i++ {
		if !positions[i] {
			t.Errorf("waiting list position %d missing: %v", i, positions)
		}
	}
}
