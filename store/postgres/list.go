package postgres

import (
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// ListMessages selects messages as q asks. The results carry every column
// but headers, bodies, auth details, references, participants and
// attachments: call Message for those.
func (tx *Tx) ListMessages(q store.MessageQuery) ([]store.Message, error) {
	lq, err := tx.listQuery(q)
	if err != nil {
		return nil, err
	}
	query := `SELECT ` + summaryColumns + ` FROM ` + lq.from + lq.whereClause() + ` ORDER BY ` + lq.order +
		limitOffset(q.Limit, q.Offset)
	msgs, err := tx.listMessages(query, append(lq.args, lq.orderArgs...)...)
	if err != nil {
		return nil, tx.err(err)
	}
	return msgs, nil
}

// CountMessages counts what ListMessages returns without Limit and Offset.
func (tx *Tx) CountMessages(q store.MessageQuery) (int, error) {
	lq, err := tx.listQuery(q)
	if err != nil {
		return 0, err
	}
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM messages m`+lq.whereClause(), lq.args...).Scan(&n); err != nil {
		return 0, tx.err(err)
	}
	return n, nil
}

type listQuery struct {
	from      string
	where     []string
	args      []any
	order     string
	orderArgs []any
}

func (lq *listQuery) whereClause() string {
	if len(lq.where) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(lq.where, ` AND `)
}

func (lq *listQuery) cond(sql string, args ...any) {
	lq.where = append(lq.where, sql)
	lq.args = append(lq.args, args...)
}

// listQuery builds the FROM, WHERE and ORDER BY of a listing.
func (tx *Tx) listQuery(q store.MessageQuery) (*listQuery, error) {
	lq := &listQuery{from: `messages m`}
	newest := messageDate + ` DESC, m.id DESC`
	lq.order = newest
	if q.Oldest {
		lq.order = messageDate + `, m.id`
	}
	if q.Viewer != 0 {
		lq.cond(`(m.owner_id = ? OR m.shared)`, q.Viewer)
	}
	if q.Owner != 0 {
		lq.cond(`m.owner_id = ?`, q.Owner)
	}
	if q.ItemKind != "" || q.ItemID != 0 {
		if !q.ItemKind.Valid() || q.ItemID == 0 {
			return nil, store.Errorf(store.EInvalid, "an item filter needs a kind (deal, lead, project, person) and an id")
		}
		lq.cond(`EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id AND l.kind = ? AND l.item_id = ?)`, string(q.ItemKind), q.ItemID)
	}
	if len(q.Participants) > 0 {
		// The roles that link persons (linker), never Bcc or Sender.
		lq.cond(`EXISTS (SELECT 1 FROM participants p WHERE p.message_id = m.id
			AND p.role IN ('from', 'to', 'cc', 'reply_to') AND p.email = ANY(?))`, store.UniqueEmails(q.Participants))
	}
	if q.Unlinked {
		lq.cond(`NOT EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id)`)
	}
	if q.ThreadID != 0 {
		lq.cond(`m.thread_id = ?`, q.ThreadID)
	}
	if q.MessageID != "" {
		// message_refs holds every message's own Message-ID, indexed.
		lq.cond(`m.id IN (SELECT r.message_id FROM message_refs r WHERE r.msgid = ? AND r.kind = '`+refSelf+`')`, normMsgID(q.MessageID))
	}
	if q.After != nil {
		// Keyset paging: a row comparison is an index condition on the
		// btree messages_sort (or messages_owner_sort), so each page seeks
		// to the cursor.
		op := ">"
		if !q.Oldest {
			op = "<"
		}
		lq.cond(`(coalesce(m.date, m.received_at), m.id) `+op+` (?::timestamptz, ?::bigint)`, pgTime(q.After.Sort), q.After.ID)
	}
	if !q.Since.IsZero() {
		lq.cond(messageDate+` >= ?`, pgTime(q.Since))
	}
	if !q.Until.IsZero() {
		lq.cond(messageDate+` < ?`, pgTime(q.Until))
	}
	if q.Search != nil {
		if !tx.db.search {
			return nil, store.Errorf(store.EUnavailable, "store %s has no search index yet", tx.db.name)
		}
		sc, err := sqlExpr(q.Search.Root)
		if err != nil {
			return nil, err
		}
		lq.cond(sc.sql, sc.args...)
		if rq := rankQuery(q.Search.Root); rq != "" && q.Sort == store.SortRelevance && !q.Oldest && q.After == nil {
			// Interim ranking: ts_rank with the fields weighed as SQLite's
			// BM25 weighs its columns, normalised by the log of the
			// document's length. Equal scores: the newest stored first,
			// as SQLite lists them (docs/cli.md), whatever their dates.
			lq.from = `messages m LEFT JOIN message_search s ON s.message_id = m.id`
			lq.order = `ts_rank(` + rankWeights + `, s.doc, ?::tsquery, 1) DESC, m.id DESC`
			lq.orderArgs = append(lq.orderArgs, rq)
		}
	}
	return lq, nil
}

// listMessages runs a query selecting summaryColumns. Its error is raw.
func (tx *Tx) listMessages(query string, args ...any) ([]store.Message, error) {
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	msgs := []store.Message{}
	for rows.Next() {
		var m store.Message
		if err := rows.Scan(summaryFields(&m)...); err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	return msgs, rows.Err()
}

// ThreadMessages lists a thread's messages, oldest first.
func (tx *Tx) ThreadMessages(threadID int64) ([]store.Message, error) {
	return tx.ListMessages(store.MessageQuery{ThreadID: threadID, Oldest: true})
}
