package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An archive import keeps the raw mail in a pack beside the SQLite store
// (<db>-raw/, 0700, files 0600), a pipe delivery keeps it in the database;
// show --raw and export read both back byte for byte.
func TestImportRawMailInPacks(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	delivered := w.sign(annMail("d1@acme.example", "Delivered", "Bob <bob@customer.example>", "Hello Bob\n"))
	d := c.mustDeliver(w, delivered, universal, "192.0.2.10", "stored")
	if _, err := os.Stat(c.db + "-raw"); !os.IsNotExist(err) {
		t.Fatalf("a pipe delivery made %s-raw: %v", c.db, err)
	}

	tricky := expTricky()
	mbox := filepath.Join(t.TempDir(), "archive.mbox")
	var b strings.Builder
	for _, m := range tricky[:2] {
		b.WriteString("From ann@acme.example Mon Nov  2 09:00:00 2026\n")
		// mboxrd quoting of the body's From lines, as export writes them.
		for _, line := range strings.SplitAfter(m, "\n") {
			if strings.HasPrefix(strings.TrimLeft(line, ">"), "From ") {
				b.WriteString(">")
			}
			b.WriteString(line)
		}
		b.WriteString("\n")
	}
	if err := os.WriteFile(mbox, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	rs := parseResults(t, c.ok("--json", "ingest", "--user", visAnn, "--auth", "off", "--format", "mboxrd", mbox))
	if len(rs) != 2 || rs[0].Status != "stored" || rs[1].Status != "stored" {
		t.Fatalf("import: %+v", rs)
	}
	dir, pack := c.db+"-raw", filepath.Join(c.db+"-raw", "000001.pack")
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("%s: %v, %v; want a directory 0700", dir, fi, err)
	}
	fi, err := os.Stat(pack)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != int64(len(tricky[0])+len(tricky[1])) {
		t.Fatalf("%s: %v, %v; want 0600 holding the two messages", pack, fi, err)
	}
	for i, r := range rs {
		if got := c.ok("show", itoa(r.ID), "--raw"); got != tricky[i] {
			t.Errorf("show --raw of imported message %d:\n%q\nwant\n%q", i, got, tricky[i])
		}
	}
	if got := c.ok("show", itoa(d.ID), "--raw"); got != delivered {
		t.Errorf("show --raw of the delivered message differs")
	}
	// A second delivery after the import still stays out of the pack.
	c.mustDeliver(w, w.sign(annMail("d2@acme.example", "Delivered 2", "Bob <bob@customer.example>", "Hello again\n")), universal, "192.0.2.10", "stored")
	if fi2, err := os.Stat(pack); err != nil || fi2.Size() != fi.Size() {
		t.Errorf("pack after a delivery: %v, %v; want %d bytes as before", fi2, err, fi.Size())
	}
}
