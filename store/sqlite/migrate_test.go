package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

func TestMigrationsAreNumbered(t *testing.T) {
	if len(migrations) < 2 {
		t.Fatalf("%d migrations embedded, want at least 2", len(migrations))
	}
	for i, m := range migrations {
		want := fmt.Sprintf("%04d_", i+1)
		if !strings.HasPrefix(m.name, want) {
			t.Errorf("migration %d is %s, want a name starting %s", i, m.name, want)
		}
	}
}

// TestUpgrade: a store made by a build that knew only the base schema
// keeps its data when a newer build opens it, and gains search.
func TestUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := openWithMigrations(ctx, path, Options{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var msgID int64
	update(t, old, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "bcc.acme.example"); err != nil {
			return err
		}
		u, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		th := &store.Thread{Subject: "quarterly widgets"}
		if err := tx.CreateThread(th); err != nil {
			return err
		}
		m := message(u.ID, th.ID, "old-1@acme.example", "Quarterly widgets")
		m.TextBody = "the zanzibar shipment"
		if err := tx.InsertMessage(m); err != nil {
			return err
		}
		msgID = m.ID
		return nil
	})
	err = old.View(ctx, func(tx store.Tx) error {
		_, err := tx.ListMessages(store.MessageQuery{Search: "zanzibar"})
		return err
	})
	wantCode(t, "search before the upgrade", err, store.EUnavailable)
	old.Close()

	db := openTestAt(t, path, Options{})
	view(t, db, func(tx store.Tx) error {
		m, err := tx.Message(msgID)
		if err != nil {
			return err
		}
		if m.Subject != "Quarterly widgets" || len(m.Participants) != 2 {
			t.Errorf("message after upgrade: %+v", m)
		}
		// Existing mail was indexed by the migration.
		for _, q := range []string{"zanzibar", "quarterl*", "bob@customer.example"} {
			got, err := tx.ListMessages(store.MessageQuery{Search: q})
			if err != nil {
				return err
			}
			if len(got) != 1 || got[0].ID != msgID {
				t.Errorf("search %q after upgrade = %v, want [%d]", q, ids(got), msgID)
			}
		}
		return nil
	})
	// New mail is indexed as it arrives.
	update(t, db, func(tx store.Tx) error {
		m := message(1, 1, "new-1@acme.example", "Fresh order")
		m.TextBody = "about the kilimanjaro crate"
		return tx.InsertMessage(m)
	})
	view(t, db, func(tx store.Tx) error {
		got, err := tx.ListMessages(store.MessageQuery{Search: "kilimanjaro"})
		if err == nil && len(got) != 1 {
			t.Errorf("new message not found by search: %v", ids(got))
		}
		return err
	})
	if names := appliedNames(t, path); len(names) != len(migrations) {
		t.Errorf("recorded migrations %v, want %d", names, len(migrations))
	}
}

func appliedNames(t *testing.T, path string) []string {
	t.Helper()
	conn, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return names
}

// TestNewerStoreRefused: a store that records a migration this build does
// not know was written by a newer build; misreading it could lose mail.
func TestNewerStoreRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	db := openTestAt(t, path, Options{})
	db.Close()
	conn, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`INSERT INTO migrations (name, applied_at) VALUES ('9999_future.sql', '2030-01-01T00:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	_, err = Open(context.Background(), path, Options{})
	wantCode(t, "Open of a newer store", err, store.EUnavailable)
	if err == nil || !strings.Contains(err.Error(), "9999_future.sql") || !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %v does not explain the newer schema", err)
	}
}

// TestReopenAppliesNothing: opening an up-to-date store twice records
// each migration once.
func TestReopenAppliesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "again.db")
	for i := 0; i < 3; i++ {
		openTestAt(t, path, Options{}).Close()
	}
	if got := appliedNames(t, path); len(got) != len(migrations) {
		t.Errorf("migrations recorded: %v", got)
	}
}
