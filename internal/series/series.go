// Package series holds the verbs of recurring meetings: creating a series,
// materializing its occurrences as meetings up to a horizon, editing one
// occurrence, the whole series or this and the following occurrences,
// cancelling it, and answering once for all occurrences. Each verb takes the
// (transaction-bound) ent client and the time it takes as now; the caller
// owns the transaction.
//
// Occurrences are computed by internal/recurrence in the series' time zone:
// 09:00 Europe/Paris stays 09:00 local time in winter and in summer.
package series

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/participation"
	entseries "github.com/rencontre/rencontre/ent/series"
	"github.com/rencontre/rencontre/ent/seriesanswer"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/recurrence"
	"github.com/rencontre/rencontre/internal/tenant"
	"github.com/rencontre/rencontre/internal/validation"
)

// MaxOccurrences is the most occurrences a series may have inside its
// horizon.
const MaxOccurrences = 1000

// DefaultHorizon is how far ahead occurrences exist as meetings: 12 months.
const DefaultHorizon = 12

// Settings are the server's series settings.
type Settings struct {
	// HorizonMonths is how many months ahead of now occurrences are
	// materialized; zero means DefaultHorizon.
	HorizonMonths int
}

// Horizon is the end of the materialized period for now: the end of the
// month HorizonMonths ahead (in UTC), so that "12 months" covers whole
// months: on 25 November 2026, through 30 November 2027.
func (s Settings) Horizon(now time.Time) time.Time {
	months := s.HorizonMonths
	if months <= 0 {
		months = DefaultHorizon
	}
	now = now.UTC()
	return time.Date(now.Year(), now.Month()+time.Month(months)+1, 1, 0, 0, 0, 0, time.UTC)
}

// horizonOf is the horizon of a series: counted from now, or from its first
// occurrence when that is later, so that a series planned ahead has its
// first months of occurrences (a year-long series starting next month is
// there whole).
func (s Settings) horizonOf(c *recurrence.Compiled, now time.Time) time.Time {
	first := recurrence.Resolve(c.Rule().Start, c.Location())
	if first.After(now) {
		return s.Horizon(first)
	}
	return s.Horizon(now)
}

// Template is what a series gives each of its occurrences, and its rule.
// Fields left nil keep their value (on update) or default (on create).
type Template struct {
	Title           *string
	Description     *string
	ClearDesc       bool
	Format          *entseries.Format
	VenueName       *string
	VenueAddress    *string
	Capacity        *int
	ClearCapacity   bool
	Visibility      *entseries.Visibility
	RRule           *string
	StartsAt        *string
	TimeZone        *string
	DurationMinutes *int
	ExDates         []string
	SetExDates      bool
	PersonIDs       []int
	CommunityIDs    []int
	ObjectiveIDs    []int
	SetInvitees     bool // PersonIDs and CommunityIDs replace the invitees
	SetObjectives   bool
}

// rule is the recurrence rule of s.
func rule(s *ent.Series) (recurrence.Rule, error) {
	start, err := recurrence.ParseLocal(s.StartsAt)
	if err != nil {
		return recurrence.Rule{}, validation.Invalid("starts_at", "%v", err)
	}
	r := recurrence.Rule{RRule: s.Rrule, Start: start, TimeZone: s.TimeZone, Duration: time.Duration(s.DurationMinutes) * time.Minute}
	for _, x := range s.Exdates {
		l, err := recurrence.ParseLocal(x)
		if err != nil {
			return recurrence.Rule{}, validation.Invalid("exdates", "%s: %v", x, err)
		}
		r.ExDates = append(r.ExDates, l)
	}
	return r, nil
}

// compile validates the rule of s and that it has at most MaxOccurrences
// occurrences up to the horizon.
func compile(s *ent.Series, now time.Time, set Settings) (*recurrence.Compiled, error) {
	r, err := rule(s)
	if err != nil {
		return nil, err
	}
	c, err := recurrence.Compile(r)
	if err != nil {
		return nil, err
	}
	until := set.horizonOf(c, now)
	if _, err := c.Between(now, until, MaxOccurrences); err != nil {
		if tm, ok := err.(*recurrence.TooManyError); ok {
			return nil, validation.Invalid("rrule", "gives more than %d occurrences within the horizon (until %s): repeat less often or end the series sooner",
				tm.Limit, until.Format(time.DateOnly))
		}
		return nil, err
	}
	return c, nil
}

// Create creates a series of organization org from t (title, rrule,
// startsAt, timeZone and durationMinutes are required) and its occurrences
// up to the horizon, inviting its invitees to each.
func Create(ctx context.Context, c *ent.Client, org int, t Template, now time.Time, set Settings) (*ent.Series, error) {
	for field, missing := range map[string]bool{
		"title": t.Title == nil, "rrule": t.RRule == nil, "starts_at": t.StartsAt == nil,
		"time_zone": t.TimeZone == nil, "duration_minutes": t.DurationMinutes == nil,
	} {
		if missing {
			return nil, &validation.Error{Field: field, Code: validation.CodeRequired, Message: "is required"}
		}
	}
	draft := &ent.Series{Rrule: *t.RRule, StartsAt: *t.StartsAt, TimeZone: *t.TimeZone, DurationMinutes: *t.DurationMinutes, Exdates: t.ExDates}
	if _, err := compile(draft, now, set); err != nil {
		return nil, err
	}
	if err := checkRefs(ctx, c, org, t); err != nil {
		return nil, err
	}
	cr := c.Series.Create().
		SetOrganizationID(org).
		SetTitle(*t.Title).
		SetNillableDescription(t.Description).
		SetNillableFormat(t.Format).
		SetNillableVenueName(t.VenueName).
		SetNillableVenueAddress(t.VenueAddress).
		SetNillableCapacity(t.Capacity).
		SetNillableVisibility(t.Visibility).
		SetRrule(*t.RRule).
		SetStartsAt(canonical(*t.StartsAt)).
		SetTimeZone(*t.TimeZone).
		SetDurationMinutes(*t.DurationMinutes).
		SetExdates(canonicalAll(t.ExDates)).
		AddInviteeIDs(t.PersonIDs...).
		AddInviteeCommunityIDs(t.CommunityIDs...).
		AddObjectiveIDs(t.ObjectiveIDs...)
	s, err := cr.Save(ctx)
	if err != nil {
		return nil, err
	}
	return s, Extend(ctx, c, s.ID, now, set)
}

// canonical writes a valid local time the one way ("2027-01-07T09:00:00").
func canonical(s string) string {
	if l, err := recurrence.ParseLocal(s); err == nil {
		return l.String()
	}
	return s
}

func canonicalAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, canonical(s))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checkRefs checks that the people, communities and objectives of t belong
// to the organization.
func checkRefs(ctx context.Context, c *ent.Client, org int, t Template) error {
	if _, err := tenant.People(ctx, c, org, t.PersonIDs, "person_ids"); err != nil {
		return err
	}
	if n, err := c.Community.Query().Where(community.IDIn(t.CommunityIDs...), community.OrganizationID(org)).Count(ctx); err != nil {
		return err
	} else if n != len(slices.Compact(slices.Sorted(slices.Values(t.CommunityIDs)))) {
		return validation.NotFound("community_ids", "names a community that does not exist in this organization")
	}
	if n, err := c.Objective.Query().Where(objective.IDIn(t.ObjectiveIDs...), objective.OrganizationID(org)).Count(ctx); err != nil {
		return err
	} else if n != len(slices.Compact(slices.Sorted(slices.Values(t.ObjectiveIDs)))) {
		return validation.NotFound("objective_ids", "names an objective that does not exist in this organization")
	}
	return nil
}

// Extend materializes the occurrences of series id that start before the
// horizon of now and do not exist yet (nor were removed by a rule change),
// from the later of now and where it stopped: creating the meetings,
// inviting the invitees and applying the series answers. It never
// duplicates an occurrence: each is unique by series and occurrenceStart.
func Extend(ctx context.Context, c *ent.Client, id int, now time.Time, set Settings) error {
	s, err := lockSeries(ctx, c, id)
	if err != nil {
		return err
	}
	if s.Status == entseries.StatusCancelled {
		return nil
	}
	comp, err := compile(s, now, set)
	if err != nil {
		return err
	}
	from := now
	if s.MaterializedUntil != nil && s.MaterializedUntil.After(from) {
		from = *s.MaterializedUntil
	}
	until := set.horizonOf(comp, now)
	if !until.After(from) {
		return nil
	}
	// An occurrence under way counts too: look back by its duration.
	occs, err := comp.Between(from.Add(-time.Duration(s.DurationMinutes)*time.Minute), until, MaxOccurrences)
	if err != nil {
		return err
	}
	if err := materialize(ctx, c, s, occs, now); err != nil {
		return err
	}
	return c.Series.UpdateOne(s).SetMaterializedUntil(until).Exec(ctx)
}

// ExtendAll moves the horizon of every active series forward (at start and
// then daily), and returns how many series it looked at.
func ExtendAll(ctx context.Context, c *ent.Client, now time.Time, set Settings) (int, error) {
	ids, err := c.Series.Query().Where(entseries.StatusEQ(entseries.StatusActive),
		entseries.Or(entseries.MaterializedUntilIsNil(), entseries.MaterializedUntilLT(set.Horizon(now)))).IDs(ctx)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := Extend(ctx, c, id, now, set); err != nil {
			return 0, fmt.Errorf("extending series %d: %w", id, err)
		}
	}
	return len(ids), nil
}

// materialize creates the meetings of occs that s has none for (by
// occurrenceStart, or, for an occurrence moved on its own, by its local
// date).
func materialize(ctx context.Context, c *ent.Client, s *ent.Series, occs []recurrence.Occurrence, now time.Time) error {
	if len(occs) == 0 {
		return nil
	}
	existing, err := c.Meeting.Query().Where(meeting.SeriesID(s.ID), meeting.OccurrenceStartNotNil()).
		Select(meeting.FieldOccurrenceStart).All(ctx)
	if err != nil {
		return err
	}
	loc, _ := time.LoadLocation(s.TimeZone)
	have := map[string]bool{}
	for _, m := range existing {
		have[day(*m.OccurrenceStart, loc)] = true
	}
	objectives, err := s.QueryObjectives().IDs(ctx)
	if err != nil {
		return err
	}
	var inv *invitees // loaded once, for the first new occurrence
	for _, o := range occs {
		if have[day(o.Start, loc)] || !o.End.After(now) {
			continue
		}
		m, err := c.Meeting.Create().
			SetOrganizationID(s.OrganizationID).
			SetTitle(s.Title).
			SetNillableDescription(s.Description).
			SetFormat(meeting.Format(s.Format)).
			SetNillableVenueName(s.VenueName).
			SetNillableVenueAddress(s.VenueAddress).
			SetNillableCapacity(s.Capacity).
			SetVisibility(meeting.Visibility(s.Visibility)).
			SetStatus(meeting.StatusScheduled).
			SetStartsAt(o.Start).
			SetEndsAt(o.End).
			SetTimeZone(s.TimeZone).
			SetSeriesID(s.ID).
			SetOccurrenceStart(o.Start).
			AddObjectiveIDs(objectives...).
			Save(ctx)
		if err != nil {
			return fmt.Errorf("creating the occurrence of %s: %w", o.Local, err)
		}
		have[day(o.Start, loc)] = true
		if inv == nil {
			if inv, err = inviteesOf(ctx, c, s); err != nil {
				return err
			}
		}
		if err := inv.inviteAndAnswer(ctx, c, m); err != nil {
			return err
		}
	}
	return nil
}

// day is the local date of t in loc: the identity of an occurrence for
// matching (a series has at most one occurrence a day).
func day(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.DateOnly)
}

// invitees are the people invited to every occurrence of a series (named,
// members of its communities, or answering for the whole series) and the
// answers given for it.
type invitees struct {
	people  []int
	answers []*ent.SeriesAnswer
}

// inviteesOf loads the invitees of s.
func inviteesOf(ctx context.Context, c *ent.Client, s *ent.Series) (*invitees, error) {
	people, err := s.QueryInvitees().IDs(ctx)
	if err != nil {
		return nil, err
	}
	members, err := s.QueryInviteeCommunities().QueryMembers().IDs(ctx)
	if err != nil {
		return nil, err
	}
	answers, err := c.SeriesAnswer.Query().Where(seriesanswer.SeriesID(s.ID)).All(ctx)
	if err != nil {
		return nil, err
	}
	people = append(people, members...)
	for _, a := range answers {
		people = append(people, a.PersonID)
	}
	return &invitees{people: slices.Compact(slices.Sorted(slices.Values(people))), answers: answers}, nil
}

// inviteAndAnswer invites the invitees to m and applies their series
// answers.
func (inv *invitees) inviteAndAnswer(ctx context.Context, c *ent.Client, m *ent.Meeting) error {
	if len(inv.people) == 0 {
		return nil
	}
	for chunk := range slices.Chunk(inv.people, tenant.MaxBatch) {
		if _, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: m.ID, PersonIDs: chunk}); err != nil {
			return fmt.Errorf("inviting to occurrence %d: %w", m.ID, err)
		}
	}
	for _, a := range inv.answers {
		p, err := c.Participation.Query().Where(participation.MeetingID(m.ID), participation.PersonID(a.PersonID)).Only(ctx)
		if err != nil {
			return fmt.Errorf("loading participation: %w", err)
		}
		if _, err := planning.Respond(ctx, c, p.ID, participation.Status(a.Answer)); err != nil {
			return fmt.Errorf("answering occurrence %d for person %d: %w", m.ID, a.PersonID, err)
		}
	}
	return nil
}

// lockSeries loads series id for update.
func lockSeries(ctx context.Context, c *ent.Client, id int) (*ent.Series, error) {
	s, err := c.Series.Query().Where(entseries.ID(id), planning.ForUpdate).Only(ctx)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("id", "no series with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading series %d: %w", id, err)
	}
	return s, nil
}
