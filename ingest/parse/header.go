package parse

import (
	"net/mail"
	"net/textproto"
	"strings"
	"unicode/utf8"

	"github.com/smartbcc/smartbcc/ingest/encword"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// fromFields fills the header part of a Message from the fields as
// written: one reading for what is shown and what decides.
func fromFields(fs Fields) *Message {
	t := headerText{fs: fs}
	m := &Message{Header: t.header(), Fields: fs}
	m.MessageID = MessageID(fs.Get("Message-Id"))
	m.InReplyTo = MessageID(fs.Get("In-Reply-To"))
	m.References = MessageIDs(fs.Get("References"))
	m.Subject = m.Header.Get("Subject") // decoded once, by header
	if d, ok := ParseDate(fs.Get("Date")); ok {
		m.Date = d
	}
	m.From = t.addresses(fs.Get("From"))
	m.Sender = t.addresses(fs.Get("Sender"))
	m.To = t.recipients(fs.Get("To"))
	m.Cc = t.recipients(fs.Get("Cc"))
	m.Bcc = t.recipients(fs.Get("Bcc"))
	m.ReplyTo = t.recipients(fs.Get("Reply-To"))
	return m
}

// headerText reads the header values of one message for display. A value
// that is not UTF-8 (raw 8-bit text, which RFC 6532 does not allow but old
// mailers wrote in the body's charset) is read in the message's legacy
// charset (encword.LegacyCharset of its top-level Content-Type), found
// the first time such a value is met: valid UTF-8 costs nothing more.
//
// Only text for people changes: subjects, display names, the decoded
// Header. The raw Fields, and every address, are as written, so what
// decides (mailaddr.Author, the recipients, the singleton rule) reads the
// same bytes whatever the guess.
type headerText struct {
	fs     Fields
	legacy string // "" until needed
}

// charsetFor returns the charset for v's raw 8-bit text: "" (U+FFFD, never
// used) for valid UTF-8.
func (t *headerText) charsetFor(v string) string {
	if utf8.ValidString(v) {
		return ""
	}
	if t.legacy == "" {
		_, params := MediaType(t.fs.Get("Content-Type"))
		t.legacy = encword.LegacyCharset(params["charset"])
	}
	return t.legacy
}

// decode is an unstructured value (Subject) as people read it.
func (t *headerText) decode(v string) string {
	return strings.TrimSpace(encword.DecodeIn(v, t.charsetFor(v)))
}

// header is Fields.Header with legacy text read as decode reads it.
func (t *headerText) header() textproto.MIMEHeader {
	h := textproto.MIMEHeader{}
	for _, f := range t.fs {
		if f.Valid {
			k := textproto.CanonicalMIMEHeaderKey(f.Name)
			h[k] = append(h[k], t.decode(f.Value))
		}
	}
	return h
}

// addresses is DisplayAddresses with display names that are not UTF-8
// read in the legacy charset.
func (t *headerText) addresses(v string) []Address {
	return displayAddresses(v, t.charsetFor(v), false)
}

// recipients is addresses for a field that lists recipients (To, Cc, Bcc,
// Reply-To): a piece in which no address can be read is kept as a name
// only (Address.Email empty), its text as written, so that whoever reads
// the message sees everyone it went to ("Bob <bob@>" was dropped and the
// list shown was wrong). Never for From or Sender: a sender known only by
// a name would be a guess about who wrote it.
func (t *headerText) recipients(v string) []Address {
	return displayAddresses(v, t.charsetFor(v), true)
}

// DisplayAddresses reads an address field (raw value) for showing and for
// participants: strictly (mailaddr.ParseList) when it can, else leniently,
// picking what looks like an address out of each comma-separated piece.
// The lenient reading is a guess about broken mail: it must never decide
// who sent a message or whom it belongs to (TestLenientReaderDecidesNothing
// keeps it out of ingest's sender path, ingest/auth and linker).
func DisplayAddresses(v string) []Address { return displayAddresses(v, "", false) }

// displayAddresses is DisplayAddresses with display names that are not
// UTF-8 read in legacy (mailaddr.ParseListIn); the addresses are the same.
// With keepUnread, a piece with no address is kept as a name (recipients).
func displayAddresses(v, legacy string, keepUnread bool) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := mailaddr.ParseListIn(v, legacy); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: sanitizeName(a.Name), Email: a.Email()})
		}
		return out
	}
	return lenientAddresses(v, legacy, keepUnread)
}

// lenientAddresses picks addr-specs out of a header the strict parser
// refuses; with keepUnread, a piece in which none is found is kept as a
// name only (unreadPiece).
func lenientAddresses(v, legacy string, keepUnread bool) []Address {
	return lenientPieces(nil, v, legacy, keepUnread, true)
}

// lenientPieces is lenientAddresses appending to out; with groups, a group
// is one piece, read strictly when it can be, else member by member.
func lenientPieces(out []Address, v, legacy string, keepUnread, groups bool) []Address {
	for _, part := range splitAddressList(v, groups) {
		part = strings.TrimSpace(part)
		if colon := groupColon(part); groups && colon >= 0 {
			// A group: its members, as Python's email package and
			// Thunderbird list them. Cut at its commas, it was shown
			// as the text "Team: a@x.example" and "b@y.example;".
			if list, err := mailaddr.ParseListIn(part, legacy); err == nil {
				for _, a := range list {
					out = append(out, Address{Name: sanitizeName(a.Name), Email: a.Email()})
				}
				continue
			}
			// Not readable as a whole (a member the strict parser
			// refuses, a missing ";", which Thunderbird assumes): each
			// member on its own, the group's name left out; no group
			// in it, so the reading does not nest.
			out = lenientPieces(out, strings.TrimSuffix(part[colon+1:], ";"), legacy, keepUnread, false)
			continue
		}
		if a, err := mailaddr.ParseMailboxIn(part, legacy); err == nil {
			out = append(out, Address{Name: sanitizeName(a.Name), Email: a.Email()})
			continue
		}
		if a, err := mail.ParseAddress(part); err == nil {
			if c, err := mailaddr.Canonical(a.Address); err == nil {
				out = append(out, Address{Name: sanitizeName(encword.DecodeIn(a.Name, legacy)), Email: c})
				continue
			}
		}
		if l, r := strings.LastIndexByte(part, '<'), strings.LastIndexByte(part, '>'); l >= 0 && r > l {
			if c, err := mailaddr.Canonical(part[l+1 : r]); err == nil {
				out = append(out, Address{Name: sanitizeName(encword.DecodeIn(strings.Trim(part[:l], " \""), legacy)), Email: c})
				continue
			}
		}
		// A comment that never closes (a field cut short): the
		// address before it, as Python's email package and Thunderbird
		// read it; its text is the name when the address has none, as
		// in Python, so that nothing written is hidden.
		if i := unclosedComment(part); i > 0 {
			if a, err := mailaddr.ParseMailboxIn(part[:i], legacy); err == nil {
				name := sanitizeName(a.Name)
				if name == "" {
					name = unreadPiece(part[i+1:], legacy)
				}
				out = append(out, Address{Name: name, Email: a.Email()})
				continue
			}
		}
		if keepUnread {
			if name := unreadPiece(part, legacy); name != "" {
				out = append(out, Address{Name: name})
			}
		}
	}
	return out
}

// unclosedComment is where the comment that part ends inside starts (its
// outermost "("), or -1.
func unclosedComment(part string) int {
	_, comment := walkStructure(part, -1, func(int, byte, bool) bool { return true })
	return comment
}

// groupColon is where the ":" that starts a group is in an address-list
// piece: the first one outside quotes, comments and angle brackets (a
// route's "<@a,@b:x@y>"), or -1.
func groupColon(part string) int {
	colon := -1
	walkStructure(part, -1, func(i int, c byte, angle bool) bool {
		if c == ':' && !angle {
			colon = i
			return false
		}
		return true
	})
	return colon
}

// walkStructure reads an address field as RFC 5322 structures it, for the
// readers of fields the strict parser refused: inside a quoted string or
// a comment a backslash takes the next byte as it is; comments nest; a
// quoted string ends at its closing quote or, the one opened at nameQuote
// (-1: none), at the first "<" after it (a display name that lost its
// closing quote); "<" and ">" open and close angle brackets. at is called
// for every other byte outside quoted strings and comments, with whether
// it is inside angle brackets, until it returns false. The result is what
// the walk ended inside: the quote (where it opened) and the comment
// (where its outermost "(" is), each -1 when none.
func walkStructure(v string, nameQuote int, at func(i int, c byte, angle bool) bool) (openQuote, openComment int) {
	quoted, comment, angle := false, 0, false
	openQuote, openComment = -1, -1
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && (quoted || comment > 0):
			i++ // a quoted pair: the next byte is taken as it is
		case quoted && openQuote == nameQuote && c == '<':
			quoted, angle = false, true
		case quoted:
			quoted = c != '"'
		case c == '(':
			if comment == 0 {
				openComment = i
			}
			comment++
		case comment > 0:
			if c == ')' {
				comment--
			}
		case c == '"':
			quoted, openQuote = true, i
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		default:
			if !at(i, c, angle) {
				return -1, -1
			}
		}
	}
	if !quoted {
		openQuote = -1
	}
	if comment == 0 {
		openComment = -1
	}
	return openQuote, openComment
}

// maxUnreadName bounds the text kept of a piece with no address (runes):
// a name, not a place to store a header.
const maxUnreadName = 200

// unreadPiece is the text of an address-list piece with no address, as a
// name: decoded, control characters made spaces, at most maxUnreadName
// runes. An empty piece (a stray comma) and an empty group
// ("undisclosed-recipients:;") name nobody: "".
func unreadPiece(part, legacy string) string {
	if p := strings.TrimSpace(part); p == "" || p == ";" || strings.HasSuffix(strings.ReplaceAll(p, " ", ""), ":;") {
		return ""
	}
	name := sanitizeName(encword.DecodeIn(part, legacy))
	if r := []rune(name); len(r) > maxUnreadName {
		name = strings.TrimSpace(string(r[:maxUnreadName-1])) + "…"
	}
	return strings.TrimSpace(name)
}

// splitAddressList splits an address field at the commas that separate
// its addresses: not those inside a quoted name ("Doe, John"), a comment
// or angle brackets. Why: one address the strict parser refuses (a domain
// with an underscore) sends the whole field here, and a split at every
// comma cut "Doe, John" <john@x.example> into "Doe and John": the name
// shown was "John". An unclosed comment or bracket runs to the end of the
// field, as the strict parser would read it.
//
// An unclosed quote runs to the end too, as Thunderbird, Python's email
// package and Postfix read it, unless a "<" follows it: then it is a
// display name that lost its closing quote ("Bob <bob@x.example>,
// carol@y.example), and it ends at the "<". Run to the end, it made one
// piece of everything after it, and carol, the next recipient, was not
// listed at all.
//
// With groups, a group ("Team: a@x.example, b@y.example;") is one piece,
// from its ":" to its ";", or to the end of the field when the ";" is
// missing. Any other ";" separates, as a "," does.
func splitAddressList(v string, groups bool) []string {
	parts, open := splitAt(v, -1, groups)
	if open >= 0 && strings.IndexByte(v[open:], '<') >= 0 {
		parts, _ = splitAt(v, open, groups)
	}
	return parts
}

// splitAt is splitAddressList's scan. The quote opened at nameQuote (-1:
// none) ends at the first "<" after it. open is where the quote is that
// the field ends inside, or -1.
func splitAt(v string, nameQuote int, groups bool) (parts []string, open int) {
	start, group := 0, false
	open, _ = walkStructure(v, nameQuote, func(i int, c byte, angle bool) bool {
		switch {
		case c == ':' && groups && !angle:
			group = true
		case c == ';' && !angle && group:
			// The group ends here, and its piece with it.
			group = false
			parts = append(parts, v[start:i+1])
			start = i + 1
		case (c == ',' || c == ';') && !angle && !group:
			// A ";" that closes no group separates addresses, as
			// Thunderbird (JSMime) reads it: lists typed the Outlook
			// way ("bob@x.example; carol@y.example") were one piece,
			// and carol was not listed.
			parts = append(parts, v[start:i])
			start = i + 1
		}
		return true
	})
	return append(parts, v[start:]), open
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
