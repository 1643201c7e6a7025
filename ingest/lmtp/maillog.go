package lmtp

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/smartbcc/smartbcc/ingest"
)

// Maillog writes one line per recipient, the administrator's record of
// what the server answered (under the pipe, Postfix logs the pipe's
// stderr; under LMTP it logs only the reply, which says little on
// purpose). Never a Bcc token or a confirmation code.
type Maillog struct {
	mu   sync.Mutex
	w    io.Writer
	path string // reopened on SIGHUP; "" for a stream given by the caller
	f    *os.File
	now  func() time.Time
}

// NewMaillog logs to w.
func NewMaillog(w io.Writer) *Maillog { return &Maillog{w: w, now: time.Now} }

// OpenMaillog logs to the file at path (appending), reopened by Reopen.
func OpenMaillog(path string) (*Maillog, error) {
	l := &Maillog{path: path, now: time.Now}
	if err := l.Reopen(); err != nil {
		return nil, err
	}
	return l, nil
}

// Reopen opens the log file again (after logrotate moved it).
func (l *Maillog) Reopen() error {
	if l == nil || l.path == "" {
		return nil
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.f
	l.f, l.w = f, f
	l.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	return nil
}

// Close closes the log file.
func (l *Maillog) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// Printf writes one line about the server itself.
func (l *Maillog) Printf(format string, args ...any) {
	if l == nil {
		return
	}
	l.write(fmt.Sprintf(format, args...))
}

// Println is for go-smtp's smtp.Logger.
func (l *Maillog) Println(args ...any) {
	if l == nil {
		return
	}
	l.write(strings.TrimSuffix(fmt.Sprintln(args...), "\n"))
}

// Delivery logs what one recipient was answered.
func (l *Maillog) Delivery(session uint64, queueID, from, rcpt string, r ingest.Result, d ingest.Disposition, el time.Duration) {
	if l == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "session=%d", session)
	if queueID != "" {
		fmt.Fprintf(&b, " queue_id=%s", queueID)
	}
	fmt.Fprintf(&b, " from=<%s> to=<%s> status=%s", logValue(from), logValue(rcpt), d.Status)
	if d.Reason != "" {
		fmt.Fprintf(&b, " reason=%s", d.Reason)
	}
	if r.ID != 0 {
		fmt.Fprintf(&b, " id=%d", r.ID)
	}
	if r.User != "" {
		fmt.Fprintf(&b, " user=%s", logValue(r.User))
	}
	fmt.Fprintf(&b, " reply=\"%d %s\" ms=%d", d.Code, d.Enhanced, el.Milliseconds())
	if d.Status == ingest.StatusTemporary && d.Detail != "" {
		// What failed, for the administrator: the reply to Postfix says
		// nothing (it reaches the sender's DSN), and reason= alone
		// ("internal", "store_unavailable") does not tell a lost table
		// from a refused password while Postfix retries for days.
		fmt.Fprintf(&b, " error=\"%s\"", logText(d.Detail, 512))
	}
	l.write(b.String())
}

// logText is logValue for a text that is not an address (an error): its
// case is kept, and it may be longer.
func logText(s string, max int) string {
	s = ingest.RedactTokens(s)
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "..."
	}
	return strings.Map(safeRune, s)
}

func (l *Maillog) write(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		return
	}
	fmt.Fprintf(l.w, "%s smartbcc[%d]: %s\n", l.now().UTC().Format(time.RFC3339), os.Getpid(), line)
}

// logValue redacts tokens and keeps an attacker's envelope from writing
// lines or fields of its own. With SMTPUTF8 an address may hold any
// Unicode, so the C1 controls (NEL, the 8-bit CSI), the line and
// paragraph separators, the other spaces and the format characters
// (direction overrides, zero-width ones) go too, not only ASCII's.
func logValue(s string) string {
	s = ingest.RedactTokens(strings.ToLower(s))
	if len(s) > 256 {
		s = s[:256] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' {
			return '?'
		}
		return safeRune(r)
	}, s)
}

// safeRune replaces what could end a field or a line, or change how a
// terminal shows the rest: IsControl is ASCII's controls and DEL as well
// as C1, and Zs the spaces other than ASCII's (which logValue replaces
// too: an address has none).
func safeRune(r rune) rune {
	if r == '<' || r == '>' || r == '"' ||
		unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) || (r != ' ' && unicode.Is(unicode.Zs, r)) {
		return '?'
	}
	return r
}
