package graph

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/viewer"
)

// contactFilterGuard keeps a viewer who may not see contact details from
// learning them indirectly: filtering or ordering people by email or phone, or
// filtering by touchpoints, would reveal what the model hides in the results.
// The operation is refused with FORBIDDEN before anything runs. The same
// guard keeps a viewer who may not see VIP guest lists from filtering meetings
// or people through their participations, encounters or feedback (see
// revealsGuestList).
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
	if oc.Operation == nil || oc.Operation.Operation == ast.Mutation {
		return nil
	}
	v := viewer.FromContext(ctx)
	var checks []argCheck
	if !v.SeesContactDetails() {
		checks = append(checks, argCheck{revealsContact, "may not filter or order by email, phone or touchpoints"})
	}
	if !policy.SeesVIPGuestLists(v) {
		checks = append(checks, argCheck{revealsGuestList, "may not filter by participations, encounters, feedback or follow-ups (VIP guest lists are hidden)"})
	}
	if len(checks) == 0 {
		return nil
	}
	var found *ast.Field
	var message string
	walkFields(oc.Operation.SelectionSet, func(f *ast.Field) bool {
		for _, val := range f.ArgumentMap(oc.Variables) {
			for _, c := range checks {
				if c.refused(val) {
					found, message = f, c.message
					return false
				}
			}
		}
		return true
	})
	if found == nil {
		return nil
	}
	e := gqlerror.ErrorPosf(found.Position, "forbidden: role %s %s (on %s)", roleName(v), message, found.Name)
	setCode(e, codeForbidden)
	return e
}

// argCheck refuses an operation whose arguments match refused, with message.
type argCheck struct {
	refused func(any) bool
	message string
}

func roleName(v *viewer.Viewer) viewer.Role {
	if v == nil {
		return "none"
	}
	return v.Role
}

// guestListEdges are the filters through the records of a meeting's guests:
// participations, encounters, feedback and follow-ups (owned, or concerning
// a person).
var guestListEdges = []string{"hasParticipations", "hasEncounters", "hasFeedbacks", "hasFollowUps", "hasConcernedBy"}

// revealsGuestList reports an argument value that filters through the
// participations, encounters, feedback or follow-ups of meetings or people
// (hasParticipations, hasParticipationsWith, hasEncounters…, hasFeedbacks…,
// at any depth). Such predicates are SQL subqueries that ent privacy does not
// filter, so they would tell a viewer who may not see VIP guest lists who
// takes part in a VIP meeting. Filters on the fields of the participations,
// encounters and feedback connections themselves are fine: those queries are
// filtered by the privacy policy.
func revealsGuestList(v any) bool {
	return anyKey(v, func(k string, _ any) bool {
		for _, edge := range guestListEdges {
			if strings.HasPrefix(k, edge) {
				return true
			}
		}
		return false
	})
}

// anyKey reports whether match holds for a key of an object found anywhere in
// an argument value (read by reflection, see revealsContact).
func anyKey(v any, match func(k string, val any) bool) bool {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Interface || rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return false
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.Map:
		iter := rv.MapRange()
		for iter.Next() {
			if match(fmt.Sprint(iter.Key().Interface()), iter.Value().Interface()) || anyKey(iter.Value().Interface(), match) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			if anyKey(rv.Index(i).Interface(), match) {
				return true
			}
		}
	}
	return false
}

// revealsContact reports an argument value that filters on email, phone or
// touchpoints, or orders by email. Values come from literals or from coerced
// variables, whose lists and objects may have any element type (gqlparser
// wraps a single variable object given for a list in a typed slice), so
// anyKey reads them by reflection.
func revealsContact(v any) bool {
	return anyKey(v, func(k string, val any) bool {
		return strings.HasPrefix(k, "email") || strings.HasPrefix(k, "phone") || strings.HasPrefix(k, "hasTouchpoints") ||
			k == "field" && fmt.Sprint(val) == "EMAIL"
	})
}

// walkFields calls visit for every field of a selection set and of the
// fragments it spreads, until visit returns false. Each fragment definition is
// walked once, however often it is spread: following every spread takes time
// exponential in the size of the document (a 1 KB query whose fragments each
// spread the next one twice has a million fields), and visitors look at a
// field's arguments and definition, which are the same at every spread.
func walkFields(set ast.SelectionSet, visit func(*ast.Field) bool) bool {
	w := fieldWalker{visit: visit, walked: map[*ast.FragmentDefinition]bool{}}
	return w.walk(set)
}

type fieldWalker struct {
	visit  func(*ast.Field) bool
	walked map[*ast.FragmentDefinition]bool
}

func (w fieldWalker) walk(set ast.SelectionSet) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !w.visit(s) || !w.walk(s.SelectionSet) {
				return false
			}
		case *ast.InlineFragment:
			if !w.walk(s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || w.walked[s.Definition] {
				continue
			}
			w.walked[s.Definition] = true
			if !w.walk(s.Definition.SelectionSet) {
				return false
			}
		}
	}
	return true
}
