package network

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/validation"
)

// Meet describes an encounter to record.
type Meet struct {
	MeetingID  int
	PersonA    int
	PersonB    int
	How        encounter.How
	OccurredAt time.Time // zero: now, kept within the meeting's start and end
	// Now is the current time (the wall clock when zero): an encounter
	// cannot have happened after it.
	Now time.Time
}

// Recorded is the result of RecordEncounter.
type Recorded struct {
	Encounter    *ent.Encounter
	Relationship *ent.Relationship
	Created      bool
}

// RecordEncounter records that two people checked in at a meeting met there,
// between an hour before its start and twelve hours after its end (the
// Encounter hook enforces both on every path). The hook creates or
// strengthens their Relationship in the same transaction. A pair already
// recorded at the meeting is returned unchanged.
func RecordEncounter(ctx context.Context, c *ent.Client, in Meet) (*Recorded, error) {
	if in.PersonA == in.PersonB {
		return nil, validation.Invalid("person_b_id", "an encounter needs two different people")
	}
	if err := encounter.HowValidator(in.How); err != nil {
		return nil, validation.Invalid("how", "%q is not a way of meeting", in.How)
	}
	m, err := planning.OpenMeeting(ctx, c, in.MeetingID, "meeting_id", "record encounters")
	if err != nil {
		return nil, err
	}
	a, b := min(in.PersonA, in.PersonB), max(in.PersonA, in.PersonB)
	for _, p := range []struct {
		id    int
		field string
	}{{in.PersonA, "person_a_id"}, {in.PersonB, "person_b_id"}} {
		ok, err := c.Participation.Query().
			Where(participation.MeetingID(m.ID), participation.PersonID(p.id), participation.CheckedInAtNotNil()).
			Exist(ctx)
		if err != nil {
			return nil, fmt.Errorf("checking participation: %w", err)
		}
		if !ok {
			return nil, &validation.Error{Field: p.field, Code: validation.CodeConflict,
				Message: fmt.Sprintf("person %d has not checked in at meeting %d", p.id, m.ID)}
		}
	}
	existing, err := c.Encounter.Query().
		Where(encounter.MeetingID(m.ID), encounter.PersonAID(a), encounter.PersonBID(b)).
		Only(ctx)
	switch {
	case err == nil:
		rel, err := pair(ctx, c, a, b)
		if err != nil {
			return nil, err
		}
		return &Recorded{Encounter: existing, Relationship: rel}, nil
	case !ent.IsNotFound(err):
		return nil, fmt.Errorf("loading encounter: %w", err)
	}
	at := in.OccurredAt
	if at.IsZero() {
		at = in.Now
		if at.IsZero() {
			at = time.Now()
		}
		if at.Before(m.StartsAt) {
			at = m.StartsAt
		}
		if at.After(m.EndsAt) {
			at = m.EndsAt
		}
	}
	e, err := c.Encounter.Create().
		SetMeetingID(m.ID).
		SetPersonAID(a).
		SetPersonBID(b).
		SetHow(in.How).
		SetOccurredAt(at).
		Save(ctx)
	if err != nil {
		return nil, err
	}
	rel, err := strengthen(ctx, c, m.OrganizationID, a, b, e.OccurredAt)
	if err != nil {
		return nil, err
	}
	return &Recorded{Encounter: e, Relationship: rel, Created: true}, nil
}

// strengthen counts an encounter of a and b (a < b) at `at` in their
// relationship, in the caller's transaction. The relationship is created if
// missing (an insert that does nothing on conflict), then its row is locked
// before it is read and updated, so that concurrent encounters of one pair
// on PostgreSQL all count (SQLite's write transactions already run one at a
// time).
func strengthen(ctx context.Context, c *ent.Client, org, a, b int, at time.Time) (*ent.Relationship, error) {
	err := c.Relationship.Create().
		SetOrganizationID(org).
		SetPersonAID(a).
		SetPersonBID(b).
		SetFirstMetAt(at).
		SetLastMetAt(at).
		SetEncounterCount(0).
		SetStrength(0).
		OnConflictColumns(relationship.FieldPersonAID, relationship.FieldPersonBID).
		DoNothing().
		Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("creating relationship %d-%d: %w", a, b, err)
	}
	rel, err := c.Relationship.Query().
		Where(relationship.PersonAID(a), relationship.PersonBID(b), planning.ForUpdate).
		Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("locking relationship %d-%d: %w", a, b, err)
	}
	strength, lastMet := rel.Strength, rel.LastMetAt
	if rel.EncounterCount == 0 {
		strength, lastMet = 0, time.Time{}
	}
	strength = Strengthen(strength, lastMet, at)
	first, last := rel.FirstMetAt, rel.LastMetAt
	if rel.EncounterCount == 0 || at.Before(first) {
		first = at
	}
	if rel.EncounterCount == 0 || at.After(last) {
		last = at
	}
	rel, err = c.Relationship.UpdateOne(rel).
		AddEncounterCount(1).
		SetStrength(strength).
		SetFirstMetAt(first).
		SetLastMetAt(last).
		SetDecayKey(DecayKey(strength, last)).
		Save(ctx)
	if err == nil {
		// The organization's cached graph is stale once this commits (also
		// without TrackChanges on the client).
		changed(ctx, nil, org)
	}
	return rel, err
}

func pair(ctx context.Context, c *ent.Client, a, b int) (*ent.Relationship, error) {
	rel, err := c.Relationship.Query().
		Where(relationship.PersonAID(a), relationship.PersonBID(b), planning.ForUpdate).
		Only(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading relationship %d-%d: %w", a, b, err)
	}
	return rel, nil
}
