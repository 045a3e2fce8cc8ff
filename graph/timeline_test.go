package graph_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/touchpoint"
	"github.com/rencontre/rencontre/internal/testenv"
)

// timelineQuery reads a person's timeline through node, with an alias on
// the connection and its fields, a fragment on the interface and inline
// fragments on the concrete types, and variables for the page.
const timelineQuery = `query Timeline($id: ID!, $first: Int, $after: Cursor) {
	node(id: $id) {
		... on Person {
			history: timeline(first: $first, after: $after) {
				total: totalCount
				pageInfo { hasNextPage endCursor }
				edges { cursor node { ...entry } }
			}
		}
	}
}
fragment entry on TimelineEntry {
	type: __typename
	when: at
	kind
	phase
	meeting { title }
	... on TimelineParticipationEntry { participation { status } }
	... on TimelineEncounterEntry { other { name } encounter { how } }
	... on TimelineFollowUpEntry { owner followUp { title } }
	... on TimelineTouchpointEntry { touchpoint { channel } }
}`

type timelinePage struct {
	Node struct {
		History struct {
			Total    int
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
			Edges []struct {
				Cursor string
				Node   struct {
					Type, When, Kind string
					Phase            *string
					Meeting          *struct{ Title string }
					Participation    *struct{ Status string }
					Other            *struct{ Name string }
					Owner            *bool
					Touchpoint       *struct{ Channel string }
				}
			}
		}
	}
}

// timelineWorld is Ana's history: a past breakfast and a VIP dinner she
// was invited to at the same instant, with a check-in, an encounter, a
// follow-up and touchpoints.
func timelineWorld(t *testing.T) (*api, *fixture) {
	t.Helper()
	a := newAPI(t)
	c, ctx := a.ent, testenv.System()
	f := newFixture(t, c)
	tie := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	meet := func(title string, v meeting.Visibility, start time.Time) *ent.Meeting {
		return c.Meeting.Create().SetOrganization(f.org).SetTitle(title).SetVisibility(v).
			SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx)
	}
	breakfast := meet("Breakfast", meeting.VisibilityOpen, time.Date(2026, 1, 9, 8, 0, 0, 0, time.UTC))
	dinner := meet("Dinner", meeting.VisibilityVip, time.Date(2026, 1, 20, 18, 0, 0, 0, time.UTC))
	for _, m := range []*ent.Meeting{breakfast, dinner} {
		c.Participation.Create().SetMeeting(m).SetPerson(f.ana).SetInvitedAt(tie).SetStatus("ACCEPTED").
			SetRespondedAt(tie).SetAcceptedAt(tie).SetCheckedInAt(m.StartsAt.Add(5 * time.Minute)).ExecX(ctx)
	}
	c.Participation.Create().SetMeeting(breakfast).SetPerson(f.ben).SetInvitedAt(tie).SetStatus("ACCEPTED").
		SetCheckedInAt(breakfast.StartsAt).ExecX(ctx)
	c.Encounter.Create().SetMeeting(breakfast).SetPersonAID(f.ana.ID).SetPersonBID(f.ben.ID).SetHow("SAME_TABLE").
		SetOccurredAt(breakfast.StartsAt.Add(time.Hour)).ExecX(ctx)
	c.FollowUp.Create().SetMeeting(breakfast).SetOwner(f.ana).SetTitle("Share the notes").
		SetCreatedAt(breakfast.EndsAt.Add(time.Hour)).ExecX(ctx)
	c.Touchpoint.Create().SetPerson(f.ana).SetChannel(touchpoint.ChannelEmail).SetOccurredAt(tie).ExecX(ctx)
	c.Touchpoint.Create().SetPerson(f.ana).SetMeeting(breakfast).SetChannel(touchpoint.ChannelPhone).
		SetPhase(touchpoint.PhaseAfter).SetOccurredAt(breakfast.EndsAt.Add(48 * time.Hour)).ExecX(ctx)
	return a, f
}

// readTimeline pages through a timeline by first, and describes each entry.
func readTimeline(t *testing.T, a *api, personID, first int) (entries []string, total int) {
	t.Helper()
	vars := map[string]any{"id": gid(personID), "first": first}
	for range 50 {
		var page timelinePage
		postRaw(t, a, timelineQuery, vars).mustData(t, &page)
		h := page.Node.History
		total = h.Total
		for _, e := range h.Edges {
			n := e.Node
			s := n.Type + " " + n.Kind + " " + n.When
			if n.Phase != nil {
				s += " " + *n.Phase
			}
			if n.Meeting != nil {
				s += " " + n.Meeting.Title
			}
			switch {
			case n.Other != nil:
				s += " met " + n.Other.Name
			case n.Touchpoint != nil:
				s += " " + n.Touchpoint.Channel
			case n.Owner != nil:
				s += fmt.Sprintf(" owner=%t", *n.Owner)
			}
			entries = append(entries, s)
		}
		if !h.PageInfo.HasNextPage {
			return entries, total
		}
		vars["after"] = *h.PageInfo.EndCursor
	}
	t.Fatal("paging did not end")
	return nil, 0
}

func TestTimelineThroughTheAPI(t *testing.T) {
	a, f := timelineWorld(t)
	want := []string{
		"TimelineParticipationEntry CHECKED_IN 2026-01-20T19:05:00+01:00 DURING Dinner",
		"TimelineTouchpointEntry TOUCHPOINT 2026-01-11T11:00:00+01:00 AFTER Breakfast PHONE",
		"TimelineFollowUpEntry FOLLOW_UP_CREATED 2026-01-09T12:00:00+01:00 AFTER Breakfast owner=true",
		"TimelineEncounterEntry ENCOUNTER 2026-01-09T10:00:00+01:00 DURING Breakfast met Ben",
		"TimelineParticipationEntry CHECKED_IN 2026-01-09T09:05:00+01:00 DURING Breakfast",
		// Five entries at one instant: the later kinds first (a touchpoint,
		// the answers, the invitations), then the later records.
		"TimelineTouchpointEntry TOUCHPOINT 2026-01-02T09:00:00Z EMAIL",
		"TimelineParticipationEntry ANSWERED 2026-01-02T10:00:00+01:00 BEFORE Dinner",
		"TimelineParticipationEntry ANSWERED 2026-01-02T10:00:00+01:00 BEFORE Breakfast",
		"TimelineParticipationEntry INVITED 2026-01-02T10:00:00+01:00 BEFORE Dinner",
		"TimelineParticipationEntry INVITED 2026-01-02T10:00:00+01:00 BEFORE Breakfast",
	}
	for _, first := range []int{1, 2, 3, 100} {
		t.Run(fmt.Sprintf("first %d", first), func(t *testing.T) {
			got, total := readTimeline(t, a, f.ana.ID, first)
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("timeline (total %d) =\n%s\nwant (total %d)\n%s", total, strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
			}
		})
	}

	t.Run("a VIEWER sees neither touchpoints nor the VIP guest list, without an error", func(t *testing.T) {
		a.token = tokenFor(t, a.ent, "acme", membership.RoleViewer)
		defer func() { a.token = "" }()
		got, total := readTimeline(t, a, f.ana.ID, 2)
		var visible []string
		for _, w := range want {
			if !strings.Contains(w, "TOUCHPOINT") && !strings.Contains(w, "Dinner") {
				visible = append(visible, w)
			}
		}
		if !slices.Equal(got, visible) || total != len(visible) {
			t.Errorf("a VIEWER's timeline (total %d) =\n%s\nwant\n%s", total, strings.Join(got, "\n"), strings.Join(visible, "\n"))
		}
	})
}

func TestTimelinePageBounds(t *testing.T) {
	a, f := timelineWorld(t)
	for _, tc := range []struct {
		name     string
		vars     map[string]any
		wantCode string
		wantLen  int
	}{
		{"without first, a page of 20 at most", map[string]any{"id": gid(f.ana.ID)}, "", 10},
		{"first above 100 is refused", map[string]any{"id": gid(f.ana.ID), "first": 101}, "BAD_USER_INPUT", 0},
		{"first 0 is refused", map[string]any{"id": gid(f.ana.ID), "first": 0}, "BAD_USER_INPUT", 0},
		{"a cursor of another list is refused", map[string]any{"id": gid(f.ana.ID), "after": otherCursor(t, a)}, "BAD_USER_INPUT", 0},
		{"a string that is no cursor is refused", map[string]any{"id": gid(f.ana.ID), "after": "nope"}, "BAD_USER_INPUT", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := postRaw(t, a, timelineQuery, tc.vars)
			if tc.wantCode != "" {
				if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != tc.wantCode {
					t.Errorf("errors = %+v, want %s", res.Errors, tc.wantCode)
				}
				return
			}
			var page timelinePage
			res.mustData(t, &page)
			if n := len(page.Node.History.Edges); n != tc.wantLen {
				t.Errorf("%d entries, want %d", n, tc.wantLen)
			}
		})
	}
}

// otherCursor is the cursor of a page of people.
func otherCursor(t *testing.T, a *api) string {
	t.Helper()
	var rsp struct {
		People struct{ PageInfo struct{ EndCursor string } }
	}
	postRaw(t, a, `{ people(first: 1) { pageInfo { endCursor } } }`, nil).mustData(t, &rsp)
	return rsp.People.PageInfo.EndCursor
}
