package commands

import (
	"bytes"
	"compress/gzip"
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

type ingestResult struct {
	MessageID string `json:"message_id"`
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
	Owner     struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"owner"`
	ThreadID int64 `json:"thread_id"`
	Links    []struct {
		Kind string `json:"kind"`
		ID   int64  `json:"id"`
		How  string `json:"how"`
	} `json:"links"`
	Auth struct {
		DKIM    string `json:"dkim"`
		SPF     string `json:"spf"`
		DMARC   string `json:"dmarc"`
		Aligned bool   `json:"aligned"`
	} `json:"auth"`
	Shared  bool     `json:"shared"`
	Explain []string `json:"explain"`
}

func parseResults(t *testing.T, out string) []ingestResult {
	t.Helper()
	var rs []ingestResult
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r ingestResult
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("ingest output is not JSON lines: %v\n%s", err, out)
		}
		rs = append(rs, r)
	}
	return rs
}

func (r ingestResult) hasLink(typ string, id int64, how string) bool {
	for _, l := range r.Links {
		if l.Kind == typ && l.ID == id && (how == "" || l.How == how) {
			return true
		}
	}
	return false
}

func (c *cli) mustDeliver(w *mailWorld, raw, rcpt, ip string, wantStatus string, extra ...string) ingestResult {
	c.t.Helper()
	r := c.deliver(w, raw, rcpt, ip, extra...)
	if r.code != 0 {
		c.t.Fatalf("ingest exit %d, stderr %q", r.code, r.err)
	}
	rs := parseResults(c.t, r.out)
	if len(rs) != 1 || rs[0].Status != wantStatus {
		c.t.Fatalf("ingest results %+v (stderr %q), want one %s", rs, r.err, wantStatus)
	}
	return rs[0]
}

const universal = "acme@bcc.acme.example"

func annMail(id, subject, to, body string, extra ...string) string {
	h := append([]string{
		"From: Ann Seller <ann@acme.example>",
		"To: " + to,
		"Subject: " + subject,
		"Date: Mon, 02 Nov 2026 09:00:00 +0000",
		"Message-ID: <" + id + ">",
	}, extra...)
	return msg(h, body)
}

func TestIngestStoresAuthenticatedMail(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	c.ok("person", "add", "--name", "Bob", "--email", "bob@customer.example")
	raw := w.sign(annMail("p1@acme.example", "Proposal", "Bob <bob@customer.example>", "Hello Bob\n"))
	r := c.mustDeliver(w, raw, universal, "192.0.2.10", "stored")
	if r.Owner.Email != "ann@acme.example" || r.Owner.ID != 1 || r.MessageID != "p1@acme.example" || r.ID == 0 || r.ThreadID == 0 {
		t.Fatalf("result %+v", r)
	}
	if r.Auth.DKIM != "pass" || r.Auth.SPF != "pass" || r.Auth.DMARC != "pass" || !r.Auth.Aligned {
		t.Fatalf("auth %+v", r.Auth)
	}
	if !r.hasLink("person", 1, "") {
		t.Fatalf("not linked to Bob: %+v", r.Links)
	}
	// Raw bytes are kept exactly.
	if got := c.ok("show", itoa(r.ID), "--raw"); got != raw {
		t.Fatalf("show --raw differs from what was delivered")
	}
	// Delivered again (Postfix retry): stored once.
	again := c.mustDeliver(w, raw, universal, "192.0.2.10", "duplicate")
	if again.ID != r.ID {
		t.Fatalf("duplicate points at %d, want %d", again.ID, r.ID)
	}
}

func TestIngestSecondDeliveryAddsDealLink(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	var d struct {
		ID  int64  `json:"id"`
		Bcc string `json:"bcc_address"`
	}
	c.json(&d, "deal", "add", "--title", "Widgets")
	raw := w.sign(annMail("p2@acme.example", "Widgets", "bob@customer.example", "x\n"))
	first := c.mustDeliver(w, raw, universal, "192.0.2.10", "stored")
	if first.hasLink("deal", d.ID, "") {
		t.Fatal("linked to the deal before mail reached its address")
	}
	second := c.mustDeliver(w, raw, d.Bcc, "192.0.2.10", "duplicate")
	if !second.hasLink("deal", d.ID, "bcc") || second.ID != first.ID {
		t.Fatalf("second delivery %+v", second)
	}
	var inbox []messageEntry
	c.json(&inbox, "inbox", "--item", "deal:"+itoa(d.ID))
	if len(inbox) != 1 || inbox[0].ID != first.ID {
		t.Fatalf("deal inbox %+v", inbox)
	}
}

func TestIngestRefusals(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	var d struct {
		Bcc string `json:"bcc_address"`
	}
	c.json(&d, "deal", "add", "--title", "Widgets")
	guessed := "acme+deal-aaaaaaaaaaaaaaaaaaaaaaaaaa@bcc.acme.example"
	stranger := msg([]string{"From: Mallory <mallory@elsewhere.example>", "To: " + universal, "Subject: hi", "Message-ID: <m1@elsewhere.example>"}, "buy\n")
	forged := annMail("f1@attacker.example", "Pay now", universal, "wire money\n")
	for _, tc := range []struct {
		name, raw, rcpt, ip string
		bounce              bool
		wantCode            int
		wantReason          string
	}{
		{"unknown sender", stranger, universal, "198.51.100.1", false, 0, "unknown_sender"},
		{"unknown sender --bounce", stranger, universal, "198.51.100.1", true, 77, "unknown_sender"},
		{"forged From", forged, universal, "203.0.113.9", false, 0, "auth_failed"},
		{"forged From --bounce", forged, universal, "203.0.113.9", true, 77, "auth_failed"},
		{"guessed token", w.sign(annMail("g1@acme.example", "x", "bob@customer.example", "x\n")), guessed, "192.0.2.10", false, 0, "unknown_recipient"},
		{"guessed token --bounce", w.sign(annMail("g2@acme.example", "x", "bob@customer.example", "x\n")), guessed, "192.0.2.10", true, 67, "unknown_recipient"},
		{"foreign recipient", w.sign(annMail("g3@acme.example", "x", "bob@customer.example", "x\n")), "someone@else.example", "192.0.2.10", false, 0, "unknown_recipient"},
		{"auto-reply", w.sign(annMail("a1@acme.example", "Out of office", universal, "away\n", "Auto-Submitted: auto-replied")), universal, "192.0.2.10", false, 0, "auto_reply"},
		{"bulk", w.sign(annMail("b1@acme.example", "News", universal, "news\n", "Precedence: bulk")), universal, "192.0.2.10", false, 0, "bulk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var extra []string
			if tc.bounce {
				extra = append(extra, "--bounce")
			}
			r := c.deliver(w, tc.raw, tc.rcpt, tc.ip, extra...)
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr %q", r.code, tc.wantCode, r.err)
			}
			rs := parseResults(t, r.out)
			if len(rs) != 1 || rs[0].Status != "rejected" || rs[0].Reason != tc.wantReason {
				t.Fatalf("results %+v", rs)
			}
			// Postfix puts a delivery's output into DSNs, a success DSN
			// too: on exit 0 nothing, else one generic line per class, so
			// that no outsider learns whether an address is a user's.
			wantErr := map[int]string{0: "", 67: "5.1.1 No such recipient\n", 77: "5.7.1 Sender not accepted\n"}[tc.wantCode]
			if r.err != wantErr {
				t.Fatalf("stderr %q, want %q", r.err, wantErr)
			}
			if strings.Contains(r.err, "aaaaaaaaaaaaaaaaaaaaaaaaaa") || strings.Contains(r.out+r.err, strings.TrimPrefix(strings.Split(d.Bcc, "@")[0], "acme+deal-")) {
				t.Fatalf("a token leaked into the output: %q", r.err)
			}
		})
	}
	var rejected []struct {
		Reason string `json:"reason"`
		From   string `json:"from"`
	}
	c.json(&rejected, "rejected")
	// The same bytes refused again for the same reason (the stranger and
	// the forgery, delivered again with --bounce) are recorded once.
	if len(rejected) != 7 {
		t.Fatalf("rejected lists %d, want 7: %+v", len(rejected), rejected)
	}
	var inbox []messageEntry
	c.json(&inbox, "inbox")
	if len(inbox) != 0 {
		t.Fatalf("refused mail reached the inbox: %+v", inbox)
	}
}

func TestIngestNotAMessage(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	r := c.deliver(w, "\x00\x01binary garbage without headers\n", universal, "192.0.2.10")
	if r.code != 65 || !strings.HasPrefix(r.err, "5.6.0") {
		t.Fatalf("exit %d stderr %q, want 65 and 5.6.0", r.code, r.err)
	}
	r = c.deliver(w, "", universal, "192.0.2.10")
	if r.code != 65 {
		t.Fatalf("empty input: exit %d stderr %q, want 65", r.code, r.err)
	}
}

func TestIngestBrokenCommandLineDefers(t *testing.T) {
	c := newCLI(t)
	c.setup()
	r := c.runIn("From: a@b\r\n\r\nx", "ingest", "--no-such-flag")
	if r.code != 75 || !strings.HasPrefix(r.err, "4.3.5") {
		t.Fatalf("bad flag in pipe command: exit %d %q, want 75", r.code, r.err)
	}
	r = c.runIn("From: a@b\r\n\r\nx", "ingest", "--auth", "sometimes")
	if r.code != 75 {
		t.Fatalf("bad --auth: exit %d %q, want 75", r.code, r.err)
	}
}

func TestIngestWithoutCompanyDefers(t *testing.T) {
	c := newCLI(t)
	r := c.runIn("From: ann@acme.example\r\nSubject: x\r\n\r\nx", "ingest", "--auth", "off", "--recipient", universal)
	if r.code != 75 || !strings.HasPrefix(r.err, "4.") {
		t.Fatalf("exit %d %q, want 75", r.code, r.err)
	}
}

func TestQuarantineAndConfirmationReply(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	sendmail, captured := captureSendmail(t)
	c.ok("address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, "ann@home.example")
	mail, _ := os.ReadFile(captured)
	code := codeRe.FindStringSubmatch(string(mail))[1]

	homeMail := msg([]string{"From: Ann <ann@home.example>", "To: bob@customer.example", "Subject: from home",
		"Message-ID: <h1@home.example>", "Date: Tue, 03 Nov 2026 10:00:00 +0000"}, "sent from home\n")
	home := func(raw, rcpt string, extra ...string) result {
		args := append([]string{"--dns-zone", w.zone, "--json", "ingest", "--recipient", rcpt, "--sender", "ann@home.example",
			"--client-ip", "192.0.2.20", "--helo", "mx.home.example"}, extra...)
		return c.runIn(raw, args...)
	}
	r := home(homeMail, universal)
	if rs := parseResults(t, r.out); r.code != 0 || len(rs) != 1 || rs[0].Status != "quarantined" {
		t.Fatalf("unconfirmed sender: exit %d %+v %q", r.code, rs, r.err)
	}
	var held []struct {
		ID      int64  `json:"id"`
		Address string `json:"address"`
	}
	c.json(&held, "quarantine", "list")
	if len(held) != 1 || held[0].Address != "ann@home.example" {
		t.Fatalf("quarantine %+v", held)
	}
	c.fails("not confirmed", "--dns-zone", w.zone, "quarantine", "release", itoa(held[0].ID))

	// A reply to the confirmation email from a different address confirms nothing.
	stranger := msg([]string{"From: eve@home.example", "To: acme+confirm-" + code + "@bcc.acme.example", "Subject: Re: Confirm", "Message-ID: <e1@home.example>"}, "yes\n")
	r = home(stranger, "acme+confirm-"+code+"@bcc.acme.example")
	if rs := parseResults(t, r.out); len(rs) != 1 || rs[0].Status != "rejected" {
		t.Fatalf("stranger's reply: %+v %q", rs, r.err)
	}
	// The owner's reply (SPF passes for home.example) confirms.
	reply := msg([]string{"From: Ann <ann@home.example>", "To: acme+confirm-" + code + "@bcc.acme.example", "Subject: Re: Confirm", "Message-ID: <r1@home.example>"}, "yes\n")
	r = home(reply, "acme+confirm-"+code+"@bcc.acme.example")
	if rs := parseResults(t, r.out); r.code != 0 || len(rs) != 1 || rs[0].Status != "confirmed" {
		t.Fatalf("confirmation reply: exit %d %+v %q", r.code, rs, r.err)
	}
	if strings.Contains(r.out+r.err, code) {
		t.Fatal("the confirmation code was printed")
	}
	var list []addressOut
	c.json(&list, "address", "list", "--user", "ann@acme.example")
	if !list[1].Confirmed {
		t.Fatalf("address not confirmed: %+v", list)
	}
	// Confirming released the held mail: it is filed as Ann's.
	var after []heldOut
	c.json(&after, "quarantine", "list", "--all")
	if len(after) != 1 || after[0].Status != "released" || after[0].FiledAs == 0 {
		t.Fatalf("after the confirmation reply the quarantine is %+v, want the message released", after)
	}
	var filed messageDetail
	c.json(&filed, "show", itoa(int64(after[0].FiledAs)))
	if filed.MessageID != "h1@home.example" || filed.Owner.Email != "ann@acme.example" {
		t.Fatalf("released message %+v", filed.messageEntry)
	}
	c.fails("already released", "--dns-zone", w.zone, "quarantine", "release", itoa(held[0].ID))
	// Mail from home is now filed directly.
	r = home(strings.Replace(homeMail, "h1@", "h2@", 1), universal)
	if rs := parseResults(t, r.out); len(rs) != 1 || rs[0].Status != "stored" {
		t.Fatalf("after confirmation: %+v %q", rs, r.err)
	}
}

func TestImportMboxTwice(t *testing.T) {
	c := newCLI(t)
	c.setup()
	var mbox strings.Builder
	for i, subj := range []string{"one", "two", "three"} {
		mbox.WriteString("From customer@example.com Mon Nov  2 09:00:00 2026\n")
		mbox.WriteString(strings.ReplaceAll(msg([]string{"From: Customer <customer@example.com>", "To: ann@acme.example",
			"Subject: " + subj, "Message-ID: <imp" + itoa(int64(i)) + "@example.com>"}, "Body\n>From the start\n"), "\r\n", "\n"))
		mbox.WriteString("\n")
	}
	path := filepath.Join(t.TempDir(), "archive.mbox")
	if err := os.WriteFile(path, []byte(mbox.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	r := c.run("--json", "ingest", "--user", "ann@acme.example", "--auth", "off", path)
	rs := parseResults(t, r.out)
	if r.code != 0 || len(rs) != 3 {
		t.Fatalf("first import: exit %d, %d results, %q", r.code, len(rs), r.err)
	}
	for _, x := range rs {
		if x.Status != "stored" || x.Auth.DKIM != "" && x.Auth.DKIM != "none" && x.Auth.DKIM != "skipped" {
			t.Fatalf("import result %+v", x)
		}
	}
	raw := c.ok("show", itoa(rs[0].ID), "--raw")
	if !strings.Contains(raw, "\nFrom the start\n") || strings.HasPrefix(raw, "From ") {
		t.Fatalf("mboxrd unquoting or framing wrong:\n%s", raw)
	}
	r = c.run("--json", "ingest", "--user", "ann@acme.example", "--auth", "off", path)
	for _, x := range parseResults(t, r.out) {
		if x.Status != "duplicate" {
			t.Fatalf("second import stored again: %+v", x)
		}
		// A machine word, as every reason is (docs/cli.md, ingest result).
		if x.Reason != "already_stored" {
			t.Errorf("duplicate's reason %q, want already_stored", x.Reason)
		}
	}
	// --dry-run decides but stores nothing.
	c2 := newCLI(t)
	c2.setup()
	r = c2.run("--json", "ingest", "--dry-run", "--user", "ann@acme.example", "--auth", "off", path)
	if rs := parseResults(t, r.out); len(rs) != 3 || rs[0].Status != "stored" {
		t.Fatalf("dry run results %+v", rs)
	}
	// Nothing was filed: no id, thread or sharing names a message that
	// does not exist (the -v line names no id either).
	for i, line := range strings.Split(strings.TrimSpace(r.out), "\n") {
		for _, field := range []string{`"id":null`, `"thread_id":null`, `"shared":null`} {
			if !strings.Contains(line, field) {
				t.Errorf("dry run line %d lacks %s: %s", i+1, field, line)
			}
		}
	}
	var inbox []messageEntry
	c2.json(&inbox, "inbox")
	if len(inbox) != 0 {
		t.Fatalf("dry run stored %d messages", len(inbox))
	}
}

func TestForwardedReplyJoinsItsThread(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	c.ok("person", "add", "--name", "Bob", "--email", "bob@customer.example")
	first := c.mustDeliver(w, w.sign(annMail("p1@acme.example", "Proposal", "bob@customer.example", "offer\n")), universal, "192.0.2.10", "stored")

	// Ann forwards Bob's reply, attached as message/rfc822, to the Bcc address.
	bobReply := "From: Bob <bob@customer.example>\r\nTo: ann@acme.example\r\nSubject: Re: Proposal\r\n" +
		"Message-ID: <r1@customer.example>\r\nIn-Reply-To: <p1@acme.example>\r\nDate: Tue, 03 Nov 2026 08:00:00 +0000\r\n\r\nDeal!\r\n"
	fwd := "From: Ann Seller <ann@acme.example>\r\nTo: " + universal + "\r\nSubject: Fwd: Re: Proposal\r\n" +
		"Message-ID: <fwd1@acme.example>\r\nDate: Tue, 03 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=xx\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nFYI\r\n" +
		"--xx\r\nContent-Type: message/rfc822\r\n\r\n" + bobReply + "--xx--\r\n"
	r := c.mustDeliver(w, w.sign(fwd), universal, "192.0.2.10", "stored")
	if r.MessageID != "r1@customer.example" || r.ThreadID != first.ThreadID || !r.hasLink("person", 1, "") {
		t.Fatalf("forwarded reply %+v, want Bob's message in thread %d", r, first.ThreadID)
	}
	var d messageDetail
	c.json(&d, "show", itoa(r.ID))
	if d.From != "bob@customer.example" || d.ForwardedBy != "ann@acme.example" || d.Subject != "Re: Proposal" {
		t.Fatalf("show: from %q forwarded by %q subject %q", d.From, d.ForwardedBy, d.Subject)
	}
	// The same original forwarded again is the same message.
	again := strings.Replace(fwd, "fwd1@", "fwd2@", 1)
	c.mustDeliver(w, w.sign(again), universal, "192.0.2.10", "duplicate")
}

func TestUnknownParticipantsBecomePersonsOnlyWhenAsked(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	raw := func(id string) string {
		return w.sign(annMail(id, "Hello", "Carol <carol@new.example>, noreply@shop.example", "hi\n", "Cc: dan@acme.example"))
	}
	c.ok("user", "add", "dan@acme.example", "--name", "Dan")
	c.mustDeliver(w, raw("c1@acme.example"), universal, "192.0.2.10", "stored")
	var persons []map[string]any
	c.json(&persons, "person", "list")
	if len(persons) != 0 {
		t.Fatalf("persons created with the setting off: %v", persons)
	}
	c.ok("settings", "set", "--user", "ann@acme.example", "create-persons", "on")
	r := c.mustDeliver(w, raw("c2@acme.example"), universal, "192.0.2.10", "stored")
	c.json(&persons, "person", "list")
	if len(persons) != 1 || persons[0]["name"] != "Carol" {
		t.Fatalf("want only Carol as a new person (not the no-reply address, not user Dan): %v", persons)
	}
	if !r.hasLink("person", int64(persons[0]["id"].(float64)), "") {
		t.Fatalf("new person not linked: %+v", r.Links)
	}
}

func TestAuthCheckPrintsVerdicts(t *testing.T) {
	c := newCLI(t)
	w := newMailWorld(t)
	path := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(path, []byte(w.sign(annMail("a@acme.example", "x", "bob@customer.example", "x\n"))), 0o644); err != nil {
		t.Fatal(err)
	}
	var out authCheckOutput
	c.json(&out, "--dns-zone", w.zone, "auth", "check", path, "--client-ip", "203.0.113.1", "--helo", "x.example", "--sender", "ann@acme.example")
	v := out.Verdict
	if v == nil || v.DKIM != "pass" || v.SPF != "fail" || !v.Aligned || len(v.Signatures) != 1 || v.Signatures[0].Selector != "sel" {
		t.Fatalf("verdict %+v", v)
	}
	text := c.ok("--dns-zone", w.zone, "auth", "check", path, "--client-ip", "192.0.2.10", "--sender", "ann@acme.example")
	if !strings.Contains(text, "d=acme.example s=sel") || !strings.Contains(text, "spf: pass") {
		t.Fatalf("text output:\n%s", text)
	}
	// Nothing was stored: auth check does not need a store at all.
	if _, err := os.Stat(c.db); err == nil {
		t.Fatal("auth check created a store")
	}
}

// TestForwardNoteAndDates: Ann forwards a customer's mail inline from a
// German Gmail, with a note above it. The customer's mail is filed with
// its own date (written without a zone, so read in Ann's), show gives the
// forward's date and the note apart from the customer's text, and search
// finds the note.
func TestForwardNoteAndDates(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	body := "Kannst du ihn heute zurückrufen? Er klang dringend.\n\n" +
		"---------- Forwarded message ---------\n" +
		"Von: Bob Buyer <bob@customer.example>\n" +
		"Date: Mo., 2. Nov. 2026 um 17:30 Uhr\n" +
		"Subject: Lieferung\n" +
		"To: Ann Seller <ann@acme.example>\n\n" +
		"Wir brauchen die Lieferung bis Freitag.\n"
	raw := msg([]string{"From: Ann Seller <ann@acme.example>", "To: " + universal, "Subject: Fwd: Lieferung",
		"Date: Tue, 03 Nov 2026 09:00:00 +0100", "Message-ID: <fwd-note@acme.example>"}, body)
	r := c.mustDeliver(w, w.sign(raw), universal, "192.0.2.10", "stored", "--explain")
	if !strings.Contains(strings.Join(r.Explain, "\n"), `the original's date "2026-11-02 17:30:00" has no time zone; read in the forward's zone +01:00`) {
		t.Errorf("explain does not say the zone was taken from the forward:\n%s", strings.Join(r.Explain, "\n"))
	}

	var d messageDetail
	c.json(&d, "show", itoa(r.ID))
	if got, want := time.Time(d.Date), time.Date(2026, 11, 2, 16, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("date %v, want the original's %v", got, want)
	}
	if got, want := time.Time(d.ForwardedAt), time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("forwarded_at %v, want the forward's %v", got, want)
	}
	if d.ForwardNote != "Kannst du ihn heute zurückrufen? Er klang dringend." || d.Text != "Wir brauchen die Lieferung bis Freitag." {
		t.Errorf("note %q, text %q", d.ForwardNote, d.Text)
	}
	if d.From != "bob@customer.example" || d.ForwardedBy != "ann@acme.example" || d.Subject != "Lieferung" {
		t.Errorf("from %q forwarded by %q subject %q", d.From, d.ForwardedBy, d.Subject)
	}
	out := c.ok("show", itoa(r.ID))
	note := strings.Index(out, "Note from ann@acme.example:\n  | Kannst du ihn heute zurückrufen? Er klang dringend.")
	text := strings.Index(out, "Wir brauchen die Lieferung bis Freitag.")
	if note < 0 || text < note || !strings.Contains(out, "Forwarded by: ann@acme.example on 2026-11-03T08:00:00Z") {
		t.Errorf("show does not print the note apart, before the customer's text:\n%s", out)
	}

	var found []messageEntry
	c.json(&found, "search", "dringend", "--user", "ann@acme.example")
	if len(found) != 1 || found[0].ID != r.ID {
		t.Errorf("search for a word of the note found %+v", found)
	}
}

// TestImportTooLargeTwice: an archive imported twice records its message
// over --max-size once, as it does every other refusal (the refusal names
// the message's bytes, read through and not kept), and a message one byte
// over the limit leaves nothing of itself in the message after it.
func TestImportTooLargeTwice(t *testing.T) {
	c := newCLI(t)
	c.setup()
	from := "From ann@acme.example Mon Jan  1 00:00:00 2024\n"
	head := func(id string) string {
		return "From: Ann Seller <ann@acme.example>\nTo: bob@customer.example\nSubject: " + id + "\nMessage-ID: <" + id + "@acme.example>\n\n"
	}
	const max = 2000
	big := head("big") + strings.Repeat("large line of the body\n", 200)
	justOver := head("just-over")
	justOver += strings.Repeat("x", max+1-len(justOver)-1) + "\n"
	small := head("small") + "hello\n"
	path := filepath.Join(t.TempDir(), "archive.mbox")
	if err := os.WriteFile(path, []byte(from+big+"\n"+from+justOver+"\n"+from+small), 0o600); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		c.ok("ingest", "--auth", "off", "--user", "ann@acme.example", "--max-size", fmt.Sprint(max), path)
		var rejected []struct {
			Reason    string `json:"reason"`
			Size      int64  `json:"size"`
			RawSHA256 string `json:"raw_sha256"`
		}
		c.json(&rejected, "rejected")
		want := map[int64]string{int64(len(big)): sha256Hex(big), int64(len(justOver)): sha256Hex(justOver)}
		if len(rejected) != len(want) {
			t.Fatalf("run %d: rejected lists %d, want %d: %+v", run, len(rejected), len(want), rejected)
		}
		for _, r := range rejected {
			if r.Reason != "too_large" || want[r.Size] != r.RawSHA256 {
				t.Errorf("run %d: rejection %+v, want too_large with the digest of the %d bytes", run, r, r.Size)
			}
		}
	}
	var inbox []messageEntry
	c.json(&inbox, "inbox")
	if len(inbox) != 1 {
		t.Fatalf("inbox: %+v", inbox)
	}
	if raw := c.ok("show", "--raw", fmt.Sprint(inbox[0].ID)); raw != small {
		t.Errorf("the message after one over the limit is stored as %q, want %q", raw, small)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestImportLinesEscapeMail: the lines an import prints about a message
// (-v, --explain, the problem lines on stderr) show what its sender wrote
// (a Message-ID, a forwarded date, a refused From) with control
// characters made visible, as show does, in archive and pipe mode alike.
func TestImportLinesEscapeMail(t *testing.T) {
	c := newCLI(t)
	c.setup()
	dir := t.TempDir()
	stored := filepath.Join(dir, "stored.eml")
	refused := filepath.Join(dir, "refused.eml")
	for path, content := range map[string]string{
		stored: "From: Ann <ann@acme.example>\r\nTo: Bob <bob@customer.example>\r\nSubject: hi\r\n" +
			"Message-ID: <id\x1b[2J@x>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0000\r\n\r\nbody\r\n",
		// Not a user's address: refused, and the reason quotes it.
		refused: "From: \"Mal\x1b[31m\" <mal\x07@elsewhere.example>\r\nTo: ann@acme.example\r\nSubject: hi\r\n" +
			"Message-ID: <evil\x1b]0;t\x07@x>\r\nDate: Mon, 2 Nov 2026 09:00:00 +0000\r\n\r\nbody\r\n",
	} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"ingest", "--user", "ann@acme.example", "--auth", "off", "-v", "--explain", stored, refused},
		{"ingest", "--user", "ann@acme.example", "--auth", "off", "--dry-run", "-v", stored, refused},
	} {
		r := c.run(args...)
		for name, out := range map[string]string{"stdout": r.out, "stderr": r.err} {
			if strings.ContainsAny(out, "\x1b\x07") {
				t.Errorf("%v: a control character from the mail reached %s:\n%q", args, name, out)
			}
		}
		if !strings.Contains(r.out, "<id^[[2J@x>") {
			t.Errorf("%v: the Message-ID is not shown escaped:\n%s", args, r.out)
		}
	}
	raw, err := os.ReadFile(refused)
	if err != nil {
		t.Fatal(err)
	}
	r := c.runIn(string(raw), "ingest", "--explain", "--recipient", "acme@bcc.acme.example")
	if strings.ContainsAny(r.out+r.err, "\x1b\x07") {
		t.Errorf("pipe --explain: a control character from the mail was printed:\n%q\n%q", r.out, r.err)
	}
}

// The progress line's estimate counts a gzip-compressed file at the size
// it reads as (gzip's trailer says it), not its compressed size: else
// the import would show 100% with most of it to come.
func TestInputSizeOfGzip(t *testing.T) {
	dir := t.TempDir()
	text := strings.Repeat("From a@x Mon Jan  1 00:00:00 2024\nSubject: s\n\nbody\n\n", 2000)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(text))
	w.Close()
	files := map[string][]byte{"a.mbox.gz": gz.Bytes(), "sub/b.mbox": []byte(text), "sub/c.mbox.gz": gz.Bytes(), "sub/bad.gz": []byte("x")}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]int64{
		"a.mbox.gz":  int64(len(text)),
		"sub/b.mbox": int64(len(text)),
		"sub/bad.gz": 1,                      // no trailer: its size
		"sub":        int64(2*len(text)) + 1, // b, c read as text, bad as itself
	} {
		got, err := inputSize(filepath.Join(dir, path))
		if err != nil || got != want {
			t.Errorf("inputSize(%s) = %d, %v; want %d", path, got, err, want)
		}
	}
}
