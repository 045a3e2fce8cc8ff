// Package viewer carries who is making a request: an account acting in one
// organization with a role. The ent privacy policies read it from the context
// on every query and mutation.
package viewer

import "context"

// Role is what a viewer may do in its organization.
type Role string

// Roles, from most to least powerful.
const (
	Owner    Role = "OWNER"   // everything, including members and tokens
	Planner  Role = "PLANNER" // all planning data of the organization
	ReadOnly Role = "VIEWER"  // read-only; no contact details or touchpoints
)

// rank orders roles for comparisons.
var rank = map[Role]int{ReadOnly: 1, Planner: 2, Owner: 3}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return rank[r] > 0 }

// AtLeast reports whether r grants at least what other grants.
func (r Role) AtLeast(other Role) bool { return rank[r] >= rank[other] && rank[r] > 0 }

// Min returns the lesser of two roles.
func Min(a, b Role) Role {
	if rank[a] <= rank[b] {
		return a
	}
	return b
}

// Viewer is the identity of a request.
type Viewer struct {
	AccountID      int
	OrganizationID int
	Role           Role
	TokenID        int
}

// CanWrite reports whether the viewer may change planning data.
func (v *Viewer) CanWrite() bool { return v != nil && v.Role.AtLeast(Planner) }

// SeesContactDetails reports whether the viewer may read email addresses,
// phone numbers and touchpoints.
func (v *Viewer) SeesContactDetails() bool { return v != nil && v.Role.AtLeast(Planner) }

// IsOwner reports whether the viewer may manage members and tokens.
func (v *Viewer) IsOwner() bool { return v != nil && v.Role == Owner }

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer of ctx, or nil.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}
