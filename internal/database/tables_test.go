package database_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	entmigrate "github.com/rencontre/rencontre/ent/migrate"
	"github.com/rencontre/rencontre/internal/database"
	"github.com/rencontre/rencontre/internal/testenv"
)

// Every join table of a many-to-many edge is indexed on its second column
// (the first leads its primary key) in the migrated database: the
// communities of a list of people are read by index, not by reading all
// of community_members.
func TestJoinTablesAreIndexedOnBothColumns(t *testing.T) {
	c, u := fresh(t)
	ctx := context.Background()
	if err := database.Migrate(ctx, c, u); err != nil {
		t.Fatal(err)
	}
	var joins int
	for _, table := range entmigrate.Tables {
		if len(table.Columns) != 2 || len(table.PrimaryKey) != 2 || len(table.ForeignKeys) != 2 {
			continue
		}
		joins++
		second := table.PrimaryKey[1].Name
		query := fmt.Sprintf(`SELECT ii.name FROM sqlite_master AS m, pragma_index_info(m.name) AS ii
			WHERE m.type = 'index' AND m.tbl_name = '%s' AND (SELECT count(*) FROM pragma_index_info(m.name)) = 1`, table.Name)
		if testenv.Postgres() {
			query = fmt.Sprintf(`SELECT a.attname FROM pg_index i
				JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
				WHERE i.indrelid = '%s'::regclass AND i.indnatts = 1`, table.Name)
		}
		rows, err := c.QueryContext(ctx, query)
		if err != nil {
			t.Fatalf("%s: %v", table.Name, err)
		}
		var indexed []string
		for rows.Next() {
			var col string
			if err := rows.Scan(&col); err != nil {
				t.Fatal(err)
			}
			indexed = append(indexed, col)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(indexed, second) {
			t.Errorf("%s: no index on %s alone (single-column indexes on: %q)", table.Name, second, indexed)
		}
	}
	if joins < 5 {
		t.Fatalf("found %d join tables, the schema has at least 5 (community_members, meeting_objectives, …)", joins)
	}
}
