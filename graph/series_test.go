package graph_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/graph"
	"github.com/rencontre/rencontre/internal/calendar"
	"github.com/rencontre/rencontre/internal/feeds"
	"github.com/rencontre/rencontre/internal/testenv"
)

// clock is a settable current time for the API under test.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// seriesAPI is the API with a clock set to 15 December 2026 and an
// organization with two communities of two members each.
type seriesAPI struct {
	*api
	clock      *clock
	org        *ent.Organization
	teams      [2]*ent.Community
	people     []*ent.Person
	horizonMon int
}

func newSeriesAPI(t *testing.T, horizonMonths int) *seriesAPI {
	t.Helper()
	ck := &clock{now: time.Date(2026, 12, 15, 12, 0, 0, 0, time.UTC)}
	a := newAPIWith(t, graph.Options{Clock: ck.Now, SeriesHorizonMonths: horizonMonths})
	f := newFixture(t, a.ent)
	s := &seriesAPI{api: a, clock: ck, org: f.org, horizonMon: horizonMonths}
	ctx := testenv.System()
	for i := range s.teams {
		var members []*ent.Person
		for j := range 2 {
			p := addPerson(t, a.ent, f.org, fmt.Sprintf("Member %d-%d", i, j), fmt.Sprintf("m%d-%d@acme.example", i, j))
			members = append(members, p)
			s.people = append(s.people, p)
		}
		s.teams[i] = a.ent.Community.Create().SetOrganization(f.org).SetName(fmt.Sprintf("Team %d", i)).
			SetKind("TEAM").AddMembers(members...).SaveX(ctx)
	}
	return s
}

const seriesFields = `id title rrule startsAt timeZone durationMinutes exdates status icsURL`

const occurrenceFields = `id title startsAt endsAt overridden status occurrenceStart participations { totalCount }`

type occurrenceObj struct {
	ID, Title, StartsAt, EndsAt, Status string
	OccurrenceStart                     *string
	Overridden                          bool
	Participations                      struct{ TotalCount int }
}

type seriesObj struct {
	ID, Title, Rrule, StartsAt, TimeZone, Status string
	DurationMinutes                              int
	Exdates                                      []string
	IcsURL                                       *string
	Occurrences                                  []occurrenceObj
}

const seriesCreate = `mutation($input: SeriesCreateInput!) {
	result: seriesCreate(input: $input) {
		object: series { ` + seriesFields + `
			occurrences(from: "2027-01-01T00:00:00Z", to: "2028-01-01T00:00:00Z") { ` + occurrenceFields + ` } }
		` + userErrorFields + `
	}
}`

const seriesUpdate = `mutation($id: ID!, $input: SeriesUpdateInput!, $scope: SeriesUpdateScope, $from: ID) {
	result: seriesUpdate(id: $id, input: $input, scope: $scope, fromMeetingID: $from) {
		object: series { ` + seriesFields + `
			occurrences(from: "2027-01-01T00:00:00Z", to: "2028-01-01T00:00:00Z") { ` + occurrenceFields + ` } }
		` + userErrorFields + `
	}
}`

// seriesUpdateFull is seriesUpdate with what happened to the occurrences.
var seriesUpdateFull = strings.Replace(seriesUpdate, userErrorFields, "cancelledOccurrences { id } deletedOccurrences "+userErrorFields, 1)

// monthly is the issue's series: the first Thursday of every month at 09:00
// Paris time, for a year, except August, for both teams.
func (s *seriesAPI) monthly() map[string]any {
	return map[string]any{
		"title": "Monthly team-building", "format": "TEAM_BUILDING",
		"rrule": "FREQ=MONTHLY;BYDAY=1TH;COUNT=12", "startsAt": "2027-01-07T09:00:00",
		"timeZone": "Europe/Paris", "durationMinutes": 120,
		"exdates":      []string{"2027-08-05T09:00:00"},
		"communityIDs": []string{gid(s.teams[0].ID), gid(s.teams[1].ID)},
	}
}

// local is the wall-clock part of an RFC 3339 time: "2027-01-07T09:00:00".
func local(rfc string) string { return rfc[:19] }

// TestSeriesLifecycle walks the issue's "Done when" through the API: create,
// see every occurrence at 09:00 Paris time in winter and summer, move one,
// cancel one, change the whole series to 10:00, split it in June, answer once
// for the whole series.
func TestSeriesLifecycle(t *testing.T) {
	s := newSeriesAPI(t, 0)
	created := succeed[seriesObj](t, s.api, seriesCreate, input(s.monthly()))
	if created.IcsURL == nil || !strings.Contains(*created.IcsURL, "/ics/") {
		t.Fatalf("icsURL = %v, want the feed's secret address", created.IcsURL)
	}
	occ := created.Occurrences
	if len(occ) != 11 {
		t.Fatalf("%d occurrences in 2027, want 11 (12 months except August)", len(occ))
	}
	for _, o := range occ {
		if !strings.HasSuffix(local(o.StartsAt), "T09:00:00") || local(o.EndsAt)[11:] != "11:00:00" {
			t.Errorf("occurrence %s – %s is not 09:00–11:00 Paris time", o.StartsAt, o.EndsAt)
		}
		if o.Participations.TotalCount != 4 || o.Overridden || o.Status != "SCHEDULED" || o.OccurrenceStart == nil || *o.OccurrenceStart != o.StartsAt {
			t.Errorf("occurrence %+v: want 4 invitations (both teams), SCHEDULED, not overridden, occurrenceStart = startsAt", o)
		}
		if strings.HasPrefix(o.StartsAt, "2027-08") {
			t.Errorf("occurrence in August despite the exdate: %s", o.StartsAt)
		}
	}
	if occ[0].StartsAt != "2027-01-07T09:00:00+01:00" || occ[6].StartsAt != "2027-07-01T09:00:00+02:00" {
		t.Fatalf("January %s and July %s: want 09:00 local with +01:00 and +02:00", occ[0].StartsAt, occ[6].StartsAt)
	}
	march, april, june := occ[2], occ[3], occ[5]

	// Move March on its own, cancel April on its own.
	var moved struct {
		MeetingUpdate struct {
			Meeting    struct{ StartsAt string }
			UserErrors []userError
		}
	}
	post(t, s.api, `mutation($id: ID!) { meetingUpdate(id: $id, input: {startsAt: "2027-03-05T10:00:00+01:00", endsAt: "2027-03-05T12:00:00+01:00"}) { meeting { startsAt } userErrors { field message code } } }`,
		&moved, client.Var("id", march.ID))
	if len(moved.MeetingUpdate.UserErrors) != 0 {
		t.Fatalf("moving March: %+v", moved.MeetingUpdate.UserErrors)
	}
	var cancelled map[string]any
	post(t, s.api, `mutation($id: ID!) { meetingCancel(input: {meetingID: $id, reason: "Strike"}) { meeting { status } userErrors { message } } }`,
		&cancelled, client.Var("id", april.ID))

	// The whole series moves to 10:00; the moved and cancelled ones stay.
	all := succeed[seriesObj](t, s.api, seriesUpdate, client.Var("id", created.ID), input(map[string]any{"startsAt": "2027-01-07T10:00:00"}))
	if len(all.Occurrences) != 11 {
		t.Fatalf("%d occurrences after the change, want 11", len(all.Occurrences))
	}
	for _, o := range all.Occurrences {
		switch o.ID {
		case march.ID:
			if o.StartsAt != "2027-03-05T10:00:00+01:00" || !o.Overridden || o.OccurrenceStart == nil || *o.OccurrenceStart != "2027-03-04T10:00:00+01:00" {
				t.Errorf("the moved occurrence changed: %+v", o)
			}
		case april.ID:
			if o.Status != "CANCELLED" || !o.Overridden || local(o.StartsAt) != "2027-04-01T09:00:00" {
				t.Errorf("the cancelled occurrence changed: %+v", o)
			}
		default:
			if local(o.StartsAt)[11:] != "10:00:00" || o.Overridden || o.Participations.TotalCount != 4 {
				t.Errorf("occurrence %+v did not follow the series to 10:00", o)
			}
		}
	}

	// Split in June: a 90-minute series from June on.
	split := succeed[seriesObj](t, s.api, seriesUpdate, client.Var("id", created.ID), client.Var("scope", "THIS_AND_FOLLOWING"),
		client.Var("from", june.ID), input(map[string]any{"durationMinutes": 90}))
	if split.ID == created.ID || len(split.Occurrences) != 6 || split.Occurrences[0].ID != june.ID {
		t.Fatalf("split = %s with %d occurrences from %v, want a new series of 6 occurrences from June (%s)", split.ID, len(split.Occurrences), split.Occurrences, june.ID)
	}
	for _, o := range split.Occurrences {
		if local(o.StartsAt)[11:] != "10:00:00" || local(o.EndsAt)[11:] != "11:30:00" {
			t.Errorf("occurrence %s–%s of the new series is not 10:00–11:30", o.StartsAt, o.EndsAt)
		}
	}
	var first struct {
		Series struct {
			Rrule       string
			Occurrences []occurrenceObj
		}
	}
	post(t, s.api, `query($id: ID!) { series(id: $id) { rrule occurrences(from: "2027-01-01T00:00:00Z", to: "2028-01-01T00:00:00Z") { `+occurrenceFields+` } } }`,
		&first, client.Var("id", created.ID))
	if n := len(first.Series.Occurrences); n != 5 || !strings.Contains(first.Series.Rrule, "UNTIL=20270602T235959") {
		t.Fatalf("the first part: rule %q with %d occurrences, want UNTIL the day before June and 5 occurrences (January to May)", first.Series.Rrule, n)
	}
	for _, o := range first.Series.Occurrences {
		if local(o.EndsAt)[11:] == "11:30:00" {
			t.Errorf("occurrence %s of the first part took the new duration", o.StartsAt)
		}
	}

	// The first part's calendar feed: the rule at 10:00, March moved to the
	// 5th, April cancelled, parsed back with the iCalendar library.
	var issued struct {
		CalendarFeedIssue struct {
			URL        *string
			UserErrors []userError
		}
	}
	post(t, s.api, `mutation($id: ID!) { calendarFeedIssue(input: {seriesID: $id}) { url userErrors { field message code } } }`, &issued, client.Var("id", created.ID))
	if issued.CalendarFeedIssue.URL == nil {
		t.Fatalf("calendarFeedIssue = %+v", issued.CalendarFeedIssue)
	}
	u, _ := url.Parse(*issued.CalendarFeedIssue.URL)
	rec := httptest.NewRecorder()
	feeds.Handler(s.ent, s.clock.Now).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.Path, nil))
	instances, err := calendar.Expand(rec.Body, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || rec.Code != http.StatusOK {
		t.Fatalf("feed: %d %v", rec.Code, err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	var got []string
	for _, in := range instances {
		got = append(got, in.Start.In(paris).Format("01-02 15:04")+" "+in.Status)
	}
	if want := "[01-07 10:00 CONFIRMED 02-04 10:00 CONFIRMED 03-05 10:00 CONFIRMED 04-01 09:00 CANCELLED 05-06 10:00 CONFIRMED]"; fmt.Sprint(got) != want {
		t.Fatalf("feed of the first part: %v, want %s", got, want)
	}

	// One answer for the whole new series.
	person := s.people[0]
	var answered struct {
		SeriesRespond struct {
			Participations []struct{ Status string }
			UserErrors     []userError
		}
	}
	post(t, s.api, `mutation($s: ID!, $p: ID!) { seriesRespond(input: {seriesID: $s, personID: $p, answer: ACCEPTED}) { participations { status } userErrors { field message code } } }`,
		&answered, client.Var("s", split.ID), client.Var("p", gid(person.ID)))
	if r := answered.SeriesRespond; len(r.UserErrors) != 0 || len(r.Participations) != 6 {
		t.Fatalf("seriesRespond = %+v, want 6 participations", r)
	}
	for _, p := range answered.SeriesRespond.Participations {
		if p.Status != "ACCEPTED" {
			t.Errorf("participation %s after seriesRespond ACCEPTED", p.Status)
		}
	}
	// Overridable per occurrence.
	var agenda struct {
		Node struct {
			Agenda []struct {
				Meeting       struct{ ID string }
				Participation struct{ ID, Status string }
				Conflict      bool
			}
		}
	}
	post(t, s.api, `query($id: ID!) { node(id: $id) { ... on Person { agenda(from: "2027-06-01T00:00:00Z", to: "2027-08-01T00:00:00Z") { meeting { id } participation { id status } conflict } } } }`,
		&agenda, client.Var("id", gid(person.ID)))
	if n := len(agenda.Node.Agenda); n != 2 {
		t.Fatalf("agenda of June and July has %d meetings, want 2", n)
	}
	var declined struct {
		ParticipationRespond struct{ Participation struct{ Status string } }
	}
	post(t, s.api, `mutation($id: ID!) { participationRespond(input: {participationID: $id, answer: DECLINED}) { participation { status } } }`,
		&declined, client.Var("id", agenda.Node.Agenda[0].Participation.ID))
	if got := declined.ParticipationRespond.Participation.Status; got != "DECLINED" {
		t.Fatalf("declining one occurrence after the series answer: %s", got)
	}
	if got := s.ent.Participation.Query().Where(participation.PersonID(person.ID), participation.StatusEQ(participation.StatusAccepted)).
		CountX(testenv.System()); got != 5 {
		t.Fatalf("%d accepted occurrences after declining one of 6, want 5", got)
	}
}

// TestSeriesRefusesBadRules checks each refusal of seriesCreate: a userError
// on the field, saying why, and nothing written.
func TestSeriesRefusesBadRules(t *testing.T) {
	s := newSeriesAPI(t, 36)
	for _, tc := range []struct {
		name   string
		change map[string]any
		want   wantError
	}{
		{"an invalid rule", map[string]any{"rrule": "FREQ=SOMETIMES"}, wantError{"rrule", "INVALID", []string{"rrule:"}}},
		{"more than 1,000 occurrences within the horizon", map[string]any{"rrule": "FREQ=DAILY"}, wantError{"rrule", "INVALID", []string{"more than 1000 occurrences"}}},
		{"a duration of 0", map[string]any{"durationMinutes": 0}, wantError{"durationMinutes", "INVALID", []string{"durationMinutes:"}}},
		{"a duration over 7 days", map[string]any{"durationMinutes": 10081}, wantError{"durationMinutes", "INVALID", []string{"durationMinutes:"}}},
		{"an unknown time zone", map[string]any{"timeZone": "Europe/Atlantis"}, wantError{"timeZone", "INVALID", []string{"timeZone:"}}},
		{"a start with an offset", map[string]any{"startsAt": "2027-01-07T09:00:00+01:00"}, wantError{"startsAt", "INVALID", []string{"startsAt:"}}},
		{"a start that is not an occurrence", map[string]any{"startsAt": "2027-01-08T09:00:00"}, wantError{"startsAt", "INVALID", []string{"startsAt:"}}},
		{"an exdate that is not an occurrence", map[string]any{"exdates": []string{"2027-08-06T09:00:00"}}, wantError{"exdates", "INVALID", []string{"exdates:"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := s.monthly()
			for k, v := range tc.change {
				in[k] = v
			}
			refuse(t, s.api, seriesCreate, tc.want, input(in))
		})
	}
}

// TestSeriesAcrossDaylightSaving checks the documented answers for local
// times that do not exist (spring forward: moved forward by the gap) or exist
// twice (fall back: the first), through the API.
func TestSeriesAcrossDaylightSaving(t *testing.T) {
	s := newSeriesAPI(t, 0)
	for _, tc := range []struct {
		start, day, want string
	}{
		{"2027-03-26T02:30:00", "2027-03-28", "2027-03-28T03:30:00+02:00"}, // 02:30 does not exist
		{"2027-10-29T02:30:00", "2027-10-31", "2027-10-31T02:30:00+02:00"}, // 02:30 twice: the first (CEST)
	} {
		in := s.monthly()
		in["rrule"], in["startsAt"], in["exdates"] = "FREQ=DAILY;COUNT=5", tc.start, []string{}
		created := succeed[seriesObj](t, s.api, seriesCreate, input(in))
		var found bool
		for _, o := range created.Occurrences {
			if strings.HasPrefix(o.StartsAt, tc.day) {
				found = true
				if o.StartsAt != tc.want {
					t.Errorf("occurrence on %s starts %s, want %s", tc.day, o.StartsAt, tc.want)
				}
			} else if local(o.StartsAt)[11:] != "02:30:00" {
				t.Errorf("occurrence %s is not at 02:30 local", o.StartsAt)
			}
		}
		if !found {
			t.Errorf("no occurrence on %s", tc.day)
		}
	}
}

// TestSeriesHorizonMovesForward checks that a rule without end exists as
// meetings up to the horizon, which moves forward with time without
// duplicating anything.
func TestSeriesHorizonMovesForward(t *testing.T) {
	s := newSeriesAPI(t, 2)
	in := s.monthly()
	in["rrule"], in["startsAt"], in["exdates"] = "FREQ=WEEKLY;BYDAY=TH", "2026-12-03T09:00:00", []string{}
	created := succeed[seriesObj](t, s.api, seriesCreate, input(in))
	count := func() int {
		return s.ent.Meeting.Query().CountX(testenv.System()) - 1 // the fixture's meeting
	}
	before := count()
	if before != 11 {
		t.Fatalf("%d occurrences within a 2-month horizon of a weekly series (17 December to the end of February), want 11", before)
	}
	extend := `mutation($id: ID!) { result: seriesExtend(id: $id) { object: series { id } ` + userErrorFields + ` } }`
	succeed[struct{ ID string }](t, s.api, extend, client.Var("id", created.ID))
	if got := count(); got != before {
		t.Fatalf("extending at the same time created %d meetings", got-before)
	}
	s.clock.now = s.clock.now.AddDate(0, 1, 0)
	succeed[struct{ ID string }](t, s.api, extend, client.Var("id", created.ID))
	after := count()
	if after < before+4 || after > before+5 {
		t.Fatalf("a month later %d occurrences, want %d + 4 or 5", after, before)
	}
	succeed[struct{ ID string }](t, s.api, extend, client.Var("id", created.ID))
	if got := count(); got != after {
		t.Fatalf("extending twice created %d more meetings", got-after)
	}
}

// TestSeriesRuleChangeKeepsAnswers checks that occurrences leaving the rule
// are deleted when nobody answered, and cancelled (kept) otherwise.
func TestSeriesRuleChangeKeepsAnswers(t *testing.T) {
	s := newSeriesAPI(t, 0)
	created := succeed[seriesObj](t, s.api, seriesCreate, input(s.monthly()))
	// Someone answers the February occurrence.
	feb := created.Occurrences[1]
	var parts struct {
		Node struct {
			Participations struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	post(t, s.api, `query($id: ID!) { node(id: $id) { ... on Meeting { participations(first: 1) { edges { node { id } } } } } }`, &parts, client.Var("id", feb.ID))
	var r map[string]any
	post(t, s.api, `mutation($id: ID!) { participationRespond(input: {participationID: $id, answer: ACCEPTED}) { participation { status } } }`,
		&r, client.Var("id", parts.Node.Participations.Edges[0].Node.ID))
	// Every first Friday instead: no occurrence stays.
	var rsp struct {
		Result struct {
			Object               *seriesObj
			CancelledOccurrences []struct{ ID string }
			DeletedOccurrences   int
			UserErrors           []userError
		}
	}
	post(t, s.api, seriesUpdateFull, &rsp, client.Var("id", created.ID),
		input(map[string]any{"rrule": "FREQ=MONTHLY;BYDAY=1FR;COUNT=12", "startsAt": "2027-01-01T09:00:00", "exdates": []string{}}))
	res := rsp.Result
	if len(res.UserErrors) != 0 {
		t.Fatalf("userErrors: %+v", res.UserErrors)
	}
	if len(res.CancelledOccurrences) != 1 || res.CancelledOccurrences[0].ID != feb.ID || res.DeletedOccurrences != 10 {
		t.Fatalf("cancelled %v, deleted %d: want February cancelled (it has an answer) and the 10 others deleted", res.CancelledOccurrences, res.DeletedOccurrences)
	}
	if n := len(res.Object.Occurrences); n != 13 { // 12 first Fridays + the cancelled February Thursday
		t.Fatalf("%d occurrences after the change, want 13", n)
	}
}

// TestAgendaConflicts checks that overlapping accepted meetings are marked.
func TestAgendaConflicts(t *testing.T) {
	s := newSeriesAPI(t, 0)
	ctx := testenv.System()
	p := s.people[0]
	start := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	for i, offset := range []time.Duration{0, time.Hour, 5 * time.Hour} {
		m := s.ent.Meeting.Create().SetOrganization(s.org).SetTitle(fmt.Sprintf("M%d", i)).SetTimeZone("UTC").
			SetStartsAt(start.Add(offset)).SetEndsAt(start.Add(offset + 2*time.Hour)).SaveX(ctx)
		s.ent.Participation.Create().SetMeeting(m).SetPerson(p).SetStatus("ACCEPTED").SaveX(ctx)
	}
	var rsp struct {
		Node struct {
			Agenda []struct {
				Meeting       struct{ Title string }
				Conflict      bool
				ConflictsWith []struct{ Title string }
			}
		}
	}
	post(t, s.api, `query($id: ID!) { node(id: $id) { ... on Person { agenda(from: "2027-02-01T00:00:00Z", to: "2027-02-02T00:00:00Z") { meeting { title } conflict conflictsWith { title } } } } }`,
		&rsp, client.Var("id", gid(p.ID)))
	got := fmt.Sprint(rsp.Node.Agenda)
	if want := "[{{M0} true [{M1}]} {{M1} true [{M0}]} {{M2} false []}]"; got != want {
		t.Fatalf("agenda = %s, want %s", got, want)
	}
}

// TestSeriesRuleAndInviteesChangeTogether changes the rule and the invitees
// in one edit: the occurrences that left the rule are gone, and the new
// invitee is invited to every occurrence that stays or is new.
func TestSeriesRuleAndInviteesChangeTogether(t *testing.T) {
	s := newSeriesAPI(t, 0)
	created := succeed[seriesObj](t, s.api, seriesCreate, input(s.monthly()))
	guest := addPerson(t, s.ent, s.org, "Guest", "guest@acme.example")
	updated := succeed[seriesObj](t, s.api, seriesUpdate, client.Var("id", created.ID), input(map[string]any{
		"rrule": "FREQ=MONTHLY;BYDAY=1FR;COUNT=12", "startsAt": "2027-01-01T09:00:00", "exdates": []string{},
		"personIDs": []string{gid(guest.ID)}, "communityIDs": []string{gid(s.teams[0].ID)},
	}))
	if len(updated.Occurrences) != 12 {
		t.Fatalf("%d occurrences, want the 12 first Fridays", len(updated.Occurrences))
	}
	for _, o := range updated.Occurrences {
		// The guest, team 0's two members; team 1 was invited to none of the new ones.
		if o.Participations.TotalCount != 3 {
			t.Errorf("occurrence %s has %d invitations, want 3", o.StartsAt, o.Participations.TotalCount)
		}
	}
}
