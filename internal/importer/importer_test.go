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
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/importer"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

const header = "name,email,phone,company,job_title,tags,communities,vip\n"

func TestParseReportsEveryError(t *testing.T) {
	file := header +
		"Ana Lima,ana@example.org,,Acme,,speaker,,true\n" +
		"Ben,not-an-email,,,,,,\n" + // row 3
		"Chloé,chloe@example.org,,,,,,\n" +
		",dan@example.org,,,,,,\n" + // row 5
		"Eve,eve@example.org,,,,,,maybe\n" // row 6
	rows, errs := importer.Parse(strings.NewReader(file))
	if rows != nil {
		t.Errorf("an invalid file gave %d rows, want none", len(rows))
	}
	want := []struct {
		row    int
		column string
	}{{3, "email"}, {5, "name"}, {6, "vip"}}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(errs), len(want), errs)
	}
	for i, w := range want {
		if errs[i].Row != w.row || errs[i].Column != w.column || errs[i].Message == "" {
			t.Errorf("error %d = %+v, want row %d column %s", i, errs[i], w.row, w.column)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name       string
		file       string
		wantRows   int
		wantErrors []string // "row/column"
	}{
		{"a byte order mark before the header is ignored", "\uFEFF" + header + "Ana,ana@example.org,,,,,,\n", 1, nil},
		{"the header is read regardless of case and order", "EMAIL,Name\nana@example.org,Ana\n", 1, nil},
		{"quoted cells may hold commas, quotes and new lines", "name,email,company\n\"Lima, Ana \"\"the boss\"\"\",ana@example.org,\"Acme\nInc\"\nBen,ben@example.org,\n", 2, nil},
		{"a quoted cell counts its lines in the rows of the errors", "name,email,company\nAna,ana@example.org,\"A\nB\"\nBen,bad,\n", 0, []string{"4/email"}},
		{"a duplicate email is an error of the later row, regardless of case", header + "Ana,ana@example.org,,,,,,\nAna B,ANA@example.org,,,,,,\n", 0, []string{"3/email"}},
		{"unknown columns are named", "name,email,salary,shoe size\nAna,ana@example.org,1,2\n", 0, []string{"1/salary", "1/shoe size"}},
		{"a missing required column is an error", "name,phone\nAna,1\n", 0, []string{"1/email"}},
		{"a row with another number of cells is an error", "name,email\nAna,ana@example.org,extra\n", 0, []string{"2/"}},
		{"a malformed quote is an error of its row", "name,email\nAna \"x\",ana@example.org\nBen,ben@example.org\n", 0, []string{"2/"}},
		{"blank lines and empty rows are skipped", "name,email\n\nAna,ana@example.org\n,\n", 1, nil},
		{"an empty file is an error", "", 0, []string{"1/"}},
		{"more than 50 tags is an error", "name,email,tags\nAna,ana@example.org," + strings.Repeat("t;", 0) + tags(51) + "\n", 0, []string{"2/tags"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, errs := importer.Parse(strings.NewReader(tc.file))
			var got []string
			for _, e := range errs {
				got = append(got, fmt.Sprintf("%d/%s", e.Row, e.Column))
			}
			if len(rows) != tc.wantRows || !slices.Equal(got, tc.wantErrors) {
				t.Errorf("got %d rows and errors %v (%v), want %d rows and errors %v", len(rows), got, errs, tc.wantRows, tc.wantErrors)
			}
		})
	}
}

func tags(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("t%d", i)
	}
	return strings.Join(out, ";")
}

func TestParseValues(t *testing.T) {
	rows, errs := importer.Parse(strings.NewReader("name,email,tags,communities,vip,phone\n" +
		"  Ana Lima , Ana@Example.ORG ,speaker; board;;speaker,Platform;platform; Paris ,YES,\n"))
	if errs != nil {
		t.Fatal(errs)
	}
	r := rows[0]
	if r.Name != "Ana Lima" || r.Email != "ana@example.org" || !slices.Equal(r.Tags, []string{"speaker", "board"}) ||
		!slices.Equal(r.Communities, []string{"Platform", "Paris"}) || r.VIP == nil || !*r.VIP ||
		r.Phone == nil || *r.Phone != "" || r.Company != nil {
		t.Errorf("row = %+v", r)
	}
}

// orgEnv is an organization and a context of its owner.
func orgEnv(t testing.TB) (*ent.Client, int, context.Context) {
	t.Helper()
	c := testenv.Client(t)
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(testenv.System())
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.Owner})
	return c, org.ID, ctx
}

func mustParse(t testing.TB, file string) []importer.Row {
	t.Helper()
	rows, errs := importer.Parse(strings.NewReader(file))
	if errs != nil {
		t.Fatalf("Parse: %v", errs)
	}
	return rows
}

func importTx(t testing.TB, c *ent.Client, org int, ctx context.Context, rows []importer.Row, opts importer.Options) (importer.Result, error) {
	t.Helper()
	tx, err := c.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Import(ctx, tx.Client(), org, rows, opts)
	if err != nil {
		_ = tx.Rollback()
		return res, err
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return res, nil
}

func TestImportIsIdempotentAndUpdates(t *testing.T) {
	c, org, ctx := orgEnv(t)
	c.Community.Create().SetOrganizationID(org).SetName("Platform").SetKind(community.KindTeam).SaveX(ctx)
	file := header +
		"Ana Lima,ana@example.org,+33 1 23,Acme,CTO,speaker;board,Platform,true\n" +
		"Ben Roy,ben@example.org,,,,,platform,\n" +
		"Chloé Durand,Chloe@example.org,,,,,,false\n"

	res, err := importTx(t, c, org, ctx, mustParse(t, file), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (importer.Result{Created: 3}); res != want {
		t.Errorf("first import = %+v, want %+v", res, want)
	}
	res, err = importTx(t, c, org, ctx, mustParse(t, file), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (importer.Result{Unchanged: 3}); res != want {
		t.Errorf("same file again = %+v, want %+v", res, want)
	}
	if n := c.Person.Query().CountX(ctx); n != 3 {
		t.Errorf("%d people after two imports, want 3", n)
	}

	changed := header +
		"Ana Lima,ANA@example.org,,Acme,CTO,speaker;board,Platform,true\n" + // phone cleared
		"Ben Roy,ben@example.org,,,,,Platform;Paris,\n" + // joins a new community
		"Chloé Durand,chloe@example.org,,,,,,false\n" // unchanged
	if _, err := importTx(t, c, org, ctx, mustParse(t, changed), importer.Options{}); err == nil {
		t.Fatal("an unknown community was accepted without CreateCommunities")
	} else if errs, ok := err.(importer.Errors); !ok || len(errs) != 1 || errs[0].Row != 3 || errs[0].Column != "communities" {
		t.Fatalf("unknown community: %v, want one error on row 3, communities", err)
	}
	res, err = importTx(t, c, org, ctx, mustParse(t, changed), importer.Options{CreateCommunities: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := (importer.Result{Updated: 2, Unchanged: 1, CommunitiesCreated: 1}); res != want {
		t.Errorf("changed file = %+v, want %+v", res, want)
	}
	ana := c.Person.Query().Where(person.Email("ana@example.org")).OnlyX(ctx)
	if ana.Phone != nil || ana.Company == nil || *ana.Company != "Acme" || !ana.Vip || !slices.Equal(ana.Tags, []string{"speaker", "board"}) {
		t.Errorf("ana after the update = %+v", ana)
	}
	ben := c.Person.Query().Where(person.Email("ben@example.org")).WithCommunities().OnlyX(ctx)
	var names []string
	for _, cm := range ben.Edges.Communities {
		names = append(names, cm.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"Paris", "Platform"}) {
		t.Errorf("ben's communities = %v, want Paris and Platform", names)
	}

	// A file without the optional columns leaves them as they are.
	res, err = importTx(t, c, org, ctx, mustParse(t, "email,name\nana@example.org,Ana Lima-Costa\n"), importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ana = c.Person.Query().Where(person.Email("ana@example.org")).OnlyX(ctx)
	if res.Updated != 1 || ana.Name != "Ana Lima-Costa" || !ana.Vip || ana.Company == nil {
		t.Errorf("name-only file: %+v, ana = %+v", res, ana)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	c, org, ctx := orgEnv(t)
	res, err := importTx(t, c, org, ctx, mustParse(t, header+"Ana,ana@example.org,,,,,Platform,\n"), importer.Options{DryRun: true, CreateCommunities: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := (importer.Result{Created: 1, CommunitiesCreated: 1}); res != want {
		t.Errorf("dry run = %+v, want %+v", res, want)
	}
	if n := c.Person.Query().CountX(ctx) + c.Community.Query().CountX(ctx); n != 0 {
		t.Errorf("a dry run wrote %d records", n)
	}
}

func TestImportRefusesViewers(t *testing.T) {
	c, org, _ := orgEnv(t)
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org, Role: viewer.ReadOnly})
	if _, err := importTx(t, c, org, ctx, mustParse(t, header+"Ana,ana@example.org,,,,,,\n"), importer.Options{}); err == nil {
		t.Error("a VIEWER imported people")
	}
}

// benchFile is a file of n people in 10 communities.
func benchFile(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		fmt.Fprintf(&b, "Person %d,person%d@example.org,+33 1 00 00 %05d,Company %d,Engineer,tag%d;imported,Community %d,%t\n",
			i, i, i, i%50, i%7, i%10, i%100 == 0)
	}
	return b.String()
}

// BenchmarkImport10000 imports 10,000 new people (with 10 communities to
// create), the same file again (all unchanged), then a file that changes
// every person (all updated), in one transaction each; the ms of each step
// are reported beside the total. Run it on PostgreSQL with
// RENCONTRE_TEST_DB=postgres.
func BenchmarkImport10000(b *testing.B) {
	file := benchFile(10_000)
	changed := strings.ReplaceAll(file, ",Engineer,", ",Manager,")
	var create, same, update time.Duration
	for b.Loop() {
		b.StopTimer()
		c, org, ctx := orgEnv(b)
		b.StartTimer()
		step := func(file string, opts importer.Options, want importer.Result, took *time.Duration) {
			start := time.Now()
			rows, errs := importer.Parse(strings.NewReader(file))
			if errs != nil {
				b.Fatal(errs)
			}
			res, err := importTx(b, c, org, ctx, rows, opts)
			if err != nil || res != want {
				b.Fatalf("import: %+v, %v, want %+v", res, err, want)
			}
			*took += time.Since(start)
		}
		step(file, importer.Options{CreateCommunities: true}, importer.Result{Created: 10_000, CommunitiesCreated: 10}, &create)
		step(file, importer.Options{}, importer.Result{Unchanged: 10_000}, &same)
		step(changed, importer.Options{}, importer.Result{Updated: 10_000}, &update)
	}
	n := float64(b.N)
	b.ReportMetric(float64(create.Milliseconds())/n, "ms-create")
	b.ReportMetric(float64(same.Milliseconds())/n, "ms-unchanged")
	b.ReportMetric(float64(update.Milliseconds())/n, "ms-update")
}

func TestCommand(t *testing.T) {
	dbURL := testenv.URL(t)
	c, err := database.Open(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := database.Prepare(context.Background(), c, dbURL, true); err != nil {
		t.Fatal(err)
	}
	c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(testenv.System())
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.csv", header+"Ana,ana@example.org,,,,,Platform,\nBen,ben@example.org,,,,,,\n")
	bad := write("bad.csv", header+"Ana,nope,,,,,,\n,ben@example.org,,,,,,\n")

	for _, tc := range []struct {
		name       string
		args       []string
		wantErr    bool
		wantStdout string
		wantStderr []string
	}{
		{"a valid file is imported and counted", []string{"--org", "acme", "--database-url", dbURL, "--create-communities", good}, false,
			"2 created, 0 updated, 0 unchanged, 1 communities created", []string{"2/2 people written"}},
		{"flags may follow the file", []string{good, "--org", "acme", "--database-url", dbURL}, false,
			"0 created, 0 updated, 2 unchanged", nil},
		{"an invalid file lists every error and fails", []string{"--org", "acme", "--database-url", dbURL, bad}, true,
			"", []string{"row 2, email:", "row 3, name: is required"}},
		{"an unknown organization fails", []string{"--org", "nope", "--database-url", dbURL, good}, true, "", nil},
		{"a file is required", []string{"--org", "acme", "--database-url", dbURL}, true, "", []string{"Usage:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			err := importer.Command(tc.args, &stdout, &stderr)
			if (err != nil) != tc.wantErr || !strings.Contains(stdout.String(), tc.wantStdout) {
				t.Errorf("err = %v, stdout = %q, want error %t and %q", err, stdout.String(), tc.wantErr, tc.wantStdout)
			}
			for _, s := range tc.wantStderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr %q does not hold %q", stderr.String(), s)
				}
			}
		})
	}
}

// TestImportIsBulk counts the statements of an import: a handful per
// BatchSize rows, never one per row.
func TestImportIsBulk(t *testing.T) {
	c, counter := testenv.ClientWithCounter(t)
	org := c.Organization.Create().SetName("Acme").SetSlug("acme").SaveX(testenv.System())
	ctx := viewer.NewContext(context.Background(), &viewer.Viewer{OrganizationID: org.ID, Role: viewer.Owner})
	rows := mustParse(t, benchFile(2500)) // 10 communities
	for _, tc := range []struct {
		name    string
		rows    []importer.Row
		want    importer.Result
		maxStmt int64
	}{
		// 3 lookups, 1 for the communities + 1 to create them, 3 INSERTs,
		// then per community 3 membership batches at most (2 statements).
		{"new people", rows, importer.Result{Created: 2500, CommunitiesCreated: 10}, 3*2 + 2 + 3 + 10*2*2},
		{"the same people", rows, importer.Result{Unchanged: 2500}, 3*2 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counter.Reset()
			res, err := importer.Import(ctx, c, org.ID, tc.rows, importer.Options{CreateCommunities: true})
			if err != nil || res != tc.want {
				t.Fatalf("Import = %+v, %v, want %+v", res, err, tc.want)
			}
			if n := counter.Count(); n > tc.maxStmt {
				t.Errorf("%d statements for %d rows, want at most %d", n, len(tc.rows), tc.maxStmt)
			} else {
				t.Logf("%d statements for %d rows", n, len(tc.rows))
			}
		})
	}
}
