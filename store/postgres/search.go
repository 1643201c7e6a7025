package postgres

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
	"github.com/smartbcc/smartbcc/store/sqlcond"
)

// Full-text search keeps, per message, a tsvector built here from
// store/search's tokens, the same tokens SQLite's index holds (never
// parsed again by PostgreSQL's text search parser, whose rules differ):
// each token a quoted lexeme with its position, the four texts the query
// language's fields name apart, as weights (subject A, senders B,
// recipients C, body D), separated by a gap so that a phrase never spans
// two of them. A query tree (package search) becomes SQL here: its text
// becomes tsquery, a field a weight restriction, a phrase <->, a prefix :*.

// fieldGap separates the fields' positions.
const fieldGap = 64

// maxPosition is the largest position a tsvector keeps: later words are
// kept at it, so that they are found (a phrase among them is matched only
// as far as their order survives).
const maxPosition = 16383

// maxLexeme is the longest lexeme kept (PostgreSQL refuses 2 KB and more).
const maxLexeme = 2046

// docBudget bounds the size of one message's tsvector (PostgreSQL refuses
// 1 MB and more): a lexeme costs its bytes and 8 more, a position 2. Past
// it, words not yet seen are not indexed: some 60,000 different words of a
// message are searchable, more than any real mail has.
const docBudget = 1000000 - 64<<10

// fieldWeights are the tsvector weights of the query language's fields.
var fieldWeights = map[search.Field]string{
	search.FieldSubject: "A",
	search.FieldFrom:    "B",
	search.FieldTo:      "C",
	search.FieldBody:    "D",
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

// searchDoc is the tsvector of a message, sent in PostgreSQL's binary
// form: its lexemes sorted as the server sorts them (bytes, then length:
// Go's string order) with each lexeme's positions rising, so that the
// server takes it as it is. Parsing the text form and sorting it again
// was a fifth of the server's work in an import.
func searchDoc(m *store.Message) pgtype.TSVector {
	st := m.SearchText() // tokens joined by spaces: the tokens are strings.Fields
	pos := 1
	size := 0
	lexemes := map[string][]pgtype.TSVectorPosition{}
	for i, f := range []struct {
		text   string
		weight pgtype.TSVectorWeight
	}{{st.Subject, 'A'}, {st.Senders, 'B'}, {st.Recipients, 'C'}, {st.Body, 'D'}} {
		if i > 0 {
			pos += fieldGap
		}
		for _, tok := range strings.Fields(f.text) {
			if len(tok) > maxLexeme {
				continue
			}
			ps, ok := lexemes[tok]
			switch {
			case !ok && size+len(tok)+10 > docBudget:
				continue
			case !ok:
				size += len(tok) + 8
			case len(ps) >= 256: // PostgreSQL keeps 256 positions of a lexeme
				continue
			}
			p := uint16(min(pos, maxPosition))
			pos++
			if n := len(ps); n > 0 && ps[n-1].Position == p {
				// Past maxPosition: one position, with the weight of the
				// first field it was seen in (the highest), as the text
				// form's parser keeps it.
				continue
			}
			size += 2
			lexemes[tok] = append(ps, pgtype.TSVectorPosition{Position: p, Weight: f.weight})
		}
	}
	doc := pgtype.TSVector{Valid: true, Lexemes: make([]pgtype.TSVectorLexeme, 0, len(lexemes))}
	for word, ps := range lexemes {
		doc.Lexemes = append(doc.Lexemes, pgtype.TSVectorLexeme{Word: word, Positions: ps})
	}
	slices.SortFunc(doc.Lexemes, func(a, b pgtype.TSVectorLexeme) int { return strings.Compare(a.Word, b.Word) })
	return doc
}

// tsPhrase is a Text node as tsquery: its tokens in a row, each with the
// field's weight.
func tsPhrase(t *search.Text, withField bool) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, tok := range t.Tokens {
		if i > 0 {
			b.WriteString(" <-> ")
		}
		// The index holds no lexeme longer than maxLexeme (PostgreSQL's
		// limit): a longer word is cut, and so matches nothing.
		quoteLexeme(&b, strings.ToValidUTF8(tok.Text[:min(len(tok.Text), maxLexeme)], ""))
		suffix := ""
		if tok.Prefix {
			suffix = "*"
		}
		if withField {
			suffix += fieldWeights[t.Field]
		}
		if suffix != "" {
			b.WriteString(":" + suffix)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// tsExpr renders a subtree made only of text as one tsquery.
func tsExpr(n search.Node) (string, bool) {
	switch n := n.(type) {
	case *search.Text:
		return tsPhrase(n, true), true
	case *search.And, *search.Or:
		nodes, op := []search.Node(nil), " & "
		if a, ok := n.(*search.And); ok {
			nodes = a.Nodes
		} else {
			nodes, op = n.(*search.Or).Nodes, " | "
		}
		parts := make([]string, len(nodes))
		for i, c := range nodes {
			e, ok := tsExpr(c)
			if !ok {
				return "", false
			}
			parts[i] = e
		}
		return "(" + strings.Join(parts, op) + ")", true
	case *search.Not:
		e, ok := tsExpr(n.Node)
		return "!" + e, ok
	}
	return "", false
}

// sqlCond is a WHERE condition on messages m with its arguments.
type sqlCond struct {
	sql  string
	args []any
}

// sqlExpr renders a query tree as a condition on messages m: a part that
// is all text (and, or, not of words) is one tsquery on the index.
func sqlExpr(n search.Node) (sqlCond, error) {
	sql, args, err := sqlcond.Render(n, pgDialect)
	return sqlCond{sql, args}, err
}

var pgDialect = sqlcond.Dialect{
	FullText: func(n search.Node) (string, []any, bool) {
		e, ok := tsExpr(n)
		if !ok {
			return "", nil, false
		}
		if not, ok := n.(*search.Not); ok {
			// A negation alone: every message has its row, so "not
			// among the matches" is the same and uses the index.
			inner, _ := tsExpr(not.Node)
			return `m.id NOT IN (SELECT message_id FROM message_search WHERE doc @@ ?::tsquery)`, []any{inner}, true
		}
		return `m.id IN (SELECT message_id FROM message_search WHERE doc @@ ?::tsquery)`, []any{e}, true
	},
	Time: func(t time.Time) any { return pgTime(t) },
	True: "true",
}

// messageDate is the date a message sorts and filters by.
const messageDate = sqlcond.MessageDate

// rankQuery is a tsquery matching the positive text of a query (fields
// kept), for ranking; empty when it has none.
func rankQuery(n search.Node) string {
	var parts []string
	var walk func(search.Node, bool)
	walk = func(n search.Node, neg bool) {
		switch n := n.(type) {
		case *search.Text:
			if !neg {
				parts = append(parts, tsPhrase(n, true))
			}
		case *search.And:
			for _, c := range n.Nodes {
				walk(c, neg)
			}
		case *search.Or:
			for _, c := range n.Nodes {
				walk(c, neg)
			}
		case *search.Not:
			walk(n.Node, !neg)
		}
	}
	walk(n, false)
	return strings.Join(parts, " | ")
}

// rankWeights are ts_rank's weights {D, C, B, A}: the body and the
// recipients 1, the senders 2, the subject 3, scaled to at most 1 as
// ts_rank wants, as SQLite's BM25 weighs its columns.
const rankWeights = `'{0.333, 0.333, 0.667, 1.0}'`

// indexAll indexes every message (migration 0008_search_tokens, with the
// shared tokenizer, and a store copied in by Load), a page at a time so that a large store is
// never held in memory.
func indexAll(ctx context.Context, tx pgx.Tx) error {
	const page = 500
	var last int64
	for {
		rows, err := tx.Query(ctx, `SELECT m.id, m.subject, m.text_body, m.forward_note,
			coalesce((SELECT string_agg(p.name || ' ' || p.email, ' ' ORDER BY p.pos) FROM participants p
				WHERE p.message_id = m.id AND p.role IN ('from', 'sender', 'reply_to')), ''),
			coalesce((SELECT string_agg(p.name || ' ' || p.email, ' ' ORDER BY p.pos) FROM participants p
				WHERE p.message_id = m.id AND p.role NOT IN ('from', 'sender', 'reply_to')), '')
			FROM messages m WHERE m.id > $1 ORDER BY m.id LIMIT $2`, last, page)
		if err != nil {
			return err
		}
		var b pgx.Batch
		for rows.Next() {
			var m store.Message
			var senders, recipients string
			if err := rows.Scan(&m.ID, &m.Subject, &m.TextBody, &m.ForwardNote, &senders, &recipients); err != nil {
				rows.Close()
				return err
			}
			m.Participants = []store.Participant{{Role: store.RoleFrom, Email: senders}, {Role: store.RoleTo, Email: recipients}}
			b.Queue(`INSERT INTO message_search (message_id, doc) VALUES ($1, $2::tsvector)
				ON CONFLICT (message_id) DO UPDATE SET doc = excluded.doc`, m.ID, searchDoc(&m))
			last = m.ID
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
