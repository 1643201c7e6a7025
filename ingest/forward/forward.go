// Package forward finds the customer's original message inside a mail that a
// salesperson forwarded: either an attached message/rfc822 part or an inline
// block written by the forwarding client ("---------- Forwarded message
// ---------", "-----Original Message-----", "Begin forwarded message:", ...),
// in many languages, quoted or not, nested any number of times up to a limit.
//
// Only addresses written in a forward header block (or in an attached
// message's header) are ever returned: an address that merely appears in a
// body or signature must never become a CRM contact.
package forward

import (
	"strings"
	"time"

	"github.com/inbucket/html2text"
)

// Address is a display name and an email address; either may be empty in
// To/Cc, but Original.From always has an Email.
type Address struct{ Name, Email string }

// Input is the forwarding message as the ingest pipeline parsed it.
type Input struct {
	Subject  string
	Text     string   // text/plain body (or text from HTML if that's all there is)
	HTML     string   // used only when Text is empty
	Attached [][]byte // raw bytes of message/rfc822 parts, in order
	// InReplyTo is the message's In-Reply-To field: set, the message
	// answers another, and an attribution line ("On ..., X wrote:")
	// opens a reply's quote whatever the subject says.
	InReplyTo string
}

// Original is the innermost forwarded message.
type Original struct {
	From   Address
	To, Cc []Address
	Date   time.Time
	// DateNoZone is set when the block wrote the date without a time
	// zone (Gmail, Outlook): Date is then in Options.Zone.
	DateNoZone bool
	DateText   string // as written in the block, when it could not be parsed
	Subject    string
	// MessageID, InReplyTo and References come only from attached messages:
	// inline blocks rarely carry them.
	MessageID  string
	InReplyTo  string
	References []string
	Body       string
	Raw        []byte // the attached message's bytes when Via == "rfc822"
	// Note is what the forwarder wrote above the forwarded message ("see
	// below, can you call him?"): the text above the inline block, or the
	// forwarding message's own text when the original is attached. Only
	// the outermost forward's note is kept: it is the salesperson's.
	Note string
	// Via is "rfc822", or "inline:<client>" with client one of gmail,
	// outlook, apple_mail, thunderbird, yahoo, lotus_notes, mutt, generic.
	Via   string
	Depth int // how many forward layers were unwrapped (1 for a plain forward)
}

// Options bound the work Unwrap does on hostile input.
type Options struct {
	MaxDepth    int   // layers to unwrap at most; 0 means DefaultMaxDepth
	MaxAttached int64 // attached messages larger than this are ignored; 0 means DefaultMaxAttached
	// Zone is the forwarding message's time zone, taken for an original
	// date written without one; nil means UTC.
	Zone *time.Location
}

const (
	DefaultMaxDepth    = 5
	DefaultMaxAttached = 10 << 20
)

// Unwrap returns the innermost original message of a forward, or false when
// in holds no forward whose original sender address can be read.
//
// An attached message/rfc822 wins over inline text. At the top level the
// first attached message is taken whatever the subject says (the caller
// decides the mail is a forward); deeper down, an attached message's own
// attachments are only followed when it is itself a forward (its subject
// says so, or it has no text of its own), so that a customer's mail that
// happens to carry an old mail as an attachment stays the original.
//
// Inline blocks introduced by an explicit forward separator always count.
// Weaker signs (Outlook's underscore line or bare "From:/Sent:" block, an
// "On ... wrote:" line) count only when the subject is a forward (the
// "wrote:" line only when the message has no In-Reply-To either), and an
// "Original Message" separator counts unless the subject is a reply: mail
// clients write the same blocks above quoted history in replies, and a
// reply's quoted history is not a forward. The first recognised block
// decides: if it is a reply's, Unwrap reports false.
//
// Nested forwards unwrap to the innermost original. Below the top, a layer
// is only looked into when it is itself a forward: its subject says so, or
// the nested block (or attached message) comes before any text of its own.
// Otherwise what follows its text is the conversation history quoted under
// the customer's message, and the customer's message is the original.
func Unwrap(in Input, opt Options) (*Original, bool) {
	if opt.MaxDepth <= 0 {
		opt.MaxDepth = DefaultMaxDepth
	}
	if opt.MaxAttached <= 0 {
		opt.MaxAttached = DefaultMaxAttached
	}
	return unwrapLayer(in, opt, 1, true)
}

// unwrapLayer looks for a forward inside one message (layer depth-1) and
// returns the original at the given depth, unwrapped further if possible.
func unwrapLayer(in Input, opt Options, depth int, top bool) (*Original, bool) {
	if depth > opt.MaxDepth {
		return nil, false
	}
	text := in.Text
	if strings.TrimSpace(text) == "" && in.HTML != "" {
		text = htmlToText(in.HTML)
	}
	if top || followAttachments(in.Subject, text) {
		for _, raw := range in.Attached {
			if int64(len(raw)) > opt.MaxAttached {
				continue
			}
			orig, inner, ok := parseAttached(raw)
			if !ok {
				continue
			}
			orig.Depth = depth
			if deeper, ok := unwrapLayer(inner, opt, depth+1, false); ok {
				orig = deeper
			}
			if top {
				orig.Note = note(text)
			}
			return orig, true
		}
	}
	orig, lead, ok := findInline(text, in.Subject, in.InReplyTo != "", opt.Zone)
	if !ok || (!top && lead && !isForwardSubject(in.Subject)) {
		// Below the top, a block under the message's own text in a message
		// that is not a forward is quoted history, not a nested forward.
		return nil, false
	}
	orig.Depth = depth
	if depth < opt.MaxDepth {
		inner := Input{Subject: orig.Subject, Text: orig.Body}
		if deeper, ok := unwrapLayer(inner, opt, depth+1, false); ok {
			if top {
				deeper.Note = orig.Note
			}
			return deeper, true
		}
	}
	if !top {
		orig.Note = ""
	}
	return orig, true
}

// maxNote bounds the note kept from a forwarding message's text.
const maxNote = 64 << 10

// note is the forwarder's own text above an attached original, trimmed.
func note(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if len(text) > maxNote {
		text = text[:maxNote]
	}
	return text
}

func followAttachments(subj, text string) bool {
	return isForwardSubject(subj) || strings.TrimSpace(text) == ""
}

// htmlToText renders HTML minimally; html2text marks <b> as *bold*, which
// the header parser tolerates ("*From:* ...").
func htmlToText(h string) string {
	s, err := html2text.FromString(h, html2text.Options{})
	if err != nil {
		return ""
	}
	return s
}
