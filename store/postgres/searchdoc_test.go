package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
)

// textDoc is a tsvector document in text form: the tokens of each field
// with their positions and weight, repeated tokens and all, for the
// server's own parser to sort, merge and cap (the form searchDoc sent
// before it sent the binary form).
func textDoc(st store.SearchText) string {
	var b strings.Builder
	pos := 1
	seen := map[string]int{}
	for i, f := range []struct{ text, weight string }{
		{st.Subject, "A"}, {st.Senders, "B"}, {st.Recipients, "C"}, {st.Body, "D"}} {
		if i > 0 {
			pos += fieldGap
		}
		for _, tok := range strings.Fields(f.text) {
			if len(tok) > maxLexeme || seen[tok] >= 256 {
				continue
			}
			seen[tok]++
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			quoteLexeme(&b, tok)
			b.WriteString(":" + strconv.Itoa(min(pos, maxPosition)) + f.weight)
			pos++
		}
	}
	return b.String()
}

// TestSearchDocBinary: the tsvector searchDoc sends in binary form is the
// one PostgreSQL makes of the same tokens in text form (sorted lexemes,
// quotes and backslashes, non-ASCII, CJK bigrams, positions past the
// last one a tsvector keeps, a word repeated past 256 positions).
func TestSearchDocBinary(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	many := strings.Repeat("word ", 300)
	var long strings.Builder // past position 16383: distinct words
	for i := range 17000 {
		fmt.Fprintf(&long, "w%d ", i)
	}
	cases := map[string]store.SearchText{
		"plain":   {Subject: "quarterly report", Senders: "ann acme.example", Recipients: "bob", Body: "the report is attached report"},
		"quoting": {Subject: `it's a\b 'x' \\`, Body: `o'brien back\slash`},
		"order":   {Body: "b a ab aa a b ba z zz Z é e ü u 10 9 1"},
		"unicode": {Subject: "日本 本語 見積", Body: "ÄÖÜ äöü ß straße ﬁ ǅ"},
		"shared":  {Subject: "deal", Senders: "deal", Recipients: "deal", Body: "deal deal"},
		"many":    {Subject: "word", Body: many},
		"long":    {Subject: "lorem", Body: long.String() + "tail w1 tail lorem tail"},
		"empty":   {},
	}
	for name, st := range cases {
		t.Run(name, func(t *testing.T) {
			m := &store.Message{Search: &st}
			var same bool
			var bin, text string
			err := conn.QueryRow(ctx, `SELECT $1::tsvector = $2::text::tsvector, $1::tsvector::text, $2::text::tsvector::text`,
				searchDoc(m), textDoc(st)).Scan(&same, &bin, &text)
			if err != nil {
				t.Fatal(err)
			}
			if !same {
				t.Errorf("binary tsvector differs from the text form's:\nbinary %s\ntext   %s", clip(bin), clip(text))
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}
