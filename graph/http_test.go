package graph_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

// The HTTP side of the endpoint: GraphQL over HTTP
// (https://graphql.github.io/graphql-over-http/draft/).

const (
	graphQLResponse = "application/graphql-response+json"
	plainJSON       = "application/json"
	validQuery      = `{ meetings { totalCount } }`
	viaGETMutation  = `mutation { communityCreate(input: {name: "Via GET", kind: TEAM}) { community { id } } }`
)

// wireCall is one HTTP request to the endpoint. Unless noToken, it carries
// the API's owner token.
type wireCall struct {
	method      string // POST when empty
	query       string // URL query string of a GET
	body        string
	contentType string // application/json for a POST when empty; "-" for none
	accept      string // no Accept header when empty
	header      map[string]string
	noToken     bool
}

// wireReply is an HTTP response of the endpoint.
type wireReply struct {
	status int
	header http.Header
	body   []byte
}

func (a *api) wire(t *testing.T, h http.Handler, c wireCall) wireReply {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	target := "/graphql"
	if c.query != "" {
		target += "?" + c.query
	}
	req := httptest.NewRequest(method, target, strings.NewReader(c.body))
	if c.body == "" {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	switch {
	case c.contentType == "-":
	case c.contentType != "":
		req.Header.Set("Content-Type", c.contentType)
	case method == http.MethodPost:
		req.Header.Set("Content-Type", plainJSON)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	if !c.noToken {
		req.Header.Set("Authorization", "Bearer "+a.bearer(t))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	return wireReply{status: res.StatusCode, header: res.Header, body: body}
}

// jsonBody is the JSON of a GraphQL request.
func jsonBody(t *testing.T, fields map[string]any) string {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entries decodes the response as a GraphQL response: its top-level entries.
func (r wireReply) entries(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("HTTP %d %s: the body %.300q is not a GraphQL response: %v", r.status, r.header.Get("Content-Type"), r.body, err)
	}
	if _, ok := m["errors"]; !ok && m["data"] == nil {
		t.Fatalf("HTTP %d: %.300s has neither data nor errors", r.status, r.body)
	}
	return m
}

// errors returns the response's errors.
func (r wireReply) errors(t *testing.T) []rawError {
	t.Helper()
	var errs []rawError
	if raw, ok := r.entries(t)["errors"]; ok {
		if err := json.Unmarshal(raw, &errs); err != nil {
			t.Fatalf("errors %s: %v", raw, err)
		}
	}
	return errs
}

// code is the code of the first error, "" without error.
func (r wireReply) code(t *testing.T) string {
	t.Helper()
	if errs := r.errors(t); len(errs) > 0 {
		return errs[0].code()
	}
	return ""
}

func (r wireReply) hasData(t *testing.T) bool {
	t.Helper()
	_, ok := r.entries(t)["data"]
	return ok
}

// mediaType is the media type of the response, after checking that it names
// its charset.
func (r wireReply) mediaType(t *testing.T) string {
	t.Helper()
	ct := r.header.Get("Content-Type")
	mt, params, _ := strings.Cut(ct, ";")
	if strings.TrimSpace(params) != "charset=utf-8" {
		t.Errorf("Content-Type %q names no charset=utf-8", ct)
	}
	return mt
}

func (r wireReply) String() string { return string(r.body) }

func TestStatusFollowsTheAcceptedMediaType(t *testing.T) {
	a := newAPI(t)
	h := graph.NewHandler(a.ent, graph.Options{ComplexityLimit: 1000, MaxBodyBytes: 4096})
	for _, tc := range []struct {
		name        string
		call        wireCall
		code        string // of the first error; "" for none
		requestErr  bool   // no data entry
		status      int    // with application/graphql-response+json or no Accept
		statusJSON  int    // with application/json
		noGraphQLOK bool   // not a well-formed request: 4xx whatever the media type
	}{
		{name: "an executed query answers 200 with data",
			call: wireCall{body: jsonBody(t, map[string]any{"query": validQuery})}, status: 200, statusJSON: 200},
		{name: "a document that does not parse is a request error",
			call: wireCall{body: `{"query": "{"}`}, code: "GRAPHQL_PARSE_FAILED", requestErr: true, status: 400, statusJSON: 200},
		{name: "a document that does not validate is a request error",
			call: wireCall{body: jsonBody(t, map[string]any{"query": `{ meetingz { totalCount } }`})}, code: "GRAPHQL_VALIDATION_FAILED", requestErr: true, status: 400, statusJSON: 200},
		{name: "an operation name that is not in the document is a request error",
			call: wireCall{body: jsonBody(t, map[string]any{"query": `query A { meetings { totalCount } }`, "operationName": "B"})}, code: "GRAPHQL_VALIDATION_FAILED", requestErr: true, status: 400, statusJSON: 200},
		{name: "a variable of the wrong type is a request error",
			call: wireCall{body: jsonBody(t, map[string]any{"query": `query($n: Int!) { meetings(first: $n) { totalCount } }`, "variables": map[string]any{"n": "ten"}})}, code: "GRAPHQL_VALIDATION_FAILED", requestErr: true, status: 400, statusJSON: 200},
		{name: "a missing variable is a request error",
			call: wireCall{body: jsonBody(t, map[string]any{"query": `query($n: Int!) { meetings(first: $n) { totalCount } }`})}, code: "GRAPHQL_VALIDATION_FAILED", requestErr: true, status: 400, statusJSON: 200},
		{name: "an operation over the complexity limit is a request error",
			call: wireCall{body: jsonBody(t, map[string]any{"query": `{ meetings(first: 100) { edges { node { participations(first: 100) { totalCount } } } } }`})}, code: "COMPLEXITY_LIMIT_EXCEEDED", requestErr: true, status: 400, statusJSON: 200},
		{name: "a page size over the limit is a request error",
			call: wireCall{body: jsonBody(t, map[string]any{"query": `{ meetings(first: 101) { totalCount } }`})}, code: "BAD_USER_INPUT", requestErr: true, status: 400, statusJSON: 200},
		{name: "a request without token answers 401",
			call: wireCall{body: jsonBody(t, map[string]any{"query": validQuery}), noToken: true}, code: "UNAUTHENTICATED", requestErr: true, status: 401, statusJSON: 401},
		{name: "a body over the limit answers 413",
			call: wireCall{body: jsonBody(t, map[string]any{"query": validQuery + strings.Repeat(" ", 5000)})}, code: "REQUEST_TOO_LARGE", requestErr: true, status: 413, statusJSON: 413},
		{name: "a body that is not JSON answers 400",
			call: wireCall{body: `{"query": `}, code: "INVALID_JSON", requestErr: true, status: 400, statusJSON: 400},
	} {
		for _, accept := range []string{graphQLResponse, plainJSON, ""} {
			name := tc.name + " (Accept " + accept + ")"
			if accept == "" {
				name = tc.name + " (no Accept)"
			}
			t.Run(name, func(t *testing.T) {
				c := tc.call
				c.accept = accept
				r := a.wire(t, h, c)
				wantStatus, wantType := tc.status, graphQLResponse
				if accept == plainJSON {
					wantStatus, wantType = tc.statusJSON, plainJSON
				}
				if r.status != wantStatus {
					t.Errorf("status %d, want %d: %s", r.status, wantStatus, r)
				}
				if mt := r.mediaType(t); mt != wantType {
					t.Errorf("media type %q, want %q", mt, wantType)
				}
				if got := r.code(t); got != tc.code {
					t.Errorf("code %q, want %q: %s", got, tc.code, r)
				}
				if r.hasData(t) == tc.requestErr {
					t.Errorf("data entry present: %v, want %v (a request error has none): %s", r.hasData(t), !tc.requestErr, r)
				}
			})
		}
	}
}

func TestAcceptNegotiation(t *testing.T) {
	a := newAPI(t)
	h := graph.NewHandler(a.ent, graph.Options{})
	for _, tc := range []struct {
		accept string
		want   string // media type; "" for 406
	}{
		{"", graphQLResponse},
		{graphQLResponse, graphQLResponse},
		{plainJSON, plainJSON},
		{"application/graphql-response+json; charset=utf-8, application/json; charset=utf-8", graphQLResponse},
		{"application/json, application/graphql-response+json", plainJSON},
		{"application/graphql-response+json;q=0.5, application/json", plainJSON},
		{"application/json;q=0.2, application/graphql-response+json;q=0.9", graphQLResponse},
		{"*/*", graphQLResponse},
		{"application/*", graphQLResponse},
		{"text/html, */*;q=0.1", graphQLResponse},
		{"application/json;q=0, */*", graphQLResponse},
		{"APPLICATION/GRAPHQL-RESPONSE+JSON", graphQLResponse},
		{"text/html", ""},
		{"application/json;q=0", ""},
		{"application/json; charset=iso-8859-1", ""},
		{"application/xml, text/plain;q=0.5", ""},
	} {
		t.Run("Accept "+tc.accept, func(t *testing.T) {
			r := a.wire(t, h, wireCall{body: jsonBody(t, map[string]any{"query": validQuery}), accept: tc.accept})
			if tc.want == "" {
				if r.status != http.StatusNotAcceptable || r.code(t) != "NOT_ACCEPTABLE" || r.hasData(t) {
					t.Fatalf("HTTP %d %s, want 406 NOT_ACCEPTABLE without data", r.status, r)
				}
				return
			}
			if mt := r.mediaType(t); r.status != http.StatusOK || mt != tc.want {
				t.Fatalf("HTTP %d %s, want 200 %s: %s", r.status, mt, tc.want, r)
			}
			if vary := r.header.Values("Vary"); !slices.Contains(vary, "Accept") {
				t.Errorf("Vary %q, want Accept", vary)
			}
		})
	}
}

func TestMethodsAndContentTypes(t *testing.T) {
	a := newAPI(t)
	h := graph.NewHandler(a.ent, graph.Options{})
	query := jsonBody(t, map[string]any{"query": validQuery})
	for _, tc := range []struct {
		name   string
		call   wireCall
		status int
		code   string
		allow  string
	}{
		{"PUT answers 405 with Allow", wireCall{method: http.MethodPut, body: query}, 405, "METHOD_NOT_ALLOWED", "GET, POST, OPTIONS"},
		{"DELETE answers 405 with Allow", wireCall{method: http.MethodDelete}, 405, "METHOD_NOT_ALLOWED", "GET, POST, OPTIONS"},
		{"PATCH answers 405 with Allow", wireCall{method: http.MethodPatch, body: query}, 405, "METHOD_NOT_ALLOWED", "GET, POST, OPTIONS"},
		{"a mutation with GET answers 405 with Allow: POST", wireCall{method: http.MethodGet, query: "query=" + url.QueryEscape(viaGETMutation)}, 405, "METHOD_NOT_ALLOWED", "POST"},
		{"a mutation with GET answers 405 also to application/json", wireCall{method: http.MethodGet, query: "query=" + url.QueryEscape(viaGETMutation), accept: plainJSON}, 405, "METHOD_NOT_ALLOWED", "POST"},
		{"a mutation named among queries with GET answers 405", wireCall{method: http.MethodGet, query: url.Values{"query": {"query Q { meetings { totalCount } } " + strings.Replace(viaGETMutation, "mutation", "mutation M", 1)}, "operationName": {"M"}}.Encode()}, 405, "METHOD_NOT_ALLOWED", "POST"},
		{"a POST without Content-Type answers 415", wireCall{body: query, contentType: "-"}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"a text/plain POST answers 415", wireCall{body: query, contentType: "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"a form POST answers 415", wireCall{body: "query=" + url.QueryEscape(validQuery), contentType: "application/x-www-form-urlencoded"}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"a multipart POST that is not a GraphQL multipart request answers 400", wireCall{body: query, contentType: "multipart/form-data; boundary=x"}, 400, "BAD_REQUEST", ""},
		{"a JSON body in another charset answers 415", wireCall{body: query, contentType: "application/json; charset=latin1"}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"a compressed body answers 415", wireCall{body: query, header: map[string]string{"Content-Encoding": "gzip"}}, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"a JSON body in UTF-8 is accepted", wireCall{body: query, contentType: "application/json; charset=UTF-8"}, 200, "", ""},
		{"a query with GET is accepted", wireCall{method: http.MethodGet, query: "query=" + url.QueryEscape(validQuery)}, 200, "", ""},
	} {
		for _, accept := range []string{graphQLResponse, ""} {
			t.Run(tc.name+" (Accept "+accept+")", func(t *testing.T) {
				c := tc.call
				if c.accept == "" {
					c.accept = accept
				}
				r := a.wire(t, h, c)
				if r.status != tc.status || r.code(t) != tc.code {
					t.Fatalf("HTTP %d %s, want %d with code %q", r.status, r, tc.status, tc.code)
				}
				if tc.status != 200 && r.hasData(t) {
					t.Errorf("data entry in %s, want none", r)
				}
				want := graphQLResponse
				if c.accept == plainJSON {
					want = plainJSON
				}
				if mt := r.mediaType(t); mt != want {
					t.Errorf("media type %q, want %q", mt, want)
				}
				if got := r.header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
			})
		}
	}
	t.Run("a mutation with GET changes nothing", func(t *testing.T) {
		if n := a.ent.Community.Query().CountX(testenv.System()); n != 0 {
			t.Fatalf("%d communities after mutations sent with GET, want 0", n)
		}
	})
	t.Run("HEAD answers 405 with Allow", func(t *testing.T) {
		r := a.wire(t, h, wireCall{method: http.MethodHead})
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, POST, OPTIONS" {
			t.Fatalf("HTTP %d, Allow %q", r.status, r.header.Get("Allow"))
		}
	})
	t.Run("OPTIONS answers 204 with Allow", func(t *testing.T) {
		r := a.wire(t, h, wireCall{method: http.MethodOptions, noToken: true})
		if r.status != http.StatusNoContent || r.header.Get("Allow") != "GET, POST, OPTIONS" {
			t.Fatalf("HTTP %d, Allow %q", r.status, r.header.Get("Allow"))
		}
	})
}

func TestMalformedRequestsAreRefusedWithoutEcho(t *testing.T) {
	a := newAPI(t)
	h := graph.NewHandler(a.ent, graph.Options{})
	// huge is a string of 900 KB that must not come back.
	huge := strings.Repeat("Z", 900<<10)
	for _, tc := range []struct {
		name    string
		call    wireCall
		code    string
		message string // in the error's message
	}{
		{"a batch (JSON array) is refused", wireCall{body: `[{"query": "{ meetings { totalCount } }"}, {"query": "` + huge + `"}]`}, "BATCHING_NOT_SUPPORTED", "one operation per request"},
		{"a body cut short is refused with its position", wireCall{body: `{"query": "` + huge}, "INVALID_JSON", "line 1, column 921612"},
		{"a syntax error is refused with its line and column", wireCall{body: "{\n  \"query\": \"{ meetings { totalCount } }\",\n  oops: 1, \"x\": \"" + huge + "\"\n}"}, "INVALID_JSON", "line 3, column 3"},
		{"data after the object is refused", wireCall{body: `{"query": "{ meetings { totalCount } }"} {"query": "` + huge + `"}`}, "INVALID_JSON", "after the object at line 1, column 42"},
		{"a body that is not UTF-8 is refused", wireCall{body: "{\"query\": \"\xff\xfe" + huge + "\"}"}, "INVALID_JSON", "UTF-8"},
		{"an empty body is refused", wireCall{body: "  "}, "BAD_REQUEST", "empty"},
		{"a JSON string is refused", wireCall{body: `"` + huge + `"`}, "BAD_REQUEST", "JSON object, not string"},
		{"null is refused", wireCall{body: `null`}, "BAD_REQUEST", "JSON object"},
		{"a misspelt query is refused", wireCall{body: `{"qeury": "{ __typename }"}`}, "BAD_REQUEST", "no query"},
		{"a null query is refused", wireCall{body: `{"query": null}`}, "BAD_REQUEST", "no query"},
		{"a query that is not a string is refused", wireCall{body: `{"query": ["` + huge + `"]}`}, "BAD_REQUEST", "query must be a string"},
		{"variables that are not an object are refused", wireCall{body: `{"query": "query Q ($i: Int!) { meetings(first: $i) { totalCount } }", "variables": [7]}`}, "BAD_REQUEST", "variables must be a JSON object"},
		{"an operation name that is not a string is refused", wireCall{body: `{"query": "{ __typename }", "operationName": 5}`}, "BAD_REQUEST", "operationName must be a string"},
		{"extensions that are not an object are refused", wireCall{body: `{"query": "{ __typename }", "extensions": "x"}`}, "BAD_REQUEST", "extensions must be a JSON object"},
		{"a GET without query is refused", wireCall{method: http.MethodGet}, "BAD_REQUEST", "no query"},
		{"a GET with two queries is refused", wireCall{method: http.MethodGet, query: "query=%7B__typename%7D&query=%7B__typename%7D"}, "BAD_REQUEST", "query is given 2 times"},
		{"GET variables that are not JSON are refused", wireCall{method: http.MethodGet, query: "query=%7B__typename%7D&variables=" + url.QueryEscape("{"+huge)}, "BAD_REQUEST", "variables must be a JSON object"},
		{"GET variables that are a list are refused", wireCall{method: http.MethodGet, query: "query=%7B__typename%7D&variables=%5B1%5D"}, "BAD_REQUEST", "variables must be a JSON object"},
		{"a GET query string that does not parse is refused", wireCall{method: http.MethodGet, query: "query=%zz"}, "BAD_REQUEST", "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, accept := range []string{graphQLResponse, plainJSON} {
				c := tc.call
				c.accept = accept
				r := a.wire(t, h, c)
				errs := r.errors(t)
				if r.status != http.StatusBadRequest || len(errs) != 1 || errs[0].code() != tc.code || r.hasData(t) {
					t.Fatalf("Accept %s: HTTP %d %.500s, want 400 with one error %s and no data", accept, r.status, r, tc.code)
				}
				if !strings.Contains(errs[0].Message, tc.message) {
					t.Errorf("message %q, want it to contain %q", errs[0].Message, tc.message)
				}
				if len(r.body) > 1024 || strings.Contains(string(r.body), "ZZZ") {
					t.Fatalf("the response (%d bytes) repeats the request: %.300s", len(r.body), r.body)
				}
			}
		})
	}
	t.Run("null optional parameters are accepted", func(t *testing.T) {
		r := a.wire(t, h, wireCall{body: `{"query": "{ meetings { totalCount } }", "operationName": null, "variables": null, "extensions": null}`})
		if r.status != http.StatusOK || r.code(t) != "" {
			t.Fatalf("HTTP %d %s", r.status, r)
		}
	})
	t.Run("GET variables are read as JSON", func(t *testing.T) {
		q := url.Values{"query": {`query Q($n: Int!) { meetings(first: $n) { totalCount } }`}, "variables": {`{"n": 3}`}, "operationName": {"Q"}}
		r := a.wire(t, h, wireCall{method: http.MethodGet, query: q.Encode()})
		if r.status != http.StatusOK || r.code(t) != "" {
			t.Fatalf("HTTP %d %s", r.status, r)
		}
	})
}

func TestProductionMode(t *testing.T) {
	a := newAPI(t)
	dev := graph.NewHandler(a.ent, graph.Options{})
	prod := graph.NewHandler(a.ent, graph.Options{Production: true})
	introspections := []struct{ name, query string }{
		{"__schema", `{ __schema { types { name } } }`},
		{"__type", `{ __type(name: "Meeting") { fields { name } } }`},
		{"__type in a fragment", `query { ...F } fragment F on Query { __type(name: "Meeting") { name } }`},
		{"__schema in an inline fragment beside a field", `{ meetings { totalCount } ... on Query { __schema { queryType { name } } } }`},
	}
	for _, tc := range introspections {
		t.Run("introspection by "+tc.name+" is refused in production", func(t *testing.T) {
			for _, accept := range []string{graphQLResponse, plainJSON} {
				r := a.wire(t, prod, wireCall{body: jsonBody(t, map[string]any{"query": tc.query}), accept: accept})
				want := http.StatusOK
				if accept == graphQLResponse {
					want = http.StatusBadRequest
				}
				if r.status != want || r.code(t) != "INTROSPECTION_DISABLED" || r.hasData(t) {
					t.Fatalf("Accept %s: HTTP %d %s, want %d INTROSPECTION_DISABLED without data", accept, r.status, r, want)
				}
			}
		})
		t.Run("introspection by "+tc.name+" works outside production", func(t *testing.T) {
			r := a.wire(t, dev, wireCall{body: jsonBody(t, map[string]any{"query": tc.query})})
			if r.status != http.StatusOK || r.code(t) != "" {
				t.Fatalf("HTTP %d %s", r.status, r)
			}
		})
	}
	t.Run("__typename still works in production", func(t *testing.T) {
		r := a.wire(t, prod, wireCall{body: jsonBody(t, map[string]any{"query": `{ __typename meetings { __typename totalCount } }`})})
		if r.status != http.StatusOK || r.code(t) != "" {
			t.Fatalf("HTTP %d %s", r.status, r)
		}
	})
	for _, tc := range []struct{ name, query string }{
		{"an unknown field", `{ meetingz { totalCount } }`},
		{"an unknown argument", `{ meetings(frist: 1) { totalCount } }`},
		{"an unknown enum value", `{ meetings(orderBy: [{field: STARTS_ATT, direction: ASC}]) { totalCount } }`},
		{"an unknown input field", `{ meetings(where: {titl: "x"}) { totalCount } }`},
	} {
		t.Run(tc.name+" gets no suggestion in production", func(t *testing.T) {
			body := jsonBody(t, map[string]any{"query": tc.query})
			r := a.wire(t, dev, wireCall{body: body})
			if errs := r.errors(t); len(errs) == 0 || !strings.Contains(r.String(), "Did you mean") {
				t.Fatalf("outside production: %s, want a suggestion (else this case proves nothing)", r)
			}
			r = a.wire(t, prod, wireCall{body: body})
			if errs := r.errors(t); len(errs) == 0 || strings.Contains(r.String(), "Did you mean") {
				t.Fatalf("in production: %s, want an error without suggestion", r)
			}
		})
	}
}
