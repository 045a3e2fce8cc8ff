package graph_test

import (
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/rencontre/rencontre/internal/testenv"
)

const meetingCreate = `mutation($input: CreateMeetingInput!) {
	meetingCreate(input: $input) {
		meeting { id title timeZone status objectives { totalCount } }
		userErrors { field message code }
	}
}`

type meetingCreateResponse struct {
	MeetingCreate struct {
		Meeting *struct {
			ID         string
			Title      string
			TimeZone   string
			Status     string
			Objectives struct{ TotalCount int }
		}
		UserErrors []userError
	}
}

func TestMeetingCreate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	base := func() map[string]any {
		return map[string]any{
			"title":        "Kick-off",
			"startsAt":     "2030-04-01T09:00:00+02:00",
			"endsAt":       "2030-04-01T17:00:00+02:00",
			"timeZone":     "Europe/Paris",
			"objectiveIDs": []string{strconv.Itoa(f.objective.ID)},
		}
	}
	t.Run("creates the meeting with its objectives", func(t *testing.T) {
		var rsp meetingCreateResponse
		a.MustPost(meetingCreate, &rsp, client.Var("input", base()))
		if len(rsp.MeetingCreate.UserErrors) != 0 {
			t.Fatalf("userErrors: %+v", rsp.MeetingCreate.UserErrors)
		}
		m := rsp.MeetingCreate.Meeting
		if m == nil || m.Title != "Kick-off" || m.Status != "DRAFT" || m.Objectives.TotalCount != 1 {
			t.Fatalf("meeting = %+v", m)
		}
	})
	for _, tc := range []struct {
		name    string
		change  func(map[string]any)
		field   string
		message string
	}{
		{"endsAt must be after startsAt", func(in map[string]any) { in["endsAt"] = "2030-04-01T08:00:00+02:00" }, "endsAt", "endsAt: must be after the start (2030-04-01T08:00:00+02:00 is not after 2030-04-01T09:00:00+02:00)"},
		{"timeZone must be an IANA zone", func(in map[string]any) { in["timeZone"] = "Europe/Pariss" }, "timeZone", `timeZone: "Europe/Pariss" is not an IANA time zone`},
		{"capacity is at least 1", func(in map[string]any) { in["capacity"] = 0 }, "capacity", "capacity: must be at least 1"},
		{"title is not blank", func(in map[string]any) { in["title"] = "  " }, "title", "title: must not be empty"},
		{"currency is ISO 4217", func(in map[string]any) { in["budgetAmount"] = 10; in["budgetCurrency"] = "EURO" }, "budgetCurrency", `budgetCurrency: "EURO" is not an ISO 4217 currency code`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := a.ent.Meeting.Query().CountX(testenv.System())
			in := base()
			tc.change(in)
			var rsp meetingCreateResponse
			a.MustPost(meetingCreate, &rsp, client.Var("input", in))
			if rsp.MeetingCreate.Meeting != nil {
				t.Fatalf("meeting created despite %s", tc.name)
			}
			ues := rsp.MeetingCreate.UserErrors
			if len(ues) != 1 || ues[0].Field[len(ues[0].Field)-1] != tc.field || ues[0].Code != "INVALID" ||
				len(ues[0].Message) < len(tc.message) || ues[0].Message[:len(tc.message)] != tc.message {
				t.Fatalf("userErrors = %+v, want %s: %q", ues, tc.field, tc.message)
			}
			if after := a.ent.Meeting.Query().CountX(testenv.System()); after != before {
				t.Fatalf("meetings %d -> %d: the failed mutation changed data", before, after)
			}
		})
	}
}

func TestMeetingTimesAreShownInTheMeetingsTimeZone(t *testing.T) {
	a := newAPI(t)
	newFixture(t, a.ent)
	var rsp struct {
		MeetingCreate struct {
			Meeting struct{ StartsAt, EndsAt string }
		}
	}
	a.MustPost(`mutation($input: CreateMeetingInput!) { meetingCreate(input: $input) { meeting { startsAt endsAt } } }`, &rsp,
		client.Var("input", map[string]any{
			"title":    "Tokyo user group",
			"startsAt": "2030-04-01T09:00:00Z",
			"endsAt":   "2030-04-01T11:30:00Z",
			"timeZone": "Asia/Tokyo",
		}))
	if got := rsp.MeetingCreate.Meeting; got.StartsAt != "2030-04-01T18:00:00+09:00" || got.EndsAt != "2030-04-01T20:30:00+09:00" {
		t.Fatalf("startsAt, endsAt = %s, %s; want them in Asia/Tokyo", got.StartsAt, got.EndsAt)
	}
	var q struct {
		Meetings struct {
			Edges []struct{ Node struct{ StartsAt string } }
		}
	}
	a.MustPost(`{ meetings(where: {timeZone: "Asia/Tokyo"}) { edges { node { startsAt } } } }`, &q)
	if len(q.Meetings.Edges) != 1 || q.Meetings.Edges[0].Node.StartsAt != "2030-04-01T18:00:00+09:00" {
		t.Fatalf("read back: %+v", q.Meetings.Edges)
	}
}
