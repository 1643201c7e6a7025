package parse

import (
	"slices"
	"strconv"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/encword"
)

// utf8Params rewrites the RFC 2231 parameters of a Content-Type or
// Content-Disposition value that name a charset other than UTF-8 or
// US-ASCII into one UTF-8 parameter, leaving everything else as written:
//
//	attachment; filename*="iso-8859-1''Hasen%20und%20Fr%F6sche.txt"
//	attachment; filename*=utf-8''Hasen%20und%20Fr%C3%B6sche.txt
//
// Why: Go's mime.ParseMediaType, which enmime's mediatype.Parse ends in,
// decodes UTF-8 and US-ASCII values only. It drops a Latin-1 file name
// (Pine, mutt and many European mailers write them), and of a name
// continued over several parameters (filename*0*=..., filename*1=...) it
// keeps only the plain continuations: a wrong name. The charset is
// converted as an encoded word's is (encword.ToUTF8). The value is then
// read by mediatype.Parse as before: this is not a second reader of the
// field, only a translation of the one part Go cannot read.
func utf8Params(v string) string {
	if !strings.Contains(v, "*") || !strings.Contains(v, "'") {
		return v // no extended parameter with a charset: the usual case
	}
	parts := splitParams(v)
	type segment struct {
		part    int // index in parts
		n       int
		encoded bool
		value   string
	}
	groups := map[string][]segment{}
	var names []string
	for i, p := range parts[1:] {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		name = strings.ToLower(strings.TrimSpace(name))
		star := strings.IndexByte(name, '*')
		if star <= 0 {
			continue
		}
		base, rest := name[:star], name[star+1:]
		if !isToken(base) {
			continue
		}
		s := segment{part: i + 1, value: unquote(strings.TrimSpace(value))}
		switch {
		case rest == "": // name*=charset'lang'value
			s.encoded = true
		default:
			num := strings.TrimSuffix(rest, "*")
			s.encoded = num != rest
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > 999 {
				continue
			}
			s.n = n
		}
		if _, seen := groups[base]; !seen {
			names = append(names, base)
		}
		groups[base] = append(groups[base], s)
	}
	changed := false
	drop := map[int]bool{}
	for _, base := range names {
		segs := groups[base]
		slices.SortStableFunc(segs, func(a, b segment) int { return a.n - b.n })
		first := segs[0]
		if first.n != 0 || !first.encoded {
			continue
		}
		charset, rest, ok := strings.Cut(first.value, "'")
		if !ok {
			continue
		}
		_, text, ok := strings.Cut(rest, "'") // the language is dropped
		if !ok {
			continue
		}
		switch strings.ToLower(charset) {
		case "", "utf-8", "utf8", "us-ascii":
			continue // Go reads these itself
		}
		var raw []byte
		for i, s := range segs {
			if s.n != i {
				break // a gap: the continuations after it are not part of it
			}
			if i == 0 {
				s.value = text
			}
			if s.encoded {
				raw = append(raw, percentDecode(s.value)...)
			} else {
				raw = append(raw, s.value...)
			}
		}
		for _, s := range segs {
			drop[s.part] = true
		}
		// In the place of its first segment, not at the end: after a
		// parameter with an unclosed quote (the last one, then) an
		// appended one would be read as part of that quote next time.
		drop[first.part] = false
		parts[first.part] = " " + base + "*=utf-8''" + percentEncode(encword.ToUTF8(charset, raw))
		changed = true
	}
	if !changed {
		return v
	}
	var b strings.Builder
	b.WriteString(parts[0])
	for i, p := range parts[1:] {
		if !drop[i+1] {
			b.WriteString(";")
			b.WriteString(p)
		}
	}
	return b.String()
}

// splitParams splits a media type value at the semicolons outside quoted
// strings: the type, then each parameter as written.
func splitParams(v string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}

// unquote removes the quotes of a quoted-string and its backslashes.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	s = s[1 : len(s)-1]
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// percentDecode decodes RFC 2231's %XX; a malformed % stays as it is.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			out = append(out, byte(n))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// percentEncode writes s as an RFC 2231 value: attribute characters as
// they are, every other byte as %XX.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// isToken reports an RFC 2045 token: a parameter name as it may be written.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}
