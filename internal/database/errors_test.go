package database

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
)

// Retryable: PostgreSQL's serialization failures, deadlocks and unique
// violations, wrapped or not; not other errors.
func TestRetryable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&pq.Error{Code: "40001"}, true},
		{fmt.Errorf("saving: %w", &pq.Error{Code: "40P01"}), true},
		{&pq.Error{Code: "23505"}, true},
		{&pq.Error{Code: "23503"}, false},
		{errors.New("plain"), false},
	} {
		if got := Retryable(c.err); got != c.want {
			t.Errorf("Retryable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
