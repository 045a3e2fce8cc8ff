// Package planning holds the domain verbs of a meeting's life: inviting people,
// answers, check-ins and cancellation. Each function takes the (transaction-bound)
// ent client and plain values; the caller owns the transaction.
package planning

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/internal/tenant"
	"github.com/rencontre/rencontre/internal/validation"
)

// Meeting loads a meeting; field is the model field ("meeting_id") that a
// NOT_FOUND error names.
func Meeting(ctx context.Context, c *ent.Client, id int, field string) (*ent.Meeting, error) {
	m, err := c.Meeting.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound(field, "no meeting with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading meeting %d: %w", id, err)
	}
	return m, nil
}

// OpenMeeting loads a meeting that may still change: a cancelled meeting is a
// CONFLICT on field, naming the action refused.
func OpenMeeting(ctx context.Context, c *ent.Client, id int, field, action string) (*ent.Meeting, error) {
	m, err := Meeting(ctx, c, id, field)
	if err != nil {
		return nil, err
	}
	if err := checkOpen(m, field, action); err != nil {
		return nil, err
	}
	return m, nil
}

// checkOpen rejects changes to a cancelled meeting.
func checkOpen(m *ent.Meeting, field, action string) error {
	if m.Status == meeting.StatusCancelled {
		return &validation.Error{Field: field, Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d is cancelled: cannot %s", m.ID, action)}
	}
	return nil
}

// Cancel cancels a meeting with an optional reason. Cancelling a meeting that
// is already done is refused; cancelling twice is refused too, so the first
// cancellation time and reason stay.
func Cancel(ctx context.Context, c *ent.Client, meetingID int, reason string) (*ent.Meeting, error) {
	m, err := Meeting(ctx, c, meetingID, "meeting_id")
	if err != nil {
		return nil, err
	}
	switch m.Status {
	case meeting.StatusCancelled:
		return nil, &validation.Error{Field: "meeting_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d is already cancelled", m.ID)}
	case meeting.StatusDone:
		return nil, &validation.Error{Field: "meeting_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d is done and cannot be cancelled", m.ID)}
	}
	return c.Meeting.UpdateOne(m).
		SetOverridden(m.Overridden || m.SeriesID != nil).
		SetStatus(meeting.StatusCancelled).
		SetCancelledAt(time.Now()).
		SetCancellationReason(strings.TrimSpace(reason)).
		Save(ctx)
}

// Invitation says whom to invite to a meeting: people by ID, the members of a
// community, or both; Filter narrows them down (a segment, the VIPs), and
// alone applies to the organization's people.
type Invitation struct {
	MeetingID   int
	PersonIDs   []int
	CommunityID *int
	Filter      []predicate.Person
	Role        participation.Role
	InvitedByID *int
}

// InviteResult is what Invite did.
type InviteResult struct {
	Meeting *ent.Meeting
	// Invited are the new participations and the cancelled ones invited
	// again.
	Invited        []*ent.Participation
	AlreadyInvited int
}

// Invite creates a participation for every person named who has none in the
// meeting yet, and invites again those whose participation was CANCELLED
// (back to INVITED, with the new role; they keep their first inviter and
// invitedAt). Other people already invited are counted and left as
// they are: their answer stands.
func Invite(ctx context.Context, c *ent.Client, in Invitation) (*InviteResult, error) {
	m, err := OpenMeeting(ctx, c, in.MeetingID, "meeting_id", "invite people")
	if err != nil {
		return nil, err
	}
	if len(in.PersonIDs) == 0 && in.CommunityID == nil && len(in.Filter) == 0 {
		return nil, &validation.Error{Field: "person_ids", Code: validation.CodeRequired,
			Message: "name the people to invite, a community to invite its members, or a segment"}
	}
	if in.Role == "" {
		in.Role = participation.RoleGuest
	}
	if err := participation.RoleValidator(in.Role); err != nil {
		return nil, validation.Invalid("role", "%q is not a participation role", in.Role)
	}
	ids := append([]int(nil), in.PersonIDs...)
	if in.CommunityID != nil {
		com, err := c.Community.Query().
			Where(community.ID(*in.CommunityID), community.OrganizationID(m.OrganizationID)).
			Only(ctx)
		if ent.IsNotFound(err) {
			return nil, validation.NotFound("community_id", "no community with ID %d in this organization", *in.CommunityID)
		}
		if err != nil {
			return nil, fmt.Errorf("loading community: %w", err)
		}
		members, err := com.QueryMembers().IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading community members: %w", err)
		}
		ids = append(ids, members...)
	}
	people, err := tenant.People(ctx, c, m.OrganizationID, ids, "person_ids")
	if err != nil {
		return nil, err
	}
	if len(in.Filter) > 0 {
		q := c.Person.Query().Where(person.OrganizationID(m.OrganizationID)).Where(in.Filter...)
		if len(in.PersonIDs) > 0 || in.CommunityID != nil {
			q.Where(person.IDIn(ids...))
		}
		if people, err = q.Order(person.ByID()).All(ctx); err != nil {
			return nil, fmt.Errorf("selecting the people to invite: %w", err)
		}
	}
	if in.InvitedByID != nil {
		if _, err := tenant.Person(ctx, c, m.OrganizationID, *in.InvitedByID, "invited_by_id"); err != nil {
			return nil, err
		}
	}
	ids = ids[:0]
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	existing, err := c.Participation.Query().
		Where(participation.MeetingID(m.ID), participation.PersonIDIn(ids...)).
		Order(participation.ByID()).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading participations: %w", err)
	}
	now := time.Now()
	res := &InviteResult{Meeting: m}
	invited := make(map[int]bool, len(existing))
	for _, p := range existing {
		invited[p.PersonID] = true
		if p.Status != participation.StatusCancelled {
			res.AlreadyInvited++
			continue
		}
		p, err := c.Participation.UpdateOne(p).
			SetStatus(participation.StatusInvited).
			SetRole(in.Role).
			ClearRespondedAt().
			Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("inviting participation %d again: %w", p.ID, err)
		}
		res.Invited = append(res.Invited, p)
	}
	var creates []*ent.ParticipationCreate
	for _, id := range ids {
		if invited[id] {
			continue
		}
		creates = append(creates, c.Participation.Create().
			SetMeetingID(m.ID).
			SetPersonID(id).
			SetRole(in.Role).
			SetInvitedAt(now).
			SetNillableInvitedByID(in.InvitedByID))
	}
	if len(creates) > 0 {
		created, err := c.Participation.CreateBulk(creates...).Save(ctx)
		if err != nil {
			return nil, fmt.Errorf("creating participations: %w", err)
		}
		res.Invited = append(res.Invited, created...)
	}
	slices.SortFunc(res.Invited, func(a, b *ent.Participation) int { return a.PersonID - b.PersonID })
	return res, nil
}
