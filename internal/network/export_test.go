package network

// NeighbourhoodSQL is the neighbourhood read by SQL alone, for the tests
// that compare it with the cached graph's.
var NeighbourhoodSQL = neighbourhoodSQL
