package commands

import (
	"os"
	"strings"
	"testing"
)

// TestPostfixConfigFollowsFlags: the pipe's store is the global --db
// (absolute, as the pipe runs elsewhere), the DNS and --auth options reach
// the pipe's command line, and Postfix's message_size_limit is --max-size
// with the pipe's own limit a little above it (Postfix adds headers).
func TestPostfixConfigFollowsFlags(t *testing.T) {
	c := newCLI(t)
	t.Chdir(t.TempDir())
	out := c.ok("--dns-server", "127.0.0.1:5353", "postfix-config", "--domain", "bcc.acme.example", "--auth", "trust-authres=mx.acme.example", "--max-size", "60000000")
	wd, _ := os.Getwd()
	for _, want := range []string{
		" argv=/usr/local/bin/smartbcc --db " + c.db + " --dns-server 127.0.0.1:5353 ingest --recipient ",
		" --max-size 60016384 --auth trust-authres=mx.acme.example\n",
		"\nmessage_size_limit = 60000000\n",
		"\nmailbox_size_limit = 60000000\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("postfix-config lacks %q:\n%s", want, out)
		}
	}
	// A relative --db is made absolute; the default limit needs no
	// mailbox_size_limit; --auth verify is the pipe's default.
	r := c.run("--db", "rel/store.db", "--dns-zone", "zone.txt", "postfix-config", "--domain", "bcc.acme.example")
	if r.code != 0 {
		t.Fatalf("postfix-config --db rel/store.db: exit %d %q", r.code, r.err)
	}
	for _, want := range []string{
		"--db " + wd + "/rel/store.db --dns-zone " + wd + "/zone.txt ingest ",
		"\nmessage_size_limit = 26214400\n",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("postfix-config lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.out, "mailbox_size_limit") || strings.Contains(r.out, "--auth") {
		t.Errorf("postfix-config with defaults:\n%s", r.out)
	}
	// --store still wins over --db.
	if out := c.ok("postfix-config", "--domain", "bcc.acme.example", "--store", "/srv/crm/store.db"); !strings.Contains(out, "--db /srv/crm/store.db ingest ") {
		t.Errorf("--store not honoured:\n%s", out)
	}
	// --lmtp: the same message_size_limit, and serve's --max-size with
	// the same room (the flag was once ignored there: the lines set no
	// message_size_limit, and Postfix's own 10 MB applied whatever
	// --max-size said).
	out = c.ok("postfix-config", "--domain", "bcc.acme.example", "--lmtp", "--max-size", "60000000")
	for _, want := range []string{
		"serve --lmtp unix:/var/spool/postfix/private/smartbcc --max-size 60016384\n",
		"\nmessage_size_limit = 60000000\n",
		"\nmailbox_size_limit = 60000000\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("postfix-config --lmtp lacks %q:\n%s", want, out)
		}
	}
	c.fails("--max-size", "postfix-config", "--domain", "bcc.acme.example", "--lmtp", "--max-size", "0")
	c.fails("auth", "postfix-config", "--domain", "bcc.acme.example", "--auth", "sometimes")
	c.fails("--db /tmp/a b/s.db", "--db", "/tmp/a b/s.db", "postfix-config", "--domain", "bcc.acme.example")
}
