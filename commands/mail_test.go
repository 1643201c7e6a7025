package commands

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// mailWorld is a company domain with a DKIM key made by the test, an SPF
// record allowing 192.0.2.10, and a DMARC record, written as a zone file
// for --dns-zone.
type mailWorld struct {
	t    *testing.T
	priv ed25519.PrivateKey
	zone string
}

func newMailWorld(t *testing.T) *mailWorld {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	zone := filepath.Join(t.TempDir(), "zone.txt")
	text := fmt.Sprintf(`$ORIGIN acme.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc          300 IN TXT "v=DMARC1; p=reject"
sel._domainkey  300 IN TXT "v=DKIM1; k=ed25519; p=%s"
$ORIGIN home.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.20 -all"
`, base64.StdEncoding.EncodeToString(pub))
	if err := os.WriteFile(zone, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return &mailWorld{t: t, priv: priv, zone: zone}
}

// msg builds a message; headers is "Name: value" lines.
func msg(headers []string, body string) string {
	return strings.Join(headers, "\r\n") + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(body, "\n", "\r\n")
}

// sign adds a DKIM signature of acme.example, covering every field that
// decides (a signature that leaves one out does not pass).
func (w *mailWorld) sign(raw string) string {
	w.t.Helper()
	var out bytes.Buffer
	if err := dkim.Sign(&out, strings.NewReader(raw), &dkim.SignOptions{
		Domain: "acme.example", Selector: "sel", Signer: w.priv,
		HeaderKeys: []string{"From", "Sender", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References"},
	}); err != nil {
		w.t.Fatal(err)
	}
	return out.String()
}

// deliver pipes raw into ingest as Postfix would.
func (c *cli) deliver(w *mailWorld, raw, recipient, clientIP string, extra ...string) result {
	c.t.Helper()
	args := append([]string{"--dns-zone", w.zone, "--json", "ingest", "--recipient", recipient,
		"--sender", "ann@acme.example", "--client-ip", clientIP, "--helo", "mail.acme.example"}, extra...)
	return c.runIn(raw, args...)
}
