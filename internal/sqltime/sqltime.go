// Package sqltime compares, orders and reads time columns the same way on
// PostgreSQL and SQLite in hand-written SQL: PostgreSQL's timestamptz compares
// by the instant; SQLite stores text, so it goes through unixepoch.
package sqltime

import (
	"fmt"
	"math"
	"time"

	"entgo.io/ent/dialect"
)

// Expr is the time column col as something that compares and orders by the
// instant in dialect d.
func Expr(d, col string) string {
	if d == dialect.SQLite {
		return "unixepoch(" + col + ", 'subsec')"
	}
	return col
}

// Arg is the value t compares with in Expr's terms.
func Arg(d string, t time.Time) any {
	if d == dialect.SQLite {
		return float64(t.UnixNano()) / 1e9
	}
	return t
}

// Scan reads an aggregate of Expr (MAX, MIN): a time on PostgreSQL, seconds
// since the epoch on SQLite; nil for SQL NULL. The result is in UTC.
func Scan(v any) (*time.Time, error) {
	var t time.Time
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		t = x
	case float64:
		sec, frac := math.Modf(x)
		t = time.Unix(int64(sec), int64(math.Round(frac*1e6))*1e3)
	case int64:
		t = time.Unix(x, 0)
	case string:
		p, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return nil, err
		}
		t = p
	default:
		return nil, fmt.Errorf("unexpected %T for a time", v)
	}
	t = t.UTC()
	return &t, nil
}
