package database

import (
	entschema "entgo.io/ent/dialect/sql/schema"

	"github.com/rencontre/rencontre/ent/migrate"
)

// The join tables of many-to-many edges (community_members, …) are implicit
// in the ent schema, which gives them a primary key on both columns and no
// other index: a lookup by the first column uses the key, one by the second
// reads the whole table. The communities of 50 people (a person's
// communities, the members' communities of a meeting's participants), the
// follow-ups concerning a person, the meetings of an objective and the
// series inviting a person all look up by the second column, as does the
// cascade when one of those rows is deleted. Each join table gets an index
// on its second column here, in ent's migrate.Tables, before anything reads
// them: the migrations are planned from them (migrations/generate.go), the
// test that the migrations match the schema compares against them, and the
// auto-migration of tests creates them.
func init() {
	for _, t := range migrate.Tables {
		if !isJoinTable(t) {
			continue
		}
		second := t.PrimaryKey[1]
		name := t.Name + "_" + second.Name + "_idx"
		if hasIndex(t, name) {
			continue
		}
		t.Indexes = append(t.Indexes, &entschema.Index{Name: name, Columns: []*entschema.Column{second}})
	}
}

// isJoinTable reports whether t is the join table of a many-to-many edge:
// two columns, both in its primary key, both foreign keys.
func isJoinTable(t *entschema.Table) bool {
	return len(t.Columns) == 2 && len(t.PrimaryKey) == 2 && len(t.ForeignKeys) == 2
}

func hasIndex(t *entschema.Table, name string) bool {
	for _, idx := range t.Indexes {
		if idx.Name == name {
			return true
		}
	}
	return false
}
