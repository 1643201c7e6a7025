package sqlite

import (
	"context"
	"database/sql"
	"fmt"

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
func (db *DB) Check(ctx context.Context) error { return check(ctx, db.reader) }

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
	for _, q := range consistencyQueries {
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
