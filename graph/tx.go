package graph

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"reflect"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/viewer"
)

// maxAttempts bounds how often one mutation runs when its transaction meets a
// concurrent one (serialization failure, deadlock, or the same row inserted
// by a parallel request): idempotent mutations then succeed on a later
// attempt, which sees the other transaction's committed work.
const maxAttempts = 5

// installTransactions makes every root field of a mutation its own unit of
// work: it runs in its own transaction, committed when the field's payload
// has no user errors and the resolver returned no error, rolled back
// otherwise. A later field's failure does not undo an earlier field's
// success, and what a payload reports as done is committed. The transaction
// stays open while the payload is resolved, so that its fields read what the
// mutation wrote.
func installTransactions(srv *handler.Server, client *ent.Client) {
	srv.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
			return next(ctx)
		}
		u := &unit{client: client}
		// The payload's fields are resolved concurrently in the transaction.
		m := next(database.SharedTx(context.WithValue(ctx, unitKey{}, u)))
		if err := u.finish(ctx); err != nil {
			graphql.AddError(ctx, err)
			return graphql.Null
		}
		return m
	})
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		u, _ := ctx.Value(unitKey{}).(*unit)
		fc := graphql.GetFieldContext(ctx)
		if u == nil || fc == nil || fc.Object != "Mutation" || !fc.IsResolver {
			return next(ctx)
		}
		// A viewer whose role may not write is refused every mutation, also
		// those that would change nothing (inviting someone already invited)
		// and so never reach the privacy policy, which guards every write.
		if v := viewer.FromContext(ctx); !v.CanWrite() && !answersOwnInvitation[fc.Field.Name] {
			return nil, privacy.Denyf("role %s may not change data", v.Role)
		}
		return u.run(ctx, next)
	})
}

// fieldMiddlewareForMutationsOnly resolves the fields of queries and
// subscriptions without the field middlewares (the transaction and the
// attendance events of installTransactions and installAttendanceEvents),
// which act on the root fields of mutations only: each field of a query is
// spared the middlewares' closures and context lookups.
type fieldMiddlewareForMutationsOnly struct{}

func (fieldMiddlewareForMutationsOnly) ExtensionName() string {
	return "FieldMiddlewareForMutationsOnly"
}

func (fieldMiddlewareForMutationsOnly) Validate(graphql.ExecutableSchema) error { return nil }

func (fieldMiddlewareForMutationsOnly) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation != nil && oc.Operation.Operation != ast.Mutation {
		oc.ResolverMiddleware = resolveDirectly
	}
	return nil
}

func resolveDirectly(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) }

// answersOwnInvitation are the mutations by which an account answers an
// invitation addressed to its own email: they change no data of the token's
// organization, so a read-only role may make them.
var answersOwnInvitation = map[string]bool{"membershipAccept": true, "membershipDecline": true}

type unitKey struct{}

// dryRunKey marks a request whose mutations are all rolled back, for tests
// that try many mutations on the same data (see DryRun in export_test.go).
type dryRunKey struct{}

// unit is the transaction of one root mutation field.
type unit struct {
	client *ent.Client
	tx     *ent.Tx
	failed bool // roll back: the resolver failed or reported user errors
}

// run resolves the mutation field in a new transaction, again in a fresh one
// when a concurrent transaction made it fail in a way a retry can fix.
func (u *unit) run(ctx context.Context, next graphql.Resolver) (any, error) {
	for attempt := 1; ; attempt++ {
		tx, err := u.client.Tx(ctx)
		if err != nil {
			return nil, fmt.Errorf("starting transaction: %w", err)
		}
		u.tx = tx
		res, err := next(ent.NewTxContext(ent.NewContext(ctx, tx.Client()), tx))
		cause := err
		if cause == nil {
			cause = userErrorCause(res)
		}
		if cause != nil && database.Retryable(cause) && attempt < maxAttempts && ctx.Err() == nil {
			if rerr := tx.Rollback(); rerr != nil {
				return nil, fmt.Errorf("rolling back before a retry: %w", rerr)
			}
			slog.DebugContext(ctx, "mutation retried", "field", graphql.GetFieldContext(ctx).Field.Name, "attempt", attempt, "error", cause)
			continue
		}
		u.failed = err != nil || hasUserErrors(res)
		return res, err
	}
}

// finish commits or rolls back the unit's transaction, once the payload has
// been resolved.
func (u *unit) finish(ctx context.Context) error {
	if u.tx == nil {
		return nil
	}
	if u.failed || ctx.Value(dryRunKey{}) != nil {
		// A cancelled request's transaction is already rolled back by
		// database/sql.
		if err := u.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			slog.ErrorContext(ctx, "rolling back a mutation", "error", err)
		}
		return nil
	}
	if err := u.tx.Commit(); err != nil {
		return fmt.Errorf("committing the mutation: %w", err)
	}
	return nil
}

// payloadUserErrors returns the user errors of a mutation payload, or nil.
func payloadUserErrors(payload any) []*UserError {
	ues, _ := payloadField[[]*UserError](payload, "UserErrors")
	return ues
}

// payloadField is the field name of a mutation payload (a pointer to a
// struct), if the payload has it with type T.
func payloadField[T any](payload any, name string) (T, bool) {
	var zero T
	v := reflect.ValueOf(payload)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return zero, false
	}
	f := v.Elem().FieldByName(name)
	if !f.IsValid() || !f.CanInterface() {
		return zero, false
	}
	t, ok := f.Interface().(T)
	return t, ok
}

func hasUserErrors(payload any) bool { return len(payloadUserErrors(payload)) > 0 }

// userErrorCause returns the database error behind the payload's user errors,
// if any: a unique violation reported as TAKEN may come from a concurrent
// insert, which a retry resolves.
func userErrorCause(payload any) error {
	for _, ue := range payloadUserErrors(payload) {
		if ue.cause != nil {
			return ue.cause
		}
	}
	return nil
}
