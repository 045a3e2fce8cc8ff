package graph_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// The per-record fields that read the database (Meeting.attendance,
// Person.attendance, Person.segment) cost one statement for a page, not one
// per record, and give each record the value it has when asked alone.
func TestPerRecordFieldsOfAPageAreOneStatement(t *testing.T) {
	a, _, opts := outcomeAPI(t)
	for _, tc := range []struct {
		name, list, fields string
	}{
		{"meeting attendance", "meetings", "attendance { invited accepted tentative declined waitlisted checkedIn noShows rate }"},
		{"person attendance", "people", "attendance { invited attended noShows lastAttendedAt }"},
		{"person segment and attendance", "people", "segment attendance { attended }"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := fmt.Sprintf(`query($n: Int!) { %s(first: $n) { edges { node { id ...F } } } } fragment F on %s { %s }`,
				tc.list, map[string]string{"meetings": "Meeting", "people": "Person"}[tc.list], tc.fields)
			type page map[string]struct {
				Edges []struct{ Node map[string]any }
			}
			read := func(n int) (int64, []map[string]any) {
				var p page
				a.counter.Reset()
				postWithOptions(t, a, opts, q, map[string]any{"n": n}).mustData(t, &p)
				var nodes []map[string]any
				for _, e := range p[tc.list].Edges {
					nodes = append(nodes, e.Node)
				}
				return a.counter.Count(), nodes
			}
			read(1) // the token is then in the authentication cache
			two, _ := read(2)
			all, nodes := read(40)
			if len(nodes) < 5 {
				t.Fatalf("%d records; the world should have more", len(nodes))
			}
			if all != two {
				t.Fatalf("statements: %d for a page of 2, %d for %d", two, all, len(nodes))
			}
			for _, n := range nodes {
				var one struct{ Node map[string]any }
				postWithOptions(t, a, opts, fmt.Sprintf(`query($id: ID!) { node(id: $id) { id ...F } } fragment F on %s { %s }`,
					map[string]string{"meetings": "Meeting", "people": "Person"}[tc.list], tc.fields),
					map[string]any{"id": n["id"]}).mustData(t, &one)
				if !reflect.DeepEqual(one.Node, n) {
					t.Fatalf("record %v: %v in the page, %v alone", n["id"], n, one.Node)
				}
			}
		})
	}
}

// Each mutation of a request reads the attendance after its own change, not
// what an earlier mutation of the same request computed.
func TestMutationsOfOneRequestReadTheirOwnAttendance(t *testing.T) {
	a, w, opts := outcomeAPI(t)
	m := w.Meeting("Next offsite", outcomeNow.AddDate(0, 1, 0), 3*time.Hour)
	x, y := w.Person("Xavier"), w.Person("Yara")
	ps := w.Invite(m, x, y)
	var d struct {
		A, B struct {
			Participation struct {
				Meeting struct {
					Attendance struct{ Invited, Accepted int }
				}
			}
		}
	}
	postWithOptions(t, a, opts, `mutation($x: ID!, $y: ID!) {
	  a: participationRespond(input: {participationID: $x, answer: ACCEPTED}) { ...P }
	  b: participationRespond(input: {participationID: $y, answer: ACCEPTED}) { ...P }
	}
	fragment P on ParticipationRespondPayload { participation { meeting { attendance { invited accepted } } } }`,
		map[string]any{"x": gid(ps[0].ID), "y": gid(ps[1].ID)}).mustData(t, &d)
	if got := d.A.Participation.Meeting.Attendance; got.Invited != 2 || got.Accepted != 1 {
		t.Fatalf("after the first answer: %+v, want 2 invited, 1 accepted", got)
	}
	if got := d.B.Participation.Meeting.Attendance; got.Invited != 2 || got.Accepted != 2 {
		t.Fatalf("after the second answer: %+v, want 2 invited, 2 accepted", got)
	}
}
