package ingest

import (
	"context"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/store"
)

// directory is the company's users and sender addresses, read once per
// run: every message needs them and they rarely change during one.
type directory struct {
	company   *store.Company
	users     map[int64]*store.User
	addresses map[string]store.Address // by canonical email (mailaddr)
	owner     *store.User              // forced owner (--user), if any
	loaded    time.Time
}

func (d *directory) isBcc(email string) bool {
	_, ok := bccaddr.Parse(email, d.company.Slug, d.company.BccDomain)
	return ok
}

// internal reports the company's own addresses: users' sender addresses
// and Bcc addresses. They never become or match persons.
func (d *directory) internal(email string) bool {
	email = canonicalKey(email)
	if a, ok := d.addresses[email]; ok && (a.Confirmed || a.Primary) {
		return true
	}
	return d.isBcc(email)
}

func (in *Ingester) directory(ctx context.Context) (*directory, error) {
	in.dirMu.Lock()
	defer in.dirMu.Unlock()
	if in.dir != nil && (in.opt.DirectoryTTL <= 0 || time.Since(in.dir.loaded) < in.opt.DirectoryTTL) {
		return in.dir, nil
	}
	d := &directory{users: map[int64]*store.User{}, addresses: map[string]store.Address{}, loaded: time.Now()}
	err := in.opt.Store.View(ctx, func(tx store.Tx) error {
		c, err := tx.Company()
		if err != nil {
			if store.IsNotFound(err) {
				return store.Errorf(store.EInvalid, "store has no company yet: run smartbcc init first")
			}
			return err
		}
		d.company = c
		users, err := tx.Users()
		if err != nil {
			return err
		}
		for i := range users {
			u := &users[i]
			d.users[u.ID] = u
			addrs, err := tx.Addresses(u.ID)
			if err != nil {
				return err
			}
			for _, a := range addrs {
				d.addresses[canonicalKey(a.Email)] = a
			}
		}
		if in.opt.Owner != "" {
			// Read as user add read the address (mailaddr), so that
			// every spelling it accepts finds the user.
			ref := store.CanonicalEmail(in.opt.Owner)
			if a, err := mailaddr.ParseMailbox(strings.TrimSpace(in.opt.Owner)); err == nil {
				ref = a.Email()
			}
			for _, u := range d.users {
				if u.Email == ref || itoa(u.ID) == ref {
					d.owner = u
				}
			}
			if d.owner == nil {
				return store.Errorf(store.ENotFound, "no such user %s", in.opt.Owner)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	in.dir = d
	return d, nil
}

// canonicalKey is the form addresses are looked up in: mailaddr's
// canonical form, or lower case for a stored address it cannot read.
func canonicalKey(email string) string {
	if c, err := mailaddr.Canonical(email); err == nil {
		return c
	}
	return store.CanonicalEmail(email)
}

// Refresh forgets the cached directory (after a confirmation changed it).
func (in *Ingester) Refresh() {
	in.dirMu.Lock()
	in.dir = nil
	in.dirMu.Unlock()
}
