// Package entx holds what the generated ent code calls instead of ent's own
// functions, where Rencontre does better (see ent/entc.go, which patches the
// templates).
package entx

import (
	"context"
	"encoding/json"
	"fmt"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/sqlgraph"
	"entgo.io/ent/schema/field"
)

// UpdateNode is sqlgraph.UpdateNode, ent's update of one node by its ID,
// with the node read back by the UPDATE statement itself (RETURNING, on
// PostgreSQL and SQLite) instead of by a SELECT after it: one statement
// instead of two, and no transaction of its own (one statement is atomic).
// Every UpdateOne (a participation's answer, a check-in, an edit) is one
// round trip shorter.
//
// It builds the statement as sqlgraph does for an update without edges:
// the ID, then the mutation's predicates (the privacy filters) through a
// sub-select, the cleared, set and added columns, the modifiers. An update
// that changes edges, or has no column to set, or a dialect without
// RETURNING, goes to sqlgraph.UpdateNode unchanged. When no row comes back
// (no such node, or one the predicates exclude), sqlgraph.UpdateNode runs
// the update again for its own not-found error, which the generated code
// maps to ent's NotFoundError: the update changed nothing, and changes
// nothing the second time.
func UpdateNode(ctx context.Context, drv dialect.Driver, spec *sqlgraph.UpdateSpec) error {
	if !returnable(drv.Dialect(), spec) {
		return sqlgraph.UpdateNode(ctx, drv, spec)
	}
	b := sql.Dialect(drv.Dialect())
	update := b.Update(spec.Node.Table).Schema(spec.Node.Schema).
		Where(sql.EQ(spec.Node.ID.Column, spec.Node.ID.Value))
	if spec.Predicate != nil {
		selector := b.Select().From(b.Table(spec.Node.Table).Schema(spec.Node.Schema))
		spec.Predicate(selector)
		update.FromSelect(selector)
	}
	for _, f := range spec.Fields.Clear {
		update.SetNull(f.Column)
	}
	for _, f := range spec.Fields.Set {
		value := f.Value
		if f.Type == field.TypeJSON {
			buf, err := json.Marshal(value)
			if err != nil {
				return fmt.Errorf("marshal value for column %s: %w", f.Column, err)
			}
			value = json.RawMessage(buf)
		}
		update.Set(f.Column, value)
	}
	for _, f := range spec.Fields.Add {
		update.Add(f.Column, f.Value)
	}
	for _, m := range spec.Modifiers {
		m(update)
	}
	if err := update.Err(); err != nil {
		return err
	}
	update.Returning(spec.Node.Columns...)
	query, args := update.Query()
	rows := &sql.Rows{}
	if err := drv.Query(ctx, query, args, rows); err != nil {
		return err
	}
	found, err := scan(rows, spec)
	if err != nil || found {
		return err
	}
	return sqlgraph.UpdateNode(ctx, drv, spec)
}

// returnable reports whether UpdateNode writes spec itself.
func returnable(d string, spec *sqlgraph.UpdateSpec) bool {
	return (d == dialect.Postgres || d == dialect.SQLite) &&
		spec.Node.ID != nil && len(spec.Node.CompositeID) == 0 &&
		len(spec.Edges.Add) == 0 && len(spec.Edges.Clear) == 0 &&
		spec.ScanValues != nil && spec.Assign != nil && len(spec.Node.Columns) > 0 &&
		len(spec.Fields.Set)+len(spec.Fields.Add)+len(spec.Fields.Clear) > 0
}

// scan reads the one row of rows into the node of spec, as sqlgraph does
// after its SELECT; false when there is none.
func scan(rows *sql.Rows, spec *sqlgraph.UpdateSpec) (bool, error) {
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		return false, err
	}
	if !rows.Next() {
		return false, rows.Err()
	}
	values, err := spec.ScanValues(columns)
	if err != nil {
		return false, err
	}
	for i, v := range values {
		if _, ok := v.(*sql.UnknownType); ok {
			values[i] = sql.ScanTypeOf(rows, i)
		}
	}
	if err := rows.Scan(values...); err != nil {
		return false, fmt.Errorf("failed scanning rows: %w", err)
	}
	if err := spec.Assign(columns, values); err != nil {
		return false, err
	}
	return true, rows.Close()
}
