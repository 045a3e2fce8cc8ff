package export_test

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/network/export"
	"github.com/rencontre/rencontre/internal/testenv"
)

// now is the clock of every test: after every relationship of the fixture.
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// fixture is a small organization: four people (Dan isolated), two
// communities, a meeting that Ana and Ben attend (Ana checked in), and two
// relationships: Ana–Ben (strength 2) and Ben–Chloé (strength 1).
type fixture struct {
	c                   *ent.Client
	srv                 *httptest.Server
	token, otherToken   string
	org                 *ent.Organization
	ana, ben, chloe     *ent.Person
	dan                 *ent.Person
	platform, sales     *ent.Community
	meeting             *ent.Meeting
	anaBen, benChloe    *ent.Relationship
	otherPerson         *ent.Person
	otherMeeting        *ent.Meeting
	anaBenMet, benChMet time.Time
}

func tokenFor(t *testing.T, c *ent.Client, slug string, role membership.Role) string {
	t.Helper()
	_, secret, err := auth.Bootstrap{
		OrgSlug: slug, Email: strings.ToLower(string(role)) + "@" + slug + ".example", Role: role, TokenName: "test",
	}.Run(testenv.System(), c)
	if err != nil {
		t.Fatalf("bootstrapping a %s token for %s: %v", role, slug, err)
	}
	return secret
}

func relate(t *testing.T, c *ent.Client, org int, a, b *ent.Person, first, last time.Time, count int, s float64) *ent.Relationship {
	t.Helper()
	lo, hi := min(a.ID, b.ID), max(a.ID, b.ID)
	return c.Relationship.Create().SetOrganizationID(org).SetPersonAID(lo).SetPersonBID(hi).
		SetFirstMetAt(first).SetLastMetAt(last).SetEncounterCount(count).SetStrength(s).
		SetDecayKey(network.DecayKey(s, last)).SaveX(testenv.System())
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := testenv.System()
	c := testenv.Client(t)
	f := &fixture{c: c}
	f.token = tokenFor(t, c, "acme", membership.RoleOwner)
	f.otherToken = tokenFor(t, c, "other", membership.RoleOwner)
	f.org = c.Organization.Query().Where(organization.Slug("acme")).OnlyX(ctx)
	other := c.Organization.Query().Where(organization.Slug("other")).OnlyX(ctx)

	f.ana = c.Person.Create().SetOrganization(f.org).SetName("Ana").SetEmail("ana@acme.example").SetCompany("Acme").SaveX(ctx)
	f.ben = c.Person.Create().SetOrganization(f.org).SetName("Ben").SetEmail("ben@acme.example").SaveX(ctx)
	f.chloe = c.Person.Create().SetOrganization(f.org).SetName("Chloé <&> \"Q\"").SetEmail("chloe@acme.example").SetCompany("Beta & Co").SaveX(ctx)
	f.dan = c.Person.Create().SetOrganization(f.org).SetName("Dan").SetEmail("dan@acme.example").SaveX(ctx)
	f.platform = c.Community.Create().SetOrganization(f.org).SetName("Platform").SetKind("TEAM").AddMembers(f.ana, f.ben, f.chloe).SaveX(ctx)
	f.sales = c.Community.Create().SetOrganization(f.org).SetName("Sales").SetKind("TEAM").AddMembers(f.chloe).SaveX(ctx)
	start := time.Date(2025, 3, 5, 9, 0, 0, 0, time.UTC)
	f.meeting = c.Meeting.Create().SetOrganization(f.org).SetTitle("Offsite").
		SetStartsAt(start).SetEndsAt(start.Add(8 * time.Hour)).SetTimeZone("Europe/Paris").SaveX(ctx)
	c.Participation.Create().SetMeeting(f.meeting).SetPerson(f.ana).SetStatus(participation.StatusAccepted).
		SetCheckedInAt(start.Add(time.Hour)).SaveX(ctx)
	c.Participation.Create().SetMeeting(f.meeting).SetPerson(f.ben).SetStatus(participation.StatusAccepted).SaveX(ctx)

	f.anaBenMet = start.Add(2 * time.Hour)
	f.benChMet = time.Date(2025, 5, 20, 15, 30, 0, 0, time.UTC)
	f.anaBen = relate(t, c, f.org.ID, f.ana, f.ben, start.Add(time.Hour), f.anaBenMet, 3, 2)
	f.benChloe = relate(t, c, f.org.ID, f.chloe, f.ben, f.benChMet, f.benChMet, 1, 1)

	f.otherPerson = c.Person.Create().SetOrganization(other).SetName("Eve").SetEmail("eve@other.example").SaveX(ctx)
	f.otherMeeting = c.Meeting.Create().SetOrganization(other).SetTitle("Elsewhere").
		SetStartsAt(start).SetEndsAt(start.Add(time.Hour)).SetTimeZone("UTC").SaveX(ctx)
	fay := c.Person.Create().SetOrganization(other).SetName("Fay").SetEmail("fay@other.example").SaveX(ctx)
	relate(t, c, other.ID, f.otherPerson, fay, start, start, 1, 1) // never in our exports
	f.srv = httptest.NewServer(auth.Middleware(c, export.Handler(c, func() time.Time { return now })))
	t.Cleanup(f.srv.Close)
	return f
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (f *fixture) get(t *testing.T, token, path string, q url.Values) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, body}
}

func (r reply) errorMessage(t *testing.T) string {
	t.Helper()
	var body struct{ Error string }
	if err := json.Unmarshal(r.body, &body); err != nil || body.Error == "" {
		t.Fatalf("want a JSON {\"error\": …} body, got %s (%v)", r.body, err)
	}
	return body.Error
}

// GraphML as parsed back.
type graphML struct {
	XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	Keys    []struct {
		ID       string `xml:"id,attr"`
		For      string `xml:"for,attr"`
		AttrName string `xml:"attr.name,attr"`
		AttrType string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graphs []struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string        `xml:"id,attr"`
			Data []graphMLData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string        `xml:"id,attr"`
			Source string        `xml:"source,attr"`
			Target string        `xml:"target,attr"`
			Data   []graphMLData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

type graphMLData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func dataMap(ds []graphMLData) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		m[d.Key] = d.Value
	}
	return m
}

func id(n int) string { return strconv.Itoa(n) }

func sorted(s []string) []string { slices.Sort(s); return s }

// orgPeople and orgRelationships are the fixture organization's, from the DB.
func (f *fixture) orgPeople(t *testing.T) []string {
	var out []string
	for _, i := range f.c.Person.Query().Where(person.OrganizationID(f.org.ID)).IDsX(testenv.System()) {
		out = append(out, id(i))
	}
	return sorted(out)
}

func (f *fixture) orgRelationships(t *testing.T) []string {
	var out []string
	for _, i := range f.c.Relationship.Query().Where(relationship.OrganizationID(f.org.ID)).IDsX(testenv.System()) {
		out = append(out, id(i))
	}
	return sorted(out)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestGraphMLOfTheOrganization(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, f.token, "/export/network.graphml", url.Values{"organization": {"true"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/graphml+xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="network.graphml"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(string(r.body), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.80s", r.body)
	}
	var doc graphML
	if err := xml.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("parsing the GraphML: %v\n%s", err, r.body)
	}
	if len(doc.Graphs) != 1 || doc.Graphs[0].EdgeDefault != "undirected" {
		t.Fatalf("want one undirected graph, got %+v", doc.Graphs)
	}
	g := doc.Graphs[0]

	keys := map[string]string{} // id → for
	types := map[string]string{}
	for _, k := range doc.Keys {
		keys[k.ID] = k.For
		types[k.AttrName] = k.For + " " + k.AttrType
	}
	wantTypes := map[string]string{
		"name": "node string", "company": "node string", "communities": "node string", "degree": "node int",
		"weightedDegree": "node double", "betweenness": "node double", "closeness": "node double",
		"community": "node int", "attended": "node boolean",
		"strength": "edge double", "currentStrength": "edge double", "encounterCount": "edge int",
		"firstMetAt": "edge string", "lastMetAt": "edge string",
	}
	for name, want := range wantTypes {
		if types[name] != want {
			t.Errorf("key %s: got %q, want %q", name, types[name], want)
		}
	}

	var nodeIDs, edgeIDs []string
	nodes := map[string]map[string]string{}
	for _, n := range g.Nodes {
		nodeIDs = append(nodeIDs, n.ID)
		nodes[n.ID] = dataMap(n.Data)
		for _, d := range n.Data {
			if keys[d.Key] != "node" {
				t.Errorf("node %s: data key %q is not a declared node key", n.ID, d.Key)
			}
		}
	}
	edges := map[string]map[string]string{}
	for _, e := range g.Edges {
		edgeIDs = append(edgeIDs, e.ID)
		edges[e.ID] = dataMap(e.Data)
		edges[e.ID]["source"], edges[e.ID]["target"] = e.Source, e.Target
		for _, d := range e.Data {
			if keys[d.Key] != "edge" {
				t.Errorf("edge %s: data key %q is not a declared edge key", e.ID, d.Key)
			}
		}
	}
	if want := f.orgPeople(t); !slices.Equal(sorted(nodeIDs), want) {
		t.Errorf("nodes %v, want the organization's people %v", nodeIDs, want)
	}
	if want := f.orgRelationships(t); !slices.Equal(sorted(edgeIDs), want) {
		t.Errorf("edges %v, want the organization's relationships %v", edgeIDs, want)
	}

	ana, ben, chloe, dan := nodes[id(f.ana.ID)], nodes[id(f.ben.ID)], nodes[id(f.chloe.ID)], nodes[id(f.dan.ID)]
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}
	check("Chloé's name (escaped and back)", chloe["name"], f.chloe.Name)
	check("Chloé's company", chloe["company"], "Beta & Co")
	check("Chloé's communities", chloe["communities"], "Platform; Sales")
	check("Ana's company", ana["company"], "Acme")
	if _, ok := ben["company"]; ok {
		t.Errorf("Ben has no company, got %q", ben["company"])
	}
	check("Ben's degree", ben["degree"], "2")
	check("Dan's degree", dan["degree"], "0")
	check("Dan's communities", dan["communities"], "")
	check("Ana attended", ana["attended"], "true")
	check("Ben attended", ben["attended"], "false")
	abNow := network.StrengthAt(2, f.anaBenMet, now)
	bcNow := network.StrengthAt(1, f.benChMet, now)
	wd, err := strconv.ParseFloat(ben["weightedDegree"], 64)
	if err != nil || !near(wd, abNow+bcNow) {
		t.Errorf("Ben's weightedDegree %q, want %v", ben["weightedDegree"], abNow+bcNow)
	}
	if b, err := strconv.ParseFloat(ben["betweenness"], 64); err != nil || !(b > 0) {
		t.Errorf("Ben, between Ana and Chloé, has betweenness %q", ben["betweenness"])
	}

	ab := edges[id(f.anaBen.ID)]
	check("Ana–Ben source", ab["source"], id(min(f.ana.ID, f.ben.ID)))
	check("Ana–Ben target", ab["target"], id(max(f.ana.ID, f.ben.ID)))
	check("Ana–Ben strength", ab["strength"], "2")
	check("Ana–Ben encounterCount", ab["encounterCount"], "3")
	check("Ana–Ben lastMetAt", ab["lastMetAt"], "2025-03-05T11:00:00Z")
	check("Ana–Ben firstMetAt", ab["firstMetAt"], "2025-03-05T10:00:00Z")
	if cs, err := strconv.ParseFloat(ab["currentStrength"], 64); err != nil || !near(cs, abNow) {
		t.Errorf("Ana–Ben currentStrength %q, want %v", ab["currentStrength"], abNow)
	}
	check("Ben–Chloé strength", edges[id(f.benChloe.ID)]["strength"], "1")
}

func TestGraphMLWithoutMetrics(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, f.token, "/export/network.graphml", url.Values{"communityIDs": {id(f.platform.ID)}, "metrics": {"false"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var doc graphML
	if err := xml.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range doc.Keys {
		if slices.Contains([]string{"degree", "weightedDegree", "betweenness", "closeness", "community"}, k.AttrName) {
			t.Errorf("metric key %s declared with metrics=false", k.AttrName)
		}
	}
	declared := map[string]bool{}
	for _, k := range doc.Keys {
		declared[k.ID] = true
	}
	var nodes []string
	for _, n := range doc.Graphs[0].Nodes {
		nodes = append(nodes, n.ID)
		for _, d := range n.Data {
			if !declared[d.Key] {
				t.Errorf("undeclared key %s", d.Key)
			}
		}
	}
	if want := sorted([]string{id(f.ana.ID), id(f.ben.ID), id(f.chloe.ID)}); !slices.Equal(sorted(nodes), want) {
		t.Errorf("Platform's nodes %v, want %v", nodes, want)
	}
	if len(doc.Graphs[0].Edges) != 2 {
		t.Errorf("want Platform's 2 relationships, got %d", len(doc.Graphs[0].Edges))
	}
}

func TestGraphologyOfTheOrganization(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, f.token, "/export/network.json", url.Values{"organization": {"true"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="network.json"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("parsing the JSON: %v\n%s", err, r.body)
	}
	keysOf := func(m any) []string {
		var ks []string
		for k := range m.(map[string]any) {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	if got := keysOf(doc); !slices.Equal(got, []string{"attributes", "edges", "nodes", "options"}) {
		t.Errorf("top-level keys %v", got)
	}
	opts, _ := json.Marshal(doc["options"])
	if string(opts) != `{"allowSelfLoops":false,"multi":false,"type":"undirected"}` {
		t.Errorf("options %s", opts)
	}
	attrs := doc["attributes"].(map[string]any)
	if attrs["name"] != "Organization: acme" || attrs["asOf"] != "2025-06-01T12:00:00Z" {
		t.Errorf("attributes %v", attrs)
	}

	nodes := map[string]map[string]any{}
	var nodeIDs []string
	for _, n := range doc["nodes"].([]any) {
		if got := keysOf(n); !slices.Equal(got, []string{"attributes", "key"}) {
			t.Errorf("node keys %v", got)
		}
		k := n.(map[string]any)["key"].(string)
		nodeIDs = append(nodeIDs, k)
		nodes[k] = n.(map[string]any)["attributes"].(map[string]any)
	}
	edges := map[string]map[string]any{}
	var edgeIDs []string
	for _, e := range doc["edges"].([]any) {
		if got := keysOf(e); !slices.Equal(got, []string{"attributes", "key", "source", "target", "undirected"}) {
			t.Errorf("edge keys %v", got)
		}
		em := e.(map[string]any)
		if em["undirected"] != true {
			t.Errorf("edge %v is not undirected", em["key"])
		}
		edgeIDs = append(edgeIDs, em["key"].(string))
		edges[em["key"].(string)] = em
	}
	if want := f.orgPeople(t); !slices.Equal(sorted(nodeIDs), want) {
		t.Errorf("nodes %v, want %v", nodeIDs, want)
	}
	if want := f.orgRelationships(t); !slices.Equal(sorted(edgeIDs), want) {
		t.Errorf("edges %v, want %v", edgeIDs, want)
	}

	ben := nodes[id(f.ben.ID)]
	if got := keysOf(ben); !slices.Equal(got, sorted([]string{"name", "communities", "degree", "weightedDegree", "betweenness", "closeness", "community", "attended"})) {
		t.Errorf("Ben's attributes %v", got)
	}
	if ben["name"] != "Ben" || ben["degree"] != 2.0 || ben["attended"] != false {
		t.Errorf("Ben: %v", ben)
	}
	abNow := network.StrengthAt(2, f.anaBenMet, now)
	bcNow := network.StrengthAt(1, f.benChMet, now)
	if wd, _ := ben["weightedDegree"].(float64); !near(wd, abNow+bcNow) {
		t.Errorf("Ben's weightedDegree %v, want %v", ben["weightedDegree"], abNow+bcNow)
	}
	chloe := nodes[id(f.chloe.ID)]
	if chloe["name"] != f.chloe.Name || chloe["company"] != "Beta & Co" {
		t.Errorf("Chloé: %v", chloe)
	}
	if cs, _ := json.Marshal(chloe["communities"]); string(cs) != `["Platform","Sales"]` {
		t.Errorf("Chloé's communities %s", cs)
	}
	if cs, _ := json.Marshal(nodes[id(f.dan.ID)]["communities"]); string(cs) != `[]` {
		t.Errorf("Dan's communities %s", cs)
	}
	if nodes[id(f.ana.ID)]["attended"] != true {
		t.Errorf("Ana checked in: %v", nodes[id(f.ana.ID)])
	}

	ab := edges[id(f.anaBen.ID)]
	if ab["source"] != id(min(f.ana.ID, f.ben.ID)) || ab["target"] != id(max(f.ana.ID, f.ben.ID)) {
		t.Errorf("Ana–Ben: %v", ab)
	}
	aa := ab["attributes"].(map[string]any)
	if got := keysOf(aa); !slices.Equal(got, []string{"currentStrength", "encounterCount", "firstMetAt", "lastMetAt", "strength"}) {
		t.Errorf("edge attributes %v", got)
	}
	if aa["strength"] != 2.0 || aa["encounterCount"] != 3.0 || aa["lastMetAt"] != "2025-03-05T11:00:00Z" ||
		!near(aa["currentStrength"].(float64), abNow) {
		t.Errorf("Ana–Ben attributes %v", aa)
	}
}

func TestGraphologyOfAMeetingWithoutMetrics(t *testing.T) {
	f := newFixture(t)
	r := f.get(t, f.token, "/export/network.json", url.Values{"meetingID": {id(f.meeting.ID)}, "metrics": {"false"}, "minStrength": {"0.5"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var doc struct {
		Attributes map[string]any
		Nodes      []struct {
			Key        string
			Attributes map[string]any
		}
		Edges []struct{ Key string }
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Attributes["name"] != "Meeting: Offsite" {
		t.Errorf("attributes %v", doc.Attributes)
	}
	var keys []string
	for _, n := range doc.Nodes {
		keys = append(keys, n.Key)
		if _, ok := n.Attributes["degree"]; ok {
			t.Errorf("metrics=false, but node %s has a degree", n.Key)
		}
	}
	if want := sorted([]string{id(f.ana.ID), id(f.ben.ID)}); !slices.Equal(sorted(keys), want) {
		t.Errorf("the meeting's nodes %v, want %v", keys, want)
	}
	if len(doc.Edges) != 1 || doc.Edges[0].Key != id(f.anaBen.ID) {
		t.Errorf("the meeting's edges %v, want Ana–Ben", doc.Edges)
	}
}

func TestAsOfRebuildsFromEncounters(t *testing.T) {
	f := newFixture(t)
	ctx := testenv.System()
	// One encounter of Ana and Ben, recorded at the meeting; Ben and Chloé's
	// relationship has none (it was created directly).
	f.c.Participation.Update().Where(participation.PersonID(f.ben.ID), participation.MeetingID(f.meeting.ID)).
		SetCheckedInAt(f.anaBenMet.Add(-time.Minute)).ExecX(ctx)
	f.c.Encounter.Create().SetOrganization(f.org).SetMeetingID(f.meeting.ID).
		SetPersonAID(min(f.ana.ID, f.ben.ID)).SetPersonBID(max(f.ana.ID, f.ben.ID)).
		SetHow(encounter.HowSameTable).SetOccurredAt(f.anaBenMet).SaveX(ctx)
	r := f.get(t, f.token, "/export/network.json", url.Values{"organization": {"true"}, "asOf": {"2025-04-01T00:00:00Z"}})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var doc struct {
		Attributes map[string]any
		Edges      []struct {
			Key        string
			Attributes map[string]any
		}
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Attributes["asOf"] != "2025-04-01T00:00:00Z" {
		t.Errorf("attributes %v", doc.Attributes)
	}
	if len(doc.Edges) != 1 || doc.Edges[0].Key != id(f.anaBen.ID) || doc.Edges[0].Attributes["encounterCount"] != 1.0 {
		t.Errorf("edges as of April %+v, want Ana–Ben once", doc.Edges)
	}
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	for _, token := range []string{"", "not-a-token"} {
		r := f.get(t, token, "/export/network.graphml", url.Values{"organization": {"true"}})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("token %q: status %d, want 401", token, r.status)
		}
		var body struct {
			Errors []struct {
				Extensions struct{ Code string }
			}
		}
		if err := json.Unmarshal(r.body, &body); err != nil || len(body.Errors) != 1 || body.Errors[0].Extensions.Code != "UNAUTHENTICATED" {
			t.Errorf("token %q: body %s", token, r.body)
		}
	}
}

func TestAnotherOrganizationSeesNoneOfThesePeople(t *testing.T) {
	f := newFixture(t)
	ours := map[string]bool{}
	for _, p := range f.orgPeople(t) {
		ours[p] = true
	}
	for _, path := range []string{"/export/network.json", "/export/network.graphml"} {
		r := f.get(t, f.otherToken, path, url.Values{"organization": {"true"}})
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d: %s", path, r.status, r.body)
		}
		for p := range ours {
			if strings.Contains(string(r.body), `"`+p+`"`) {
				t.Errorf("%s: the other organization's export holds person %s:\n%s", path, p, r.body)
			}
		}
		for _, name := range []string{"Ana", "Ben", "Dan", "Platform"} {
			if strings.Contains(string(r.body), name) {
				t.Errorf("%s: the other organization's export names %s", path, name)
			}
		}
		if !strings.Contains(string(r.body), "Eve") {
			t.Errorf("%s: the other organization's own person is missing:\n%s", path, r.body)
		}
	}
	// Our meeting and community do not exist for them.
	for _, q := range []url.Values{{"meetingID": {id(f.meeting.ID)}}, {"communityIDs": {id(f.platform.ID)}}} {
		r := f.get(t, f.otherToken, "/export/network.json", q)
		if r.status != http.StatusNotFound {
			t.Errorf("%v: status %d, want 404: %s", q, r.status, r.body)
		}
	}
	// Nor theirs for us.
	r := f.get(t, f.token, "/export/network.json", url.Values{"meetingID": {id(f.otherMeeting.ID)}})
	if r.status != http.StatusNotFound || !strings.HasPrefix(r.errorMessage(t), "meetingID: ") {
		t.Errorf("another organization's meeting: status %d: %s", r.status, r.body)
	}
}

func TestBadParameters(t *testing.T) {
	f := newFixture(t)
	m := id(f.meeting.ID)
	for _, tc := range []struct {
		query string
		param string
	}{
		{"", "scope"},
		{"organization=false", "scope"},
		{"meetingID=abc", "meetingID"},
		{"meetingID=-3", "meetingID"},
		{"meetingID=" + m + "&meetingID=" + m, "meetingID"},
		{"communityIDs=1,x", "communityIDs"},
		{"communityIDs=", "communityIDs"},
		{"communityID=", "communityID"},
		{"objectiveID=1.5", "objectiveID"},
		{"seriesID=", "seriesID"},
		{"organization=yes", "organization"},
		{"meetingID=" + m + "&seriesID=3", "seriesID"},
		{"organization=true&communityIDs=1", "organization"},
		{"communityID=1&organization=true", "organization"},
		{"organization=true&asOf=yesterday", "asOf"},
		{"organization=true&asOf=2026-01-01T00:00:00Z", "asOf"},
		{"organization=true&minStrength=-1", "minStrength"},
		{"organization=true&minStrength=NaN", "minStrength"},
		{"organization=true&minStrength=strong", "minStrength"},
		{"organization=true&metrics=maybe", "metrics"},
		{"organization=true&meetingId=3", "meetingId"},
	} {
		for _, path := range []string{"/export/network.json", "/export/network.graphml"} {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			r := f.get(t, f.token, path, q)
			if r.status != http.StatusBadRequest {
				t.Errorf("%s?%s: status %d, want 400: %s", path, tc.query, r.status, r.body)
				continue
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s?%s: Content-Type %q", path, tc.query, ct)
			}
			if msg := r.errorMessage(t); !strings.HasPrefix(msg, tc.param+": ") {
				t.Errorf("%s?%s: error %q does not name %s", path, tc.query, msg, tc.param)
			}
		}
	}
}

func TestCommunityIDsTakeBothForms(t *testing.T) {
	f := newFixture(t)
	for _, q := range []url.Values{
		{"communityIDs": {id(f.sales.ID) + "," + id(f.platform.ID)}},
		{"communityID": {id(f.sales.ID), id(f.platform.ID)}},
	} {
		r := f.get(t, f.token, "/export/network.json", q)
		if r.status != http.StatusOK {
			t.Fatalf("%v: status %d: %s", q, r.status, r.body)
		}
		var doc struct {
			Attributes map[string]any
			Nodes      []struct{ Key string }
		}
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Attributes["name"] != "Communities: Sales; Platform" || len(doc.Nodes) != 3 {
			t.Errorf("%v: %s", q, r.body)
		}
	}
}

func TestOtherPathsAndMethods(t *testing.T) {
	f := newFixture(t)
	if r := f.get(t, f.token, "/export/network.csv", url.Values{"organization": {"true"}}); r.status != http.StatusNotFound {
		t.Errorf("unknown format: status %d", r.status)
	}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/export/network.json?organization=true", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: status %d, Allow %q", res.StatusCode, res.Header.Get("Allow"))
	}
}

func TestAViewerRoleExportsToo(t *testing.T) {
	f := newFixture(t)
	viewerToken := tokenFor(t, f.c, "acme", membership.RoleViewer)
	r := f.get(t, viewerToken, "/export/network.json", url.Values{"organization": {"true"}})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"name":"Ana"`) {
		t.Errorf("a VIEWER token: status %d: %s", r.status, r.body)
	}
	if strings.Contains(string(r.body), "@acme.example") {
		t.Errorf("an export carries email addresses: %s", r.body)
	}
}
