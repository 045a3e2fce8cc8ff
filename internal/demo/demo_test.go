package demo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/feedback"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/testenv"
)

// counts is the number of records of every entity.
func counts(t *testing.T, c *ent.Client) map[string]int {
	t.Helper()
	ctx := testenv.System()
	out := map[string]int{}
	for name, count := range map[string]func(context.Context) (int, error){
		"organizations":  c.Organization.Query().Count,
		"people":         c.Person.Query().Count,
		"communities":    c.Community.Query().Count,
		"objectives":     c.Objective.Query().Count,
		"indicators":     c.Indicator.Query().Count,
		"meetings":       c.Meeting.Query().Count,
		"agendaItems":    c.AgendaItem.Query().Count,
		"participations": c.Participation.Query().Count,
		"encounters":     c.Encounter.Query().Count,
		"relationships":  c.Relationship.Query().Count,
		"followUps":      c.FollowUp.Query().Count,
		"feedbacks":      c.Feedback.Query().Count,
		"touchpoints":    c.Touchpoint.Query().Count,
	} {
		n, err := count(ctx)
		if err != nil {
			t.Fatalf("counting %s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

// loaded is the demo over a fresh database, loaded once.
func loaded(t *testing.T) (*ent.Client, *demo.Result, time.Time) {
	t.Helper()
	c := testenv.Client(t)
	now := time.Now()
	res, err := demo.Load(testenv.System(), c, now)
	if err != nil {
		t.Fatalf("loading the demo: %v", err)
	}
	if !res.Created || res.Organization == nil || res.Organization.Slug != demo.Slug {
		t.Fatalf("first load = %+v, want the demo organization created", res)
	}
	return c, res, now
}

func TestDemoContents(t *testing.T) {
	c, res, now := loaded(t)
	ctx := testenv.System()
	org := res.Organization.ID
	n := counts(t, c)
	t.Logf("demo counts: %v", n)

	t.Run("one organization", func(t *testing.T) {
		if n["organizations"] != 1 {
			t.Fatalf("organizations = %d, want 1", n["organizations"])
		}
	})
	t.Run("about 60 people", func(t *testing.T) {
		if p := n["people"]; p < 50 || p > 70 {
			t.Fatalf("people = %d, want about 60", p)
		}
	})
	t.Run("two legacy companies and several teams", func(t *testing.T) {
		legacy := c.Community.Query().Where(community.OrganizationID(org), community.KindEQ(community.KindLegacyCompany)).CountX(ctx)
		teams := c.Community.Query().Where(community.OrganizationID(org), community.KindEQ(community.KindTeam)).CountX(ctx)
		if legacy != 2 || teams < 3 {
			t.Fatalf("legacy companies = %d, teams = %d; want 2 and at least 3", legacy, teams)
		}
	})
	t.Run("every person belongs to a legacy company", func(t *testing.T) {
		without := c.Person.Query().Where(person.Not(person.HasCommunitiesWith(
			community.KindEQ(community.KindLegacyCompany)))).CountX(ctx)
		if without != 0 {
			t.Fatalf("%d people belong to no legacy company", without)
		}
	})
	t.Run("one objective of each category, with indicators", func(t *testing.T) {
		for _, cat := range []objective.Category{objective.CategoryChange, objective.CategoryMotivation, objective.CategoryNetworking} {
			objs := c.Objective.Query().Where(objective.CategoryEQ(cat)).WithIndicators().AllX(ctx)
			if len(objs) != 1 {
				t.Errorf("%s objectives = %d, want 1", cat, len(objs))
				continue
			}
			if len(objs[0].Edges.Indicators) == 0 {
				t.Errorf("%s objective %q has no indicators", cat, objs[0].Title)
			}
		}
	})
	t.Run("8 or more meetings, past and future", func(t *testing.T) {
		meetings := c.Meeting.Query().AllX(ctx)
		var past, future int
		for _, m := range meetings {
			switch {
			case m.EndsAt.Before(now):
				past++
				if m.Status != meeting.StatusDone {
					t.Errorf("past meeting %q has status %s, want DONE", m.Title, m.Status)
				}
			case m.StartsAt.After(now):
				future++
				if m.Status == meeting.StatusDone {
					t.Errorf("future meeting %q is DONE", m.Title)
				}
			}
		}
		if len(meetings) < 8 || past == 0 || future == 0 {
			t.Fatalf("meetings = %d (%d past, %d future), want 8 or more with both", len(meetings), past, future)
		}
	})
	t.Run("past meetings have check-ins, encounters, follow-ups and feedback", func(t *testing.T) {
		past := c.Meeting.Query().Where(meeting.EndsAtLT(now)).AllX(ctx)
		for _, m := range past {
			checkIns := c.Participation.Query().Where(participation.MeetingID(m.ID), participation.CheckedInAtNotNil()).CountX(ctx)
			encounters := c.Encounter.Query().Where(encounter.MeetingID(m.ID)).CountX(ctx)
			followUps := c.FollowUp.Query().Where(followup.MeetingID(m.ID)).CountX(ctx)
			feedbacks := c.Feedback.Query().Where(feedback.MeetingID(m.ID)).CountX(ctx)
			if checkIns == 0 || encounters == 0 || followUps == 0 || feedbacks == 0 {
				t.Errorf("past meeting %q: %d check-ins, %d encounters, %d follow-ups, %d feedbacks; want some of each",
					m.Title, checkIns, encounters, followUps, feedbacks)
			}
		}
		if n["relationships"] == 0 {
			t.Error("no relationships")
		}
	})
	t.Run("future meetings have no check-ins nor encounters", func(t *testing.T) {
		future := c.Meeting.Query().Where(meeting.StartsAtGT(now)).AllX(ctx)
		for _, m := range future {
			checkIns := c.Participation.Query().Where(participation.MeetingID(m.ID), participation.CheckedInAtNotNil()).CountX(ctx)
			encounters := c.Encounter.Query().Where(encounter.MeetingID(m.ID)).CountX(ctx)
			if checkIns != 0 || encounters != 0 {
				t.Errorf("future meeting %q: %d check-ins, %d encounters; want none", m.Title, checkIns, encounters)
			}
		}
	})
	t.Run("relationships agree with encounters", func(t *testing.T) {
		rels := c.Relationship.Query().AllX(ctx)
		for _, r := range rels {
			pair := c.Encounter.Query().Where(encounter.PersonAID(r.PersonAID), encounter.PersonBID(r.PersonBID)).CountX(ctx)
			if r.EncounterCount != pair {
				t.Errorf("relationship %d-%d: encounterCount %d, but %d encounters", r.PersonAID, r.PersonBID, r.EncounterCount, pair)
			}
		}
		// And every encountered pair has its relationship.
		var pairs []struct {
			PersonAID int `json:"person_a_id"`
			PersonBID int `json:"person_b_id"`
		}
		c.Encounter.Query().GroupBy(encounter.FieldPersonAID, encounter.FieldPersonBID).ScanX(ctx, &pairs)
		if len(pairs) != len(rels) {
			t.Errorf("%d pairs met, but %d relationships", len(pairs), len(rels))
		}
		for _, p := range pairs {
			if !c.Relationship.Query().Where(relationship.PersonAID(p.PersonAID), relationship.PersonBID(p.PersonBID)).ExistX(ctx) {
				t.Errorf("pair %d-%d met but has no relationship", p.PersonAID, p.PersonBID)
			}
		}
	})
}

func TestDemoLoadsOnce(t *testing.T) {
	c, first, _ := loaded(t)
	before := counts(t, c)
	again, err := demo.Load(testenv.System(), c, time.Now())
	if err != nil {
		t.Fatalf("loading the demo again: %v", err)
	}
	if again.Created {
		t.Error("second load: Created = true, want false")
	}
	if again.Organization == nil || again.Organization.ID != first.Organization.ID {
		t.Errorf("second load returned %+v, want the existing organization %d", again.Organization, first.Organization.ID)
	}
	after := counts(t, c)
	for name, n := range before {
		if after[name] != n {
			t.Errorf("%s: %d -> %d after loading the demo again", name, n, after[name])
		}
	}
}

// readmeQuery lists the meetings with their objectives, participants and the
// participants' communities, within the default complexity limit.
const readmeQuery = `{
  meetings(orderBy: [{field: STARTS_AT, direction: ASC}]) {
    totalCount
    edges { node {
      title startsAt status
      objectives { edges { node { title category } } }
      participations(first: 50) { totalCount edges { node {
        status
        person { name communities { edges { node { name kind } } } }
      } } }
    } }
  }
}`

func TestDemoThroughGraphQL(t *testing.T) {
	c, _, _ := loaded(t)
	body, err := json.Marshal(map[string]any{"query": readmeQuery})
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := demo.Token(testenv.System(), c)
	if err != nil {
		t.Fatalf("demo token: %v", err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+secret)
	w := httptest.NewRecorder()
	graph.NewHandler(c, graph.Options{}).ServeHTTP(w, req)
	var res struct {
		Data struct {
			Meetings struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Title, Status string
						StartsAt      time.Time
						Objectives    struct {
							Edges []struct {
								Node struct{ Title, Category string }
							}
						}
						Participations struct {
							TotalCount int
							Edges      []struct {
								Node struct {
									Status string
									Person struct {
										Name        string
										Communities struct {
											Edges []struct{ Node struct{ Name, Kind string } }
										}
									}
								}
							}
						}
					}
				}
			}
		}
		Errors []json.RawMessage
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("HTTP %d %q: %v", w.Code, w.Body.String(), err)
	}
	if w.Code != http.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("HTTP %d, errors %s", w.Code, res.Errors)
	}
	ms := res.Data.Meetings
	if want := c.Meeting.Query().CountX(testenv.System()); ms.TotalCount != want || len(ms.Edges) != want {
		t.Fatalf("meetings: totalCount %d, %d edges; want %d", ms.TotalCount, len(ms.Edges), want)
	}
	for i, e := range ms.Edges {
		m := e.Node
		if i > 0 && m.StartsAt.Before(ms.Edges[i-1].Node.StartsAt) {
			t.Errorf("meeting %q is out of order", m.Title)
		}
		if m.Title == "" || len(m.Objectives.Edges) == 0 || len(m.Participations.Edges) == 0 {
			t.Errorf("meeting %q: %d objectives, %d participations; want some of each", m.Title, len(m.Objectives.Edges), len(m.Participations.Edges))
		}
		if len(m.Participations.Edges) != min(50, m.Participations.TotalCount) {
			t.Errorf("meeting %q: %d participation edges of %d", m.Title, len(m.Participations.Edges), m.Participations.TotalCount)
		}
		for _, p := range m.Participations.Edges {
			if p.Node.Person.Name == "" || len(p.Node.Person.Communities.Edges) == 0 {
				t.Errorf("meeting %q: participant %+v has no name or no community", m.Title, p.Node.Person)
			}
		}
	}
}

// TestDemoRehearsal: the README's walk-through needs a future INVITE_ONLY
// meeting of 10 places with 50 people invited who have not answered, created
// last so that the IDs of the other demo records do not move.
func TestDemoRehearsal(t *testing.T) {
	c, _, now := loaded(t)
	ctx := testenv.System()
	m, err := c.Meeting.Query().Where(meeting.Title(demo.RehearsalTitle)).Only(ctx)
	if err != nil {
		t.Fatalf("the rehearsal: %v", err)
	}
	if m.Visibility != meeting.VisibilityInviteOnly || m.Capacity == nil || *m.Capacity != 10 || !m.StartsAt.After(now) || m.Status != meeting.StatusScheduled {
		t.Errorf("rehearsal: visibility %s, capacity %v, starts %s, status %s; want INVITE_ONLY, 10, in the future, SCHEDULED",
			m.Visibility, m.Capacity, m.StartsAt, m.Status)
	}
	if last := c.Meeting.Query().Aggregate(ent.Max(meeting.FieldID)).IntX(ctx); last != m.ID {
		t.Errorf("rehearsal ID %d, but the last meeting is %d: it must be created last", m.ID, last)
	}
	parts := c.Participation.Query().Where(participation.MeetingID(m.ID)).AllX(ctx)
	people := map[int]bool{}
	for _, p := range parts {
		people[p.PersonID] = true
		if p.Status != participation.StatusInvited || p.RespondedAt != nil || p.Role != participation.RoleGuest {
			t.Errorf("participation %d: status %s, role %s, respondedAt %v; want INVITED guests without answers", p.ID, p.Status, p.Role, p.RespondedAt)
		}
	}
	if len(parts) != 50 || len(people) != 50 {
		t.Errorf("%d participations of %d people, want 50 of 50", len(parts), len(people))
	}
}
