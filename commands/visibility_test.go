package commands

// Visibility and the reading side: sharing, permissions, inbox, show,
// thread, search, export, item views, link/unlink and the administrator
// commands. The permission matrix (TestPermissionMatrix) runs every reading
// and writing command for every actor on a private and a shared message.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	visAnn = "ann@acme.example"
	visBob = "bob@acme.example"
)

// visImport files raw for user with `ingest --auth off --user U FILE` and
// returns the one result, which must be "stored".
func visImport(c *cli, user, raw string) ingestResult {
	c.t.Helper()
	rs := visImportAll(c, user, "m.eml", raw)
	if len(rs) != 1 || rs[0].Status != "stored" {
		c.t.Fatalf("import for %s: results %+v, want one stored", user, rs)
	}
	return rs[0]
}

// visImportAll ingests one file (named name, holding data) for user and
// returns every result line.
func visImportAll(c *cli, user, name, data string) []ingestResult {
	c.t.Helper()
	path := filepath.Join(c.t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		c.t.Fatal(err)
	}
	r := c.run("--json", "ingest", "--auth", "off", "--user", user, path)
	if r.code != 0 {
		c.t.Fatalf("ingest --user %s %s: exit %d, stderr %q", user, name, r.code, r.err)
	}
	return parseResults(c.t, r.out)
}

// visMail is a plain text message from a user or a customer.
func visMail(from, to, subject, date, msgID, body string, extra ...string) string {
	h := append([]string{"From: " + from, "To: " + to, "Subject: " + subject, "Date: " + date, "Message-ID: <" + msgID + ">"}, extra...)
	return msg(h, body)
}

// visDetail is the part of `show --json` the tests read.
type visDetail struct {
	ID        int64  `json:"id"`
	MessageID string `json:"message_id"`
	Owner     struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"owner"`
	ThreadID int64  `json:"thread_id"`
	Date     string `json:"date"`
	From     string `json:"from"`
	FromName string `json:"from_name"`
	Subject  string `json:"subject"`
	Shared   bool   `json:"shared"`
	Size     int64  `json:"size"`
	Auth     struct {
		Mode    string `json:"mode"`
		DKIM    string `json:"dkim"`
		SPF     string `json:"spf"`
		DMARC   string `json:"dmarc"`
		Aligned bool   `json:"aligned"`
	} `json:"auth"`
	Participants []struct {
		Role  string `json:"role"`
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"participants"`
	Links []struct {
		Kind string `json:"kind"`
		ID   int64  `json:"id"`
		How  string `json:"how"`
	} `json:"links"`
	Attachments []struct {
		Index       int    `json:"index"`
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		SHA256      string `json:"sha256"`
	} `json:"attachments"`
	Text string `json:"text"`
}

func (d visDetail) hasLink(typ string, id int64, how string) bool {
	for _, l := range d.Links {
		if l.Kind == typ && l.ID == id && (how == "" || l.How == how) {
			return true
		}
	}
	return false
}

// in returns c reporting to t (for subtests).
func (c *cli) in(t *testing.T) *cli {
	cc := *c
	cc.t = t
	return &cc
}

func (c *cli) detail(id int64, as ...string) visDetail {
	c.t.Helper()
	var d visDetail
	c.json(&d, append(as, "show", itoa(id))...)
	return d
}

// ids lists the ids of message entries in order.
func ids(es []messageEntry) []int64 {
	out := make([]int64, 0, len(es))
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func hasID(es []messageEntry, id int64) bool {
	for _, e := range es {
		if e.ID == id {
			return true
		}
	}
	return false
}

// asFlags turns an actor's email into global flags ("" is the administrator).
func asFlags(user string) []string {
	if user == "" {
		return nil
	}
	return []string{"--as", user}
}

// oneLineErr checks that a failed command printed exactly one line.
func oneLineErr(t *testing.T, what string, r result) {
	t.Helper()
	if n := strings.Count(strings.TrimRight(r.err, "\n"), "\n"); n != 0 || r.err == "" {
		t.Fatalf("%s: stderr should be one line, got %q", what, r.err)
	}
}

// ---------------------------------------------------------------------
// The permission matrix.

// matrixWorld is the store every matrix cell starts from: Ann owns a
// private and a shared message (separate threads), both linked to deal 1
// and (as a participant) to person 1; Bob is another user; lead 1 exists to
// link to.
type matrixWorld struct {
	db              string // template store file
	private, shared ingestResult
	raw             map[int64]string
	word            map[int64]string // a word only that message's body holds
}

func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("person", "add", "--name", "Carl Customer", "--email", "carl@customer.example")
	c.ok("deal", "add", "--title", "Widgets", "--person", "1")
	c.ok("lead", "add", "--title", "Gadgets lead")
	w := &matrixWorld{db: c.db, raw: map[int64]string{}, word: map[int64]string{}}

	privRaw := visMail("Ann Seller <ann@acme.example>", "Carl Customer <carl@customer.example>", "Private pricing",
		"Mon, 02 Nov 2026 09:00:00 +0000", "priv@acme.example", "Our zebrafish discount, internal only.\n")
	w.private = visImport(c, visAnn, privRaw)
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	sharedRaw := visMail("Ann Seller <ann@acme.example>", "Carl Customer <carl@customer.example>", "Shared update",
		"Mon, 02 Nov 2026 10:00:00 +0000", "shared@acme.example", "The kangaroo shipment left today.\n")
	w.shared = visImport(c, visAnn, sharedRaw)
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "private")
	if w.private.Shared || !w.shared.Shared || w.private.ThreadID == w.shared.ThreadID {
		t.Fatalf("world: private %+v shared %+v", w.private, w.shared)
	}
	w.raw[w.private.ID], w.raw[w.shared.ID] = privRaw, sharedRaw
	w.word[w.private.ID], w.word[w.shared.ID] = "zebrafish", "kangaroo"
	for _, m := range []ingestResult{w.private, w.shared} {
		c.ok("link", itoa(m.ID), "--deal", "1")
		d := c.detail(m.ID)
		if !d.hasLink("deal", 1, "manual") || !d.hasLink("person", 1, "") {
			t.Fatalf("world: message %d links %+v, want deal 1 and person 1", m.ID, d.Links)
		}
	}
	return w
}

// clone copies the template store for one cell.
func (w *matrixWorld) clone(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	copyStoreFiles(t, w.db, c.db)
	return c
}

type outcome int

const (
	seen     outcome = iota + 1 // succeeds and shows the message
	hidden                      // succeeds and does not show it
	notFound                    // fails exactly as for an id that does not exist; nothing changes
	denied                      // fails with a permission error; nothing changes
	done                        // succeeds and the change is made
)

func (o outcome) String() string {
	return map[outcome]string{seen: "seen", hidden: "hidden", notFound: "not found", denied: "denied", done: "done"}[o]
}

// matrixCmd is one command of the matrix. args builds the command line for
// a message (id: the id to name, the message's own or a missing one);
// present says whether successful output shows the message; effect says
// whether the change a writing command makes is in the store.
type matrixCmd struct {
	name    string
	args    func(w *matrixWorld, m ingestResult, id string, dir string) []string
	present func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool
	effect  func(d visDetail) bool
	// want[actor][message kind]
	want map[string]map[string]outcome
}

func jsonIDs(t *testing.T, out string) []messageEntry {
	t.Helper()
	var es []messageEntry
	if err := json.Unmarshal([]byte(out), &es); err != nil {
		t.Fatalf("output is not a JSON array of messages: %v\n%s", err, out)
	}
	return es
}

func TestPermissionMatrix(t *testing.T) {
	w := newMatrixWorld(t)
	readAll := map[string]map[string]outcome{
		"owner": {"private": seen, "shared": seen},
		"other": {"private": hidden, "shared": seen},
		"admin": {"private": seen, "shared": seen},
	}
	readOne := map[string]map[string]outcome{
		"owner": {"private": seen, "shared": seen},
		"other": {"private": notFound, "shared": seen},
		"admin": {"private": seen, "shared": seen},
	}
	linking := map[string]map[string]outcome{
		"owner": {"private": done, "shared": done},
		"other": {"private": notFound, "shared": done},
		"admin": {"private": done, "shared": done},
	}
	sharing := map[string]map[string]outcome{
		"owner": {"private": done, "shared": done},
		// A private message of another user is not found (ids reveal
		// nothing); a shared one is visible but not theirs to change.
		"other": {"private": notFound, "shared": denied},
		"admin": {"private": denied, "shared": denied},
	}
	listed := func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool {
		return hasID(jsonIDs(t, out), m.ID)
	}
	itemListed := func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool {
		var d itemDetail
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("item view is not JSON: %v\n%s", err, out)
		}
		return hasID(d.Messages, m.ID)
	}
	cmds := []matrixCmd{
		{name: "inbox", want: readAll,
			args:    func(w *matrixWorld, m ingestResult, id, dir string) []string { return []string{"--json", "inbox"} },
			present: listed},
		{name: "show", want: readOne,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string { return []string{"--json", "show", id} },
			present: func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool {
				var d visDetail
				if err := json.Unmarshal([]byte(out), &d); err != nil {
					t.Fatalf("show output is not JSON: %v\n%s", err, out)
				}
				return d.ID == m.ID && d.MessageID == m.MessageID
			}},
		{name: "show --raw", want: readOne,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string { return []string{"show", id, "--raw"} },
			present: func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool {
				if out != w.raw[m.ID] {
					t.Fatalf("show --raw: got %q, want the stored bytes %q", out, w.raw[m.ID])
				}
				return true
			}},
		{name: "thread", want: readOne,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				if id == itoa(m.ID) {
					id = itoa(m.ThreadID)
				}
				return []string{"--json", "thread", id}
			},
			present: func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool {
				var th struct {
					ID       int64          `json:"id"`
					Messages []messageEntry `json:"messages"`
				}
				if err := json.Unmarshal([]byte(out), &th); err != nil {
					t.Fatalf("thread output is not JSON: %v\n%s", err, out)
				}
				return th.ID == m.ThreadID && hasID(th.Messages, m.ID)
			}},
		{name: "search", want: readAll,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				return []string{"--json", "search", w.word[m.ID]}
			},
			present: listed},
		{name: "export mbox", want: readAll,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				return []string{"export", "--format", "mbox", dir}
			},
			present: func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool {
				files, _ := filepath.Glob(filepath.Join(dir, "*.mbox"))
				if len(files) != 1 {
					t.Fatalf("export mbox wrote %v, want one .mbox file", files)
				}
				data, err := os.ReadFile(files[0])
				if err != nil {
					t.Fatal(err)
				}
				return strings.Contains(string(data), "Message-ID: <"+m.MessageID+">")
			}},
		{name: "export eml", want: readAll,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				return []string{"export", "--format", "eml", dir}
			},
			present: func(t *testing.T, w *matrixWorld, m ingestResult, out, dir string) bool {
				files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
				for _, f := range files {
					data, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					if string(data) == w.raw[m.ID] {
						return true
					}
				}
				return false
			}},
		{name: "deal show", want: readAll,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				return []string{"--json", "deal", "show", "1"}
			},
			present: itemListed},
		{name: "person show", want: readAll,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				return []string{"--json", "person", "show", "1"}
			},
			present: itemListed},
		{name: "link", want: linking,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				return []string{"link", id, "--lead", "1"}
			},
			effect: func(d visDetail) bool { return d.hasLink("lead", 1, "manual") }},
		{name: "unlink", want: linking,
			args: func(w *matrixWorld, m ingestResult, id, dir string) []string {
				return []string{"unlink", id, "--deal", "1"}
			},
			effect: func(d visDetail) bool { return !d.hasLink("deal", 1, "") }},
		{name: "share", want: sharing,
			args:   func(w *matrixWorld, m ingestResult, id, dir string) []string { return []string{"share", id} },
			effect: func(d visDetail) bool { return d.Shared }},
		{name: "unshare", want: sharing,
			args:   func(w *matrixWorld, m ingestResult, id, dir string) []string { return []string{"unshare", id} },
			effect: func(d visDetail) bool { return !d.Shared }},
	}
	actors := []struct{ name, user string }{{"owner", visAnn}, {"other", visBob}, {"admin", ""}}
	msgs := []struct {
		name string
		m    ingestResult
	}{{"private", w.private}, {"shared", w.shared}}
	for _, cmd := range cmds {
		for _, a := range actors {
			for _, mk := range msgs {
				want := cmd.want[a.name][mk.name]
				t.Run(fmt.Sprintf("%s/%s/%s=%s", cmd.name, a.name, mk.name, want), func(t *testing.T) {
					c := w.clone(t)
					m := mk.m
					before, _ := json.Marshal(c.detail(m.ID))
					dir := filepath.Join(t.TempDir(), "out")
					args := append(asFlags(a.user), cmd.args(w, m, itoa(m.ID), dir)...)
					r := c.run(args...)
					after := c.detail(m.ID)
					afterJSON, _ := json.Marshal(after)
					switch want {
					case seen, hidden:
						if r.code != 0 {
							t.Fatalf("%v: exit %d, stderr %q; want success", args, r.code, r.err)
						}
						if got := cmd.present(t, w, m, r.out, dir); got != (want == seen) {
							t.Fatalf("%v: message %d shown=%v, want %s\n%s", args, m.ID, got, want, r.out)
						}
						if string(before) != string(afterJSON) {
							t.Fatalf("%v: a reading command changed the message:\n%s\n%s", args, before, afterJSON)
						}
					case done:
						if r.code != 0 {
							t.Fatalf("%v: exit %d, stderr %q; want success", args, r.code, r.err)
						}
						if !cmd.effect(after) {
							t.Fatalf("%v: succeeded but the change is not in the store: %s", args, afterJSON)
						}
					case notFound, denied:
						// Not found exits 3, as for an id that does not
						// exist; a permission refusal 1.
						if code := map[outcome]int{notFound: exitNotFound, denied: exitFailure}[want]; r.code != code {
							t.Fatalf("%v: exit %d (stdout %q, stderr %q), want %d", args, r.code, r.out, r.err, code)
						}
						oneLineErr(t, strings.Join(args, " "), r)
						if r.out != "" {
							t.Fatalf("%v: refused but printed %q", args, r.out)
						}
						if string(before) != string(afterJSON) {
							t.Fatalf("%v: refused but the message changed:\n%s\n%s", args, before, afterJSON)
						}
						if want == denied {
							if !strings.Contains(r.err, "only the owner can change the sharing of message "+itoa(m.ID)) {
								t.Fatalf("%v: stderr %q, want a permission error", args, r.err)
							}
							break
						}
						// The same command naming an id that does not exist.
						missing := "9999"
						ref := c.run(append(asFlags(a.user), cmd.args(w, m, missing, dir)...)...)
						wantID := itoa(m.ID)
						if cmd.name == "thread" {
							wantID = itoa(m.ThreadID)
						}
						if wantErr := strings.ReplaceAll(ref.err, missing, wantID); r.err != wantErr || r.code != ref.code {
							t.Fatalf("%v: exit %d %q; a missing id gives exit %d %q: the two must not differ",
								args, r.code, r.err, ref.code, wantErr)
						}
						if !strings.Contains(r.err, "no such") {
							t.Fatalf("%v: stderr %q, want a not-found error", args, r.err)
						}
					}
				})
			}
		}
	}
}

// ---------------------------------------------------------------------
// Sharing.

func TestDefaultSharingAppliesAtArrival(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	at := func(n int) string { return fmt.Sprintf("Mon, 02 Nov 2026 %02d:00:00 +0000", n) }
	mail := func(n int) string {
		return visMail("Ann Seller <ann@acme.example>", "dora@other.example", fmt.Sprintf("Note %d", n), at(8+n),
			fmt.Sprintf("ds%d@acme.example", n), "text\n")
	}
	var settings settingsReport
	c.json(&settings, "settings", "show", "--user", visAnn)
	if settings.Settings.DefaultShared {
		t.Fatalf("a new user's default sharing is %+v, want private", settings)
	}
	m1 := visImport(c, visAnn, mail(1))
	c.json(&settings, "settings", "set", "--user", visAnn, "default-sharing", "shared")
	if !settings.Settings.DefaultShared {
		t.Fatalf("settings set printed %+v", settings)
	}
	m2 := visImport(c, visAnn, mail(2))
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "private")
	m3 := visImport(c, visAnn, mail(3))

	// Mail through the Postfix pipe follows the same rule.
	w := newMailWorld(t)
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	m4 := c.mustDeliver(w, w.sign(mail(4)), universal, "192.0.2.10", "stored")
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "private")

	want := map[int64]bool{m1.ID: false, m2.ID: true, m3.ID: false, m4.ID: true}
	for _, r := range []ingestResult{m1, m2, m3, m4} {
		if r.Shared != want[r.ID] {
			t.Errorf("ingest reported message %d shared=%v, want %v", r.ID, r.Shared, want[r.ID])
		}
		d := c.detail(r.ID)
		if d.Shared != want[r.ID] {
			t.Errorf("message %d: shared=%v, want %v (changing the default must not change old mail)",
				r.ID, d.Shared, want[r.ID])
		}
	}
	var bob []messageEntry
	c.json(&bob, "--as", visBob, "inbox")
	if got := ids(bob); !sameIDs(got, []int64{m4.ID, m2.ID}) {
		t.Fatalf("Bob sees %v, want the shared %v", got, []int64{m4.ID, m2.ID})
	}
	for _, e := range bob {
		if !e.Shared {
			t.Fatalf("Bob's inbox entry %+v is not marked shared", e)
		}
	}
}

func TestShareAndUnshareByOwner(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	m := visImport(c, visAnn, visMail("Ann Seller <ann@acme.example>", "dora@other.example", "Offer", "Mon, 02 Nov 2026 09:00:00 +0000", "o1@acme.example", "Offer text\n"))
	c.fails("no such message "+itoa(m.ID), "--as", visBob, "show", itoa(m.ID))

	if out := c.ok("--as", visAnn, "share", itoa(m.ID)); out != "message "+itoa(m.ID)+" is shared\n" {
		t.Fatalf("share printed %q", out)
	}
	if d := c.detail(m.ID, "--as", visBob); d.ID != m.ID || !d.Shared {
		t.Fatalf("after share Bob sees %+v", d)
	}
	var res shareReport
	c.json(&res, "--as", visAnn, "unshare", itoa(m.ID))
	if res.Shared || len(res.Messages) != 1 || res.Messages[0] != (messageChange{ID: m.ID, Status: "changed"}) {
		t.Fatalf("unshare --json printed %+v", res)
	}
	c.fails("no such message "+itoa(m.ID), "--as", visBob, "show", itoa(m.ID))
	var bob []messageEntry
	c.json(&bob, "--as", visBob, "inbox")
	if len(bob) != 0 {
		t.Fatalf("Bob still sees %v after unshare", ids(bob))
	}
	// The owner can also be named by id.
	c.ok("--as", "1", "share", itoa(m.ID))
	if !c.detail(m.ID).Shared {
		t.Fatal("share --as 1 did not share")
	}

	// The administrator may not change sharing, and is told how to.
	r := c.fails("only the owner can change the sharing", "unshare", itoa(m.ID))
	if r.code != 1 || !strings.Contains(r.err, "--as") {
		t.Fatalf("administrator unshare: exit %d %q", r.code, r.err)
	}
	// Bob may see it now, but it is still not his to change.
	c.fails("only the owner can change the sharing", "--as", visBob, "unshare", itoa(m.ID))
	if !c.detail(m.ID).Shared {
		t.Fatal("a refused unshare changed the message")
	}
	c.fails("no such message 4242", "--as", visAnn, "share", "4242")
	c.fails("no such user", "--as", "nobody@acme.example", "share", itoa(m.ID))
	c.fails("invalid message id", "--as", visAnn, "share", "abc")
}

// Only the owner chooses how her future mail is shared.
func TestOtherUserCannotChangeDefaultSharing(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	r := c.run("--as", visBob, "settings", "set", "--user", visAnn, "default-sharing", "shared")
	if r.code == 0 {
		t.Errorf("Bob changed Ann's default sharing (--as bob settings set --user ann): %q", r.out)
	}
	var s settingsReport
	c.json(&s, "settings", "show", "--user", visAnn)
	if s.Settings.DefaultShared {
		t.Fatalf("Ann's default sharing is now shared: her next mail would be shared with the company")
	}
}

// ---------------------------------------------------------------------
// inbox

func TestInboxOrderFieldsAndFilters(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("person", "add", "--name", "Carl Customer", "--email", "carl@customer.example")
	c.ok("deal", "add", "--title", "Widgets", "--person", "1")
	from := "Ann Seller <ann@acme.example>"
	m1 := visImport(c, visAnn, visMail(from, "Carl <carl@customer.example>", "First to Carl", "Mon, 02 Nov 2026 09:00:00 +0000", "i1@acme.example", "one\n"))
	m2 := visImport(c, visAnn, visMail(from, "dora@other.example", "To Dora", "Mon, 02 Nov 2026 11:00:00 +0000", "i2@acme.example", "two\n"))
	m3 := visImport(c, visAnn, visMail(from, "Carl <carl@customer.example>", "Widgets for Carl", "Mon, 02 Nov 2026 10:00:00 +0000", "i3@acme.example", "three\n"))
	c.ok("link", itoa(m3.ID), "--deal", "1")
	c.ok("--as", visAnn, "share", itoa(m3.ID))
	b1 := visImport(c, visBob, visMail("Bob Other <bob@acme.example>", "Carl <carl@customer.example>", "Bob to Carl", "Mon, 02 Nov 2026 12:00:00 +0000", "b1@acme.example", "bob\n"))

	var inbox []messageEntry
	c.json(&inbox, "--as", visAnn, "inbox")
	if got := ids(inbox); !sameIDs(got, []int64{m2.ID, m3.ID, m1.ID}) {
		t.Fatalf("Ann's inbox %v, want newest first %v", got, []int64{m2.ID, m3.ID, m1.ID})
	}
	e := inbox[1]
	if e.From != visAnn || e.FromName != "Ann Seller" || e.Subject != "Widgets for Carl" || rfc3339(time.Time(e.Date)) != "2026-11-02T10:00:00Z" ||
		!e.Shared || int64(e.ThreadID) != m3.ThreadID || e.Owner != (userRef{ID: 1, Email: visAnn}) || e.MessageID != "i3@acme.example" {
		t.Fatalf("inbox entry %+v", e)
	}
	wantLinks := map[string]string{"deal:1": "manual", "person:1": "auto"}
	if len(e.Links) != len(wantLinks) {
		t.Fatalf("links %+v, want %v", e.Links, wantLinks)
	}
	for _, l := range e.Links {
		if wantLinks[fmt.Sprintf("%s:%d", l.Kind, l.ID)] != l.How {
			t.Fatalf("links %+v, want %v", e.Links, wantLinks)
		}
	}
	if inbox[0].Shared || inbox[0].Links == nil || len(inbox[0].Links) != 0 {
		t.Fatalf("unlinked private entry %+v (links must be [] not null)", inbox[0])
	}
	// The raw JSON uses the contract's names.
	raw := c.ok("--json", "--as", visAnn, "inbox")
	for _, k := range []string{`"id"`, `"message_id"`, `"date"`, `"from"`, `"subject"`, `"links"`, `"owner"`, `"shared"`, `"thread_id"`, `"how"`, `"kind"`} {
		if !strings.Contains(raw, k) {
			t.Fatalf("inbox --json lacks %s:\n%s", k, raw)
		}
	}

	// Human output: a table, newest first, with links and sharing.
	text := c.ok("--as", visAnn, "inbox")
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("inbox text:\n%s", text)
	}
	for _, h := range []string{"DATE", "OWNER", "FROM", "SUBJECT", "LINKS", "SHARING"} {
		if !strings.Contains(lines[0], h) {
			t.Fatalf("inbox header %q lacks %s", lines[0], h)
		}
	}
	for i, want := range []struct {
		id                     int64
		subject, links, shared string
	}{{m2.ID, "To Dora", "", "private"}, {m3.ID, "Widgets for Carl", `deal 1 "Widgets"`, "shared"}, {m1.ID, "First to Carl", `person 1 "Carl Customer"`, "private"}} {
		f := strings.Fields(lines[i+1])
		if f[0] != itoa(want.id) || !strings.Contains(lines[i+1], want.subject) || !strings.Contains(lines[i+1], want.links) ||
			f[len(f)-1] != want.shared || !strings.Contains(lines[i+1], visAnn) || !strings.Contains(lines[i+1], "2026-11-02T") {
			t.Fatalf("inbox line %d %q, want %+v", i+1, lines[i+1], want)
		}
	}

	filters := []struct {
		name string
		as   []string
		args []string
		want []int64
	}{
		{"item deal", []string{"--as", visAnn}, []string{"--item", "deal:1"}, []int64{m3.ID}},
		{"person", []string{"--as", visAnn}, []string{"--person", "1"}, []int64{m3.ID, m1.ID}},
		{"item person", []string{"--as", visAnn}, []string{"--item", "person:1"}, []int64{m3.ID, m1.ID}},
		{"unlinked", []string{"--as", visAnn}, []string{"--unlinked"}, []int64{m2.ID}},
		{"bob person", []string{"--as", visBob}, []string{"--person", "1"}, []int64{b1.ID, m3.ID}},
		{"bob deal", []string{"--as", visBob}, []string{"--item", "deal:1"}, []int64{m3.ID}},
		{"bob unlinked", []string{"--as", visBob}, []string{"--unlinked"}, []int64{}},
		{"bob all", []string{"--as", visBob}, nil, []int64{b1.ID, m3.ID}},
		{"admin all", nil, nil, []int64{b1.ID, m2.ID, m3.ID, m1.ID}},
		{"admin reads Bob's inbox", nil, []string{"--user", visBob}, []int64{b1.ID, m3.ID}},
		{"admin reads Ann's inbox", nil, []string{"--user", visAnn}, []int64{m2.ID, m3.ID, m1.ID}},
		{"admin person filter", nil, []string{"--person", "1"}, []int64{b1.ID, m3.ID, m1.ID}},
	}
	for _, f := range filters {
		t.Run(f.name, func(t *testing.T) {
			c := c.in(t)
			out := c.ok(append(append(append([]string{"--json"}, f.as...), "inbox"), f.args...)...)
			got := ids(jsonIDs(t, out))
			if !sameIDs(got, f.want) {
				t.Fatalf("inbox %v: %v, want %v", f.args, got, f.want)
			}
			if len(f.want) == 0 && strings.TrimSpace(out) != "[]" {
				t.Fatalf("an empty inbox must print [] in JSON, got %q", out)
			}
		})
	}
	c.fails("invalid item", "inbox", "--item", "widget:1")
	// A deal that does not exist is not found (exit 3), not an empty list.
	c.fails("no such deal 77", "--as", visAnn, "inbox", "--item", "deal:77")
	// A user cannot ask for another user's inbox or export at all.
	c.fails(visBob+" may read only their own view (their mail and the mail shared with the company), not "+visAnn+"'s: leave out --user", "--as", visBob, "inbox", "--user", visAnn)
	c.fails("may read only their own view", "--as", visBob, "search", "x", "--user", visAnn)
	c.fails("may read only their own view", "--as", visBob, "export", "--format", "mbox", "--user", visAnn, c.t.TempDir())
	c.fails("invalid item", "inbox", "--item", "deal")
	c.fails("no such user", "--as", "nobody@acme.example", "inbox")

	empty := newCLI(t)
	empty.setup()
	if r := empty.run("--as", visAnn, "inbox"); r.code != 0 || r.out != "" || r.err != "no messages\n" {
		t.Fatalf("empty inbox: exit %d, stdout %q, stderr %q; want nothing on stdout, the notice on stderr", r.code, r.out, r.err)
	}
}

// ---------------------------------------------------------------------
// show

func TestShowHeadersAuthLinksAttachments(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("person", "add", "--name", "Carl Customer", "--email", "carl@customer.example")
	var deal struct {
		ID  int64  `json:"id"`
		Bcc string `json:"bcc_address"`
	}
	c.json(&deal, "deal", "add", "--title", "Widgets", "--person", "1")
	pdf := []byte("%PDF-1.4\n%\xc7\xec\x8f\xa2\n")
	sum := sha256.Sum256(pdf)
	raw := strings.Join([]string{
		"From: Ann Seller <ann@acme.example>",
		"To: Carl Customer <carl@customer.example>",
		"Cc: dora@other.example",
		"Subject: Quote attached",
		"Date: Mon, 02 Nov 2026 09:00:00 +0000",
		"Message-ID: <quote1@acme.example>",
		"MIME-Version: 1.0",
		`Content-Type: multipart/mixed; boundary="b1"`,
		"",
		"--b1",
		"Content-Type: text/plain; charset=utf-8",
		"",
		"Please find the quote attached.",
		"--b1",
		`Content-Type: application/pdf; name="quote.pdf"`,
		`Content-Disposition: attachment; filename="quote.pdf"`,
		"Content-Transfer-Encoding: base64",
		"",
		"JVBERi0xLjQKJcfsj6IK",
		"--b1--",
		"",
	}, "\r\n")
	w := newMailWorld(t)
	signed := w.sign(raw)
	r := c.mustDeliver(w, signed, deal.Bcc, "192.0.2.10", "stored")

	text := c.ok("show", itoa(r.ID))
	for _, want := range []string{
		"Message " + itoa(r.ID) + " <quote1@acme.example>",
		"Owner:    ann@acme.example (private)",
		"Date:     2026-11-02T09:00:00Z",
		"Subject:  Quote attached",
		"From:     Ann Seller <ann@acme.example>",
		"To:       Carl Customer <carl@customer.example>",
		"Cc:       dora@other.example",
		"Thread:   " + itoa(r.ThreadID),
		"dkim=pass", "spf=pass", "dmarc=pass", "aligned=true",
		"dkim d=acme.example s=sel: pass",
		"Link:     deal " + itoa(deal.ID) + ` "Widgets" (bcc)`,
		`Link:     person 1 "Carl Customer" (auto)`,
		fmt.Sprintf("Attachment: quote.pdf (application/pdf, %d bytes, sha256 %s)", len(pdf), hex.EncodeToString(sum[:])),
		"Please find the quote attached.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("show lacks %q:\n%s", want, text)
		}
	}
	d := c.detail(r.ID)
	if d.MessageID != "quote1@acme.example" || d.Owner.Email != visAnn || d.Owner.ID != 1 || d.Subject != "Quote attached" || d.From != visAnn ||
		d.Date != "2026-11-02T09:00:00Z" || d.Shared || d.Size != int64(len(signed)) {
		t.Errorf("show --json %+v", d)
	}
	if d.Auth.DKIM != "pass" || d.Auth.SPF != "pass" || d.Auth.DMARC != "pass" || !d.Auth.Aligned || d.Auth.Mode != "verify" {
		t.Errorf("show --json auth %+v", d.Auth)
	}
	if !d.hasLink("deal", deal.ID, "bcc") || !d.hasLink("person", 1, "auto") || len(d.Links) != 2 {
		t.Errorf("show --json links %+v", d.Links)
	}
	if len(d.Attachments) != 1 || d.Attachments[0].Name != "quote.pdf" || d.Attachments[0].ContentType != "application/pdf" ||
		d.Attachments[0].Size != int64(len(pdf)) || d.Attachments[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("show --json attachments %+v", d.Attachments)
	}
	if !strings.Contains(d.Text, "Please find the quote attached.") {
		t.Errorf("show --json text %q", d.Text)
	}
	roles := map[string]string{}
	for _, p := range d.Participants {
		roles[p.Role] = p.Email
	}
	if roles["from"] != visAnn || roles["to"] != "carl@customer.example" || roles["cc"] != "dora@other.example" {
		t.Errorf("participants %+v", d.Participants)
	}
	if got := c.ok("show", itoa(r.ID), "--raw"); got != signed {
		t.Errorf("show --raw differs from the delivered bytes")
	}
	// --json prints JSON or nothing: with --raw, whose bytes are no JSON,
	// it is refused, as export - refuses it.
	if r := c.fails("--raw prints the message's bytes, where --json would go", "--json", "show", itoa(r.ID), "--raw"); r.out != "" {
		t.Errorf("--json show --raw printed %q", r.out)
	}
	// The owner sees the same; Bob sees nothing of it.
	if got := c.ok("--as", visAnn, "show", itoa(r.ID)); got != text {
		t.Errorf("the owner's show differs from the administrator's")
	}
	c.fails("no such message "+itoa(r.ID), "--as", visBob, "show", itoa(r.ID), "--raw")
	c.fails("invalid message id", "show", "0")
	c.fails("invalid message id", "show", "x")
}

// Raw bytes come back exactly, whatever they are.
func TestShowRawExact(t *testing.T) {
	c := newCLI(t)
	c.setup()
	for i, raw := range []string{
		"From: ann@acme.example\nTo: bob@customer.example\nSubject: LF only\nMessage-ID: <r1@acme.example>\n\nbody\n",
		"From: ann@acme.example\r\nTo: bob@customer.example\r\nSubject: no final newline\r\nMessage-ID: <r2@acme.example>\r\n\r\nlast line",
		"From: ann@acme.example\nTo: bob@customer.example\nSubject: 8bit\nMessage-ID: <r3@acme.example>\nContent-Type: text/plain; charset=latin1\n\ncaf\xe9 \x00\x7f trailing spaces   \n\n\n",
		"From: ann@acme.example\nTo: bob@customer.example\nSubject: from lines\nMessage-ID: <r4@acme.example>\n\nFrom here on\n>From quoted\n>>From twice\n",
	} {
		r := visImport(c, visAnn, raw)
		if got := c.ok("show", itoa(r.ID), "--raw"); got != raw {
			t.Errorf("message %d: show --raw\n got %q\nwant %q", i, got, raw)
		}
		if got := c.ok("--as", visAnn, "show", itoa(r.ID), "--raw"); got != raw {
			t.Errorf("message %d: --as owner show --raw differs", i)
		}
	}
}

// ---------------------------------------------------------------------
// thread

func TestThreadInOrderAndVisible(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	ann := "Ann Seller <ann@acme.example>"
	carl := "Carl <carl@customer.example>"
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	a1 := visImport(c, visAnn, visMail(ann, carl, "Widgets", "Mon, 02 Nov 2026 09:00:00 +0000", "t1@acme.example", "first\n"))
	a3 := visImport(c, visAnn, visMail(ann, carl, "Re: Widgets", "Mon, 02 Nov 2026 11:00:00 +0000", "t3@acme.example", "third\n",
		"In-Reply-To: <t2@acme.example>", "References: <t1@acme.example> <t2@acme.example>"))
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "private")
	a2 := visImport(c, visAnn, visMail(ann, carl, "Re: Widgets", "Mon, 02 Nov 2026 10:00:00 +0000", "t2@acme.example", "second\n",
		"In-Reply-To: <t1@acme.example>", "References: <t1@acme.example>"))
	b1 := visImport(c, visBob, visMail("Bob Other <bob@acme.example>", carl, "Re: Widgets", "Mon, 02 Nov 2026 10:30:00 +0000", "tb@acme.example", "bob's\n",
		"In-Reply-To: <t1@acme.example>", "References: <t1@acme.example>"))
	other := visImport(c, visAnn, visMail(ann, carl, "Something else", "Mon, 02 Nov 2026 12:00:00 +0000", "t9@acme.example", "x\n"))
	th := a1.ThreadID
	for _, r := range []ingestResult{a2, a3, b1} {
		if r.ThreadID != th {
			t.Fatalf("message %s threaded into %d, want %d", r.MessageID, r.ThreadID, th)
		}
	}
	if other.ThreadID == th {
		t.Fatal("an unrelated message joined the thread")
	}
	type threadOut struct {
		ID       int64          `json:"id"`
		Subject  string         `json:"subject"`
		Messages []messageEntry `json:"messages"`
	}
	for _, tc := range []struct {
		name string
		as   []string
		want []int64
	}{
		{"owner", []string{"--as", visAnn}, []int64{a1.ID, a2.ID, a3.ID}},
		{"other", []string{"--as", visBob}, []int64{a1.ID, b1.ID, a3.ID}},
		{"admin", nil, []int64{a1.ID, a2.ID, b1.ID, a3.ID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			var out threadOut
			c.json(&out, append(tc.as, "thread", itoa(th))...)
			if out.ID != th || !sameIDs(ids(out.Messages), tc.want) {
				t.Fatalf("thread %d: id %d messages %v, want oldest first %v", th, out.ID, ids(out.Messages), tc.want)
			}
			text := c.ok(append(tc.as, "thread", itoa(th))...)
			if !strings.HasPrefix(text, "Thread "+itoa(th)+":") {
				t.Fatalf("thread text:\n%s", text)
			}
			last := -1
			for _, id := range tc.want {
				i := strings.Index(text, "\n"+itoa(id)+" ")
				if i < 0 || i < last {
					t.Fatalf("thread text does not list %v in order:\n%s", tc.want, text)
				}
				last = i
			}
		})
	}
	c.fails("no such thread 999", "thread", "999")
	c.fails("invalid thread", "thread", "0")
}

// ---------------------------------------------------------------------
// search

func TestSearchFullTextWithVisibility(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	a1 := visImport(c, visAnn, visMail("Ann Seller <ann@acme.example>", "Carl Customer <carl@customer.example>", "Widget order",
		"Mon, 02 Nov 2026 09:00:00 +0000", "s1@acme.example", "We need two hundred widgets by Friday.\n"))
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "private")
	a2 := visImport(c, visAnn, visMail("Ann Seller <ann@acme.example>", "Dora Buyer <dora@other.example>", "Pricing",
		"Mon, 02 Nov 2026 10:00:00 +0000", "s2@acme.example", "Widgets cost two euros per hundred.\n"))
	b1 := visImport(c, visBob, visMail("Bob Other <bob@acme.example>", "Carl Customer <carl@customer.example>", "Widgetry",
		"Mon, 02 Nov 2026 11:00:00 +0000", "s3@acme.example", "Two hundred units are ready.\n"))

	for _, tc := range []struct {
		name, query string
		as          []string
		want        []int64
	}{
		{"prefix owner", "widg*", []string{"--as", visAnn}, []int64{a2.ID, a1.ID}},
		{"prefix other", "widg*", []string{"--as", visBob}, []int64{b1.ID, a1.ID}},
		{"prefix admin", "widg*", nil, []int64{b1.ID, a2.ID, a1.ID}},
		{"prefix admin --user ann", "widg*", []string{"--user", visAnn}, []int64{a2.ID, a1.ID}},
		{"prefix admin --user bob", "widg*", []string{"--user", visBob}, []int64{b1.ID, a1.ID}},
		{"phrase owner", `"two hundred"`, []string{"--as", visAnn}, []int64{a1.ID}},
		{"phrase other", `"two hundred"`, []string{"--as", visBob}, []int64{b1.ID, a1.ID}},
		{"phrase admin", `"two hundred"`, nil, []int64{b1.ID, a1.ID}},
		{"subject word", "pricing", []string{"--as", visAnn}, []int64{a2.ID}},
		{"subject word hidden", "pricing", []string{"--as", visBob}, []int64{}},
		{"participant address", "dora@other.example", []string{"--as", visAnn}, []int64{a2.ID}},
		{"participant address hidden", "dora@other.example", []string{"--as", visBob}, []int64{}},
		{"participant name", "Carl", []string{"--as", visAnn}, []int64{a1.ID}},
		{"participant name other", "carl", []string{"--as", visBob}, []int64{b1.ID, a1.ID}},
		{"sender name", "bob", nil, []int64{b1.ID}},
		{"body word", "friday", []string{"--as", visBob}, []int64{a1.ID}},
		{"boolean", "widg* NOT friday", []string{"--as", visAnn}, []int64{a2.ID}},
		{"or", `"two hundred" OR pricing`, []string{"--as", visAnn}, []int64{a2.ID, a1.ID}},
		{"no match", "zeppelin", []string{"--as", visAnn}, []int64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.in(t)
			var args []string
			var user []string
			for i := 0; i < len(tc.as); i += 2 {
				if tc.as[i] == "--user" {
					user = tc.as[i : i+2]
				} else {
					args = append(args, tc.as[i:i+2]...)
				}
			}
			// Newest first, as the wanted lists are.
			args = append(append(append([]string{"--json"}, args...), "search", "--sort", "date", tc.query), user...)
			out := c.ok(args...)
			if got := ids(jsonIDs(t, out)); !sameIDs(got, tc.want) {
				t.Fatalf("%v: %v, want %v", args, got, tc.want)
			}
			if len(tc.want) == 0 && strings.TrimSpace(out) != "[]" {
				t.Fatalf("no results must print [] in JSON, got %q", out)
			}
		})
	}
	if r := c.run("--as", visAnn, "search", "zeppelin"); r.code != 0 || r.out != "" || r.err != "no messages\n" {
		t.Fatalf("search without results: exit %d, stdout %q, stderr %q; want nothing on stdout, the notice on stderr", r.code, r.out, r.err)
	}
	text := c.ok("--as", visAnn, "search", "widg*")
	if !strings.Contains(text, "Widget order") || !strings.Contains(text, "Pricing") || strings.Contains(text, "Widgetry") {
		t.Fatalf("search text output:\n%s", text)
	}
	// What the query language reads as well as it can: searched.
	for _, odd := range []string{`"two hundred`, "widg* AND", "(widgets", "widgets)", "follow-up", "C++", "re:"} {
		// (Nothing found is said on stderr: "no messages" is no error.)
		if r := c.run("--as", visAnn, "search", odd); r.code != 0 || r.err != "" && r.err != "no messages\n" {
			t.Errorf("search %q: exit %d err %q, want it searched", odd, r.code, r.err)
		}
	}
	// What it cannot read: a usage error about the query, never about
	// the database.
	for _, bad := range []string{"++", "deal:abc", "after:someday", "has:wings"} {
		r := c.run("--as", visAnn, "search", bad)
		if r.code != 2 || r.out != "" || strings.Contains(strings.ToLower(r.err), "fts") || strings.Contains(r.err, "column") {
			t.Errorf("search %q: exit %d out %q err %q, want exit 2 and a message about the query", bad, r.code, r.out, r.err)
		}
		oneLineErr(t, "search "+bad, r)
	}
}

// ---------------------------------------------------------------------
// rejected and quarantine are the administrator's.

func TestAdministratorCommandsRefusedWithAs(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	stranger := msg([]string{"From: Mallory <mallory@elsewhere.example>", "To: " + universal, "Subject: hi", "Message-ID: <m1@elsewhere.example>"}, "buy\n")
	c.mustDeliver(w, stranger, universal, "198.51.100.1", "rejected")

	sendmail, _ := captureSendmail(t)
	c.ok("address", "add", "--user", visAnn, "--sendmail", sendmail, "ann@home.example")
	home := msg([]string{"From: Ann <ann@home.example>", "To: bob@customer.example", "Subject: from home",
		"Message-ID: <h1@home.example>", "Date: Tue, 03 Nov 2026 10:00:00 +0000"}, "sent from home\n")
	r := c.runIn(home, "--dns-zone", w.zone, "--json", "ingest", "--recipient", universal, "--sender", "ann@home.example",
		"--client-ip", "192.0.2.20", "--helo", "mx.home.example")
	if rs := parseResults(t, r.out); r.code != 0 || len(rs) != 1 || rs[0].Status != "quarantined" {
		t.Fatalf("setting up quarantine: exit %d %+v %q", r.code, rs, r.err)
	}
	var held []struct {
		ID       int64 `json:"id"`
		Released bool  `json:"released"`
	}
	c.json(&held, "quarantine", "list")
	if len(held) != 1 {
		t.Fatalf("quarantine list %+v", held)
	}
	var rej []struct {
		Reason string `json:"reason"`
	}
	c.json(&rej, "rejected")
	if len(rej) != 1 || rej[0].Reason != "unknown_sender" {
		t.Fatalf("rejected %+v", rej)
	}

	// migrate copies every user's mail, private mail included.
	copyTo := filepath.Join(t.TempDir(), "copy.db")
	for _, user := range []string{visAnn, "1"} {
		for _, args := range [][]string{
			{"migrate", "--to", copyTo},
			{"rejected"},
			{"rejected", "--since", "24h"},
			{"--json", "rejected"},
			{"quarantine", "list"},
			{"quarantine", "list", "--all"},
			{"quarantine", "release", itoa(held[0].ID)},
			{"quarantine", "release", "999"},
		} {
			args := append([]string{"--as", user}, args...)
			r := c.run(args...)
			if r.code != 1 || r.out != "" || !strings.Contains(r.err, "is for the administrator") {
				t.Errorf("%v: exit %d out %q err %q, want a permission error", args, r.code, r.out, r.err)
			}
			oneLineErr(t, strings.Join(args, " "), r)
		}
	}
	if _, err := os.Stat(copyTo); !os.IsNotExist(err) {
		t.Errorf("a refused migrate made %s: %v", copyTo, err)
	}
	c.json(&held, "quarantine", "list")
	if len(held) != 1 || held[0].Released {
		t.Fatalf("a refused release changed the quarantine: %+v", held)
	}
	var inbox []messageEntry
	c.json(&inbox, "inbox")
	if len(inbox) != 0 {
		t.Fatalf("a refused release filed mail: %v", ids(inbox))
	}
	if out := c.ok("rejected"); !strings.Contains(out, "unknown_sender") || !strings.Contains(out, "mallory@elsewhere.example") {
		t.Fatalf("rejected text:\n%s", out)
	}
	if out := c.ok("quarantine", "list"); !strings.Contains(out, "ann@home.example") || !strings.Contains(out, "from home") {
		t.Fatalf("quarantine list text:\n%s", out)
	}
}

// ---------------------------------------------------------------------
// Findings beyond the matrix.

// Linking a shared message links its whole thread, including the owner's
// private messages there; what the command reports must not reveal how
// many messages the actor cannot see.
func TestLinkOutputRevealsNoHiddenMessages(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("lead", "add", "--title", "Lead")
	ann := "Ann Seller <ann@acme.example>"
	carl := "Carl <carl@customer.example>"
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	a1 := visImport(c, visAnn, visMail(ann, carl, "Widgets", "Mon, 02 Nov 2026 09:00:00 +0000", "l1@acme.example", "one\n"))
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "private")
	for i := 2; i <= 4; i++ {
		visImport(c, visAnn, visMail(ann, carl, "Re: Widgets", fmt.Sprintf("Mon, 02 Nov 2026 1%d:00:00 +0000", i),
			fmt.Sprintf("l%d@acme.example", i), "private reply\n", "In-Reply-To: <l1@acme.example>"))
	}
	var th struct {
		Messages []messageEntry `json:"messages"`
	}
	c.json(&th, "--as", visBob, "thread", itoa(a1.ThreadID))
	if len(th.Messages) != 1 {
		t.Fatalf("Bob sees %d messages of the thread, want 1", len(th.Messages))
	}
	var res linkReport
	c.json(&res, "--as", visBob, "link", itoa(a1.ID), "--lead", "1")
	if len(res.Messages) != 1 || res.Messages[0].ID != a1.ID {
		t.Errorf("Bob's link --json reports %+v for a thread he sees 1 message of: it reveals Ann's private replies", res.Messages)
	}
	var un linkReport
	c.json(&un, "--as", visBob, "unlink", itoa(a1.ID), "--lead", "1")
	if len(un.Messages) != 1 {
		t.Errorf("Bob's unlink --json reports %+v for a thread he sees 1 message of: it reveals Ann's private replies", un.Messages)
	}
}
