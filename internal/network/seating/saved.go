package seating

// Saved is a meeting's recorded seating plan (stored as JSON on the
// meeting): person IDs by round and table, and its figures when it was
// made.
type Saved struct {
	Rounds         [][][]int `json:"rounds"`
	NewPairs       int       `json:"newPairs"`
	SeatedPairs    int       `json:"seatedPairs"`
	UpperBound     int       `json:"upperBound"`
	RandomBaseline float64   `json:"randomBaseline"`
	Violations     int       `json:"violations"`
	// Confirmed are the rounds (1, 2, …) turned into encounters.
	Confirmed []int `json:"confirmed,omitempty"`
}
