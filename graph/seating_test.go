package graph_test

import (
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent/encounter"
	"github.com/rencontre/rencontre/internal/testenv"
)

const seatingFields = `rounds { number tables { number people { id } } } newPairs seatedPairs upperBound randomBaseline violations confirmedRounds`

type seatingPlanObj struct {
	Rounds []struct {
		Number int
		Tables []struct {
			Number int
			People []struct{ ID string }
		}
	}
	NewPairs, SeatedPairs, UpperBound, Violations int
	RandomBaseline                                float64
	ConfirmedRounds                               []int
}

// TestSeatingPlanSaveAndConfirm seats 16 accepted people at tables of 4 for
// 4 rounds (at most 96 new pairs), records the plan, and confirms a round:
// every pair at a table who both checked in becomes a SAME_TABLE encounter,
// once.
func TestSeatingPlanSaveAndConfirm(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 0, 16)
	at.accept(t, a.ent, 16)
	ctx := testenv.System()
	for _, p := range at.parts[:12] { // four people have not arrived
		a.ent.Participation.UpdateOneID(p.ID).SetCheckedInAt(at.meeting.StartsAt.Add(10 * 60e9)).ExecX(ctx)
	}
	in := map[string]any{"meetingID": gid(at.meeting.ID), "tableSize": 4, "rounds": 4, "seed": 7}
	var rsp struct {
		Plan struct {
			Plan       *seatingPlanObj
			UserErrors []userError
		}
		Save struct {
			Meeting    struct{ SeatingPlan *seatingPlanObj }
			UserErrors []userError
		}
	}
	post(t, a, `mutation($in: MeetingSeatingPlanInput!) {
		plan: meetingSeatingPlan(input: $in) { plan { `+seatingFields+` } userErrors { field message code } }
		save: meetingSeatingPlanSave(input: $in) { meeting { seatingPlan { `+seatingFields+` } } userErrors { field message code } } }`,
		&rsp, client.Var("in", in))
	p := rsp.Plan.Plan
	if p == nil || len(rsp.Plan.UserErrors) > 0 || len(p.Rounds) != 4 || len(p.Rounds[0].Tables) != 4 || p.UpperBound != 96 || p.NewPairs < 90 || p.Violations != 0 {
		t.Fatalf("plan = %+v, errors %+v; want 4 rounds of 4 tables, upper bound 96, at least 90 new pairs", p, rsp.Plan.UserErrors)
	}
	if float64(p.NewPairs) < p.RandomBaseline {
		t.Fatalf("new pairs %d below the random baseline %v", p.NewPairs, p.RandomBaseline)
	}
	saved := rsp.Save.Meeting.SeatingPlan
	if saved == nil || saved.NewPairs != p.NewPairs || len(saved.Rounds) != 4 {
		t.Fatalf("saved plan = %+v, want the same plan (same seed)", saved)
	}
	confirm := `mutation($in: MeetingSeatingRoundConfirmInput!) { r: meetingSeatingRoundConfirm(input: $in) { encounters { how } skipped userErrors { field message code } } }`
	type confirmResult struct {
		R struct {
			Encounters []struct{ How string }
			Skipped    int
			UserErrors []userError
		}
	}
	var c1 confirmResult
	post(t, a, confirm, &c1, client.Var("in", map[string]any{"meetingID": gid(at.meeting.ID), "round": 1}))
	if len(c1.R.UserErrors) > 0 || len(c1.R.Encounters)+c1.R.Skipped != 24 || len(c1.R.Encounters) == 0 {
		t.Fatalf("confirm = %+v, want the 24 pairs of round 1 recorded or skipped", c1.R)
	}
	stored := a.ent.Encounter.Query().Where(encounter.MeetingID(at.meeting.ID), encounter.HowEQ(encounter.HowSameTable)).CountX(ctx)
	if stored != len(c1.R.Encounters) {
		t.Fatalf("%d encounters stored, %d reported", stored, len(c1.R.Encounters))
	}
	var c2 confirmResult
	post(t, a, confirm, &c2, client.Var("in", map[string]any{"meetingID": gid(at.meeting.ID), "round": 1}))
	if len(c2.R.Encounters) != 0 || c2.R.Skipped != 24 {
		t.Fatalf("confirming twice = %+v, want nothing new", c2.R)
	}
	var c3 confirmResult
	post(t, a, confirm, &c3, client.Var("in", map[string]any{"meetingID": gid(at.meeting.ID), "round": 5}))
	if len(c3.R.UserErrors) != 1 || c3.R.UserErrors[0].Message != "round: must be between 1 and 4" {
		t.Fatalf("round 5 = %+v, want a userError on round", c3.R)
	}
}

// TestSeatingPlanFiguresAtTheTopOfThePayload asks the shape
// (rounds and figures directly on the payload), through an alias and a
// fragment, and finds the plan's own figures.
func TestSeatingPlanFiguresAtTheTopOfThePayload(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	at := newAttendance(t, a.ent, f.org, 0, 8)
	at.accept(t, a.ent, 8)
	var rsp struct {
		Seating struct {
			Rounds []struct {
				Tables []struct{ People []struct{ ID, Name string } }
			}
			NewPairs, UpperBound, Violations *int
			RandomBaseline                   *float64
			Plan                             struct{ NewPairs int }
			UserErrors                       []userError
		}
	}
	post(t, a, `mutation($id: ID!) { seating: meetingSeatingPlan(input: {meetingID: $id, tableSize: 4, rounds: 2}) { ...Figures plan { newPairs } userErrors { field message code } } }
		fragment Figures on MeetingSeatingPlanPayload { rounds { tables { people { id name } } } newPairs upperBound randomBaseline violations }`,
		&rsp, client.Var("id", gid(at.meeting.ID)))
	s := rsp.Seating
	if len(s.UserErrors) > 0 || len(s.Rounds) != 2 || len(s.Rounds[0].Tables) != 2 || len(s.Rounds[0].Tables[0].People) != 4 ||
		s.NewPairs == nil || *s.NewPairs != s.Plan.NewPairs || s.UpperBound == nil || *s.UpperBound != 24 || s.Violations == nil || *s.Violations != 0 {
		t.Fatalf("payload = %+v", s)
	}
}
