package graph

import "time"

// SetTokenRecheckInterval changes how often WebSocket connections opened
// from now on check their token again, until restore is called.
func SetTokenRecheckInterval(d time.Duration) (restore func()) {
	old := tokenRecheckInterval.Swap(int64(d))
	return func() { tokenRecheckInterval.Store(old) }
}
