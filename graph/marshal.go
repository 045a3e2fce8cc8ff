package graph

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// marshalSlice replaces gqlgen's graphql.MarshalSliceConcurrently in the
// generated executor (internal/tools/sequential rewrites the calls): the
// elements are marshaled in order on the calling goroutine. Each element
// gets its own field context with its index, and a panic in one element is
// reported as gqlgen does (the error on the element's path, the other
// elements still marshaled, the list null),
// unless the panic handler is omitted.
func marshalSlice(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	// The elements' field contexts and indexes are allocated together, two
	// allocations per list instead of two per element.
	contexts, indexes := make([]graphql.FieldContext, length), make([]int, length)
	panicked := false
	for i := range length {
		indexes[i] = i
		contexts[i].Index = &indexes[i]
		childCtx := graphql.WithFieldContext(ctx, &contexts[i])
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
		} else if !marshalRecovering(childCtx, ret, i, marshalElement) {
			panicked = true
		}
	}
	if panicked {
		return nil
	}
	return ret
}

// marshalRecovering marshals element i into ret; false when it panicked
// (the panic is then an error of the element's path).
func marshalRecovering(ctx context.Context, ret graphql.Array, i int,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			ok = false
		}
	}()
	ret[i] = marshalElement(ctx, i)
	return true
}

// deferredPath replaces the generated graphql.GetPath(ctx) given to
// ProcessDeferredGroup, which ignores it when the object has no deferred
// fragments: the path is only computed when there are some.
func deferredPath(ctx context.Context, defers map[string]*graphql.FieldSetView) ast.Path {
	if len(defers) == 0 {
		return nil
	}
	return graphql.GetPath(ctx)
}

// objectValue replaces the *graphql.FieldSet an object's generated marshaler
// returns (internal/tools/sequential rewrites the returns): it writes the
// same JSON object, each collected field's alias and value in order, without
// the map of written aliases and the iterators graphql.FieldSet allocates
// for every object it writes. Aliases are GraphQL names, which need no
// escaping; field collection merges the fields of one alias, and a repeated
// alias is still written once, as graphql.FieldSet does.
type objectValue struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

func newObjectValue(fields []graphql.CollectedField, out *graphql.FieldSet) graphql.Marshaler {
	return &objectValue{fields: fields, values: out.Values}
}

func (o *objectValue) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, "{")
	for i := range o.fields {
		alias := o.fields[i].Alias
		if repeatedAlias(o.fields[:i], alias) {
			continue
		}
		if i > 0 {
			_, _ = io.WriteString(w, `,"`)
		} else {
			_, _ = io.WriteString(w, `"`)
		}
		_, _ = io.WriteString(w, alias)
		_, _ = io.WriteString(w, `":`)
		o.values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

func repeatedAlias(before []graphql.CollectedField, alias string) bool {
	for i := range before {
		if before[i].Alias == alias {
			return true
		}
	}
	return false
}

// deferLater is false: the fields of a fragment marked @defer are resolved
// and written in the initial response, as the incremental delivery proposal
// allows a server to do (@defer is a hint). The HTTP transport writes one
// response per request, and gqlgen's deferred execution left such fields
// null with "hasNext": true and no later payload. The generated executor
// tests it before deferring (internal/tools/sequential).
const deferLater = false

// startDeferred makes the set of an object's deferred fields and the map of
// their labels when the first deferred field needs them
// (internal/tools/sequential rewrites the generated code to call it): an
// object without deferred fragments, the usual case, allocates neither.
func startDeferred(fs *graphql.FieldSet, views map[string]*graphql.FieldSetView) (*graphql.FieldSet, map[string]*graphql.FieldSetView) {
	if fs == nil {
		fs, views = graphql.NewFieldSet(nil), map[string]*graphql.FieldSetView{}
	}
	return fs, views
}
