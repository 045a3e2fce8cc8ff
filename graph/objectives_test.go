package graph_test

import (
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"

	"github.com/rencontre/rencontre/ent/objective"
	"github.com/rencontre/rencontre/internal/testenv"
)

const objectiveFields = `id organizationID title category purpose status ownerID dueDate
	communities { totalCount edges { node { id } } }`

type objectiveObj struct {
	ID, OrganizationID, Title, Category, Purpose, Status string
	OwnerID, DueDate                                     *string
	Communities                                          struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
	}
}

var (
	objectiveCreate = createMutation("objectiveCreate", "CreateObjectiveInput", "objective", objectiveFields)
	objectiveUpdate = updateMutation("objectiveUpdate", "UpdateObjectiveInput", "objective", objectiveFields)
)

func TestObjectiveCreate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()

	t.Run("creates the objective with its owner and communities", func(t *testing.T) {
		o := succeed[objectiveObj](t, a, objectiveCreate, client.Var("input", map[string]any{
			"title":        "Merge the two cultures",
			"category":     "CHANGE",
			"purpose":      "CULTURE_MERGER",
			"ownerID":      gid(f.ana.ID),
			"dueDate":      "2030-12-31T00:00:00Z",
			"communityIDs": gids(f.team.ID),
		}))
		if o.OrganizationID != gid(f.org.ID) || o.Title != "Merge the two cultures" || o.Category != "CHANGE" ||
			o.Purpose != "CULTURE_MERGER" || o.Status != "DRAFT" || o.OwnerID == nil || *o.OwnerID != gid(f.ana.ID) ||
			o.DueDate == nil || !parseTime(t, *o.DueDate).Equal(mustParse("2030-12-31T00:00:00Z")) ||
			o.Communities.TotalCount != 1 || o.Communities.Edges[0].Node.ID != gid(f.team.ID) {
			t.Fatalf("objective = %+v", o)
		}
		stored := a.ent.Objective.Query().Where(objective.ID(atoi(t, o.ID))).WithCommunities().OnlyX(ctx)
		if stored.Category != objective.CategoryChange || stored.Purpose != objective.PurposeCultureMerger ||
			stored.OwnerID == nil || *stored.OwnerID != f.ana.ID || len(stored.Edges.Communities) != 1 ||
			stored.OrganizationID != f.org.ID {
			t.Fatalf("stored objective = %+v", stored)
		}
	})
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		want   wantError
	}{
		{"purpose must belong to the category", func(in map[string]any) { in["category"] = "CHANGE"; in["purpose"] = "DISPERSED_TEAM" },
			wantError{"purpose", "INVALID", []string{"purpose: DISPERSED_TEAM belongs to category NETWORKING, not CHANGE"}}},
		{"a MOTIVATION purpose is not a NETWORKING one", func(in map[string]any) { in["purpose"] = "ANNUAL_GATHERING" },
			wantError{"purpose", "INVALID", []string{"purpose: ANNUAL_GATHERING belongs to category MOTIVATION, not NETWORKING"}}},
		{"title must not be blank", func(in map[string]any) { in["title"] = "  " },
			wantError{"title", "INVALID", []string{"title: must not be empty"}}},
		{"title is at most 200 characters", func(in map[string]any) { in["title"] = strings.Repeat("x", 201) },
			wantError{"title", "INVALID", []string{"title: must be at most 200 characters"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := map[string]any{
				"title":    "Grow the user group",
				"category": "NETWORKING", "purpose": "USER_COMMUNITY",
			}
			tc.change(in)
			refuse(t, a, objectiveCreate, tc.want, client.Var("input", in))
		})
	}
}

func TestObjectiveUpdate(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent) // f.objective is NETWORKING / DISPERSED_TEAM
	ctx := testenv.System()

	for _, tc := range []struct {
		name  string
		id    int
		input map[string]any
		want  wantError
	}{
		{"a new category must fit the current purpose", f.objective.ID, map[string]any{"category": "CHANGE"},
			wantError{"purpose", "INVALID", []string{"purpose: DISPERSED_TEAM belongs to category NETWORKING, not CHANGE"}}},
		{"a new purpose must fit the current category", f.objective.ID, map[string]any{"purpose": "PRODUCT_LAUNCH"},
			wantError{"purpose", "INVALID", []string{"purpose: PRODUCT_LAUNCH belongs to category", "not NETWORKING"}}},
		{"category and purpose changed together must fit", f.objective.ID, map[string]any{"category": "MOTIVATION", "purpose": "KNOWLEDGE_SHARING"},
			wantError{"purpose", "INVALID", []string{"purpose: KNOWLEDGE_SHARING belongs to category", "not MOTIVATION"}}},
		{"title must not be blank on update", f.objective.ID, map[string]any{"title": ""},
			wantError{"title", "INVALID", []string{"title: must not be empty"}}},
		{"unknown objective is not found", missingID, map[string]any{"title": "Ghost"},
			wantError{"id", "NOT_FOUND", []string{"id: no objective with this ID"}}},
		// The purpose check loads the current category first: the error must
		// still say which record is missing.
		{"unknown objective is not found when only the purpose changes", missingID, map[string]any{"purpose": "USER_COMMUNITY"},
			wantError{"id", "NOT_FOUND", []string{"id: no objective with this ID"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refuse(t, a, objectiveUpdate, tc.want, client.Var("id", gid(tc.id)), client.Var("input", tc.input))
		})
	}
	t.Run("a purpose of the same category alone is accepted", func(t *testing.T) {
		o := succeed[objectiveObj](t, a, objectiveUpdate, client.Var("id", gid(f.objective.ID)),
			client.Var("input", map[string]any{"purpose": "KNOWLEDGE_SHARING", "status": "ACTIVE"}))
		if o.Category != "NETWORKING" || o.Purpose != "KNOWLEDGE_SHARING" || o.Status != "ACTIVE" {
			t.Fatalf("objective = %+v", o)
		}
		got := a.ent.Objective.GetX(ctx, f.objective.ID)
		if got.Purpose != objective.PurposeKnowledgeSharing || got.Status != objective.StatusActive {
			t.Fatalf("stored objective = %+v", got)
		}
	})
	t.Run("category and purpose changed together", func(t *testing.T) {
		o := succeed[objectiveObj](t, a, objectiveUpdate, client.Var("id", gid(f.objective.ID)), client.Var("input", map[string]any{
			"category": "CHANGE", "purpose": "STRATEGIC_DIRECTION", "ownerID": gid(f.ben.ID), "addCommunityIDs": gids(f.team.ID),
		}))
		if o.Category != "CHANGE" || o.Purpose != "STRATEGIC_DIRECTION" || o.OwnerID == nil || *o.OwnerID != gid(f.ben.ID) ||
			o.Communities.TotalCount != 1 {
			t.Fatalf("objective = %+v", o)
		}
		got := a.ent.Objective.Query().Where(objective.ID(f.objective.ID)).WithCommunities().OnlyX(ctx)
		if got.Category != objective.CategoryChange || got.Purpose != objective.PurposeStrategicDirection ||
			got.OwnerID == nil || *got.OwnerID != f.ben.ID || len(got.Edges.Communities) != 1 {
			t.Fatalf("stored objective = %+v", got)
		}
	})
}

const indicatorFields = `id organizationID objectiveID metric target unit description`

type indicatorObj struct {
	ID, OrganizationID, ObjectiveID, Metric string
	Target                                  float64
	Unit, Description                       *string
}

var (
	indicatorCreate = createMutation("indicatorCreate", "CreateIndicatorInput", "indicator", indicatorFields)
	indicatorUpdate = updateMutation("indicatorUpdate", "UpdateIndicatorInput", "indicator", indicatorFields)
)

func TestIndicator(t *testing.T) {
	a := newAPI(t)
	f := newFixture(t, a.ent)
	ctx := testenv.System()

	var id int
	t.Run("indicatorCreate takes the organization of the objective", func(t *testing.T) {
		in := succeed[indicatorObj](t, a, indicatorCreate, client.Var("input", map[string]any{
			"objectiveID": gid(f.objective.ID), "metric": "NEW_CONNECTIONS_PER_ATTENDEE", "target": 3, "unit": "connections",
		}))
		if in.OrganizationID != gid(f.org.ID) || in.ObjectiveID != gid(f.objective.ID) ||
			in.Metric != "NEW_CONNECTIONS_PER_ATTENDEE" || in.Target != 3 || in.Unit == nil || *in.Unit != "connections" {
			t.Fatalf("indicator = %+v", in)
		}
		id = atoi(t, in.ID)
		got := a.ent.Indicator.GetX(ctx, id)
		if got.OrganizationID != f.org.ID || got.ObjectiveID != f.objective.ID || got.Target != 3 || str(got.Unit) != "connections" {
			t.Fatalf("stored indicator = %+v", got)
		}
	})
	t.Run("indicatorUpdate changes the fields given", func(t *testing.T) {
		in := succeed[indicatorObj](t, a, indicatorUpdate, client.Var("id", gid(id)), client.Var("input", map[string]any{
			"target": 4.5, "clearUnit": true, "description": "Per checked-in attendee",
		}))
		if in.Target != 4.5 || (in.Unit != nil && *in.Unit != "") || in.Description == nil || in.Metric != "NEW_CONNECTIONS_PER_ATTENDEE" {
			t.Fatalf("indicator = %+v", in)
		}
		got := a.ent.Indicator.GetX(ctx, id)
		if got.Target != 4.5 || str(got.Unit) != "" || str(got.Description) != "Per checked-in attendee" {
			t.Fatalf("stored indicator = %+v", got)
		}
	})
	t.Run("indicatorCreate refuses an unknown objective", func(t *testing.T) {
		refuse(t, a, indicatorCreate, wantError{"objectiveID", "NOT_FOUND", []string{"objectiveID: no objective with ID " + gid(missingID)}},
			client.Var("input", map[string]any{"objectiveID": gid(missingID), "metric": "ATTENDANCE_RATE", "target": 0.8}))
	})
	t.Run("indicatorCreate checks the unit length", func(t *testing.T) {
		refuse(t, a, indicatorCreate, wantError{"unit", "INVALID", []string{"unit: must be at most 40 characters"}},
			client.Var("input", map[string]any{"objectiveID": gid(f.objective.ID), "metric": "ATTENDANCE_RATE",
				"target": 0.8, "unit": strings.Repeat("%", 41)}))
	})
	t.Run("indicatorCreate refuses a share written as a percentage", func(t *testing.T) {
		refuse(t, a, indicatorCreate, wantError{"target", "INVALID", []string{"target: ATTENDANCE_RATE is a share between 0 and 1 (0.8 for 80%), got 80"}},
			client.Var("input", map[string]any{"objectiveID": gid(f.objective.ID), "metric": "ATTENDANCE_RATE", "target": 80}))
	})
	t.Run("indicatorUpdate checks the target against the stored metric", func(t *testing.T) {
		refuse(t, a, indicatorUpdate, wantError{"target", "INVALID", []string{"target: must not be negative, got -1"}},
			client.Var("id", gid(id)), client.Var("input", map[string]any{"target": -1}))
	})
	t.Run("indicatorUpdate checks the unit length", func(t *testing.T) {
		refuse(t, a, indicatorUpdate, wantError{"unit", "INVALID", []string{"unit: must be at most 40 characters"}},
			client.Var("id", gid(id)), client.Var("input", map[string]any{"unit": strings.Repeat("u", 41)}))
	})
	t.Run("indicatorUpdate refuses an unknown indicator", func(t *testing.T) {
		refuse(t, a, indicatorUpdate, wantError{"id", "NOT_FOUND", []string{"id: no indicator with this ID"}},
			client.Var("id", gid(missingID)), client.Var("input", map[string]any{"target": 1}))
	})
}
