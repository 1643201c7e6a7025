package commands

import (
	"errors"
	"fmt"
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// Exit statuses of ordinary commands, the same for every command (docs/cli.md,
// "Exit statuses"):
//
//	0    success
//	1    the command failed (a conflict, a permission, the store unavailable);
//	     a conflict is also what is named being in no state for it: an
//	     item removed or converted, mail released, a code used
//	2    usage: unknown command or flag, a missing, malformed or invalid
//	     argument or flag value, an unknown --user, a path that is not there
//	3    not found: the message, user, person, deal... named does not exist
//	     (or is another user's private message)
//	4    auth check only: the message would be deferred (a DNS answer
//	     was missing; the pipe would exit 75 and Postfix retry)
//	130  interrupted (Ctrl-C); an import can be run again to continue
//
// ingest in pipe mode (Postfix) follows sysexits(3) instead, from the
// disposition table (ingest/disposition.go): 75 makes Postfix retry,
// anything else non-zero bounces the mail.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitNotFound    = 3
	exitDeferred    = 4
	exitInterrupted = 130
	exitDataErr     = 65 // EX_DATAERR: input that is not a message at all, or too large
	exitNoUser      = 67 // EX_NOUSER: unknown Bcc address or token (--bounce)
	exitTempFail    = 75 // EX_TEMPFAIL: retry later, nothing lost
	exitNoPerm      = 77 // EX_NOPERM: authentication failed / unknown sender (--bounce)
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

// usageError is a command line that cannot run as typed: exit 2.
type usageError struct {
	msg string
	err error
}

func (e *usageError) Error() string { return e.msg }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// asUsage makes err a usage error, keeping its message.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return err
	}
	return &usageError{msg: err.Error(), err: err}
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
	switch store.ErrorCode(err) {
	case store.EInvalid:
		// What was typed is not valid (an id, a status, an address).
		return exitUsage
	case store.ENotFound:
		return exitNotFound
	}
	// Cobra's own errors have no code, so they are known by their words;
	// smartbcc's own errors (a conflict, a permission, the store) by
	// their code alone, whatever their message says ("no longer accepts
	// mail" is no usage error).
	var se *store.Error
	if !errors.As(err, &se) && isCobraUsage(err) {
		return exitUsage
	}
	return exitFailure
}

// isCobraUsage recognises the errors cobra makes itself for a command
// line it cannot run (it has no error types for them).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command ", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least ",
		"requires at most ", "requires between ", "invalid argument ", "flag needs an argument", "required flag",
		"if any flags in the group", "none of the others can be", "at least one of the flags"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}

// errorLine is err as the one line printed on stderr. Cobra's "unknown
// command" error carries its suggestions on further lines: they are kept,
// on the same line.
func errorLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	var ue *usageError
	if strings.HasPrefix(msg, "unknown command ") && !errors.As(err, &ue) {
		// cobra's own, under the root (argsError words a group's).
		first, rest, _ := strings.Cut(msg, "\n")
		if strings.HasPrefix(first, `unknown command "version" `) {
			return first + "; did you mean --version?"
		}
		var suggestions []string
		for _, l := range strings.Split(rest, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "Did you mean") {
				suggestions = append(suggestions, l)
			}
		}
		if len(suggestions) > 0 {
			return first + "; did you mean " + strings.Join(suggestions, " or ") + "?"
		}
		return first + " (see smartbcc --help)"
	}
	return joinLines(msg)
}

// joinLines makes a message of several lines one, keeping them all: an
// error wrapped from a library (pgx's "failed to connect to ...:" with
// its cause on the next line) would otherwise lose its cause.
func joinLines(s string) string {
	var parts []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}
