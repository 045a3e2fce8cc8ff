package policy_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/entc/load"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/calendarfeed"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/demo"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/testenv"
	"github.com/rencontre/rencontre/internal/viewer"
)

// --- Static check: the schema declares a policy for every entity with data ---

var (
	specOnce sync.Once
	spec     *load.SchemaSpec
	specErr  error
)

// schemas loads the ent schema package, as entc does before generating code,
// once for the whole test binary (loading compiles a small program).
func schemas(t *testing.T) []*load.Schema {
	t.Helper()
	specOnce.Do(func() {
		spec, specErr = (&load.Config{Path: "../../ent/schema"}).Load()
	})
	if specErr != nil {
		t.Fatalf("loading ../../ent/schema: %v", specErr)
	}
	return spec.Schemas
}

// holdsOrganizationData reports the schemas whose records are data of an
// organization: those with an organization_id (tenant-owned), the
// organizations themselves and the accounts of their members, and any schema
// with an edge to one of those (a record linked to organization data is
// organization data too).
func holdsOrganizationData(all []*load.Schema) map[string]string {
	why := map[string]string{}
	for _, s := range all {
		switch {
		case s.Name == "Organization":
			why[s.Name] = "is a tenant"
		case s.Name == "Account":
			why[s.Name] = "holds the members of organizations"
		default:
			for _, f := range s.Fields {
				if f.Name == "organization_id" {
					why[s.Name] = "has an organization_id"
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, s := range all {
			if _, ok := why[s.Name]; ok {
				continue
			}
			for _, e := range s.Edges {
				if _, ok := why[e.Type]; ok {
					why[s.Name] = fmt.Sprintf("has edge %s to %s", e.Name, e.Type)
					changed = true
					break
				}
			}
		}
	}
	return why
}

// unguarded lists the schemas holding organization data that have no privacy
// policy, neither their own nor from a mixin.
func unguarded(all []*load.Schema) []string {
	var out []string
	for name, why := range holdsOrganizationData(all) {
		i := slices.IndexFunc(all, func(s *load.Schema) bool { return s.Name == name })
		if len(all[i].Policy) == 0 {
			out = append(out, fmt.Sprintf("%s (%s)", name, why))
		}
	}
	sort.Strings(out)
	return out
}

func TestEveryEntityHoldingOrganizationDataHasAPrivacyPolicy(t *testing.T) {
	all := schemas(t)
	if bad := unguarded(all); len(bad) > 0 {
		t.Fatalf("entities holding organization data without a privacy policy (add Policy() to the schema or a mixin): %v", bad)
	}
	// The walk must have seen the entities it is about: a loader returning
	// nothing, or fields under other names, would make the check vacuous.
	held := holdsOrganizationData(all)
	for _, name := range []string{"Organization", "Account", "Membership", "APIToken", "Person", "Community",
		"Objective", "Indicator", "Meeting", "AgendaItem", "Participation", "Encounter", "Relationship",
		"FollowUp", "Feedback", "Touchpoint", "Series", "SeriesAnswer", "CalendarFeed"} {
		if _, ok := held[name]; !ok {
			t.Errorf("%s is not recognised as holding organization data (schemas loaded: %d)", name, len(all))
		}
	}
}

func TestPolicyCheckerSeesMixinAndOwnPolicies(t *testing.T) {
	byName := map[string]*load.Schema{}
	for _, s := range schemas(t) {
		byName[s.Name] = s
	}
	for _, tc := range []struct {
		name          string
		mixed, itself bool
	}{
		{"APIToken", true, true},      // tenant mixin + owner-only rules
		{"Membership", true, true},    // tenant mixin + owner-only rules
		{"Person", true, false},       // tenant mixin only
		{"CalendarFeed", true, true},  // tenant mixin + own feeds unless owner
		{"Organization", false, true}, // its own filter
		{"Account", false, true},      // its own filter
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := byName[tc.name]
			if !ok {
				t.Fatalf("schema %s not loaded", tc.name)
			}
			var mixed, itself bool
			for _, p := range s.Policy {
				if p.MixedIn {
					mixed = true
				} else {
					itself = true
				}
			}
			if mixed != tc.mixed || itself != tc.itself {
				t.Fatalf("policies %+v: from a mixin %v (want %v), its own %v (want %v)", s.Policy, mixed, tc.mixed, itself, tc.itself)
			}
		})
	}
}

func TestPolicyCheckerFailsOnAnEntityWithoutPolicy(t *testing.T) {
	guarded := []*load.Position{{MixedIn: true}}
	for _, tc := range []struct {
		name    string
		schemas []*load.Schema
		want    []string
	}{
		{"a tenant-owned entity without policy is reported", []*load.Schema{
			{Name: "Organization", Policy: guarded},
			{Name: "Secret", Fields: []*load.Field{{Name: "organization_id"}}},
		}, []string{"Secret (has an organization_id)"}},
		{"an unguarded Organization is reported", []*load.Schema{
			{Name: "Organization"},
		}, []string{"Organization (is a tenant)"}},
		{"an unguarded Account is reported", []*load.Schema{
			{Name: "Account"},
		}, []string{"Account (holds the members of organizations)"}},
		{"an entity linked to organization data without policy is reported", []*load.Schema{
			{Name: "Person", Fields: []*load.Field{{Name: "organization_id"}}, Policy: guarded},
			{Name: "Note", Edges: []*load.Edge{{Name: "person", Type: "Person"}}},
		}, []string{"Note (has edge person to Person)"}},
		{"a policy from a mixin is enough", []*load.Schema{
			{Name: "Person", Fields: []*load.Field{{Name: "organization_id"}}, Policy: guarded},
		}, nil},
		{"an entity unrelated to organizations needs none", []*load.Schema{
			{Name: "Country"},
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unguarded(tc.schemas); !slices.Equal(got, tc.want) {
				t.Fatalf("unguarded = %q, want %q", got, tc.want)
			}
		})
	}
}

// --- Runtime check: the generated client enforces the policies ---

// entityClient is one entity client of the generated ent.Client (its
// APIToken, Account… fields), found by reflection so that a new entity is
// covered without changing this test.
type entityClient struct {
	name string
	v    reflect.Value
}

func entityClients(c *ent.Client) []entityClient {
	var out []entityClient
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() || f.Kind() != reflect.Pointer || !f.MethodByName("Query").IsValid() {
			continue
		}
		out = append(out, entityClient{name: v.Type().Field(i).Name, v: f})
	}
	return out
}

var ctxType = reflect.TypeOf((*context.Context)(nil)).Elem()

// callCtx calls method on builder with ctx and returns its last result as an
// error, and the first as a value when there are two results.
func callCtx(t *testing.T, builder reflect.Value, method string, ctx context.Context) (reflect.Value, error) {
	t.Helper()
	m := builder.MethodByName(method)
	if !m.IsValid() || m.Type().NumIn() != 1 || m.Type().In(0) != ctxType {
		t.Fatalf("%s has no method %s(context.Context)", builder.Type(), method)
	}
	out := m.Call([]reflect.Value{reflect.ValueOf(ctx)})
	err, _ := out[len(out)-1].Interface().(error)
	return out[0], err
}

// queryAll runs client.X.Query().All(ctx) and returns how many records came
// back.
func queryAll(t *testing.T, ec entityClient, ctx context.Context) (int, error) {
	t.Helper()
	q := ec.v.MethodByName("Query").Call(nil)[0]
	res, err := callCtx(t, q, "All", ctx)
	if err != nil {
		return 0, err
	}
	return res.Len(), nil
}

// deleteAll runs client.X.Delete().Exec(ctx).
func deleteAll(t *testing.T, ec entityClient, ctx context.Context) error {
	t.Helper()
	d := ec.v.MethodByName("Delete").Call(nil)[0]
	_, err := callCtx(t, d, "Exec", ctx)
	return err
}

// demoDatabase is a database holding the demo organization and its owner's
// token: at least one record of every entity.
func demoDatabase(t *testing.T) (*ent.Client, *ent.Organization) {
	t.Helper()
	c := testenv.Client(t)
	res, err := demo.Load(context.Background(), c, time.Date(2030, 1, 15, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("loading the demo: %v", err)
	}
	if _, _, err := demo.Token(context.Background(), c); err != nil {
		t.Fatalf("creating the demo token: %v", err)
	}
	addRecurrence(t, c, res.Organization)
	for _, ec := range entityClients(c) {
		if n, err := queryAll(t, ec, testenv.System()); err != nil || n == 0 {
			t.Fatalf("setup: %s has %d records (error %v) as the system, want some", ec.name, n, err)
		}
	}
	return c, res.Organization
}

// addRecurrence gives the demo organization what the demo does not create: a
// series, a person's answer to it, and a calendar feed of each kind of its
// owner's account.
func addRecurrence(t *testing.T, c *ent.Client, org *ent.Organization) {
	t.Helper()
	ctx := testenv.System()
	p := c.Person.Query().Where(person.OrganizationID(org.ID)).FirstX(ctx)
	m := c.Meeting.Query().Where(meeting.OrganizationID(org.ID)).FirstX(ctx)
	owner := c.Membership.Query().Where(membership.OrganizationID(org.ID), membership.RoleEQ(membership.RoleOwner),
		membership.AccountIDNotNil()).FirstX(ctx)
	s := c.Series.Create().SetOrganization(org).SetTitle("Monthly breakfast").SetRrule("FREQ=MONTHLY;COUNT=6").
		SetStartsAt("2030-02-01T08:30:00").SetTimeZone("Europe/Paris").SetDurationMinutes(60).AddInvitees(p).SaveX(ctx)
	c.SeriesAnswer.Create().SetOrganization(org).SetSeries(s).SetPerson(p).SetAnswer("ACCEPTED").
		SetRespondedAt(time.Date(2030, 1, 15, 10, 0, 0, 0, time.UTC)).SaveX(ctx)
	for i, target := range []func(*ent.CalendarFeedCreate){
		func(f *ent.CalendarFeedCreate) { f.SetKind(calendarfeed.KindMeeting).SetMeetingID(m.ID) },
		func(f *ent.CalendarFeedCreate) { f.SetKind(calendarfeed.KindSeries).SetSeriesID(s.ID) },
		func(f *ent.CalendarFeedCreate) { f.SetKind(calendarfeed.KindAgenda).SetPersonID(p.ID) },
	} {
		f := c.CalendarFeed.Create().SetOrganization(org).SetAccountID(*owner.AccountID).SetRole(calendarfeed.RoleOwner).
			SetPrefix("rcf_demo").SetSecretHash(fmt.Sprintf("policy-test-feed-%d", i))
		target(f)
		f.SaveX(ctx)
	}
}

func TestNothingIsReadableWithoutAViewer(t *testing.T) {
	c, _ := demoDatabase(t)
	clients := entityClients(c)
	if len(clients) < 19 {
		t.Fatalf("found %d entity clients by reflection, want every entity (19 or more)", len(clients))
	}
	for _, ec := range clients {
		t.Run(ec.name, func(t *testing.T) {
			n, err := queryAll(t, ec, context.Background())
			if !errors.Is(err, privacy.Deny) {
				t.Fatalf("%s.Query().All without a viewer = %d records, error %v; want a privacy deny", ec.name, n, err)
			}
		})
	}
}

func TestNothingIsDeletableWithoutAViewer(t *testing.T) {
	c, _ := demoDatabase(t)
	for _, ec := range entityClients(c) {
		t.Run(ec.name, func(t *testing.T) {
			before, err := queryAll(t, ec, testenv.System())
			if err != nil {
				t.Fatal(err)
			}
			if err := deleteAll(t, ec, context.Background()); !errors.Is(err, privacy.Deny) {
				t.Errorf("%s.Delete().Exec without a viewer: error %v, want a privacy deny", ec.name, err)
			}
			if after, err := queryAll(t, ec, testenv.System()); err != nil || after != before {
				t.Fatalf("%s: %d records before, %d after (error %v)", ec.name, before, after, err)
			}
		})
	}
}

func TestAViewerReadsOnlyItsOwnOrganization(t *testing.T) {
	c, demoOrg := demoDatabase(t)
	// A second organization with an owner: its viewer must see none of the
	// demo's records, on every entity.
	other := c.Organization.Create().SetName("Other").SetSlug("other").SaveX(testenv.System())
	acc := c.Account.Create().SetEmail("owner@other.example").SetName("Owner").SaveX(testenv.System())
	c.Membership.Create().SetOrganization(other).SetAccount(acc).SetRole("OWNER").SaveX(testenv.System())
	for _, tc := range []struct {
		name string
		v    *viewer.Viewer
	}{
		{"an owner of another organization", &viewer.Viewer{AccountID: acc.ID, OrganizationID: other.ID, Role: viewer.Owner}},
		{"a viewer of an organization that does not exist", &viewer.Viewer{AccountID: acc.ID, OrganizationID: demoOrg.ID + 1_000_000, Role: viewer.Owner}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := viewer.NewContext(context.Background(), tc.v)
			for _, ec := range entityClients(c) {
				q := ec.v.MethodByName("Query").Call(nil)[0]
				res, err := callCtx(t, q, "All", ctx)
				if err != nil {
					continue // refused outright is fine
				}
				for i := 0; i < res.Len(); i++ {
					rec := res.Index(i)
					if org, ok := organizationOf(rec); ok && org == demoOrg.ID {
						t.Errorf("%s: record %v of the demo organization is readable", ec.name, rec.Elem().FieldByName("ID"))
					}
					if a, ok := rec.Interface().(*ent.Account); ok && a.ID != tc.v.AccountID {
						t.Errorf("Account: %s of another organization is readable", a.Email)
					}
				}
			}
		})
	}
}

// organizationOf returns the organization of a record: its OrganizationID, or
// its ID for an organization.
func organizationOf(rec reflect.Value) (int, bool) {
	e := rec.Elem()
	if f := e.FieldByName("OrganizationID"); f.IsValid() {
		return int(f.Int()), true
	}
	if e.Type().Name() == "Organization" {
		return int(e.FieldByName("ID").Int()), true
	}
	return 0, false
}

func TestSystemContextAllowsEverything(t *testing.T) {
	ctx := policy.System(context.Background())
	decision, ok := privacy.DecisionFromContext(ctx)
	if !ok || decision != nil {
		t.Fatalf("System decision = %v (set %v), want Allow", decision, ok)
	}
}
