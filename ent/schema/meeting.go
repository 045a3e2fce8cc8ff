package schema

import (
	"context"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	gen "github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/hook"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/organization"
	"github.com/rencontre/rencontre/internal/money"
	"github.com/rencontre/rencontre/internal/network/seating"
	"github.com/rencontre/rencontre/internal/validation"
)

// Meeting is a face-to-face gathering: what, where, when (in an IANA time zone),
// for how many, for whom, and the objectives it serves.
type Meeting struct {
	ent.Schema
}

// Mixin of the Meeting.
func (Meeting) Mixin() []ent.Mixin {
	return []ent.Mixin{TenantMixin{}, TimeMixin{}}
}

// Fields of the Meeting.
func (Meeting) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			Validate(validation.Title).
			Comment("Title of the meeting.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("description").
			Optional().
			Nillable().
			Validate(validation.MaxLen(10000)).
			Comment("What the meeting is about, for the invitees."),
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
			Comment("The kind of gathering.").
			Annotations(entgql.OrderField("FORMAT")),
		field.String("venue_name").
			Optional().
			Nillable().
			Validate(validation.MaxLen(200)).
			Comment("Name of the venue."),
		field.String("venue_address").
			Optional().
			Nillable().
			Validate(validation.MaxLen(500)).
			Comment("Postal address of the venue."),
		// startsAt and endsAt are declared on the GraphQL type by hand
		// (schema/meetings.graphql) to be shown in the meeting's time zone.
		field.Time("starts_at").
			Comment("When the meeting starts (RFC 3339 with offset).").
			Annotations(entgql.OrderField("STARTS_AT"), entgql.Skip(entgql.SkipType)),
		field.Time("ends_at").
			Comment("When the meeting ends; must be after startsAt.").
			Annotations(entgql.OrderField("ENDS_AT"), entgql.Skip(entgql.SkipType)),
		field.String("time_zone").
			Validate(validation.TimeZone).
			Comment("IANA time zone of the venue, such as `Europe/Paris`; local times are shown in it."),
		field.Int("capacity").
			Optional().
			Nillable().
			Validate(validation.Positive).
			Comment("How many people may come: the number of ACCEPTED participations (hosts and speakers included unless capacityIncludesHosts is false). Accepting a full meeting puts the person on the waiting list; a larger capacity promotes the first on it. Null means no limit.").
			Annotations(entgql.OrderField("CAPACITY")),
		field.Enum("visibility").
			NamedValues(
				"Open", "OPEN",
				"InviteOnly", "INVITE_ONLY",
				"Vip", "VIP",
			).
			Default("OPEN").
			Comment("Who may take part: anyone (OPEN), invited people only (INVITE_ONLY), or an exclusive VIP guest list (VIP).").
			Annotations(entgql.OrderField("VISIBILITY")),
		field.Enum("status").
			NamedValues(
				"Draft", "DRAFT",
				"Scheduled", "SCHEDULED",
				"Done", "DONE",
				"Cancelled", "CANCELLED",
			).
			Default("DRAFT").
			Comment("Where the meeting stands in its life.").
			Annotations(entgql.OrderField("STATUS")),
		field.Int64("budget_amount").
			GoType(money.Amount(0)).
			Optional().
			Nillable().
			Comment("Budget of the meeting, what it costs, in budgetCurrency: an exact decimal (`\"1234.50\"`), never negative, with no more decimals than the currency's minor unit. Reports add budgets up as its cost.").
			Annotations(entgql.Type("Decimal"), entgql.OrderField("BUDGET_AMOUNT")),
		field.String("budget_currency").
			Optional().
			Nillable().
			Validate(validation.Currency).
			Comment("ISO 4217 code of the budget's currency, such as `EUR`; the organization's currency when a budget is given without one."),
		field.Time("cancelled_at").
			Optional().
			Nillable().
			Comment("When the meeting was cancelled.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("cancellation_reason").
			Optional().
			Nillable().
			Validate(validation.MaxLen(2000)).
			Comment("Why the meeting was cancelled.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Bool("capacity_includes_hosts").
			Default(true).
			Comment("Whether accepted hosts and speakers take places of the capacity; true by default. When false, they always have a place and the capacity counts the other roles only."),
		field.Int("check_in_opens_before").
			Default(120).
			Validate(checkInMinutes).
			Comment("How many minutes before startsAt check-in opens; 120 by default, at most 10080 (a week)."),
		field.Int("check_in_closes_after").
			Default(120).
			Validate(checkInMinutes).
			Comment("How many minutes after endsAt check-in stays open (a grace period to check in late arrivals and correct mistakes); 120 by default, at most 10080 (a week)."),
		field.Int("series_id").
			Optional().
			Nillable().
			Comment("The series this meeting is an occurrence of.").
			Annotations(entgql.Type("ID"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// occurrenceStart is declared on the GraphQL type by hand, in the
		// meeting's time zone.
		field.Time("occurrence_start").
			Optional().
			Nillable().
			Comment("The start the series' rule gave this occurrence: it stays when the occurrence is moved on its own, and follows the series' rule otherwise.").
			Annotations(entgql.Skip(entgql.SkipType, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Bool("overridden").
			Default(false).
			Comment("Whether this occurrence was changed on its own (meetingUpdate, meetingCancel): series edits then leave it alone.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.JSON("seating_plan", &seating.Saved{}).
			Optional().
			Comment("The seating plan recorded by meetingSeatingPlanSave: people per table and round.").
			Annotations(entgql.Skip()),
		field.Int("sequence").
			Default(0).
			Comment("Revision of the meeting, raised by each change (the SEQUENCE of calendar feeds).").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
	}
}

// checkInMinutes bounds the minutes of a check-in window's margins.
func checkInMinutes(n int) error {
	if n < 0 || n > 7*24*60 {
		return fmt.Errorf("must be between 0 and 10080 minutes, got %d", n)
	}
	return nil
}

// Edges of the Meeting.
func (Meeting) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("objectives", Objective.Type).
			Comment("Objectives the meeting serves.").
			Annotations(entgql.RelayConnection()),
		edge.To("series", Series.Type).Field("series_id").Unique().
			Comment("The series this meeting is an occurrence of.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("agenda_items", AgendaItem.Type).Ref("meeting").
			Comment("The agenda, in order of start.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("participations", Participation.Type).Ref("meeting").
			Comment("Invitations, answers and check-ins of the meeting.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("encounters", Encounter.Type).Ref("meeting").
			Comment("Who met whom at the meeting.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("follow_ups", FollowUp.Type).Ref("meeting").
			Comment("Actions decided at or after the meeting.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("feedbacks", Feedback.Type).Ref("meeting").
			Comment("Ratings and comments of participants.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.From("touchpoints", Touchpoint.Type).Ref("meeting").
			Comment("Contacts made about the meeting.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of the Meeting.
func (Meeting) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "starts_at"),
		index.Fields("series_id", "occurrence_start").Unique(),
	}
}

// Hooks of the Meeting: the end comes after the start, and a budget amount comes
// with its currency, whichever fields a mutation changes.
func (Meeting) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(func(next ent.Mutator) ent.Mutator {
			return hook.MeetingFunc(func(ctx context.Context, m *gen.MeetingMutation) (ent.Value, error) {
				if err := checkMeetingStatus(ctx, m); err != nil {
					return nil, err
				}
				if err := checkMeetingTimes(ctx, m); err != nil {
					return nil, err
				}
				if err := checkMeetingBudget(ctx, m); err != nil {
					return nil, err
				}
				if m.Op().Is(ent.OpUpdateOne) {
					if _, set := m.Sequence(); !set {
						m.AddSequence(1) // every change is a new revision for calendars
					}
				}
				return next.Mutate(ctx, m)
			})
		}, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}

// checkMeetingStatus keeps cancellation to planning.Cancel (which records when
// and why), keeps DONE for meetings that have ended, and freezes a cancelled
// meeting.
func checkMeetingStatus(ctx context.Context, m *gen.MeetingMutation) error {
	if s, ok := m.Status(); ok && s == meeting.StatusCancelled {
		if _, stamped := m.CancelledAt(); !stamped {
			return validation.Invalid("status", "CANCELLED is set by cancelling the meeting, which records when and why")
		}
	}
	if err := checkMeetingDone(ctx, m); err != nil {
		return err
	}
	if !m.Op().Is(ent.OpUpdateOne) {
		return nil
	}
	old, err := m.OldStatus(ctx)
	if gen.IsNotFound(err) {
		return nil // the update reports the missing meeting
	}
	if err != nil {
		return fmt.Errorf("loading meeting status: %w", err)
	}
	if old == meeting.StatusCancelled && !onlySeriesBookkeeping(m) {
		id, _ := m.ID()
		return &validation.Error{Field: "id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("meeting %d is cancelled and can no longer be changed", id)}
	}
	return nil
}

// onlySeriesBookkeeping reports a change of a meeting's place in its series
// only (its occurrenceStart, series and revision), which a cancelled
// occurrence still follows when its series changes.
func onlySeriesBookkeeping(m *gen.MeetingMutation) bool {
	for _, f := range m.Fields() {
		switch f {
		case meeting.FieldOccurrenceStart, meeting.FieldSeriesID, meeting.FieldSequence, meeting.FieldUpdatedAt:
		default:
			return false
		}
	}
	for _, f := range m.AddedFields() {
		if f != meeting.FieldSequence {
			return false
		}
	}
	return len(m.ClearedFields()) == 0
}

// nowKey is the context key of the time the hooks take as now.
type nowKey struct{}

// WithNow returns a context in which the model's hooks take now as the
// current time, to load records as of another date (the demo data, tests);
// without it they use the wall clock.
func WithNow(ctx context.Context, now time.Time) context.Context {
	return context.WithValue(ctx, nowKey{}, now)
}

// Now is the current time for the model's hooks: the one given by WithNow,
// or else the wall clock.
func Now(ctx context.Context) time.Time {
	if now, ok := ctx.Value(nowKey{}).(time.Time); ok {
		return now
	}
	return time.Now()
}

// checkMeetingDone refuses DONE for a meeting that has not ended yet (the
// end given by the mutation, or else the stored one), and moving the end of a
// DONE meeting into the future. The clock is the wall clock: a hook has no
// other, unless the context carries one (WithNow).
func checkMeetingDone(ctx context.Context, m *gen.MeetingMutation) error {
	status, hasStatus := m.Status()
	end, hasEnd := m.EndsAt()
	if !hasStatus && !hasEnd {
		return nil
	}
	if !hasStatus {
		if !m.Op().Is(ent.OpUpdateOne) {
			return nil
		}
		old, err := m.OldStatus(ctx)
		if err != nil {
			return nil // the update reports a missing meeting
		}
		status = old
	}
	if status != meeting.StatusDone {
		return nil
	}
	if !hasEnd {
		if !m.Op().Is(ent.OpUpdateOne) {
			return nil
		}
		old, err := m.OldEndsAt(ctx)
		if err != nil {
			return nil
		}
		end = old
	}
	if now := Now(ctx); end.After(now) {
		return &validation.Error{Field: "status", Code: validation.CodeConflict,
			Message: fmt.Sprintf("DONE only after the meeting has ended: it ends at %s", end.Format(time.RFC3339))}
	}
	return nil
}

func checkMeetingTimes(ctx context.Context, m *gen.MeetingMutation) error {
	start, hasStart := m.StartsAt()
	end, hasEnd := m.EndsAt()
	if !hasStart && !hasEnd {
		return nil
	}
	switch {
	case m.Op().Is(ent.OpUpdate) && hasStart != hasEnd:
		return validation.Invalid("ends_at", "the start and the end must be changed together when updating several meetings")
	case m.Op().Is(ent.OpUpdateOne) && !hasStart:
		old, err := m.OldStartsAt(ctx)
		if err != nil {
			return fmt.Errorf("loading meeting start: %w", err)
		}
		start = old
	case m.Op().Is(ent.OpUpdateOne) && !hasEnd:
		old, err := m.OldEndsAt(ctx)
		if err != nil {
			return fmt.Errorf("loading meeting end: %w", err)
		}
		end = old
	}
	if !end.After(start) {
		return validation.Invalid("ends_at", "must be after the start (%s is not after %s)",
			end.Format(time.RFC3339), start.Format(time.RFC3339))
	}
	return nil
}

// checkMeetingBudget: a budget is never negative, is in the organization's
// currency unless another is given, and has no more decimals than its
// currency's minor unit.
func checkMeetingBudget(ctx context.Context, m *gen.MeetingMutation) error {
	amount, hasAmount := m.BudgetAmount()
	code, hasCurrency := m.BudgetCurrency()
	if !hasAmount && !hasCurrency {
		return nil
	}
	if hasAmount && amount < 0 {
		return validation.Invalid("budget_amount", "must not be negative, got %s", amount)
	}
	if hasAmount && amount > money.Max {
		return validation.Invalid("budget_amount", "must be at most %s, got %s", money.Max, amount)
	}
	if m.Op().Is(ent.OpUpdateOne) {
		if !hasAmount {
			old, err := m.OldBudgetAmount(ctx)
			if err != nil {
				return fmt.Errorf("loading the meeting's budget: %w", err)
			}
			if old == nil {
				return nil
			}
			amount, hasAmount = *old, true
		}
		if !hasCurrency {
			old, err := m.OldBudgetCurrency(ctx)
			if err != nil {
				return fmt.Errorf("loading the meeting's budget: %w", err)
			}
			if old != nil {
				code, hasCurrency = *old, true
			}
		}
	}
	if !hasAmount {
		return nil
	}
	if !hasCurrency {
		org, ok := m.OrganizationID()
		if !ok && m.Op().Is(ent.OpUpdateOne) {
			old, err := m.OldOrganizationID(ctx)
			if err != nil {
				return fmt.Errorf("loading the meeting's organization: %w", err)
			}
			org, ok = old, true
		}
		if !ok {
			return validation.Invalid("budget_currency", "is required with a budget amount")
		}
		c, err := m.Client().Organization.Query().Where(organization.ID(org)).Select(organization.FieldCurrency).String(ctx)
		if err != nil {
			return fmt.Errorf("loading the organization's currency: %w", err)
		}
		code = c
		m.SetBudgetCurrency(code)
	}
	if err := amount.FitsCurrency(code); err != nil {
		if _, given := m.BudgetAmount(); !given {
			return validation.Invalid("budget_currency", "%v: give the budget again in %s", err, code)
		}
		return validation.Invalid("budget_amount", "%v", err)
	}
	return nil
}

// Annotations of the Meeting.
func (Meeting) Annotations() []schema.Annotation {
	return []schema.Annotation{
		// startsAt and endsAt are shown in the meeting's time zone (graph/meetings.resolvers.go).
		ResolverColumns{"startsAt": {"starts_at", "time_zone"}, "endsAt": {"ends_at", "time_zone"}},
		schema.Comment("A face-to-face gathering: what, where, when (in an IANA time zone), for how many, for whom, and the objectives it serves."),
		entgql.RelayConnection(),
		entgql.QueryField().Description("Face-to-face meetings."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.MultiOrder(),
	}
}
