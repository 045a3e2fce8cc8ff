package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/graph/scalar"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/validation"
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
// back (see installTransactions).
func userErrors(err error) ([]*UserError, error) {
	if err == nil {
		return []*UserError{}, nil
	}
	if ue := userError(err); ue != nil {
		return []*UserError{ue}, nil
	}
	return nil, err
}

// UserError is a problem in the input of a mutation that the user can fix. It
// is bound to the GraphQL type UserError (gqlgen.yml); cause keeps the error
// it was made from, so that a mutation can be retried when that error came
// from a concurrent transaction.
type UserError struct {
	// Path to the input field at fault, such as `["input", "endsAt"]`.
	Field []string `json:"field"`
	// What is wrong, naming the field and the rule.
	Message string `json:"message"`
	// A stable code for programs.
	Code UserErrorCode `json:"code"`

	cause error
}

// userError maps an error the user can fix to a UserError, or returns nil.
func userError(err error) *UserError {
	ue := userErrorOf(err)
	if ue != nil {
		ue.cause = err
	}
	return ue
}

func userErrorOf(err error) *UserError {
	if ve, ok := validation.As(err); ok {
		name := graphQLName(ve.Field)
		return &UserError{Field: fieldPath(name), Message: fieldMessage(name, ve.Message), Code: UserErrorCode(ve.Code)}
	}
	var entVE *ent.ValidationError
	if errors.As(err, &entVE) {
		name := graphQLName(entVE.Name)
		code, msg := UserErrorCodeInvalid, fieldMessage(name, innermost(entVE).Error())
		if strings.Contains(entVE.Error(), "missing required") {
			code, msg = UserErrorCodeRequired, fieldMessage(name, "is required")
		}
		return &UserError{Field: fieldPath(name), Message: msg, Code: code}
	}
	var nf *ent.NotFoundError
	if errors.As(err, &nf) {
		return &UserError{Field: []string{"id"}, Message: fieldMessage("id", "no "+humanLabel(nf)+" with this ID"), Code: UserErrorCodeNotFound}
	}
	if v, ok := database.ConstraintViolation(err); ok {
		return constraintError(v)
	}
	return nil
}

// fieldMessage is the message of a user error on the input field name (a
// GraphQL name): the name, a colon, then what is wrong as the model or domain
// layer said it ("endsAt: must be after the start (…)", "meetingID: no meeting
// with ID 5"). Those layers never name GraphQL fields; this is where the name
// is attached, once.
func fieldMessage(name, problem string) string {
	return name + ": " + problem
}

// takenMessages are the messages of unique constraints, by table: the field is
// the constraint's column other than the organization.
var takenMessages = map[string]string{
	"persons":       "is already used by another person of the organization",
	"organizations": "is already used by another organization",
	"communities":   "is already used by another community of the organization",
	"feedbacks":     "this person already gave feedback about this meeting",
}

// constraintError names the field behind a broken database constraint, read
// from the driver's error by database.ConstraintViolation.
func constraintError(v database.Violation) *UserError {
	if v.Kind == database.ForeignKey {
		return &UserError{Field: []string{"input"}, Message: "a referenced record does not exist", Code: UserErrorCodeNotFound}
	}
	var column string
	for _, c := range v.Columns {
		if c != "organization_id" && c != "meeting_id" {
			column = c
		}
	}
	if column == "" {
		return &UserError{Field: []string{"input"}, Message: "the change conflicts with existing data", Code: UserErrorCodeConflict}
	}
	name := graphQLName(column)
	msg, ok := takenMessages[v.Table]
	if !ok {
		msg = "is already used"
	}
	return &UserError{Field: fieldPath(name), Message: fieldMessage(name, msg), Code: UserErrorCodeTaken}
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
	if topLevelArgument[name] {
		return []string{name}
	}
	return []string{"input", name}
}

// topLevelArgument are the arguments of mutations given beside their input.
var topLevelArgument = map[string]bool{"id": true, "fromMeetingID": true, "scope": true}

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
	var malformed *scalar.Error
	switch {
	case errors.As(cause, &malformed):
		// A value a client sent that is not of its scalar's form: the message
		// says what is expected; the path names the argument or input field.
		setCode(gqlErr, codeBadInput)
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
