// Package demo loads the demo data set: one organization a year after the
// merger of two companies, with its people, communities, objectives, meetings
// past and future, and what happened at them.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/agendaitem"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/indicator"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/schema"
	"github.com/rencontre/rencontre/ent/touchpoint"
	"github.com/rencontre/rencontre/internal/auth"
	"github.com/rencontre/rencontre/internal/money"
	"github.com/rencontre/rencontre/internal/network"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/policy"
)

// Slug is the demo organization's slug.
const Slug = "alder-finch"

// Token creates a new owner token for the demo organization, for the
// playground, and revokes the previous demo token: each start with the demo
// prints a token that works, and only one demo token is valid at a time.
func Token(ctx context.Context, c *ent.Client) (*ent.APIToken, string, error) {
	return auth.Bootstrap{
		OrgSlug:                Slug,
		Email:                  "demo@alder-finch.example",
		AccountName:            "Demo owner",
		Role:                   membership.RoleOwner,
		TokenName:              "demo playground",
		RevokeTokensNamedAlike: true,
	}.Run(ctx, c)
}

// Result tells what Load did.
type Result struct {
	Organization *ent.Organization
	// Created is false when the demo was already loaded and nothing changed.
	Created bool
}

var (
	firstNames = []string{"Ana", "Bruno", "Chloé", "Dmitri", "Elif", "Farid", "Greta", "Hugo", "Inès", "Jonas",
		"Kaori", "Léa", "Mateo", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Samir", "Tess"}
	lastNames = []string{"Martin", "Okafor", "Schmidt", "Rossi"}
	teams     = []string{"Engineering", "Sales", "Operations", "People & Culture"}
	jobTitles = map[string]string{"Engineering": "Software engineer", "Sales": "Account executive",
		"Operations": "Operations manager", "People & Culture": "HR business partner"}
)

// Load creates the demo data set in one transaction, unless an organization
// with the demo slug exists already. It writes as the system, past the privacy
// policies. Dates are relative to now, so the demo
// always has past and future meetings.
func Load(ctx context.Context, c *ent.Client, now time.Time) (*Result, error) {
	ctx = policy.System(ctx)       // the demo loader is a system path
	ctx = schema.WithNow(ctx, now) // past meetings are DONE as of now
	if org, err := c.Organization.Query().Where(organization.Slug(Slug)).Only(ctx); err == nil {
		return &Result{Organization: org}, nil
	} else if !ent.IsNotFound(err) {
		return nil, fmt.Errorf("looking for the demo organization: %w", err)
	}
	tx, err := c.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting demo transaction: %w", err)
	}
	org, err := load(ctx, tx.Client(), now.Truncate(time.Hour))
	if err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("loading demo data: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("committing demo data: %w", err)
	}
	return &Result{Organization: org, Created: true}, nil
}

type loader struct {
	c      *ent.Client
	org    *ent.Organization
	now    time.Time
	rng    *rand.Rand
	people []*ent.Person
	legacy [2]*ent.Community
	team   map[string]*ent.Community
}

func load(ctx context.Context, c *ent.Client, now time.Time) (*ent.Organization, error) {
	// A young group with a handful of meetings a year: LOYAL from 3
	// attendances in 12 months (the default is 5).
	org, err := c.Organization.Create().SetName("Alder & Finch Group").SetSlug(Slug).SetSegmentLoyalMin(3).Save(ctx)
	if err != nil {
		return nil, err
	}
	l := &loader{c: c, org: org, now: now, rng: rand.New(rand.NewPCG(2026, 11)), team: map[string]*ent.Community{}}
	if err := l.directory(ctx); err != nil {
		return nil, err
	}
	objectives, err := l.objectives(ctx)
	if err != nil {
		return nil, err
	}
	if err := l.meetings(ctx, objectives); err != nil {
		return nil, err
	}
	// Last, so that every record above keeps its ID.
	if err := l.rehearsal(ctx, objectives); err != nil {
		return nil, fmt.Errorf("meeting %q: %w", RehearsalTitle, err)
	}
	return org, nil
}

// directory creates 60 people: 30 from each legacy company, spread over four
// teams that now mix both.
func (l *loader) directory(ctx context.Context) error {
	var err error
	for i, name := range []string{"Alder Labs", "Finch Systems"} {
		l.legacy[i], err = l.c.Community.Create().SetOrganization(l.org).SetName(name).
			SetKind(community.KindLegacyCompany).
			SetDescription(name + ", one of the two companies merged into Alder & Finch.").Save(ctx)
		if err != nil {
			return err
		}
	}
	for _, t := range teams {
		if l.team[t], err = l.c.Community.Create().SetOrganization(l.org).SetName(t).
			SetKind(community.KindTeam).Save(ctx); err != nil {
			return err
		}
	}
	board, err := l.c.Community.Create().SetOrganization(l.org).SetName("Leadership circle").
		SetKind(community.KindDepartment).SetDescription("Managers of both legacy companies.").Save(ctx)
	if err != nil {
		return err
	}
	for i := range 60 {
		first, last := firstNames[i%len(firstNames)], lastNames[i/len(firstNames)%len(lastNames)]
		company := i % 2 // alternate legacy companies
		team := teams[i%len(teams)]
		p, err := l.c.Person.Create().SetOrganization(l.org).
			SetName(first+" "+last).
			SetEmail(fmt.Sprintf("%s.%s%d@alder-finch.example", lower(first), lower(last), i)).
			SetCompany([]string{"Alder Labs", "Finch Systems"}[company]).
			SetJobTitle(jobTitles[team]).
			SetTags([]string{lower(team[:3])}).
			SetVip(i%15 == 0).
			AddCommunities(l.legacy[company], l.team[team]).
			Save(ctx)
		if err != nil {
			return err
		}
		if i%5 == 0 { // managers from both legacy companies
			if err := l.c.Community.UpdateOne(board).AddMembers(p).Exec(ctx); err != nil {
				return err
			}
		}
		l.people = append(l.people, p)
	}
	return nil
}

type demoObjectives struct{ merger, celebration, dispersed *ent.Objective }

func (l *loader) objectives(ctx context.Context) (*demoObjectives, error) {
	type ind struct {
		metric indicator.Metric
		target float64
		unit   string
	}
	create := func(title, desc string, cat objective.Category, purpose objective.Purpose, owner *ent.Person, due time.Time, targets []*ent.Community, inds ...ind) (*ent.Objective, error) {
		o, err := l.c.Objective.Create().SetOrganization(l.org).SetTitle(title).SetDescription(desc).
			SetCategory(cat).SetPurpose(purpose).SetOwner(owner).SetDueDate(due).
			SetStatus(objective.StatusActive).AddCommunities(targets...).Save(ctx)
		if err != nil {
			return nil, err
		}
		for _, i := range inds {
			if err := l.c.Indicator.Create().SetObjective(o).SetMetric(i.metric).SetTarget(i.target).SetUnit(i.unit).Exec(ctx); err != nil {
				return nil, err
			}
		}
		return o, nil
	}
	var (
		o   demoObjectives
		err error
	)
	if o.merger, err = create("Make Alder and Finch one company",
		"A year after the merger, every employee should have ties into the other legacy company.",
		objective.CategoryChange, objective.PurposeCultureMerger, l.people[0], l.now.AddDate(0, 6, 0),
		l.legacy[:],
		ind{indicator.MetricCrossLegacyTieShare, 0.6, "share"},
		ind{indicator.MetricAttendanceRate, 0.8, "share"},
		ind{indicator.MetricFollowUpsOnTimeShare, 0.9, "share"},
		ind{indicator.MetricCostPerNewConnection, 200, "EUR"}); err != nil {
		return nil, err
	}
	if o.celebration, err = create("Celebrate our first year together",
		"Recognise the teams that carried the merger and set the goals of year two.",
		objective.CategoryMotivation, objective.PurposeMilestoneCelebration, l.people[10], l.now.AddDate(0, 2, 0),
		nil,
		ind{indicator.MetricAverageSatisfaction, 4.2, "/5"},
		ind{indicator.MetricReturnRate, 0.7, "share"}); err != nil {
		return nil, err
	}
	if o.dispersed, err = create("Build trust in the dispersed engineering team",
		"Engineers sit in four cities; meet face to face every quarter so that they know whom to ask.",
		objective.CategoryNetworking, objective.PurposeDispersedTeam, l.people[4], l.now.AddDate(1, 0, 0),
		[]*ent.Community{l.team["Engineering"]},
		ind{indicator.MetricNewConnectionsPerAttendee, 3, "connections"},
		ind{indicator.MetricCrossCommunityConnectionShare, 0.5, "share"},
		ind{indicator.MetricCostPerNewConnection, 150, "EUR"}); err != nil {
		return nil, err
	}
	return &o, nil
}

type demoMeeting struct {
	title      string
	format     meeting.Format
	visibility meeting.Visibility
	days       int // from now
	hours      int
	venue      string
	tz         string
	budget     int64 // whole euros
	guests     int   // how many people are invited
	objectives func(*demoObjectives) []*ent.Objective
}

func (l *loader) meetings(ctx context.Context, o *demoObjectives) error {
	all := func(o *demoObjectives) []*ent.Objective { return []*ent.Objective{o.merger, o.dispersed} }
	merger := func(o *demoObjectives) []*ent.Objective { return []*ent.Objective{o.merger} }
	eng := func(o *demoObjectives) []*ent.Objective { return []*ent.Objective{o.dispersed} }
	party := func(o *demoObjectives) []*ent.Objective { return []*ent.Objective{o.celebration, o.merger} }
	list := []demoMeeting{
		{"Merger kick-off offsite", meeting.FormatOffsite, meeting.VisibilityInviteOnly, -150, 8, "Château de Vaux, Maincy", "Europe/Paris", 42000, 40, merger},
		{"Engineering Q2 gathering", meeting.FormatTeamBuilding, meeting.VisibilityInviteOnly, -120, 6, "Factory Berlin", "Europe/Berlin", 9000, 18, eng},
		{"Cross-company lunch & learn", meeting.FormatWorkshop, meeting.VisibilityOpen, -90, 3, "Alder HQ, Lyon", "Europe/Paris", 1500, 25, all},
		{"Engineering Q3 gathering", meeting.FormatTeamBuilding, meeting.VisibilityInviteOnly, -60, 6, "Impact Hub Lisbon", "Europe/Lisbon", 9500, 18, eng},
		{"Leadership dinner", meeting.FormatVipEvent, meeting.VisibilityVip, -30, 4, "Le Meurice, Paris", "Europe/Paris", 6000, 8, merger},
		{"Autumn networking evening", meeting.FormatNetworkingEvent, meeting.VisibilityOpen, -10, 3, "Finch Studio, Amsterdam", "Europe/Amsterdam", 3000, 30, all},
		{"Engineering Q4 gathering", meeting.FormatTeamBuilding, meeting.VisibilityInviteOnly, 20, 6, "Factory Berlin", "Europe/Berlin", 9800, 18, eng},
		{"First anniversary celebration", meeting.FormatCelebration, meeting.VisibilityOpen, 45, 5, "Les Docks, Lyon", "Europe/Paris", 25000, 55, party},
		{"Annual meeting: year two", meeting.FormatAnnualMeeting, meeting.VisibilityInviteOnly, 90, 7, "Palais des Congrès, Paris", "Europe/Paris", 60000, 50, all},
	}
	for i, dm := range list {
		if err := l.meeting(ctx, i, dm, dm.objectives(o)); err != nil {
			return fmt.Errorf("meeting %q: %w", dm.title, err)
		}
	}
	return nil
}

func (l *loader) meeting(ctx context.Context, n int, dm demoMeeting, objectives []*ent.Objective) error {
	loc, err := time.LoadLocation(dm.tz)
	if err != nil {
		return err
	}
	day := l.now.AddDate(0, 0, dm.days).In(loc)
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, loc)
	if dm.hours >= 6 {
		start = start.Add(-5 * time.Hour)
	}
	end := start.Add(time.Duration(dm.hours) * time.Hour)
	past := end.Before(l.now)
	status := meeting.StatusScheduled
	if past {
		status = meeting.StatusDone
	}
	capacity := dm.guests + 5
	m, err := l.c.Meeting.Create().SetOrganization(l.org).SetTitle(dm.title).
		SetDescription(fmt.Sprintf("%s at %s.", dm.title, dm.venue)).
		SetFormat(dm.format).SetVisibility(dm.visibility).SetStatus(status).
		SetVenueName(dm.venue).SetStartsAt(start).SetEndsAt(end).SetTimeZone(dm.tz).
		SetCapacity(capacity).SetBudgetAmount(money.Units(dm.budget)).SetBudgetCurrency("EUR").
		AddObjectives(objectives...).Save(ctx)
	if err != nil {
		return err
	}
	if err := l.agenda(ctx, m); err != nil {
		return err
	}
	guests := l.pick(dm.guests, n)
	ids := make([]int, len(guests))
	for i, p := range guests {
		ids[i] = p.ID
	}
	host := guests[0]
	inv, err := planning.Invite(ctx, l.c, planning.Invitation{MeetingID: m.ID, PersonIDs: ids[1:], Role: participation.RoleGuest, InvitedByID: &host.ID})
	if err != nil {
		return err
	}
	if _, err := planning.Invite(ctx, l.c, planning.Invitation{MeetingID: m.ID, PersonIDs: ids[:1], Role: participation.RoleHost}); err != nil {
		return err
	}
	parts := inv.Invited
	var attendees []int
	for i, p := range parts {
		switch r := l.rng.IntN(10); {
		case !past && r < 3:
			continue // not answered yet
		case r == 0:
			_, err = planning.Respond(ctx, l.c, p.ID, participation.StatusDeclined)
		default:
			if _, err = planning.Respond(ctx, l.c, p.ID, participation.StatusAccepted); err == nil && past && i%7 != 6 {
				_, err = planning.CheckIn(ctx, l.c, planning.Arrival{ParticipationID: &p.ID, At: start.Add(time.Duration(l.rng.IntN(30)) * time.Minute)}, l.now)
				attendees = append(attendees, p.PersonID)
			}
		}
		if err != nil {
			return err
		}
	}
	if !past {
		return nil
	}
	return l.aftermath(ctx, m, host, attendees)
}

// RehearsalTitle is the title of the demo's full meeting: 10 places, 50
// people invited who have not answered yet, for the README's walk-through.
const RehearsalTitle = "Launch rehearsal"

// rehearsal creates a future INVITE_ONLY meeting of capacity 10 with 50
// people invited (INVITED, no answers), so that accepting from many clients at
// once fills it and builds a waiting list of 40.
func (l *loader) rehearsal(ctx context.Context, o *demoObjectives) error {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	day := l.now.AddDate(0, 0, 14).In(loc)
	start := time.Date(day.Year(), day.Month(), day.Day(), 14, 0, 0, 0, loc)
	m, err := l.c.Meeting.Create().SetOrganization(l.org).SetTitle(RehearsalTitle).
		SetDescription("Dry run of the year-two launch, at Alder HQ, Lyon: 10 places, first come first served.").
		SetFormat(meeting.FormatWorkshop).SetVisibility(meeting.VisibilityInviteOnly).SetStatus(meeting.StatusScheduled).
		SetVenueName("Alder HQ, Lyon").SetStartsAt(start).SetEndsAt(start.Add(3*time.Hour)).SetTimeZone("Europe/Paris").
		SetCapacity(10).SetBudgetAmount(money.Units(500)).SetBudgetCurrency("EUR").
		AddObjectives(o.celebration, o.merger).Save(ctx)
	if err != nil {
		return err
	}
	if err := l.agenda(ctx, m); err != nil {
		return err
	}
	guests := l.pick(50, 100)
	ids := make([]int, len(guests))
	for i, p := range guests {
		ids[i] = p.ID
	}
	_, err = planning.Invite(ctx, l.c, planning.Invitation{MeetingID: m.ID, PersonIDs: ids, Role: participation.RoleGuest})
	return err
}

func (l *loader) agenda(ctx context.Context, m *ent.Meeting) error {
	slots := []struct {
		title string
		kind  string
		mins  int
	}{{"Welcome and goals", "TALK", 30}, {"Mixed-table round", "NETWORKING_ROUND", 45}, {"Break", "BREAK", 15}, {"Workshops", "WORKSHOP", 60}}
	at := m.StartsAt
	for _, s := range slots {
		if at.Add(time.Duration(s.mins) * time.Minute).After(m.EndsAt) {
			break
		}
		if err := l.c.AgendaItem.Create().SetMeeting(m).SetTitle(s.title).SetKind(agendaitem.Kind(s.kind)).
			SetStartsAt(at).SetDurationMinutes(s.mins).Exec(ctx); err != nil {
			return err
		}
		at = at.Add(time.Duration(s.mins) * time.Minute)
	}
	return nil
}

// aftermath records what happened at a past meeting: encounters between
// attendees, feedback, follow-ups and touchpoints.
func (l *loader) aftermath(ctx context.Context, m *ent.Meeting, host *ent.Person, attendees []int) error {
	hows := []encounter.How{encounter.HowSameTable, encounter.HowIntroduction, encounter.HowOneToOne, encounter.HowBreakout, encounter.HowBadgeScan}
	for i := 0; i < len(attendees)*3/2; i++ {
		a, b := attendees[l.rng.IntN(len(attendees))], attendees[l.rng.IntN(len(attendees))]
		if a == b {
			continue
		}
		if _, err := network.RecordEncounter(ctx, l.c, network.Meet{MeetingID: m.ID, PersonA: a, PersonB: b,
			Now: l.now, How: hows[l.rng.IntN(len(hows))], OccurredAt: m.StartsAt.Add(time.Duration(30+l.rng.IntN(90)) * time.Minute)}); err != nil {
			return err
		}
	}
	for i, id := range attendees {
		if i%3 == 2 {
			continue
		}
		fb := l.c.Feedback.Create().SetMeetingID(m.ID).SetPersonID(id).SetRating(3 + l.rng.IntN(3))
		if i%4 == 0 {
			fb.SetComment("Met people from the other company I would never have met otherwise.")
		}
		if err := fb.Exec(ctx); err != nil {
			return err
		}
	}
	status := []followup.Status{followup.StatusDone, followup.StatusDone, followup.StatusOpen}
	for i, title := range []string{"Send the photos and slides", "Set up the cross-company mentoring pairs", "Share the survey results"} {
		due := m.EndsAt.AddDate(0, 0, 7*(i+1))
		if err := l.c.FollowUp.Create().SetMeetingID(m.ID).SetOwner(host).SetTitle(title).
			SetDueDate(due).SetStatus(status[i]).AddConcernIDs(attendees[:min(3, len(attendees))]...).Exec(ctx); err != nil {
			return err
		}
	}
	for _, id := range attendees[:min(5, len(attendees))] {
		if err := l.c.Touchpoint.Create().SetPersonID(id).SetMeetingID(m.ID).SetChannel(touchpoint.ChannelEmail).
			SetPhase(touchpoint.PhaseAfter).SetOccurredAt(m.EndsAt.Add(24 * time.Hour)).
			SetNote("Thank-you email with the follow-up actions.").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// pick returns n people, different for each meeting but the same on every load.
func (l *loader) pick(n, seed int) []*ent.Person {
	r := rand.New(rand.NewPCG(uint64(seed), 7))
	idx := r.Perm(len(l.people))[:n]
	out := make([]*ent.Person, n)
	for i, j := range idx {
		out[i] = l.people[j]
	}
	return out
}

// lower is the ASCII, lower-case form of a name, for demo email addresses.
func lower(s string) string {
	return strings.ToLower(asciiFold.Replace(s))
}

var asciiFold = strings.NewReplacer("é", "e", "è", "e", " & ", "", " ", "")
