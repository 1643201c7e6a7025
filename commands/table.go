package commands

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/clipperhouse/displaywidth"
)

// What people read: tables measured in display cells, text from mail with
// its control characters made visible, times in the reader's zone.

// table is rows of text under a header, printed in columns.
type table struct {
	header []string
	rows   [][]string
	// fixed are the columns never cut to fit a terminal: short values
	// that a reader needs whole (ids, dates, statuses).
	fixed map[int]bool
}

// newTable makes a table. Columns named ID, DATE, AT, CREATED, STATUS,
// SHARING, CODE and PRIMARY are never cut; the others may be.
func newTable(header ...string) *table {
	t := &table{header: header, fixed: map[int]bool{}}
	for i, h := range header {
		switch h {
		case "ID", "DATE", "AT", "CREATED", "STATUS", "SHARING", "CODE", "PRIMARY", "AUTO-LINK":
			t.fixed[i] = true
		}
	}
	return t
}

// row adds a row; each cell is made printable (see printable) and kept on
// one line.
func (t *table) row(cells ...string) {
	r := make([]string, len(cells))
	for i, c := range cells {
		r[i] = printable(c, false)
	}
	t.rows = append(t.rows, r)
}

// minColumn is the narrowest a truncated column gets.
const minColumn = 6

// maxPipedColumn is the widest a column is padded to when the table is
// piped; a longer value is printed whole, and its row's later columns
// start further right.
const maxPipedColumn = 200

// gap is the space between columns.
const gap = "  "

// print writes the table. width > 0 (a terminal that wide) makes it fit:
// the flexible column, then the widest ones, are cut with "…" until the
// lines fit. With width 0 (not a terminal) every value is printed whole.
func (t *table) print(w io.Writer, width int) {
	n := len(t.header)
	widths := make([]int, n)
	measure := func(cells []string) {
		for i := 0; i < n && i < len(cells); i++ {
			cw := displaywidth.String(cells[i])
			if width == 0 {
				// Piped, a value is printed whole but widens its
				// column only so far: one sender's 100 KB display
				// name padded every other row of a listing to
				// 100 KB (2 GB for a 20,000-message inbox).
				cw = min(cw, maxPipedColumn)
			}
			if cw > widths[i] {
				widths[i] = cw
			}
		}
	}
	measure(t.header)
	for _, r := range t.rows {
		measure(r)
	}
	if width > 0 {
		fit(widths, t.fixed, width-len(gap)*(n-1))
	}
	var b strings.Builder
	line := func(cells []string) {
		b.Reset()
		for i := 0; i < n; i++ {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			if width > 0 {
				c = displaywidth.TruncateString(c, widths[i], "…")
			}
			b.WriteString(c)
			if i < n-1 {
				b.WriteString(strings.Repeat(" ", max(0, widths[i]-displaywidth.String(c))))
				b.WriteString(gap)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.header)
	for _, r := range t.rows {
		line(r)
	}
}

// fit narrows widths until their sum is at most room, cutting always the
// widest column that may be cut (one not fixed), so that a long subject
// gives way first and short columns last. No column goes below minColumn:
// on a very narrow terminal the lines wrap rather than show nothing.
func fit(widths []int, fixed map[int]bool, room int) {
	total := 0
	for _, w := range widths {
		total += w
	}
	for total > room {
		widest := -1
		for i, w := range widths {
			if !fixed[i] && w > minColumn && (widest < 0 || w > widths[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			return
		}
		widths[widest]--
		total--
	}
}

// printTable prints t for the reader: fitted to the terminal when stdout
// is one, whole values otherwise (pipes, files, scripts).
func (a *App) printTable(t *table) {
	t.print(a.IO.Out, a.IO.TermWidth)
}

// printable makes text that came from mail safe to print on a terminal:
// control characters (C0 but tab and, when multiline, newline; DEL; C1,
// which includes the 8-bit CSI and OSC), bidirectional overrides and
// invalid UTF-8 are shown as visible escapes, the way less and mutt show
// them (^[ for ESC, <U+009B> for C1, <FF> for a stray byte), so that no
// escape sequence from a sender reaches the terminal. Without multiline,
// line breaks and tabs become spaces (table cells, header lines).
func printable(s string, multiline bool) string {
	clean := true
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || needsEscape(r, multiline) {
			clean = false
			break
		}
		i += size
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "<%02X>", s[i])
		case !multiline && (r == '\n' || r == '\r' || r == '\t'):
			b.WriteByte(' ')
		case multiline && r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CRLF line ends print as line ends.
		case r < 0x20 || r == 0x7f:
			if needsEscape(r, multiline) {
				b.WriteByte('^')
				b.WriteByte(byte(r) ^ 0x40)
			} else {
				b.WriteRune(r)
			}
		case needsEscape(r, multiline):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// needsEscape reports characters that must not reach a terminal as they
// are.
func needsEscape(r rune, multiline bool) bool {
	switch {
	case r == '\t':
		return !multiline
	case r == '\n':
		return !multiline
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		// Bidirectional controls reorder what follows them on screen.
		return true
	case unicode.Is(unicode.Cc, r):
		return true
	}
	return false
}

// Times in text output: in the reader's zone on a terminal (UTC with
// --utc), RFC 3339 in UTC otherwise, so that piped text is stable. JSON is
// always UTC (jsonTime).

// localTimes reports whether text output shows local times.
func (a *App) localTimes() bool { return a.IO.TermWidth > 0 && !a.UTC }

// zone is where local times are shown.
func (a *App) zone() *time.Location {
	if a.UTC || a.Zone == nil {
		return time.UTC
	}
	return a.Zone
}

// tableTime is a time in a table cell: "2026-11-02 10:00" on a terminal,
// RFC 3339 UTC otherwise; "" for none.
func (a *App) tableTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if a.IO.TermWidth > 0 {
		return t.In(a.zone()).Format("2006-01-02 15:04")
	}
	return t.UTC().Format(time.RFC3339)
}

// longTime is a time on its own line (show): with weekday and offset on a
// terminal, RFC 3339 UTC otherwise.
func (a *App) longTime(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	if a.IO.TermWidth > 0 {
		return t.In(a.zone()).Format("Mon, 02 Jan 2006 15:04:05 -0700")
	}
	return t.UTC().Format(time.RFC3339)
}
