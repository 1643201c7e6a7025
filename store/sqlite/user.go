package sqlite

import (
	"database/sql"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// CreateUser records a user and its primary address, confirmed: the
// administrator vouches for it.
func (tx *Tx) CreateUser(email, name string) (*store.User, error) {
	if err := tx.writing("CreateUser"); err != nil {
		return nil, err
	}
	email = store.CanonicalEmail(email)
	if email == "" {
		return nil, store.Errorf(store.EInvalid, "a user needs an email address")
	}
	u := &store.User{Email: email, Name: store.CleanText(strings.TrimSpace(name)), CreatedAt: tx.now}
	var err error
	u.ID, err = tx.insert(`INSERT INTO users (name, created_at) VALUES (?, ?)`, u.Name, formatTime(u.CreatedAt))
	if err != nil {
		return nil, tx.err(err)
	}
	_, err = tx.exec(`INSERT INTO addresses (id, user_id, email, is_primary, confirmed, created_at, confirmed_at)
		VALUES (`+tx.newID("addresses")+`, ?, ?, 1, 1, ?, ?)`, u.ID, email, formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return nil, tx.conflict(err, "address %s is already registered", email)
	}
	return u, nil
}

const userSelect = `SELECT u.id, a.email, u.name, u.auto_link, u.default_shared, u.create_persons, u.created_at
	FROM users u JOIN addresses a ON a.user_id = u.id AND a.is_primary = 1`

func scanUser(sc interface{ Scan(...any) error }) (*store.User, error) {
	var u store.User
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &u.Settings.AutoLink, &u.Settings.DefaultShared,
		&u.Settings.CreatePersons, scanTime(&u.CreatedAt))
	return &u, err
}

// User returns the user with id.
func (tx *Tx) User(id int64) (*store.User, error) {
	u, err := scanUser(tx.queryRow(userSelect+` WHERE u.id = ?`, id))
	if err != nil {
		return nil, tx.notFound(err, "no such user %d", id)
	}
	return u, nil
}

// UserByEmail finds a user by primary address, whatever its case.
func (tx *Tx) UserByEmail(email string) (*store.User, error) {
	u, err := scanUser(tx.queryRow(userSelect+` WHERE a.email = ?`, store.CanonicalEmail(email)))
	if err != nil {
		return nil, tx.notFound(err, "no such user %s", email)
	}
	return u, nil
}

// Users lists all users by id.
func (tx *Tx) Users() ([]store.User, error) {
	rows, err := tx.query(userSelect + ` ORDER BY u.id`)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	var users []store.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, tx.err(err)
		}
		users = append(users, *u)
	}
	return users, tx.err(rows.Err())
}

// UpdateSettings replaces a user's settings.
func (tx *Tx) UpdateSettings(userID int64, s store.Settings) error {
	if err := tx.writing("UpdateSettings"); err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE users SET auto_link = ?, default_shared = ?, create_persons = ? WHERE id = ?`,
		s.AutoLink, s.DefaultShared, s.CreatePersons, userID)
	return tx.affected(res, err, "no such user %d", userID)
}

// affected maps err and reports ENotFound when the statement changed no row.
func (tx *Tx) affected(res sql.Result, err error, format string, args ...any) error {
	if err != nil {
		return tx.err(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return tx.err(err)
	}
	if n == 0 {
		return store.Errorf(store.ENotFound, format, args...)
	}
	return nil
}

// AddAddress records an alternate sender address; the primary one is made
// by CreateUser.
func (tx *Tx) AddAddress(a *store.Address) error {
	if err := tx.writing("AddAddress"); err != nil {
		return err
	}
	a.Email = store.CanonicalEmail(a.Email)
	if a.Email == "" {
		return store.Errorf(store.EInvalid, "no address given")
	}
	if a.Primary {
		return store.Errorf(store.EInvalid, "the primary address %s is made with the user", a.Email)
	}
	if _, err := tx.User(a.UserID); err != nil {
		return err
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.now
	}
	a.CreatedAt, a.CodeExpires, a.ConfirmedAt = store.StoreTime(a.CreatedAt), store.StoreTime(a.CodeExpires), store.StoreTimePtr(a.ConfirmedAt)
	var err error
	a.ID, err = tx.insert(`INSERT INTO addresses (id, user_id, email, is_primary, confirmed, code_hash, code_expires, created_at, confirmed_at)
		VALUES (`+tx.newID("addresses")+`, ?, ?, 0, ?, ?, ?, ?, ?)`,
		a.UserID, a.Email, a.Confirmed, nullString(a.CodeHash), formatTime(a.CodeExpires), formatTime(a.CreatedAt), formatTimePtr(a.ConfirmedAt))
	if err != nil {
		return tx.conflict(err, "address %s is already registered", a.Email)
	}
	return nil
}

const addressSelect = `SELECT id, user_id, email, is_primary, confirmed, coalesce(code_hash, ''), code_expires, created_at, confirmed_at FROM addresses`

func scanAddress(sc interface{ Scan(...any) error }) (*store.Address, error) {
	var a store.Address
	err := sc.Scan(&a.ID, &a.UserID, &a.Email, &a.Primary, &a.Confirmed, &a.CodeHash,
		scanTime(&a.CodeExpires), scanTime(&a.CreatedAt), scanTimePtr(&a.ConfirmedAt))
	return &a, err
}

// Addresses lists a user's addresses, the primary first.
func (tx *Tx) Addresses(userID int64) ([]store.Address, error) {
	if _, err := tx.User(userID); err != nil {
		return nil, err
	}
	rows, err := tx.query(addressSelect+` WHERE user_id = ? ORDER BY is_primary DESC, id`, userID)
	if err != nil {
		return nil, tx.err(err)
	}
	defer rows.Close()
	var as []store.Address
	for rows.Next() {
		a, err := scanAddress(rows)
		if err != nil {
			return nil, tx.err(err)
		}
		as = append(as, *a)
	}
	return as, tx.err(rows.Err())
}

// AddressByEmail finds a sender address of any user, whatever its case.
func (tx *Tx) AddressByEmail(email string) (*store.Address, error) {
	a, err := scanAddress(tx.queryRow(addressSelect+` WHERE email = ?`, store.CanonicalEmail(email)))
	if err != nil {
		return nil, tx.notFound(err, "no such address %s", email)
	}
	return a, nil
}

// AddressByCodeHash finds the address a confirmation code was sent to. The
// hash stays after confirmation, so a second reply finds a confirmed
// address rather than an unknown code.
func (tx *Tx) AddressByCodeHash(codeHash string) (*store.Address, error) {
	if codeHash == "" {
		return nil, store.Errorf(store.ENotFound, "no address with that confirmation code")
	}
	a, err := scanAddress(tx.queryRow(addressSelect+` WHERE code_hash = ? ORDER BY id DESC LIMIT 1`, store.CleanText(codeHash)))
	if err != nil {
		return nil, tx.notFound(err, "no address with that confirmation code")
	}
	return a, nil
}

// ConfirmAddress marks an address confirmed at at.
func (tx *Tx) ConfirmAddress(id int64, at time.Time) error {
	if err := tx.writing("ConfirmAddress"); err != nil {
		return err
	}
	res, err := tx.exec(`UPDATE addresses SET confirmed = 1, confirmed_at = ? WHERE id = ?`, formatTime(at), id)
	return tx.affected(res, err, "no such address %d", id)
}

// RemoveAddress removes an alternate address of a user. The primary
// address is the user's identity and stays.
func (tx *Tx) RemoveAddress(userID int64, email string) error {
	if err := tx.writing("RemoveAddress"); err != nil {
		return err
	}
	var id int64
	var primary bool
	err := tx.queryRow(`SELECT id, is_primary FROM addresses WHERE user_id = ? AND email = ?`, userID, store.CanonicalEmail(email)).
		Scan(&id, &primary)
	if err != nil {
		return tx.notFound(err, "user %d has no address %s", userID, email)
	}
	if primary {
		return store.Errorf(store.EInvalid, "%s is the user's primary address and cannot be removed", email)
	}
	_, err = tx.exec(`DELETE FROM addresses WHERE id = ?`, id)
	return tx.err(err)
}
