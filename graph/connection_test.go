package graph_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/testenv"
)

// page is what a connection answers, whatever the shape of the selection.
type page struct {
	TotalCount      any
	HasNextPage     any
	HasPreviousPage any
	StartCursor     any
	EndCursor       any
	Cursors         []any
	IDs             []any
}

// connectionShape is one way a client may select a connection, and how to read
// the page back from the answer.
type connectionShape struct {
	name      string
	selection string
	fragments string // fragment definitions, with %s for the connection type
	read      func(m map[string]any) page
	// compare selects what the shape asks for: full pages, or a part.
	compare func(got, want page) bool
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func list(v any) []any { l, _ := v.([]any); return l }

func readPage(m map[string]any, total, info, hasNext, hasPrev, start, end, edges, cursor, node, id string) page {
	p := page{TotalCount: m[total]}
	if pi := obj(m[info]); pi != nil {
		p.HasNextPage, p.HasPreviousPage, p.StartCursor, p.EndCursor = pi[hasNext], pi[hasPrev], pi[start], pi[end]
	}
	for _, e := range list(m[edges]) {
		p.Cursors = append(p.Cursors, obj(e)[cursor])
		p.IDs = append(p.IDs, obj(obj(e)[node])[id])
	}
	return p
}

func fullPage(got, want page) bool { return reflect.DeepEqual(got, want) }

var connectionShapes = []connectionShape{
	{
		name:      "plain",
		selection: `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } }`,
		read: func(m map[string]any) page {
			return readPage(m, "totalCount", "pageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "edges", "cursor", "node", "id")
		},
		compare: fullPage,
	},
	{
		name:      "every field aliased",
		selection: `t: totalCount p: pageInfo { n: hasNextPage pr: hasPreviousPage s: startCursor e: endCursor } nodes: edges { c: cursor n: node { i: id } }`,
		read: func(m map[string]any) page {
			return readPage(m, "t", "p", "n", "pr", "s", "e", "nodes", "c", "n", "i")
		},
		compare: fullPage,
	},
	{
		name:      "pageInfo without edges",
		selection: `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`,
		read: func(m map[string]any) page {
			return readPage(m, "totalCount", "pageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "edges", "cursor", "node", "id")
		},
		compare: func(got, want page) bool {
			want.Cursors, want.IDs = nil, nil
			return reflect.DeepEqual(got, want)
		},
	},
	{
		name:      "edges twice under two aliases",
		selection: `a: edges { node { id } } b: edges { cursor } pageInfo { endCursor hasNextPage hasPreviousPage startCursor } totalCount`,
		read: func(m map[string]any) page {
			p := readPage(m, "totalCount", "pageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "a", "cursor", "node", "id")
			p.Cursors = nil
			for _, e := range list(m["b"]) {
				p.Cursors = append(p.Cursors, obj(e)["cursor"])
			}
			return p
		},
		compare: fullPage,
	},
	{
		name:      "named fragments",
		selection: `...Page`,
		fragments: `fragment Page on %s { totalCount pageInfo { ...Info } edges { cursor node { ... on Node { id } } } }
			fragment Info on PageInfo { hasNextPage hasPreviousPage startCursor endCursor }`,
		read: func(m map[string]any) page {
			return readPage(m, "totalCount", "pageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "edges", "cursor", "node", "id")
		},
		compare: fullPage,
	},
	{
		name:      "inline fragments and __typename",
		selection: `__typename ... { totalCount } ... { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } edges { ... { cursor } node { __typename id } }`,
		read: func(m map[string]any) page {
			return readPage(m, "totalCount", "pageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "edges", "cursor", "node", "id")
		},
		compare: fullPage,
	},
	{
		name:      "totalCount only",
		selection: `total: totalCount`,
		read:      func(m map[string]any) page { return page{TotalCount: m["total"]} },
		compare:   func(got, want page) bool { return got.TotalCount == want.TotalCount },
	},
}

// schemaEdge is a connection field of a node type that has a root list.
type schemaEdge struct {
	typ         string
	root, field *ast.FieldDefinition // the root list of typ, the connection field
}

func (e schemaEdge) name() string { return e.typ + "." + e.field.Name }

// schemaConnections lists the connections of the schema: the root fields
// that answer one without a required argument (by connection type), and the
// connection fields with a first argument of every object type that has such
// a root list, through which a test loads them under a list.
func schemaConnections(schema *ast.Schema) (map[string]*ast.FieldDefinition, []schemaEdge) {
	roots := map[string]*ast.FieldDefinition{}
	for _, f := range schema.Query.Fields {
		if strings.HasSuffix(f.Type.Name(), "Connection") && !hasRequiredArgument(f) {
			roots[f.Type.Name()] = f
		}
	}
	var edges []schemaEdge
	for _, typ := range schema.Types {
		root := roots[typ.Name+"Connection"]
		if typ.Kind != ast.Object || root == nil {
			continue
		}
		for _, f := range typ.Fields {
			if strings.HasSuffix(f.Type.Name(), "Connection") && f.Arguments.ForName("first") != nil {
				edges = append(edges, schemaEdge{typ: typ.Name, root: root, field: f})
			}
		}
	}
	return roots, edges
}

// TestEveryConnectionAnswersTheSameWhateverTheSelection runs, on every
// connection of the schema (root fields and edges of every node type, loaded
// eagerly under a list), each shape a client may select it in: aliases,
// fragments, repeated fields, pageInfo without edges. Every shape gives the
// same page as the plain selection, and paging on endCursor with pageInfo
// alone visits every record, ending with hasNextPage false.
func TestEveryConnectionAnswersTheSameWhateverTheSelection(t *testing.T) {
	a := newAPI(t)
	if _, err := demo.Load(testenv.System(), a.ent, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	schema := graph.NewSchema(a.ent).Schema()
	roots, edges := schemaConnections(schema)
	type target struct {
		name     string
		connType string
		query    func(args, sel string) string
		dig      func(data map[string]any) []map[string]any // the connections answered
	}
	var targets []target
	for connType, f := range roots {
		targets = append(targets, target{
			name: "Query." + f.Name, connType: connType,
			query: func(args, sel string) string { return fmt.Sprintf("{ c: %s(%s) { %s } }", f.Name, args, sel) },
			dig:   func(d map[string]any) []map[string]any { return []map[string]any{obj(d["c"])} },
		})
	}
	for _, e := range edges {
		targets = append(targets, target{
			name: e.name(), connType: e.field.Type.Name(),
			query: func(args, sel string) string {
				return fmt.Sprintf("{ p: %s(first: 8) { edges { node { c: %s(%s) { %s } } } } }", e.root.Name, e.field.Name, args, sel)
			},
			dig: func(d map[string]any) []map[string]any {
				var out []map[string]any
				for _, e := range list(obj(d["p"])["edges"]) {
					out = append(out, obj(obj(obj(e)["node"])["c"]))
				}
				return out
			},
		})
	}
	if len(targets) < 30 {
		t.Fatalf("only %d connections found in the schema", len(targets))
	}
	// The entries of a timeline are no nodes: their type names stand in for
	// the IDs (the cursors still tell them apart).
	noNodes := strings.NewReplacer("node { id }", "node { id: __typename }", "n: node { i: id }", "n: node { i: __typename }",
		"node { ... on Node { id } }", "node { id: __typename }", "node { __typename id }", "node { id: __typename }")
	run := func(t *testing.T, tg target, sh connectionShape, args string) []page {
		t.Helper()
		q := tg.query(args, sh.selection)
		if sh.fragments != "" {
			q += "\n" + fmt.Sprintf(sh.fragments, tg.connType)
		}
		if edge := schema.Types[strings.TrimSuffix(tg.connType, "Connection")+"Edge"]; edge != nil {
			if node := schema.Types[edge.Fields.ForName("node").Type.Name()]; node != nil && node.Fields.ForName("id") == nil {
				q = noNodes.Replace(q)
			}
		}
		res := postRaw(t, a, q, nil)
		var data map[string]any
		res.mustData(t, &data)
		var pages []page
		for _, c := range tg.dig(data) {
			pages = append(pages, sh.read(c))
		}
		return pages
	}
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			want := run(t, tg, connectionShapes[0], "first: 3")
			for _, sh := range connectionShapes[1:] {
				got := run(t, tg, sh, "first: 3")
				if len(got) != len(want) {
					t.Fatalf("%s: %d connections answered, want %d", sh.name, len(got), len(want))
				}
				for i := range want {
					if !sh.compare(got[i], want[i]) {
						t.Errorf("%s gives\n %+v\nthe plain selection gives\n %+v", sh.name, got[i], want[i])
					}
				}
			}
		})
	}
	// Paging with pageInfo alone, on every root connection: each page moves
	// on, and the last says so.
	for connType, f := range roots {
		t.Run("paging "+f.Name+" with pageInfo alone", func(t *testing.T) {
			tg := target{connType: connType,
				query: func(args, sel string) string { return fmt.Sprintf("{ c: %s(%s) { %s } }", f.Name, args, sel) },
				dig:   func(d map[string]any) []map[string]any { return []map[string]any{obj(d["c"])} }}
			all := run(t, tg, connectionShapes[0], "first: 100")[0]
			total, _ := all.TotalCount.(float64)
			args, pages := "first: 7", 0
			for {
				p := run(t, tg, connectionShapes[2], args)[0]
				pages++
				if pages > int(total)/7+2 {
					t.Fatalf("%d pages for %v records: paging does not end", pages, total)
				}
				if p.HasNextPage != true {
					break
				}
				cursor, ok := p.EndCursor.(string)
				if !ok {
					t.Fatalf("hasNextPage true with endCursor %v", p.EndCursor)
				}
				b, _ := json.Marshal(cursor)
				args = "first: 7, after: " + string(b)
			}
			if want := max(1, (int(total)+6)/7); pages != want {
				t.Errorf("%d pages of 7 for %v records, want %d", pages, total, want)
			}
		})
	}
}

// TestPagingWithOrderBy pages every root connection ordered by each of its
// order fields, in both directions, with the cursors the API hands out: the
// pages follow each other without a gap or a repeat.
func TestPagingWithOrderBy(t *testing.T) {
	a := newAPI(t)
	if _, err := demo.Load(testenv.System(), a.ent, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	schema := graph.NewSchema(a.ent).Schema()
	for _, f := range schema.Query.Fields {
		order := f.Arguments.ForName("orderBy")
		if order == nil || hasRequiredArgument(f) {
			continue
		}
		fields := schema.Types[order.Type.Name()].Fields.ForName("field")
		for _, v := range schema.Types[fields.Type.Name()].EnumValues {
			if v.Name == "EMAIL" || v.Name == "PHONE" {
				continue
			}
			for _, dir := range []string{"ASC", "DESC"} {
				t.Run(fmt.Sprintf("%s by %s %s", f.Name, v.Name, dir), func(t *testing.T) {
					var seen []any
					args := ""
					for pages := 0; ; pages++ {
						q := fmt.Sprintf(`{ c: %s(first: 7, orderBy: [{field: %s, direction: %s}]%s) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`, f.Name, v.Name, dir, args)
						var data map[string]any
						postRaw(t, a, q, nil).mustData(t, &data)
						c := obj(data["c"])
						for _, e := range list(c["edges"]) {
							seen = append(seen, obj(obj(e)["node"])["id"])
						}
						pi := obj(c["pageInfo"])
						if pi["hasNextPage"] != true {
							total, _ := c["totalCount"].(float64)
							if len(seen) != int(total) {
								t.Fatalf("%d records over the pages, totalCount %v", len(seen), total)
							}
							ids := map[any]bool{}
							for _, id := range seen {
								if ids[id] {
									t.Fatalf("record %v on two pages", id)
								}
								ids[id] = true
							}
							return
						}
						if pages > 100 {
							t.Fatal("paging does not end")
						}
						b, _ := json.Marshal(pi["endCursor"])
						args = ", after: " + string(b)
					}
				})
			}
		}
	}
}

// TestOrderByTimeAcrossOffsets orders and pages meetings whose times were
// given with different offsets: text order ("01:00-08:00" < "06:00Z" <
// "10:00+05:00") is the reverse of time order, which the API must follow on
// both databases, forwards, backwards and in filters.
func TestOrderByTimeAcrossOffsets(t *testing.T) {
	a := newAPI(t)
	newFixture(t, a.ent)
	starts := map[string]string{
		"A": "2031-01-01T10:00:00+05:00", // 05:00Z
		"B": "2031-01-01T06:00:00Z",      // 06:00Z
		"C": "2031-01-01T01:00:00-08:00", // 09:00Z
	}
	for _, title := range []string{"C", "A", "B"} {
		var rsp meetingCreateResponse
		a.MustPost(meetingCreate, &rsp, client.Var("input", map[string]any{
			"title": "Offsets " + title, "startsAt": starts[title], "endsAt": "2031-01-02T00:00:00Z", "timeZone": "UTC",
		}))
		if rsp.MeetingCreate.Meeting == nil {
			t.Fatalf("creating %s: %+v", title, rsp.MeetingCreate.UserErrors)
		}
	}
	page := func(args string) (titles []string, cursor string) {
		var rsp struct {
			Meetings struct {
				Edges []struct {
					Cursor string
					Node   struct{ Title string }
				}
			}
		}
		a.MustPost(`{ meetings(where: {titleHasPrefix: "Offsets"}, `+args+`) { edges { cursor node { title } } } }`, &rsp)
		for _, e := range rsp.Meetings.Edges {
			titles = append(titles, strings.TrimPrefix(e.Node.Title, "Offsets "))
			cursor = e.Cursor
		}
		return titles, cursor
	}
	walk := func(first string) string {
		var got []string
		args := first
		for range 5 {
			titles, cursor := page(args)
			if len(titles) == 0 {
				break
			}
			got = append(got, titles...)
			args = first + `, ` + map[bool]string{true: "before", false: "after"}[strings.Contains(first, "last:")] + `: "` + cursor + `"`
		}
		return strings.Join(got, "")
	}
	for args, want := range map[string]string{
		`orderBy: [{field: STARTS_AT, direction: ASC}], first: 1`:  "ABC",
		`orderBy: [{field: STARTS_AT, direction: DESC}], first: 1`: "CBA",
		`orderBy: [{field: STARTS_AT, direction: ASC}], last: 1`:   "CBA",
		`orderBy: [{field: STARTS_AT, direction: DESC}], last: 1`:  "ABC",
	} {
		if got := walk(args); got != want {
			t.Errorf("%s: pages give %s, want %s", args, got, want)
		}
	}
	var rsp struct {
		Meetings struct{ TotalCount int }
	}
	a.MustPost(`{ meetings(where: {titleHasPrefix: "Offsets", startsAtGT: "2031-01-01T05:30:00Z"}) { totalCount } }`, &rsp)
	if rsp.Meetings.TotalCount != 2 {
		t.Errorf("%d meetings start after 05:30Z, want 2 (B and C)", rsp.Meetings.TotalCount)
	}
}

// TestNullOrderValuesComeLast orders participations by waitlistPosition, null
// for everyone not on the waiting list: the waiting list comes first in
// ascending order, last in descending order, on both databases, and paging
// one by one reaches everyone.
func TestNullOrderValuesComeLast(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 1, 4)
	at.accept(t, a.ent, 4)
	for dir, want := range map[string][]any{"ASC": {1.0, 2.0, 3.0, nil}, "DESC": {nil, 3.0, 2.0, 1.0}} {
		var got []any
		args := ""
		for range 6 {
			var data map[string]any
			postRaw(t, a, `{ participations(first: 1, where: {hasMeetingWith: {id: "`+fmt.Sprint(at.meeting.ID)+`"}}, orderBy: [{field: WAITLIST_POSITION, direction: `+dir+`}]`+args+`) { pageInfo { hasNextPage endCursor } edges { node { waitlistPosition } } } }`, nil).mustData(t, &data)
			c := obj(data["participations"])
			for _, e := range list(c["edges"]) {
				got = append(got, obj(obj(e)["node"])["waitlistPosition"])
			}
			pi := obj(c["pageInfo"])
			if pi["hasNextPage"] != true {
				break
			}
			b, _ := json.Marshal(pi["endCursor"])
			args = ", after: " + string(b)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: waitlist positions over the pages %v, want %v", dir, got, want)
		}
	}
}

// TestNestedOrderByOneObject checks that a nested connection follows an
// orderBy given as one object (GraphQL's input coercion makes it a list of
// one), like the list form, whether written inline or as a variable.
func TestNestedOrderByOneObject(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 1, 4)
	at.accept(t, a.ent, 4)
	want := "[<nil> 3 2 1]"
	for name, q := range map[string]struct {
		query string
		vars  map[string]any
	}{
		"list":     {`query($id: ID!) { node(id: $id) { ... on Meeting { participations(orderBy: [{field: WAITLIST_POSITION, direction: DESC}]) { edges { node { waitlistPosition } } } } } }`, nil},
		"object":   {`query($id: ID!) { node(id: $id) { ... on Meeting { participations(orderBy: {field: WAITLIST_POSITION, direction: DESC}) { edges { node { waitlistPosition } } } } } }`, nil},
		"variable": {`query($id: ID!, $o: [ParticipationOrder!]) { node(id: $id) { ... on Meeting { participations(orderBy: $o) { edges { node { waitlistPosition } } } } } }`, map[string]any{"o": map[string]any{"field": "WAITLIST_POSITION", "direction": "DESC"}}},
	} {
		vars := map[string]any{"id": gid(at.meeting.ID)}
		for k, v := range q.vars {
			vars[k] = v
		}
		var data map[string]any
		postRaw(t, a, q.query, vars).mustData(t, &data)
		var got []any
		for _, e := range list(obj(obj(data["node"])["participations"])["edges"]) {
			got = append(got, obj(obj(e)["node"])["waitlistPosition"])
		}
		if fmt.Sprint(got) != want {
			t.Errorf("%s: waitlist positions %v, want %s", name, got, want)
		}
	}
}
