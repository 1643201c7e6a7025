package store

import (
	"errors"
	"fmt"
)

// Error codes, in the manner of benbjohnson/wtf: a small closed set that
// commands map to exit statuses and messages in one place.
const (
	ENotFound    = "not_found"   // no such user, person, item, message...
	EConflict    = "conflict"    // already exists (duplicate user, address), or not in a state for it (removed, converted, released)
	EInvalid     = "invalid"     // bad input: address, setting, status
	EPermission  = "permission"  // the acting user may not do this
	EBusy        = "busy"        // store locked or busy past the busy timeout: temporary
	EUnavailable = "unavailable" // disk full, read-only store, missing directory: temporary
	EInternal    = "internal"
)

// Error is a domain error with a code and a one-line message for people.
type Error struct {
	Code    string
	Message string
	Err     error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil && e.Message == "" {
		return e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain,
// EInternal for other errors and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrNoStore is wrapped by the error of opening a store that was never
// created (Options.MustExist): "no store at PATH", an EUnavailable, which
// commands tell from other failures to open with errors.Is, not by its
// words.
var ErrNoStore = errors.New("no store")

// NoStoreAt is the error of opening a store that was never created.
func NoStoreAt(where string) *Error {
	return &Error{Code: EUnavailable, Message: fmt.Sprintf("no store at %s", where), Err: ErrNoStore}
}

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return ErrorCode(err) == ENotFound }

// IsTemporary reports whether err is worth retrying later (Postfix: 75).
func IsTemporary(err error) bool {
	c := ErrorCode(err)
	return c == EBusy || c == EUnavailable
}
