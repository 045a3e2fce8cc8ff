package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/outcome"
	"github.com/rencontre/rencontre/internal/planning"
)

// The fields computed per meeting or per person with a statement of their
// own (Meeting.attendance, Person.segment) are computed, the first time one
// of them is asked in a root field, for every meeting or person that root
// field has loaded and not yet computed: a page of 50 meetings with their
// attendance costs one statement, not 50. The lists are resolved one element
// after the other (see marshal.go), so the first element's field is asked
// before the others'; it computes them all.
//
// What a root field loaded is recorded by an ent interceptor on the meeting
// and person queries (eager loads included). Each root field has its own
// record, so that a mutation's payload never reads what an earlier mutation
// of the same request computed before it changed the data.

// maxBatch bounds the meetings or people of one statement.
const maxBatch = 500

type loadedKey struct{}

// loaded is what one root field loaded, and what was computed of it.
type loaded struct {
	mu                sync.Mutex
	meetingAttendance pending[*ent.Meeting, *planning.Attendance]
	personAttendance  pending[*ent.Person, *planning.PersonAttendance]
	personSegment     pending[*ent.Person, outcome.Segment]
}

// pending are the loaded records of one type whose value of one field is
// not computed yet, in load order, and the values computed by ID.
type pending[T any, V any] struct {
	seen   map[int]bool
	queue  []T
	values map[int]V
}

func (p *pending[T, V]) add(id int, t T) {
	if p.seen == nil {
		p.seen = map[int]bool{}
	}
	if !p.seen[id] {
		p.seen[id] = true
		p.queue = append(p.queue, t)
	}
}

// batch is first followed by up to maxBatch-1 of the loaded records whose
// value is not computed yet, the queue left with the rest.
func (p *pending[T, V]) batch(first T, firstID int, id func(T) int) []T {
	out := []T{first}
	rest := p.queue[:0]
	for _, t := range p.queue {
		i := id(t)
		if _, done := p.values[i]; done || i == firstID {
			continue
		}
		if len(out) < maxBatch {
			out = append(out, t)
		} else {
			rest = append(rest, t)
		}
	}
	p.queue = rest
	return out
}

// batchedValue is t's value of the field of p: the one computed already,
// else computed by compute for t and the other loaded records whose value is
// not computed yet. The lock is not held while compute runs: the privacy
// rules of its statement may load meetings or people, whose interceptors
// take it.
func batchedValue[T any, V any](l *loaded, p *pending[T, V], t T, id func(T) int, compute func([]T) (map[int]V, error)) (V, error) {
	l.mu.Lock()
	v, ok := p.values[id(t)]
	var batch []T
	if !ok {
		batch = p.batch(t, id(t), id)
	}
	l.mu.Unlock()
	if ok {
		return v, nil
	}
	vs, err := compute(batch)
	if err != nil {
		return v, err
	}
	l.mu.Lock()
	if p.values == nil {
		p.values = make(map[int]V, len(vs))
	}
	for i, x := range vs {
		p.values[i] = x
	}
	l.mu.Unlock()
	return vs[id(t)], nil
}

// withLoaded gives each root field its own record of what it loads.
func withLoaded(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	return next(context.WithValue(ctx, loadedKey{}, &loaded{}))
}

func loadedFrom(ctx context.Context) *loaded {
	l, _ := ctx.Value(loadedKey{}).(*loaded)
	return l
}

// installedRecorders are the clients whose meeting and person queries
// record what they load in the root field's record; a client gets the
// interceptors once, however many handlers serve it.
var installedRecorders sync.Map

// recordLoaded installs on client the interceptors that record, in the
// root field's record (when the query runs in one), the meetings and people
// its queries return.
func recordLoaded(client *ent.Client) {
	if _, done := installedRecorders.LoadOrStore(client, true); done {
		return
	}
	client.Meeting.Intercept(recorderOf(func(l *loaded, ms []*ent.Meeting) {
		for _, m := range ms {
			l.meetingAttendance.add(m.ID, m)
		}
	}))
	client.Person.Intercept(recorderOf(func(l *loaded, ps []*ent.Person) {
		for _, p := range ps {
			l.personAttendance.add(p.ID, p)
			l.personSegment.add(p.ID, p)
		}
	}))
}

// recorderOf is the interceptor that hands the records of type T a query
// returns to add, with the root field's record locked.
func recorderOf[T any](add func(l *loaded, ts []T)) ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			v, err := next.Query(ctx, q)
			if ts, ok := v.([]T); ok && err == nil {
				if l := loadedFrom(ctx); l != nil {
					l.mu.Lock()
					add(l, ts)
					l.mu.Unlock()
				}
			}
			return v, err
		})
	})
}

func meetingID(m *ent.Meeting) int { return m.ID }
func personID(p *ent.Person) int   { return p.ID }

// clientOf is the client of the request's transaction in a mutation, else
// the resolver's.
func (r *Resolver) clientOf(ctx context.Context) *ent.Client {
	if c := ent.FromContext(ctx); c != nil {
		return c
	}
	return r.client
}

// meetingAttendance is m's attendance, computed with the other loaded
// meetings'.
func (r *Resolver) meetingAttendance(ctx context.Context, m *ent.Meeting) (*planning.Attendance, error) {
	l := loadedFrom(ctx)
	if l == nil {
		return planning.MeetingAttendance(ctx, m, r.now())
	}
	return batchedValue(l, &l.meetingAttendance, m, meetingID, func(ms []*ent.Meeting) (map[int]*planning.Attendance, error) {
		return planning.MeetingsAttendance(ctx, r.clientOf(ctx), ms, r.now())
	})
}

// personAttendance is p's attendance, computed with the other loaded
// people's.
func (r *Resolver) personAttendance(ctx context.Context, p *ent.Person) (*planning.PersonAttendance, error) {
	l := loadedFrom(ctx)
	if l == nil {
		return planning.PersonAttendanceOf(ctx, p, r.now())
	}
	return batchedValue(l, &l.personAttendance, p, personID, func(ps []*ent.Person) (map[int]*planning.PersonAttendance, error) {
		return planning.PeopleAttendance(ctx, r.clientOf(ctx), personIDs(ps), r.now())
	})
}

// segment is p's segment now, computed with the other loaded people's.
func (r *Resolver) segment(ctx context.Context, p *ent.Person) (outcome.Segment, error) {
	rules, err := r.segmentRules(ctx)
	if err != nil {
		return "", err
	}
	l := loadedFrom(ctx)
	if l == nil {
		return outcome.SegmentOf(ctx, r.client, rules, p.ID, r.now())
	}
	return batchedValue(l, &l.personSegment, p, personID, func(ps []*ent.Person) (map[int]outcome.Segment, error) {
		return outcome.SegmentsOf(ctx, r.client, rules, personIDs(ps), r.now())
	})
}

func personIDs(ps []*ent.Person) []int {
	ids := make([]int, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}
