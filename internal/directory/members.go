// Package directory manages the people of an organization and their
// communities.
package directory

import (
	"context"
	"fmt"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/tenant"
	"github.com/rencontre/rencontre/internal/validation"
)

// AddMembers adds people of the community's organization to it; people already
// members are left as they are.
func AddMembers(ctx context.Context, c *ent.Client, communityID int, personIDs []int) (*ent.Community, error) {
	com, err := community(ctx, c, communityID)
	if err != nil {
		return nil, err
	}
	people, err := tenant.People(ctx, c, com.OrganizationID, personIDs, "person_ids")
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	existing, err := com.QueryMembers().Where(person.IDIn(ids...)).IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading members: %w", err)
	}
	isMember := make(map[int]bool, len(existing))
	for _, id := range existing {
		isMember[id] = true
	}
	var add []int
	for _, id := range ids {
		if !isMember[id] {
			add = append(add, id)
		}
	}
	if len(add) == 0 {
		return com, nil
	}
	return c.Community.UpdateOne(com).AddMemberIDs(add...).Save(ctx)
}

// RemoveMembers removes people from a community. People of the organization
// who are not members are ignored; an ID that is not a person of the
// organization is refused.
func RemoveMembers(ctx context.Context, c *ent.Client, communityID int, personIDs []int) (*ent.Community, error) {
	com, err := community(ctx, c, communityID)
	if err != nil {
		return nil, err
	}
	people, err := tenant.People(ctx, c, com.OrganizationID, personIDs, "person_ids")
	if err != nil {
		return nil, err
	}
	ids := make([]int, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	return c.Community.UpdateOne(com).RemoveMemberIDs(ids...).Save(ctx)
}

func community(ctx context.Context, c *ent.Client, id int) (*ent.Community, error) {
	com, err := c.Community.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, validation.NotFound("community_id", "no community with ID %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("loading community %d: %w", id, err)
	}
	return com, nil
}
