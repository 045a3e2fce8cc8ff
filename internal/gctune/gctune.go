// Package gctune sets the garbage collector's GOGC after every collection
// so that the heap may grow to a target while the live heap is small, and
// collects as Go does by default (GOGC=100) once the live heap is large.
//
// A request of the planner's queries allocates 0.2 to 1 MB and keeps little:
// with Go's default, a server with 8 to 10 MB live collects every 10 MB
// allocated, a hundred times a second under load (9 % of its CPU in
// GODEBUG=gctrace=1 at 32 clients). With a target of 32 MiB it collects
// about half as often (4 %); issue 11's load benchmark (one round of each
// cell) then answered P1 at 1, 32 and 64 clients 18, 13 and 25 % faster and
// the README query 20 % at 32, for 14 to 27 MB more RSS: 104 MB for P1 at 64
// clients, over the 100 MB, which is why it is off by default
// (--gc-heap-target). A fixed GOGC=300 would also triple the heap of a
// server with a large live heap, such as the network cache of a large
// organization (300 to 500 MB), and GOMEMLIMIT would make that server
// collect without pause once its live heap passes the limit; the tuner does
// neither:
//
//	GOGC = clamp(100 × (target − live) / live, 100, Max)
//
// so the heap goal, live × (1 + GOGC/100), is the target itself while the
// live heap is between target/6 and target/2, less below (GOGC stops at Max),
// and twice the live heap, Go's default, above. This is the technique of Uber's GOGC tuner and of
// bytedance/gopkg's gctuner, with Go's default as the floor.
package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Max is the highest GOGC the tuner sets: a live heap of 10 MB is then
// collected every 50 MB allocated rather than every 10 MB.
const Max = 500

// Percent is the GOGC for a live heap of live bytes and a heap target of
// target bytes: 100 × (target − live) / live, between 100 and Max.
func Percent(target, live uint64) int {
	if live == 0 || target <= 2*live {
		return 100
	}
	p := (target - live) * 100 / live
	if p > Max {
		return Max
	}
	return int(p)
}

// Start tunes GOGC for a heap target of target bytes after every garbage
// collection from now, until stop is called; stop restores the GOGC there
// was before. Start does nothing (stop too) when target is 0.
func Start(target uint64) (stop func()) {
	if target == 0 {
		return func() {}
	}
	t := &tuner{target: target, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.before = debug.SetGCPercent(100)
	t.gogc = 100
	t.tune()
	t.arm()
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		if !t.stopped {
			t.stopped = true
			debug.SetGCPercent(t.before)
		}
	}
}

type tuner struct {
	target uint64
	before int // GOGC before Start

	mu      sync.Mutex
	gogc    int // the GOGC set last
	sample  []metrics.Sample
	stopped bool
}

// sentinel is an object nothing refers to, whose cleanup runs after the
// collection that found it unreachable (at least 16 bytes with a pointer, so
// that it is not packed with other tiny objects and freed late).
type sentinel struct{ _, _ *int }

// arm makes the next collection run t.cleanup.
func (t *tuner) arm() {
	runtime.AddCleanup(new(sentinel), func(t *tuner) { t.cleanup() }, t)
}

func (t *tuner) cleanup() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.tune()
	t.arm()
}

// tune sets GOGC for the live heap the last collection measured; t.mu is
// held (or t not shared yet).
func (t *tuner) tune() {
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if p := Percent(t.target, t.sample[0].Value.Uint64()); p != t.gogc {
		t.gogc = p
		debug.SetGCPercent(p)
	}
}
