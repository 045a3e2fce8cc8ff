package schema

import (
	"context"
	"fmt"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/hook"
	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
	"github.com/rencontre/rencontre/internal/validation"
)

// Organization is a tenant: a company, a chamber of commerce, a museum, a user
// community. Every other record belongs to exactly one.
type Organization struct {
	ent.Schema
}

// Mixin of the Organization.
func (Organization) Mixin() []ent.Mixin {
	return []ent.Mixin{TimeMixin{}}
}

// Fields of the Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Validate(validation.Title).
			Comment("The organization's display name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("slug").
			Unique().
			Validate(validation.Slug).
			Comment("A unique, URL-safe identifier such as `acme-group`.").
			Annotations(entgql.OrderField("SLUG")),
		field.String("currency").
			Default("EUR").
			Validate(validation.Currency).
			Comment("ISO 4217 code of the organization's currency, `EUR` by default: a meeting budget given without a currency is in it, and reports add costs up in it."),
		field.Int("segment_regular_min").
			Default(2).
			Validate(segmentCount).
			Comment("Attendances (check-ins) within segmentWindowMonths that make a person REGULAR; 2 by default."),
		field.Int("segment_loyal_min").
			Default(5).
			Validate(segmentCount).
			Comment("Attendances (check-ins) within segmentWindowMonths that make a person LOYAL; 5 by default, more than segmentRegularMin."),
		field.Int("segment_window_months").
			Default(12).
			Validate(segmentMonths).
			Comment("Months back from today within which attendances count towards REGULAR and LOYAL; 12 by default, 1 to 120."),
		field.Int("segment_lapse_months").
			Default(12).
			Validate(segmentMonths).
			Comment("Months without an attendance after which a person who attended before is LAPSED; 12 by default, 1 to 120."),
	}
}

// segmentCount bounds the attendance thresholds of segments.
func segmentCount(n int) error {
	if n < 1 || n > 1000 {
		return fmt.Errorf("must be between 1 and 1000 attendances, got %d", n)
	}
	return nil
}

// segmentMonths bounds the windows of segments.
func segmentMonths(n int) error {
	if n < 1 || n > 120 {
		return fmt.Errorf("must be between 1 and 120 months, got %d", n)
	}
	return nil
}

// Hooks of the Organization: LOYAL needs more attendances than REGULAR,
// whichever of the two thresholds an update changes.
func (Organization) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.OrganizationFunc(func(ctx context.Context, m *gen.OrganizationMutation) (ent.Value, error) {
				regular, hasRegular := m.SegmentRegularMin()
				loyal, hasLoyal := m.SegmentLoyalMin()
				if !hasRegular && !hasLoyal {
					return next.Mutate(ctx, m)
				}
				if m.Op().Is(ent.OpUpdateOne) {
					if !hasRegular {
						old, err := m.OldSegmentRegularMin(ctx)
						if err != nil {
							return nil, fmt.Errorf("loading segment thresholds: %w", err)
						}
						regular, hasRegular = old, true
					}
					if !hasLoyal {
						old, err := m.OldSegmentLoyalMin(ctx)
						if err != nil {
							return nil, fmt.Errorf("loading segment thresholds: %w", err)
						}
						loyal, hasLoyal = old, true
					}
				}
				if hasRegular && hasLoyal && loyal <= regular {
					field := "segment_loyal_min"
					if !m.Op().Is(ent.OpCreate) {
						if _, ok := m.SegmentLoyalMin(); !ok {
							field = "segment_regular_min"
						}
					}
					return nil, validation.Invalid(field, "LOYAL must need more attendances than REGULAR (loyal %d, regular %d)", loyal, regular)
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

// Edges of the Organization. Only the top-level records are listed here; the
// records under them (indicators, participations…) are reached through those.
func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("people", Person.Type).Ref("organization").
			Comment("People the organization has a relationship with.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("communities", Community.Type).Ref("organization").
			Comment("Teams, departments, legacy companies and other groups of the organization.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("objectives", Objective.Type).Ref("organization").
			Comment("Strategic objectives of the organization.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("meetings", Meeting.Type).Ref("organization").
			Comment("Face-to-face meetings organised by the organization.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Policy of the Organization: a viewer sees its own organization; only its
// owners change it; organizations are created by the bootstrap command.
func (Organization) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			policy.DenyIfNoViewer(),
			policy.FilterOrganization(),
		},
		Mutation: privacy.MutationPolicy{
			policy.DenyIfNoViewer(),
			privacy.OnMutationOperation(privacy.AlwaysDenyRule(), ent.OpCreate),
			policy.DenyUnlessOwner(),
			policy.FilterOrganization(),
		},
	}
}

// Annotations of the Organization.
func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An organization (tenant): a company, a chamber of commerce, a museum, a user community. Every other record belongs to exactly one."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Organizations (tenants) on this server."),
		entgql.Mutations(entgql.MutationUpdate()),
	}
}
