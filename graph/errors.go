package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Codes of top-level errors, in extensions.code.
const (
	codeInternal  = "INTERNAL_SERVER_ERROR"
	codeBadInput  = "BAD_USER_INPUT"
	codeNotFound  = "NOT_FOUND"
	codeTooLarge  = "REQUEST_TOO_LARGE"
	codeUnauth    = "UNAUTHENTICATED"
	codeForbidden = "FORBIDDEN"
)

// errUnauthenticated is returned when a resolver runs without a viewer, which
// the authentication middleware prevents.
var errUnauthenticated = &gqlerror.Error{Message: "authentication required", Extensions: map[string]any{"code": codeUnauth}}

// userErrors splits the error of a write: nil becomes an empty list; an error
// the user can fix becomes a UserError; anything else is returned as a
// top-level error. A payload carrying user errors makes the transaction roll
// back (see rollbackUserErrors).
func userErrors(err error) ([]*UserError, error) {
	if err == nil {
		return []*UserError{}, nil
	}
	if ue := userError(err); ue != nil {
		return []*UserError{ue}, nil
	}
	return nil, err
}

// rollbackUserErrors is a field middleware: when a mutation returns a payload
// whose userErrors is not empty, the request's transaction rolls back instead
// of committing, so the mutation changes nothing even when an earlier statement
// had been written. It holds for every mutation, present and future.
func rollbackUserErrors(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" && hasUserErrors(res) {
		rollbackOnCommit(ctx)
	}
	return res, err
}

// refuseReadOnlyMutations is a field middleware: a viewer whose role may not
// write is refused every mutation with FORBIDDEN, also those that would change
// nothing (inviting someone already invited) and so never reach the privacy
// policy, which guards every actual write.
func refuseReadOnlyMutations(ctx context.Context, next graphql.Resolver) (any, error) {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" {
		if v := viewer.FromContext(ctx); !v.CanWrite() {
			return nil, privacy.Denyf("role %s may not change data", v.Role)
		}
	}
	return next(ctx)
}

func hasUserErrors(payload any) bool {
	v := reflect.ValueOf(payload)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return false
	}
	f := v.Elem().FieldByName("UserErrors")
	return f.IsValid() && f.Kind() == reflect.Slice && f.Len() > 0
}

// rollbackOnCommit makes the request's transaction roll back instead of
// committing: a payload with user errors changes nothing, even when an earlier
// statement of the same mutation had been written.
func rollbackOnCommit(ctx context.Context) {
	tx := ent.TxFromContext(ctx)
	if tx == nil {
		return
	}
	tx.OnCommit(func(ent.Committer) ent.Committer {
		return ent.CommitFunc(func(_ context.Context, tx *ent.Tx) error {
			return tx.Rollback()
		})
	})
}

// userError maps an error the user can fix to a UserError, or returns nil.
func userError(err error) *UserError {
	if ve, ok := validation.As(err); ok {
		return &UserError{Field: fieldPath(ve.Field), Message: ve.Message, Code: UserErrorCode(ve.Code)}
	}
	var entVE *ent.ValidationError
	if errors.As(err, &entVE) {
		name := graphQLName(entVE.Name)
		code, msg := UserErrorCodeInvalid, name+" "+innermost(entVE).Error()
		if strings.Contains(entVE.Error(), "missing required") {
			code, msg = UserErrorCodeRequired, name+" is required"
		}
		return &UserError{Field: fieldPath(name), Message: msg, Code: code}
	}
	var nf *ent.NotFoundError
	if errors.As(err, &nf) {
		return &UserError{Field: []string{"id"}, Message: "no " + humanLabel(nf) + " with this ID", Code: UserErrorCodeNotFound}
	}
	var ce *ent.ConstraintError
	if errors.As(err, &ce) {
		return constraintError(ce)
	}
	return nil
}

// constraintError names the field behind a database constraint. The index and
// column names differ between SQLite and PostgreSQL messages, so the match is on
// what both contain.
func constraintError(ce *ent.ConstraintError) *UserError {
	msg := strings.ToLower(ce.Error())
	switch {
	case strings.Contains(msg, "foreign key"):
		return &UserError{Field: []string{"input"}, Message: "a referenced record does not exist", Code: UserErrorCodeNotFound}
	case strings.Contains(msg, "email"):
		return &UserError{Field: fieldPath("email"), Message: "email is already used by another person of the organization", Code: UserErrorCodeTaken}
	case strings.Contains(msg, "slug"):
		return &UserError{Field: fieldPath("slug"), Message: "slug is already used by another organization", Code: UserErrorCodeTaken}
	case strings.Contains(msg, "communit") && strings.Contains(msg, "name"):
		return &UserError{Field: fieldPath("name"), Message: "name is already used by another community of the organization", Code: UserErrorCodeTaken}
	case strings.Contains(msg, "feedback"):
		return &UserError{Field: fieldPath("personID"), Message: "this person already gave feedback about this meeting", Code: UserErrorCodeTaken}
	}
	return &UserError{Field: []string{"input"}, Message: "the change conflicts with existing data", Code: UserErrorCodeConflict}
}

// humanLabel is the entity label of an ent not-found error ("meeting").
func humanLabel(err error) string {
	s := strings.TrimPrefix(err.Error(), "ent: ")
	if i := strings.Index(s, " not found"); i > 0 {
		return strings.ReplaceAll(s[:i], "_", "-") // follow_up: follow-up
	}
	return "record"
}

func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// fieldPath is the path of an input field: ["id"] for the ID argument of
// updates, ["input", name] otherwise.
func fieldPath(name string) []string {
	if name == "id" {
		return []string{"id"}
	}
	return []string{"input", name}
}

// graphQLName turns an ent field name (ends_at, objective_id) into its GraphQL
// input name (endsAt, objectiveID).
func graphQLName(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		switch parts[i] {
		case "id":
			parts[i] = "ID"
		case "ids":
			parts[i] = "IDs"
		default:
			if parts[i] != "" {
				parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
			}
		}
	}
	return strings.Join(parts, "")
}

// presentError gives every top-level error an extensions.code, and hides the
// details of server faults from clients (they are logged instead).
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	if gqlErr.Extensions != nil && gqlErr.Extensions["code"] != nil {
		return gqlErr
	}
	// gqlgen wraps what a resolver returned in a *gqlerror.Error; classify the
	// original error.
	cause := err
	var wrapped *gqlerror.Error
	if errors.As(err, &wrapped) {
		cause = wrapped.Err
	}
	var (
		nf    *ent.NotFoundError
		entVE *ent.ValidationError
		inner *gqlerror.Error
	)
	_, isValidation := validation.As(cause)
	switch {
	case cause != nil && errors.Is(cause, privacy.Deny):
		// The privacy policy's reason is written for the caller.
		gqlErr.Message = "forbidden: " + denyReason(cause)
		setCode(gqlErr, codeForbidden)
	case cause == nil, isValidation, errors.As(cause, &entVE), errors.As(cause, &inner):
		// Errors built for the client: gqlgen's and entgql's own (bad cursor,
		// first and last together), and rule violations outside a payload.
		setCode(gqlErr, codeBadInput)
	case errors.As(cause, &nf):
		gqlErr.Message = "not found: " + humanLabel(nf)
		setCode(gqlErr, codeNotFound)
	default:
		slog.ErrorContext(ctx, "request failed", "path", gqlErr.Path.String(), "error", err)
		gqlErr.Message = "internal server error"
		setCode(gqlErr, codeInternal)
	}
	return gqlErr
}

// denyReason is the reason a privacy rule gave, without ent's prefixes.
func denyReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, "ent/privacy: deny rule"); i >= 0 && i < len(msg) {
		msg = msg[:i]
	}
	msg = strings.TrimSuffix(strings.TrimSpace(msg), ":")
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg == "" {
		return "the viewer's role does not allow this"
	}
	return msg
}

func setCode(e *gqlerror.Error, code string) {
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// recoverPanic turns a panic in a resolver into an internal error, logged.
func recoverPanic(ctx context.Context, p any) error {
	return fmt.Errorf("panic in resolver: %v", p)
}
