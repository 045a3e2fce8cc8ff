package graph

import (
	"reflect"
	"testing"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/events"
)

func TestAttendanceEventsOfAPayload(t *testing.T) {
	p := func(id int) *ent.Participation { return &ent.Participation{ID: id, OrganizationID: 1, MeetingID: 10} }
	e := func(k events.Kind, id int) events.Event {
		return events.Event{Kind: k, OrganizationID: 1, MeetingID: 10, ParticipationID: id}
	}
	for _, tc := range []struct {
		name    string
		payload any
		kind    events.Kind
		want    []events.Event
	}{
		{"a check-in is one event", &ParticipationCheckInPayload{Participation: p(1)}, events.CheckedIn,
			[]events.Event{e(events.CheckedIn, 1)}},
		{"a decline that frees a seat also promotes", &ParticipationRespondPayload{Participation: p(1), Promoted: []*ent.Participation{p(2), p(3)}}, events.Answered,
			[]events.Event{e(events.Answered, 1), e(events.Promoted, 2), e(events.Promoted, 3)}},
		{"a capacity change publishes only the moves", &MeetingUpdatePayload{Meeting: &ent.Meeting{ID: 10}, MovedToWaitlist: []*ent.Participation{p(4)}, Promoted: []*ent.Participation{p(5)}}, "",
			[]events.Event{e(events.Waitlisted, 4), e(events.Promoted, 5)}},
		{"a payload without participation publishes nothing", &ParticipationCheckInPayload{}, events.CheckedIn, nil},
		{"a nil payload publishes nothing", (*ParticipationCheckInPayload)(nil), events.CheckedIn, nil},
	} {
		if got := attendanceEvents(tc.payload, tc.kind); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
