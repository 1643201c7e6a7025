package commands

// Hostile input seen from the command line: what a crafted message can do
// to what smartbcc prints and to the store's SQL and full-text search.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Encoded words that decode to CR/LF in display names and the subject
// must not inject lines into anything smartbcc prints: the stored names
// hold no CR/LF, and no line of inbox, show or thread output is a header
// the attacker wrote.
func TestHeaderInjectionNotPrinted(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	headers := []string{
		"From: Ann Seller <ann@acme.example>",
		"To: =?utf-8?q?Bob=0D=0ABcc:_evil2@evil.example?= <bob@customer.example>, =?utf-8?b?" +
			"RXZlDQpCY2M6IGV2aWwzQGV2aWwuZXhhbXBsZQ0K?= <eve@customer.example>",
		"Cc: \"=?utf-8?q?Carol=0ABcc:_evil4@evil.example?=\" <carol@customer.example>",
		"Reply-To: =?utf-8?q?R=0D=0ABcc:_evil6@evil.example?= <reply@customer.example>",
		"Subject: =?utf-8?q?Offer=0D=0ABcc:_evil5@evil.example?=",
		"Date: Mon, 02 Nov 2026 09:00:00 +0000",
		"Message-ID: <inject1@acme.example>",
	}
	r := c.mustDeliver(w, w.sign(msg(headers, "Hello\n")), universal, "192.0.2.10", "stored")
	// An injected From name cannot pass DMARC (its From is unparseable), so
	// that one goes through an archive-style delivery without auth.
	headers[0] = "From: =?utf-8?q?Ann=0D=0ABcc:_evil1@evil.example?= <ann@acme.example>"
	headers[len(headers)-1] = "Message-ID: <inject2@acme.example>"
	res := c.runIn(msg(headers, "Hello\n"), "--json", "ingest", "--auth", "off", "--recipient", universal, "--sender", "ann@acme.example")
	if rs := parseResults(t, res.out); res.code != 0 || len(rs) != 1 || rs[0].Status != "stored" {
		t.Fatalf("injected From name, --auth off: exit %d %q %q", res.code, res.out, res.err)
	}
	for _, id := range []int64{r.ID, r.ID + 1} {
		checkNoInjection(t, c, []string{"show", itoa(id)})
	}
	checkNoInjection(t, c, []string{"inbox"})
	checkNoInjection(t, c, []string{"thread", itoa(r.ThreadID)})
}

// checkNoInjection checks the stored names and subject of a message
// (args: show ID) and the human output of args.
func checkNoInjection(t *testing.T, c *cli, args []string) {
	t.Helper()
	if args[0] == "show" {
		checkStoredNames(t, c, args[1])
	}
	out := c.ok(args...)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "Bcc:") {
			t.Errorf("smartbcc %s prints an injected line %q:\n%s", strings.Join(args, " "), line, out)
			break
		}
	}
}

func checkStoredNames(t *testing.T, c *cli, id string) {
	t.Helper()
	var m struct {
		Subject      string `json:"subject"`
		FromName     string `json:"from_name"`
		Participants []struct {
			Role, Name, Email string
		} `json:"participants"`
	}
	c.json(&m, "show", id)
	for _, p := range m.Participants {
		if strings.ContainsAny(p.Name, "\r\n") {
			t.Errorf("participant %s name %q contains CR/LF", p.Role, p.Name)
		}
	}
	if strings.ContainsAny(m.FromName, "\r\n") {
		t.Errorf("from_name %q contains CR/LF", m.FromName)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("stored subject %q contains CR/LF", m.Subject)
	}
}

// SQL and full-text query metacharacters in every field a message or a command can
// set are only data: everything is stored, every command still works, the
// tables are still there, and search answers every query with results or
// a one-line error, never a crash or a temporary failure.
func TestSQLMetacharactersEverywhere(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	evil := []string{
		`'; DROP TABLE messages;--`,
		`Robert'); DROP TABLE persons;--`,
		`" OR "1"="1`,
		`\"; DELETE FROM users; --`,
		`%' OR 1=1 --`,
		`NEAR(widgets offer) AND NOT "`,
		`subject:* OR ^body`,
		`'); ATTACH DATABASE 'x.db' AS x;--`,
	}
	c.ok("person", "add", "--name", evil[1], "--email", "bob@customer.example", "--org", evil[0])
	c.ok("deal", "add", "--title", evil[0], "--person", "1")
	c.ok("lead", "add", "--title", evil[2])
	for i, e := range evil {
		id := fmt.Sprintf("q%d'\"--;@acme.example", i)
		raw := w.sign(msg([]string{
			"From: \"Ann " + strings.ReplaceAll(e, `"`, `'`) + "\" <ann@acme.example>",
			"To: \"" + strings.ReplaceAll(e, `"`, `'`) + "\" <bob@customer.example>",
			"Subject: widgets " + e,
			"Date: Mon, 02 Nov 2026 09:00:00 +0000",
			"Message-ID: <" + id + ">",
			"In-Reply-To: <'; DROP TABLE threads;--@x.example>",
			"References: <\"a\"@b.example> <'or'1'='1@c.example>",
		}, "widgets offer\n"+e+"\n"+`"unterminated NEAR( * ^ : - + AND OR NOT`+"\n"))
		r := c.mustDeliver(w, raw, universal, "192.0.2.10", "stored")
		if r.MessageID != id {
			t.Errorf("Message-ID %q stored as %q", id, r.MessageID)
		}
		c.ok("show", itoa(r.ID))
		c.ok("thread", itoa(r.ThreadID))
	}
	var inbox []messageEntry
	c.json(&inbox, "inbox")
	if len(inbox) != len(evil) {
		t.Fatalf("inbox has %d messages, want %d", len(inbox), len(evil))
	}
	var found []messageEntry
	c.json(&found, "search", "widgets", "--user", "ann@acme.example")
	if len(found) != len(evil) {
		t.Fatalf("search widgets: %d results, want %d", len(found), len(evil))
	}
	for _, q := range append(evil, `"`, `*`, `(`, `NEAR(`, `a:b`, `-x`, `^`, `''`, "\x00", `"DROP TABLE"`) {
		r := c.run("--json", "search", "--user", "ann@acme.example", "--", q)
		switch r.code {
		case 0:
			var res []messageEntry
			if err := json.Unmarshal([]byte(r.out), &res); err != nil {
				t.Errorf("search %q: output is not JSON: %v %q", q, err, r.out)
			}
		case exitUsage: // a query with nothing to search for
			if n := strings.Count(strings.TrimRight(r.err, "\n"), "\n"); n != 0 || !strings.Contains(r.err, "search") {
				t.Errorf("search %q: error %q, want one line about the query", q, r.err)
			}
		default:
			t.Errorf("search %q: exit %d (%q), want results or a clean refusal", q, r.code, r.err)
		}
	}
	// Still there, still working.
	c.json(&found, "search", "widgets", "--user", "ann@acme.example")
	if len(found) != len(evil) {
		t.Fatalf("after hostile queries, search widgets: %d results", len(found))
	}
	var persons []struct{ Name string }
	c.json(&persons, "person", "list")
	if len(persons) != 1 || persons[0].Name != evil[1] {
		t.Fatalf("persons %+v", persons)
	}
	var deals []struct{ Title string }
	c.json(&deals, "deal", "list")
	if len(deals) != 1 || deals[0].Title != evil[0] {
		t.Fatalf("deals %+v", deals)
	}
	c.ok("--json", "user", "list")
	c.ok("--json", "rejected")
	dir := filepath.Join(t.TempDir(), "export")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	c.ok("export", "--user", "ann@acme.example", "--format", "eml", dir)
	files, _ := os.ReadDir(dir)
	if len(files) != len(evil) {
		t.Fatalf("export wrote %d files, want %d", len(files), len(evil))
	}
}
