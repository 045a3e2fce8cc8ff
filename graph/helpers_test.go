package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/testenv"
)

// api is the GraphQL API over a fresh database, as a test sees it. Requests
// carry an API token: by default an OWNER token of the first organization,
// created at the first request (tests set up their data first).
type api struct {
	*client.Client
	ent     *ent.Client
	counter *testenv.Counter
	token   string
}

func newAPI(t *testing.T) *api {
	t.Helper()
	return newAPIWith(t, graph.Options{})
}

// newAPIWith is newAPI with handler options (a clock, a series horizon).
func newAPIWith(t *testing.T, opts graph.Options) *api {
	t.Helper()
	c, counter := testenv.ClientWithCounter(t)
	a := &api{ent: c, counter: counter}
	a.Client = client.New(graph.NewHandler(c, opts), func(r *client.Request) {
		r.HTTP.Header.Set("Authorization", "Bearer "+a.bearer(t))
	})
	return a
}

// bearer is the token requests carry.
func (a *api) bearer(t *testing.T) string {
	if a.token == "" {
		a.token = ownerToken(t, a.ent)
	}
	return a.token
}

// ownerToken bootstraps an OWNER token for the first organization (one named
// "Test" is created when there is none).
func ownerToken(t testing.TB, c *ent.Client) string {
	t.Helper()
	slug := "test"
	if org, err := c.Organization.Query().Order(ent.Asc(organization.FieldID)).First(testenv.System()); err == nil {
		slug = org.Slug
	}
	return tokenFor(t, c, slug, membership.RoleOwner)
}

// tokenFor bootstraps a token with role in the organization with slug.
func tokenFor(t testing.TB, c *ent.Client, slug string, role membership.Role) string {
	t.Helper()
	_, secret, err := auth.Bootstrap{
		OrgSlug: slug, Email: strings.ToLower(string(role)) + "@" + slug + ".example",
		Role: role, TokenName: "test",
	}.Run(testenv.System(), c)
	if err != nil {
		t.Fatalf("bootstrapping a %s token for %s: %v", role, slug, err)
	}
	return secret
}

// userError is the shape of UserError in responses.
type userError struct {
	Field   []string
	Message string
	Code    string
}

// fixture is a small organization: two people in one community, one meeting.
type fixture struct {
	org       *ent.Organization
	ana, ben  *ent.Person
	team      *ent.Community
	meeting   *ent.Meeting
	objective *ent.Objective
}

func newFixture(t *testing.T, c *ent.Client) *fixture {
	t.Helper()
	ctx := testenv.System()
	f := &fixture{}
	f.org = c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	f.ana = c.Person.Create().SetOrganization(f.org).SetName("Ana").SetEmail("ana@acme.example").SaveX(ctx)
	f.ben = c.Person.Create().SetOrganization(f.org).SetName("Ben").SetEmail("ben@acme.example").SaveX(ctx)
	f.team = c.Community.Create().SetOrganization(f.org).SetName("Platform").SetKind("TEAM").AddMembers(f.ana, f.ben).SaveX(ctx)
	f.objective = c.Objective.Create().SetOrganization(f.org).SetTitle("Grow ties").
		SetCategory("NETWORKING").SetPurpose("DISPERSED_TEAM").SaveX(ctx)
	start := time.Date(2030, 3, 5, 9, 0, 0, 0, time.UTC)
	f.meeting = c.Meeting.Create().SetOrganization(f.org).SetTitle("Offsite").
		SetStartsAt(start).SetEndsAt(start.Add(8 * time.Hour)).SetTimeZone("Europe/Paris").
		AddObjectives(f.objective).SaveX(ctx)
	return f
}
