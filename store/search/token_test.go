package search

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		in   string
		want string // tokens joined by spaces
	}{
		{"Hello, World!", "hello world"},
		{"follow-up", "follow up"},
		{"O'Brien", "o brien"},
		{"C++ and C#", "c and c"},
		{"Re: Quote", "re quote"},
		{"bob@customer.example", "bob customer example"},
		{"Carol Crème", "carol creme"},
		{"Crème", "creme"},                    // precomposed
		{"Cre\u0300me", "creme"},              // decomposed: the same
		{"Straße STRASSE", "strasse strasse"}, // full case folding
		{"Grüße aus Köln", "grusse aus koln"},
		{"Lieferantenrechnung", "lieferantenrechnung"}, // compounds stay whole
		{"Łódź Øresund Æsir", "lodz oresund aesir"},
		{"ΣΟΦΟΣ σοφός", "σοφοσ σοφοσ"},
		{"Ёлка йод", "елка йод"},
		{"ＡＢＣ１２３", "abc123"}, // fullwidth
		{"v1.2_final", "v1 2 final"},
		// Japanese: runs become bigrams plus the tail.
		{"株式会社サンプル", "株式 式会 会社 社サ サン ンプ プル ル"},
		{"見積", "見積 積"},
		{"見", "見"},
		{"お見積りのご依頼", "お見 見積 積り りの のご ご依 依頼 頼"},
		{"見積書ABC", "見積 積書 書 abc"},
		{"ｻﾝﾌﾟﾙ", "サン ンプ プル ル"},      // half-width katakana
		{"サンフ\u309aル", "サン ンプ プル ル"}, // decomposed voicing mark
		{"【見積】 ご確認", "見積 積 ご確 確認 認"},
		// Chinese and Korean.
		{"报价单", "报价 价单 单"},
		{"견적서 요청", "견적 적서 서 요청 청"},
		// Thai: a character is a base letter with its marks.
		{"ใบเสนอราคา", "ใบ บเ เส สน นอ อร รา าค คา า"},
		{"ที่ดิน", "ที่ดิ ดิน น"},
		{strings.Repeat("a", 100), strings.Repeat("a", MaxTokenBytes)},
		{"", ""},
		{"!!! --- ***", ""},
	}
	for _, tc := range tests {
		if got := IndexText(tc.in); got != tc.want {
			t.Errorf("IndexText(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := strings.Join(Tokens(tc.in), " "); got != tc.want {
			t.Errorf("Tokens(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestQueryTokens(t *testing.T) {
	tests := []struct {
		in     string
		prefix bool
		want   string
	}{
		{"widgets", false, "widgets"},
		{"widg", true, "widg*"},
		{"follow-up", false, "follow up"},
		{"follow-u", true, "follow u*"},
		{"見積", false, "見積"},
		{"見", false, "見*"},
		{"見", true, "見*"},
		{"株式会社サンプル", false, "株式 式会 会社 社サ サン ンプ プル"},
		{"見積ABC", false, "見積 積 abc"},
		{"見ABC", false, "見 abc"},
		{"ABC見", false, "abc 見*"},
		{"ABC見積", false, "abc 見積"},
		{"ใบเสนอ", false, "ใบ บเ เส สน นอ"},
		{"++", false, ""},
	}
	for _, tc := range tests {
		var parts []string
		for _, tok := range QueryTokens(tc.in, tc.prefix) {
			s := tok.Text
			if tok.Prefix {
				s += "*"
			}
			parts = append(parts, s)
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("QueryTokens(%q, %v) = %q, want %q", tc.in, tc.prefix, got, tc.want)
		}
	}
}

// TestQueryRunsEndAtSeparators: a space or punctuation inside a query
// term ends a CJK run as it does in the text, so that the term is found
// in a text that holds it as written ("株式 会社" is not looked up as the
// run "株式会社").
func TestQueryRunsEndAtSeparators(t *testing.T) {
	tests := []struct {
		term, text, want string
	}{
		{"株式 会社", "御中 株式 会社 様", "株式 式 会社"},
		{"見積・請求", "見積・請求書をお送りします", "見積 積 請求"},
		{"株 式", "株 式", "株 式*"},
		{"见 报价单", "见 报价单", "见 报价 价单"},
		{"株式。", "株式。", "株式"},
	}
	for _, tc := range tests {
		q := QueryTokens(tc.term, false)
		var parts []string
		for _, tok := range q {
			s := tok.Text
			if tok.Prefix {
				s += "*"
			}
			parts = append(parts, s)
		}
		if got := strings.Join(parts, " "); got != tc.want {
			t.Errorf("QueryTokens(%q) = %q, want %q", tc.term, got, tc.want)
		}
		if !phraseIn(q, Tokens(tc.text)) {
			t.Errorf("%q not found in %q (index %q)", tc.term, tc.text, IndexText(tc.text))
		}
	}
}

// A query term is found in a text when its tokens appear there in order:
// check that on the index tokens directly, for parts of CJK and Thai runs
// and for German compounds.
func TestQueryFindsParts(t *testing.T) {
	tests := []struct {
		text, term string
		found      bool
	}{
		{"【お見積り】株式会社サンプル様", "見積", true},
		{"【お見積り】株式会社サンプル様", "株式会社サンプル", true},
		{"【お見積り】株式会社サンプル様", "サンプル", true},
		{"【お見積り】株式会社サンプル様", "様", true},
		{"【お見積り】株式会社サンプル様", "見", true},
		{"【お見積り】株式会社サンプル様", "社様", false}, // not adjacent in the text
		{"【お見積り】株式会社サンプル様", "積", true},   // the last char of 見積 inside the run
		{"关于报价单的问题", "报价单", true},
		{"关于报价单的问题", "价", true},
		{"견적서를 보내드립니다", "견적서", true},
		{"견적서를 보내드립니다", "보내", true},
		{"ขอใบเสนอราคาสินค้า", "ใบเสนอราคา", true},
		{"ขอใบเสนอราคาสินค้า", "สินค้า", true},
		{"ขอใบเสนอราคาสินค้า", "ราคาถูก", false},
		{"Die Lieferantenrechnung ist da", "Lieferantenrechnung", true},
		{"Die Lieferantenrechnung ist da", "lieferantenrechnung", true},
		{"Die Lieferantenrechnung ist da", "rechnung", false}, // a compound part: not a word of the text
		{"Die Lieferantenrechnung ist da", "lieferanten*", true},
		{"Grüße, Jürgen", "grusse", true},
		{"Grüße, Jürgen", "Grüsse", true},
		{"Grüße, Jürgen", "juergen", false}, // ue is not ü
	}
	for _, tc := range tests {
		term, prefix := tc.term, false
		if strings.HasSuffix(term, "*") {
			term, prefix = strings.TrimSuffix(term, "*"), true
		}
		if got := phraseIn(QueryTokens(term, prefix), Tokens(tc.text)); got != tc.found {
			t.Errorf("%q in %q: found %v, want %v (query %v, index %q)", tc.term, tc.text, got, tc.found,
				QueryTokens(term, prefix), IndexText(tc.text))
		}
	}
}

// phraseIn is what a full-text index does with a phrase query.
func phraseIn(q []Token, doc []string) bool {
	if len(q) == 0 {
		return false
	}
	for i := 0; i+len(q) <= len(doc); i++ {
		ok := true
		for j, tok := range q {
			d := doc[i+j]
			if tok.Prefix && !strings.HasPrefix(d, tok.Text) || !tok.Prefix && d != tok.Text {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func TestTokensNeverHoldASCIIPunctuation(t *testing.T) {
	// The SQLite "simple" tokenizer splits at ASCII punctuation and spaces:
	// our tokens must hold none, or the index would see other tokens.
	inputs := []string{"a.b-c_d'e\"f(g)h*i:j", "見積。ご確認・お願い", "x\u00a0y\u2009z", "tab\tnew\nline"}
	for _, in := range inputs {
		for _, tok := range Tokens(in) {
			for _, c := range []byte(tok) {
				if c < 0x80 && !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
					t.Errorf("token %q of %q holds %q", tok, in, c)
				}
			}
		}
	}
	if !reflect.DeepEqual(Tokens("x\u00a0y"), []string{"x", "y"}) {
		t.Errorf("no-break space does not separate: %q", Tokens("x\u00a0y"))
	}
}

func FuzzTokens(f *testing.F) {
	for _, s := range []string{"hello", "株式会社サンプル", "ที่ดิน", "Straße", "ｻﾝﾌﾟﾙ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Tokens(s) {
			if tok == "" || strings.ContainsAny(tok, " \t\n") {
				t.Fatalf("bad token %q from %q", tok, s)
			}
		}
		QueryTokens(s, true)
		// Nothing written is lost: a text, alone or between other words,
		// is found by searching for it.
		for _, doc := range []string{s, "before " + s + " after", "前 " + s + " 後"} {
			if q := QueryTokens(s, false); len(q) > 0 && !phraseIn(q, Tokens(doc)) {
				t.Fatalf("%q is not found in %q: query %v, index %q", s, doc, q, Tokens(doc))
			}
		}
	})
}

func BenchmarkIndexText(b *testing.B) {
	text := strings.Repeat("Hello Bob, please find the price list for 200 widgets attached. Grüße, Jürgen. ", 50)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		IndexText(text)
	}
}

// byteTokenize is tokenize as it was before ASCII runs were taken at
// once (wordBytes): every ASCII byte through wordByte.
func byteTokenize(text string, word func([]byte), run func(unit string)) {
	t := tokenizer{word: word, run: run}
	folds := foldTable()
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				t.wordByte(c)
			case 'A' <= c && c <= 'Z':
				t.wordByte(c + 'a' - 'A')
			default:
				t.flush()
			}
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

func checkByteTokenize(t *testing.T, s string) {
	t.Helper()
	for _, withRun := range []bool{false, true} {
		var got, want []string
		word := func(out *[]string) func([]byte) { return func(b []byte) { *out = append(*out, "w:"+string(b)) } }
		var runG, runW func(string)
		if withRun {
			runG = func(u string) { got = append(got, "r:"+u) }
			runW = func(u string) { want = append(want, "r:"+u) }
		}
		tokenize(s, word(&got), runG)
		byteTokenize(s, word(&want), runW)
		if !slices.Equal(got, want) {
			t.Fatalf("%q (runs %v): %q, byte by byte %q", s, withRun, got, want)
		}
	}
}

// TestASCIIRunsAsBytes: taking ASCII runs at once tokenizes as byte by
// byte did, next to CJK runs, marks, folds and at the token size limit.
func TestASCIIRunsAsBytes(t *testing.T) {
	long := strings.Repeat("Ab9", MaxTokenBytes)
	for _, s := range []string{"", "Hello Bob, 200 widgets", "株式会社ABC商事", "abc株式def", "Straße STRASSE", "e\u0301t\u00e9", "ｻﾝﾌﾟﾙ123",
		"ที่ดินabc", long, "é" + long, long + "é" + long, "ｱ" + long, "x\u0301yz", "Ǆemal ǅ", "ﬁle ﬀ"} {
		checkByteTokenize(t, s)
	}
}

func FuzzASCIIRunsAsBytes(f *testing.F) {
	for _, s := range []string{"Hello Bob", "株式会社ABC", "Straße", "e\u0301t", "ｻﾝﾌﾟﾙ1"} {
		f.Add(s)
	}
	f.Fuzz(checkByteTokenize)
}
