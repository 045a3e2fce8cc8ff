package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/schema"
	"github.com/rencontre/rencontre/internal/money"
	"github.com/rencontre/rencontre/internal/network"
)

// Builder makes the records of one organization in a test, one line each,
// through the model (hooks and validation apply; privacy does not). Every
// step fails the test on error.
type Builder struct {
	t   testing.TB
	C   *ent.Client
	Org *ent.Organization
	// Now is the clock of the model's rules (schema.WithNow): a check-in, an
	// encounter or a feedback cannot be after it.
	Now time.Time
	n   int
}

// NewBuilder creates the organization slug and returns its builder.
func NewBuilder(t testing.TB, c *ent.Client, slug string, now time.Time) *Builder {
	t.Helper()
	org, err := c.Organization.Create().SetName(slug).SetSlug(slug).Save(System())
	if err != nil {
		t.Fatalf("testenv: creating organization %s: %v", slug, err)
	}
	return &Builder{t: t, C: c, Org: org, Now: now}
}

// BuilderFor is a builder for an organization made elsewhere; its people
// are numbered from 1000, away from the e-mail addresses of other fixtures.
func BuilderFor(t testing.TB, c *ent.Client, org *ent.Organization, now time.Time) *Builder {
	return &Builder{t: t, C: c, Org: org, Now: now, n: 1000}
}

func (b *Builder) ctx() context.Context { return schema.WithNow(System(), b.Now) }

func (b *Builder) check(err error, what string) {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("testenv: %s: %v", what, err)
	}
}

// Community creates a community.
func (b *Builder) Community(name string) *ent.Community {
	b.t.Helper()
	cm, err := b.C.Community.Create().SetOrganization(b.Org).SetName(name).SetKind("TEAM").Save(b.ctx())
	b.check(err, "creating community "+name)
	return cm
}

// Person creates a person in the communities.
func (b *Builder) Person(name string, communities ...*ent.Community) *ent.Person {
	b.t.Helper()
	b.n++
	p, err := b.C.Person.Create().SetOrganization(b.Org).SetName(name).
		SetEmail(fmt.Sprintf("p%d@%s.example", b.n, b.Org.Slug)).AddCommunities(communities...).Save(b.ctx())
	b.check(err, "creating person "+name)
	return p
}

// Meeting creates a meeting starting at start, lasting d, serving the
// objectives.
func (b *Builder) Meeting(title string, start time.Time, d time.Duration, objectives ...*ent.Objective) *ent.Meeting {
	b.t.Helper()
	m, err := b.C.Meeting.Create().SetOrganization(b.Org).SetTitle(title).SetStartsAt(start).SetEndsAt(start.Add(d)).
		SetTimeZone("Europe/Paris").AddObjectives(objectives...).Save(b.ctx())
	b.check(err, "creating meeting "+title)
	return m
}

// Budget sets a meeting's budget ("1500.10") in a currency.
func (b *Builder) Budget(m *ent.Meeting, amount, currency string) *ent.Meeting {
	b.t.Helper()
	a, err := money.Parse(amount)
	b.check(err, "parsing budget "+amount)
	m, err = b.C.Meeting.UpdateOne(m).SetBudgetAmount(a).SetBudgetCurrency(currency).Save(b.ctx())
	b.check(err, "setting the budget of "+m.Title)
	return m
}

// Invite invites people to a meeting (INVITED).
func (b *Builder) Invite(m *ent.Meeting, people ...*ent.Person) []*ent.Participation {
	b.t.Helper()
	var out []*ent.Participation
	for _, p := range people {
		pa, err := b.C.Participation.Create().SetMeetingID(m.ID).SetPersonID(p.ID).SetInvitedAt(m.StartsAt.Add(-7 * 24 * time.Hour)).Save(b.ctx())
		b.check(err, "inviting "+p.Name)
		out = append(out, pa)
	}
	return out
}

// Attend invites people who accepted and checked in at the meeting's start.
func (b *Builder) Attend(m *ent.Meeting, people ...*ent.Person) {
	b.t.Helper()
	for _, pa := range b.Invite(m, people...) {
		_, err := b.C.Participation.UpdateOne(pa).SetStatus(participation.StatusAccepted).
			SetAcceptedAt(m.StartsAt.Add(-time.Hour)).SetCheckedInAt(m.StartsAt).Save(b.ctx())
		b.check(err, "checking in")
	}
}

// CheckIn checks in, at the meeting's start, people already invited.
func (b *Builder) CheckIn(m *ent.Meeting, people ...*ent.Person) {
	b.t.Helper()
	for _, p := range people {
		n, err := b.C.Participation.Update().Where(participation.MeetingID(m.ID), participation.PersonID(p.ID)).
			SetStatus(participation.StatusAccepted).SetAcceptedAt(m.StartsAt.Add(-time.Hour)).SetCheckedInAt(m.StartsAt).Save(b.ctx())
		b.check(err, "checking in "+p.Name)
		if n != 1 {
			b.t.Fatalf("testenv: %s is not invited to %s", p.Name, m.Title)
		}
	}
}

// Accept marks people's invitations ACCEPTED without a check-in.
func (b *Builder) Accept(m *ent.Meeting, people ...*ent.Person) {
	b.t.Helper()
	for _, pa := range b.Invite(m, people...) {
		_, err := b.C.Participation.UpdateOne(pa).SetStatus(participation.StatusAccepted).SetAcceptedAt(m.StartsAt.Add(-time.Hour)).Save(b.ctx())
		b.check(err, "accepting")
	}
}

// Meet records that two people (checked in) met at the meeting, an hour
// after its start.
func (b *Builder) Meet(m *ent.Meeting, x, y *ent.Person) {
	b.t.Helper()
	_, err := network.RecordEncounter(b.ctx(), b.C, network.Meet{MeetingID: m.ID, PersonA: x.ID, PersonB: y.ID,
		How: encounter.HowIntroduction, OccurredAt: m.StartsAt.Add(time.Hour), Now: b.Now})
	b.check(err, "recording an encounter of "+x.Name+" and "+y.Name)
}

// Feedback records a person's rating of a meeting.
func (b *Builder) Feedback(m *ent.Meeting, p *ent.Person, rating int) {
	b.t.Helper()
	_, err := b.C.Feedback.Create().SetMeetingID(m.ID).SetPersonID(p.ID).SetRating(rating).Save(b.ctx())
	b.check(err, "recording the feedback of "+p.Name)
}

// FollowUp creates a follow-up of the meeting, owned by owner, due at due;
// doneAt, when not zero, marks it DONE then; cancelled marks it CANCELLED.
func (b *Builder) FollowUp(m *ent.Meeting, owner *ent.Person, due, doneAt time.Time, cancelled bool) *ent.FollowUp {
	b.t.Helper()
	f, err := b.C.FollowUp.Create().SetMeetingID(m.ID).SetOwnerID(owner.ID).SetTitle("Follow up").SetDueDate(due).Save(b.ctx())
	b.check(err, "creating a follow-up")
	switch {
	case cancelled:
		f, err = b.C.FollowUp.UpdateOne(f).SetStatus(followup.StatusCancelled).Save(b.ctx())
	case !doneAt.IsZero():
		f, err = b.C.FollowUp.UpdateOne(f).SetStatus(followup.StatusDone).Save(schema.WithNow(System(), doneAt))
	}
	b.check(err, "changing a follow-up")
	return f
}
