package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Relationship is the pair-level edge of the attendee network, kept by
// internal/network when an encounter is recorded: first and last met, how many times, and a strength that grows
// with encounters and fades with time. Stored once per pair, lower ID first.
type Relationship struct {
	ent.Schema
}

// Mixin of the Relationship.
func (Relationship) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{}, TimeMixin{}}
}

// Fields of the Relationship.
func (Relationship) Fields() []ent.Field {
	return []ent.Field{
		field.Int("person_a_id").Immutable().Comment("The person with the lower ID.").Annotations(entgql.Type("ID")),
		field.Int("person_b_id").Immutable().Comment("The person with the higher ID.").Annotations(entgql.Type("ID")),
		field.Time("first_met_at").Comment("When the two first met.").Annotations(entgql.OrderField("FIRST_MET_AT")),
		field.Time("last_met_at").Comment("When the two last met.").Annotations(entgql.OrderField("LAST_MET_AT")),
		field.Int("encounter_count").Comment("How many encounters the two had.").Annotations(entgql.OrderField("ENCOUNTER_COUNT")),
		field.Float("strength").
			Comment("Strength as of lastMetAt: each encounter adds 1, and the strength halves every 180 days without one.").
			Annotations(entgql.OrderField("STRENGTH")),
		// currentStrength = strength × 2^-((now − lastMetAt)/halfLife), so
		// log2(currentStrength) = decayKey − now/halfLife with decayKey =
		// log2(strength) + lastMetAt/halfLife: for every now, the order of
		// current strengths is the order of decay keys. The key is kept by
		// internal/network with the strength.
		field.Float("decay_key").
			Optional().
			Nillable().
			Comment("log2(strength) + lastMetAt / 180 days (in seconds): orders relationships by current strength, whatever the day.").
			Annotations(entgql.OrderField("CURRENT_STRENGTH"), entgql.Skip(entgql.SkipType, entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the Relationship.
func (Relationship) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("person_a", Person.Type).Field("person_a_id").Unique().Required().Immutable().Comment("The person with the lower ID."),
		edge.To("person_b", Person.Type).Field("person_b_id").Unique().Required().Immutable().Comment("The person with the higher ID."),
	}
}

// Indexes of the Relationship: one per pair.
func (Relationship) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("person_a_id", "person_b_id").Unique(),
		index.Fields("person_b_id"),
		index.Fields("organization_id", "decay_key"),
		// The latest change of an organization's network, read by index
		// (internal/network's graph cache).
		index.Fields("organization_id", "updated_at"),
	}
}

// Annotations of the Relationship.
func (Relationship) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// currentStrength decays strength from lastMetAt (graph/network.resolvers.go).
		ResolverColumns{"currentStrength": {"strength", "last_met_at"}},
		schema.Comment("The pair-level edge of the attendee network, built from encounters: first and last met, how many times, and a strength that grows with encounters and fades with time."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Relationships: the pair-level edges of the attendee network."),
	}
}
