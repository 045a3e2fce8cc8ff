package database_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/testenv"
)

// On SQLite, KeepOptimized gives the planner statistics of tables that have
// none at once, and 50 people by ID are then found by the primary key, not
// by reading the organization's index; on PostgreSQL it returns at once.
func TestKeepOptimized(t *testing.T) {
	c, u := fresh(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := database.Migrate(ctx, c, u); err != nil {
		t.Fatal(err)
	}
	if testenv.Postgres() {
		done := make(chan struct{})
		go func() { database.KeepOptimized(ctx, c, u, time.Millisecond); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("KeepOptimized did not return on PostgreSQL")
		}
		return
	}
	b := testenv.NewBuilder(t, c, "acme", time.Now())
	var ids []string
	for i := range 300 {
		ids = append(ids, fmt.Sprint(b.Person(fmt.Sprint("P", i)).ID))
	}
	query := fmt.Sprintf("EXPLAIN QUERY PLAN SELECT id, name FROM persons WHERE id IN (%s) AND organization_id = %d", strings.Join(ids[:50], ", "), b.Org.ID)
	plan := func() string {
		rows, err := c.QueryContext(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			out = append(out, detail)
		}
		return strings.Join(out, "; ")
	}
	if p := plan(); !strings.Contains(p, "person_organization_id") {
		t.Logf("before: %s (SQLite already chose the primary key without statistics)", p)
	}
	go database.KeepOptimized(ctx, c, u, time.Hour)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(plan(), "PRIMARY KEY") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p := plan(); !strings.Contains(p, "PRIMARY KEY") {
		t.Fatalf("plan after KeepOptimized: %s; want the primary key", p)
	}
	if queryInt(t, c, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'persons'") == 0 {
		t.Fatal("no statistics for persons")
	}
}
