package main

import (
	"encoding/json"
	"os"
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

func decodeT(t *testing.T, s string) any {
	t.Helper()
	d, err := dataOf([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The README's Meetings query: PostGraphile's answer rewritten into
// Rencontre's shape, with instants in UTC and six decimals, objectives and
// communities without IDs in other orders, is the same content; a changed
// count or community is found.
func TestSameContentMeetings(t *testing.T) {
	ren := `{"data":{"meetings":{"totalCount":200,"edges":[{"node":{"id":"7","title":"M","format":"OFFSITE","status":"DONE",
		"startsAt":"2024-12-12T14:00:00+01:00","timeZone":"Europe/Paris",
		"objectives":{"edges":[{"node":{"title":"Sales","category":"MOTIVATION","purpose":"ANNUAL_GATHERING"}},{"node":{"title":"Cloud","category":"CHANGE","purpose":"PRODUCT_LAUNCH"}}]},
		"participations":{"totalCount":67,"edges":[
		 {"node":{"role":"HOST","status":"ACCEPTED","checkedInAt":"2024-12-12T12:59:30.71212Z","person":{"name":"Ana",
		  "communities":{"totalCount":2,"edges":[{"node":{"name":"Legal","kind":"LEGACY_COMPANY"}},{"node":{"name":"Cloud","kind":"DEPARTMENT"}}]}}}},
		 {"node":{"role":"GUEST","status":"INVITED","checkedInAt":null,"person":{"name":"Bo",
		  "communities":{"totalCount":0,"edges":[]}}}}]}}}]}}}`
	pgl := `{"data":{"allMeetings":{"totalCount":200,"nodes":[{"rowId":"7","title":"M","format":"OFFSITE","status":"DONE",
		"startsAt":"2024-12-12T13:00:00.000000+00:00","timeZone":"Europe/Paris",
		"meetingObjectivesByMeetingId":{"nodes":[{"objectiveByObjectiveId":{"title":"Cloud","category":"CHANGE","purpose":"PRODUCT_LAUNCH"}},
		 {"objectiveByObjectiveId":{"title":"Sales","category":"MOTIVATION","purpose":"ANNUAL_GATHERING"}}]},
		"participationsByMeetingId":{"totalCount":67,"nodes":[
		 {"role":"HOST","status":"ACCEPTED","checkedInAt":"2024-12-12T12:59:30.712120+00:00","personByPersonId":{"name":"Ana",
		  "communityMembersByPersonId":{"totalCount":2,"nodes":[{"communityByCommunityId":{"name":"Cloud","kind":"DEPARTMENT"}},{"communityByCommunityId":{"name":"Legal","kind":"LEGACY_COMPANY"}}]}}},
		 {"role":"GUEST","status":"INVITED","checkedInAt":null,"personByPersonId":{"name":"Bo",
		  "communityMembersByPersonId":{"totalCount":0,"nodes":[]}}}]}}]}}}`
	want := decodeT(t, ren)
	if err := sameContent(want, fromPostGraphile("README Meetings", decodeT(t, pgl)), true); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, where string }{
		{`"totalCount":67`, `"totalCount":66`, "data.meetings.edges[0].node.participations.totalCount"},
		{`"name":"Legal","kind":"LEGACY_COMPANY"`, `"name":"Legal","kind":"DEPARTMENT"`, "data.meetings.edges[0].node.participations.edges[0].node.person.communities.edges"},
		{`"checkedInAt":"2024-12-12T12:59:30.712120+00:00"`, `"checkedInAt":"2024-12-12T12:59:31.712120+00:00"`, "checkedInAt"},
	} {
		changed := strings.Replace(pgl, c.from, c.to, 1)
		err := sameContent(want, fromPostGraphile("README Meetings", decodeT(t, changed)), true)
		if err == nil || !strings.Contains(err.Error(), c.where) {
			t.Errorf("%s → %s: %v, want a difference at %s", c.from, c.to, err, c.where)
		}
	}
}

// canonical orders communities by ID, or by name then kind without IDs, and
// objectives by ID, or by title, category, purpose; other lists keep their
// order.
func TestCanonicalOrder(t *testing.T) {
	d := decodeT(t, `{"data":{"a":{"communities":{"edges":[{"node":{"id":"12"}},{"node":{"id":"9"}}]},
		"objectives":{"edges":[{"node":{"title":"B","category":"X","purpose":"P"}},{"node":{"title":"A","category":"Z","purpose":"P"}},{"node":{"title":"A","category":"Y","purpose":"P"}}]},
		"participations":{"edges":[{"node":{"id":"5"}},{"node":{"id":"3"}}]},
		"person":{"communities":{"edges":[{"node":{"name":"B","kind":"TEAM"}},{"node":{"name":"A","kind":"TEAM"}},{"node":{"name":"A","kind":"CHAPTER"}}]}}}}}`)
	b, _ := json.Marshal(canonical(d, false))
	got := string(b)
	want := `{"a":{"communities":{"edges":[{"node":{"id":"9"}},{"node":{"id":"12"}}]},` +
		`"objectives":{"edges":[{"node":{"category":"Y","purpose":"P","title":"A"}},{"node":{"category":"Z","purpose":"P","title":"A"}},{"node":{"category":"X","purpose":"P","title":"B"}}]},` +
		`"participations":{"edges":[{"node":{"id":"5"}},{"node":{"id":"3"}}]},` +
		`"person":{"communities":{"edges":[{"node":{"kind":"CHAPTER","name":"A"}},{"node":{"kind":"TEAM","name":"A"}},{"node":{"kind":"TEAM","name":"B"}}]}}}}`
	if got != want {
		t.Errorf("canonical:\n%s\nwant\n%s", got, want)
	}
}

// PostGraphile's update answers Rencontre's participationRespond shape.
func TestFromPostGraphileRespond(t *testing.T) {
	ren := decodeT(t, `{"data":{"participationRespond":{"participation":{"id":"38","status":"ACCEPTED"},"waitlisted":false,"userErrors":[]}}}`)
	pgl := decodeT(t, `{"data":{"updateParticipationByRowId":{"participation":{"rowId":"38","status":"ACCEPTED"}}}}`)
	if err := sameContent(ren, fromPostGraphile("participationRespond", pgl), true); err != nil {
		t.Fatal(err)
	}
	other := decodeT(t, `{"data":{"updateParticipationByRowId":{"participation":{"rowId":"38","status":"TENTATIVE"}}}}`)
	if err := sameContent(ren, fromPostGraphile("participationRespond", other), true); err == nil || !strings.Contains(err.Error(), "participation.status") {
		t.Errorf("difference: %v", err)
	}
}

// The PostGraphile mutation patches the same columns as Rencontre writes,
// acceptedAt only for ACCEPTED; requests alternate as Rencontre's do.
func TestPostGraphileRespondBody(t *testing.T) {
	now := time.Date(2026, 12, 7, 4, 0, 0, 123456000, time.FixedZone("", 3600))
	var b struct {
		Variables struct {
			ID    string         `json:"id"`
			Patch map[string]any `json:"patch"`
		} `json:"variables"`
	}
	if err := json.Unmarshal(pglRespondBody("38", "ACCEPTED", now), &b); err != nil {
		t.Fatal(err)
	}
	p := b.Variables.Patch
	if b.Variables.ID != "38" || p["status"] != "ACCEPTED" || p["respondedAt"] != "2026-12-07T03:00:00.123456Z" || p["acceptedAt"] != p["respondedAt"] ||
		p["updatedAt"] != p["respondedAt"] || p["waitlistPosition"] != nil || len(p) != 5 {
		t.Errorf("ACCEPTED patch %v", p)
	}
	if err := json.Unmarshal(pglRespondBody("38", "TENTATIVE", now), &b); err != nil {
		t.Fatal(err)
	}
	if p := b.Variables.Patch; p["status"] != "TENTATIVE" || p["acceptedAt"] != nil {
		t.Errorf("TENTATIVE patch %v", p)
	}
	ids := []string{"1", "2"}
	ren, pg := respondRequest(ids), pglRespondRequest(ids)
	for i, want := range []struct{ id, answer string }{{"1", "ACCEPTED"}, {"2", "ACCEPTED"}, {"1", "TENTATIVE"}, {"2", "TENTATIVE"}, {"1", "ACCEPTED"}} {
		if r := string(ren.body(int64(i))); !strings.Contains(r, `"id":"`+want.id+`"`) || !strings.Contains(r, `"answer":"`+want.answer+`"`) {
			t.Errorf("Rencontre request %d: %s, want %v", i, r, want)
		}
		if p := string(pg.body(int64(i))); !strings.Contains(p, `"id":"`+want.id+`"`) || !strings.Contains(p, `"status":"`+want.answer+`"`) {
			t.Errorf("PostGraphile request %d: %s, want %v", i, p, want)
		}
	}
}

// mixed sends the requests in turn and checks each answer with its own.
func TestMixed(t *testing.T) {
	a := rotating([][]byte{[]byte("a0"), []byte("a1")}, func(b []byte) bool { return string(b) == "A" })
	b := rotating([][]byte{[]byte("b0")}, func(b []byte) bool { return string(b) == "B" })
	m := mixed(a, b)
	var got []string
	for i := int64(0); i < 5; i++ {
		got = append(got, string(m.body(i)))
	}
	if strings.Join(got, " ") != "a0 b0 a1 b0 a0" {
		t.Errorf("bodies %v", got)
	}
	if !m.ok(0, []byte("A")) || m.ok(0, []byte("B")) || !m.ok(3, []byte("B")) || m.ok(3, []byte("A")) {
		t.Error("ok checks the answer with the request's own check")
	}
}

func TestLeakVerdict(t *testing.T) {
	before := leakSnapshot{goroutines: 25, poolOpen: 3, sessions: 8, fds: 20}
	ok := leakSnapshot{goroutines: 35, poolOpen: 20, sessions: 28, fds: 45}
	if bad := leakVerdict(before, ok, 20, 10); len(bad) != 0 {
		t.Errorf("a pool grown to its idle size, goroutines +10: %v", bad)
	}
	for _, c := range []struct {
		after leakSnapshot
		want  string
	}{
		{leakSnapshot{goroutines: 36, poolOpen: 20, sessions: 28}, "36 goroutines, 25 before"},
		{leakSnapshot{goroutines: 25, poolOpen: 21, sessions: 28}, "more than its 20 idle"},
		{leakSnapshot{goroutines: 25, poolOpen: 5, poolInUse: 1, sessions: 10}, "1 pool connections still in use"},
		{leakSnapshot{goroutines: 25, poolOpen: 5, sessions: 10, inTransaction: 1}, "1 in a transaction"},
		{leakSnapshot{goroutines: 25, poolOpen: 5, sessions: 14}, "14 PostgreSQL sessions for 5 pool connections"},
	} {
		bad := leakVerdict(before, c.after, 20, 10)
		if len(bad) != 1 || !strings.Contains(bad[0], c.want) {
			t.Errorf("%+v: %v, want %q", c.after, bad, c.want)
		}
	}
}

func TestMetricValue(t *testing.T) {
	text := "# HELP go_goroutines Number of goroutines.\n# TYPE go_goroutines gauge\ngo_goroutines 22\n" +
		"go_sql_open_connections{db_name=\"rencontre\"} 7\ngo_sql_open_connections_total 99\nprocess_open_fds 1.5e+01 1700000000000\n"
	for name, want := range map[string]float64{"go_goroutines": 22, "go_sql_open_connections": 7, "process_open_fds": 15} {
		if v, ok := metricValue(text, name); !ok || v != want {
			t.Errorf("%s = %v %v, want %v", name, v, ok, want)
		}
	}
	if _, ok := metricValue(text, "go_threads"); ok {
		t.Error("a missing metric found")
	}
}

func TestWithParam(t *testing.T) {
	u, err := withParam("postgres://postgres@127.0.0.1:5432/db?sslmode=disable", "application_name", "rencontre-load")
	if err != nil || u != "postgres://postgres@127.0.0.1:5432/db?application_name=rencontre-load&sslmode=disable" {
		t.Errorf("%s %v", u, err)
	}
}

func TestSampleRSS(t *testing.T) {
	stop := sampleRSS(os.Getpid(), 10*time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	if kb := stop(); kb <= 0 {
		t.Errorf("own VmRSS %d kB", kb)
	}
	if kb := sampleRSS(-1, time.Millisecond)(); kb != 0 {
		t.Errorf("no process: %d", kb)
	}
}
