package mailaddr

import (
	"fmt"
	"strings"
	"sync"
)

// The lexical layer of RFC 5322 section 3.2, with the obsolete forms of
// section 4 that receivers must accept, and RFC 6532's UTF-8. Comments and
// folding white space are dropped here; a token remembers only whether
// white space or a comment came before it, which the display name needs.

type tokenKind uint8

const (
	tkAtom    tokenKind = iota + 1 // 1*atext
	tkQuoted                       // quoted-string; text is the content, quoted-pairs resolved
	tkLiteral                      // domain-literal; text is "[...]" with FWS removed
	tkSpecial                      // one of < > : ; @ , .
	// tkEncoded is an RFC 2047 encoded word that holds specials (an
	// unencoded "," or ":" in its text, which RFC 2047 forbids in a
	// phrase but encoders write): read as one word, as Python does, and
	// allowed only in a display name.
	tkEncoded
)

type token struct {
	text  string
	kind  tokenKind
	space bool // CFWS before the token
}

// tokenBufs recycles the token slices of parseList and ParseAddrSpec:
// every message has its From, To and Cc read several times, and growing
// a new slice for each reading was most of the bytes this package
// allocated. Tokens are used only while one value is parsed: the parser
// returns strings (token texts are substrings of the value or new
// strings), never a token or a slice of them.
var tokenBufs = sync.Pool{New: func() any { return new([]token) }}

// getTokens returns an empty token slice to tokenize into.
func getTokens() *[]token { return tokenBufs.Get().(*[]token) }

// putTokens gives the slice behind buf back to the pool, its last use
// being toks (the slice tokenize returned, nil after an error). Its
// tokens are cleared so that the pool keeps no value alive; a slice grown
// by hostile input is left to the collector.
func putTokens(buf *[]token, toks []token) {
	if toks == nil {
		toks = *buf
	}
	if cap(toks) > 1024 {
		return
	}
	clear(toks[:cap(toks)])
	*buf = toks[:0]
	tokenBufs.Put(buf)
}

// isAtext reports an atext byte (RFC 5322 3.2.3); bytes of 0x80 and above
// are UTF-8 (RFC 6532 3.2), checked where they matter.
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// tokenize splits s into tokens, appended to buf[:0]; trailing reports white space or a
// comment after the last one. It fails on anything RFC 5322 does not
// allow in an address header: control characters (CR and LF only as
// folding, followed by white space), an unterminated quoted string,
// comment or domain literal, a stray ")", "]" or "\".
func tokenize(s string, buf []token) (toks []token, trailing bool, err error) {
	toks = buf[:0]
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			space = true
			i++
		case c == '\r' || c == '\n':
			n, ok := fold(s, i)
			if !ok {
				return nil, false, fmt.Errorf("line break in the value at byte %d", i)
			}
			space = true
			i += n
		case c == '(':
			n, err := comment(s, i)
			if err != nil {
				return nil, false, err
			}
			space = true
			i += n
		case c == '"':
			text, n, err := quoted(s, i)
			if err != nil {
				return nil, false, err
			}
			toks = append(toks, token{kind: tkQuoted, text: text, space: space})
			space = false
			i += n
		case c == '[':
			text, n, err := literal(s, i)
			if err != nil {
				return nil, false, err
			}
			toks = append(toks, token{kind: tkLiteral, text: text, space: space})
			space = false
			i += n
		case strings.IndexByte("<>:;@,.", c) >= 0:
			toks = append(toks, token{kind: tkSpecial, text: s[i : i+1], space: space})
			space = false
			i++
		case c == '=' && encodedWordWithSpecials(s[i:]) > 0:
			n := encodedWordWithSpecials(s[i:])
			toks = append(toks, token{kind: tkEncoded, text: s[i : i+n], space: space})
			space = false
			i += n
		case isAtext(c):
			j := i + 1
			for j < len(s) && isAtext(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tkAtom, text: s[i:j], space: space})
			space = false
			i = j
		default:
			return nil, false, fmt.Errorf("character %q not allowed at byte %d", c, i)
		}
	}
	return toks, space, nil
}

// fold returns the length of the line break at s[i] when it is folding
// white space (CRLF or a bare LF, followed by a space or tab).
func fold(s string, i int) (int, bool) {
	n := 0
	if s[i] == '\r' {
		n++
	}
	if i+n >= len(s) || s[i+n] != '\n' {
		return 0, false
	}
	n++
	if i+n >= len(s) || (s[i+n] != ' ' && s[i+n] != '\t') {
		return 0, false
	}
	return n, true
}

// isCtl reports a control character that may not appear anywhere in an
// address header except as white space.
func isCtl(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }

// comment skips the comment at s[i] (nested, with quoted-pairs) and
// returns its length. It works with a counter, not recursion, so that
// deep nesting costs nothing.
func comment(s string, i int) (int, error) {
	depth := 0
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '\\':
			j++
			if j >= len(s) || isCtl(s[j]) {
				return 0, fmt.Errorf("bad quoted-pair in comment at byte %d", j)
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return j - i + 1, nil
			}
		case c == '\r' || c == '\n':
			n, ok := fold(s, j)
			if !ok {
				return 0, fmt.Errorf("line break in a comment at byte %d", j)
			}
			j += n - 1
		case isCtl(c):
			return 0, fmt.Errorf("control character in a comment at byte %d", j)
		}
	}
	return 0, fmt.Errorf("unterminated comment at byte %d", i)
}

// quoted reads the quoted-string at s[i] and returns its content with
// quoted-pairs resolved and folding removed.
func quoted(s string, i int) (string, int, error) {
	// The usual quoted string has no quoted-pair, line break or control
	// character: its content is the text between the quotes.
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		if c == '"' {
			return s[i+1 : j], j - i + 1, nil
		}
		if c == '\\' || c == '\r' || c == '\n' || isCtl(c) {
			break
		}
	}
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '"':
			return b.String(), j - i + 1, nil
		case c == '\\':
			j++
			if j >= len(s) || isCtl(s[j]) {
				return "", 0, fmt.Errorf("bad quoted-pair at byte %d", j)
			}
			b.WriteByte(s[j])
		case c == '\r' || c == '\n':
			n, ok := fold(s, j)
			if !ok {
				return "", 0, fmt.Errorf("line break in a quoted string at byte %d", j)
			}
			j += n - 1 // the white space after the break is kept
		case isCtl(c):
			return "", 0, fmt.Errorf("control character in a quoted string at byte %d", j)
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated quoted string at byte %d", i)
}

// literal reads the domain-literal at s[i]: "[", dtext, "]", with folding
// white space dropped. Quoted-pairs (obsolete) are refused: nobody needs
// them and they would make two spellings of one literal.
func literal(s string, i int) (string, int, error) {
	var b strings.Builder
	b.WriteByte('[')
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == ']':
			b.WriteByte(']')
			return b.String(), j - i + 1, nil
		case c == ' ' || c == '\t':
		case c == '\r' || c == '\n':
			n, ok := fold(s, j)
			if !ok {
				return "", 0, fmt.Errorf("line break in a domain literal at byte %d", j)
			}
			j += n - 1
		case c == '[' || c == '\\' || isCtl(c) || c >= 0x80:
			return "", 0, fmt.Errorf("character %q not allowed in a domain literal at byte %d", c, j)
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated domain literal at byte %d", i)
}

// encodedWordWithSpecials returns the length of the encoded word
// ("=?charset?B|Q?text?=") at the start of s when its text holds a
// character that is not atext, else 0.
func encodedWordWithSpecials(s string) int {
	if !strings.HasPrefix(s, "=?") {
		return 0
	}
	q1 := strings.IndexByte(s[2:], '?')
	if q1 <= 0 || len(s) < 2+q1+3 || s[2+q1+2] != '?' {
		return 0
	}
	switch s[2+q1+1] {
	case 'B', 'b', 'Q', 'q':
	default:
		return 0
	}
	for i := 2; i < 2+q1; i++ {
		if !isAtext(s[i]) {
			return 0
		}
	}
	text := s[2+q1+3:]
	end := strings.Index(text, "?=")
	if end < 0 {
		return 0
	}
	special := false
	for i := 0; i < end; i++ {
		c := text[i]
		if c <= ' ' || c == 0x7f {
			return 0
		}
		if !isAtext(c) {
			special = true
		}
	}
	if !special {
		return 0
	}
	return 2 + q1 + 3 + end + 2
}
