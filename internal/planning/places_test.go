package planning_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/validation"
)

// meetingWith makes a meeting with the given capacity and n invited guests,
// and returns their participations in order.
func meetingWith(t *testing.T, c *ent.Client, capacity, n int) (*ent.Meeting, []*ent.Participation) {
	t.Helper()
	ctx := testenv.System()
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	start := time.Date(2030, 6, 1, 9, 0, 0, 0, time.UTC)
	m := c.Meeting.Create().SetOrganization(org).SetTitle("Breakfast").SetCapacity(capacity).
		SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx)
	ids := make([]int, n)
	for i := range ids {
		ids[i] = c.Person.Create().SetOrganization(org).SetName(fmt.Sprintf("P%d", i)).
			SetEmail(fmt.Sprintf("p%d@acme.example", i)).SaveX(ctx).ID
	}
	res, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: m.ID, PersonIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	return m, res.Invited
}

// TestForcedCapacityWithAnswersFromBeforeAcceptedAt: people accepted before
// acceptedAt was recorded (rows migrated from an earlier version) count from
// their answer time, so a forced smaller capacity still moves the latest
// ones, on both databases.
func TestForcedCapacityWithAnswersFromBeforeAcceptedAt(t *testing.T) {
	c := testenv.Client(t)
	ctx := testenv.System()
	m, parts := meetingWith(t, c, 3, 3)
	base := time.Date(2029, 1, 1, 12, 0, 0, 0, time.UTC)
	for i, p := range parts { // accepted in order 0, 1, 2, without acceptedAt
		c.Participation.UpdateOne(p).SetStatus(participation.StatusAccepted).
			SetRespondedAt(base.Add(time.Duration(i) * time.Hour)).ExecX(ctx)
	}
	two := 2
	if _, err := planning.UpdateMeeting(ctx, c, m.ID, ent.UpdateMeetingInput{Capacity: &two}, false); err == nil {
		t.Fatal("a capacity below the people accepted was taken without force")
	}
	res, err := planning.UpdateMeeting(ctx, c, m.ID, ent.UpdateMeetingInput{Capacity: &two}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.MovedToWaitlist) != 1 || res.MovedToWaitlist[0].ID != parts[2].ID ||
		res.MovedToWaitlist[0].Status != participation.StatusWaitlisted || *res.MovedToWaitlist[0].WaitlistPosition != 1 {
		t.Fatalf("moved %+v, want participation %d at position 1", res.MovedToWaitlist, parts[2].ID)
	}
}

// TestAnswersWithoutCapacity: a meeting without a capacity has no waiting
// list, so an answer changes its participation only; the participation ends
// as it does at a meeting whose capacity is never reached.
func TestAnswersWithoutCapacity(t *testing.T) {
	c := testenv.Client(t)
	ctx := testenv.System()
	open, parts := meetingWith(t, c, 100, 2)
	c.Meeting.UpdateOne(open).ClearCapacity().ExecX(ctx)
	roomy := c.Meeting.Create().SetOrganizationID(open.OrganizationID).SetTitle("Roomy").SetCapacity(100).
		SetStartsAt(open.StartsAt).SetEndsAt(open.EndsAt).SetTimeZone("Europe/Paris").SaveX(ctx)
	res, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: roomy.ID, PersonIDs: []int{parts[0].PersonID}})
	if err != nil {
		t.Fatal(err)
	}
	x, y := parts[0], res.Invited[0]
	var firstAccepted time.Time
	for i, answer := range []participation.Status{participation.StatusAccepted, participation.StatusAccepted,
		participation.StatusTentative, participation.StatusAccepted, participation.StatusDeclined} {
		a, err := planning.Respond(ctx, c, x.ID, answer)
		if err != nil {
			t.Fatalf("answer %d (%s) without capacity: %v", i, answer, err)
		}
		b, err := planning.Respond(ctx, c, y.ID, answer)
		if err != nil {
			t.Fatalf("answer %d (%s) with room: %v", i, answer, err)
		}
		p, q := a.Participation, b.Participation
		if p.Status != answer || p.Status != q.Status || a.Waitlisted || len(a.Promoted) != 0 ||
			p.WaitlistPosition != nil || p.RespondedAt == nil || (p.AcceptedAt == nil) != (q.AcceptedAt == nil) {
			t.Fatalf("answer %d (%s): %+v without capacity, %+v with room", i, answer, p, q)
		}
		if got := c.Participation.GetX(ctx, x.ID); got.Status != answer {
			t.Fatalf("answer %d (%s): stored %s", i, answer, got.Status)
		}
		switch i {
		case 0:
			firstAccepted = *p.AcceptedAt
		case 1: // accepting again keeps the first acceptance
			if !p.AcceptedAt.Equal(firstAccepted) {
				t.Fatalf("acceptedAt moved from %s to %s", firstAccepted, p.AcceptedAt)
			}
		}
	}
	_, err = planning.Respond(ctx, c, x.ID+1_000_000, participation.StatusAccepted)
	if ve, ok := validation.As(err); !ok || ve.Code != validation.CodeNotFound || ve.Field != "participation_id" {
		t.Fatalf("answering an unknown participation: %v", err)
	}
}
