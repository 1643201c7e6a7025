// Package encword decodes header text for people to read: RFC 2047
// encoded words and raw bytes, the way Python's email package (policy
// default) does, because that is what real archives were written for.
//
// Nothing decoded here decides anything: addresses are read by package
// mailaddr from the undecoded header, and an encoded word is never part of
// an address. The output is valid UTF-8 and may still hold control
// characters (an encoded word can decode to "\r\n"); callers that print it
// on one line replace them.
package encword

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/cention-sany/utf7"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// Decode returns the text of an unstructured header value (Subject, a
// display name): every encoded word decoded, white space between two
// encoded words dropped (RFC 2047 6.2), and adjacent encoded words in the
// same character set joined before decoding, so that a multi-byte
// character split across two words survives. What Python accepts beyond
// RFC 2047 is accepted too: an encoded word glued to other text, an RFC
// 2231 language suffix ("=?iso-8859-2*sl?Q?...?="), an unknown or "NONE"
// character set (read as ASCII, other bytes replaced by U+FFFD), raw
// 8-bit bytes inside or outside an encoded word (UTF-8 kept, other bytes
// replaced by U+FFFD). Something that only looks like an encoded word
// (an unknown encoding letter, no "?=") stays as it is.
func Decode(s string) string { return DecodeIn(s, "") }

// DecodeIn is Decode for a header whose raw 8-bit text may be in a legacy
// charset (see LegacyCharset): a run of text outside encoded words that is
// not valid UTF-8 is read in legacy instead of having its bytes replaced
// by U+FFFD ("Fr\xf6sche" in windows-1252 is "Frösche"). UTF-8 text, and
// what encoded words name for themselves, are read as Decode reads them.
// An empty legacy is Decode.
//
// Why a guess is fine here: RFC 6532 allows UTF-8 only, but mailers of the
// 1990s wrote headers in the charset of the body, and notmuch and mu
// (GMime) show them so. The text is for people to read; it decides nothing.
func DecodeIn(s, legacy string) string {
	if !strings.Contains(s, "=?") {
		return rawText(s, legacy)
	}
	var out strings.Builder
	out.Grow(len(s))
	var pending []byte // decoded bytes of adjacent words in one charset
	pendingCharset := ""
	flush := func() {
		if pendingCharset != "" {
			out.WriteString(toUTF8(pendingCharset, pending))
			pending, pendingCharset = pending[:0], ""
		}
	}
	lastWasWord := false
	for len(s) > 0 {
		i := strings.Index(s, "=?")
		if i < 0 {
			flush()
			out.WriteString(rawText(s, legacy))
			break
		}
		charset, raw, n, ok := parseWord(s[i:])
		if !ok {
			// Not an encoded word: keep "=?" literally, go on after it.
			flush()
			out.WriteString(rawText(s[:i+2], legacy))
			s = s[i+2:]
			lastWasWord = false
			continue
		}
		between := s[:i]
		if !(lastWasWord && isBlank(between)) {
			flush()
			out.WriteString(rawText(between, legacy))
		}
		if pendingCharset != "" && !strings.EqualFold(pendingCharset, charset) {
			flush()
		}
		pendingCharset = charset
		pending = append(pending, raw...)
		s = s[i+n:]
		lastWasWord = true
	}
	flush()
	return out.String()
}

// rawText is text outside encoded words: valid UTF-8 kept; otherwise read
// in legacy, or, without one, its invalid bytes replaced by U+FFFD.
func rawText(s, legacy string) string {
	if utf8.ValidString(s) {
		return s
	}
	if legacy == "" {
		return validUTF8(s)
	}
	return toUTF8(legacy, []byte(s))
}

// LegacyCharset is the charset DecodeIn reads header text in that is not
// UTF-8, for a message whose body declares charset declared (its top-level
// Content-Type; "" for none): the declared one when it is an 8-bit charset
// the tables know (iso-8859-2, koi8-r, shift_jis...), else windows-1252, as
// notmuch and mu read such text (GMime's fallback; WHATWG reads iso-8859-1
// as windows-1252 too). A declared UTF-8, ASCII, UTF-16/32, UTF-7 or
// ISO-2022 says nothing about 8-bit bytes that are not UTF-8: these cannot
// be in it.
func LegacyCharset(declared string) string {
	const fallback = "windows-1252"
	name := strings.ToLower(strings.TrimSpace(declared))
	if name == "" {
		return fallback
	}
	enc := lookup(name)
	if enc == nil {
		return fallback
	}
	if n, err := htmlindex.Name(enc); err == nil {
		name = n
	} else if n, err := ianaindex.MIME.Name(enc); err == nil {
		name = strings.ToLower(n)
	}
	for _, p := range []string{"utf", "ucs", "unicode", "iso-2022", "csiso2022", "us-ascii", "ascii", "replacement"} {
		if strings.HasPrefix(name, p) {
			return fallback
		}
	}
	return name
}

// parseWord reads the encoded word at the start of s ("=?charset?X?text?=")
// and returns its character set (without language suffix), its decoded
// bytes and its length.
func parseWord(s string) (charset string, raw []byte, n int, ok bool) {
	rest := s[2:]
	q1 := strings.IndexByte(rest, '?')
	if q1 <= 0 || len(rest) < q1+3 || rest[q1+2] != '?' {
		return "", nil, 0, false
	}
	charset = rest[:q1]
	if strings.ContainsAny(charset, " \t\r\n()<>@,;:\"/[]?.=") {
		return "", nil, 0, false
	}
	enc := rest[q1+1]
	text := rest[q1+3:]
	end := strings.Index(text, "?=")
	if end < 0 {
		return "", nil, 0, false
	}
	text = text[:end]
	if strings.ContainsAny(text, " \t\r\n") {
		return "", nil, 0, false
	}
	if star := strings.IndexByte(charset, '*'); star >= 0 {
		charset = charset[:star] // RFC 2231 language: "iso-8859-2*sl"
	}
	if charset == "" {
		return "", nil, 0, false
	}
	switch enc {
	case 'B', 'b':
		raw = decodeB(text)
	case 'Q', 'q':
		raw = decodeQ(text)
	default:
		return "", nil, 0, false
	}
	return charset, raw, 2 + q1 + 3 + end + 2, true
}

// decodeB decodes base64 as leniently as Python: characters outside the
// alphabet are dropped, missing padding is added, and what still cannot be
// decoded gives nothing.
func decodeB(text string) []byte {
	clean := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' {
			clean = append(clean, c)
		}
	}
	if len(clean)%4 == 1 {
		clean = clean[:len(clean)-1] // a lone sextet carries no byte
	}
	out, err := base64.RawStdEncoding.DecodeString(string(clean))
	if err != nil {
		return nil
	}
	return out
}

// decodeQ decodes RFC 2047 Q: "_" is a space, "=XX" a byte; a malformed
// "=" stays as it is.
func decodeQ(text string) []byte {
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' {
			return false
		}
	}
	return true
}

// toUTF8 converts b from charset. UTF-8 and ASCII are read directly; any
// other charset the WHATWG or IANA tables know is converted; an unknown
// one is read as ASCII.
func toUTF8(charset string, b []byte) string {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8":
		return validUTF8(string(b))
	case "us-ascii", "ascii", "none", "unknown-8bit", "x-unknown":
		return asciiOnly(b)
	}
	if enc := lookup(charset); enc != nil {
		out, err := enc.NewDecoder().Bytes(b)
		if err == nil {
			return validUTF8(string(out))
		}
	}
	return asciiOnly(b)
}

func lookup(charset string) encoding.Encoding {
	switch strings.ToLower(charset) {
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7":
		// Outlook 2000 and Outlook Express wrote UTF-7 words; WHATWG
		// dropped the charset, so neither index knows it. The decoder is
		// the one enmime reads UTF-7 bodies with.
		return utf7.UTF7
	}
	if enc, err := htmlindex.Get(charset); err == nil && enc != nil {
		return enc
	}
	if enc, err := ianaindex.MIME.Encoding(charset); err == nil && enc != nil {
		return enc
	}
	return nil
}

// asciiOnly keeps ASCII and replaces every other byte by U+FFFD.
func asciiOnly(b []byte) string {
	var out strings.Builder
	out.Grow(len(b))
	for _, c := range b {
		if c < 0x80 {
			out.WriteByte(c)
		} else {
			out.WriteRune(utf8.RuneError)
		}
	}
	return out.String()
}

// validUTF8 keeps valid UTF-8 and replaces every byte of an invalid
// sequence by U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var out strings.Builder
	out.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			out.WriteRune(utf8.RuneError)
		} else {
			out.WriteString(s[i : i+n])
		}
		i += n
	}
	return out.String()
}

// ToUTF8 converts b from charset as an encoded word's text is converted:
// any charset the WHATWG or IANA tables know, or UTF-7; an unknown one is
// read as ASCII, other bytes replaced by U+FFFD. (For RFC 2231 parameter
// values, which name their charset the same way.)
func ToUTF8(charset string, b []byte) string { return toUTF8(charset, b) }

// ValidUTF8 is the raw-byte rule of Decode alone: valid UTF-8 kept, any
// other byte replaced by U+FFFD.
func ValidUTF8(s string) string { return validUTF8(s) }
