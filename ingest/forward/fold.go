package forward

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold is the form labels, separator phrases and date words are compared
// in: NFC (Apple Mail may write decomposed letters), lower case, and the
// four Turkish i's (I ı İ i) made one. strings.ToLower turns "İ" into "i"
// plus a combining dot and leaves "ı" alone, so "İLETİLEN İLETİ",
// "İletilen İleti" and "Iletilen Ileti" would all differ; a Turkish lower
// case would in turn break the English "I". Collapsing the four letters is
// right for both: no label in any language we read differs only in the
// dot of an i. Typographic apostrophes fold to "'" and runs of spaces to
// one space.
func fold(s string) string {
	// Most labels and lines are lower-case, single-spaced ASCII already.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || ('A' <= c && c <= 'Z') || c == '\t' || (c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ')) {
			return foldSlow(s)
		}
	}
	return s
}

func foldSlow(s string) string {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch r {
		case 'I', 'ı', 'İ':
			r = 'i'
		case '\u0307': // the dot strings.ToLower would leave after İ
			continue
		case '\u2019', '\u2018', '\u02bc':
			r = '\''
		case '\u00a0', '\t', '\u2009', '\u202f':
			r = ' '
		default:
			r = unicode.ToLower(r)
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
