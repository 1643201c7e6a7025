package postgres

import (
	"slices"

	"github.com/smartbcc/smartbcc/store"
)

// The lookups of many messages at once (see store.Tx), each list bound as
// one array. Columns that mail fills are indexed by hash or by digest
// (migration 0001): each condition names the indexed expression.

// MessagesByKeys returns the owner's messages filed under any of keys.
func (tx *Tx) MessagesByKeys(ownerID int64, keys []string) ([]store.Message, error) {
	keys = store.CleanUnique(keys, store.CleanText)
	if len(keys) == 0 {
		return nil, nil
	}
	msgs, err := tx.listMessages(`SELECT `+summaryColumns+` FROM messages m
		WHERE m.owner_id = ? AND key_digest(m.dedup_key) IN (SELECT key_digest(k) FROM unnest(?::text[]) AS k)
		AND m.dedup_key = ANY(?)`, ownerID, keys, keys)
	return msgs, tx.err(err)
}

// MessagesByMessageIDs returns, for each of msgIDs, at most perID of the
// owner's messages whose own Message-ID it is, oldest first.
func (tx *Tx) MessagesByMessageIDs(ownerID int64, msgIDs []string, perID int) ([]store.Message, error) {
	msgIDs = store.CleanUnique(msgIDs, normMsgID)
	if len(msgIDs) == 0 || perID <= 0 {
		return nil, nil
	}
	msgs, err := tx.listMessages(`SELECT `+summaryColumns+` FROM messages m WHERE m.id IN (
		SELECT id FROM (
			SELECT m2.id, row_number() OVER (PARTITION BY r.msgid ORDER BY coalesce(m2.date, m2.received_at), m2.id) AS n
			FROM message_refs r JOIN messages m2 ON m2.id = r.message_id
			WHERE r.kind = '`+refSelf+`' AND r.msgid = ANY(?) AND m2.owner_id = ?) x
		WHERE n <= ?)
		ORDER BY coalesce(m.date, m.received_at), m.id`, msgIDs, ownerID, perID)
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
	rows, err := tx.query(`SELECT x.msgid, t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at
		FROM (SELECT r.msgid, min(r.message_id) AS message_id FROM message_refs r JOIN messages v ON v.id = r.message_id
			WHERE r.msgid = ANY(?) AND (v.owner_id = ? OR v.shared) GROUP BY r.msgid) x
		JOIN messages m ON m.id = x.message_id JOIN threads t ON t.id = m.thread_id`, msgIDs, viewer)
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
		found, err := tx.subjectThreads(`SELECT x.email, t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at
			FROM (SELECT p.email, max(t.id) AS thread_id
				FROM threads t JOIN messages m ON m.thread_id = t.id JOIN participants p ON p.message_id = m.id
				WHERE t.subject = ? AND (m.owner_id = ? OR m.shared) AND p.email = ANY(?::text[])
				GROUP BY p.email) x
			JOIN threads t ON t.id = x.thread_id`, g.Subject, viewer, g.Emails)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	subjects, emails := make([]string, len(few)), make([]string, len(few)) // the pairs asked one by one
	for i, p := range few {
		subjects[i], emails[i] = p.Subject, p.Email
	}
	if len(subjects) == 0 {
		return out, nil
	}
	// For each pair, the subject's threads newest first until one has a
	// message with the address: a long thread found first costs one
	// message, not its length.
	found, err := tx.subjectThreads(`SELECT q.email, t.id, t.subject, coalesce(t.deal_id, 0), coalesce(t.lead_id, 0), coalesce(t.project_id, 0), t.created_at
		FROM unnest(?::text[], ?::text[]) AS q(subject, email)
		CROSS JOIN LATERAL (SELECT t.* FROM threads t WHERE t.subject = q.subject AND EXISTS (
			SELECT 1 FROM messages m JOIN participants p ON p.message_id = m.id
			WHERE m.thread_id = t.id AND p.email = q.email AND (m.owner_id = ? OR m.shared))
			ORDER BY t.id DESC LIMIT 1) t`, subjects, emails, viewer)
	return append(out, found...), err
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
	return tx.items(kind, `WHERE person_id = ANY(?)`, ids)
}
