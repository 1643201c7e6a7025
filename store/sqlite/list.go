package sqlite

import (
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// ListMessages selects messages as q asks. The results carry every column
// but headers, bodies, auth details, references, participants and
// attachments: call Message for those.
func (tx *Tx) ListMessages(q store.MessageQuery) ([]store.Message, error) {
	query, args, err := tx.listQuery(q)
	if err != nil {
		return nil, err
	}
	msgs, err := tx.listMessages(query, args...)
	if err != nil && strings.TrimSpace(q.Search) != "" && isSQLError(err) {
		// The query is fixed; only the search text can be wrong.
		return nil, &store.Error{Code: store.EInvalid, Err: err,
			Message: "invalid search query " + `"` + q.Search + `": ` + err.Error()}
	}
	if err != nil {
		return nil, tx.err(err)
	}
	return msgs, nil
}

// listQuery is the SQL of ListMessages.
func (tx *Tx) listQuery(q store.MessageQuery) (string, []any, error) {
	var where []string
	var args []any
	if q.Viewer != 0 {
		where = append(where, `(m.owner_id = ? OR m.shared = 1)`)
		args = append(args, q.Viewer)
	}
	if q.Owner != 0 {
		if q.MessageID != "" {
			// The few messages with that Message-ID are found through its
			// index; "+" keeps SQLite from walking all of the owner's
			// mail in date order instead (once per delivery, in the
			// duplicate check).
			where = append(where, `+m.owner_id = ?`)
		} else {
			where = append(where, `m.owner_id = ?`)
		}
		args = append(args, q.Owner)
	}
	if q.ItemKind != "" || q.ItemID != 0 {
		if !q.ItemKind.Valid() || q.ItemID == 0 {
			return "", nil, store.Errorf(store.EInvalid, "an item filter needs a kind (deal, lead, project, person) and an id")
		}
		where = append(where, `EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id AND l.kind = ? AND l.item_id = ?)`)
		args = append(args, string(q.ItemKind), q.ItemID)
	}
	if len(q.Participants) > 0 {
		// The roles that link persons (linker), never Bcc or Sender.
		where = append(where, `EXISTS (SELECT 1 FROM participants p WHERE p.message_id = m.id
			AND p.role IN ('from', 'to', 'cc', 'reply_to') AND p.email IN `+inList+`)`)
		args = append(args, jsonList(uniqueEmails(q.Participants)))
	}
	if q.Unlinked {
		where = append(where, `NOT EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id)`)
	}
	if q.ThreadID != 0 {
		where = append(where, `m.thread_id = ?`)
		args = append(args, q.ThreadID)
	}
	from := `messages m`
	if q.MessageID != "" {
		// message_refs holds every message's own Message-ID, indexed; the
		// CROSS JOIN makes SQLite start there rather than scan a sort
		// index for the ORDER BY (ingest asks this for every message).
		from = `message_refs r CROSS JOIN messages m ON m.id = r.message_id`
		where = append(where, `r.msgid = ? AND r.kind = '`+refSelf+`'`)
		args = append(args, normMsgID(q.MessageID))
	}
	if q.After != nil {
		// Keyset paging, written so that SQLite seeks the sort index to
		// the cursor (a row value comparison on the expression would scan
		// it from the start, page after page).
		op := ">"
		if !q.Oldest {
			op = "<"
		}
		sort := formatTime(q.After.Sort)
		where = append(where, `coalesce(m.date, m.received_at) `+op+`= ? AND (coalesce(m.date, m.received_at) `+op+` ? OR m.id `+op+` ?)`)
		args = append(args, sort, sort, q.After.ID)
	}
	search := strings.TrimSpace(q.Search)
	if search != "" {
		if !tx.db.search {
			return "", nil, store.Errorf(store.EUnavailable, "store %s has no search index yet", tx.db.path)
		}
		where = append(where, `m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)`)
		args = append(args, quoteAddresses(search))
	}

	query := `SELECT ` + summaryColumns + ` FROM ` + from
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	if q.Oldest {
		query += ` ORDER BY coalesce(m.date, m.received_at), m.id`
	} else {
		query += ` ORDER BY coalesce(m.date, m.received_at) DESC, m.id DESC`
	}
	query += limitOffset(q.Limit, q.Offset)
	return query, args, nil
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

// quoteAddresses makes a search for an email address or a dotted name work
// as people type it: FTS5 syntax has no bare '@' or '.', so such words
// become phrases ("bob@example.com" matches the tokens bob, example, com
// in a row). Everything else, quoted phrases, prefix stars, AND, OR, NOT
// and parentheses, passes through untouched.
func quoteAddresses(q string) string {
	var b strings.Builder
	for len(q) > 0 {
		switch {
		case q[0] == '"':
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				b.WriteString(q) // unterminated: FTS5 reports it
				return b.String()
			}
			b.WriteString(q[:end+2])
			q = q[end+2:]
		case strings.IndexByte(" \t\r\n", q[0]) >= 0:
			b.WriteByte(q[0])
			q = q[1:]
		default:
			n := strings.IndexAny(q, " \t\r\n\"")
			if n < 0 {
				n = len(q)
			}
			b.WriteString(quoteWord(q[:n]))
			q = q[n:]
		}
	}
	return b.String()
}

// quoteWord quotes one bare word holding '@' or '.', keeping the
// parentheses around it and a prefix star after it.
func quoteWord(w string) string {
	core := strings.TrimLeft(w, "(")
	open := w[:len(w)-len(core)]
	core = strings.TrimRight(core, ")")
	closing := w[len(open)+len(core):]
	star := ""
	if strings.HasSuffix(core, "*") {
		core, star = strings.TrimSuffix(core, "*"), " *"
	}
	if !strings.ContainsAny(core, "@.") {
		return w
	}
	return open + `"` + core + `"` + star + closing
}

// ThreadMessages lists a thread's messages, oldest first.
func (tx *Tx) ThreadMessages(threadID int64) ([]store.Message, error) {
	return tx.ListMessages(store.MessageQuery{ThreadID: threadID, Oldest: true})
}
