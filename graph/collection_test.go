package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/testenv"
)

// Fields computed by hand-written resolvers (startsAt and endsAt in the
// meeting's zone, a person's email, a relationship's currentStrength) load the
// columns their resolver reads, and only those: asked alone, through an alias
// or a fragment, they answer the same as with every column loaded.
func TestResolverFieldsLoadTheirColumns(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	now := time.Now().UTC()
	a.ent.Relationship.Create().SetOrganizationID(f.org.ID).SetPersonAID(min(f.ana.ID, f.ben.ID)).SetPersonBID(max(f.ana.ID, f.ben.ID)).
		SetFirstMetAt(now).SetLastMetAt(now).SetEncounterCount(1).SetStrength(2).
		SetDecayKey(network.DecayKey(2, now)).ExecX(testenv.System())
	a.bearer(t)

	// statement runs query and returns the one statement that read table.
	statement := func(t *testing.T, query string, rsp any, table string) string {
		t.Helper()
		a.counter.Record()
		defer a.counter.Reset()
		a.MustPost(query, rsp)
		var found []string
		for _, s := range a.counter.Statements() {
			s = strings.ReplaceAll(s, "`", `"`) // SQLite's quotes
			if strings.Contains(s, `FROM "`+table+`"`) {
				found = append(found, s)
			}
		}
		if len(found) != 1 {
			t.Fatalf("statements reading %s: %q", table, found)
		}
		return found[0]
	}
	columns := func(t *testing.T, sql string, want, not []string) {
		t.Helper()
		for _, c := range want {
			if !strings.Contains(sql, `"`+c+`"`) {
				t.Errorf("column %s not loaded: %s", c, sql)
			}
		}
		for _, c := range not {
			if strings.Contains(sql, `"`+c+`"`) {
				t.Errorf("column %s loaded, though not asked for: %s", c, sql)
			}
		}
	}

	t.Run("startsAt and endsAt in the meeting's zone", func(t *testing.T) {
		for _, tc := range []struct{ name, query string }{
			{"alone", `{ meetings { edges { node { startsAt endsAt } } } }`},
			{"aliased in a fragment", `{ meetings { edges { node { ...M } } } } fragment M on Meeting { startsAt: startsAt endsAt: endsAt }`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var rsp struct {
					Meetings struct {
						Edges []struct {
							Node struct{ StartsAt, EndsAt string }
						}
					}
				}
				sql := statement(t, tc.query, &rsp, "meetings")
				if len(rsp.Meetings.Edges) != 1 {
					t.Fatalf("meetings = %+v", rsp.Meetings)
				}
				// 09:00 and 17:00 UTC on 5 March 2030 are 10:00 and 18:00 in Paris.
				if n := rsp.Meetings.Edges[0].Node; n.StartsAt != "2030-03-05T10:00:00+01:00" || n.EndsAt != "2030-03-05T18:00:00+01:00" {
					t.Fatalf("startsAt, endsAt = %s, %s; want 2030-03-05T10:00:00+01:00, 2030-03-05T18:00:00+01:00", n.StartsAt, n.EndsAt)
				}
				columns(t, sql, []string{"starts_at", "ends_at", "time_zone"}, []string{"description", "venue_address", "budget_amount"})
			})
		}
	})
	t.Run("a person's email", func(t *testing.T) {
		var rsp struct {
			People struct {
				Edges []struct{ Node struct{ E *string } }
			}
		}
		sql := statement(t, `{ people(orderBy: [{field: EMAIL, direction: ASC}]) { edges { node { e: email } } } }`, &rsp, "persons")
		var got []string
		for _, e := range rsp.People.Edges {
			if e.Node.E != nil {
				got = append(got, *e.Node.E)
			}
		}
		if strings.Join(got, " ") != "ana@acme.example ben@acme.example" {
			t.Fatalf("emails = %q, want both", got)
		}
		columns(t, sql, []string{"email"}, []string{"name", "phone"})
	})
	t.Run("a relationship's currentStrength", func(t *testing.T) {
		var rsp struct {
			Relationships struct {
				Edges []struct {
					Node struct{ CurrentStrength float64 }
				}
			}
		}
		sql := statement(t, `{ relationships { edges { node { currentStrength } } } }`, &rsp, "relationships")
		if len(rsp.Relationships.Edges) != 1 {
			t.Fatalf("relationships = %+v", rsp.Relationships)
		}
		// Met just now with strength 2: it has not faded.
		if s := rsp.Relationships.Edges[0].Node.CurrentStrength; s < 1.99 || s > 2 {
			t.Fatalf("currentStrength = %v, want 2", s)
		}
		columns(t, sql, []string{"strength", "last_met_at"}, []string{"encounter_count", "first_met_at"})
	})
	t.Run("a field without declared columns loads them all", func(t *testing.T) {
		var rsp struct {
			Meetings struct {
				Edges []struct {
					Node struct{ Attendance struct{ Invited int } }
				}
			}
		}
		sql := statement(t, `{ meetings { edges { node { attendance { invited } } } } }`, &rsp, "meetings")
		columns(t, sql, []string{"capacity", "description", "ends_at"}, nil)
	})
}
