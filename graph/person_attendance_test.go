package graph_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/testenv"
)

// personAttendanceWorld is an organization whose people have attended,
// missed, are yet to attend and were uninvited from meetings, one of them
// VIP, and a second organization with a no-show of its own.
type personAttendanceWorld struct {
	a                        *api
	ana, ben, cleo, zed      *ent.Person
	anaCheckIn               time.Time
	now                      time.Time
	owner, viewer, otherOrgT string
}

func newPersonAttendanceWorld(t *testing.T) *personAttendanceWorld {
	t.Helper()
	a := newAPI(t)
	c, ctx := a.ent, testenv.System()
	f := newFixture(t, c)
	w := &personAttendanceWorld{a: a, ana: f.ana, ben: f.ben, now: time.Now().UTC()}
	w.cleo = c.Person.Create().SetOrganization(f.org).SetName("Cleo").SetEmail("cleo@acme.example").SaveX(ctx)
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	// A meeting of org that ended `ago` before now, lasting two hours, its
	// times stored in loc (SQLite keeps the offset: comparisons must not be
	// textual).
	ended := func(org *ent.Organization, title string, ago time.Duration, loc *time.Location, vis meeting.Visibility) *ent.Meeting {
		end := w.now.Truncate(time.Second).Add(-ago).In(loc)
		return c.Meeting.Create().SetOrganization(org).SetTitle(title).SetVisibility(vis).
			SetStartsAt(end.Add(-2 * time.Hour)).SetEndsAt(end).SetTimeZone("Europe/Paris").SaveX(ctx)
	}
	take := func(m *ent.Meeting, p *ent.Person, status participation.Status, in *time.Time) {
		pc := c.Participation.Create().SetOrganizationID(m.OrganizationID).SetMeetingID(m.ID).SetPersonID(p.ID).
			SetStatus(status)
		if status == participation.StatusAccepted {
			pc.SetAcceptedAt(m.StartsAt.Add(-24 * time.Hour))
		}
		if in != nil {
			pc.SetCheckedInAt(*in)
		}
		pc.SaveX(ctx)
	}
	day := 24 * time.Hour
	m1 := ended(f.org, "Ten days ago", 10*day, time.UTC, meeting.VisibilityInviteOnly)
	m2 := ended(f.org, "Three days ago", 3*day, tokyo, meeting.VisibilityInviteOnly)
	m4 := ended(f.org, "Two days ago", 2*day, time.UTC, meeting.VisibilityInviteOnly)
	vip := ended(f.org, "VIP dinner", 5*day, time.UTC, meeting.VisibilityVip)
	future := f.meeting // 2030

	// Ana checked in at m1 (in +09:00, with nanoseconds), missed m2, is expected at the future
	// meeting and was uninvited from m4.
	w.anaCheckIn = m1.StartsAt.Add(10*time.Minute + 123456789*time.Nanosecond).In(tokyo)
	take(m1, w.ana, participation.StatusAccepted, &w.anaCheckIn)
	take(m2, w.ana, participation.StatusAccepted, nil)
	take(future, w.ana, participation.StatusAccepted, nil)
	take(m4, w.ana, participation.StatusCancelled, nil)
	// Ben missed m1 and m2.
	take(m1, w.ben, participation.StatusAccepted, nil)
	take(m2, w.ben, participation.StatusAccepted, nil)
	// Cleo missed m1 and the VIP dinner.
	take(m1, w.cleo, participation.StatusAccepted, nil)
	take(vip, w.cleo, participation.StatusAccepted, nil)

	other := c.Organization.Create().SetName("Globex").SetSlug("globex").SaveX(ctx)
	w.zed = c.Person.Create().SetOrganization(other).SetName("Zed").SetEmail("zed@globex.example").SaveX(ctx)
	for _, ago := range []time.Duration{3 * day, 5 * day, 10 * day} {
		take(ended(other, "Globex meeting", ago, time.UTC, meeting.VisibilityInviteOnly), w.zed, participation.StatusAccepted, nil)
	}
	w.owner = tokenFor(t, c, "acme", membership.RoleOwner)
	w.viewer = tokenFor(t, c, "acme", membership.RoleViewer)
	w.otherOrgT = tokenFor(t, c, "globex", membership.RoleOwner)
	return w
}

func (w *personAttendanceWorld) as(t *testing.T, token, query string, vars map[string]any) rawResult {
	t.Helper()
	w.a.token = token
	return postRaw(t, w.a, query, vars)
}

type personAttendanceObj struct {
	Invited, Attended, NoShows int
	LastAttendedAt             *time.Time
}

func TestPersonAttendance(t *testing.T) {
	w := newPersonAttendanceWorld(t)
	read := func(t *testing.T, token string, p *ent.Person) personAttendanceObj {
		t.Helper()
		var got struct {
			Node *struct{ Attendance personAttendanceObj }
		}
		w.as(t, token, `query($id: ID!) { node(id: $id) { ... on Person { attendance { invited attended noShows lastAttendedAt } } } }`,
			map[string]any{"id": gid(p.ID)}).mustData(t, &got)
		if got.Node == nil {
			t.Fatalf("person %d not found", p.ID)
		}
		return got.Node.Attendance
	}
	t.Run("ana", func(t *testing.T) {
		got := read(t, w.owner, w.ana)
		// m1 attended, m2 missed, the future meeting not a no-show, m4 cancelled.
		if got.Invited != 3 || got.Attended != 1 || got.NoShows != 1 {
			t.Errorf("attendance = %+v, want invited 3, attended 1, noShows 1", got)
		}
		if got.LastAttendedAt == nil || got.LastAttendedAt.Sub(w.anaCheckIn).Abs() > time.Millisecond {
			t.Errorf("lastAttendedAt = %v, want %v", got.LastAttendedAt, w.anaCheckIn)
		}
	})
	t.Run("ben", func(t *testing.T) {
		got := read(t, w.owner, w.ben)
		if got != (personAttendanceObj{Invited: 2, Attended: 0, NoShows: 2}) {
			t.Errorf("attendance = %+v, want invited 2, noShows 2, never attended", got)
		}
	})
	t.Run("VIP counted for an OWNER, not for a VIEWER", func(t *testing.T) {
		if got := read(t, w.owner, w.cleo); got != (personAttendanceObj{Invited: 2, NoShows: 2}) {
			t.Errorf("OWNER: attendance = %+v, want invited 2, noShows 2", got)
		}
		if got := read(t, w.viewer, w.cleo); got != (personAttendanceObj{Invited: 1, NoShows: 1}) {
			t.Errorf("VIEWER: attendance = %+v, want invited 1, noShows 1", got)
		}
	})
	t.Run("people connection", func(t *testing.T) {
		var got struct {
			People struct {
				Edges []struct {
					Node struct {
						Name       string
						Attendance personAttendanceObj
					}
				}
			}
		}
		w.as(t, w.owner, `{ people(first: 10, orderBy: {field: NAME}) { edges { node { name attendance { invited attended noShows lastAttendedAt } } } } }`, nil).mustData(t, &got)
		var names []string
		for _, e := range got.People.Edges {
			names = append(names, e.Node.Name)
		}
		if !slices.Equal(names, []string{"Ana", "Ben", "Cleo"}) {
			t.Fatalf("people = %v, want Ana, Ben, Cleo", names)
		}
	})
}

func TestPeopleWithNoShows(t *testing.T) {
	w := newPersonAttendanceWorld(t)
	day := 24 * time.Hour
	names := func(t *testing.T, token string, vars map[string]any) []string {
		t.Helper()
		var got struct {
			PeopleWithNoShows struct {
				TotalCount int
				Edges      []struct{ Node struct{ Name string } }
			}
		}
		w.as(t, token, `query($min: Int!, $since: Time, $until: Time) {
			peopleWithNoShows(minNoShows: $min, since: $since, until: $until, first: 10, orderBy: {field: NAME}) {
				totalCount edges { node { name } }
			}
		}`, vars).mustData(t, &got)
		var ns []string
		for _, e := range got.PeopleWithNoShows.Edges {
			ns = append(ns, e.Node.Name)
		}
		if got.PeopleWithNoShows.TotalCount != len(ns) {
			t.Errorf("totalCount = %d, want %d", got.PeopleWithNoShows.TotalCount, len(ns))
		}
		return ns
	}
	at := func(d time.Duration) string { return w.now.Add(-d).Format(time.RFC3339) }
	cases := []struct {
		name  string
		token string
		vars  map[string]any
		want  []string
	}{
		{"at least 1", w.owner, map[string]any{"min": 1}, []string{"Ana", "Ben", "Cleo"}},
		{"at least 2", w.owner, map[string]any{"min": 2}, []string{"Ben", "Cleo"}},
		{"at least 3", w.owner, map[string]any{"min": 3}, nil},
		{"VIEWER does not count VIP", w.viewer, map[string]any{"min": 2}, []string{"Ben"}},
		// Meetings that ended in the last week: m2 (3 days ago) and the VIP dinner (5 days ago).
		{"since", w.owner, map[string]any{"min": 1, "since": at(7 * day)}, []string{"Ana", "Ben", "Cleo"}},
		{"since, at least 2", w.owner, map[string]any{"min": 2, "since": at(7 * day)}, nil},
		// Between a week and four days ago: the VIP dinner only.
		{"since and until", w.owner, map[string]any{"min": 1, "since": at(7 * day), "until": at(4 * day)}, []string{"Cleo"}},
		// Before four days ago: m1 and the VIP dinner.
		{"until", w.owner, map[string]any{"min": 2, "until": at(4 * day)}, []string{"Cleo"}},
		{"another organization", w.otherOrgT, map[string]any{"min": 1}, []string{"Zed"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := names(t, c.token, c.vars); !slices.Equal(got, c.want) {
				t.Errorf("people = %v, want %v", got, c.want)
			}
		})
	}
	t.Run("paging", func(t *testing.T) {
		var got []string
		after := any(nil)
		for range 4 {
			var page struct {
				PeopleWithNoShows struct {
					Edges    []struct{ Node struct{ Name string } }
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
				}
			}
			w.as(t, w.owner, `query($after: Cursor) {
				peopleWithNoShows(minNoShows: 1, first: 2, after: $after) {
					edges { node { name } } pageInfo { hasNextPage endCursor }
				}
			}`, map[string]any{"after": after}).mustData(t, &page)
			for _, e := range page.PeopleWithNoShows.Edges {
				got = append(got, e.Node.Name)
			}
			if !page.PeopleWithNoShows.PageInfo.HasNextPage {
				break
			}
			after = *page.PeopleWithNoShows.PageInfo.EndCursor
		}
		if !slices.Equal(got, []string{"Ana", "Ben", "Cleo"}) {
			t.Errorf("pages = %v, want Ana, Ben | Cleo (by ID)", got)
		}
	})
	t.Run("minNoShows 0", func(t *testing.T) {
		res := w.as(t, w.owner, `{ peopleWithNoShows(minNoShows: 0) { totalCount } }`, nil)
		if len(res.Errors) == 0 || res.Errors[0].code() != "BAD_USER_INPUT" || !strings.Contains(res.Errors[0].Message, "minNoShows") {
			t.Fatalf("errors = %+v, want BAD_USER_INPUT on minNoShows", res.Errors)
		}
	})
}
