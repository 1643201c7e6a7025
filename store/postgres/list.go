package postgres

import (
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// ListMessages selects messages as q asks. The results carry every column
// but headers, bodies, auth details, references, participants and
// attachments: call Message for those.
func (tx *Tx) ListMessages(q store.MessageQuery) ([]store.Message, error) {
	var where []string
	var args []any
	if q.Viewer != 0 {
		where = append(where, `(m.owner_id = ? OR m.shared)`)
		args = append(args, q.Viewer)
	}
	if q.Owner != 0 {
		where = append(where, `m.owner_id = ?`)
		args = append(args, q.Owner)
	}
	if q.ItemKind != "" || q.ItemID != 0 {
		if !q.ItemKind.Valid() || q.ItemID == 0 {
			return nil, store.Errorf(store.EInvalid, "an item filter needs a kind (deal, lead, project, person) and an id")
		}
		where = append(where, `EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id AND l.kind = ? AND l.item_id = ?)`)
		args = append(args, string(q.ItemKind), q.ItemID)
	}
	if len(q.Participants) > 0 {
		// The roles that link persons (linker), never Bcc or Sender.
		where = append(where, `EXISTS (SELECT 1 FROM participants p WHERE p.message_id = m.id
			AND p.role IN ('from', 'to', 'cc', 'reply_to') AND p.email = ANY(?))`)
		args = append(args, uniqueEmails(q.Participants))
	}
	if q.Unlinked {
		where = append(where, `NOT EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id)`)
	}
	if q.ThreadID != 0 {
		where = append(where, `m.thread_id = ?`)
		args = append(args, q.ThreadID)
	}
	if q.MessageID != "" {
		// message_refs holds every message's own Message-ID, indexed.
		where = append(where, `m.id IN (SELECT r.message_id FROM message_refs r WHERE r.msgid = ? AND r.kind = '`+refSelf+`')`)
		args = append(args, normMsgID(q.MessageID))
	}
	if q.After != nil {
		// Keyset paging: a row comparison is an index condition on the
		// btree messages_sort (or messages_owner_sort), so each page seeks
		// to the cursor.
		op := ">"
		if !q.Oldest {
			op = "<"
		}
		where = append(where, `(coalesce(m.date, m.received_at), m.id) `+op+` (?::timestamptz, ?::bigint)`)
		args = append(args, pgTime(q.After.Sort), q.After.ID)
	}
	search := strings.TrimSpace(q.Search)
	if search != "" {
		if !tx.db.search {
			return nil, store.Errorf(store.EUnavailable, "store %s has no search index yet", tx.db.name)
		}
		tsq, err := searchQuery(search)
		if err != nil {
			return nil, err
		}
		where = append(where, `m.id IN (SELECT message_id FROM message_search WHERE doc @@ ?::tsquery)`)
		args = append(args, tsq)
	}

	query := `SELECT ` + summaryColumns + ` FROM messages m`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if q.Oldest {
		query += ` ORDER BY coalesce(m.date, m.received_at), m.id`
	} else {
		query += ` ORDER BY coalesce(m.date, m.received_at) DESC, m.id DESC`
	}
	query += limitOffset(q.Limit, q.Offset)

	msgs, err := tx.listMessages(query, args...)
	if err != nil {
		return nil, tx.err(err)
	}
	return msgs, nil
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
