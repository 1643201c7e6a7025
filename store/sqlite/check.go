package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"github.com/smartbcc/smartbcc/store"
)

// consistencyQueries each count rows that must not exist: rows that belong
// to no message, messages missing their raw bytes or thread, threads with
// no message, and a message filed twice for one owner. store/postgres runs
// the same queries.
var consistencyQueries = []string{
	`SELECT count(*) FROM participants x WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id)`,
	`SELECT count(*) FROM attachments x WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id)`,
	`SELECT count(*) FROM links x WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id)`,
	`SELECT count(*) FROM message_raw x WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id)`,
	`SELECT count(*) FROM message_raw_more x WHERE NOT EXISTS (SELECT 1 FROM message_raw r WHERE r.message_id = x.message_id)`,
	`SELECT count(*) FROM message_refs x WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id)`,
	`SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM message_raw x WHERE x.message_id = m.id)`,
	`SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = m.thread_id)`,
	`SELECT count(*) FROM threads t WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.thread_id = t.id)`,
	`SELECT count(*) FROM (SELECT owner_id, dedup_key FROM messages GROUP BY 1, 2 HAVING count(*) > 1) AS doubled`,
}

var _ store.Checker = (*DB)(nil)

// Check verifies the store (store.Checker): SQLite's integrity_check and
// foreign_key_check, and none of the rows a half-written or doubled
// delivery would leave. It is what the crash, load and hostile-input tests
// assert after every run.
func (db *DB) Check(ctx context.Context) error {
	if err := check(ctx, db.reader); err != nil {
		return err
	}
	if db.rawPacks {
		return db.checkPacks(ctx)
	}
	return nil
}

// packQueries each count references to packed raw mail that cannot be
// right: a packed row that also keeps bytes inline, a range outside a
// file, or two messages sharing bytes.
var packQueries = []string{
	`SELECT count(*) FROM message_raw WHERE pack IS NOT NULL AND (length(raw) != 0 OR pack < 1 OR off < 0 OR len < 1 OR off IS NULL OR len IS NULL)`,
	`SELECT count(*) FROM message_raw WHERE pack IS NULL AND (off IS NOT NULL OR len IS NOT NULL)`,
	`SELECT count(*) FROM message_raw_more x JOIN message_raw r ON r.message_id = x.message_id WHERE r.pack IS NOT NULL`,
	`SELECT count(*) FROM (SELECT off, lag(off + len) OVER (PARTITION BY pack ORDER BY off, len) AS prev_end
		FROM message_raw WHERE pack IS NOT NULL) WHERE off < prev_end`,
}

// checkPacks checks the references to packed raw mail, and that each
// pack file is there and holds every byte referred to.
func (db *DB) checkPacks(ctx context.Context) error {
	if err := countNone(ctx, db.reader, packQueries); err != nil {
		return err
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT pack, max(off + len), count(*) FROM message_raw WHERE pack IS NOT NULL GROUP BY pack ORDER BY pack`)
	if err != nil {
		return fmt.Errorf("message_raw packs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pack, end, n int64
		if err := rows.Scan(&pack, &end, &n); err != nil {
			return fmt.Errorf("message_raw packs: %w", err)
		}
		name := filepath.Join(rawDir(db.path), packName(pack))
		fi, err := os.Stat(name)
		if err != nil {
			return fmt.Errorf("message_raw: the raw mail of %d messages is in pack %s: %w", n, name, err)
		}
		if fi.Size() < end {
			return fmt.Errorf("message_raw: pack %s is %d bytes long, its messages' raw mail ends at byte %d", name, fi.Size(), end)
		}
	}
	return rows.Err()
}

func check(ctx context.Context, db *sql.DB) error {
	var ok string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	if ok != "ok" {
		return fmt.Errorf("integrity_check: %s", ok)
	}
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign_key_check: %w", err)
	}
	var bad []string
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			rows.Close()
			return fmt.Errorf("foreign_key_check: %w", err)
		}
		bad = append(bad, fmt.Sprintf("%s row %d -> %s", table, rowid.Int64, parent))
	}
	rows.Close()
	if len(bad) > 0 {
		return fmt.Errorf("foreign_key_check: %v", bad)
	}
	return countNone(ctx, db, consistencyQueries)
}

// countNone runs queries that each count rows that must not exist, and
// reports the first that counts any.
func countNone(ctx context.Context, db *sql.DB, queries []string) error {
	for _, q := range queries {
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		if n != 0 {
			return fmt.Errorf("%d inconsistent rows: %s", n, q)
		}
	}
	return nil
}
