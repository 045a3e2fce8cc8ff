package graph

import (
	"context"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"

	"github.com/rencontre/rencontre/ent"
)

// installTransactions runs mutations in transactions.
func installTransactions(srv *handler.Server, client *ent.Client) {
	srv.Use(transactioner{entgql.Transactioner{TxOpener: client}})
	srv.AroundFields(refuseReadOnlyMutations)
	srv.AroundFields(rollbackUserErrors)
}

// transactioner is entgql.Transactioner for requests that reach execution:
// a request rejected before it has an operation (a body that is not JSON) gets
// its error response instead of a panic in the transaction interceptor.
type transactioner struct{ entgql.Transactioner }

// InterceptResponse implements graphql.ResponseInterceptor.
func (t transactioner) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	return t.Transactioner.InterceptResponse(ctx, next)
}
