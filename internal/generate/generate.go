// Package generate builds a large, realistic organization for benchmarks:
// people in communities, meetings with participations, and an attendee
// network with heavy-tailed degrees and community structure.
//
// Small collections (communities, people, meetings) are created through ent
// (CreateBulk, in transactions, on a system context). The large ones
// (community members, participations, relationships, encounters) are written
// with raw multi-row INSERT statements of up to 1,000 rows, the IDs being
// assigned by the database.
//
// Relationships are created directly, with consistent firstMetAt, lastMetAt,
// encounterCount, strength (each encounter worth 1, halving every 180 days)
// and decay key (network.DecayKey); an encounter row is written for each
// relationship whose two people both checked in at a past meeting (up to
// three such meetings), which is a sample of their encounters: encounterCount
// also counts encounters that have no row.
package generate

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/policy"
)

// Options says what to generate.
type Options struct {
	OrgSlug        string
	OrgName        string
	People         int
	Communities    int
	Meetings       int
	Relationships  int
	Participations int // 0: People × 5
	BigMeeting     int // attendees of the big meeting; 0: min(500, People)
	Objectives     int // objectives, each meeting serving 1 to 3 of them; 0: none
	Seed           uint64
	Postgres       bool      // dialect of the raw statements
	Now            time.Time // zero: time.Now()
	Progress       io.Writer // nil: silent
	BatchSize      int       // rows per statement; 0: 1000
}

// Result tells what was generated.
type Result struct {
	OrganizationID int
	Token          string
	TokenPrefix    string
	People         int
	Communities    int
	Meetings       int
	Participations int
	Relationships  int
	Encounters     int
	Objectives     int
	BigMeetingID   int
	BigMeetingSize int
	Elapsed        time.Duration
}

// ExistsError is returned when the organization slug is taken.
type ExistsError struct{ Slug string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("organization %q already exists: the generator only creates new organizations (choose another --org, or use a fresh database)", e.Slug)
}

type gen struct {
	c     *ent.Client
	o     Options
	rng   *rand.Rand
	now   time.Time
	start time.Time
	orgID int

	commIDs     []int
	personIDs   []int
	personW     []float64 // sociability: heavy-tailed weight
	personComms [][]int   // community indexes of each person
	commMembers [][]int   // person indexes of each community
	globalCum   []float64
	commCum     [][]float64

	meetings   []mtg
	attended   [][]int32 // person index -> past meetings (indexes) checked in
	nPart      int
	nRel, nEnc int
	nObj       int
}

type mtg struct {
	id         int
	start, end time.Time
	host       int // community index
	size       int
	people     []int
}

// generatedTables are the tables Run fills.
var generatedTables = []string{"communities", "persons", "community_members", "meetings", "participations",
	"relationships", "encounters", "objectives", "meeting_objectives"}

// Run generates the organization on c.
func Run(ctx context.Context, c *ent.Client, o Options) (*Result, error) {
	if o.OrgSlug == "" {
		return nil, fmt.Errorf("an organization slug is required")
	}
	if o.People < 2 || o.Communities < 1 || o.Meetings < 1 || o.Relationships < 0 {
		return nil, fmt.Errorf("want at least 2 people, 1 community and 1 meeting")
	}
	maxPairs := o.People * (o.People - 1) / 2
	if o.Relationships > maxPairs/2 {
		return nil, fmt.Errorf("%d relationships is too many for %d people (at most %d)", o.Relationships, o.People, maxPairs/2)
	}
	if o.Participations == 0 {
		o.Participations = o.People * 5
	}
	if o.BigMeeting == 0 {
		o.BigMeeting = min(500, o.People)
	}
	o.BigMeeting = min(o.BigMeeting, o.People)
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.OrgName == "" {
		o.OrgName = o.OrgSlug
	}
	g := &gen{c: c, o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), now: o.Now, start: time.Now()}
	if g.now.IsZero() {
		g.now = time.Now()
	}
	g.now = g.now.UTC().Truncate(time.Second)
	ctx = policy.System(ctx)

	exists, err := c.Organization.Query().Where(organization.Slug(o.OrgSlug)).Exist(ctx)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, &ExistsError{Slug: o.OrgSlug}
	}
	tok, secret, err := auth.Bootstrap{
		OrgSlug: o.OrgSlug, OrgName: o.OrgName,
		Email: "owner@" + emailDomain(o.OrgSlug), AccountName: "Generator owner",
		Role: membership.RoleOwner, TokenName: "generate",
	}.Run(ctx, c)
	if err != nil {
		return nil, err
	}
	org, err := c.Organization.Query().Where(organization.Slug(o.OrgSlug)).Only(ctx)
	if err != nil {
		return nil, err
	}
	g.orgID = org.ID
	g.logf("organization %s (%d)", o.OrgSlug, org.ID)

	steps := []func(context.Context) error{g.communities, g.people, g.memberships, g.makeMeetings, g.participations, g.relationships, g.objectives}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	// Bulk-loaded tables have no statistics yet: PostgreSQL, until
	// autovacuum gets to them, plans the first queries as if they were
	// nearly empty (a scan of an organization's 2,000 people to find 50 of
	// them by ID), and SQLite, until a server's PRAGMA optimize
	// (database.KeepOptimized), picks the organization's index over the
	// primary key. Benchmarks start right after this.
	analyze := "ANALYZE " + strings.Join(generatedTables, ", ")
	if !o.Postgres {
		analyze = "ANALYZE" // SQLite analyzes one table or all of them
	}
	if _, err := c.ExecContext(ctx, analyze); err != nil {
		return nil, fmt.Errorf("analyzing the generated tables: %w", err)
	}
	g.logf("analyzed")
	res := &Result{
		OrganizationID: g.orgID, Token: secret, TokenPrefix: tok.Prefix,
		People: len(g.personIDs), Communities: len(g.commIDs), Meetings: len(g.meetings),
		Participations: g.nPart, Relationships: g.nRel, Encounters: g.nEnc, Objectives: g.nObj,
		BigMeetingID: g.meetings[0].id, BigMeetingSize: len(g.meetings[0].people),
		Elapsed: time.Since(g.start),
	}
	g.logf("done: %d people, %d communities, %d meetings, %d participations, %d relationships, %d encounters",
		res.People, res.Communities, res.Meetings, res.Participations, res.Relationships, res.Encounters)
	return res, nil
}

func emailDomain(slug string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(slug) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		b.WriteString("org")
	}
	return b.String() + ".example"
}

func (g *gen) logf(format string, args ...any) {
	if g.o.Progress == nil {
		return
	}
	fmt.Fprintf(g.o.Progress, "[%6.1fs] %s\n", time.Since(g.start).Seconds(), fmt.Sprintf(format, args...))
}

// ---------------------------------------------------------------- communities

var kinds = []community.Kind{community.KindTeam, community.KindDepartment, community.KindUserGroup,
	community.KindProfessionalCommunity, community.KindChapter, community.KindLegacyCompany}

var commWords = []string{"Data", "Cloud", "Design", "Sales", "Platform", "Security", "Mobile", "Finance",
	"Research", "Support", "Growth", "Legal", "Marketing", "Operations", "Quality", "People"}

func (g *gen) communities(ctx context.Context) error {
	n := g.o.Communities
	for lo := 0; lo < n; lo += g.o.BatchSize {
		hi := min(n, lo+g.o.BatchSize)
		cs, err := bulk(ctx, g.c, func(c *ent.Client) ([]*ent.Community, error) {
			bs := make([]*ent.CommunityCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				k := kinds[i%len(kinds)]
				name := fmt.Sprintf("%s %s %03d", commWords[i%len(commWords)], strings.ToLower(strings.ReplaceAll(string(k), "_", " ")), i+1)
				bs = append(bs, c.Community.Create().SetOrganizationID(g.orgID).SetName(name).SetKind(k))
			}
			return c.Community.CreateBulk(bs...).Save(ctx)
		})
		if err != nil {
			return fmt.Errorf("communities: %w", err)
		}
		for _, c := range cs {
			g.commIDs = append(g.commIDs, c.ID)
		}
	}
	g.logf("communities %d", len(g.commIDs))
	return nil
}

// bulk runs f in a transaction.
func bulk[T any](ctx context.Context, c *ent.Client, f func(*ent.Client) (T, error)) (T, error) {
	var zero T
	tx, err := c.Tx(ctx)
	if err != nil {
		return zero, err
	}
	v, err := f(tx.Client())
	if err != nil {
		_ = tx.Rollback()
		return zero, err
	}
	return v, tx.Commit()
}

// --------------------------------------------------------------------- people

var firstNames = []string{"Ana", "Bruno", "Chloé", "David", "Emma", "Farid", "Grace", "Hugo", "Inès", "Jonas",
	"Kenji", "Léa", "Malik", "Nora", "Oscar", "Paula", "Quentin", "Rosa", "Sami", "Tara", "Ugo", "Vera",
	"Wen", "Xavier", "Yasmine", "Zoé", "Amir", "Bianca", "Carlos", "Dalia"}
var lastNames = []string{"Martin", "Bernard", "Dubois", "Garcia", "Nguyen", "Müller", "Rossi", "Silva",
	"Kowalski", "Smith", "Haddad", "Okafor", "Tanaka", "Novak", "Laurent", "Moreau", "Fischer", "Costa",
	"Jensen", "Ivanova", "Petit", "Lambert", "Fontaine", "Chevalier"}
var companies = []string{"Alder Labs", "Finch Systems", "Northwind", "Blue Heron", "Kestrel & Co", "Oakridge"}
var titles = []string{"Engineer", "Product manager", "Designer", "Sales lead", "Analyst", "Director", "Consultant", "Researcher"}

func (g *gen) people(ctx context.Context) error {
	n := g.o.People
	domain := emailDomain(g.o.OrgSlug)
	g.personW = make([]float64, n)
	cap := math.Max(10, float64(n)/20)
	for i := range g.personW {
		// Pareto with exponent 2.2 for the degree distribution's tail.
		u := g.rng.Float64()
		g.personW[i] = math.Min(cap, math.Pow(1-u, -1/1.2))
	}
	for lo := 0; lo < n; lo += g.o.BatchSize {
		hi := min(n, lo+g.o.BatchSize)
		ps, err := bulk(ctx, g.c, func(c *ent.Client) ([]*ent.Person, error) {
			bs := make([]*ent.PersonCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				f, l := firstNames[g.rng.IntN(len(firstNames))], lastNames[g.rng.IntN(len(lastNames))]
				email := fmt.Sprintf("p%06d@%s", i+1, domain)
				b := c.Person.Create().SetOrganizationID(g.orgID).SetName(f + " " + l).SetEmail(email).
					SetCompany(companies[g.rng.IntN(len(companies))]).SetJobTitle(titles[g.rng.IntN(len(titles))]).
					SetVip(g.rng.Float64() < 0.01)
				bs = append(bs, b)
			}
			return c.Person.CreateBulk(bs...).Save(ctx)
		})
		if err != nil {
			return fmt.Errorf("people: %w", err)
		}
		for _, p := range ps {
			g.personIDs = append(g.personIDs, p.ID)
		}
		if hi%10000 == 0 || hi == n {
			g.logf("people %d/%d", hi, n)
		}
	}
	return nil
}

// memberships puts each person in 1 to 3 communities, the communities' sizes
// being heavy-tailed (Zipf-like).
func (g *gen) memberships(ctx context.Context) error {
	nc := len(g.commIDs)
	cw := make([]float64, nc)
	for i := range cw {
		cw[i] = 1 / math.Pow(float64(i+1), 0.7)
	}
	ccum := cumulative(cw)
	g.personComms = make([][]int, len(g.personIDs))
	g.commMembers = make([][]int, nc)
	var rows [][]any
	for p := range g.personIDs {
		k := 1
		switch r := g.rng.Float64(); {
		case r < 0.15:
			k = 3
		case r < 0.50:
			k = 2
		}
		k = min(k, nc)
		for len(g.personComms[p]) < k {
			ci := pick(g.rng, ccum)
			if contains(g.personComms[p], ci) {
				continue
			}
			g.personComms[p] = append(g.personComms[p], ci)
			g.commMembers[ci] = append(g.commMembers[ci], p)
			rows = append(rows, []any{g.commIDs[ci], g.personIDs[p]})
		}
	}
	if err := g.insert(ctx, "community_members", []string{"community_id", "person_id"}, rows); err != nil {
		return err
	}
	g.globalCum = cumulative(g.personW)
	g.commCum = make([][]float64, nc)
	for ci, ms := range g.commMembers {
		w := make([]float64, len(ms))
		for j, p := range ms {
			w[j] = g.personW[p]
		}
		g.commCum[ci] = cumulative(w)
	}
	g.logf("community memberships %d", len(rows))
	return nil
}

// ------------------------------------------------------------------- meetings

var formats = []meeting.Format{meeting.FormatWorkshop, meeting.FormatUserGroup, meeting.FormatNetworkingEvent,
	meeting.FormatTeamBuilding, meeting.FormatOffsite, meeting.FormatCelebration, meeting.FormatOther}

func (g *gen) makeMeetings(ctx context.Context) error {
	n := g.o.Meetings
	from := g.now.AddDate(-2, 0, 0)
	span := g.now.AddDate(0, 6, 0).Sub(from)
	g.meetings = make([]mtg, n)
	for i := range g.meetings {
		var start time.Time
		if i == 0 { // the big one: the annual meeting, two months ago
			start = g.now.AddDate(0, -2, 0)
		} else {
			start = from.Add(time.Duration(g.rng.Int64N(int64(span))))
		}
		start = time.Date(start.Year(), start.Month(), start.Day(), 8+g.rng.IntN(10), 0, 0, 0, time.UTC)
		dur := time.Duration(1+g.rng.IntN(4)) * time.Hour
		if i == 0 {
			start = time.Date(start.Year(), start.Month(), start.Day(), 9, 0, 0, 0, time.UTC)
			dur = 9 * time.Hour
		}
		g.meetings[i] = mtg{start: start, end: start.Add(dur), host: g.rng.IntN(len(g.commIDs))}
	}
	for lo := 0; lo < n; lo += g.o.BatchSize {
		hi := min(n, lo+g.o.BatchSize)
		ms, err := bulk(ctx, g.c, func(c *ent.Client) ([]*ent.Meeting, error) {
			bs := make([]*ent.MeetingCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				m := g.meetings[i]
				title := fmt.Sprintf("%s meetup #%d", commWords[m.host%len(commWords)], i)
				format := formats[g.rng.IntN(len(formats))]
				if i == 0 {
					title, format = fmt.Sprintf("Annual meeting %d", m.start.Year()), meeting.FormatAnnualMeeting
				}
				status := meeting.StatusScheduled
				if m.end.Before(g.now) {
					status = meeting.StatusDone
				}
				bs = append(bs, c.Meeting.Create().SetOrganizationID(g.orgID).SetTitle(title).SetFormat(format).
					SetStartsAt(m.start).SetEndsAt(m.end).SetTimeZone("Europe/Paris").SetStatus(status).
					SetVenueName(fmt.Sprintf("Room %d", 1+g.rng.IntN(40))))
			}
			return c.Meeting.CreateBulk(bs...).Save(ctx)
		})
		if err != nil {
			return fmt.Errorf("meetings: %w", err)
		}
		for j, m := range ms {
			g.meetings[lo+j].id = m.ID
		}
	}
	g.logf("meetings %d", n)
	return nil
}

// participations fills the meetings: the big one with BigMeeting people, the
// others with log-normal sizes, mostly members of the host community, the
// more sociable people more often.
func (g *gen) participations(ctx context.Context) error {
	total := g.o.Participations
	g.meetings[0].size = g.o.BigMeeting
	rest := max(0, total-g.o.BigMeeting)
	others := len(g.meetings) - 1
	if others > 0 {
		w := make([]float64, others)
		var sum float64
		for i := range w {
			w[i] = math.Exp(g.rng.NormFloat64() * 0.9)
			sum += w[i]
		}
		maxSize := max(3, min(g.o.BigMeeting*3/5, len(g.personIDs)))
		for i := range w {
			g.meetings[i+1].size = max(2, min(maxSize, int(math.Round(w[i]/sum*float64(rest)))))
		}
		// What the cap took goes to the other meetings.
		for round := 0; round < 10; round++ {
			got, free := 0, 0.0
			for i := range w {
				got += g.meetings[i+1].size
				if g.meetings[i+1].size < maxSize {
					free += w[i]
				}
			}
			deficit := rest - got
			if deficit <= others || free == 0 {
				break
			}
			for i := range w {
				if m := &g.meetings[i+1]; m.size < maxSize {
					m.size = min(maxSize, m.size+int(math.Round(w[i]/free*float64(deficit))))
				}
			}
		}
	}
	g.attended = make([][]int32, len(g.personIDs))
	cols := []string{"created_at", "updated_at", "role", "status", "accepted_at", "invited_at", "responded_at",
		"checked_in_at", "organization_id", "meeting_id", "person_id"}
	var rows [][]any
	flush := func(force bool) error {
		if len(rows) < 20*g.o.BatchSize && !force {
			return nil
		}
		err := g.insert(ctx, "participations", cols, rows)
		g.nPart += len(rows)
		rows = rows[:0]
		if err == nil {
			g.logf("participations %d/%d", g.nPart, total)
		}
		return err
	}
	// Sociable people attend more: attendance weighted by sqrt(weight).
	sw := make([]float64, len(g.personW))
	for i, w := range g.personW {
		sw[i] = math.Sqrt(w)
	}
	swCum := cumulative(sw)
	for mi := range g.meetings {
		m := &g.meetings[mi]
		seen := make(map[int]bool, m.size)
		members := g.commMembers[m.host]
		for attempts := 0; len(m.people) < m.size && attempts < m.size*20; attempts++ {
			var p int
			if len(members) > 0 && g.rng.Float64() < 0.7 && mi != 0 {
				p = members[g.rng.IntN(len(members))]
			} else {
				p = pick(g.rng, swCum)
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			m.people = append(m.people, p)
		}
		past := m.end.Before(g.now)
		invited := m.start.AddDate(0, 0, -30)
		for j, p := range m.people {
			role := "GUEST"
			switch {
			case j == 0:
				role = "HOST"
			case j < 3:
				role = "SPEAKER"
			case g.personW[p] > 20 && g.rng.Float64() < 0.5:
				role = "VIP"
			}
			var status string
			var acceptedAt, respondedAt, checkedIn any
			r := g.rng.Float64()
			responded := invited.Add(time.Duration(g.rng.Int64N(int64(20 * 24 * time.Hour))))
			if past || mi == 0 {
				switch {
				case mi == 0 || r < 0.90:
					status, acceptedAt, respondedAt = "ACCEPTED", responded, responded
					checkedIn = m.start.Add(time.Duration(g.rng.Int64N(int64(30*time.Minute))) - 15*time.Minute)
					g.attended[p] = append(g.attended[p], int32(mi))
				case r < 0.95:
					status, acceptedAt, respondedAt = "ACCEPTED", responded, responded // no-show
				default:
					status, respondedAt = "DECLINED", responded
				}
			} else {
				if responded.After(g.now) {
					responded = g.now.Add(-time.Duration(g.rng.Int64N(int64(24 * time.Hour))))
				}
				if invited.After(g.now) {
					invited = g.now.Add(-48 * time.Hour)
				}
				switch {
				case r < 0.60:
					status, acceptedAt, respondedAt = "ACCEPTED", responded, responded
				case r < 0.85:
					status = "INVITED"
				case r < 0.95:
					status, respondedAt = "TENTATIVE", responded
				default:
					status, respondedAt = "DECLINED", responded
				}
			}
			rows = append(rows, []any{g.now, g.now, role, status, acceptedAt, invited, respondedAt, checkedIn,
				g.orgID, m.id, g.personIDs[p]})
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	return flush(true)
}

// -------------------------------------------------------------- relationships

type pair struct{ a, b int32 } // person indexes, a < b

func (g *gen) relationships(ctx context.Context) error {
	n := g.o.Relationships
	seen := make(map[pair]struct{}, n)
	pairs := make([]pair, 0, n)
	add := func(a, b int) bool {
		if a == b {
			return false
		}
		if a > b {
			a, b = b, a
		}
		k := pair{int32(a), int32(b)}
		if _, ok := seen[k]; ok {
			return false
		}
		seen[k] = struct{}{}
		pairs = append(pairs, k)
		return true
	}
	// A fifth of the ties were made at past meetings: two attendees of one.
	var past []int
	var pastW []float64
	for mi, m := range g.meetings {
		if m.end.Before(g.now) && len(m.people) >= 2 {
			past = append(past, mi)
			pastW = append(pastW, float64(len(m.people)))
		}
	}
	pastCum := cumulative(pastW)
	atMeetings := 0
	if len(past) > 0 {
		atMeetings = n / 5
	}
	for attempts := 0; len(pairs) < atMeetings && attempts < atMeetings*20; attempts++ {
		m := g.meetings[past[pick(g.rng, pastCum)]]
		add(m.people[g.rng.IntN(len(m.people))], m.people[g.rng.IntN(len(m.people))])
	}
	// The others by sociability (Chung–Lu: endpoints drawn in proportion to
	// their heavy-tailed weights), 85% within one of the first person's
	// communities.
	for attempts := 0; len(pairs) < n && attempts < n*50; attempts++ {
		a := pick(g.rng, g.globalCum)
		var b int
		if cs := g.personComms[a]; len(cs) > 0 && g.rng.Float64() < 0.85 {
			ci := cs[g.rng.IntN(len(cs))]
			b = g.commMembers[ci][pick(g.rng, g.commCum[ci])]
		} else {
			b = pick(g.rng, g.globalCum)
		}
		add(a, b)
	}
	if len(pairs) < n {
		g.logf("warning: only %d distinct relationships could be drawn (asked %d)", len(pairs), n)
	}
	g.logf("relationships drawn: %d", len(pairs))

	relCols := []string{"created_at", "updated_at", "first_met_at", "last_met_at", "encounter_count", "strength",
		"decay_key", "organization_id", "person_a_id", "person_b_id"}
	encCols := []string{"created_at", "updated_at", "how", "occurred_at", "organization_id", "meeting_id",
		"person_a_id", "person_b_id"}
	hows := []string{"SAME_TABLE", "INTRODUCTION", "BREAKOUT", "BADGE_SCAN", "ONE_TO_ONE"}
	from := g.now.AddDate(-2, 0, 0)
	span := int64(g.now.Sub(from))
	var rels, encs [][]any
	var times []time.Time
	flush := func(force bool) error {
		if len(rels) >= 20*g.o.BatchSize || (force && len(rels) > 0) {
			if err := g.insert(ctx, "relationships", relCols, rels); err != nil {
				return err
			}
			g.nRel += len(rels)
			rels = rels[:0]
			g.logf("relationships %d/%d", g.nRel, len(pairs))
		}
		if len(encs) >= 20*g.o.BatchSize || (force && len(encs) > 0) {
			if err := g.insert(ctx, "encounters", encCols, encs); err != nil {
				return err
			}
			g.nEnc += len(encs)
			encs = encs[:0]
		}
		return nil
	}
	for _, pr := range pairs {
		a, b := int(pr.a), int(pr.b)
		ida, idb := g.personIDs[a], g.personIDs[b]
		if ida > idb {
			ida, idb = idb, ida
		}
		times = times[:0]
		// Encounters at the past meetings both attended (up to three).
		for _, ma := range g.attended[a] {
			if len(times) == 3 {
				break
			}
			if !containsI32(g.attended[b], ma) {
				continue
			}
			m := g.meetings[ma]
			at := m.start.Add(time.Duration(g.rng.Int64N(int64(m.end.Sub(m.start))))).Truncate(time.Second)
			times = append(times, at)
			encs = append(encs, []any{g.now, g.now, hows[g.rng.IntN(len(hows))], at, g.orgID, m.id, ida, idb})
		}
		// Other encounters (without a row): geometric count, more for the
		// sociable; at least one in all.
		extra := 0
		if len(times) == 0 {
			extra = 1
		}
		p := 0.55 - 0.25*math.Min(1, (g.personW[a]+g.personW[b])/40)
		for g.rng.Float64() > p && extra < 30 {
			extra++
		}
		for range extra {
			times = append(times, from.Add(time.Duration(g.rng.Int64N(span))).Truncate(time.Second))
		}
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		first, last := times[0], times[len(times)-1]
		var strength float64
		for _, t := range times {
			strength += network.Decay(last.Sub(t))
		}
		rels = append(rels, []any{g.now, g.now, first, last, len(times), strength,
			network.DecayKey(strength, last), g.orgID, ida, idb})
		if err := flush(false); err != nil {
			return err
		}
	}
	return flush(true)
}

// ---------------------------------------------------------------------- SQL

// objectives creates Options.Objectives objectives (valid category and
// purpose, half of them owned by a person, a third targeting a community) and
// links each meeting to 1 to 3 of them. It draws from its own random source,
// so the rest of the organization is the same with or without objectives.
func (g *gen) objectives(ctx context.Context) error {
	n := g.o.Objectives
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(g.o.Seed^0x6f626a65, 11))
	purposes := []struct {
		c objective.Category
		p objective.Purpose
	}{
		{objective.CategoryChange, objective.PurposeStrategicDirection}, {objective.CategoryChange, objective.PurposeProductLaunch},
		{objective.CategoryChange, objective.PurposeCultureMerger}, {objective.CategoryMotivation, objective.PurposeAnnualGathering},
		{objective.CategoryMotivation, objective.PurposeMotivationSession}, {objective.CategoryNetworking, objective.PurposeCulturalCohesion},
		{objective.CategoryNetworking, objective.PurposeUserCommunity}, {objective.CategoryNetworking, objective.PurposeKnowledgeSharing},
	}
	var ids []int
	for lo := 0; lo < n; lo += g.o.BatchSize {
		hi := min(n, lo+g.o.BatchSize)
		objs, err := bulk(ctx, g.c, func(c *ent.Client) ([]*ent.Objective, error) {
			bs := make([]*ent.ObjectiveCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				cp := purposes[i%len(purposes)]
				b := c.Objective.Create().SetOrganizationID(g.orgID).SetTitle(fmt.Sprintf("%s objective %d", commWords[i%len(commWords)], i+1)).
					SetCategory(cp.c).SetPurpose(cp.p).SetStatus(objective.StatusActive).SetDueDate(g.now.AddDate(0, 1+rng.IntN(12), 0))
				if rng.IntN(2) == 0 {
					b.SetOwnerID(g.personIDs[rng.IntN(len(g.personIDs))])
				}
				if i%3 == 0 {
					b.AddCommunityIDs(g.commIDs[rng.IntN(len(g.commIDs))])
				}
				bs = append(bs, b)
			}
			return c.Objective.CreateBulk(bs...).Save(ctx)
		})
		if err != nil {
			return fmt.Errorf("objectives: %w", err)
		}
		for _, o := range objs {
			ids = append(ids, o.ID)
		}
	}
	var rows [][]any
	for _, m := range g.meetings {
		k := min(len(ids), 1+rng.IntN(3))
		seen := make([]int, 0, k)
		for len(seen) < k {
			o := rng.IntN(len(ids))
			if contains(seen, o) {
				continue
			}
			seen = append(seen, o)
			rows = append(rows, []any{m.id, ids[o]})
		}
	}
	if err := g.insert(ctx, "meeting_objectives", []string{"meeting_id", "objective_id"}, rows); err != nil {
		return err
	}
	g.nObj = len(ids)
	g.logf("objectives %d, meeting links %d", len(ids), len(rows))
	return nil
}

// insert writes rows with multi-row INSERT statements of BatchSize rows.
func (g *gen) insert(ctx context.Context, table string, cols []string, rows [][]any) error {
	for lo := 0; lo < len(rows); lo += g.o.BatchSize {
		hi := min(len(rows), lo+g.o.BatchSize)
		var sb strings.Builder
		sb.WriteString("INSERT INTO ")
		sb.WriteString(quote(table))
		sb.WriteString(" (")
		for i, c := range cols {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(quote(c))
		}
		sb.WriteString(") VALUES ")
		args := make([]any, 0, (hi-lo)*len(cols))
		for r := lo; r < hi; r++ {
			if r > lo {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for i := range cols {
				if i > 0 {
					sb.WriteString(", ")
				}
				args = append(args, rows[r][i])
				if g.o.Postgres {
					fmt.Fprintf(&sb, "$%d", len(args))
				} else {
					sb.WriteByte('?')
				}
			}
			sb.WriteByte(')')
		}
		if _, err := g.c.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("inserting into %s: %w", table, err)
		}
	}
	return nil
}

func quote(s string) string { return `"` + s + `"` }

// ------------------------------------------------------------------- helpers

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	var s float64
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

// pick draws an index in proportion to the weights whose cumulative sums are c.
func pick(rng *rand.Rand, c []float64) int {
	x := rng.Float64() * c[len(c)-1]
	i := sort.SearchFloat64s(c, x)
	if i >= len(c) {
		i = len(c) - 1
	}
	return i
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func containsI32(s []int32, v int32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
