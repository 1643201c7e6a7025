package store

import (
	"strings"

	"github.com/smartbcc/smartbcc/store/search"
)

// SearchText is what a message's full-text entry holds: the tokens
// (package search) of each field the query language names, joined by
// single spaces (search.IndexText). Every backend indexes these same
// tokens, so that a query finds the same messages on each.
type SearchText struct {
	Subject    string // the subject
	Senders    string // From, Sender and Reply-To: names and addresses (from:)
	Recipients string // To, Cc and Bcc: names and addresses (to:)
	Body       string // the text body, and the note a user wrote above a forward (body:)

	// preparedText is the body PrepareForInsert prepared, which
	// PrepareMessage then need not scan again.
	preparedText string
}

// SenderRole reports the participant roles whose names and addresses are
// in SearchText.Senders; the other roles are in Recipients.
func SenderRole(role string) bool {
	return role == RoleFrom || role == RoleSender || role == RoleReplyTo
}

// MessageSearchText computes m's search text from its fields as stored
// (see PrepareMessage). Tokenizing is most of the work of indexing a
// message and needs no store: ingest does it in its parse workers and
// hands the result over in Message.Search.
func MessageSearchText(m *Message) SearchText {
	var from, to strings.Builder
	for _, p := range m.Participants {
		b := &to
		if SenderRole(p.Role) {
			b = &from
		}
		b.WriteString(p.Name)
		b.WriteByte(' ')
		b.WriteString(strings.TrimSpace(p.Email))
		b.WriteByte(' ')
	}
	body := m.TextBody
	if m.ForwardNote != "" {
		body += "\n\n" + m.ForwardNote
	}
	return SearchText{
		Subject: search.IndexText(m.Subject), Senders: search.IndexText(from.String()),
		Recipients: search.IndexText(to.String()), Body: search.IndexText(body),
	}
}

// SearchText returns m.Search, or computes it when the caller did not.
func (m *Message) SearchText() SearchText {
	if m.Search != nil {
		return *m.Search
	}
	return MessageSearchText(m)
}
