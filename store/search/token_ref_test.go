package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The tokenizer as it was before IndexText wrote ASCII words straight into
// its output (refIndexText, refTokenize): the reference the differential
// tests compare IndexText, Tokens and QueryTokens with, byte for byte,
// and the baseline of BenchmarkIndexTextMail.

func refIndexText(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	refTokenize(text, func(tok []byte) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(tok)
	}, nil)
	return b.String()
}

// refTokenize calls word for each word and run for each character of a
// segmented-script run, then run("") where the run ends; when run is nil,
// runs are turned into their index tokens (bigrams and tail) and given to
// word.
func refTokenize(text string, word func([]byte), run func(unit string)) {
	t := refTokenizer{word: word, run: run}
	folds := foldTable()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if !refASCIIAlnum(c) {
				i++
				t.flush()
				continue
			}
			// A run of ASCII letters and digits at once: what wordByte
			// would do for each of its bytes.
			j := i + 1
			for j < len(text) && refASCIIAlnum(text[j]) {
				j++
			}
			t.wordBytes(text[i:j])
			i = j
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		i += n
		if f, ok := folds[r]; ok {
			for _, fr := range f {
				t.rune(fr)
			}
			continue
		}
		t.rune(unicode.ToLower(r))
	}
	t.flush()
}

type refTokenizer struct {
	word func([]byte)
	run  func(string)

	buf       []byte // the current word, folded
	truncated bool   // the word reached MaxTokenBytes
	// dropMarks is set while the current word's last letter is one whose
	// script loses its diacritics (Latin, Greek).
	dropMarks bool
	// compose is set when the word holds a combining mark it keeps: the
	// word is then put in NFC, so that decomposed and precomposed input
	// give the same token.
	compose bool

	units []string // the current segmented run
	unit  []byte   // the unit being built (base + marks)
	tmp   []byte
}

// wordByte adds c, an ASCII letter or digit, to the word being built.
func (t *refTokenizer) wordByte(c byte) { t.wordBytes(string(rune(c))) }

// wordBytes adds run, ASCII letters and digits, to the word being built,
// lower-cased.
func (t *refTokenizer) wordBytes(run string) {
	if len(t.units) > 0 || len(t.unit) > 0 {
		t.flushRun()
	}
	t.dropMarks = true
	for i := 0; i < len(run) && len(t.buf) < MaxTokenBytes; i++ {
		c := run[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t.buf = append(t.buf, c)
	}
}

func refASCIIAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z'
}

func (t *refTokenizer) rune(r rune) {
	if r < utf8.RuneSelf {
		c := byte(r)
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			t.wordByte(c)
		} else if 'A' <= c && c <= 'Z' {
			t.wordByte(c + 'a' - 'A')
		} else {
			t.flush()
		}
		return
	}
	switch {
	case unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me):
		switch {
		case len(t.unit) > 0:
			t.unit = utf8.AppendRune(t.unit, r)
		case len(t.buf) > 0 && !t.dropMarks:
			t.appendWord(r)
			t.compose = true
		}
		// A mark after nothing, or a diacritic of a Latin letter: dropped.
	case segmented(r) && (unicode.IsLetter(r) || unicode.IsNumber(r)):
		if len(t.buf) > 0 {
			t.flushWord()
		}
		t.endUnit()
		t.unit = utf8.AppendRune(t.unit, r)
	case unicode.IsLetter(r) || unicode.IsNumber(r):
		if len(t.units) > 0 || len(t.unit) > 0 {
			t.flushRun()
		}
		t.dropMarks = r < 0x400 || 0x1E00 <= r && r < 0x2000
		t.appendWord(r)
	default:
		t.flush()
	}
}

func (t *refTokenizer) appendWord(r rune) {
	if t.truncated {
		return
	}
	if len(t.buf)+utf8.RuneLen(r) > MaxTokenBytes {
		t.truncated = true
		return
	}
	t.buf = utf8.AppendRune(t.buf, r)
}

// endUnit closes the unit being built (a base character and its marks).
func (t *refTokenizer) endUnit() {
	if len(t.unit) == 0 {
		return
	}
	u := t.unit
	if hasKanaVoicing(u) {
		// Half-width katakana and decomposed kana carry their voicing
		// mark apart; compose so that they match the usual form.
		u = norm.NFC.Bytes(u)
	}
	t.units = append(t.units, string(u))
	t.unit = t.unit[:0]
}

func (t *refTokenizer) flushWord() {
	if len(t.buf) > 0 {
		w := t.buf
		if t.compose {
			w = norm.NFC.Bytes(w)
		}
		t.word(w)
		t.buf = t.buf[:0]
	}
	t.truncated = false
	t.dropMarks = false
	t.compose = false
}

func (t *refTokenizer) flushRun() {
	t.endUnit()
	if len(t.units) == 0 {
		return
	}
	if t.run != nil {
		for _, u := range t.units {
			t.run(u)
		}
		t.run("")
	} else {
		for i := 0; i+1 < len(t.units); i++ {
			t.tmp = append(append(t.tmp[:0], t.units[i]...), t.units[i+1]...)
			t.word(t.tmp)
		}
		t.word(append(t.tmp[:0], t.units[len(t.units)-1]...))
	}
	t.units = t.units[:0]
}

func (t *refTokenizer) flush() {
	t.flushWord()
	t.flushRun()
}
