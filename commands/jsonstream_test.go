package commands

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A store that fails in the middle of a streamed `inbox --json` leaves
// nothing on stdout, as docs/cli.md promises ("one JSON document ... or
// nothing when it fails"): before, the first message was printed and the
// array never closed, so a script read half a document and, without
// pipefail, `smartbcc --json inbox | jq` went on as if the inbox were
// empty or shorter. The failure is real: the newer message is unlinked
// and printed first, the older one is linked to a project, and the
// projects table is gone from the SQLite file, so reading the link's
// project fails after the first element was encoded.
func TestStreamedJSONFailsWhole(t *testing.T) {
	c := newCLI(t)
	c.setup()
	dir := t.TempDir()
	for i, name := range []string{"older", "newer"} {
		raw := "From: Ann Seller <ann@acme.example>\nTo: bob@customer.example\nSubject: " + name +
			"\nMessage-ID: <" + name + "@acme.example>\nDate: Mon, 0" + itoa(int64(i+2)) + " Nov 2026 09:00:00 +0000\n\nHello.\n"
		path := filepath.Join(dir, name+".eml")
		if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		c.ok("ingest", "--auth", "off", "--user", "ann@acme.example", path)
	}
	c.ok("project", "add", "--title", "Rollout")
	c.ok("link", "1", "--project", "1")

	var whole []messageEntry
	c.json(&whole, "inbox")
	if len(whole) != 2 || whole[0].ID != 2 || len(whole[1].Links) != 1 {
		t.Fatalf("inbox before the failure: %+v, want message 2 then message 1 with its link", whole)
	}

	conn, err := sql.Open("sqlite3", "file:"+c.db+"?_foreign_keys=off")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`DROP TABLE projects`); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	// Kept in memory, and spilled to a temporary file (jsonSpill 0).
	spill := jsonSpill
	defer func() { jsonSpill = spill }()
	for _, args := range [][]string{{"--json", "inbox"}, {"--json", "search", "hello"}, {"inbox"}, {"--json", "inbox", "spilled"}} {
		if args[len(args)-1] == "spilled" {
			args, jsonSpill = args[:len(args)-1], 0
		}
		r := c.run(args...)
		if r.code == 0 {
			t.Errorf("smartbcc %s: exit 0 with the store failing, stdout %q", strings.Join(args, " "), r.out)
			continue
		}
		if r.out != "" {
			t.Errorf("smartbcc %s failed (exit %d, %q) and left on stdout:\n%s", strings.Join(args, " "), r.code, r.err, r.out)
		}
		if !strings.HasPrefix(r.err, "smartbcc: ") || strings.Count(strings.TrimRight(r.err, "\n"), "\n") != 0 {
			t.Errorf("smartbcc %s: stderr %q, want one line smartbcc: ...", strings.Join(args, " "), r.err)
		}
	}
	jsonSpill = spill
	// What does not read the project still streams.
	var first []messageEntry
	c.json(&first, "inbox", "--limit", "1")
	if len(first) != 1 || first[0].ID != 2 {
		t.Fatalf("inbox --limit 1 with the projects gone: %+v, want message 2", first)
	}
}
