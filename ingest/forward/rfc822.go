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
	from := headerAddresses(env, "From")
	if len(from) == 0 || from[0].Email == "" {
		return nil, Input{}, false
	}
	o := &Original{
		From:      from[0],
		To:        headerAddresses(env, "To"),
		Cc:        headerAddresses(env, "Cc"),
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

// headerAddresses parses an address header strictly, and falls back to the
// lenient list parser for the malformed headers real mail is full of.
func headerAddresses(env *enmime.Envelope, key string) []Address {
	if list, err := env.AddressList(key); err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: a.Name, Email: strings.ToLower(a.Address)})
		}
		return out
	}
	return parseAddressList(env.GetHeader(key))
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
