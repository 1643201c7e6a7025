package sqlite

import (
	"github.com/smartbcc/smartbcc/store"
)

// CreateCompany records the one company (store.NewCompany checks it: a
// slug made from the name is made as bccaddr makes every other Bcc
// address, so the two never differ).
func (tx *Tx) CreateCompany(name, slug, domain string) (*store.Company, error) {
	if err := tx.writing("CreateCompany"); err != nil {
		return nil, err
	}
	c, err := store.NewCompany(name, slug, domain, tx.now)
	if err != nil {
		return nil, err
	}
	// Under the writer lock nobody can add a company between this look
	// and the insert.
	if existing, err := tx.Company(); err == nil {
		return nil, store.Errorf(store.EConflict, "the store already belongs to company %s (%s@%s)",
			existing.Name, existing.Slug, existing.BccDomain)
	} else if !store.IsNotFound(err) {
		return nil, err
	}
	_, err = tx.exec(`INSERT INTO company (id, name, slug, bcc_domain, created_at) VALUES (1, ?, ?, ?, ?)`,
		c.Name, c.Slug, c.BccDomain, formatTime(c.CreatedAt))
	if err != nil {
		return nil, tx.conflict(err, "the store already has a company")
	}
	return c, nil
}

// Company returns the store's company.
func (tx *Tx) Company() (*store.Company, error) {
	var c store.Company
	err := tx.queryRow(`SELECT id, name, slug, bcc_domain, created_at FROM company WHERE id = 1`).
		Scan(&c.ID, &c.Name, &c.Slug, &c.BccDomain, scanTime(&c.CreatedAt))
	if err != nil {
		return nil, tx.notFound(err, "no company yet: run smartbcc init first")
	}
	return &c, nil
}
