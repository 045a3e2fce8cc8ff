package graph

import (
	"container/list"
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
)

// Sizes of the caches of the handler. A parsed document takes about 20
// bytes of memory per byte of its query text, hence the budgets in bytes on
// top of the counts: a client sending many large distinct queries evicts the
// others rather than growing the process.
const (
	queryCacheEntries = 1000
	queryCacheBytes   = 16 << 20 // estimated memory of the parsed documents
	astBytesPerByte   = 20
	apqCacheEntries   = 1000
	apqCacheBytes     = 4 << 20 // query text
)

// documentCache is the parsed-query cache: validated documents by query
// text, least recently used evicted first. A document is stored with the
// default page sizes written in (writeStaticPageDefaults), at the only moment
// it can be written safely: gqlgen adds a document it has just parsed and
// validated, before any other request can get it. Once stored, a document is
// only read; what depends on a request's variables is applied to a copy (see
// pageLimits).
type documentCache struct {
	lru *lruCache[*ast.QueryDocument]
}

var _ graphql.Cache[*ast.QueryDocument] = documentCache{}

func newDocumentCache() documentCache {
	return documentCache{newLRU[*ast.QueryDocument](queryCacheEntries, queryCacheBytes)}
}

// Get implements graphql.Cache.
func (c documentCache) Get(_ context.Context, query string) (*ast.QueryDocument, bool) {
	return c.lru.get(query)
}

// Add implements graphql.Cache.
func (c documentCache) Add(_ context.Context, query string, doc *ast.QueryDocument) {
	writeStaticPageDefaults(doc)
	c.lru.add(query, doc, astBytesPerByte*len(query))
}

// contains reports a document of query in the cache, which has passed the
// checks on its shape already.
func (c documentCache) contains(query string) bool {
	return c.lru.contains(query)
}

// persistedQueries is the store of Automatic Persisted Queries: query texts
// by their SHA-256.
type persistedQueries struct{ lru *lruCache[string] }

var _ graphql.Cache[string] = persistedQueries{}

// Get implements graphql.Cache.
func (c persistedQueries) Get(_ context.Context, hash string) (string, bool) { return c.lru.get(hash) }

// Add implements graphql.Cache.
func (c persistedQueries) Add(_ context.Context, hash, query string) {
	c.lru.add(hash, query, len(hash)+len(query))
}

// automaticPersistedQueries is gqlgen's APQ extension over a bounded store: a
// client may send {"extensions": {"persistedQuery": {"version": 1,
// "sha256Hash": "…"}}} without the query, which is answered
// PERSISTED_QUERY_NOT_FOUND until the client has sent the query once with its
// hash.
func automaticPersistedQueries() extension.AutomaticPersistedQuery {
	return extension.AutomaticPersistedQuery{Cache: persistedQueries{newLRU[string](apqCacheEntries, apqCacheBytes)}}
}

// lruCache is a least-recently-used cache bounded in entries and in a cost
// (an estimate of their memory). Safe for concurrent use.
type lruCache[T any] struct {
	mu         sync.Mutex
	maxEntries int
	maxCost    int
	cost       int
	order      *list.List // of *lruEntry[T], most recent first
	entries    map[string]*list.Element
}

type lruEntry[T any] struct {
	key   string
	value T
	cost  int
}

func newLRU[T any](maxEntries, maxCost int) *lruCache[T] {
	return &lruCache[T]{maxEntries: maxEntries, maxCost: maxCost, order: list.New(), entries: map[string]*list.Element{}}
}

func (c *lruCache[T]) get(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*lruEntry[T]).value, true
	}
	var zero T
	return zero, false
}

func (c *lruCache[T]) contains(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[key]
	return ok
}

// add stores value under key; a value costing more than a tenth of the
// budget is not kept.
func (c *lruCache[T]) add(key string, value T, cost int) {
	if cost > c.maxCost/10 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		old := e.Value.(*lruEntry[T])
		c.cost += cost - old.cost
		old.value, old.cost = value, cost
		c.order.MoveToFront(e)
	} else {
		c.entries[key] = c.order.PushFront(&lruEntry[T]{key: key, value: value, cost: cost})
		c.cost += cost
	}
	for c.order.Len() > c.maxEntries || c.cost > c.maxCost {
		last := c.order.Back()
		e := last.Value.(*lruEntry[T])
		c.order.Remove(last)
		delete(c.entries, e.key)
		c.cost -= e.cost
	}
}
