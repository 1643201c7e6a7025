package sqlite

import (
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

// Statement timings count each statement text once per execution, COMMIT
// and BEGIN among them, and print as a table.
func TestStatementTimings(t *testing.T) {
	db := openTest(t)
	EnableStatementTimings()
	t.Cleanup(func() { timings.on.Store(false) })
	update(t, db, func(tx store.Tx) error {
		_, err := tx.CreateCompany("Acme", "", "bcc.acme.example")
		return err
	})
	for range 3 {
		view(t, db, func(tx store.Tx) error {
			_, err := tx.Company()
			return err
		})
	}
	counts := map[string]int{}
	for _, st := range StatementTimings() {
		counts[st.SQL] = st.Count
		if st.Max <= 0 || st.Max > st.Total {
			t.Errorf("%q: longest %v of %v in all", st.SQL, st.Max, st.Total)
		}
	}
	for sql, want := range map[string]int{
		"BEGIN IMMEDIATE": 1,
		"COMMIT":          1,
		"BEGIN (read)":    3,
		"COMMIT (read)":   3,
		// CreateCompany looks for the company first.
		"SELECT id, name, slug, bcc_domain, created_at FROM company WHERE id = 1": 4,
	} {
		if counts[sql] != want {
			t.Errorf("%q counted %d times, want %d (all: %v)", sql, counts[sql], want, counts)
		}
	}
	var b strings.Builder
	if err := WriteStatementTimings(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "FROM company WHERE id = 1") {
		t.Errorf("table lacks the company query:\n%s", b.String())
	}
}
