// Command sequential rewrites gqlgen's generated executor so that the
// elements of a list, and the fields of an object that gqlgen would resolve
// on goroutines of their own, are resolved one after the other on the
// request's goroutine; and so that resolving a field allocates less: the
// response path of an object is computed only when the object has deferred
// fragments, the constant "has no child fields" errors of scalar fields are
// allocated once instead of once per field and value, and a scalar or enum
// field read from a struct field is marshaled directly (see leafFields).
// An object's field set and the closures of its fields stay on the stack:
// fragments marked @defer are resolved inline (graph.deferLater), so the
// deferring branch, the one use that made them escape, is dead code, and an
// object has nothing left to dispatch. The fields collected from a
// selection set and a field's arguments are computed once per operation
// (graph.operationCache) instead of once per object.
//
// Rencontre's lists hold data loaded ahead by ent's eager loading (entgql's
// field collection), so their fields do no I/O of their own: a goroutine per
// list element and per field only costs its start, its stack growth and the
// garbage (issue 11's profile: 43% of the CPU of a 50-participation query in
// list execution, 10% in stack growth). The fields that do read the database
// batch by operation (see graph/batch.go), so serial execution does not turn
// them into one round trip after another.
//
// It runs after `gqlgen generate` (see generate.go) and fails when a pattern
// it rewrites is missing, so that a gqlgen upgrade that changes the
// generated code is noticed instead of silently going concurrent again.
//
//	go run ./internal/tools/sequential graph/generated.go
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"regexp"
	"sort"
	"strings"
)

// rewrites are the generated calls and their serial replacements. The
// replacement of the list call, marshalSlice, is in package graph with the
// same signature.
var rewrites = []struct{ from, to string }{
	{"graphql.MarshalSliceConcurrently(", "marshalSlice("},
	{"out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })", "out.Values[i] = innerFunc(ctx, out)"},
	// ProcessDeferredGroup returns at once without deferred fragments, but
	// the generated call computes (allocates) the path before asking.
	{"Path:     graphql.GetPath(ctx),", "Path:     deferredPath(ctx, deferLabelToView),"},
	// An object's fields are written by newObjectValue, without the
	// per-object map and iterators of graphql.FieldSet's MarshalGQL.
	{"\t})\n\n\treturn out\n}", "\t})\n\n\treturn newObjectValue(fields, out)\n}"},
	// The set of deferred fields and the map of their labels are made by
	// the first deferred field (startDeferred), not for every object.
	{"\tdeferredFieldSet := graphql.NewFieldSet(nil)\n\tdeferLabelToView := make(map[string]*graphql.FieldSetView)\n",
		"\tvar deferredFieldSet *graphql.FieldSet\n\tvar deferLabelToView map[string]*graphql.FieldSetView\n"},
	// Deferred fragments are resolved inline (see deferLater in package
	// graph). The branch that defers is then dead code, which also keeps
	// the closure of every field (innerFunc) from escaping to the heap.
	{"\t\t\tif field.IsDeferred() {\n\t\t\t\tdeferredFieldSet.AddField(field)\n",
		"\t\t\tif deferLater && field.IsDeferred() {\n\t\t\t\tdeferredFieldSet, deferLabelToView = startDeferred(deferredFieldSet, deferLabelToView)\n\t\t\t\tdeferredFieldSet.AddField(field)\n"},
	// The executor of an operation carries its operationCache (package
	// graph): the fields collected for each selection set and type, and
	// each field's arguments, computed once per operation instead of once
	// per object.
	{"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n}\n",
		"type executionContext struct {\n\t*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]\n\t// Added by internal/tools/sequential: see operationCache.\n\toperationCache\n}\n"},
}

// cachedCalls are the generated calls that operationCache answers, as
// regular expressions and their replacements.
var cachedCalls = []struct {
	from *regexp.Regexp
	to   string
}{
	{regexp.MustCompile(`graphql\.CollectFields\(ec\.OperationContext, sel, (\w+Implementors)\)`),
		"ec.collectFields(ec.OperationContext, sel, $1)"},
	{regexp.MustCompile(`ec\.(field_\w+_args)\(ctx, field\.ArgumentMap\(ec\.Variables\)\)`),
		`ec.fieldArgs(ctx, ec.Variables, field, "$1", ec.$1)`},
}

// dispatch is the call that runs an object's concurrent fields. Once
// out.Concurrently is rewritten away, an object other than the root ones
// (whose fields stay concurrent) has none, and the call only makes the
// field set escape to the heap.
const dispatch = "\tout.Dispatch(ctx)\n"

// dropDispatch drops dispatch where an object has no concurrent field
// left. It is an error when neither the call nor its replacement is there.
func dropDispatch(src []byte) ([]byte, error) {
	var out bytes.Buffer
	dropped := 0
	for {
		i := bytes.Index(src, []byte(dispatch))
		if i < 0 {
			break
		}
		start := bytes.LastIndex(src[:i], []byte("\nfunc "))
		if bytes.Contains(src[start+1:i], []byte("out.Concurrently(i,")) {
			out.Write(src[:i+len(dispatch)])
		} else {
			out.Write(src[:i])
			out.WriteString("\t// Rewritten by internal/tools/sequential: no concurrent field to dispatch.\n")
			dropped++
		}
		src = src[i+len(dispatch):]
	}
	out.Write(src)
	if dropped == 0 && !bytes.Contains(out.Bytes(), []byte("no concurrent field to dispatch")) {
		return nil, fmt.Errorf("no %q in the generated code: gqlgen's output changed, update internal/tools/sequential", dispatch)
	}
	return out.Bytes(), nil
}

// noChildFields matches the error a scalar field's context is given for
// the child fields it cannot have; generated once per field resolution.
var noChildFields = regexp.MustCompile(`errors\.New\("field of type (\w+) does not have child fields"\)`)

const noChildFieldsVars = "\n// Written by internal/tools/sequential: the errors of scalar fields' child\n// fields, allocated once.\nvar (\n"

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: sequential graph/generated.go")
		os.Exit(2)
	}
	if err := rewrite(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "sequential:", err)
		os.Exit(1)
	}
}

func rewrite(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := apply(src)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if out, err = format.Source(out); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, out, 0o644)
}

// apply rewrites src. Already rewritten code is left as it is, so running it
// twice is harmless; code with none of a pattern (and none of its
// replacement) is an error.
func apply(src []byte) ([]byte, error) {
	for _, r := range rewrites {
		n := bytes.Count(src, []byte(r.from))
		if n == 0 && !bytes.Contains(src, []byte(r.to)) {
			return nil, fmt.Errorf("no %q in the generated code: gqlgen's output changed, update internal/tools/sequential", r.from)
		}
		src = bytes.ReplaceAll(src, []byte(r.from), []byte(r.to))
	}
	for _, c := range cachedCalls {
		if !c.from.Match(src) && !bytes.Contains(src, []byte(c.to[:strings.IndexByte(c.to, '(')+1])) {
			return nil, fmt.Errorf("no %s in the generated code: gqlgen's output changed, update internal/tools/sequential", c.from)
		}
		src = c.from.ReplaceAll(src, []byte(c.to))
	}
	src = leafFields(src)
	src, err := dropDispatch(src)
	if err != nil {
		return nil, err
	}
	if bytes.Contains(src, []byte(noChildFieldsVars)) {
		return src, nil
	}
	types := map[string]bool{}
	src = noChildFields.ReplaceAllFunc(src, func(m []byte) []byte {
		t := string(noChildFields.FindSubmatch(m)[1])
		types[t] = true
		return []byte("errNoChildFields" + t)
	})
	if len(types) == 0 {
		return nil, fmt.Errorf("no %s in the generated code: gqlgen's output changed, update internal/tools/sequential", noChildFields)
	}
	names := make([]string, 0, len(types))
	for t := range types {
		names = append(names, t)
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.Write(src)
	b.WriteString(noChildFieldsVars)
	for _, t := range names {
		fmt.Fprintf(&b, "\terrNoChildFields%s = errors.New(%q)\n", t, "field of type "+t+" does not have child fields")
	}
	b.WriteString(")\n")
	return b.Bytes(), nil
}

// leafField is gqlgen's resolution of a field read from a struct field
// (obj.Name): a field context, three closures, the value boxed in an any,
// the field middlewares, then the marshaler.
var leafField = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (_\w+)\(ctx context\.Context, field graphql\.CollectedField, obj (\*?[\w.]+)\) \(ret graphql\.Marshaler\) \{
	return graphql\.ResolveField\(
		ctx,
		ec\.OperationContext,
		field,
		func\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{
			return ec\.(fieldContext_\w+)\(ctx, field\)
		\},
		func\(ctx context\.Context\) \(any, error\) \{
			return obj\.(\w+), nil
		\},
		nil,
		func\(ctx context\.Context, selections ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{
			return ec\.(marshal[\pL\pN_]+)\(ctx, selections, v\)
		\},
		(?:true|false),
		(?:true|false),
	\)
\}
`)

// scalarContext matches the field context of a scalar or enum field.
var scalarContext = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (fieldContext_\w+)\(_ context\.Context, field graphql\.CollectedField\) \(fc \*graphql\.FieldContext, err error\) \{
	return graphql\.NewScalarFieldContext\(`)

// marshalFunc matches a marshaler and its body.
var marshalFunc = regexp.MustCompile(`(?ms)^func \(ec \*executionContext\) (marshal[\pL\pN_]+)\(ctx context\.Context, sel ast\.SelectionSet, v [^)]+\) graphql\.Marshaler \{\n(.*?)^\}\n`)

// neverNull are the scalar marshalers that never answer null for a value:
// the non-null marshaler around them never reports an error.
var neverNull = regexp.MustCompile(`^\t_ = sel\n\tres := (?:scalar\.Marshal(?:String|ID|Int|Float|Decimal)|graphql\.MarshalBoolean)\(v\)\n`)

// nullWhenZero is the non-null time marshaler: null, and an error on the
// field's path, for the zero time only.
var nullWhenZero = regexp.MustCompile(`^\t_ = sel\n\tres := scalar\.MarshalTime\(v\)\n`)

// leafFields rewrites the resolution of every scalar or enum field read from
// a struct field whose marshaler reports no error (a nullable one, an enum,
// or a non-null scalar that is never null) into the marshaler's call on the
// struct field; a non-null time is marshaled so when it is not zero, and
// keeps gqlgen's resolution, which reports the null, when it is. Nothing observable changes: such a field cannot fail, and
// the field middlewares (installTransactions, installAttendanceEvents) act
// on the fields of Mutation only, which are resolvers. The field context
// and the value's boxing are saved, some eight allocations per field and
// value.
func leafFields(src []byte) []byte {
	scalars := map[string]bool{}
	for _, m := range scalarContext.FindAllSubmatch(src, -1) {
		scalars[string(m[1])] = true
	}
	safe, zeroNull := map[string]bool{}, map[string]bool{}
	for _, m := range marshalFunc.FindAllSubmatch(src, -1) {
		body := m[2]
		quiet := !bytes.Contains(body, []byte("AddError")) && !bytes.Contains(body, []byte("WrapContextMarshaler")) &&
			!bytes.Contains(body, []byte("GetFieldContext")) && !bytes.Contains(body, []byte("ec."))
		if quiet || neverNull.Match(body) {
			safe[string(m[1])] = true
		} else if nullWhenZero.Match(body) {
			zeroNull[string(m[1])] = true
		}
	}
	return leafField.ReplaceAllFunc(src, func(f []byte) []byte {
		m := leafField.FindSubmatch(f)
		if !scalars[string(m[3])] {
			return f
		}
		if zeroNull[string(m[5])] {
			open := bytes.IndexByte(f, '\n') + 1
			return fmt.Appendf(nil, "%s\t// Rewritten by internal/tools/sequential: a time read from a struct field;\n\t// the zero time keeps gqlgen's resolution, which reports it.\n\tif !obj.%s.IsZero() {\n\t\treturn ec.%s(ctx, field.Selections, obj.%s)\n\t}\n%s",
				f[:open], m[4], m[5], m[4], f[open:])
		}
		if !safe[string(m[5])] {
			return f
		}
		return fmt.Appendf(nil, "func (ec *executionContext) %s(ctx context.Context, field graphql.CollectedField, obj %s) (ret graphql.Marshaler) {\n\t// Rewritten by internal/tools/sequential: a leaf read from a struct field.\n\treturn ec.%s(ctx, field.Selections, obj.%s)\n}\n",
			m[1], m[2], m[5], m[4])
	})
}
