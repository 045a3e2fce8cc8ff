package graph_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

// entityTypes are the 13 entities of the domain, each a Node.
var entityTypes = []string{
	"APIToken", "Account", "AgendaItem", "Community", "Encounter", "Feedback", "FollowUp", "Indicator",
	"Meeting", "Membership", "Objective", "Organization", "Participation", "Person", "Relationship", "Touchpoint",
	"Series", "CalendarFeed",
}

func init() { sort.Strings(entityTypes) }

func executableSchema(t *testing.T) *ast.Schema {
	t.Helper()
	return graph.NewSchema(testenv.Client(t)).Schema()
}

// undescribed lists every element of the schema without a description: types,
// fields, input fields, arguments and enum values. Built-in types and names
// starting with __ are skipped.
func undescribed(s *ast.Schema) []string {
	blank := func(d string) bool { return strings.TrimSpace(d) == "" }
	var missing []string
	for name, def := range s.Types {
		if def.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if blank(def.Description) {
			missing = append(missing, "type "+name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if blank(f.Description) {
				missing = append(missing, "field "+name+"."+f.Name)
			}
			for _, arg := range f.Arguments {
				if blank(arg.Description) {
					missing = append(missing, "argument "+name+"."+f.Name+"("+arg.Name+")")
				}
			}
		}
		for _, v := range def.EnumValues {
			if blank(v.Description) {
				missing = append(missing, "enum value "+name+"."+v.Name)
			}
		}
	}
	sort.Strings(missing)
	return missing
}

func TestSchemaDescribesEveryElement(t *testing.T) {
	s := executableSchema(t)
	if len(s.Types) < 50 {
		t.Fatalf("the schema has %d types: not the full schema", len(s.Types))
	}
	if missing := undescribed(s); len(missing) > 0 {
		t.Fatalf("%d schema elements have no description:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

func TestSchemaNodeTypesAreTheEntities(t *testing.T) {
	s := executableSchema(t)
	var nodes []string
	for _, def := range s.GetPossibleTypes(s.Types["Node"]) {
		nodes = append(nodes, def.Name)
	}
	sort.Strings(nodes)
	if !slices.Equal(nodes, entityTypes) {
		t.Fatalf("types implementing Node = %v, want the entities %v", nodes, entityTypes)
	}
}

// hasRequiredArgument reports whether f cannot be queried without arguments,
// as a filtered root connection such as peopleWithNoShows(minNoShows:): not
// an entity's root connection.
func hasRequiredArgument(f *ast.FieldDefinition) bool {
	for _, arg := range f.Arguments {
		if arg.Type.NonNull && arg.DefaultValue == nil {
			return true
		}
	}
	return false
}

func TestSchemaEveryEntityHasARootConnection(t *testing.T) {
	s := executableSchema(t)
	a := newAPI(t)
	byType := everyType(t, a.ent)
	for _, entity := range entityTypes {
		t.Run(entity, func(t *testing.T) {
			var root *ast.FieldDefinition
			for _, f := range s.Query.Fields {
				// The entity's own root: filtered and ordered by the client
				// (overdueFollowUps, peopleWithNoShows… are views).
				if f.Type.Name() == entity+"Connection" && f.Type.NonNull && !hasRequiredArgument(f) && f.Arguments.ForName("where") != nil {
					root = f
				}
			}
			if root == nil {
				t.Fatalf("Query has no field of type %sConnection!", entity)
			}
			for _, arg := range []string{"first", "last", "after", "before", "where", "orderBy"} {
				if root.Arguments.ForName(arg) == nil {
					t.Errorf("Query.%s has no argument %s", root.Name, arg)
				}
			}
			conn := s.Types[entity+"Connection"]
			if tc := conn.Fields.ForName("totalCount"); tc == nil || tc.Type.String() != "Int!" {
				t.Fatalf("%sConnection has no totalCount: Int!", entity)
			}
			// And it answers, with the record of everyType.
			var data map[string]struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
			postRaw(t, a, "{ "+root.Name+" { totalCount edges { node { id } } } }", nil).mustData(t, &data)
			got := data[root.Name]
			found := false
			for _, e := range got.Edges {
				found = found || e.Node.ID == strID(byType[entity])
			}
			if got.TotalCount < 1 || !found {
				t.Fatalf("Query.%s = %+v, want the %s %d", root.Name, got, entity, byType[entity])
			}
		})
	}
}
