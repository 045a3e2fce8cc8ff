// Package schemadoc completes the descriptions of the GraphQL schema that entgql
// generates, so that every type, field, argument and enum value is documented in
// the playground. Type descriptions come from each ent schema's
// schema.Comment annotation, edge descriptions from the edges' comments, enum
// value descriptions from enumDocs, and filter and input descriptions are
// derived from their names.
package schemadoc

import (
	"encoding/json"
	"fmt"
	"strings"

	"entgo.io/ent/entc/gen"
	entschema "entgo.io/ent/schema"
	"github.com/vektah/gqlparser/v2/ast"
)

// Describe is an entgql schema hook; it fills the descriptions entgql leaves
// empty and fails generation when one is still missing.
func Describe(g *gen.Graph, s *ast.Schema) error {
	for _, n := range g.Nodes {
		edges := map[string]string{}
		for _, e := range n.Edges {
			edges[camel(e.Name)] = e.Comment()
		}
		fields := map[string]string{}
		for _, f := range n.Fields {
			fields[camel(f.Name)] = f.Comment()
		}
		if t := s.Types[n.Name]; t != nil {
			setIfEmpty(&t.Description, typeComment(n))
			for _, f := range t.Fields {
				if f.Name == "id" {
					setIfEmpty(&f.Description, "Unique ID of the object, across all types.")
				}
				setIfEmpty(&f.Description, edges[f.Name])
			}
		}
		for _, name := range []string{"Create" + n.Name + "Input", "Update" + n.Name + "Input"} {
			if t := s.Types[name]; t != nil {
				for _, f := range t.Fields {
					setIfEmpty(&f.Description, inputDoc(f.Name, edges))
				}
			}
		}
		if t := s.Types[n.Name+"WhereInput"]; t != nil {
			for _, f := range t.Fields {
				setIfEmpty(&f.Description, filterDoc(f.Name, edges))
			}
		}
		if t := s.Types[n.Name+"OrderField"]; t != nil {
			for _, v := range t.EnumValues {
				setIfEmpty(&v.Description, "Order by "+strings.ToLower(strings.ReplaceAll(v.Name, "_", " "))+".")
			}
		}
	}
	if q := s.Types["Query"]; q != nil {
		setIfEmpty(&q.Description, "The entry points for reading: node lookup and one connection per type.")
	}
	// entgql describes these generically ("The builtin Time type").
	if t := s.Types["Time"]; t != nil {
		t.Description = "An instant, written in RFC 3339 with an offset: \"2027-04-01T09:00:00+02:00\" or \"2027-04-01T07:00:00Z\". " +
			"A time without an offset, or outside the years 0001 to 9999, is refused. Meeting times are returned in the meeting's time zone."
	}
	if t := s.Types["Cursor"]; t != nil {
		t.Description = "An opaque position in a list, from `pageInfo.startCursor`, `pageInfo.endCursor` or an edge's `cursor`; " +
			"pass it as `after` or `before` to get the next or previous page. A cursor this API did not write is refused."
	}
	for name, values := range enumDocs {
		t := s.Types[name]
		if t == nil {
			continue
		}
		for _, v := range t.EnumValues {
			setIfEmpty(&v.Description, values[v.Name])
		}
	}
	return missing(s)
}

func typeComment(n *gen.Type) string {
	ant := &entschema.CommentAnnotation{}
	raw, ok := n.Annotations[ant.Name()]
	if !ok {
		return ""
	}
	if b, err := json.Marshal(raw); err == nil {
		_ = json.Unmarshal(b, ant)
	}
	return ant.Text
}

// inputDoc describes the edge fields of create and update inputs.
func inputDoc(name string, edges map[string]string) string {
	switch {
	case strings.HasPrefix(name, "clear"):
		return "Set to true to clear " + lowerFirst(strings.TrimPrefix(name, "clear")) + "."
	case strings.HasPrefix(name, "append"):
		return "Values to append to " + lowerFirst(strings.TrimPrefix(name, "append")) + "."
	case strings.HasPrefix(name, "add") && strings.HasSuffix(name, "IDs"):
		edge := lowerFirst(strings.TrimSuffix(strings.TrimPrefix(name, "add"), "IDs"))
		return "IDs to add to " + plural(edge, edges) + "."
	case strings.HasPrefix(name, "remove") && strings.HasSuffix(name, "IDs"):
		edge := lowerFirst(strings.TrimSuffix(strings.TrimPrefix(name, "remove"), "IDs"))
		return "IDs to remove from " + plural(edge, edges) + "."
	case strings.HasSuffix(name, "IDs"):
		edge := strings.TrimSuffix(name, "IDs")
		return "IDs of " + lowerFirst(docOr(plural(edge, edges), edges))
	case strings.HasSuffix(name, "ID"):
		edge := strings.TrimSuffix(name, "ID")
		return "ID of " + lowerFirst(docOr(edge, edges))
	}
	return ""
}

// filterDoc describes a where-input field from its name: a predicate suffix on
// a field, or has<Edge>[With], and, or, not.
func filterDoc(name string, edges map[string]string) string {
	switch name {
	case "not":
		return "Matches what the given filter does not match."
	case "and":
		return "Matches what all the given filters match."
	case "or":
		return "Matches what at least one of the given filters matches."
	}
	if strings.HasPrefix(name, "has") {
		edge := lowerFirst(strings.TrimPrefix(name, "has"))
		if strings.HasSuffix(edge, "With") {
			edge = strings.TrimSuffix(edge, "With")
			return fmt.Sprintf("Matches when %s has a record that matches all the given filters.", edge)
		}
		if _, ok := edges[edge]; ok {
			return fmt.Sprintf("Matches when %s has at least one record (true) or none (false).", edge)
		}
	}
	for _, p := range predicates {
		if f, ok := strings.CutSuffix(name, p.suffix); ok && f != "" {
			return fmt.Sprintf("Matches when %s %s.", f, p.doc)
		}
	}
	return fmt.Sprintf("Matches when %s equals the given value.", name)
}

var predicates = []struct{ suffix, doc string }{
	{"NEQ", "is not the given value"},
	{"NotIn", "is none of the given values"},
	{"In", "is one of the given values"},
	{"GTE", "is greater than or equal to the given value"},
	{"GT", "is greater than the given value"},
	{"LTE", "is less than or equal to the given value"},
	{"LT", "is less than the given value"},
	{"ContainsFold", "contains the given text, ignoring case"},
	{"Contains", "contains the given text"},
	{"HasPrefix", "starts with the given text"},
	{"HasSuffix", "ends with the given text"},
	{"EqualFold", "equals the given text, ignoring case"},
	{"IsNil", "is null"},
	{"NotNil", "is not null"},
}

func plural(edge string, edges map[string]string) string {
	for _, cand := range []string{edge, edge + "s", strings.TrimSuffix(edge, "y") + "ies"} {
		if _, ok := edges[cand]; ok {
			return cand
		}
	}
	return edge
}

func docOr(edge string, edges map[string]string) string {
	if d := edges[edge]; d != "" {
		return d
	}
	return "the " + edge + "."
}

func setIfEmpty(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

func camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// missing lists what still has no description, so generation fails until it
// is documented.
func missing(s *ast.Schema) error {
	var out []string
	for _, t := range s.Types {
		if t.BuiltIn {
			continue
		}
		if t.Description == "" {
			out = append(out, t.Name)
		}
		for _, f := range t.Fields {
			if f.Description == "" {
				out = append(out, t.Name+"."+f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					out = append(out, t.Name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, v := range t.EnumValues {
			if v.Description == "" {
				out = append(out, t.Name+"."+v.Name)
			}
		}
	}
	if len(out) > 0 {
		return fmt.Errorf("schemadoc: %d schema elements have no description: %s", len(out), strings.Join(out, ", "))
	}
	return nil
}
