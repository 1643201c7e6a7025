package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The tokenizer: one function, used when a message is indexed and when a
// query is read, by every backend, so that both sides always agree.
//
// Words. A word is a run of letters and digits (Unicode categories L and N,
// with the combining marks that follow them). Words are case-folded
// (including ß -> ss and final sigma) and, in the Latin and Greek scripts,
// lose their diacritics (é -> e, ł -> l, ø -> o, æ -> ae, ά -> α), as
// SQLite's unicode61 tokenizer does with remove_diacritics (Cyrillic keeps
// them, й is not и, but ё is е). Fullwidth
// Latin letters and digits fold to ASCII. Anything else (punctuation,
// symbols, spaces) separates words: "follow-up" is the two words "follow"
// and "up", "o'brien" is "o" and "brien", "C++" is "c",
// "bob@customer.example" is "bob", "customer" and "example". A word is cut
// at MaxTokenBytes.
//
// Scripts written without spaces. Chinese, Japanese (kanji, hiragana,
// katakana), Korean (hangul), Thai, Lao, Khmer and Myanmar text has no
// word boundaries a tokenizer could find without a dictionary, so a run of
// such characters is indexed as its overlapping pairs of characters
// (bigrams), followed by its last character alone (the tail):
//
//	株式会社 -> 株式 式会 会社 社
//
// A run of one character is that character. Every character of the text is
// then the first character of some token, which is what lets a query find
// any part of a run: two or more characters are looked up as the phrase of
// their bigrams, one character as the prefix "見*". A Thai or Myanmar
// "character" here is a base letter with the combining vowel and tone
// marks that follow it. German compounds are ordinary words: a search for
// "rechnung" does not find "Lieferantenrechnung" (a prefix such as
// "lieferanten*" does), as in notmuch and mu.

// MaxTokenBytes is the longest token kept; longer words (base64 debris, long
// URLs) are cut to it at a character boundary, on both sides.
const MaxTokenBytes = 64

// Token is one token of a query: its text and whether it is a prefix
// (matches every token that starts with it).
type Token struct {
	Text   string
	Prefix bool
}

// IndexText returns the tokens of text joined by single spaces: the form
// every backend indexes (SQLite's "simple" tokenizer and PostgreSQL's
// "simple" configuration split it back into exactly these tokens, because
// tokens never contain ASCII punctuation or spaces).
func IndexText(text string) string {
	var t tokenizer
	t.out.Grow(len(text))
	t.tokenize(text)
	return t.out.String()
}

// Tokens returns the index tokens of text, in order.
func Tokens(text string) []string {
	var out []string
	tokenize(text, func(tok []byte) { out = append(out, string(tok)) }, nil)
	return out
}

// QueryTokens returns the tokens a query term looks for, in order: all must
// appear, adjacent and in this order (a phrase). prefix makes the last word
// a prefix ("widg*"). A run of CJK or Thai characters becomes its bigrams
// (so that it is found inside a longer run), plus its last character when
// something follows it in the term (in the index that position holds the
// run's tail), or the prefix of its only character when it is one
// character long and ends the term.
func QueryTokens(term string, prefix bool) []Token {
	var out []Token
	var run []string
	flushRun := func(followed bool) {
		if len(run) == 0 {
			return
		}
		for i := 0; i+1 < len(run); i++ {
			out = append(out, Token{Text: run[i] + run[i+1]})
		}
		last := run[len(run)-1]
		switch {
		case followed:
			out = append(out, Token{Text: last})
		case len(run) == 1:
			out = append(out, Token{Text: last, Prefix: true})
		}
		run = run[:0]
	}
	lastIsWord := false
	// ended is set when a space or punctuation ended the run: as in the
	// text, the next character starts another run.
	ended := false
	tokenize(term, func(tok []byte) {
		flushRun(true)
		out = append(out, Token{Text: string(tok)})
		lastIsWord, ended = true, false
	}, func(unit string) {
		if unit == "" {
			ended = true
			return
		}
		if ended {
			flushRun(true)
			ended = false
		}
		run = append(run, unit)
		lastIsWord = false
	})
	flushRun(false)
	if prefix && lastIsWord && len(out) > 0 {
		out[len(out)-1].Prefix = true
	}
	return out
}

// tokenize calls word for each word and run for each character of a
// segmented-script run, then run("") where the run ends; when run is nil,
// runs are turned into their index tokens (bigrams and tail) and given to
// word.
func tokenize(text string, word func([]byte), run func(unit string)) {
	t := tokenizer{word: word, run: run}
	t.tokenize(text)
}

func (t *tokenizer) tokenize(text string) {
	folds := foldTable()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if asciiClass[c] == 0 {
				i++
				if t.busy() {
					t.flush()
				}
				continue
			}
			// A run of ASCII letters and digits at once.
			j, class := i+1, asciiClass[c]
			for j < len(text) && asciiClass[text[j]] != 0 {
				class |= asciiClass[text[j]]
				j++
			}
			if !t.busy() && (j == len(text) || text[j] < utf8.RuneSelf) {
				// Most words: nothing before them, and ASCII punctuation,
				// a space or the end after them. The run is the word.
				t.asciiWord(text[i:j], class&asciiUpper != 0)
			} else {
				t.wordBytes(text[i:j])
			}
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

type tokenizer struct {
	word func([]byte) // nil: the tokens go to out, joined by spaces
	run  func(string)
	out  strings.Builder

	buf       []byte // the current word, folded
	truncated bool   // the word reached MaxTokenBytes
	// dropMarks is set while the current word's last letter is one whose
	// script loses its diacritics (Latin, Greek).
	dropMarks bool
	// compose is set when the word holds a combining mark it keeps: the
	// word is then put in NFC, so that decomposed and precomposed input
	// give the same token.
	compose bool

	// The current segmented run: its units one after the other in
	// runBytes (so that a bigram is a slice of it), ends[i] where unit i
	// ends.
	runBytes []byte
	ends     []int
	unit     []byte // the unit being built (base + marks)
	tmp      []byte
}

// busy reports whether a word or a run is being built: when not, a
// separator has nothing to end (truncated, dropMarks and compose are set
// only while buf holds a letter, and flushWord clears them with it).
func (t *tokenizer) busy() bool {
	return len(t.buf) > 0 || len(t.unit) > 0 || len(t.ends) > 0
}

// emit gives tok to word, or appends it to out.
func (t *tokenizer) emit(tok []byte) {
	if t.word != nil {
		t.word(tok)
		return
	}
	if t.out.Len() > 0 {
		t.out.WriteByte(' ')
	}
	t.out.Write(tok)
}

// asciiWord emits w, a whole word of ASCII letters and digits, lower-cased
// and cut at MaxTokenBytes: what wordBytes and flushWord would do.
func (t *tokenizer) asciiWord(w string, upper bool) {
	if len(w) > MaxTokenBytes {
		w = w[:MaxTokenBytes]
	}
	if !upper && t.word == nil {
		if t.out.Len() > 0 {
			t.out.WriteByte(' ')
		}
		t.out.WriteString(w)
		return
	}
	t.tmp = t.tmp[:0]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t.tmp = append(t.tmp, c)
	}
	t.emit(t.tmp)
}

// wordByte adds c, an ASCII letter or digit, to the word being built.
func (t *tokenizer) wordByte(c byte) { t.wordBytes(string(rune(c))) }

// wordBytes adds run, ASCII letters and digits, to the word being built,
// lower-cased.
func (t *tokenizer) wordBytes(run string) {
	if len(t.ends) > 0 || len(t.unit) > 0 {
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

const (
	asciiLower = 1 << iota // a-z, 0-9
	asciiUpper             // A-Z
)

// asciiClass classes the bytes of words: asciiLower, asciiUpper, or 0 for
// the rest (ASCII separators, and the bytes of other characters).
var asciiClass = func() (c [256]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		c[b] = asciiLower
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = asciiLower
	}
	for b := 'A'; b <= 'Z'; b++ {
		c[b] = asciiUpper
	}
	return c
}()

func (t *tokenizer) rune(r rune) {
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
		if len(t.ends) > 0 || len(t.unit) > 0 {
			t.flushRun()
		}
		t.dropMarks = r < 0x400 || 0x1E00 <= r && r < 0x2000
		t.appendWord(r)
	default:
		t.flush()
	}
}

func (t *tokenizer) appendWord(r rune) {
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
func (t *tokenizer) endUnit() {
	if len(t.unit) == 0 {
		return
	}
	u := t.unit
	if hasKanaVoicing(u) {
		// Half-width katakana and decomposed kana carry their voicing
		// mark apart; compose so that they match the usual form.
		u = norm.NFC.Bytes(u)
	}
	t.runBytes = append(t.runBytes, u...)
	t.ends = append(t.ends, len(t.runBytes))
	t.unit = t.unit[:0]
}

func hasKanaVoicing(u []byte) bool {
	// U+3099 and U+309A are E3 82 99 and E3 82 9A in UTF-8.
	for i := 0; i+2 < len(u); i++ {
		if u[i] == 0xE3 && u[i+1] == 0x82 && (u[i+2] == 0x99 || u[i+2] == 0x9A) {
			return true
		}
	}
	return false
}

func (t *tokenizer) flushWord() {
	if len(t.buf) > 0 {
		w := t.buf
		if t.compose {
			w = norm.NFC.Bytes(w)
		}
		t.emit(w)
		t.buf = t.buf[:0]
	}
	t.truncated = false
	t.dropMarks = false
	t.compose = false
}

func (t *tokenizer) flushRun() {
	t.endUnit()
	if len(t.ends) == 0 {
		return
	}
	start := func(i int) int {
		if i == 0 {
			return 0
		}
		return t.ends[i-1]
	}
	if t.run != nil {
		for i, end := range t.ends {
			t.run(string(t.runBytes[start(i):end]))
		}
		t.run("")
	} else {
		for i := 0; i+1 < len(t.ends); i++ {
			t.emit(t.runBytes[start(i):t.ends[i+1]])
		}
		last := len(t.ends) - 1
		t.emit(t.runBytes[start(last):t.ends[last]])
	}
	t.runBytes, t.ends = t.runBytes[:0], t.ends[:0]
}

func (t *tokenizer) flush() {
	t.flushWord()
	t.flushRun()
}

// segmented reports whether r belongs to a script written without spaces
// between words.
func segmented(r rune) bool {
	switch {
	case r < 0x0E00:
		return false
	case r <= 0x0EFF: // Thai, Lao
		return true
	case r < 0x1000:
		return false
	case r <= 0x109F: // Myanmar
		return true
	case 0x1100 <= r && r <= 0x11FF: // Hangul Jamo
		return true
	case 0x1780 <= r && r <= 0x17FF, 0x19E0 <= r && r <= 0x19FF: // Khmer
		return true
	case 0x2E80 <= r && r <= 0x2FDF: // CJK radicals
		return true
	case 0x3005 <= r && r <= 0x3007, 0x3021 <= r && r <= 0x3029, 0x3031 <= r && r <= 0x3035, 0x303B <= r && r <= 0x303C:
		return true // 々 〆 〇, Hangzhou numerals, kana repeat marks
	case 0x3040 <= r && r <= 0x31FF: // Hiragana, Katakana, Bopomofo, compatibility Jamo
		return true
	case 0x3400 <= r && r <= 0x4DBF, 0x4E00 <= r && r <= 0x9FFF: // CJK ideographs
		return true
	case 0xA000 <= r && r <= 0xA4CF: // Yi
		return true
	case 0xA960 <= r && r <= 0xA97F, 0xAC00 <= r && r <= 0xD7FF: // Hangul
		return true
	case 0xF900 <= r && r <= 0xFAFF: // CJK compatibility ideographs
		return true
	case 0xFF66 <= r && r <= 0xFFDC: // half-width katakana and hangul
		return true
	case 0x1B000 <= r && r <= 0x1B16F: // kana supplement
		return true
	case 0x20000 <= r && r <= 0x3FFFF: // CJK extensions
		return true
	}
	return false
}

var (
	foldOnce sync.Once
	folds    map[rune][]rune
)

// foldTable maps the characters whose folded form is not simply
// unicode.ToLower: letters with diacritics in the Latin, Greek and
// Cyrillic blocks, ligatures, and fullwidth and half-width forms. It is
// built on first use from Unicode's decompositions (a few thousand
// characters, well under a millisecond).
func foldTable() map[rune][]rune {
	foldOnce.Do(func() {
		folds = map[rune][]rune{}
		add := func(lo, hi rune) {
			for r := lo; r <= hi; r++ {
				if f, ok := fold(r); ok {
					folds[r] = f
				}
			}
		}
		add(0x00A0, 0x03FF) // Latin-1 to Greek
		folds['ё'], folds['Ё'] = []rune{'е'}, []rune{'е'}
		add(0x1E00, 0x1FFF)   // Latin Extended Additional, Greek Extended
		add(0xFB00, 0xFB06)   // Latin ligatures
		add(0xFF01, 0xFFEE)   // fullwidth and half-width forms
		add(0x2C60, 0x2C7F)   // Latin Extended-C
		add(0xA720, 0xA7FF)   // Latin Extended-D
		add(0x1D400, 0x1D7FF) // mathematical alphanumerics (spam loves them)
	})
	return folds
}

// special folds that decompositions do not give.
var special = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'ς': "σ", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe",
	'ø': "o", 'Ø': "o", 'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ħ': "h", 'Ħ': "h",
	'ı': "i", 'þ': "th", 'Þ': "th", 'ŧ': "t", 'Ŧ': "t",
}

// fold returns r's folded form when it differs from unicode.ToLower(r).
func fold(r rune) ([]rune, bool) {
	if s, ok := special[r]; ok {
		return []rune(s), true
	}
	d := norm.NFKD.String(string(r))
	var out []rune
	for _, c := range d {
		if unicode.Is(unicode.Mn, c) && !(c == 0x3099 || c == 0x309A) {
			continue
		}
		if s, ok := special[c]; ok {
			out = append(out, []rune(s)...)
			continue
		}
		out = append(out, unicode.ToLower(c))
	}
	if len(out) == 1 && out[0] == unicode.ToLower(r) {
		return nil, false
	}
	return out, true
}
