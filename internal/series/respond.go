package series

import (
	"context"
	"fmt"
	"time"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/ent/community"
	"github.com/rencontre/rencontre/ent/meeting"
	"github.com/rencontre/rencontre/ent/participation"
	"github.com/rencontre/rencontre/ent/person"
	entseries "github.com/rencontre/rencontre/ent/series"
	"github.com/rencontre/rencontre/ent/seriesanswer"
	"github.com/rencontre/rencontre/internal/planning"
	"github.com/rencontre/rencontre/internal/tenant"
	"github.com/rencontre/rencontre/internal/validation"
)

// Answer is what Respond did.
type Answer struct {
	Series *ent.Series
	// Participations are the person's participations in the current and
	// future occurrences, after the answer (WAITLISTED where an occurrence
	// was full).
	Participations []*ent.Participation
}

// Respond records a person's answer for the whole series and applies it to
// its current and future occurrences that are not cancelled; occurrences
// created later get it too. Each occurrence may still be answered on its own
// afterwards. An INVITE_ONLY or VIP series takes answers from its invitees
// only (people named, members of its communities, or people invited to one
// of its occurrences).
func Respond(ctx context.Context, c *ent.Client, seriesID, personID int, answer seriesanswer.Answer, now time.Time) (*Answer, error) {
	if err := seriesanswer.AnswerValidator(answer); err != nil {
		return nil, validation.Invalid("answer", "%q is not ACCEPTED, TENTATIVE or DECLINED", answer)
	}
	s, err := lockSeries(ctx, c, seriesID)
	if err != nil {
		return nil, validation.NotFound("series_id", "no series with ID %d", seriesID)
	}
	if s.Status == entseries.StatusCancelled {
		return nil, &validation.Error{Field: "series_id", Code: validation.CodeConflict,
			Message: fmt.Sprintf("series %d is cancelled", s.ID)}
	}
	if _, err := tenant.Person(ctx, c, s.OrganizationID, personID, "person_id"); err != nil {
		return nil, err
	}
	if s.Visibility != entseries.VisibilityOpen {
		invited, err := isInvitee(ctx, c, s, personID)
		if err != nil {
			return nil, err
		}
		if !invited {
			return nil, &validation.Error{Field: "person_id", Code: validation.CodeConflict,
				Message: fmt.Sprintf("series %d is %s: person %d is not invited to it", s.ID, s.Visibility, personID)}
		}
	}
	err = c.SeriesAnswer.Create().
		SetOrganizationID(s.OrganizationID).
		SetSeriesID(s.ID).
		SetPersonID(personID).
		SetAnswer(answer).
		SetRespondedAt(now).
		OnConflictColumns(seriesanswer.FieldSeriesID, seriesanswer.FieldPersonID).
		Update(func(u *ent.SeriesAnswerUpsert) { u.UpdateAnswer().UpdateRespondedAt().UpdateUpdatedAt() }).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("recording the answer: %w", err)
	}
	meetings, err := c.Meeting.Query().Where(meeting.SeriesID(s.ID), meeting.EndsAtGT(now),
		meeting.StatusNEQ(meeting.StatusCancelled)).Order(meeting.ByStartsAt()).IDs(ctx)
	if err != nil {
		return nil, err
	}
	out := &Answer{Series: s, Participations: []*ent.Participation{}}
	for _, mid := range meetings {
		p, err := c.Participation.Query().Where(participation.MeetingID(mid), participation.PersonID(personID)).Only(ctx)
		switch {
		case ent.IsNotFound(err):
			res, err := planning.Invite(ctx, c, planning.Invitation{MeetingID: mid, PersonIDs: []int{personID}})
			if err != nil {
				return nil, err
			}
			p = res.Invited[0]
		case err != nil:
			return nil, err
		case p.Status == participation.StatusCancelled:
			continue // uninvited from this occurrence by a planner
		}
		ch, err := planning.Respond(ctx, c, p.ID, participation.Status(answer))
		if err != nil {
			return nil, fmt.Errorf("answering occurrence %d: %w", mid, err)
		}
		out.Participations = append(out.Participations, ch.Participation)
	}
	return out, nil
}

// isInvitee says whether person is invited to s: named, a member of one of
// its communities, or invited to one of its occurrences.
func isInvitee(ctx context.Context, c *ent.Client, s *ent.Series, personID int) (bool, error) {
	if ok, err := s.QueryInvitees().Where(person.ID(personID)).Exist(ctx); err != nil || ok {
		return ok, err
	}
	if ok, err := s.QueryInviteeCommunities().Where(community.HasMembersWith(person.ID(personID))).Exist(ctx); err != nil || ok {
		return ok, err
	}
	return c.Participation.Query().Where(participation.PersonID(personID),
		participation.StatusNEQ(participation.StatusCancelled),
		participation.HasMeetingWith(meeting.SeriesID(s.ID))).Exist(ctx)
}
