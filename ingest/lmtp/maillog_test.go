package lmtp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
)

// SIGHUP after logrotate: lines go to the new file, none are lost.
func TestMaillogReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "smartbcc.log")
	l, err := OpenMaillog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.Printf("before")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	l.Printf("after the move, before the reopen")
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	l.Delivery(1, "Q1", "ann@acme.example", "acme+deal-abcdefghijklmnop@bcc.acme.example", ingest.Result{ID: 3},
		ingest.Disposition{Status: "stored", Code: 250, Enhanced: "2.0.0"}, time.Millisecond)
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(old), "before") || !strings.Contains(string(old), "after the move") {
		t.Errorf("rotated file: %q", old)
	}
	if !strings.Contains(string(cur), "status=stored id=3") || strings.Contains(string(cur), "abcdefghijklmnop") {
		t.Errorf("new file: %q (want the delivery, without its token)", cur)
	}
	// An attacker's envelope cannot add lines or fields.
	l.Delivery(2, "", "x> status=stored\nforged line", "<a@b>", ingest.Result{}, ingest.Disposition{Status: "rejected"}, 0)
	cur, _ = os.ReadFile(path)
	if strings.Count(string(cur), "\n") != 2 || strings.Count(string(cur), " status=stored") != 1 {
		t.Errorf("envelope text changed the log's shape: %q", cur)
	}
}

// With SMTPUTF8 the envelope may hold any Unicode: what a terminal, a
// log viewer or a line-based parser reads as a line break, an escape
// sequence, a field separator or a change of direction is shown as ?.
func TestMaillogUnicodeControls(t *testing.T) {
	for _, c := range []struct{ name, r string }{
		{"NEL", "\u0085"}, {"8-bit CSI", "\u009b31m"}, {"line separator", "\u2028"}, {"paragraph separator", "\u2029"},
		{"right-to-left override", "\u202e"}, {"zero-width space", "\u200b"}, {"no-break space", "\u00a0"}, {"em space", "\u2003"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			l := NewMaillog(&b)
			l.Delivery(1, "", "x"+c.r+"status=stored@acme.example", "j\u00f6rg"+c.r+"@bcc.acme.example", ingest.Result{}, ingest.Disposition{Status: "rejected"}, 0)
			line := b.String()
			if strings.Contains(line, c.r) {
				t.Errorf("%U reached the log: %q", []rune(c.r)[0], line)
			}
			if !strings.Contains(line, "to=<j\u00f6rg?") {
				t.Errorf("a UTF-8 letter is not kept: %q", line)
			}
		})
	}
}

// The error of a temporary failure is logged on the delivery's line,
// whatever it holds: it cannot add lines or fields, nor show a token.
func TestMaillogTemporaryError(t *testing.T) {
	var b strings.Builder
	l := NewMaillog(&b)
	d := ingest.DisposeFailure(errors.New("commit acme+deal-abcdefghijklmnop@bcc.acme.example: \"quoted\" status=stored\nsecond line\u2028third"))
	l.Delivery(1, "Q1", "ann@acme.example", "acme@bcc.acme.example", ingest.Result{}, d, time.Millisecond)
	line := b.String()
	if strings.Count(line, "\n") != 1 || strings.Contains(line, "\u2028") {
		t.Errorf("the error changed the log's shape: %q", line)
	}
	if strings.Contains(line, "abcdefghijklmnop") {
		t.Errorf("the error shows a token: %q", line)
	}
	// The error is the last field, in quotes it cannot close.
	fields, value, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ` error="`)
	if !ok || !strings.HasSuffix(value, `"`) || strings.Contains(strings.TrimSuffix(value, `"`), `"`) ||
		!strings.HasPrefix(value, "4.3.0 smartbcc: commit acmeDeal-[token]@bcc.acme.example: ?quoted? status=stored") {
		t.Errorf("want the error, quoted and flattened: %q", line)
	}
	if !strings.Contains(fields, " status=temporary reason=internal ") {
		t.Errorf("fields: %q", fields)
	}
}
