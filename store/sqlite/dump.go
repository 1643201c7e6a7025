package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

var (
	_ store.Dumper = (*DB)(nil)
	_ store.Loader = (*DB)(nil)
)

// order is the ORDER BY of a table's rows: its key, or the order they
// were written in.
func order(t *store.Table) string {
	if t.Key == "" {
		return "rowid"
	}
	return t.Key
}

func columnNames(t *store.Table) string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// Dump reads every row of store.Tables from one read transaction.
func (db *DB) Dump(ctx context.Context, fn func(t *store.Table, row []any) error) error {
	tx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return db.storeError(err)
	}
	defer tx.Rollback()
	for i := range store.Tables {
		t := &store.Tables[i]
		if err := db.dumpTable(ctx, tx, t, fn); err != nil {
			return err
		}
	}
	return db.dumpIDsGiven(ctx, tx, fn)
}

// dumpIDsGiven gives the rows of store.IDsGiven: for each table with an
// identity, the highest id it ever gave (lastIDGiven).
func (db *DB) dumpIDsGiven(ctx context.Context, tx *sql.Tx, fn func(t *store.Table, row []any) error) error {
	for i := range store.Tables {
		t := &store.Tables[i]
		if t.Identity == "" {
			continue
		}
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT `+db.lastIDGiven(t.Name, t.Identity)).Scan(&last); err != nil {
			return db.storeError(err)
		}
		if err := fn(&store.IDsGiven, []any{t.Name, last}); err != nil {
			return err
		}
	}
	return nil
}

// identityTable is the table of store.Tables named name, if it has an
// identity: the only names a row of store.IDsGiven may carry.
func identityTable(name string) *store.Table {
	for i := range store.Tables {
		if t := &store.Tables[i]; t.Name == name && t.Identity != "" {
			return t
		}
	}
	return nil
}

func (db *DB) dumpTable(ctx context.Context, tx *sql.Tx, t *store.Table, fn func(t *store.Table, row []any) error) error {
	if db.rawPacks {
		// Raw mail kept in packs is dumped as if it were inline: the
		// first piece in message_raw, the rest in message_raw_more.
		switch t.Name {
		case "message_raw":
			return db.dumpRaw(ctx, tx, t, fn)
		case "message_raw_more":
			return db.dumpRawMore(ctx, tx, t, fn)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+columnNames(t)+` FROM `+t.Name+` ORDER BY `+order(t))
	if err != nil {
		return db.storeError(err)
	}
	defer rows.Close()
	dest := make([]any, len(t.Columns))
	vals := make([]any, len(t.Columns))
	for rows.Next() {
		for i := range dest {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return db.storeError(err)
		}
		row := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			if row[i], err = fromSQLite(c, vals[i]); err != nil {
				return store.Errorf(store.EInternal, "%s.%s: %v", t.Name, c.Name, err)
			}
		}
		if err := fn(t, row); err != nil {
			return err
		}
	}
	return db.storeError(rows.Err())
}

// fromSQLite converts a stored value to the column type's Go value.
func fromSQLite(c store.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Type {
	case store.ColInt:
		if n, ok := v.(int64); ok {
			return n, nil
		}
	case store.ColBool:
		if n, ok := v.(int64); ok {
			return n != 0, nil
		}
	case store.ColText:
		switch v := v.(type) {
		case string:
			return v, nil
		case []byte:
			return string(v), nil
		}
	case store.ColBytes:
		switch v := v.(type) {
		case []byte:
			return append([]byte(nil), v...), nil
		case string:
			return []byte(v), nil
		}
	case store.ColTime:
		var t time.Time
		if err := scanTime(&t).Scan(v); err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

// toSQLite converts a column type's Go value to what SQLite stores.
func toSQLite(c store.Column, v any) any {
	switch v := v.(type) {
	case time.Time:
		return formatTime(v)
	case []byte:
		if v == nil {
			return []byte{} // a NOT NULL blob that was empty
		}
	}
	return v
}

// Load writes a whole store's rows in one write transaction, then builds
// the full-text index. The store must be empty.
func (db *DB) Load(ctx context.Context, fill func(put func(t *store.Table, row []any) error) error) error {
	if db.writer == nil {
		return store.Errorf(store.EUnavailable, "store %s was opened read-only", db.path)
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return db.storeError(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM company) + (SELECT count(*) FROM users) + (SELECT count(*) FROM messages)`).Scan(&n); err != nil {
		return db.storeError(err)
	}
	if n != 0 {
		return store.Errorf(store.EConflict, "store %s is not empty: a store can only be copied into an empty one", db.path)
	}
	var cur *store.Table
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	args := []any{}
	err = fill(func(t *store.Table, row []any) error {
		if t.Name == store.IDsGiven.Name {
			return db.loadIDGiven(ctx, tx, row)
		}
		if t != cur {
			if stmt != nil {
				stmt.Close()
			}
			marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ")
			stmt, err = tx.PrepareContext(ctx, `INSERT INTO `+t.Name+` (`+columnNames(t)+`) VALUES (`+marks+`)`)
			if err != nil {
				return db.storeError(err)
			}
			cur = t
		}
		args = args[:0]
		for i, c := range t.Columns {
			args = append(args, toSQLite(c, row[i]))
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return &store.Error{Code: store.ErrorCode(db.storeError(err)), Err: err,
				Message: fmt.Sprintf("copying a row of %s: %v", t.Name, db.storeError(err))}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if db.search {
		if err := indexStoredMessages(ctx, tx); err != nil {
			return db.storeError(err)
		}
	}
	return db.storeError(tx.Commit())
}

// loadIDGiven takes a row of store.IDsGiven, which comes after every row
// of its table: an id given above the table's highest goes into
// removed_ids, where Tx.newID finds it.
func (db *DB) loadIDGiven(ctx context.Context, tx *sql.Tx, row []any) error {
	name, _ := row[0].(string)
	last, _ := row[1].(int64)
	t := identityTable(name)
	if t == nil {
		return store.Errorf(store.EInternal, "ids given: no table %q with ids", name)
	}
	if !db.removedIDs {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO removed_ids (tbl, last)
		SELECT ?1, ?2 WHERE ?2 > (SELECT coalesce(max(`+t.Identity+`), 0) FROM `+t.Name+`)
		ON CONFLICT (tbl) DO UPDATE SET last = max(last, excluded.last)`, t.Name, last)
	return db.storeError(err)
}

// dumpRaw dumps message_raw (message_id, raw), reading the raw mail of
// packed rows from their pack: its first piece, as insertRaw would have
// stored it inline.
func (db *DB) dumpRaw(ctx context.Context, tx *sql.Tx, t *store.Table, fn func(t *store.Table, row []any) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT message_id, raw, pack, off, len FROM message_raw ORDER BY message_id`)
	if err != nil {
		return db.storeError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw []byte
		var pack, off, n sql.NullInt64
		if err := rows.Scan(&id, &raw, &pack, &off, &n); err != nil {
			return db.storeError(err)
		}
		if pack.Valid {
			// The first piece only: dumpRawMore reads the rest.
			if raw, err = db.readPacked(id, pack.Int64, off.Int64, min(n.Int64, rawPiece)); err != nil {
				return err
			}
		}
		if raw == nil {
			raw = []byte{}
		}
		if err := fn(t, []any{id, raw}); err != nil {
			return err
		}
	}
	return db.storeError(rows.Err())
}

// dumpRawMore dumps message_raw_more (message_id, seq, data) with the
// pieces past the first of packed raw mail, in key order: a packed
// message has no rows of its own in message_raw_more.
func (db *DB) dumpRawMore(ctx context.Context, tx *sql.Tx, t *store.Table, fn func(t *store.Table, row []any) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT message_id, seq, data, NULL, NULL, NULL FROM message_raw_more
		UNION ALL SELECT message_id, 0, NULL, pack, off, len FROM message_raw WHERE pack IS NOT NULL AND len > ?
		ORDER BY 1, 2`, rawPiece)
	if err != nil {
		return db.storeError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, seq int64
		var data []byte
		var pack, off, n sql.NullInt64
		if err := rows.Scan(&id, &seq, &data, &pack, &off, &n); err != nil {
			return db.storeError(err)
		}
		if !pack.Valid {
			if data == nil {
				data = []byte{}
			}
			if err := fn(t, []any{id, seq, data}); err != nil {
				return err
			}
			continue
		}
		raw, err := db.readPacked(id, pack.Int64, off.Int64, n.Int64)
		if err != nil {
			return err
		}
		for seq, at := int64(1), rawPiece; at < len(raw); seq, at = seq+1, at+rawPiece {
			if err := fn(t, []any{id, seq, raw[at:min(at+rawPiece, len(raw))]}); err != nil {
				return err
			}
		}
	}
	return db.storeError(rows.Err())
}
