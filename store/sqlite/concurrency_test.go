package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

// TestConcurrentWriters stands in for Postfix running many ingest
// processes at once: each goroutine opens its own DB (own connections, as
// a separate process would) on the same file and commits one message per
// transaction. With BEGIN IMMEDIATE and a 5s busy timeout nobody should
// even see EBusy; anything else would be a lost delivery.
func TestConcurrentWriters(t *testing.T) {
	const writers, perWriter = 8, 50
	path := filepath.Join(t.TempDir(), "concurrent.db")
	setup := openTestAt(t, path, Options{})
	var owner, thread int64
	update(t, setup, func(tx store.Tx) error {
		u, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		th := &store.Thread{Subject: "load"}
		owner = u.ID
		err = tx.CreateThread(th)
		thread = th.ID
		return err
	})

	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			db, err := Open(context.Background(), path, Options{})
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			for i := 0; i < perWriter; i++ {
				err := db.Update(context.Background(), func(tx store.Tx) error {
					m := message(owner, thread, fmt.Sprintf("w%d-%d@load.example", w, i), "load")
					if _, err := tx.MessageByKey(owner, m.DedupKey); !store.IsNotFound(err) {
						return fmt.Errorf("MessageByKey before insert: %v", err)
					}
					return tx.InsertMessage(m)
				})
				if err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if store.ErrorCode(err) == store.EBusy {
			t.Errorf("busy despite the 5s timeout: %v", err)
		} else {
			t.Errorf("writer failed: %v (code %s)", err, store.ErrorCode(err))
		}
	}
	view(t, setup, func(tx store.Tx) error {
		all, err := tx.ListMessages(store.MessageQuery{})
		if err == nil && len(all) != writers*perWriter {
			t.Errorf("%d messages stored, want %d", len(all), writers*perWriter)
		}
		return err
	})
}

// TestConcurrentOpenOfNewStore: processes that all find no store create
// and migrate it once between them.
func TestConcurrentOpenOfNewStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fresh.db")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := Open(context.Background(), path, Options{})
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
	if got := appliedNames(t, path); len(got) != len(migrations) {
		t.Errorf("migrations recorded: %v", got)
	}
}
