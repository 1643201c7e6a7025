package mailaddr

import (
	"bufio"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var escapeRe = regexp.MustCompile(`\{(CR|LF|TAB|NUL|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4})\}`)

func unescape(s string) string {
	return escapeRe.ReplaceAllStringFunc(s, func(m string) string {
		switch m = m[1 : len(m)-1]; m {
		case "CR":
			return "\r"
		case "LF":
			return "\n"
		case "TAB":
			return "\t"
		case "NUL":
			return "\x00"
		}
		n, _ := strconv.ParseUint(m[1:], 16, 32)
		if m[0] == 'x' {
			return string([]byte{byte(n)})
		}
		return string(rune(n))
	})
}

type header map[string][]string

func (h header) Values(k string) []string { return h[k] }

// TestAddresses runs testdata/addresses.txt, one assertion per line.
func TestAddresses(t *testing.T) {
	f, err := os.Open("testdata/addresses.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		kind, rest, ok := strings.Cut(text, ": ")
		input, want, ok2 := strings.Cut(rest, " => ")
		if !ok || !ok2 {
			if k, in, ok := strings.Cut(text, ": "); ok && strings.HasSuffix(in, " =>") {
				kind, input, want = k, strings.TrimSuffix(in, " =>"), ""
			} else {
				t.Fatalf("line %d: cannot read %q", line, text)
			}
		}
		input, want = unescape(input), unescape(want)
		n++
		var got []Address
		switch kind {
		case "author":
			var a Address
			a, err = Author(header{"From": {input}})
			got = []Address{a}
		case "list":
			got, err = ParseList(input)
		case "addrspec":
			var a Address
			a, err = ParseAddrSpec(input)
			got = []Address{a}
		case "simple":
			var a Address
			a, err = ParseSimple(input)
			got = []Address{a}
		default:
			t.Fatalf("line %d: unknown kind %q", line, kind)
		}
		if want == "error" {
			if err == nil {
				t.Errorf("line %d: %s %q = %s, want an error", line, kind, input, format(got))
			}
			continue
		}
		if err != nil {
			t.Errorf("line %d: %s %q: %v, want %s", line, kind, input, err, want)
			continue
		}
		if g := format(got); g != want {
			t.Errorf("line %d: %s %q = %s, want %s", line, kind, input, g, want)
		}
	}
	if n < 50 {
		t.Fatalf("read only %d cases: is the file truncated?", n)
	}
}

// format writes addresses as the test file does; a name is shown only
// when the case names one.
func format(list []Address) string {
	var parts []string
	for _, a := range list {
		s := a.Email()
		if a.Name != "" {
			s += " [" + a.Name + "]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ; ")
}

// FuzzParseList: no input panics, and every address read is in canonical
// form: its Email reads back as the same address.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{
		`=?x-unknown?q?Ann?= "Seller, <ann@acme.example>, " <"evil"@attacker.example>`,
		`Team: a@x.example, "b c"@x.example;, <@r.example:d@[192.0.2.1]>`,
		`John Q. Public <jqp@acme.example> (comment (nested))`,
		"ann@bücher.example, \"a\\\"b\"@x.example",
		"\"M\xfcller, Heinz\" <heinz@example.de>, J\xfcrgen <j@example.de>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list, err := ParseList(s)
		// A long field folded at its spaces reads as it did on one line
		// (a space after a backslash is quoted: no one folds there).
		if !strings.ContainsAny(s, "\r\n\\") {
			folded := strings.ReplaceAll(s, " ", "\r\n ")
			if flist, ferr := ParseList(folded); (ferr == nil) != (err == nil) || !reflect.DeepEqual(flist, list) {
				t.Fatalf("folded %q: %v %v; on one line %v %v", folded, flist, ferr, list, err)
			}
		}
		// A legacy charset changes names only: the same addresses, the
		// same errors.
		llist, lerr := ParseListIn(s, "windows-1252")
		if (lerr == nil) != (err == nil) || len(llist) != len(list) {
			t.Fatalf("%q: ParseListIn %v %v, ParseList %v %v", s, llist, lerr, list, err)
		}
		for i := range llist {
			if llist[i].Email() != list[i].Email() {
				t.Fatalf("%q: ParseListIn read %q where ParseList read %q", s, llist[i].Email(), list[i].Email())
			}
		}
		if err != nil {
			return
		}
		for _, a := range list {
			b, err := ParseAddrSpec(a.Email())
			if err != nil {
				t.Fatalf("%q: %q does not read back: %v", s, a.Email(), err)
			}
			if b.Local != a.Local || b.Domain != a.Domain {
				t.Fatalf("%q: %q reads back as %q", s, a.Email(), b.Email())
			}
		}
	})
}

// TestParseListInReadsOnlyNamesInLegacy: ParseListIn reads display names
// that are not UTF-8 in the legacy charset and every address as ParseList
// does: an address that is not UTF-8 stays an error.
func TestParseListInReadsOnlyNamesInLegacy(t *testing.T) {
	got, err := ParseListIn("\"M\xfcller, Heinz\" <Heinz@Example.DE>, J\xfcrgen <j@example.de>", "windows-1252")
	if err != nil {
		t.Fatal(err)
	}
	want := []Address{{Name: "Müller, Heinz", Local: "heinz", Domain: "example.de"}, {Name: "Jürgen", Local: "j", Domain: "example.de"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, v := range []string{"J\xfcrgen <j\xfcrgen@example.de>", "j\xfcrgen@example.de", "Heinz <h@m\xfcller.de>"} {
		if _, err := ParseListIn(v, "windows-1252"); err == nil {
			t.Errorf("ParseListIn(%q) read an address that is not UTF-8", v)
		}
		if _, err := ParseMailboxIn(v, "windows-1252"); err == nil {
			t.Errorf("ParseMailboxIn(%q) read an address that is not UTF-8", v)
		}
	}
}

// FoldCase's ASCII path must fold exactly as the rune-by-rune rule does.
func TestFoldCase(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"ann@acme.example", "ann@acme.example"},
		{"Ann.Seller@ACME.Example", "ann.seller@acme.example"},
		{"Z@[192.0.2.1]", "z@[192.0.2.1]"},
		{"ÉLISE@Exemple.fr", "élise@exemple.fr"},
		{"İvy@x.example", "İvy@x.example"}, // stays: see FoldCase
		{"KELVIN\u212A@x.example", "kelvin\u212A@x.example"},
		{"bad\xffUTF8", "bad\ufffdutf8"},
	} {
		if got := FoldCase(tc.in); got != tc.want {
			t.Errorf("FoldCase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzFoldCase(f *testing.F) {
	for _, s := range []string{"ann@acme.example", "Ann@ACME.example", "ÉLISE@x", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := FoldCase(s), strings.Map(foldRune, s); got != want {
			t.Fatalf("FoldCase(%q) = %q, want %q", s, got, want)
		}
	})
}
