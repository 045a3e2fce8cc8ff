package importer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/person"
)

// BatchSize is the most rows of one INSERT or IN list.
const BatchSize = 1000

// Options of an import.
type Options struct {
	// CreateCommunities creates the communities the organization does not
	// have (as teams) instead of reporting the rows that name them.
	CreateCommunities bool
	// DryRun checks and counts everything and writes nothing: the import
	// is rolled back to a savepoint of the caller's transaction.
	DryRun bool
	// Progress, when set, is told how many of the rows are written, after
	// each batch.
	Progress func(done, total int)
}

// Result counts what an import did (or, dry, would do).
type Result struct {
	// Created people, new to the organization.
	Created int
	// Updated people: a field changed or a membership was added.
	Updated int
	// Unchanged people, already as the file says.
	Unchanged int
	// CommunitiesCreated are the communities created for the file.
	CommunitiesCreated int
}

// Import writes rows (from Parse) into organization org, with c bound to
// the caller's transaction: nothing is written when it returns an error, if
// the caller rolls back. Rows naming a community the organization does not
// have are reported as Errors (unless opts.CreateCommunities) before
// anything is written. The viewer of ctx must be allowed to write people of
// org: the privacy policies apply.
//
// Statements: one query per BatchSize emails to find existing people (and
// one for their memberships), one for the communities, then one INSERT per
// BatchSize new people, one upsert per BatchSize changed people, and one
// membership INSERT per community and BatchSize people.
func Import(ctx context.Context, c *ent.Client, org int, rows []Row, opts Options) (res Result, err error) {
	if opts.DryRun {
		if _, err := c.ExecContext(ctx, "SAVEPOINT people_import"); err != nil {
			return Result{}, fmt.Errorf("dry run: %w", err)
		}
		defer func() {
			if _, rerr := c.ExecContext(ctx, "ROLLBACK TO SAVEPOINT people_import"); rerr != nil && err == nil {
				err = fmt.Errorf("dry run: rolling back: %w", rerr)
			}
		}()
	}
	communities, created, err := resolveCommunities(ctx, c, org, communityRefs(rows), ColumnCommunities, opts.CreateCommunities)
	if err != nil {
		return Result{}, err
	}
	res.CommunitiesCreated = created
	existing, err := existingPeople(ctx, c, org, rows)
	if err != nil {
		return Result{}, err
	}

	var (
		fresh, changed []Row
		joins          = map[int][]int{} // community: people to add to it
	)
	for _, r := range rows {
		p, ok := existing[r.Email]
		if !ok {
			fresh = append(fresh, r)
			continue
		}
		added := 0
		for _, name := range r.Communities {
			cid := communities[strings.ToLower(name)]
			if !slices.ContainsFunc(p.Edges.Communities, func(c *ent.Community) bool { return c.ID == cid }) {
				joins[cid] = append(joins[cid], p.ID)
				added++
			}
		}
		switch {
		case differs(p, r):
			changed = append(changed, r)
			res.Updated++
		case added > 0:
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	total, done := len(fresh)+len(changed), 0
	progress := func(n int) {
		done += n
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	progress(0)

	for batch := range slices.Chunk(fresh, BatchSize) {
		builders := make([]*ent.PersonCreate, len(batch))
		for i, r := range batch {
			builders[i] = personCreate(c, org, r)
		}
		people, err := c.Person.CreateBulk(builders...).Save(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("creating people: %w", err)
		}
		for i, p := range people {
			for _, name := range batch[i].Communities {
				cid := communities[strings.ToLower(name)]
				joins[cid] = append(joins[cid], p.ID)
			}
		}
		res.Created += len(people)
		progress(len(batch))
	}
	for batch := range slices.Chunk(changed, BatchSize) {
		builders := make([]*ent.PersonCreate, len(batch))
		for i, r := range batch {
			builders[i] = personCreate(c, org, r)
		}
		// Every row of a file has the same columns: the upsert sets those
		// (an empty cell clears its field) and leaves the others.
		first := batch[0]
		err := c.Person.CreateBulk(builders...).
			OnConflictColumns(person.FieldOrganizationID, person.FieldEmail).
			Update(func(u *ent.PersonUpsert) {
				u.UpdateName().UpdateUpdatedAt()
				if first.Phone != nil {
					u.UpdatePhone()
				}
				if first.Company != nil {
					u.UpdateCompany()
				}
				if first.JobTitle != nil {
					u.UpdateJobTitle()
				}
				if first.Tags != nil {
					u.UpdateTags()
				}
				if first.VIP != nil {
					u.UpdateVip()
				}
			}).
			Exec(ctx)
		if err != nil {
			return Result{}, fmt.Errorf("updating people: %w", err)
		}
		progress(len(batch))
	}
	for _, cid := range slices.Sorted(maps.Keys(joins)) {
		for batch := range slices.Chunk(joins[cid], BatchSize) {
			if err := c.Community.UpdateOneID(cid).AddMemberIDs(batch...).Exec(ctx); err != nil {
				return Result{}, fmt.Errorf("adding members to community %d: %w", cid, err)
			}
		}
	}
	return res, nil
}

// personCreate is the INSERT of one row; an empty cell sets nothing, so that
// the column is NULL (or false).
func personCreate(c *ent.Client, org int, r Row) *ent.PersonCreate {
	b := c.Person.Create().SetOrganizationID(org).SetName(r.Name).SetEmail(r.Email)
	if r.Phone != nil && *r.Phone != "" {
		b.SetPhone(*r.Phone)
	}
	if r.Company != nil && *r.Company != "" {
		b.SetCompany(*r.Company)
	}
	if r.JobTitle != nil && *r.JobTitle != "" {
		b.SetJobTitle(*r.JobTitle)
	}
	if len(r.Tags) > 0 {
		b.SetTags(r.Tags)
	}
	if r.VIP != nil {
		b.SetVip(*r.VIP)
	}
	return b
}

// differs reports whether the row changes a field of p.
func differs(p *ent.Person, r Row) bool {
	optional := func(stored *string, file *string) bool {
		if file == nil {
			return false
		}
		return *file != deref(stored)
	}
	return p.Name != r.Name ||
		optional(p.Phone, r.Phone) ||
		optional(p.Company, r.Company) ||
		optional(p.JobTitle, r.JobTitle) ||
		(r.Tags != nil && !slices.Equal(p.Tags, r.Tags) && (len(p.Tags) > 0 || len(r.Tags) > 0)) ||
		(r.VIP != nil && p.Vip != *r.VIP)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// existingPeople loads the people of org with the emails of rows, with the
// IDs of their communities, by email.
func existingPeople(ctx context.Context, c *ent.Client, org int, rows []Row) (map[string]*ent.Person, error) {
	out := make(map[string]*ent.Person, len(rows))
	for batch := range slices.Chunk(rows, BatchSize) {
		emails := make([]string, len(batch))
		for i, r := range batch {
			emails[i] = r.Email
		}
		people, err := c.Person.Query().
			Where(person.OrganizationID(org), person.EmailIn(emails...)).
			WithCommunities(func(q *ent.CommunityQuery) { q.Select(community.FieldID) }).
			All(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading people by email: %w", err)
		}
		for _, p := range people {
			out[p.Email] = p
		}
	}
	return out, nil
}

// AllErrors adds to the errors of Parse those that need the database (rows
// naming a community the organization does not have, unless create), so
// that an invalid file's every error is told at once, in row order. It
// writes nothing.
func AllErrors(ctx context.Context, c *ent.Client, org int, rows []Row, create bool, parsed Errors) (Errors, error) {
	if create {
		return parsed, nil
	}
	_, _, err := resolveCommunities(ctx, c, org, communityRefs(rows), ColumnCommunities, false)
	var more Errors
	if !errors.As(err, &more) {
		return parsed, err
	}
	return merged(parsed, more), nil
}

// merged is the errors of a file's parse and of its checks in the database,
// in row order (the notice of errors left out stays last).
func merged(parsed, more Errors) Errors {
	all := append(append(Errors{}, parsed...), more...)
	slices.SortStableFunc(all, func(a, b RowError) int {
		if a.Row == 0 || b.Row == 0 { // "n more errors…" stays last
			return b.Row - a.Row
		}
		return a.Row - b.Row
	})
	return all
}

// nameRef is a community named on a row.
type nameRef struct {
	row  int
	name string
}

func communityRefs(rows []Row) []nameRef {
	var refs []nameRef
	for _, r := range rows {
		for _, n := range r.Communities {
			refs = append(refs, nameRef{r.Row, n})
		}
	}
	return refs
}

// resolveCommunities maps the lower-cased names of the communities refs
// name to their IDs, matched regardless of case. The missing ones are created (as
// teams, named as the first row that names them) with create, or reported
// as errors of the rows that name them.
func resolveCommunities(ctx context.Context, c *ent.Client, org int, refs []nameRef, column string, create bool) (map[string]int, int, error) {
	var names []string // as first written, unique regardless of case
	seen := map[string]bool{}
	for _, r := range refs {
		if k := strings.ToLower(r.name); !seen[k] {
			seen[k] = true
			names = append(names, r.name)
		}
	}
	if len(names) == 0 {
		return nil, 0, nil
	}
	all, err := c.Community.Query().
		Where(community.OrganizationID(org)).
		Select(community.FieldID, community.FieldName).
		Order(ent.Asc(community.FieldID)).
		All(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("loading communities: %w", err)
	}
	ids := make(map[string]int, len(all))
	for _, cm := range all {
		if k := strings.ToLower(cm.Name); ids[k] == 0 {
			ids[k] = cm.ID
		}
	}
	var missing []string
	for _, n := range names {
		if ids[strings.ToLower(n)] == 0 {
			missing = append(missing, n)
		}
	}
	if len(missing) == 0 {
		return ids, 0, nil
	}
	if !create {
		var errs errorList
		for _, r := range refs {
			if ids[strings.ToLower(r.name)] == 0 {
				errs.add(r.row, column, "no community named %q in the organization: create it first, or import with the option to create missing communities", truncate(r.name, 40))
			}
		}
		return nil, 0, errs.result()
	}
	for batch := range slices.Chunk(missing, BatchSize) {
		builders := make([]*ent.CommunityCreate, len(batch))
		for i, n := range batch {
			builders[i] = c.Community.Create().SetOrganizationID(org).SetName(n).SetKind(community.KindTeam)
		}
		created, err := c.Community.CreateBulk(builders...).Save(ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("creating communities: %w", err)
		}
		for _, cm := range created {
			ids[strings.ToLower(cm.Name)] = cm.ID
		}
	}
	return ids, len(missing), nil
}
