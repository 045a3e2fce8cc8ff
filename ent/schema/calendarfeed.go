package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
)

// CalendarFeed is a secret address of an iCalendar feed (a meeting, a series
// or a person's agenda), for calendar clients, which cannot send a bearer
// token. Only the SHA-256 of the secret is stored. The feed reads as its
// account with role (never more than the account's membership allows now).
type CalendarFeed struct {
	ent.Schema
}

// Mixin of the CalendarFeed.
func (CalendarFeed) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the CalendarFeed.
func (CalendarFeed) Fields() []ent.Field {
	return []ent.Field{
		field.Int("account_id").Immutable().Comment("The account that issued the feed; the feed reads as it.").Annotations(entgql.Type("ID")),
		field.Enum("role").
			NamedValues(
				"Owner", "OWNER",
				"Planner", "PLANNER",
				"Viewer", "VIEWER",
			).
			Immutable().
			Comment("The role the feed reads with, at most the account's: a VIEWER feed shows no e-mail addresses and no VIP guest list."),
		field.Enum("kind").
			NamedValues(
				"Meeting", "MEETING",
				"Series", "SERIES",
				"Agenda", "AGENDA",
			).
			Immutable().
			Comment("What the feed shows: a meeting, a series, or a person's agenda."),
		field.Int("meeting_id").Optional().Nillable().Immutable().Comment("The meeting of a MEETING feed.").Annotations(entgql.Type("ID")),
		field.Int("series_id").Optional().Nillable().Immutable().Comment("The series of a SERIES feed.").Annotations(entgql.Type("ID")),
		field.Int("person_id").Optional().Nillable().Immutable().Comment("The person of an AGENDA feed.").Annotations(entgql.Type("ID")),
		field.String("prefix").
			Immutable().
			Comment("The start of the secret, to recognise the feed's address."),
		field.String("secret_hash").
			Unique().
			Immutable().
			Sensitive().
			Comment("SHA-256 of the secret, hex-encoded.").
			Annotations(entgql.Skip()),
		field.Time("revoked_at").
			Optional().
			Nillable().
			Comment("When the feed was revoked (or regenerated); its address then answers 404."),
	}
}

// Edges of the CalendarFeed.
func (CalendarFeed) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("account", Account.Type).Field("account_id").Unique().Required().Immutable().Comment("The account that issued the feed."),
		edge.To("meeting", Meeting.Type).Field("meeting_id").Unique().Immutable().Comment("The meeting of a MEETING feed."),
		edge.To("series", Series.Type).Field("series_id").Unique().Immutable().Comment("The series of a SERIES feed."),
		edge.To("person", Person.Type).Field("person_id").Unique().Immutable().Comment("The person of an AGENDA feed."),
	}
}

// Policy of the CalendarFeed: owners see the organization's feeds, others
// their own (writes follow the tenant policy: planners and owners).
func (CalendarFeed) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{policy.FilterOwnUnlessOwner()},
	}
}

// Annotations of the CalendarFeed.
func (CalendarFeed) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A secret address of an iCalendar feed. The address is shown once, when issued."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Calendar feeds (owners see all, others their own)."),
	}
}
