//go:build ignore

// Command entc generates the ent model and the entgql GraphQL schema
// (schema/ent.graphql). It is run by `go generate ./...` from the module root.
package main

import (
	"bytes"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"

	"github.com/rencontre/rencontre/internal/schemadoc"
)

func main() {
	ex, err := entgql.NewExtension(
		// First: WithWhereInputs adds its template to these.
		entgql.WithTemplates(connectionTemplates()...),
		entgql.WithConfigPath("./gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("./schema/ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithRelaySpec(true),
		entgql.WithSchemaHook(schemadoc.Describe),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Target:    "./ent",
		Package:   "github.com/rencontre/rencontre/ent",
		Templates: updateTemplates(),
		Features: []gen.Feature{
			gen.FeatureGlobalID,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
			gen.FeatureVersionedMigration,
		},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}

// updateTemplates make every UpdateOne read its node back with the UPDATE
// itself (RETURNING) rather than with a SELECT after it: ent's update
// template calls updateNode, which is internal/entx.UpdateNode (see there).
// Generation fails if the call no longer matches, as for connectionTemplates.
func updateTemplates() []*gen.Template {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "entgo.io/ent").Output()
	if err != nil {
		log.Fatalf("locating entgo.io/ent: %v", err)
	}
	name := filepath.Join(string(bytes.TrimSpace(out)), "entc", "gen", "template", "dialect", "sql", "update.tmpl")
	text, err := os.ReadFile(name)
	if err != nil {
		log.Fatalf("reading ent's update template: %v", err)
	}
	const call = "sqlgraph.UpdateNode(ctx, {{ $receiver }}.driver, _spec)"
	if n := strings.Count(string(text), call); n != 1 {
		log.Fatalf("patching %s: %q occurs %d times: review the patch for this ent version", name, call, n)
	}
	patched := strings.Replace(string(text), call, "updateNode(ctx, {{ $receiver }}.driver, _spec)", 1)
	return []*gen.Template{
		gen.MustParse(gen.NewTemplate("dialect/sql/update").Parse(patched)),
		gen.MustParse(gen.NewTemplate("update_node").Parse(`{{ define "update_node" }}
{{ template "header" $ }}

import "github.com/rencontre/rencontre/internal/entx"

// updateNode runs the update of one node for every UpdateOne: ent's, with the
// node read back by the UPDATE statement itself (internal/entx).
var updateNode = entx.UpdateNode
{{ end }}`)),
	}
}

// connectionTemplates are entgql's templates with two fixes to its connections,
// which otherwise answer an empty page with hasNextPage true and a null
// endCursor when a client aliases edges or node, or asks for pageInfo without
// edges (a client paging on that loops forever):
//   - the fixed fields of a connection (edges, node, pageInfo, totalCount) are
//     found by name, whatever their alias, and repeated selections of them
//     (aliases, fragments) are merged, so every selection gets the same data;
//   - pageInfo loads the page like edges does: its cursors and hasNextPage
//     come from the page's nodes;
//   - order fields whose value may be null page correctly, with nulls last in
//     ascending order on both databases (internal/pagination), and a cursor
//     given with last (or before with first) pages in the right direction.
//
// The patches are applied to entgql's own template text, and generation fails
// if one no longer matches, so that an upgrade of entgql is reviewed here.
func connectionTemplates() []*gen.Template {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "entgo.io/contrib").Output()
	if err != nil {
		log.Fatalf("locating entgo.io/contrib: %v", err)
	}
	dir := filepath.Join(string(bytes.TrimSpace(out)), "entgql")
	patch := func(name string, replacements ...string) *gen.Template {
		text, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			log.Fatalf("reading entgql template: %v", err)
		}
		s := string(text)
		for i := 0; i < len(replacements); i += 2 {
			// A pattern starting with "*" is replaced wherever it occurs
			// (at least once); any other must occur exactly once.
			old, all := strings.CutPrefix(replacements[i], "*")
			if n := strings.Count(s, old); n != 1 && !(all && n > 0) {
				log.Fatalf("patching %s: %q occurs %d times: review the patch for this entgql version", name, old, n)
			}
			s = strings.ReplaceAll(s, old, replacements[i+1])
		}
		return gen.MustParse(gen.NewTemplate(name).Funcs(entgql.TemplateFuncs).Parse(s))
	}
	return []*gen.Template{
		patch("template/collection.tmpl",
			`ignoredEdges := !hasCollectedField(ctx, append(path, edgesField)...)`,
			`ignoredEdges := !hasCollectedField(ctx, append(path, edgesField)...) && !hasCollectedField(ctx, append(path, pageInfoField)...)`,
			// GraphQL input coercion: one order given where a list of
			// orders is expected (orderBy: {field: …}) is a list of one;
			// nested connections ignored it, and a variable's list (coerced
			// to []map[string]any). Every type here has MultiOrder.
			"\t\tif v, ok := rv[orderByField]; ok {\n\t\t\tswitch v := v.(type) {",
			"\t\tif v, ok := rv[orderByField]; ok {\n\t\t\tv = orderList(v)\n\t\t\tswitch v := v.(type) {",
			// An argument of a nested connection that does not unmarshal
			// (a malformed cursor: validation accepts any string for a
			// custom scalar) was left as its raw value, and the paginate
			// arguments' type assertion panicked (INTERNAL_SERVER_ERROR for
			// the whole query). It is dropped from eager loading instead; the
			// field's own argument reading then reports it as
			// BAD_USER_INPUT on the field's path.
			"\t\ti, err := graphql.UnmarshalInt(v)\n\t\tif err == nil {\n\t\t\targs[k] = &i\n\t\t}",
			"\t\ti, err := graphql.UnmarshalInt(v)\n\t\tif err == nil {\n\t\t\targs[k] = &i\n\t\t} else {\n\t\t\tdelete(args, k)\n\t\t}",
			"\t\tif c.UnmarshalGQL(v) == nil {\n\t\t\targs[k] = c\n\t\t}",
			"\t\tif c.UnmarshalGQL(v) == nil {\n\t\t\targs[k] = c\n\t\t} else {\n\t\t\tdelete(args, k)\n\t\t}",
			// A connection's totalCount that needs counting (a page of the
			// edge, or totalCount without edges) is a correlated subquery
			// in the nodes' own statement, not a second statement grouping
			// the edge by node: issue 11's P1b runs one statement, not two.
			// See totalCountSubquery.
			`{{ define "gql_pagination/helper/load_total" }}`,
			totalCountSubquery+`

{{ define "gql_pagination/helper/load_total_query" }}`,
			// LimitPerRow first: it keeps only the plain columns of the
			// statement it wraps, so the totalCount subqueries of the
			// nodes are added to the wrapping statement after it.
			`query.modifiers = append(query.modifiers, modify)`,
			`query.modifiers = append([]func(*sql.Selector){modify}, query.modifiers...)`,
			// Fields computed by hand-written resolvers select the columns
			// their resolver reads (ent/schema.ResolverColumns) instead of
			// every column.
			"\t\t\t\tcase \"__typename\":\n\t\t\t\tdefault:\n\t\t\t\t\tunknownSeen = true",
			`{{- with $node.Annotations.ResolverColumns }}
					{{- range $name, $columns := . }}
				case "{{ $name }}":
						{{- range $columns }}
					if _, ok := fieldSeen[{{ $node.Package }}.Field{{ pascal . }}]; !ok {
						selectedFields = append(selectedFields, {{ $node.Package }}.Field{{ pascal . }})
						fieldSeen[{{ $node.Package }}.Field{{ pascal . }}] = struct{}{}
					}
						{{- end }}
					{{- end }}
				{{- end }}
				case "__typename":
				default:
					unknownSeen = true`,
		),
		entgql.EnumTemplate,
		entgql.NodeTemplate,
		patch("template/pagination.tmpl",
			`"github.com/vektah/gqlparser/v2/gqlerror"`,
			`"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/internal/pagination"`,
			// Null order values: see internal/pagination.
			`entgql.MultiCursorsPredicate(after, before, &entgql.MultiCursorsOptions{`,
			`pagination.CursorsPredicate(after, before, p.reverse, &entgql.MultiCursorsOptions{`,
			`*direction.OrderTermOption()`,
			`direction.OrderTermOption(), pagination.Nulls(direction)`,
			`b.Ident(o.Field.column).Pad().WriteString(string(direction))`,
			`b.Ident(o.Field.column).Pad().WriteString(string(direction) + pagination.NullsSQL(direction))`,
			`walk:
	for _, name := range path {
		for _, f := range graphql.CollectFields(oc, field.Selections, nil) {
			if f.Alias == name {
				field = f
				continue walk
			}
		}
		return nil
	}
	return &field`,
			`for _, name := range path {
		var found *graphql.CollectedField
		for _, f := range graphql.CollectFields(oc, field.Selections, nil) {
			// The fixed fields of a connection are found by name, whatever
			// their alias; the other steps of a path are aliases.
			if connectionField[name] && f.Name != name || !connectionField[name] && f.Alias != name {
				continue
			}
			if found == nil {
				found = &f
				continue
			}
			// Merge repeated selections of the field (aliases, fragments).
			merged := *found
			merged.Selections = append(append(ast.SelectionSet{}, found.Selections...), f.Selections...)
			found = &merged
		}
		if found == nil {
			return nil
		}
		field = *found
	}
	return &field`,
			`func hasCollectedField(ctx context.Context, path ...string) bool {`,
			`// connectionField names the fields that every connection type has.
var connectionField = map[string]bool{edgesField: true, nodeField: true, pageInfoField: true, totalCountField: true}

// totalCountValue is the count a totalCount subquery selected (see
// totalCountSubquery in ent/entc.go).
func totalCountValue(v any, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case int64:
		return int(v), nil
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("ent: totalCount selected as %T", v)
}

// orderList is an orderBy argument of a nested connection as a list: one
// order object (GraphQL coerces it to a list of one) and a variable's list
// of objects become []any.
func orderList(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return []any{v}
	case []map[string]any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = v[i]
		}
		return out
	}
	return v
}

func hasCollectedField(ctx context.Context, path ...string) bool {`,
			`ignoredEdges := !hasCollectedField(ctx, edgesField)`,
			`ignoredEdges := !hasCollectedField(ctx, edgesField) && !hasCollectedField(ctx, pageInfoField)`,
		),
		entgql.TransactionTemplate,
		entgql.EdgeTemplate,
		entgql.MutationInputTemplate,
	}
}

// totalCountSubquery is the load_total helper of entgql's collection
// template, which counted an edge for a page of nodes with a second
// statement (SELECT fk, COUNT(*) … WHERE fk IN (…) GROUP BY fk): the count is
// a correlated subquery selected with the nodes instead, under a column of
// its own, and read back from each node's selected values. The subquery is
// the edge's query as the count query was (its where filter; interceptors
// and privacy rules applied by prepareQuery, when the fields are collected
// rather than when the count ran), so it counts what the edge's own query
// returns. An edge to the node's own type keeps the second statement
// (entgql's helper, renamed load_total_query): the subquery's table would
// hide the node's.
const totalCountSubquery = `{{ define "gql_pagination/helper/load_total" }}
	{{- $node := $ }}
	{{- $i := $.Scope.Index }}
	{{- $e := $.Scope.Edge }}
	{{- $receiver := $.Scope.Receiver }}
	{{- if eq $e.Type.Table $node.Table }}
		{{- template "gql_pagination/helper/load_total_query" $ }}
	{{- else }}
	query := query.Clone()
	if err := query.prepareQuery(ctx); err != nil {
		return err
	}
	// One column per count of the query (an alias may be longer than
	// PostgreSQL's 63 bytes of an identifier).
	totalColumn := fmt.Sprintf("total_count_%d", len({{ $receiver }}.loadTotal))
	{{ $receiver }}.modifiers = append({{ $receiver }}.modifiers, func(s *sql.Selector) {
		sub := query.sqlQuery(ctx)
		{{- if $e.M2M }}
			{{- $fk1idx := 1 }}{{- $fk2idx := 0 }}{{ if $e.IsInverse }}{{ $fk1idx = 0 }}{{ $fk2idx = 1 }}{{ end }}
		joinT := sql.Table({{ $.Package }}.{{ $e.TableConstant }})
		sub.Join(joinT).On(sub.C({{ $e.Type.Package }}.{{ $e.Type.ID.Constant }}), joinT.C({{ $.Package }}.{{ $e.PKConstant }}[{{ $fk1idx }}]))
		sub.Where(sql.ColumnsEQ(joinT.C({{ $.Package }}.{{ $e.PKConstant }}[{{ $fk2idx }}]), s.C({{ $node.Package }}.{{ $node.ID.Constant }})))
		{{- else }}
		sub.Where(sql.ColumnsEQ(sub.C({{ $node.Package }}.{{ $e.ColumnConstant }}), s.C({{ $node.Package }}.{{ $node.ID.Constant }})))
		{{- end }}
		s.AppendSelectExprAs(sub.Count(), totalColumn)
	})
	{{ $receiver }}.loadTotal = append({{ $receiver }}.loadTotal, func(_ context.Context, nodes []*{{ $node.Name }}) error {
		for i := range nodes {
			n, err := totalCountValue(nodes[i].Value(totalColumn))
			if err != nil {
				return err
			}
			if nodes[i].Edges.totalCount[{{ $i }}] == nil {
				nodes[i].Edges.totalCount[{{ $i }}] = make(map[string]int)
			}
			nodes[i].Edges.totalCount[{{ $i }}][alias] = n
		}
		return nil
	})
	{{- end }}
{{ end }}`
