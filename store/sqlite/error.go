package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/mattn/go-sqlite3"

	"github.com/smartbcc/smartbcc/store"
)

// storeError turns an error from database/sql or SQLite into a
// *store.Error, so that callers decide by code: busy and unavailable are
// temporary (Postfix retries), the rest are not. It is the one place that
// knows SQLite's result codes. The original error stays reachable through
// store.Error.Err.
func (db *DB) storeError(err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &store.Error{Code: store.ENotFound, Message: "not found", Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &store.Error{Code: store.EBusy, Message: "store is busy: gave up waiting: " + err.Error(), Err: err}
	}
	var sqe sqlite3.Error
	if !errors.As(err, &sqe) {
		return &store.Error{Code: store.EInternal, Message: "store: " + err.Error(), Err: err}
	}
	switch sqe.Code {
	case sqlite3.ErrBusy, sqlite3.ErrLocked:
		return &store.Error{Code: store.EBusy,
			Message: fmt.Sprintf("store is busy: %s (waited %s)", sqe.Error(), db.opt.BusyTimeout), Err: err}
	case sqlite3.ErrFull:
		return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("store %s: disk full: %s", db.path, sqe.Error()), Err: err}
	case sqlite3.ErrReadonly:
		return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("store %s is read-only: %s", db.path, sqe.Error()), Err: err}
	case sqlite3.ErrCantOpen, sqlite3.ErrIoErr, sqlite3.ErrProtocol, sqlite3.ErrPerm, sqlite3.ErrNotADB, sqlite3.ErrCorrupt:
		// SQLite says "unable to open database file" when it cannot create
		// the -wal or -shm file beside an existing store; name the likely
		// cause instead of leaving the administrator to guess.
		if why := unwritableDir(db.path); why != "" {
			return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("store %s is unavailable: %s", db.path, why), Err: err}
		}
		return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("store %s is unavailable: %s", db.path, sqe.Error()), Err: err}
	case sqlite3.ErrInterrupt:
		return &store.Error{Code: store.EBusy, Message: "store is busy: operation interrupted", Err: err}
	case sqlite3.ErrConstraint:
		return constraintError(sqe, err)
	}
	return &store.Error{Code: store.EInternal, Message: "store: " + sqe.Error(), Err: err}
}

// constraintError describes a violated constraint. Methods that can hit a
// UNIQUE constraint say what exists through conflict() instead; this is the
// fallback that still names the table and column.
func constraintError(sqe sqlite3.Error, err error) error {
	switch sqe.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		what := strings.TrimPrefix(sqe.Error(), "UNIQUE constraint failed: ")
		return &store.Error{Code: store.EConflict, Message: "already exists: " + what, Err: err}
	case sqlite3.ErrConstraintForeignKey:
		return &store.Error{Code: store.ENotFound, Message: "refers to a record that does not exist", Err: err}
	}
	return &store.Error{Code: store.EInvalid, Message: "invalid value: " + sqe.Error(), Err: err}
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var sqe sqlite3.Error
	return errors.As(err, &sqe) &&
		(sqe.ExtendedCode == sqlite3.ErrConstraintUnique || sqe.ExtendedCode == sqlite3.ErrConstraintPrimaryKey)
}

// isSQLError reports whether err is SQLite's generic SQLITE_ERROR, which a
// fixed query only returns for bad input such as a malformed full-text query.
func isSQLError(err error) bool {
	var sqe sqlite3.Error
	return errors.As(err, &sqe) && sqe.Code == sqlite3.ErrError
}

// err maps an error inside a transaction. An error of the database (not
// a missing row) breaks the transaction: see Tx.broken.
func (tx *Tx) err(err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) || errors.Is(err, sql.ErrNoRows) {
		return tx.db.storeError(err)
	}
	return tx.fail(err)
}

// conflict maps err, saying what already exists when it is a UNIQUE
// violation.
func (tx *Tx) conflict(err error, format string, args ...any) error {
	if isUnique(err) {
		return &store.Error{Code: store.EConflict, Message: fmt.Sprintf(format, args...), Err: err}
	}
	return tx.err(err)
}

// notFound maps err, saying what is missing when it is sql.ErrNoRows.
func (tx *Tx) notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &store.Error{Code: store.ENotFound, Message: fmt.Sprintf(format, args...), Err: err}
	}
	return tx.err(err)
}

// writing refuses a write in a View transaction: that is a bug in the
// caller, not a read-only store.
func (tx *Tx) writing(what string) error {
	if !tx.writable {
		return store.Errorf(store.EInternal, "%s in a read-only transaction", what)
	}
	return nil
}

// unwritableDir explains why the store's directory cannot take new files,
// or returns "" when it can (as far as access(2) tells).
func unwritableDir(path string) string {
	dir := filepath.Dir(path)
	switch err := unix.Access(dir, unix.W_OK); err {
	case nil:
		return ""
	case unix.EROFS:
		return "its directory " + dir + " is on a read-only file system"
	default:
		return "its directory " + dir + " is not writable: " + err.Error()
	}
}
