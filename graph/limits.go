package graph

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Page sizes of every connection field.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Limits bound the shape of one operation, checked before it runs. A zero
// field takes its value from DefaultLimits.
type Limits struct {
	MaxTokens     int // lexer tokens in the query document
	MaxFields     int // fields of the operation after fragment expansion
	MaxDepth      int // depth of nested selections, through fragments
	MaxRootFields int // root fields (aliases included) of one operation
	MaxInputDepth int // nesting of input objects in one argument value
	MaxPredicates int // fields of input objects in one where argument
	MaxListLength int // items of one list in an argument value
	MaxNodeIDs    int // IDs of nodes(ids:)
}

// DefaultLimits are the limits of a server that sets none.
var DefaultLimits = Limits{
	MaxTokens:     15_000,
	MaxFields:     2_000,
	MaxDepth:      12,
	MaxRootFields: 30,
	MaxInputDepth: 8,
	MaxPredicates: 100,
	MaxListLength: 1_000,
	MaxNodeIDs:    100,
}

// installLimits bounds what one request may ask: page sizes and complexity.
func installLimits(srv *handler.Server, opts Options) {
	srv.Use(pageLimits{})
	srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
}

// pageLimits is a handler extension that bounds every connection in an
// operation before anything runs: first and last must be between 1 and
// MaxPageSize, and a connection asked for without either gets
// first: DefaultPageSize. The default is written into the operation's AST so
// that the resolvers, entgql's eager loading (CollectFields) and the complexity
// calculation all see the same page size. This is safe because the server keeps
// no query cache: each request parses its own AST.
type pageLimits struct{}

var (
	_ graphql.HandlerExtension        = pageLimits{}
	_ graphql.OperationContextMutator = pageLimits{}
)

// ExtensionName implements graphql.HandlerExtension.
func (pageLimits) ExtensionName() string { return "PageLimits" }

// Validate implements graphql.HandlerExtension.
func (pageLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (pageLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	return boundSelections(oc.Operation.SelectionSet, oc.Variables)
}

func boundSelections(set ast.SelectionSet, vars map[string]any) *gqlerror.Error {
	for _, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			if err = boundField(s, vars); err == nil {
				err = boundSelections(s.SelectionSet, vars)
			}
		case *ast.InlineFragment:
			err = boundSelections(s.SelectionSet, vars)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				err = boundSelections(s.Definition.SelectionSet, vars)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func boundField(f *ast.Field, vars map[string]any) *gqlerror.Error {
	if !isConnectionField(f.Definition) {
		return nil
	}
	args := f.ArgumentMap(vars)
	given := false
	for _, name := range []string{"first", "last"} {
		v, ok := args[name]
		if !ok || v == nil {
			continue
		}
		given = true
		n, isInt := toInt(v)
		if !isInt || n < 1 || n > MaxPageSize {
			e := gqlerror.ErrorPosf(f.Position, "%s on %s must be between 1 and %d, got %v", name, f.Name, MaxPageSize, v)
			setCode(e, codeBadInput)
			return e
		}
	}
	if given {
		return nil
	}
	value := &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(DefaultPageSize), Position: f.Position}
	if arg := f.Arguments.ForName("first"); arg != nil { // first: $var with a null variable
		arg.Value = value
		return nil
	}
	f.Arguments = append(f.Arguments, &ast.Argument{Name: "first", Value: value, Position: f.Position})
	return nil
}

// isConnectionField reports a Relay connection field: its type is a
// *Connection and it takes first and last.
func isConnectionField(def *ast.FieldDefinition) bool {
	return def != nil && def.Type != nil &&
		strings.HasSuffix(def.Type.Name(), "Connection") &&
		def.Arguments.ForName("first") != nil && def.Arguments.ForName("last") != nil
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), float64(int64(n)) == n
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	}
	return 0, false
}

// weightedSchema weighs each connection field by its page size in the
// complexity calculation: selecting 100 meetings with 100 participations each
// costs about 100×100 times a participation, not 2.
type weightedSchema struct {
	graphql.ExecutableSchema
	connections map[string]bool // "Type.field"
}

func weighConnections(es graphql.ExecutableSchema) graphql.ExecutableSchema {
	w := weightedSchema{ExecutableSchema: es, connections: map[string]bool{}}
	for _, t := range es.Schema().Types {
		for _, f := range t.Fields {
			if isConnectionField(f) {
				w.connections[t.Name+"."+f.Name] = true
			}
		}
	}
	return w
}

// Complexity implements graphql.ExecutableSchema.
func (w weightedSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if !w.connections[typeName+"."+field] {
		return w.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	}
	size := int64(DefaultPageSize)
	for _, name := range []string{"first", "last"} {
		if n, ok := toInt(args[name]); ok && n > 0 {
			size = n
		}
	}
	return 1 + int(size)*child, true
}
