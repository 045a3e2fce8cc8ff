package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

// limitCase is one request against a limit: refused with code, or accepted
// when code is empty.
type limitCase struct {
	name  string
	query string
	vars  map[string]any
	code  string
}

// runLimitCases posts each case to a handler with opts and checks that a
// refused one comes back with its code and no data (nothing ran), and an
// accepted one with data and no error. Elapsed times are logged, never
// asserted: run with -v to read them.
func runLimitCases(t *testing.T, a *api, opts graph.Options, cases []limitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			res := postWithOptions(t, a, opts, tc.query, tc.vars)
			t.Logf("%d bytes of query answered in %v", len(tc.query), time.Since(start).Round(time.Microsecond))
			if tc.code == "" {
				if len(res.Errors) > 0 || res.dataIsNull() {
					t.Fatalf("want it accepted; errors = %+v, data = %.300s", res.Errors, res.Data)
				}
				return
			}
			if len(res.Errors) == 0 {
				t.Fatalf("no error, want %s; data = %.300s", tc.code, res.Data)
			}
			if e := res.Errors[0]; e.code() != tc.code {
				t.Fatalf("error = %.300q (code %q), want code %s", e.Message, e.code(), tc.code)
			}
			if !res.dataIsNull() {
				t.Fatalf("data = %.300s, want none: nothing may run", res.Data)
			}
			t.Logf("refused: %s", res.Errors[0].Message)
		})
	}
}

// postWithOptions is postRaw against a handler configured with opts.
func postWithOptions(t *testing.T, a *api, opts graph.Options, query string, vars map[string]any) rawResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.bearer(t))
	w := httptest.NewRecorder()
	graph.NewHandler(a.ent, opts).ServeHTTP(w, req)
	res := rawResult{Status: w.Code}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("decoding response %.300q: %v", w.Body.String(), err)
	}
	return res
}

// spaced joins n copies of item(i), i from 1, with spaces.
func spaced(n int, item func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = item(i + 1)
	}
	return strings.Join(parts, " ")
}

func always(s string) func(int) string { return func(int) string { return s } }

// repeatedRoles is a query of 1 + n fields: viewer and n times its role.
func repeatedRoles(n int) string { return `{ viewer { ` + spaced(n, always("role")) + ` } }` }

// aliasedRoles is a query of 1 + n fields: viewer and its role under n
// aliases.
func aliasedRoles(n int) string { return `{ viewer { ` + aliased(n, "role") + ` } }` }

// aliased is field n times under the aliases r1, r2, …
func aliased(n int, field string) string {
	return spaced(n, func(i int) string { return fmt.Sprintf("r%d: %s", i, field) })
}

// fragmentBomb is a query of about 40·levels bytes whose fragments each spread
// the next one twice: 2^levels fields once expanded.
func fragmentBomb(levels int) string {
	var b strings.Builder
	b.WriteString("{ viewer { ...F0 } }\n")
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Viewer { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Viewer { role }\n", levels)
	return b.String()
}

// nestedWhereLiteral is a MeetingWhereInput literal whose input objects nest
// depth deep: {not: {not: … {title: "x"}}}.
func nestedWhereLiteral(depth int) string {
	return strings.Repeat("{not: ", depth-1) + `{title: "x"}` + strings.Repeat("}", depth-1)
}

// nestedWhere is the same filter as a variable value.
func nestedWhere(depth int) map[string]any {
	w := map[string]any{"title": "x"}
	for range depth - 1 {
		w = map[string]any{"not": w}
	}
	return w
}

func repeatedIDs(n int, id string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = id
	}
	return out
}

func TestLimitTokens(t *testing.T) {
	a := newAPI(t)
	const fields = `{ viewer { role } }` // 6 tokens
	// Comments are tokens to gqlgen's parser: they pad a query to an exact count.
	padded := func(tokens int) string { return fields + strings.Repeat("\n#", tokens-6) }
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"a query of 15,000 tokens is accepted", padded(15_000), nil, ""},
		{"a query of 15,001 tokens is refused", padded(15_001), nil, "QUERY_TOO_LONG"},
		{"20,000 repeated fields (a 100 KB query) are refused by the token limit", repeatedRoles(20_000), nil, "QUERY_TOO_LONG"},
		{"a query of 101 tokens is accepted by default", padded(101), nil, ""},
	})
	runLimitCases(t, a, graph.Options{Limits: graph.Limits{MaxTokens: 100}}, []limitCase{
		{"a configured token limit applies", padded(101), nil, "QUERY_TOO_LONG"},
	})
}

func TestLimitFields(t *testing.T) {
	a := newAPI(t)
	twice := `{ viewer { ...Roles } org: viewer { ...Roles } } fragment Roles on Viewer { ` + aliased(999, "role") + ` }`
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"2,000 fields are accepted", aliasedRoles(1_999), nil, ""},
		{"2,001 fields are refused", aliasedRoles(2_000), nil, "QUERY_TOO_LARGE"},
		{"7,000 repeated fields within the token limit are refused", repeatedRoles(7_000), nil, "QUERY_TOO_LARGE"},
		{"a fragment counts at each of its spreads: 2,000 fields", twice, nil, ""},
		{"a fragment counts at each of its spreads: 2,002 fields", strings.Replace(twice, "{ r1: role", "{ r0: role r1: role", 1), nil, "QUERY_TOO_LARGE"},
		{"a fragment bomb of 20 levels (a million fields in 1 KB) is refused", fragmentBomb(20), nil, "QUERY_TOO_LARGE"},
		{"a fragment bomb of 60 levels is refused", fragmentBomb(60), nil, "QUERY_TOO_LARGE"},
		{"a fragment-heavy legal query of 6 doubling levels is accepted", fragmentBomb(6), nil, ""},
		{"an unused fragment of too many fields is refused before validation",
			`{ viewer { role } } fragment Big on Viewer { ` + aliased(2_001, "role") + ` }`, nil, "QUERY_TOO_LARGE"},
		{"every operation of the document is measured",
			`query Small { viewer { role } } query Big { viewer { ` + aliased(2_000, "role") + ` } }`, nil, "QUERY_TOO_LARGE"},
		{"fragments that spread each other in a cycle are refused as invalid",
			`{ viewer { ...A } } fragment A on Viewer { role ...B } fragment B on Viewer { role ...A }`, nil, "GRAPHQL_VALIDATION_FAILED"},
		{"the operations of a document count together",
			`query A { viewer { ` + aliased(999, "role") + ` } } query B { viewer { ` + aliased(1_000, "role") + ` } }`, nil, "QUERY_TOO_LARGE"},
	})
	t.Run("the message names the count and the limit", func(t *testing.T) {
		res := postRaw(t, a, aliasedRoles(2_516), nil)
		want := "the query selects 2,517 fields after expanding fragments; the limit is 2,000"
		if len(res.Errors) != 1 || res.Errors[0].Message != want {
			t.Fatalf("errors = %+v, want %q", res.Errors, want)
		}
	})
}

func TestLimitFragments(t *testing.T) {
	a := newAPI(t)
	// chain is a query through n fragments, each spreading the next one.
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString(`{ viewer { ...C1 } }`)
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "\nfragment C%d on Viewer { ...C%d }", i, i+1)
		}
		fmt.Fprintf(&b, "\nfragment C%d on Viewer { role }", n)
		return b.String()
	}
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"100 fragments are accepted", chain(100), nil, ""},
		{"101 fragments are refused", chain(101), nil, "TOO_MANY_FRAGMENTS"},
		{"a chain of 1,500 fragments (cubic to validate) is refused", chain(1_500), nil, "TOO_MANY_FRAGMENTS"},
	})
}

func TestLimitFieldRepeats(t *testing.T) {
	a := newAPI(t)
	// spreads selects role n times in one selection set, once per fragment.
	spreads := func(n int) string {
		var b strings.Builder
		b.WriteString(`{ viewer { ` + spaced(n, func(i int) string { return fmt.Sprintf("...R%d", i) }) + ` } }`)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "\nfragment R%d on Viewer { role }", i)
		}
		return b.String()
	}
	// merged selects role n×n times in the one selection set that n
	// sub-selections of the same response name merge into.
	merged := func(n int) string {
		return `{ viewer { ` + spaced(n, always(`v: organization { `+spaced(n, always("name"))+` }`)) + ` } }`
	}
	conflicting := `{ viewer { ` + spaced(100, func(i int) string {
		return map[bool]string{true: "x: role", false: "x: __typename"}[i%2 == 0]
	}) + ` } }`
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"a field 100 times in one selection set is accepted", repeatedRoles(100), nil, ""},
		{"a field 101 times in one selection set is refused", repeatedRoles(101), nil, "TOO_MANY_REPEATS"},
		{"an alias counts as its response name", `{ viewer { ` + spaced(101, always("r: role")) + ` } }`, nil, "TOO_MANY_REPEATS"},
		{"distinct aliases do not repeat", aliasedRoles(1_000), nil, ""},
		{"a field 100 times through fragments is accepted", spreads(100), nil, ""},
		{"fields of inline fragments count", `{ viewer { ` + spaced(101, always("... on Viewer { role }")) + ` } }`, nil, "TOO_MANY_REPEATS"},
		{"sub-selections of one response name merge: 10×10 is accepted", merged(10), nil, ""},
		{"sub-selections of one response name merge: 11×11 is refused", merged(11), nil, "TOO_MANY_REPEATS"},
		{"an unused fragment counts", `{ viewer { role } } fragment U on Viewer { ` + spaced(101, always("role")) + ` }`, nil, "TOO_MANY_REPEATS"},
		{"conflicting fields within the limit are left to validation", conflicting, nil, "GRAPHQL_VALIDATION_FAILED"},
	})
	t.Run("validation reports at most 100 errors and says so", func(t *testing.T) {
		res := postRaw(t, a, conflicting, nil) // 50×50 conflicting pairs
		if len(res.Errors) != 101 || !strings.Contains(res.Errors[100].Message, "too many validation errors") || !res.dataIsNull() {
			t.Fatalf("errors = %d, last %+v; want 100 and a notice", len(res.Errors), res.Errors[len(res.Errors)-1])
		}
	})
}

func TestLimitDepth(t *testing.T) {
	a := newAPI(t)
	const deep15 = `{ meetings(first: 1) { edges { node { participations(first: 1) { edges { node { person {
		communities(first: 1) { edges { node { members(first: 1) { edges { node { communities(first: 1) { totalCount } } } } } } } } } } } } } } }`
	deep16 := strings.Replace(deep15, "{ totalCount }", "{ pageInfo { hasNextPage } }", 1)
	throughFragments := `{ meetings(first: 1) { edges { node { ...P } } } }
		fragment P on Meeting { participations(first: 1) { edges { node { person { ...C } } } } }
		fragment C on Person { communities(first: 1) { edges { node { members(first: 1) { edges { node { communities(first: 1) { pageInfo { ...I } } } } } } } } }
		fragment I on PageInfo { hasNextPage }`
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"15 levels of fields are accepted", deep15, nil, ""},
		{"16 levels of fields are refused", deep16, nil, "QUERY_TOO_DEEP"},
		{"16 levels through fragments are refused", throughFragments, nil, "QUERY_TOO_DEEP"},
		{"1,900 levels are refused before validation", strings.Repeat("{ a ", 1_900) + strings.Repeat("}", 1_900), nil, "QUERY_TOO_DEEP"},
	})
}

func TestLimitRootFields(t *testing.T) {
	a := newAPI(t)
	viewers := func(n int) string { return aliased(n, "viewer { role }") }
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"30 aliased root fields are accepted", `{ ` + viewers(30) + ` }`, nil, ""},
		{"31 aliased root fields are refused", `{ ` + viewers(31) + ` }`, nil, "TOO_MANY_ROOT_FIELDS"},
		{"root fields of a fragment count", `{ ...R b: viewer { role } } fragment R on Query { ` + viewers(30) + ` }`, nil, "TOO_MANY_ROOT_FIELDS"},
		{"root fields of an inline fragment count", `{ ... on Query { ` + viewers(30) + ` } b: viewer { role } }`, nil, "TOO_MANY_ROOT_FIELDS"},
		{"nested fields do not count", aliasedRoles(100), nil, ""},
	})
}

func TestLimitInputDepth(t *testing.T) {
	a := newAPI(t)
	literal := func(depth int) string {
		return `{ meetings(where: ` + nestedWhereLiteral(depth) + `) { totalCount } }`
	}
	const byVariable = `query($w: MeetingWhereInput) { meetings(where: $w) { totalCount } }`
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"a literal 8 deep is accepted", literal(8), nil, ""},
		{"a literal 9 deep is refused", literal(9), nil, "INPUT_TOO_DEEP"},
		{"a literal 3,000 deep is refused before validation", literal(3_000), nil, "INPUT_TOO_DEEP"},
		{"a literal 5,000 deep (48 KB) is refused by the token limit", literal(5_000), nil, "QUERY_TOO_LONG"},
		{"a variable 8 deep is accepted", byVariable, map[string]any{"w": nestedWhere(8)}, ""},
		{"a variable 9 deep is refused", byVariable, map[string]any{"w": nestedWhere(9)}, "INPUT_TOO_DEEP"},
		{"a variable 5,000 deep is refused before validation", byVariable, map[string]any{"w": nestedWhere(5_000)}, "INPUT_TOO_DEEP"},
		{"a variable in a literal counts with it",
			`query($w: MeetingWhereInput) { meetings(where: {not: {not: {not: {not: $w}}}}) { totalCount } }`,
			map[string]any{"w": nestedWhere(5)}, "INPUT_TOO_DEEP"},
		{"a variable in a literal within the limit is accepted",
			`query($w: MeetingWhereInput) { meetings(where: {not: {not: {not: $w}}}) { totalCount } }`,
			map[string]any{"w": nestedWhere(5)}, ""},
		{"a default value of a variable counts",
			`query($w: MeetingWhereInput = ` + nestedWhereLiteral(9) + `) { meetings(where: $w) { totalCount } }`, nil, "INPUT_TOO_DEEP"},
		{"a literal in a fragment counts",
			`{ ...M } fragment M on Query { meetings(where: ` + nestedWhereLiteral(9) + `) { totalCount } }`, nil, "INPUT_TOO_DEEP"},
	})
}

func TestLimitListLength(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ana := strID(f.ana.ID)
	const nodes = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
	const people = `query($ids: [ID!]) { people(where: {idIn: $ids}) { totalCount } }`
	literalIDs := func(n int) string {
		return `{ people(where: {idIn: [` + spaced(n, always(`"`+ana+`"`)) + `]}) { totalCount } }`
	}
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"nodes of 100 IDs is accepted", nodes, map[string]any{"ids": repeatedIDs(100, ana)}, ""},
		{"nodes of 101 IDs is refused", nodes, map[string]any{"ids": repeatedIDs(101, ana)}, "LIST_TOO_LONG"},
		{"nodes of 50,000 IDs is refused", nodes, map[string]any{"ids": repeatedIDs(50_000, ana)}, "LIST_TOO_LONG"},
		{"nodes of 101 literal IDs is refused", `{ nodes(ids: [` + spaced(101, always(ana)) + `]) { id } }`, nil, "LIST_TOO_LONG"},
		{"idIn of 1,000 IDs is accepted", people, map[string]any{"ids": repeatedIDs(1_000, ana)}, ""},
		{"idIn of 1,001 IDs is refused", people, map[string]any{"ids": repeatedIDs(1_001, ana)}, "LIST_TOO_LONG"},
		{"idIn of 70,000 IDs is refused", people, map[string]any{"ids": repeatedIDs(70_000, ana)}, "LIST_TOO_LONG"},
		{"idIn of 1,001 literal IDs is refused", literalIDs(1_001), nil, "LIST_TOO_LONG"},
		{"the lists of one argument count together",
			`query($ids: [ID!]) { people(where: {idIn: $ids, or: [{idIn: $ids}]}) { totalCount } }`,
			map[string]any{"ids": repeatedIDs(600, ana)}, "LIST_TOO_LONG"},
		{"a list in a fragment counts", `{ ...P } fragment P on Query { people(where: {idIn: [` + spaced(1_001, always(ana)) + `]}) { totalCount } }`,
			nil, "LIST_TOO_LONG"},
	})
	t.Run("nodes of 100 IDs gives 100 nodes", func(t *testing.T) {
		var data struct{ Nodes []*struct{ ID string } }
		postRaw(t, a, nodes, map[string]any{"ids": repeatedIDs(100, ana)}).mustData(t, &data)
		if len(data.Nodes) != 100 || data.Nodes[99] == nil || data.Nodes[99].ID != ana {
			t.Fatalf("nodes = %d, want 100 times Ana", len(data.Nodes))
		}
	})
}

func TestLimitPredicates(t *testing.T) {
	a := newAPI(t)
	// and holds n filters of one field: n+1 predicates.
	and := func(n int) string {
		return `{ meetings(where: {and: [` + spaced(n, always(`{titleContains: "a"}`)) + `]}) { totalCount } }`
	}
	const byVariable = `query($w: MeetingWhereInput) { meetings(where: $w) { totalCount } }`
	andVar := func(n int) map[string]any {
		list := make([]any, n)
		for i := range list {
			list[i] = map[string]any{"titleContains": "a"}
		}
		return map[string]any{"w": map[string]any{"and": list}}
	}
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"100 predicates are accepted", and(99), nil, ""},
		{"101 predicates are refused", and(100), nil, "TOO_MANY_PREDICATES"},
		{"100 predicates in a variable are accepted", byVariable, andVar(99), ""},
		{"101 predicates in a variable are refused", byVariable, andVar(100), "TOO_MANY_PREDICATES"},
	})
}

func TestLimitComplexityCountsStatements(t *testing.T) {
	a := newAPI(t)
	newFixture(t, a.ent)
	// n aliased COUNT statements, each one SQL statement.
	counts := func(n int) string {
		return `{ organizations(first: 1) { edges { node { ` +
			spaced(n, func(i int) string { return fmt.Sprintf("a%d: communities { totalCount }", i) }) +
			` } } } }`
	}
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"100 aliased totalCounts are accepted", counts(100), nil, ""},
		{"990 aliased totalCounts are refused for their complexity", counts(990), nil, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"1,980 aliased totalCounts are refused for their size", counts(1_980), nil, "QUERY_TOO_LARGE"},
		{"29 root connections with 12 nested ones each (377 statements) are refused", `{ ` + spaced(29, func(i int) string {
			return fmt.Sprintf("a%d: meetings(first: 1) { edges { node { ", i) + spaced(12, func(j int) string {
				return fmt.Sprintf("b%d: objectives(first: 1) { totalCount }", j)
			}) + ` } } }`
		}) + ` }`, nil, "COMPLEXITY_LIMIT_EXCEEDED"},
	})
	runLimitCases(t, a, graph.Options{Limits: graph.Limits{MaxFields: 10_000}}, []limitCase{
		{"1,980 aliased totalCounts within the field limit are refused for their complexity", counts(1_980), nil, "COMPLEXITY_LIMIT_EXCEEDED"},
	})
}

func TestLimitPageSizeThroughFragments(t *testing.T) {
	a := newAPI(t)
	ctx := testenv.System()
	org := a.ent.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	var people []*ent.Person
	for i := range 25 {
		people = append(people, a.ent.Person.Create().SetOrganization(org).SetName(fmt.Sprintf("Person %02d", i)).
			SetEmail(fmt.Sprintf("p%d@acme.example", i)).SaveX(ctx))
	}
	a.ent.Community.Create().SetOrganization(org).SetName("Everyone").SetKind(community.KindTeam).AddMembers(people...).SaveX(ctx)

	type members struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
	}
	checkPage := func(t *testing.T, where string, m members) {
		t.Helper()
		if len(m.Edges) != 20 || m.TotalCount != 25 {
			t.Fatalf("%s: edges = %d, totalCount = %d; want a default page of 20 of 25", where, len(m.Edges), m.TotalCount)
		}
	}
	t.Run("a connection in a fragment spread twice gets the default page at both spreads", func(t *testing.T) {
		var data struct {
			Communities struct {
				Edges []struct {
					Node struct{ Members, Again members }
				}
			}
			Other struct {
				Edges []struct{ Node struct{ Members members } }
			}
		}
		postRaw(t, a, `{
			communities { edges { node { ...M again: members { ...Page } } } }
			other: communities { edges { node { ...M } } }
		}
		fragment M on Community { members { ...Page } }
		fragment Page on PersonConnection { totalCount edges { node { id } } }`, nil).mustData(t, &data)
		if len(data.Communities.Edges) != 1 || len(data.Other.Edges) != 1 {
			t.Fatalf("communities = %+v", data)
		}
		checkPage(t, "first spread", data.Communities.Edges[0].Node.Members)
		checkPage(t, "inline alias", data.Communities.Edges[0].Node.Again)
		checkPage(t, "second spread", data.Other.Edges[0].Node.Members)
	})
	t.Run("a connection at the end of a chain of 100 fragments gets the default page", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{ communities { edges { node { ...C0 } } } }`)
		for i := range 99 {
			fmt.Fprintf(&b, "\nfragment C%d on Community { ...C%d }", i, i+1)
		}
		b.WriteString("\nfragment C99 on Community { members { totalCount edges { node { id } } } }")
		var data struct {
			Communities struct {
				Edges []struct{ Node struct{ Members members } }
			}
		}
		postRaw(t, a, b.String(), nil).mustData(t, &data)
		checkPage(t, "end of the chain", data.Communities.Edges[0].Node.Members)
	})
	t.Run("a page size out of bounds in a fragment is refused", func(t *testing.T) {
		res := postRaw(t, a, `{ communities { edges { node { ...M } } } } fragment M on Community { members(first: 101) { totalCount } }`, nil)
		if len(res.Errors) == 0 || res.Errors[0].code() != "BAD_USER_INPUT" || !res.dataIsNull() {
			t.Fatalf("errors = %+v, data = %s", res.Errors, res.Data)
		}
	})
}

func TestLimitContactGuardThroughFragments(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	a.token = tokenFor(t, a.ent, f.org.Slug, membership.RoleViewer)
	runLimitCases(t, a, graph.Options{}, []limitCase{
		{"a VIEWER filtering by email in a fragment spread many times is refused",
			`{ ...A ...A } fragment A on Query { ...B ...B } fragment B on Query { people(where: {emailContains: "ana"}) { totalCount } }`,
			nil, "FORBIDDEN"},
		{"a VIEWER filtering by name in fragments is accepted",
			`{ ...A ...A } fragment A on Query { ...B ...B } fragment B on Query { people(where: {nameContains: "Ana"}) { totalCount } }`,
			nil, ""},
	})
}
