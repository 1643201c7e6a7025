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
	// The addresses are read as the message's own are (parse, mailaddr):
	// net/mail and strings.ToLower read "\u0130vy@" as the person ivy@,
	// and keep a Unicode domain that persons and users keep as A-labels.
	// ReadFields, not ParseHeader: an attached message may start with a
	// line that is no field (">From - Fri Dec 13 15:01:21 1996"), which
	// enmime skips as well.
	fs, _ := parse.ReadFields(raw)
	from := addresses(fs, "From")
	if len(from) == 0 || from[0].Email == "" {
		return nil, Input{}, false
	}
	o := &Original{
		From:      from[0],
		To:        addresses(fs, "To"),
		Cc:        addresses(fs, "Cc"),
		Subject:   strings.TrimSpace(env.GetHeader("Subject")),
		MessageID: msgID(env.GetHeader("Message-ID")),
		InReplyTo: msgID(env.GetHeader("In-Reply-To")),
		Body:      strings.TrimSpace(strings.ReplaceAll(env.Text, "\r\n", "\n")),
		Raw:       raw,
		Via:       "rfc822",
	}
	if refs := env.GetHeader("References"); refs != "" {
		o.References = msgIDs(refs)
	}
	if d, err := env.Date(); err == nil {
		o.Date = d
	} else if dt := strings.TrimSpace(env.GetHeader("Date")); dt != "" {
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

// addresses reads the field key as parse reads the message's own
// address fields (parse.DisplayAddresses: strictly, else leniently, each
// address canonical).
func addresses(fs parse.Fields, key string) []Address {
	var out []Address
	for _, a := range parse.DisplayAddresses(fs.Get(key)) {
		out = append(out, Address{Name: a.Name, Email: a.Email})
	}
	return out
}

// msgID returns the first <id> in a header, without the angle brackets.
func msgID(h string) string {
	if ids := msgIDs(h); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

func msgIDs(h string) []string {
	var out []string
	for {
		i := strings.IndexByte(h, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(h[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(h[i+1 : i+j]); id != "" {
			out = append(out, id)
		}
		h = h[i+j+1:]
	}
	if len(out) == 0 {
		// Some clients omit the brackets; a bare token is still an id.
		if f := strings.Fields(h); len(f) == 1 && strings.Contains(f[0], "@") {
			out = append(out, f[0])
		}
	}
	return out
}
