package graph_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

const membersImportMutation = `mutation($input: CommunityMembersImportInput!) {
	result: communityMembersImport(input: $input) {
		added unchanged communitiesCreated
		errors { row column message }
		userErrors { field message code }
	}
}`

const attendanceImportMutation = `mutation($input: AttendanceImportInput!) {
	result: attendanceImport(input: $input) {
		created updated unchanged checkedIn
		errors { row column message }
		userErrors { field message code }
	}
}`

// historyImport is the payload of either import mutation above.
type historyImport struct {
	Added, Unchanged, CommunitiesCreated int
	Created, Updated, CheckedIn          int
	Errors                               []struct {
		Row     int
		Column  *string
		Message string
	}
	UserErrors []userError
}

// places is the errors of a payload as "row/column".
func (p *historyImport) places() string {
	var out []string
	for _, e := range p.Errors {
		c := ""
		if e.Column != nil {
			c = *e.Column
		}
		out = append(out, fmt.Sprintf("%d/%s", e.Row, c))
	}
	return strings.Join(out, " ")
}

// sendImport sends file to the import mutation as token, and returns its
// payload and the code of the first top-level error.
func sendImport(t *testing.T, h http.Handler, token, mutation, file string, input map[string]any) (*historyImport, string) {
	t.Helper()
	body, contentType := multipartBody(t, mutation, input, file)
	r := httptest.NewRequest(http.MethodPost, "/graphql", body)
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var resp struct {
		Data   struct{ Result *historyImport }
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", w.Code, err, w.Body)
	}
	code := ""
	if len(resp.Errors) > 0 {
		code, _ = resp.Errors[0].Extensions["code"].(string)
	}
	return resp.Data.Result, code
}

func TestCommunityMembersImportThroughTheAPI(t *testing.T) {
	c := testenv.Client(t)
	f := newFixture(t, c) // Ana and Ben in Platform
	ctx := testenv.System()
	c.Person.Create().SetOrganization(f.org).SetName("Chloé").SetEmail("chloe@acme.example").ExecX(ctx)
	h := graph.NewHandler(c, graph.Options{})
	token := tokenFor(t, c, "acme", membership.RolePlanner)

	bad := "community,email\n" +
		"Platform,chloe@acme.example\n" +
		"Platform,nobody@acme.example\n" + // row 3: no such person
		"Platform,\n" + // row 4: email required
		"Lyon,ana@acme.example\n" + // row 5: no such community
		"platform,CHLOE@acme.example\n" // row 6: repeats row 2
	before := dbState(t, c)
	p, code := sendImport(t, h, token, membersImportMutation, bad, map[string]any{})
	if p == nil || code != "" {
		t.Fatalf("invalid file: %+v, %s", p, code)
	}
	if got := p.places(); got != "3/email 4/email 5/community 6/email" || len(p.UserErrors) != 1 || p.UserErrors[0].Code != "INVALID" {
		t.Errorf("errors = %s, userErrors = %+v", got, p.UserErrors)
	}
	if dbState(t, c) != before {
		t.Error("an invalid file changed the database")
	}

	good := "Email,Community\nchloe@acme.example,Platform\nana@acme.example,Platform\nana@acme.example,Lyon\n"
	p, _ = sendImport(t, h, token, membersImportMutation, good, map[string]any{"createCommunities": true})
	if p == nil || p.Added != 2 || p.Unchanged != 1 || p.CommunitiesCreated != 1 || len(p.Errors)+len(p.UserErrors) != 0 {
		t.Fatalf("import = %+v", p)
	}
	before = dbState(t, c)
	p, _ = sendImport(t, h, token, membersImportMutation, good, map[string]any{})
	if p == nil || p.Added != 0 || p.Unchanged != 3 {
		t.Errorf("the same file again = %+v", p)
	}
	if dbState(t, c) != before {
		t.Error("importing the same file again changed the database")
	}
	ana := c.Person.Query().Where(person.ID(f.ana.ID)).WithCommunities().OnlyX(ctx)
	if len(ana.Edges.Communities) != 2 {
		t.Errorf("ana is in %d communities, want 2", len(ana.Edges.Communities))
	}

	viewerToken := tokenFor(t, c, "acme", membership.RoleViewer)
	if p, code := sendImport(t, h, viewerToken, membersImportMutation, bad, map[string]any{}); code != "FORBIDDEN" || p != nil {
		t.Errorf("a VIEWER's import: %+v, %s, want FORBIDDEN", p, code)
	}
}

func TestAttendanceImportThroughTheAPI(t *testing.T) {
	c := testenv.Client(t)
	f := newFixture(t, c) // the fixture's offsite is to come
	ctx := testenv.System()
	start := time.Date(2026, 1, 9, 8, 0, 0, 0, time.UTC)
	breakfast := c.Meeting.Create().SetOrganization(f.org).SetTitle("Breakfast").SetCapacity(1).
		SetStartsAt(start).SetEndsAt(start.Add(2 * time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx)
	h := graph.NewHandler(c, graph.Options{Clock: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }})
	token := tokenFor(t, c, "acme", membership.RoleOwner)

	header := "meeting_id,meeting,starts_at,email,status,checked_in_at,role\n"
	bad := header +
		",Breakfast,2026-01-09T09:00:00+01:00,ana@acme.example,ACCEPTED,2026-01-09T09:10:00+01:00,HOST\n" +
		fmt.Sprintf("%d,,,ben@acme.example,DECLINED,2026-01-09T09:10:00+01:00,\n", breakfast.ID) + // row 3: declined, checked in
		fmt.Sprintf("%d,,,ben@acme.example,,,\n", f.meeting.ID) + // row 4: not started
		",Breakfast,2026-01-08T09:00:00+01:00,ben@acme.example,,,\n" + // row 5: no such meeting
		fmt.Sprintf("%d,,,ben@acme.example,,2026-01-10T09:10:00+01:00,\n", breakfast.ID) // row 6: the next day
	before := dbState(t, c)
	p, code := sendImport(t, h, token, attendanceImportMutation, bad, map[string]any{})
	if p == nil || code != "" {
		t.Fatalf("invalid file: %+v, %s", p, code)
	}
	if got := p.places(); got != "3/status 4/meeting_id 5/meeting 6/checked_in_at" || len(p.UserErrors) != 1 {
		t.Errorf("errors = %s (%+v), userErrors = %+v", got, p.Errors, p.UserErrors)
	}
	if dbState(t, c) != before {
		t.Error("an invalid file changed the database")
	}

	good := header +
		",Breakfast,2026-01-09T09:00:00+01:00,ana@acme.example,ACCEPTED,2026-01-09T09:10:00+01:00,HOST\n" +
		fmt.Sprintf("%d,,,ben@acme.example,,2026-01-09T09:20:00+01:00,\n", breakfast.ID)
	p, _ = sendImport(t, h, token, attendanceImportMutation, good, map[string]any{"dryRun": true})
	if p == nil || p.Created != 2 || dbState(t, c) != before {
		t.Errorf("dry run = %+v (database changed: %t)", p, dbState(t, c) != before)
	}
	p, _ = sendImport(t, h, token, attendanceImportMutation, good, map[string]any{})
	if p == nil || p.Created != 2 || p.CheckedIn != 2 || len(p.Errors)+len(p.UserErrors) != 0 {
		t.Fatalf("import = %+v", p)
	}
	before = dbState(t, c)
	p, _ = sendImport(t, h, token, attendanceImportMutation, good, map[string]any{})
	if p == nil || p.Created+p.Updated != 0 || p.Unchanged != 2 {
		t.Errorf("the same file again = %+v", p)
	}
	if dbState(t, c) != before {
		t.Error("importing the same file again changed the database")
	}

	// The imported attendance is the meeting's: both checked in, beyond the
	// capacity of one that live answers keep to.
	var rsp struct {
		Node struct {
			Attendance     struct{ Accepted, CheckedIn int }
			Participations struct {
				Edges []struct {
					Node struct {
						Role, Status string
						Person       struct{ Name string }
					}
				}
			}
		}
	}
	postRaw(t, &api{ent: c, token: token}, `query($id: ID!) { node(id: $id) { ... on Meeting {
		attendance { accepted checkedIn }
		participations(orderBy: {field: ROLE}) { edges { node { role status person { name } } } } } } }`,
		map[string]any{"id": gid(breakfast.ID)}).mustData(t, &rsp)
	if at := rsp.Node.Attendance; at.Accepted != 2 || at.CheckedIn != 2 || len(rsp.Node.Participations.Edges) != 2 {
		t.Errorf("the breakfast after the import: %+v", rsp.Node)
	}
	if n := c.Participation.Query().Where(participation.MeetingID(breakfast.ID), participation.RoleEQ(participation.RoleHost)).CountX(ctx); n != 1 {
		t.Errorf("%d hosts, want 1", n)
	}
}
