package graph_test

import (
	"slices"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/internal/testenv"
)

// participationOf selects the participation of a person in a meeting.
func participationOf(meetingID, personID int) []predicate.Participation {
	return []predicate.Participation{participation.MeetingID(meetingID), participation.PersonID(personID)}
}

// participate invites people to a meeting directly in the database.
func participate(t *testing.T, c *ent.Client, m *ent.Meeting, people ...*ent.Person) []*ent.Participation {
	t.Helper()
	out := make([]*ent.Participation, len(people))
	for i, p := range people {
		out[i] = c.Participation.Create().SetMeetingID(m.ID).SetPersonID(p.ID).SaveX(testenv.System())
	}
	return out
}

// addMeeting creates a meeting of org directly in the database.
func addMeeting(t *testing.T, c *ent.Client, org *ent.Organization, title string, start time.Time) *ent.Meeting {
	t.Helper()
	return c.Meeting.Create().SetOrganization(org).SetTitle(title).
		SetStartsAt(start).SetEndsAt(start.Add(4 * time.Hour)).SetTimeZone("Europe/Paris").
		SaveX(testenv.System())
}

const meetingFields = `id title status startsAt endsAt capacity cancelledAt cancellationReason
	objectives { totalCount }`

type meetingObj struct {
	ID, Title, Status, StartsAt, EndsAt string
	Capacity                            *int
	CancelledAt, CancellationReason     *string
	Objectives                          struct{ TotalCount int }
}

var (
	meetingUpdate = updateMutation("meetingUpdate", "UpdateMeetingInput", "meeting", meetingFields)
	meetingCancel = createMutation("meetingCancel", "MeetingCancelInput", "meeting", meetingFields)
)

func TestMeetingUpdate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent) // f.meeting: 2030-03-05 09:00 to 17:00 UTC
	ctx := testenv.System()

	for _, tc := range []struct {
		name  string
		id    int
		input map[string]any
		want  wantError
	}{
		{"endsAt alone must stay after the current startsAt", f.meeting.ID, map[string]any{"endsAt": "2030-03-05T08:00:00Z"},
			wantError{"endsAt", "INVALID", []string{"endsAt: must be after the start ("}}},
		{"startsAt alone must stay before the current endsAt", f.meeting.ID, map[string]any{"startsAt": "2030-03-05T18:00:00Z"},
			wantError{"endsAt", "INVALID", []string{"endsAt: must be after the start ("}}},
		{"endsAt equal to startsAt is refused", f.meeting.ID, map[string]any{"endsAt": "2030-03-05T09:00:00Z"},
			wantError{"endsAt", "INVALID", []string{"endsAt: must be after the start ("}}},
		{"capacity is at least 1 on update", f.meeting.ID, map[string]any{"capacity": 0},
			wantError{"capacity", "INVALID", []string{"capacity: must be at least 1"}}},
		{"budgetAmount has no more decimals than its currency", f.meeting.ID, map[string]any{"budgetAmount": "1000.005", "budgetCurrency": "EUR"},
			wantError{"budgetAmount", "INVALID", []string{"budgetAmount: 1000.005 has more decimals than EUR allows (2)"}}},
		{"budgetAmount is never negative", f.meeting.ID, map[string]any{"budgetAmount": "-1"},
			wantError{"budgetAmount", "INVALID", []string{"budgetAmount: must not be negative, got -1.00"}}},
		{"timeZone must be an IANA zone on update", f.meeting.ID, map[string]any{"timeZone": "CET+1"},
			wantError{"timeZone", "INVALID", []string{`timeZone: "CET+1" is not an IANA time zone`}}},
		{"unknown meeting is not found", missingID, map[string]any{"title": "Ghost"},
			wantError{"id", "NOT_FOUND", []string{"id: no meeting with this ID"}}},
		// The time check loads the current start first: the error must still
		// say which record is missing.
		{"unknown meeting is not found when only endsAt changes", missingID, map[string]any{"endsAt": "2030-03-05T20:00:00Z"},
			wantError{"id", "NOT_FOUND", []string{"id: no meeting with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, meetingUpdate, tc.want, client.Var("id", gid(tc.id)), client.Var("input", tc.input))
		})
	}
	t.Run("changes the fields given", func(t *testing.T) {
		m := succeed[meetingObj](t, a, meetingUpdate, client.Var("id", gid(f.meeting.ID)), client.Var("input", map[string]any{
			"title": "Offsite 2030", "capacity": 40, "endsAt": "2030-03-05T19:00:00+02:00", "clearObjectives": true,
		}))
		if m.Title != "Offsite 2030" || m.Capacity == nil || *m.Capacity != 40 || m.Objectives.TotalCount != 0 ||
			!parseTime(t, m.EndsAt).Equal(mustParse("2030-03-05T17:00:00Z")) ||
			!parseTime(t, m.StartsAt).Equal(f.meeting.StartsAt) {
			t.Fatalf("meeting = %+v", m)
		}
		got := a.ent.Meeting.Query().Where(meeting.ID(f.meeting.ID)).WithObjectives().OnlyX(ctx)
		if got.Title != "Offsite 2030" || got.Capacity == nil || *got.Capacity != 40 || len(got.Edges.Objectives) != 0 ||
			!got.EndsAt.Equal(mustParse("2030-03-05T17:00:00Z")) || !got.StartsAt.Equal(f.meeting.StartsAt) {
			t.Fatalf("stored meeting = %+v", got)
		}
	})
}

const agendaItemFields = `id organizationID meetingID title kind startsAt durationMinutes`

type agendaItemObj struct {
	ID, OrganizationID, MeetingID, Title, Kind, StartsAt string
	DurationMinutes                                      int
}

var (
	agendaItemCreate = createMutation("agendaItemCreate", "CreateAgendaItemInput", "agendaItem", agendaItemFields)
	agendaItemUpdate = updateMutation("agendaItemUpdate", "UpdateAgendaItemInput", "agendaItem", agendaItemFields)
)

func TestAgendaItem(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()

	var id int
	t.Run("agendaItemCreate takes the organization of the meeting", func(t *testing.T) {
		it := succeed[agendaItemObj](t, a, agendaItemCreate, client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "title": "Welcome", "kind": "TALK",
			"startsAt": "2030-03-05T10:00:00+01:00", "durationMinutes": 30,
		}))
		if it.OrganizationID != gid(f.org.ID) || it.MeetingID != gid(f.meeting.ID) || it.Title != "Welcome" ||
			it.Kind != "TALK" || it.DurationMinutes != 30 || !parseTime(t, it.StartsAt).Equal(mustParse("2030-03-05T09:00:00Z")) {
			t.Fatalf("agenda item = %+v", it)
		}
		id = atoi(t, it.ID)
		got := a.ent.AgendaItem.GetX(ctx, id)
		if got.OrganizationID != f.org.ID || got.MeetingID != f.meeting.ID || got.DurationMinutes != 30 || got.Title != "Welcome" {
			t.Fatalf("stored agenda item = %+v", got)
		}
	})
	t.Run("agendaItemUpdate changes the fields given", func(t *testing.T) {
		it := succeed[agendaItemObj](t, a, agendaItemUpdate, client.Var("id", gid(id)),
			client.Var("input", map[string]any{"durationMinutes": 45, "kind": "PANEL"}))
		if it.DurationMinutes != 45 || it.Kind != "PANEL" || it.Title != "Welcome" {
			t.Fatalf("agenda item = %+v", it)
		}
		got := a.ent.AgendaItem.GetX(ctx, id)
		if got.DurationMinutes != 45 || string(got.Kind) != "PANEL" {
			t.Fatalf("stored agenda item = %+v", got)
		}
	})
	for _, tc := range []struct {
		name     string
		mutation string
		vars     []client.Option
		want     wantError
	}{
		{"durationMinutes is at least 1", agendaItemCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "title": "Break", "kind": "BREAK", "startsAt": "2030-03-05T11:00:00Z", "durationMinutes": 0})},
			wantError{"durationMinutes", "INVALID", []string{"durationMinutes: must be at least 1"}}},
		{"durationMinutes is at least 1 on update", agendaItemUpdate, []client.Option{client.Var("id", gid(id)),
			client.Var("input", map[string]any{"durationMinutes": -5})},
			wantError{"durationMinutes", "INVALID", []string{"durationMinutes: must be at least 1"}}},
		{"title must not be blank", agendaItemCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "title": "", "kind": "BREAK", "startsAt": "2030-03-05T11:00:00Z", "durationMinutes": 15})},
			wantError{"title", "INVALID", []string{"title: must not be empty"}}},
		{"the meeting must exist", agendaItemCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(missingID), "title": "Break", "kind": "BREAK", "startsAt": "2030-03-05T11:00:00Z", "durationMinutes": 15})},
			wantError{"meetingID", "NOT_FOUND", []string{"meetingID: no meeting with ID " + gid(missingID)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, tc.mutation, tc.want, tc.vars...)
		})
	}
}

func TestMeetingCancel(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	parts := participate(t, a.ent, f.meeting, f.ana, f.ben)

	t.Run("cancels the meeting and keeps its participations", func(t *testing.T) {
		m := succeed[meetingObj](t, a, meetingCancel, client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "reason": "  Venue flooded  ",
		}))
		if m.Status != "CANCELLED" || m.CancelledAt == nil || m.CancellationReason == nil || *m.CancellationReason != "Venue flooded" {
			t.Fatalf("meeting = %+v", m)
		}
		got := a.ent.Meeting.GetX(ctx, f.meeting.ID)
		if got.Status != meeting.StatusCancelled || got.CancelledAt == nil || str(got.CancellationReason) != "Venue flooded" ||
			!got.CancelledAt.Equal(parseTime(t, *m.CancelledAt)) {
			t.Fatalf("stored meeting = %+v", got)
		}
		for _, p := range parts {
			if got := a.ent.Participation.GetX(ctx, p.ID); got.Status != participation.StatusInvited {
				t.Fatalf("participation %d became %s", p.ID, got.Status)
			}
		}
	})
	t.Run("cancelling twice is a conflict and keeps the first cancellation", func(t *testing.T) {
		refuse(t, a, meetingCancel, wantError{"meetingID", "CONFLICT", []string{"meetingID: meeting " + gid(f.meeting.ID) + " is already cancelled"}},
			client.Var("input", map[string]any{"meetingID": gid(f.meeting.ID), "reason": "Again"}))
	})
	t.Run("an unknown meeting is not found", func(t *testing.T) {
		refuse(t, a, meetingCancel, wantError{"meetingID", "NOT_FOUND", []string{"meetingID: no meeting with ID " + gid(missingID)}},
			client.Var("input", map[string]any{"meetingID": gid(missingID)}))
	})
	t.Run("a meeting that is done cannot be cancelled", func(t *testing.T) {
		done := addMeeting(t, a.ent, f.org, "Done", mustParse("2020-01-10T09:00:00Z"))
		a.ent.Meeting.UpdateOne(done).SetStatus(meeting.StatusDone).ExecX(ctx)
		refuse(t, a, meetingCancel, wantError{"meetingID", "CONFLICT", []string{"meetingID: meeting " + gid(done.ID) + " is done"}},
			client.Var("input", map[string]any{"meetingID": gid(done.ID)}))
	})
}

const meetingInvite = `mutation($input: MeetingInviteInput!) {
	result: meetingInvite(input: $input) {
		object: meeting { id }
		invitedCount
		alreadyInvitedCount
		invited { id meetingID personID role status invitedByID organizationID }
		` + userErrorFields + `
	}
}`

type participationObj struct {
	ID, MeetingID, PersonID, Role, Status, OrganizationID string
	InvitedByID                                           *string
}

type inviteResponse struct {
	Result struct {
		Object              *struct{ ID string }
		InvitedCount        int
		AlreadyInvitedCount int
		Invited             []participationObj
		UserErrors          []userError
	}
}

func TestMeetingInvite(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	other, gus := otherOrg(t, a.ent)
	ctx := testenv.System()
	cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example")

	invite := func(t *testing.T, input map[string]any) inviteResponse {
		t.Helper()
		var rsp inviteResponse
		post(t, a, meetingInvite, &rsp, client.Var("input", input))
		if len(rsp.Result.UserErrors) != 0 || rsp.Result.Object == nil {
			t.Fatalf("meetingInvite = %+v", rsp.Result)
		}
		return rsp
	}
	invitedPeople := func(rsp inviteResponse) []string {
		var ids []string
		for _, p := range rsp.Result.Invited {
			ids = append(ids, p.PersonID)
		}
		return ids
	}

	t.Run("invites people by ID with a role and who invited them", func(t *testing.T) {
		rsp := invite(t, map[string]any{
			"meetingID": gid(f.meeting.ID), "personIDs": gids(f.ana.ID), "role": "SPEAKER", "invitedByID": gid(f.ben.ID),
		})
		r := rsp.Result
		if r.Object.ID != gid(f.meeting.ID) || r.InvitedCount != 1 || r.AlreadyInvitedCount != 0 || len(r.Invited) != 1 {
			t.Fatalf("meetingInvite = %+v", r)
		}
		p := r.Invited[0]
		if p.PersonID != gid(f.ana.ID) || p.MeetingID != gid(f.meeting.ID) || p.Role != "SPEAKER" || p.Status != "INVITED" ||
			p.InvitedByID == nil || *p.InvitedByID != gid(f.ben.ID) || p.OrganizationID != gid(f.org.ID) {
			t.Fatalf("participation = %+v", p)
		}
		got := a.ent.Participation.Query().Where(participationOf(f.meeting.ID, f.ana.ID)...).OnlyX(ctx)
		if gid(got.ID) != p.ID || got.Role != participation.RoleSpeaker || got.Status != participation.StatusInvited ||
			got.InvitedByID == nil || *got.InvitedByID != f.ben.ID || got.OrganizationID != f.org.ID {
			t.Fatalf("stored participation = %+v", got)
		}
	})
	t.Run("inviting someone twice is no error and creates nothing", func(t *testing.T) {
		before := dbState(t, a.ent)
		r := invite(t, map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(f.ana.ID), "role": "HOST"}).Result
		if r.InvitedCount != 0 || r.AlreadyInvitedCount != 1 || len(r.Invited) != 0 {
			t.Fatalf("meetingInvite = %+v, want invitedCount 0 and alreadyInvitedCount 1", r)
		}
		if after := dbState(t, a.ent); after != before {
			t.Fatalf("inviting again changed the database:\nbefore: %s\nafter:  %s", before, after)
		}
	})
	t.Run("inviting a community invites all its members", func(t *testing.T) {
		m := addMeeting(t, a.ent, f.org, "Team day", mustParse("2030-05-01T09:00:00Z"))
		rsp := invite(t, map[string]any{"meetingID": gid(m.ID), "communityID": gid(f.team.ID)})
		want := sortedGIDs(f.ana.ID, f.ben.ID)
		if got := invitedPeople(rsp); rsp.Result.InvitedCount != 2 || rsp.Result.AlreadyInvitedCount != 0 || !slices.Equal(got, want) {
			t.Fatalf("meetingInvite = %+v, want %v invited in order", rsp.Result, want)
		}
		if rsp.Result.Invited[0].Role != "GUEST" {
			t.Fatalf("default role = %s, want GUEST", rsp.Result.Invited[0].Role)
		}
		if n := a.ent.Participation.Query().Where(participation.MeetingID(m.ID)).CountX(ctx); n != 2 {
			t.Fatalf("%d participations stored, want 2", n)
		}
	})
	t.Run("people named and community members are invited once", func(t *testing.T) {
		m := addMeeting(t, a.ent, f.org, "All hands", mustParse("2030-06-01T09:00:00Z"))
		rsp := invite(t, map[string]any{"meetingID": gid(m.ID), "communityID": gid(f.team.ID), "personIDs": gids(cleo.ID, f.ana.ID, cleo.ID)})
		want := sortedGIDs(f.ana.ID, f.ben.ID, cleo.ID)
		if got := invitedPeople(rsp); rsp.Result.InvitedCount != 3 || !slices.Equal(got, want) {
			t.Fatalf("meetingInvite = %+v, want %v", rsp.Result, want)
		}
		if n := a.ent.Participation.Query().Where(participation.MeetingID(m.ID)).CountX(ctx); n != 3 {
			t.Fatalf("%d participations stored, want 3", n)
		}
	})

	otherCommunity := a.ent.Community.Create().SetOrganization(other).SetName("Globex team").SetKind("TEAM").AddMembers(gus).SaveX(ctx)
	for _, tc := range []struct {
		name  string
		input map[string]any
		want  wantError
	}{
		{"personIDs or communityID is required", map[string]any{"meetingID": gid(f.meeting.ID)},
			wantError{"personIDs", "REQUIRED", []string{"personIDs: name the people to invite, a community to invite its members, or a segment"}}},
		{"an empty personIDs is not enough", map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": []string{}},
			wantError{"personIDs", "REQUIRED", []string{"personIDs: name the people to invite, a community to invite its members, or a segment"}}},
		{"a person of another organization is not found", map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(gus.ID)},
			wantError{"personIDs", "NOT_FOUND", []string{"personIDs: no person with ID " + gid(gus.ID) + " in this organization"}}},
		{"a person of another organization invites nobody else either", map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(cleo.ID, gus.ID)},
			wantError{"personIDs", "NOT_FOUND", []string{"personIDs: no person with ID " + gid(gus.ID) + " in this organization"}}},
		{"an unknown person is not found", map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(missingID)},
			wantError{"personIDs", "NOT_FOUND", []string{"personIDs: no person with ID " + gid(missingID) + " in this organization"}}},
		{"a community of another organization is not found", map[string]any{"meetingID": gid(f.meeting.ID), "communityID": gid(otherCommunity.ID)},
			wantError{"communityID", "NOT_FOUND", []string{"communityID: no community with ID " + gid(otherCommunity.ID) + " in this organization"}}},
		{"an inviter of another organization is not found", map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(cleo.ID), "invitedByID": gid(gus.ID)},
			wantError{"invitedByID", "NOT_FOUND", []string{"invitedByID: no person with ID " + gid(gus.ID) + " in this organization"}}},
		{"an unknown meeting is not found", map[string]any{"meetingID": gid(missingID), "personIDs": gids(cleo.ID)},
			wantError{"meetingID", "NOT_FOUND", []string{"meetingID: no meeting with ID " + gid(missingID)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dbState(t, a.ent)
			var rsp inviteResponse
			post(t, a, meetingInvite, &rsp, client.Var("input", tc.input))
			r := rsp.Result
			if r.Object != nil || r.InvitedCount != 0 || len(r.Invited) != 0 {
				t.Errorf("meetingInvite = %+v, want a null meeting and nobody invited", r)
			}
			checkUserErrors(t, r.UserErrors, tc.want)
			if after := dbState(t, a.ent); after != before {
				t.Fatalf("the refused invitation changed the database:\nbefore: %s\nafter:  %s", before, after)
			}
		})
	}
}

const participationFields = `id personID status respondedAt checkedInAt`

type participationState struct {
	ID, PersonID, Status     string
	RespondedAt, CheckedInAt *string
}

var (
	participationRespond = createMutation("participationRespond", "ParticipationRespondInput", "participation", participationFields)
	participationCheckIn = createMutation("participationCheckIn", "ParticipationCheckInInput", "participation", participationFields)
)

func TestParticipationRespond(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	parts := participate(t, a.ent, f.meeting, f.ana, f.ben)

	for _, answer := range []participation.Status{participation.StatusAccepted, participation.StatusDeclined} {
		t.Run("records the answer "+string(answer), func(t *testing.T) {
			p := succeed[participationState](t, a, participationRespond, client.Var("input", map[string]any{
				"participationID": gid(parts[0].ID), "answer": string(answer),
			}))
			if p.ID != gid(parts[0].ID) || p.Status != string(answer) || p.RespondedAt == nil {
				t.Fatalf("participation = %+v", p)
			}
			got := a.ent.Participation.GetX(ctx, parts[0].ID)
			if got.Status != answer || got.RespondedAt == nil {
				t.Fatalf("stored participation = %+v", got)
			}
		})
	}
	t.Run("a checked-in person cannot decline", func(t *testing.T) {
		a.ent.Participation.UpdateOne(parts[1]).SetCheckedInAt(mustParse("2030-03-05T09:05:00Z")).
			SetStatus(participation.StatusAccepted).ExecX(ctx)
		refuse(t, a, participationRespond, wantError{"answer", "CONFLICT", []string{"answer: participation ", "is checked in: cannot decline"}},
			client.Var("input", map[string]any{"participationID": gid(parts[1].ID), "answer": "DECLINED"}))
	})
	t.Run("an unknown participation is not found", func(t *testing.T) {
		refuse(t, a, participationRespond, wantError{"participationID", "NOT_FOUND", []string{"participationID: no participation with ID " + gid(missingID)}},
			client.Var("input", map[string]any{"participationID": gid(missingID), "answer": "ACCEPTED"}))
	})
}

func TestParticipationCheckIn(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	f.meeting = happeningNow(t, a.ent, f.meeting)
	ctx := testenv.System()
	parts := participate(t, a.ent, f.meeting, f.ana, f.ben)
	first := f.meeting.StartsAt.Add(10 * time.Minute)

	t.Run("checks in at the time given and takes the invitation as accepted", func(t *testing.T) {
		p := succeed[participationState](t, a, participationCheckIn, client.Var("input", map[string]any{
			"participationID": gid(parts[0].ID), "at": first.Format(time.RFC3339),
		}))
		if p.Status != "ACCEPTED" || p.CheckedInAt == nil || !parseTime(t, *p.CheckedInAt).Equal(first) {
			t.Fatalf("participation = %+v", p)
		}
		got := a.ent.Participation.GetX(ctx, parts[0].ID)
		if got.Status != participation.StatusAccepted || got.CheckedInAt == nil || !got.CheckedInAt.Equal(first) {
			t.Fatalf("stored participation = %+v", got)
		}
	})
	t.Run("checking in twice keeps the first time", func(t *testing.T) {
		before := dbState(t, a.ent)
		p := succeed[participationState](t, a, participationCheckIn, client.Var("input", map[string]any{
			"participationID": gid(parts[0].ID), "at": f.meeting.StartsAt.Add(30 * time.Minute).Format(time.RFC3339),
		}))
		if p.CheckedInAt == nil || !parseTime(t, *p.CheckedInAt).Equal(first) {
			t.Fatalf("participation = %+v, want checkedInAt %s", p, first)
		}
		if after := dbState(t, a.ent); after != before {
			t.Fatalf("checking in again changed the database:\nbefore: %s\nafter:  %s", before, after)
		}
	})
	t.Run("checks in now when no time is given", func(t *testing.T) {
		p := succeed[participationState](t, a, participationCheckIn, client.Var("input", map[string]any{
			"participationID": gid(parts[1].ID),
		}))
		if p.CheckedInAt == nil || p.Status != "ACCEPTED" {
			t.Fatalf("participation = %+v", p)
		}
		if got := a.ent.Participation.GetX(ctx, parts[1].ID); got.CheckedInAt == nil || !got.CheckedInAt.Equal(parseTime(t, *p.CheckedInAt)) {
			t.Fatalf("stored participation = %+v", got)
		}
	})
	t.Run("a cancelled participation cannot check in", func(t *testing.T) {
		cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example")
		p := participate(t, a.ent, f.meeting, cleo)[0]
		a.ent.Participation.UpdateOne(p).SetStatus(participation.StatusCancelled).ExecX(ctx)
		refuse(t, a, participationCheckIn, wantError{"participationID", "CONFLICT", []string{"participationID: participation " + gid(p.ID) + " was cancelled"}},
			client.Var("input", map[string]any{"participationID": gid(p.ID)}))
	})
	t.Run("an unknown participation is not found", func(t *testing.T) {
		refuse(t, a, participationCheckIn, wantError{"participationID", "NOT_FOUND", []string{"participationID: no participation with ID " + gid(missingID)}},
			client.Var("input", map[string]any{"participationID": gid(missingID)}))
	})
}

// TestCancelledMeeting checks that a cancelled meeting can no longer be
// changed, joined or checked in to (schema: meetingCancel).
func TestCancelledMeeting(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example")
	parts := participate(t, a.ent, f.meeting, f.ana, f.ben)
	succeed[meetingObj](t, a, meetingCancel, client.Var("input", map[string]any{"meetingID": gid(f.meeting.ID)}))
	cancelled := "meeting " + gid(f.meeting.ID) + " is cancelled"

	for _, tc := range []struct {
		name     string
		mutation string
		vars     []client.Option
		want     wantError
	}{
		{"meetingInvite is a conflict", meetingInvite, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personIDs": gids(cleo.ID)})},
			wantError{"meetingID", "CONFLICT", []string{"meetingID: " + cancelled + ": cannot invite people"}}},
		{"participationRespond is a conflict", participationRespond, []client.Option{client.Var("input", map[string]any{
			"participationID": gid(parts[0].ID), "answer": "ACCEPTED"})},
			wantError{"participationID", "CONFLICT", []string{"participationID: " + cancelled + ": cannot answer the invitation"}}},
		{"participationCheckIn is a conflict", participationCheckIn, []client.Option{client.Var("input", map[string]any{
			"participationID": gid(parts[0].ID), "at": "2030-03-05T09:00:00Z"})},
			wantError{"participationID", "CONFLICT", []string{"participationID: " + cancelled + ": cannot check in"}}},
		{"encounterRecord is a conflict", encounterRecord, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personAID": gid(f.ana.ID), "personBID": gid(f.ben.ID), "how": "INTRODUCTION"})},
			wantError{"meetingID", "CONFLICT", []string{"meetingID: " + cancelled + ": cannot record encounters"}}},
		{"meetingCancel again is a conflict", meetingCancel, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID)})},
			wantError{"meetingID", "CONFLICT", []string{"meetingID: meeting " + gid(f.meeting.ID) + " is already cancelled"}}},
		{"meetingUpdate is a conflict", meetingUpdate, []client.Option{client.Var("id", gid(f.meeting.ID)),
			client.Var("input", map[string]any{"title": "Back on"})},
			wantError{"id", "CONFLICT", []string{"id: " + cancelled + " and can no longer be changed"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dbState(t, a.ent)
			var rsp struct {
				Result map[string]any
			}
			post(t, a, tc.mutation, &rsp, tc.vars...)
			if rsp.Result["object"] != nil {
				t.Errorf("payload = %v, want a null object", rsp.Result)
			}
			checkUserErrors(t, decodeUserErrors(t, rsp.Result["userErrors"]), tc.want)
			if after := dbState(t, a.ent); after != before {
				t.Fatalf("a change to the cancelled meeting was written:\nbefore: %s\nafter:  %s", before, after)
			}
		})
	}
}

// decodeUserErrors reads userErrors out of a payload decoded as a map.
func decodeUserErrors(t *testing.T, v any) []userError {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("userErrors = %#v, want a list", v)
	}
	out := make([]userError, len(list))
	for i, item := range list {
		m := item.(map[string]any)
		for _, f := range m["field"].([]any) {
			out[i].Field = append(out[i].Field, f.(string))
		}
		out[i].Message, _ = m["message"].(string)
		out[i].Code, _ = m["code"].(string)
	}
	return out
}
