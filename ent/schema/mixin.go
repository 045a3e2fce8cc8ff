// Package schema is the Rencontre model: one file per entity, GraphQL features
// as entgql annotations, rules as validators and hooks so every write gets them.
package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
)

// TenantMixin makes a record belong to exactly one Organization, for good: the
// edge is required and immutable, and it is the viewer's organization (the API
// takes it from the token, not from the input).
type TenantMixin struct {
	mixin.Schema
}

// Fields of the TenantMixin.
func (TenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").
			Immutable().
			Comment("The organization this record belongs to.").
			Annotations(
				entgql.Type("ID"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
}

// Edges of the TenantMixin.
func (TenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organization", Organization.Type).
			Field("organization_id").
			Unique().
			Required().
			Immutable().
			Comment("The organization this record belongs to.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Hooks of the TenantMixin: every edge must stay within the organization.
func (TenantMixin) Hooks() []ent.Hook {
	return []ent.Hook{sameOrganization()}
}

// Policy of the TenantMixin: a viewer reads and writes its own organization's
// records only, and only writer roles write.
func (TenantMixin) Policy() ent.Policy { return tenantPolicy() }

// ChildTenantMixin is TenantMixin for records created under a parent (an
// indicator under its objective, a feedback under its meeting): the organization
// is taken from the parent by a hook, so it is not part of the create input.
type ChildTenantMixin struct {
	mixin.Schema
	// Parent is the edge to the parent record (objective, meeting or person);
	// empty when the organization is set explicitly (relationships).
	Parent string
}

// Fields of the ChildTenantMixin.
func (ChildTenantMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int("organization_id").
			Immutable().
			Comment("The organization this record belongs to, the one of its parent.").
			Annotations(
				entgql.Type("ID"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
}

// Edges of the ChildTenantMixin.
func (ChildTenantMixin) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organization", Organization.Type).
			Field("organization_id").
			Unique().
			Required().
			Immutable().
			Comment("The organization this record belongs to, the one of its parent.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Hooks of the ChildTenantMixin: the organization comes from the parent, then
// every edge must stay within it.
func (m ChildTenantMixin) Hooks() []ent.Hook {
	if m.Parent == "" {
		return []ent.Hook{sameOrganization()}
	}
	return []ent.Hook{inheritOrganization(m.Parent), sameOrganization()}
}

// Policy of the ChildTenantMixin, the same as TenantMixin's.
func (ChildTenantMixin) Policy() ent.Policy { return tenantPolicy() }

func tenantPolicy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			policy.DenyIfNoViewer(),
			policy.FilterTenant(),
		},
		Mutation: privacy.MutationPolicy{
			policy.DenyIfNoViewer(),
			policy.DenyIfReadOnly(),
			policy.CreateInViewerOrganization(),
			policy.FilterTenant(),
		},
	}
}

// TimeMixin records when a record was created and last updated.
type TimeMixin struct {
	mixin.Schema
}

// Fields of the TimeMixin.
func (TimeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Comment("When the record was created.").
			Annotations(
				entgql.OrderField("CREATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput),
			),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Comment("When the record was last changed.").
			Annotations(
				entgql.OrderField("UPDATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
}
