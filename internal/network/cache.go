package network

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/network/analysis"
	"github.com/rencontre/rencontre/internal/viewer"
)

// The organization graph cache.
//
// Paths, suggestions, neighbourhoods (Person.network) and the
// organization-wide loads (network(scope: {organization: true}) and its
// export) read one graph per organization kept in the process: the IDs,
// tags and communities of its people and every relationship, in compact
// form. A cached graph serves while all of these hold:
//
//   - no write made through ent in this process changed the organization's
//     people, communities or relationships: a version per organization is
//     bumped when such a write commits (TrackChanges, registered on the
//     client by database.Open, and the strengthening of an encounter);
//   - the latest updatedAt of the organization's relationships and people
//     (two statements, each read by an index) is the one seen at loading.
//     This catches the writes of other processes (another server on the
//     same database, `rencontre generate`, SQL by hand); it is checked at
//     most once every StampInterval per organization, so another process's
//     change shows after StampInterval at worst. Deletions by another
//     process are not seen by the stamp: they show within graphMaxAge;
//   - it is younger than graphMaxAge (strengths fade: every current strength
//     is recomputed at the request's time from the stored strength and
//     lastMetAt, but the graph's own weights are those of its loading).
//
// The hot path of a request is then a map lookup under a mutex, with no SQL.
// One load per organization runs at a time; concurrent requests wait for it.

// StampInterval is how often, at most, a cached organization graph is
// checked against the database's latest updatedAt of relationships and
// people: the delay after which a write by another process is seen.
const StampInterval = 5 * time.Second

// graphMaxAge is how long a cached organization graph serves: strengths
// fade by 0.4% a day, so an hour changes no path.
const graphMaxAge = time.Hour

// orgGraph is the cached network of one organization.
type orgGraph struct {
	at    time.Time // when it was loaded: the CurrentStrength of links, and the graph's weights, are as of then
	ids   []int     // people, ascending
	links []Link    // every relationship, by ID
	// Incidence: the k-th link of person ids[i], for k in off[i]..off[i+1]-1,
	// is links[inc[k]], to the person of index nbr[k].
	off, inc, nbr []int32
	graph         *analysis.Graph // people (tags, communities) and links, weighted by CurrentStrength at `at`
}

// index is the position of a person in ids, or -1.
func (g *orgGraph) index(id int) int {
	i := sort.SearchInts(g.ids, id)
	if i < len(g.ids) && g.ids[i] == id {
		return i
	}
	return -1
}

type cacheKey struct {
	c   *ent.Client
	org int
}

type cacheEntry struct {
	version [2]uint64 // versionOf(org) when loaded
	stamp   string    // latest updatedAt of relationships and people when loaded
	checked time.Time // wall clock of the last stamp check
	graph   *orgGraph
	loading chan struct{} // closed when the running load ends; nil when none runs
}

var graphCache = struct {
	mu      sync.Mutex
	entries map[cacheKey]*cacheEntry
	global  uint64         // bumped by writes whose organization is not known
	byOrg   map[int]uint64 // bumped by writes of one organization
	pending map[pendingKey]bool
}{entries: map[cacheKey]*cacheEntry{}, byOrg: map[int]uint64{}, pending: map[pendingKey]bool{}}

type pendingKey struct {
	tx  *ent.Tx
	org int
}

// versionOf is the change version of an organization in this process.
// The caller holds graphCache.mu.
func versionOf(org int) [2]uint64 { return [2]uint64{graphCache.global, graphCache.byOrg[org]} }

func bump(org int) {
	graphCache.mu.Lock()
	if org == 0 {
		graphCache.global++
	} else {
		graphCache.byOrg[org]++
	}
	graphCache.mu.Unlock()
}

// changed records that the network of org (0: of any organization) changed
// in ctx: at once, and again when the transaction of ctx (or tx) commits, so
// that a graph loaded in between, from data without the change, is not
// kept.
func changed(ctx context.Context, tx *ent.Tx, org int) {
	bump(org)
	if tx == nil {
		tx = ent.TxFromContext(ctx)
	}
	if tx == nil {
		return
	}
	k := pendingKey{tx, org}
	graphCache.mu.Lock()
	registered := graphCache.pending[k]
	graphCache.pending[k] = true
	graphCache.mu.Unlock()
	if registered {
		return
	}
	done := func() {
		graphCache.mu.Lock()
		delete(graphCache.pending, k)
		graphCache.mu.Unlock()
	}
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			err := next.Commit(ctx, tx)
			done()
			bump(org)
			return err
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			done()
			return next.Rollback(ctx, tx)
		})
	})
}

// TrackChanges is an ent hook, for client.Use, that tells the organization
// graph cache about every write of people, communities (their members),
// relationships and organizations made through ent in this process: the
// mutation resolvers, the CSV importer, the demo loader, encounters.
func TrackChanges() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			switch m.Type() {
			case ent.TypePerson, ent.TypeRelationship, ent.TypeCommunity, ent.TypeOrganization:
			default:
				return next.Mutate(ctx, m)
			}
			v, err := next.Mutate(ctx, m)
			if err != nil {
				return v, err
			}
			org := 0 // a system write (no viewer): every organization
			if vw := viewer.FromContext(ctx); vw != nil {
				org = vw.OrganizationID
			}
			var tx *ent.Tx
			if withTx, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
				tx, _ = withTx.Tx()
			}
			changed(ctx, tx, org)
			return v, nil
		})
	}
}

// organizationGraph is the cached graph of the viewer's organization,
// loaded when missing or stale (see above). c is the server's client (not a
// transaction's): the cache is kept per client and organization. Without a
// viewer it is loaded and not kept.
func organizationGraph(ctx context.Context, c *ent.Client, now time.Time) (*orgGraph, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return loadOrgGraph(ctx, c, now)
	}
	key := cacheKey{c, v.OrganizationID}
	for {
		graphCache.mu.Lock()
		e := graphCache.entries[key]
		if e == nil {
			e = &cacheEntry{}
			graphCache.entries[key] = e
		}
		if wait := e.loading; wait != nil {
			graphCache.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		version := versionOf(v.OrganizationID)
		fresh := e.graph != nil && e.version == version && now.Sub(e.graph.at) < graphMaxAge && !now.Before(e.graph.at)
		if fresh && time.Since(e.checked) < StampInterval {
			g := e.graph
			graphCache.mu.Unlock()
			return g, nil
		}
		done := make(chan struct{})
		e.loading = done
		graphCache.mu.Unlock()

		g, stamp, err := refresh(ctx, c, now, e, fresh)
		graphCache.mu.Lock()
		e.loading = nil
		if err == nil {
			e.checked = time.Now()
			if g != e.graph {
				e.graph, e.stamp, e.version = g, stamp, version
			}
		}
		graphCache.mu.Unlock()
		close(done)
		return g, err
	}
}

// refresh checks the stamp of a cached graph (fresh: its version and age
// are right) and loads the graph again when needed. It runs without the
// lock, by one request at a time for an entry.
func refresh(ctx context.Context, c *ent.Client, now time.Time, e *cacheEntry, fresh bool) (*orgGraph, string, error) {
	stamp, err := latestChange(ctx, c)
	if err != nil {
		return nil, "", err
	}
	if fresh && stamp == e.stamp {
		return e.graph, stamp, nil
	}
	g, err := loadOrgGraph(ctx, c, now)
	return g, stamp, err
}

// latestChange is the latest updatedAt of the relationships and of the
// people of the viewer's organization, each read by an index on
// (organization_id, updated_at).
func latestChange(ctx context.Context, c *ent.Client) (string, error) {
	var rels, people []struct {
		Max string `json:"max"`
	}
	if err := c.Relationship.Query().Aggregate(latestUpdate(relationship.FieldUpdatedAt)).Scan(ctx, &rels); err != nil {
		return "", fmt.Errorf("reading the network's version: %w", err)
	}
	if err := c.Person.Query().Aggregate(latestUpdate(person.FieldUpdatedAt)).Scan(ctx, &people); err != nil {
		return "", fmt.Errorf("reading the network's version: %w", err)
	}
	return fmt.Sprint(rels, people), nil
}

// latestUpdate is the latest value of an updated_at column as text ("" for
// none), comparable on both databases.
func latestUpdate(column string) ent.AggregateFunc {
	return func(s *sql.Selector) string {
		return sql.As("COALESCE(CAST(MAX("+s.C(column)+") AS TEXT), '')", "max")
	}
}

// loadOrgGraph reads the whole network of the viewer's organization in
// compact form: people's IDs, tags and community IDs, and relationships
// scanned straight into Links (no ent entities).
func loadOrgGraph(ctx context.Context, c *ent.Client, now time.Time) (*orgGraph, error) {
	people, err := c.Person.Query().Select(person.FieldID, person.FieldTags).
		WithCommunities(func(q *ent.CommunityQuery) { q.Select(community.FieldID) }).
		Order(person.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the people of the organization: %w", err)
	}
	links, err := scanLinks(ctx, c.Relationship.Query(), now, 0, -1)
	if err != nil {
		return nil, err
	}
	g := &orgGraph{at: now, ids: make([]int, len(people)), links: links}
	nodes := make([]analysis.Node, len(people))
	for i, p := range people {
		g.ids[i] = p.ID
		nodes[i] = analysis.Node{ID: p.ID, Tags: p.Tags}
		for _, cm := range p.Edges.Communities {
			nodes[i].Communities = append(nodes[i].Communities, cm.ID)
		}
	}
	people = nil
	edges := make([]analysis.Edge, len(links))
	ends := make([][2]int32, len(links)) // indices of the two people, -1 when unknown
	deg := make([]int32, len(g.ids)+1)
	for i, l := range links {
		edges[i] = analysis.Edge{A: l.A, B: l.B, Strength: l.CurrentStrength}
		a, b := g.index(l.A), g.index(l.B)
		ends[i] = [2]int32{int32(a), int32(b)}
		if a >= 0 && b >= 0 {
			deg[a+1]++
			deg[b+1]++
		}
	}
	g.graph = analysis.New(nodes, edges)
	nodes, edges = nil, nil
	for i := 1; i < len(deg); i++ {
		deg[i] += deg[i-1]
	}
	g.off = deg
	g.inc = make([]int32, deg[len(deg)-1])
	g.nbr = make([]int32, deg[len(deg)-1])
	fill := append([]int32(nil), deg[:len(deg)-1]...)
	for i, e := range ends {
		if a, b := e[0], e[1]; a >= 0 && b >= 0 {
			g.inc[fill[a]], g.nbr[fill[a]] = int32(i), b
			fill[a]++
			g.inc[fill[b]], g.nbr[fill[b]] = int32(i), a
			fill[b]++
		}
	}
	return g, nil
}

// scanLinks reads the relationships of q, by ID, as Links at time at,
// keeping those whose current strength is at least minStrength. The rows are
// counted (unless count, their number, is known), then scanned straight
// into Links, not ent entities: 400,000 relationships take about 40 MB.
func scanLinks(ctx context.Context, q *ent.RelationshipQuery, at time.Time, minStrength float64, count int) ([]Link, error) {
	// Sized first (count < 0: counted here): scanning then appends in
	// place, without copies.
	if count < 0 {
		var err error
		if count, err = q.Clone().Count(ctx); err != nil {
			return nil, fmt.Errorf("counting relationships: %w", err)
		}
	}
	links := make([]Link, 0, count)
	err := q.Order(relationship.ByID()).
		Select(relationship.FieldID, relationship.FieldPersonAID, relationship.FieldPersonBID, relationship.FieldStrength,
			relationship.FieldEncounterCount, relationship.FieldFirstMetAt, relationship.FieldLastMetAt).
		Scan(ctx, &links)
	if err != nil {
		return nil, fmt.Errorf("loading relationships: %w", err)
	}
	kept := links[:0]
	for _, l := range links {
		l.CurrentStrength = StrengthAt(l.Strength, l.LastMetAt, at)
		if l.CurrentStrength >= minStrength {
			kept = append(kept, l)
		}
	}
	if len(kept) < len(links)/2 {
		kept = slices.Clone(kept) // let the rest go
	}
	return kept, nil
}
