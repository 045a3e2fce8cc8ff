// Package scalar reads and writes the GraphQL scalars of Rencontre. Every value
// a client sends is checked here, before any resolver runs, and a malformed
// one is refused with an *Error that says what was wrong and what is expected;
// the GraphQL layer reports it as BAD_USER_INPUT, never as a server fault.
//
// gqlgen binds the scalars to these functions (gqlgen.yml: ID, Int, Float, Decimal,
// String, Time, Cursor).
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/money"
)

// Error is a malformed input value.
type Error struct{ Message string }

// Error implements error.
func (e *Error) Error() string { return e.Message }

func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// quote shows a client's value in a message, shortened: messages must not
// echo a large input back.
func quote(v any) string {
	var s string
	switch v := v.(type) {
	case string:
		s = strconv.Quote(v)
	case json.Number:
		s = v.String()
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprintf("a %T", v)
		}
		s = string(b)
	}
	if len(s) > 40 {
		s = s[:37] + "…"
	}
	return s
}

// MarshalID writes an ID: the decimal digits of the record's number, as a
// string.
func MarshalID(id int) graphql.Marshaler { return graphql.MarshalIntID(id) }

// UnmarshalID reads an ID: a string of decimal digits (a JSON number is
// accepted too), positive and within 64 bits.
func UnmarshalID(v any) (int, error) {
	var s string
	switch v := v.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	default:
		return 0, errorf("an ID must be a string of digits such as \"25769803786\", got %s", quote(v))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != s {
		return 0, errorf("%s is not an ID: IDs are strings of digits such as \"25769803786\"", quote(v))
	}
	return int(n), nil
}

// MarshalInt writes an Int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads an Int: a whole number within 32 bits, as GraphQL
// defines Int.
func UnmarshalInt(v any) (int, error) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case json.Number:
		i, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil {
			return 0, errorf("%s is not an Int: a whole number between %d and %d is expected", quote(v), math.MinInt32, math.MaxInt32)
		}
		n = i
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, errorf("%s is not an Int: a whole number is expected", quote(v))
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return 0, errorf("%s is out of the range of Int (%d to %d)", quote(v), math.MinInt32, math.MaxInt32)
		}
		n = int64(v)
	default:
		return 0, errorf("%s is not an Int: a whole number is expected", quote(v))
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, errorf("%s is out of the range of Int (%d to %d)", quote(v), math.MinInt32, math.MaxInt32)
	}
	return int(n), nil
}

// MarshalFloat writes a Float.
func MarshalFloat(f float64) graphql.Marshaler { return graphql.MarshalFloat(f) }

// UnmarshalFloat reads a Float: a finite number.
func UnmarshalFloat(v any) (float64, error) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case json.Number:
		x, err := strconv.ParseFloat(v.String(), 64)
		if err != nil {
			return 0, errorf("%s is not a Float: a finite number is expected", quote(v))
		}
		f = x
	default:
		return 0, errorf("%s is not a Float: a number is expected", quote(v))
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errorf("%s is not a Float: a finite number is expected", quote(v))
	}
	return f, nil
}

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String: valid UTF-8 without NUL characters, which
// PostgreSQL cannot store and no text needs.
func UnmarshalString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", errorf("%s is not a String: a JSON string is expected", quote(v))
	}
	if strings.IndexByte(s, 0) >= 0 {
		return "", errorf("a String must not contain the NUL character (U+0000)")
	}
	if !utf8.ValidString(s) {
		return "", errorf("a String must be valid UTF-8")
	}
	return s, nil
}

// Earliest and latest instants a Time may hold: RFC 3339 has four-digit years,
// in every offset (a day of margin on each side).
var (
	Earliest = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(9999, 12, 30, 23, 59, 59, 999999999, time.UTC)
)

// MarshalTime writes a Time in RFC 3339 with its offset.
func MarshalTime(t time.Time) graphql.Marshaler { return graphql.MarshalTime(t) }

// UnmarshalTime reads a Time: an RFC 3339 date-time with an offset
// ("2027-04-01T09:00:00+02:00" or "…Z"), between the years 0001 and 9999.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, errorf("%s is not a Time: an RFC 3339 date-time string such as \"2027-04-01T09:00:00+02:00\" is expected", quote(v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errorf("%s is not an RFC 3339 date-time with an offset, such as \"2027-04-01T09:00:00+02:00\" or \"2027-04-01T07:00:00Z\"", quote(v))
	}
	if t.Before(Earliest) || t.After(Latest) {
		return time.Time{}, errorf("%s is out of range: a Time must lie between the years 0001 and 9999", quote(v))
	}
	return t, nil
}

// MarshalCursor writes a pagination cursor (opaque to clients).
func MarshalCursor(c ent.Cursor) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { c.MarshalGQL(w) })
}

// UnmarshalCursor reads a cursor that this server wrote (the endCursor or
// startCursor of a page, or an edge's cursor).
func UnmarshalCursor(v any) (ent.Cursor, error) {
	var c ent.Cursor
	s, ok := v.(string)
	if !ok {
		return c, errorf("%s is not a cursor: pass a cursor string from a previous page (pageInfo.endCursor or edges.cursor)", quote(v))
	}
	if err := c.UnmarshalGQL(s); err != nil || c.ID < 1 || !cursorValue(c.Value) {
		return ent.Cursor{}, errorf("%s is not a cursor of this API: pass a cursor string from a previous page (pageInfo.endCursor or edges.cursor)", quote(v))
	}
	return c, nil
}

// cursorValue reports a value that an order field can hold: the cursors this
// server writes carry nothing else.
// With orderBy, a cursor holds the list of the order fields' values.
func cursorValue(v any) bool {
	switch v := v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, time.Time:
		return true
	case []any:
		for _, e := range v {
			if _, isList := e.([]any); isList || !cursorValue(e) {
				return false
			}
		}
		return true
	}
	return false
}

// MarshalDecimal writes an amount of money as a JSON string such as
// "1234.50", so that no client reads it into a float by accident.
func MarshalDecimal(a money.Amount) graphql.Marshaler { return graphql.MarshalString(a.String()) }

// UnmarshalDecimal reads an amount of money: a string such as "1234.50"
// (preferred), or a number, read through its decimal text, so 12.34 is
// exactly 12.34.
func UnmarshalDecimal(v any) (money.Amount, error) {
	var (
		a   money.Amount
		err error
	)
	switch v := v.(type) {
	case string:
		a, err = money.Parse(v)
	case json.Number:
		a, err = money.Parse(v.String())
	case int:
		a, err = money.Parse(strconv.Itoa(v))
	case int64:
		a, err = money.Parse(strconv.FormatInt(v, 10))
	case float64:
		a, err = money.FromFloat(v)
	default:
		return 0, errorf("%s is not a Decimal: a decimal number such as \"1234.50\" is expected", quote(v))
	}
	if err != nil {
		return 0, errorf("%s is not a Decimal: a decimal number such as \"1234.50\" with at most %d decimals is expected", quote(v), money.Scale)
	}
	return a, nil
}
