package postgres

import (
	"github.com/smartbcc/smartbcc/store"
)

// threadItemColumns names the column of each kind a thread can belong to.
// Like itemTables, column names come only from this list.
var threadItemColumns = map[store.ItemKind]string{
	store.KindDeal:    "deal_id",
	store.KindLead:    "lead_id",
	store.KindProject: "project_id",
}

const threadSelect = `SELECT t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at FROM threads t`

func scanThread(sc interface{ Scan(...any) error }) (*store.Thread, error) {
	var t store.Thread
	err := sc.Scan(&t.ID, &t.Subject, &t.DealID, &t.LeadID, &t.ProjectID, scanTime(&t.CreatedAt))
	return &t, err
}

// CreateThread records a conversation, possibly already belonging to items.
func (tx *Tx) CreateThread(t *store.Thread) error {
	if err := tx.writing("CreateThread"); err != nil {
		return err
	}
	for _, kind := range store.ItemKinds {
		if id := t.ItemID(kind); id != 0 {
			if err := tx.itemExists(kind, id); err != nil {
				return err
			}
		}
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = tx.now
	}
	t.CreatedAt = store.StoreTime(t.CreatedAt)
	t.Subject = store.CleanText(t.Subject)
	// Nothing can make this insert fail but what breaks the transaction
	// anyway (the items were checked above): it goes with the next
	// statement, usually the insert of the thread's first message.
	id, err := tx.newID("threads")
	if err != nil {
		return err
	}
	tx.queue(`INSERT INTO threads (id, subject, deal_id, lead_id, project_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, t.Subject, nullID(t.DealID), nullID(t.LeadID), nullID(t.ProjectID), pgTime(t.CreatedAt))
	t.ID = id
	return nil
}

// Thread returns the thread with id.
func (tx *Tx) Thread(id int64) (*store.Thread, error) {
	t, err := scanThread(tx.queryRow(threadSelect+` WHERE t.id = ?`, id))
	if err != nil {
		return nil, tx.notFound(err, "no such thread %d", id)
	}
	return t, nil
}

// ThreadByReferences finds the thread of a message that names any of
// msgIDs. Earlier ids win (the caller passes its own Message-ID, then
// In-Reply-To, then References), and among messages naming the same id
// the first filed. Only messages viewer may see are looked at.
func (tx *Tx) ThreadByReferences(viewer int64, msgIDs []string) (*store.Thread, error) {
	var ids []string
	rank := map[string]int{}
	for _, id := range msgIDs {
		id = normMsgID(id)
		if _, dup := rank[id]; id == "" || dup {
			continue
		}
		rank[id] = len(ids)
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, store.Errorf(store.ENotFound, "no thread: no Message-ID to look up")
	}
	// One round trip: the naming messages' threads, whole.
	rows, err := tx.query(`SELECT r.msgid, t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at
		FROM message_refs r JOIN messages m ON m.id = r.message_id JOIN threads t ON t.id = m.thread_id
		WHERE r.msgid = ANY(?) AND (m.owner_id = ? OR m.shared) ORDER BY m.id`, ids, viewer)
	if err != nil {
		return nil, tx.err(err)
	}
	var best *store.Thread
	bestRank := len(ids)
	for rows.Next() {
		var msgid string
		var t store.Thread
		if err := rows.Scan(&msgid, &t.ID, &t.Subject, &t.DealID, &t.LeadID, &t.ProjectID, scanTime(&t.CreatedAt)); err != nil {
			rows.Close()
			return nil, tx.err(err)
		}
		if r := rank[msgid]; r < bestRank {
			best, bestRank = &t, r
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.err(err)
	}
	if best == nil {
		return nil, store.Errorf(store.ENotFound, "no thread names these Message-IDs")
	}
	return best, nil
}

// ThreadBySubject finds the newest thread with the normalised subject that
// has a message viewer may see with one of the participant addresses (any
// role, any case).
func (tx *Tx) ThreadBySubject(viewer int64, normSubject string, participants []string) (*store.Thread, error) {
	emails := store.UniqueEmails(participants)
	if len(emails) == 0 {
		return nil, store.Errorf(store.ENotFound, "no thread: no participant to match")
	}
	t, err := scanThread(tx.queryRow(threadSelect+` WHERE t.subject = ? AND EXISTS (
		SELECT 1 FROM messages m JOIN participants p ON p.message_id = m.id
		WHERE m.thread_id = t.id AND p.email = ANY(?) AND (m.owner_id = ? OR m.shared))
		ORDER BY t.id DESC LIMIT 1`, store.CleanText(normSubject), emails, viewer))
	if err != nil {
		return nil, tx.notFound(err, "no thread with subject %q and these participants", normSubject)
	}
	return t, nil
}

// SetThreadItem records that the thread belongs to the item of kind, or
// to none of that kind when itemID is 0.
func (tx *Tx) SetThreadItem(threadID int64, kind store.ItemKind, itemID int64) error {
	if err := tx.writing("SetThreadItem"); err != nil {
		return err
	}
	col, ok := threadItemColumns[kind]
	if !ok {
		return store.Errorf(store.EInvalid, "a thread belongs to a deal, lead or project, not to a %q", kind)
	}
	if itemID != 0 {
		if err := tx.itemExists(kind, itemID); err != nil {
			return err
		}
	}
	tag, err := tx.exec(`UPDATE threads SET `+col+` = ? WHERE id = ?`, nullID(itemID), threadID)
	return tx.affected(tag, err, "no such thread %d", threadID)
}
