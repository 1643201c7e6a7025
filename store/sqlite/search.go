package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
	"github.com/smartbcc/smartbcc/store/sqlcond"
)

// How the query language (package search) becomes SQL here.
//
// The index is the FTS4 table message_fts (migration 0008) with the columns
// subject, sender, recipients and body, holding store/search's tokens. A
// query tree is split at its top-level AND: the clauses made only of text
// that FTS4's own syntax expresses exactly (words, phrases, prefixes, OR,
// AND, NOT with something positive beside it, a field with one word) become
// one MATCH expression, which both selects and ranks; every other clause
// (item, date and attachment filters, a field with a phrase, a negation
// standing alone, text mixed with filters under an OR) becomes SQL, where a
// text leaf is a sub-select of the index. User text never reaches SQL or
// MATCH unchanged: only tokens, which hold no syntax characters, do.

// ftsColumns are the index columns of the query language's fields.
var ftsColumns = map[search.Field]string{
	search.FieldSubject: "subject",
	search.FieldFrom:    "sender",
	search.FieldTo:      "recipients",
	search.FieldBody:    "body",
}

// searchRow is what InsertMessage (and migration 0008, for the mail stored
// before it) puts in message_fts: store.SearchText, computed by ingest's
// parse workers when they stored the message.
func searchRow(m *store.Message) (subject, sender, recipients, body string) {
	st := m.SearchText()
	return st.Subject, st.Senders, st.Recipients, st.Body
}

// Ranking: BM25 (k1 = 1.2, b = 0.75) over the four columns, as SQLite's
// FTS5 bm25() computes it, from FTS4's matchinfo(message_fts, 'pcnalx'):
// for each phrase of the MATCH expression, its weighted frequency in the
// message (subject 3, sender 2, recipients 1, body 1) against the
// message's length in tokens relative to the average, times the phrase's
// inverse document frequency log(1 + (N - n + 0.5) / (n + 0.5)), where n
// is the number of messages holding the phrase in its most frequent
// column.
const rankInfo = "pcnalx"

var columnWeights = []float64{3, 2, 1, 1}

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

func rank(mi []byte) float64 {
	if len(mi) < 12 {
		return 0
	}
	u := func(i int) float64 {
		if 4*i+4 > len(mi) {
			return 0
		}
		return float64(binary.NativeEndian.Uint32(mi[4*i:]))
	}
	phrases, cols := int(u(0)), int(u(1))
	n := u(2)
	if len(mi) < 4*(3+2*cols+3*phrases*cols) {
		return 0
	}
	var dl, avgdl float64
	for c := 0; c < cols; c++ {
		avgdl += u(3 + c)
		dl += u(3 + cols + c)
	}
	if avgdl <= 0 {
		avgdl = 1
	}
	norm := bm25K1 * (1 - bm25B + bm25B*dl/avgdl)
	x := 3 + 2*cols
	score := 0.0
	for p := 0; p < phrases; p++ {
		var tf, docs float64
		for c := 0; c < cols; c++ {
			base := x + 3*(p*cols+c)
			w := 1.0
			if c < len(columnWeights) {
				w = columnWeights[c]
			}
			tf += w * u(base)
			docs = math.Max(docs, u(base+2))
		}
		if tf == 0 {
			continue
		}
		idf := math.Log(1 + (n-docs+0.5)/(docs+0.5))
		score += idf * tf * (bm25K1 + 1) / (tf + norm)
	}
	return score
}

// ftsExpr renders n as an FTS4 MATCH expression, when FTS4 can express it
// exactly.
func ftsExpr(n search.Node) (string, bool) {
	switch n := n.(type) {
	case *search.Text:
		if n.Field == search.FieldAny {
			return ftsPhrase(n.Tokens), true
		}
		if len(n.Tokens) == 1 {
			// FTS4 takes a column filter on one bare token only.
			return ftsColumns[n.Field] + ":" + ftsToken(n.Tokens[0]), true
		}
		return "", false
	case *search.And:
		var pos, neg []string
		for _, c := range n.Nodes {
			if not, ok := c.(*search.Not); ok {
				e, ok := ftsExpr(not.Node)
				if !ok {
					return "", false
				}
				neg = append(neg, e)
				continue
			}
			e, ok := ftsExpr(c)
			if !ok {
				return "", false
			}
			pos = append(pos, e)
		}
		if len(pos) == 0 {
			return "", false
		}
		return "(" + strings.Join(pos, " AND ") + joinNot(neg) + ")", true
	case *search.Or:
		parts := make([]string, len(n.Nodes))
		for i, c := range n.Nodes {
			e, ok := ftsExpr(c)
			if !ok {
				return "", false
			}
			parts[i] = e
		}
		return "(" + strings.Join(parts, " OR ") + ")", true
	}
	return "", false
}

func joinNot(neg []string) string {
	var b strings.Builder
	for _, e := range neg {
		b.WriteString(" NOT ")
		b.WriteString(e)
	}
	return b.String()
}

// ftsPhrase quotes tokens as an FTS4 phrase; a prefix token keeps its star
// inside the quotes.
func ftsPhrase(toks []search.Token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = ftsToken(t)
	}
	return `"` + strings.Join(parts, " ") + `"`
}

func ftsToken(t search.Token) string {
	if t.Prefix {
		return t.Text + "*"
	}
	return t.Text
}

// rankingExpr is a MATCH expression that finds every message the positive
// text of n can match (fields and negations ignored), for ranking results
// selected by SQL.
func rankingExpr(n search.Node) string {
	var parts []string
	var walk func(search.Node, bool)
	walk = func(n search.Node, neg bool) {
		switch n := n.(type) {
		case *search.Text:
			if !neg {
				parts = append(parts, ftsPhrase(n.Tokens))
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
	return strings.Join(parts, " OR ")
}

// sqlCond is a WHERE condition on messages m with its arguments.
type sqlCond struct {
	sql  string
	args []any
}

// sqlExpr renders n as a condition on messages m.
func sqlExpr(n search.Node) (sqlCond, error) {
	sql, args, err := sqlcond.Render(n, sqliteDialect)
	return sqlCond{sql, args}, err
}

var sqliteDialect = sqlcond.Dialect{
	FullText: func(n search.Node) (string, []any, bool) {
		t, ok := n.(*search.Text)
		if !ok {
			return "", nil, false
		}
		if e, ok := ftsExpr(t); ok {
			return `m.id IN (SELECT docid FROM message_fts WHERE message_fts MATCH ?)`, []any{e}, true
		}
		// A phrase in one field: FTS4 restricts a whole query to a column
		// when the column is the MATCH operand.
		col := ftsColumns[t.Field]
		return `m.id IN (SELECT docid FROM message_fts WHERE ` + col + ` MATCH ?)`, []any{ftsPhrase(t.Tokens)}, true
	},
	Time: func(t time.Time) any { return formatTime(t) },
	True: "1",
}

// messageDate is the date a message sorts and filters by.
const messageDate = sqlcond.MessageDate

// searchPlan is a query tree split for SQLite: match is the MATCH
// expression that selects and ranks (empty: none), conds the rest, and
// rankBy the expression that ranks when match is empty (empty: none).
type searchPlan struct {
	match  string
	conds  []sqlCond
	rankBy string
}

func planSearch(q *search.Query) (searchPlan, error) {
	var plan searchPlan
	clauses := []search.Node{q.Root}
	if a, ok := q.Root.(*search.And); ok {
		clauses = a.Nodes
	}
	var pos, neg []string
	var rest []search.Node
	for _, c := range clauses {
		if not, ok := c.(*search.Not); ok {
			if e, ok := ftsExpr(not.Node); ok {
				neg = append(neg, e)
				continue
			}
		} else if e, ok := ftsExpr(c); ok {
			pos = append(pos, e)
			continue
		}
		rest = append(rest, c)
	}
	if len(pos) > 0 {
		plan.match = strings.Join(pos, " AND ") + joinNot(neg)
	} else {
		// Nothing positive for FTS4's NOT to subtract from: plain SQL.
		for _, e := range neg {
			plan.conds = append(plan.conds, sqlCond{`m.id NOT IN (SELECT docid FROM message_fts WHERE message_fts MATCH ?)`, []any{e}})
		}
	}
	for _, c := range rest {
		sc, err := sqlExpr(c)
		if err != nil {
			return plan, err
		}
		plan.conds = append(plan.conds, sc)
	}
	if plan.match == "" {
		plan.rankBy = rankingExpr(q.Root)
	}
	return plan, nil
}

func (p searchPlan) String() string {
	return fmt.Sprintf("match=%q conds=%v rank=%q", p.match, p.conds, p.rankBy)
}

// indexStoredMessages indexes the mail a store held before migration 0008,
// a page of messages at a time.
func indexStoredMessages(ctx context.Context, tx *sql.Tx) error {
	const page = 500
	var after int64
	for {
		msgs, err := messagesToIndex(ctx, tx, after, page)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			subject, sender, recipients, body := searchRow(m)
			if _, err := tx.ExecContext(ctx, `INSERT INTO message_fts (docid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)`,
				m.ID, subject, sender, recipients, body); err != nil {
				return err
			}
			after = m.ID
		}
	}
}

// messagesToIndex loads the subject, body, forwarding note and
// participants of up to n messages with ids above after.
func messagesToIndex(ctx context.Context, tx *sql.Tx, after int64, n int) ([]*store.Message, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, subject, text_body, forward_note FROM messages WHERE id > ? ORDER BY id LIMIT ?`, after, n)
	if err != nil {
		return nil, err
	}
	var msgs []*store.Message
	byID := map[int64]*store.Message{}
	for rows.Next() {
		m := &store.Message{}
		if err := rows.Scan(&m.ID, &m.Subject, &m.TextBody, &m.ForwardNote); err != nil {
			rows.Close()
			return nil, err
		}
		msgs = append(msgs, m)
		byID[m.ID] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(msgs) == 0 {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT message_id, role, name, email FROM participants
		WHERE message_id BETWEEN ? AND ? ORDER BY message_id, pos`, msgs[0].ID, msgs[len(msgs)-1].ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p store.Participant
		if err := rows.Scan(&id, &p.Role, &p.Name, &p.Email); err != nil {
			return nil, err
		}
		if m := byID[id]; m != nil {
			m.Participants = append(m.Participants, p)
		}
	}
	return msgs, rows.Err()
}
