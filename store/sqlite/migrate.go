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
const searchMigration = "0008_search_tokens.sql"

// visibleMigration adds the narrow index messages_visible.
const visibleMigration = "0009_messages_visible.sql"

// forwardMigration adds the forwarding user's note and date to messages.
const forwardMigration = "0006_forward_note.sql"

type migration struct {
	name string
	sql  string
	// before and after run in the migration's transaction around its
	// SQL: for what SQL alone cannot do.
	before, after func(ctx context.Context, tx *sql.Tx) error
}

// migrationSteps are the Go parts of migrations, by name.
var migrationSteps = map[string]struct {
	before, after func(ctx context.Context, tx *sql.Tx) error
}{
	searchMigration: {before: dropFTS5, after: indexStoredMessages},
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
		base := path.Base(name)
		steps := migrationSteps[base]
		migs = append(migs, migration{name: base, sql: string(b), before: steps.before, after: steps.after})
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
		db.migrated = true
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
	if m.before != nil {
		if err := m.before(ctx, tx); err != nil {
			return migrationError(db, m, err)
		}
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return migrationError(db, m, err)
	}
	if m.after != nil {
		if err := m.after(ctx, tx); err != nil {
			return migrationError(db, m, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, m.name, formatTime(db.now())); err != nil {
		return db.storeError(err)
	}
	return db.storeError(tx.Commit())
}

func migrationError(db *DB, m migration, err error) error {
	e := db.storeError(err)
	if store.ErrorCode(e) == store.EInternal {
		return &store.Error{Code: store.EInternal, Message: fmt.Sprintf("schema migration %s: %v", m.name, err), Err: err}
	}
	return e
}

// dropFTS5 removes the FTS5 index that migration 0002 made in stores of
// builds with the sqlite_fts5 tag. A build without FTS5 cannot DROP an
// FTS5 table ("no such module"), so it drops the table's shadow tables,
// which are ordinary tables, and removes the table's schema entry by hand,
// as SQLite's documentation describes for writable_schema.
func dropFTS5(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DROP TRIGGER IF EXISTS messages_fts_delete`); err != nil {
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'message_fts'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	_, err := tx.ExecContext(ctx, `DROP TABLE message_fts`)
	if err == nil || !strings.Contains(err.Error(), "no such module") {
		return err
	}
	for _, shadow := range []string{"data", "idx", "content", "docsize", "config"} {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS message_fts_`+shadow); err != nil {
			return err
		}
	}
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&version); err != nil {
		return err
	}
	stmts := []string{
		`PRAGMA writable_schema = ON`,
		`DELETE FROM sqlite_master WHERE type = 'table' AND name = 'message_fts'`,
		// A new schema version makes every connection read the schema
		// again, without the table.
		fmt.Sprintf(`PRAGMA schema_version = %d`, version+1),
		`PRAGMA writable_schema = OFF`,
	}
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}
