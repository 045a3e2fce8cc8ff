package feeds_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/calendarfeed"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/internal/calendar"
	"github.com/rencontre/rencontre/internal/config"
	"github.com/rencontre/rencontre/internal/feeds"
	"github.com/rencontre/rencontre/internal/server"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// world is an organization with a planner, people, and a server running the
// real routes over its database, its access log kept in logs.
type world struct {
	c       *ent.Client
	org     *ent.Organization
	planner *ent.Account
	ctx     context.Context // the planner's viewer
	ana     *ent.Person
	ben     *ent.Person
	cara    *ent.Person
	srv     *httptest.Server
	logs    *bytes.Buffer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := testenv.Client(t)
	sys := testenv.System()
	w := &world{c: c, logs: new(bytes.Buffer)}
	w.org = c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(sys)
	w.planner = member(t, c, w.org, "planner@acme.example", membership.RolePlanner)
	w.ctx = as(w.planner, w.org, viewer.Planner)
	w.ana = c.Person.Create().SetOrganization(w.org).SetName("Ana Alves").SetEmail("ana@acme.example").SaveX(sys)
	w.ben = c.Person.Create().SetOrganization(w.org).SetName("Ben Brun").SetEmail("ben@acme.example").SaveX(sys)
	w.cara = c.Person.Create().SetOrganization(w.org).SetName("Cara Cruz").SetEmail("cara@acme.example").SaveX(sys)

	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(previous) })
	cfg, err := config.Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = httptest.NewServer(server.Routes(c, cfg))
	t.Cleanup(w.srv.Close)
	return w
}

// member creates an account with role in org.
func member(t *testing.T, c *ent.Client, org *ent.Organization, email string, role membership.Role) *ent.Account {
	t.Helper()
	sys := testenv.System()
	acc := c.Account.Create().SetEmail(email).SetName(email).SaveX(sys)
	c.Membership.Create().SetOrganizationID(org.ID).SetAccountID(acc.ID).SetRole(role).SaveX(sys)
	return acc
}

func as(acc *ent.Account, org *ent.Organization, role viewer.Role) context.Context {
	return viewer.NewContext(context.Background(), &viewer.Viewer{AccountID: acc.ID, OrganizationID: org.ID, Role: role})
}

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, paris)
	if err != nil {
		panic(err)
	}
	return t
}

// meetingWith creates a meeting of w's organization from start, lasting d,
// with the people and statuses given.
func (w *world) meetingWith(t *testing.T, title string, vis meeting.Visibility, start time.Time, d time.Duration, guests map[*ent.Person]participation.Status) *ent.Meeting {
	t.Helper()
	sys := testenv.System()
	m := w.c.Meeting.Create().SetOrganization(w.org).SetTitle(title).SetVisibility(vis).SetStatus(meeting.StatusScheduled).
		SetVenueName("Maison de la Mutualité").SetVenueAddress("24 rue Saint-Victor, Paris").
		SetDescription("Dinner, then speeches.").
		SetStartsAt(start).SetEndsAt(start.Add(d)).SetTimeZone("Europe/Paris").SaveX(sys)
	for p, st := range guests {
		cr := w.c.Participation.Create().SetMeeting(m).SetPerson(p).SetStatus(st)
		if st == participation.StatusAccepted {
			cr.SetAcceptedAt(start.Add(-72 * time.Hour))
		}
		cr.SaveX(sys)
	}
	return m
}

func (w *world) issue(t *testing.T, ctx context.Context, target feeds.Target, role *calendarfeed.Role) (*ent.CalendarFeed, string) {
	t.Helper()
	f, secret, err := feeds.Issue(ctx, w.c, target, role, time.Now())
	if err != nil {
		t.Fatalf("Issue(%+v): %v", target, err)
	}
	return f, secret
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (w *world) get(t *testing.T, path string) reply {
	t.Helper()
	return w.do(t, http.MethodGet, path)
}

func (w *world) do(t *testing.T, method, path string) reply {
	t.Helper()
	req, err := http.NewRequest(method, w.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, string(b)}
}

// feed fetches the feed of secret, which must answer 200 with a calendar.
func (w *world) feed(t *testing.T, secret string) string {
	t.Helper()
	r := w.get(t, "/ics/"+secret+".ics")
	if r.status != http.StatusOK {
		t.Fatalf("GET feed: %d %q, want 200", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != calendar.ContentType {
		t.Errorf("Content-Type %q, want %q", ct, calendar.ContentType)
	}
	if cc := r.header.Get("Cache-Control"); cc != "private, max-age=300" {
		t.Errorf("Cache-Control %q", cc)
	}
	return r.body
}

func expand(t *testing.T, body string) []calendar.Instance {
	t.Helper()
	inst, err := calendar.Expand(strings.NewReader(body), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("Expand: %v\n%s", err, body)
	}
	return inst
}

func role(r calendarfeed.Role) *calendarfeed.Role { return &r }
func ptr(n int) *int                              { return &n }

func TestMeetingFeed(t *testing.T) {
	w := newWorld(t)
	m := w.meetingWith(t, "Board dinner", meeting.VisibilityInviteOnly, at("2027-02-10 19:00"), 3*time.Hour,
		map[*ent.Person]participation.Status{
			w.ana:  participation.StatusAccepted,
			w.ben:  participation.StatusInvited,
			w.cara: participation.StatusCancelled, // uninvited
		})
	f, secret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil)
	if f.Role != calendarfeed.RolePlanner || f.Kind != calendarfeed.KindMeeting || f.AccountID != w.planner.ID ||
		f.OrganizationID != w.org.ID || !strings.HasPrefix(secret, f.Prefix) || len(f.Prefix) != 12 {
		t.Errorf("feed = %+v (secret prefix %q)", f, secret[:12])
	}

	t.Run("a planner's feed shows the meeting and its guests", func(t *testing.T) {
		body := w.feed(t, secret)
		inst := expand(t, body)
		if len(inst) != 1 {
			t.Fatalf("%d instances, want 1:\n%s", len(inst), body)
		}
		got := inst[0]
		if want := "meeting-" + itoa(m.ID) + "@rencontre"; got.UID != want {
			t.Errorf("UID %q, want %q", got.UID, want)
		}
		if want := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC); !got.Start.Equal(want) || !got.End.Equal(want.Add(3*time.Hour)) {
			t.Errorf("instance %s – %s, want %s + 3h", got.Start, got.End, want)
		}
		if got.Status != "CONFIRMED" || got.Summary != "Board dinner" {
			t.Errorf("status %q, summary %q", got.Status, got.Summary)
		}
		for _, want := range []string{"DTSTART;TZID=Europe/Paris:20270210T190000", "X-WR-CALNAME:Board dinner",
			"mailto:ana@acme.example", "PARTSTAT=ACCEPTED", "mailto:ben@acme.example", "PARTSTAT=NEEDS-ACTION", "Saint-Victor"} {
			if !strings.Contains(unfold(body), want) {
				t.Errorf("feed lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, "cara@") {
			t.Errorf("an uninvited person is an attendee:\n%s", body)
		}
	})
	t.Run("a VIEWER feed of the same meeting has no e-mail address", func(t *testing.T) {
		_, secret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, role(calendarfeed.RoleViewer))
		body := w.feed(t, secret)
		if strings.Contains(body, "mailto:") || strings.Contains(body, "ATTENDEE") {
			t.Errorf("a VIEWER feed shows attendees:\n%s", body)
		}
		if n := len(expand(t, body)); n != 1 {
			t.Errorf("%d instances, want 1", n)
		}
	})
	t.Run("HEAD answers the headers only", func(t *testing.T) {
		_, secret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil)
		r := w.do(t, http.MethodHead, "/ics/"+secret+".ics")
		if r.status != http.StatusOK || r.body != "" || r.header.Get("Content-Type") != calendar.ContentType {
			t.Errorf("HEAD: %d %q %v", r.status, r.body, r.header)
		}
		if r := w.do(t, http.MethodPost, "/ics/"+secret+".ics"); r.status != http.StatusMethodNotAllowed {
			t.Errorf("POST: %d, want 405", r.status)
		}
	})
	t.Run("a cancelled meeting is CANCELLED, with a new sequence", func(t *testing.T) {
		w.c.Meeting.UpdateOne(m).SetStatus(meeting.StatusCancelled).SetCancelledAt(time.Now()).ExecX(testenv.System())
		_, secret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil)
		inst := expand(t, w.feed(t, secret))
		if len(inst) != 1 || inst[0].Status != "CANCELLED" || inst[0].Sequence != 1 {
			t.Errorf("instances %+v, want one CANCELLED with SEQUENCE 1", inst)
		}
	})
}

// unfold undoes the folding of content lines.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

func itoa(n int) string { return strconv.Itoa(n) }

func TestSeriesFeedAcrossDST(t *testing.T) {
	w := newWorld(t)
	sys := testenv.System()
	s := w.c.Series.Create().SetOrganization(w.org).SetTitle("First-Thursday breakfast").
		SetRrule("FREQ=MONTHLY;BYDAY=1TH;COUNT=12").SetStartsAt("2027-01-07T09:00:00").SetTimeZone("Europe/Paris").
		SetDurationMinutes(60).SetExdates([]string{"2027-08-05T09:00:00"}).SetSequence(3).SaveX(sys)
	// The occurrences, as internal/series materializes them: every first
	// Thursday at 09:00 in Paris but 5 August.
	days := []string{"2027-01-07", "2027-02-04", "2027-03-04", "2027-04-01", "2027-05-06", "2027-06-03",
		"2027-07-01", "2027-09-02", "2027-10-07", "2027-11-04", "2027-12-02"}
	occ := map[string]*ent.Meeting{}
	for _, d := range days {
		start := at(d + " 09:00")
		occ[d] = w.c.Meeting.Create().SetOrganization(w.org).SetTitle(s.Title).SetStatus(meeting.StatusScheduled).
			SetSeriesID(s.ID).SetOccurrenceStart(start).SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).
			SetTimeZone("Europe/Paris").SaveX(sys)
		w.c.Participation.Create().SetMeeting(occ[d]).SetPerson(w.ana).SaveX(sys)
	}
	moved := w.c.Meeting.UpdateOne(occ["2027-03-04"]).SetOverridden(true).SetTitle("Breakfast, on Friday this time").
		SetStartsAt(at("2027-03-05 10:00")).SetEndsAt(at("2027-03-05 11:00")).SaveX(sys)
	w.c.Meeting.UpdateOne(occ["2027-06-03"]).SetOverridden(true).SetStatus(meeting.StatusCancelled).SetCancelledAt(time.Now()).ExecX(sys)

	_, secret := w.issue(t, w.ctx, feeds.Target{SeriesID: &s.ID}, nil)
	body := w.feed(t, secret)
	inst, err := calendar.Expand(strings.NewReader(body), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("Expand: %v\n%s", err, body)
	}
	winter := func(d string) time.Time { return mustUTC(d + "T08:00:00Z") }
	summer := func(d string) time.Time { return mustUTC(d + "T07:00:00Z") }
	want := []struct {
		start  time.Time
		status string
	}{
		{winter("2027-01-07"), "CONFIRMED"},
		{winter("2027-02-04"), "CONFIRMED"},
		{mustUTC("2027-03-05T09:00:00Z"), "CONFIRMED"}, // moved to Friday 10:00 (still CET)
		{summer("2027-04-01"), "CONFIRMED"},
		{summer("2027-05-06"), "CONFIRMED"},
		{summer("2027-06-03"), "CANCELLED"},
		{summer("2027-07-01"), "CONFIRMED"},
		{summer("2027-09-02"), "CONFIRMED"},
		{summer("2027-10-07"), "CONFIRMED"},
		{winter("2027-11-04"), "CONFIRMED"},
		{winter("2027-12-02"), "CONFIRMED"},
	}
	if len(inst) != len(want) {
		for _, i := range inst {
			t.Logf("%s %s %s", i.Start, i.Status, i.Summary)
		}
		t.Fatalf("%d instances, want %d:\n%s", len(inst), len(want), body)
	}
	uid := "series-" + itoa(s.ID) + "@rencontre"
	for i, wt := range want {
		got := inst[i]
		if !got.Start.Equal(wt.start) || !got.End.Equal(wt.start.Add(time.Hour)) || got.Status != wt.status || got.UID != uid {
			t.Errorf("instance %d: %s–%s %s %s, want %s +1h %s %s", i, got.Start, got.End, got.Status, got.UID, wt.start, wt.status, uid)
		}
	}
	if inst[2].Summary != "Breakfast, on Friday this time" || inst[2].Sequence != moved.Sequence {
		t.Errorf("the moved occurrence: %+v, want its own summary and sequence %d", inst[2], moved.Sequence)
	}
	if inst[0].Sequence != 3 {
		t.Errorf("the master's sequence %d, want the series' 3", inst[0].Sequence)
	}
	flat := unfold(body)
	for _, want := range []string{"RRULE:FREQ=MONTHLY;BYDAY=1TH;COUNT=12", "EXDATE;TZID=Europe/Paris:20270805T090000",
		"RECURRENCE-ID;TZID=Europe/Paris:20270304T090000", "RECURRENCE-ID;TZID=Europe/Paris:20270603T090000",
		"BEGIN:VTIMEZONE", "X-WR-CALNAME:First-Thursday breakfast"} {
		if !strings.Contains(flat, want) {
			t.Errorf("feed lacks %q:\n%s", want, body)
		}
	}
	if n := strings.Count(flat, "BEGIN:VEVENT"); n != 3 {
		t.Errorf("%d VEVENTs, want the master and 2 overrides", n)
	}

	t.Run("a cancelled series has a cancelled master", func(t *testing.T) {
		w.c.Series.UpdateOne(s).SetStatus("CANCELLED").SetCancelledAt(time.Now()).ExecX(sys)
		inst := expand(t, w.feed(t, secret))
		if len(inst) == 0 || inst[0].Status != "CANCELLED" {
			t.Errorf("instances %+v, want the master's CANCELLED", inst)
		}
	})
}

func mustUTC(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDeadAddressesAreLikeUnknownPaths(t *testing.T) {
	w := newWorld(t)
	m := w.meetingWith(t, "Offsite", meeting.VisibilityOpen, at("2027-05-12 09:00"), 8*time.Hour,
		map[*ent.Person]participation.Status{w.ana: participation.StatusAccepted})
	unknownPath := w.get(t, "/no-such-page")
	if unknownPath.status != http.StatusNotFound {
		t.Fatalf("an unknown path answers %d", unknownPath.status)
	}
	sys := testenv.System()

	revoked, revokedSecret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil)
	w.feed(t, revokedSecret) // alive until revoked
	first := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	if f, err := feeds.Revoke(w.ctx, w.c, revoked.ID, first); err != nil || f.RevokedAt == nil || !f.RevokedAt.Equal(first) {
		t.Fatalf("Revoke: %+v, %v", f, err)
	}
	if f, err := feeds.Revoke(w.ctx, w.c, revoked.ID, first.Add(time.Hour)); err != nil || !f.RevokedAt.Equal(first) {
		t.Errorf("revoking twice: %+v, %v; want the first time kept", f, err)
	}

	_, oldSecret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil)
	_, newSecret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil) // regenerated
	w.feed(t, newSecret)

	dan := member(t, w.c, w.org, "dan@acme.example", membership.RolePlanner)
	_, dansSecret := w.issue(t, as(dan, w.org, viewer.Planner), feeds.Target{MeetingID: &m.ID}, nil)
	w.feed(t, dansSecret)
	w.c.Membership.Delete().Where(membership.AccountID(dan.ID)).ExecX(sys)

	gone := w.meetingWith(t, "Deleted", meeting.VisibilityOpen, at("2027-05-13 09:00"), time.Hour, nil)
	_, goneSecret := w.issue(t, w.ctx, feeds.Target{MeetingID: &gone.ID}, nil)
	w.c.Meeting.DeleteOne(gone).ExecX(sys)

	for _, tc := range []struct{ name, path string }{
		{"a revoked feed", "/ics/" + revokedSecret + ".ics"},
		{"a regenerated feed's first address", "/ics/" + oldSecret + ".ics"},
		{"a feed whose account left the organization", "/ics/" + dansSecret + ".ics"},
		{"a feed whose meeting was deleted", "/ics/" + goneSecret + ".ics"},
		{"an unknown secret", "/ics/rcf_" + strings.Repeat("a", 32) + ".ics"},
		{"an API token's prefix", "/ics/rct_" + newSecret[4:] + ".ics"},
		{"upper case", "/ics/" + strings.ToUpper(newSecret) + ".ics"},
		{"a short secret", "/ics/" + newSecret[:20] + ".ics"},
		{"no extension", "/ics/" + newSecret},
		{"a trailing segment", "/ics/" + newSecret + ".ics/x"},
		{"no secret", "/ics/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.get(t, tc.path)
			if r.status != http.StatusNotFound || r.body != unknownPath.body ||
				r.header.Get("Content-Type") != unknownPath.header.Get("Content-Type") ||
				r.header.Get("Cache-Control") != unknownPath.header.Get("Cache-Control") {
				t.Errorf("%d %q %v; want what an unknown path answers: %d %q %v",
					r.status, r.body, r.header, unknownPath.status, unknownPath.body, unknownPath.header)
			}
		})
	}

	t.Run("a demoted account's PLANNER feed reads as VIEWER", func(t *testing.T) {
		eve := member(t, w.c, w.org, "eve@acme.example", membership.RolePlanner)
		_, secret := w.issue(t, as(eve, w.org, viewer.Planner), feeds.Target{MeetingID: &m.ID}, nil)
		if body := w.feed(t, secret); !strings.Contains(body, "mailto:") {
			t.Fatalf("a PLANNER feed without attendees:\n%s", body)
		}
		w.c.Membership.Update().Where(membership.AccountID(eve.ID)).SetRole(membership.RoleViewer).ExecX(sys)
		if body := w.feed(t, secret); strings.Contains(body, "mailto:") {
			t.Errorf("a demoted account's feed shows e-mail addresses:\n%s", body)
		}
	})
}

func TestAgendaFeedAndVIPMeetings(t *testing.T) {
	w := newWorld(t)
	soon := time.Now().In(paris).Truncate(time.Hour).Add(14 * 24 * time.Hour)
	gala := w.meetingWith(t, "VIP gala", meeting.VisibilityVip, soon, 4*time.Hour,
		map[*ent.Person]participation.Status{w.ana: participation.StatusAccepted, w.ben: participation.StatusAccepted})
	secret := w.meetingWith(t, "Secret dinner", meeting.VisibilityVip, soon.Add(24*time.Hour), 2*time.Hour,
		map[*ent.Person]participation.Status{w.ben: participation.StatusAccepted})
	open := w.meetingWith(t, "Open house", meeting.VisibilityOpen, soon.Add(48*time.Hour), 2*time.Hour,
		map[*ent.Person]participation.Status{w.ana: participation.StatusInvited, w.cara: participation.StatusAccepted})
	declined := w.meetingWith(t, "Declined", meeting.VisibilityOpen, soon.Add(72*time.Hour), time.Hour,
		map[*ent.Person]participation.Status{w.ana: participation.StatusDeclined})
	longAgo := w.meetingWith(t, "Long ago", meeting.VisibilityOpen, time.Now().AddDate(0, -3, 0), time.Hour,
		map[*ent.Person]participation.Status{w.ana: participation.StatusAccepted})
	farAhead := w.meetingWith(t, "Far ahead", meeting.VisibilityOpen, time.Now().AddDate(1, 1, 0), time.Hour,
		map[*ent.Person]participation.Status{w.ana: participation.StatusAccepted})

	uids := func(t *testing.T, body string) map[string]bool {
		out := map[string]bool{}
		for _, i := range expand(t, body) {
			out[i.UID] = true
		}
		return out
	}
	uid := func(m *ent.Meeting) string { return "meeting-" + itoa(m.ID) + "@rencontre" }

	for _, tc := range []struct {
		name          string
		role          calendarfeed.Role
		seesAttendees bool
	}{
		{"VIEWER: her VIP meeting, no attendees", calendarfeed.RoleViewer, false},
		{"PLANNER: her VIP meeting with its guests", calendarfeed.RolePlanner, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, s := w.issue(t, w.ctx, feeds.Target{PersonID: &w.ana.ID}, role(tc.role))
			body := w.feed(t, s)
			got := uids(t, body)
			if !got[uid(gala)] || !got[uid(open)] || len(got) != 2 {
				t.Errorf("agenda UIDs %v, want the gala (%s) and the open house (%s) only", got, uid(gala), uid(open))
			}
			for _, m := range []*ent.Meeting{secret, declined, longAgo, farAhead} {
				if got[uid(m)] || strings.Contains(body, m.Title) {
					t.Errorf("the agenda shows %q", m.Title)
				}
			}
			if !strings.Contains(unfold(body), "X-WR-CALNAME:Agenda of Ana Alves") {
				t.Errorf("no calendar name:\n%s", body)
			}
			hasAttendees := strings.Contains(body, "ATTENDEE")
			if hasAttendees != tc.seesAttendees || !tc.seesAttendees && (strings.Contains(body, "mailto:") || strings.Contains(body, "Ben")) {
				t.Errorf("attendees shown: %v, want %v:\n%s", hasAttendees, tc.seesAttendees, body)
			}
			if tc.seesAttendees && !strings.Contains(body, "mailto:ben@acme.example") {
				t.Errorf("the PLANNER feed lacks the gala's other guest:\n%s", body)
			}
		})
	}
	t.Run("another person's agenda never shows a VIP meeting they are not invited to", func(t *testing.T) {
		_, s := w.issue(t, w.ctx, feeds.Target{PersonID: &w.cara.ID}, role(calendarfeed.RoleViewer))
		got := uids(t, w.feed(t, s))
		if len(got) != 1 || !got[uid(open)] {
			t.Errorf("Cara's agenda %v, want the open house only", got)
		}
	})
	t.Run("a VIEWER meeting feed of a VIP meeting has no guest list", func(t *testing.T) {
		_, s := w.issue(t, w.ctx, feeds.Target{MeetingID: &gala.ID}, role(calendarfeed.RoleViewer))
		if body := w.feed(t, s); strings.Contains(body, "ATTENDEE") {
			t.Errorf("guest list shown:\n%s", body)
		}
	})
}

func TestIssueValidation(t *testing.T) {
	w := newWorld(t)
	sys := testenv.System()
	m := w.meetingWith(t, "Kick-off", meeting.VisibilityOpen, at("2027-01-12 10:00"), time.Hour, nil)
	s := w.c.Series.Create().SetOrganization(w.org).SetTitle("Weekly").SetRrule("FREQ=WEEKLY;COUNT=3").
		SetStartsAt("2027-01-04T10:00:00").SetTimeZone("Europe/Paris").SetDurationMinutes(30).SaveX(sys)
	other := w.c.Organization.Create().SetName("Globex").SetSlug("globex").SaveX(sys)
	theirs := w.c.Meeting.Create().SetOrganization(other).SetTitle("Theirs").SetStartsAt(at("2027-01-12 10:00")).
		SetEndsAt(at("2027-01-12 11:00")).SetTimeZone("Europe/Paris").SaveX(sys)
	theirPerson := w.c.Person.Create().SetOrganization(other).SetName("Zed").SetEmail("zed@globex.example").SaveX(sys)
	theirSeries := w.c.Series.Create().SetOrganization(other).SetTitle("Theirs").SetRrule("FREQ=WEEKLY;COUNT=3").
		SetStartsAt("2027-01-04T10:00:00").SetTimeZone("Europe/Paris").SetDurationMinutes(30).SaveX(sys)
	before := w.c.CalendarFeed.Query().CountX(sys)

	for _, tc := range []struct {
		name   string
		target feeds.Target
		role   *calendarfeed.Role
		field  string
		code   string
	}{
		{"two targets are refused", feeds.Target{MeetingID: &m.ID, SeriesID: &s.ID}, nil, "meeting_id", validation.CodeInvalid},
		{"three targets are refused", feeds.Target{MeetingID: &m.ID, SeriesID: &s.ID, PersonID: &w.ana.ID}, nil, "meeting_id", validation.CodeInvalid},
		{"a target is required", feeds.Target{}, nil, "meeting_id", validation.CodeRequired},
		{"a role above the viewer's is refused", feeds.Target{MeetingID: &m.ID}, role(calendarfeed.RoleOwner), "role", validation.CodeInvalid},
		{"an unknown role is refused", feeds.Target{MeetingID: &m.ID}, role("ADMIN"), "role", validation.CodeInvalid},
		{"another organization's meeting does not exist", feeds.Target{MeetingID: &theirs.ID}, nil, "meeting_id", validation.CodeNotFound},
		{"another organization's series does not exist", feeds.Target{SeriesID: &theirSeries.ID}, nil, "series_id", validation.CodeNotFound},
		{"another organization's person does not exist", feeds.Target{PersonID: &theirPerson.ID}, nil, "person_id", validation.CodeNotFound},
		{"an unknown meeting does not exist", feeds.Target{MeetingID: ptr(m.ID + 1000)}, nil, "meeting_id", validation.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, secret, err := feeds.Issue(w.ctx, w.c, tc.target, tc.role, time.Now())
			ve, ok := validation.As(err)
			if !ok || ve.Field != tc.field || ve.Code != tc.code || f != nil || secret != "" {
				t.Fatalf("Issue: %v, %q, %v; want a validation error %s on %s", f, secret, err, tc.code, tc.field)
			}
			if ve.Message == "" || strings.Contains(ve.Message, "_id") {
				t.Errorf("message %q: plain words wanted", ve.Message)
			}
		})
	}
	t.Run("a read-only viewer may not issue feeds", func(t *testing.T) {
		ro := member(t, w.c, w.org, "viewer@acme.example", membership.RoleViewer)
		if _, _, err := feeds.Issue(as(ro, w.org, viewer.ReadOnly), w.c, feeds.Target{MeetingID: &m.ID}, nil, time.Now()); err == nil {
			t.Fatal("a VIEWER issued a feed")
		} else if _, isValidation := validation.As(err); isValidation {
			t.Errorf("err = %v, want a refusal, not a validation error", err)
		}
	})
	if after := w.c.CalendarFeed.Query().CountX(sys); after != before {
		t.Errorf("%d feeds written by refused requests", after-before)
	}
	t.Run("a series and a person can be followed", func(t *testing.T) {
		if f, _ := w.issue(t, w.ctx, feeds.Target{SeriesID: &s.ID}, nil); f.Kind != calendarfeed.KindSeries || *f.SeriesID != s.ID {
			t.Errorf("feed %+v", f)
		}
		if f, _ := w.issue(t, w.ctx, feeds.Target{PersonID: &w.ana.ID}, role(calendarfeed.RoleViewer)); f.Kind != calendarfeed.KindAgenda || f.Role != calendarfeed.RoleViewer {
			t.Errorf("feed %+v", f)
		}
	})
	t.Run("only the issuing account (or an owner) may revoke a feed", func(t *testing.T) {
		f, _ := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil)
		dan := member(t, w.c, w.org, "dan@acme.example", membership.RolePlanner)
		_, err := feeds.Revoke(as(dan, w.org, viewer.Planner), w.c, f.ID, time.Now())
		if ve, ok := validation.As(err); !ok || ve.Field != "id" || ve.Code != validation.CodeNotFound {
			t.Errorf("another planner revoking: %v, want NOT_FOUND on id", err)
		}
		owner := member(t, w.c, w.org, "owner@acme.example", membership.RoleOwner)
		if r, err := feeds.Revoke(as(owner, w.org, viewer.Owner), w.c, f.ID, time.Now()); err != nil || r.RevokedAt == nil {
			t.Errorf("an owner revoking: %+v, %v", r, err)
		}
	})
}

func TestAccessLogHidesTheSecret(t *testing.T) {
	w := newWorld(t)
	m := w.meetingWith(t, "Offsite", meeting.VisibilityOpen, at("2027-05-12 09:00"), time.Hour, nil)
	f, secret := w.issue(t, w.ctx, feeds.Target{MeetingID: &m.ID}, nil)
	w.feed(t, secret)
	w.get(t, "/ics/"+secret+".ics/x")
	w.get(t, "/ics/"+strings.ToUpper(secret)+".ics")
	if _, err := feeds.Revoke(w.ctx, w.c, f.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	w.get(t, "/ics/"+secret+".ics")
	w.get(t, "//ics/"+secret+".ics") // the mux redirects to the clean path; the first request is logged too
	logs := w.logs.String()
	if strings.Contains(strings.ToLower(logs), secret[12:]) {
		t.Errorf("the access log holds the secret:\n%s", logs)
	}
	if n := strings.Count(logs, `"path":"/ics/`+f.Prefix+`…"`); n < 3 {
		t.Errorf("%d access log lines with the redacted path, want at least 3:\n%s", n, logs)
	}
}

func TestAddresses(t *testing.T) {
	if got := feeds.URL("https://rencontre.example.org", "rcf_abc"); got != "https://rencontre.example.org/ics/rcf_abc.ics" {
		t.Errorf("URL = %q", got)
	}
	for _, tc := range []struct {
		name, configured, host string
		tls                    bool
		want                   string
	}{
		{"the configured address wins", "https://cal.example.org/", "internal:8080", false, "https://cal.example.org"},
		{"else the request's host over http", "", "localhost:8080", false, "http://localhost:8080"},
		{"else the request's host over https", "", "rencontre.example.org", true, "https://rencontre.example.org"},
		{"an IPv6 host", "", "[::1]:8080", false, "http://[::1]:8080"},
		{"a forged host gives no address", "", "evil.example/x?", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			r.Host = tc.host
			r.Header.Set("X-Forwarded-Host", "proxy.example") // not trusted
			r.TLS = nil
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := feeds.RequestBaseURL(r, tc.configured); got != tc.want {
				t.Errorf("RequestBaseURL = %q, want %q", got, tc.want)
			}
		})
	}
	ctx := feeds.WithBaseURL(context.Background(), "http://localhost:8080")
	if got := feeds.BaseURL(ctx); got != "http://localhost:8080" {
		t.Errorf("BaseURL = %q", got)
	}
	if got := feeds.BaseURL(context.Background()); got != "" {
		t.Errorf("BaseURL without one = %q", got)
	}
	for path, want := range map[string]string{
		"/ics/rcf_abcdefghijklmnop.ics": "/ics/rcf_abcdefgh…",
		"/ics/RCF_ABCDEFGHIJKLMNOP.ics": "/ics/RCF_ABCDEFGH…",
		"/ics/whatever-else-is-long":    "/ics/whatever-els…",
		"/ics/short":                    "/ics/short",
		"/graphql":                      "/graphql",
	} {
		if got := feeds.RedactPath(path); got != want {
			t.Errorf("RedactPath(%q) = %q, want %q", path, got, want)
		}
	}
}
