package timeline_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/schema"
	"github.com/rencontre/rencontre/ent/touchpoint"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/timeline"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// history is one person's history: Ana, at an open meeting and a VIP one,
// with every kind of entry and several at the same instant.
type history struct {
	c        *ent.Client
	org      int
	ana, ben *ent.Person
	open     *ent.Meeting
	vip      *ent.Meeting
	tie      time.Time // the instant several entries share
}

func at(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC)
}

func newHistory(t testing.TB, c *ent.Client) *history {
	t.Helper()
	ctx := testenv.System()
	h := &history{c: c, tie: at(1, 9, 0)}
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	h.org = org.ID
	h.ana = c.Person.Create().SetOrganization(org).SetName("Ana").SetEmail("ana@acme.example").SaveX(ctx)
	h.ben = c.Person.Create().SetOrganization(org).SetName("Ben").SetEmail("ben@acme.example").SaveX(ctx)
	meet := func(title string, v meeting.Visibility, start time.Time) *ent.Meeting {
		return c.Meeting.Create().SetOrganization(org).SetTitle(title).SetVisibility(v).
			SetStartsAt(start).SetEndsAt(start.Add(3 * time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx)
	}
	h.open = meet("Offsite", meeting.VisibilityOpen, at(10, 9, 0))
	h.vip = meet("VIP dinner", meeting.VisibilityVip, at(12, 18, 0))

	// Open meeting: invited (at the tie), answered and accepted, checked in
	// early; Ben too; they met; Ana rated it.
	answered := at(2, 10, 0)
	c.Participation.Create().SetMeeting(h.open).SetPerson(h.ana).SetInvitedAt(h.tie).
		SetStatus("ACCEPTED").SetRespondedAt(answered).SetAcceptedAt(answered).SetCheckedInAt(at(10, 8, 55)).ExecX(ctx)
	c.Participation.Create().SetMeeting(h.open).SetPerson(h.ben).SetInvitedAt(h.tie).
		SetStatus("ACCEPTED").SetRespondedAt(answered).SetAcceptedAt(answered).SetCheckedInAt(at(10, 9, 5)).ExecX(ctx)
	c.Encounter.Create().SetMeeting(h.open).SetPersonAID(h.ana.ID).SetPersonBID(h.ben.ID).
		SetHow("INTRODUCTION").SetOccurredAt(at(10, 10, 0)).ExecX(ctx)
	c.Feedback.Create().SetMeeting(h.open).SetPerson(h.ana).SetRating(5).SetCreatedAt(at(10, 13, 0)).ExecX(ctx)
	// A follow-up Ben owns that concerns Ana, created after and done; one
	// Ana owns, open.
	fu := c.FollowUp.Create().SetMeeting(h.open).SetOwner(h.ben).AddConcerns(h.ana).SetTitle("Send the slides").
		SetCreatedAt(at(11, 9, 0)).SaveX(ctx)
	c.FollowUp.UpdateOne(fu).SetStatus(followup.StatusDone).ExecX(schema.WithNow(ctx, at(15, 9, 0)))
	c.FollowUp.Create().SetMeeting(h.open).SetOwner(h.ana).SetTitle("Call Ben").SetCreatedAt(at(11, 9, 0)).ExecX(ctx)
	// Touchpoints: one before the meeting, one about no meeting at the tie.
	c.Touchpoint.Create().SetPerson(h.ana).SetMeeting(h.open).SetChannel(touchpoint.ChannelEmail).
		SetPhase(touchpoint.PhaseBefore).SetOccurredAt(at(5, 9, 0)).ExecX(ctx)
	c.Touchpoint.Create().SetPerson(h.ana).SetChannel(touchpoint.ChannelPhone).SetOccurredAt(h.tie).ExecX(ctx)
	// A workshop: on the waiting list when she answered, given a place later.
	workshop := meet("Workshop", meeting.VisibilityInviteOnly, at(25, 9, 0))
	c.Participation.Create().SetMeeting(workshop).SetPerson(h.ana).SetInvitedAt(at(20, 9, 0)).SetStatus("ACCEPTED").
		SetRespondedAt(at(21, 9, 0)).SetAcceptedAt(at(22, 9, 0)).ExecX(ctx)
	// VIP meeting: invited at the tie too, and checked in.
	c.Participation.Create().SetMeeting(h.vip).SetPerson(h.ana).SetInvitedAt(h.tie).SetStatus("ACCEPTED").
		SetRespondedAt(h.tie).SetAcceptedAt(h.tie).SetCheckedInAt(at(12, 18, 10)).ExecX(ctx)
	return h
}

func as(role viewer.Role, org int) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org, Role: role})
}

// describe is an entry as "kind@time/phase[/meeting]".
func describe(e timeline.Entry) string {
	s := fmt.Sprintf("%s@%s", e.Kind, e.At.UTC().Format("02T15:04"))
	if e.Phase != nil {
		s += "/" + string(*e.Phase)
	}
	if e.Meeting != nil {
		s += "/" + e.Meeting.Title
	}
	return s
}

func all(t *testing.T, ctx context.Context, c *ent.Client, personID, first int) []string {
	t.Helper()
	var (
		got   []string
		after *ent.Cursor
	)
	for range 100 {
		page, err := timeline.Read(ctx, c, personID, timeline.Options{First: &first, After: after, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) > first {
			t.Fatalf("a page of %d has %d entries", first, len(page.Entries))
		}
		for _, e := range page.Entries {
			got = append(got, describe(e))
		}
		if !page.HasNextPage {
			return got
		}
		after = &page.Entries[len(page.Entries)-1].Cursor
	}
	t.Fatal("paging did not end")
	return nil
}

func TestTimelineOrderPhasesAndPaging(t *testing.T) {
	c := testenv.Client(t)
	h := newHistory(t, c)
	want := []string{
		"PROMOTED@22T09:00/BEFORE/Workshop",
		"ANSWERED@21T09:00/BEFORE/Workshop",
		"INVITED@20T09:00/BEFORE/Workshop",
		"FOLLOW_UP_DONE@15T09:00/AFTER/Offsite",
		"CHECKED_IN@12T18:10/DURING/VIP dinner",
		"FOLLOW_UP_CREATED@11T09:00/AFTER/Offsite", // twice at once
		"FOLLOW_UP_CREATED@11T09:00/AFTER/Offsite",
		"FEEDBACK@10T13:00/AFTER/Offsite",
		"ENCOUNTER@10T10:00/DURING/Offsite",
		"CHECKED_IN@10T08:55/BEFORE/Offsite",
		"TOUCHPOINT@05T09:00/BEFORE/Offsite",
		"ANSWERED@02T10:00/BEFORE/Offsite",
		// At the tie, the later kinds first: the touchpoint, the answer,
		// then the invitations (the later record first).
		"TOUCHPOINT@01T09:00",
		"ANSWERED@01T09:00/BEFORE/VIP dinner",
		"INVITED@01T09:00/BEFORE/VIP dinner",
		"INVITED@01T09:00/BEFORE/Offsite",
	}
	ctx := as(viewer.Planner, h.org)
	for _, first := range []int{1, 2, 3, 5, 100} {
		t.Run(fmt.Sprintf("first %d", first), func(t *testing.T) {
			if got := all(t, ctx, c, h.ana.ID, first); !slices.Equal(got, want) {
				t.Errorf("timeline =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	page, err := timeline.Read(ctx, c, h.ana.ID, timeline.Options{First: ptr(1), Count: true})
	if err != nil || page.TotalCount != len(want) {
		t.Errorf("totalCount = %d, %v, want %d", page.TotalCount, err, len(want))
	}
	// Ana owns one follow-up; Ben's concerns her.
	full, err := timeline.Read(ctx, c, h.ana.ID, timeline.Options{First: ptr(100)})
	if err != nil {
		t.Fatal(err)
	}
	var owned []string
	for _, e := range full.Entries {
		if e.FollowUp != nil && e.Owner {
			owned = append(owned, string(e.Kind)+" "+e.FollowUp.Title)
		}
	}
	if !slices.Equal(owned, []string{"FOLLOW_UP_CREATED Call Ben"}) {
		t.Errorf("entries of follow-ups Ana owns: %v", owned)
	}
	// Times are shown in the meeting's zone.
	if e := page.Entries[0]; e.At.Location().String() != "Europe/Paris" || e.Participation == nil {
		t.Errorf("first entry = %+v, want the workshop's place in Europe/Paris", e)
	}
}

func TestTimelineOfAViewerLeavesOutTouchpointsAndVIPRecords(t *testing.T) {
	c := testenv.Client(t)
	h := newHistory(t, c)
	got := all(t, as(viewer.ReadOnly, h.org), c, h.ana.ID, 4)
	for _, g := range got {
		if strings.HasPrefix(g, "TOUCHPOINT") || strings.Contains(g, "VIP dinner") {
			t.Errorf("a VIEWER sees %s", g)
		}
	}
	if len(got) != 11 {
		t.Errorf("a VIEWER sees %d entries, want 11: %v", len(got), got)
	}
	page, err := timeline.Read(as(viewer.ReadOnly, h.org), c, h.ana.ID, timeline.Options{First: ptr(1), Count: true})
	if err != nil || page.TotalCount != 11 {
		t.Errorf("a VIEWER's totalCount = %+v, %v, want 11", page, err)
	}
}

func TestTimelineRefusesBadPagesAndCursors(t *testing.T) {
	c := testenv.Client(t)
	h := newHistory(t, c)
	ctx := as(viewer.Owner, h.org)
	for _, tc := range []struct {
		name string
		opts timeline.Options
	}{
		{"first above 100", timeline.Options{First: ptr(101)}},
		{"first 0", timeline.Options{First: ptr(0)}},
		{"a cursor of another connection", timeline.Options{After: &ent.Cursor{ID: 1, Value: nil}}},
		{"a cursor of an unknown kind", timeline.Options{After: &ent.Cursor{ID: 1, Value: []any{time.Now(), "NOPE"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := timeline.Read(ctx, c, h.ana.ID, tc.opts)
			if _, ok := validation.As(err); !ok {
				t.Errorf("err = %v, want a validation error", err)
			}
		})
	}
}

// TestTimelineStatementsAreBounded counts the statements of a page: one per
// kind, the meetings and the people met, whatever the history's length.
func TestTimelineStatementsAreBounded(t *testing.T) {
	c, counter := testenv.ClientWithCounter(t)
	h := newHistory(t, c)
	ctx := testenv.System()
	org := c.Organization.GetX(ctx, h.org)
	for i := range 150 {
		m := c.Meeting.Create().SetOrganization(org).SetTitle(fmt.Sprintf("M%d", i)).
			SetStartsAt(at(20, 9, 0)).SetEndsAt(at(20, 10, 0)).SetTimeZone("UTC").SaveX(ctx)
		c.Participation.Create().SetMeeting(m).SetPerson(h.ana).SetInvitedAt(at(19, 9, 0)).ExecX(ctx)
	}
	counter.Reset()
	page, err := timeline.Read(as(viewer.Owner, h.org), c, h.ana.ID, timeline.Options{First: ptr(100)})
	if err != nil || len(page.Entries) != 100 || !page.HasNextPage {
		t.Fatalf("page = %d entries, next %t, %v", len(page.Entries), page.HasNextPage, err)
	}
	if n, limit := counter.Count(), int64(len(timeline.Kinds)+2); n > limit {
		t.Errorf("%d statements for a page, want at most %d", n, limit)
	}
}

func ptr(n int) *int { return &n }
