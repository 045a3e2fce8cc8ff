// Package network holds the rules of the attendee network: how encounters make
// relationships and how relationships fade.
package network

import (
	"math"
	"time"
)

// HalfLife is how long a relationship takes to lose half its strength without
// a new encounter.
const HalfLife = 180 * 24 * time.Hour

// Decay is the factor by which a strength fades over d (1 for d <= 0).
func Decay(d time.Duration) float64 {
	if d <= 0 {
		return 1
	}
	return math.Pow(0.5, float64(d)/float64(HalfLife))
}

// Strengthen returns the strength as of the later of lastMet and at, after an
// encounter at time at, given the strength stored as of lastMet. Each encounter
// is worth 1 when it happens; older encounters count less. Encounters may be
// recorded out of order.
func Strengthen(strength float64, lastMet, at time.Time) float64 {
	if lastMet.IsZero() {
		return 1
	}
	if at.Before(lastMet) {
		return strength + Decay(lastMet.Sub(at))
	}
	return strength*Decay(at.Sub(lastMet)) + 1
}

// StrengthAt is the strength at time now of a relationship whose strength was
// stored as of lastMet.
func StrengthAt(strength float64, lastMet, now time.Time) float64 {
	return strength * Decay(now.Sub(lastMet))
}

// DecayKey is log2(strength) + lastMet/HalfLife: relationships sorted by it
// are sorted by current strength, whatever the current time, since
// log2(StrengthAt(s, lastMet, now)) = DecayKey(s, lastMet) − now/HalfLife.
func DecayKey(strength float64, lastMet time.Time) float64 {
	if strength <= 0 {
		return math.Inf(-1)
	}
	return math.Log2(strength) + float64(lastMet.Unix())/HalfLife.Seconds()
}
