package graph

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Codes of the errors that refuse an operation for its shape, in
// extensions.code. Each names the limit it enforces, so that a client can tell
// which one to respect.
const (
	codeTooManyTokens     = "QUERY_TOO_LONG"
	codeTooManyFields     = "QUERY_TOO_LARGE"
	codeTooDeep           = "QUERY_TOO_DEEP"
	codeTooManyRootFields = "TOO_MANY_ROOT_FIELDS"
	codeInputTooDeep      = "INPUT_TOO_DEEP"
	codeListTooLong       = "LIST_TOO_LONG"
	codeTooManyPredicates = "TOO_MANY_PREDICATES"
	codeTooManyFragments  = "TOO_MANY_FRAGMENTS"
	codeTooManyRepeats    = "TOO_MANY_REPEATS"
	// codeInvalid is gqlgen's code for a document that breaks a validation
	// rule; documentLimits uses it for fragment cycles, which it must refuse
	// before validation to measure the document at all.
	codeInvalid = "GRAPHQL_VALIDATION_FAILED"
)

// documentLimits refuses a document whose shape is too large before gqlgen
// parses and validates it: several validation rules take time quadratic or
// worse in the size of a document (OverlappingFieldsCanBeMerged compares every
// pair of fields of one response name, and every pair of fragments; each
// fragment spread is looked up by a linear search among the fragments), and
// gqlgen's complexity calculation, like any walk that follows fragment
// spreads, takes time exponential in the number of fragments. It parses the
// query itself, with the token limit, and measures it in time linear in its
// length: each selection set is measured once, and a fragment's measure is
// reused at every spread. Only then, with the fields bounded, does it expand
// fragments to count the repeats of a field in merged selection sets.
//
// It checks every operation and every fragment definition of the document, not
// only the operation to run, because validation covers them all.
//
// A query found in the parsed-query cache has passed these checks (the
// limits do not change while the server runs) and is not measured again; the
// variables are, at every request.
type documentLimits struct {
	limits Limits
	cache  documentCache
}

var (
	_ graphql.HandlerExtension          = documentLimits{}
	_ graphql.OperationParameterMutator = documentLimits{}
)

// ExtensionName implements graphql.HandlerExtension.
func (documentLimits) ExtensionName() string { return "DocumentLimits" }

// Validate implements graphql.HandlerExtension.
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (l documentLimits) MutateOperationParameters(_ context.Context, params *graphql.RawParams) *gqlerror.Error {
	// Variables first: they need no parsing, and coercing a deeply nested one
	// during validation is what made a 360 KB request run for minutes.
	for name, v := range params.Variables {
		if d := jsonDepth(v); d > l.limits.MaxInputDepth {
			return limitError(codeInputTooDeep, nil, "the variable $%s nests input objects %s deep; the limit is %s",
				name, count(d), count(l.limits.MaxInputDepth))
		}
	}
	if l.cache.lru != nil && l.cache.contains(params.Query) {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, l.limits.MaxTokens)
	if err != nil {
		if n := countTokens(params.Query); n > l.limits.MaxTokens {
			return limitError(codeTooManyTokens, nil, "the query has %s tokens; the limit is %s", count(n), count(l.limits.MaxTokens))
		}
		return nil // a syntax error: gqlgen's parser reports it with its own code
	}
	if n := len(doc.Fragments); n > l.limits.MaxFragments {
		return limitError(codeTooManyFragments, doc.Fragments[l.limits.MaxFragments].Position,
			"the query defines %s fragments; the limit is %s", count(n), count(l.limits.MaxFragments))
	}
	if err := l.checkShapes(doc); err != nil {
		return err
	}
	return l.checkLiterals(doc)
}

// checkShapes applies the limits on fields, depth, root fields and repeats to
// every operation and fragment definition.
func (l documentLimits) checkShapes(doc *ast.QueryDocument) *gqlerror.Error {
	m := newShapeMeter(doc)
	ops := make([]shape, len(doc.Operations))
	for i, op := range doc.Operations {
		ops[i] = m.measure(op.SelectionSet)
	}
	frags := make([]shape, len(doc.Fragments))
	for i, def := range doc.Fragments {
		frags[i] = m.fragment(def)
	}
	if m.cycle != nil {
		// Measures through a cycle are partial; the document is invalid anyway.
		return limitError(codeInvalid, m.cycle.Position, `Cannot spread fragment "%s" within itself.`, m.cycle.Name)
	}
	all := 0
	for i, op := range doc.Operations {
		s := ops[i]
		if err := l.check(s, operationLabel(op), op.Position); err != nil {
			return err
		}
		if s.rootFields > l.limits.MaxRootFields {
			return limitError(codeTooManyRootFields, op.Position, "%s has %s root fields (aliases and fragments included); the limit is %s",
				operationLabel(op), count(s.rootFields), count(l.limits.MaxRootFields))
		}
		all = addSaturating(all, s.fields)
	}
	if all > l.limits.MaxFields {
		// Validation walks every operation, not only the one to run.
		return limitError(codeTooManyFields, nil, "the operations of the document select %s fields in all after expanding fragments; the limit is %s",
			count(all), count(l.limits.MaxFields))
	}
	for i, def := range doc.Fragments {
		if err := l.check(frags[i], "fragment "+def.Name, def.Position); err != nil {
			return err
		}
	}
	// With fields bounded and no cycle, expanding fragments is affordable.
	for _, op := range doc.Operations {
		if r := m.mostRepeated([]ast.SelectionSet{op.SelectionSet}, "", l.limits.MaxFieldRepeats); r != nil {
			return l.repeatError(operationLabel(op), r)
		}
	}
	for _, def := range doc.Fragments {
		if r := m.mostRepeated([]ast.SelectionSet{def.SelectionSet}, "", l.limits.MaxFieldRepeats); r != nil {
			return l.repeatError("fragment "+def.Name, r)
		}
	}
	return nil
}

func (l documentLimits) repeatError(what string, r *repeat) *gqlerror.Error {
	where := "at its root"
	if r.parent != "" {
		where = "under " + r.parent
	}
	return limitError(codeTooManyRepeats, r.field.Position,
		"%s selects %s %s times in one selection set (%s), fragments included; the limit is %s",
		what, r.name, count(r.times), where, count(l.limits.MaxFieldRepeats))
}

// check applies the limits on fields and depth to the measure s of what.
func (l documentLimits) check(s shape, what string, pos *ast.Position) *gqlerror.Error {
	if s.fields > l.limits.MaxFields {
		return limitError(codeTooManyFields, pos, "%s selects %s fields after expanding fragments; the limit is %s",
			what, count(s.fields), count(l.limits.MaxFields))
	}
	if s.depth > l.limits.MaxDepth {
		return limitError(codeTooDeep, pos, "%s nests fields %s deep; the limit is %s", what, count(s.depth), count(l.limits.MaxDepth))
	}
	return nil
}

// checkLiterals bounds the nesting of input objects written in the document:
// argument values and the default values of variables. Each value is walked
// once, where it is written, whatever the number of spreads of its fragment.
func (l documentLimits) checkLiterals(doc *ast.QueryDocument) *gqlerror.Error {
	var found *gqlerror.Error
	checkValue := func(what string, v *ast.Value) bool {
		if d := valueDepth(v); d > l.limits.MaxInputDepth {
			found = limitError(codeInputTooDeep, v.Position, "%s nests input objects %s deep; the limit is %s",
				what, count(d), count(l.limits.MaxInputDepth))
			return false
		}
		return true
	}
	checkDirectives := func(list ast.DirectiveList) bool {
		for _, dir := range list {
			for _, arg := range dir.Arguments {
				if !checkValue(fmt.Sprintf("the argument %s of @%s", arg.Name, dir.Name), arg.Value) {
					return false
				}
			}
		}
		return true
	}
	var checkSet func(ast.SelectionSet) bool
	checkSet = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				for _, arg := range s.Arguments {
					if !checkValue(fmt.Sprintf("the argument %s of %s", arg.Name, s.Name), arg.Value) {
						return false
					}
				}
				if !checkDirectives(s.Directives) || !checkSet(s.SelectionSet) {
					return false
				}
			case *ast.InlineFragment:
				if !checkDirectives(s.Directives) || !checkSet(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread: // its definition is checked once, below
				if !checkDirectives(s.Directives) {
					return false
				}
			}
		}
		return true
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			if v.DefaultValue != nil && !checkValue("the default value of $"+v.Variable, v.DefaultValue) {
				return found
			}
			if !checkDirectives(v.Directives) {
				return found
			}
		}
		if !checkDirectives(op.Directives) || !checkSet(op.SelectionSet) {
			return found
		}
	}
	for _, def := range doc.Fragments {
		if !checkDirectives(def.Directives) || !checkSet(def.SelectionSet) {
			return found
		}
	}
	return nil
}

// maxValidationErrors is the number of validation errors reported, as in
// graphql-js (maxErrors): within the limits a document may still break a rule
// for every pair of its fields (thousands of "fields conflict" errors, a
// response of megabytes), and the first ones tell the client what to fix.
const maxValidationErrors = 100

// cappedValidationRules are gqlparser's default rules reporting together at
// most maxValidationErrors errors, and a last one saying that more were left
// out. gqlgen asks for a new set for each document, so the count is per
// document.
func cappedValidationRules() *rules.Rules {
	reported := 0
	capped := rules.NewRules()
	for name, rule := range rules.NewDefaultRules().GetInner() {
		capped.AddRule(name, func(observers *core.Events, addError core.AddErrFunc) {
			rule(observers, func(options ...core.ErrorOption) {
				reported++
				switch {
				case reported <= maxValidationErrors:
					addError(options...)
				case reported == maxValidationErrors+1:
					addError(core.Message("too many validation errors: only the first %d are reported", maxValidationErrors))
				}
			})
		})
	}
	return capped
}

// shape is the measure of a selection set with its fragments expanded.
type shape struct {
	fields     int // fields, every spread of a fragment counting all of its fields
	depth      int // deepest nesting of fields: 1 for a set of leaves
	rootFields int // fields of the set itself, those of its fragments included
}

// shapeMeter measures the selection sets of one document, remembering the
// measure of each fragment definition so that a fragment spread a million
// times over is measured once.
type shapeMeter struct {
	byName map[string]*ast.FragmentDefinition
	memo   map[*ast.FragmentDefinition]*shape // nil while being measured
	cycle  *ast.FragmentDefinition            // a fragment found spreading itself
}

func newShapeMeter(doc *ast.QueryDocument) *shapeMeter {
	m := &shapeMeter{byName: map[string]*ast.FragmentDefinition{}, memo: map[*ast.FragmentDefinition]*shape{}}
	for _, def := range doc.Fragments {
		if _, dup := m.byName[def.Name]; !dup { // the first one, as validation and gqlgen take it
			m.byName[def.Name] = def
		}
	}
	return m
}

func (m *shapeMeter) measure(set ast.SelectionSet) shape {
	var s shape
	add := func(c shape, depthOffset int) {
		s.fields = addSaturating(s.fields, c.fields)
		s.depth = max(s.depth, c.depth+depthOffset)
	}
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			add(shape{fields: 1}, 1)
			add(m.measure(x.SelectionSet), 1)
			s.rootFields = addSaturating(s.rootFields, 1)
		case *ast.InlineFragment:
			c := m.measure(x.SelectionSet)
			add(c, 0)
			s.rootFields = addSaturating(s.rootFields, c.rootFields)
		case *ast.FragmentSpread:
			if def := m.byName[x.Name]; def != nil {
				c := m.fragment(def)
				add(c, 0)
				s.rootFields = addSaturating(s.rootFields, c.rootFields)
			}
		}
	}
	return s
}

// fragment measures a fragment definition once. A spread that closes a
// cycle counts nothing, so that the measure stays finite, and is recorded.
func (m *shapeMeter) fragment(def *ast.FragmentDefinition) shape {
	if s, seen := m.memo[def]; seen {
		if s == nil {
			m.cycle = def
			return shape{}
		}
		return *s
	}
	m.memo[def] = nil
	s := m.measure(def.SelectionSet)
	m.memo[def] = &s
	return s
}

// repeat is a response name selected too often in one merged selection set.
type repeat struct {
	name   string     // the response name: the alias, or the field name
	times  int        // how often it is selected there
	field  *ast.Field // its first occurrence
	parent string     // the response name of the set, empty at the root
}

// mostRepeated finds a response name selected more than limit times in one
// selection set, as the executor merges it: fields of inline fragments and of
// spread fragments included, and the sub-selections of fields of one response
// name merged into one set. OverlappingFieldsCanBeMerged compares every pair
// of them, so their number bounds its work. It expands fragments at every
// spread: it must only run on a document whose fields are bounded and that has
// no fragment cycle.
func (m *shapeMeter) mostRepeated(sets []ast.SelectionSet, parent string, limit int) *repeat {
	type group struct {
		first    *ast.Field
		times    int
		children []ast.SelectionSet
	}
	var order []string
	groups := map[string]*group{}
	var collect func(ast.SelectionSet)
	collect = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.Field:
				name := x.Alias
				if name == "" {
					name = x.Name
				}
				g := groups[name]
				if g == nil {
					g = &group{first: x}
					groups[name] = g
					order = append(order, name)
				}
				g.times++
				if len(x.SelectionSet) > 0 {
					g.children = append(g.children, x.SelectionSet)
				}
			case *ast.InlineFragment:
				collect(x.SelectionSet)
			case *ast.FragmentSpread:
				if def := m.byName[x.Name]; def != nil {
					collect(def.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		collect(set)
	}
	for _, name := range order {
		if g := groups[name]; g.times > limit {
			return &repeat{name: name, times: g.times, field: g.first, parent: parent}
		}
	}
	for _, name := range order {
		if g := groups[name]; len(g.children) > 0 {
			if r := m.mostRepeated(g.children, name, limit); r != nil {
				return r
			}
		}
	}
	return nil
}

// countTokens counts the lexical tokens of a query as gqlgen's parser does
// (comments included), up to the first lexical error.
func countTokens(query string) int {
	lex := lexer.New(&ast.Source{Input: query})
	n := 0
	for {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return n
		}
		n++
	}
}

// valueDepth is the nesting of input objects in a literal value: 1 for
// {a: 1}, 2 for {not: {a: 1}}. Lists do not count.
func valueDepth(v *ast.Value) int {
	if v == nil {
		return 0
	}
	d := 0
	for _, c := range v.Children {
		d = max(d, valueDepth(c.Value))
	}
	if v.Kind == ast.ObjectValue {
		d++
	}
	return d
}

// jsonDepth is the nesting of objects in a decoded JSON value, counted as
// valueDepth counts.
func jsonDepth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, c := range v {
			d = max(d, jsonDepth(c))
		}
		d++
	case []any:
		for _, c := range v {
			d = max(d, jsonDepth(c))
		}
	}
	return d
}

// argumentLimits bounds the argument values of the operation to run, once
// variables are coerced: the length of lists (IDs of nodes, every …In filter),
// the number of predicates of a where filter, and the nesting of input objects
// as values and variables combine. It runs after validation and before the
// complexity limit. Each field of the document is looked at once: a fragment's
// arguments are the same at every spread.
type argumentLimits struct{ limits Limits }

var (
	_ graphql.HandlerExtension        = argumentLimits{}
	_ graphql.OperationContextMutator = argumentLimits{}
)

// ExtensionName implements graphql.HandlerExtension.
func (argumentLimits) ExtensionName() string { return "ArgumentLimits" }

// Validate implements graphql.HandlerExtension.
func (argumentLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (l argumentLimits) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	var found *gqlerror.Error
	walkFields(oc.Operation.SelectionSet, func(f *ast.Field) bool {
		if f.Definition == nil {
			return true
		}
		args := f.ArgumentMap(oc.Variables)
		for _, def := range f.Definition.Arguments { // in the schema's order, for a stable answer
			if v, ok := args[def.Name]; ok {
				if found = l.checkArgument(f, def.Name, v); found != nil {
					return false
				}
			}
		}
		return true
	})
	return found
}

func (l argumentLimits) checkArgument(f *ast.Field, name string, v any) *gqlerror.Error {
	var s inputSize
	s.add(v, 0)
	what := fmt.Sprintf("the argument %s of %s", name, f.Name)
	if s.depth > l.limits.MaxInputDepth {
		return limitError(codeInputTooDeep, f.Position, "%s nests input objects %s deep; the limit is %s",
			what, count(s.depth), count(l.limits.MaxInputDepth))
	}
	if isNodesField(f) && name == "ids" {
		if s.items > l.limits.MaxNodeIDs {
			return limitError(codeListTooLong, f.Position, "%s has %s IDs; the limit is %s", what, count(s.items), count(l.limits.MaxNodeIDs))
		}
	} else if s.items > l.limits.MaxListLength {
		// All the lists of one argument together: a where filter becomes one SQL
		// statement, whose bind parameters PostgreSQL limits to 65,535.
		return limitError(codeListTooLong, f.Position, "%s has %s list items in all; the limit is %s",
			what, count(s.items), count(l.limits.MaxListLength))
	}
	if name == "where" && s.fields > l.limits.MaxPredicates {
		return limitError(codeTooManyPredicates, f.Position, "%s has %s predicates (fields of input objects, nested ones included); the limit is %s",
			what, count(s.fields), count(l.limits.MaxPredicates))
	}
	return nil
}

// isNodesField reports Query.nodes, whose IDs are bounded by MaxNodeIDs.
func isNodesField(f *ast.Field) bool {
	return f.Name == "nodes" && f.ObjectDefinition != nil && f.ObjectDefinition.Name == "Query"
}

// inputSize measures a coerced argument value.
type inputSize struct {
	depth  int // nesting of input objects
	items  int // items of all its lists
	fields int // fields of all its input objects
}

func (s *inputSize) add(v any, depth int) {
	switch v := v.(type) {
	case map[string]any:
		depth++
		s.depth = max(s.depth, depth)
		s.fields += len(v)
		for _, c := range v {
			s.add(c, depth)
		}
	case []any:
		s.items += len(v)
		for _, c := range v {
			s.add(c, depth)
		}
	}
}

// operationLabel names an operation in error messages: "the query",
// "the mutation Rename".
func operationLabel(op *ast.OperationDefinition) string {
	kind := string(op.Operation)
	if kind == "" {
		kind = string(ast.Query)
	}
	if op.Name == "" {
		return "the " + kind
	}
	return "the " + kind + " " + op.Name
}

func limitError(code string, pos *ast.Position, format string, args ...any) *gqlerror.Error {
	var e *gqlerror.Error
	if pos != nil {
		e = gqlerror.ErrorPosf(pos, format, args...)
	} else {
		e = gqlerror.Errorf(format, args...)
	}
	setCode(e, code)
	return e
}

// count writes n with thousands separators (2,517), as the limits are written
// in the documentation; a count that saturated is written as such.
func count(n int) string {
	s := strconv.Itoa(n)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if n == math.MaxInt {
		return "over " + string(out)
	}
	return string(out)
}

// addSaturating adds counts that fragments may make astronomically large
// without wrapping around.
func addSaturating(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
