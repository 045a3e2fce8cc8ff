package graph

import (
	"context"
	"sync"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// operationCache keeps, for one operation, what the generated executor would
// otherwise compute again for every object of a list: the fields collected
// from a selection set for a type, and the arguments of a field.
// internal/tools/sequential embeds it in the generated executionContext,
// which lives for one operation, and rewrites the calls to use it.
//
// Both depend only on the operation's document and variables, which do not
// change while it runs. The root fields of a query run concurrently, hence
// the lock.
type operationCache struct {
	mu        sync.Mutex
	collected map[collectedKey][]graphql.CollectedField
	args      map[argsKey]map[string]any
}

// collectedKey names a selection set by its elements' address and length,
// as gqlgen's own cache does, and the type by its implementors slice, one
// package-level variable per type in the generated code.
type collectedKey struct {
	selection  unsafe.Pointer
	length     int
	implements *string
}

// argsKey names a field of the document and the generated function that
// reads its arguments (one per type and field: a fragment's field may be
// collected for several types).
type argsKey struct {
	field *ast.Field
	fn    string
}

// collectFields replaces the generated graphql.CollectFields calls of
// objects: gqlgen's cache hashes the implementors' names, allocating, for
// every object; this one is keyed by addresses.
func (c *operationCache) collectFields(opCtx *graphql.OperationContext, sel ast.SelectionSet, implements []string) []graphql.CollectedField {
	if len(sel) == 0 || len(implements) == 0 {
		return graphql.CollectFields(opCtx, sel, implements)
	}
	key := collectedKey{unsafe.Pointer(unsafe.SliceData(sel)), len(sel), unsafe.SliceData(implements)}
	c.mu.Lock()
	fields, ok := c.collected[key]
	c.mu.Unlock()
	if ok {
		return fields
	}
	fields = graphql.CollectFields(opCtx, sel, implements)
	c.mu.Lock()
	if c.collected == nil {
		c.collected = map[collectedKey][]graphql.CollectedField{}
	}
	c.collected[key] = fields
	c.mu.Unlock()
	return fields
}

// fieldArgs replaces the generated reading of a field's arguments in its
// field context: the same field of the document has the same arguments for
// every object of a list, so they are read (the values unmarshaled and
// validated, an input's resolvers run) once per operation. An error is not
// kept: every object reports it, as before. The map is shared by the field
// contexts of the field, which only read it.
func (c *operationCache) fieldArgs(ctx context.Context, vars map[string]any, field graphql.CollectedField, fn string,
	read func(ctx context.Context, raw map[string]any) (map[string]any, error)) (map[string]any, error) {
	key := argsKey{field.Field, fn}
	c.mu.Lock()
	args, ok := c.args[key]
	c.mu.Unlock()
	if ok {
		return args, nil
	}
	args, err := read(ctx, field.ArgumentMap(vars))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.args == nil {
		c.args = map[argsKey]map[string]any{}
	}
	c.args[key] = args
	c.mu.Unlock()
	return args, nil
}
