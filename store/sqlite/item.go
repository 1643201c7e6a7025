package sqlite

import (
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// itemTables names the table of each item kind. Table names cannot be
// query parameters, so they come only from this list, never from input.
var itemTables = map[store.ItemKind]string{
	store.KindDeal:    "deals",
	store.KindLead:    "leads",
	store.KindProject: "projects",
}

func itemTable(kind store.ItemKind) (string, error) {
	t, ok := itemTables[kind]
	if !ok {
		return "", store.Errorf(store.EInvalid, "unknown item kind %q: want deal, lead or project", kind)
	}
	return t, nil
}

// itemSelect selects an item of kind; projects have no token column and
// only leads are converted.
func itemSelect(kind store.ItemKind, table string) string {
	token, converted := "token", "NULL"
	if !kind.HasBccAddress() {
		token = "NULL"
	}
	if kind == store.KindLead {
		converted = "converted_to"
	}
	return `SELECT id, title, coalesce(person_id, 0), coalesce(owner_id, 0), status, coalesce(` + token + `, ''), created_at, coalesce(` +
		converted + `, 0) FROM ` + table
}

func validStatus(s string) bool {
	switch s {
	case store.StatusOpen, store.StatusWon, store.StatusLost, store.StatusDeleted:
		return true
	}
	return false
}

// CreateItem records a deal, lead or project. An empty status is open.
func (tx *Tx) CreateItem(it *store.Item) error {
	if err := tx.writing("CreateItem"); err != nil {
		return err
	}
	table, err := itemTable(it.Kind)
	if err != nil {
		return err
	}
	it.Title = store.CleanText(strings.TrimSpace(it.Title))
	if it.Title == "" {
		return store.Errorf(store.EInvalid, "a %s needs a title", it.Kind)
	}
	if it.Status == "" {
		it.Status = store.StatusOpen
	}
	if !validStatus(it.Status) {
		return store.Errorf(store.EInvalid, "invalid status %q: want open, won, lost or deleted", it.Status)
	}
	if it.Token != "" && !it.Kind.HasBccAddress() {
		return store.Errorf(store.EInvalid, "a %s has no Bcc address, so no token", it.Kind)
	}
	if err := tx.checkItemRefs(it); err != nil {
		return err
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = tx.now
	}
	it.CreatedAt = store.StoreTime(it.CreatedAt)
	if it.Kind.HasBccAddress() {
		it.ID, err = tx.insert(`INSERT INTO `+table+` (title, person_id, owner_id, status, token, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			it.Title, nullID(it.PersonID), nullID(it.OwnerID), it.Status, nullString(it.Token), formatTime(it.CreatedAt))
	} else {
		it.ID, err = tx.insert(`INSERT INTO `+table+` (title, person_id, owner_id, status, created_at) VALUES (?, ?, ?, ?, ?)`,
			it.Title, nullID(it.PersonID), nullID(it.OwnerID), it.Status, formatTime(it.CreatedAt))
	}
	if err == nil && it.ConvertedTo != 0 {
		_, err = tx.exec(`UPDATE leads SET converted_to = ? WHERE id = ?`, it.ConvertedTo, it.ID)
	}
	if err != nil {
		// Never repeat the token: it is what makes the item's address secret.
		return tx.conflict(err, "a %s with the same token already exists", it.Kind)
	}
	return nil
}

// checkItemRefs checks what an item names: its person, owner and the deal
// a lead was converted to.
func (tx *Tx) checkItemRefs(it *store.Item) error {
	if it.PersonID != 0 {
		if _, err := tx.Person(it.PersonID); err != nil {
			return err
		}
	}
	if it.OwnerID != 0 {
		if _, err := tx.User(it.OwnerID); err != nil {
			return err
		}
	}
	if it.ConvertedTo != 0 {
		if it.Kind != store.KindLead {
			return store.Errorf(store.EInvalid, "only a lead is converted, not a %s", it.Kind)
		}
		if err := tx.itemExists(store.KindDeal, it.ConvertedTo); err != nil {
			return err
		}
	}
	return nil
}

// UpdateItem writes an item's title, person, owner, status and conversion.
// Links and threads are not touched.
func (tx *Tx) UpdateItem(it *store.Item) error {
	if err := tx.writing("UpdateItem"); err != nil {
		return err
	}
	table, err := itemTable(it.Kind)
	if err != nil {
		return err
	}
	it.Title = store.CleanText(strings.TrimSpace(it.Title))
	if it.Title == "" {
		return store.Errorf(store.EInvalid, "a %s needs a title", it.Kind)
	}
	if !validStatus(it.Status) {
		return store.Errorf(store.EInvalid, "invalid status %q: want open, won, lost or deleted", it.Status)
	}
	if err := tx.checkItemRefs(it); err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE `+table+` SET title = ?, person_id = ?, owner_id = ?, status = ? WHERE id = ?`,
		it.Title, nullID(it.PersonID), nullID(it.OwnerID), it.Status, it.ID)
	if err := tx.affected(res, err, "no such %s %d", it.Kind, it.ID); err != nil {
		return err
	}
	if it.Kind == store.KindLead {
		if _, err := tx.exec(`UPDATE leads SET converted_to = ? WHERE id = ?`, nullID(it.ConvertedTo), it.ID); err != nil {
			return tx.err(err)
		}
	}
	return nil
}

// Item returns the item of kind with id.
func (tx *Tx) Item(kind store.ItemKind, id int64) (*store.Item, error) {
	items, err := tx.items(kind, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, store.Errorf(store.ENotFound, "no such %s %d", kind, id)
	}
	return &items[0], nil
}

// Items lists every item of kind, whatever its status, by id.
func (tx *Tx) Items(kind store.ItemKind) ([]store.Item, error) { return tx.items(kind, "") }

// ItemByToken finds a deal or lead by the token of its Bcc address.
func (tx *Tx) ItemByToken(kind store.ItemKind, token string) (*store.Item, error) {
	if _, err := itemTable(kind); err != nil {
		return nil, err
	}
	if token == "" || !kind.HasBccAddress() {
		return nil, store.Errorf(store.ENotFound, "no %s with that token", kind)
	}
	items, err := tx.items(kind, `WHERE token = ?`, store.CleanText(token))
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, store.Errorf(store.ENotFound, "no %s with that token", kind)
	}
	return &items[0], nil
}

// ItemsOfPerson lists the items of kind whose person is personID.
func (tx *Tx) ItemsOfPerson(kind store.ItemKind, personID int64) ([]store.Item, error) {
	return tx.items(kind, `WHERE person_id = ?`, personID)
}

func (tx *Tx) items(kind store.ItemKind, where string, args ...any) ([]store.Item, error) {
	table, err := itemTable(kind)
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(itemSelect(kind, table)+` `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	var items []store.Item
	for rows.Next() {
		it := store.Item{Kind: kind}
		if err := rows.Scan(&it.ID, &it.Title, &it.PersonID, &it.OwnerID, &it.Status, &it.Token, scanTime(&it.CreatedAt), &it.ConvertedTo); err != nil {
			return nil, tx.err(err)
		}
		items = append(items, it)
	}
	return items, tx.err(rows.Err())
}

// itemExists checks that a link or thread target exists; persons count.
func (tx *Tx) itemExists(kind store.ItemKind, id int64) error {
	if kind == store.KindPerson {
		var n int
		if err := tx.queryRow(`SELECT count(*) FROM persons WHERE id = ?`, id).Scan(&n); err != nil {
			return tx.err(err)
		}
		if n == 0 {
			return store.Errorf(store.ENotFound, "no such person %d", id)
		}
		return nil
	}
	table, err := itemTable(kind)
	if err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(`SELECT count(*) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil {
		return tx.err(err)
	}
	if n == 0 {
		return store.Errorf(store.ENotFound, "no such %s %d", kind, id)
	}
	return nil
}
