package postgres

import (
	"context"
	"fmt"

	"github.com/smartbcc/smartbcc/store"
)

// consistencyQueries each count rows that must not exist: rows that belong
// to no message, messages missing their raw bytes or thread, threads with
// no message, and a message filed twice for one owner. store/sqlite runs
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

// Check verifies the store (store.Checker): none of the rows a
// half-written or doubled delivery would leave, counted by the same
// queries as store/sqlite's. (PostgreSQL enforces foreign keys itself and
// has no integrity_check to run.)
func (db *DB) Check(ctx context.Context) error {
	for _, q := range consistencyQueries {
		var n int
		if err := db.pool.QueryRow(ctx, q).Scan(&n); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		if n != 0 {
			return fmt.Errorf("%d inconsistent rows: %s", n, q)
		}
	}
	return nil
}
