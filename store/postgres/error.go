package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/smartbcc/smartbcc/store"
)

// storeError turns an error from pgx or the server into a *store.Error,
// so that callers decide by code: busy and unavailable are temporary
// (Postfix retries), the rest are not. It is the one place that knows
// SQLSTATEs. The original error stays reachable through store.Error.Err.
func (db *DB) storeError(err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &store.Error{Code: store.ENotFound, Message: "not found", Err: err}
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) && errors.Is(err, context.DeadlineExceeded) {
		// A server that never answered the connection (a host down
		// behind a proxy, a full backlog): no lock was waited for, and
		// "busy" would send the administrator looking for one.
		return &store.Error{Code: store.EUnavailable,
			Message: fmt.Sprintf("store %s is unavailable: the server did not answer in time (connect_timeout %s)", db.name, db.connectTimeout), Err: err}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &store.Error{Code: store.EBusy, Message: "store is busy: gave up waiting: " + err.Error(), Err: err}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return db.serverError(pe, err)
	}
	if errors.As(err, &ce) || connectionLost(err) {
		return &store.Error{Code: store.EUnavailable, Message: fmt.Sprintf("store %s is unavailable: %v", db.name, err), Err: err}
	}
	if pgconn.Timeout(err) {
		return &store.Error{Code: store.EBusy, Message: "store is busy: " + err.Error(), Err: err}
	}
	return &store.Error{Code: store.EInternal, Message: "store: " + err.Error(), Err: err}
}

// serverError maps an error the server reported, by SQLSTATE.
func (db *DB) serverError(pe *pgconn.PgError, err error) error {
	class := pe.Code[:2]
	switch {
	case pe.Code == "55P03": // lock_not_available: lock_timeout, the busy timeout
		return &store.Error{Code: store.EBusy,
			Message: fmt.Sprintf("store is busy: another writer holds the lock (waited %s)", db.opt.BusyTimeout), Err: err}
	case pe.Code == "40001", pe.Code == "40P01": // serialization failure, deadlock: try again
		return &store.Error{Code: store.EBusy, Message: "store is busy: " + pe.Message, Err: err}
	case pe.Code == "57014": // query_canceled: statement_timeout
		return &store.Error{Code: store.EBusy, Message: "store is busy: " + pe.Message, Err: err}
	case class == "08", // connection exception
		class == "53",      // insufficient resources: disk full, out of memory, too many connections
		class == "58",      // system error: I/O
		class == "57",      // operator intervention: shutdown, crash, cannot connect now
		pe.Code == "25006", // read_only_sql_transaction: a standby after a failover
		class == "28",      // invalid authorization: fixed by the administrator, not by bouncing mail
		pe.Code == "3D000": // the database does not exist
		return &store.Error{Code: store.EUnavailable,
			Message: fmt.Sprintf("store %s is unavailable: %s (SQLSTATE %s)", db.name, pe.Message, pe.Code), Err: err}
	case pe.Code == "23505": // unique_violation
		what := pe.ConstraintName
		if pe.Detail != "" {
			what = pe.Detail
		}
		return &store.Error{Code: store.EConflict, Message: "already exists: " + what, Err: err}
	case pe.Code == "23503": // foreign_key_violation
		return &store.Error{Code: store.ENotFound, Message: "refers to a record that does not exist", Err: err}
	case class == "23", class == "22": // other integrity violations, data exceptions
		return &store.Error{Code: store.EInvalid, Message: "invalid value: " + pe.Message, Err: err}
	}
	return &store.Error{Code: store.EInternal, Message: fmt.Sprintf("store: %s (SQLSTATE %s)", pe.Message, pe.Code), Err: err}
}

// connectionLost reports whether err says the connection to the server
// broke or never came up: the server restarted, a failover, a network cut.
func connectionLost(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "closed pool") || strings.Contains(msg, "conn busy")
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool { return sqlState(err) == "23505" }

// isForeignKey reports whether err is a foreign key violation.
func isForeignKey(err error) bool { return sqlState(err) == "23503" }

// constraint names the constraint a violation was of.
func constraint(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.ConstraintName
	}
	return ""
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// err maps an error inside a transaction. An error of the database (not
// a missing row) breaks the transaction: see Tx.broken.
func (tx *Tx) err(err error) error {
	if err == nil {
		return nil
	}
	var se *store.Error
	if errors.As(err, &se) || errors.Is(err, pgx.ErrNoRows) {
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

// notFound maps err, saying what is missing when it is pgx.ErrNoRows.
func (tx *Tx) notFound(err error, format string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
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
