package sqlite

import (
	"slices"

	"github.com/smartbcc/smartbcc/store"
)

// The lookups of many messages at once (see store.Tx). Each list is bound
// as one JSON array (inList): a batch of hostile messages can name more
// values than SQLite binds.

// MessagesByKeys returns the owner's messages filed under any of keys.
func (tx *Tx) MessagesByKeys(ownerID int64, keys []string) ([]store.Message, error) {
	keys = store.CleanUnique(keys, store.CleanText)
	if len(keys) == 0 {
		return nil, nil
	}
	msgs, err := tx.listMessages(`SELECT `+summaryColumns+` FROM messages m
		WHERE m.owner_id = ? AND m.dedup_key IN `+inList, ownerID, jsonList(keys))
	return msgs, tx.err(err)
}

// MessagesByMessageIDs returns, for each of msgIDs, at most perID of the
// owner's messages whose own Message-ID it is, oldest first.
func (tx *Tx) MessagesByMessageIDs(ownerID int64, msgIDs []string, perID int) ([]store.Message, error) {
	msgIDs = store.CleanUnique(msgIDs, normMsgID)
	if len(msgIDs) == 0 || perID <= 0 {
		return nil, nil
	}
	// message_refs holds every message's own Message-ID, indexed; "+"
	// keeps SQLite from walking the owner's mail instead (see
	// ListMessages).
	msgs, err := tx.listMessages(`SELECT `+summaryColumns+` FROM messages m WHERE m.id IN (
		SELECT id FROM (
			SELECT m2.id, row_number() OVER (PARTITION BY r.msgid ORDER BY coalesce(m2.date, m2.received_at), m2.id) AS n
			FROM message_refs r JOIN messages m2 ON m2.id = r.message_id
			WHERE r.kind = '`+refSelf+`' AND r.msgid IN `+inList+` AND +m2.owner_id = ?)
		WHERE n <= ?)
		ORDER BY coalesce(m.date, m.received_at), m.id`, jsonList(msgIDs), ownerID, perID)
	return msgs, tx.err(err)
}

// ReferencedThreads maps each of msgIDs a stored message names to the
// thread of the first message filed that names it, among those viewer may
// see.
func (tx *Tx) ReferencedThreads(viewer int64, msgIDs []string) (map[string]store.Thread, error) {
	msgIDs = store.CleanUnique(msgIDs, normMsgID)
	out := map[string]store.Thread{}
	if len(msgIDs) == 0 {
		return out, nil
	}
	// The first filed message naming each id: the smallest message id.
	rows, err := tx.query(`SELECT x.msgid, t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at
		FROM (SELECT r.msgid, min(r.message_id) AS message_id FROM message_refs r JOIN messages v ON v.id = r.message_id
			WHERE r.msgid IN `+inList+` AND (v.owner_id = ? OR v.shared = 1) GROUP BY r.msgid) x
		JOIN messages m ON m.id = x.message_id JOIN threads t ON t.id = m.thread_id`, jsonList(msgIDs), viewer)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var t store.Thread
		if err := rows.Scan(&id, &t.ID, &t.Subject, &t.DealID, &t.LeadID, &t.ProjectID, scanTime(&t.CreatedAt)); err != nil {
			return nil, tx.err(err)
		}
		out[id] = t
	}
	return out, tx.err(rows.Err())
}

// SubjectThreads returns the newest thread of each subject and
// participant address pair, through messages viewer may see: a subject
// asked with many addresses in one pass, the other pairs one by one (see
// store.SplitSubjectEmails).
func (tx *Tx) SubjectThreads(viewer int64, pairs []store.SubjectEmail) ([]store.SubjectThread, error) {
	many, few := store.SplitSubjectEmails(pairs)
	var out []store.SubjectThread
	for _, g := range many {
		found, err := tx.subjectThreadsOfMany(viewer, g.Subject, g.Emails)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	if len(few) == 0 {
		return out, nil
	}
	qs := make([][2]string, len(few)) // [subject, email], as subjectThreadsByPair reads them
	for i, p := range few {
		qs[i] = [2]string{p.Subject, p.Email}
	}
	found, err := tx.subjectThreadsByPair(viewer, qs)
	return append(out, found...), err
}

// subjectThreadsByPair is SubjectThreads pair by pair.
func (tx *Tx) subjectThreadsByPair(viewer int64, qs [][2]string) ([]store.SubjectThread, error) {
	// For each pair, the subject's threads newest first, and in each
	// thread its messages until one has the address (CROSS JOIN and the
	// "+" fix that order: a customer's address is on hundreds of
	// messages, a subject on few threads). The first thread found ends
	// the search: a long thread costs one message, not its length, as a
	// maximum over all of them did.
	return tx.subjectThreads(`SELECT x.email, t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at
		FROM (SELECT q.email AS email, (SELECT t.id FROM threads t WHERE t.subject = q.subject AND EXISTS (
				SELECT 1 FROM messages m CROSS JOIN participants p
				WHERE m.thread_id = t.id AND p.message_id = m.id AND +p.email = q.email AND (m.owner_id = ? OR m.shared = 1))
				ORDER BY t.id DESC LIMIT 1) AS thread_id
			FROM (SELECT json_extract(value, '$[0]') AS subject, json_extract(value, '$[1]') AS email FROM json_each(?)) q) x
		JOIN threads t ON t.id = x.thread_id`, viewer, jsonList(qs))
}

// subjectThreadsOfMany is SubjectThreads for one subject and many
// addresses: every participant of the subject's threads (through the
// messages viewer may see) is read once and kept when it is one of the
// addresses; the newest thread of each address wins.
func (tx *Tx) subjectThreadsOfMany(viewer int64, subject string, emails []string) ([]store.SubjectThread, error) {
	return tx.subjectThreads(`SELECT x.email, t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at
		FROM (SELECT p.email AS email, max(t.id) AS thread_id
			FROM threads t CROSS JOIN messages m CROSS JOIN participants p
			WHERE t.subject = ? AND m.thread_id = t.id AND (m.owner_id = ? OR m.shared = 1)
				AND p.message_id = m.id AND +p.email IN `+inList+`
			GROUP BY p.email) x
		JOIN threads t ON t.id = x.thread_id`, subject, viewer, jsonList(emails))
}

func (tx *Tx) subjectThreads(query string, args ...any) ([]store.SubjectThread, error) {
	rows, err := tx.query(query, args...)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	var out []store.SubjectThread
	for rows.Next() {
		var st store.SubjectThread
		t := &st.Thread
		if err := rows.Scan(&st.Email, &t.ID, &t.Subject, &t.DealID, &t.LeadID, &t.ProjectID, scanTime(&t.CreatedAt)); err != nil {
			return nil, tx.err(err)
		}
		out = append(out, st)
	}
	return out, tx.err(rows.Err())
}

// ItemsOfPersons lists the items of kind whose person is one of personIDs.
func (tx *Tx) ItemsOfPersons(kind store.ItemKind, personIDs []int64) ([]store.Item, error) {
	ids := slices.Clone(personIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		if _, err := itemTable(kind); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return tx.items(kind, `WHERE person_id IN `+inList, jsonList(ids))
}
