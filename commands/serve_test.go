package commands

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// serve never runs as root, and says why.
func TestServeRefusesRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to see the refusal")
	}
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"--db", t.TempDir() + "/s.db", "serve", "--lmtp", "tcp:127.0.0.1:0"},
		IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
	if code == 0 || !strings.Contains(errb.String(), "refusing to run as root") {
		t.Errorf("serve as root: exit %d, %q", code, errb.String())
	}
}

func TestServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve"},
		{"serve", "--lmtp", "udp:1.2.3.4:5"},
		{"serve", "--lmtp", "tcp:127.0.0.1:0", "--client-from", "header"},
		{"serve", "--lmtp", "tcp:127.0.0.1:0", "--auth", "maybe"},
	} {
		var errb bytes.Buffer
		code := Run(context.Background(), append([]string{"--db", t.TempDir() + "/s.db"}, args...),
			IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &errb})
		if code == 0 || errb.Len() == 0 {
			t.Errorf("%q: exit %d, %q", args, code, errb.String())
		}
	}
}
