package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"entgo.io/ent"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/account"
	"github.com/rencontre/rencontre/ent/internal"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/ent/privacy"
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
				return nil, validation.Invalid(parent+"_id", "%s %d belongs to another organization", parent, v)
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
		return 0, validation.NotFound(parent+"_id", "no %s with ID %d", parent, id)
	}
	if err != nil {
		return 0, fmt.Errorf("loading %s %d: %w", parent, id, err)
	}
	return org, nil
}

// tables maps the type index of a global ID (id >> 32) to its table, from the
// ID ranges that ent assigns per type (sql/globalid).
var tables = func() map[int]string {
	var starts map[string]int
	if err := json.Unmarshal([]byte(internal.IncrementStarts), &starts); err != nil {
		panic(fmt.Sprintf("schema: reading global ID ranges: %v", err))
	}
	t := make(map[int]string, len(starts))
	for table, start := range starts {
		t[start>>32] = table
	}
	return t
}()

// tableOf returns the table of a global ID.
func tableOf(id int) (string, bool) {
	t, ok := tables[id>>32]
	return t, ok
}

// sameOrganization returns a hook that refuses adding or removing an edge
// between a record and a record of another organization (a meeting serving another tenant's
// objective, a community with another tenant's member), and names the input
// field. It runs for every mutation of every tenant-owned entity, whatever the
// path to the data.
func sameOrganization() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			type change struct {
				edge  string
				ids   []ent.Value
				field string
			}
			var changes []change
			for _, e := range m.AddedEdges() {
				if e != "organization" {
					changes = append(changes, change{e, m.AddedIDs(e), inputField(m.Op(), e)})
				}
			}
			// Removing another organization's record is refused too, rather
			// than ignored: to the caller, that record does not exist.
			for _, e := range m.RemovedEdges() {
				changes = append(changes, change{e, m.RemovedIDs(e), "remove_" + strings.TrimPrefix(inputField(m.Op(), e), "add_")})
			}
			cm, ok := m.(clientMutation)
			if len(changes) == 0 || !ok {
				return next.Mutate(ctx, m)
			}
			org, err := mutationOrganization(ctx, cm)
			if err != nil {
				return nil, err
			}
			for _, c := range changes {
				ids := make([]int, 0, len(c.ids))
				for _, v := range c.ids {
					ids = append(ids, v.(int))
				}
				if err := checkOrganization(ctx, cm.Client(), org, ids, c.field); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// mutationOrganization is the organization of the records a mutation writes:
// the one being set on create, the stored one on update.
func mutationOrganization(ctx context.Context, m clientMutation) (int, error) {
	if org, ok := m.OrganizationID(); ok {
		return org, nil
	}
	withIDs, ok := m.(interface {
		IDs(context.Context) ([]int, error)
	})
	if !ok {
		return 0, fmt.Errorf("sameOrganization: %s mutation has no IDs", m.Type())
	}
	ids, err := withIDs.IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("loading %s IDs: %w", m.Type(), err)
	}
	orgs, err := organizations(ctx, m.Client(), ids)
	if err != nil {
		return 0, err
	}
	org := 0
	for _, o := range orgs {
		if org != 0 && o != org {
			return 0, validation.Invalid("id", "cannot link records of several organizations at once")
		}
		org = o
	}
	return org, nil
}

// checkOrganization fails with NOT_FOUND on field when an ID does not exist or
// belongs to another organization: to the caller, another tenant's records do
// not exist.
func checkOrganization(ctx context.Context, c *gen.Client, org int, ids []int, field string) error {
	orgs, err := organizationsFor(ctx, c, org, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if o, ok := orgs[id]; !ok || o != org {
			return validation.NotFound(field, "no record with ID %d in this organization", id)
		}
	}
	return nil
}

// organizations returns the organization of each existing record among ids,
// with one query per table. Organizations are their own organization.
func organizations(ctx context.Context, c *gen.Client, ids []int) (map[int]int, error) {
	return organizationsFor(ctx, c, 0, ids)
}

// organizationsFor is organizations, where accounts count as belonging to
// org (they are not owned by a tenant).
func organizationsFor(ctx context.Context, c *gen.Client, org int, ids []int) (map[int]int, error) {
	byTable := map[string][]string{}
	out := make(map[int]int, len(ids))
	for _, id := range ids {
		table, ok := tableOf(id)
		switch {
		case !ok:
			continue // unknown range: reported as not found
		case table == organization.Table:
			out[id] = id
		case table == account.Table:
			out[id] = org // accounts are shared: they join organizations through memberships
		default:
			byTable[table] = append(byTable[table], strconv.Itoa(id))
		}
	}
	for table, list := range byTable {
		// IDs are integers formatted above and table names come from ent's
		// generated ranges, so the statement is built safely.
		rows, err := c.QueryContext(ctx, "SELECT id, organization_id FROM "+table+" WHERE id IN ("+strings.Join(list, ",")+")")
		if err != nil {
			return nil, fmt.Errorf("loading organizations of %s: %w", table, err)
		}
		for rows.Next() {
			var id, org int
			if err := rows.Scan(&id, &org); err != nil {
				rows.Close()
				return nil, fmt.Errorf("reading organizations of %s: %w", table, err)
			}
			out[id] = org
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// inputField is the field, in the model's snake_case naming, that sets an
// edge: member_ids for members (add_member_ids in updates, as ent names the
// mutation's AddMemberIDs), owner_id for owner.
func inputField(op ent.Op, edge string) string {
	var field string
	switch {
	case strings.HasSuffix(edge, "ies"):
		field = strings.TrimSuffix(edge, "ies") + "y_ids"
	case strings.HasSuffix(edge, "s"):
		field = strings.TrimSuffix(edge, "s") + "_ids"
	default:
		return edge + "_id"
	}
	if op.Is(ent.OpUpdate | ent.OpUpdateOne) {
		field = "add_" + field
	}
	return field
}

// normalizeEmail returns a hook that stores emails trimmed and lower-cased.
func normalizeEmail() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.Field("email"); ok {
				if err := m.SetField("email", validation.NormalizeEmail(v.(string))); err != nil {
					return nil, err
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// isSystem reports a context of a system path (policy.System).
func isSystem(ctx context.Context) bool {
	decision, ok := privacy.DecisionFromContext(ctx)
	return ok && decision == nil // ent reports an Allow decision as nil
}
