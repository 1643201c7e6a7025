package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/smartbcc/smartbcc/store"
)

// Raw mail in pack files.
//
// Most of what an import writes is the raw mail: through SQLite it is
// written twice (WAL frames, then the checkpoint copies them into the
// database), in page-sized pieces. A store opened for a bulk import
// (Options.RawPacks) appends each message's raw bytes instead to a pack
// file beside the database, <db>-raw/NNNNNN.pack, once, with one pwrite,
// and message_raw keeps only a reference (pack, off, len) and an empty
// raw. Pipe deliveries and the server keep storing raw inline: a pack
// costs one more fsync per commit. A store may hold both forms; every
// reader (MessageRaw, Dump, Check) handles both.
//
// Consistency rests on SQLite's write lock, which serializes every
// writer of every process:
//   - appends happen inside the write transaction, at the pack's
//     committed end, which the transaction reads from the database under
//     the lock (the largest off+len of the pack's references and of its
//     freed ranges not yet erased). Bytes past it are left by a crash or
//     a failed commit: the first append of a transaction cuts them off.
//   - the pack files written are synced before COMMIT, so a committed
//     reference never points at bytes that are not on disk.
//   - on rollback the packs are truncated back to their length at the
//     start of the transaction, before the lock is released.
//
// Deleting mail must delete it: a trigger records the range of every
// message_raw row removed (directly or through a cascade) in
// raw_pack_freed; after the transaction commits, and when a store is
// opened for writing, a write transaction punches holes over those ranges
// (zeros where the file system cannot punch), syncs the file and forgets
// the ranges. It runs under the write lock, so no writer appends into a
// range while it is being erased, and a recorded range keeps the
// committed end past it until it is erased. Erasing twice is harmless.

// rawPackMigration adds the references and the freed ranges.
const rawPackMigration = "0012_raw_packs.sql"

// rawPackLimit is the size at which a new pack file is started. A
// message is never split: a pack may end past the limit by one message.
// A variable for the tests.
var rawPackLimit int64 = 1 << 30

// writebackChunk is how many appended bytes are handed to the disk at
// once, before the commit asks for them.
const writebackChunk = 1 << 20

// rawDir is the directory of a store's packs, named like SQLite's own
// side files (-wal, -shm).
func rawDir(dbPath string) string { return dbPath + "-raw" }

func packName(n int64) string { return fmt.Sprintf("%06d.pack", n) }

// dirMode is the mode of the pack directory: the store file's mode with
// search permission wherever it has read permission (0600 -> 0700).
func dirMode(file os.FileMode) os.FileMode {
	return file | (file&0o444)>>2
}

// packFiles holds the open pack files of a store, by number: opened for
// reading and writing when the store has a writer, read-only otherwise.
// Files are never renamed or removed, so a handle stays valid.
type packFiles struct {
	mu    sync.Mutex
	files map[int64]*os.File
}

func (p *packFiles) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, f := range p.files {
		errs = append(errs, f.Close())
	}
	p.files = nil
	return errors.Join(errs...)
}

// packFile returns pack n, creating the file (and directory) when create.
func (db *DB) packFile(n int64, create bool) (*os.File, error) {
	p := &db.packs
	p.mu.Lock()
	defer p.mu.Unlock()
	if f := p.files[n]; f != nil {
		return f, nil
	}
	dir := rawDir(db.path)
	name := filepath.Join(dir, packName(n))
	flag := os.O_RDONLY
	if db.writer != nil {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(name, flag, 0)
	if errors.Is(err, fs.ErrPermission) && flag != os.O_RDONLY && !create {
		// Someone who may read the store but not write it (a read
		// command run by another user) still reads its mail.
		f, err = os.OpenFile(name, os.O_RDONLY, 0)
	}
	if errors.Is(err, fs.ErrNotExist) && create {
		f, err = db.createPack(dir, name)
	}
	if err != nil {
		return nil, err
	}
	if p.files == nil {
		p.files = map[int64]*os.File{}
	}
	p.files[n] = f
	return f, nil
}

// createPack creates the pack file name in dir, and dir if it is missing,
// with the store's modes whatever the umask, and syncs the directories so
// that the new names survive a crash as the references to them will.
func (db *DB) createPack(dir, name string) (*os.File, error) {
	if err := os.Mkdir(dir, dirMode(db.opt.FileMode)); err == nil {
		if err := os.Chmod(dir, dirMode(db.opt.FileMode)); err != nil {
			return nil, err
		}
		if err := syncDir(filepath.Dir(dir)); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, db.opt.FileMode)
	if errors.Is(err, fs.ErrExist) {
		return os.OpenFile(name, os.O_RDWR, 0)
	}
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(db.opt.FileMode); err != nil {
		f.Close()
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// packError reports a failed read or write of pack n as unavailable
// storage: the disk is full, gone or refuses.
func (db *DB) packError(what string, n int64, err error) *store.Error {
	return &store.Error{Code: store.EUnavailable, Err: err,
		Message: fmt.Sprintf("store %s: %s raw mail pack %s: %v", db.path, what, filepath.Join(rawDir(db.path), packName(n)), err)}
}

// packWrite is what a write transaction appended to packs.
type packWrite struct {
	cur int64 // the pack appended to; 0 before the first append
	f   *os.File
	end int64 // where the next message goes in cur
	// app writes the appended bytes (packappend.go); nil before the
	// first append and once drained.
	app  *packAppender
	from map[int64]int64 // each pack written: its length when the transaction started
	// done is set once COMMIT has been asked for: from then on the
	// transaction is no longer ours to undo (a failed COMMIT has
	// released the lock; the next writer cuts what it left).
	done bool
}

// packedEnd is the committed end of pack n: past its last reference and
// its last range waiting to be erased.
func (tx *Tx) packedEnd(n int64) (int64, error) {
	var end int64
	err := tx.queryRow(`SELECT coalesce(max(e), 0) FROM (
		SELECT * FROM (SELECT off + len AS e FROM message_raw WHERE pack = ?1 ORDER BY off DESC, len DESC LIMIT 1)
		UNION ALL SELECT max(off + len) FROM raw_pack_freed WHERE pack = ?1)`, n).Scan(&end)
	return end, tx.err(err)
}

// startPack makes pack n the one appended to, at its committed end:
// bytes past it are cut off (a crash's), and a file shorter than it is
// refused (raw mail is missing: appending would only bury that).
func (tx *Tx) startPack(n int64) error {
	end, err := tx.packedEnd(n)
	if err != nil {
		return err
	}
	f, err := tx.db.packFile(n, true)
	if err != nil {
		return tx.fail(tx.db.packError("cannot open", n, err))
	}
	fi, err := f.Stat()
	if err != nil {
		return tx.fail(tx.db.packError("cannot read", n, err))
	}
	if fi.Size() < end {
		return tx.fail(&store.Error{Code: store.EInternal, Message: fmt.Sprintf(
			"store %s: raw mail pack %s is %d bytes long but the store refers to bytes up to %d: raw mail is missing (restore the -raw directory from the backup taken with the database)",
			tx.db.path, filepath.Join(rawDir(tx.db.path), packName(n)), fi.Size(), end)})
	}
	if fi.Size() > end {
		if err := f.Truncate(end); err != nil {
			return tx.fail(tx.db.packError("cannot cut uncommitted bytes off", n, err))
		}
	}
	pw := &tx.pack
	if pw.from == nil {
		pw.from = map[int64]int64{}
	}
	if _, ok := pw.from[n]; !ok {
		pw.from[n] = end
	}
	pw.cur, pw.f, pw.end = n, f, end
	return nil
}

// appendRaw appends raw (not empty) to the current pack and returns where
// it went.
func (tx *Tx) appendRaw(raw []byte) (pack, off int64, err error) {
	pw := &tx.pack
	if pw.cur == 0 {
		var last sql.NullInt64
		err := tx.queryRow(`SELECT max(p) FROM (
			SELECT max(pack) AS p FROM message_raw WHERE pack IS NOT NULL
			UNION ALL SELECT max(pack) FROM raw_pack_freed)`).Scan(&last)
		if err != nil {
			return 0, 0, tx.err(err)
		}
		n := int64(1)
		if last.Valid {
			n = last.Int64
		}
		if err := tx.startPack(n); err != nil {
			return 0, 0, err
		}
	}
	if pw.end > 0 && pw.end+int64(len(raw)) > rawPackLimit {
		if err := tx.startPack(pw.cur + 1); err != nil {
			return 0, 0, err
		}
	}
	if pw.app == nil {
		pw.app = startAppender()
	}
	off = pw.end
	pw.app.append(pw.f, pw.cur, off, raw)
	pw.end += int64(len(raw))
	return pw.cur, off, nil
}

// flushAppends waits until the packs hold every byte appended so far.
func (tx *Tx) flushAppends() error {
	if tx.pack.app == nil {
		return nil
	}
	if n, err := tx.pack.app.flush(); err != nil {
		return tx.fail(tx.db.packError("cannot write", n, err))
	}
	return nil
}

// stopAppends drains and ends the appender of the transaction.
func (tx *Tx) stopAppends() error {
	app := tx.pack.app
	if app == nil {
		return nil
	}
	tx.pack.app = nil
	if n, err := app.stop(); err != nil {
		return tx.fail(tx.db.packError("cannot write", n, err))
	}
	return nil
}

// syncPacks syncs every pack the transaction wrote, before its COMMIT.
func (tx *Tx) syncPacks() error {
	if err := tx.stopAppends(); err != nil {
		return err
	}
	for n := range tx.pack.from {
		f, err := tx.db.packFile(n, false)
		if err == nil {
			err = syncData(f)
		}
		if err != nil {
			return tx.fail(tx.db.packError("cannot sync", n, err))
		}
	}
	return nil
}

// undoPacks cuts the packs back to their length at the start of the
// transaction, which has not committed and still holds the write lock.
func (tx *Tx) undoPacks() {
	if tx.pack.done {
		return
	}
	tx.undoPacksTo(packWrite{}, nil)
}

// undoPacksTo cuts the packs back to where they ended at a point of the
// transaction: pack is its packWrite then and from its map of packs
// started (packWrite{} and nil: the start of the transaction, undoPacks;
// a savepoint, Within). A cut that fails fails the transaction; the
// bytes stay until the next writer cuts them (startPack).
func (tx *Tx) undoPacksTo(pack packWrite, from map[int64]int64) {
	// No write may land after the cut. A write that failed has failed
	// the transaction already.
	_ = tx.stopAppends()
	for n, end := range tx.pack.from {
		if n == pack.cur {
			end = pack.end
		} else if _, ok := from[n]; ok && n < pack.cur {
			continue // untouched since then
		}
		if f, err := tx.db.packFile(n, false); err == nil {
			if err := f.Truncate(end); err != nil {
				tx.fail(tx.db.packError("cannot cut uncommitted bytes off", n, err))
			}
		}
	}
	tx.pack.cur, tx.pack.f, tx.pack.end = pack.cur, pack.f, pack.end
	tx.pack.from = from
}

// readPacked reads the n bytes at off in pack.
func (db *DB) readPacked(id, pack, off, n int64) ([]byte, error) {
	f, err := db.packFile(pack, false)
	if err != nil {
		return nil, db.packError(fmt.Sprintf("raw mail of message %d is missing:", id), pack, err)
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, off); err != nil {
		if errors.Is(err, io.EOF) {
			err = fmt.Errorf("the file ends before byte %d", off+n)
		}
		return nil, &store.Error{Code: store.EInternal, Err: err, Message: fmt.Sprintf(
			"store %s: raw mail of message %d is missing: pack %s: %v", db.path, id, filepath.Join(rawDir(db.path), packName(pack)), err)}
	}
	if n > 0 && buf[0] == 0 && allZero(buf) {
		// A read that began before the message was deleted and ended after
		// its bytes were erased: no mail is all zeros.
		return nil, store.Errorf(store.ENotFound, "no such message %d (deleted)", id)
	}
	return buf, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// eraseFreed erases the ranges of deleted raw mail recorded in
// raw_pack_freed, and forgets them, in a write transaction of its own.
func (db *DB) eraseFreed(ctx context.Context) error {
	return db.run(ctx, db.writer, true, func(stx store.Tx) error {
		tx := stx.(*Tx)
		type rng struct{ pack, off, n int64 }
		var todo []rng
		rows, err := tx.query(`SELECT pack, off, len FROM raw_pack_freed ORDER BY pack, off`)
		if err != nil {
			return tx.err(err)
		}
		for rows.Next() {
			var r rng
			if err := rows.Scan(&r.pack, &r.off, &r.n); err != nil {
				rows.Close()
				return tx.err(err)
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return tx.err(err)
		}
		synced := map[int64]*os.File{}
		for _, r := range todo {
			f, err := db.packFile(r.pack, false)
			if errors.Is(err, fs.ErrNotExist) {
				continue // the bytes went with the file
			}
			if err != nil {
				return db.packError("cannot open (to erase deleted mail)", r.pack, err)
			}
			if err := erase(f, r.off, r.n); err != nil {
				return db.packError("cannot erase deleted mail in", r.pack, err)
			}
			synced[r.pack] = f
		}
		for n, f := range synced {
			if err := syncData(f); err != nil {
				return db.packError("cannot sync", n, err)
			}
		}
		_, err = tx.exec(`DELETE FROM raw_pack_freed`)
		return tx.err(err)
	})
}

// erase makes the n bytes at off read as zeros and frees their blocks:
// a hole punched where the file system can, zeros written where not.
func erase(f *os.File, off, n int64) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	n = min(n, fi.Size()-off) // a range past the end is gone already
	if n <= 0 {
		return nil
	}
	if err := punchHole(f, off, n); !errors.Is(err, errNoHoles) {
		return err
	}
	return writeZeros(f, off, n)
}

// writeZeros overwrites the n bytes at off with zeros: erase where the
// file system cannot punch holes.
func writeZeros(f *os.File, off, n int64) error {
	zeros := make([]byte, min(n, 1<<20))
	for done := int64(0); done < n; {
		k := min(n-done, int64(len(zeros)))
		if _, err := f.WriteAt(zeros[:k], off+done); err != nil {
			return err
		}
		done += k
	}
	return nil
}

// freedSQL asks whether deleted raw mail waits to be erased.
const freedSQL = `SELECT EXISTS (SELECT 1 FROM raw_pack_freed)`

// hasFreed reports whether deleted raw mail waits to be erased.
func (tx *Tx) hasFreed() (bool, error) {
	var yes bool
	err := tx.queryRow(freedSQL).Scan(&yes)
	return yes, tx.err(err)
}
