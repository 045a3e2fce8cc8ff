package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestMalformedValuesAreClientErrors feeds malformed values to every scalar
// and enum, as literals and as variables, in arguments and in input fields:
// each is refused as the client's mistake (BAD_USER_INPUT, or a validation
// error, or a userError), with a message that says what is expected, never
// as INTERNAL_SERVER_ERROR, and nothing is written.
func TestMalformedValuesAreClientErrors(t *testing.T) {
	a := newAPI(t)
	newFixture(t, a.ent)
	type probe struct {
		typ  string // the GraphQL type of the variable
		doc  string // the document, with $v where the value goes
		want string // a part of the message, for this API's own scalars
	}
	probes := []probe{
		{"ID!", `{ node(id: $v) { id } }`, "ID"},
		{"[ID!]!", `{ nodes(ids: [$v]) { id } }`, "ID"},
		{"Cursor", `{ meetings(first: 2, after: $v) { edges { cursor } } }`, "cursor"},
		{"Cursor", `{ people(last: 2, before: $v) { edges { cursor } } }`, "cursor"},
		{"Time", `{ meetings(where: {startsAtGT: $v}) { totalCount } }`, "RFC 3339|between the years 0001 and 9999"},
		{"Time!", `mutation { r: meetingCreate(input: {title: "T", timeZone: "Europe/Paris", startsAt: $v, endsAt: "2030-01-01T10:00:00Z"}) { meeting { id } userErrors { field message code } } }`, "RFC 3339|between the years 0001 and 9999"},
		{"Int", `{ meetings(first: $v) { totalCount } }`, "Int between 1 and 100"},
		{"Int", `{ meetings(where: {capacityGT: $v}) { totalCount } }`, "Int"},
		{"Float", `{ indicators(where: {targetGT: $v}) { totalCount } }`, "Float"},
		{"String!", `mutation { r: personCreate(input: {name: $v, email: "x@acme.example"}) { person { id } userErrors { field message code } } }`, "String"},
		{"String", `{ people(where: {nameContains: $v}) { totalCount } }`, "String"},
		{"MeetingFormat", `{ meetings(where: {format: $v}) { totalCount } }`, ""},
		{"MeetingOrderField!", `{ meetings(orderBy: [{field: $v, direction: ASC}]) { totalCount } }`, ""},
	}
	bad := map[string][]any{
		"ID":                 {"abc", "", "-1", "0", "1.5", "99999999999999999999999", "12 ", "0x10", true, 1.5, map[string]any{"id": 1}, "a\x00b"},
		"Cursor":             {"zzz", "", "!!!", "gaN1aWQ", 42, true, "a\x00b"},
		"Time":               {"2027-04-01T09:00:00", "next monday", "2027-04-01", "10000-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00", "0000-01-01T00:00:00+01:00", "2027-13-01T09:00:00Z", "", 1700000000, true},
		"Int":                {"x", 1.5, 1e10, "1", true, -3000000000.0},
		"Float":              {"abc", "1e400", true, []any{1}},
		"String":             {"a\x00b", 12, true},
		"MeetingFormat":      {"PARTY", "", 3, "conference"},
		"MeetingOrderField":  {"NOPE", 1},
		"MeetingOrderField!": {"NOPE", 1},
	}
	before := dbState(t, a.ent)
	for _, p := range probes {
		base := strings.TrimSuffix(strings.Trim(p.typ, "[]!"), "!")
		for _, v := range bad[base] {
			raw, _ := json.Marshal(v)
			name := fmt.Sprintf("%s %s", p.typ, raw)
			if len(name) > 60 {
				name = name[:60]
			}
			t.Run(name+" as a variable in "+firstWord(p.doc), func(t *testing.T) {
				doc := strings.Replace(p.doc, "{", "($v: "+p.typ+") {", 1)
				if strings.HasPrefix(doc, "(") {
					doc = "query" + doc
				}
				checkClientError(t, postRaw(t, a, doc, map[string]any{"v": v}), p.want)
			})
			if lit, ok := literal(v); ok {
				t.Run(name+" as a literal in "+firstWord(p.doc), func(t *testing.T) {
					checkClientError(t, postRaw(t, a, strings.Replace(p.doc, "$v", lit, 1), nil), p.want)
				})
			}
		}
	}
	if after := dbState(t, a.ent); after != before {
		t.Errorf("malformed values changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

func firstWord(doc string) string {
	doc = strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(doc, "mutation")), "{")
	doc = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(doc), "r:"))
	if i := strings.IndexAny(doc, "( {"); i > 0 {
		return doc[:i]
	}
	return doc
}

// literal writes v as a GraphQL literal, for the kinds a literal can carry
// (a string in an enum position stays a string: also a mistake).
func literal(v any) (string, bool) {
	switch v := v.(type) {
	case string, bool, float64, int:
		b, _ := json.Marshal(v)
		return string(b), true
	}
	return "", false
}

// checkClientError asserts that a response refuses its input as the client's
// mistake: a top-level error with a client code, or a userError.
func checkClientError(t *testing.T, res rawResult, want string) {
	t.Helper()
	if len(res.Errors) == 0 {
		var data map[string]map[string]any
		_ = json.Unmarshal(res.Data, &data)
		if ues, _ := data["r"]["userErrors"].([]any); len(ues) > 0 {
			return
		}
		t.Fatalf("accepted: %s", res.Data)
	}
	for _, e := range res.Errors {
		switch e.code() {
		case "BAD_USER_INPUT":
			if !containsAny(e.Message, want) {
				t.Errorf("message %q does not say what is expected (%q)", e.Message, want)
			}
		case "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED":
		default:
			t.Errorf("error %q with code %s, want a client error", e.Message, e.code())
		}
		if strings.Contains(e.Message, "\x00") {
			t.Errorf("message echoes a NUL byte: %q", e.Message)
		}
	}
}

// containsAny reports whether s contains one of the |-separated parts of
// want (an empty want matches anything).
func containsAny(s, want string) bool {
	for _, w := range strings.Split(want, "|") {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
