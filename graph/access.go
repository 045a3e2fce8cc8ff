package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/internal/viewer"
)

// contactFilterGuard keeps a viewer who may not see contact details from
// learning them indirectly: filtering or ordering people by email or phone, or
// filtering by touchpoints, would reveal what the model hides in the results.
// The operation is refused with FORBIDDEN before anything runs.
type contactFilterGuard struct{}

var (
	_ graphql.HandlerExtension        = contactFilterGuard{}
	_ graphql.OperationContextMutator = contactFilterGuard{}
)

// ExtensionName implements graphql.HandlerExtension.
func (contactFilterGuard) ExtensionName() string { return "ContactFilterGuard" }

// Validate implements graphql.HandlerExtension.
func (contactFilterGuard) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (contactFilterGuard) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	// Mutations are left to the privacy policy, which refuses every write of
	// such a viewer with a clearer reason.
	if oc.Operation == nil || oc.Operation.Operation == ast.Mutation || viewer.FromContext(ctx).SeesContactDetails() {
		return nil
	}
	var found *ast.Field
	walkFields(oc.Operation.SelectionSet, func(f *ast.Field) bool {
		for _, v := range f.ArgumentMap(oc.Variables) {
			if revealsContact(v) {
				found = f
				return false
			}
		}
		return true
	})
	if found == nil {
		return nil
	}
	e := gqlerror.ErrorPosf(found.Position, "forbidden: role %s may not filter or order by email, phone or touchpoints (on %s)",
		viewer.FromContext(ctx).Role, found.Name)
	setCode(e, codeForbidden)
	return e
}

// revealsContact reports an argument value that filters on email, phone or
// touchpoints, or orders by email.
func revealsContact(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if strings.HasPrefix(k, "email") || strings.HasPrefix(k, "phone") || strings.HasPrefix(k, "hasTouchpoints") {
				return true
			}
			if k == "field" && child == "EMAIL" {
				return true
			}
			if revealsContact(child) {
				return true
			}
		}
	case []any:
		for _, child := range v {
			if revealsContact(child) {
				return true
			}
		}
	}
	return false
}

// walkFields calls visit for every field of a selection set, fragments
// included, until visit returns false.
func walkFields(set ast.SelectionSet, visit func(*ast.Field) bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !visit(s) || !walkFields(s.SelectionSet, visit) {
				return false
			}
		case *ast.InlineFragment:
			if !walkFields(s.SelectionSet, visit) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && !walkFields(s.Definition.SelectionSet, visit) {
				return false
			}
		}
	}
	return true
}
