package commands

import (
	"strings"
	"testing"
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
