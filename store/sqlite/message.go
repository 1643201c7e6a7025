package sqlite

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/smartbcc/smartbcc/store"
)

// Reference kinds in message_refs.
const (
	refSelf       = "self"
	refInReplyTo  = "in_reply_to"
	refReferences = "references"
)

// InsertMessage stores m with its raw bytes, participants, attachments
// (with content), the Message-IDs it names and its full-text entry. In a
// store with Options.RawPacks, m.Raw is written to its pack after the call
// returns (packappend.go): leave it unchanged until Update returns.
func (tx *Tx) InsertMessage(m *store.Message) error {
	if err := tx.writing("InsertMessage"); err != nil {
		return err
	}
	if m.DedupKey == "" {
		return store.Errorf(store.EInvalid, "message has no duplicate key")
	}
	if m.ReceivedAt.IsZero() {
		m.ReceivedAt = tx.now
	}
	store.PrepareMessage(m)
	if m.Size == 0 {
		m.Size = int64(len(m.Raw))
	}
	envelope, err := jsonValue(m.Envelope)
	if err != nil {
		return tx.err(err)
	}
	columns := `owner_id, thread_id, dedup_key, message_id, in_reply_to,
		subject, from_name, from_email, date, received_at, source, shared, forwarded_by, envelope,
		auth_mode, auth_dkim, auth_spf, auth_dmarc, auth_aligned, size, auth_details, text_body`
	values := []any{m.OwnerID, m.ThreadID, m.DedupKey, m.MessageID, m.InReplyTo,
		m.Subject, m.FromName, m.FromEmail, formatTime(m.Date), formatTime(m.ReceivedAt), m.Source, m.Shared, m.ForwardedBy, envelope,
		m.Auth.Mode, m.Auth.DKIM, m.Auth.SPF, m.Auth.DMARC, m.Auth.Aligned, m.Size,
		nullString(string(m.Auth.Details)), m.TextBody}
	switch {
	case tx.db.forwardColumns:
		columns += `, forwarded_at, forward_note`
		values = append(values, formatTime(m.ForwardedAt), m.ForwardNote)
	case !m.ForwardedAt.IsZero() || m.ForwardNote != "":
		return store.Errorf(store.EInternal, "store %s predates forward notes", tx.db.path)
	}
	m.ID, err = tx.insert(`INSERT INTO messages (`+columns+`) VALUES (?`+strings.Repeat(", ?", len(values)-1)+`)`, values...)
	if err != nil {
		if isForeignKey(err) {
			return &store.Error{Code: store.ENotFound, Err: err,
				Message: "message refers to a user or thread that does not exist"}
		}
		return tx.conflict(err, "message already stored for user %d (duplicate key %s)", m.OwnerID, m.DedupKey)
	}
	if err := tx.insertRaw(m.ID, m.Raw); err != nil {
		return err
	}
	for i, p := range m.Participants {
		if _, err := tx.exec(`INSERT INTO participants (message_id, pos, role, name, email) VALUES (?, ?, ?, ?, ?)`,
			m.ID, i, p.Role, p.Name, p.Email); err != nil {
			return tx.err(err)
		}
	}
	for _, a := range m.Attachments {
		var content any // NULL: kept only in the raw message
		if a.Content != nil {
			content = a.Content
		}
		if _, err := tx.exec(`INSERT INTO attachments (message_id, idx, name, content_type, size, sha256, content)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, m.ID, a.Index, a.Name, a.ContentType, a.Size, a.SHA256, content); err != nil {
			return tx.conflict(err, "message has two attachments with index %d", a.Index)
		}
	}
	for i, r := range messageRefs(m) {
		if _, err := tx.exec(`INSERT INTO message_refs (message_id, pos, kind, msgid) VALUES (?, ?, ?, ?)`,
			m.ID, i, r.kind, r.msgid); err != nil {
			return tx.err(err)
		}
	}
	if tx.db.search {
		// Indexed when the transaction commits, after every other
		// statement of it: see indexPending.
		doc := searchDoc{docid: m.ID}
		doc.subject, doc.sender, doc.recipients, doc.body = searchRow(m)
		tx.pendingIndex = append(tx.pendingIndex, doc)
		tx.indexed = true
	}
	return nil
}

// searchDoc is a message's full-text entry waiting for indexPending.
type searchDoc struct {
	docid                             int64
	subject, sender, recipients, body string
}

// indexPending adds the full-text entries of the messages this transaction
// inserted, in one run of statements: the transaction calls it before it
// commits, and before any statement that reads or changes the index or
// deletes rows (see Tx.exec).
//
// Why not at once: FTS4 keeps the terms of the rows it is given in memory
// until the commit and writes them as one segment of its index, but it
// writes them out early whenever a statement opens a statement journal
// (its xSavepoint), which SQLite does for a statement that may write
// several rows or check a foreign key while it writes (an INSERT ...
// SELECT, the UPDATE of a thread's deal). An import that links messages
// to deals did that once per new thread: 5,700 segments instead of 148
// for the 20,000 messages of the reference corpus, and the merges of four
// levels of them. Entries added last, each commit writes one segment.
func (tx *Tx) indexPending() error {
	docs := tx.pendingIndex
	tx.pendingIndex = nil
	for i, d := range docs {
		if _, err := tx.exec(`INSERT INTO message_fts (docid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)`,
			d.docid, d.subject, d.sender, d.recipients, d.body); err != nil {
			tx.pendingIndex = docs[i:]
			return tx.err(err)
		}
	}
	return nil
}

func isForeignKey(err error) bool {
	var sqe sqlite3.Error
	return errors.As(err, &sqe) && sqe.ExtendedCode == sqlite3.ErrConstraintForeignKey
}

type messageRef struct{ kind, msgid string }

// messageRefs lists the Message-IDs m names, in the order threading
// prefers them: its own, In-Reply-To, then References.
func messageRefs(m *store.Message) []messageRef {
	var refs []messageRef
	add := func(kind, id string) {
		if id = normMsgID(id); id != "" {
			refs = append(refs, messageRef{kind, id})
		}
	}
	add(refSelf, m.MessageID)
	add(refInReplyTo, m.InReplyTo)
	for _, r := range m.References {
		add(refReferences, r)
	}
	return refs
}

// normMsgID is store.NormMessageID: how ingest's batch lookups key ids too.
func normMsgID(id string) string { return store.NormMessageID(id) }

// Columns of a message listing: everything but the text body and auth
// details, which Message loads. (The headers and html_body columns, which
// stores before 2026-11-30 wrote, are neither written nor read: see
// store.Message.)
const summaryColumns = `m.id, m.owner_id, m.thread_id, m.dedup_key, m.message_id, m.in_reply_to,
	m.subject, m.from_name, m.from_email, m.date, m.received_at, m.source, m.shared, m.forwarded_by, m.envelope,
	m.auth_mode, m.auth_dkim, m.auth_spf, m.auth_dmarc, m.auth_aligned, m.size, m.forwarded_at`

const fullColumns = summaryColumns + `, m.auth_details, m.text_body, m.forward_note`

func summaryFields(m *store.Message) []any {
	return []any{&m.ID, &m.OwnerID, &m.ThreadID, &m.DedupKey, &m.MessageID, &m.InReplyTo,
		&m.Subject, &m.FromName, &m.FromEmail, scanTime(&m.Date), scanTime(&m.ReceivedAt), &m.Source, &m.Shared, &m.ForwardedBy,
		scanJSON(&m.Envelope), &m.Auth.Mode, &m.Auth.DKIM, &m.Auth.SPF, &m.Auth.DMARC, &m.Auth.Aligned, &m.Size,
		scanTime(&m.ForwardedAt)}
}

// Message loads a message with its text body, references, participants
// and attachment metadata; not the raw bytes nor attachment content.
func (tx *Tx) Message(id int64) (*store.Message, error) {
	var m store.Message
	fields := append(summaryFields(&m), scanBytes(&m.Auth.Details), &m.TextBody, &m.ForwardNote)
	if err := tx.queryRow(`SELECT `+fullColumns+` FROM messages m WHERE m.id = ?`, id).Scan(fields...); err != nil {
		return nil, tx.notFound(err, "no such message %d", id)
	}
	if err := tx.loadDetails(&m); err != nil {
		return nil, err
	}
	return &m, nil
}

func (tx *Tx) loadDetails(m *store.Message) error {
	rows, err := tx.query(`SELECT msgid FROM message_refs WHERE message_id = ? AND kind = ? ORDER BY pos`, m.ID, refReferences)
	if err != nil {
		return tx.err(err)
	}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return tx.err(err)
		}
		m.References = append(m.References, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return tx.err(err)
	}

	m.Participants = []store.Participant{}
	rows, err = tx.query(`SELECT role, name, email FROM participants WHERE message_id = ? ORDER BY pos`, m.ID)
	if err != nil {
		return tx.err(err)
	}
	for rows.Next() {
		var p store.Participant
		if err := rows.Scan(&p.Role, &p.Name, &p.Email); err != nil {
			rows.Close()
			return tx.err(err)
		}
		m.Participants = append(m.Participants, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return tx.err(err)
	}

	m.Attachments = []store.Attachment{}
	rows, err = tx.query(`SELECT idx, name, content_type, size, sha256 FROM attachments WHERE message_id = ? ORDER BY idx`, m.ID)
	if err != nil {
		return tx.err(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a store.Attachment
		if err := rows.Scan(&a.Index, &a.Name, &a.ContentType, &a.Size, &a.SHA256); err != nil {
			return tx.err(err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	return tx.err(rows.Err())
}

// MessageByKey finds the message filed for owner under dedupKey.
func (tx *Tx) MessageByKey(ownerID int64, dedupKey string) (*store.Message, error) {
	var id int64
	err := tx.queryRow(`SELECT id FROM messages WHERE owner_id = ? AND dedup_key = ?`, ownerID, store.CleanText(dedupKey)).Scan(&id)
	if err != nil {
		return nil, tx.notFound(err, "no message of user %d with key %s", ownerID, dedupKey)
	}
	return tx.Message(id)
}

// rawPiece is the size of the pieces a raw message is stored in (see
// migration 0003_raw_chunks): small enough that SQLite's copies of a bound
// blob stay small, large enough that a typical message is one piece.
const rawPiece = 1 << 20

// insertRaw stores raw in message_raw (first piece) and message_raw_more,
// or, in a store opened for an import, in a pack (rawpack.go) with its
// reference in message_raw.
func (tx *Tx) insertRaw(id int64, raw []byte) error {
	if tx.db.opt.RawPacks && tx.db.rawPacks && len(raw) > 0 {
		pack, off, err := tx.appendRaw(raw)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`INSERT INTO message_raw (message_id, raw, pack, off, len) VALUES (?, x'', ?, ?, ?)`,
			id, pack, off, len(raw)); err != nil {
			return tx.err(err)
		}
		return nil
	}
	first := raw
	if len(first) > rawPiece {
		first = raw[:rawPiece]
	}
	if first == nil {
		first = []byte{} // NOT NULL: an empty message is still a message
	}
	if _, err := tx.exec(`INSERT INTO message_raw (message_id, raw) VALUES (?, ?)`, id, first); err != nil {
		return tx.err(err)
	}
	for seq, off := 1, rawPiece; off < len(raw); seq, off = seq+1, off+rawPiece {
		end := min(off+rawPiece, len(raw))
		if _, err := tx.exec(`INSERT INTO message_raw_more (message_id, seq, data) VALUES (?, ?, ?)`, id, seq, raw[off:end]); err != nil {
			return tx.err(err)
		}
	}
	return nil
}

// MessageRaw returns the bytes of a message exactly as received.
func (tx *Tx) MessageRaw(id int64) ([]byte, error) {
	var raw []byte
	if tx.db.rawPacks {
		var pack, off, n sql.NullInt64
		if err := tx.queryRow(`SELECT raw, pack, off, len FROM message_raw WHERE message_id = ?`, id).Scan(&raw, &pack, &off, &n); err != nil {
			return nil, tx.notFound(err, "no such message %d", id)
		}
		if pack.Valid {
			// The message may be one this transaction appended.
			if err := tx.flushAppends(); err != nil {
				return nil, err
			}
			return tx.db.readPacked(id, pack.Int64, off.Int64, n.Int64)
		}
	} else if err := tx.queryRow(`SELECT raw FROM message_raw WHERE message_id = ?`, id).Scan(&raw); err != nil {
		return nil, tx.notFound(err, "no such message %d", id)
	}
	if raw == nil {
		raw = []byte{}
	}
	if len(raw) < rawPiece {
		return raw, nil
	}
	rows, err := tx.query(`SELECT data FROM message_raw_more WHERE message_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	for rows.Next() {
		var piece []byte
		if err := rows.Scan(&piece); err != nil {
			return nil, tx.err(err)
		}
		raw = append(raw, piece...)
	}
	return raw, tx.err(rows.Err())
}

// AttachmentContent returns the content of a message's attachment.
func (tx *Tx) AttachmentContent(messageID int64, index int) ([]byte, error) {
	var content []byte
	err := tx.queryRow(`SELECT content FROM attachments WHERE message_id = ? AND idx = ?`, messageID, index).Scan(&content)
	if err != nil {
		return nil, tx.notFound(err, "message %d has no attachment %d", messageID, index)
	}
	if content == nil {
		return nil, store.Errorf(store.ENotFound, "attachment %d of message %d is kept only in the raw message", index, messageID)
	}
	return content, nil
}

// SetShared shares a message with the company or makes it private.
func (tx *Tx) SetShared(messageID int64, shared bool) error {
	if err := tx.writing("SetShared"); err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE messages SET shared = ? WHERE id = ?`, shared, messageID)
	return tx.affected(res, err, "no such message %d", messageID)
}
