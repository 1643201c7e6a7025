package commands

import (
	"strings"
	"testing"
)

// The demo runs the real pipeline: signed mail is filed and linked, the
// forged and the stranger's mail are refused.
func TestDemo(t *testing.T) {
	c := newCLI(t)
	out := c.ok("demo")
	for _, want := range []string{
		"01-ann-to-bob.eml -> stored as message 1",
		"linked to deal 1 (auto)",
		"02-bob-reply-forwarded.eml -> stored as message 2 in thread 1",
		"the original sender bob@customer.example is the participant",
		"linked to deal 3 (bcc)",
		"04-forged-ann.eml -> rejected (auth_failed)",
		"05-stranger.eml -> rejected (unknown_sender)",
		"auth: dkim=pass spf=pass dmarc=pass aligned=true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
