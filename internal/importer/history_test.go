package importer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/importer"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

// now is the clock of the attendance imports of these tests.
var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// past is an organization with people, a community and meetings: two past
// (one on two days), one to come and one cancelled.
type past struct {
	c                   *ent.Client
	org                 int
	ctx                 context.Context
	ana, ben            *ent.Person
	breakfast, retreat  *ent.Meeting
	upcoming, cancelled *ent.Meeting
}

func newPast(t testing.TB) *past {
	t.Helper()
	c, org, ctx := orgEnv(t)
	p := &past{c: c, org: org, ctx: ctx}
	p.ana = c.Person.Create().SetOrganizationID(org).SetName("Ana").SetEmail("ana@example.org").SaveX(ctx)
	p.ben = c.Person.Create().SetOrganizationID(org).SetName("Ben").SetEmail("ben@example.org").SaveX(ctx)
	c.Community.Create().SetOrganizationID(org).SetName("Platform").SetKind(community.KindTeam).AddMembers(p.ana).ExecX(ctx)
	meet := func(title string, start time.Time, d time.Duration) *ent.Meeting {
		return c.Meeting.Create().SetOrganizationID(org).SetTitle(title).SetStartsAt(start).SetEndsAt(start.Add(d)).
			SetTimeZone("Europe/Paris").SetCapacity(1).SaveX(ctx)
	}
	p.breakfast = meet("Breakfast", time.Date(2026, 1, 9, 8, 0, 0, 0, time.UTC), 2*time.Hour)
	p.retreat = meet("Retreat", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), 30*time.Hour)
	p.upcoming = meet("Summit", time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC), time.Hour)
	p.cancelled = meet("Picnic", time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), time.Hour)
	c.Meeting.UpdateOne(p.cancelled).SetStatus("CANCELLED").SetCancelledAt(now).ExecX(ctx)
	return p
}

func membersTx(t testing.TB, p *past, file string, opts importer.MembersOptions) (importer.MembersResult, error) {
	t.Helper()
	rows, errs := importer.ParseMembers(strings.NewReader(file))
	if errs != nil {
		t.Fatalf("ParseMembers: %v", errs)
	}
	tx, err := p.c.Tx(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.ImportMembers(p.ctx, tx.Client(), p.org, rows, opts)
	if err != nil {
		_ = tx.Rollback()
		return res, err
	}
	return res, tx.Commit()
}

func attendanceTx(t testing.TB, p *past, file string, opts importer.AttendanceOptions) (importer.AttendanceResult, error) {
	t.Helper()
	rows, errs := importer.ParseAttendance(strings.NewReader(file))
	if errs != nil {
		t.Fatalf("ParseAttendance: %v", errs)
	}
	if opts.Now.IsZero() {
		opts.Now = now
	}
	tx, err := p.c.Tx(p.ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.ImportAttendance(p.ctx, tx.Client(), p.org, rows, opts)
	if err != nil {
		_ = tx.Rollback()
		return res, err
	}
	return res, tx.Commit()
}

func errorPlaces(errs importer.Errors) string {
	var out []string
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%d/%s", e.Row, e.Column))
	}
	return strings.Join(out, " ")
}

func TestMembersImportAddsAndReimportsWithoutDuplicates(t *testing.T) {
	p := newPast(t)
	file := "Email,Community\nana@example.org,Platform\nBEN@example.org,platform\nben@example.org,Paris\n"
	if _, err := membersTx(t, p, file, importer.MembersOptions{}); err == nil {
		t.Fatal("an unknown community was accepted without CreateCommunities")
	} else if errs, ok := err.(importer.Errors); !ok || errorPlaces(errs) != "4/community" {
		t.Fatalf("unknown community: %v, want one error on row 4, community", err)
	}
	res, err := membersTx(t, p, file, importer.MembersOptions{CreateCommunities: true})
	if want := (importer.MembersResult{Added: 2, Unchanged: 1, CommunitiesCreated: 1}); err != nil || res != want {
		t.Fatalf("import = %+v, %v, want %+v", res, err, want)
	}
	res, err = membersTx(t, p, file, importer.MembersOptions{})
	if want := (importer.MembersResult{Unchanged: 3}); err != nil || res != want {
		t.Errorf("the same file again = %+v, %v, want %+v", res, err, want)
	}
	ben := p.c.Person.Query().Where(person.ID(p.ben.ID)).WithCommunities().OnlyX(p.ctx)
	var names []string
	for _, cm := range ben.Edges.Communities {
		names = append(names, cm.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Paris", "Platform"}) || p.c.Community.Query().CountX(p.ctx) != 2 {
		t.Errorf("ben's communities = %v (of %d)", names, p.c.Community.Query().CountX(p.ctx))
	}
}

func TestMembersImportListsEveryError(t *testing.T) {
	p := newPast(t)
	file := "community,email\n" +
		"Platform,ana@example.org\n" +
		",ben@example.org\n" + // row 3: community
		"Platform,nope\n" + // row 4: email
		"Platform,zoe@example.org\n" + // row 5: no such person
		"Platform,ANA@example.org\n" + // row 6: repeated
		"Nowhere,ben@example.org\n" // row 7: no such community
	rows, errs := importer.ParseMembers(strings.NewReader(file))
	all, err := importer.MembersErrors(p.ctx, p.c, p.org, rows, false, errs)
	if err != nil {
		t.Fatal(err)
	}
	if got := errorPlaces(all); got != "3/community 4/email 5/email 6/email 7/community" {
		t.Errorf("errors = %s (%v)", got, all)
	}
}

func TestAttendanceImportRecordsPastMeetingsAndReimportsWithoutDuplicates(t *testing.T) {
	p := newPast(t)
	file := "meeting,starts_at,meeting_id,email,status,checked_in_at,role\n" +
		"Breakfast,2026-01-09T09:00:00+01:00,,ana@example.org,ACCEPTED,2026-01-09T08:55:00+01:00,HOST\n" +
		// The capacity (1) and the check-in window are for live meetings:
		// a second person checked in, late in the evening.
		"breakfast,2026-01-09T08:00:00Z,,ben@example.org,,2026-01-09T23:30:00+01:00,\n" +
		fmt.Sprintf(",,%d,ben@example.org,DECLINED,,\n", p.retreat.ID)
	res, err := attendanceTx(t, p, file, importer.AttendanceOptions{})
	if want := (importer.AttendanceResult{Created: 3, CheckedIn: 2}); err != nil || res != want {
		t.Fatalf("import = %+v, %v, want %+v", res, err, want)
	}
	ana := p.c.Participation.Query().Where(participation.PersonID(p.ana.ID)).OnlyX(p.ctx)
	if ana.Role != participation.RoleHost || ana.Status != participation.StatusAccepted || ana.CheckedInAt == nil ||
		!ana.CheckedInAt.Equal(time.Date(2026, 1, 9, 7, 55, 0, 0, time.UTC)) || ana.AcceptedAt == nil || ana.RespondedAt == nil ||
		ana.OrganizationID != p.org || !ana.InvitedAt.Equal(*ana.CheckedInAt) {
		t.Errorf("ana's participation = %+v", ana)
	}
	declined := p.c.Participation.Query().Where(participation.PersonID(p.ben.ID), participation.MeetingID(p.retreat.ID)).OnlyX(p.ctx)
	if declined.Status != participation.StatusDeclined || declined.CheckedInAt != nil || declined.AcceptedAt != nil {
		t.Errorf("ben at the retreat = %+v", declined)
	}

	res, err = attendanceTx(t, p, file, importer.AttendanceOptions{})
	if want := (importer.AttendanceResult{Unchanged: 3, CheckedIn: 2}); err != nil || res != want {
		t.Errorf("the same file again = %+v, %v, want %+v", res, err, want)
	}
	if n := p.c.Participation.Query().CountX(p.ctx); n != 3 {
		t.Errorf("%d participations after two imports, want 3", n)
	}
	// A changed file updates; a file without the role column leaves roles.
	res, err = attendanceTx(t, p, fmt.Sprintf("meeting_id,email,status\n%d,ben@example.org,accepted\n%d,ana@example.org,\n", p.retreat.ID, p.breakfast.ID), importer.AttendanceOptions{})
	if want := (importer.AttendanceResult{Updated: 1, Unchanged: 1, CheckedIn: 1}); err != nil || res != want {
		t.Errorf("changed file = %+v, %v, want %+v", res, err, want)
	}
	if p.c.Participation.GetX(p.ctx, ana.ID).Role != participation.RoleHost {
		t.Error("a file without the role column changed a role")
	}
	// Participation IDs are of their type's range: the node interface finds them.
	if typ, err := p.c.Noder(p.ctx, ana.ID); err != nil {
		t.Errorf("node(%d): %v", ana.ID, err)
	} else if _, ok := typ.(*ent.Participation); !ok {
		t.Errorf("node(%d) is a %T", ana.ID, typ)
	}
}

func TestAttendanceImportListsEveryError(t *testing.T) {
	p := newPast(t)
	p.c.Participation.Create().SetMeetingID(p.breakfast.ID).SetPersonID(p.ben.ID).SetStatus("ACCEPTED").
		SetCheckedInAt(p.breakfast.StartsAt).ExecX(p.ctx)
	file := "meeting_id,meeting,starts_at,email,status,checked_in_at,role\n" +
		fmt.Sprintf("%d,,,ana@example.org,ACCEPTED,2026-01-09T09:10:00+01:00,GUEST\n", p.breakfast.ID) + // row 2: fine
		",Breakfast,2026-01-10T09:00:00+01:00,ana@example.org,,,\n" + // row 3: no such meeting
		fmt.Sprintf("%d,,,ana@example.org,,,\n", p.upcoming.ID) + // row 4: not started
		fmt.Sprintf("%d,,,ana@example.org,MAYBE,,\n", p.retreat.ID) + // row 5: status
		fmt.Sprintf("%d,,,ana@example.org,,2026-03-05T10:00:00+01:00,\n", p.retreat.ID) + // row 6: outside its days
		fmt.Sprintf("%d,,,ana@example.org,DECLINED,2026-01-09T09:10:00+01:00,\n", p.breakfast.ID) + // row 7: declined yet checked in
		fmt.Sprintf("%d,,,zoe@example.org,,,\n", p.retreat.ID) + // row 8: no such person
		fmt.Sprintf("%d,,,ANA@example.org,,,\n", p.breakfast.ID) + // row 9: repeats row 2
		fmt.Sprintf("%d,,,ben@example.org,DECLINED,,\n", p.breakfast.ID) + // row 10: ben checked in
		fmt.Sprintf("%d,,,ana@example.org,,2026-02-01T11:30:00+01:00,\n", p.cancelled.ID) + // row 11: cancelled
		"x,,,ana@example.org,,,CHEF\n" // row 12: meeting_id and role
	rows, errs := importer.ParseAttendance(strings.NewReader(file))
	all, err := importer.AttendanceErrors(p.ctx, p.c, p.org, rows, now, errs)
	if err != nil {
		t.Fatal(err)
	}
	want := "3/meeting 4/meeting_id 5/status 6/checked_in_at 7/status 8/email 9/email 10/status 11/checked_in_at 12/meeting_id 12/role"
	if got := errorPlaces(all); got != want {
		t.Errorf("errors =\n%s\nwant\n%s\n%v", got, want, all)
	}
}

func TestAttendanceImportDryRunAndViewers(t *testing.T) {
	p := newPast(t)
	file := fmt.Sprintf("meeting_id,email\n%d,ana@example.org\n", p.breakfast.ID)
	res, err := attendanceTx(t, p, file, importer.AttendanceOptions{DryRun: true})
	if err != nil || res.Created != 1 || p.c.Participation.Query().CountX(p.ctx) != 0 {
		t.Errorf("dry run = %+v, %v, with %d participations", res, err, p.c.Participation.Query().CountX(p.ctx))
	}
	rows, _ := importer.ParseAttendance(strings.NewReader(file))
	ro := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: p.org, Role: viewer.ReadOnly})
	if _, err := importer.ImportAttendance(ro, p.c, p.org, rows, importer.AttendanceOptions{Now: now}); err == nil {
		t.Error("a VIEWER imported attendance")
	}
	mrows, _ := importer.ParseMembers(strings.NewReader("community,email\nPlatform,ben@example.org\n"))
	if _, err := importer.ImportMembers(ro, p.c, p.org, mrows, importer.MembersOptions{}); err == nil {
		t.Error("a VIEWER imported members")
	}
}

// TestAttendanceImportIsBulk counts the statements of an import of 2,500
// rows: a handful per BatchSize rows, never one per row.
func TestAttendanceImportIsBulk(t *testing.T) {
	c, counter := testenv.ClientWithCounter(t)
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(testenv.System())
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.Owner})
	file := attendanceBench(t, c, ctx, org.ID, 2500)
	rows, errs := importer.ParseAttendance(strings.NewReader(file))
	if errs != nil {
		t.Fatal(errs)
	}
	counter.Reset()
	res, err := importer.ImportAttendance(ctx, c, org.ID, rows, importer.AttendanceOptions{Now: now})
	if err != nil || res.Created != 2500 {
		t.Fatalf("import = %+v, %v", res, err)
	}
	// Meetings, 3 batches of emails, 3 of participations, 3 upserts.
	if n := counter.Count(); n > 12 {
		t.Errorf("%d statements for 2,500 rows, want at most 12", n)
	} else {
		t.Logf("%d statements for 2,500 rows", n)
	}
}

// attendanceBench creates n people and 25 past meetings, and returns a file
// of n rows: each person at one meeting, most checked in.
func attendanceBench(t testing.TB, c *ent.Client, ctx context.Context, org, n int) string {
	t.Helper()
	var meetings []*ent.Meeting
	for i := range 25 {
		start := time.Date(2025, 1, 6+7*i, 9, 0, 0, 0, time.UTC)
		meetings = append(meetings, c.Meeting.Create().SetOrganizationID(org).SetTitle(fmt.Sprintf("Meetup %d", i)).
			SetStartsAt(start).SetEndsAt(start.Add(2*time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx))
	}
	var b strings.Builder
	b.WriteString("meeting,starts_at,email,status,checked_in_at,role\n")
	for batch := range slices.Chunk(make([]int, n), importer.BatchSize) {
		builders := make([]*ent.PersonCreate, len(batch))
		for i := range batch {
			builders[i] = c.Person.Create().SetOrganizationID(org).SetName("P").SetEmail(fmt.Sprintf("p%d-%d@example.org", b.Len(), i))
		}
		for i, p := range c.Person.CreateBulk(builders...).SaveX(ctx) {
			m := meetings[i%len(meetings)]
			status, checkIn := "ACCEPTED", m.StartsAt.Add(5*time.Minute).Format(time.RFC3339)
			if i%10 == 0 {
				status, checkIn = "DECLINED", ""
			}
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s,GUEST\n", m.Title, m.StartsAt.Format(time.RFC3339), p.Email, status, checkIn)
		}
	}
	return b.String()
}

// BenchmarkAttendanceImport10000 records 10,000 rows of past attendance
// (25 meetings, found by title and start), the same file again (all
// unchanged), then a file that changes every role (all updated), in one
// transaction each; the ms of each step are reported. Run it on PostgreSQL
// with RENCONTRE_TEST_DB=postgres.
func BenchmarkAttendanceImport10000(b *testing.B) {
	var create, same, update time.Duration
	for b.Loop() {
		b.StopTimer()
		c := testenv.Client(b)
		org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(testenv.System())
		ctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.Owner})
		file := attendanceBench(b, c, ctx, org.ID, 10_000)
		changed := strings.ReplaceAll(file, ",GUEST\n", ",SPEAKER\n")
		b.StartTimer()
		step := func(file string, want importer.AttendanceResult, took *time.Duration) {
			start := time.Now()
			rows, errs := importer.ParseAttendance(strings.NewReader(file))
			if errs != nil {
				b.Fatal(errs)
			}
			tx, err := c.Tx(ctx)
			if err != nil {
				b.Fatal(err)
			}
			res, err := importer.ImportAttendance(ctx, tx.Client(), org.ID, rows, importer.AttendanceOptions{Now: now})
			if err != nil || res != want {
				_ = tx.Rollback()
				b.Fatalf("import: %+v, %v, want %+v", res, err, want)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			*took += time.Since(start)
		}
		step(file, importer.AttendanceResult{Created: 10_000, CheckedIn: 9_000}, &create)
		step(file, importer.AttendanceResult{Unchanged: 10_000, CheckedIn: 9_000}, &same)
		step(changed, importer.AttendanceResult{Updated: 10_000, CheckedIn: 9_000}, &update)
	}
	n := float64(b.N)
	b.ReportMetric(float64(create.Milliseconds())/n, "ms-create")
	b.ReportMetric(float64(same.Milliseconds())/n, "ms-unchanged")
	b.ReportMetric(float64(update.Milliseconds())/n, "ms-update")
}

func TestHistoryCommands(t *testing.T) {
	dbURL := testenv.URL(t)
	c, err := database.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := database.Prepare(context.Background(), c, dbURL, true); err != nil {
		t.Fatal(err)
	}
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(testenv.System())
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.Owner})
	c.Person.Create().SetOrganizationID(org.ID).SetName("Ana").SetEmail("ana@example.org").ExecX(ctx)
	m := c.Meeting.Create().SetOrganizationID(org.ID).SetTitle("Breakfast").SetTimeZone("UTC").
		SetStartsAt(time.Date(2025, 1, 9, 8, 0, 0, 0, time.UTC)).SetEndsAt(time.Date(2025, 1, 9, 10, 0, 0, 0, time.UTC)).SaveX(ctx)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	members := write("members.csv", "community,email\nPlatform,ana@example.org\n")
	attendance := write("attendance.csv", fmt.Sprintf("meeting_id,email,checked_in_at\n%d,ana@example.org,2025-01-09T08:05:00Z\n", m.ID))
	bad := write("bad.csv", "meeting_id,email\nx,ana@example.org\n1,nope\n")
	for _, tc := range []struct {
		name       string
		run        func([]string, *strings.Builder, *strings.Builder) error
		args       []string
		wantErr    bool
		wantStdout string
		wantStderr []string
	}{
		{"members are added", mc, []string{"--org", "acme", "--database-url", dbURL, "--create-communities", members}, false,
			"1 memberships added, 0 unchanged, 1 communities created", nil},
		{"members again change nothing", mc, []string{members, "--org", "acme", "--database-url", dbURL}, false,
			"0 memberships added, 1 unchanged", nil},
		{"attendance is recorded", ac, []string{"--org", "acme", "--database-url", dbURL, attendance}, false,
			"1 participations created, 0 updated, 0 unchanged, 1 checked in", nil},
		{"an invalid attendance file lists every error", ac, []string{"--org", "acme", "--database-url", dbURL, bad}, true,
			"", []string{"row 2, meeting_id:", "row 3, email:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := tc.run(tc.args, &stdout, &stderr)
			if (err != nil) != tc.wantErr || !strings.Contains(stdout.String(), tc.wantStdout) {
				t.Errorf("err = %v, stdout = %q, stderr = %q, want error %t and %q", err, stdout.String(), stderr.String(), tc.wantErr, tc.wantStdout)
			}
			for _, s := range tc.wantStderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr %q does not hold %q", stderr.String(), s)
				}
			}
		})
	}
}

func mc(args []string, stdout, stderr *strings.Builder) error {
	return importer.MembersCommand(args, stdout, stderr)
}

func ac(args []string, stdout, stderr *strings.Builder) error {
	return importer.AttendanceCommand(args, stdout, stderr)
}
