package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// A delivery that comes while an import commits transaction after
// transaction gets its turn between two of them, well inside its busy
// timeout, instead of waiting it out (writerturn.go). The import goes on
// afterwards.
func TestDeliveryGetsItsTurnDuringAnImport(t *testing.T) {
	path := filepath.Join(t.TempDir(), "smartbcc.db")
	imp := openTestAt(t, path, Options{RawPacks: true, Synchronous: "NORMAL"})
	owner, thread := seedAnnIDs(t, imp)
	delivery := openTestAt(t, path, Options{BusyTimeout: 1500 * time.Millisecond})

	// The import: back-to-back transactions of 30 ms each, for as long as
	// the deliveries run.
	stop := make(chan struct{})
	done := make(chan error, 1)
	var imported atomic.Int64
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			err := imp.Update(context.Background(), func(tx store.Tx) error {
				time.Sleep(30 * time.Millisecond)
				return tx.InsertMessage(rawMessage(owner, thread, fmt.Sprintf("imp%d@x", i), "import ", 200))
			})
			if err != nil {
				done <- err
				return
			}
			imported.Add(1)
		}
	}()
	time.Sleep(100 * time.Millisecond)
	for i := 0; i < 5; i++ {
		err := delivery.Update(context.Background(), func(tx store.Tx) error {
			return tx.InsertMessage(message(owner, thread, fmt.Sprintf("pipe%d@x", i), "delivery"))
		})
		if err != nil {
			t.Errorf("delivery %d during the import: %v", i, err)
		}
	}
	before := imported.Load()
	time.Sleep(100 * time.Millisecond)
	close(stop)
	if err := <-done; err != nil {
		t.Fatalf("import: %v", err)
	}
	if imported.Load() == before {
		t.Errorf("the import stopped while deliveries came")
	}
}
