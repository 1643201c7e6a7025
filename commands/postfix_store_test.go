package commands

import (
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
)

// TestPostfixConfigPostgresURL: every MX host gets the same lines with the
// store's URL; a password never goes into the world-readable master.cf,
// nor anything Postfix would expand or split.
func TestPostfixConfigPostgresURL(t *testing.T) {
	c := newCLI(t)
	url := "postgres://smartbcc@db.acme.example/smartbcc?sslmode=verify-full&application_name=mx1"
	out := c.ok("postfix-config", "--domain", "bcc.acme.example", "--store", url)
	if !strings.Contains(out, "argv=/usr/local/bin/smartbcc --db "+url+" ingest ") || !strings.Contains(out, ".pgpass") {
		t.Errorf("postfix-config with a URL:\n%s", out)
	}
	if strings.Contains(out, "directory must be owned") {
		t.Errorf("a PostgreSQL store has no file to own:\n%s", out)
	}
	for _, bad := range []struct{ url, want string }{
		{"postgres://smartbcc:s3cret@db.acme.example/smartbcc", "~/.pgpass"},
		{"postgres://smartbcc@db.acme.example/smartbcc?password=s3cret", "~/.pgpass"},
		{"postgres://smartbcc@db.acme.example/smart$bcc", "expand"},
	} {
		r := c.fails(bad.want, "postfix-config", "--domain", "bcc.acme.example", "--store", bad.url)
		if strings.Contains(r.err, "s3cret") {
			t.Errorf("the error shows the password: %q", r.err)
		}
	}
}

// TestPostfixConfigSilentPostgres: postfix-config only prints lines; it
// looks at the store only to compare --domain with its Bcc domain. A
// PostgreSQL server that takes the connection and never answers (a host
// down behind a proxy, a full backlog) gets a short look, and a warning
// that says so, not the pipe's whole connect timeout and "store is busy".
func TestPostfixConfigSilentPostgres(t *testing.T) {
	addr := pgtest.SilentServer(t)
	c := newCLI(t)
	url := "postgres://smartbcc@" + addr + "/smartbcc"
	for _, args := range [][]string{
		{"postfix-config", "--domain", "bcc.acme.example", "--store", url},
		{"--db", url, "postfix-config", "--lmtp", "--domain", "bcc.acme.example"},
	} {
		r := c.run(args...)
		if r.code != 0 || !strings.Contains(r.out, "bcc.acme.example") {
			t.Errorf("%s: exit %d, stdout:\n%s", strings.Join(args, " "), r.code, r.out)
		}
		want := "smartbcc: warning: --domain not compared with the store's Bcc domain: the store " + url + " did not answer within 3s\n"
		if r.err != want {
			t.Errorf("%s: stderr %q, want %q", strings.Join(args, " "), r.err, want)
		}
	}
}
