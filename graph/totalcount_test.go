package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/testenv"
)

// The totalCount of a connection under a list of nodes is a subquery of the
// nodes' own statement (ent/entc.go, totalCountSubquery). These tests hold it
// to what the edge's own query returns, on every connection of the schema,
// under nested pages (LimitPerRow), with where filters and aliases, and
// behind privacy rules.

// TestEdgeTotalCountsMatchTheirEdges: on every edge connection of every
// node type, loaded under a root list, totalCount (alone, with a page, with
// the whole page of edges) is the number of edges the connection returns.
func TestEdgeTotalCountsMatchTheirEdges(t *testing.T) {
	a := newAPI(t)
	if _, err := demo.Load(testenv.System(), a.ent, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	_, edges := schemaConnections(graph.NewSchema(a.ent).Schema())
	checked, nonZero := 0, 0
	for _, e := range edges {
		if hasRequiredArgument(e.field) {
			continue
		}
		name, root, f := e.name(), e.root, e.field
		q := fmt.Sprintf(`{ p: %s(first: 6) { edges { node { __typename
			t: %[2]s { totalCount }
			f: %[2]s(first: 2) { totalCount }
			all: %[2]s(first: 100) { totalCount pageInfo { hasNextPage } edges { cursor } } } } } }`, root.Name, f.Name)
		var got struct {
			P struct {
				Edges []struct {
					Node struct {
						T, F struct{ TotalCount int }
						All  struct {
							TotalCount int
							PageInfo   struct{ HasNextPage bool }
							Edges      []struct{ Cursor string }
						}
					}
				}
			}
		}
		postRaw(t, a, q, nil).mustData(t, &got)
		for i, e := range got.P.Edges {
			n := e.Node
			if n.All.PageInfo.HasNextPage {
				t.Fatalf("%s: more than 100 edges on node %d", name, i)
			}
			want := len(n.All.Edges)
			if n.T.TotalCount != want || n.F.TotalCount != want || n.All.TotalCount != want {
				t.Errorf("%s, node %d: totalCount %d alone, %d with first: 2, %d with the page; the page has %d edges",
					name, i, n.T.TotalCount, n.F.TotalCount, n.All.TotalCount, want)
			}
			checked++
			if want > 0 {
				nonZero++
			}
		}
	}
	if checked < 100 || nonZero < 30 {
		t.Fatalf("only %d connections checked, %d of them with edges: the demo data no longer covers the schema", checked, nonZero)
	}
}

// TestNestedTotalCountsUnderPagesOfEdges: counts of nodes that are
// themselves a page of an edge (each parent's first n, LimitPerRow), over
// many-to-many and one-to-many edges, with a where filter and aliases, are
// the counts of the database.
func TestNestedTotalCountsUnderPagesOfEdges(t *testing.T) {
	a := newAPI(t)
	if _, err := demo.Load(testenv.System(), a.ent, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	ctx := testenv.System()
	type counted struct {
		ID           string
		Members      struct{ TotalCount int }
		All          struct{ TotalCount int }
		Accepted     struct{ TotalCount int }
		LongAliasFor struct{ TotalCount int } `json:"aliasLongerThanTheSixtyThreeBytesOfAPostgreSQLIdentifierForTotalCount"`
	}
	type page struct{ Edges []struct{ Node counted } }

	t.Run("members of each person's first two communities (many-to-many)", func(t *testing.T) {
		var got struct {
			People struct {
				Edges []struct{ Node struct{ Communities page } }
			}
		}
		postRaw(t, a, `{ people(first: 30) { edges { node { communities(first: 2, orderBy: {field: NAME}) { edges { node { id
			members { totalCount } } } } } } } }`, nil).mustData(t, &got)
		n := 0
		for _, p := range got.People.Edges {
			for _, c := range p.Node.Communities.Edges {
				want := a.ent.Community.Query().Where(community.ID(atoiID(t, c.Node.ID))).QueryMembers().CountX(ctx)
				if c.Node.Members.TotalCount != want {
					t.Errorf("community %s: members totalCount %d, want %d", c.Node.ID, c.Node.Members.TotalCount, want)
				}
				n++
			}
		}
		if n < 10 {
			t.Fatalf("only %d communities checked", n)
		}
	})

	t.Run("participations of each objective's first two meetings, filtered and aliased", func(t *testing.T) {
		var got struct {
			Objectives struct {
				Edges []struct{ Node struct{ Meetings page } }
			}
		}
		postRaw(t, a, `{ objectives(first: 30) { edges { node { meetings(first: 2) { edges { node { id
			all: participations { totalCount }
			accepted: participations(where: {status: ACCEPTED}) { totalCount }
			aliasLongerThanTheSixtyThreeBytesOfAPostgreSQLIdentifierForTotalCount: participations(first: 1) { totalCount }
			} } } } } } }`, nil).mustData(t, &got)
		n, some := 0, false
		for _, o := range got.Objectives.Edges {
			for _, m := range o.Node.Meetings.Edges {
				id := atoiID(t, m.Node.ID)
				all := a.ent.Participation.Query().Where(participation.MeetingID(id)).CountX(ctx)
				accepted := a.ent.Participation.Query().Where(participation.MeetingID(id), participation.StatusEQ(participation.StatusAccepted)).CountX(ctx)
				if m.Node.All.TotalCount != all || m.Node.LongAliasFor.TotalCount != all || m.Node.Accepted.TotalCount != accepted {
					t.Errorf("meeting %s: totalCount %d (first: 1 under a long alias: %d), %d accepted; want %d, %d",
						m.Node.ID, m.Node.All.TotalCount, m.Node.LongAliasFor.TotalCount, m.Node.Accepted.TotalCount, all, accepted)
				}
				some = some || (accepted > 0 && accepted < all)
				n++
			}
		}
		if n < 5 || !some {
			t.Fatalf("%d meetings checked, one with accepted and other participations: %v", n, some)
		}
	})

	// The objective's meetings are the other side of the same many-to-many
	// edge, counted from the meetings' first objectives.
	t.Run("meetings of each meeting's objectives (the inverse edge)", func(t *testing.T) {
		var got struct {
			Meetings struct {
				Edges []struct {
					Node struct {
						Objectives struct {
							Edges []struct {
								Node struct {
									ID       string
									Meetings struct{ TotalCount int }
								}
							}
						}
					}
				}
			}
		}
		postRaw(t, a, `{ meetings(first: 30) { edges { node { objectives(first: 2) { edges { node { id meetings { totalCount } } } } } } } }`, nil).
			mustData(t, &got)
		n := 0
		for _, m := range got.Meetings.Edges {
			for _, o := range m.Node.Objectives.Edges {
				want := a.ent.Objective.Query().Where(objective.ID(atoiID(t, o.Node.ID))).QueryMeetings().CountX(ctx)
				if o.Node.Meetings.TotalCount != want {
					t.Errorf("objective %s: meetings totalCount %d, want %d", o.Node.ID, o.Node.Meetings.TotalCount, want)
				}
				n++
			}
		}
		if n < 5 {
			t.Fatalf("only %d objectives checked", n)
		}
	})
}

// TestPageOfCountsIsOneStatement: issue 11's P1b (a page of meetings with
// their participations' totalCount) is one statement once the token is
// cached, for 2 meetings as for 20.
func TestPageOfCountsIsOneStatement(t *testing.T) {
	a := newAPI(t)
	buildMeetings(t, a.ent, 20)
	var warm map[string]any
	a.MustPost(`{ viewer { role } }`, &warm) // the token, cached
	for _, n := range []int{2, 20} {
		var got struct {
			Meetings struct {
				Edges []struct {
					Node struct {
						ID, Title, StartsAt string
						Participations      struct{ TotalCount int }
					}
				}
			}
		}
		a.counter.Record()
		a.MustPost(fmt.Sprintf(`{ meetings(first: %d, orderBy: [{field: STARTS_AT, direction: ASC}]) {
			edges { node { id title startsAt participations { totalCount } } } } }`, n), &got)
		statements := a.counter.Statements()
		a.counter.Reset()
		if len(got.Meetings.Edges) != n {
			t.Fatalf("%d meetings, want %d", len(got.Meetings.Edges), n)
		}
		total := 0
		for _, e := range got.Meetings.Edges {
			total += e.Node.Participations.TotalCount
		}
		if total == 0 {
			t.Fatalf("no participations counted")
		}
		if len(statements) != 1 || !strings.Contains(strings.ToUpper(statements[0]), "COUNT(*)") {
			t.Errorf("%d meetings: statements %q, want one with its counts", n, statements)
		}
	}
}

// TestTotalCountUnderAListFollowsPrivacy: the counts in the meetings'
// statement are filtered like the edge itself: a VIEWER counts no guest of
// the VIP meeting, a PLANNER counts them all.
func TestTotalCountUnderAListFollowsPrivacy(t *testing.T) {
	w := newVIPWorld(t)
	for _, r := range []struct {
		name, token string
		vip         int
	}{{"PLANNER", w.planner, 2}, {"VIEWER", w.view, 0}} {
		var got struct {
			Meetings struct {
				Edges []struct {
					Node struct {
						ID             string
						Visibility     meeting.Visibility
						Participations struct{ TotalCount int }
						Page           struct{ TotalCount int }
					}
				}
			}
		}
		w.as(t, r.token, `{ meetings { edges { node { id visibility participations { totalCount } page: participations(first: 1) { totalCount } } } } }`, nil).
			mustData(t, &got)
		if len(got.Meetings.Edges) != 4 {
			t.Fatalf("%s: %d meetings, want 4", r.name, len(got.Meetings.Edges))
		}
		for _, e := range got.Meetings.Edges {
			want := 2 // Ana and Ben
			switch {
			case e.Node.ID == gid(w.f.meeting.ID):
				want = 0 // the fixture's meeting, without guests
			case e.Node.Visibility == meeting.VisibilityVip:
				want = r.vip
			}
			if e.Node.Participations.TotalCount != want || e.Node.Page.TotalCount != want {
				t.Errorf("%s, %s meeting: totalCount %d, %d with a page; want %d", r.name, e.Node.Visibility,
					e.Node.Participations.TotalCount, e.Node.Page.TotalCount, want)
			}
		}
	}
}

// atoiID is the int of a node ID.
func atoiID(t *testing.T, id string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(id, &n); err != nil {
		t.Fatalf("node ID %q: %v", id, err)
	}
	return n
}
