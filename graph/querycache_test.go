package graph_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/testenv"
)

// cachedHandler is one GraphQL handler, whose caches live across the
// requests of a test.
type cachedHandler struct {
	a *api
	h http.Handler
}

func newCachedHandler(t *testing.T) *cachedHandler {
	a := newAPI(t)
	return &cachedHandler{a: a, h: graph.NewHandler(a.ent, graph.Options{})}
}

func (c *cachedHandler) post(t *testing.T, body map[string]any) rawResult {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Error(err)
		return rawResult{}
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.a.bearer(t))
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	res := rawResult{Status: w.Code}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Errorf("decoding response %.300q: %v", w.Body.String(), err)
	}
	return res
}

// twentyFivePeople makes 25 people, all members of one community.
func twentyFivePeople(t *testing.T, a *api) {
	t.Helper()
	ctx := testenv.System()
	org := a.ent.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(ctx)
	var people []int
	for i := range 25 {
		p := a.ent.Person.Create().SetOrganization(org).SetName(fmt.Sprintf("Person %02d", i)).
			SetEmail(fmt.Sprintf("p%d@acme.example", i)).SaveX(ctx)
		people = append(people, p.ID)
	}
	a.ent.Community.Create().SetOrganization(org).SetName("Everyone").SetKind(community.KindTeam).AddMemberIDs(people...).SaveX(ctx)
}

// pagesQuery has a root and a nested connection, whose first is $n, and a
// fragment with a connection without first or last.
const pagesQuery = `query Pages($n: Int) {
  people(first: $n) { ...page }
  communities { edges { node { members(first: $n) { ...page } } } }
}
fragment page on PersonConnection { totalCount pageInfo { hasNextPage } edges { node { id communities { edges { node { id } } } } } }`

type pages struct {
	People      personPage
	Communities struct {
		Edges []struct{ Node struct{ Members personPage } }
	}
}

// checkPages checks both connections of pagesQuery hold want people.
func checkPages(t *testing.T, r rawResult, want int) {
	t.Helper()
	var data pages
	if len(r.Errors) > 0 {
		t.Errorf("errors (HTTP %d): %+v", r.Status, r.Errors)
		return
	}
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Errorf("decoding %s: %v", r.Data, err)
		return
	}
	if len(data.Communities.Edges) != 1 {
		t.Errorf("communities = %d, want 1", len(data.Communities.Edges))
		return
	}
	root, nested := data.People, data.Communities.Edges[0].Node.Members
	if len(root.Edges) != want || len(nested.Edges) != want || root.TotalCount != 25 || !root.PageInfo.HasNextPage {
		t.Errorf("people %d (of %d), members %d; want %d of 25", len(root.Edges), root.TotalCount, len(nested.Edges), want)
	}
}

// TestCachedDocumentKeepsThePageSizeOfEachRequest: the default page size of
// a connection whose first is a null variable is that request's own, whatever
// the requests before it asked with the same (cached) document.
func TestCachedDocumentKeepsThePageSizeOfEachRequest(t *testing.T) {
	c := newCachedHandler(t)
	twentyFivePeople(t, c.a)
	for _, tc := range []struct {
		vars map[string]any
		want int
	}{
		{map[string]any{"n": nil}, 20},
		{map[string]any{"n": 3}, 3},
		{nil, 20},
		{map[string]any{"n": 5}, 5},
		{map[string]any{"n": nil}, 20},
	} {
		checkPages(t, c.post(t, map[string]any{"query": pagesQuery, "variables": tc.vars}), tc.want)
	}
	// Without variables, from the cache.
	for range 2 {
		var data struct{ People personPage }
		c.post(t, map[string]any{"query": `{ people { totalCount edges { node { id } } } }`}).mustData(t, &data)
		if len(data.People.Edges) != 20 {
			t.Fatalf("people %d, want 20", len(data.People.Edges))
		}
	}
}

// TestCachedDocumentUnderConcurrentRequests runs one document with different
// page sizes at once: with -race, any write into the shared document shows.
func TestCachedDocumentUnderConcurrentRequests(t *testing.T) {
	c := newCachedHandler(t)
	twentyFivePeople(t, c.a)
	c.a.bearer(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 6 {
				if (g+i)%2 == 0 {
					checkPages(t, c.post(t, map[string]any{"query": pagesQuery}), 20)
				} else {
					checkPages(t, c.post(t, map[string]any{"query": pagesQuery, "variables": map[string]any{"n": 2}}), 2)
				}
			}
		})
	}
	wg.Wait()
}

func TestAutomaticPersistedQueries(t *testing.T) {
	c := newCachedHandler(t)
	twentyFivePeople(t, c.a)
	const query = `query People { people(first: 2) { totalCount } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}

	r := c.post(t, map[string]any{"extensions": ext})
	if len(r.Errors) != 1 || r.Errors[0].code() != "PERSISTED_QUERY_NOT_FOUND" || !r.dataIsNull() {
		t.Fatalf("an unknown hash: HTTP %d %+v, want PERSISTED_QUERY_NOT_FOUND", r.Status, r.Errors)
	}
	var data struct{ People struct{ TotalCount int } }
	c.post(t, map[string]any{"query": query, "extensions": ext}).mustData(t, &data)
	if data.People.TotalCount != 25 {
		t.Fatalf("totalCount %d, want 25", data.People.TotalCount)
	}
	data.People.TotalCount = 0
	c.post(t, map[string]any{"extensions": ext}).mustData(t, &data)
	if data.People.TotalCount != 25 {
		t.Fatalf("by hash: totalCount %d, want 25", data.People.TotalCount)
	}
	wrong := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": "00"}}
	r = c.post(t, map[string]any{"query": query, "extensions": wrong})
	if len(r.Errors) != 1 || !r.dataIsNull() || r.Status != http.StatusBadRequest {
		t.Fatalf("a hash that is not the query's: HTTP %d %+v, want a request error", r.Status, r.Errors)
	}
	// A persisted query is measured like any other.
	big := `{ viewer { ` + spaced(2001, always("role")) + ` } }`
	bigSum := sha256.Sum256([]byte(big))
	r = c.post(t, map[string]any{"query": big, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(bigSum[:])}}})
	if len(r.Errors) != 1 || r.Errors[0].code() != "QUERY_TOO_LARGE" {
		t.Fatalf("a persisted query over the limits: HTTP %d %+v, want QUERY_TOO_LARGE", r.Status, r.Errors)
	}
}
