package graph_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/testenv"
)

// Helpers shared by the mutation tests of this package (directory, objectives,
// planning, follow-up, network).

// gid is the GraphQL form of an ent ID.
func gid(id int) string { return strconv.Itoa(id) }

// gids is gid over several IDs.
func gids(ids ...int) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = gid(id)
	}
	return out
}

// atoi reads back an ID from a response.
func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("ID %q is not an integer: %v", s, err)
	}
	return n
}

// parseTime reads an RFC 3339 time from a response.
func parseTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q is not RFC 3339: %v", s, err)
	}
	return v
}

// mustParse parses an RFC 3339 literal of a test.
func mustParse(s string) time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return v
}

const userErrorFields = `userErrors { field message code }`

// createMutation is a mutation whose only argument is input; the payload comes
// back under the alias result, its object under the alias object.
func createMutation(name, inputType, object, selection string) string {
	return fmt.Sprintf(`mutation($input: %s!) {
	result: %s(input: $input) {
		object: %s { %s }
		%s
	}
}`, inputType, name, object, selection, userErrorFields)
}

// updateMutation is createMutation for mutations that take an id too.
func updateMutation(name, inputType, object, selection string) string {
	return fmt.Sprintf(`mutation($id: ID!, $input: %s!) {
	result: %s(id: $id, input: $input) {
		object: %s { %s }
		%s
	}
}`, inputType, name, object, selection, userErrorFields)
}

// payload is the shape of every mutation payload as the queries above alias it.
type payload[T any] struct {
	Object     *T
	UserErrors []userError
}

// post sends an operation and fails the test on a top-level error.
func post(t *testing.T, a *api, query string, rsp any, opts ...client.Option) {
	t.Helper()
	if err := a.Post(query, rsp, opts...); err != nil {
		t.Fatalf("top-level error: %v\nin: %s", err, query)
	}
}

// run sends a mutation built by createMutation or updateMutation.
func run[T any](t *testing.T, a *api, query string, opts ...client.Option) payload[T] {
	t.Helper()
	var rsp struct{ Result payload[T] }
	post(t, a, query, &rsp, opts...)
	return rsp.Result
}

// succeed sends a mutation that must succeed and returns its object.
func succeed[T any](t *testing.T, a *api, query string, opts ...client.Option) *T {
	t.Helper()
	p := run[T](t, a, query, opts...)
	if len(p.UserErrors) != 0 {
		t.Fatalf("userErrors: %+v", p.UserErrors)
	}
	if p.Object == nil {
		t.Fatalf("payload object is null without userErrors")
	}
	return p.Object
}

// wantError is the one user error a refused mutation must return.
type wantError struct {
	field   string   // last element of the path: "email", or "id" for the id argument
	code    string   // INVALID, REQUIRED, NOT_FOUND, TAKEN, CONFLICT
	message []string // parts the message must contain: the field and the rule
}

// checkUserErrors asserts that ues is exactly the wanted error.
func checkUserErrors(t *testing.T, ues []userError, want wantError) {
	t.Helper()
	path := []string{"input", want.field}
	if want.field == "id" || want.field == "input" {
		path = []string{want.field}
	}
	if len(ues) != 1 {
		t.Fatalf("userErrors = %+v, want exactly one %s on %v", ues, want.code, path)
	}
	ue := ues[0]
	if !slices.Equal(ue.Field, path) || ue.Code != want.code {
		t.Fatalf("userError = %+v, want %s on %v", ue, want.code, path)
	}
	for _, part := range want.message {
		if !strings.Contains(ue.Message, part) {
			t.Fatalf("userError message %q does not contain %q", ue.Message, part)
		}
	}
}

// refuse sends a mutation built by createMutation or updateMutation that must
// fail with the wanted user error, a null object, and no change at all in the
// database.
func refuse(t *testing.T, a *api, query string, want wantError, opts ...client.Option) {
	t.Helper()
	before := dbState(t, a.ent)
	p := run[map[string]any](t, a, query, opts...)
	if p.Object != nil {
		t.Errorf("object = %v, want null with userErrors", *p.Object)
	}
	checkUserErrors(t, p.UserErrors, want)
	if after := dbState(t, a.ent); after != before {
		t.Fatalf("the refused mutation changed the database:\nbefore: %s\nafter:  %s", before, after)
	}
}

// dbState is every row of every table, edges included, as JSON: two equal
// states mean nothing was written in between.
func dbState(t *testing.T, c *ent.Client) string {
	t.Helper()
	ctx := testenv.System()
	byID := ent.Asc("id")
	state := map[string]any{
		"organizations": c.Organization.Query().Order(byID).AllX(ctx),
		"people":        c.Person.Query().Order(byID).AllX(ctx),
		"communities": c.Community.Query().Order(byID).
			WithMembers(func(q *ent.PersonQuery) { q.Order(byID) }).AllX(ctx),
		"objectives": c.Objective.Query().Order(byID).
			WithCommunities(func(q *ent.CommunityQuery) { q.Order(byID) }).AllX(ctx),
		"indicators": c.Indicator.Query().Order(byID).AllX(ctx),
		"meetings": c.Meeting.Query().Order(byID).
			WithObjectives(func(q *ent.ObjectiveQuery) { q.Order(byID) }).AllX(ctx),
		"agendaItems":    c.AgendaItem.Query().Order(byID).AllX(ctx),
		"participations": c.Participation.Query().Order(byID).AllX(ctx),
		"encounters":     c.Encounter.Query().Order(byID).AllX(ctx),
		"relationships":  c.Relationship.Query().Order(byID).AllX(ctx),
		"followUps": c.FollowUp.Query().Order(byID).
			WithConcerns(func(q *ent.PersonQuery) { q.Order(byID) }).AllX(ctx),
		"feedbacks":   c.Feedback.Query().Order(byID).AllX(ctx),
		"touchpoints": c.Touchpoint.Query().Order(byID).AllX(ctx),
		"series": c.Series.Query().Order(byID).
			WithInvitees(func(q *ent.PersonQuery) { q.Order(byID) }).
			WithInviteeCommunities(func(q *ent.CommunityQuery) { q.Order(byID) }).AllX(ctx),
		"seriesAnswers": c.SeriesAnswer.Query().Order(byID).AllX(ctx),
		"calendarFeeds": c.CalendarFeed.Query().Order(byID).AllX(ctx),
	}
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatalf("dbState: %v", err)
	}
	return string(b)
}

// addPerson creates a person directly in the database.
func addPerson(t *testing.T, c *ent.Client, org *ent.Organization, name, email string) *ent.Person {
	t.Helper()
	return c.Person.Create().SetOrganization(org).SetName(name).SetEmail(email).SaveX(testenv.System())
}

// otherOrg creates a second organization with one person, to check that
// references do not cross organizations.
func otherOrg(t *testing.T, c *ent.Client) (*ent.Organization, *ent.Person) {
	t.Helper()
	org := c.Organization.Create().SetName("Globex").SetSlug("globex").SaveX(testenv.System())
	return org, addPerson(t, c, org, "Gus", "gus@globex.example")
}

// missingID is an ID that no record has.
const missingID = 987654

// --- Organizations ---

const organizationFields = `id name slug`

type organizationObj struct{ ID, Name, Slug string }

var (
	organizationUpdate = updateMutation("organizationUpdate", "UpdateOrganizationInput", "organization", organizationFields)
)

func TestOrganizationUpdate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	other, _ := otherOrg(t, a.ent)
	ctx := testenv.System()

	t.Run("changes the fields given", func(t *testing.T) {
		o := succeed[organizationObj](t, a, organizationUpdate, client.Var("id", gid(f.org.ID)),
			client.Var("input", map[string]any{"slug": "acme-group"}))
		if o.ID != gid(f.org.ID) || o.Name != "Acme" || o.Slug != "acme-group" {
			t.Fatalf("organization = %+v", o)
		}
		if got := a.ent.Organization.GetX(ctx, f.org.ID); got.Slug != "acme-group" || got.Name != "Acme" {
			t.Fatalf("stored organization = %+v", got)
		}
		// The old slug is free again.
		if n := a.ent.Organization.Query().Where(organization.Slug("acme")).CountX(ctx); n != 0 {
			t.Fatalf("%d organizations still have the old slug", n)
		}
	})
	for _, tc := range []struct {
		name  string
		id    int
		input map[string]any
		want  wantError
	}{
		{"slug format is checked on update", f.org.ID, map[string]any{"slug": "acme_group"},
			wantError{"slug", "INVALID", []string{`slug: "acme_group" is not a slug`}}},
		{"slug of another organization is taken", f.org.ID, map[string]any{"slug": other.Slug},
			wantError{"slug", "TAKEN", []string{"slug: is already used by another organization"}}},
		{"unknown organization is not found", missingID, map[string]any{"name": "Ghost"},
			wantError{"id", "NOT_FOUND", []string{"id: no organization with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, organizationUpdate, tc.want, client.Var("id", gid(tc.id)), client.Var("input", tc.input))
		})
	}
}

// --- People ---

const personFields = `id organizationID name email jobTitle tags vip`

type personObj struct {
	ID, OrganizationID, Name, Email string
	JobTitle                        *string
	Tags                            []string
	Vip                             bool
}

var (
	personCreate = createMutation("personCreate", "CreatePersonInput", "person", personFields)
	personUpdate = updateMutation("personUpdate", "UpdatePersonInput", "person", personFields)
)

func TestPersonCreate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	other, _ := otherOrg(t, a.ent)
	ctx := testenv.System()

	t.Run("creates the person with the email lower-cased", func(t *testing.T) {
		p := succeed[personObj](t, a, personCreate, client.Var("input", map[string]any{
			"name":     "Cleo Martin",
			"email":    "Cleo.Martin@ACME.example",
			"jobTitle": "CFO",
			"tags":     []string{"board"},
			"vip":      true,
		}))
		if p.OrganizationID != gid(f.org.ID) || p.Name != "Cleo Martin" || p.Email != "cleo.martin@acme.example" ||
			p.JobTitle == nil || *p.JobTitle != "CFO" || !slices.Equal(p.Tags, []string{"board"}) || !p.Vip {
			t.Fatalf("person = %+v", p)
		}
		stored := a.ent.Person.GetX(ctx, atoi(t, p.ID))
		if stored.Email != "cleo.martin@acme.example" || stored.OrganizationID != f.org.ID || !stored.Vip {
			t.Fatalf("stored person = %+v", stored)
		}
	})
	t.Run("the same email is fine in another organization", func(t *testing.T) {
		acme := a.token
		a.token = tokenFor(t, a.ent, other.Slug, membership.RoleOwner) // act in the other organization
		defer func() { a.token = acme }()
		p := succeed[personObj](t, a, personCreate, client.Var("input", map[string]any{
			"name": "Ana Bis", "email": "ANA@acme.example",
		}))
		if p.Email != "ana@acme.example" || p.OrganizationID != gid(other.ID) {
			t.Fatalf("person = %+v", p)
		}
		if n := a.ent.Person.Query().Where(person.Email("ana@acme.example")).CountX(ctx); n != 2 {
			t.Fatalf("%d people with ana@acme.example, want 2 (one per organization)", n)
		}
	})
	for _, tc := range []struct {
		name  string
		email string
		want  wantError
	}{
		{"email must be an address", "ana-at-acme.example",
			wantError{"email", "INVALID", []string{`email: "ana-at-acme.example" is not a valid email address`}}},
		{"email must have a domain with a dot", "ana@localhost",
			wantError{"email", "INVALID", []string{`email: "ana@localhost" is not a valid email address`}}},
		{"email must be a bare address", "ana <ana2@acme.example>",
			wantError{"email", "INVALID", []string{"email: ", "is not a valid email address"}}},
		{"email is unique per organization", "ana@acme.example",
			wantError{"email", "TAKEN", []string{"email: is already used by another person of the organization"}}},
		{"email is unique per organization whatever the case", "ANA@acme.example",
			wantError{"email", "TAKEN", []string{"email: is already used by another person of the organization"}}},
		{"email is unique per organization whatever the spaces around", "  Ana@Acme.Example ",
			wantError{"email", "TAKEN", []string{"email: is already used by another person of the organization"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, personCreate, tc.want, client.Var("input", map[string]any{
				"name": "Someone", "email": tc.email,
			}))
		})
	}
	t.Run("name must not be blank", func(t *testing.T) {
		refuse(t, a, personCreate, wantError{"name", "INVALID", []string{"name: must not be empty"}},
			client.Var("input", map[string]any{"name": "", "email": "x@acme.example"}))
	})
}

func TestPersonUpdate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()

	t.Run("changes the fields given and lower-cases the email", func(t *testing.T) {
		p := succeed[personObj](t, a, personUpdate, client.Var("id", gid(f.ana.ID)),
			client.Var("input", map[string]any{"email": "Ana.Silva@Acme.Example", "jobTitle": "CTO"}))
		if p.Email != "ana.silva@acme.example" || p.Name != "Ana" || p.JobTitle == nil || *p.JobTitle != "CTO" {
			t.Fatalf("person = %+v", p)
		}
		stored := a.ent.Person.GetX(ctx, f.ana.ID)
		if stored.Email != "ana.silva@acme.example" || str(stored.JobTitle) != "CTO" || stored.Name != "Ana" {
			t.Fatalf("stored person = %+v", stored)
		}
	})
	for _, tc := range []struct {
		name  string
		id    int
		input map[string]any
		want  wantError
	}{
		{"email must be valid on update", f.ben.ID, map[string]any{"email": "ben@"},
			wantError{"email", "INVALID", []string{`email: "ben@" is not a valid email address`}}},
		{"email of a colleague is taken whatever the case", f.ben.ID, map[string]any{"email": "Ana.SILVA@acme.example"},
			wantError{"email", "TAKEN", []string{"email: is already used by another person of the organization"}}},
		{"unknown person is not found", missingID, map[string]any{"name": "Ghost"},
			wantError{"id", "NOT_FOUND", []string{"id: no person with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, personUpdate, tc.want, client.Var("id", gid(tc.id)), client.Var("input", tc.input))
		})
	}
}

// --- Communities ---

const communityFields = `id organizationID name kind description members(orderBy: {field: NAME}) { totalCount edges { node { id } } }`

type communityObj struct {
	ID, OrganizationID, Name, Kind string
	Description                    *string
	Members                        struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
	}
}

func (c *communityObj) memberIDs() []string {
	var ids []string
	for _, e := range c.Members.Edges {
		ids = append(ids, e.Node.ID)
	}
	slices.Sort(ids)
	return ids
}

var (
	communityCreate        = createMutation("communityCreate", "CreateCommunityInput", "community", communityFields)
	communityUpdate        = updateMutation("communityUpdate", "UpdateCommunityInput", "community", communityFields)
	communityAddMembers    = createMutation("communityAddMembers", "CommunityMembersInput", "community", communityFields)
	communityRemoveMembers = createMutation("communityRemoveMembers", "CommunityMembersInput", "community", communityFields)
)

// storedMembers are the IDs of a community's members in the database, sorted.
func storedMembers(t *testing.T, c *ent.Client, communityID int) []string {
	t.Helper()
	ids := c.Community.Query().Where(community.ID(communityID)).QueryMembers().IDsX(testenv.System())
	out := gids(ids...)
	slices.Sort(out)
	return out
}

func sortedGIDs(ids ...int) []string {
	out := gids(ids...)
	slices.Sort(out)
	return out
}

func TestCommunityCreate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	other, _ := otherOrg(t, a.ent)
	ctx := testenv.System()

	t.Run("creates the community with its members", func(t *testing.T) {
		c := succeed[communityObj](t, a, communityCreate, client.Var("input", map[string]any{
			"name": "Data", "kind": "DEPARTMENT",
			"description": "Analytics", "memberIDs": gids(f.ana.ID),
		}))
		if c.OrganizationID != gid(f.org.ID) || c.Name != "Data" || c.Kind != "DEPARTMENT" ||
			c.Description == nil || *c.Description != "Analytics" || c.Members.TotalCount != 1 ||
			!slices.Equal(c.memberIDs(), gids(f.ana.ID)) {
			t.Fatalf("community = %+v", c)
		}
		id := atoi(t, c.ID)
		if got := a.ent.Community.GetX(ctx, id); got.Name != "Data" || got.OrganizationID != f.org.ID {
			t.Fatalf("stored community = %+v", got)
		}
		if got := storedMembers(t, a.ent, id); !slices.Equal(got, gids(f.ana.ID)) {
			t.Fatalf("stored members = %v", got)
		}
	})
	t.Run("the same name is fine in another organization", func(t *testing.T) {
		acme := a.token
		a.token = tokenFor(t, a.ent, other.Slug, membership.RoleOwner) // act in the other organization
		defer func() { a.token = acme }()
		c := succeed[communityObj](t, a, communityCreate, client.Var("input", map[string]any{
			"name": f.team.Name, "kind": "TEAM",
		}))
		if c.OrganizationID != gid(other.ID) || c.Name != f.team.Name {
			t.Fatalf("community = %+v", c)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		want   wantError
	}{
		{"name is unique per organization", func(in map[string]any) { in["name"] = f.team.Name },
			wantError{"name", "TAKEN", []string{"name: is already used by another community of the organization"}}},
		{"name must not be blank", func(in map[string]any) { in["name"] = "\t" },
			wantError{"name", "INVALID", []string{"name: must not be empty"}}},
		{"a member that does not exist creates no community", func(in map[string]any) {
			in["memberIDs"] = gids(f.ana.ID, missingID)
		}, wantError{"memberIDs", "NOT_FOUND", []string{"memberIDs: no record with ID " + gid(missingID) + " in this organization"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{"name": "Sales", "kind": "TEAM"}
			tc.change(in)
			refuse(t, a, communityCreate, tc.want, client.Var("input", in))
		})
	}
}

func TestCommunityUpdate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	sales := a.ent.Community.Create().SetOrganization(f.org).SetName("Sales").SetKind("TEAM").SaveX(ctx)

	t.Run("changes the fields and members given", func(t *testing.T) {
		c := succeed[communityObj](t, a, communityUpdate, client.Var("id", gid(f.team.ID)), client.Var("input", map[string]any{
			"name": "Platform & Infra", "description": "Runs the platform", "removeMemberIDs": gids(f.ben.ID),
		}))
		if c.Name != "Platform & Infra" || c.Kind != "TEAM" || c.Description == nil || *c.Description != "Runs the platform" ||
			!slices.Equal(c.memberIDs(), gids(f.ana.ID)) {
			t.Fatalf("community = %+v", c)
		}
		got := a.ent.Community.GetX(ctx, f.team.ID)
		if got.Name != "Platform & Infra" || str(got.Description) != "Runs the platform" {
			t.Fatalf("stored community = %+v", got)
		}
		if m := storedMembers(t, a.ent, f.team.ID); !slices.Equal(m, gids(f.ana.ID)) {
			t.Fatalf("stored members = %v", m)
		}
	})
	for _, tc := range []struct {
		name  string
		id    int
		input map[string]any
		want  wantError
	}{
		{"name of another community of the organization is taken", sales.ID, map[string]any{"name": "Platform & Infra"},
			wantError{"name", "TAKEN", []string{"name: is already used by another community of the organization"}}},
		{"name must not be blank on update", sales.ID, map[string]any{"name": ""},
			wantError{"name", "INVALID", []string{"name: must not be empty"}}},
		{"unknown community is not found", missingID, map[string]any{"name": "Ghost"},
			wantError{"id", "NOT_FOUND", []string{"id: no community with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, communityUpdate, tc.want, client.Var("id", gid(tc.id)), client.Var("input", tc.input))
		})
	}
}

func TestCommunityMembers(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	_, gus := otherOrg(t, a.ent)
	cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example")

	t.Run("communityAddMembers adds new people and leaves members as they are", func(t *testing.T) {
		c := succeed[communityObj](t, a, communityAddMembers, client.Var("input", map[string]any{
			"communityID": gid(f.team.ID), "personIDs": gids(cleo.ID, f.ana.ID, cleo.ID),
		}))
		want := sortedGIDs(f.ana.ID, f.ben.ID, cleo.ID)
		if c.ID != gid(f.team.ID) || c.Members.TotalCount != 3 || !slices.Equal(c.memberIDs(), want) {
			t.Fatalf("community = %+v, want members %v", c, want)
		}
		if got := storedMembers(t, a.ent, f.team.ID); !slices.Equal(got, want) {
			t.Fatalf("stored members = %v, want %v", got, want)
		}
	})
	t.Run("communityAddMembers of members only changes nothing", func(t *testing.T) {
		before := dbState(t, a.ent)
		c := succeed[communityObj](t, a, communityAddMembers, client.Var("input", map[string]any{
			"communityID": gid(f.team.ID), "personIDs": gids(f.ana.ID, f.ben.ID),
		}))
		if c.Members.TotalCount != 3 {
			t.Fatalf("community = %+v", c)
		}
		if after := dbState(t, a.ent); after != before {
			t.Fatalf("adding members again changed the database:\nbefore: %s\nafter:  %s", before, after)
		}
	})
	t.Run("communityRemoveMembers of another organization's person is refused", func(t *testing.T) {
		refuse(t, a, communityRemoveMembers, wantError{"personIDs", "NOT_FOUND", []string{"personIDs: no person with ID " + gid(gus.ID)}},
			client.Var("input", map[string]any{"communityID": gid(f.team.ID), "personIDs": gids(f.ben.ID, gus.ID)}))
	})
	t.Run("communityRemoveMembers removes members and ignores non-members", func(t *testing.T) {
		dora := addPerson(t, a.ent, f.org, "Dora", "dora@acme.example") // not in the team
		c := succeed[communityObj](t, a, communityRemoveMembers, client.Var("input", map[string]any{
			"communityID": gid(f.team.ID), "personIDs": gids(f.ben.ID, dora.ID),
		}))
		want := sortedGIDs(f.ana.ID, cleo.ID)
		if c.Members.TotalCount != 2 || !slices.Equal(c.memberIDs(), want) {
			t.Fatalf("community = %+v, want members %v", c, want)
		}
		if got := storedMembers(t, a.ent, f.team.ID); !slices.Equal(got, want) {
			t.Fatalf("stored members = %v, want %v", got, want)
		}
		if a.ent.Person.Query().Where(person.ID(f.ben.ID)).CountX(testenv.System()) != 1 {
			t.Fatal("removing a member deleted the person")
		}
	})
	for _, tc := range []struct {
		name     string
		mutation string
		input    map[string]any
		want     wantError
	}{
		{"communityAddMembers refuses a person of another organization", communityAddMembers,
			map[string]any{"communityID": gid(f.team.ID), "personIDs": gids(f.ben.ID, gus.ID)},
			wantError{"personIDs", "NOT_FOUND", []string{"personIDs: no person with ID " + gid(gus.ID) + " in this organization"}}},
		{"communityAddMembers refuses an unknown person", communityAddMembers,
			map[string]any{"communityID": gid(f.team.ID), "personIDs": gids(missingID)},
			wantError{"personIDs", "NOT_FOUND", []string{"personIDs: no person with ID " + gid(missingID)}}},
		{"communityAddMembers refuses an unknown community", communityAddMembers,
			map[string]any{"communityID": gid(missingID), "personIDs": gids(f.ben.ID)},
			wantError{"communityID", "NOT_FOUND", []string{"communityID: no community with ID " + gid(missingID)}}},
		{"communityRemoveMembers refuses an unknown community", communityRemoveMembers,
			map[string]any{"communityID": gid(missingID), "personIDs": gids(f.ana.ID)},
			wantError{"communityID", "NOT_FOUND", []string{"communityID: no community with ID " + gid(missingID)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, tc.mutation, tc.want, client.Var("input", tc.input))
		})
	}
}

// TestCommunityMembersStayInTheOrganization checks that no path makes a person
// a member of another organization's community (see internal/tenant).
func TestCommunityMembersStayInTheOrganization(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	_, gus := otherOrg(t, a.ent)
	for _, tc := range []struct {
		name     string
		mutation string
		vars     []client.Option
		field    string
	}{
		{"communityAddMembers", communityAddMembers, []client.Option{client.Var("input", map[string]any{
			"communityID": gid(f.team.ID), "personIDs": gids(gus.ID)})}, "personIDs"},
		{"communityCreate with memberIDs", communityCreate, []client.Option{client.Var("input", map[string]any{
			"name": "Mixed", "kind": "TEAM", "memberIDs": gids(gus.ID)})}, "memberIDs"},
		{"communityUpdate with addMemberIDs", communityUpdate, []client.Option{client.Var("id", gid(f.team.ID)),
			client.Var("input", map[string]any{"addMemberIDs": gids(gus.ID)})}, "addMemberIDs"},
	} {
		t.Run(tc.name+" refuses a person of another organization", func(t *testing.T) {
			refuse(t, a, tc.mutation, wantError{tc.field, "NOT_FOUND", []string{tc.field + ": no ", " with ID " + gid(gus.ID) + " in this organization"}}, tc.vars...)
		})
	}
}

// str is the value of an optional text field, "" when null.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
