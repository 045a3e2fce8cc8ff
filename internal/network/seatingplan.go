package network

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/relationship"
	"github.com/rencontre/rencontre/internal/network/seating"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/validation"
)

// SeatingRequest asks for a seating plan of a meeting's accepted people.
type SeatingRequest struct {
	MeetingID               int
	TableSize               int
	Rounds                  int
	MaxPerCommunityPerTable int
	KeepApart               [][]int
	KeepTogether            [][]int
	Seed                    uint64
}

// SeatingPlan makes the seating plan of a meeting: its ACCEPTED people at
// tables for each round, as many pairs who never met (no relationship) and
// never sat together as possible (internal/network/seating). It writes
// nothing; deterministic for a seed.
func SeatingPlan(ctx context.Context, c *ent.Client, r SeatingRequest) (*seating.Plan, error) {
	m, err := planning.Meeting(ctx, c, r.MeetingID, "meeting_id")
	if err != nil {
		return nil, err
	}
	people, err := c.Person.Query().
		Where(person.HasParticipationsWith(participation.MeetingID(m.ID), participation.StatusEQ(participation.StatusAccepted))).
		WithCommunities().Order(person.ByID()).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the accepted people: %w", err)
	}
	if len(people) < 2 {
		return nil, &validation.Error{Field: "meeting_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d has %d accepted people: a seating plan needs at least 2", m.ID, len(people))}
	}
	in := seating.Input{TableSize: r.TableSize, Rounds: r.Rounds, MaxPerCommunityPerTable: r.MaxPerCommunityPerTable,
		KeepApart: r.KeepApart, KeepTogether: r.KeepTogether, Seed: r.Seed, Known: map[[2]int]bool{}}
	ids := make([]int, 0, len(people))
	for _, p := range people {
		sp := seating.Person{ID: p.ID}
		for _, cm := range p.Edges.Communities {
			sp.Communities = append(sp.Communities, cm.ID)
		}
		in.People = append(in.People, sp)
		ids = append(ids, p.ID)
	}
	rels, err := c.Relationship.Query().Where(relationship.PersonAIDIn(ids...), relationship.PersonBIDIn(ids...)).
		Select(relationship.FieldPersonAID, relationship.FieldPersonBID).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading relationships: %w", err)
	}
	for _, rel := range rels {
		in.Known[[2]int{rel.PersonAID, rel.PersonBID}] = true
	}
	plan, err := seating.Make(in)
	var se *seating.Error
	if errors.As(err, &se) {
		field := se.Field
		if field == "people" {
			field = "keep_apart"
		}
		return nil, validation.Invalid(field, "%s", se.Message)
	}
	return plan, err
}

// SaveSeatingPlan makes the plan of r (deterministic for its seed) and
// records it on the meeting.
func SaveSeatingPlan(ctx context.Context, c *ent.Client, r SeatingRequest) (*ent.Meeting, *seating.Plan, error) {
	plan, err := SeatingPlan(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	m, err := c.Meeting.UpdateOneID(r.MeetingID).SetSeatingPlan(&seating.Saved{
		Rounds: plan.Rounds, NewPairs: plan.NewPairs, SeatedPairs: plan.SeatedPairs, UpperBound: plan.UpperBound,
		RandomBaseline: plan.RandomBaseline, Violations: plan.Violations,
	}).Save(ctx)
	return m, plan, err
}

// Confirmed is what ConfirmSeatingRound did.
type Confirmed struct {
	Encounters []*ent.Encounter
	// Skipped counts the pairs seated together of whom one had not checked
	// in, or who were already recorded at the meeting.
	Skipped int
}

// ConfirmSeatingRound turns the people seated together in a round (1, 2,
// …) of the recorded plan who both checked in into SAME_TABLE encounters
// (strengthening their relationships), at the time given (now when zero).
// Confirming a round twice records nothing new.
func ConfirmSeatingRound(ctx context.Context, c *ent.Client, meetingID, round int, at, now time.Time) (*Confirmed, error) {
	m, err := planning.OpenMeeting(ctx, c, meetingID, "meeting_id", "confirm a seating round")
	if err != nil {
		return nil, err
	}
	if m.SeatingPlan == nil || len(m.SeatingPlan.Rounds) == 0 {
		return nil, &validation.Error{Field: "meeting_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d has no recorded seating plan: save one with meetingSeatingPlanSave", m.ID)}
	}
	if round < 1 || round > len(m.SeatingPlan.Rounds) {
		return nil, validation.Invalid("round", "must be between 1 and %d", len(m.SeatingPlan.Rounds))
	}
	checked, err := c.Participation.Query().Where(participation.MeetingID(m.ID), participation.CheckedInAtNotNil()).
		Select(participation.FieldPersonID).Ints(ctx)
	if err != nil {
		return nil, err
	}
	out := &Confirmed{Encounters: []*ent.Encounter{}}
	for _, table := range m.SeatingPlan.Rounds[round-1] {
		for i, a := range table {
			for _, b := range table[i+1:] {
				if !slices.Contains(checked, a) || !slices.Contains(checked, b) {
					out.Skipped++
					continue
				}
				rec, err := RecordEncounter(ctx, c, Meet{MeetingID: m.ID, PersonA: a, PersonB: b,
					How: encounter.HowSameTable, OccurredAt: at, Now: now})
				if err != nil {
					return nil, err
				}
				if rec.Created {
					out.Encounters = append(out.Encounters, rec.Encounter)
				} else {
					out.Skipped++
				}
			}
		}
	}
	saved := *m.SeatingPlan
	if !slices.Contains(saved.Confirmed, round) {
		saved.Confirmed = append(saved.Confirmed, round)
		slices.Sort(saved.Confirmed)
		if err := c.Meeting.UpdateOneID(m.ID).SetSeatingPlan(&saved).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return out, nil
}
