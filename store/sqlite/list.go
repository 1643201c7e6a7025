package sqlite

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// ListMessages selects messages as q asks. The results carry every column
// but headers, bodies, auth details, references, participants and
// attachments: call Message for those.
func (tx *Tx) ListMessages(q store.MessageQuery) ([]store.Message, error) {
	lq, err := tx.listParts(q)
	if err != nil {
		return nil, err
	}
	var order []int64
	switch {
	case lq.ranked:
		order, err = tx.rankedIDs(lq, q.Limit, q.Offset)
	case q.Search != nil:
		// Ids first, then the rows: the sort of a search needs a
		// temporary b-tree, which then carries ids, not every column.
		order, err = tx.ids(`SELECT m.id FROM `+lq.from+lq.whereClause()+` ORDER BY `+lq.order+
			limitOffset(q.Limit, q.Offset), lq.args...)
	default:
		query, args := lq.sql(q)
		msgs, err := tx.listMessages(query, args...)
		if err != nil {
			return nil, tx.err(err)
		}
		return msgs, nil
	}
	if err != nil {
		return nil, err
	}
	if len(order) == 0 {
		return []store.Message{}, nil
	}
	msgs, err := tx.listMessages(`SELECT `+summaryColumns+` FROM messages m WHERE m.id IN `+inList, jsonList(order))
	if err != nil {
		return nil, tx.err(err)
	}
	byID := make(map[int64]int, len(msgs))
	for i, m := range msgs {
		byID[m.ID] = i
	}
	out := make([]store.Message, 0, len(order))
	for _, id := range order {
		if i, ok := byID[id]; ok {
			out = append(out, msgs[i])
		}
	}
	return out, nil
}

// ids runs a query selecting one id column.
func (tx *Tx) ids(query string, args ...any) ([]int64, error) {
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, tx.searchErr(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, tx.err(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.searchErr(err)
	}
	return out, nil
}

// scores reads (id, matchinfo) rows and ranks each id.
func (tx *Tx) scores(query string, args []any, each func(id int64, score float64)) error {
	rows, err := tx.query(query, args...)
	if err != nil {
		return tx.searchErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var mi sql.RawBytes
		if err := rows.Scan(&id, &mi); err != nil {
			return tx.err(err)
		}
		each(id, rank(mi))
	}
	if err := rows.Err(); err != nil {
		return tx.searchErr(err)
	}
	return nil
}

// rankedIDs selects every match with its matchinfo, ranks in Go (a Go
// function called by SQLite for each row costs more than the ranking) and
// returns the page asked for. Equal scores: the newest stored first.
func (tx *Tx) rankedIDs(lq *listQuery, limit, offset int) ([]int64, error) {
	type scored struct {
		id    int64
		score float64
	}
	var all []scored
	matchinfo := `matchinfo(message_fts, '` + rankInfo + `')`
	if lq.rankBy == "" {
		// The MATCH that selects also ranks.
		err := tx.scores(`SELECT m.id, `+matchinfo+` FROM `+lq.from+lq.whereClause(), lq.args,
			func(id int64, score float64) { all = append(all, scored{id, score}) })
		if err != nil {
			return nil, err
		}
	} else {
		// SQL selects; the positive text of the query ranks.
		ids, err := tx.ids(`SELECT m.id FROM `+lq.from+lq.whereClause(), lq.args...)
		if err != nil {
			return nil, err
		}
		scores := map[int64]float64{}
		err = tx.scores(`SELECT docid, `+matchinfo+` FROM message_fts WHERE message_fts MATCH ?`, []any{lq.rankBy},
			func(id int64, score float64) { scores[id] = score })
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			all = append(all, scored{id, scores[id]})
		}
	}
	// Every row the FROM and WHERE select was read: CountMessages of the
	// same query needs no second pass (search prints "100 of N").
	if tx.counted == nil {
		tx.counted = map[string]int{}
	}
	tx.counted[lq.key()] = len(all)
	slices.SortFunc(all, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	if offset >= len(all) {
		return nil, nil
	}
	all = all[offset:]
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	out := make([]int64, len(all))
	for i, s := range all {
		out[i] = s.id
	}
	return out, nil
}

// CountMessages counts what ListMessages returns without Limit and Offset.
func (tx *Tx) CountMessages(q store.MessageQuery) (int, error) {
	lq, err := tx.listParts(q)
	if err != nil {
		return 0, err
	}
	if n, ok := tx.counted[lq.key()]; ok {
		return n, nil
	}
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM `+lq.from+lq.whereClause(), lq.args...).Scan(&n); err != nil {
		return 0, tx.searchErr(err)
	}
	return n, nil
}

// searchErr maps an error of a listing. The query text is ours (the
// person's words reach SQLite only as tokens), so an SQL error here is a
// bug: it is reported without SQLite's wording.
func (tx *Tx) searchErr(err error) error {
	if isSQLError(err) {
		return &store.Error{Code: store.EInternal, Err: err,
			Message: "the search could not be run (a bug in smartbcc: please report the query)"}
	}
	return tx.err(err)
}

type listQuery struct {
	from  string
	where []string
	args  []any
	order string
	// ranked: order by relevance (rankedIDs), with the selecting MATCH
	// or, when rankBy is set, with that MATCH expression.
	ranked bool
	rankBy string
}

func (lq *listQuery) whereClause() string {
	if len(lq.where) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(lq.where, ` AND `)
}

// key identifies the rows the FROM and WHERE select (for Tx.counted).
func (lq *listQuery) key() string {
	return fmt.Sprintf("%s%s %#v", lq.from, lq.whereClause(), lq.args)
}

func (lq *listQuery) cond(sql string, args ...any) {
	lq.where = append(lq.where, sql)
	lq.args = append(lq.args, args...)
}

// sql is the listing as one statement (for a listing that is not ranked).
func (lq *listQuery) sql(q store.MessageQuery) (string, []any) {
	return `SELECT ` + summaryColumns + ` FROM ` + lq.from + lq.whereClause() + ` ORDER BY ` + lq.order +
		limitOffset(q.Limit, q.Offset), lq.args
}

// listQuery is the SQL of ListMessages when it is one statement (not
// ranked).
func (tx *Tx) listQuery(q store.MessageQuery) (string, []any, error) {
	lq, err := tx.listParts(q)
	if err != nil {
		return "", nil, err
	}
	query, args := lq.sql(q)
	return query, args, nil
}

// listParts builds the FROM, WHERE and ORDER BY of a listing.
func (tx *Tx) listParts(q store.MessageQuery) (*listQuery, error) {
	lq := &listQuery{from: `messages m`}
	lq.order = messageDate + ` DESC, m.id DESC`
	if q.Oldest {
		lq.order = messageDate + `, m.id`
	}
	if q.Search != nil {
		if !tx.db.search {
			return nil, store.Errorf(store.EUnavailable, "store %s has no search index yet", tx.db.path)
		}
		plan, err := planSearch(q.Search)
		if err != nil {
			return nil, err
		}
		relevance := q.Sort == store.SortRelevance && !q.Oldest && q.After == nil
		if plan.match != "" {
			lq.from = `message_fts JOIN messages m ON m.id = message_fts.docid`
			if tx.db.visibleIndex {
				// Each hit's owner, sharing and date from the narrow
				// index, not from the row with its bodies (see migration
				// 0009_messages_visible).
				lq.from = `message_fts JOIN messages m INDEXED BY messages_visible ON m.id = message_fts.docid`
			}
			lq.cond(`message_fts MATCH ?`, plan.match)
			lq.ranked = relevance
		} else if plan.rankBy != "" && relevance {
			lq.ranked, lq.rankBy = true, plan.rankBy
		}
		for _, c := range plan.conds {
			lq.cond(c.sql, c.args...)
		}
	}
	if q.Viewer != 0 {
		lq.cond(`(m.owner_id = ? OR m.shared = 1)`, q.Viewer)
	}
	if q.Owner != 0 {
		if q.MessageID != "" {
			// The few messages with that Message-ID are found through its
			// index; "+" keeps SQLite from walking all of the owner's
			// mail in date order instead (once per delivery, in the
			// duplicate check).
			lq.cond(`+m.owner_id = ?`, q.Owner)
		} else {
			lq.cond(`m.owner_id = ?`, q.Owner)
		}
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
			AND p.role IN ('from', 'to', 'cc', 'reply_to') AND p.email IN `+inList+`)`, jsonList(store.UniqueEmails(q.Participants)))
	}
	if q.Unlinked {
		lq.cond(`NOT EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id)`)
	}
	if q.ThreadID != 0 {
		lq.cond(`m.thread_id = ?`, q.ThreadID)
	}
	if q.MessageID != "" {
		if q.Search == nil {
			// message_refs holds every message's own Message-ID, indexed;
			// the CROSS JOIN makes SQLite start there rather than scan a
			// sort index for the ORDER BY (ingest asks this for every
			// message).
			lq.from = `message_refs r CROSS JOIN messages m ON m.id = r.message_id`
			lq.cond(`r.msgid = ? AND r.kind = '`+refSelf+`'`, normMsgID(q.MessageID))
		} else {
			lq.cond(`m.id IN (SELECT r.message_id FROM message_refs r WHERE r.msgid = ? AND r.kind = '`+refSelf+`')`, normMsgID(q.MessageID))
		}
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
		lq.cond(messageDate+` `+op+`= ? AND (`+messageDate+` `+op+` ? OR m.id `+op+` ?)`, sort, sort, q.After.ID)
	}
	if !q.Since.IsZero() {
		lq.cond(messageDate+` >= ?`, formatTime(q.Since))
	}
	if !q.Until.IsZero() {
		lq.cond(messageDate+` < ?`, formatTime(q.Until))
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
