package sqlite

import (
	"context"
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

// TestCanonicalEmailsMigration: addresses a build before canonical emails
// stored in mixed case are lower-cased on upgrade, and still found.
func TestCanonicalEmailsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mixed.db")
	old, err := openWithMigrations(ctx, path, Options{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	update(t, old, func(tx store.Tx) error {
		if _, err := tx.CreateUser("ann@acme.example", "Ann"); err != nil {
			return err
		}
		th := &store.Thread{Subject: "s"}
		if err := tx.CreateThread(th); err != nil {
			return err
		}
		return tx.InsertMessage(message(1, th.ID, "m@x", "s"))
	})
	for _, q := range []string{
		`UPDATE addresses SET email = 'Ann@ACME.example'`,
		`INSERT INTO persons (id, name, created_at) VALUES (1, 'Bob', '2024-01-01T00:00:00.000000000Z')`,
		`INSERT INTO person_emails (person_id, pos, email) VALUES (1, 0, 'Bob@Customer.EXAMPLE')`,
		`UPDATE participants SET email = upper(email)`,
		`UPDATE messages SET from_email = 'ANN@acme.example', forwarded_by = 'Ann@Acme.example'`,
	} {
		if _, err := old.writer.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	db := openTestAt(t, path, Options{})
	var n int
	if err := db.reader.QueryRow(`SELECT
		(SELECT count(*) FROM addresses WHERE email COLLATE BINARY != lower(email)) +
		(SELECT count(*) FROM person_emails WHERE email COLLATE BINARY != lower(email)) +
		(SELECT count(*) FROM participants WHERE email COLLATE BINARY != lower(email)) +
		(SELECT count(*) FROM messages WHERE from_email COLLATE BINARY != lower(from_email) OR forwarded_by COLLATE BINARY != lower(forwarded_by))`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d addresses still not lower-case after the migration", n)
	}
	err = db.View(ctx, func(tx store.Tx) error {
		if _, err := tx.UserByEmail("ann@acme.example"); err != nil {
			return err
		}
		ps, err := tx.PersonsByEmails([]string{"bob@customer.example"})
		if err == nil && len(ps) != 1 {
			t.Errorf("person not found by its lower-case address: %+v", ps)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
