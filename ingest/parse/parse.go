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
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/smartbcc/smartbcc/ingest/encword"
)

// ErrNotMessage means the input has no header section at all.
var ErrNotMessage = errors.New("not an email message: no header fields")

// Limits bound the work one message can cause. They are applied while
// the structure is read, so that parsing is linear in the input.
type Limits struct {
	MaxParts int // parts beyond this are neither read nor kept
	MaxDepth int // multipart levels below this are not read
}

// DefaultLimits are generous for real mail and small for hostile mail.
var DefaultLimits = Limits{MaxParts: 1000, MaxDepth: 30}

// maxFallbackText bounds the body text kept of a message whose MIME
// structure cannot be read.
const maxFallbackText = 1 << 20

// Address is a decoded address.
type Address struct {
	Name  string
	Email string // lowercase
}

// Attachment is one attached file.
type Attachment struct {
	Name        string
	ContentType string
	Content     []byte // nil after ParseBodyMeta
	Size        int64  // the content's length, kept by ParseBodyMeta too
	SHA256      string
}

// Message is the parsed message.
type Message struct {
	Header     textproto.MIMEHeader // valid fields, values decoded for display, canonical keys
	MessageID  string               // without angle brackets
	InReplyTo  string
	References []string
	Subject    string
	Date       time.Time
	// The address fields, read for display and participants (see
	// DisplayAddresses): never to decide who sent a message, which is
	// mailaddr.Author of Fields.
	From       []Address
	Sender     []Address
	To, Cc     []Address
	Bcc        []Address
	ReplyTo    []Address
	Text, HTML string
	// Attachments are files; message/rfc822 parts go to Attached instead,
	// or to Digest when they are the messages of a multipart/digest.
	Attachments []Attachment
	Attached    [][]byte
	// Digest holds the messages of the multipart/digest parts (RFC 2046
	// 5.1.5: a list's digest), the message itself or a part of it. They
	// are its content, not attached mail: never a forwarded original, and
	// their text is in Text, each under its subject.
	Digest [][]byte
	// IsDigest is set when the message itself is a multipart/digest: a
	// collection its sender put together, which is never a forward.
	IsDigest bool
	// Problems are non-fatal parse errors, for --explain.
	Problems []string
	// Fields is the header as written, for what decides: the author
	// (mailaddr.Author), the singleton rule, noise. Header above is the
	// same fields decoded for display.
	Fields Fields
	// BodyOffset is where the body starts in the raw message.
	BodyOffset int
	// inDigest is set on a digest's message read for the digest's text
	// (digestText): its own digests add no text.
	inDigest bool
}

var parserOptions = []enmime.Option{
	enmime.DisableCharacterDetection(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.MaxStoredPartErrors(maxPartErrors),
	enmime.SetCustomParseMediaType(parseMediaType),
}

var parser = enmime.NewParser(parserOptions...)

// Parse parses raw. It fails only for input that is not a message at all.
//
// The header fields are read by ReadFields (header.go), the MIME
// structure and the bodies by enmime: what decides and what is shown of
// the header comes from one reading, the same as ParseHeader's.
func Parse(raw []byte, lim Limits) (*Message, error) {
	m, err := ParseHeader(raw)
	if err != nil {
		return nil, err
	}
	m.ParseBody(raw, lim)
	return m, nil
}

// ParseHeader parses only the header section of raw: the same header
// fields as Parse (decoded headers, Message-IDs, subject, date,
// addresses), no bodies, attachments or attached messages. It is for
// deciding about a message before paying for its body: mail refused on
// its header alone (bulk, auto-replies, loops, unknown senders) needs
// nothing more. Its cost is linear in the header's length. It fails only
// for input that is not a message at all.
func ParseHeader(raw []byte) (*Message, error) {
	fs, body := ReadFields(raw)
	if !fs.IsMessage() {
		return nil, ErrNotMessage
	}
	m := fromFields(fs)
	m.BodyOffset = body
	return m, nil
}

// HeaderOf reads the header part of a Message from fs as ParseHeader
// does, whether or not fs starts with a valid field: for a message
// attached to another, which may start with an mbox ">From " line.
func HeaderOf(fs Fields) *Message { return fromFields(fs) }

// ParseBody fills the bodies, attachments and attached messages of m, a
// Message ParseHeader read from the same raw bytes.
func (m *Message) ParseBody(raw []byte, lim Limits) { m.parseBody(raw, lim, false) }

// ParseBodyMeta is ParseBody for a caller that keeps of an attachment
// only its name, type, size and SHA-256, such as an import (the store
// keeps the content once, in the raw message): the Attachments have no
// Content, and a base64 attachment is decoded into a recycled buffer
// instead of a new one. Everything else is ParseBody's
// (TestParseBodyMetaMatchesParseBody).
func (m *Message) ParseBodyMeta(raw []byte, lim Limits) { m.parseBody(raw, lim, true) }

func (m *Message) parseBody(raw []byte, lim Limits, meta bool) {
	// enmime reads the header again for the MIME fields; it does not
	// know the byte order mark.
	bomLen := len(raw)
	raw = bytes.TrimPrefix(raw, bom)
	bomLen -= len(raw)
	raw, bodyStart := m.bodyAfterMissingEmptyLine(raw, bomLen)
	var sums map[*enmime.Part]fileSum
	if meta {
		sums = map[*enmime.Part]fileSum{}
	}
	env, truncated, err := readEnvelope(raw, lim, sums)
	if err != nil {
		// Real mail can be broken in ways enmime refuses outright (a
		// malformed Content-Type, say). It is still mail: file it with
		// its headers and its body as text (the first maxFallbackText
		// bytes: a structure this broken is rarely a real letter).
		body := raw[min(bodyStart, len(raw)):]
		if len(body) > maxFallbackText {
			body = body[:maxFallbackText]
			m.Problems = append(m.Problems, fmt.Sprintf("body text cut at %d bytes", maxFallbackText))
		}
		m.Text = string(body)
		m.Problems = append(m.Problems, "MIME structure unreadable, body kept as text: "+err.Error())
		return
	}
	if truncated {
		m.Problems = append(m.Problems, fmt.Sprintf("more than %d parts or %d levels of nesting: the rest is not read", lim.MaxParts, lim.MaxDepth))
	}
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
	// A message whose Content-Type is no type/subtype ("text", as some
	// mailers wrote it) is plain text: RFC 2045 5.2 has a syntactically
	// invalid Content-Type read as the default, text/plain, and Python
	// and notmuch read it so. enmime made it a nameless attachment, and
	// the message had no text to show or search. One with a file name
	// stays a file.
	invalidType := env.Root != nil && env.Root.FirstChild == nil && !strings.Contains(env.Root.ContentType, "/") &&
		env.Root.FileName == "" && m.Text == "" && m.HTML == ""
	if invalidType {
		if env.Root.Charset != "" {
			m.Text = encword.ToUTF8(env.Root.Charset, env.Root.Content)
		} else {
			m.Text = encword.ValidUTF8(string(env.Root.Content))
		}
		m.Problems = append(m.Problems, fmt.Sprintf("Content-Type %q is no type/subtype: read as text/plain", env.Root.ContentType))
	}
	seen := 0
	collect := func(parts []*enmime.Part) {
		for _, p := range parts {
			if (brokenMultipart || invalidType) && p == env.Root {
				continue
			}
			seen++
			if seen > lim.MaxParts {
				return
			}
			if digestMember(p) {
				m.Digest = append(m.Digest, p.Content)
				continue
			}
			if strings.EqualFold(p.ContentType, "message/rfc822") {
				m.Attached = append(m.Attached, p.Content)
				continue
			}
			content, size := p.Content, len(p.Content)
			var sum [sha256.Size]byte
			if s, ok := sums[p]; ok {
				sum, size = s.sha256, s.size
			} else {
				sum = sha256.Sum256(p.Content)
			}
			if meta {
				content = nil
			}
			m.Attachments = append(m.Attachments, Attachment{
				Name:        p.FileName,
				ContentType: p.ContentType,
				Content:     content,
				Size:        int64(size),
				SHA256:      hex.EncodeToString(sum[:]),
			})
		}
	}
	collect(env.Attachments)
	// enmime lists every part with "Content-Disposition: inline" among
	// the Inlines, the parts it took as the text and the HTML too (mutt
	// marks a signed mail's text inline, Gmail marked both of its
	// alternatives): those are the body, not nameless files. A named
	// inline part stays a file, as Python and notmuch list it.
	var htmlBody *enmime.Part
	if env.Root != nil && len(env.Inlines) > 0 { // the walk is for them alone
		htmlBody = env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
			return p.ContentType == "text/html" && p.Disposition != "attachment"
		})
	}
	var inlines []*enmime.Part
	for _, p := range env.Inlines {
		body := p.FileName == "" && (p.ContentType == "text/plain" || p == htmlBody)
		if !body {
			inlines = append(inlines, p)
		}
	}
	collect(inlines)
	// Parts without a Content-Disposition that are not the text: a
	// forwarded message is often one, and so is a file many mailers send
	// with its name in the Content-Type alone ("image/gif; name=a.gif",
	// Outlook's related images, a PGP signature). A named one is a file,
	// as Python's email package and notmuch list it; a nameless one (a
	// delivery report's status part, a text/enriched alternative) is not.
	// They come after the others, so that the index of every attachment
	// counted before stays what it was.
	var others []*enmime.Part
	for _, p := range env.OtherParts {
		if strings.EqualFold(p.ContentType, "message/rfc822") || p.FileName != "" || digestMember(p) {
			others = append(others, p)
		}
	}
	collect(others)
	if seen > lim.MaxParts {
		m.Problems = append(m.Problems, fmt.Sprintf("%d parts, only the first %d kept", seen, lim.MaxParts))
	}
	m.IsDigest = env.Root != nil && strings.EqualFold(env.Root.ContentType, "multipart/digest")
	if len(m.Digest) > 0 && !m.inDigest {
		m.Text = digestText(m.Text, m.Digest, lim)
	}
}

// bodyAfterMissingEmptyLine returns raw, or, for a message whose header
// runs into its body without the empty line between them ("Subject:
// x\r\nthe text..."), raw with an empty line put before the first line
// that is no field, so that the bodies are read from there, as Python's
// email package reads such mail (it was lost from text and search).
//
// What decides is not changed: m.Fields and BodyOffset stay the header
// up to the first empty line, as a DKIM verifier (go-msgauth) reads it,
// lines that are no field included, so that authentication and parse agree
// on every field. Only the text, HTML and files shown come from the body
// read this way.
//
// Not when the header has a DKIM-Signature: a signature vouches only for
// the body after the empty line, and header lines may be added to a
// signed message without breaking it, so text read from header lines
// could be anyone's, shown under a signature that passed. Without one,
// only SPF can authenticate the message, and it vouches for every byte
// (the whole message came from the sender's server), recovered text
// included. In the common case (every line a field) this costs one look
// at each field. body is where the body starts in out; bomLen is the
// length of the byte order mark taken off raw before.
func (m *Message) bodyAfterMissingEmptyLine(raw []byte, bomLen int) (out []byte, body int) {
	off := -1
	for _, f := range m.Fields {
		if !f.Valid {
			off = f.Offset - bomLen // the field's offset counts the byte order mark raw no longer has
			break
		}
	}
	if off <= 0 || off > len(raw) || m.Fields.Count("DKIM-Signature") > 0 {
		return raw, m.BodyOffset
	}
	eol := "\n"
	if off >= 2 && raw[off-2] == '\r' {
		eol = "\r\n"
	}
	m.Problems = append(m.Problems, "no empty line between header and body: the body is read from the first line that is no field")
	out = make([]byte, 0, len(raw)+len(eol))
	return append(append(append(out, raw[:off]...), eol...), raw[off:]...), off + len(eol)
}

// digestMember reports a message of a multipart/digest: a message/rfc822
// part, or one without a Content-Type, which RFC 2046 5.1.5 makes
// message/rfc822 there and enmime leaves untyped (it was lost: neither a
// text, nor a file, nor an attached message).
func digestMember(p *enmime.Part) bool {
	return p.Parent != nil && strings.EqualFold(p.Parent.ContentType, "multipart/digest") &&
		(p.ContentType == "" || strings.EqualFold(p.ContentType, "message/rfc822"))
}

// digestText is a digest's text: its own (a list's table of contents),
// then each of its messages' subject and text, as a reader goes through a
// digest. Each message is read as a Message (ParseBodyMeta, within lim),
// but a digest inside one adds no text: each byte is read at most twice,
// whatever the nesting.
func digestText(own string, members [][]byte, lim Limits) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(own, "\r\n"))
	for _, raw := range members {
		h, err := ParseHeader(raw)
		if err != nil {
			continue
		}
		h.inDigest = true
		h.ParseBodyMeta(raw, lim)
		subject, text := h.Subject, h.Text // enmime's Text: the HTML's when there is no plain text
		if strings.TrimSpace(subject+text) == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if subject != "" {
			b.WriteString(subject + "\n\n")
		}
		b.WriteString(strings.TrimRight(text, "\r\n"))
	}
	return b.String()
}

// readEnvelope is enmime's ReadEnvelope, with the multipart structure
// split by readTree where it can (see tree.go), within lim. Where readTree
// leaves a message to enmime, enmime's reader is used only for a structure
// small enough that its quadratic sibling lists and unbounded nesting cost
// little (structureFits); anything bigger is errTooComplex.
//
// With sums (ParseBodyMeta), base64 attachments of a multipart message
// are hashed as they are decoded and keep no content (see readLeaf).
func readEnvelope(raw []byte, lim Limits, sums map[*enmime.Part]fileSum) (env *enmime.Envelope, truncated bool, err error) {
	if useTree {
		if root, truncated, ok := readTree(parser, raw, lim, sums); ok {
			env, err := parser.EnvelopeFromPart(root)
			return env, truncated, err
		}
		if root, ok := readSingle(parser, raw); ok {
			env, err := parser.EnvelopeFromPart(root)
			return env, false, err
		}
	}
	if !structureFits(raw) {
		return nil, false, errTooComplex
	}
	env, err = parser.ReadEnvelope(bytes.NewReader(raw))
	return env, false, err
}

// errTooComplex is a MIME structure readTree cannot split and too big to
// hand to enmime.
var errTooComplex = errors.New("MIME structure too complex to read (too many boundaries or levels)")

// What enmime's reader may be given. Its cost grows with the square of the
// parts at one level (Part.AddChild) and doubles with each level of
// multipart that is not closed (25 open levels, under 1 KB, took 79 s).
// With at most 6 multipart levels and 1000 boundary lines the worst shape
// measured took 0.12 s; the messages of the shared corpora that readTree
// leaves to enmime have at most 6 and 21.
const (
	enmimeMaxMultiparts = 6
	enmimeMaxBoundaries = 1000
)

// EnmimeSafe reports whether enmime's ReadEnvelope may be given raw (see
// structureFits): for callers that parse with enmime themselves.
func EnmimeSafe(raw []byte) bool { return structureFits(raw) }

// structureFits reports whether raw may go to enmime's reader: not
// multipart at the top (no boundaries are read then), or within the
// bounds above. Both counts stop at their bound.
func structureFits(raw []byte) bool {
	ct, _, ok := splitHeader(raw)
	if !ok || !hasMultipart([]byte(ct), 1) {
		return true
	}
	return !atLeast(raw, []byte("\n--"), enmimeMaxBoundaries+1) && !hasMultipart(raw, enmimeMaxMultiparts+1)
}

// atLeast reports whether sep occurs at least n times in b; it stops
// reading at the n-th.
func atLeast(b, sep []byte, n int) bool {
	for n > 0 {
		i := bytes.Index(b, sep)
		if i < 0 {
			return false
		}
		b = b[i+len(sep):]
		n--
	}
	return true
}

// hasMultipart reports whether b mentions "multipart/" (any case) at
// least n times.
func hasMultipart(b []byte, n int) bool {
	const word = "multipart"
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '/')
		if j < 0 {
			return false
		}
		i += j
		if i >= len(word) && bytes.EqualFold(b[i-len(word):i], []byte(word)) {
			if n--; n <= 0 {
				return true
			}
		}
		i++
	}
	return false
}

// useTree is off only in tests that compare with enmime's own reading.
var useTree = true

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

// Header reads only the header section of raw (ReadFields), values
// decoded for display: enough for the duplicate check before the
// expensive full parse.
func Header(raw []byte) (textproto.MIMEHeader, error) {
	fs, _ := ReadFields(raw)
	if !fs.IsMessage() {
		return nil, ErrNotMessage
	}
	return fs.Header(), nil
}
