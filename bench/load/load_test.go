package main

import (
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/graphql", "http://localhost:1/x", "http://[::1]:9/", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "http://127.1.2.3/"} {
		if err := checkLoopback(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1/", "http://example.org/", "postgres://u:secret@db.example:5432/x", "http://0.0.0.0:80/", "/tmp/socket", "http://[::]:80/"} {
		err := checkLoopback(u)
		if err == nil {
			t.Errorf("%s accepted", u)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the password: %v", u, err)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if p := percentile(d, 0.5); p != 50 {
		t.Errorf("p50 %d", p)
	}
	if p := percentile(d, 0.99); p != 99 {
		t.Errorf("p99 %d", p)
	}
	if p := percentile(d[:1], 0.99); p != 1 {
		t.Errorf("p99 of one %d", p)
	}
}

// The comparison accepts the same content in PostGraphile's shape, with
// instants in UTC and communities in another order, and finds a difference.
func TestSameContent(t *testing.T) {
	decode := func(s string) any {
		d, err := dataOf([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ren := decode(`{"data":{"node":{"id":"7","title":"M","startsAt":"2026-10-07T11:00:00+02:00",
		"objectives":{"edges":[{"node":{"id":"3","title":"O","category":"CHANGE"}}]},
		"participations":{"edges":[{"node":{"id":"9","status":"ACCEPTED","role":"HOST","person":{"id":"5","name":"Ana",
		"communities":{"edges":[{"node":{"id":"12","name":"B"}},{"node":{"id":"11","name":"A"}}]}}}}]}}}}`)
	pgl := decode(`{"data":{"meetingByRowId":{"rowId":"7","title":"M","startsAt":"2026-10-07T09:00:00.000000+00:00",
		"meetingObjectivesByMeetingId":{"nodes":[{"objectiveByObjectiveId":{"rowId":"3","title":"O","category":"CHANGE"}}]},
		"participationsByMeetingId":{"nodes":[{"rowId":"9","status":"ACCEPTED","role":"HOST","personByPersonId":{"rowId":"5","name":"Ana",
		"communityMembersByPersonId":{"nodes":[{"communityByCommunityId":{"rowId":"11","name":"A"}},{"communityByCommunityId":{"rowId":"12","name":"B"}}]}}}]}}}}`)
	if err := sameContent(ren, fromPostGraphile("P1", pgl), true); err != nil {
		t.Fatal(err)
	}
	if err := sameContent(ren, fromPostGraphile("P1", pgl), false); err == nil {
		t.Error("the time zones differ: want a difference without instants")
	}
	other := decode(`{"data":{"node":{"id":"7","title":"M","startsAt":"2026-10-07T11:00:00+02:00",
		"objectives":{"edges":[{"node":{"id":"3","title":"O","category":"CHANGE"}}]},
		"participations":{"edges":[{"node":{"id":"9","status":"TENTATIVE","role":"HOST","person":{"id":"5","name":"Ana",
		"communities":{"edges":[{"node":{"id":"12","name":"B"}},{"node":{"id":"11","name":"A"}}]}}}}]}}}}`)
	if err := sameContent(ren, other, false); err == nil || !strings.Contains(err.Error(), "data.node.participations.edges[0].node.status") {
		t.Errorf("difference: %v", err)
	}
	if _, err := dataOf([]byte(`{"errors":[{"message":"no"}],"data":null}`)); err == nil {
		t.Error("errors accepted")
	}
}
