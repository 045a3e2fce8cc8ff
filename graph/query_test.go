package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/testenv"
)

// rawResult is a GraphQL response as it comes over the wire, with the HTTP
// status, so that top-level errors and a null data can be inspected (the
// gqlgen client refuses statuses >= 400 and folds errors into a Go error).
type rawResult struct {
	Status int
	Data   json.RawMessage
	Errors []rawError
}

type rawError struct {
	Message    string
	Path       []any
	Extensions map[string]any
}

func (e rawError) code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// postRaw POSTs query to the GraphQL handler over a's database.
func postRaw(t *testing.T, a *api, query string, vars map[string]any) rawResult {
	t.Helper()
	return postWithOptions(t, a, graph.Options{}, query, vars)
}

// mustData fails the test when the response has errors, and decodes data.
func (r rawResult) mustData(t *testing.T, into any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors (HTTP %d): %+v", r.Status, r.Errors)
	}
	if err := json.Unmarshal(r.Data, into); err != nil {
		t.Fatalf("decoding data %s: %v", r.Data, err)
	}
}

// dataIsNull reports a response without data: absent or null.
func (r rawResult) dataIsNull() bool {
	return len(r.Data) == 0 || string(r.Data) == "null"
}

func strID(n int) string { return strconv.Itoa(n) }

func TestPageSizeBounds(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	if _, err := planning.Invite(ctx, a.ent, planning.Invitation{MeetingID: f.meeting.ID, PersonIDs: []int{f.ana.ID, f.ben.ID}}); err != nil {
		t.Fatal(err)
	}
	// Each query has one connection, named field, whose arguments are %s.
	connections := []struct {
		where, field, query string
	}{
		{"root meetings", "meetings", `{ meetings(%s) { totalCount } }`},
		{"root people", "people", `{ people(%s) { totalCount } }`},
		{"root organizations", "organizations", `{ organizations(%s) { totalCount } }`},
		{"participations nested in meetings", "participations", `{ meetings(first: 1) { edges { node { participations(%s) { totalCount } } } } }`},
		{"members nested in communities", "members", `{ communities(first: 1) { edges { node { members(%s) { totalCount } } } } }`},
		{"communities nested in people", "communities", `{ people(first: 2) { edges { node { communities(%s) { totalCount } } } } }`},
		{"objectives in a named fragment", "objectives", `{ meetings(first: 1) { edges { node { ...M } } } } fragment M on Meeting { objectives(%s) { totalCount } }`},
		{"members in an inline fragment under node", "members", `{ node(id: "` + strID(f.team.ID) + `") { ... on Community { members(%s) { totalCount } } } }`},
	}
	for _, c := range connections {
		for _, arg := range []string{"first", "last"} {
			for _, v := range []int{0, -1, 101} {
				t.Run(fmt.Sprintf("%s: %s %d is refused", c.where, arg, v), func(t *testing.T) {
					res := postRaw(t, a, fmt.Sprintf(c.query, fmt.Sprintf("%s: %d", arg, v)), nil)
					want := fmt.Sprintf("%s on %s must be an Int between 1 and 100", arg, c.field)
					if len(res.Errors) == 0 {
						t.Fatalf("no error; data = %s", res.Data)
					}
					e := res.Errors[0]
					if e.code() != "BAD_USER_INPUT" || !strings.Contains(e.Message, want) {
						t.Fatalf("error = %q (code %q), want %q with code BAD_USER_INPUT", e.Message, e.code(), want)
					}
					if !res.dataIsNull() {
						t.Fatalf("data = %s, want none: nothing may run", res.Data)
					}
				})
			}
			for _, v := range []int{1, 100} {
				t.Run(fmt.Sprintf("%s: %s %d is accepted", c.where, arg, v), func(t *testing.T) {
					res := postRaw(t, a, fmt.Sprintf(c.query, fmt.Sprintf("%s: %d", arg, v)), nil)
					if len(res.Errors) > 0 || res.dataIsNull() {
						t.Fatalf("errors = %+v, data = %s", res.Errors, res.Data)
					}
				})
			}
		}
	}
	t.Run("a page size given as a variable is bounded too", func(t *testing.T) {
		res := postRaw(t, a, `query($n: Int) { meetings { edges { node { participations(first: $n) { totalCount } } } } }`,
			map[string]any{"n": 101})
		if len(res.Errors) == 0 || res.Errors[0].code() != "BAD_USER_INPUT" ||
			!strings.Contains(res.Errors[0].Message, "first on participations must be an Int between 1 and 100") || !res.dataIsNull() {
			t.Fatalf("errors = %+v, data = %s", res.Errors, res.Data)
		}
	})
}

type personPage struct {
	TotalCount int
	PageInfo   struct{ HasNextPage, HasPreviousPage bool }
	Edges      []struct{ Node struct{ ID string } }
}

func (p personPage) ids() []string {
	out := make([]string, len(p.Edges))
	for i, e := range p.Edges {
		out[i] = e.Node.ID
	}
	return out
}

func TestDefaultPageSize(t *testing.T) {
	a := newAPI(t)
	ctx := testenv.System()
	org := a.ent.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	var people []*ent.Person
	var ids []string
	for i := range 25 {
		p := a.ent.Person.Create().SetOrganization(org).SetName(fmt.Sprintf("Person %02d", i)).
			SetEmail(fmt.Sprintf("p%d@acme.example", i)).SaveX(ctx)
		people = append(people, p)
		ids = append(ids, strID(p.ID))
	}
	a.ent.Community.Create().SetOrganization(org).SetName("Everyone").SetKind(community.KindTeam).AddMembers(people...).SaveX(ctx)

	const page = `totalCount pageInfo { hasNextPage hasPreviousPage } edges { node { id } }`
	checkFirst20 := func(t *testing.T, p personPage) {
		t.Helper()
		if len(p.Edges) != 20 || !p.PageInfo.HasNextPage || p.TotalCount != 25 {
			t.Fatalf("edges = %d, hasNextPage = %v, totalCount = %d; want 20, true, 25", len(p.Edges), p.PageInfo.HasNextPage, p.TotalCount)
		}
		if got := p.ids(); !slices.Equal(got, ids[:20]) {
			t.Fatalf("ids = %v, want the first 20 %v", got, ids[:20])
		}
	}
	rootCases := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"a root connection without first or last gives 20", `{ people { ` + page + ` } }`, nil},
		{"a root connection whose first is a null variable gives 20", `query($n: Int) { people(first: $n) { ` + page + ` } }`, map[string]any{"n": nil}},
		{"a root connection whose first is an omitted variable gives 20", `query($n: Int) { people(first: $n) { ` + page + ` } }`, nil},
		{"a root connection whose first is a null literal gives 20", `{ people(first: null) { ` + page + ` } }`, nil},
	}
	for _, tc := range rootCases {
		t.Run(tc.name, func(t *testing.T) {
			var data struct{ People personPage }
			postRaw(t, a, tc.query, tc.vars).mustData(t, &data)
			checkFirst20(t, data.People)
		})
	}
	nestedCases := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"a nested connection without first or last gives 20", `{ communities { edges { node { members { ` + page + ` } } } } }`, nil},
		{"a nested connection whose first is a null variable gives 20", `query($n: Int) { communities { edges { node { members(first: $n) { ` + page + ` } } } } }`, map[string]any{"n": nil}},
	}
	for _, tc := range nestedCases {
		t.Run(tc.name, func(t *testing.T) {
			var data struct {
				Communities struct {
					Edges []struct{ Node struct{ Members personPage } }
				}
			}
			postRaw(t, a, tc.query, tc.vars).mustData(t, &data)
			if len(data.Communities.Edges) != 1 {
				t.Fatalf("communities = %d, want 1", len(data.Communities.Edges))
			}
			checkFirst20(t, data.Communities.Edges[0].Node.Members)
		})
	}
	t.Run("last 5 alone gives the last 5", func(t *testing.T) {
		var data struct{ People personPage }
		postRaw(t, a, `{ people(last: 5) { `+page+` } }`, nil).mustData(t, &data)
		p := data.People
		if got := p.ids(); !slices.Equal(got, ids[20:]) || !p.PageInfo.HasPreviousPage || p.TotalCount != 25 {
			t.Fatalf("ids = %v, hasPreviousPage = %v, totalCount = %d; want %v, true, 25", got, p.PageInfo.HasPreviousPage, p.TotalCount, ids[20:])
		}
	})
}

// everyType creates one record of each of the 13 node types and returns their
// IDs by GraphQL type name.
func everyType(t *testing.T, c *ent.Client) map[string]int {
	t.Helper()
	ctx := testenv.System()
	f := newFixture(t, c)
	f.meeting = happeningNow(t, c, f.meeting) // people check in before they meet
	ind := c.Indicator.Create().SetObjective(f.objective).SetMetric("ATTENDANCE_RATE").SetTarget(0.8).SaveX(ctx)
	item := c.AgendaItem.Create().SetMeeting(f.meeting).SetTitle("Welcome").SetKind("TALK").
		SetStartsAt(f.meeting.StartsAt).SetDurationMinutes(30).SaveX(ctx)
	inv, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: f.meeting.ID, PersonIDs: []int{f.ana.ID, f.ben.ID}})
	if err != nil {
		t.Fatal(err)
	}
	checkedIn(t, c, f.meeting, f.ana, f.ben)
	met, err := network.RecordEncounter(ctx, c, network.Meet{MeetingID: f.meeting.ID, PersonA: f.ana.ID, PersonB: f.ben.ID, How: encounter.HowSameTable})
	if err != nil {
		t.Fatal(err)
	}
	fu := c.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ana).SetTitle("Send slides").SaveX(ctx)
	fb := c.Feedback.Create().SetMeetingID(f.meeting.ID).SetPersonID(f.ben.ID).SetRating(5).SaveX(ctx)
	tp := c.Touchpoint.Create().SetPersonID(f.ana.ID).SetMeetingID(f.meeting.ID).SetChannel("EMAIL").SaveX(ctx)
	tok, _, err := auth.Bootstrap{OrgSlug: f.org.Slug, Email: "owner@acme.example"}.Run(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	m := c.Membership.Query().Where(membership.AccountID(tok.AccountID)).OnlyX(ctx)
	sr := c.Series.Create().SetOrganization(f.org).SetTitle("Weekly").SetRrule("FREQ=WEEKLY;COUNT=2").
		SetStartsAt("2031-01-02T09:00:00").SetTimeZone("UTC").SetDurationMinutes(60).SaveX(ctx)
	feed := c.CalendarFeed.Create().SetOrganization(f.org).SetAccountID(tok.AccountID).SetRole("OWNER").
		SetKind("SERIES").SetSeriesID(sr.ID).SetPrefix("rcf_test").SetSecretHash("every-type-feed").SaveX(ctx)
	return map[string]int{
		"Series":        sr.ID,
		"CalendarFeed":  feed.ID,
		"Account":       tok.AccountID,
		"Membership":    m.ID,
		"APIToken":      tok.ID,
		"Organization":  f.org.ID,
		"Person":        f.ana.ID,
		"Community":     f.team.ID,
		"Objective":     f.objective.ID,
		"Indicator":     ind.ID,
		"Meeting":       f.meeting.ID,
		"AgendaItem":    item.ID,
		"Participation": inv.Invited[0].ID,
		"Encounter":     met.Encounter.ID,
		"Relationship":  met.Relationship.ID,
		"FollowUp":      fu.ID,
		"Feedback":      fb.ID,
		"Touchpoint":    tp.ID,
	}
}

type typedNode struct {
	Typename string `json:"__typename"`
	ID       string
}

func TestNodeResolvesEveryType(t *testing.T) {
	a := newAPI(t)
	byType := everyType(t, a.ent)
	types := make([]string, 0, len(byType))
	for typ := range byType {
		types = append(types, typ)
	}
	sort.Strings(types)

	t.Run("IDs are unique across types", func(t *testing.T) {
		seen := map[int]string{}
		for _, typ := range types {
			if other, dup := seen[byType[typ]]; dup {
				t.Errorf("%s and %s share ID %d", typ, other, byType[typ])
			}
			seen[byType[typ]] = typ
		}
	})
	for _, typ := range types {
		t.Run("node resolves a "+typ, func(t *testing.T) {
			var data struct{ Node *typedNode }
			postRaw(t, a, `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": strID(byType[typ])}).mustData(t, &data)
			if data.Node == nil || data.Node.Typename != typ || data.Node.ID != strID(byType[typ]) {
				t.Fatalf("node = %+v, want %s %d", data.Node, typ, byType[typ])
			}
		})
	}
	t.Run("nodes resolves every type in order", func(t *testing.T) {
		ids := make([]string, len(types))
		for i, typ := range types {
			ids[i] = strID(byType[typ])
		}
		var data struct{ Nodes []*typedNode }
		postRaw(t, a, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": ids}).mustData(t, &data)
		if len(data.Nodes) != len(types) {
			t.Fatalf("nodes = %d, want %d", len(data.Nodes), len(types))
		}
		for i, typ := range types {
			if n := data.Nodes[i]; n == nil || n.Typename != typ || n.ID != ids[i] {
				t.Errorf("nodes[%d] = %+v, want %s %s", i, n, typ, ids[i])
			}
		}
	})

	unknown := []struct {
		name string
		id   int
	}{
		{"an unused ID in the range of meetings", byType["Meeting"] + 1000},
		{"an ID in the range of no type", 1 << 50},
	}
	for _, u := range unknown {
		t.Run("node of "+u.name+" is null", func(t *testing.T) {
			res := postRaw(t, a, `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": strID(u.id)})
			var data struct{ Node *typedNode }
			res.mustData(t, &data)
			if data.Node != nil {
				t.Fatalf("node = %+v, want null", data.Node)
			}
		})
		t.Run("nodes gives a null entry for "+u.name, func(t *testing.T) {
			res := postRaw(t, a, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
				map[string]any{"ids": []string{strID(byType["Person"]), strID(u.id)}})
			var data struct{ Nodes []*typedNode }
			if err := json.Unmarshal(res.Data, &data); err != nil || res.dataIsNull() {
				t.Fatalf("data = %s (%v); errors = %+v", res.Data, err, res.Errors)
			}
			if len(data.Nodes) != 2 || data.Nodes[0] == nil || data.Nodes[0].Typename != "Person" || data.Nodes[1] != nil {
				t.Fatalf("nodes = %s, want [Person, null]", res.Data)
			}
			for _, e := range res.Errors {
				if e.code() == "INTERNAL_SERVER_ERROR" {
					t.Fatalf("an unknown ID is a server fault: %+v", e)
				}
			}
		})
	}
}

// issueQuery is the query of the N+1 report: meetings with their objectives
// and the communities of their participants.
const issueQuery = `{
	meetings(first: 20) { edges { node {
		objectives { edges { node { title } } }
		participations(first: 50) { edges { node { person { name communities { totalCount } } } } }
	} } }
}`

// buildMeetings creates n meetings, each with 2 objectives and 5 participants
// of its own, each participant in one or two of three communities.
func buildMeetings(t testing.TB, c *ent.Client, n int) {
	t.Helper()
	ctx := testenv.System()
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	var coms []*ent.Community
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		coms = append(coms, c.Community.Create().SetOrganization(org).SetName(name).SetKind(community.KindTeam).SaveX(ctx))
	}
	start := time.Date(2030, 3, 5, 9, 0, 0, 0, time.UTC)
	for i := range n {
		var objs []*ent.Objective
		for j := range 2 {
			objs = append(objs, c.Objective.Create().SetOrganization(org).SetTitle(fmt.Sprintf("Objective %d.%d", i, j)).
				SetCategory("NETWORKING").SetPurpose("DISPERSED_TEAM").SaveX(ctx))
		}
		m := c.Meeting.Create().SetOrganization(org).SetTitle(fmt.Sprintf("Meeting %d", i)).
			SetStartsAt(start.AddDate(0, 0, i)).SetEndsAt(start.AddDate(0, 0, i).Add(2 * time.Hour)).
			SetTimeZone("Europe/Paris").AddObjectives(objs...).SaveX(ctx)
		var ids []int
		for j := range 5 {
			k := i*5 + j
			p := c.Person.Create().SetOrganization(org).SetName(fmt.Sprintf("Person %d", k)).
				SetEmail(fmt.Sprintf("p%d@acme.example", k)).AddCommunities(coms[k%3]).SaveX(ctx)
			if k%2 == 0 {
				c.Community.UpdateOne(coms[(k+1)%3]).AddMembers(p).ExecX(ctx)
			}
			ids = append(ids, p.ID)
		}
		if _, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: m.ID, PersonIDs: ids}); err != nil {
			t.Fatal(err)
		}
	}
}

// statementsOfIssueQuery runs issueQuery over n meetings and returns how many
// SQL statements it took.
func statementsOfIssueQuery(t *testing.T, n int) int64 {
	t.Helper()
	a := newAPI(t)
	buildMeetings(t, a.ent, n)
	a.counter.Reset()
	res := postRaw(t, a, issueQuery, nil)
	count := a.counter.Count()
	var data struct {
		Meetings struct {
			Edges []struct {
				Node struct {
					Objectives struct {
						Edges []struct{ Node struct{ Title string } }
					}
					Participations struct {
						Edges []struct {
							Node struct {
								Person struct {
									Name        string
									Communities struct{ TotalCount int }
								}
							}
						}
					}
				}
			}
		}
	}
	res.mustData(t, &data)
	if len(data.Meetings.Edges) != n {
		t.Fatalf("meetings = %d, want %d", len(data.Meetings.Edges), n)
	}
	for _, e := range data.Meetings.Edges {
		if len(e.Node.Objectives.Edges) != 2 || len(e.Node.Participations.Edges) != 5 {
			t.Fatalf("objectives = %d, participations = %d; want 2 and 5", len(e.Node.Objectives.Edges), len(e.Node.Participations.Edges))
		}
		for _, p := range e.Node.Participations.Edges {
			if tc := p.Node.Person.Communities.TotalCount; tc < 1 || tc > 2 || p.Node.Person.Name == "" {
				t.Fatalf("person %+v: want a name and 1 or 2 communities", p.Node.Person)
			}
		}
	}
	return count
}

func TestIssueQueryStatementCountDoesNotGrowWithMeetings(t *testing.T) {
	two := statementsOfIssueQuery(t, 2)
	twenty := statementsOfIssueQuery(t, 20)
	t.Logf("SQL statements: %d for 2 meetings, %d for 20 meetings", two, twenty)
	if two != twenty {
		t.Fatalf("SQL statements: %d for 2 meetings but %d for 20: the query is not N+1-free", two, twenty)
	}
}

func TestComplexityLimit(t *testing.T) {
	a := newAPI(t)
	buildMeetings(t, a.ent, 2)
	refused := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"three nested pages of 100 are refused",
			`{ meetings(first: 100) { edges { node { participations(first: 100) { edges { node { person { communities(first: 100) { totalCount } } } } } } } } }`, nil},
		{"page sizes given as variables are weighed",
			`query($n: Int) { meetings(first: $n) { edges { node { participations(first: $n) { edges { node { person { communities(first: $n) { totalCount } } } } } } } } }`,
			map[string]any{"n": 100}},
		{"default pages of 20 are weighed",
			`{ meetings { edges { node { participations { edges { node { person { communities { edges { node { members { edges { node { name } } } } } } } } } } } } } }`, nil},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			res := postRaw(t, a, tc.query, tc.vars)
			if len(res.Errors) == 0 || res.Errors[0].code() != "COMPLEXITY_LIMIT_EXCEEDED" {
				t.Fatalf("errors = %+v, want COMPLEXITY_LIMIT_EXCEEDED (limit %d)", res.Errors, graph.DefaultComplexityLimit)
			}
			if !res.dataIsNull() {
				t.Fatalf("data = %s, want none", res.Data)
			}
		})
	}
	t.Run("the issue's query is accepted", func(t *testing.T) {
		res := postRaw(t, a, issueQuery, nil)
		if len(res.Errors) > 0 || res.dataIsNull() {
			t.Fatalf("errors = %+v, data = %s", res.Errors, res.Data)
		}
	})
}

func TestFiltersAndOrdering(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	cleo := a.ent.Person.Create().SetOrganization(f.org).SetName("Cleo").SetEmail("cleo@acme.example").SaveX(ctx)
	other := a.ent.Meeting.Create().SetOrganization(f.org).SetTitle("Town hall").
		SetStartsAt(f.meeting.StartsAt.AddDate(0, 1, 0)).SetEndsAt(f.meeting.EndsAt.AddDate(0, 1, 0)).
		SetTimeZone("Europe/Paris").SaveX(ctx)
	for _, inv := range []planning.Invitation{
		{MeetingID: f.meeting.ID, PersonIDs: []int{f.ana.ID, cleo.ID}},
		{MeetingID: other.ID, PersonIDs: []int{f.ben.ID, cleo.ID}, Role: participation.RoleHost},
	} {
		if _, err := planning.Invite(ctx, a.ent, inv); err != nil {
			t.Fatal(err)
		}
	}
	type titles struct {
		Meetings struct {
			TotalCount int
			Edges      []struct{ Node struct{ Title string } }
		}
	}
	meetingFilters := []struct {
		name  string
		where map[string]any
		want  []string
	}{
		{"meetings where a person participates", map[string]any{"hasParticipationsWith": []any{map[string]any{"personID": strID(f.ana.ID)}}}, []string{"Offsite"}},
		{"meetings where another person participates", map[string]any{"hasParticipationsWith": []any{map[string]any{"personID": strID(f.ben.ID)}}}, []string{"Town hall"}},
		{"meetings where a shared person participates", map[string]any{"hasParticipationsWith": []any{map[string]any{"personID": strID(cleo.ID)}}}, []string{"Offsite", "Town hall"}},
		{"meetings with a host", map[string]any{"hasParticipationsWith": []any{map[string]any{"role": "HOST"}}}, []string{"Town hall"}},
		{"meetings serving an objective", map[string]any{"hasObjectivesWith": []any{map[string]any{"id": strID(f.objective.ID)}}}, []string{"Offsite"}},
	}
	for _, tc := range meetingFilters {
		t.Run(tc.name, func(t *testing.T) {
			var data titles
			postRaw(t, a, `query($where: MeetingWhereInput) { meetings(where: $where, orderBy: [{field: STARTS_AT}]) { totalCount edges { node { title } } } }`,
				map[string]any{"where": tc.where}).mustData(t, &data)
			var got []string
			for _, e := range data.Meetings.Edges {
				got = append(got, e.Node.Title)
			}
			if !slices.Equal(got, tc.want) || data.Meetings.TotalCount != len(tc.want) {
				t.Fatalf("meetings = %v (totalCount %d), want %v", got, data.Meetings.TotalCount, tc.want)
			}
		})
	}
	orders := []struct {
		name    string
		orderBy map[string]any
		want    []string
	}{
		{"people by name descending", map[string]any{"field": "NAME", "direction": "DESC"}, []string{"Cleo", "Ben", "Ana"}},
		{"people by name ascending", map[string]any{"field": "NAME", "direction": "ASC"}, []string{"Ana", "Ben", "Cleo"}},
		{"people by email descending", map[string]any{"field": "EMAIL", "direction": "DESC"}, []string{"Cleo", "Ben", "Ana"}},
	}
	for _, tc := range orders {
		t.Run(tc.name, func(t *testing.T) {
			var data struct {
				People struct {
					Edges []struct{ Node struct{ Name string } }
				}
			}
			postRaw(t, a, `query($o: [PersonOrder!]) { people(orderBy: $o) { edges { node { name } } } }`,
				map[string]any{"o": tc.orderBy}).mustData(t, &data)
			var got []string
			for _, e := range data.People.Edges {
				got = append(got, e.Node.Name)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("people = %v, want %v", got, tc.want)
			}
		})
	}
}
