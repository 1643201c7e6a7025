package postgres

import (
	"context"
	"strconv"
	"strings"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/smartbcc/smartbcc/store"
)

// Full-text search keeps, per message, a tsvector built here from our own
// tokens (never parsed again by PostgreSQL's text search parser, whose
// rules differ from SQLite's): each token a quoted lexeme with its
// position, the subject, participants and body apart (weights A, B, D)
// and separated by a gap, so that a phrase never spans two of them.
//
// This is the interim tokenizer and query form (plain words, phrases of
// an address's parts, prefix*), until store/search's query tree and
// tokenizer, shared with SQLite, replace both.

// fieldGap separates the fields' positions.
const fieldGap = 64

// maxPosition is the largest position a tsvector keeps.
const maxPosition = 16383

// maxLexeme is the longest lexeme kept (PostgreSQL refuses 2 KB and more).
const maxLexeme = 255

// tokens splits text into lower-case words of letters and digits.
func tokens(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// quoteLexeme writes a lexeme as tsvector and tsquery input read it.
func quoteLexeme(b *strings.Builder, tok string) {
	b.WriteByte('\'')
	for _, r := range tok {
		switch r {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}

// searchDoc is the tsvector text of a message.
func searchDoc(subject, participants, body string) string {
	var b strings.Builder
	pos := 1
	for i, f := range []struct {
		text   string
		weight string
	}{{subject, "A"}, {participants, "B"}, {body, "D"}} {
		if i > 0 {
			pos += fieldGap
		}
		for _, tok := range tokens(f.text) {
			if len(tok) > maxLexeme || pos > maxPosition {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			quoteLexeme(&b, tok)
			b.WriteString(":" + strconv.Itoa(pos) + f.weight)
			pos++
		}
	}
	return b.String()
}

// searchQuery turns a search into tsquery text: every word must match;
// a word of several tokens (an address) is a phrase; a trailing * makes
// the last token a prefix.
func searchQuery(q string) (string, error) {
	var parts []string
	for _, w := range strings.Fields(q) {
		prefix := strings.HasSuffix(w, "*")
		toks := tokens(w)
		if len(toks) == 0 {
			continue
		}
		var b strings.Builder
		for i, tok := range toks {
			if i > 0 {
				b.WriteString(" <-> ")
			}
			quoteLexeme(&b, tok)
			if prefix && i == len(toks)-1 {
				b.WriteString(":*")
			}
		}
		parts = append(parts, "("+b.String()+")")
	}
	if len(parts) == 0 {
		return "", store.Errorf(store.EInvalid, "search %q has no word to look for", q)
	}
	return strings.Join(parts, " & "), nil
}

// indexAll indexes every message (migration 0002_search on a store that
// already holds mail, and a store copied in by Load), a page at a time so
// that a large store is never held in memory.
func indexAll(ctx context.Context, tx pgx.Tx) error { return indexMessages(ctx, tx, "m.text_body") }

// indexMessages indexes every message, body the SQL of what search reads
// as its body (the forwarding note joins it once the store has one).
func indexMessages(ctx context.Context, tx pgx.Tx, body string) error {
	const page = 500
	var last int64
	for {
		rows, err := tx.Query(ctx, `SELECT m.id, m.subject, `+body+`,
			coalesce((SELECT string_agg(p.name || ' ' || p.email, E'\n' ORDER BY p.pos) FROM participants p WHERE p.message_id = m.id), '')
			FROM messages m WHERE m.id > $1 ORDER BY m.id LIMIT $2`, last, page)
		if err != nil {
			return err
		}
		var b pgx.Batch
		for rows.Next() {
			var id int64
			var subject, body, participants string
			if err := rows.Scan(&id, &subject, &body, &participants); err != nil {
				rows.Close()
				return err
			}
			b.Queue(`INSERT INTO message_search (message_id, doc) VALUES ($1, $2::tsvector)`, id, searchDoc(subject, participants, body))
			last = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if b.Len() == 0 {
			return nil
		}
		if err := tx.SendBatch(ctx, &b).Close(); err != nil {
			return err
		}
	}
}
