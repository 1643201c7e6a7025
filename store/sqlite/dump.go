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
	return nil
}

func (db *DB) dumpTable(ctx context.Context, tx *sql.Tx, t *store.Table, fn func(t *store.Table, row []any) error) error {
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
