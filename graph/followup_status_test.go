package graph_test

import (
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent"
	"github.com/rencontre/rencontre/internal/testenv"
)

// TestFollowUpStatusTransitions: OPEN → DONE or CANCELLED, back to OPEN
// (counted), never DONE ↔ CANCELLED directly; each change stamps its time.
func TestFollowUpStatusTransitions(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	fu := a.ent.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ana).SetTitle("Send slides").SaveX(ctx)
	set := func(status string) *ent.FollowUp {
		t.Helper()
		succeed[followUpObj](t, a, followUpUpdate, client.Var("id", gid(fu.ID)), input(map[string]any{"status": status}))
		return a.ent.FollowUp.GetX(ctx, fu.ID)
	}
	done := set("DONE")
	if done.DoneAt == nil || done.StatusChangedAt == nil || done.CancelledAt != nil {
		t.Fatalf("after DONE: %+v", done)
	}
	refuse(t, a, followUpUpdate, wantError{"status", "CONFLICT", []string{"status: a DONE action cannot become CANCELLED: reopen it (OPEN) first"}},
		client.Var("id", gid(fu.ID)), input(map[string]any{"status": "CANCELLED"}))
	open := set("OPEN")
	if open.DoneAt != nil || open.ReopenedCount != 1 || open.ReopenedAt == nil {
		t.Fatalf("after reopening: %+v", open)
	}
	cancelled := set("CANCELLED")
	if cancelled.CancelledAt == nil || cancelled.DoneAt != nil || cancelled.ReopenedCount != 1 {
		t.Fatalf("after CANCELLED: %+v", cancelled)
	}
	if again := set("OPEN"); again.ReopenedCount != 2 {
		t.Fatalf("reopened twice: %+v", again)
	}
}

// TestOverdueFollowUpsAndCompletion: overdue actions, oldest due first, by
// owner; a meeting's completion counted in SQL.
func TestOverdueFollowUpsAndCompletion(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()
	now := time.Now().UTC()
	late1 := a.ent.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ana).SetTitle("Late 1").SetDueDate(now.Add(-48 * time.Hour)).SaveX(ctx)
	late2 := a.ent.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ben).SetTitle("Late 2").SetDueDate(now.Add(-96 * time.Hour)).SaveX(ctx)
	a.ent.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ana).SetTitle("Not yet").SetDueDate(now.Add(48 * time.Hour)).SaveX(ctx)
	onTime := a.ent.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ana).SetTitle("On time").SetDueDate(now.Add(24 * time.Hour)).SaveX(ctx)
	a.ent.FollowUp.UpdateOne(onTime).SetStatus("DONE").ExecX(ctx)
	lateDone := a.ent.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ana).SetTitle("Done late").SetDueDate(now.Add(-24 * time.Hour)).SaveX(ctx)
	a.ent.FollowUp.UpdateOne(lateDone).SetStatus("DONE").ExecX(ctx)
	dropped := a.ent.FollowUp.Create().SetMeetingID(f.meeting.ID).SetOwner(f.ben).SetTitle("Dropped").SetDueDate(now.Add(-24 * time.Hour)).SaveX(ctx)
	a.ent.FollowUp.UpdateOne(dropped).SetStatus("CANCELLED").ExecX(ctx)

	var rsp struct {
		All, Ana struct {
			Edges []struct{ Node struct{ ID string } }
		}
		Node struct {
			FollowUpCompletion struct {
				Total, Open, Done, Cancelled, Overdue, DoneOnTime int
				Rate, OnTimeRate                                  *float64
			}
		}
	}
	post(t, a, `query($ana: ID!, $m: ID!) {
		all: overdueFollowUps { edges { node { id } } }
		ana: overdueFollowUps(ownerID: $ana) { edges { node { id } } }
		node(id: $m) { ... on Meeting { followUpCompletion { total open done cancelled overdue doneOnTime rate onTimeRate } } } }`,
		&rsp, client.Var("ana", gid(f.ana.ID)), client.Var("m", gid(f.meeting.ID)))
	if len(rsp.All.Edges) != 2 || rsp.All.Edges[0].Node.ID != gid(late2.ID) || rsp.All.Edges[1].Node.ID != gid(late1.ID) {
		t.Fatalf("overdue = %+v, want Late 2 then Late 1", rsp.All.Edges)
	}
	if len(rsp.Ana.Edges) != 1 || rsp.Ana.Edges[0].Node.ID != gid(late1.ID) {
		t.Fatalf("Ana's overdue = %+v", rsp.Ana.Edges)
	}
	c := rsp.Node.FollowUpCompletion
	if c.Total != 6 || c.Open != 3 || c.Done != 2 || c.Cancelled != 1 || c.Overdue != 2 || c.DoneOnTime != 1 ||
		c.Rate == nil || *c.Rate != 0.4 || c.OnTimeRate == nil || *c.OnTimeRate != 0.2 {
		t.Fatalf("completion = %+v (rate %v, on time %v), want 6 in all, 3 open, 2 done, 1 cancelled, 2 overdue, 1 on time, 2/5 and 1/5", c, deref(c.Rate), deref(c.OnTimeRate))
	}
}

func deref(f *float64) float64 {
	if f == nil {
		return -1
	}
	return *f
}
