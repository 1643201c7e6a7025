package sqlite

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// An import store (synchronous NORMAL) leaves checkpoints to the
// background checkpointer: the writer's own are off, yet the WAL is copied
// into the database file as it grows, and nothing is lost on Close.
func TestImportCheckpointsInTheBackground(t *testing.T) {
	path := filepath.Join(t.TempDir(), "import.db")
	db, err := Open(ctxb, path, Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	var auto int
	if err := db.writer.QueryRow("PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != 0 {
		t.Fatalf("writer wal_autocheckpoint = %d, %v; want 0 (the checkpointer does it)", auto, err)
	}
	var thread int64
	update(t, db, func(tx store.Tx) error {
		u, th, err := seedAnn(tx)
		if err != nil {
			return err
		}
		thread = th.ID
		for i := 0; i < 24; i++ {
			m := message(u.ID, thread, fmt.Sprintf("big%d@x", i), "big")
			m.Raw = append(m.Raw, bytes.Repeat([]byte{byte('a' + i)}, 1<<20)...)
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path)
		if err == nil && fi.Size() >= 16<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes: the WAL was never checkpointed", fi.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again := openTestAt(t, path, Options{})
	view(t, again, func(tx store.Tx) error {
		msgs, err := tx.ThreadMessages(thread)
		if err != nil || len(msgs) != 24 {
			t.Fatalf("after reopening: %d messages, %v", len(msgs), err)
		}
		return nil
	})
	// A pipe store keeps SQLite's own checkpoints.
	if again.checkpoints != nil {
		t.Fatal("a FULL (pipe) store started the import checkpointer")
	}
}

// The delivery server's store (synchronous FULL, BackgroundCheckpoints):
// every commit syncs, and none checkpoints; the checkpointer does. A pipe
// delivery's store keeps SQLite's own checkpoints.
func TestServerCheckpointsInTheBackground(t *testing.T) {
	for _, c := range []struct {
		opt        Options
		auto, sync int
		background bool
	}{
		{Options{BackgroundCheckpoints: true}, 0, 2, true},
		{Options{}, 1000, 2, false},
	} {
		db := openTestAt(t, filepath.Join(t.TempDir(), "serve.db"), c.opt)
		var auto, sync int
		if err := db.writer.QueryRow("PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto != c.auto {
			t.Errorf("%+v: writer wal_autocheckpoint = %d, %v; want %d", c.opt, auto, err, c.auto)
		}
		if err := db.writer.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != c.sync {
			t.Errorf("%+v: writer synchronous = %d, %v; want %d (FULL)", c.opt, sync, err, c.sync)
		}
		if (db.checkpoints != nil) != c.background {
			t.Errorf("%+v: background checkpointer %v, want %v", c.opt, db.checkpoints != nil, c.background)
		}
	}
}

// After a burst of deliveries the delivery server's WAL file is cut back
// once it starts over, instead of staying at its largest size on disk for
// as long as the server runs.
func TestBackgroundCheckpointsShrinkTheWAL(t *testing.T) {
	for _, opt := range []Options{{BackgroundCheckpoints: true}} {
		path := filepath.Join(t.TempDir(), "burst.db")
		db := openTestAt(t, path, opt)
		var owner, thread int64
		update(t, db, func(tx store.Tx) error {
			u, th, err := seedAnn(tx)
			if err != nil {
				return err
			}
			owner, thread = u.ID, th.ID
			// 24 MB in one transaction: the WAL file grows past the
			// checkpointer's threshold.
			for i := 0; i < 24; i++ {
				m := message(u.ID, thread, fmt.Sprintf("burst%d@x", i), "burst")
				m.Raw = append(m.Raw, bytes.Repeat([]byte{byte('a' + i)}, 1<<20)...)
				if err := tx.InsertMessage(m); err != nil {
					return err
				}
			}
			return nil
		})
		wal := path + "-wal"
		fi, err := os.Stat(wal)
		if err != nil || fi.Size() < walCheckpointBytes {
			t.Fatalf("%+v: WAL after the burst: %v, %v; want at least %d bytes", opt, fi, err, walCheckpointBytes)
		}
		// Small commits go on, as deliveries do, until the checkpointer has
		// copied the burst and the WAL has started over.
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; ; i++ {
			update(t, db, func(tx store.Tx) error {
				return tx.InsertMessage(message(owner, thread, fmt.Sprintf("small%d@x", i), "small"))
			})
			fi, err = os.Stat(wal)
			if err == nil && fi.Size() <= walKeepBytes+1<<20 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%+v: WAL still %d bytes after %d small commits; want it cut back to about %d", opt, fi.Size(), i+1, walKeepBytes)
			}
			time.Sleep(20 * time.Millisecond)
		}
		view(t, db, func(tx store.Tx) error {
			msgs, err := tx.ThreadMessages(thread)
			if err != nil || len(msgs) < 25 {
				t.Fatalf("%+v: %d messages in the thread, %v", opt, len(msgs), err)
			}
			return nil
		})
	}
}
