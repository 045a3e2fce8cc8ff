package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

// api is the GraphQL API over a fresh database, as a test sees it.
type api struct {
	*client.Client
	ent     *ent.Client
	counter *testenv.Counter
}

func newAPI(t *testing.T) *api {
	t.Helper()
	c, counter := testenv.ClientWithCounter(t)
	return &api{
		Client:  client.New(graph.NewHandler(c, graph.Options{})),
		ent:     c,
		counter: counter,
	}
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
	ctx := context.Background()
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
