// Package confirm makes and sends the email that confirms an alternate
// sender address, and checks the one-time code it carries.
//
// Only a hash of the code is stored; the code itself travels once, in the
// email to the address being confirmed. Whoever reads that mailbox can
// confirm either with `smartbcc address verify CODE` or by replying: the
// reply goes to <slug>+confirm-<code>@<bcc domain>, which ingest recognises.
package confirm

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"mime"
	"strings"
	"time"
)

// Lifetime is how long a confirmation code stays valid.
const Lifetime = 72 * time.Hour

// HeaderMarker marks our own confirmation emails so that ingest never files
// them as customer mail or answers them (mail loops).
const HeaderMarker = "X-Smartbcc-Confirmation"

var codeEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewCode returns a one-time code (80 random bits, 16 characters) and the
// hash to store.
func NewCode() (code, hash string, err error) {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("reading random code: %w", err)
	}
	code = codeEncoding.EncodeToString(b[:])
	return code, Hash(code), nil
}

// Hash is what the store keeps of a code. Codes are compared
// case-insensitively because people retype them.
func Hash(code string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(code))))
	return hex.EncodeToString(sum[:])
}

// HashEqual compares two hashes in constant time.
func HashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Email describes one confirmation email.
type Email struct {
	From      string // our sender, e.g. acme@bcc.example.com
	ReplyTo   string // acme+confirm-<code>@bcc.example.com
	To        string // the address being confirmed
	UserName  string
	UserEmail string
	Company   string
	Code      string
	Expires   time.Time
	Now       time.Time
	MessageID string // without brackets; made up when empty
}

// Compose renders the email as RFC 5322 text with CRLF line endings.
func (e Email) Compose() []byte {
	now := e.Now
	if now.IsZero() {
		now = time.Now()
	}
	msgID := e.MessageID
	if msgID == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		dom := e.From[strings.LastIndexByte(e.From, '@')+1:]
		msgID = "confirm." + hex.EncodeToString(b[:]) + "@" + dom
	}
	var buf bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	h("From", mime.QEncoding.Encode("utf-8", e.Company+" Smart Bcc")+" <"+e.From+">")
	h("To", "<"+e.To+">")
	h("Reply-To", "<"+e.ReplyTo+">")
	h("Subject", mime.QEncoding.Encode("utf-8", "Confirm "+e.To+" as a Smart Bcc sender address"))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<"+msgID+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "8bit")
	// Auto-Submitted keeps auto-responders quiet and tells our own ingest
	// this is machine mail (RFC 3834).
	h("Auto-Submitted", "auto-generated")
	h(HeaderMarker, "yes")
	buf.WriteString("\r\n")
	body := fmt.Sprintf(`Hello,

%s (%s) asked to use %s as an alternate Smart Bcc sender address
for %s. Mail from %s to the company's Bcc address will then be filed
in %s's inbox.

To confirm, either reply to this email from %s without changing the
reply address, or have an administrator run:

    smartbcc address verify %s

The code %s expires on %s.

If you did not expect this email, ignore it: nothing changes until the
address is confirmed.
`, e.UserName, e.UserEmail, e.To, e.Company, e.To, e.UserName, e.To, e.Code, e.Code,
		e.Expires.UTC().Format("2006-01-02 15:04 MST"))
	buf.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return buf.Bytes()
}
