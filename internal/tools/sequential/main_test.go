package main

import (
	"bytes"
	"strings"
	"testing"
)

// generated is a cut of gqlgen's executor with each pattern the rewrite
// knows.
var generated = `package graph

func (ec *executionContext) marshalNMeeting(ctx context.Context, sel ast.SelectionSet, v []*ent.Meeting) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		return ec.marshalNMeeting2(ctx, sel, v[i])
	})
	return ret
}

type executionContext struct {
	*graphql.ExecutionContextState[ResolverRoot, DirectiveRoot, ComplexityRoot]
}

func (ec *executionContext) _Query(ctx context.Context, sel ast.SelectionSet) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, queryImplementors)
	out := graphql.NewFieldSet(fields)
	for i, field := range fields {
		switch field.Name {
		case "meetings":
			out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })
		}
	}
	out.Dispatch(ctx)
	return out
}

func (ec *executionContext) _Meeting(ctx context.Context, sel ast.SelectionSet, obj *ent.Meeting) graphql.Marshaler {
	fields := graphql.CollectFields(ec.OperationContext, sel, meetingImplementors)

	out := graphql.NewFieldSet(fields)
	deferredFieldSet := graphql.NewFieldSet(nil)
	deferLabelToView := make(map[string]*graphql.FieldSetView)
	for i, field := range fields {
		switch field.Name {
		case "participations":
			if field.IsDeferred() {
				deferredFieldSet.AddField(field)
				continue
			}
			out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return innerFunc(ctx, out) })
		}
	}
	out.Dispatch(ctx)
	ec.ProcessDeferredGroup(graphql.DeferredGroup{
		Defers:   deferLabelToView,
		Path:     graphql.GetPath(ctx),
		FieldSet: deferredFieldSet,
		Context:  ctx,
	})

	return out
}

func (ec *executionContext) fieldContext_Meeting_participations(ctx context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	if fc.Args, err = ec.field_Meeting_participations_args(ctx, field.ArgumentMap(ec.Variables)); err != nil {
		return fc, err
	}
	return fc, nil
}

func (ec *executionContext) fieldContext_Meeting_title(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("Meeting", field, false, false, errors.New("field of type String does not have child fields"))
}
` + leaf("title", "string", "marshalNString2string") + leaf("startsAt", "time.Time", "marshalNTime2timeᚐTime") + `
func (ec *executionContext) fieldContext_Meeting_startsAt(_ context.Context, field graphql.CollectedField) (fc *graphql.FieldContext, err error) {
	return graphql.NewScalarFieldContext("Meeting", field, false, false, errors.New("field of type Time does not have child fields"))
}

func (ec *executionContext) marshalNString2string(ctx context.Context, sel ast.SelectionSet, v string) graphql.Marshaler {
	_ = sel
	res := scalar.MarshalString(v)
	if res == graphql.Null {
		if !graphql.HasFieldError(ctx, graphql.GetFieldContext(ctx)) {
			graphql.AddErrorf(ctx, "the requested element is null which the schema does not allow")
		}
	}
	return res
}

func (ec *executionContext) marshalNTime2timeᚐTime(ctx context.Context, sel ast.SelectionSet, v time.Time) graphql.Marshaler {
	_ = sel
	res := scalar.MarshalTime(v)
	if res == graphql.Null {
		if !graphql.HasFieldError(ctx, graphql.GetFieldContext(ctx)) {
			graphql.AddErrorf(ctx, "the requested element is null which the schema does not allow")
		}
	}
	return res
}
`

// leaf is gqlgen's resolution of Meeting.field read from a struct field.
func leaf(field, typ, marshal string) string {
	goField := strings.ToUpper(field[:1]) + field[1:]
	return `
func (ec *executionContext) _Meeting_` + field + `(ctx context.Context, field graphql.CollectedField, obj *ent.Meeting) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext_Meeting_` + field + `(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.` + goField + `, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v ` + typ + `) graphql.Marshaler {
			return ec.` + marshal + `(ctx, selections, v)
		},
		true,
		true,
	)
}
`
}

func TestApplyRewritesEveryPattern(t *testing.T) {
	out, err := apply([]byte(generated))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		"ret := marshalSlice(ctx, len(v), 0, false,",
		"out.Values[i] = innerFunc(ctx, out)",
		"Path:     deferredPath(ctx, deferLabelToView),",
		"return newObjectValue(fields, out)\n}",
		"graphql.NewScalarFieldContext(\"Meeting\", field, false, false, errNoChildFieldsString)",
		"errNoChildFieldsString = errors.New(\"field of type String does not have child fields\")",
		// A string is never null: its field is marshaled directly.
		"return ec.marshalNString2string(ctx, field.Selections, obj.Title)\n}",
		// A zero time is null and an error of the field's path: its field
		// keeps gqlgen's resolution for it.
		"\tif !obj.StartsAt.IsZero() {\n\t\treturn ec.marshalNTime2timeᚐTime(ctx, field.Selections, obj.StartsAt)\n\t}\n\treturn graphql.ResolveField(",
		"return obj.StartsAt, nil",
		// Deferred fragments are resolved inline; the set of deferred
		// fields is made only when one is deferred.
		"\tvar deferredFieldSet *graphql.FieldSet\n\tvar deferLabelToView map[string]*graphql.FieldSetView\n",
		"if deferLater && field.IsDeferred() {\n\t\t\t\tdeferredFieldSet, deferLabelToView = startDeferred(deferredFieldSet, deferLabelToView)",
		// The root fields stay concurrent and dispatched; an object's are
		// not.
		"out.Concurrently(i, func(ctx context.Context) graphql.Marshaler { return rrm(innerCtx) })\n\t\t}\n\t}\n\tout.Dispatch(ctx)\n",
		"\t// Rewritten by internal/tools/sequential: no concurrent field to dispatch.\n\tec.ProcessDeferredGroup(",
		// The operation's cache.
		"\t// Added by internal/tools/sequential: see operationCache.\n\toperationCache\n}",
		"fields := ec.collectFields(ec.OperationContext, sel, queryImplementors)",
		"fields := ec.collectFields(ec.OperationContext, sel, meetingImplementors)",
		`if fc.Args, err = ec.fieldArgs(ctx, ec.Variables, field, "field_Meeting_participations_args", ec.field_Meeting_participations_args); err != nil {`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("rewritten code lacks %q", want)
		}
	}
	for _, gone := range []string{"MarshalSliceConcurrently", "return innerFunc(ctx, out) })", "graphql.GetPath(ctx)", "\treturn out\n}\n\nfunc (ec *executionContext) fieldContext",
		"graphql.CollectFields(", "ArgumentMap(", "make(map[string]*graphql.FieldSetView)"} {
		if strings.Contains(s, gone) {
			t.Errorf("rewritten code still has %q", gone)
		}
	}
	again, err := apply(out)
	if err != nil {
		t.Fatalf("second run: %v", err)
	}
	if !bytes.Equal(again, out) {
		t.Error("a second run changed the code")
	}
}

// A gqlgen whose output no longer has a pattern fails the generation
// instead of leaving the executor concurrent.
func TestApplyRefusesCodeWithoutAPattern(t *testing.T) {
	src := strings.Replace(generated, "graphql.MarshalSliceConcurrently(", "graphql.MarshalSliceInParallel(", 1)
	if _, err := apply([]byte(src)); err == nil || !strings.Contains(err.Error(), "MarshalSliceConcurrently") {
		t.Fatalf("err = %v, want one naming the missing pattern", err)
	}
}
