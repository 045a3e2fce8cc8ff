// Package pagination holds the cursor predicates and null ordering of the
// generated Relay connections (ent/entc.go patches entgql's pagination
// template to call it).
//
// entgql compares a cursor with a row value, (x, id) > (x₁, id₁): a null order
// field matches no comparison, so every row with a null value is lost from the
// pages after the first, and PostgreSQL and SQLite put nulls at opposite ends.
// Here a null sorts after every value in ascending order and before every
// value in descending order, on both databases (NULLS LAST / NULLS FIRST), and
// the cursor predicates follow that order with IS NULL tests.
package pagination

import (
	"fmt"
	"slices"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
)

// Nulls is the null placement of direction: nulls are the greatest values.
func Nulls(d entgql.OrderDirection) sql.OrderTermOption {
	if d == entgql.OrderDirectionAsc {
		return sql.OrderNullsLast()
	}
	return sql.OrderNullsFirst()
}

// NullsSQL is Nulls as SQL text, for ORDER BY clauses written by hand.
func NullsSQL(d entgql.OrderDirection) string {
	if d == entgql.OrderDirectionAsc {
		return " NULLS LAST"
	}
	return " NULLS FIRST"
}

// CursorsPredicate returns the predicates that keep the rows after the after
// cursor and before the before cursor, in the order the query applies
// (opts.Directions, already reversed when the pager reads backwards, which
// reverse says). opts.FieldID breaks ties.
func CursorsPredicate[T any](after, before *entgql.Cursor[T], reverse bool, opts *entgql.MultiCursorsOptions) ([]func(*sql.Selector), error) {
	var predicates []func(*sql.Selector)
	for _, c := range []struct {
		cursor *entgql.Cursor[T]
		// forward: the rows kept come after the cursor in the applied order.
		forward bool
	}{{after, !reverse}, {before, reverse}} {
		if c.cursor == nil {
			continue
		}
		p, err := predicate(c.cursor, opts, c.forward)
		if err != nil {
			return nil, err
		}
		predicates = append(predicates, p)
	}
	return predicates, nil
}

func predicate[T any](cursor *entgql.Cursor[T], opts *entgql.MultiCursorsOptions, forward bool) (func(*sql.Selector), error) {
	var values []any
	if cursor.Value != nil {
		v, ok := cursor.Value.([]any)
		if !ok {
			return nil, fmt.Errorf("cursor value %T is not a list", cursor.Value)
		}
		values = v
	}
	fields := slices.Clone(opts.Fields)
	directions := slices.Clone(opts.Directions)
	if len(values) != len(fields) {
		return nil, fmt.Errorf("the cursor has %d values for %d order fields", len(values), len(fields))
	}
	if len(directions) != len(fields) {
		return nil, fmt.Errorf("%d directions for %d order fields", len(directions), len(fields))
	}
	values = slices.Clone(values)
	// The ID makes the row value unique; its value is the cursor's ID.
	if i := slices.Index(fields, opts.FieldID); i >= 0 {
		values[i] = cursor.ID
	} else {
		fields = append(fields, opts.FieldID)
		directions = append(directions, opts.DirectionID)
		values = append(values, cursor.ID)
	}
	if !forward {
		for i := range directions {
			directions[i] = directions[i].Reverse()
		}
	}
	return func(s *sql.Selector) {
		// (x after x₁) OR (x = x₁ AND y after y₁) OR …, where "=" is
		// null-safe and "after" puts nulls past every value.
		var or []*sql.Predicate
		for i := range fields {
			after := beyond(s.C(fields[i]), values[i], directions[i])
			if after == nil {
				continue // nothing comes after a null
			}
			ands := make([]*sql.Predicate, 0, i+1)
			for j := range i {
				ands = append(ands, same(s.C(fields[j]), values[j]))
			}
			or = append(or, sql.And(append(ands, after)...))
		}
		if len(or) == 0 {
			s.Where(sql.False())
			return
		}
		s.Where(sql.Or(or...))
	}, nil
}

// beyond is "column comes after v in direction d", nulls being the greatest
// values; nil when nothing can.
func beyond(column string, v any, d entgql.OrderDirection) *sql.Predicate {
	switch {
	case d == entgql.OrderDirectionAsc && v == nil:
		return nil
	case d == entgql.OrderDirectionAsc:
		return sql.Or(sql.GT(column, v), sql.IsNull(column))
	case v == nil:
		return sql.NotNull(column)
	default:
		return sql.LT(column, v)
	}
}

// same is a null-safe equality.
func same(column string, v any) *sql.Predicate {
	if v == nil {
		return sql.IsNull(column)
	}
	return sql.EQ(column, v)
}
