package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/smartbcc/smartbcc/store"
)

// Migrations are numbered SQL files with the same numbers and names as
// store/sqlite's (a test holds them equal), applied in name order and
// recorded by name in the migrations table. Never edit one that has
// shipped: add the next, to both directories.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// searchMigration creates the full-text index; searchTokensMigration
// indexes the mail again with store/search's tokenizer.
const (
	searchMigration       = "0002_search.sql"
	searchTokensMigration = "0008_search_tokens.sql"
)

// forwardMigration adds the forwarding user's note and date to messages.
const forwardMigration = "0006_forward_note.sql"

type migration struct {
	name string
	sql  string
	// after runs in the migration's transaction after its SQL: what SQL
	// alone cannot do (indexing existing mail with the Go tokenizer).
	after func(ctx context.Context, tx pgx.Tx) error
}

// migrations are the embedded migrations in order.
var migrations = mustLoadMigrations()

func mustLoadMigrations() []migration {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	var migs []migration
	for _, name := range names {
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		m := migration{name: path.Base(name), sql: string(b)}
		if m.name == searchTokensMigration {
			// 0002 made the index; the mail is indexed here, after the
			// columns the index reads exist (forward_note, 0006).
			m.after = indexAll
		}
		migs = append(migs, m)
	}
	return migs
}

// openWithMigrations opens the store as a build that only knew the first n
// migrations would: for upgrade tests.
func openWithMigrations(ctx context.Context, dsn string, opt Options, n int) (*DB, error) {
	return open(ctx, dsn, opt, migrations[:n])
}

// migrate brings the schema up to date and returns the set of applied
// migrations. Several hosts may start at once on a new database: the
// missing migrations are applied in one transaction under the writer
// lock, after reading again, under that lock, what is applied. A store
// that records a migration this build does not know was written by a
// newer build and is refused rather than misread.
func (db *DB) migrate(ctx context.Context, migs []migration) (map[string]bool, error) {
	applied, err := db.appliedMigrations(ctx, db.pool)
	if err != nil {
		return nil, db.storeError(err)
	}
	if err := db.checkKnown(applied, migs); err != nil {
		return nil, err
	}
	pending := false
	for _, m := range migs {
		pending = pending || !applied[m.name]
	}
	if !pending {
		return applied, nil
	}
	if db.opt.ReadOnly {
		for _, m := range migs {
			if !applied[m.name] {
				return nil, store.Errorf(store.EUnavailable,
					"store %s needs schema migration %s but was opened read-only", db.name, m.name)
			}
		}
	}

	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return nil, db.storeError(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, db.lockKey); err != nil {
		return nil, db.storeError(err)
	}
	// A migration may index every message: no statement timeout here.
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return nil, db.storeError(err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name       text PRIMARY KEY,
		applied_at timestamptz NOT NULL
	)`); err != nil {
		return nil, db.storeError(err)
	}
	applied, err = db.appliedMigrations(ctx, tx) // another host may have got there first
	if err != nil {
		return nil, db.storeError(err)
	}
	if err := db.checkKnown(applied, migs); err != nil {
		return nil, err
	}
	for _, m := range migs {
		if applied[m.name] {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return nil, db.migrationError(m, err)
		}
		if m.after != nil {
			if err := m.after(ctx, tx); err != nil {
				return nil, db.migrationError(m, err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO migrations (name, applied_at) VALUES ($1, $2)`, m.name, store.StoreTime(db.now())); err != nil {
			return nil, db.storeError(err)
		}
		applied[m.name] = true
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, db.storeError(err)
	}
	return applied, nil
}

func (db *DB) migrationError(m migration, err error) error {
	e := db.storeError(err)
	if store.ErrorCode(e) == store.EInternal {
		return &store.Error{Code: store.EInternal, Message: fmt.Sprintf("schema migration %s: %v", m.name, err), Err: err}
	}
	return e
}

func (db *DB) checkKnown(applied map[string]bool, migs []migration) error {
	known := map[string]bool{}
	for _, m := range migs {
		known[m.name] = true
	}
	for name := range applied {
		if !known[name] {
			return store.Errorf(store.EUnavailable,
				"store %s was written by a newer smartbcc (it has schema migration %s, unknown to this build): upgrade smartbcc", db.name, name)
		}
	}
	return nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// appliedMigrations reads the migrations table of the store's schema; a
// new store has none.
func (db *DB) appliedMigrations(ctx context.Context, q querier) (map[string]bool, error) {
	applied := map[string]bool{}
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass(quote_ident(current_schema()) || '.migrations') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return applied, err
	}
	rows, err := q.Query(ctx, `SELECT name FROM migrations`)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, n := range names {
		applied[n] = true
	}
	return applied, err
}
