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

// fixture is a store with a company, two users, a person, a deal and a
// thread: what most message tests need.
type fixture struct {
	db       *DB
	ann, dan *store.User
	bob      *store.Person
	deal     *store.Item
	thread   *store.Thread
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{db: openTest(t)}
	update(t, f.db, func(tx store.Tx) error {
		var err error
		if _, err = tx.CreateCompany("Acme", "bcc.acme.example"); err != nil {
			return err
		}
		if f.ann, err = tx.CreateUser("ann@acme.example", "Ann Seller"); err != nil {
			return err
		}
		if f.dan, err = tx.CreateUser("dan@acme.example", "Dan Manager"); err != nil {
			return err
		}
		f.bob = &store.Person{Name: "Bob Buyer", Emails: []string{"bob@customer.example"}}
		if err = tx.CreatePerson(f.bob); err != nil {
			return err
		}
		f.deal = &store.Item{Kind: store.KindDeal, Title: "200 widgets", PersonID: f.bob.ID, Token: "tok-deal-1"}
		if err = tx.CreateItem(f.deal); err != nil {
			return err
		}
		f.thread = &store.Thread{Subject: "widgets"}
		return tx.CreateThread(f.thread)
	})
	return f
}

var ctxb = context.Background()

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

// insert stores messages in one transaction.
func (f *fixture) insert(t testing.TB, msgs ...*store.Message) {
	t.Helper()
	update(t, f.db, func(tx store.Tx) error {
		for _, m := range msgs {
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
}

func ids(msgs []store.Message) []int64 {
	out := []int64{}
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}
