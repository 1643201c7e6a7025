package search

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
	"github.com/smartbcc/smartbcc/ingest/mailfile/benchcorpus"
	"github.com/smartbcc/smartbcc/ingest/parse"
)

// checkSameAsRef fails when IndexText, Tokens or tokenize (with and
// without a run callback, as QueryTokens uses it) give for s anything
// else than the reference tokenizer (token_ref_test.go), byte for byte.
func checkSameAsRef(t testing.TB, s string) {
	t.Helper()
	if got, want := IndexText(s), refIndexText(s); got != want {
		t.Fatalf("IndexText(%.300q) = %.300q, reference %.300q", s, got, want)
	}
	// The callbacks, which make a string of each token here, on the first
	// 64 KB: a whole corpus file took seconds.
	if len(s) > 64<<10 {
		s = s[:64<<10]
	}
	for _, withRun := range []bool{false, true} {
		var got, want []string
		word := func(out *[]string) func([]byte) { return func(b []byte) { *out = append(*out, "w:"+string(b)) } }
		var runG, runW func(string)
		if withRun {
			runG = func(u string) { got = append(got, "r:"+u) }
			runW = func(u string) { want = append(want, "r:"+u) }
		}
		tokenize(s, word(&got), runG)
		refTokenize(s, word(&want), runW)
		if !slices.Equal(got, want) {
			t.Fatalf("tokenize(%.300q) (runs %v) = %.300q, reference %.300q", s, withRun, got, want)
		}
	}
}

// pieces are what the random texts are made of: ASCII words in every
// case, separators, words cut at MaxTokenBytes, Latin letters that fold
// or lose marks, combining marks, Cyrillic, Greek, CJK, Thai, half-width
// katakana and voicing marks, fullwidth forms and invalid UTF-8.
var pieces = []string{
	"a", "Z", "q", "hello", "HeLLo", "WORLD", "42", "v1", " ", "  ", ",", ".", "-", "'", "\n", "\t", "@", "_",
	"\u00a0", "\u2009", "—", "é", "É", "ü", "ß", "ẞ", "Ł", "æ", "ﬁ", "\u0301", "\u0308", "\u0300",
	"й", "ё", "\u0306", "σ", "ς", "ά", "Σ", "株", "式", "会社", "見積", "サ", "ｻ", "ﾌﾟ", "\u309a", "\u3099",
	"ที่", "ดิน", "한국", "ＡＢＣ", "１２", "𝐀", "\xff", "\xe3\x82", "\xc3",
	strings.Repeat("x", MaxTokenBytes-1), strings.Repeat("Ab9", MaxTokenBytes/3+1), strings.Repeat("é", 40),
}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(40); n >= 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestIndexTextSameAsRef: the tokenizer gives the reference's tokens for
// the texts of the other tests, random texts of the pieces above, and the
// messages of the shared corpora, read raw and parsed (subject, names,
// addresses, text and HTML bodies).
func TestIndexTextSameAsRef(t *testing.T) {
	for _, s := range []string{"", " ", "a", "A", "a ", " a", "a b", "aé", "éa", "a\u0301", "a株", "株a", "a\xff", "\xffa",
		"Hello, World!", "Grüße aus Köln", "株式会社ABC商事", "ｻﾝﾌﾟﾙ123", "ที่ดินabc", "x\u00a0y",
		strings.Repeat("a", MaxTokenBytes), strings.Repeat("A", MaxTokenBytes+1), strings.Repeat("a", MaxTokenBytes) + "é",
		strings.Repeat("a", MaxTokenBytes-1) + "é", strings.Repeat("a", MaxTokenBytes-1) + "ßx", strings.Repeat("é", 31) + "ab"} {
		checkSameAsRef(t, s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		checkSameAsRef(t, randomText(r))
	}
	dir := archivetest.CorporaDir(t)
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		for _, s := range mailTexts(raw) {
			checkSameAsRef(t, s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d files in %s", n, dir)
	}
}

// mailTexts are the texts of raw as the index sees them: the subject,
// names and addresses, text and HTML bodies, and raw itself.
func mailTexts(raw []byte) []string {
	texts := []string{string(raw)}
	m, err := parse.Parse(raw, parse.DefaultLimits)
	if err != nil {
		return texts
	}
	var people strings.Builder
	for _, l := range [][]parse.Address{m.From, m.Sender, m.To, m.Cc, m.Bcc, m.ReplyTo} {
		for _, a := range l {
			people.WriteString(a.Name + " " + a.Email + " ")
		}
	}
	return append(texts, m.Subject, people.String(), m.Text, m.HTML)
}

func FuzzIndexTextSameAsRef(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		f.Add(randomText(r))
	}
	f.Fuzz(func(t *testing.T, s string) { checkSameAsRef(t, s) })
}

// benchTexts are the texts of the first SMARTBCC_BENCH_N (default 2000)
// messages of the mbox SMARTBCC_BENCH_MBOX (the reference corpus, see
// .ci/bench-import): subject, names and addresses, text body, which is
// what an import indexes.
var benchTexts = sync.OnceValues(func() ([]string, error) {
	items, err := benchcorpus.Items()
	var texts []string
	for _, it := range items {
		if t := mailTexts(it.Raw); len(t) == 5 {
			texts = append(texts, t[1:4]...) // not the raw message nor the HTML
		}
	}
	return texts, err
})

// BenchmarkIndexTextMail is IndexText over the texts of real mail, next
// to the reference tokenizer on the same texts (ref).
func BenchmarkIndexTextMail(b *testing.B) {
	texts, err := benchTexts()
	if err != nil {
		b.Fatal(err)
	}
	if len(texts) == 0 {
		b.Skip("set SMARTBCC_BENCH_MBOX to an mbox (see .ci/bench-import)")
	}
	var size int64
	for _, s := range texts {
		size += int64(len(s))
	}
	for _, bm := range []struct {
		name string
		fn   func(string) string
	}{{"ref", refIndexText}, {"new", IndexText}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, s := range texts {
					bm.fn(s)
				}
			}
		})
	}
}
