// Package sqlite is the SQLite backend of store.Store: one file, WAL mode,
// embedded numbered migrations recorded in the database.
//
// Many short-lived `smartbcc ingest` processes write to the same file at
// once, so every write transaction starts with BEGIN IMMEDIATE: a writer
// takes the write lock before it reads anything and never has to upgrade a
// read lock, which in SQLite fails at once with SQLITE_BUSY instead of
// waiting. Readers use a separate pool and, thanks to WAL, never wait for
// writers.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/smartbcc/smartbcc/store"
)

// Options tune how a store is opened. The zero value is the safe default.
type Options struct {
	// BusyTimeout is how long a transaction waits for another process's
	// lock before failing with store.EBusy. Default 5s.
	BusyTimeout time.Duration
	// Synchronous is SQLite's synchronous setting: "FULL" (default), so
	// that a delivery acknowledged to Postfix survives power loss, or
	// "NORMAL" for bulk imports, which can simply be run again.
	Synchronous string
	// FileMode is given to the database file and its -wal and -shm files
	// when they are created. Default 0600: the store holds private mail.
	FileMode os.FileMode
	// ReadOnly opens the store for View only; Update fails with
	// store.EUnavailable.
	ReadOnly bool
	// MustExist refuses a path with no store (no file, or an empty one)
	// with store.EUnavailable, instead of creating one.
	MustExist bool
	// BackgroundCheckpoints moves WAL checkpoints off the commits: the
	// writer never checkpoints, a goroutine does beside it (see
	// checkpoint.go). Always so with Synchronous NORMAL (imports); a
	// long-running server sets it with FULL, so that no delivery waits
	// behind a commit that copies the WAL into the database. Durability
	// is the same: a commit returns once its WAL frames are synced.
	BackgroundCheckpoints bool
	// FTSMerge, for a long-running server: every transaction that adds
	// to the full-text index also merges a bounded part of it, so that
	// FTS4 never merges a whole level inside one commit (see
	// ftsmerge.go). Searches find the same either way.
	FTSMerge bool
	// RawPacks, for bulk imports: the raw mail of new messages is
	// appended to pack files beside the database (<path>-raw/) instead of
	// going through the WAL into the database (see rawpack.go). Every
	// store reads both forms; a delivery keeps storing raw inline, since
	// a pack costs one more fsync per commit. The bytes are written
	// beside the transaction (packappend.go): a caller leaves a message's
	// Raw unchanged until its Update returns.
	RawPacks bool
}

const (
	defaultBusyTimeout = 5 * time.Second
	defaultFileMode    = 0o600
	maxReaders         = 4
)

func (o Options) withDefaults() (Options, error) {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = defaultBusyTimeout
	}
	if o.FileMode == 0 {
		o.FileMode = defaultFileMode
	}
	o.Synchronous = strings.ToUpper(strings.TrimSpace(o.Synchronous))
	switch o.Synchronous {
	case "":
		o.Synchronous = "FULL"
	case "OFF", "NORMAL", "FULL", "EXTRA":
	default:
		return o, store.Errorf(store.EInvalid, "invalid synchronous setting %q: want FULL or NORMAL", o.Synchronous)
	}
	return o, nil
}

// DB is an open store. It is safe for concurrent use by goroutines; other
// processes may open the same file at the same time.
type DB struct {
	path   string
	opt    Options
	writer *sql.DB // one connection, BEGIN IMMEDIATE; nil when read-only
	reader *sql.DB // read transactions

	// checkpoints runs WAL checkpoints beside the writer during imports.
	checkpoints *checkpointer

	// migrated is set when this Open applied a migration.
	migrated bool

	// search is set when the full-text index exists (migration
	// 0008_search_tokens); only a store opened through the test hook lacks it.
	search bool
	// forwardColumns is set when messages has forward_note and
	// forwarded_at (migration 0006_forward_note); only a store opened
	// through the test hook with fewer migrations lacks them.
	forwardColumns bool
	// visibleIndex is set when the index messages_visible exists
	// (migration 0009_messages_visible).
	visibleIndex bool
	// rawPacks is set when message_raw has pack references (migration
	// 0012_raw_packs).
	rawPacks bool
	// removedIDs is set when removed_ids keeps the highest id removed
	// from a table (migration 0013_ids_never_reused).
	removedIDs bool
	// packs are the open pack files of raw mail (rawpack.go).
	packs packFiles
	// writers is the file writers queue on beside SQLite (writerturn.go).
	writers writersFile

	now func() time.Time
}

var _ store.Store = (*DB)(nil)

// Open opens the store at path, creating the file if it is missing and
// bringing its schema up to date. The directory must exist.
func Open(ctx context.Context, path string, opt Options) (*DB, error) {
	return open(ctx, path, opt, migrations)
}

func open(ctx context.Context, path string, opt Options, migs []migration) (*DB, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, store.Errorf(store.EInvalid, "no store path given")
	}
	// SQLite creates the -wal and -shm files with the database file's
	// mode (and owner), so setting the mode here covers all three.
	if err := createFile(path, opt); err != nil {
		return nil, err
	}
	db := &DB{path: path, opt: opt, now: time.Now}
	if err := db.openPools(ctx); err != nil {
		db.Close()
		return nil, err
	}
	applied, err := db.migrate(ctx, migs)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.search = applied[searchMigration]
	db.forwardColumns = applied[forwardMigration]
	db.visibleIndex = applied[visibleMigration]
	db.rawPacks = applied[rawPackMigration]
	db.removedIDs = applied[removedIDsMigration]
	if db.migrated {
		// A reader connection opened before a migration may keep the old
		// schema in memory and fail to prepare a statement on a table the
		// migration replaced (the FTS5 index, "no such module"): start
		// the readers afresh.
		db.reader.Close()
		if err := db.openReader(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if db.rawPacks && !opt.ReadOnly {
		// Deleted mail whose bytes a crash left in a pack is erased now.
		if err := db.eraseIfFreed(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if !opt.ReadOnly && (opt.Synchronous == "NORMAL" || opt.BackgroundCheckpoints) {
		if err := db.startCheckpointer(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// createFile makes an empty database file with the configured mode, so
// that SQLite never creates it with the umask's, after checking that the
// directory exists: SQLite would only say "unable to open database file".
func createFile(path string, opt Options) error {
	if opt.MustExist {
		if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
			return store.NoStoreAt(path)
		}
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = fmt.Errorf("%s is not a directory", dir)
		}
		return &store.Error{Code: store.EUnavailable,
			Message: fmt.Sprintf("cannot open store %s: directory %s does not exist", path, dir), Err: err}
	}
	if opt.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("cannot open store %s read-only: %v", path, err), Err: err}
		}
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return existingFile(path)
	}
	// The new store is made under a temporary name and linked into place,
	// so that a process opening the store at the same moment finds either
	// no file or a finished one: never an empty file that it would start
	// with SQLite's default page size, nor one being switched to WAL, which
	// SQLite answers with "database is locked" at once, without waiting
	// (8 processes opening a new store at once: one failed in about 1 run
	// in 10).
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".new-*")
	if err != nil {
		return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("cannot create store %s: %v", path, err), Err: err}
	}
	tmp := f.Name()
	defer func() {
		for _, name := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(name)
		}
	}()
	err = f.Chmod(opt.FileMode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = setPageSize(tmp)
	}
	if err != nil {
		return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("cannot create store %s: %v", path, err), Err: err}
	}
	// link(2) never replaces a file: like O_EXCL, the first process wins.
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return existingFile(path)
	} else if err != nil {
		return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("cannot create store %s: %v", path, err), Err: err}
	}
	return nil
}

// existingFile accepts the file at path as the store, unless it is a
// symbolic link to nothing: SQLite would then create its target with the
// umask's mode (0644: private mail readable by all).
func existingFile(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		target, _ := os.Readlink(path)
		return &store.Error{Code: store.EUnavailable,
			Message: fmt.Sprintf("cannot create store %s: it is a symbolic link to %s, which does not exist (create the store there, or give its real path)", path, target), Err: err}
	}
	return nil
}

// pageSize is the page size of a new store (SQLite's default is 4 KB).
// Most of what a store holds is raw mail, a few tens of KB a message:
// with 16 KB pages a message is a quarter as many overflow pages to
// chain, write to the WAL (one write call each) and copy back at a
// checkpoint. An import of the reference corpus spends about a quarter
// less CPU in SQLite. A store keeps the page size it was made with.
const pageSize = 16384

// setPageSize gives the empty file at path its page size. SQLite fixes it
// when it writes the first page, which turning on WAL does: both happen
// here, while the file has its temporary name.
func setPageSize(path string) error {
	conn, err := sql.Open("sqlite3", dsn(path, nil))
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Exec(fmt.Sprintf("PRAGMA page_size=%d; PRAGMA journal_mode=WAL", pageSize))
	return err
}

// openPools opens the writer and reader pools. Settings go into the DSN so
// that every connection a pool makes gets them.
func (db *DB) openPools(ctx context.Context) error {
	busy := fmt.Sprint(db.opt.BusyTimeout.Milliseconds())
	var err error
	if !db.opt.ReadOnly {
		db.writer, err = sql.Open("sqlite3", dsn(db.path, url.Values{
			"_busy_timeout": {busy},
			"_foreign_keys": {"on"},
			"_journal_mode": {"WAL"},
			"_synchronous":  {db.opt.Synchronous},
			"_txlock":       {"immediate"},
			// Ingest runs the same few statements again and again.
			"_stmt_cache_size": {"32"},
			// 16 MB of pages (SQLite's default is 2 MB): a batch of an
			// import dirties more than 2 MB, and SQLite then writes pages
			// to the WAL before the commit and reads index pages back.
			// 12% less CPU for an import of the reference corpus; pages
			// are allocated as they are used, so a pipe delivery's few
			// pages cost no more.
			"_cache_size": {"-16000"},
		}))
		if err != nil {
			return db.storeError(err)
		}
		// One connection: writers in one process queue in database/sql
		// rather than in SQLite's busy handler.
		db.writer.SetMaxOpenConns(1)
		db.writer.SetConnMaxIdleTime(0)
		db.writer.SetConnMaxLifetime(0)
		// Connect now, so that WAL is on before any reader opens the file.
		if err := db.writer.PingContext(ctx); err != nil {
			return db.storeError(err)
		}
	}
	return db.openReader(ctx)
}

// openReader opens the pool of read connections.
func (db *DB) openReader(ctx context.Context) error {
	busy := fmt.Sprint(db.opt.BusyTimeout.Milliseconds())
	var err error
	db.reader, err = sql.Open("sqlite3", dsn(db.path, url.Values{
		"mode":          {"ro"},
		"_busy_timeout": {busy},
		"_foreign_keys": {"on"},
		"_txlock":       {"deferred"},
	}))
	if err != nil {
		return db.storeError(err)
	}
	db.reader.SetMaxOpenConns(maxReaders)
	if err := db.reader.PingContext(ctx); err != nil {
		return db.storeError(err)
	}
	return nil
}

// dsn makes a SQLite URI filename; characters that mean something in a URI
// are escaped so that any path works.
func dsn(path string, params url.Values) string {
	escaped := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + escaped + "?" + params.Encode()
}

// Close closes both pools. The store stays consistent whenever a process
// dies, so Close only releases resources.
func (db *DB) Close() error {
	var errs []error
	if db.checkpoints != nil {
		errs = append(errs, db.checkpoints.close())
		db.checkpoints = nil
	}
	if db.reader != nil {
		errs = append(errs, db.reader.Close())
	}
	if db.writer != nil {
		errs = append(errs, db.writer.Close())
	}
	errs = append(errs, db.packs.close(), db.writers.close())
	return errors.Join(errs...)
}

// View runs fn in a read transaction.
func (db *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, db.reader, false, fn)
}

// Update runs fn in a write transaction (BEGIN IMMEDIATE) and commits when
// fn returns nil.
func (db *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	if db.writer == nil {
		return store.Errorf(store.EUnavailable, "store %s was opened read-only", db.path)
	}
	return db.run(ctx, db.writer, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, writable bool, fn func(store.Tx) error) error {
	if writable {
		defer db.writerTurn()()
	}
	start := timingStart()
	sqlTx, err := pool.BeginTx(ctx, nil)
	if writable {
		timingEnd("BEGIN IMMEDIATE", start)
	} else {
		timingEnd("BEGIN (read)", start)
	}
	if err != nil {
		return db.storeError(err)
	}
	// A no-op after Commit; on error or panic it undoes everything fn did.
	defer sqlTx.Rollback()

	tx := &Tx{db: db, tx: sqlTx, ctx: ctx, writable: writable, now: store.StoreTime(db.now())}
	// Runs before the Rollback above, while the write lock is still held.
	defer tx.undoPacks()
	if err := fn(tx); err != nil {
		return err
	}
	if tx.broken != nil {
		// fn went on after a failed statement: commit nothing, as
		// PostgreSQL would not.
		return tx.broken
	}
	if err := tx.indexPending(); err != nil {
		return err
	}
	if tx.indexed && db.opt.FTSMerge {
		if err := tx.mergeIndex(); err != nil {
			return err
		}
	}
	freed := false
	if writable && db.rawPacks {
		if err := tx.syncPacks(); err != nil {
			return err
		}
		if freed, err = tx.hasFreed(); err != nil {
			return err
		}
	}
	tx.pack.done = true
	start = timingStart()
	err = sqlTx.Commit()
	if writable {
		timingEnd("COMMIT", start)
	} else {
		timingEnd("COMMIT (read)", start)
	}
	if err != nil {
		return db.storeError(err)
	}
	if freed {
		// Deleted raw mail is erased now that its deletion is committed.
		return db.eraseFreed(ctx)
	}
	return nil
}

// eraseIfFreed erases deleted raw mail a crash left behind.
func (db *DB) eraseIfFreed(ctx context.Context) error {
	var yes bool
	if err := db.writer.QueryRowContext(ctx, freedSQL).Scan(&yes); err != nil {
		return db.storeError(err)
	}
	if !yes {
		return nil
	}
	return db.eraseFreed(ctx)
}

// Tx is a transaction on the store; it implements store.Tx. It must not be
// used after the View or Update function returns.
type Tx struct {
	db       *DB
	tx       *sql.Tx
	ctx      context.Context
	writable bool
	indexed  bool // the transaction added to the full-text index
	// pendingIndex holds the full-text entries of the messages inserted
	// and not yet indexed (see indexPending).
	pendingIndex []searchDoc
	now          time.Time // defaults for CreatedAt fields the caller left zero

	// pack is what the transaction appended to raw mail packs.
	pack packWrite

	// broken is the first error the database returned. SQLite would let
	// the transaction go on, PostgreSQL would not; the store contract
	// follows PostgreSQL, so every later statement fails with it.
	broken *store.Error

	// counted is how many messages a ranked listing of this transaction
	// selected, by its FROM and WHERE (see listQuery.key): the count
	// that follows a page of search results is then not a second pass
	// over every hit. Any write forgets it.
	counted map[string]int
}

var _ store.Tx = (*Tx)(nil)

// fail records err, a database error, as the one that broke the
// transaction, and returns it mapped.
func (tx *Tx) fail(err error) error {
	e := tx.db.storeError(err)
	if tx.broken == nil {
		var se *store.Error
		if errors.As(e, &se) {
			tx.broken = &store.Error{Code: se.Code, Err: se,
				Message: "transaction aborted by an earlier error: " + se.Error()}
		}
	}
	return e
}

func (tx *Tx) exec(query string, args ...any) (sql.Result, error) {
	if tx.broken != nil {
		return nil, tx.broken
	}
	if err := tx.indexBefore(query); err != nil {
		return nil, err
	}
	tx.counted = nil
	if err := tx.ctx.Err(); err != nil {
		tx.fail(err)
		return nil, err
	}
	// go-sqlite3 runs each exec under a cancellable context in a goroutine
	// of its own and waits for it: two goroutine switches for every row
	// an import writes. Cancellation is seen before each statement
	// instead (above), and database/sql still rolls the transaction back
	// when ctx ends; an exec is a few rows.
	start := timingStart()
	res, err := tx.tx.ExecContext(context.WithoutCancel(tx.ctx), query, args...)
	timingEnd(query, start)
	if err != nil {
		tx.fail(err)
	}
	return res, err
}

func (tx *Tx) query(query string, args ...any) (*sql.Rows, error) {
	if tx.broken != nil {
		return nil, tx.broken
	}
	if err := tx.indexBefore(query); err != nil {
		return nil, err
	}
	start := timingStart()
	rows, err := tx.tx.QueryContext(tx.ctx, query, args...)
	timingEnd(query, start)
	if err != nil {
		tx.fail(err)
	}
	return rows, err
}

// row is the result of queryRow: sql.Row, or the error that broke the
// transaction earlier.
type row struct {
	tx    *Tx
	row   *sql.Row
	err   error
	query string
	start time.Time // for statement timings
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.row.Scan(dest...)
	timingEnd(r.query, r.start)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		r.tx.fail(err)
	}
	return err
}

func (tx *Tx) queryRow(query string, args ...any) row {
	if tx.broken != nil {
		return row{err: tx.broken}
	}
	if err := tx.indexBefore(query); err != nil {
		return row{err: err}
	}
	start := timingStart()
	return row{tx: tx, row: tx.tx.QueryRowContext(tx.ctx, query, args...), query: query, start: start}
}

// indexBefore indexes the pending full-text entries (indexPending) before
// a statement that reads or changes the index, or deletes rows (a deleted
// message takes its entry with it, through a trigger): the transaction
// then sees its own messages in the index as if they had been indexed at
// once. The test is on the statement's text: the delete trigger on
// messages is the only other way to the index, so a new trigger or view
// that reaches message_fts must be added here.
func (tx *Tx) indexBefore(query string) error {
	if len(tx.pendingIndex) == 0 {
		return nil
	}
	if strings.Contains(query, "message_fts") || strings.HasPrefix(strings.TrimSpace(strings.ToUpper(query[:min(len(query), 16)])), "DELETE") {
		return tx.indexPending()
	}
	return nil
}

const removedIDsMigration = "0013_ids_never_reused.sql"

// newID is the SQL for the id of a new row of table, one of those whose
// rows the product removes (persons, quarantine, addresses): one above both
// the table's highest id and the highest id ever removed from it, so that
// no id is given twice (migration 0013). NULL, SQLite's own choice, on a
// store opened through the test hook without that migration.
func (tx *Tx) newID(table string) string {
	if !tx.db.removedIDs {
		return "NULL"
	}
	return `(` + tx.db.lastIDGiven(table, "id") + ` + 1)`
}

// lastIDGiven is the SQL for the highest id ever given a row of table (its
// identity column id): the table's highest, or the highest removed from it
// (removed_ids) when that is higher. newID gives the next; a dump carries
// it (store.IDsGiven).
func (db *DB) lastIDGiven(table, id string) string {
	highest := `coalesce((SELECT max(` + id + `) FROM ` + table + `), 0)`
	if !db.removedIDs {
		return highest
	}
	return `max(` + highest + `, coalesce((SELECT last FROM removed_ids WHERE tbl = '` + table + `'), 0))`
}

// insert runs an INSERT and returns the new row's id.
func (tx *Tx) insert(query string, args ...any) (int64, error) {
	res, err := tx.exec(query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// limitOffset returns the LIMIT/OFFSET clause; SQLite needs a LIMIT for
// an OFFSET, -1 meaning none.
func limitOffset(limit, offset int) string {
	switch {
	case limit > 0 && offset > 0:
		return fmt.Sprintf(" LIMIT %d OFFSET %d", limit, offset)
	case limit > 0:
		return fmt.Sprintf(" LIMIT %d", limit)
	case offset > 0:
		return fmt.Sprintf(" LIMIT -1 OFFSET %d", offset)
	}
	return ""
}

// placeholders returns "?, ?, ?" for n arguments.
// inList is the SQL for "x IN (list)" with the list bound as one JSON
// array parameter (see jsonList): a hostile message can name tens of
// thousands of addresses, more than SQLite's limit of bound variables.
const inList = `(SELECT value FROM json_each(?))`

// jsonList encodes values for inList.
func jsonList[T any](values []T) string {
	b, err := json.Marshal(values)
	if err != nil {
		return "[]"
	}
	return string(b)
}
