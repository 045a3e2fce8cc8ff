package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestMarshalSliceRunsInOrderAndReportsAPanic(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "items"}}})
	var order []int
	ok := marshalSlice(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		order = append(order, i)
		if got := *graphql.GetFieldContext(ctx).Index; got != i {
			t.Errorf("element %d has index %d", i, got)
		}
		return graphql.MarshalInt(i)
	})
	if len(ok) != 3 || len(order) != 3 || order[0] != 0 || order[2] != 2 {
		t.Fatalf("marshaled %v in order %v", ok, order)
	}

	order = nil
	ret := marshalSlice(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		order = append(order, i)
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	if ret != nil {
		t.Fatalf("a list with a panicked element = %v, want nil (null)", ret)
	}
	if len(order) != 3 {
		t.Fatalf("marshaled %v; the other elements are still marshaled", order)
	}
	errs := graphql.GetErrors(ctx)
	if len(errs) != 1 || errs[0].Path.String() != "items[1]" {
		t.Fatalf("errors = %v, want one at items[1]", errs)
	}
}

func TestObjectValueWritesEachAliasOnce(t *testing.T) {
	fields := []graphql.CollectedField{
		{Field: &ast.Field{Alias: "id"}}, {Field: &ast.Field{Alias: "title"}}, {Field: &ast.Field{Alias: "id"}},
	}
	out := graphql.NewFieldSet(fields)
	out.Values[0], out.Values[1], out.Values[2] = graphql.MarshalString("7"), graphql.MarshalString(`a "b"`), graphql.MarshalString("8")
	var b bytes.Buffer
	newObjectValue(fields, out).MarshalGQL(&b)
	if got, want := b.String(), `{"id":"7","title":"a \"b\""}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	b.Reset()
	newObjectValue(nil, graphql.NewFieldSet(nil)).MarshalGQL(&b)
	if b.String() != "{}" {
		t.Fatalf("empty object = %s", b.String())
	}
}

// encodeResponse writes what json.Marshal writes, as JSON values, without
// re-compacting data; an incremental payload is left to json.Marshal.
func TestEncodeResponseIsJSONMarshalsResponse(t *testing.T) {
	yes := true
	for _, resp := range []*graphql.Response{
		{Data: []byte(`{"a":"<b> & c","n":[1,2]}`)},
		{},
		{Errors: gqlerror.List{{Message: "bad", Path: ast.Path{ast.PathName("a"), ast.PathIndex(0)}, Extensions: map[string]any{"code": "BAD_USER_INPUT"}}},
			Data: []byte(`{"a":null}`), Extensions: map[string]any{"cost": 3}},
		{Errors: gqlerror.List{{Message: "no data"}}},
		{Data: []byte(`{"a":1}`), HasNext: &yes, Label: "l", Path: ast.Path{ast.PathName("a")}},
	} {
		got, err := encodeResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("%s: %v", got, err)
		}
		if err := json.Unmarshal(want, &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("got %s, want %s", got, want)
		}
		if _, ok := g.(map[string]any)["data"]; !ok {
			t.Errorf("%s has no data entry", got)
		}
	}
	if got, _ := encodeResponse(&graphql.Response{Data: []byte(`{"a":"<b>"}`)}); string(got) != `{"data":{"a":"<b>"}}` {
		t.Errorf("data is copied as written: got %s", got)
	}
}
