// Package policy holds the ent privacy rules of Rencontre: who may read and
// write what, decided in the model for every path to the data. The ent
// schemas compose them; the request's viewer comes from package viewer.
//
// System paths (migration, demo loader, token bootstrap and authentication)
// bypass the rules explicitly with System.
package policy

import (
	"context"
	"errors"

	"entgo.io/ent"
	"entgo.io/ent/entql"

	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/membership"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/viewer"
)

// System returns a context in which every privacy rule allows. Use it only in
// the named system paths: the demo loader, the token bootstrap command and the
// authentication of a token (which must read tokens before there is a viewer).
func System(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// DenyIfNoViewer denies any query or mutation made without a viewer.
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) == nil {
			return privacy.Denyf("no viewer in context: authenticate with an API token")
		}
		return privacy.Skip
	})
}

// DenyIfReadOnly denies writes to viewers whose role may not write.
func DenyIfReadOnly() privacy.MutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); !v.CanWrite() {
			return privacy.Denyf("role %s may not change data", roleOf(v))
		}
		return privacy.Skip
	})
}

// DenyUnlessOwner denies writes to everyone but owners (members, tokens, the
// organization itself).
func DenyUnlessOwner() privacy.MutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); !v.IsOwner() {
			return privacy.Denyf("this requires the OWNER role (role %s)", roleOf(v))
		}
		return privacy.Skip
	})
}

// DenyQueryIfReadOnly denies reads to viewers who may not see contact details
// (touchpoints).
func DenyQueryIfReadOnly() privacy.QueryRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if v := viewer.FromContext(ctx); !v.SeesContactDetails() {
			return privacy.Denyf("role %s may not read contact history", roleOf(v))
		}
		return privacy.Skip
	})
}

// FilterTenant restricts queries, updates and deletes to the viewer's
// organization (a tenant filter through entql, as in ent's multi-tenancy
// example): another organization's records do not exist for the viewer.
func FilterTenant() privacy.QueryMutationRule {
	return filterField("organization_id", organizationOf, false)
}

// FilterOrganization restricts queries and updates of organizations to the
// viewer's own.
func FilterOrganization() privacy.QueryMutationRule {
	return filterField("id", organizationOf, false)
}

// FilterOwnAccountUnlessOwner lets owners see every account of the
// organization and others only their own.
func FilterOwnAccountUnlessOwner() privacy.QueryRule {
	return filterField("id", accountOf, true)
}

// FilterOwnUnlessOwner lets owners see every record of the organization (the
// tenant filter applies first) and others only their own (account_id).
func FilterOwnUnlessOwner() privacy.QueryRule {
	return filterField("account_id", accountOf, true)
}

func organizationOf(v *viewer.Viewer) int { return v.OrganizationID }
func accountOf(v *viewer.Viewer) int      { return v.AccountID }

// filterField narrows records to those whose column equals value(viewer);
// with ownersSeeAll, owners are not narrowed.
func filterField(column string, value func(*viewer.Viewer) int, ownersSeeAll bool) privacy.QueryMutationRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		switch {
		case v == nil:
			return privacy.Denyf("no viewer in context")
		case ownersSeeAll && v.IsOwner():
			return privacy.Skip
		}
		f.Where(entql.FieldEQ(column, value(v)))
		return privacy.Skip
	})
}

// FilterAccountsOfOrganization restricts accounts to those with a membership
// in the viewer's organization.
func FilterAccountsOfOrganization() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		af, ok := f.(interface {
			WhereHasMembershipsWith(...predicate.Membership)
		})
		if v == nil || !ok {
			return privacy.Denyf("account filter: unexpected filter type %T", f)
		}
		af.WhereHasMembershipsWith(membership.OrganizationID(v.OrganizationID))
		return privacy.Skip
	})
}

// CreateInViewerOrganization puts a new record in the viewer's organization
// when none is set, and denies creating one in another organization.
func CreateInViewerOrganization() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if !m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		v := viewer.FromContext(ctx)
		tm, ok := m.(interface {
			OrganizationID() (int, bool)
			SetOrganizationID(int)
		})
		if v == nil || !ok {
			return privacy.Denyf("create: unexpected mutation type %T", m)
		}
		if org, set := tm.OrganizationID(); set && org != v.OrganizationID {
			return privacy.Denyf("cannot create records in another organization")
		}
		tm.SetOrganizationID(v.OrganizationID)
		return privacy.Skip
	})
}

func roleOf(v *viewer.Viewer) viewer.Role {
	if v == nil {
		return "none"
	}
	return v.Role
}

// FilterVIPGuestListsUnlessPlanner hides the guest list of VIP meetings
// (their participations, encounters and feedback) from viewers below
// PLANNER: for them those records do not exist, through every path that
// queries them (node, nodes, connections and their totalCount, edges). The
// meeting itself stays visible. It applies to the records with a meeting
// edge: participations, encounters and feedback.
//
// Predicate subqueries (hasParticipationsWith and the like on meetings and
// people) are not filtered by ent privacy; graph refuses them to such viewers.
func FilterVIPGuestListsUnlessPlanner() privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		v := viewer.FromContext(ctx)
		if v == nil {
			return privacy.Denyf("no viewer in context")
		}
		if SeesVIPGuestLists(v) {
			return privacy.Skip
		}
		mf, ok := f.(interface {
			WhereHasMeetingWith(...predicate.Meeting)
		})
		if !ok {
			return privacy.Denyf("VIP filter: unexpected filter type %T", f)
		}
		mf.WhereHasMeetingWith(meeting.VisibilityNEQ(meeting.VisibilityVip))
		return privacy.Skip
	})
}

// SeesVIPGuestLists reports whether v may see who takes part in VIP
// meetings: PLANNER and OWNER tokens.
func SeesVIPGuestLists(v *viewer.Viewer) bool {
	return v != nil && v.Role.AtLeast(viewer.Planner)
}

// CheckWrite returns the refusal DenyIfReadOnly would give a write in ctx,
// or nil when the viewer may write (or in a system context). Domain verbs
// that validate their input before writing call it first, so a read-only
// viewer is refused (FORBIDDEN) rather than told what is wrong with its input.
func CheckWrite(ctx context.Context) error {
	if d, ok := privacy.DecisionFromContext(ctx); ok && errors.Is(d, privacy.Allow) {
		return nil
	}
	v := viewer.FromContext(ctx)
	switch {
	case v == nil:
		return privacy.Denyf("no viewer in context: authenticate with an API token")
	case !v.CanWrite():
		return privacy.Denyf("role %s may not change data", roleOf(v))
	}
	return nil
}
