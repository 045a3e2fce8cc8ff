package graph_test

import (
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent/feedback"
	"github.com/rencontre/rencontre/ent/followup"
	"github.com/rencontre/rencontre/ent/predicate"
	"github.com/rencontre/rencontre/ent/touchpoint"
	"github.com/rencontre/rencontre/internal/testenv"
)

// feedbackOf selects the feedback of a person about a meeting.
func feedbackOf(meetingID, personID int) []predicate.Feedback {
	return []predicate.Feedback{feedback.MeetingID(meetingID), feedback.PersonID(personID)}
}

const followUpFields = `id organizationID meetingID ownerID objectiveID title status dueDate doneAt
	concerns { totalCount edges { node { id } } }`

type followUpObj struct {
	ID, OrganizationID, MeetingID, OwnerID, Title, Status string
	ObjectiveID, DueDate, DoneAt                          *string
	Concerns                                              struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
	}
}

var (
	followUpCreate = createMutation("followUpCreate", "CreateFollowUpInput", "followUp", followUpFields)
	followUpUpdate = updateMutation("followUpUpdate", "UpdateFollowUpInput", "followUp", followUpFields)
)

func TestFollowUp(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()

	var id int
	t.Run("followUpCreate takes the organization of the meeting", func(t *testing.T) {
		fu := succeed[followUpObj](t, a, followUpCreate, client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "ownerID": gid(f.ana.ID), "objectiveID": gid(f.objective.ID),
			"title": "Send the slides", "dueDate": "2030-03-12T17:00:00Z", "concernIDs": gids(f.ben.ID),
		}))
		if fu.OrganizationID != gid(f.org.ID) || fu.MeetingID != gid(f.meeting.ID) || fu.OwnerID != gid(f.ana.ID) ||
			fu.ObjectiveID == nil || *fu.ObjectiveID != gid(f.objective.ID) || fu.Title != "Send the slides" ||
			fu.Status != "OPEN" || fu.DoneAt != nil || fu.DueDate == nil || fu.Concerns.TotalCount != 1 ||
			fu.Concerns.Edges[0].Node.ID != gid(f.ben.ID) {
			t.Fatalf("follow-up = %+v", fu)
		}
		id = atoi(t, fu.ID)
		got := a.ent.FollowUp.Query().Where(followup.ID(id)).WithConcerns().OnlyX(ctx)
		if got.OrganizationID != f.org.ID || got.OwnerID != f.ana.ID || got.Status != followup.StatusOpen ||
			got.DoneAt != nil || len(got.Edges.Concerns) != 1 || got.Edges.Concerns[0].ID != f.ben.ID {
			t.Fatalf("stored follow-up = %+v", got)
		}
	})
	t.Run("followUpUpdate to DONE sets doneAt", func(t *testing.T) {
		fu := succeed[followUpObj](t, a, followUpUpdate, client.Var("id", gid(id)), client.Var("input", map[string]any{
			"status": "DONE", "ownerID": gid(f.ben.ID), "clearConcerns": true,
		}))
		if fu.Status != "DONE" || fu.DoneAt == nil || fu.OwnerID != gid(f.ben.ID) || fu.Concerns.TotalCount != 0 {
			t.Fatalf("follow-up = %+v", fu)
		}
		got := a.ent.FollowUp.Query().Where(followup.ID(id)).WithConcerns().OnlyX(ctx)
		if got.Status != followup.StatusDone || got.DoneAt == nil || got.OwnerID != f.ben.ID || len(got.Edges.Concerns) != 0 {
			t.Fatalf("stored follow-up = %+v", got)
		}
	})
	t.Run("followUpUpdate back to OPEN clears doneAt", func(t *testing.T) {
		fu := succeed[followUpObj](t, a, followUpUpdate, client.Var("id", gid(id)), client.Var("input", map[string]any{"status": "OPEN"}))
		if fu.Status != "OPEN" || fu.DoneAt != nil {
			t.Fatalf("follow-up = %+v", fu)
		}
		if got := a.ent.FollowUp.GetX(ctx, id); got.Status != followup.StatusOpen || got.DoneAt != nil {
			t.Fatalf("stored follow-up = %+v", got)
		}
	})
	for _, tc := range []struct {
		name     string
		mutation string
		vars     []client.Option
		want     wantError
	}{
		{"title must not be blank", followUpCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "ownerID": gid(f.ana.ID), "title": " "})},
			wantError{"title", "INVALID", []string{"title: must not be empty"}}},
		{"title must not be blank on update", followUpUpdate, []client.Option{client.Var("id", gid(id)),
			client.Var("input", map[string]any{"title": ""})},
			wantError{"title", "INVALID", []string{"title: must not be empty"}}},
		{"the meeting must exist", followUpCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(missingID), "ownerID": gid(f.ana.ID), "title": "Call back"})},
			wantError{"meetingID", "NOT_FOUND", []string{"meetingID: no meeting with ID " + gid(missingID)}}},
		{"a concerned person that does not exist creates no follow-up", followUpCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "ownerID": gid(f.ana.ID), "title": "Call back", "concernIDs": gids(f.ben.ID, missingID)})},
			wantError{"concernIDs", "NOT_FOUND", []string{"concernIDs: no record with ID " + gid(missingID) + " in this organization"}}},
		{"an unknown follow-up is not found", followUpUpdate, []client.Option{client.Var("id", gid(missingID)),
			client.Var("input", map[string]any{"status": "DONE"})},
			wantError{"id", "NOT_FOUND", []string{"id: no follow-up with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, tc.mutation, tc.want, tc.vars...)
		})
	}
}

const feedbackFields = `id organizationID meetingID personID rating comment`

type feedbackObj struct {
	ID, OrganizationID, MeetingID, PersonID string
	Rating                                  int
	Comment                                 *string
}

var (
	feedbackCreate = createMutation("feedbackCreate", "CreateFeedbackInput", "feedback", feedbackFields)
	feedbackUpdate = updateMutation("feedbackUpdate", "UpdateFeedbackInput", "feedback", feedbackFields)
)

func TestFeedback(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	future := a.ent.Meeting.Create().SetOrganization(f.org).SetTitle("Next year").SetTimeZone("UTC").
		SetStartsAt(time.Now().AddDate(1, 0, 0)).SetEndsAt(time.Now().AddDate(1, 0, 0).Add(time.Hour)).SaveX(ctx)
	participate(t, a.ent, future, f.ana)
	f.meeting = happeningNow(t, a.ent, f.meeting)
	participate(t, a.ent, f.meeting, f.ana, f.ben)
	checkedIn(t, a.ent, f.meeting, f.ana, f.ben)
	cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example") // not invited
	dora := addPerson(t, a.ent, f.org, "Dora", "dora@acme.example") // invited, not checked in
	participate(t, a.ent, f.meeting, dora)

	var id int
	t.Run("feedbackCreate records a participant's rating", func(t *testing.T) {
		fb := succeed[feedbackObj](t, a, feedbackCreate, client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personID": gid(f.ana.ID), "rating": 4, "comment": "Good talks",
		}))
		if fb.OrganizationID != gid(f.org.ID) || fb.MeetingID != gid(f.meeting.ID) || fb.PersonID != gid(f.ana.ID) ||
			fb.Rating != 4 || fb.Comment == nil || *fb.Comment != "Good talks" {
			t.Fatalf("feedback = %+v", fb)
		}
		id = atoi(t, fb.ID)
		got := a.ent.Feedback.Query().Where(feedbackOf(f.meeting.ID, f.ana.ID)...).OnlyX(ctx)
		if got.ID != id || got.Rating != 4 || str(got.Comment) != "Good talks" || got.OrganizationID != f.org.ID {
			t.Fatalf("stored feedback = %+v", got)
		}
	})
	t.Run("feedbackUpdate changes the fields given", func(t *testing.T) {
		fb := succeed[feedbackObj](t, a, feedbackUpdate, client.Var("id", gid(id)),
			client.Var("input", map[string]any{"rating": 5, "clearComment": true}))
		if fb.Rating != 5 || (fb.Comment != nil && *fb.Comment != "") || fb.PersonID != gid(f.ana.ID) {
			t.Fatalf("feedback = %+v", fb)
		}
		if got := a.ent.Feedback.GetX(ctx, id); got.Rating != 5 || str(got.Comment) != "" {
			t.Fatalf("stored feedback = %+v", got)
		}
	})
	for _, tc := range []struct {
		name     string
		mutation string
		vars     []client.Option
		want     wantError
	}{
		{"rating is at least 1", feedbackCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personID": gid(f.ben.ID), "rating": 0})},
			wantError{"rating", "INVALID", []string{"rating: must be between 1 and 5, got 0"}}},
		{"rating is at most 5", feedbackCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personID": gid(f.ben.ID), "rating": 6})},
			wantError{"rating", "INVALID", []string{"rating: must be between 1 and 5, got 6"}}},
		{"rating is checked on update", feedbackUpdate, []client.Option{client.Var("id", gid(id)),
			client.Var("input", map[string]any{"rating": -1})},
			wantError{"rating", "INVALID", []string{"rating: must be between 1 and 5, got -1"}}},
		{"only a participant of the meeting gives feedback", feedbackCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personID": gid(cleo.ID), "rating": 3})},
			wantError{"personID", "CONFLICT", []string{"personID: person " + gid(cleo.ID) + " has not checked in at meeting " + gid(f.meeting.ID)}}},
		{"only a participant who checked in gives feedback", feedbackCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personID": gid(dora.ID), "rating": 3})},
			wantError{"personID", "CONFLICT", []string{"personID: person " + gid(dora.ID) + " has not checked in at meeting " + gid(f.meeting.ID)}}},
		{"feedback waits for the meeting to start", feedbackCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(future.ID), "personID": gid(f.ana.ID), "rating": 3})},
			wantError{"meetingID", "CONFLICT", []string{"meetingID: meeting " + gid(future.ID) + " has not started yet"}}},
		{"comment is at most 5000 characters", feedbackCreate, []client.Option{client.Var("input", map[string]any{
			"meetingID": gid(f.meeting.ID), "personID": gid(f.ben.ID), "rating": 3, "comment": strings.Repeat("a", 5001)})},
			wantError{"comment", "INVALID", []string{"comment: must be at most 5000 characters"}}},
		{"an unknown feedback is not found", feedbackUpdate, []client.Option{client.Var("id", gid(missingID)),
			client.Var("input", map[string]any{"rating": 3})},
			wantError{"id", "NOT_FOUND", []string{"id: no feedback with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, tc.mutation, tc.want, tc.vars...)
		})
	}
	t.Run("a second feedback of the same person updates the first", func(t *testing.T) {
		var rsp struct {
			FeedbackCreate struct {
				Feedback struct {
					ID     string
					Rating int
				}
				Updated    bool
				UserErrors []userError
			}
		}
		post(t, a, `mutation($in: CreateFeedbackInput!) { feedbackCreate(input: $in) { feedback { id rating } updated userErrors { field message code } } }`,
			&rsp, client.Var("in", map[string]any{"meetingID": gid(f.meeting.ID), "personID": gid(f.ana.ID), "rating": 2}))
		r := rsp.FeedbackCreate
		if len(r.UserErrors) > 0 || !r.Updated || r.Feedback.ID != gid(id) || r.Feedback.Rating != 2 {
			t.Fatalf("second feedback = %+v, want feedback %d updated to 2", r, id)
		}
		var sum struct {
			Node struct {
				FeedbackSummary struct {
					Count         int
					AverageRating *float64
				}
			}
		}
		post(t, a, `query($id: ID!) { node(id: $id) { ... on Meeting { feedbackSummary { count averageRating } } } }`, &sum, client.Var("id", gid(f.meeting.ID)))
		if s := sum.Node.FeedbackSummary; s.Count != 1 || s.AverageRating == nil || *s.AverageRating != 2 {
			t.Fatalf("feedbackSummary = %+v", s)
		}
	})
}

const touchpointFields = `id organizationID personID meetingID channel phase occurredAt note`

type touchpointObj struct {
	ID, OrganizationID, PersonID, Channel, OccurredAt string
	MeetingID, Phase, Note                            *string
}

var (
	touchpointCreate = createMutation("touchpointCreate", "CreateTouchpointInput", "touchpoint", touchpointFields)
	touchpointUpdate = updateMutation("touchpointUpdate", "UpdateTouchpointInput", "touchpoint", touchpointFields)
)

func TestTouchpoint(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()

	var id int
	t.Run("touchpointCreate takes the organization of the person", func(t *testing.T) {
		tp := succeed[touchpointObj](t, a, touchpointCreate, client.Var("input", map[string]any{
			"personID": gid(f.ana.ID), "meetingID": gid(f.meeting.ID), "channel": "EMAIL", "phase": "BEFORE",
			"occurredAt": "2030-02-20T10:00:00Z", "note": "Sent the invitation",
		}))
		if tp.OrganizationID != gid(f.org.ID) || tp.PersonID != gid(f.ana.ID) || tp.MeetingID == nil || *tp.MeetingID != gid(f.meeting.ID) ||
			tp.Channel != "EMAIL" || tp.Phase == nil || *tp.Phase != "BEFORE" || tp.Note == nil || *tp.Note != "Sent the invitation" ||
			!parseTime(t, tp.OccurredAt).Equal(mustParse("2030-02-20T10:00:00Z")) {
			t.Fatalf("touchpoint = %+v", tp)
		}
		id = atoi(t, tp.ID)
		got := a.ent.Touchpoint.GetX(ctx, id)
		if got.OrganizationID != f.org.ID || got.PersonID != f.ana.ID || got.MeetingID == nil || *got.MeetingID != f.meeting.ID ||
			got.Channel != touchpoint.ChannelEmail || !got.OccurredAt.Equal(mustParse("2030-02-20T10:00:00Z")) {
			t.Fatalf("stored touchpoint = %+v", got)
		}
	})
	t.Run("touchpointUpdate changes the fields given", func(t *testing.T) {
		tp := succeed[touchpointObj](t, a, touchpointUpdate, client.Var("id", gid(id)), client.Var("input", map[string]any{
			"channel": "PHONE", "clearPhase": true, "note": "Called instead", "clearMeeting": true,
		}))
		if tp.Channel != "PHONE" || tp.Phase != nil || tp.MeetingID != nil || tp.Note == nil || *tp.Note != "Called instead" {
			t.Fatalf("touchpoint = %+v", tp)
		}
		got := a.ent.Touchpoint.GetX(ctx, id)
		if got.Channel != touchpoint.ChannelPhone || got.Phase != nil || got.MeetingID != nil || str(got.Note) != "Called instead" {
			t.Fatalf("stored touchpoint = %+v", got)
		}
	})
	for _, tc := range []struct {
		name     string
		mutation string
		vars     []client.Option
		want     wantError
	}{
		{"the person must exist", touchpointCreate, []client.Option{client.Var("input", map[string]any{
			"personID": gid(missingID), "channel": "EMAIL"})},
			wantError{"personID", "NOT_FOUND", []string{"personID: no person with ID " + gid(missingID)}}},
		{"note is at most 5000 characters", touchpointCreate, []client.Option{client.Var("input", map[string]any{
			"personID": gid(f.ana.ID), "channel": "EMAIL", "note": strings.Repeat("n", 5001)})},
			wantError{"note", "INVALID", []string{"note: must be at most 5000 characters"}}},
		{"note is at most 5000 characters on update", touchpointUpdate, []client.Option{client.Var("id", gid(id)),
			client.Var("input", map[string]any{"note": strings.Repeat("n", 5001)})},
			wantError{"note", "INVALID", []string{"note: must be at most 5000 characters"}}},
		{"an unknown touchpoint is not found", touchpointUpdate, []client.Option{client.Var("id", gid(missingID)),
			client.Var("input", map[string]any{"channel": "MAIL"})},
			wantError{"id", "NOT_FOUND", []string{"id: no touchpoint with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, tc.mutation, tc.want, tc.vars...)
		})
	}
}
