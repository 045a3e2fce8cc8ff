package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
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
//     values (argumentLimits), page sizes (pageLimits, which also gives the
//     connections without first or last the default page size that the
//     complexity calculation weighs), then complexity (complexityLimit).
//
// Operation context mutators run in the order they are installed.
func installLimits(srv *handler.Server, opts Options, cache documentCache) {
	limits := opts.Limits.withDefaults()
	if opts.ComplexityLimit <= 0 {
		opts.ComplexityLimit = DefaultComplexityLimit
	}
	srv.SetParserTokenLimit(limits.MaxTokens)
	srv.SetValidationRulesFn(cappedValidationRules)
	srv.Use(documentLimits{limits: limits, cache: cache})
	srv.Use(argumentLimits{limits})
	srv.Use(pageLimits{})
	srv.Use(&complexityLimit{limit: opts.ComplexityLimit})
}

// pageLimits is a handler extension that bounds every connection in an
// operation before anything runs: first and last must be between 1 and
// MaxPageSize, and a connection asked for without either gets
// first: DefaultPageSize. The default is in the operation's AST, so that the
// resolvers, entgql's eager loading (CollectFields, which reads the AST's
// arguments) and the complexity calculation all see the same page size.
//
// Documents are shared between requests (documentCache), so the default is
// never written into a request's document: the cache writes it once into
// each document it stores where it does not depend on variables
// (writeStaticPageDefaults: a connection without first and last, or with
// null literals), and only an operation whose first/last variables are null
// or missing is given a copy of its document, with the default written into
// the copy.
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
	needsDefault := false
	walkFields(oc.Operation.SelectionSet, func(f *ast.Field) bool {
		if err = boundField(f, oc.Variables); err != nil {
			return false
		}
		needsDefault = needsDefault || needsPageDefault(f, oc.Variables, false)
		return true
	})
	if err != nil || !needsDefault {
		return err
	}
	oc.Doc, oc.Operation = copyOperation(oc.Doc, oc.Operation)
	walkFields(oc.Operation.SelectionSet, func(f *ast.Field) bool {
		if needsPageDefault(f, oc.Variables, false) {
			writePageDefault(f)
		}
		return true
	})
	return nil
}

// boundField refuses a first or last out of bounds on a connection field.
func boundField(f *ast.Field, vars map[string]any) *gqlerror.Error {
	if !isConnectionField(f.Definition) {
		return nil
	}
	for _, name := range []string{"first", "last"} {
		arg := f.Arguments.ForName(name)
		if arg == nil {
			continue
		}
		v, err := arg.Value.Value(vars)
		if err != nil || v == nil {
			continue // validation has checked the value; null is no value
		}
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
	return nil
}

// needsPageDefault reports a connection field that has neither first nor
// last: absent, null, or (unless static, when variables are unknown) a
// variable that is null or missing.
func needsPageDefault(f *ast.Field, vars map[string]any, static bool) bool {
	if !isConnectionField(f.Definition) {
		return false
	}
	for _, name := range []string{"first", "last"} {
		arg := f.Arguments.ForName(name)
		switch {
		case arg == nil || arg.Value == nil || arg.Value.Kind == ast.NullValue:
			continue
		case arg.Value.Kind != ast.Variable:
			return false
		case static:
			return false // decided for each request
		}
		if v, ok := vars[arg.Value.Raw]; ok && v != nil {
			return false
		}
	}
	return true
}

// writePageDefault gives a connection field first: DefaultPageSize.
func writePageDefault(f *ast.Field) {
	value := &ast.Value{Kind: ast.IntValue, Raw: strconv.Itoa(DefaultPageSize), Position: f.Position}
	for i, arg := range f.Arguments {
		if arg.Name == "first" { // first: null, or a null variable
			a := *arg
			a.Value = value
			args := slices.Clone(f.Arguments)
			args[i] = &a
			f.Arguments = args
			return
		}
	}
	f.Arguments = append(slices.Clip(f.Arguments), &ast.Argument{Name: "first", Value: value, Position: f.Position})
}

// writeStaticPageDefaults writes the default page size into the connection
// fields of every operation and fragment of doc whose page size depends on
// no variable. doc must not be shared yet.
func writeStaticPageDefaults(doc *ast.QueryDocument) {
	write := func(f *ast.Field) bool {
		if needsPageDefault(f, nil, true) {
			writePageDefault(f)
		}
		return true
	}
	for _, op := range doc.Operations {
		walkFields(op.SelectionSet, write)
	}
	for _, frag := range doc.Fragments {
		walkFields(frag.SelectionSet, write)
	}
}

// copyOperation returns a deep copy of doc, as far as its selections, and
// the copy of op in it, so that a request may write into its own copy.
// Fragment spreads point to the copied fragments.
func copyOperation(doc *ast.QueryDocument, op *ast.OperationDefinition) (*ast.QueryDocument, *ast.OperationDefinition) {
	frags := make(map[*ast.FragmentDefinition]*ast.FragmentDefinition, len(doc.Fragments))
	cp := *doc
	cp.Fragments = make(ast.FragmentDefinitionList, len(doc.Fragments))
	for i, f := range doc.Fragments {
		c := *f
		cp.Fragments[i] = &c
		frags[f] = &c
	}
	var copySet func(ast.SelectionSet) ast.SelectionSet
	copySet = func(set ast.SelectionSet) ast.SelectionSet {
		if set == nil {
			return nil
		}
		out := make(ast.SelectionSet, len(set))
		for i, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				c := *s
				c.SelectionSet = copySet(s.SelectionSet)
				out[i] = &c
			case *ast.InlineFragment:
				c := *s
				c.SelectionSet = copySet(s.SelectionSet)
				out[i] = &c
			case *ast.FragmentSpread:
				c := *s
				if d, ok := frags[s.Definition]; ok {
					c.Definition = d
				}
				out[i] = &c
			default:
				out[i] = sel
			}
		}
		return out
	}
	for _, f := range cp.Fragments {
		f.SelectionSet = copySet(f.SelectionSet)
	}
	var opCopy *ast.OperationDefinition
	cp.Operations = make(ast.OperationList, len(doc.Operations))
	for i, o := range doc.Operations {
		if o != op {
			cp.Operations[i] = o
			continue
		}
		c := *o
		c.SelectionSet = copySet(o.SelectionSet)
		cp.Operations[i] = &c
		opCopy = &c
	}
	if opCopy == nil { // op is not in doc: nothing to copy
		return doc, op
	}
	return &cp, opCopy
}

// isConnectionField reports a Relay connection field: its type is a
// *Connection and it takes first (and, when it pages both ways, last; a
// forward-only connection such as Person.timeline has first alone).
func isConnectionField(def *ast.FieldDefinition) bool {
	return def != nil && def.Type != nil &&
		strings.HasSuffix(def.Type.Name(), "Connection") &&
		def.Arguments.ForName("first") != nil
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
