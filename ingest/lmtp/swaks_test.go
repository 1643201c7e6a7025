package lmtp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// swaks, a client we did not write, speaks LMTP to the server: one
// message to two Bcc addresses and a foreign one, with --bounce, gets
// three replies in RCPT order, and the message is filed once.
func TestSwaksLMTP(t *testing.T) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("swaks not installed (CI=true: .ci/run must install it)")
		}
		t.Skip("swaks not installed")
	}
	ts := newTestServer(t, func(c *Config) { c.Bounce = true })
	file := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(file, annMail("swaks@acme.example"), 0o644); err != nil {
		t.Fatal(err)
	}
	host, port, _ := strings.Cut(ts.addr, ":")
	out, err := exec.Command(swaks, "--protocol", "LMTP", "--server", host, "--port", port, "--helo", "postfix.test",
		"--from", annAddr, "--to", universal+","+ts.dealAddr+",sales@elsewhere.example", "--data", "@"+file, "--timeout", "20").CombinedOutput()
	// swaks exits non-zero when a recipient is refused; the replies say
	// what happened.
	var replies []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		for _, prefix := range []string{"<-", "<**"} {
			if r, ok := strings.CutPrefix(l, prefix); ok {
				r = strings.TrimSpace(r)
				if strings.HasPrefix(r, "250 2.0.0 <") || strings.HasPrefix(r, "550 ") {
					replies = append(replies, r)
				}
			}
		}
	}
	want := []string{
		"250 2.0.0 <" + universal + "> Ok",
		"250 2.0.0 <" + ts.dealAddr + "> Ok",
		"550 5.1.1 <sales@elsewhere.example> No such recipient",
	}
	if strings.Join(replies, "\n") != strings.Join(want, "\n") {
		t.Fatalf("swaks (%v) got replies\n%s\nwant\n%s\nfull output:\n%s", err, strings.Join(replies, "\n"), strings.Join(want, "\n"), out)
	}
	if n, links := ts.stored("swaks@acme.example"); n != 1 || links != 1 {
		t.Errorf("stored %d times with %d item links, want once with the deal link", n, links)
	}
}
