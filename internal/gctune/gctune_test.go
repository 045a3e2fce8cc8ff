package gctune_test

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/rencontre/rencontre/internal/gctune"
)

const mib = 1 << 20

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		target, live uint64
		want         int
	}{
		{64 * mib, 8 * mib, gctune.Max}, // 700 % would reach the target: Max
		{64 * mib, 16 * mib, 300},       // the heap may grow to 64 MiB
		{64 * mib, 20 * mib, 220},
		{64 * mib, 32 * mib, 100},  // half the target: Go's default
		{64 * mib, 300 * mib, 100}, // above the target: Go's default, not less
		{64 * mib, 0, 100},
	} {
		if got := gctune.Percent(tc.target, tc.live); got != tc.want {
			t.Errorf("Percent(%d MiB, %d MiB) = %d, want %d", tc.target/mib, tc.live/mib, got, tc.want)
		}
	}
}

// gogc is the GOGC the runtime uses now.
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// waitGOGC collects until GOGC is want (the tuner runs after a collection,
// on the runtime's cleanup goroutine) or a second has passed.
func waitGOGC(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for gogc() != want && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := gogc(); got != want {
		t.Fatalf("GOGC = %d, want %d", got, want)
	}
}

func TestStartTunesAfterEachCollectionAndStopRestores(t *testing.T) {
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)

	// A test binary's live heap is a few MiB: against 1 GiB, Max.
	stop := gctune.Start(1 << 30)
	waitGOGC(t, gctune.Max)
	// It keeps tuning after later collections: a live heap of 40 MiB
	// against 1 GiB still allows Max; 400 MiB more brings it to 100 × (1024
	// − 440) / 440 = 132 or so, read after the collection that saw it.
	keep := make([][]byte, 400)
	for i := range keep {
		keep[i] = make([]byte, mib)
	}
	deadline := time.Now().Add(2 * time.Second)
	for (gogc() == gctune.Max || gogc() < 100) && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := gogc(); got >= gctune.Max || got < 100 {
		t.Fatalf("GOGC = %d with 400 MiB more live, want between 100 and %d", got, gctune.Max)
	}
	runtime.KeepAlive(keep)
	stop()
	if got := gogc(); got != 150 {
		t.Fatalf("GOGC after stop = %d, want 150 (the value before Start)", got)
	}
	// Collections after stop leave GOGC alone.
	runtime.GC()
	runtime.GC()
	time.Sleep(10 * time.Millisecond)
	if got := gogc(); got != 150 {
		t.Fatalf("GOGC after stop and two collections = %d, want 150", got)
	}
	stop() // twice is harmless
}

func TestStartWithoutTargetDoesNothing(t *testing.T) {
	before := debug.SetGCPercent(120)
	defer debug.SetGCPercent(before)
	stop := gctune.Start(0)
	runtime.GC()
	if got := gogc(); got != 120 {
		t.Fatalf("GOGC = %d, want 120", got)
	}
	stop()
}
