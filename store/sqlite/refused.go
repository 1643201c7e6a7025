package sqlite

import (
	"database/sql"
	"errors"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// InsertRejection records refused mail, once: the same bytes refused for
// the same reason again (an archive imported a second time) keep the
// first record, whose id r gets.
func (tx *Tx) InsertRejection(r *store.Rejection) error {
	if err := tx.writing("InsertRejection"); err != nil {
		return err
	}
	if r.At.IsZero() {
		r.At = tx.now
	}
	store.PrepareRejection(r)
	if r.RawSHA256 != "" && r.RawSHA256 != store.EmptySHA256 {
		var id int64
		err := tx.queryRow(`SELECT id FROM rejections WHERE raw_sha256 = ? AND reason = ? ORDER BY id LIMIT 1`, r.RawSHA256, r.Reason).Scan(&id)
		if err == nil {
			r.ID = id
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return tx.err(err)
		}
	}
	envelope, err := jsonValue(r.Envelope)
	if err != nil {
		return tx.err(err)
	}
	r.ID, err = tx.insert(`INSERT INTO rejections (at, code, reason, detail, envelope, from_addr, message_id, subject, raw_sha256, size)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(r.At), r.Code, r.Reason, r.Detail, envelope, r.From, r.MessageID, r.Subject, r.RawSHA256, r.Size)
	return tx.err(err)
}

// Rejections lists refused mail since a time (all for the zero time),
// oldest first.
func (tx *Tx) Rejections(since time.Time) ([]store.Rejection, error) {
	rows, err := tx.query(`SELECT id, at, code, reason, detail, envelope, from_addr, message_id, subject, raw_sha256, size
		FROM rejections WHERE ? IS NULL OR at >= ? ORDER BY at, id`, formatTime(since), formatTime(since))
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	rs := []store.Rejection{}
	for rows.Next() {
		var r store.Rejection
		if err := rows.Scan(&r.ID, scanTime(&r.At), &r.Code, &r.Reason, &r.Detail, scanJSON(&r.Envelope),
			&r.From, &r.MessageID, &r.Subject, &r.RawSHA256, &r.Size); err != nil {
			return nil, tx.err(err)
		}
		rs = append(rs, r)
	}
	return rs, tx.err(rows.Err())
}

// InsertQuarantine holds mail from an unconfirmed sender address.
func (tx *Tx) InsertQuarantine(q *store.Quarantined) error {
	if err := tx.writing("InsertQuarantine"); err != nil {
		return err
	}
	if q.At.IsZero() {
		q.At = tx.now
	}
	store.PrepareQuarantined(q)
	envelope, err := jsonValue(q.Envelope)
	if err != nil {
		return tx.err(err)
	}
	raw := q.Raw
	if raw == nil {
		raw = []byte{}
	}
	q.ID, err = tx.insert(`INSERT INTO quarantine (id, at, user_id, address, envelope, from_addr, subject, message_id, released, released_at, filed_as, raw)
		VALUES (`+tx.newID("quarantine")+`, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(q.At), q.UserID, q.Address, envelope, q.From, q.Subject, q.MessageID,
		q.Released, formatTimePtr(q.ReleasedAt), nullID(q.FiledAs), raw)
	if isForeignKey(err) {
		return store.Errorf(store.ENotFound, "no such user %d", q.UserID)
	}
	return tx.err(err)
}

// quarantineColumns leave out raw, which only Quarantine reads.
const quarantineColumns = `id, at, user_id, address, envelope, from_addr, subject, message_id, released, released_at, coalesce(filed_as, 0)`

func quarantineFields(q *store.Quarantined) []any {
	return []any{&q.ID, scanTime(&q.At), &q.UserID, &q.Address, scanJSON(&q.Envelope), &q.From, &q.Subject, &q.MessageID,
		&q.Released, scanTimePtr(&q.ReleasedAt), &q.FiledAs}
}

// Quarantine returns held mail with its raw bytes.
func (tx *Tx) Quarantine(id int64) (*store.Quarantined, error) {
	var q store.Quarantined
	err := tx.queryRow(`SELECT `+quarantineColumns+`, raw FROM quarantine WHERE id = ?`, id).
		Scan(append(quarantineFields(&q), &q.Raw)...)
	if err != nil {
		return nil, tx.notFound(err, "no such quarantined message %d", id)
	}
	return &q, nil
}

// QuarantineList lists held mail without raw bytes, oldest first.
func (tx *Tx) QuarantineList(includeReleased bool) ([]store.Quarantined, error) {
	query := `SELECT ` + quarantineColumns + ` FROM quarantine`
	if !includeReleased {
		query += ` WHERE released = 0`
	}
	rows, err := tx.query(query + ` ORDER BY id`)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	qs := []store.Quarantined{}
	for rows.Next() {
		var q store.Quarantined
		if err := rows.Scan(quarantineFields(&q)...); err != nil {
			return nil, tx.err(err)
		}
		qs = append(qs, q)
	}
	return qs, tx.err(rows.Err())
}

// MarkReleased records that held mail was filed (as messageID, 0 when it
// was not filed, e.g. a duplicate) at at.
func (tx *Tx) MarkReleased(id int64, messageID int64, at time.Time) error {
	if err := tx.writing("MarkReleased"); err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE quarantine SET released = 1, released_at = ?, filed_as = ? WHERE id = ?`,
		formatTime(at), nullID(messageID), id)
	if isForeignKey(err) {
		return store.Errorf(store.ENotFound, "no such message %d", messageID)
	}
	return tx.affected(res, err, "no such quarantined message %d", id)
}

// DeleteQuarantined drops held mail, raw bytes and all.
func (tx *Tx) DeleteQuarantined(id int64) error {
	if err := tx.writing("DeleteQuarantined"); err != nil {
		return err
	}
	res, err := tx.exec(`DELETE FROM quarantine WHERE id = ?`, id)
	return tx.affected(res, err, "no such quarantined message %d", id)
}
