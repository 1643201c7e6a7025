package postgres

import (
	"github.com/smartbcc/smartbcc/store"
)

// AddLink links a message to a person, deal, lead or project and reports
// whether the link is new; an existing link keeps its original how.
func (tx *Tx) AddLink(l store.Link) (bool, error) {
	if err := tx.writing("AddLink"); err != nil {
		return false, err
	}
	if !l.Kind.Valid() {
		return false, store.Errorf(store.EInvalid, "unknown link type %q: want deal, lead, project or person", l.Kind)
	}
	if l.How == "" {
		return false, store.Errorf(store.EInvalid, "a link needs to say how it was made")
	}
	table := "persons"
	if l.Kind != store.KindPerson {
		table = itemTables[l.Kind]
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = tx.now
	}
	// One statement: inserted when the item exists and the link does not
	// yet; only when nothing was inserted is it worth asking which.
	res, err := tx.exec(`INSERT INTO links (message_id, kind, item_id, how, created_at)
		SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM `+table+` WHERE id = ?)
		ON CONFLICT (message_id, kind, item_id) DO NOTHING`,
		l.MessageID, string(l.Kind), l.ItemID, l.How, pgTime(l.CreatedAt), l.ItemID)
	if err != nil {
		if isForeignKey(err) {
			return false, store.Errorf(store.ENotFound, "no such message %d", l.MessageID)
		}
		return false, tx.err(err)
	}
	if res.RowsAffected() == 1 {
		return true, nil
	}
	if err := tx.itemExists(l.Kind, l.ItemID); err != nil {
		return false, err
	}
	return false, nil
}

// RemoveLink removes a link and reports whether it existed.
func (tx *Tx) RemoveLink(messageID int64, kind store.ItemKind, itemID int64) (bool, error) {
	if err := tx.writing("RemoveLink"); err != nil {
		return false, err
	}
	res, err := tx.exec(`DELETE FROM links WHERE message_id = ? AND kind = ? AND item_id = ?`, messageID, string(kind), itemID)
	if err != nil {
		return false, tx.err(err)
	}
	return res.RowsAffected() > 0, nil
}

// Links lists a message's links in the order they were made.
func (tx *Tx) Links(messageID int64) ([]store.Link, error) {
	rows, err := tx.query(`SELECT message_id, kind, item_id, how, created_at FROM links WHERE message_id = ? ORDER BY seq`, messageID)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	links := []store.Link{}
	for rows.Next() {
		var l store.Link
		var kind string
		if err := rows.Scan(&l.MessageID, &kind, &l.ItemID, &l.How, scanTime(&l.CreatedAt)); err != nil {
			return nil, tx.err(err)
		}
		l.Kind = store.ItemKind(kind)
		links = append(links, l)
	}
	return links, tx.err(rows.Err())
}
