package forward

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// emailRE matches an ASCII address. The local part neither starts nor ends
// with an apostrophe, so "'walter@acme.com'" yields walter@acme.com.
var emailRE = regexp.MustCompile(`[A-Za-z0-9!#$%&*+/=?^_{|}~-](?:[A-Za-z0-9.!#$%&'*+/=?^_{|}~-]*[A-Za-z0-9!#$%&*+/=?^_{|}~-])?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+`)

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
		loc := emailRE.FindStringIndex(s[pos:])
		if loc == nil {
			out = append(out, namesOnly(s[pos:])...)
			break
		}
		start, end := pos+loc[0], pos+loc[1]
		before := s[pos:start]
		addr := s[start:end]
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
		out = append(out, Address{Name: name, Email: strings.ToLower(addr)})
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
	loc := emailRE.FindStringIndex(s[j:])
	if loc == nil || loc[0] != 0 {
		return "", 0, false
	}
	e := j + loc[1]
	k := closeAngle(s, e)
	if k == e {
		return "", 0, false
	}
	return s[j:e], k, true
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
