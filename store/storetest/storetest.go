// Package storetest is the contract of store.Store as tests: one suite that
// every backend runs (in the manner of river's riverdrivertest), so that
// ingest, linker and commands can rely on the same behaviour whichever
// store they are given. A backend's test calls Run with a Backend that
// makes new stores; the tests speak only store.Store and store.Tx and
// assert error codes with store.ErrorCode.
//
// The package also opens stores for the tests outside store (Open, Fresh,
// Check, SQL): SMARTBCC_TEST_STORE chooses the backend for all of them.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

// Backend makes stores of one backend for the suite.
type Backend struct {
	Name string
	// Fresh returns the DSN of a new, empty store (nothing need exist
	// yet); the backend removes it when the test ends.
	Fresh func(t testing.TB) string
	// Open opens a handle on the store dsn names, as another process
	// would: its own connections, creating and migrating it as needed.
	Open func(ctx context.Context, dsn string, opt backend.Options) (store.Store, error)
	// OpenMigrations opens dsn as a build that only knew the first n
	// migrations would, for the upgrade test.
	OpenMigrations func(ctx context.Context, dsn string, n int) (store.Store, error)
	// Migrations are the names of the migrations this build knows, in
	// the order they are applied.
	Migrations []string
	// SQL opens a raw connection to dsn for what the suite checks under
	// the interface: recorded migrations, a deliberately broken row.
	SQL func(t testing.TB, dsn string) *DB
}

// Run runs the whole contract against b.
func Run(t *testing.T, b Backend) {
	s := suite{b}
	tests := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"Company", s.testCompany},
		{"Users", s.testUsers},
		{"Addresses", s.testAddresses},
		{"Persons", s.testPersons},
		{"Items", s.testItems},
		{"ThreadsAndLinks", s.testThreadsAndLinks},
		{"Rejections", s.testRejections},
		{"Quarantine", s.testQuarantine},
		{"IDsNeverReused", s.testIDsNeverReused},
		{"CopyKeepsIDsGiven", s.testCopyKeepsIDsGiven},
		{"InsertAndLoadMessage", s.testInsertAndLoadMessage},
		{"InsertMessageErrors", s.testInsertMessageErrors},
		{"SetShared", s.testSetShared},
		{"ThreadByReferences", s.testThreadByReferences},
		{"ThreadBySubject", s.testThreadBySubject},
		{"NameOnlyParticipant", s.testNameOnlyParticipant},
		{"ThreadVisibility", s.testThreadVisibility},
		{"BatchLookups", s.testBatchLookups},
		{"SubjectThreadsManyAddresses", s.testSubjectThreadsManyAddresses},
		{"SubjectThreadsHugeRecipientList", s.testSubjectThreadsHugeRecipientList},
		{"ListMessages", s.testListMessages},
		{"EachMessage", s.testEachMessage},
		{"RawInPieces", s.testRawInPieces},
		{"HugeValues", s.testHugeValues},
		{"Search", s.testSearch},
		{"SearchTextGiven", s.testSearchTextGiven},
		{"SearchRanking", s.testSearchRanking},
		{"SearchRankingTies", s.testSearchRankingTies},
		{"SearchForwardNote", s.testSearchForwardNote},
		{"ListSinceUntil", s.testListSinceUntil},
		{"TimesRoundTrip", s.testTimesRoundTrip},
		{"EmailsCanonical", s.testEmailsCanonical},
		{"TextCleaned", s.testTextCleaned},
		{"UpdateRollsBack", s.testUpdateRollsBack},
		{"Savepoints", s.testSavepoints},
		{"ViewRefusesWrites", s.testViewRefusesWrites},
		{"TxUnusableAfterError", s.testTxUnusableAfterError},
		{"ReadOnly", s.testReadOnly},
		{"Busy", s.testBusy},
		{"ConcurrentWriters", s.testConcurrentWriters},
		{"ConcurrentOpenOfNewStore", s.testConcurrentOpenOfNewStore},
		{"ReopenAppliesNothing", s.testReopenAppliesNothing},
		{"NewerStoreRefused", s.testNewerStoreRefused},
		{"Upgrade", s.testUpgrade},
		{"Check", s.testCheck},
		{"SchemaListsEveryColumn", s.testSchemaListsEveryColumn},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct{ b Backend }

// openAt opens dsn with opt and closes it when the test ends.
func (s suite) openAt(t testing.TB, dsn string, opt backend.Options) store.Store {
	t.Helper()
	db, err := s.b.Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatalf("Open %s store: %v", s.b.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// openTest opens a new store.
func (s suite) openTest(t testing.TB) store.Store {
	t.Helper()
	return s.openAt(t, s.b.Fresh(t), backend.Options{})
}

// update runs fn in a write transaction and fails the test on error.
func update(t testing.TB, db store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a read transaction and fails the test on error.
func view(t testing.TB, db store.Store, fn func(tx store.Tx) error) {
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
	db       store.Store
	ann, dan *store.User
	bob      *store.Person
	deal     *store.Item
	thread   *store.Thread
}

func (s suite) newFixture(t testing.TB) *fixture {
	t.Helper()
	return s.newFixtureWith(t, backend.Options{})
}

// newFixtureWith is newFixture on a store opened with opt.
func (s suite) newFixtureWith(t testing.TB, opt backend.Options) *fixture {
	t.Helper()
	f := &fixture{db: s.openAt(t, s.b.Fresh(t), opt)}
	update(t, f.db, func(tx store.Tx) error {
		var err error
		if _, err = tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
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

// rawPiece is the size of the pieces store/sqlite keeps raw messages in;
// the raw round trip tests sizes around it on every backend.
const rawPiece = 1 << 20

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
