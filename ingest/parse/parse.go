// Package parse turns raw message bytes into the fields smartbcc files:
// decoded headers, participants, bodies, attachments and attached messages.
//
// It wraps enmime with the limits enmime lacks (parts, attached messages)
// and with character detection off: detection is slow and garbles
// correctly declared UTF-8. Two things are done here rather than in enmime,
// for speed, with enmime's own results: finding the parts of a multipart
// message (tree.go), and decoding attachments, which keep the bytes that
// were attached (leaf.go).
package parse

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"
)

// ErrNotMessage means the input has no header section at all.
var ErrNotMessage = errors.New("not an email message: no header fields")

// Limits bound the work one message can cause.
type Limits struct {
	MaxParts int // parts beyond this are not kept as attachments
}

// DefaultLimits are generous for real mail and small for hostile mail.
var DefaultLimits = Limits{MaxParts: 1000}

// Address is a decoded address.
type Address struct {
	Name  string
	Email string // lowercase
}

// Attachment is one attached file.
type Attachment struct {
	Name        string
	ContentType string
	Content     []byte
	SHA256      string
}

// Message is the parsed message.
type Message struct {
	Header     textproto.MIMEHeader // decoded values, canonical keys
	MessageID  string               // without angle brackets
	InReplyTo  string
	References []string
	Subject    string
	Date       time.Time
	From       []Address
	Sender     []Address
	To, Cc     []Address
	Bcc        []Address
	ReplyTo    []Address
	Text, HTML string
	// Attachments are files; message/rfc822 parts go to Attached instead.
	Attachments []Attachment
	Attached    [][]byte
	// Problems are non-fatal parse errors, for --explain.
	Problems []string
}

var parserOptions = []enmime.Option{
	enmime.DisableCharacterDetection(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.MaxStoredPartErrors(maxPartErrors),
}

var parser = enmime.NewParser(parserOptions...)

// Parse parses raw. It fails only for input that is not a message at all.
func Parse(raw []byte, lim Limits) (*Message, error) {
	if !hasHeader(raw) {
		return nil, ErrNotMessage
	}
	env, err := readEnvelope(raw)
	if err != nil {
		// Real mail can be broken in ways enmime refuses outright (a
		// malformed Content-Type, say). It is still mail: file it with its
		// headers and its body as text (fallback.go).
		return fallback(raw, err)
	}
	m := headerFields(env)
	m.Text, m.HTML = env.Text, env.HTML
	for _, e := range env.Errors {
		m.Problems = append(m.Problems, e.Error())
	}
	// A multipart without a boundary is read as one part: its content is
	// the message text, not an attachment.
	brokenMultipart := env.Root != nil && env.Root.FirstChild == nil && strings.HasPrefix(env.Root.ContentType, "multipart/")
	if brokenMultipart && m.Text == "" && m.HTML == "" {
		m.Text = string(env.Root.Content)
		m.Problems = append(m.Problems, env.Root.ContentType+" without parts: body kept as text")
	}
	seen := 0
	collect := func(parts []*enmime.Part) {
		for _, p := range parts {
			if brokenMultipart && p == env.Root {
				continue
			}
			seen++
			if seen > lim.MaxParts {
				return
			}
			if strings.EqualFold(p.ContentType, "message/rfc822") {
				m.Attached = append(m.Attached, p.Content)
				continue
			}
			sum := sha256.Sum256(p.Content)
			m.Attachments = append(m.Attachments, Attachment{
				Name:        p.FileName,
				ContentType: p.ContentType,
				Content:     p.Content,
				SHA256:      hex.EncodeToString(sum[:]),
			})
		}
	}
	collect(env.Attachments)
	collect(env.Inlines)
	// A forwarded message is often a part with no disposition at all.
	for _, p := range env.OtherParts {
		if strings.EqualFold(p.ContentType, "message/rfc822") && seen < lim.MaxParts {
			seen++
			m.Attached = append(m.Attached, p.Content)
		}
	}
	if seen > lim.MaxParts {
		m.Problems = append(m.Problems, fmt.Sprintf("%d parts, only the first %d kept", seen, lim.MaxParts))
	}
	return m, nil
}

// ParseHeader parses only the header section of raw: the same header
// fields as Parse (decoded headers, Message-IDs, subject, date,
// addresses), no bodies, attachments or attached messages. It is for
// deciding about a message before paying for its body: mail refused on
// its header alone (bulk, auto-replies, loops) needs nothing more. It
// fails only for input that is not a message at all.
func ParseHeader(raw []byte) (*Message, error) {
	if !hasHeader(raw) {
		return nil, ErrNotMessage
	}
	_, off := splitHeader(raw)
	root, err := rawParser.ReadParts(bytes.NewReader(raw[:off]))
	if err != nil {
		return fallback(raw[:off], err)
	}
	env, err := parser.EnvelopeFromPart(root)
	if err != nil {
		return fallback(raw[:off], err)
	}
	m := headerFields(env)
	for _, e := range root.Errors {
		m.Problems = append(m.Problems, e.Error())
	}
	return m, nil
}

// headerFields fills a Message with what the envelope's header gives.
func headerFields(env *enmime.Envelope) *Message {
	m := &Message{Header: textproto.MIMEHeader{}}
	for _, k := range env.GetHeaderKeys() {
		m.Header[textproto.CanonicalMIMEHeaderKey(k)] = env.GetHeaderValues(k)
	}
	m.MessageID = MessageID(env.GetHeader("Message-Id"))
	m.InReplyTo = MessageID(env.GetHeader("In-Reply-To"))
	m.References = MessageIDs(env.GetHeader("References"))
	m.Subject = strings.TrimSpace(env.GetHeader("Subject"))
	if d, err := env.Date(); err == nil {
		m.Date = d.UTC()
	}
	m.From = addressList(env, "From")
	m.Sender = addressList(env, "Sender")
	m.To = addressList(env, "To")
	m.Cc = addressList(env, "Cc")
	m.Bcc = addressList(env, "Bcc")
	m.ReplyTo = addressList(env, "Reply-To")
	return m
}

// readEnvelope is enmime's ReadEnvelope, with the multipart structure
// split by readTree where it can (see tree.go).
func readEnvelope(raw []byte) (*enmime.Envelope, error) {
	if useTree {
		if root, ok := readTree(parser, raw); ok {
			return parser.EnvelopeFromPart(root)
		}
	}
	return parser.ReadEnvelope(bytes.NewReader(raw))
}

// useTree is off only in tests that compare with enmime's own reading.
var useTree = true

// hasHeader reports whether raw starts with at least one header field.
func hasHeader(raw []byte) bool {
	line := raw
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line = raw[:i]
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	for _, c := range line[:colon] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

func addressList(env *enmime.Envelope, key string) []Address {
	list, err := env.AddressList(key)
	if err != nil && len(list) == 0 {
		// Fall back to a lenient split for headers net/mail refuses.
		return lenientAddresses(env.GetHeader(key))
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		if a == nil || !strings.Contains(a.Address, "@") {
			continue
		}
		out = append(out, Address{Name: sanitizeName(a.Name), Email: strings.ToLower(a.Address)})
	}
	return out
}

// lenientAddresses picks addr-specs out of a header net/mail cannot parse.
func lenientAddresses(v string) []Address {
	var out []Address
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if a, err := mail.ParseAddress(part); err == nil {
			out = append(out, Address{Name: sanitizeName(a.Name), Email: strings.ToLower(a.Address)})
			continue
		}
		if l, r := strings.LastIndexByte(part, '<'), strings.LastIndexByte(part, '>'); l >= 0 && r > l {
			e := strings.TrimSpace(part[l+1 : r])
			if strings.Count(e, "@") == 1 && !strings.ContainsAny(e, " \t\r\n\"") {
				out = append(out, Address{Name: sanitizeName(strings.Trim(part[:l], " \"")), Email: strings.ToLower(e)})
			}
		}
	}
	return out
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

// MessageID extracts the first <id> of a header value, without brackets.
func MessageID(v string) string {
	ids := MessageIDs(v)
	if len(ids) == 0 {
		v = strings.TrimSpace(v)
		if v != "" && !strings.ContainsAny(v, " \t<>") && len(v) < 1000 {
			return v
		}
		return ""
	}
	return ids[0]
}

// MessageIDs extracts every <id> of a header value, in order, without
// brackets; at most 100 are kept.
func MessageIDs(v string) []string {
	var ids []string
	for len(ids) < 100 {
		l := strings.IndexByte(v, '<')
		if l < 0 {
			break
		}
		r := strings.IndexByte(v[l:], '>')
		if r < 0 {
			break
		}
		id := strings.TrimSpace(v[l+1 : l+r])
		if id != "" && len(id) < 1000 && !strings.ContainsAny(id, " \t\r\n") {
			ids = append(ids, id)
		}
		v = v[l+r+1:]
	}
	return ids
}

// Header reads only the header section of raw: enough for the duplicate
// check before the expensive full parse. Values are not decoded.
func Header(raw []byte) (textproto.MIMEHeader, error) {
	end := bytes.Index(raw, []byte("\n\n"))
	if e2 := bytes.Index(raw, []byte("\r\n\r\n")); e2 >= 0 && (end < 0 || e2 < end) {
		end = e2 + 2
	}
	if end < 0 {
		end = len(raw)
	} else {
		end++
	}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(raw[:end:end], '\n'))))
	h, err := r.ReadMIMEHeader()
	if len(h) == 0 && err != nil {
		return nil, err
	}
	return h, nil
}
