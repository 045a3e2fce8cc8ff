package graph_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/internal/testenv"
)

// camelCase is an identifier in GraphQL's style (endsAt, personBID): the
// layers below graph never write one in a message.
var camelCase = regexp.MustCompile(`\b[a-z]+[A-Z][A-Za-z]*\b`)

// TestUserErrorsNameTheirInputField checks, for one refusal of every layer
// below graph (ent validators, ent hooks, internal/planning, network,
// directory, tenant and auth), that graph attaches the GraphQL name once: the
// path ends with the input field's GraphQL name, the message starts with that
// name and a colon, and the rest of the message names no GraphQL identifier.
func TestUserErrorsNameTheirInputField(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	_, gus := otherOrg(t, a.ent)
	cleo := addPerson(t, a.ent, f.org, "Cleo", "cleo@acme.example")
	participate(t, a.ent, f.meeting, f.ana, f.ben)
	cancelled := a.ent.Meeting.Create().SetOrganization(f.org).SetTitle("Called off").
		SetStartsAt(f.meeting.StartsAt).SetEndsAt(f.meeting.EndsAt).SetTimeZone("Europe/Paris").
		SaveX(testenv.System())
	succeed[meetingObj](t, a, meetingCancel, client.Var("input", map[string]any{"meetingID": gid(cancelled.ID)}))
	input := func(in map[string]any) []client.Option { return []client.Option{client.Var("input", in)} }
	update := func(id int, in map[string]any) []client.Option {
		return []client.Option{client.Var("id", gid(id)), client.Var("input", in)}
	}
	apiTokenCreate := createMutation("apiTokenCreate", "APITokenCreateInput", "token", "id")
	apiTokenRevoke := createMutation("apiTokenRevoke", "APITokenRevokeInput", "token", "id")
	membershipCreate := createMutation("membershipCreate", "MembershipCreateInput", "membership", "id")
	membershipAccept := createMutation("membershipAccept", "MembershipAcceptInput", "invitation", "id")
	meetingInvite := createMutation("meetingInvite", "MeetingInviteInput", "meeting", "id")
	encounterRecord := createMutation("encounterRecord", "EncounterRecordInput", "encounter", "id")

	for _, tc := range []struct {
		name     string
		mutation string
		vars     []client.Option
		path     []string
	}{
		// ent validators (the ent.ValidationError branch)
		{"a time zone that is not IANA", meetingUpdate, update(f.meeting.ID, map[string]any{"timeZone": "Europe/Pariss"}), []string{"input", "timeZone"}},
		{"a blank person name", personCreate, input(map[string]any{"name": " ", "email": "x@acme.example"}), []string{"input", "name"}},
		// ent hooks
		{"an end before the start", meetingUpdate, update(f.meeting.ID, map[string]any{"endsAt": "2030-03-05T08:00:00Z"}), []string{"input", "endsAt"}},
		{"a budget amount finer than its currency", meetingUpdate, update(f.meeting.ID, map[string]any{"budgetAmount": "10.001"}), []string{"input", "budgetAmount"}},
		{"a status CANCELLED set directly", meetingUpdate, update(f.meeting.ID, map[string]any{"status": "CANCELLED"}), []string{"input", "status"}},
		{"a change to a cancelled meeting", meetingUpdate, update(cancelled.ID, map[string]any{"title": "Back on"}), []string{"id"}},
		{"a purpose of another category", objectiveUpdate, update(f.objective.ID, map[string]any{"purpose": "PRODUCT_LAUNCH"}), []string{"input", "purpose"}},
		{"feedback on a meeting not started yet", feedbackCreate, input(map[string]any{"meetingID": gid(f.meeting.ID), "personID": gid(cleo.ID), "rating": 4}), []string{"input", "meetingID"}},
		{"an agenda item of a missing meeting", agendaItemCreate, input(map[string]any{"meetingID": gid(missingID), "title": "Intro", "kind": "TALK", "startsAt": "2030-03-05T09:00:00Z", "durationMinutes": 10}), []string{"input", "meetingID"}},
		{"a member of another organization", communityUpdate, update(f.team.ID, map[string]any{"addMemberIDs": gids(gus.ID)}), []string{"input", "addMemberIDs"}},
		{"a member of another organization removed", communityUpdate, update(f.team.ID, map[string]any{"removeMemberIDs": gids(gus.ID)}), []string{"input", "removeMemberIDs"}},
		{"an owner of another organization", objectiveCreate, input(map[string]any{"title": "T", "category": "NETWORKING", "purpose": "DISPERSED_TEAM", "ownerID": gid(gus.ID)}), []string{"input", "ownerID"}},
		{"a missing objective to serve", meetingUpdate, update(f.meeting.ID, map[string]any{"addObjectiveIDs": gids(missingID)}), []string{"input", "addObjectiveIDs"}},
		// internal/planning
		{"cancelling a missing meeting", meetingCancel, input(map[string]any{"meetingID": gid(missingID)}), []string{"input", "meetingID"}},
		{"cancelling twice", meetingCancel, input(map[string]any{"meetingID": gid(cancelled.ID)}), []string{"input", "meetingID"}},
		{"inviting nobody", meetingInvite, input(map[string]any{"meetingID": gid(f.meeting.ID)}), []string{"input", "personIDs"}},
		{"inviting a missing community", meetingInvite, input(map[string]any{"meetingID": gid(f.meeting.ID), "communityID": gid(missingID)}), []string{"input", "communityID"}},
		{"an inviter of another organization", meetingInvite, input(map[string]any{"meetingID": gid(f.meeting.ID), "personIDs": gids(cleo.ID), "invitedByID": gid(gus.ID)}), []string{"input", "invitedByID"}},
		{"answering a missing participation", participationRespond, input(map[string]any{"participationID": gid(missingID), "answer": "ACCEPTED"}), []string{"input", "participationID"}},
		// internal/network
		{"an encounter with oneself", encounterRecord, input(map[string]any{"meetingID": gid(f.meeting.ID), "personAID": gid(f.ana.ID), "personBID": gid(f.ana.ID), "how": "INTRODUCTION"}), []string{"input", "personBID"}},
		{"an encounter with a non-participant", encounterRecord, input(map[string]any{"meetingID": gid(f.meeting.ID), "personAID": gid(cleo.ID), "personBID": gid(f.ben.ID), "how": "INTRODUCTION"}), []string{"input", "personAID"}},
		// internal/directory and internal/tenant
		{"members of a missing community", communityAddMembers, input(map[string]any{"communityID": gid(missingID), "personIDs": gids(f.ana.ID)}), []string{"input", "communityID"}},
		{"members of another organization", communityAddMembers, input(map[string]any{"communityID": gid(f.team.ID), "personIDs": gids(gus.ID)}), []string{"input", "personIDs"}},
		// internal/auth
		{"a token that expires in the past", apiTokenCreate, input(map[string]any{"name": "old", "expiresAt": "2000-01-01T00:00:00Z"}), []string{"input", "expiresAt"}},
		{"a token for a missing account", apiTokenCreate, input(map[string]any{"name": "x", "accountID": gid(missingID)}), []string{"input", "accountID"}},
		{"revoking a missing token", apiTokenRevoke, input(map[string]any{"tokenID": gid(missingID)}), []string{"input", "tokenID"}},
		{"inviting an invalid email", membershipCreate, input(map[string]any{"email": "not an email", "role": "VIEWER"}), []string{"input", "email"}},
		{"inviting with a blank name", membershipCreate, input(map[string]any{"email": "dan@acme.example", "name": " ", "role": "VIEWER"}), []string{"input", "name"}},
		{"accepting a missing invitation", membershipAccept, input(map[string]any{"invitationID": gid(missingID)}), []string{"input", "invitationID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := run[map[string]any](t, a, tc.mutation, tc.vars...)
			if len(p.UserErrors) != 1 {
				t.Fatalf("userErrors = %+v, want one on %v", p.UserErrors, tc.path)
			}
			ue := p.UserErrors[0]
			if !slices.Equal(ue.Field, tc.path) {
				t.Fatalf("field = %v, want %v (message %q)", ue.Field, tc.path, ue.Message)
			}
			name := tc.path[len(tc.path)-1]
			rest, ok := strings.CutPrefix(ue.Message, name+": ")
			if !ok {
				t.Fatalf("message %q does not start with %q", ue.Message, name+": ")
			}
			if id := camelCase.FindString(rest); id != "" {
				t.Fatalf("message %q names %s below its field name: the layers below graph must not know GraphQL names", ue.Message, id)
			}
		})
	}
}
