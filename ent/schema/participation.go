package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/rencontre/rencontre/ent/privacy"
	"github.com/rencontre/rencontre/internal/policy"
)

// Participation is a person's place in one meeting: role, invitation and answer,
// check-in. There is at most one per person and meeting.
type Participation struct {
	ent.Schema
}

// Mixin of the Participation.
func (Participation) Mixin() []ent.Mixin {
	return []ent.Mixin{ChildTenantMixin{Parent: "meeting"}, TimeMixin{}}
}

// Policy of the Participation: besides the tenant policy of its mixin, the
// records of VIP meetings are hidden from viewers below PLANNER.
func (Participation) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{policy.FilterVIPGuestListsUnlessPlanner()},
	}
}

// Fields of the Participation.
func (Participation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("meeting_id").
			Immutable().
			Comment("The meeting.").
			Annotations(entgql.Type("ID")),
		field.Int("person_id").
			Immutable().
			Comment("The person.").
			Annotations(entgql.Type("ID")),
		field.Enum("role").
			NamedValues(
				"Host", "HOST",
				"Speaker", "SPEAKER",
				"Guest", "GUEST",
				"Vip", "VIP",
				"WalkIn", "WALK_IN",
			).
			Default("GUEST").
			Comment("The person's role at the meeting.").
			Annotations(entgql.OrderField("ROLE")),
		field.Enum("status").
			NamedValues(
				"Invited", "INVITED",
				"Accepted", "ACCEPTED",
				"Tentative", "TENTATIVE",
				"Declined", "DECLINED",
				"Waitlisted", "WAITLISTED",
				"Cancelled", "CANCELLED",
			).
			Default("INVITED").
			Comment("Where the invitation stands. Only ACCEPTED people take a place; when the meeting is full, accepting puts the person on the waiting list (WAITLISTED).").
			Annotations(entgql.OrderField("STATUS")),
		field.Int("waitlist_position").
			Optional().
			Nillable().
			Comment("Place on the meeting's waiting list: 1 is the next to get a place. Null unless WAITLISTED; the positions of a meeting are 1, 2, … without gaps.").
			Annotations(entgql.OrderField("WAITLIST_POSITION")),
		field.Time("accepted_at").
			Optional().
			Nillable().
			Comment("When the person got a place: when they accepted, or were promoted from the waiting list. Null unless ACCEPTED; the latest are the first moved back to the waiting list when a smaller capacity is forced.").
			Annotations(entgql.OrderField("ACCEPTED_AT")),
		field.Time("invited_at").
			Default(time.Now).
			Immutable().
			Comment("When the person was invited.").
			Annotations(entgql.OrderField("INVITED_AT")),
		field.Time("responded_at").
			Optional().
			Nillable().
			Comment("When the person last answered the invitation."),
		field.Time("checked_in_at").
			Optional().
			Nillable().
			Comment("When the person was checked in at the venue; null if not (yet) attended.").
			Annotations(entgql.OrderField("CHECKED_IN_AT")),
		field.Int("invited_by_id").
			Optional().
			Nillable().
			Immutable().
			Comment("Who invited the person, if known.").
			Annotations(entgql.Type("ID")),
	}
}

// Edges of the Participation.
func (Participation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("meeting", Meeting.Type).Field("meeting_id").Unique().Required().Immutable().
			Comment("The meeting."),
		edge.To("person", Person.Type).Field("person_id").Unique().Required().Immutable().
			Comment("The person."),
		edge.To("invited_by", Person.Type).Field("invited_by_id").Unique().Immutable().
			Comment("Who invited the person, if known."),
	}
}

// Indexes of the Participation: one per person and meeting. The third
// covers the counts of a meeting's participations (totalCount, with the
// organization's privacy filter and a status): they read the index only,
// not the rows.
func (Participation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("meeting_id", "person_id").Unique(),
		index.Fields("person_id"),
		index.Fields("meeting_id", "organization_id", "status"),
	}
}

// Annotations of the Participation.
func (Participation) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person's place in one meeting: role, invitation and answer, check-in. One per person and meeting."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField().Description("Participations: who is invited to, answered and attended which meeting."),
	}
}
