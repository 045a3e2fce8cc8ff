package graph_test

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/testenv"
)

const checkInFields = `id personID role status checkedInAt`

type checkInObj struct {
	ID, PersonID, Role, Status string
	CheckedInAt                *string
}

var (
	checkIn     = createMutation("participationCheckIn", "ParticipationCheckInInput", "participation", checkInFields)
	undoCheckIn = createMutation("participationUndoCheckIn", "ParticipationUndoCheckInInput", "participation", checkInFields)
)

// moveMeeting makes m start at start and last hours.
func moveMeeting(t *testing.T, c *ent.Client, m *ent.Meeting, start time.Time, hours int) *ent.Meeting {
	t.Helper()
	return c.Meeting.UpdateOne(m).SetStartsAt(start).SetEndsAt(start.Add(time.Duration(hours) * time.Hour)).
		SaveX(testenv.System())
}

func input(kv map[string]any) client.Option { return client.Var("input", kv) }

// TestCheckInWindow checks that check-in is open from checkInOpensBefore
// minutes before the start until checkInClosesAfter minutes after the end,
// and that an explicit time must lie in that window and not in the future.
func TestCheckInWindow(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	now := time.Now().UTC().Truncate(time.Minute)

	t.Run("a meeting starting in three hours is not open yet (two hours by default)", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1)
		moveMeeting(t, a.ent, at.meeting, now.Add(3*time.Hour), 2)
		refuse(t, a, checkIn, wantError{"participationID", "CONFLICT", []string{"participationID: check-in at meeting", "is open from"}},
			input(map[string]any{"participationID": gid(at.parts[0].ID)}))
	})
	t.Run("checkInOpensBefore widens the window", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1)
		m := moveMeeting(t, a.ent, at.meeting, now.Add(3*time.Hour), 2)
		a.ent.Meeting.UpdateOne(m).SetCheckInOpensBefore(240).ExecX(testenv.System())
		if p := succeed[checkInObj](t, a, checkIn, input(map[string]any{"participationID": gid(at.parts[0].ID)})); p.CheckedInAt == nil {
			t.Fatalf("participation = %+v", p)
		}
	})
	t.Run("after the end and the grace period, checking in now is refused", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1)
		moveMeeting(t, a.ent, at.meeting, now.Add(-6*time.Hour), 3) // ended 3 h ago, closed 1 h ago
		refuse(t, a, checkIn, wantError{"participationID", "CONFLICT", []string{"is open from"}},
			input(map[string]any{"participationID": gid(at.parts[0].ID)}))
	})
	t.Run("after the window, a check-in at a time inside it is recorded", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1)
		m := moveMeeting(t, a.ent, at.meeting, now.Add(-6*time.Hour), 3)
		when := m.StartsAt.Add(10 * time.Minute)
		p := succeed[checkInObj](t, a, checkIn, input(map[string]any{"participationID": gid(at.parts[0].ID), "at": when.Format(time.RFC3339)}))
		if p.CheckedInAt == nil || !parseTime(t, *p.CheckedInAt).Equal(when) {
			t.Fatalf("participation = %+v, want checked in at %s", p, when)
		}
	})
	t.Run("an explicit time before the window opens is refused", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1) // started an hour ago
		refuse(t, a, checkIn, wantError{"at", "CONFLICT", []string{"at: check-in at meeting", "is open from"}},
			input(map[string]any{"participationID": gid(at.parts[0].ID), "at": at.meeting.StartsAt.Add(-3 * time.Hour).Format(time.RFC3339)}))
	})
	t.Run("an explicit time in the future is refused", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1)
		refuse(t, a, checkIn, wantError{"at", "INVALID", []string{"at: ", "is in the future"}},
			input(map[string]any{"participationID": gid(at.parts[0].ID), "at": now.Add(time.Hour).Format(time.RFC3339)}))
	})
	t.Run("a window margin beyond a week is invalid", func(t *testing.T) {
		refuse(t, a, meetingUpdate, wantError{"checkInClosesAfter", "INVALID", []string{"checkInClosesAfter"}},
			client.Var("id", gid(f.meeting.ID)), input(map[string]any{"checkInClosesAfter": 20000}))
	})
}

// TestCheckInByStatus checks who may check in: ACCEPTED, TENTATIVE (and
// INVITED) people take a place; DECLINED and CANCELLED people are refused.
func TestCheckInByStatus(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	at := newAttendance(t, a.ent, f.org, 0, 5)
	answer := func(i int, s participation.Status) {
		if _, err := planning.Respond(ctx, a.ent, at.parts[i].ID, s); err != nil {
			t.Fatal(err)
		}
	}
	answer(0, participation.StatusAccepted)
	answer(1, participation.StatusTentative)
	answer(2, participation.StatusDeclined)
	if _, err := planning.CancelParticipation(ctx, a.ent, at.parts[3].ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		i    int
	}{{"an ACCEPTED person checks in", 0}, {"a TENTATIVE person checks in and takes a place", 1}, {"an INVITED person who never answered checks in", 4}} {
		t.Run(tc.name, func(t *testing.T) {
			p := succeed[checkInObj](t, a, checkIn, input(map[string]any{"participationID": gid(at.parts[tc.i].ID)}))
			if p.Status != "ACCEPTED" || p.CheckedInAt == nil {
				t.Fatalf("participation = %+v", p)
			}
		})
	}
	t.Run("a DECLINED person is refused", func(t *testing.T) {
		refuse(t, a, checkIn, wantError{"participationID", "CONFLICT", []string{"declined the invitation", "ACCEPTED answer"}},
			input(map[string]any{"participationID": gid(at.parts[2].ID)}))
	})
	t.Run("a CANCELLED person is refused", func(t *testing.T) {
		refuse(t, a, checkIn, wantError{"participationID", "CONFLICT", []string{"was cancelled: cannot check in"}},
			input(map[string]any{"participationID": gid(at.parts[3].ID)}))
	})
}

// TestWalkIn checks that a person without an invitation who comes to an OPEN
// meeting is checked in as a WALK_IN, within the capacity, and that
// INVITE_ONLY and VIP meetings refuse them.
func TestWalkIn(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	t.Run("at an OPEN meeting the participation is created with role WALK_IN", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 0)
		walker := addPerson(t, a.ent, f.org, "Walker", "walker@acme.example")
		p := succeed[checkInObj](t, a, checkIn, input(map[string]any{"meetingID": gid(at.meeting.ID), "personID": gid(walker.ID)}))
		if p.Role != "WALK_IN" || p.Status != "ACCEPTED" || p.CheckedInAt == nil || p.PersonID != gid(walker.ID) {
			t.Fatalf("participation = %+v", p)
		}
	})
	t.Run("an invited person given by meeting and person keeps their participation", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1)
		p := succeed[checkInObj](t, a, checkIn, input(map[string]any{"meetingID": gid(at.meeting.ID), "personID": gid(at.people[0].ID)}))
		if p.ID != gid(at.parts[0].ID) || p.Role != "GUEST" || p.CheckedInAt == nil {
			t.Fatalf("participation = %+v, want %d checked in", p, at.parts[0].ID)
		}
	})
	for _, v := range []meeting.Visibility{meeting.VisibilityInviteOnly, meeting.VisibilityVip} {
		t.Run("at a "+string(v)+" meeting a walk-in is refused", func(t *testing.T) {
			at := newAttendance(t, a.ent, f.org, 0, 0)
			a.ent.Meeting.UpdateOne(at.meeting).SetVisibility(v).ExecX(ctx)
			walker := addPerson(t, a.ent, f.org, "Walker "+string(v), string(v)+"@acme.example")
			refuse(t, a, checkIn, wantError{"personID", "CONFLICT", []string{"personID: meeting", "only invited people may check in"}},
				input(map[string]any{"meetingID": gid(at.meeting.ID), "personID": gid(walker.ID)}))
		})
	}
	t.Run("at a full OPEN meeting a walk-in is refused and nothing is created", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 1, 1)
		at.accept(t, a.ent, 1)
		walker := addPerson(t, a.ent, f.org, "Late walker", "late@acme.example")
		refuse(t, a, checkIn, wantError{"participationID", "CONFLICT", []string{"is full"}},
			input(map[string]any{"meetingID": gid(at.meeting.ID), "personID": gid(walker.ID)}))
	})
	t.Run("a walk-in outside the window is refused and nothing is created", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 0)
		moveMeeting(t, a.ent, at.meeting, time.Now().Add(24*time.Hour), 2)
		walker := addPerson(t, a.ent, f.org, "Early walker", "early@acme.example")
		refuse(t, a, checkIn, wantError{"participationID", "CONFLICT", []string{"is open from"}},
			input(map[string]any{"meetingID": gid(at.meeting.ID), "personID": gid(walker.ID)}))
	})
	t.Run("a participation and a meeting at once is invalid", func(t *testing.T) {
		at := newAttendance(t, a.ent, f.org, 0, 1)
		refuse(t, a, checkIn, wantError{"participationID", "INVALID", []string{"not both"}},
			input(map[string]any{"participationID": gid(at.parts[0].ID), "meetingID": gid(at.meeting.ID), "personID": gid(at.people[0].ID)}))
	})
	t.Run("neither a participation nor a meeting is required", func(t *testing.T) {
		refuse(t, a, checkIn, wantError{"participationID", "REQUIRED", []string{"participationID: give the participation"}},
			input(map[string]any{}))
	})
}

// TestUndoCheckIn checks that a check-in made by mistake can be undone: the
// person keeps their place, without a check-in time.
func TestUndoCheckIn(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 0, 1)
	id := gid(at.parts[0].ID)
	succeed[checkInObj](t, a, checkIn, input(map[string]any{"participationID": id}))
	t.Run("undoing clears the check-in and keeps the place", func(t *testing.T) {
		p := succeed[checkInObj](t, a, undoCheckIn, input(map[string]any{"participationID": id}))
		if p.CheckedInAt != nil || p.Status != "ACCEPTED" {
			t.Fatalf("participation = %+v", p)
		}
		if got := a.ent.Participation.GetX(testenv.System(), at.parts[0].ID); got.CheckedInAt != nil {
			t.Fatalf("stored participation = %+v", got)
		}
	})
	t.Run("undoing a check-in that is not there is a conflict", func(t *testing.T) {
		refuse(t, a, undoCheckIn, wantError{"participationID", "CONFLICT", []string{"is not checked in"}},
			input(map[string]any{"participationID": id}))
	})
}

// TestMeetingDoneOnlyAfterTheEnd checks that DONE is refused for a meeting
// that has not ended, and accepted once it has.
func TestMeetingDoneOnlyAfterTheEnd(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	t.Run("DONE on a future meeting is refused", func(t *testing.T) {
		refuse(t, a, meetingUpdate, wantError{"status", "CONFLICT", []string{"status: DONE only after the meeting has ended"}},
			client.Var("id", gid(f.meeting.ID)), input(map[string]any{"status": "DONE"}))
	})
	t.Run("DONE on a meeting under way is refused", func(t *testing.T) {
		m := happeningNow(t, a.ent, addMeeting(t, a.ent, f.org, "Under way", time.Now()))
		refuse(t, a, meetingUpdate, wantError{"status", "CONFLICT", []string{"status: DONE only after"}},
			client.Var("id", gid(m.ID)), input(map[string]any{"status": "DONE"}))
	})
	t.Run("DONE on a meeting that has ended is accepted", func(t *testing.T) {
		m := addMeeting(t, a.ent, f.org, "Over", time.Now().Add(-48*time.Hour))
		if got := succeed[meetingObj](t, a, meetingUpdate, client.Var("id", gid(m.ID)), input(map[string]any{"status": "DONE"})); got.Status != "DONE" {
			t.Fatalf("meeting = %+v", got)
		}
	})
}

// TestMeetingAttendance checks the counts of Meeting.attendance, and that
// accepted people who did not check in count as no-shows only after the end.
func TestMeetingAttendance(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	now := time.Now().UTC().Truncate(time.Minute)
	at := newAttendance(t, a.ent, f.org, 0, 7)
	m := moveMeeting(t, a.ent, at.meeting, now.Add(-4*time.Hour), 3) // ended an hour ago
	for i, s := range []participation.Status{participation.StatusAccepted, participation.StatusAccepted, participation.StatusAccepted,
		participation.StatusTentative, participation.StatusDeclined} {
		if _, err := planning.Respond(ctx, a.ent, at.parts[i].ID, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := planning.CancelParticipation(ctx, a.ent, at.parts[6].ID); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1} {
		id := at.parts[i].ID
		if _, err := planning.CheckIn(ctx, a.ent, planning.Arrival{ParticipationID: &id, At: m.StartsAt.Add(5 * time.Minute)}, now); err != nil {
			t.Fatal(err)
		}
	}
	type counts struct {
		Invited, Accepted, Tentative, Declined, Waitlisted, CheckedIn, NoShows int
		Rate                                                                   *float64
	}
	read := func(t *testing.T) counts {
		var rsp struct{ Node struct{ Attendance counts } }
		post(t, a, `query($id: ID!) { node(id: $id) { ... on Meeting { attendance {
			invited accepted tentative declined waitlisted checkedIn noShows rate } } } }`, &rsp, client.Var("id", gid(m.ID)))
		return rsp.Node.Attendance
	}
	t.Run("after the end, accepted people without check-in are no-shows", func(t *testing.T) {
		got := read(t)
		want := counts{Invited: 6, Accepted: 3, Tentative: 1, Declined: 1, CheckedIn: 2, NoShows: 1}
		if got.Rate == nil || *got.Rate < 0.66 || *got.Rate > 0.67 {
			t.Errorf("rate = %v, want 2/3", got.Rate)
		}
		got.Rate = nil
		if got != want {
			t.Fatalf("attendance = %+v, want %+v", got, want)
		}
	})
	t.Run("before the end nobody is a no-show", func(t *testing.T) {
		m = moveMeeting(t, a.ent, m, now.Add(-time.Hour), 3)
		if got := read(t); got.NoShows != 0 || got.CheckedIn != 2 || got.Accepted != 3 {
			t.Fatalf("attendance = %+v", got)
		}
	})
	t.Run("a meeting without people has no rate", func(t *testing.T) {
		var rsp struct{ Node struct{ Attendance counts } }
		post(t, a, `query($id: ID!) { node(id: $id) { ... on Meeting { attendance { invited rate } } } }`, &rsp, client.Var("id", gid(f.meeting.ID)))
		if rsp.Node.Attendance.Invited != 0 || rsp.Node.Attendance.Rate != nil {
			t.Fatalf("attendance = %+v", rsp.Node.Attendance)
		}
	})
}

// TestUndoCheckInKeepsWhatNeedsIt checks that a check-in cannot be undone
// while the person has encounters or feedback at the meeting (which need a
// check-in), and can once they are gone.
func TestUndoCheckInKeepsWhatNeedsIt(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 0, 2)
	for _, p := range at.parts {
		succeed[checkInObj](t, a, checkIn, input(map[string]any{"participationID": gid(p.ID)}))
	}
	var rec encounterResponse
	post(t, a, encounterRecord, &rec, input(map[string]any{"meetingID": gid(at.meeting.ID),
		"personAID": gid(at.people[0].ID), "personBID": gid(at.people[1].ID), "how": "BREAKOUT"}))
	if rec.Result.Object == nil {
		t.Fatalf("encounterRecord = %+v", rec.Result)
	}
	for _, p := range at.parts {
		refuse(t, a, undoCheckIn, wantError{"participationID", "CONFLICT", []string{"1 encounter(s) and 0 feedback", "which rest on the check-in: it stays"}},
			input(map[string]any{"participationID": gid(p.ID)}))
	}
	a.ent.Encounter.Delete().ExecX(testenv.System())
	if p := succeed[checkInObj](t, a, undoCheckIn, input(map[string]any{"participationID": gid(at.parts[0].ID)})); p.CheckedInAt != nil {
		t.Fatalf("participation = %+v", p)
	}
}

// TestReinviteAfterCancel checks that a cancelled participation can be
// invited again (and then answer and check in), while people with a live
// invitation keep their answer.
func TestReinviteAfterCancel(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 0, 2)
	at.accept(t, a.ent, 2)
	run[placeObj](t, a, participationCancel, input(map[string]any{"participationID": gid(at.parts[0].ID)}))
	refuse(t, a, checkIn, wantError{"participationID", "CONFLICT", []string{"was cancelled", "invite the person again"}},
		input(map[string]any{"participationID": gid(at.parts[0].ID)}))

	var rsp inviteResponse
	post(t, a, meetingInvite, &rsp, input(map[string]any{"meetingID": gid(at.meeting.ID),
		"personIDs": []string{gid(at.people[0].ID), gid(at.people[1].ID)}, "role": "SPEAKER"}))
	r := rsp.Result
	if len(r.UserErrors) != 0 || r.InvitedCount != 1 || r.AlreadyInvitedCount != 1 || len(r.Invited) != 1 ||
		r.Invited[0].ID != gid(at.parts[0].ID) || r.Invited[0].Status != "INVITED" || r.Invited[0].Role != "SPEAKER" {
		t.Fatalf("meetingInvite = %+v", r)
	}
	if got := a.ent.Participation.GetX(testenv.System(), at.parts[1].ID); got.Status != "ACCEPTED" || got.Role != "GUEST" {
		t.Fatalf("the other person's participation changed: %+v", got)
	}
	if got := a.ent.Participation.GetX(testenv.System(), at.parts[0].ID); got.RespondedAt != nil {
		t.Fatalf("the re-invited participation kept its answer time: %+v", got)
	}
	if p := succeed[checkInObj](t, a, checkIn, input(map[string]any{"participationID": gid(at.parts[0].ID)})); p.Status != "ACCEPTED" || p.CheckedInAt == nil {
		t.Fatalf("check-in after the new invitation = %+v", p)
	}
}
