package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// openTest opens a new store in a temporary directory.
func openTest(t testing.TB) *DB {
	t.Helper()
	return openTestAt(t, filepath.Join(t.TempDir(), "smartbcc.db"), Options{})
}

func openTestAt(t testing.TB, path string, opt Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// update runs fn in a write transaction and fails the test on error.
func update(t testing.TB, db *DB, fn func(tx store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// seedAnnIDs runs seedAnn in a write transaction of its own and returns
// ann's id and the thread's.
func seedAnnIDs(t testing.TB, db *DB) (owner, thread int64) {
	t.Helper()
	update(t, db, func(tx store.Tx) error {
		u, th, err := seedAnn(tx)
		if err == nil {
			owner, thread = u.ID, th.ID
		}
		return err
	})
	return owner, thread
}

// view runs fn in a read transaction and fails the test on error.
func view(t testing.TB, db *DB, fn func(tx store.Tx) error) {
	t.Helper()
	if err := db.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantCode fails unless err carries code ("" meaning no error).
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := store.ErrorCode(err); got != code {
		t.Errorf("%s: error %v has code %q, want %q", what, err, got, code)
	}
}

var ctxb = context.Background()

// seedAnn makes the company, its user ann@acme.example and one thread:
// what most tests of this package need before their first message.
func seedAnn(tx store.Tx) (*store.User, *store.Thread, error) {
	if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
		return nil, nil, err
	}
	u, err := tx.CreateUser("ann@acme.example", "Ann")
	if err != nil {
		return nil, nil, err
	}
	th := &store.Thread{Subject: "x"}
	if err := tx.CreateThread(th); err != nil {
		return nil, nil, err
	}
	return u, th, nil
}

var testTime = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

// message returns a message of owner in thread with a distinct dedup key.
func message(owner, thread int64, msgID, subject string) *store.Message {
	return &store.Message{
		OwnerID: owner, ThreadID: thread, DedupKey: "mid:" + msgID, MessageID: msgID,
		Subject: subject, FromName: "Ann Seller", FromEmail: "ann@acme.example",
		Date: testTime, ReceivedAt: testTime.Add(time.Minute), Source: store.SourcePipe,
		Participants: []store.Participant{
			{Role: store.RoleFrom, Name: "Ann Seller", Email: "ann@acme.example"},
			{Role: store.RoleTo, Name: "Bob Buyer", Email: "bob@customer.example"},
		},
		TextBody: "Hello Bob, about the widgets.",
		Raw:      []byte("Message-ID: <" + msgID + ">\r\nSubject: " + subject + "\r\n\r\nHello Bob\r\n"),
	}
}
