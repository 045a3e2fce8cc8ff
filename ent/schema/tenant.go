package schema

import (
	"context"
	"fmt"

	"entgo.io/ent"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/validation"
)

// clientMutation is what every generated mutation offers: its (transaction-bound)
// client and generic field access.
type clientMutation interface {
	ent.Mutation
	Client() *gen.Client
	SetOrganizationID(int)
	OrganizationID() (int, bool)
}

// inheritOrganization returns a create hook that sets a child record's
// organization to its parent's (parent is the edge name: objective, meeting or
// person), so that a child can never belong to another tenant than its parent.
func inheritOrganization(parent string) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			cm, ok := m.(clientMutation)
			if !ok || !m.Op().Is(ent.OpCreate) {
				return next.Mutate(ctx, m)
			}
			v, ok := m.Field(parent + "_id")
			if !ok {
				return next.Mutate(ctx, m) // the required-edge check names the field
			}
			org, err := organizationOf(ctx, cm.Client(), parent, v.(int))
			if err != nil {
				return nil, err
			}
			if set, ok := cm.OrganizationID(); ok && set != org {
				return nil, validation.Invalid(parent+"ID", "%s %d belongs to another organization", parent, v)
			}
			cm.SetOrganizationID(org)
			return next.Mutate(ctx, m)
		})
	}
}

// organizationOf returns the organization of a parent record.
func organizationOf(ctx context.Context, c *gen.Client, parent string, id int) (int, error) {
	var (
		org int
		err error
	)
	switch parent {
	case "objective":
		org, err = c.Objective.Query().Where(objective.ID(id)).Select(objective.FieldOrganizationID).Int(ctx)
	case "meeting":
		org, err = c.Meeting.Query().Where(meeting.ID(id)).Select(meeting.FieldOrganizationID).Int(ctx)
	case "person":
		org, err = c.Person.Query().Where(person.ID(id)).Select(person.FieldOrganizationID).Int(ctx)
	default:
		return 0, fmt.Errorf("inheritOrganization: unknown parent %q", parent)
	}
	if gen.IsNotFound(err) {
		return 0, validation.NotFound(parent+"ID", "%s %d does not exist", parent, id)
	}
	if err != nil {
		return 0, fmt.Errorf("loading %s %d: %w", parent, id, err)
	}
	return org, nil
}
