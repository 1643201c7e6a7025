package postgres

import (
	"os"
	"strings"
	"testing"
)

// TestMigrationsMirrorSQLite: both backends list the same migrations, by
// number and name, so that a store moves between them and a change to the
// schema is made in both.
func TestMigrationsMirrorSQLite(t *testing.T) {
	list := func(dir string) []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".sql") {
				names = append(names, e.Name())
			}
		}
		return names
	}
	pg, lite := list("migrations"), list("../sqlite/migrations")
	if strings.Join(pg, " ") != strings.Join(lite, " ") {
		t.Errorf("migrations differ:\npostgres %v\nsqlite   %v", pg, lite)
	}
	if len(migrations) != len(pg) {
		t.Errorf("%d migrations embedded, %d in the directory", len(migrations), len(pg))
	}
}
