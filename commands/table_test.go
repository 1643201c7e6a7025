package commands

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clipperhouse/displaywidth"
)

// Mail text is printed with its control characters made visible, each
// case as less and mutt show it.
func TestPrintable(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multiline bool
		want      string
	}{
		{"plain text, 見積", false, "plain text, 見積"},
		{"\x1b[2J\x1b]0;pwned\x07title", false, "^[[2J^[]0;pwned^Gtitle"},
		{"csi \u009b31m c1", false, "csi <U+009B>31m c1"},
		{"osc \u009d0;x\u009c", false, "osc <U+009D>0;x<U+009C>"},
		{"del \x7f", false, "del ^?"},
		{"bad \xff byte", false, "bad <FF> byte"},
		{"rlo \u202eevil", false, "rlo <U+202E>evil"},
		{"two\nlines\tand tab", false, "two lines and tab"},
		{"two\r\nlines\tand tab\n", true, "two\nlines\tand tab\n"},
		{"bare\rCR", true, "bare^MCR"},
		{"nul \x00", true, "nul ^@"},
	} {
		if got := printable(tc.in, tc.multiline); got != tc.want {
			t.Errorf("printable(%q, %v) = %q, want %q", tc.in, tc.multiline, got, tc.want)
		}
	}
}

// Columns line up by display width, and a table on a terminal fits it.
func TestTableWidths(t *testing.T) {
	tab := newTable("ID", "SUBJECT", "FROM")
	tab.row("1", "見積書の送付 (株式会社サンプル)", "山田 <yamada@example.jp>")
	tab.row("22", "Party 🎉🎂 tonight", "Zoë <zoe@example.org>")
	tab.row("333", "Cafe\u0301 au lait", "bob@example.com")

	var piped bytes.Buffer
	tab.print(&piped, 0)
	lines := strings.Split(strings.TrimRight(piped.String(), "\n"), "\n")
	if !strings.Contains(piped.String(), "見積書の送付 (株式会社サンプル)") {
		t.Fatalf("piped output cut a value:\n%s", piped.String())
	}
	// The FROM column starts at the same display column on every line.
	col := -1
	for i, l := range lines {
		field := []string{"FROM", "山田", "Zoë", "bob@"}[i]
		at := displaywidth.String(l[:strings.Index(l, field)])
		if col >= 0 && at != col {
			t.Fatalf("column FROM at %d on line %d, %d above:\n%s", at, i, col, piped.String())
		}
		col = at
	}

	for _, width := range []int{60, 40, 30} {
		var term bytes.Buffer
		tab.print(&term, width)
		for _, l := range strings.Split(strings.TrimRight(term.String(), "\n"), "\n") {
			if w := displaywidth.String(l); w > width {
				t.Errorf("width %d: line %q is %d wide", width, l, w)
			}
		}
		if !strings.Contains(term.String(), "…") {
			t.Errorf("width %d: nothing was cut:\n%s", width, term.String())
		}
	}
}

// Piped, a huge value is printed whole but does not pad the other rows to
// its width: one sender's 100 KB display name made every line of a
// listing 100 KB long.
func TestTableHugeValuePiped(t *testing.T) {
	huge := strings.Repeat("A", 100000)
	tab := newTable("ID", "FROM", "SUBJECT")
	tab.row("1", "Bob <bob@customer.example>", "Price list")
	tab.row("2", huge, "Hello")
	tab.row("3", "Carol <carol@customer.example>", "Re: Price list")
	var piped bytes.Buffer
	tab.print(&piped, 0)
	lines := strings.Split(strings.TrimRight(piped.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%.300s", len(lines), piped.String())
	}
	for i, l := range lines {
		long := strings.Contains(l, huge)
		switch {
		case i == 2 && !long:
			t.Errorf("the huge value is not printed whole on its line")
		case i != 2 && len(l) > 300:
			t.Errorf("line %d is %d bytes long: padded to the huge value", i, len(l))
		}
	}
	// The rows without it still line up.
	if a, b := strings.Index(lines[1], "Price list"), strings.Index(lines[3], "Re: Price list"); a != b || a < 0 {
		t.Errorf("SUBJECT at %d and %d:\n%s\n%s", a, b, lines[1], lines[3])
	}
	var term bytes.Buffer
	tab.print(&term, 80)
	for _, l := range strings.Split(strings.TrimRight(term.String(), "\n"), "\n") {
		if w := displaywidth.String(l); w > 80 {
			t.Errorf("on an 80-column terminal a line is %d wide", w)
		}
	}
}
