package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/validation"
	"github.com/rencontre/rencontre/internal/viewer"
)

// Person is someone the organization has a relationship with: employee, member,
// customer, supplier, speaker. Personal data.
type Person struct {
	ent.Schema
}

// Mixin of the Person.
func (Person) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the Person.
func (Person) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			Validate(validation.Title).
			Comment("Full name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("email").
			Validate(validation.Email).
			Comment("Email address, unique within the organization regardless of case; stored lower-cased.").
			// The GraphQL field is declared by hand (schema/access.graphql): it is
			// null for viewers who may not see contact details.
			Annotations(entgql.OrderField("EMAIL"), entgql.Skip(entgql.SkipType)),
		field.String("phone").
			Optional().
			Nillable().
			Validate(validation.MaxLen(40)).
			Comment("Phone number, free form."),
		field.String("company").
			Optional().
			Nillable().
			Validate(validation.MaxLen(200)).
			Comment("Company the person works for."),
		field.String("job_title").
			Optional().
			Nillable().
			Validate(validation.MaxLen(200)).
			Comment("Job title."),
		field.Strings("tags").
			Optional().
			Validate(validation.Tags).
			Comment("Free tags such as `speaker` or `board`."),
		field.Bool("vip").
			Default(false).
			Comment("Whether the organization treats this person as a VIP.").
			Annotations(entgql.OrderField("VIP")),
	}
}

// Edges of the Person.
func (Person) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("invited_to_series", Series.Type).Ref("invitees").
			Comment("Series whose every occurrence the person is invited to.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		edge.From("communities", Community.Type).Ref("members").
			Comment("Communities the person is a member of.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("participations", Participation.Type).Ref("person").
			Comment("The person's places in meetings: invitations, answers, check-ins.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("owned_objectives", Objective.Type).Ref("owner").
			Comment("Objectives this person owns.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("follow_ups", FollowUp.Type).Ref("owner").
			Comment("Follow-up actions this person owns.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("concerned_by", FollowUp.Type).Ref("concerns").
			Comment("Follow-up actions that concern this person.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("feedbacks", Feedback.Type).Ref("person").
			Comment("Feedback the person gave about meetings.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("touchpoints", Touchpoint.Type).Ref("person").
			Comment("Contacts with the person, before, during and after meetings.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Person: an email is unique within an organization.
func (Person) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "email").Unique(),
		// The latest change of an organization's people, read by index
		// (internal/network's graph cache).
		index.Fields("organization_id", "updated_at"),
	}
}

// Hooks of the Person: emails are stored lower-cased and trimmed, so the unique
// index makes them unique case-insensitively.
func (Person) Hooks() []ent.Hook {
	return []ent.Hook{normalizeEmail()}
}

// Interceptors of the Person: a viewer who may not see contact details gets
// people without email and phone, on every query path (lists, edges, node).
func (Person) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{
		ent.InterceptFunc(func(next ent.Querier) ent.Querier {
			return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
				v, err := next.Query(ctx, q)
				if err != nil || viewer.FromContext(ctx).SeesContactDetails() || isSystem(ctx) {
					return v, err
				}
				if people, ok := v.([]*gen.Person); ok {
					for _, p := range people {
						p.Email, p.Phone = "", nil
					}
				}
				return v, nil
			})
		}),
	}
}

// Annotations of the Person.
func (Person) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// email is null when redacted (graph/access.resolvers.go).
		ResolverColumns{"email": {"email"}},
		schema.Comment("Someone the organization has a relationship with: employee, member, customer, supplier, speaker. Personal data."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
		entgql.QueryField("people").Description("People of the organizations."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
