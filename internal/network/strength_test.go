package network

import (
	"math"
	"testing"
	"time"
)

func TestStrength(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, tc := range []struct {
		name    string
		got     float64
		want    float64
		compare func(got, want float64) bool
	}{
		{"a first encounter is worth 1", Strengthen(0, time.Time{}, t0), 1, near},
		{"two encounters on the same day add up to 2", Strengthen(1, t0, t0), 2, near},
		{"an encounter one half-life later adds 1 to half the strength", Strengthen(1, t0, t0.Add(HalfLife)), 1.5, near},
		{"an older encounter recorded late counts for less", Strengthen(1, t0, t0.Add(-HalfLife)), 1.5, near},
		{"strength halves after one half-life without encounters", StrengthAt(2, t0, t0.Add(HalfLife)), 1, near},
		{"strength does not grow when read before the last encounter", StrengthAt(2, t0, t0.Add(-time.Hour)), 2, near},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.compare(tc.got, tc.want) {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestStrengthFadesMonotonically(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := StrengthAt(3, t0, t0)
	for d := 1; d <= 720; d += 30 {
		s := StrengthAt(3, t0, t0.AddDate(0, 0, d))
		if s >= prev || s <= 0 {
			t.Fatalf("day %d: strength %v after %v: should fade but stay positive", d, s, prev)
		}
		prev = s
	}
}
