package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

// The executor's per-operation caches (graph/opcache.go, written into the
// generated code by internal/tools/sequential) read each field's arguments
// and each selection's fields once per operation: what differs between
// fields of a list must still differ, through aliases, variables and
// fragments.
func TestExecutorCachesKeepEachFieldsArguments(t *testing.T) {
	c := testenv.Client(t)
	buildMeetings(t, c, 3)
	h := graph.NewHandler(c, graph.Options{})
	token := ownerToken(t, c)
	body, err := json.Marshal(map[string]any{
		"query": `query Q($two: Int!) { meetings(first: 3) { edges { node { title
  one: participations(first: 1) { ...Page }
  two: participations(first: $two) { ...Page }
  all: participations { edges { node { person { ...Named } } } } } } } }
fragment Page on ParticipationConnection { totalCount edges { node { person { ...Named } } } }
fragment Named on Person { name }`,
		"variables": map[string]any{"two": 2}})
	if err != nil {
		t.Fatal(err)
	}
	w := testenv.ServeGraphQL(t, h, token, body)
	var resp struct {
		Data struct {
			Meetings struct {
				Edges []struct {
					Node struct {
						Title         string
						One, Two, All struct {
							TotalCount int
							Edges      []struct {
								Node struct{ Person struct{ Name string } }
							}
						}
					}
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
		t.Fatalf("%v: %s", err, w.Body.String())
	}
	if len(resp.Data.Meetings.Edges) != 3 {
		t.Fatalf("meetings: %s", w.Body.String())
	}
	for _, e := range resp.Data.Meetings.Edges {
		m := e.Node
		if len(m.One.Edges) != 1 || len(m.Two.Edges) != 2 || len(m.All.Edges) != 5 {
			t.Errorf("%s: %d, %d and %d participations, want 1, 2 and 5", m.Title, len(m.One.Edges), len(m.Two.Edges), len(m.All.Edges))
			continue
		}
		if m.One.TotalCount != 5 || m.Two.TotalCount != 5 {
			t.Errorf("%s: totalCount %d and %d, want 5", m.Title, m.One.TotalCount, m.Two.TotalCount)
		}
		if m.Two.Edges[1].Node.Person.Name != m.All.Edges[1].Node.Person.Name || m.All.Edges[0].Node.Person.Name == "" {
			t.Errorf("%s: people %+v and %+v", m.Title, m.Two.Edges, m.All.Edges)
		}
	}
}

// One selection set collected for objects of different types gives each
// type its own fields.
func TestExecutorCollectsASelectionPerType(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	var resp struct {
		Nodes []map[string]any
	}
	a.MustPost(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Meeting { title } ... on Person { name } ...Named } }
fragment Named on Community { name }`, &resp,
		client.Var("ids", []string{gid(f.meeting.ID), gid(f.ana.ID), gid(f.team.ID), gid(f.meeting.ID)}))
	if len(resp.Nodes) != 4 || resp.Nodes[0]["title"] != "Offsite" || resp.Nodes[1]["name"] != "Ana" || resp.Nodes[2]["name"] != "Platform" || resp.Nodes[3]["title"] != "Offsite" {
		t.Fatalf("nodes = %v", resp.Nodes)
	}
	if _, ok := resp.Nodes[0]["name"]; ok {
		t.Fatalf("a meeting has a name: %v", resp.Nodes[0])
	}
}

// An argument that cannot be read is reported for every object of the
// list, on each one's path: errors are not cached.
func TestExecutorReportsAnArgumentErrorForEveryObject(t *testing.T) {
	c := testenv.Client(t)
	buildMeetings(t, c, 3)
	h := graph.NewHandler(c, graph.Options{})
	token := ownerToken(t, c)
	body, err := json.Marshal(map[string]any{
		"query": `{ meetings(first: 3) { edges { node { title participations(after: "not a cursor") { totalCount } } } } }`})
	if err != nil {
		t.Fatal(err)
	}
	w := testenv.ServeGraphQL(t, h, token, body)
	var resp struct {
		Errors []struct {
			Message    string
			Path       []any
			Extensions struct{ Code string }
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Errors) != 3 {
		t.Fatalf("%d errors, want one per meeting: %s", len(resp.Errors), w.Body.String())
	}
	for i, e := range resp.Errors {
		if e.Extensions.Code != "BAD_USER_INPUT" || len(e.Path) < 4 || e.Path[2] != float64(i) {
			t.Errorf("error %d: %+v", i, e)
		}
	}
}

// A fragment marked @defer is resolved inline: the HTTP transport writes one
// response, so the deferred fields are in it, with no "hasNext" promising a
// payload that never comes. Each object's set of deferred fields is made
// only by the first deferred field (startDeferred), so an object without
// any allocates none.
func TestExecutorResolvesADeferredFragmentInline(t *testing.T) {
	c := testenv.Client(t)
	buildMeetings(t, c, 2)
	h := graph.NewHandler(c, graph.Options{})
	token := ownerToken(t, c)
	for _, q := range []string{
		`{ meetings(first: 2) { edges { node { id ... @defer(label: "more") { title participations { totalCount } } } } } }`,
		`query($d: Boolean!) { meetings(first: 2) { edges { node { id ...More @defer(if: $d) } } } }
fragment More on Meeting { title participations { totalCount } }`,
	} {
		body, err := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"d": true}})
		if err != nil {
			t.Fatal(err)
		}
		w := testenv.ServeGraphQL(t, h, token, body)
		var resp map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatal(err)
		}
		if _, ok := resp["hasNext"]; ok || resp["errors"] != nil {
			t.Errorf("%s", w.Body.String())
		}
		for i, want := range []string{"Meeting 0", "Meeting 1"} {
			if !strings.Contains(w.Body.String(), `"title":"`+want+`","participations":{"totalCount":5}`) {
				t.Errorf("meeting %d: want %s with its 5 participations inline: %s", i, want, w.Body.String())
			}
		}
	}
}
