package forward

import (
	"bytes"
	"strings"

	"github.com/jhillyerd/enmime/v2"

	"github.com/smartbcc/smartbcc/ingest/parse"
)

// parser skips charset detection: it is slow and garbles declared UTF-8.
var parser = enmime.NewParser(enmime.DisableCharacterDetection(true))

// parseAttached reads an attached message. It returns the message as an
// Original, and as an Input for looking one layer deeper (enmime treats
// message/rfc822 parts as leaves, so their bytes are collected here).
func parseAttached(raw []byte) (*Original, Input, bool) {
	// An attached message is as hostile as the message itself: enmime's
	// reader takes exponential time on unclosed nested multiparts, so it
	// gets only what parse says it can read quickly.
	if !parse.EnmimeSafe(raw) {
		return nil, Input{}, false
	}
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil || env == nil {
		return nil, Input{}, false
	}
	// The header is read as the message's own is (parse, mailaddr),
	// never by enmime's view of it: net/mail and strings.ToLower read
	// "\u0130vy@" as the person ivy@ and keep a Unicode domain that
	// persons and users keep as A-labels; net/mail reads "09:00 EST" as
	// 09:00 UTC; enmime decodes encoded-words in a Message-ID. So the same
	// original is read the same whether it is forwarded or filed itself.
	// ReadFields, not ParseHeader: an attached message may start with a
	// line that is no field (">From - Fri Dec 13 15:01:21 1996"), which
	// enmime skips as well.
	fs, _ := parse.ReadFields(raw)
	h := parse.HeaderOf(fs)
	from := addresses(h.From)
	if len(from) == 0 || from[0].Email == "" {
		return nil, Input{}, false
	}
	o := &Original{
		From:       from[0],
		To:         addresses(h.To),
		Cc:         addresses(h.Cc),
		Subject:    h.Subject,
		MessageID:  h.MessageID,
		InReplyTo:  h.InReplyTo,
		References: h.References,
		Date:       h.Date,
		Body:       strings.TrimSpace(strings.ReplaceAll(env.Text, "\r\n", "\n")),
		Raw:        raw,
		Via:        "rfc822",
	}
	if dt := strings.TrimSpace(fs.Get("Date")); o.Date.IsZero() && dt != "" {
		o.DateText = dt
	}
	in := Input{Subject: o.Subject, Text: env.Text, HTML: env.HTML}
	if env.Root != nil {
		for _, p := range env.Root.BreadthMatchAll(func(p *enmime.Part) bool {
			return p != env.Root && strings.EqualFold(p.ContentType, "message/rfc822")
		}) {
			in.Attached = append(in.Attached, p.Content)
		}
	}
	return o, in, true
}

// addresses converts parse's reading of an address field
// (parse.DisplayAddresses: strictly, else leniently, each address
// canonical).
func addresses(list []parse.Address) []Address {
	var out []Address
	for _, a := range list {
		out = append(out, Address{Name: a.Name, Email: a.Email})
	}
	return out
}
