package mailaddr

import (
	"errors"
	"fmt"
)

// Header is what Author reads: the raw (undecoded, unfolded) values of a
// header field, in order. textproto.MIMEHeader and parse.Fields are
// Headers.
type Header interface {
	Values(key string) []string
}

// Reasons Author fails for, wrapped in its error.
var (
	ErrNoFrom        = errors.New("no From field")
	ErrSeveralFroms  = errors.New("more than one From field")
	ErrNotOneMailbox = errors.New("From does not hold exactly one mailbox")
)

// Author returns the one author of a message: the single mailbox of its
// single From field. This is mox's rule (message/from.go), and the only
// address of a message that decides anything in smartbcc: authentication
// aligns with its domain, the owner is the user it belongs to, and a
// confirmation reply must come from it.
//
// Anything else is an error, never a pick: with two From fields, DKIM
// signs the last while a reader shows the first; with several mailboxes,
// DMARC has no one domain to check. Sender does not matter: DMARC (RFC
// 7489 3.1) authenticates From alone, and the owner must be what was
// authenticated.
func Author(h Header) (Address, error) {
	froms := h.Values("From")
	switch len(froms) {
	case 0:
		return Address{}, ErrNoFrom
	case 1:
	default:
		return Address{}, fmt.Errorf("%w: %d", ErrSeveralFroms, len(froms))
	}
	list, err := ParseMailboxList(froms[0])
	if err != nil {
		return Address{}, err
	}
	if len(list) != 1 {
		return Address{}, fmt.Errorf("%w: %d mailboxes", ErrNotOneMailbox, len(list))
	}
	return list[0], nil
}
