package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/person"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
)

// Columns of a file of community members (ParseMembers): both required.
const (
	ColumnCommunity = "community"
	// ColumnEmail (email) names the person.
)

// MemberColumns are the columns of a file of community members.
var MemberColumns = []string{ColumnCommunity, ColumnEmail}

// MemberRow is one valid row of a file of community members: the person
// with Email joins the community named Community.
type MemberRow struct {
	// Row is the line of the file where the row starts; the header is 1.
	Row       int
	Community string
	Email     string // normalized: trimmed and lower-cased
}

// ParseMembers reads and checks a file of community members: a header naming
// community and email, then one membership per row, each pair at most once.
// Like ParseAll, it returns the valid rows of an invalid file too (for
// MembersErrors); nothing is to be imported from an invalid file.
func ParseMembers(r io.Reader) ([]MemberRow, Errors) {
	var (
		rows  []MemberRow
		pairs = map[[2]string]int{} // lower-cased community, email: first row
	)
	errs := readTable(r, MemberColumns, MemberColumns, nil, func(rec *record) {
		row := MemberRow{Row: rec.line}
		if name, ok := rec.cell(ColumnCommunity); ok {
			if name == "" {
				rec.fail(ColumnCommunity, "is required")
			} else if err := validation.Title(name); err != nil {
				rec.fail(ColumnCommunity, "%v", err)
			}
			row.Community = name
		}
		if email, ok := rec.cell(ColumnEmail); ok {
			row.Email = validation.NormalizeEmail(email)
			if row.Email == "" {
				rec.fail(ColumnEmail, "is required")
			} else if err := validation.Email(row.Email); err != nil {
				rec.fail(ColumnEmail, "%v", err)
			}
		}
		if rec.failed {
			return
		}
		key := [2]string{strings.ToLower(row.Community), row.Email}
		if first, dup := pairs[key]; dup {
			rec.fail(ColumnEmail, "%s is already a member of %q on row %d: each membership appears once", row.Email, truncate(row.Community, 40), first)
			return
		}
		pairs[key] = rec.line
		rows = append(rows, row)
	})
	return rows, errs
}

// MembersOptions are the options of ImportMembers.
type MembersOptions struct {
	// CreateCommunities creates the communities the organization does not
	// have (as teams) instead of reporting the rows that name them.
	CreateCommunities bool
	// DryRun checks and counts everything and writes nothing.
	DryRun bool
}

// MembersResult counts what ImportMembers did (or, dry, would do).
type MembersResult struct {
	// Added memberships.
	Added int
	// Unchanged rows: the person was already a member.
	Unchanged int
	// CommunitiesCreated are the communities created for the file.
	CommunitiesCreated int
}

// ImportMembers adds the people of rows (from ParseMembers) to their
// communities in organization org, with c bound to the caller's transaction.
// Rows naming an email that no person of org has, or a community org does
// not have (unless opts.CreateCommunities), are reported as Errors before
// anything is written. Memberships are only added.
//
// Statements: one query per BatchSize emails for the people, one per
// BatchSize people for their memberships, one for the communities, then one
// membership INSERT per community and BatchSize people.
func ImportMembers(ctx context.Context, c *ent.Client, org int, rows []MemberRow, opts MembersOptions) (res MembersResult, err error) {
	if err := policy.CheckWrite(ctx); err != nil {
		return MembersResult{}, err
	}
	if opts.DryRun {
		release, err := savepoint(ctx, c, "members_import")
		if err != nil {
			return MembersResult{}, err
		}
		defer func() { err = release(err) }()
	}
	people, err := checkMembers(ctx, c, org, rows)
	if err != nil {
		return MembersResult{}, err
	}
	communities, created, err := resolveCommunities(ctx, c, org, memberRefs(rows), ColumnCommunity, opts.CreateCommunities)
	if err != nil {
		return MembersResult{}, err
	}
	res.CommunitiesCreated = created
	joins := map[int][]int{} // community: people to add
	for _, r := range rows {
		p, cid := people[r.Email], communities[strings.ToLower(r.Community)]
		if slices.ContainsFunc(p.Edges.Communities, func(c *ent.Community) bool { return c.ID == cid }) {
			res.Unchanged++
			continue
		}
		joins[cid] = append(joins[cid], p.ID)
		res.Added++
	}
	for _, cid := range slices.Sorted(maps.Keys(joins)) {
		for batch := range slices.Chunk(joins[cid], BatchSize) {
			if err := c.Community.UpdateOneID(cid).AddMemberIDs(batch...).Exec(ctx); err != nil {
				return MembersResult{}, fmt.Errorf("adding members to community %d: %w", cid, err)
			}
		}
	}
	return res, nil
}

// checkMembers loads the people of rows with their communities, by email,
// and reports the rows whose email no person of org has.
func checkMembers(ctx context.Context, c *ent.Client, org int, rows []MemberRow) (map[string]*ent.Person, error) {
	emails := make([]string, len(rows))
	for i, r := range rows {
		emails[i] = r.Email
	}
	people, err := peopleByEmail(ctx, c, org, emails, true)
	if err != nil {
		return nil, err
	}
	var errs errorList
	for _, r := range rows {
		if people[r.Email] == nil {
			errs.add(r.Row, ColumnEmail, "no person with the email %s in the organization: import the people first", r.Email)
		}
	}
	if len(errs.errs) > 0 {
		return nil, errs.result()
	}
	return people, nil
}

// MembersErrors adds to the errors of ParseMembers those that need the
// database (unknown emails, and unknown communities unless create), so that
// every error of an invalid file is told at once, in row order. It writes
// nothing.
func MembersErrors(ctx context.Context, c *ent.Client, org int, rows []MemberRow, create bool, parsed Errors) (Errors, error) {
	var more Errors
	if _, err := checkMembers(ctx, c, org, rows); err != nil {
		var errs Errors
		if !errors.As(err, &errs) {
			return parsed, err
		}
		more = append(more, errs...)
	}
	if !create {
		_, _, err := resolveCommunities(ctx, c, org, memberRefs(rows), ColumnCommunity, false)
		var errs Errors
		if err != nil && !errors.As(err, &errs) {
			return parsed, err
		}
		more = append(more, errs...)
	}
	return merged(parsed, more), nil
}

func memberRefs(rows []MemberRow) []nameRef {
	refs := make([]nameRef, len(rows))
	for i, r := range rows {
		refs[i] = nameRef{r.Row, r.Community}
	}
	return refs
}

// peopleByEmail loads the people of org with emails (distinct, by batches of
// BatchSize), with the IDs of their communities when withCommunities.
func peopleByEmail(ctx context.Context, c *ent.Client, org int, emails []string, withCommunities bool) (map[string]*ent.Person, error) {
	slices.Sort(emails)
	emails = slices.Compact(emails)
	out := make(map[string]*ent.Person, len(emails))
	for batch := range slices.Chunk(emails, BatchSize) {
		q := c.Person.Query().Where(person.OrganizationID(org), person.EmailIn(batch...))
		if withCommunities {
			q.WithCommunities(func(q *ent.CommunityQuery) { q.Select(community.FieldID) })
		} else {
			q.Select(person.FieldID, person.FieldEmail)
		}
		people, err := q.All(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading people by email: %w", err)
		}
		for _, p := range people {
			out[p.Email] = p
		}
	}
	return out, nil
}

// savepoint starts a savepoint of the caller's transaction for a dry run;
// release rolls back to it, keeping err (or reporting the rollback's).
func savepoint(ctx context.Context, c *ent.Client, name string) (release func(error) error, err error) {
	if _, err := c.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	return func(err error) error {
		if _, rerr := c.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil && err == nil {
			return fmt.Errorf("dry run: rolling back: %w", rerr)
		}
		return err
	}, nil
}
