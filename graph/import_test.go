package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

const peopleImportMutation = `mutation($input: PeopleImportInput!) {
	peopleImport(input: $input) {
		created updated unchanged communitiesCreated
		errors { row column message }
		userErrors { field message code }
	}
}`

// importResponse is the GraphQL response of peopleImportMutation.
type importResponse struct {
	status int
	Data   struct {
		PeopleImport *struct {
			Created, Updated, Unchanged, CommunitiesCreated int
			Errors                                          []struct {
				Row     int
				Column  *string
				Message string
			}
			UserErrors []userError
		}
	}
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

// multipartBody is a request of the GraphQL multipart request specification:
// the operations, the map, then the file as part "0".
func multipartBody(t *testing.T, query string, input map[string]any, file string) (*bytes.Buffer, string) {
	t.Helper()
	input["file"] = nil
	ops, err := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"input": input}})
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("operations", string(ops))
	_ = mw.WriteField("map", `{"0": ["variables.input.file"]}`)
	fw, err := mw.CreateFormFile("0", "people.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(fw, file)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &body, mw.FormDataContentType()
}

// importFile sends file to peopleImport through the handler, as token.
func importFile(t *testing.T, h http.Handler, token, file string, input map[string]any) importResponse {
	t.Helper()
	body, contentType := multipartBody(t, peopleImportMutation, input, file)
	return serveImport(t, h, token, body, contentType, int64(body.Len()))
}

func serveImport(t *testing.T, h http.Handler, token string, body io.Reader, contentType string, length int64) importResponse {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/graphql", body)
	r.ContentLength = length
	r.Header.Set("Content-Type", contentType)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var resp importResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response %d is not JSON: %v: %s", w.Code, err, w.Body)
	}
	resp.status = w.Code
	return resp
}

func code(resp importResponse) string {
	if len(resp.Errors) == 0 {
		return ""
	}
	c, _ := resp.Errors[0].Extensions["code"].(string)
	return c
}

const importHeader = "name,email,phone,company,job_title,tags,communities,vip\n"

func TestPeopleImportImportsAndReimportsWithoutDuplicates(t *testing.T) {
	c := testenv.Client(t)
	f := newFixture(t, c) // Ana and Ben in Platform
	h := graph.NewHandler(c, graph.Options{})
	token := tokenFor(t, c, "acme", membership.RolePlanner)
	file := importHeader +
		"Ana Lima,ANA@acme.example,+33 1 23 45,Acme,CTO,speaker,Platform,true\n" +
		"Chloé Durand,chloe@acme.example,,,,board;speaker,Platform;Paris,\n" +
		"\"Roy, Dan\",dan@acme.example,,,,,,false\n"

	resp := importFile(t, h, token, file, map[string]any{"createCommunities": true})
	p := resp.Data.PeopleImport
	if resp.status != http.StatusOK || p == nil || len(p.UserErrors) != 0 || len(p.Errors) != 0 {
		t.Fatalf("import: %d %+v", resp.status, resp)
	}
	if p.Created != 2 || p.Updated != 1 || p.Unchanged != 0 || p.CommunitiesCreated != 1 {
		t.Errorf("import = %+v, want 2 created, 1 updated, 1 community created", *p)
	}
	ctx := testenv.System()
	chloe := c.Person.Query().Where(person.Email("chloe@acme.example")).WithCommunities().OnlyX(ctx)
	if chloe.OrganizationID != f.org.ID || len(chloe.Edges.Communities) != 2 || len(chloe.Tags) != 2 {
		t.Errorf("chloe = %+v with communities %v", chloe, chloe.Edges.Communities)
	}
	if ana := c.Person.GetX(ctx, f.ana.ID); ana.Name != "Ana Lima" || !ana.Vip || ana.Phone == nil {
		t.Errorf("ana after the import = %+v", ana)
	}

	before := dbState(t, c)
	resp = importFile(t, h, token, file, map[string]any{})
	if p := resp.Data.PeopleImport; p == nil || p.Created != 0 || p.Updated != 0 || p.Unchanged != 3 {
		t.Errorf("the same file again: %+v, want 3 unchanged", resp)
	}
	if dbState(t, c) != before {
		t.Error("importing the same file again changed the database")
	}
}

func TestPeopleImportOfAnInvalidFileWritesNothingAndListsEveryError(t *testing.T) {
	c := testenv.Client(t)
	newFixture(t, c)
	h := graph.NewHandler(c, graph.Options{})
	token := tokenFor(t, c, "acme", membership.RoleOwner)
	file := importHeader +
		"Chloé Durand,chloe@acme.example,,,,,Platform,\n" +
		"Dan,dan@,,,,,,\n" + // row 3: email
		"Eve,eve@acme.example,,,,,,\n" +
		",fay@acme.example,,,,,,\n" + // row 5: name
		"Gus,gus@acme.example,,,,,Nowhere,\n" // row 6: unknown community
	before := dbState(t, c)
	resp := importFile(t, h, token, file, map[string]any{})
	after := dbState(t, c)
	if before != after {
		t.Error("an invalid file changed the database")
	}
	p := resp.Data.PeopleImport
	if p == nil {
		t.Fatalf("no payload: %+v", resp)
	}
	// Every error at once, in row order: the unknown community (which needs
	// the database) with the file's own.
	want := []struct {
		row    int
		column string
	}{{3, "email"}, {5, "name"}, {6, "communities"}}
	if len(p.Errors) != len(want) {
		t.Fatalf("errors = %+v, want %v", p.Errors, want)
	}
	for i, w := range want {
		if e := p.Errors[i]; e.Row != w.row || e.Column == nil || *e.Column != w.column || e.Message == "" {
			t.Errorf("error %d = %+v, want row %d, column %s", i, e, w.row, w.column)
		}
	}
	if len(p.UserErrors) != 1 || strings.Join(p.UserErrors[0].Field, ".") != "input.file" || p.UserErrors[0].Code != "INVALID" {
		t.Errorf("userErrors = %+v, want one on input.file", p.UserErrors)
	}
	if p.Created+p.Updated+p.Unchanged != 0 {
		t.Errorf("counts of an invalid file: %+v", *p)
	}

	// Fixed, the file still names a community the organization lacks.
	fixed := strings.NewReplacer("dan@,", "dan@acme.example,", ",fay@", "Fay,fay@").Replace(file)
	resp = importFile(t, h, token, fixed, map[string]any{})
	if p := resp.Data.PeopleImport; p == nil || len(p.Errors) != 1 || p.Errors[0].Row != 6 || *p.Errors[0].Column != "communities" {
		t.Errorf("unknown community: %+v", resp)
	}
	if dbState(t, c) != before {
		t.Error("a file naming an unknown community changed the database")
	}
}

func TestPeopleImportThreeBadRows(t *testing.T) {
	c := testenv.Client(t)
	newFixture(t, c)
	h := graph.NewHandler(c, graph.Options{})
	token := tokenFor(t, c, "acme", membership.RolePlanner)
	file := importHeader +
		"Ok,ok@acme.example,,,,,,\n" +
		"Bad Email,nope,,,,,,\n" +
		"Bad Vip,vip@acme.example,,,,,,perhaps\n" +
		"Too Long,long@acme.example," + strings.Repeat("9", 41) + ",,,,,\n"
	before := dbState(t, c)
	resp := importFile(t, h, token, file, map[string]any{})
	if dbState(t, c) != before {
		t.Error("an invalid file changed the database")
	}
	var got []string
	for _, e := range resp.Data.PeopleImport.Errors {
		got = append(got, fmt.Sprintf("%d/%s", e.Row, *e.Column))
	}
	if strings.Join(got, " ") != "3/email 4/vip 5/phone" {
		t.Errorf("errors = %v, want 3/email 4/vip 5/phone", got)
	}
}

func TestPeopleImportIsRefusedToViewers(t *testing.T) {
	c := testenv.Client(t)
	newFixture(t, c)
	h := graph.NewHandler(c, graph.Options{})
	token := tokenFor(t, c, "acme", membership.RoleViewer)
	before := dbState(t, c)
	resp := importFile(t, h, token, importHeader+"Zoé,zoe@acme.example,,,,,,\n", map[string]any{})
	if code(resp) != "FORBIDDEN" || resp.Data.PeopleImport != nil {
		t.Errorf("a VIEWER's import: %+v, want FORBIDDEN", resp)
	}
	if dbState(t, c) != before {
		t.Error("a VIEWER's import changed the database")
	}
}

func TestPeopleImportDryRunWritesNothing(t *testing.T) {
	c := testenv.Client(t)
	newFixture(t, c)
	h := graph.NewHandler(c, graph.Options{})
	token := tokenFor(t, c, "acme", membership.RoleOwner)
	before := dbState(t, c)
	resp := importFile(t, h, token, importHeader+"Zoé,zoe@acme.example,,,,,New team,\n", map[string]any{"dryRun": true, "createCommunities": true})
	if p := resp.Data.PeopleImport; p == nil || p.Created != 1 || p.CommunitiesCreated != 1 || len(p.UserErrors) != 0 {
		t.Errorf("dry run: %+v", resp)
	}
	if dbState(t, c) != before {
		t.Error("a dry run changed the database")
	}
}

func TestPeopleImportRequestLimits(t *testing.T) {
	c := testenv.Client(t)
	newFixture(t, c)
	h := graph.NewHandler(c, graph.Options{MaxUploadBytes: 4096, MaxBodyBytes: 2048})
	token := tokenFor(t, c, "acme", membership.RoleOwner)
	big := importHeader + strings.Repeat("Someone,someone@acme.example,,,,,,\n", 200) // ~7 KB

	t.Run("a multipart request over the upload limit is refused with 413", func(t *testing.T) {
		body, ct := multipartBody(t, peopleImportMutation, map[string]any{}, big)
		resp := serveImport(t, h, token, body, ct, int64(body.Len()))
		if resp.status != http.StatusRequestEntityTooLarge || code(resp) != "REQUEST_TOO_LARGE" || !strings.Contains(resp.Errors[0].Message, "4096") {
			t.Errorf("got %d %+v, want 413 REQUEST_TOO_LARGE naming the limit", resp.status, resp.Errors)
		}
	})
	t.Run("also when the client does not announce the length", func(t *testing.T) {
		body, ct := multipartBody(t, peopleImportMutation, map[string]any{}, big)
		resp := serveImport(t, h, token, io.MultiReader(body), ct, -1)
		if resp.status != http.StatusRequestEntityTooLarge || code(resp) != "REQUEST_TOO_LARGE" {
			t.Errorf("got %d %+v, want 413 REQUEST_TOO_LARGE", resp.status, resp.Errors)
		}
	})
	t.Run("the operations part keeps the limit of JSON bodies", func(t *testing.T) {
		query := peopleImportMutation + "\n#" + strings.Repeat("x", 2100)
		body, ct := multipartBody(t, query, map[string]any{}, importHeader+"Zoé,zoe@acme.example,,,,,,\n")
		resp := serveImport(t, h, token, body, ct, int64(body.Len()))
		if resp.status != http.StatusRequestEntityTooLarge || code(resp) != "REQUEST_TOO_LARGE" {
			t.Errorf("got %d %+v, want 413 REQUEST_TOO_LARGE", resp.status, resp.Errors)
		}
	})
	t.Run("a file under the limit is imported", func(t *testing.T) {
		resp := importFile(t, h, token, importHeader+"Zoé,zoe@acme.example,,,,,,\n", map[string]any{})
		if p := resp.Data.PeopleImport; resp.status != http.StatusOK || p == nil || p.Created != 1 {
			t.Errorf("got %d %+v", resp.status, resp)
		}
	})
	t.Run("a multipart request without map is a bad request", func(t *testing.T) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("operations", `{"query": "{ viewer { role } }"}`)
		_ = mw.Close()
		resp := serveImport(t, h, token, &body, mw.FormDataContentType(), int64(body.Len()))
		if resp.status != http.StatusBadRequest || code(resp) != "BAD_REQUEST" {
			t.Errorf("got %d %+v, want 400 BAD_REQUEST", resp.status, resp.Errors)
		}
	})
	t.Run("a file given as a JSON value is refused as bad input", func(t *testing.T) {
		body := `{"query": ` + jsonString(peopleImportMutation) + `, "variables": {"input": {"file": "name,email"}}}`
		resp := serveImport(t, h, token, strings.NewReader(body), "application/json", int64(len(body)))
		if c := code(resp); c == "INTERNAL_SERVER_ERROR" || c == "" || resp.Data.PeopleImport != nil {
			t.Errorf("got %d %+v, want a client error", resp.status, resp.Errors)
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestPeopleImportOf10000RowsFitsTheRequestDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 rows")
	}
	c := testenv.Client(t)
	newFixture(t, c)
	h := graph.NewHandler(c, graph.Options{}) // default upload limit and request timeout
	token := tokenFor(t, c, "acme", membership.RolePlanner)
	var file strings.Builder
	file.WriteString(importHeader)
	for i := range 10_000 {
		fmt.Fprintf(&file, "Person %d,person%d@acme.example,+33 1 00 %05d,Company %d,Engineer,tag%d,Team %d,%t\n", i, i, i, i%50, i%7, i%10, i%100 == 0)
	}
	resp := importFile(t, h, token, file.String(), map[string]any{"createCommunities": true})
	if p := resp.Data.PeopleImport; resp.status != http.StatusOK || p == nil || p.Created != 10_000 || p.CommunitiesCreated != 10 {
		t.Fatalf("got %d %+v", resp.status, resp.Errors)
	}
}
