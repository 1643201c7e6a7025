package postgres

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

// itemSelect selects an item of kind; projects have no token column.
func itemSelect(kind store.ItemKind, table string) string {
	token := "token"
	if !kind.HasBccAddress() {
		token = "NULL"
	}
	return `SELECT id, title, coalesce(person_id, 0), status, coalesce(` + token + `, ''), created_at FROM ` + table
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
	if it.PersonID != 0 {
		if _, err := tx.Person(it.PersonID); err != nil {
			return err
		}
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = tx.now
	}
	it.CreatedAt = store.StoreTime(it.CreatedAt)
	if it.Kind.HasBccAddress() {
		it.ID, err = tx.insert(`INSERT INTO `+table+` (title, person_id, status, token, created_at) VALUES (?, ?, ?, ?, ?)`,
			it.Title, nullID(it.PersonID), it.Status, nullString(it.Token), pgTime(it.CreatedAt))
	} else {
		it.ID, err = tx.insert(`INSERT INTO `+table+` (title, person_id, status, created_at) VALUES (?, ?, ?, ?)`,
			it.Title, nullID(it.PersonID), it.Status, pgTime(it.CreatedAt))
	}
	if err != nil {
		// Never repeat the token: it is what makes the item's address secret.
		return tx.conflict(err, "a %s with the same token already exists", it.Kind)
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
		if err := rows.Scan(&it.ID, &it.Title, &it.PersonID, &it.Status, &it.Token, scanTime(&it.CreatedAt)); err != nil {
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
