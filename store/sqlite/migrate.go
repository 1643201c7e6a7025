package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// Migrations are numbered SQL files (0001_base.sql, 0002_search.sql, ...)
// applied in name order, each in its own transaction, and recorded by name
// in the migrations table. Never edit one that has shipped: add the next.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// searchMigration creates the full-text index.
const searchMigration = "0002_search.sql"

// forwardMigration adds the forwarding user's note and date to messages.
const forwardMigration = "0006_forward_note.sql"

type migration struct {
	name string
	sql  string
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
		migs = append(migs, migration{name: path.Base(name), sql: string(b)})
	}
	return migs
}

// openWithMigrations opens the store as a build that only knew the first n
// migrations would: for upgrade tests.
func openWithMigrations(ctx context.Context, path string, opt Options, n int) (*DB, error) {
	return open(ctx, path, opt, migrations[:n])
}

// migrate brings the schema up to date and returns the set of applied
// migrations. Many ingest processes may open a new store at once, so each
// migration is applied under the write lock after checking, under that
// lock, that no other process applied it first. A store that records a
// migration this build does not know was written by a newer build and is
// refused rather than misread.
func (db *DB) migrate(ctx context.Context, migs []migration) (map[string]bool, error) {
	conn := db.writer
	if conn == nil {
		conn = db.reader
	}
	applied, err := appliedMigrations(ctx, conn)
	if err != nil {
		return nil, db.storeError(err)
	}
	known := map[string]bool{}
	for _, m := range migs {
		known[m.name] = true
	}
	for name := range applied {
		if !known[name] {
			return nil, store.Errorf(store.EUnavailable,
				"store %s was written by a newer smartbcc (it has schema migration %s, unknown to this build): upgrade smartbcc", db.path, name)
		}
	}
	for _, m := range migs {
		if applied[m.name] {
			continue
		}
		if db.writer == nil {
			return nil, store.Errorf(store.EUnavailable,
				"store %s needs schema migration %s but was opened read-only", db.path, m.name)
		}
		if err := db.applyMigration(ctx, m); err != nil {
			return nil, err
		}
		applied[m.name] = true
	}
	return applied, nil
}

// appliedMigrations reads the migrations table; a new store has none.
func appliedMigrations(ctx context.Context, conn *sql.DB) (map[string]bool, error) {
	applied := map[string]bool{}
	var n int
	err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`).Scan(&n)
	if err != nil || n == 0 {
		return applied, err
	}
	rows, err := conn.QueryContext(ctx, `SELECT name FROM migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		applied[name] = true
	}
	return applied, rows.Err()
}

func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return db.storeError(err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name       TEXT PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return db.storeError(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE name = ?`, m.name).Scan(&n); err != nil {
		return db.storeError(err)
	}
	if n > 0 {
		return nil // another process got there first
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		if strings.Contains(err.Error(), "no such module: fts5") {
			return store.Errorf(store.EInternal, "schema migration %s: this smartbcc was built without SQLite full-text search (build with -tags sqlite_fts5)", m.name)
		}
		e := db.storeError(err)
		if store.ErrorCode(e) == store.EInternal {
			return &store.Error{Code: store.EInternal, Message: fmt.Sprintf("schema migration %s: %v", m.name, err), Err: err}
		}
		return e
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, m.name, formatTime(db.now())); err != nil {
		return db.storeError(err)
	}
	return db.storeError(tx.Commit())
}
