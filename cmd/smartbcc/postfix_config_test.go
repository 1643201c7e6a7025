// Helpers shared with postfix_e2e_test.go (a test DNS world, DKIM
// signing, parsing what `smartbcc postfix-config` prints), and
// TestPostfixConfigLines, which checks those printed lines without Postfix:
// their shape, and that the pipe's argv, with Postfix's macros expanded as
// pipe(8) does, is an ingest command line that files a message.
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/smartbcc/smartbcc/commands"
)

const (
	pfBccDomain = "bcc.acme.example"
	pfUniversal = "acme@bcc.acme.example"
	pfSelector  = "e2e"
)

// ---------------------------------------------------------------------------
// Messages, DKIM and DNS

// pfWorld is acme.example as DNS sees it: SPF allowing 127.0.0.1 (where
// swaks connects from), DMARC p=reject and an ed25519 DKIM key made for
// the run; forged.example's SPF allows only 192.0.2.66, attacker.example's
// pfAttackerIP.
type pfWorld struct {
	priv ed25519.PrivateKey
	zone string
}

func newPfWorld(t *testing.T, dir string) *pfWorld {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	zone := filepath.Join(dir, "zone.txt")
	text := fmt.Sprintf(`$ORIGIN acme.example.
@               300 IN TXT "v=spf1 ip4:127.0.0.1 -all"
_dmarc          300 IN TXT "v=DMARC1; p=reject"
%s._domainkey  300 IN TXT "v=DKIM1; k=ed25519; p=%s"
$ORIGIN forged.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.66 -all"
%s`, pfSelector, base64.StdEncoding.EncodeToString(pub), pfAttackerZone)
	if err := os.WriteFile(zone, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return &pfWorld{priv: priv, zone: zone}
}

// pfAnnMessage is a message from Ann; id is its Message-ID without <>.
func pfAnnMessage(id, subject, to, body string) string {
	h := []string{
		"From: Ann Seller <ann@acme.example>",
		"To: " + to,
		"Subject: " + subject,
		"Date: Mon, 02 Nov 2026 09:00:00 +0000",
		"Message-ID: <" + id + ">",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
	}
	return strings.Join(h, "\r\n") + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
}

func (w *pfWorld) sign(t *testing.T, raw string) string {
	t.Helper()
	var out bytes.Buffer
	if err := dkim.Sign(&out, strings.NewReader(raw), &dkim.SignOptions{
		Domain: "acme.example", Selector: pfSelector, Signer: w.priv,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"},
	}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// ---------------------------------------------------------------------------
// postfix-config output

// pfConfigLines splits `smartbcc postfix-config` output into the master.cf
// lines (a service line and its indented continuation lines) and the
// main.cf "name = value" lines, comments and blank lines dropped.
func pfConfigLines(t *testing.T, out string) (master, main []string) {
	t.Helper()
	var section *[]string
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "#") && strings.HasSuffix(trimmed, "master.cf"):
			section = &master
		case strings.HasPrefix(trimmed, "#") && strings.HasSuffix(trimmed, "main.cf"):
			section = &main
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case section == nil:
			t.Fatalf("postfix-config: line before any master.cf/main.cf header: %q", line)
		default:
			*section = append(*section, line)
		}
	}
	if len(master) == 0 || len(main) == 0 {
		t.Fatalf("postfix-config printed no master.cf or no main.cf lines:\n%s", out)
	}
	return master, main
}

// pfService is the parsed pipe service.
type pfService struct {
	fields []string          // the 8 master.cf columns
	attrs  map[string]string // flags=, user=, ...
	argv   []string
}

func pfParseService(t *testing.T, master []string) pfService {
	t.Helper()
	if strings.HasPrefix(master[0], " ") || strings.HasPrefix(master[0], "\t") {
		t.Fatalf("master.cf lines start with a continuation line: %q", master[0])
	}
	for _, l := range master[1:] {
		if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
			t.Fatalf("postfix-config printed more than one master.cf service: %q", master)
		}
	}
	words := strings.Fields(strings.Join(master, " "))
	if len(words) < 8 {
		t.Fatalf("master.cf service line too short: %q", master)
	}
	s := pfService{fields: words[:8], attrs: map[string]string{}}
	rest := words[8:]
	for i, w := range rest {
		if strings.HasPrefix(w, "argv=") {
			s.argv = append([]string{strings.TrimPrefix(w, "argv=")}, rest[i+1:]...)
			break
		}
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			t.Fatalf("master.cf: %q is not name=value before argv=", w)
		}
		s.attrs[k] = v
	}
	if len(s.argv) == 0 {
		t.Fatalf("master.cf service has no argv=: %q", master)
	}
	return s
}

func pfMainParams(t *testing.T, main []string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range main {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("main.cf line is not name = value: %q", l)
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m
}

// pfExpand replaces Postfix pipe(8) macros in argv.
func pfExpand(argv []string, macros map[string]string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		for k, v := range macros {
			a = strings.ReplaceAll(a, "${"+k+"}", v)
		}
		out[i] = a
	}
	return out
}

// pfRun runs smartbcc in-process.
func pfRun(stdin string, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = commands.Run(context.Background(), args, commands.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errb})
	return out.String(), errb.String(), code
}

func TestPostfixConfigLines(t *testing.T) {
	// The defaults: a SMARTBCC_DB of the shell running the tests would
	// be the pipe's store.
	t.Setenv("SMARTBCC_DB", "")
	stdout, stderr, code := pfRun("", "postfix-config", "--domain", pfBccDomain)
	if code != 0 {
		t.Fatalf("postfix-config: exit %d, %q", code, stderr)
	}
	master, main := pfConfigLines(t, stdout)
	svc := pfParseService(t, master)
	// service type private unpriv chroot wakeup maxproc command: pipe must
	// not be unprivileged (it switches to user=) nor chrooted (the binary
	// and the store are outside the queue directory).
	if svc.fields[0] != "smartbcc" || svc.fields[1] != "unix" || svc.fields[3] != "n" || svc.fields[4] != "n" || svc.fields[7] != "pipe" {
		t.Fatalf("master.cf service columns %q, want smartbcc unix ? n n ? ? pipe", svc.fields)
	}
	for _, f := range []string{"R", "X"} {
		if !strings.Contains(svc.attrs["flags"], f) {
			t.Errorf("pipe flags=%q lacks %s", svc.attrs["flags"], f)
		}
	}
	// D makes Postfix bounce mail with a forged Delivered-To of the Bcc
	// address to its forged sender (backscatter); ingest detects loops.
	if strings.Contains(svc.attrs["flags"], "D") {
		t.Errorf("pipe flags=%q has D: Postfix would bounce forged loops to their senders", svc.attrs["flags"])
	}
	// Without null_sender= pipe(8) expands a null envelope sender (bounces,
	// auto-replies) to "MAILER-DAEMON", and ingest cannot tell it apart
	// from a sender address.
	if v, ok := svc.attrs["null_sender"]; !ok || v != "" {
		t.Errorf("pipe attributes %v: want null_sender= (empty) so that ${sender} of a bounce is empty, not MAILER-DAEMON", svc.attrs)
	}
	if u := svc.attrs["user"]; u == "" || u == "root" || strings.HasPrefix(u, "root:") {
		t.Errorf("pipe user=%q, want an unprivileged user", u)
	}
	if svc.argv[0] != "/usr/local/bin/smartbcc" {
		t.Errorf("argv[0] = %q, want the default binary", svc.argv[0])
	}
	joined := strings.Join(svc.argv, " ")
	for _, want := range []string{"--db /var/lib/smartbcc/smartbcc.db", " ingest ", "--recipient ${recipient}", "--sender ${sender}", "--client-ip ${client_address}"} {
		if !strings.Contains(joined, want) {
			t.Errorf("argv %q lacks %q", joined, want)
		}
	}
	params := pfMainParams(t, main)
	for k, v := range map[string]string{
		"virtual_mailbox_domains":              pfBccDomain,
		"virtual_transport":                    "smartbcc",
		"smartbcc_destination_recipient_limit": "1",
	} {
		if params[k] != v {
			t.Errorf("main.cf %s = %q, want %q", k, params[k], v)
		}
	}

	// Flags that change the printed lines.
	stdout, stderr, code = pfRun("", "postfix-config", "--domain", pfBccDomain, "--user", "crm", "--binary", "/opt/bin/smartbcc", "--store", "/srv/crm/store.db")
	if code != 0 {
		t.Fatalf("postfix-config with flags: exit %d, %q", code, stderr)
	}
	master, _ = pfConfigLines(t, stdout)
	svc = pfParseService(t, master)
	if svc.attrs["user"] != "crm" || svc.argv[0] != "/opt/bin/smartbcc" || !strings.Contains(strings.Join(svc.argv, " "), "--db /srv/crm/store.db ") {
		t.Errorf("flags not honoured: %q", master)
	}
	// Refusals.
	if _, stderr, code := pfRun("", "postfix-config", "--domain", pfBccDomain, "--user", "root"); code == 0 || !strings.Contains(stderr, "root") {
		t.Errorf("--user root: exit %d %q, want a refusal", code, stderr)
	}
	if _, _, code := pfRun("", "postfix-config", "--domain", "not a domain"); code == 0 {
		t.Errorf("invalid --domain accepted")
	}
	if _, _, code := pfRun("", "postfix-config"); code == 0 {
		t.Errorf("missing --domain accepted")
	}

	// The argv really is an ingest command line: with the macros expanded
	// as pipe(8) does, it files a signed message. Mail submitted on this
	// host (sendmail, no SMTP client) expands ${client_address} and
	// ${client_helo} to empty arguments; DKIM alone must then be enough.
	dir := t.TempDir()
	db := filepath.Join(dir, "store.db")
	w := newPfWorld(t, dir)
	stdout, stderr, code = pfRun("", "postfix-config", "--domain", pfBccDomain, "--store", db)
	if code != 0 {
		t.Fatalf("postfix-config: exit %d, %q", code, stderr)
	}
	master, _ = pfConfigLines(t, stdout)
	argv := pfParseService(t, master).argv[1:] // drop the binary
	for _, args := range [][]string{
		{"init", "--company", "Acme", "--domain", pfBccDomain},
		{"user", "add", "ann@acme.example", "--name", "Ann"},
	} {
		if _, stderr, code := pfRun("", append([]string{"--db", db}, args...)...); code != 0 {
			t.Fatalf("smartbcc %q: exit %d %q", args, code, stderr)
		}
	}
	for i, macros := range []map[string]string{
		{"recipient": pfUniversal, "sender": "ann@acme.example", "client_address": "127.0.0.1", "client_helo": "mail.acme.example", "queue_id": "4ABC1234"},
		{"recipient": pfUniversal, "sender": "ann@acme.example", "client_address": "", "client_helo": "", "queue_id": "4ABC1235"},
	} {
		args := append([]string{"--dns-zone", w.zone, "--json"}, pfExpand(argv, macros)...)
		if strings.Contains(strings.Join(args, " "), "${") {
			t.Fatalf("unexpanded macro left in %q (extend pfExpand)", args)
		}
		raw := w.sign(t, pfAnnMessage(fmt.Sprintf("cfg%d@acme.example", i), "Proposal", "bob@customer.example", "Hello\n"))
		stdout, stderr, code := pfRun(raw, args...)
		if code != 0 || !strings.Contains(stdout, `"status":"stored"`) {
			t.Errorf("pipe argv with %v: exit %d, stdout %q, stderr %q", macros, code, stdout, stderr)
		}
	}
}
