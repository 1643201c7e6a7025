package commands

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
)

// migrateArchive is an mbox with what a store must carry over unchanged:
// threads, 8-bit and binary attachments, CRLF and bare LF, a message in
// several raw pieces, odd headers.
func migrateArchive(t *testing.T) string {
	var b bytes.Buffer
	for i := 0; i < 24; i++ {
		fmt.Fprintf(&b, "From ann@acme.example Mon Nov  2 09:%02d:00 2026\n", i)
		eol := "\n"
		if i%3 == 0 {
			eol = "\r\n"
		}
		h := []string{
			"From: Ann Seller <ann@acme.example>",
			fmt.Sprintf("To: Bob Buyer <bob@customer.example>, carol%d@customer.example", i%4),
			fmt.Sprintf("Subject: =?utf-8?q?Angebot_f=C3=BCr_Widgets?= %d", i%5),
			fmt.Sprintf("Date: Mon, 02 Nov 2026 09:%02d:17 +0100", i),
			fmt.Sprintf("Message-ID: <mig-%d@acme.example>", i),
			"MIME-Version: 1.0",
		}
		if i%5 != 0 {
			h = append(h, fmt.Sprintf("In-Reply-To: <mig-%d@acme.example>", i-i%5))
		}
		switch {
		case i%4 == 1:
			h = append(h, `Content-Type: multipart/mixed; boundary="b"`)
			att := make([]byte, 3000+i*500)
			for j := range att {
				att[j] = byte(j*31 + i)
			}
			body := "--b" + eol + "Content-Type: text/plain; charset=utf-8" + eol + "Content-Transfer-Encoding: 8bit" + eol + eol +
				"Preis: 12 € je Stück, Größe XL." + eol + "--b" + eol +
				"Content-Type: application/octet-stream; name=\"data.bin\"" + eol +
				"Content-Disposition: attachment; filename=\"data.bin\"" + eol + "Content-Transfer-Encoding: base64" + eol + eol
			enc := base64Lines(att, eol)
			b.WriteString(strings.Join(h, eol) + eol + eol + body + enc + "--b--" + eol + eol)
		case i == 7:
			// Larger than one raw piece (1 MB): stored in several.
			h = append(h, "Content-Type: text/plain")
			line := strings.Repeat("quarterly widget forecast ", 3) + eol
			b.WriteString(strings.Join(h, eol) + eol + eol + strings.Repeat(line, (2<<20)/len(line)) + eol)
		default:
			h = append(h, "Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: 8bit")
			b.WriteString(strings.Join(h, eol) + eol + eol + "Gr\xfc\xdfe aus M\xfcnchen, offer " + fmt.Sprint(i) + "." + eol + eol)
		}
	}
	path := filepath.Join(t.TempDir(), "archive.mbox")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func base64Lines(data []byte, eol string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out strings.Builder
	var line strings.Builder
	for i := 0; i < len(data); i += 3 {
		var n uint32
		k := min(3, len(data)-i)
		for j := 0; j < 3; j++ {
			n <<= 8
			if j < k {
				n |= uint32(data[i+j])
			}
		}
		for j := 0; j < 4; j++ {
			if j <= k {
				line.WriteByte(alphabet[(n>>(18-6*j))&63])
			} else {
				line.WriteByte('=')
			}
		}
		if line.Len() >= 76 {
			out.WriteString(line.String() + eol)
			line.Reset()
		}
	}
	if line.Len() > 0 {
		out.WriteString(line.String() + eol)
	}
	return out.String()
}

// exportTree exports every message of c's store as .eml files and returns
// each file's name and SHA-256.
func exportTree(t *testing.T, c *cli) map[string]string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "export")
	c.ok("export", "--format", "eml", dir)
	sums := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sums[rel] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestMigrateSQLiteToPostgresAndBack: a store moved to PostgreSQL, and
// from there into a new SQLite file, exports the same bytes, shows the
// same records and keeps every id.
func TestMigrateSQLiteToPostgresAndBack(t *testing.T) {
	pgDSN := pgtest.Fresh(t)
	lite := newCLI(t)
	lite.setup()
	lite.ok("person", "add", "--name", "Bob Buyer", "--email", "bob@customer.example")
	lite.ok("deal", "add", "--title", "Widgets", "--person", "1")
	lite.ok("lead", "add", "--title", "Gadgets")
	lite.ok("ingest", "--auth", "off", "--user", "ann@acme.example", migrateArchive(t))
	lite.ok("link", "3", "--deal", "1")
	lite.ok("--as", "ann@acme.example", "share", "5")
	// A person removed before the move: their id (2) is not given again.
	lite.ok("person", "add", "--name", "Carl Gone", "--email", "carl@gone.example")
	lite.ok("person", "rm", "2")
	// A refused delivery: recorded as a rejection.
	lite.runIn("From: eve@evil.example\r\nSubject: hi\r\nMessage-ID: <eve@evil.example>\r\n\r\nspam\r\n",
		"ingest", "--auth", "off", "--recipient", "acme@bcc.acme.example", "--sender", "eve@evil.example")

	want := exportTree(t, lite)
	if len(want) < 20 {
		t.Fatalf("export of the SQLite store: %d files", len(want))
	}
	views := func(c *cli) map[string]string {
		out := map[string]string{}
		for _, args := range [][]string{
			{"inbox", "--limit", "1000"}, {"rejected"}, {"deal", "list"}, {"lead", "list"}, {"person", "list"},
			{"user", "list"}, {"search", "forecast"}, {"thread", "1"},
		} {
			out[strings.Join(args, " ")] = c.ok(append([]string{"--json"}, args...)...)
		}
		for id := 1; id <= 24; id++ {
			out[fmt.Sprint("show ", id)] = c.ok("--json", "show", fmt.Sprint(id))
		}
		return out
	}
	wantViews := views(lite)

	out := lite.ok("migrate", "--to", pgDSN)
	if !strings.Contains(out, "copied 24 messages") {
		t.Errorf("migrate said %q", out)
	}
	pg := &cli{t: t, db: pgDSN}
	compare := func(what string, c *cli) {
		t.Helper()
		got := exportTree(t, c)
		var names []string
		for n := range want {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if got[n] != want[n] {
				t.Errorf("%s: exported %s differs (sha256 %s, want %s)", what, n, got[n], want[n])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d files exported, want %d", what, len(got), len(want))
		}
		gotViews := views(c)
		for k, v := range wantViews {
			if gotViews[k] != v {
				t.Errorf("%s: %s differs:\n%s\nwant\n%s", what, k, gotViews[k], v)
			}
		}
	}
	compare("PostgreSQL", pg)

	newPerson := func(what string, c *cli) {
		t.Helper()
		var added struct{ Person struct{ ID int64 } }
		c.json(&added, "person", "add", "--name", "Dora New", "--email", "dora@new.example")
		if added.Person.ID != 3 {
			t.Errorf("%s: a person added after the move got id %d, want 3 (2 was removed before it)", what, added.Person.ID)
		}
	}
	newPerson("PostgreSQL", pg)

	// Deliveries go on in the new store, after the copied ids.
	pg.ok("ingest", "--auth", "off", "--user", "ann@acme.example", migrateArchiveOne(t, "after-move@acme.example"))
	var moved []ingestResult
	moved = visImportAll(pg, "ann@acme.example", "again.eml", "From: Ann <ann@acme.example>\nTo: bob@customer.example\nSubject: again\nMessage-ID: <again@acme.example>\n\nhello\n")
	if len(moved) != 1 || moved[0].ID != 26 {
		t.Errorf("a message filed after the move got %+v, want id 26", moved)
	}

	// Into a store that is not empty: refused, nothing changed.
	r := lite.run("migrate", "--to", pgDSN)
	if r.code == 0 || !strings.Contains(r.err, "not empty") {
		t.Errorf("migrate into a non-empty store: exit %d, stderr %q", r.code, r.err)
	}

	// And back into a new SQLite file, from PostgreSQL.
	back := newCLI(t)
	pgFresh := pgtest.Fresh(t)
	var copied migrateOut
	lite.json(&copied, "migrate", "--to", pgFresh)
	if copied.Tables["messages"] != 24 || copied.Tables["message_raw"] != 24 || copied.Tables["message_raw_more"] < 1 || copied.To != pgFresh {
		t.Errorf("migrate --json = %+v", copied)
	}
	(&cli{t: t, db: pgFresh}).ok("migrate", "--to", back.db)
	compare("SQLite again", back)
	newPerson("SQLite again", back)
}

func migrateArchiveOne(t *testing.T, id string) string {
	path := filepath.Join(t.TempDir(), "one.eml")
	raw := "From: Ann Seller <ann@acme.example>\nTo: bob@customer.example\nSubject: after the move\nMessage-ID: <" + id + ">\n\nStill here.\n"
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
