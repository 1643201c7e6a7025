package sqlite

import (
	"errors"
	"io/fs"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Deliveries get their turn between an import's transactions.
//
// SQLite keeps no queue of writers: one that finds the database locked
// sleeps and tries again (its busy handler, up to 100 ms between tries),
// and an archive import, which begins its next transaction microseconds
// after it commits the last, nearly always takes the lock first. Measured
// on the reference corpus: a pipe delivery that came during an import
// waited out its whole 5 s busy timeout and exited 75, to be retried by
// Postfix minutes later, with this build and the one before it.
//
// So writers also queue on a file lock (flock) on the file <store>-writers:
// every writer but an import holds it shared while it waits for and runs
// its transaction; an import (Options.RawPacks) takes it exclusively for
// an instant before each of its transactions, which waits until the
// writers queued meanwhile are done. It waits importYield at most, so
// that a steady flow of deliveries cannot stop an import: then it goes on
// and competes as before. The lock is a courtesy: when the file cannot be
// opened (a store of another user, made with a FileMode that keeps this
// one out), a writer goes on without it.
const importYield = 2 * time.Second

// writersFile is the open lock file, or nil while it cannot be opened.
// An import makes it; other writers only look for it (again at each
// transaction until it is there), so that a store nobody imported into
// has no such file.
type writersFile struct {
	mu sync.Mutex
	f  *os.File
}

func (w *writersFile) get(path string, mode os.FileMode, create bool) *os.File {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		f, err := os.OpenFile(path+"-writers", os.O_RDONLY, 0)
		if errors.Is(err, fs.ErrNotExist) && create {
			// The store's mode, whatever the umask: the pipe's user must
			// be able to open it too when FileMode lets it.
			if f, err = os.OpenFile(path+"-writers", os.O_RDONLY|os.O_CREATE|os.O_EXCL, mode); err == nil {
				if err = f.Chmod(mode); err != nil {
					f.Close()
				}
			} else if errors.Is(err, fs.ErrExist) {
				f, err = os.OpenFile(path+"-writers", os.O_RDONLY, 0)
			}
		}
		if err == nil {
			w.f = f
		}
	}
	return w.f
}

func (w *writersFile) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	return w.f.Close()
}

// writerTurn waits for this writer's turn (see importYield) and returns
// what ends it.
func (db *DB) writerTurn() (done func()) {
	f := db.writers.get(db.path, db.opt.FileMode, db.opt.RawPacks)
	if f == nil {
		return func() {}
	}
	fd := int(f.Fd())
	if !db.opt.RawPacks {
		if unix.Flock(fd, unix.LOCK_SH) != nil {
			return func() {}
		}
		return func() { unix.Flock(fd, unix.LOCK_UN) }
	}
	deadline := time.Now().Add(importYield)
	for unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) != nil && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	unix.Flock(fd, unix.LOCK_UN)
	return func() {}
}
