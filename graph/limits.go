package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
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
	MaxFields     int // fields after fragment expansion, of all operations together
	MaxDepth      int // depth of nested selections, through fragments
	MaxRootFields int // root fields (aliases included) of one operation
	MaxInputDepth int // nesting of input objects in one argument value
	MaxPredicates int // fields of input objects in one where argument
	MaxListLength int // items of the lists in one argument value, together
	MaxNodeIDs    int // IDs of nodes(ids:)
	// MaxFragments bounds the fragment definitions of a document: validation
	// takes time cubic in their number when they spread one another.
	MaxFragments int
	// MaxFieldRepeats bounds how often one response name (a field or an
	// alias) is selected in one selection set, fragments expanded: validation
	// compares every pair of them.
	MaxFieldRepeats int
}

// DefaultLimits are the limits of a server that sets none.
var DefaultLimits = Limits{
	MaxTokens: 15_000,
	MaxFields: 2_000,
	// 15 levels of fields: five levels of connections with their Relay
	// wrappers (meetings { edges { node { participations { edges { node …).
	MaxDepth:      15,
	MaxRootFields: 30,
	MaxInputDepth: 8,
	MaxPredicates: 100,
	MaxListLength: 1_000,
	MaxNodeIDs:    100,
	MaxFragments:  100,
	// Colocated fragments often all select id (and clients add __typename to
	// each of them): one object may see it once per fragment.
	MaxFieldRepeats: 100,
}

// withDefaults fills the fields left at zero (or below) from DefaultLimits.
func (l Limits) withDefaults() Limits {
	for _, f := range []struct {
		value *int
		def   int
	}{
		{&l.MaxTokens, DefaultLimits.MaxTokens},
		{&l.MaxFields, DefaultLimits.MaxFields},
		{&l.MaxDepth, DefaultLimits.MaxDepth},
		{&l.MaxRootFields, DefaultLimits.MaxRootFields},
		{&l.MaxInputDepth, DefaultLimits.MaxInputDepth},
		{&l.MaxPredicates, DefaultLimits.MaxPredicates},
		{&l.MaxListLength, DefaultLimits.MaxListLength},
		{&l.MaxNodeIDs, DefaultLimits.MaxNodeIDs},
		{&l.MaxFragments, DefaultLimits.MaxFragments},
		{&l.MaxFieldRepeats, DefaultLimits.MaxFieldRepeats},
	} {
		if *f.value <= 0 {
			*f.value = f.def
		}
	}
	return l
}

// installLimits bounds what one request may ask, cheapest checks first, so
// that no costly step ever sees a document the cheaper ones would refuse:
//
//  1. before gqlgen parses and validates (documentLimits): the nesting of
//     input objects in variables, the token count (gqlgen's parser has the
//     same limit), the number of fragments, then fields, depth, root fields
//     and repeats of one field through fragments, and the nesting of input
//     objects in literals;
//  2. validation, reporting at most maxValidationErrors errors;
//  3. after validation: list lengths, predicates and nesting of argument
//     values (argumentLimits), page sizes (pageLimits, which also writes the
//     default page size that the complexity calculation weighs), then
//     complexity (complexityLimit).
//
// Operation context mutators run in the order they are installed.
func installLimits(srv *handler.Server, opts Options) {
	limits := opts.Limits.withDefaults()
	if opts.ComplexityLimit <= 0 {
		opts.ComplexityLimit = DefaultComplexityLimit
	}
	srv.SetParserTokenLimit(limits.MaxTokens)
	srv.SetValidationRulesFn(cappedValidationRules)
	srv.Use(documentLimits{limits})
	srv.Use(argumentLimits{limits})
	srv.Use(pageLimits{})
	srv.Use(&complexityLimit{limit: opts.ComplexityLimit})
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
	// Each field once: the default written into a field of a fragment holds at
	// every spread of the fragment.
	var err *gqlerror.Error
	walkFields(oc.Operation.SelectionSet, func(f *ast.Field) bool {
		err = boundField(f, oc.Variables)
		return err == nil
	})
	return err
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
			got := fmt.Sprint(v)
			if !isInt {
				got = fmt.Sprintf("%q, which is not an Int", got)
			}
			e := gqlerror.ErrorPosf(f.Position, "%s on %s must be an Int between 1 and %d, got %s", name, f.Name, MaxPageSize, got)
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

// Weights of the complexity calculation beyond gqlgen's one per field.
const (
	// connectionCost is added once for each connection field of an
	// operation (each alias, each spread of its fragment): the field is at
	// least one SQL statement. It is not multiplied by the page sizes above
	// it, because entgql loads a nested connection of all the parents in one
	// statement.
	connectionCost = 500
	// totalCountCost is added once for each totalCount field: a COUNT
	// statement, which returns no rows.
	totalCountCost = 50
)

// weightedSchema weighs each connection field by its page size in the
// complexity calculation: selecting 100 meetings with 100 participations each
// costs about 100×100 times a participation, not 2. nodes(ids:) is weighed by
// its number of IDs likewise.
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
	if typeName == "Query" && field == "nodes" {
		ids, _ := args["ids"].([]any)
		return addSaturating(1, multiplySaturating(max(len(ids), 1), child)), true
	}
	if !w.connections[typeName+"."+field] {
		return w.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
	}
	size := int64(DefaultPageSize)
	for _, name := range []string{"first", "last"} {
		if n, ok := toInt(args[name]); ok && n > 0 {
			size = n
		}
	}
	return addSaturating(1, multiplySaturating(int(min(size, MaxPageSize)), child)), true
}

// complexityLimit refuses an operation whose cost is above limit, with
// gqlgen's code (COMPLEXITY_LIMIT_EXCEEDED), message and statistics. The cost
// is gqlgen's calculation over weightedSchema, which counts the rows an
// operation may return, plus the SQL statements it runs (connectionCost,
// totalCountCost), which gqlgen's calculation cannot express: a nested
// connection would be charged once per parent row, but it is one statement.
type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
}

var (
	_ graphql.HandlerExtension        = &complexityLimit{}
	_ graphql.OperationContextMutator = &complexityLimit{}
)

// ExtensionName implements graphql.HandlerExtension; it is gqlgen's, so that
// extension.GetComplexityStats finds the statistics.
func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }

// Validate implements graphql.HandlerExtension.
func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (c *complexityLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	// Both walks expand fragments; documentLimits has bounded the fields
	// they visit to MaxFields.
	cost := addSaturating(complexity.Calculate(ctx, c.es, oc.Operation, oc.Variables), statementCost(oc.Operation))
	oc.Stats.SetExtension(c.ExtensionName(), &extension.ComplexityStats{Complexity: cost, ComplexityLimit: c.limit})
	if cost > c.limit {
		e := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", cost, c.limit)
		errcode.Set(e, codeComplexity)
		return e
	}
	return nil
}

// codeComplexity is gqlgen's code for an operation above the complexity limit.
const codeComplexity = "COMPLEXITY_LIMIT_EXCEEDED"

// statementCost is the cost of the SQL statements of an operation: each
// connection and totalCount field, counted at every spread of its fragment.
// Each fragment is costed once.
func statementCost(op *ast.OperationDefinition) int {
	memo := map[*ast.FragmentDefinition]int{}
	var cost func(ast.SelectionSet) int
	cost = func(set ast.SelectionSet) int {
		total := 0
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if isConnectionField(s.Definition) {
					total = addSaturating(total, connectionCost)
				}
				if s.Name == "totalCount" && s.ObjectDefinition != nil && strings.HasSuffix(s.ObjectDefinition.Name, "Connection") {
					total = addSaturating(total, totalCountCost)
				}
				total = addSaturating(total, cost(s.SelectionSet))
			case *ast.InlineFragment:
				total = addSaturating(total, cost(s.SelectionSet))
			case *ast.FragmentSpread:
				if s.Definition == nil {
					continue
				}
				c, seen := memo[s.Definition]
				if !seen {
					memo[s.Definition] = 0 // a cycle, which validation has refused, costs nothing more
					c = cost(s.Definition.SelectionSet)
					memo[s.Definition] = c
				}
				total = addSaturating(total, c)
			}
		}
		return total
	}
	return cost(op.SelectionSet)
}

// multiplySaturating multiplies non-negative costs without wrapping around.
func multiplySaturating(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}
