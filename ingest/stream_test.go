package ingest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// failingStore makes InsertMessage fail for the Message-IDs in fail, with
// the error code given, after the message's rows are written: what a
// store that refuses one message in the middle of a batch looks like.
type failingStore struct {
	store.Store
	fail map[string]string // Message-ID -> error code
}

func (s *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(&failingTx{Tx: tx, fail: s.fail}) })
}

func (s *failingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(&failingTx{Tx: tx, fail: s.fail}) })
}

type failingTx struct {
	store.Tx
	fail map[string]string
}

func (tx *failingTx) InsertMessage(m *store.Message) error {
	if err := tx.Tx.InsertMessage(m); err != nil {
		return err
	}
	if code, ok := tx.fail[m.MessageID]; ok {
		return store.Errorf(code, "injected failure for <%s>", m.MessageID)
	}
	return nil
}

func (tx *failingTx) Within(fn func() error) error { return tx.Tx.(store.Savepointer).Within(fn) }

// importStore opens a store as an archive import does (raw mail in packs)
// with ann as its one user.
func importStore(t *testing.T) (store.Store, string) {
	t.Helper()
	db, dsn := storetest.Open(t, backend.Options{Synchronous: "NORMAL", RawPacks: true})
	err := db.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		_, err := tx.CreateUser(userAddr, "Ann Seller")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, dsn
}

func pipelineSource(n int) *countingSource {
	return &countingSource{next: func(i int) *ingest.Delivery {
		if i == n {
			return nil
		}
		return importDelivery(i, 500+i%5*2000)
	}}
}

// storedIDs lists the Message-IDs the store holds for its one user.
func storedIDs(t *testing.T, db store.Store) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	err := db.View(context.Background(), func(tx store.Tx) error {
		msgs, err := tx.ListMessages(store.MessageQuery{})
		for _, m := range msgs {
			ids[m.MessageID] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// An archive import keeps one transaction over many batches (stream.go).
// A message the store refuses in the middle of a batch, late in such a
// transaction, costs no other message: each comes out stored, the bad
// ones refused as store errors, and the store holds exactly the others,
// with their raw mail, threads and index consistent.
func TestRunStreamSetsApartABadMessage(t *testing.T) {
	db, dsn := importStore(t)
	const n = 200
	bad := map[string]string{"pipeline37@acme.example": store.EInternal, "pipeline150@acme.example": store.EConflict}
	in := ingest.New(ingest.Options{Store: &failingStore{Store: db, fail: bad}, AuthMode: ingest.AuthMode{Kind: "off"},
		Source: store.SourceImport, Owner: userAddr})
	sum, results := runBounded(t, in, pipelineSource(n), ingest.RunOptions{BatchSize: 16, CommitBytes: 64 << 20})
	if len(results) != n {
		t.Fatalf("%d results, want %d", len(results), n)
	}
	for i, r := range results {
		id := fmt.Sprintf("pipeline%d@acme.example", i)
		want := ingest.StatusStored
		if bad[id] != "" {
			want = ingest.StatusRejected
		}
		if r.Origin != fmt.Sprintf("archive:#%d", i+1) || r.Status != want {
			t.Errorf("result %d: %s %s %s, want %s", i, r.Origin, r.Status, r.Reason, want)
		}
		if want == ingest.StatusRejected && r.Reason != "store_error" {
			t.Errorf("result %d: reason %q, want store_error", i, r.Reason)
		}
	}
	if sum.Stored != n-len(bad) || sum.Rejected != len(bad) {
		t.Errorf("summary %+v", sum)
	}
	stored := storedIDs(t, db)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("pipeline%d@acme.example", i)
		if stored[id] == (bad[id] != "") {
			t.Errorf("%s stored: %v", id, stored[id])
		}
	}
	storetest.Check(t, dsn)
}

// A temporary failure inside the open transaction (a disk that filled
// up) undoes the transaction's batches, whose raw mail is gone: the run
// stops with an error that says so, what it reported stored is exactly
// what the store holds, and running the same import again stores the
// rest.
func TestRunStreamTemporaryFailure(t *testing.T) {
	db, dsn := importStore(t)
	const n = 200
	fail := map[string]string{"pipeline150@acme.example": store.EUnavailable}
	in := ingest.New(ingest.Options{Store: &failingStore{Store: db, fail: fail}, AuthMode: ingest.AuthMode{Kind: "off"},
		Source: store.SourceImport, Owner: userAddr})
	var reported []ingest.Result
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Messages of one size, batches of 8, a transaction of 4 batches:
	// message 150 is in the third batch of the fifth transaction.
	src := func() *countingSource {
		return &countingSource{next: func(i int) *ingest.Delivery {
			if i == n {
				return nil
			}
			return importDelivery(i, 2000)
		}}
	}
	size := int64(len(importDelivery(n, 2000).Raw))
	_, err := in.Run(ctx, src(), ingest.RunOptions{BatchSize: 8, CommitBytes: 8 * size * 7 / 2,
		OnResult: func(r ingest.Result) { reported = append(reported, r) }})
	if err == nil || !store.IsTemporary(err) || !strings.Contains(err.Error(), "run the same import again") {
		t.Fatalf("Run = %v, want a temporary error that says to run the import again", err)
	}
	if len(reported) != 4*32 {
		t.Fatalf("%d results reported before the failure, want the %d of the four transactions that committed", len(reported), 4*32)
	}
	stored := storedIDs(t, db)
	if len(stored) != len(reported) {
		t.Errorf("%d messages stored, %d reported", len(stored), len(reported))
	}
	for _, r := range reported {
		if r.Status != ingest.StatusStored || !stored[r.MessageID] {
			t.Errorf("%s reported %s, stored: %v", r.Origin, r.Status, stored[r.MessageID])
		}
	}
	storetest.Check(t, dsn)

	again := ingest.New(ingest.Options{Store: db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: userAddr})
	sum, _ := runBounded(t, again, src(), ingest.RunOptions{})
	if sum.Stored != n-len(reported) || sum.Duplicate != len(reported) {
		t.Errorf("second run: %+v, want %d stored and %d duplicate", sum, n-len(reported), len(reported))
	}
	if got := len(storedIDs(t, db)); got != n {
		t.Errorf("%d messages stored after the second run, want %d", got, n)
	}
	storetest.Check(t, dsn)
}
