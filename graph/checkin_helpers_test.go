package graph_test

import (
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/testenv"
)

// happeningNow moves m so that it started an hour ago and ends in two hours:
// its check-in window is open. It returns the meeting as stored.
func happeningNow(t *testing.T, c *ent.Client, m *ent.Meeting) *ent.Meeting {
	t.Helper()
	start := time.Now().UTC().Truncate(time.Minute).Add(-time.Hour)
	return c.Meeting.UpdateOne(m).SetStartsAt(start).SetEndsAt(start.Add(3 * time.Hour)).SaveX(testenv.System())
}

// checkedIn records that people, invited to m, checked in at its start (only
// people checked in meet others or give feedback).
func checkedIn(t *testing.T, c *ent.Client, m *ent.Meeting, people ...*ent.Person) {
	t.Helper()
	ids := make([]int, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	c.Participation.Update().
		Where(participation.MeetingID(m.ID), participation.PersonIDIn(ids...)).
		SetStatus(participation.StatusAccepted).SetCheckedInAt(m.StartsAt).
		ExecX(testenv.System())
}
