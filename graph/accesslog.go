package graph

import (
	"context"
	"slices"
	"sync"
)

// AccessRecord is what the GraphQL endpoint tells the access log about one
// request: the operation's name and type, and the extensions.code of every
// error of the response it wrote. The HTTP middleware that writes the access
// log puts an empty record in the request context (WithAccessRecord) and
// reads it once the handler has returned; an error response that the endpoint
// did not write itself (authentication's 401) leaves the record without codes,
// and the middleware reads them from that small body instead. It never holds
// the query text, the variables or any header: the access log must not leak
// what a client sent.
//
// The transport fills it, rather than a gqlgen response interceptor, because
// the transport alone sees the response as the client gets it: after every
// interceptor, and also when it refuses a mutation sent with GET.
type AccessRecord struct {
	mu            sync.Mutex
	operationName string
	operationType string
	codes         []string
}

type accessRecordKey struct{}

// WithAccessRecord returns ctx carrying rec, for the GraphQL endpoint to fill.
func WithAccessRecord(ctx context.Context, rec *AccessRecord) context.Context {
	return context.WithValue(ctx, accessRecordKey{}, rec)
}

// AccessRecordFrom returns the record in ctx, or nil. The record's methods
// accept a nil record, so that the endpoint runs the same without access log.
func AccessRecordFrom(ctx context.Context) *AccessRecord {
	rec, _ := ctx.Value(accessRecordKey{}).(*AccessRecord)
	return rec
}

// Operation returns the name of the operation (empty for an anonymous one or
// when the document did not parse) and its type: query, mutation or
// subscription.
func (r *AccessRecord) Operation() (name, typ string) {
	if r == nil {
		return "", ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.operationName, r.operationType
}

// ErrorCodes returns the extensions.code of the response's errors, in order,
// one per error ("" for an error without code).
func (r *AccessRecord) ErrorCodes() []string {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.codes)
}

func (r *AccessRecord) setOperation(name, typ string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.operationName, r.operationType = name, typ
}

func (r *AccessRecord) addCodes(codes ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes = append(r.codes, codes...)
}
