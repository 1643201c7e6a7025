package ingest

import (
	"bytes"
	"strings"
	"testing"
)

// TestContentKey: a message keeps its duplicate key through everything
// transport and mailboxes do to it, and any change its author made gives
// another key.
func TestContentKey(t *testing.T) {
	const base = "From: Ann <ann@acme.example>\nTo: bob@customer.example\nSubject: offer\nMessage-ID: <o1@acme.example>\n" +
		"Date: Mon, 2 Nov 2026 09:00:00 +0000\n\nHello Bob,\n\nthe offer.\n"
	key := contentKey([]byte(base))
	same := map[string]string{
		"CRLF line endings":           strings.ReplaceAll(base, "\n", "\r\n"),
		"no final newline":            strings.TrimSuffix(base, "\n"),
		"a blank line at the end":     base + "\n",
		"trace fields on top":         "Return-Path: <ann@acme.example>\nDelivered-To: acme@bcc.acme.example\nX-Original-To: acme@bcc.acme.example\nReceived: from mx (mx [192.0.2.1])\n\tby bcc; Mon, 2 Nov 2026 09:00:01 +0000\n" + base,
		"MTA fields":                  "Authentication-Results: mx; dkim=pass\nARC-Seal: i=1; a=rsa-sha256\nDKIM-Signature: v=1; a=rsa-sha256;\n b=abc\nX-Spam-Status: No\n" + base,
		"mailbox state":               strings.Replace(base, "\n\n", "\nStatus: RO\nX-Status: A\nX-Mozilla-Status: 0001\nX-Keywords: $label1\nX-UID: 4\nContent-Length: 24\nLines: 3\nX-Gmail-Labels: Inbox\n\n", 1),
		"mbox From_ line kept":        "From ann@acme.example Mon Nov  2 09:00:00 2026\n" + base,
		"quoted From_ line kept":      ">From ann@acme.example Mon Nov  2 09:00:00 2026\n" + base,
		"the sender's Bcc":            strings.Replace(base, "To: bob@customer.example\n", "To: bob@customer.example\nBcc: acme@bcc.acme.example\n", 1),
		"field names in other case":   "RECEIVED: from x\nreturn-path: <a@b>\n" + base,
		"white space before a colon":  "Received : from x\n" + base,
		"a trace field in the middle": strings.Replace(base, "Subject: offer\n", "Subject: offer\nX-Original-To: acme@bcc.acme.example\n", 1),
	}
	for name, raw := range same {
		if got := contentKey([]byte(raw)); got != key {
			t.Errorf("%s: key %s, want %s", name, got, key)
		}
	}
	other := map[string]string{
		"another Message-ID":                 strings.Replace(base, "<o1@", "<o2@", 1),
		"another subject":                    strings.Replace(base, "offer\n", "offer!\n", 1),
		"one byte of the body":               strings.Replace(base, "Hello Bob", "Hello Rob", 1),
		"a blank line in the body":           strings.Replace(base, "\n\nthe offer", "\n\n\nthe offer", 1),
		"Received: in the body":              base + "Received: counts here\n",
		"a field that only looks like trace": strings.Replace(base, "\n\n", "\nReceived-By-Hand: yes\n\n", 1),
		"no Message-ID":                      strings.Replace(base, "Message-ID: <o1@acme.example>\n", "", 1),
		"another Date":                       strings.Replace(base, "09:00:00", "09:00:01", 1),
		"leading space in the body":          strings.Replace(base, "Hello Bob", " Hello Bob", 1),
	}
	for name, raw := range other {
		if got := contentKey([]byte(raw)); got == key {
			t.Errorf("%s: same key as the original", name)
		}
	}
	if !strings.HasPrefix(key, contentKeyPrefix) || len(key) != len(contentKeyPrefix)+64 {
		t.Errorf("key %q", key)
	}
}

// A message larger than the key's buffer is hashed whole.
func TestContentKeyLongMessage(t *testing.T) {
	body := strings.Repeat("0123456789abcdef\n", 1000)
	a := "Subject: big\n\n" + body
	b := "Subject: big\n\n" + body[:len(body)/2] + "X" + body[len(body)/2+1:]
	if contentKey([]byte(a)) == contentKey([]byte(b)) {
		t.Fatal("one byte in the middle of a long body does not change the key")
	}
	if contentKey([]byte(a)) != contentKey([]byte(strings.ReplaceAll(a, "\n", "\r\n"))) {
		t.Fatal("CRLF changes the key of a long message")
	}
	long := "Subject: " + strings.Repeat("x", 10000) + "\n\n" + body
	if contentKey([]byte(long)) == contentKey([]byte(a)) {
		t.Fatal("a long header line is lost")
	}
}

// FuzzContentKey: line endings and trailing newlines never change the
// key, whatever the bytes.
func FuzzContentKey(f *testing.F) {
	f.Add([]byte("Subject: a\n\nb\n"))
	f.Add([]byte("Received: x\n y\nSubject: a\r\n\r\nb"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if strings.Contains(string(raw), "\r") {
			return // only LF input: its CRLF form is made below
		}
		k := contentKey(raw)
		crlf := []byte(strings.ReplaceAll(string(raw), "\n", "\r\n"))
		if contentKey(crlf) != k {
			t.Fatalf("CRLF form has another key")
		}
		if contentKey(append(raw, '\n')) != k {
			t.Fatalf("a final newline changes the key")
		}
		// What the way a message travelled added in front of it, an
		// MTA's trace field or an mbox's From_ line, changes nothing. (A
		// first line that is a continuation would join what is added.)
		if len(raw) > 0 && raw[0] != ' ' && raw[0] != '\t' && !bytes.HasPrefix(raw, []byte("From ")) && !bytes.HasPrefix(raw, []byte(">From ")) {
			for _, travel := range []string{"Received: from mx\n\tby mx2\n", "From sender@x.example Mon Jan  1 00:00:00 2024\n", "X-Spam-Score: 1\n"} {
				if contentKey(append([]byte(travel), raw...)) != k {
					t.Fatalf("%q in front changes the key", travel)
				}
			}
		}
	})
}
