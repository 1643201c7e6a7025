package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/smartbcc/smartbcc/store"
)

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "smartbcc.db")
	_, err := Open(context.Background(), path, Options{})
	wantCode(t, "Open", err, store.EUnavailable)
	if err == nil || !strings.Contains(err.Error(), filepath.Dir(path)) {
		t.Errorf("error %v does not name the directory %s", err, filepath.Dir(path))
	}
}

func TestOpenInvalidSynchronous(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), Options{Synchronous: "SOMETIMES"})
	wantCode(t, "Open", err, store.EInvalid)
}

func TestPragmas(t *testing.T) {
	tests := []struct {
		name     string
		opt      Options
		sync     int // PRAGMA synchronous: 1 NORMAL, 2 FULL
		busyMsec int
	}{
		{"defaults", Options{}, 2, 5000},
		{"import", Options{Synchronous: "normal", BusyTimeout: 750 * time.Millisecond}, 1, 750},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTestAt(t, filepath.Join(t.TempDir(), "p.db"), tc.opt)
			for _, pool := range []*sql.DB{db.writer, db.reader} {
				var mode string
				var fk, sync, busy int
				pool.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
				pool.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
				pool.QueryRow(`PRAGMA busy_timeout`).Scan(&busy)
				if mode != "wal" || fk != 1 || busy != tc.busyMsec {
					t.Errorf("journal_mode %q foreign_keys %d busy_timeout %d; want wal 1 %d", mode, fk, busy, tc.busyMsec)
				}
				if pool == db.writer {
					pool.QueryRow(`PRAGMA synchronous`).Scan(&sync)
					if sync != tc.sync {
						t.Errorf("synchronous = %d, want %d", sync, tc.sync)
					}
				}
			}
		})
	}
}

func TestFileMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.db")
	old := setUmask(0o077) // would turn 0640 into 0600 without the explicit chmod
	defer setUmask(old)
	db := openTestAt(t, path, Options{})
	// A write makes sure the -wal and -shm files exist.
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}

	// SQLite gives -wal and -shm the database file's mode, not the umask's.
	custom := filepath.Join(dir, "custom.db")
	db = openTestAt(t, custom, Options{FileMode: 0o640})
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
	for _, p := range []string{custom, custom + "-wal", custom + "-shm"} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v, %v; want 0640", filepath.Base(p), fi.Mode().Perm(), err)
		}
	}
}

// A store path that is a dangling symbolic link is refused, and its
// target is not created (SQLite would create it with the umask's mode).
func TestDanglingSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "elsewhere.db")
	link := filepath.Join(dir, "m.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	old := setUmask(0o022)
	defer setUmask(old)
	db, err := Open(context.Background(), link, Options{})
	if err == nil {
		db.Close()
		t.Fatal("Open of a dangling symbolic link succeeded")
	}
	if store.ErrorCode(err) != store.EUnavailable || !strings.Contains(err.Error(), "symbolic link to "+target) {
		t.Errorf("Open of a dangling symbolic link: %v", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the link's target was created: %v", err)
	}
	// A link to an existing store is followed as before.
	real := filepath.Join(dir, "real.db")
	openTestAt(t, real, Options{}).Close()
	link2 := filepath.Join(dir, "l2.db")
	if err := os.Symlink(real, link2); err != nil {
		t.Fatal(err)
	}
	db, err = Open(context.Background(), link2, Options{})
	if err != nil {
		t.Fatalf("Open of a link to a store: %v", err)
	}
	db.Close()
}

func TestReadOnlyOption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	db := openTestAt(t, path, Options{})
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
	db.Close()

	ro := openTestAt(t, path, Options{ReadOnly: true})
	err := ro.Update(context.Background(), func(tx store.Tx) error { return nil })
	wantCode(t, "Update on a read-only store", err, store.EUnavailable)
	view(t, ro, func(tx store.Tx) error {
		c, err := tx.Company()
		if err == nil && c.Slug != "acme" {
			t.Errorf("slug %q", c.Slug)
		}
		return err
	})

	_, err = Open(context.Background(), filepath.Join(t.TempDir(), "missing.db"), Options{ReadOnly: true})
	wantCode(t, "read-only Open of a missing store", err, store.EUnavailable)
}

// TestReadOnlyFile: a store file the process cannot write (a full or
// read-only file system looks the same to SQLite) is unavailable, a
// temporary failure, not a bug.
func TestReadOnlyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rof.db")
	db := openTestAt(t, path, Options{})
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
	db.Close()
	makeReadOnly(t, path)

	// Reading still works: the store is up to date and needs no write.
	db = openTestAt(t, path, Options{})
	view(t, db, func(tx store.Tx) error { _, err := tx.Company(); return err })
	err := db.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.CreateUser("ann@acme.example", "Ann")
		return err
	})
	wantCode(t, "Update", err, store.EUnavailable)
	var sqe sqlite3.Error
	if !errors.As(err, &sqe) || sqe.Code != sqlite3.ErrReadonly {
		t.Errorf("underlying error %v is not SQLITE_READONLY", err)
	}
}

// makeReadOnly makes path unwritable even for root (immutable attribute).
func makeReadOnly(t *testing.T, path string) {
	if os.Geteuid() != 0 {
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := exec.Command("chattr", "+i", path).Run(); err != nil {
		t.Skipf("running as root and chattr +i failed (%v): cannot make a read-only file", err)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", path).Run() })
}

func TestPathWithURICharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd name?x=1#2%41.db")
	db := openTestAt(t, path, Options{})
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
	if _, err := os.Stat(path); err != nil {
		t.Errorf("store not at %s: %v", path, err)
	}
}

func TestErrorMapping(t *testing.T) {
	db := &DB{path: "/x/s.db", opt: Options{BusyTimeout: 5 * time.Second}}
	tests := []struct {
		err  error
		code string
		msg  string
	}{
		{sqlite3.Error{Code: sqlite3.ErrBusy}, store.EBusy, "store is busy: database is locked (waited 5s)"},
		{sqlite3.Error{Code: sqlite3.ErrLocked}, store.EBusy, "store is busy"},
		{sqlite3.Error{Code: sqlite3.ErrFull}, store.EUnavailable, "disk full"},
		{sqlite3.Error{Code: sqlite3.ErrReadonly}, store.EUnavailable, "read-only"},
		{sqlite3.Error{Code: sqlite3.ErrCantOpen}, store.EUnavailable, "/x/s.db"},
		{sqlite3.Error{Code: sqlite3.ErrIoErr}, store.EUnavailable, "unavailable"},
		{sqlite3.Error{Code: sqlite3.ErrProtocol}, store.EUnavailable, "unavailable"},
		{sqlite3.Error{Code: sqlite3.ErrConstraint, ExtendedCode: sqlite3.ErrConstraintUnique}, store.EConflict, "already exists"},
		{sql.ErrNoRows, store.ENotFound, "not found"},
		{context.DeadlineExceeded, store.EBusy, "gave up"},
		{errors.New("strange"), store.EInternal, "strange"},
	}
	for _, tc := range tests {
		got := db.storeError(tc.err)
		if store.ErrorCode(got) != tc.code || !strings.Contains(got.Error(), tc.msg) {
			t.Errorf("storeError(%v) = %q (%s), want code %s containing %q", tc.err, got, store.ErrorCode(got), tc.code, tc.msg)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("storeError(%v) does not wrap the original error", tc.err)
		}
	}
}

// A new store has 16 KB pages; a store made with SQLite's default 4 KB
// pages (every store before) opens and keeps them.
func TestPageSize(t *testing.T) {
	dir := t.TempDir()
	pageSizeOf := func(db *DB) int {
		var n int
		if err := db.reader.QueryRow(`PRAGMA page_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	db := openTestAt(t, filepath.Join(dir, "new.db"), Options{})
	if got := pageSizeOf(db); got != pageSize {
		t.Errorf("new store: page_size %d, want %d", got, pageSize)
	}

	old := filepath.Join(dir, "old.db")
	conn, err := sql.Open("sqlite3", old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(`PRAGMA page_size=4096; PRAGMA journal_mode=WAL; CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db = openTestAt(t, old, Options{})
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
	if got := pageSizeOf(db); got != 4096 {
		t.Errorf("existing store: page_size %d, want 4096 (kept)", got)
	}
}

// Processes opening a new store at the same moment each get the store
// with its 16 KB pages (none starts the empty file with SQLite's default),
// and the temporary file it was made under is gone.
func TestNewStoreRace(t *testing.T) {
	for round := 0; round < 10; round++ {
		dir := t.TempDir()
		path := filepath.Join(dir, "smartbcc.db")
		errs := make(chan error, 8)
		sizes := make(chan int, 8)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := Open(ctxb, path, Options{})
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				var n int
				if err := db.reader.QueryRow(`PRAGMA page_size`).Scan(&n); err != nil {
					errs <- err
					return
				}
				sizes <- n
			}()
		}
		wg.Wait()
		close(errs)
		close(sizes)
		for err := range errs {
			t.Errorf("round %d: Open: %v", round, err)
		}
		for n := range sizes {
			if n != pageSize {
				t.Errorf("round %d: page_size %d, want %d", round, n, pageSize)
			}
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".new-") {
				t.Errorf("round %d: temporary file %s left behind", round, e.Name())
			}
		}
	}
}
