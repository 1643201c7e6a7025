package parse

import (
	"bytes"
	"mime"
	"net/mail"
	"net/textproto"
	"strings"
)

var wordDecoder = new(mime.WordDecoder)

// fallback parses a message enmime refused: the header section with
// net/mail, the body kept as text. cause is recorded as a problem.
func fallback(raw []byte, cause error) (*Message, error) {
	m := &Message{Header: textproto.MIMEHeader{}}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		h, herr := Header(raw)
		if herr != nil || len(h) == 0 {
			return nil, ErrNotMessage
		}
		m.Header = h
		if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
			m.Text = string(raw[i+2:])
		}
	} else {
		m.Header = textproto.MIMEHeader(msg.Header)
		var body bytes.Buffer
		_, _ = body.ReadFrom(msg.Body)
		m.Text = body.String()
	}
	for k, vs := range m.Header {
		for i, v := range vs {
			if d, err := wordDecoder.DecodeHeader(v); err == nil {
				vs[i] = d
			}
		}
		m.Header[k] = vs
	}
	m.Problems = append(m.Problems, "MIME structure unreadable, body kept as text: "+cause.Error())
	m.MessageID = MessageID(m.Header.Get("Message-Id"))
	m.InReplyTo = MessageID(m.Header.Get("In-Reply-To"))
	m.References = MessageIDs(m.Header.Get("References"))
	m.Subject = strings.TrimSpace(m.Header.Get("Subject"))
	if d, err := mail.ParseDate(m.Header.Get("Date")); err == nil {
		m.Date = d.UTC()
	}
	m.From = lenientAddresses(m.Header.Get("From"))
	m.Sender = lenientAddresses(m.Header.Get("Sender"))
	m.To = lenientAddresses(m.Header.Get("To"))
	m.Cc = lenientAddresses(m.Header.Get("Cc"))
	m.Bcc = lenientAddresses(m.Header.Get("Bcc"))
	m.ReplyTo = lenientAddresses(m.Header.Get("Reply-To"))
	return m, nil
}
