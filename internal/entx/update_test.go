package entx_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

// planner is a PLANNER of org, as a request of one sees it.
func planner(org *ent.Organization) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{AccountID: 1, OrganizationID: org.ID, Role: viewer.Planner})
}

// An UpdateOne is one statement, UPDATE … RETURNING, which returns the node
// as stored; it fails as ent's own does on a missing node, a node the
// privacy rules exclude, and a broken constraint, changing nothing.
func TestUpdateOneReadsTheNodeBackInOneStatement(t *testing.T) {
	c, counter := testenv.ClientWithCounter(t)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	acme := testenv.NewBuilder(t, c, "acme", now)
	other := testenv.NewBuilder(t, c, "other", now)
	ana, ben := acme.Person("Ana"), acme.Person("Ben")
	team := acme.Community("Team")
	outsider := other.Person("Olga")
	ctx := planner(acme.Org)

	t.Run("one statement, the node as stored", func(t *testing.T) {
		counter.Record()
		got, err := c.Person.UpdateOne(ana).SetName("Ana Lima").SetJobTitle("Host").SetTags([]string{"speaker", "board"}).Save(ctx)
		statements := counter.Statements()
		counter.Reset()
		if err != nil {
			t.Fatal(err)
		}
		if len(statements) != 1 || !strings.HasPrefix(statements[0], "UPDATE") || !strings.Contains(statements[0], "RETURNING") {
			t.Fatalf("statements = %q, want one UPDATE … RETURNING", statements)
		}
		stored := c.Person.GetX(testenv.System(), ana.ID)
		if got.Name != "Ana Lima" || got.JobTitle == nil || *got.JobTitle != "Host" || strings.Join(got.Tags, ",") != "speaker,board" ||
			strings.Join(stored.Tags, ",") != "speaker,board" || got.Email != stored.Email || !got.UpdatedAt.Equal(stored.UpdatedAt) ||
			!got.CreatedAt.Equal(stored.CreatedAt) || got.OrganizationID != acme.Org.ID {
			t.Fatalf("returned %+v, stored %+v", got, stored)
		}
		if !got.UpdatedAt.After(ana.UpdatedAt) {
			t.Fatalf("updatedAt %s not after %s", got.UpdatedAt, ana.UpdatedAt)
		}
	})
	t.Run("the selected fields only", func(t *testing.T) {
		got, err := c.Person.UpdateOne(ben).SetName("Ben Okafor").Select(person.FieldName).Save(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != ben.ID || got.Name != "Ben Okafor" || got.Email != "" {
			t.Fatalf("returned %+v, want the ID and the name only", got)
		}
	})
	t.Run("a cleared field", func(t *testing.T) {
		got, err := c.Person.UpdateOne(ana).ClearJobTitle().Save(ctx)
		if err != nil || got.JobTitle != nil || c.Person.GetX(testenv.System(), ana.ID).JobTitle != nil {
			t.Fatalf("returned %+v, %v", got, err)
		}
	})
	t.Run("with an edge, as ent does", func(t *testing.T) {
		got, err := c.Person.UpdateOne(ben).AddCommunities(team).SetName("Ben O.").Save(ctx)
		if err != nil || got.Name != "Ben O." {
			t.Fatalf("returned %+v, %v", got, err)
		}
		if n := c.Person.QueryCommunities(got).CountX(testenv.System()); n != 1 {
			t.Fatalf("communities = %d, want 1", n)
		}
	})
	t.Run("no such node", func(t *testing.T) {
		_, err := c.Person.UpdateOneID(ana.ID + 1000).SetName("Nobody").Save(ctx)
		if !ent.IsNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
	})
	t.Run("a node of another organization", func(t *testing.T) {
		_, err := c.Person.UpdateOne(outsider).SetName("Taken").Save(ctx)
		if !ent.IsNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
		if got := c.Person.GetX(testenv.System(), outsider.ID); got.Name != "Olga" {
			t.Fatalf("name = %q, want it unchanged", got.Name)
		}
	})
	t.Run("a broken constraint", func(t *testing.T) {
		_, err := c.Person.UpdateOne(ben).SetEmail(c.Person.GetX(testenv.System(), ana.ID).Email).Save(ctx)
		if !ent.IsConstraintError(err) {
			t.Fatalf("err = %v, want a constraint error", err)
		}
		if got := c.Person.GetX(testenv.System(), ben.ID); got.Name != "Ben O." {
			t.Fatalf("name = %q, want Ben O.", got.Name)
		}
	})
	t.Run("in a transaction", func(t *testing.T) {
		tx, err := c.Tx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tx.Person.UpdateOne(ana).SetName("Ana L.").Save(ctx)
		if err != nil || got.Name != "Ana L." {
			t.Fatalf("returned %+v, %v", got, err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		if got := c.Person.GetX(testenv.System(), ana.ID); got.Name != "Ana Lima" {
			t.Fatalf("name after rollback = %q, want Ana Lima", got.Name)
		}
	})
}
