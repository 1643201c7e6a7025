package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/search"
)

// appliedNames lists the migrations recorded in the store dsn, by name.
func (s suite) appliedNames(t testing.TB, dsn string) []string {
	t.Helper()
	return s.b.SQL(t, dsn).Strings(t, `SELECT name FROM migrations ORDER BY name`)
}

// testConcurrentOpenOfNewStore: processes that all find no store create
// and migrate it once between them.
func (s suite) testConcurrentOpenOfNewStore(t *testing.T) {
	dsn := s.b.Fresh(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := s.b.Open(context.Background(), dsn, backend.Options{})
			if err != nil {
				errs <- err
				return
			}
			db.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Open: %v", err)
	}
	if got := s.appliedNames(t, dsn); strings.Join(got, " ") != strings.Join(s.b.Migrations, " ") {
		t.Errorf("migrations recorded: %v, want %v", got, s.b.Migrations)
	}
}

// testReopenAppliesNothing: opening an up-to-date store again records
// each migration once.
func (s suite) testReopenAppliesNothing(t *testing.T) {
	dsn := s.b.Fresh(t)
	for i := 0; i < 3; i++ {
		s.openAt(t, dsn, backend.Options{}).Close()
	}
	if got := s.appliedNames(t, dsn); strings.Join(got, " ") != strings.Join(s.b.Migrations, " ") {
		t.Errorf("migrations recorded: %v, want %v", got, s.b.Migrations)
	}
}

// testNewerStoreRefused: a store that records a migration this build does
// not know was written by a newer build; misreading it could lose mail.
func (s suite) testNewerStoreRefused(t *testing.T) {
	dsn := s.b.Fresh(t)
	s.openAt(t, dsn, backend.Options{}).Close()
	s.b.SQL(t, dsn).Exec(t, `INSERT INTO migrations (name, applied_at) VALUES ('9999_future.sql', ?)`, "2030-01-01T00:00:00.000000000Z")
	_, err := s.b.Open(context.Background(), dsn, backend.Options{})
	wantCode(t, "Open of a newer store", err, store.EUnavailable)
	if err == nil || !strings.Contains(err.Error(), "9999_future.sql") || !strings.Contains(err.Error(), "newer") {
		t.Errorf("error %v does not explain the newer schema", err)
	}
}

// testUpgrade: a store made by a build that knew only the base schema
// keeps its data when a newer build opens it, and gains search.
func (s suite) testUpgrade(t *testing.T) {
	ctx := context.Background()
	dsn := s.b.Fresh(t)
	old, err := s.b.OpenMigrations(ctx, dsn, 1)
	if err != nil {
		t.Fatal(err)
	}
	var msgID int64
	update(t, old, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
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
		_, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("zanzibar")})
		return err
	})
	wantCode(t, "search before the upgrade", err, store.EUnavailable)
	old.Close()

	db := s.openAt(t, dsn, backend.Options{})
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
			got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse(q)})
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
		got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("kilimanjaro")})
		if err == nil && len(got) != 1 {
			t.Errorf("new message not found by search: %v", ids(got))
		}
		return err
	})
	if got := s.appliedNames(t, dsn); strings.Join(got, " ") != strings.Join(s.b.Migrations, " ") {
		t.Errorf("recorded migrations %v, want %v", got, s.b.Migrations)
	}
}

// testCheck: the consistency check passes on a good store and finds a
// message whose raw bytes are gone, as a broken delivery would leave it.
func (s suite) testCheck(t *testing.T) {
	dsn := s.b.Fresh(t)
	f := &fixture{db: s.openAt(t, dsn, backend.Options{})}
	var th store.Thread
	var owner int64
	update(t, f.db, func(tx store.Tx) error {
		u, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		owner = u.ID
		th = store.Thread{Subject: "check"}
		return tx.CreateThread(&th)
	})
	f.insert(t, message(owner, th.ID, "c1@x", "check"))
	checker, ok := f.db.(store.Checker)
	if !ok {
		t.Fatalf("the %s store has no Check method", s.b.Name)
	}
	if err := checker.Check(ctxb); err != nil {
		t.Fatalf("a consistent store fails the check: %v", err)
	}
	s.b.SQL(t, dsn).Exec(t, `DELETE FROM message_raw`)
	if err := checker.Check(ctxb); err == nil || !strings.Contains(err.Error(), "message_raw") {
		t.Fatalf("check of a message without raw bytes: %v", err)
	}
}

// testSchemaListsEveryColumn: store.Tables, what `smartbcc migrate`
// copies, names every table and column the backend's migrations made, so
// that a column added later is not dropped by the next move.
func (s suite) testSchemaListsEveryColumn(t *testing.T) {
	dsn := s.b.Fresh(t)
	s.openAt(t, dsn, backend.Options{}).Close()
	db := s.b.SQL(t, dsn)
	// Tables a copy rebuilds or skips: the migrations record, the search
	// index and its internals.
	// raw_pack_freed and message_raw's pack, off and len are SQLite's
	// record of raw mail kept in pack files: a copy reads the mail from
	// its pack and writes it inline. removed_ids is SQLite's record of
	// the highest ids removed, which PostgreSQL's identities keep.
	skip := func(name string) bool {
		return name == "migrations" || strings.HasPrefix(name, "message_fts") || name == "message_search" || strings.HasPrefix(name, "sqlite_") ||
			name == "raw_pack_freed" || name == "removed_ids"
	}
	listed := map[string][]string{}
	for _, tb := range store.Tables {
		for _, c := range tb.Columns {
			listed[tb.Name] = append(listed[tb.Name], c.Name)
		}
	}
	for _, name := range db.TableNames(t) {
		if skip(name) {
			continue
		}
		want, ok := listed[name]
		if !ok {
			t.Errorf("table %s is not in store.Tables: smartbcc migrate would not copy it", name)
			continue
		}
		var got []string
		for _, c := range db.ColumnNames(t, name) {
			if name == "links" && c == "seq" { // PostgreSQL's record of the order links were made in
				continue
			}
			if name == "message_raw" && (c == "pack" || c == "off" || c == "len") { // SQLite's raw mail packs
				continue
			}
			got = append(got, c)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("table %s has columns %v, store.Tables lists %v", name, got, want)
		}
		delete(listed, name)
	}
	for name := range listed {
		t.Errorf("store.Tables lists %s, which the %s store does not have", name, s.b.Name)
	}
}
