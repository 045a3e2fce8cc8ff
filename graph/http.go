package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
)

// The HTTP side of the endpoint follows GraphQL over HTTP
// (https://graphql.github.io/graphql-over-http/draft/). gqlgen's own GET and
// POST transports are not used: they echo a malformed body back in the error,
// ignore Accept priorities, answer 422 to GraphQL errors sent as
// application/json, write a data entry into request errors and answer
// text/plain or 400 to methods and media types they do not support.

// Media types of GraphQL responses.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// defaultMediaType answers a request without Accept, or whose Accept leaves
// the choice to the server (*/*, application/*): since the draft's watershed
// (1 January 2025) a server SHOULD treat such a request as accepting
// application/graphql-response+json, whose statuses tell request errors (4xx)
// from executed operations (200). A client that wants 200 for every
// well-formed request says Accept: application/json.
const defaultMediaType = mediaGraphQLResponse

// Codes of the errors of requests that are not well-formed, in
// extensions.code.
const (
	codeBadRequest       = "BAD_REQUEST"
	codeInvalidJSON      = "INVALID_JSON"
	codeBatching         = "BATCHING_NOT_SUPPORTED"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	codeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	codeNotAcceptable    = "NOT_ACCEPTABLE"
)

// Methods of the endpoint, for the Allow header.
const allowedMethods = "GET, POST, OPTIONS"

// httpRequest is a GraphQL-over-HTTP request once its HTTP side has been
// checked and its parameters decoded: what the transport needs to run it.
type httpRequest struct {
	mediaType string // of the response
	params    graphql.RawParams
}

type httpRequestKey struct{}

func httpRequestFrom(ctx context.Context) *httpRequest {
	req, _ := ctx.Value(httpRequestKey{}).(*httpRequest)
	return req
}

// mediaTypeFrom is the negotiated media type of the response, or the default
// before negotiation.
func mediaTypeFrom(ctx context.Context) string {
	if req := httpRequestFrom(ctx); req != nil && req.mediaType != "" {
		return req.mediaType
	}
	return defaultMediaType
}

// checkHTTP answers what is not a GraphQL-over-HTTP request before anything
// else runs (no authentication, no database): a method other than GET and
// POST (405, and 204 to a plain OPTIONS), an Accept that allows neither JSON
// media type (406), a POST body that is not JSON in UTF-8 (415). It
// negotiates the response's media type for the layers below, and makes every
// response of theirs carry it.
func checkHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := &httpRequest{mediaType: defaultMediaType}
		r = r.WithContext(context.WithValue(r.Context(), httpRequestKey{}, req))
		// Negotiated first, so that every answer below is in the media type
		// asked for.
		w.Header().Add("Vary", "Accept")
		mediaType, acceptable := negotiate(r.Header.Values("Accept"))
		if acceptable {
			req.mediaType = mediaType
		}
		switch r.Method {
		case http.MethodGet, http.MethodPost:
		case http.MethodOptions: // not a CORS preflight: those stop at the CORS layer
			w.Header().Set("Allow", allowedMethods)
			w.WriteHeader(http.StatusNoContent)
			return
		default:
			w.Header().Set("Allow", allowedMethods)
			writeRequestError(w, r, http.StatusMethodNotAllowed, codeMethodNotAllowed,
				fmt.Sprintf("method %s is not allowed: send queries with GET or POST, mutations with POST", r.Method))
			return
		}
		if !acceptable {
			writeRequestError(w, r, http.StatusNotAcceptable, codeNotAcceptable,
				"the Accept header allows no media type of this server: accept "+mediaGraphQLResponse+" or "+mediaJSON)
			return
		}
		if r.Method == http.MethodPost {
			if msg := unsupportedBody(r.Header); msg != "" {
				writeRequestError(w, r, http.StatusUnsupportedMediaType, codeUnsupportedMedia, msg)
				return
			}
		}
		next.ServeHTTP(&graphQLWriter{ResponseWriter: w, mediaType: mediaType}, r)
	})
}

// unsupportedBody explains why a POST body cannot be read as a GraphQL
// request, or returns "".
func unsupportedBody(h http.Header) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return "the request has no Content-Type: send the body as Content-Type: application/json"
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil || mediaType != mediaJSON {
		return "Content-Type " + strconv.Quote(truncate(ct, 100)) + " is not supported: send the body as Content-Type: application/json"
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "charset " + strconv.Quote(truncate(cs, 40)) + " is not supported: send the body in UTF-8"
	}
	if ce := h.Get("Content-Encoding"); ce != "" && !strings.EqualFold(ce, "identity") {
		return "Content-Encoding " + strconv.Quote(truncate(ce, 40)) + " is not supported: send the body uncompressed"
	}
	return ""
}

// negotiate picks the response's media type from the Accept header values:
// the supported type with the highest quality, a tie going to the one whose
// range comes first in the header; a wildcard leaves the choice to the
// server. ok is false when the client accepts neither type.
func negotiate(accept []string) (mediaType string, ok bool) {
	ranges := parseAccept(accept)
	if len(ranges) == 0 {
		return defaultMediaType, true
	}
	type choice struct {
		q     float64
		index int // of the range that gave q
	}
	best, bestChoice := "", choice{q: 0}
	// The default goes first, so that it wins ties within one wildcard range.
	for _, candidate := range []string{defaultMediaType, otherMediaType(defaultMediaType)} {
		q, index, specificity := 0.0, -1, 0
		for i, r := range ranges {
			if s := r.matches(candidate); s > specificity {
				q, index, specificity = r.q, i, s
			}
		}
		if q <= 0 {
			continue
		}
		if best == "" || q > bestChoice.q || (q == bestChoice.q && index < bestChoice.index) {
			best, bestChoice = candidate, choice{q, index}
		}
	}
	return best, best != ""
}

func otherMediaType(mt string) string {
	if mt == mediaJSON {
		return mediaGraphQLResponse
	}
	return mediaJSON
}

// acceptRange is one media range of an Accept header.
type acceptRange struct {
	typ, subtype string
	charset      string
	q            float64
}

// matches returns how specifically the range names mediaType (3 exactly, 2
// by type/*, 1 by */*), or 0 when it does not. A range that asks for a
// charset other than UTF-8 matches nothing: responses are UTF-8.
func (r acceptRange) matches(mediaType string) int {
	if r.charset != "" && !strings.EqualFold(r.charset, "utf-8") {
		return 0
	}
	typ, subtype, _ := strings.Cut(mediaType, "/")
	switch {
	case r.typ == typ && r.subtype == subtype:
		return 3
	case r.typ == typ && r.subtype == "*":
		return 2
	case r.typ == "*" && r.subtype == "*":
		return 1
	}
	return 0
}

// parseAccept reads Accept header values; malformed ranges are skipped.
func parseAccept(values []string) []acceptRange {
	var ranges []acceptRange
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			typ, subtype, found := strings.Cut(mt, "/")
			if !found {
				continue
			}
			r := acceptRange{typ: typ, subtype: subtype, charset: params["charset"], q: 1}
			if qs, ok := params["q"]; ok {
				q, err := strconv.ParseFloat(qs, 64)
				if err != nil || q < 0 || q > 1 {
					continue
				}
				r.q = q
			}
			ranges = append(ranges, r)
		}
	}
	return ranges
}

// decodeRequest reads the GraphQL-over-HTTP parameters of a GET (from the
// URL) or POST (from the JSON body) and refuses, with 400, a request that is
// not well-formed. Error messages say where the request is wrong but never
// repeat it: a body of a megabyte must not come back in the answer, nor go
// into the logs.
func decodeRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := httpRequestFrom(r.Context())
		var perr *requestError
		if r.Method == http.MethodGet {
			perr = decodeGET(r.URL.RawQuery, &req.params)
		} else {
			body, err := io.ReadAll(r.Body)
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				tooLargeResponse(w, r, tooLarge.Limit)
				return
			}
			if err != nil {
				writeRequestError(w, r, http.StatusBadRequest, codeBadRequest, "the request body could not be read")
				return
			}
			perr = decodePOST(body, &req.params)
		}
		if perr != nil {
			writeRequestError(w, r, http.StatusBadRequest, perr.code, perr.message)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requestError is a request that is not a well-formed GraphQL-over-HTTP
// request.
type requestError struct{ code, message string }

func badRequest(format string, args ...any) *requestError {
	return &requestError{codeBadRequest, fmt.Sprintf(format, args...)}
}

func decodeGET(rawQuery string, p *graphql.RawParams) *requestError {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return badRequest("the query string of the URL is malformed")
	}
	for name, vs := range values {
		if len(vs) > 1 && (name == "query" || name == "operationName" || name == "variables" || name == "extensions") {
			return badRequest("parameter %s is given %d times", name, len(vs))
		}
	}
	p.Query = values.Get("query")
	p.OperationName = values.Get("operationName")
	if v := values.Get("variables"); v != "" {
		if p.Variables, err = decodeObject([]byte(v)); err != nil {
			return badRequest("parameter variables must be a JSON object: %v", err)
		}
	}
	if v := values.Get("extensions"); v != "" {
		if p.Extensions, err = decodeObject([]byte(v)); err != nil {
			return badRequest("parameter extensions must be a JSON object: %v", err)
		}
	}
	if !values.Has("query") && !persisted(p) {
		return badRequest("the request has no query: send it as the query parameter of the URL")
	}
	return nil
}

// persisted reports a request that names a persisted query (APQ): it may
// come without its query, which the server then has by its hash.
func persisted(p *graphql.RawParams) bool {
	_, ok := p.Extensions["persistedQuery"]
	return ok
}

func decodePOST(body []byte, p *graphql.RawParams) *requestError {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return badRequest(`the request body is empty: send a JSON object such as {"query": "{ viewer { role } }"}`)
	case trimmed[0] == '[':
		return &requestError{codeBatching, "batched requests (a JSON array of operations) are not supported: send one operation per request"}
	case !utf8.Valid(body):
		return &requestError{codeInvalidJSON, "the request body is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return badRequest("the request body must be a JSON object, not %s", typeErr.Value)
		}
		return &requestError{codeInvalidJSON, "the request body is not valid JSON: " + syntaxErrorAt(body, err)}
	}
	if fields == nil {
		return badRequest("the request body must be a JSON object, not null")
	}
	if rest := bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return &requestError{codeInvalidJSON, "the request body is not valid JSON: unexpected data after the object at " + position(body, int64(len(body)-len(rest)))}
	}
	if v, ok := fields["operationName"]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &p.OperationName); err != nil {
			return badRequest("operationName must be a string or null")
		}
	}
	var err error
	if v, ok := fields["variables"]; ok && !isNull(v) {
		if p.Variables, err = decodeObject(v); err != nil {
			return badRequest("variables must be a JSON object or null")
		}
	}
	if v, ok := fields["extensions"]; ok && !isNull(v) {
		if p.Extensions, err = decodeObject(v); err != nil {
			return badRequest("extensions must be a JSON object or null")
		}
	}
	query, ok := fields["query"]
	if (!ok || isNull(query)) && !persisted(p) {
		return badRequest("the request has no query: send the GraphQL document as the string field query")
	}
	if ok && !isNull(query) {
		if err := json.Unmarshal(query, &p.Query); err != nil {
			return badRequest("query must be a string")
		}
	}
	return nil
}

// decodeObject decodes a JSON object, numbers kept as json.Number as gqlgen
// expects (an ID or a 64-bit integer must not go through float64).
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, fmt.Errorf("got %s", typeErr.Value)
		}
		return nil, errors.New("not valid JSON")
	}
	if m == nil {
		return nil, errors.New("got null")
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the object")
	}
	return m, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// syntaxErrorAt describes a JSON decoding error with its position in body.
// encoding/json's messages name at most one character of the input.
func syntaxErrorAt(body []byte, err error) string {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		// Offset counts the bytes read, the faulty one included.
		return strings.TrimPrefix(syntax.Error(), "json: ") + " at " + position(body, syntax.Offset-1)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of input at " + position(body, int64(len(body)))
	}
	return "malformed JSON"
}

// position is "line L, column C (byte B)" of offset in body, counted from 1.
func position(body []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(body)))
	before := body[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	column := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return fmt.Sprintf("line %d, column %d (byte %d)", line, column, offset)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// writeRequestError answers a request that did not reach GraphQL execution
// with one error and no data entry, in the negotiated media type.
func writeRequestError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	AccessRecordFrom(r.Context()).addCodes(code)
	writeErrorBody(w, mediaTypeFrom(r.Context()), status, code, message)
}

func writeErrorBody(w http.ResponseWriter, mediaType string, status int, code, message string) {
	body, _ := json.Marshal(requestErrors{Errors: []errorEntry{{Message: message, Extensions: map[string]any{"code": code}}}})
	writeBody(w, mediaType, status, body)
}

func writeBody(w http.ResponseWriter, mediaType string, status int, body []byte) {
	w.Header().Set("Content-Type", mediaType+"; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// requestErrors is the body of a response to a request that did not reach
// execution: a GraphQL response without data entry, as the GraphQL
// specification requires for request errors.
type requestErrors struct {
	Errors     any            `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

type errorEntry struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// graphQLWriter gives the responses of the layers between checkHTTP and the
// transport the negotiated media type: authentication answers 401 as
// application/json, and a client that asked for
// application/graphql-response+json must get it.
type graphQLWriter struct {
	http.ResponseWriter
	mediaType   string
	wroteHeader bool
}

// WriteHeader implements http.ResponseWriter.
func (w *graphQLWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	// Every answer of the endpoint is a GraphQL response, also the one gqlgen
	// writes without Content-Type after a panic outside a resolver.
	ct := w.Header().Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); ct == "" || (err == nil && (mt == mediaJSON || mt == mediaGraphQLResponse)) {
		w.Header().Set("Content-Type", w.mediaType+"; charset=utf-8")
	}
	w.ResponseWriter.WriteHeader(status)
}

// Write implements http.ResponseWriter.
func (w *graphQLWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *graphQLWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
