package commands

import (
	"errors"
	"fmt"

	"github.com/smartbcc/smartbcc/store"
)

// Exit statuses. ingest follows sysexits(3) because Postfix reads them:
// 75 makes Postfix retry, anything else non-zero bounces the mail.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitDataErr  = 65 // EX_DATAERR: input that is not a message at all
	exitNoUser   = 67 // EX_NOUSER: unknown Bcc address or token (--bounce)
	exitSoftware = 70 // EX_SOFTWARE
	exitTempFail = 75 // EX_TEMPFAIL: retry later, nothing lost
	exitNoPerm   = 77 // EX_NOPERM: authentication failed / unknown sender (--bounce)
)

// exitError carries an explicit exit status. silent means the command has
// already told the user what happened.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCode maps an error to the process exit status. This is the only place
// that decides statuses for ordinary commands.
func exitCode(err error) int {
	var ex *exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	if store.IsTemporary(err) {
		return exitTempFail
	}
	switch store.ErrorCode(err) {
	case store.EInvalid, store.ENotFound, store.EConflict, store.EPermission:
		return exitFailure
	}
	return exitFailure
}
