package database

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// On PostgreSQL, []byte and json.RawMessage arguments (ent's JSON) are passed as text, nil as
// NULL; the caller's slice is left as it was.
func TestTextArgs(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("", 3600))
	in := []any{[]byte(`["a"]`), []byte(nil), "s", 7, at, json.RawMessage(`{"b":1}`)}
	out := fixArgs(false, in)
	if want := []any{`["a"]`, nil, "s", 7, at, `{"b":1}`}; !reflect.DeepEqual(out, want) {
		t.Fatalf("got %#v, want %#v", out, want)
	}
	if _, ok := in[0].([]byte); !ok {
		t.Fatal("the caller's arguments were changed")
	}
	same := []any{"s", 7}
	if got := fixArgs(false, same); &got[0] != &same[0] {
		t.Fatal("arguments without []byte were copied")
	}
	// SQLite keeps []byte and stores times in UTC.
	if got := fixArgs(true, []any{[]byte("x"), at}); !reflect.DeepEqual(got, []any{[]byte("x"), at.UTC()}) {
		t.Fatalf("SQLite: %#v", got)
	}
}

func TestPostgresDSNAsksForOneRoundTrip(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h:5432/db?sslmode=disable": "postgres://u@h:5432/db?binary_parameters=yes&sslmode=disable",
		"postgres://u@h/db?binary_parameters=no": "postgres://u@h/db?binary_parameters=no",
		"postgresql://u:p%40ss@h/db":             "postgresql://u:p%40ss@h/db?binary_parameters=yes",
	} {
		got, err := postgresDSN(in)
		if err != nil || got != want {
			t.Errorf("postgresDSN(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
}
