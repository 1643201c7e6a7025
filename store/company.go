package store

import (
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/ingest/bccaddr"
)

// NewCompany is the company CreateCompany records, checked the same way
// by every backend: slug is the local part of the universal Bcc address,
// or "" to make it from the name (bccaddr.Slug); either way it must be one
// bccaddr reads back (bccaddr.CheckSlug), since every address handed out
// contains it and it cannot change later.
func NewCompany(name, slug, domain string, now time.Time) (*Company, error) {
	c := &Company{ID: 1, Name: CleanText(strings.TrimSpace(name)), Slug: slug,
		BccDomain: strings.ToLower(strings.TrimSpace(domain)), CreatedAt: now}
	if c.Name == "" {
		return nil, Errorf(EInvalid, "a company needs a name")
	}
	if c.Slug == "" {
		c.Slug = bccaddr.Slug(name)
		if c.Slug == "" {
			return nil, Errorf(EInvalid, "company name %q has no Latin letters or digits to make an address from: give the slug", name)
		}
	}
	if err := bccaddr.CheckSlug(c.Slug); err != nil {
		return nil, Errorf(EInvalid, "invalid slug %q: %v", c.Slug, err)
	}
	if c.BccDomain == "" {
		return nil, Errorf(EInvalid, "a company needs a Bcc domain")
	}
	return c, nil
}
