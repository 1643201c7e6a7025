package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/smartbcc/smartbcc/store"
)

// Reference kinds in message_refs.
const (
	refSelf       = "self"
	refInReplyTo  = "in_reply_to"
	refReferences = "references"
)

// InsertMessage stores m with its raw bytes, participants, attachments
// (with content), the Message-IDs it names and its full-text entry.
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
		m.Subject, m.FromName, m.FromEmail, pgTime(m.Date), pgTime(m.ReceivedAt), m.Source, m.Shared, m.ForwardedBy, envelope,
		m.Auth.Mode, m.Auth.DKIM, m.Auth.SPF, m.Auth.DMARC, m.Auth.Aligned, m.Size,
		nullString(string(m.Auth.Details)), m.TextBody}
	switch {
	case tx.db.forwardColumns:
		columns += `, forwarded_at, forward_note`
		values = append(values, pgTime(m.ForwardedAt), m.ForwardNote)
	case !m.ForwardedAt.IsZero() || m.ForwardNote != "":
		return store.Errorf(store.EInternal, "store predates forward notes")
	}
	// One round trip: the message, then everything that names it, which
	// finds its id through lastval() (the message's is the only identity
	// these statements draw), lists sent as arrays.
	var b pgx.Batch
	b.Queue(rebind(`INSERT INTO messages (`+columns+`) VALUES (?`+strings.Repeat(", ?", len(values)-1)+`) RETURNING id`), values...)
	queueRaw(&b, m.Raw)
	if n := len(m.Participants); n > 0 {
		roles, names, emails := make([]string, n), make([]string, n), make([]string, n)
		for i, p := range m.Participants {
			roles[i], names[i], emails[i] = p.Role, p.Name, p.Email
		}
		b.Queue(`INSERT INTO participants (message_id, pos, role, name, email)
			SELECT lastval(), x.o - 1, x.r, x.n, x.e FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(r, n, e, o)`,
			roles, names, emails)
	}
	if n := len(m.Attachments); n > 0 {
		idx, sizes := make([]int64, n), make([]int64, n)
		names, types, sums := make([]string, n), make([]string, n), make([]string, n)
		contents := make([][]byte, n) // nil: NULL, kept only in the raw message
		for i, a := range m.Attachments {
			idx[i], sizes[i], names[i], types[i], sums[i], contents[i] = int64(a.Index), a.Size, a.Name, a.ContentType, a.SHA256, a.Content
		}
		b.Queue(`INSERT INTO attachments (message_id, idx, name, content_type, size, sha256, content)
			SELECT lastval(), x.i, x.n, x.t, x.s, x.h, x.c FROM unnest($1::int[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bytea[]) AS x(i, n, t, s, h, c)`,
			idx, names, types, sizes, sums, contents)
	}
	if refs := messageRefs(m); len(refs) > 0 {
		kinds, ids := make([]string, len(refs)), make([]string, len(refs))
		for i, r := range refs {
			kinds[i], ids[i] = r.kind, r.msgid
		}
		b.Queue(`INSERT INTO message_refs (message_id, pos, kind, msgid)
			SELECT lastval(), x.o - 1, x.k, x.m FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(k, m, o)`, kinds, ids)
	}
	if tx.db.search {
		b.Queue(`INSERT INTO message_search (message_id, doc) VALUES (lastval(), $1::tsvector)`, searchDoc(m))
	}
	if tx.broken != nil {
		return tx.broken
	}
	// The inserts queued before (a new thread, rejections) go first, in
	// the same round trip.
	queued := tx.takePending(&b)
	br := tx.tx.SendBatch(tx.ctx, &b)
	for i := 0; i < queued; i++ {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return tx.fail(err)
		}
	}
	err = br.QueryRow().Scan(&m.ID)
	if err == nil {
		err = execAll(br, b.Len()-queued-1)
	} else {
		br.Close()
	}
	if err == nil {
		return nil
	}
	tx.fail(err)
	switch {
	case isForeignKey(err):
		return &store.Error{Code: store.ENotFound, Err: err, Message: "message refers to a user or thread that does not exist"}
	case isUnique(err) && constraint(err) == "attachments_pkey":
		return &store.Error{Code: store.EConflict, Err: err, Message: "message has two attachments with the same index"}
	}
	return tx.conflict(err, "message already stored for user %d (duplicate key %s)", m.OwnerID, m.DedupKey)
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
	err := tx.queryRow(`SELECT id FROM messages WHERE owner_id = ? AND key_digest(dedup_key) = key_digest(?) AND dedup_key = ?`,
		ownerID, store.CleanText(dedupKey), store.CleanText(dedupKey)).Scan(&id)
	if err != nil {
		return nil, tx.notFound(err, "no message of user %d with key %s", ownerID, dedupKey)
	}
	return tx.Message(id)
}

// rawPiece is the size of the pieces a raw message is stored in (see
// migration 0003_raw_chunks), as in store/sqlite.
const rawPiece = 1 << 20

// queueRaw queues the raw bytes for message_raw (first piece) and
// message_raw_more.
func queueRaw(b *pgx.Batch, raw []byte) {
	first := raw
	if len(first) > rawPiece {
		first = raw[:rawPiece]
	}
	if first == nil {
		first = []byte{} // NOT NULL: an empty message is still a message
	}
	b.Queue(`INSERT INTO message_raw (message_id, raw) VALUES (lastval(), $1)`, first)
	for seq, off := 1, rawPiece; off < len(raw); seq, off = seq+1, off+rawPiece {
		end := min(off+rawPiece, len(raw))
		b.Queue(`INSERT INTO message_raw_more (message_id, seq, data) VALUES (lastval(), $1, $2)`, seq, raw[off:end])
	}
}

// MessageRaw returns the bytes of a message exactly as received.
func (tx *Tx) MessageRaw(id int64) ([]byte, error) {
	var raw []byte
	if err := tx.queryRow(`SELECT raw FROM message_raw WHERE message_id = ?`, id).Scan(&raw); err != nil {
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
