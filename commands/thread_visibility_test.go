package commands

import (
	"strings"
	"testing"
)

// Issue 11.6: threading never joins mail across what its owner may see.
// Carl (a user) files a reply whose References name Ann's private message:
// it must not join Ann's thread, and nothing Carl reads (thread, show,
// inbox, search) shows her subject or her deal. Once Ann shares the
// message, the same kind of reply joins her thread (the rule can fail).
func TestThreadNeverJoinsAcrossVisibility(t *testing.T) {
	const visCarl = "carl@acme.example"
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visCarl, "--name", "Carl Colleague")
	c.ok("deal", "add", "--title", "Okapi deal")
	ann := "Ann Seller <ann@acme.example>"
	carl := "Carl Colleague <carl@acme.example>"
	cust := "Dora <dora@customer.example>"

	secret := visImport(c, visAnn, visMail(ann, cust, "Zanzibar merger terms", "Mon, 02 Nov 2026 09:00:00 +0000",
		"secret@acme.example", "Internal terms.\n"))
	c.ok("link", itoa(secret.ID), "--deal", "1")
	if secret.Shared {
		t.Fatalf("Ann's message is shared: %+v", secret)
	}

	type threadOut struct {
		ID       int64          `json:"id"`
		Subject  string         `json:"subject"`
		Items    []itemRef      `json:"items"`
		Messages []messageEntry `json:"messages"`
	}
	noLeak := func(t *testing.T, what, out string) {
		t.Helper()
		// Carl wrote the subject too, and his reply names her
		// Message-ID; the deal's title and her text are hers alone.
		for _, w := range []string{"Okapi", "Internal terms"} {
			if strings.Contains(out, w) {
				t.Errorf("%s shows %q to Carl:\n%s", what, w, out)
			}
		}
	}

	// A reply naming Ann's private message, and a message with her subject
	// to the same customer: neither joins her thread.
	reply := visImport(c, visCarl, visMail(carl, cust, "Re: terms", "Mon, 02 Nov 2026 10:00:00 +0000",
		"carl1@acme.example", "My reply.\n", "In-Reply-To: <secret@acme.example>", "References: <secret@acme.example>"))
	sameSubject := visImport(c, visCarl, visMail(carl, cust, "Zanzibar merger terms", "Mon, 02 Nov 2026 11:00:00 +0000",
		"carl2@acme.example", "Same subject.\n"))
	for _, r := range []ingestResult{reply, sameSubject} {
		if r.ThreadID == secret.ThreadID {
			t.Fatalf("Carl's message %s joined Ann's private thread %d", r.MessageID, secret.ThreadID)
		}
		d := c.detail(r.ID)
		if d.hasLink("deal", 1, "") {
			t.Errorf("Carl's message %s is linked to Ann's deal: %+v", r.MessageID, d.Links)
		}
	}

	as := []string{"--as", visCarl}
	var th threadOut
	c.json(&th, append(as, "thread", itoa(reply.ThreadID))...)
	if len(th.Items) != 0 || len(th.Messages) == 0 {
		t.Errorf("Carl's thread: %+v, want his messages and no item", th)
	}
	for _, m := range th.Messages {
		if m.ID == secret.ID {
			t.Errorf("Carl's thread lists Ann's private message %d", secret.ID)
		}
	}
	for _, args := range [][]string{
		{"thread", itoa(reply.ThreadID)},
		{"--json", "thread", itoa(reply.ThreadID)},
		{"thread", "--message", itoa(reply.ID)},
		{"thread", "carl1@acme.example"},
		{"show", itoa(reply.ID)},
		{"--json", "show", itoa(reply.ID)},
		{"inbox"},
		{"--json", "inbox"},
		{"search", "terms"},
	} {
		noLeak(t, strings.Join(args, " "), c.ok(append(as, args...)...))
	}
	// Ann's thread, by any name, does not exist for Carl.
	c.fails("no such thread", append(as, "thread", itoa(secret.ThreadID))...)
	c.fails("", append(as, "thread", "secret@acme.example")...)

	// Ann's own view is unchanged: her thread holds her message only.
	var annTh threadOut
	c.json(&annTh, "--as", visAnn, "thread", itoa(secret.ThreadID))
	if len(annTh.Messages) != 1 || annTh.Messages[0].ID != secret.ID || !strings.Contains(annTh.Subject, "Zanzibar") {
		t.Errorf("Ann's thread: %+v", annTh)
	}

	// Shared, the message draws replies of others into its thread.
	c.ok("--as", visAnn, "share", itoa(secret.ID))
	later := visImport(c, visCarl, visMail(carl, cust, "Re: Zanzibar merger terms", "Mon, 02 Nov 2026 12:00:00 +0000",
		"carl3@acme.example", "Now shared.\n", "In-Reply-To: <secret@acme.example>", "References: <secret@acme.example>"))
	if later.ThreadID != secret.ThreadID {
		t.Errorf("a reply to Ann's shared message went to thread %d, want her thread %d", later.ThreadID, secret.ThreadID)
	}
}

// The subject of a thread is that of the first message the reader may
// see; the thread's deal is shown only when a message the reader may see
// is linked to it.
func TestThreadSubjectAndItemsFromVisibleMessages(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("deal", "add", "--title", "Quokka acquisition")
	ann := "Ann Seller <ann@acme.example>"
	cust := "Dora <dora@customer.example>"
	first := visImport(c, visAnn, visMail(ann, cust, "Quokka acquisition", "Mon, 02 Nov 2026 09:00:00 +0000",
		"q1@acme.example", "Private start.\n"))
	c.ok("link", itoa(first.ID), "--deal", "1")
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	open := visImport(c, visAnn, visMail(ann, cust, "Lunch on Friday", "Mon, 02 Nov 2026 10:00:00 +0000",
		"q2@acme.example", "Shared reply.\n", "In-Reply-To: <q1@acme.example>", "References: <q1@acme.example>"))
	if open.ThreadID != first.ThreadID || !open.Shared {
		t.Fatalf("world: %+v %+v", first, open)
	}
	// The shared reply took the thread's deal; Ann takes it off that one
	// message only.
	c.ok("unlink", itoa(open.ID), "--deal", "1", "--message-only")

	var th struct {
		Subject  string         `json:"subject"`
		Items    []itemRef      `json:"items"`
		Messages []messageEntry `json:"messages"`
	}
	c.json(&th, "--as", visBob, "thread", itoa(first.ThreadID))
	if th.Subject != "Lunch on Friday" || len(th.Items) != 0 || len(th.Messages) != 1 || th.Messages[0].ID != open.ID {
		t.Errorf("Bob's view of the thread: subject %q items %+v messages %v; want the shared message's subject, no deal, one message",
			th.Subject, th.Items, ids(th.Messages))
	}
	text := c.ok("--as", visBob, "thread", itoa(first.ThreadID))
	if strings.Contains(text, "Quokka") {
		t.Errorf("Bob's thread text shows Ann's private subject or deal:\n%s", text)
	}
	c.json(&th, "--as", visAnn, "thread", itoa(first.ThreadID))
	if th.Subject != "Quokka acquisition" || len(th.Items) != 1 || len(th.Messages) != 2 {
		t.Errorf("Ann's view of the thread: %+v", th)
	}
}

// Issue 11.8: no one changes links on a message they may not see. Bob
// links, moves and unlinks a shared message of Ann's thread; her private
// replies in that thread keep exactly the links they had.
func TestNoRelinkOfHiddenMessagesThroughSharedThread(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("deal", "add", "--title", "Ann's deal")
	c.ok("deal", "add", "--title", "Bob's deal")
	c.ok("lead", "add", "--title", "Bob's lead")
	ann := "Ann Seller <ann@acme.example>"
	cust := "Dora <dora@customer.example>"
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "shared")
	open := visImport(c, visAnn, visMail(ann, cust, "Widgets", "Mon, 02 Nov 2026 09:00:00 +0000", "r1@acme.example", "one\n"))
	c.ok("settings", "set", "--user", visAnn, "default-sharing", "private")
	var private []int64
	for i := 2; i <= 3; i++ {
		r := visImport(c, visAnn, visMail(ann, cust, "Re: Widgets", "Mon, 02 Nov 2026 1"+itoa(int64(i))+":00:00 +0000",
			"r"+itoa(int64(i))+"@acme.example", "private reply\n", "In-Reply-To: <r1@acme.example>"))
		if r.ThreadID != open.ThreadID {
			t.Fatalf("world: reply in thread %d, want %d", r.ThreadID, open.ThreadID)
		}
		private = append(private, r.ID)
	}
	c.ok("--as", visAnn, "link", itoa(open.ID), "--deal", "1")
	links := func(id int64) string {
		d := c.detail(id)
		var out []string
		for _, l := range d.Links {
			if l.Kind != "person" {
				out = append(out, l.Kind+" "+itoa(l.ID))
			}
		}
		return strings.Join(out, ", ")
	}
	for _, id := range private {
		if got := links(id); got != "deal 1" {
			t.Fatalf("world: Ann's private message %d links %q, want deal 1", id, got)
		}
	}
	for _, step := range [][]string{
		{"link", itoa(open.ID), "--deal", "2"}, // a move of the thread
		{"link", itoa(open.ID), "--lead", "1"},
		{"unlink", itoa(open.ID), "--deal", "2"},
		{"unlink", itoa(open.ID), "--deal", "1"},
	} {
		c.ok(append([]string{"--as", visBob}, step...)...)
		for _, id := range private {
			if got := links(id); got != "deal 1" {
				t.Errorf("after Bob's %s: Ann's private message %d links %q, want deal 1 as before", strings.Join(step, " "), id, got)
			}
		}
	}
	// What Bob may see did change.
	if got := links(open.ID); got != "lead 1" {
		t.Errorf("the shared message links %q after Bob's changes, want lead 1", got)
	}
}

// Converting her lead, a user is told about the mail she may see only:
// another user's private message linked to the lead moves with it, but is
// not counted in what she reads.
func TestLeadConvertCountsOnlyVisibleMail(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", visBob, "--name", "Bob Other")
	c.ok("lead", "add", "--title", "Gadgets", "--owner", visAnn)
	cust := "Dora <dora@customer.example>"
	mine := visImport(c, visAnn, visMail("Ann Seller <ann@acme.example>", cust, "Gadgets", "Mon, 02 Nov 2026 09:00:00 +0000", "g1@acme.example", "mine\n"))
	hidden := visImport(c, visBob, visMail("Bob Other <bob@acme.example>", cust, "Gadgets for Bob", "Mon, 02 Nov 2026 10:00:00 +0000", "g2@acme.example", "private\n"))
	c.ok("link", itoa(mine.ID), "--lead", "1")
	c.ok("link", itoa(hidden.ID), "--lead", "1")
	var rep struct {
		Messages int `json:"messages"`
		Threads  int `json:"threads"`
	}
	c.json(&rep, "--as", visAnn, "lead", "convert", "1")
	if rep.Messages != 1 || rep.Threads != 1 {
		t.Errorf("Ann's conversion reports %d messages and %d threads, want 1 and 1 (her own)", rep.Messages, rep.Threads)
	}
	// The conversion itself is whole: Bob's message follows the lead.
	if d := c.detail(hidden.ID); !d.hasLink("deal", 1, "") {
		t.Errorf("Bob's message linked to the lead did not follow it to the deal: %+v", d.Links)
	}
}
