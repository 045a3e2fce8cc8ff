// Package tenant resolves references within one organization: a record named
// by ID in a request must exist and belong to the same organization as the
// record it is attached to.
package tenant

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/validation"
)

// MaxBatch is the most IDs one request may name in a list.
const MaxBatch = 1000

// People loads the people with the given IDs in organization org, sorted by ID
// and without duplicates. field is the model field ("person_ids") that the
// error names when an ID is unknown or belongs to another organization.
func People(ctx context.Context, c *ent.Client, org int, ids []int, field string) ([]*ent.Person, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) > MaxBatch {
		return nil, validation.Invalid(field, "may name at most %d people, got %d", MaxBatch, len(ids))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	people, err := c.Person.Query().
		Where(person.IDIn(ids...), person.OrganizationID(org)).
		Order(ent.Asc(person.FieldID)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading people: %w", err)
	}
	if len(people) != len(ids) {
		found := make(map[int]bool, len(people))
		for _, p := range people {
			found[p.ID] = true
		}
		var missing []string
		for _, id := range ids {
			if !found[id] {
				missing = append(missing, strconv.Itoa(id))
			}
		}
		return nil, validation.NotFound(field, "no person with ID %s in this organization", strings.Join(missing, ", "))
	}
	return people, nil
}

// Person loads one person of organization org.
func Person(ctx context.Context, c *ent.Client, org, id int, field string) (*ent.Person, error) {
	people, err := People(ctx, c, org, []int{id}, field)
	if err != nil {
		return nil, err
	}
	return people[0], nil
}
