// Package postgres is the PostgreSQL backend of store.Store, for
// companies whose several MX hosts file into one database. It mirrors
// store/sqlite file by file and passes the same contract suite
// (store/storetest).
//
// Writers are serialised as SQLite's BEGIN IMMEDIATE serialises them: each
// Update first takes a transaction-scoped advisory lock on the store (one
// lock per schema), waiting at most the busy timeout (lock_timeout). So a
// delivery's decisions, "is this message filed already?", "which thread
// does it join?", "does the thread belong to a deal yet?", are taken with
// no other writer in between, on any host; constraints (UNIQUE owner and
// duplicate key) and INSERT ... ON CONFLICT hold the same rules again
// inside the database. Readers use REPEATABLE READ READ ONLY transactions,
// the snapshot SQLite's WAL readers get, and never wait for writers.
//
// Connection settings come from the URL (pgx's pgxpool.ParseConfig):
// pool_max_conns, sslmode and the other libpq keywords, and run-time
// parameters such as statement_timeout. The libpq environment variables
// (PGHOST, PGUSER, PGPASSWORD, PGSSLMODE...) fill in what the URL leaves
// out.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/smartbcc/smartbcc/store"
)

// Options tune how a store is opened. The zero value is the safe default.
type Options struct {
	// BusyTimeout is how long a transaction waits for another writer's
	// lock (lock_timeout) before failing with store.EBusy. Default 5s.
	BusyTimeout time.Duration
	// Synchronous "FULL" (default) waits for each commit to reach the
	// server's disk; "NORMAL" (bulk imports, which can simply be run
	// again) sets synchronous_commit=off.
	Synchronous string
	// ReadOnly opens the store for View only; Update fails with
	// store.EUnavailable.
	ReadOnly bool
	// MustExist refuses a database without a store in it (no tables
	// yet) with store.EUnavailable, instead of creating one.
	MustExist bool
}

const (
	defaultBusyTimeout = 5 * time.Second
	// Defaults for what the URL does not set: a server that does not
	// answer must not hold a delivery until Postfix's own time limit.
	defaultConnectTimeout   = 10 * time.Second
	defaultStatementTimeout = "5min"
)

func (o Options) withDefaults() (Options, error) {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = defaultBusyTimeout
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
// processes and hosts may open the same database at the same time.
type DB struct {
	name string // the URL without its password, for messages
	opt  Options
	pool *pgxpool.Pool
	// connectTimeout is the URL's connect_timeout, or the default.
	connectTimeout time.Duration

	// schema is the schema the store lives in (the first of search_path);
	// lockKey is the advisory lock that serialises its writers.
	schema  string
	lockKey int64

	// search is set when the full-text index exists (migration
	// 0002_search); only a store opened through the test hook lacks it.
	search bool
	// forwardColumns is set when messages has forward_note and
	// forwarded_at (migration 0006_forward_note); only a store opened
	// through the test hook with fewer migrations lacks them.
	forwardColumns bool

	now func() time.Time
}

var _ store.Store = (*DB)(nil)

// Open opens the store at the postgres:// URL dsn, creating its schema or
// bringing it up to date. The database must exist.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	return open(ctx, dsn, opt, migrations)
}

func open(ctx context.Context, dsn string, opt Options, migs []migration) (*DB, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	db := &DB{name: redact(dsn), opt: opt, now: time.Now}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, &store.Error{Code: store.EInvalid, Message: "invalid PostgreSQL URL: " + err.Error(), Err: err}
	}
	cc := cfg.ConnConfig
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = defaultConnectTimeout
	}
	db.connectTimeout = cc.ConnectTimeout
	params := cc.RuntimeParams
	setDefault := func(k, v string) {
		if _, ok := params[k]; !ok {
			params[k] = v
		}
	}
	setDefault("application_name", "smartbcc")
	setDefault("statement_timeout", defaultStatementTimeout)
	// Every lock wait, the writer lock's and a migration's, gives up after
	// the busy timeout, as SQLite's busy handler does.
	params["lock_timeout"] = fmt.Sprint(opt.BusyTimeout.Milliseconds())
	params["TimeZone"] = "UTC"
	if opt.Synchronous != "FULL" && opt.Synchronous != "EXTRA" {
		params["synchronous_commit"] = "off"
	}
	if opt.ReadOnly {
		params["default_transaction_read_only"] = "on"
	}
	// Statements are prepared once per connection and reused: ingest runs
	// the same few again and again.
	cc.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement

	db.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, db.storeError(err)
	}
	if err := db.pool.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&db.schema); err != nil {
		db.Close()
		return nil, db.storeError(err)
	}
	if db.schema == "" {
		db.Close()
		return nil, store.Errorf(store.EUnavailable, "store %s: no schema to create tables in (search_path names none that exists)", db.name)
	}
	db.lockKey = lockKey(db.schema)
	if opt.MustExist {
		applied, err := db.appliedMigrations(ctx, db.pool)
		if err != nil {
			db.Close()
			return nil, db.storeError(err)
		}
		if len(applied) == 0 {
			db.Close()
			return nil, store.NoStoreAt(db.name)
		}
	}
	applied, err := db.migrate(ctx, migs)
	if err != nil {
		db.Close()
		return nil, err
	}
	db.search = applied[searchMigration]
	db.forwardColumns = applied[forwardMigration]
	return db, nil
}

// lockKey is the advisory lock of the store in schema: stores in other
// schemas of the same database (a test's, say) do not wait for it.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("smartbcc writer lock\x00" + schema))
	return int64(h.Sum64())
}

// redact returns the URL without its password, for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(PostgreSQL URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Close closes the pool. The store stays consistent whenever a process
// dies, so Close only releases resources.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
	}
	return nil
}

// View runs fn in a read transaction with one snapshot throughout.
func (db *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	return db.run(ctx, false, fn)
}

// Update runs fn in a write transaction under the writer lock and commits
// when fn returns nil.
func (db *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	if db.opt.ReadOnly {
		return store.Errorf(store.EUnavailable, "store %s was opened read-only", db.name)
	}
	return db.run(ctx, true, fn)
}

func (db *DB) run(ctx context.Context, writable bool, fn func(store.Tx) error) error {
	opts := pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}
	if writable {
		// No access mode: a server that only reads (a standby after a
		// failover) refuses the first write as unavailable, a temporary
		// failure.
		opts = pgx.TxOptions{IsoLevel: pgx.ReadCommitted}
	}
	pgTx, err := db.pool.BeginTx(ctx, opts)
	if err != nil {
		return db.storeError(err)
	}
	// A no-op after Commit; on error or panic it undoes everything fn did.
	defer pgTx.Rollback(context.Background())

	if writable {
		// The writer lock: taken before anything is read, so that every
		// statement after it sees what the previous writer committed.
		if _, err := pgTx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, db.lockKey); err != nil {
			return db.storeError(err)
		}
	}
	tx := &Tx{db: db, tx: pgTx, ctx: ctx, writable: writable, now: store.StoreTime(db.now())}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.flush(); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return db.storeError(err)
	}
	return nil
}

// Tx is a transaction on the store; it implements store.Tx. It must not be
// used after the View or Update function returns.
type Tx struct {
	db       *DB
	tx       pgx.Tx
	ctx      context.Context
	writable bool
	now      time.Time // defaults for CreatedAt fields the caller left zero

	// broken is the first error the database returned: PostgreSQL has
	// aborted the transaction, and every later statement fails with it
	// (rather than with "current transaction is aborted").
	broken *store.Error

	// pending holds inserts whose result nobody waits for (their ids were
	// drawn ahead, see newID): they travel with the next statement, in
	// its round trip, or with the commit. ids holds the drawn ids.
	pending pgx.Batch
	ids     map[string]*idBlock
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

func (tx *Tx) exec(query string, args ...any) (pgconn.CommandTag, error) {
	if err := tx.flush(); err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := tx.tx.Exec(tx.ctx, rebind(query), args...)
	if err != nil {
		tx.fail(err)
	}
	return tag, err
}

func (tx *Tx) query(query string, args ...any) (pgx.Rows, error) {
	if err := tx.flush(); err != nil {
		return nil, err
	}
	rows, err := tx.tx.Query(tx.ctx, rebind(query), args...)
	if err != nil {
		tx.fail(err)
	}
	return rows, err
}

// row is the result of queryRow: pgx's Row, or the error that broke the
// transaction earlier.
type row struct {
	tx  *Tx
	row pgx.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.row.Scan(dest...)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		r.tx.fail(err)
	}
	return err
}

func (tx *Tx) queryRow(query string, args ...any) row {
	if err := tx.flush(); err != nil {
		return row{err: err}
	}
	return row{tx: tx, row: tx.tx.QueryRow(tx.ctx, rebind(query), args...)}
}

// insert runs an INSERT ... RETURNING id and returns the new row's id.
func (tx *Tx) insert(query string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(query+` RETURNING id`, args...).Scan(&id)
	return id, err
}

// limitOffset returns the LIMIT/OFFSET clause.
func limitOffset(limit, offset int) string {
	s := ""
	if limit > 0 {
		s += fmt.Sprintf(" LIMIT %d", limit)
	}
	if offset > 0 {
		s += fmt.Sprintf(" OFFSET %d", offset)
	}
	return s
}
