package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SeriesAnswer is a person's answer for a whole series, applied to its
// current and future occurrences (each may still be answered on its own).
type SeriesAnswer struct {
	ent.Schema
}

// Mixin of the SeriesAnswer.
func (SeriesAnswer) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the SeriesAnswer.
func (SeriesAnswer) Fields() []ent.Field {
	return []ent.Field{
		field.Int("series_id").Immutable().Comment("The series.").Annotations(entgql.Type("ID")),
		field.Int("person_id").Immutable().Comment("The person who answered.").Annotations(entgql.Type("ID")),
		field.Enum("answer").
			NamedValues(
				"Accepted", "ACCEPTED",
				"Tentative", "TENTATIVE",
				"Declined", "DECLINED",
			).
			Comment("The answer for every occurrence from now on."),
		field.Time("responded_at").Comment("When the person answered."),
	}
}

// Edges of the SeriesAnswer.
func (SeriesAnswer) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("series", Series.Type).Field("series_id").Unique().Required().Immutable().Comment("The series."),
		edge.To("person", Person.Type).Field("person_id").Unique().Required().Immutable().Comment("The person who answered."),
	}
}

// Indexes of the SeriesAnswer: one answer per person and series.
func (SeriesAnswer) Indexes() []ent.Index {
	return []ent.Index{index.Fields("series_id", "person_id").Unique()}
}

// Annotations of the SeriesAnswer.
func (SeriesAnswer) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person's answer for a whole series."),
		// Read through the participations it sets; not a GraphQL type.
		entgql.Skip(),
	}
}
