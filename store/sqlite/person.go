package sqlite

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// CreatePerson records a contact with its addresses (canonical; blank and
// repeated addresses dropped).
func (tx *Tx) CreatePerson(p *store.Person) error {
	if err := tx.writing("CreatePerson"); err != nil {
		return err
	}
	p.Name, p.Org = store.CleanText(strings.TrimSpace(p.Name)), store.CleanText(strings.TrimSpace(p.Org))
	p.Emails = store.UniqueEmails(p.Emails)
	if p.Name == "" && len(p.Emails) == 0 {
		return store.Errorf(store.EInvalid, "a person needs a name or an email address")
	}
	if err := tx.emailsFree(0, p.Emails); err != nil {
		return err
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = tx.now
	}
	p.CreatedAt = store.StoreTime(p.CreatedAt)
	var err error
	p.ID, err = tx.insert(`INSERT INTO persons (id, name, org, created_at) VALUES (`+tx.newID("persons")+`, ?, ?, ?)`,
		p.Name, p.Org, formatTime(p.CreatedAt))
	if err != nil {
		return tx.err(err)
	}
	return tx.writeEmails(p)
}

// emailsFree checks that no person but self has any of emails: an address
// belongs to at most one person. (Writers are serialised, so the check
// and the write that follows cannot race.)
func (tx *Tx) emailsFree(self int64, emails []string) error {
	if len(emails) == 0 {
		return nil
	}
	var id int64
	var name, email string
	err := tx.queryRow(`SELECT p.id, p.name, e.email FROM person_emails e JOIN persons p ON p.id = e.person_id
		WHERE e.email IN `+inList+` AND p.id != ? ORDER BY p.id, e.pos LIMIT 1`, jsonList(emails), self).Scan(&id, &name, &email)
	switch {
	case err == nil:
		return store.Errorf(store.EConflict, "%s is already the address of person %d (%s)", email, id, name)
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return tx.err(err)
}

// writeEmails replaces a person's addresses with p.Emails.
func (tx *Tx) writeEmails(p *store.Person) error {
	if _, err := tx.exec(`DELETE FROM person_emails WHERE person_id = ?`, p.ID); err != nil {
		return tx.err(err)
	}
	for i, e := range p.Emails {
		if _, err := tx.exec(`INSERT INTO person_emails (person_id, pos, email) VALUES (?, ?, ?)`, p.ID, i, e); err != nil {
			return tx.err(err)
		}
	}
	return nil
}

// UpdatePerson writes a person's name, org and addresses.
func (tx *Tx) UpdatePerson(p *store.Person) error {
	if err := tx.writing("UpdatePerson"); err != nil {
		return err
	}
	p.Name = store.CleanText(strings.TrimSpace(p.Name))
	p.Org = store.CleanText(strings.TrimSpace(p.Org))
	p.Emails = store.UniqueEmails(p.Emails)
	if p.Name == "" && len(p.Emails) == 0 {
		return store.Errorf(store.EInvalid, "a person needs a name or an email address")
	}
	if err := tx.emailsFree(p.ID, p.Emails); err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE persons SET name = ?, org = ? WHERE id = ?`, p.Name, p.Org, p.ID)
	if err := tx.affected(res, err, "no such person %d", p.ID); err != nil {
		return err
	}
	if p.Emails == nil {
		p.Emails = []string{}
	}
	return tx.writeEmails(p)
}

// DeletePerson removes a person with its addresses and links; its items
// stay, without a person.
func (tx *Tx) DeletePerson(id int64) error {
	if err := tx.writing("DeletePerson"); err != nil {
		return err
	}
	if _, err := tx.exec(`DELETE FROM links WHERE kind = 'person' AND item_id = ?`, id); err != nil {
		return tx.err(err)
	}
	for _, table := range []string{"deals", "leads", "projects"} {
		if _, err := tx.exec(`UPDATE `+table+` SET person_id = NULL WHERE person_id = ?`, id); err != nil {
			return tx.err(err)
		}
	}
	res, err := tx.exec(`DELETE FROM persons WHERE id = ?`, id)
	return tx.affected(res, err, "no such person %d", id)
}

// Person returns the person with id.
func (tx *Tx) Person(id int64) (*store.Person, error) {
	ps, err := tx.persons(`WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, store.Errorf(store.ENotFound, "no such person %d", id)
	}
	return &ps[0], nil
}

// Persons lists all persons by id.
func (tx *Tx) Persons() ([]store.Person, error) { return tx.persons("") }

// PersonsByEmails lists the persons having any of emails, whatever the
// case, each once, by id.
func (tx *Tx) PersonsByEmails(emails []string) ([]store.Person, error) {
	emails = store.UniqueEmails(emails)
	if len(emails) == 0 {
		return nil, nil
	}
	return tx.persons(`WHERE id IN (SELECT person_id FROM person_emails WHERE email IN `+inList+`)`, jsonList(emails))
}

// persons loads the persons matching where, with their addresses.
func (tx *Tx) persons(where string, args ...any) ([]store.Person, error) {
	rows, err := tx.query(`SELECT id, name, org, created_at FROM persons `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, tx.err(err)
	}
	var ps []store.Person
	index := map[int64]int{}
	for rows.Next() {
		var p store.Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Org, scanTime(&p.CreatedAt)); err != nil {
			rows.Close()
			return nil, tx.err(err)
		}
		p.Emails = []string{}
		index[p.ID] = len(ps)
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.err(err)
	}
	if len(ps) == 0 {
		return ps, nil
	}

	rows, err = tx.query(`SELECT person_id, email FROM person_emails
		WHERE person_id IN (SELECT id FROM persons `+where+`) ORDER BY person_id, pos`, args...)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var email string
		if err := rows.Scan(&id, &email); err != nil {
			return nil, tx.err(err)
		}
		if i, ok := index[id]; ok {
			ps[i].Emails = append(ps[i].Emails, email)
		}
	}
	return ps, tx.err(rows.Err())
}
