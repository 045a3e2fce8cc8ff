package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// httpTransport is the gqlgen transport of the endpoint: it runs the request
// that checkHTTP and decodeRequest prepared and writes the GraphQL response
// with the status the GraphQL-over-HTTP draft asks for:
//
//   - a request error (parse, validation, variables, limits), raised before
//     execution, has no data entry; its status is 200 with application/json,
//     4xx (or 5xx for a server fault) with application/graphql-response+json;
//   - a mutation sent with GET is refused with 405 and Allow: POST, whatever
//     the media type, and does not run;
//   - an executed operation answers 200 with a data entry (null when nothing
//     could be returned, as when a mutation's transaction was rolled back).
//
// It also fills the request's AccessRecord from the response it writes.
type httpTransport struct {
	production bool
}

var _ graphql.Transport = httpTransport{}

// Supports implements graphql.Transport: every request that went through
// checkHTTP and decodeRequest.
func (httpTransport) Supports(r *http.Request) bool { return httpRequestFrom(r.Context()) != nil }

// Do implements graphql.Transport.
func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	req := httpRequestFrom(ctx)
	rec := AccessRecordFrom(ctx)
	params := req.params
	params.Headers = r.Header
	now := graphql.Now()
	params.ReadTime = graphql.TraceTiming{Start: now, End: now}

	opCtx, errs := exec.CreateOperationContext(ctx, &params)
	if opCtx != nil && opCtx.Operation != nil {
		rec.setOperation(opCtx.Operation.Name, string(opCtx.Operation.Operation))
	} else {
		// A document that did not parse or validate has no operation: the
		// name asked for is all there is.
		rec.setOperation(params.OperationName, "")
	}
	if errs != nil {
		if t.production {
			withoutSuggestions(errs)
		}
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		t.writeRequestErrors(ctx, w, req.mediaType, resp.Errors, resp.Extensions)
		return
	}
	if op := opCtx.Operation.Operation; r.Method == http.MethodGet && op != ast.Query {
		// The draft's MUST: GET is safe, a mutation is not.
		w.Header().Set("Allow", http.MethodPost)
		writeRequestError(w, r, http.StatusMethodNotAllowed, codeMethodNotAllowed,
			fmt.Sprintf("a %s cannot be sent with GET: send it with POST", op))
		return
	}

	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil { // the context ended before execution could begin
		t.writeRequestErrors(ctx, w, req.mediaType, gqlerror.List{contextError(ctx)}, nil)
		return
	}
	completeCodes(ctx, resp.Errors)
	rec.addCodes(codesOf(resp.Errors)...)
	body, err := encodeResponse(resp)
	if err != nil {
		slog.ErrorContext(ctx, "encoding a GraphQL response", "error", err)
		writeErrorBody(w, req.mediaType, http.StatusInternalServerError, codeInternal, "internal server error")
		return
	}
	writeBody(w, req.mediaType, http.StatusOK, body)
}

// writeRequestErrors answers errors raised before execution: no data entry.
func (httpTransport) writeRequestErrors(ctx context.Context, w http.ResponseWriter, mediaType string, errs gqlerror.List, extensions map[string]any) {
	completeCodes(ctx, errs)
	AccessRecordFrom(ctx).addCodes(codesOf(errs)...)
	status := http.StatusOK
	if mediaType == mediaGraphQLResponse {
		status = requestErrorStatus(errs)
	}
	body, _ := json.Marshal(requestErrors{Errors: errs, Extensions: extensions})
	writeBody(w, mediaType, status, body)
}

// requestErrorStatus is the status of request errors served as
// application/graphql-response+json, from the first error's code: the client
// may rely on a 4xx meaning "change the request".
func requestErrorStatus(errs gqlerror.List) int {
	if len(errs) == 0 {
		return http.StatusBadRequest
	}
	switch code, _ := errs[0].Extensions["code"].(string); code {
	case codeUnauth:
		return http.StatusUnauthorized
	case codeForbidden:
		return http.StatusForbidden
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeInternal:
		return http.StatusInternalServerError
	case codeRequestTimeout:
		return http.StatusGatewayTimeout
	case codeRequestCancelled:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// completeCodes gives every error a code. Errors that did not go through the
// error presenter (entgql's transaction extension builds "cannot commit
// transaction: …" itself) would otherwise reach the client without a code and
// with a driver's message: when the request's context has ended, they are its
// timeout or cancellation; otherwise they are server faults, logged.
func completeCodes(ctx context.Context, errs gqlerror.List) {
	for _, e := range errs {
		if e.Extensions != nil && e.Extensions["code"] != nil {
			continue
		}
		if ce := contextError(ctx); ce != nil {
			e.Message, e.Extensions = ce.Message, ce.Extensions
			continue
		}
		slog.ErrorContext(ctx, "request failed", "error", e.Message)
		e.Message = "internal server error"
		setCode(e, codeInternal)
	}
}

func codesOf(errs gqlerror.List) []string {
	codes := make([]string, 0, len(errs))
	for _, e := range errs {
		code, _ := e.Extensions["code"].(string)
		codes = append(codes, code)
	}
	return codes
}

// withoutSuggestions removes the "Did you mean …?" that gqlparser appends to
// validation messages: SetDisableSuggestion covers only unknown fields and
// subselections, not unknown arguments, types, enum values or input fields,
// and every suggestion discloses a piece of the schema.
func withoutSuggestions(errs gqlerror.List) {
	for _, e := range errs {
		if i := strings.Index(e.Message, " Did you mean "); i >= 0 {
			e.Message = e.Message[:i]
		}
	}
}

// codeIntrospectionDisabled is the code of an introspection query in
// production.
const codeIntrospectionDisabled = "INTROSPECTION_DISABLED"

// refuseIntrospection is installed in production, where introspection is
// off: an operation that asks for __schema or __type is refused before it
// runs, with a request error that says so. Without it, gqlgen would execute
// the operation and answer each of those fields with an error the presenter
// takes for a server fault.
type refuseIntrospection struct{}

var (
	_ graphql.HandlerExtension        = refuseIntrospection{}
	_ graphql.OperationContextMutator = refuseIntrospection{}
)

// ExtensionName implements graphql.HandlerExtension.
func (refuseIntrospection) ExtensionName() string { return "RefuseIntrospection" }

// Validate implements graphql.HandlerExtension.
func (refuseIntrospection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (refuseIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	// __schema and __type exist only on the query root: its selection set and
	// the fragments spread into it are all there is to look at.
	if f := introspectionField(oc.Operation.SelectionSet, map[*ast.FragmentDefinition]bool{}); f != nil {
		e := gqlerror.ErrorPosf(f.Position, "introspection is disabled on this server")
		setCode(e, codeIntrospectionDisabled)
		return e
	}
	return nil
}

func introspectionField(set ast.SelectionSet, seen map[*ast.FragmentDefinition]bool) *ast.Field {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return s
			}
		case *ast.InlineFragment:
			if f := introspectionField(s.SelectionSet, seen); f != nil {
				return f
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen[s.Definition] {
				seen[s.Definition] = true
				if f := introspectionField(s.Definition.SelectionSet, seen); f != nil {
					return f
				}
			}
		}
	}
	return nil
}

// encodeResponse writes a response as json.Marshal does, with data always
// written (null when absent), but copies data as gqlgen's marshalers wrote
// it: json.Marshal would scan and re-compact the whole of it, which is most
// of the response and already compact. An incremental delivery's fields
// (label, path, hasNext) are left to json.Marshal.
func encodeResponse(resp *graphql.Response) ([]byte, error) {
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		return json.Marshal(resp)
	}
	body := make([]byte, 0, len(resp.Data)+64)
	body = append(body, '{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return nil, err
		}
		body = append(append(append(body, `"errors":`...), errs...), ',')
	}
	body = append(body, `"data":`...)
	if len(resp.Data) == 0 {
		body = append(body, "null"...)
	} else {
		body = append(body, resp.Data...)
	}
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			return nil, err
		}
		body = append(append(body, `,"extensions":`...), ext...)
	}
	return append(body, '}'), nil
}
