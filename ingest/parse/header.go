package parse

import (
	"net/mail"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/encword"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// fromFields fills the header part of a Message from the fields as
// written: one reading for what is shown and what decides.
func fromFields(fs Fields) *Message {
	m := &Message{Header: fs.Header(), Fields: fs}
	m.MessageID = MessageID(fs.Get("Message-Id"))
	m.InReplyTo = MessageID(fs.Get("In-Reply-To"))
	m.References = MessageIDs(fs.Get("References"))
	m.Subject = decodeText(fs.Get("Subject"))
	if d, ok := ParseDate(fs.Get("Date")); ok {
		m.Date = d
	}
	m.From = DisplayAddresses(fs.Get("From"))
	m.Sender = DisplayAddresses(fs.Get("Sender"))
	m.To = DisplayAddresses(fs.Get("To"))
	m.Cc = DisplayAddresses(fs.Get("Cc"))
	m.Bcc = DisplayAddresses(fs.Get("Bcc"))
	m.ReplyTo = DisplayAddresses(fs.Get("Reply-To"))
	return m
}

// DisplayAddresses reads an address field (raw value) for showing and for
// participants: strictly (mailaddr.ParseList) when it can, else leniently,
// picking what looks like an address out of each comma-separated piece.
// The lenient reading is a guess about broken mail: it must never decide
// who sent a message or whom it belongs to (TestLenientReaderDecidesNothing
// keeps it out of ingest's sender path, ingest/auth and linker).
func DisplayAddresses(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := mailaddr.ParseList(v); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: sanitizeName(a.Name), Email: a.Email()})
		}
		return out
	}
	return lenientAddresses(v)
}

// lenientAddresses picks addr-specs out of a header the strict parser
// refuses.
func lenientAddresses(v string) []Address {
	var out []Address
	for _, part := range splitAddressList(v) {
		part = strings.TrimSpace(part)
		if a, err := mailaddr.ParseMailbox(part); err == nil {
			out = append(out, Address{Name: sanitizeName(a.Name), Email: a.Email()})
			continue
		}
		if a, err := mail.ParseAddress(part); err == nil {
			if c, err := mailaddr.Canonical(a.Address); err == nil {
				out = append(out, Address{Name: sanitizeName(encword.Decode(a.Name)), Email: c})
				continue
			}
		}
		if l, r := strings.LastIndexByte(part, '<'), strings.LastIndexByte(part, '>'); l >= 0 && r > l {
			if c, err := mailaddr.Canonical(part[l+1 : r]); err == nil {
				out = append(out, Address{Name: sanitizeName(encword.Decode(strings.Trim(part[:l], " \""))), Email: c})
			}
		}
	}
	return out
}

// splitAddressList splits an address field at the commas that separate
// its addresses: not those inside a quoted name ("Doe, John"), a comment
// or angle brackets. Why: one address the strict parser refuses (a domain
// with an underscore) sends the whole field here, and a split at every
// comma cut "Doe, John" <john@x.example> into "Doe and John": the name
// shown was "John". An unclosed quote, comment or bracket runs to the end
// of the field, as the strict parser would read it.
func splitAddressList(v string) []string {
	var parts []string
	start, quoted, comment, angle := 0, false, 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && (quoted || comment > 0):
			i++ // a quoted pair: the next byte is taken as it is
		case quoted:
			quoted = c != '"'
		case c == '(':
			comment++
		case comment > 0:
			if c == ')' {
				comment--
			}
		case c == '"':
			quoted = true
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case c == ',' && !angle:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}

// sanitizeName drops control characters from display names so that a
// crafted name cannot inject lines into anything we print or export.
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
}
