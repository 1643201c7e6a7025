package forward

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// emailRE matches an address, its letters and digits of any script
// (jürgen@bücher.example): were it ASCII only, it would find the ASCII
// tail "rgen@" of "jürgen@", or "ivy@" of "éivy@". The local part neither
// starts nor ends with an apostrophe, so "'walter@acme.com'" yields
// walter@acme.com. A domain label may hold an underscore (mailaddr reads
// such an address) but not end with one: in "_ivy@customer.example_" the
// underscores are plain text's emphasis, and the match is passed over. A
// match is only a candidate: see findAddress.
var emailRE = regexp.MustCompile(`[\pL\pM\pN!#$%&*+/=?^_{|}~-](?:[\pL\pM\pN.!#$%&'*+/=?^_{|}~-]*[\pL\pM\pN!#$%&*+/=?^_{|}~-])?@[\pL\pM\pN_](?:[\pL\pM\pN_-]*[\pL\pM\pN])?(?:\.[\pL\pM\pN_](?:[\pL\pM\pN_-]*[\pL\pM\pN])?)+`)

// findAddress returns the position of the first address in s and the
// address as mailaddr reads it (Canonical), as every address of a
// message is read: a match that is only part of what is written (".ivy@"
// read as "ivy@", "ivy@customer.example_x" as "ivy@customer.example") or
// that mailaddr does not read names no one, and is passed over.
func findAddress(s string) (loc []int, email string) {
	for off := 0; off < len(s); {
		m := emailRE.FindStringIndex(s[off:])
		if m == nil {
			return nil, ""
		}
		start, end := off+m[0], off+m[1]
		off = end
		if r, _ := utf8.DecodeLastRuneInString(s[:start]); start > 0 && addressRune(r) {
			continue
		}
		if r, n := utf8.DecodeRuneInString(s[end:]); end < len(s) && domainRune(r) {
			continue
		} else if r == '.' {
			if r2, _ := utf8.DecodeRuneInString(s[end+n:]); end+n < len(s) && domainRune(r2) {
				continue
			}
		}
		c, err := mailaddr.Canonical(s[start:end])
		if err != nil {
			continue
		}
		return []int{start, end}, c
	}
	return nil, ""
}

// addressRune reports a character that may continue an address: letters,
// marks, digits, the local part's punctuation, dot and at sign (the
// apostrophe is a quote around an address).
func addressRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&*+/=?^_{|}~-.@", r)
}

// domainRune reports a character that may continue a domain as written
// ("customer.example_x"): punctuation after a domain ("a@x.example|",
// "a@x.example;") ends it.
func domainRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '@'
}

var (
	// "<mailto:x>" right after an address or name is a link rendered as
	// text by Outlook; it repeats what is already there.
	mailtoAngleRE = regexp.MustCompile(`(?i)<mailto:[^<>]*>`)
	// Outlook 2013 writes "Name [mailto:x]".
	mailtoSquareRE = regexp.MustCompile(`(?i)\[mailto:\s*([^\]\s]*)\s*\]`)
	// Some clients write "Name (x)" or "Name (<x>)".
	parenAddrRE = regexp.MustCompile(`\(\s*<?\s*(` + emailRE.String() + `)\s*>?\s*\)`)
)

// parseAddressList reads a header value written for humans: "Name <a>",
// "Name [mailto:a]", "a", "'a' <a>", "Last, First <a>", separated by commas
// or semicolons, or names with no address at all (Outlook sometimes).
// Commas cannot be trusted as separators ("Doe, John <j@x>"), so entries
// are cut after each address instead.
func parseAddressList(s string) []Address {
	s = mailtoAngleRE.ReplaceAllString(s, "")
	s = mailtoSquareRE.ReplaceAllString(s, "<$1>")
	s = parenAddrRE.ReplaceAllString(s, "<$1>")
	var out []Address
	pos := 0
	for pos < len(s) {
		pos = skipSeparators(s, pos)
		if pos >= len(s) {
			break
		}
		loc, addr := findAddress(s[pos:])
		if loc == nil {
			out = append(out, namesOnly(s[pos:])...)
			break
		}
		start, end := pos+loc[0], pos+loc[1]
		before := s[pos:start]
		next := end
		if trimmed := strings.TrimRight(before, " \t"); strings.HasSuffix(trimmed, "<") {
			before = trimmed[:len(trimmed)-1]
			next = closeAngle(s, end)
		} else if inner, innerEnd, ok := angleAfter(s, end); ok {
			// "a@x <a@x>" or "'a@x' <a@x>": the bracketed one is the address.
			before = s[pos:end]
			addr = inner
			next = innerEnd
		} else {
			next = skipQuotes(s, end)
		}
		// Name-only entries before this one end at a semicolon.
		if i := strings.LastIndexByte(before, ';'); i >= 0 {
			out = append(out, namesOnly(before[:i])...)
			before = before[i+1:]
		}
		name := cleanName(before)
		if strings.EqualFold(name, addr) {
			name = ""
		}
		out = append(out, Address{Name: name, Email: addr})
		pos = next
	}
	return out
}

func skipSeparators(s string, i int) int {
	for i < len(s) && strings.IndexByte(" \t\r\n,;", s[i]) >= 0 {
		i++
	}
	return i
}

func skipQuotes(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !strings.ContainsRune(quoteChars, r) {
			break
		}
		i += size
	}
	return i
}

// closeAngle returns the index after the '>' closing an address ending at
// i, tolerating spaces ("< a@x >", as html2text renders it).
func closeAngle(s string, i int) int {
	j := i
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j < len(s) && s[j] == '>' {
		return j + 1
	}
	return i
}

// angleAfter reports a "<addr>" following position i after optional
// quotes and spaces.
func angleAfter(s string, i int) (addr string, end int, ok bool) {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if r != ' ' && r != '\t' && !strings.ContainsRune(quoteChars, r) {
			break
		}
		j += size
	}
	if j >= len(s) || s[j] != '<' {
		return "", 0, false
	}
	j++
	for j < len(s) && s[j] == ' ' {
		j++
	}
	loc, addr := findAddress(s[j:])
	if loc == nil || loc[0] != 0 {
		return "", 0, false
	}
	e := j + loc[1]
	k := closeAngle(s, e)
	if k == e {
		return "", 0, false
	}
	return addr, k, true
}

func namesOnly(s string) []Address {
	var out []Address
	for _, part := range strings.Split(s, ";") {
		if n := cleanName(part); n != "" {
			out = append(out, Address{Name: n})
		}
	}
	return out
}

// quotePairs are the quotes clients and languages put around names:
// ASCII, English “…”, German and Polish „…“ „…”, Swedish ”…”, French «…»,
// German »…«, the single ones, and CJK 「…」『…』.
var quotePairs = [][2]string{
	{`"`, `"`}, {"'", "'"}, {"“", "”"}, {"„", "“"}, {"„", "”"}, {"”", "”"},
	{"«", "»"}, {"»", "«"}, {"‘", "’"}, {"‚", "‘"}, {"‚", "’"}, {"‹", "›"}, {"›", "‹"},
	{"「", "」"}, {"『", "』"}, {"＂", "＂"},
}

// quoteChars are every character of quotePairs, for trimming.
const quoteChars = `"'“”„«»‘’‚‹›「」『』＂`

// cleanName strips the quoting and decoration clients put around names:
// quotes of every language, html2text's *bold* and stray brackets.
func cleanName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for {
		t := strings.Trim(s, ` *<>,`+quoteChars)
		if t == s {
			break
		}
		s = t
	}
	return s
}
