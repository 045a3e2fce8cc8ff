package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"github.com/rencontre/rencontre/internal/validation"
)

// Series is a recurring meeting: a template, an RFC 5545 recurrence rule
// from a first start in local wall-clock time of an IANA zone, a duration,
// exception dates and default invitees. Each occurrence is a real Meeting
// (internal/series materializes them up to a horizon).
type Series struct {
	ent.Schema
}

// Mixin of the Series.
func (Series) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the Series. The rule's fields are changed by the series verbs
// (seriesCreate, seriesUpdate), which validate them together.
func (Series) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			Validate(validation.Title).
			Comment("Title of the series, given to its occurrences.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("description").
			Optional().
			Nillable().
			Validate(validation.MaxLen(10000)).
			Comment("Description given to the occurrences."),
		field.Enum("format").
			NamedValues(
				"AnnualMeeting", "ANNUAL_MEETING",
				"Offsite", "OFFSITE",
				"Workshop", "WORKSHOP",
				"Celebration", "CELEBRATION",
				"UserConference", "USER_CONFERENCE",
				"UserGroup", "USER_GROUP",
				"TeamBuilding", "TEAM_BUILDING",
				"NetworkingEvent", "NETWORKING_EVENT",
				"VipEvent", "VIP_EVENT",
				"Other", "OTHER",
			).
			Default("OTHER").
			Comment("The kind of gathering of the occurrences."),
		field.String("venue_name").
			Optional().
			Nillable().
			Validate(validation.MaxLen(200)).
			Comment("Name of the venue of the occurrences."),
		field.String("venue_address").
			Optional().
			Nillable().
			Validate(validation.MaxLen(500)).
			Comment("Postal address of the venue of the occurrences."),
		field.Int("capacity").
			Optional().
			Nillable().
			Validate(validation.Positive).
			Comment("Capacity of each occurrence; null means no limit."),
		field.Enum("visibility").
			NamedValues(
				"Open", "OPEN",
				"InviteOnly", "INVITE_ONLY",
				"Vip", "VIP",
			).
			Default("OPEN").
			Comment("Visibility of the occurrences (OPEN, INVITE_ONLY or VIP)."),
		field.String("rrule").
			Validate(validation.NotBlank).
			Comment("RFC 5545 recurrence rule, without `RRULE:`, such as `FREQ=MONTHLY;BYDAY=1TH;COUNT=12`. Frequencies from DAILY to YEARLY."),
		field.String("starts_at").
			Comment("Local wall-clock time of the first occurrence in timeZone, such as `2027-01-07T09:00:00` (no offset: the zone gives it, and it changes with daylight-saving time).").
			Annotations(entgql.OrderField("STARTS_AT")),
		field.String("time_zone").
			Validate(validation.TimeZone).
			Comment("IANA time zone of the series, such as `Europe/Paris`: occurrences keep their local time in it all year."),
		field.Int("duration_minutes").
			Comment("Duration of each occurrence, in minutes: more than 0, at most 10080 (7 days)."),
		field.Strings("exdates").
			Optional().
			Comment("Local wall-clock starts of the occurrences left out, like startsAt."),
		field.Enum("status").
			NamedValues(
				"Active", "ACTIVE",
				"Cancelled", "CANCELLED",
			).
			Default("ACTIVE").
			Comment("ACTIVE, or CANCELLED by seriesCancel (its future occurrences are cancelled).").
			Annotations(entgql.OrderField("STATUS"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("cancelled_at").
			Optional().
			Nillable().
			Comment("When the series was cancelled.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("materialized_until").
			Optional().
			Nillable().
			Comment("Occurrences starting before this instant exist as meetings; the horizon moves forward daily.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		field.Int("sequence").
			Default(0).
			Comment("Revision of the series, raised by each change (the SEQUENCE of its calendar feed).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		field.Int("split_from_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The series this one continues, when it was split from it (seriesUpdate with scope THIS_AND_FOLLOWING).").
			Annotations(entgql.Type("ID"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Edges of the Series.
func (Series) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("meetings", Meeting.Type).Ref("series").
			Comment("The occurrences of the series that exist as meetings, past and future.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("objectives", Objective.Type).
			Comment("Objectives the occurrences serve.").
			Annotations(entgql.RelayConnection()),
		edge.To("invitees", Person.Type).
			Comment("People invited to every occurrence.").
			Annotations(entgql.RelayConnection()),
		edge.To("invitee_communities", Community.Type).
			Comment("Communities whose members are invited to every occurrence.").
			Annotations(entgql.RelayConnection()),
		edge.From("answers", SeriesAnswer.Type).Ref("series").
			Comment("Answers given once for the whole series (seriesRespond).").
			Annotations(entgql.Skip()),
		edge.To("continuations", Series.Type).
			Comment("The series split from this one (seriesUpdate with scope THIS_AND_FOLLOWING).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)).
			From("split_from").Field("split_from_id").Unique().Immutable().
			Comment("The series this one continues, when it was split from it.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Annotations of the Series.
func (Series) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A recurring meeting: a template, an RFC 5545 rule in a time zone, and default invitees. Each occurrence is a Meeting."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField("seriesList").Description("Recurring series of meetings."),
	}
}
