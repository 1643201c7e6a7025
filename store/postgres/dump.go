package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/smartbcc/smartbcc/store"
)

var (
	_ store.Dumper = (*DB)(nil)
	_ store.Loader = (*DB)(nil)
)

// order is the ORDER BY of a table's rows: its key, or the order they
// were written in (links keep it in seq).
func order(t *store.Table) string {
	if t.Key == "" {
		return "seq"
	}
	return t.Key
}

func columnNames(t *store.Table) []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Dump reads every row of store.Tables from one snapshot.
func (db *DB) Dump(ctx context.Context, fn func(t *store.Table, row []any) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return db.storeError(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return db.storeError(err)
	}
	for i := range store.Tables {
		t := &store.Tables[i]
		rows, err := tx.Query(ctx, `SELECT `+strings.Join(columnNames(t), ", ")+` FROM `+t.Name+` ORDER BY `+order(t))
		if err != nil {
			return db.storeError(err)
		}
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				rows.Close()
				return db.storeError(err)
			}
			for j, c := range t.Columns {
				if v, ok := vals[j].(time.Time); ok && c.Type == store.ColTime {
					vals[j] = v.UTC()
				}
				if v, ok := vals[j].(int32); ok {
					vals[j] = int64(v)
				}
			}
			if err := fn(t, vals); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return db.storeError(err)
		}
	}
	return db.dumpIDsGiven(ctx, tx, fn)
}

// dumpIDsGiven gives the rows of store.IDsGiven: for each table with an
// identity, the higher of its highest id and the last value its sequence
// gave (ids of rows removed since, and ids drawn ahead and not used). A
// sequence that setval left "not called" (Load does) gives its value next.
func (db *DB) dumpIDsGiven(ctx context.Context, tx pgx.Tx, fn func(t *store.Table, row []any) error) error {
	for i := range store.Tables {
		t := &store.Tables[i]
		if t.Identity == "" {
			continue
		}
		var seq string
		if err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, $2)`, t.Name, t.Identity).Scan(&seq); err != nil {
			return db.storeError(err)
		}
		var last int64
		// seq is the sequence's name as PostgreSQL quotes it.
		err := tx.QueryRow(ctx, `SELECT greatest(
			(SELECT coalesce(max(`+t.Identity+`), 0) FROM `+t.Name+`),
			(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM `+seq+`))`).Scan(&last)
		if err != nil {
			return db.storeError(err)
		}
		if err := fn(&store.IDsGiven, []any{t.Name, last}); err != nil {
			return err
		}
	}
	return nil
}

// copyBatch is how many rows, or bytes, Load sends in one COPY.
const (
	copyBatchRows  = 2000
	copyBatchBytes = 16 << 20
)

// Load writes a whole store's rows with COPY in one transaction under the
// writer lock, moves the identity counters past the copied ids and builds
// the full-text index. The store must be empty.
func (db *DB) Load(ctx context.Context, fill func(put func(t *store.Table, row []any) error) error) error {
	if db.opt.ReadOnly {
		return store.Errorf(store.EUnavailable, "store %s was opened read-only", db.name)
	}
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return db.storeError(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, db.lockKey); err != nil {
		return db.storeError(err)
	}
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return db.storeError(err)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM company) + (SELECT count(*) FROM users) + (SELECT count(*) FROM messages)`).Scan(&n); err != nil {
		return db.storeError(err)
	}
	if n != 0 {
		return store.Errorf(store.EConflict, "store %s is not empty: a store can only be copied into an empty one", db.name)
	}

	var cur *store.Table
	var batch [][]any
	var batchBytes int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{cur.Name}, columnNames(cur), pgx.CopyFromRows(batch)); err != nil {
			e := db.storeError(err)
			return &store.Error{Code: store.ErrorCode(e), Err: err, Message: fmt.Sprintf("copying rows of %s: %v", cur.Name, e)}
		}
		batch, batchBytes = batch[:0], 0
		return nil
	}
	given := map[string]int64{}
	err = fill(func(t *store.Table, row []any) error {
		if t.Name == store.IDsGiven.Name {
			name, _ := row[0].(string)
			last, _ := row[1].(int64)
			given[name] = last
			return nil
		}
		if t != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = t
		}
		out := make([]any, len(row))
		for i, c := range t.Columns {
			out[i] = toPostgres(c, row[i])
			switch v := out[i].(type) {
			case string:
				batchBytes += len(v)
			case []byte:
				batchBytes += len(v)
			}
		}
		batch = append(batch, out)
		if len(batch) >= copyBatchRows || batchBytes >= copyBatchBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	for _, t := range store.Tables {
		if t.Identity == "" {
			continue
		}
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), greatest(coalesce(max(%s), 0), $1) + 1, false) FROM %s`,
			t.Name, t.Identity, t.Identity, t.Name), given[t.Name]); err != nil {
			return db.storeError(err)
		}
	}
	if db.search {
		if err := indexAll(ctx, tx); err != nil {
			return db.storeError(err)
		}
	}
	return db.storeError(tx.Commit(ctx))
}

// toPostgres converts a column type's Go value to what COPY sends. Text
// from an older SQLite store may hold what PostgreSQL refuses (NUL,
// invalid UTF-8): it is cleaned as the store cleans new text.
func toPostgres(c store.Column, v any) any {
	switch v := v.(type) {
	case string:
		return store.CleanText(v)
	case []byte:
		if v == nil && c.Type == store.ColBytes {
			return []byte{}
		}
	case time.Time:
		return pgTime(v)
	}
	return v
}
