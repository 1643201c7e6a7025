package commands

// export: what a user may see, as one mboxrd file or .eml files, and the
// round trip back through ingest into a fresh store.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

// expResult is what `export --json` prints.
type expResult struct {
	Format        string `json:"format"`
	Path          string `json:"path"`
	Messages      int    `json:"messages"`
	NewlinesAdded int    `json:"newlines_added"`
}

// expTricky are messages whose bytes an mbox can easily damage: body lines
// starting with "From " and ">From ", a body line that looks exactly like a
// From_ line followed by a header, CRLF, 8-bit bytes, trailing blank lines,
// no Message-ID, no Date, an attachment.
func expTricky() []string {
	lf := func(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
	crlf := func(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }
	return []string{
		lf("From: Ann Seller <ann@acme.example>", "To: Carl <carl@customer.example>", "Subject: From lines LF",
			"Date: Mon, 02 Nov 2026 09:00:00 +0000", "Message-ID: <x1@acme.example>", "",
			"From here on we talk about widgets.",
			"",
			"From Russia with love",
			">From a quoted line",
			">>From a twice quoted line",
			">>>From thrice",
			"From ann@acme.example Mon Nov  2 09:00:00 2026",
			"Subject: this is body text, not a header",
			"",
			"From carl@customer.example Tue Nov  3 10:00:00 2026",
			">From",
			"From",
			" From indented",
			"end"),
		crlf("From: Ann Seller <ann@acme.example>", "To: Carl <carl@customer.example>", "Subject: From lines CRLF",
			"Date: Mon, 02 Nov 2026 09:30:00 +0000", "Message-ID: <x2@acme.example>", "",
			"From here on, CRLF.",
			">From quoted CRLF",
			">>From twice CRLF",
			"From ann@acme.example Mon Nov  2 09:00:00 2026",
			"X-Not-A-Header: body"),
		lf("From: Ann Seller <ann@acme.example>", "To: dora@other.example", "Subject: no message id",
			"Date: Mon, 02 Nov 2026 10:00:00 +0000", "", "No Message-ID here.", ">From still quoted"),
		lf("From: Ann Seller <ann@acme.example>", "To: dora@other.example", "Subject: no date",
			"Message-ID: <x4@acme.example>", "", "No Date header."),
		"From: Ann Seller <ann@acme.example>\nTo: dora@other.example\nSubject: trailing blank lines\n" +
			"Date: Mon, 02 Nov 2026 11:00:00 +0000\nMessage-ID: <x5@acme.example>\n\nbody\n\n\n\n",
		lf("From: Ann Seller <ann@acme.example>", "To: dora@other.example", "Subject: =?iso-8859-1?q?caf=E9?=",
			"Date: Mon, 02 Nov 2026 12:00:00 +0000", "Message-ID: <x6@acme.example>",
			"Content-Type: text/plain; charset=iso-8859-1", "Content-Transfer-Encoding: 8bit", "",
			"caf\xe9 cr\xe8me \x7f   ", "\tFrom tabbed"),
		crlf("From: Ann Seller <ann@acme.example>", "To: Carl <carl@customer.example>", "Subject: attachment",
			"Date: Mon, 02 Nov 2026 13:00:00 +0000", "Message-ID: <x7@acme.example>", "MIME-Version: 1.0",
			`Content-Type: multipart/mixed; boundary="zz"`, "",
			"--zz", "Content-Type: text/plain", "", "From the attached file you will see:", "--zz",
			`Content-Type: application/octet-stream; name="a.bin"`, "Content-Transfer-Encoding: base64", "",
			"RnJvbSBoZXJlCj5Gcm9tIHRoZXJlCg==", "--zz--"),
	}
}

// expRaws returns the stored bytes of every message the actor may see.
func expRaws(c *cli, as ...string) []string {
	c.t.Helper()
	var inbox []messageEntry
	c.json(&inbox, append(as, "inbox")...)
	var out []string
	for _, e := range inbox {
		out = append(out, c.ok(append(as, "show", itoa(e.ID), "--raw")...))
	}
	sort.Strings(out)
	return out
}

// expFresh is a fresh store with Ann as its one user.
func expFresh(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	c.setup()
	return c
}

// expReimport ingests path into a fresh store for Ann and returns it; every
// message must be stored. An mbox is read as the export's help says to
// (--format mboxrd).
func expReimport(t *testing.T, path string, wantStored int) *cli {
	t.Helper()
	f := expFresh(t)
	args := []string{"--json", "ingest", "--user", visAnn, "--auth", "off", path}
	if strings.HasSuffix(path, ".mbox") {
		args = append(args, "--format", "mboxrd")
	}
	r := f.run(args...)
	if r.code != 0 {
		t.Fatalf("re-import of %s: exit %d %q", path, r.code, r.err)
	}
	rs := parseResults(t, r.out)
	stored := 0
	for _, x := range rs {
		if x.Status == "stored" {
			stored++
		} else {
			t.Errorf("re-import of %s: %+v", path, x)
		}
	}
	if stored != wantStored || len(rs) != wantStored {
		t.Fatalf("re-import of %s: %d results, %d stored, want %d", path, len(rs), stored, wantStored)
	}
	return f
}

func sameRaws(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d messages, want %d", what, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: bytes differ\n got %q\nwant %q", what, got[i], want[i])
		}
	}
}

// expWorld: Ann's tricky mail (private), a shared and a private message of
// Bob.
func expWorld(t *testing.T) (c *cli, annIDs []int64, bobShared, bobPrivate ingestResult) {
	t.Helper()
	c = newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	for _, raw := range expTricky() {
		annIDs = append(annIDs, visImport(c, visAnn, raw).ID)
	}
	bobPrivate = visImport(c, visBob, visMail("Bob Other <bob@acme.example>", "eve@other.example", "Bob private",
		"Tue, 03 Nov 2026 09:00:00 +0000", "bp@acme.example", "From Bob, private.\n"))
	c.ok("settings", "set", "--user", visBob, "default-sharing", "shared")
	bobShared = visImport(c, visBob, visMail("Bob Other <bob@acme.example>", "eve@other.example", "Bob shared",
		"Tue, 03 Nov 2026 10:00:00 +0000", "bs@acme.example", "From Bob, shared.\n>From Bob\n"))
	return c, annIDs, bobShared, bobPrivate
}

func TestExportMboxRoundTrip(t *testing.T) {
	c, annIDs, _, _ := expWorld(t)
	for _, tc := range []struct {
		name string
		as   []string
		want int
	}{
		{"owner", []string{"--as", visAnn}, len(annIDs) + 1},
		{"other", []string{"--as", visBob}, 2},
		{"admin", nil, len(annIDs) + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			dir := filepath.Join(t.TempDir(), "backup")
			var res expResult
			c.json(&res, append(tc.as, "export", "--format", "mbox", dir)...)
			if res.Format != "mbox" || res.Messages != tc.want || filepath.Dir(res.Path) != dir || !strings.HasSuffix(res.Path, ".mbox") {
				t.Fatalf("export --json %+v, want %d messages in an .mbox under %s", res, tc.want, dir)
			}
			if fi, err := os.Stat(res.Path); err != nil || fi.Mode().Perm()&0o077 != 0 {
				t.Fatalf("export file %s: %v (mode %v): it must exist and not be readable by others", res.Path, err, fi.Mode())
			}
			data, err := os.ReadFile(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			mbox := string(data)
			if !strings.HasPrefix(mbox, "From ") {
				t.Fatalf("mbox does not start with a From_ line:\n%.200q", mbox)
			}
			want := expRaws(c, tc.as...)
			if len(want) != tc.want {
				t.Fatalf("the actor sees %d messages, export wrote %d", len(want), tc.want)
			}
			// mboxrd quoting: every ^>*From line gets one more '>'; ">From"
			// and "From" without the space are not From lines.
			if tc.name != "other" {
				for _, q := range []string{"\n>From here on we talk", "\n>From Russia with love\n", "\n>>From a quoted line\n",
					"\n>>>From a twice quoted line\n", "\n>>>>From thrice\n", "\n>From ann@acme.example Mon Nov  2 09:00:00 2026\n",
					"\r\n>>From quoted CRLF\r\n", "\n>From\n", "\nFrom\n", "\n From indented\n", "\n\tFrom tabbed\n"} {
					if !strings.Contains(mbox, q) {
						t.Errorf("mbox lacks the mboxrd-quoted line %q", q)
					}
				}
			}
			if n := strings.Count("\n"+mbox, "\nFrom "); n < tc.want {
				t.Fatalf("mbox has %d From_ lines, want at least %d", n, tc.want)
			}
			f := expReimport(t, res.Path, tc.want)
			sameRaws(t, "mbox round trip", expRaws(f), want)
			// Exporting again from the fresh store gives the same mbox.
			var again expResult
			dir2 := filepath.Join(t.TempDir(), "again")
			f.json(&again, "export", "--format", "mbox", dir2)
			if again.Messages != tc.want {
				t.Fatalf("second export %+v", again)
			}
			f2 := expReimport(t, again.Path, tc.want)
			sameRaws(t, "second round trip", expRaws(f2), want)
		})
	}
}

func TestExportEmlRoundTrip(t *testing.T) {
	c, annIDs, bobShared, bobPrivate := expWorld(t)
	dir := filepath.Join(t.TempDir(), "eml")
	var res expResult
	c.json(&res, "--as", visAnn, "export", "--format", "eml", dir)
	if res.Format != "eml" || res.Messages != len(annIDs)+1 {
		t.Fatalf("export --json %+v, want %d messages", res, len(annIDs)+1)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != res.Messages {
		t.Fatalf("%d .eml files, want %d", len(files), res.Messages)
	}
	var got []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "Bob private") {
			t.Fatalf("Ann's export holds Bob's private message %d", bobPrivate.ID)
		}
		got = append(got, string(data))
	}
	sort.Strings(got)
	want := expRaws(c, "--as", visAnn)
	sameRaws(t, "eml files", got, want)
	for _, f := range files {
		if n := filepath.Base(f); n != fmt.Sprintf("%06d.eml", mustAtoi(t, strings.TrimSuffix(n, ".eml"))) {
			t.Fatalf("export file name %q, want the message id as NNNNNN.eml", n)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("%06d.eml", bobShared.ID))); err != nil {
		t.Fatalf("Bob's shared message %d is not in Ann's export: %v", bobShared.ID, err)
	}
	f := expReimport(t, dir, len(want))
	sameRaws(t, "eml round trip", expRaws(f), want)
}

// A message without a final newline: an .eml export keeps it exactly; mboxrd
// cannot tell "no final newline" from framing, so the mbox writer adds one
// (ingest/mailfile.MboxWriter documents this).
func TestExportMessageWithoutFinalNewline(t *testing.T) {
	c := newCLI(t)
	c.setup()
	raw := "From: Ann Seller <ann@acme.example>\r\nTo: dora@other.example\r\nSubject: no newline\r\n" +
		"Message-ID: <nn@acme.example>\r\n\r\nFrom the last line, without newline"
	visImport(c, visAnn, raw)
	dir := t.TempDir()
	var eml expResult
	c.json(&eml, "export", "--format", "eml", filepath.Join(dir, "eml"))
	f := expReimport(t, filepath.Join(dir, "eml"), 1)
	sameRaws(t, "eml round trip", expRaws(f), []string{raw})

	if eml.NewlinesAdded != 0 {
		t.Fatalf("eml export %+v: an .eml keeps every byte", eml)
	}
	// Re-importing the .eml export into the same store finds the message.
	if r := c.run("--json", "ingest", "--user", visAnn, "--auth", "off", filepath.Join(dir, "eml")); !strings.Contains(r.out, `"status":"duplicate"`) {
		t.Fatalf("re-import of the eml export into its store: %q", r.out)
	}

	var mbox expResult
	c.json(&mbox, "export", "--format", "mbox", filepath.Join(dir, "mbox"))
	if mbox.Messages != 1 || mbox.NewlinesAdded != 1 {
		t.Fatalf("mbox export %+v, want 1 message that gained a newline", mbox)
	}
	f = expReimport(t, mbox.Path, 1)
	if got := expRaws(f); got[0] != raw+"\r\n" {
		t.Fatalf("mbox round trip of a message without final newline:\n got %q\nwant %q with CRLF added", got[0], raw)
	}
	// ...which is the same message: re-importing it into the first store
	// is a duplicate.
	if r := c.run("--json", "ingest", "--user", visAnn, "--auth", "off", mbox.Path); !strings.Contains(r.out, `"status":"duplicate"`) {
		t.Fatalf("re-import of the mbox export into its store: %q", r.out)
	}
	out := c.ok("export", "--format", "mbox", filepath.Join(dir, "mbox2"))
	if !strings.Contains(out, "1 of them had no final line ending; the mbox format gave them one") {
		t.Fatalf("export text %q does not say a newline was added", out)
	}
}

func TestExportVisibility(t *testing.T) {
	c, annIDs, bobShared, bobPrivate := expWorld(t)
	mids := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	for _, tc := range []struct {
		name       string
		args       []string
		want       int
		has, hasnt []string
	}{
		{"ann", []string{"--as", visAnn}, len(annIDs) + 1, []string{"<x1@acme.example>", "<bs@acme.example>"}, []string{"<bp@acme.example>"}},
		{"bob", []string{"--as", visBob}, 2, []string{"<bs@acme.example>", "<bp@acme.example>"}, []string{"<x1@acme.example>", "<x7@acme.example>"}},
		{"admin", nil, len(annIDs) + 2, []string{"<x1@acme.example>", "<bs@acme.example>", "<bp@acme.example>"}, nil},
		{"admin --user bob", []string{"--user", visBob}, 2, []string{"<bs@acme.example>", "<bp@acme.example>"}, []string{"<x1@acme.example>"}},
		{"admin --user ann", []string{"--user", visAnn}, len(annIDs) + 1, []string{"<x1@acme.example>", "<bs@acme.example>"}, []string{"<bp@acme.example>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			var global, local []string
			for i := 0; i < len(tc.args); i += 2 {
				if tc.args[i] == "--as" {
					global = append(global, tc.args[i:i+2]...)
				} else {
					local = append(local, tc.args[i:i+2]...)
				}
			}
			var res expResult
			args := append(append(append([]string{"--json"}, global...), "export", "--format", "mbox", t.TempDir()), local...)
			c.json(&res, args...)
			if res.Messages != tc.want {
				t.Fatalf("%v: %d messages, want %d", args, res.Messages, tc.want)
			}
			text := mids(res.Path)
			for _, h := range tc.has {
				if !strings.Contains(text, "Message-ID: "+h) {
					t.Errorf("%v: export lacks %s", args, h)
				}
			}
			for _, h := range tc.hasnt {
				if strings.Contains(text, "Message-ID: "+h) {
					t.Errorf("%v: export holds %s, which this user may not see", args, h)
				}
			}
		})
	}
	if bobShared.Shared == bobPrivate.Shared {
		t.Fatal("world: Bob's messages have the same sharing")
	}
	out := c.ok("--as", visAnn, "export", "--format", "mbox", t.TempDir())
	if !strings.HasPrefix(out, "exported "+itoa(int64(len(annIDs)+1))+" messages to ") {
		t.Fatalf("export text %q", out)
	}
	c.fails("invalid --format", "export", "--format", "maildir", t.TempDir())
	c.fails("no such user", "--as", "nobody@acme.example", "export", t.TempDir())
	c.fails("no such user", "export", "--user", "nobody@acme.example", t.TempDir())
	// An empty export is a valid, empty mbox.
	e := newCLI(t)
	e.setup()
	var res expResult
	e.json(&res, "--as", visAnn, "export", "--format", "mbox", t.TempDir())
	if res.Messages != 0 {
		t.Fatalf("empty export %+v", res)
	}
	if data, err := os.ReadFile(res.Path); err != nil || len(data) != 0 {
		t.Fatalf("empty export file: %v %q", err, data)
	}
}

// The same customer mail filed by two users (each forwarded it) is two
// messages; Ann may see both (Bob's is shared). Exporting what she sees
// and re-importing it as Ann should give back as many messages as were
// exported.
func TestExportSameMessageIDFromTwoOwners(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	raw := visMail("Carl <carl@customer.example>", "ann@acme.example, bob@acme.example", "Order", "Mon, 02 Nov 2026 09:00:00 +0000",
		"carl-1@customer.example", "Please send 200 widgets.\n")
	visImport(c, visAnn, raw)
	c.ok("settings", "set", "--user", visBob, "default-sharing", "shared")
	visImport(c, visBob, raw)
	var res expResult
	c.json(&res, "--as", visAnn, "export", "--format", "mbox", t.TempDir())
	f := expFresh(t)
	r := f.run("--json", "ingest", "--user", visAnn, "--auth", "off", res.Path)
	rs := parseResults(t, r.out)
	var inbox []messageEntry
	f.json(&inbox, "inbox")
	if len(inbox) != res.Messages {
		t.Errorf("export wrote %d messages (Ann's copy and Bob's shared copy of <carl-1@customer.example>); re-import as Ann stored %d (%+v)",
			res.Messages, len(inbox), rs)
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// Issue 11.7: a user cannot make another user's mail vanish from the
// administrator's backup by filing a message with the same Message-ID, nor
// from a colleague's export; only a copy of the same content is written once.
func TestExportHoldsEveryMessage(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("user", "add", "carl@acme.example", "--name", "Carl Colleague")
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	c.ok("settings", "set", "--user", visBob, "default-sharing", "shared")
	annRaw := visMail("Ann Seller <ann@acme.example>", "dora@other.example", "Contract", "Mon, 02 Nov 2026 09:00:00 +0000",
		"contract@acme.example", "The signed contract.\n")
	bobRaw := visMail("Bob Other <bob@acme.example>", "dora@other.example", "Nothing to see", "Sun, 01 Nov 2026 09:00:00 +0000",
		"contract@acme.example", "An older message with Ann's Message-ID.\n")
	visImport(c, visAnn, annRaw)
	visImport(c, visBob, bobRaw) // stored: another content (reported as message_id_reused)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"administrator", nil, 2},
		{"carl sees both shared messages", []string{"--as", "carl@acme.example"}, 2},
		{"ann", []string{"--as", visAnn}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			var res expResult
			c.json(&res, append(append([]string{}, tc.args...), "export", "--format", "mbox", t.TempDir())...)
			data, err := os.ReadFile(res.Path)
			if err != nil {
				t.Fatal(err)
			}
			if res.Messages != tc.want || !strings.Contains(string(data), "The signed contract.") || !strings.Contains(string(data), "An older message") {
				t.Fatalf("export of %d messages, want %d with both texts:\n%s", res.Messages, tc.want, data)
			}
		})
	}
}

// Issue 11.7: export names files after ids, never after an address, so a
// user whose address holds "../" cannot make it write outside DIR. (user
// add refuses such an address now; a store written before may hold one,
// so the user is made through the store.)
func TestExportFileNamesFromIDs(t *testing.T) {
	c := newCLI(t)
	c.setup()
	st, err := backend.Open(context.Background(), c.db, backend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var evilID int64
	err = st.Update(context.Background(), func(tx store.Tx) error {
		u, err := tx.CreateUser(`"../../x"@acme.example`, "X")
		if err == nil {
			evilID = u.ID
		}
		return err
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b", "backup")
	var res expResult
	c.json(&res, "export", "--user", strconv.FormatInt(evilID, 10), "--format", "mbox", dir)
	if want := filepath.Join(dir, fmt.Sprintf("user-%d.mbox", evilID)); res.Path != want {
		t.Fatalf("export path %q, want %q", res.Path, want)
	}
	var outside []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Dir(p) != dir {
			outside = append(outside, p)
		}
		return nil
	})
	if len(outside) > 0 {
		t.Fatalf("export wrote outside %s: %v", dir, outside)
	}
	// Every directory it made is 0700.
	for _, d := range []string{filepath.Join(root, "a"), filepath.Join(root, "a", "b"), dir} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, mode %v; want 0700", d, err, fi.Mode().Perm())
		}
	}
}

// Issue 11.7: export writes only new files; a file or a symbolic link in
// the way is refused, and replaced with --force without writing through
// the link.
func TestExportWritesOnlyNewFiles(t *testing.T) {
	c := newCLI(t)
	c.setup()
	r := visImport(c, visAnn, visMail("Ann Seller <ann@acme.example>", "dora@other.example", "Hello", "Mon, 02 Nov 2026 09:00:00 +0000",
		"hello@acme.example", "Hello.\n"))
	for _, format := range []string{"mbox", "eml"} {
		t.Run(format, func(t *testing.T) {
			c := c.in(t)
			dir := t.TempDir()
			name := "all.mbox"
			if format == "eml" {
				name = fmt.Sprintf("%06d.eml", r.ID)
			}
			path := filepath.Join(dir, name)
			victim := filepath.Join(t.TempDir(), "victim")
			if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
			c.fails("is a symbolic link already", "export", "--format", format, dir)
			os.Remove(path)
			if err := os.WriteFile(path, []byte("an older export\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			c.fails("is a file already", "export", "--format", format, dir)
			if data, _ := os.ReadFile(path); string(data) != "an older export\n" {
				t.Fatalf("a refused export changed %s: %q", path, data)
			}
			os.Remove(path)
			if err := os.Symlink(victim, path); err != nil {
				t.Fatal(err)
			}
			c.ok("export", "--format", format, "--force", dir)
			if data, _ := os.ReadFile(victim); string(data) != "precious\n" {
				t.Fatalf("--force wrote through the link into %s: %q", victim, data)
			}
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
				t.Fatalf("%s after --force: %v %v, want a regular file 0600", path, err, fi.Mode())
			}
			if data, _ := os.ReadFile(path); !strings.Contains(string(data), "Hello.") {
				t.Fatalf("%s after --force: %q", path, data)
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".export-*")); len(left) > 0 {
				t.Fatalf("temporary files left: %v", left)
			}
		})
	}
}

// inbox --json is streamed element by element; the bytes are those of the
// whole list encoded at once, kept in memory or spilled to a temporary
// file (jsonSpill 0: from the first element on). Discarded, nothing is
// printed.
func TestJSONArrayIsPrintJSON(t *testing.T) {
	// These lists follow no command's schema.
	check := jsonCheck
	jsonCheck = nil
	defer func() { jsonCheck = check }()
	spill := jsonSpill
	defer func() { jsonSpill = spill }()
	for _, jsonSpill = range []int{spill, 0} {
		for _, list := range [][]any{{}, {map[string]any{"a": 1}}, {map[string]any{"a": []int{1, 2}, "b": "<x>"}, "s", 3, nil}} {
			var whole, streamed, dropped bytes.Buffer
			a := &App{IO: IOStreams{Out: &whole}}
			if err := a.printJSON(list); err != nil {
				t.Fatal(err)
			}
			a = &App{IO: IOStreams{Out: &streamed}}
			w := a.jsonArray()
			d := (&App{IO: IOStreams{Out: &dropped}}).jsonArray()
			for _, v := range list {
				if err := w.Add(v); err != nil {
					t.Fatal(err)
				}
				if err := d.Add(v); err != nil {
					t.Fatal(err)
				}
			}
			if jsonSpill == 0 && len(list) > 0 && (w.spill == nil || d.spill == nil) {
				t.Fatalf("jsonSpill 0: %d elements kept in memory", len(list))
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			d.Discard()
			if streamed.String() != whole.String() {
				t.Errorf("jsonSpill %d: streamed\n%s\nwhole\n%s", jsonSpill, streamed.String(), whole.String())
			}
			if dropped.Len() != 0 {
				t.Errorf("jsonSpill %d: discarded, printed %q", jsonSpill, dropped.String())
			}
		}
	}
}

// An archive's From_ line or an SMTP client can give an envelope sender no
// From_ line of the export can hold (here 960 bytes, 60 of them not UTF-8):
// the export writes the message with an unknown sender instead of stopping
// on it (before, the whole export failed).
func TestExportLongEnvelopeSender(t *testing.T) {
	c := newCLI(t)
	c.setup()
	raw := "From: Ann Seller <ann@acme.example>\nTo: dora@other.example\nSubject: long sender\n" +
		"Message-ID: <long-sender@acme.example>\n\nbody\n"
	in := filepath.Join(t.TempDir(), "in.mbox")
	sender := strings.Repeat("a", 900) + strings.Repeat("\xff", 60)
	if err := os.WriteFile(in, []byte("From "+sender+" Thu Apr  1 00:00:00 2021\n"+raw), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := c.run("--json", "ingest", "--user", visAnn, "--auth", "off", in); !strings.Contains(r.out, `"status":"stored"`) {
		t.Fatalf("import: %q %q", r.out, r.err)
	}
	var res expResult
	c.json(&res, "export", "--format", "mbox", filepath.Join(t.TempDir(), "mbox"))
	if res.Messages != 1 {
		t.Fatalf("export %+v, want the one message", res)
	}
	f := expReimport(t, res.Path, 1)
	sameRaws(t, "mbox round trip", expRaws(f), []string{raw})
}
