package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/resolver/resolvertest"
)

// TestAuthCheckDecision: auth check says what ingest would do on
// authentication alone, and exits the same way with and without --json
// (0 stored, 1 rejected, 4 deferred), so that scripts can use it.
func TestAuthCheckDecision(t *testing.T) {
	w := newMailWorld(t)
	zoneText, err := os.ReadFile(w.zone)
	if err != nil {
		t.Fatal(err)
	}
	// The same zone on a loopback server that fails for acme.example's
	// SPF record, for the temporary case.
	failing := resolvertest.Start(t, string(zoneText), resolvertest.Options{ServFail: []string{"acme.example"}})

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A server for the DNS cases of issue 13: a record that names senders
	// by local part (exists:%{l}), which DNS writes escaped for o'brien.
	long := strings.Repeat("a", 64) + ".acme.example" // aligns with acme.example (relaxed)
	escaped := resolvertest.StartServer(t, `acme.example. 300 IN TXT "v=spf1 exists:%{l}.allow.acme.example -all"
o\'brien.allow.acme.example. 300 IN A 127.0.0.2
`)
	obrien := write("obrien.eml", msg([]string{"From: Bob O'Brien <o'brien@acme.example>", "To: bob@customer.example",
		"Subject: x", "Date: Mon, 02 Nov 2026 09:00:00 +0000", "Message-ID: <ob@acme.example>"}, "x\n"))
	lyme := write("lyme.eml", msg([]string{"From: Lyme <lyme@acme.example>", "To: bob@customer.example",
		"Subject: x", "Date: Mon, 02 Nov 2026 09:00:00 +0000", "Message-ID: <ly@acme.example>"}, "x\n"))
	signed := write("signed.eml", w.sign(annMail("a@acme.example", "x", "bob@customer.example", "x\n")))
	unsigned := write("unsigned.eml", annMail("b@acme.example", "x", "bob@customer.example", "x\n"))
	notMail := write("not-mail.txt", "no colon anywhere\n")

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStatus string
		wantReason string
		wantTemp   bool
	}{
		{"signed, SPF fails: stored", []string{"--dns-zone", w.zone, "auth", "check", signed, "--client-ip", "203.0.113.1", "--sender", "ann@acme.example"},
			0, "stored", "", false},
		{"SPF passes: stored", []string{"--dns-zone", w.zone, "auth", "check", unsigned, "--client-ip", "192.0.2.10", "--sender", "ann@acme.example"},
			0, "stored", "", false},
		{"nothing passes: rejected", []string{"--dns-zone", w.zone, "auth", "check", unsigned, "--client-ip", "203.0.113.1", "--sender", "ann@acme.example"},
			1, "rejected", "auth_failed", false},
		{"SERVFAIL for the SPF record: deferred", []string{"--dns-server", failing, "auth", "check", unsigned, "--client-ip", "192.0.2.10", "--sender", "ann@acme.example"},
			exitDeferred, "deferred", "auth_failed", true},
		{"not a message: rejected", []string{"--dns-zone", w.zone, "auth", "check", notMail},
			1, "rejected", "not_a_message", false},
		// Through the network resolver: the escaped name is found...
		{"exists:%{l} for o'brien: stored", []string{"--dns-server", escaped, "auth", "check", obrien, "--client-ip", "192.0.2.10", "--sender", "o'brien@acme.example"},
			0, "stored", "", false},
		// ...and a name DNS cannot carry is refused at once, not retried
		// until the mail expires (it was a temporary DNS error).
		{"64-octet label in the aligned MAIL FROM domain: rejected", []string{"--dns-server", escaped, "auth", "check", lyme, "--client-ip", "192.0.2.10", "--sender", "lyme@" + long},
			1, "rejected", "auth_failed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t)
			text := c.run(tt.args...)
			js := c.run(append([]string{"--json"}, tt.args...)...)
			if text.code != tt.wantCode || js.code != tt.wantCode {
				t.Fatalf("exit %d in text, %d with --json; want %d\ntext:\n%s%s\njson:\n%s%s", text.code, js.code, tt.wantCode, text.out, text.err, js.out, js.err)
			}
			var out struct {
				Temporary *bool `json:"temporary"`
				Decision  struct {
					Status, Reason, Detail string
				} `json:"decision"`
			}
			if err := json.Unmarshal([]byte(js.out), &out); err != nil {
				t.Fatalf("--json output: %v\n%s", err, js.out)
			}
			if out.Temporary == nil || *out.Temporary != tt.wantTemp || out.Decision.Status != tt.wantStatus || out.Decision.Reason != tt.wantReason {
				t.Errorf("--json: %s", js.out)
			}
			if tt.wantStatus != "stored" && out.Decision.Detail == "" {
				t.Errorf("--json: no detail for %s: %s", tt.wantStatus, js.out)
			}
			if !strings.Contains(text.out, "decision: "+tt.wantStatus) {
				t.Errorf("text output does not say the decision:\n%s", text.out)
			}
		})
	}
}

// TestAuthCheckTextEscapesMail: auth check's text shows what a sender
// wrote in a DKIM-Signature (the selector, the domain, the library's
// error about them) with control characters made visible, as show does:
// an administrator runs it on the suspicious message, at a terminal.
func TestAuthCheckTextEscapesMail(t *testing.T) {
	w := newMailWorld(t)
	path := filepath.Join(t.TempDir(), "evil.eml")
	evil := "From: Ann <ann@acme.example>\r\nTo: bob@customer.example\r\nSubject: hi\r\n" +
		"DKIM-Signature: v=1; a=rsa-sha256; d=acme.example; s=sel\x1b]0;pwned\x07\x1b[31m; h=from; bh=abc; b=abc\r\n" +
		"Date: Mon, 2 Nov 2026 09:00:00 +0000\r\n\r\nbody\r\n"
	if err := os.WriteFile(path, []byte(evil), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	r := c.run("--dns-zone", w.zone, "auth", "check", path, "--client-ip", "192.0.2.1", "--sender", "ann@acme.example")
	if r.code != 1 {
		t.Fatalf("auth check exit %d, want 1 (rejected); stderr %q", r.code, r.err)
	}
	if strings.ContainsAny(r.out, "\x1b\x07") {
		t.Errorf("auth check printed a control character from the mail:\n%q", r.out)
	}
	if !strings.Contains(r.out, "s=sel^[]0") {
		t.Errorf("auth check did not show the selector escaped (^[):\n%s", r.out)
	}
	// Without a client IP nor a sender SPF checks no domain: that reads
	// as none, not as an empty pair of parentheses "(, aligned=false)".
	r = c.run("--dns-zone", w.zone, "auth", "check", path)
	if !strings.Contains(r.out, "\nspf: none (no domain checked)\n") {
		t.Errorf("auth check without sender and client IP:\n%s", r.out)
	}
}
