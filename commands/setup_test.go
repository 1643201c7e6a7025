package commands

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/confirm"
)

func TestInitPrintsUniversalAddress(t *testing.T) {
	c := newCLI(t)
	if got := c.ok("init", "--company", "Acme Corp", "--domain", "BCC.Example.com"); got != "acme-corp@bcc.example.com\n" {
		t.Fatalf("init printed %q", got)
	}
	c.fails("already", "init", "--company", "Other", "--domain", "bcc.example.com")
	var bcc struct{ Address string }
	c.json(&bcc, "bcc")
	if bcc.Address != "acme-corp@bcc.example.com" {
		t.Fatalf("bcc --json = %+v", bcc)
	}
}

func TestRefusedInputs(t *testing.T) {
	c := newCLI(t)
	c.setup()
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"invalid domain", []string{"init", "--company", "X", "--domain", "not a domain"}},
		{"invalid email address", []string{"user", "add", "not-an-address", "--name", "X"}},
		{"ann@acme.example", []string{"user", "add", "ann@acme.example", "--name", "Ann again"}},
		{"no such user", []string{"settings", "show", "--user", "nobody@acme.example"}},
		{"unknown setting", []string{"settings", "set", "--user", "ann@acme.example", "colour", "blue"}},
		{"invalid value", []string{"settings", "set", "--user", "ann@acme.example", "auto-link", "maybe"}},
		{"no such deal", []string{"deal", "show", "42"}},
		{"invalid status", []string{"deal", "add", "--title", "X", "--status", "pending"}},
		{"no such person", []string{"deal", "add", "--title", "X", "--person", "9"}},
		{"invalid email address", []string{"person", "add", "--name", "P", "--email", "p@"}},
		{"invalid deal id", []string{"deal", "show", "abc"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			c.fails(tc.want, tc.args...)
		})
	}
	// Nothing half-written: the refused person left no row behind.
	var persons []map[string]any
	c.json(&persons, "person", "list")
	if len(persons) != 0 {
		t.Fatalf("refused inputs left persons behind: %v", persons)
	}
	var users []map[string]any
	c.json(&users, "user", "list")
	if len(users) != 1 {
		t.Fatalf("want 1 user, got %v", users)
	}
}

func TestItemsHaveOwnBccAddress(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("person", "add", "--name", "Bob", "--email", "bob@customer.example", "--email", "Bob.B@Customer.example", "--org", "Customer")
	var p struct {
		ID     int64
		Emails []string
	}
	c.json(&p, "person", "show", "1")
	re := regexp.MustCompile(`^acme\+deal-[a-z2-7]{26}@bcc\.acme\.example$`)
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		var d itemOut
		c.json(&d, "deal", "add", "--title", "Widgets", "--person", "1")
		bcc := string(d.BccAddress)
		if !re.MatchString(bcc) || seen[bcc] || d.Status != "open" || d.Person == nil || *d.Person != (itemRef{Kind: "person", ID: 1, Title: "Bob"}) {
			t.Fatalf("deal %+v", d)
		}
		seen[bcc] = true
		var shown itemDetail
		c.json(&shown, "deal", "show", itoa(d.ID))
		if shown.Item.BccAddress != d.BccAddress {
			t.Fatalf("deal show bcc %q, add said %q", shown.Item.BccAddress, d.BccAddress)
		}
		if got := strings.TrimSpace(c.ok("bcc", "--deal", itoa(d.ID))); got != bcc {
			t.Fatalf("bcc --deal = %q, want %q", got, d.BccAddress)
		}
	}
	var lead struct {
		BccAddress string `json:"bcc_address"`
	}
	c.json(&lead, "lead", "add", "--title", "Inbound")
	if !strings.HasPrefix(lead.BccAddress, "acme+lead-") {
		t.Fatalf("lead address %q", lead.BccAddress)
	}
	var proj map[string]any
	c.json(&proj, "project", "add", "--title", "Rollout", "--status", "won")
	if bcc, has := proj["bcc_address"]; !has || bcc != nil || proj["status"] != "won" {
		t.Fatalf("project %v", proj)
	}
	// Text output too.
	out := c.ok("deal", "list")
	if !strings.Contains(out, "Widgets") || !strings.Contains(out, "open") {
		t.Fatalf("deal list text: %q", out)
	}
	var deals []map[string]any
	c.json(&deals, "deal", "list")
	if len(deals) != 3 {
		t.Fatalf("deal list: %v", deals)
	}
	if _, leaked := deals[0]["token"]; leaked {
		t.Fatal("deal list leaks the token field")
	}
}

func TestSettings(t *testing.T) {
	c := newCLI(t)
	c.setup()
	var s settingsReport
	c.json(&s, "settings", "show", "--user", "ann@acme.example")
	if s.Settings.AutoLink || s.Settings.DefaultShared || s.User != (userRef{ID: 1, Email: "ann@acme.example"}) {
		t.Fatalf("defaults: %+v", s)
	}
	c.ok("settings", "set", "--user", "ann@acme.example", "auto-link", "on")
	c.ok("settings", "set", "--user", "1", "default-sharing", "shared")
	c.json(&s, "settings", "show", "--user", "ann@acme.example")
	if !s.Settings.AutoLink || !s.Settings.DefaultShared {
		t.Fatalf("after set: %+v", s)
	}
	if out := c.ok("settings", "show", "--user", "ann@acme.example"); !strings.Contains(out, "auto-link: on") {
		t.Fatalf("text: %q", out)
	}
}

// captureSendmail writes a sendmail stand-in that stores its input in
// captured and its arguments, one a line, in captured+".args".
func captureSendmail(t *testing.T) (cmd, captured string) {
	dir := t.TempDir()
	captured = filepath.Join(dir, "mail.txt")
	script := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nfor a; do printf '%s\\n' \"$a\"; done > "+captured+".args\ncat > "+captured+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return script + " -i", captured
}

// The finding of issue 11.5: an address with a quoted local part full of
// specials made "sendmail -t" send the one-time code to four recipients.
// Alternate addresses are plain addr-specs, and the confirmation goes to
// exactly that address, named on the command line, from an envelope
// sender that is not root.
func TestConfirmationGoesToOneAddress(t *testing.T) {
	c := newCLI(t)
	c.setup()
	sendmail, captured := captureSendmail(t)
	for _, bad := range []string{
		`"x>,mallory@attacker.example,root@host,<y"@home.example`,
		`ann@home.example, mallory@attacker.example`,
		`"ann home"@home.example`,
		`ann@localhost`,
		`-oQ/tmp@home.example,x`,
		`acme+deal-abc@bcc.acme.example`,
		`anything@bcc.acme.example`,
	} {
		c.fails("", "address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, bad)
		if _, err := os.Stat(captured); err == nil {
			t.Fatalf("address add %q sent a mail", bad)
		}
	}
	c.fails("-t", "address", "add", "--user", "ann@acme.example", "--sendmail", sendmail+" -t", "ann@home.example")
	if _, err := os.Stat(captured); err == nil {
		t.Fatal("a sendmail command with -t was run")
	}
	c.ok("address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, "Ann@Home.Example")
	args, err := os.ReadFile(captured + ".args")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(string(args)), []string{"-i", "-f", universal, "--", "ann@home.example"}; !slices.Equal(got, want) {
		t.Errorf("sendmail arguments %q, want %q", got, want)
	}
	c.ok("address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, "--envelope-sender", "<>", "--resend", "ann@home.example")
	args, _ = os.ReadFile(captured + ".args")
	if got, want := strings.Fields(string(args)), []string{"-i", "-f", "<>", "--", "ann@home.example"}; !slices.Equal(got, want) {
		t.Errorf("sendmail arguments with --envelope-sender <>: %q, want %q", got, want)
	}
}

// Only the administrator adds users, and only plain addresses outside the
// Bcc domain.
func TestUserAddIsForTheAdministrator(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.fails("administrator", "--as", "ann@acme.example", "user", "add", "eve@acme.example", "--name", "Eve")
	c.fails("Bcc domain", "user", "add", universal, "--name", "Bcc")
	c.fails("invalid", "user", "add", `"../../x"@acme.example`, "--name", "X")
	c.fails("invalid", "user", "add", `a@acme.example, b@acme.example`, "--name", "X")
	var users []map[string]any
	c.json(&users, "user", "list")
	for _, u := range users {
		if u["email"] != "ann@acme.example" {
			t.Errorf("user %v was added", u["email"])
		}
	}
}

var codeRe = regexp.MustCompile(`smartbcc address verify ([a-z2-7]{16})`)

func TestAlternateAddressConfirmation(t *testing.T) {
	c := newCLI(t)
	c.setup()
	sendmail, captured := captureSendmail(t)
	c.ok("address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, "Ann@Home.example")
	raw, err := os.ReadFile(captured)
	if err != nil {
		t.Fatal(err)
	}
	m := codeRe.FindStringSubmatch(string(raw))
	if m == nil || !strings.Contains(string(raw), "To: <ann@home.example>") {
		t.Fatalf("confirmation mail lacks code or address:\n%s", raw)
	}
	code := m[1]
	if !strings.Contains(string(raw), "Reply-To: <acme+confirm-"+code+"@bcc.acme.example>") {
		t.Fatalf("no reply address in:\n%s", raw)
	}
	var list []addressOut
	c.json(&list, "address", "list", "--user", "ann@acme.example")
	if len(list) != 2 || list[1].Email != "ann@home.example" || list[1].Confirmed || time.Time(list[1].CodeExpiresAt).IsZero() {
		t.Fatalf("list before verify: %+v", list)
	}
	if r := c.fails("unknown confirmation code", "address", "verify", "aaaaaaaaaaaaaaaa"); r.code != 2 {
		t.Errorf("unknown code: exit %d, want 2", r.code)
	}
	c.json(&list, "address", "list", "--user", "ann@acme.example")
	if list[1].Confirmed {
		t.Fatal("a wrong code changed the address")
	}
	var verified verifyReport
	c.json(&verified, "address", "verify", strings.ToUpper(code))
	if verified.Address.Email != "ann@home.example" || !verified.Address.Confirmed || verified.Released != 0 || verified.Held != 0 {
		t.Fatalf("verify: %+v", verified)
	}
	c.json(&list, "address", "list", "--user", "ann@acme.example")
	if !list[1].Confirmed || time.Time(list[1].ConfirmedAt).IsZero() || !time.Time(list[1].CodeExpiresAt).IsZero() {
		t.Fatalf("after verify: %+v", list)
	}
	// A used code says so and fails (issue 11.8), and changes nothing.
	c.fails("confirmation code already used: ann@home.example was confirmed on ", "address", "verify", code)
	c.json(&list, "address", "list", "--user", "ann@acme.example")
	if !list[1].Confirmed {
		t.Fatalf("after a second verify: %+v", list)
	}
	// The address belongs to Ann now; nobody else can add it.
	c.ok("user", "add", "dan@acme.example", "--name", "Dan")
	c.fails("already registered", "address", "add", "--user", "dan@acme.example", "--sendmail", sendmail, "ann@home.example")
	c.ok("address", "remove", "--user", "ann@acme.example", "ann@home.example")
	c.fails("primary", "address", "remove", "--user", "ann@acme.example", "ann@acme.example")
}

func TestExpiredCodeChangesNothing(t *testing.T) {
	c := newCLI(t)
	c.setup()
	sendmail, captured := captureSendmail(t)
	c.now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.ok("address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, "ann@home.example")
	raw, _ := os.ReadFile(captured)
	code := codeRe.FindStringSubmatch(string(raw))[1]
	c.now = c.now.Add(73 * time.Hour)
	// Exit 1, a conflict, as docs/cli.md's exit table says (its address
	// verify entry said 2).
	if r := c.fails("expired", "address", "verify", code); r.code != 1 {
		t.Errorf("expired code: exit %d, want 1", r.code)
	}
	var list []addressOut
	c.json(&list, "address", "list", "--user", "ann@acme.example")
	if list[1].Confirmed {
		t.Fatal("expired code confirmed the address")
	}
}

func TestSendFailureLeavesNoAddress(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.fails("sending with /bin/false", "address", "add", "--user", "ann@acme.example", "--sendmail", "/bin/false", "ann@home.example")
	var list []map[string]any
	c.json(&list, "address", "list", "--user", "ann@acme.example")
	if len(list) != 1 {
		t.Fatalf("failed send left the address behind: %v", list)
	}
}

// A store path that is a dangling symbolic link is refused (issue 11.8):
// SQLite would create the link's target with the umask's mode (0644).
func TestStoreDanglingSymlinkRefused(t *testing.T) {
	c := newCLI(t)
	target := filepath.Join(t.TempDir(), "target.db")
	if err := os.Symlink(target, c.db); err != nil {
		t.Fatal(err)
	}
	c.fails("is a symbolic link to "+target+", which does not exist", "init", "--company", "Acme", "--domain", "bcc.acme.example")
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Fatalf("the link's target was created: %v", err)
	}
}

// TestUserReferenceReadAsUserAdd: a user named to --as or --user is read
// as user add read the address (mailaddr), so that every spelling user
// add accepts for it finds the user: a Unicode domain is the A-label the
// store keeps, "Name <addr>" is addr.
func TestUserReferenceReadAsUserAdd(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.ok("user", "add", "Zoe@Bücher.example", "--name", "Zoe")
	eml := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(eml, []byte("From: Bob <bob@customer.example>\r\nTo: zoe@xn--bcher-kva.example\r\nSubject: hi\r\nMessage-ID: <ref1@customer.example>\r\n\r\nhi\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, ref string }{
		{"a-label", "zoe@xn--bcher-kva.example"},
		{"upper case", "ZOE@XN--BCHER-KVA.EXAMPLE"},
		{"unicode domain", "zoe@bücher.example"},
		{"unicode domain upper case", "Zoe@BÜCHER.example"},
		{"name and address", "Zoe <zoe@bücher.example>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := c.run("--as", tc.ref, "inbox"); r.code != 0 {
				t.Errorf("--as %q inbox: exit %d, %q; want the user zoe@xn--bcher-kva.example", tc.ref, r.code, r.err)
			}
			if r := c.run("ingest", "--user", tc.ref, "--auth", "off", eml); r.code != 0 {
				t.Errorf("ingest --user %q: exit %d, %q; want filed for zoe@xn--bcher-kva.example", tc.ref, r.code, r.err)
			}
		})
	}
}

// Running address add again for an address whose confirmation is pending
// sent another email every time (a mail flood for whoever runs a script
// twice, and each new code silently voided the one the user was about to
// type). Now, while the code is unexpired, it sends nothing, changes
// nothing and says when the pending one was sent; --resend sends a new
// code, and an expired one is replaced without asking.
func TestPendingConfirmationIsNotSentAgain(t *testing.T) {
	c := newCLI(t)
	c.setup()
	dir := t.TempDir()
	mails := filepath.Join(dir, "mails.txt")
	sendmail := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(sendmail, []byte("#!/bin/sh\ncat >> "+mails+"\necho '--sent--' >> "+mails+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sent := func() []string {
		raw, _ := os.ReadFile(mails)
		var codes []string
		for _, m := range codeRe.FindAllStringSubmatch(string(raw), -1) {
			codes = append(codes, m[1])
		}
		if n := strings.Count(string(raw), "--sent--"); n != len(codes) {
			t.Fatalf("%d mails sent, %d codes in them", n, len(codes))
		}
		return codes
	}
	add := []string{"address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, "ann@home.example"}
	t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	c.now = t0
	c.ok(add...)
	if n := len(sent()); n != 1 {
		t.Fatalf("first add sent %d mails", n)
	}
	var before []addressOut
	c.json(&before, "address", "list", "--user", "ann@acme.example")

	c.now = t0.Add(time.Hour)
	r := c.fails("ann@home.example is waiting for its confirmation: a code was sent on 2026-01-01T09:00:00Z, valid until 2026-01-04T09:00:00Z; --resend sends a new one", add...)
	if r.code != 1 || r.out != "" {
		t.Errorf("add while pending: exit %d, stdout %q; want 1 and nothing", r.code, r.out)
	}
	if r := c.run(append([]string{"--json"}, add...)...); r.code != 1 || r.out != "" {
		t.Errorf("--json add while pending: exit %d, stdout %q; want 1 and nothing", r.code, r.out)
	}
	if n := len(sent()); n != 1 {
		t.Fatalf("adding a pending address again sent %d mails in all, want the first only", n)
	}
	var after []addressOut
	c.json(&after, "address", "list", "--user", "ann@acme.example")
	if len(after) != 2 || after[1].ID != before[1].ID || time.Time(after[1].CodeExpiresAt) != time.Time(before[1].CodeExpiresAt) {
		t.Fatalf("a refused add changed the address: %+v, was %+v", after, before)
	}

	// --resend: a new code; the first one no longer confirms anything.
	out := c.ok(append(add, "--resend")...)
	if !strings.Contains(out, "confirmation email sent, valid until") {
		t.Errorf("--resend printed %q", out)
	}
	codes := sent()
	if len(codes) != 2 || codes[0] == codes[1] {
		t.Fatalf("--resend: codes %q, want a second, new one", codes)
	}
	c.fails("unknown confirmation code", "address", "verify", codes[0])

	// Expired: replaced without --resend.
	c.now = t0.Add(time.Hour + confirm.Lifetime + time.Minute)
	c.ok(add...)
	codes = sent()
	if len(codes) != 3 {
		t.Fatalf("add after the code expired: %d mails in all, want 3", len(codes))
	}
	c.ok("address", "verify", codes[2])
	// Confirmed: refused as before, with or without --resend.
	c.fails("already registered", add...)
	c.fails("already registered", append(add, "--resend")...)
	if n := len(sent()); n != 3 {
		t.Fatalf("adding a confirmed address sent mail (%d in all)", n)
	}
}

// The confirmation email is sent outside the store's write transaction. A
// sendmail that took its time (a slow relay: up to a minute for sendmail,
// no limit through --smtp) held the write lock meanwhile, so every pipe
// delivery and command that writes gave up after the busy timeout (pipe
// mail deferred). A write made while the email is on its way now goes
// through at once, and the address is recorded once the email is sent.
func TestConfirmationSentOutsideTheWriteLock(t *testing.T) {
	c := newCLI(t)
	c.setup()
	dir := t.TempDir()
	started, release := filepath.Join(dir, "started"), filepath.Join(dir, "release")
	script := filepath.Join(dir, "sendmail")
	// Waits (at most 60 s) for the test to let it finish.
	body := "#!/bin/sh\ncat > /dev/null\ntouch " + started + "\ni=0\nwhile [ ! -e " + release + " ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	go func() {
		done <- c.run("address", "add", "--user", "ann@acme.example", "--sendmail", script, "ann@home.example")
	}()
	for i := 0; ; i++ {
		if _, err := os.Stat(started); err == nil {
			break
		}
		if i == 600 {
			t.Fatal("sendmail was not started")
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := c.run("person", "add", "--name", "Bob Buyer", "--email", "bob@customer.example")
	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if r.code != 0 {
		t.Errorf("person add while the confirmation was being sent: exit %d, %q", r.code, r.err)
	}
	if a := <-done; a.code != 0 {
		t.Fatalf("address add: exit %d, %q", a.code, a.err)
	}
	var addrs []addressOut
	c.json(&addrs, "address", "list", "--user", "ann@acme.example")
	if len(addrs) != 2 || addrs[1].Email != "ann@home.example" || addrs[1].Confirmed {
		t.Errorf("addresses after the send: %+v, want ann@home.example unconfirmed beside the primary", addrs)
	}
}

// An email that cannot be sent leaves the addresses as they were: a new
// address is not left behind, unconfirmable; a --resend that fails keeps
// the pending code that was sent before (its owner may be typing it).
func TestConfirmationNotSentChangesNothing(t *testing.T) {
	c := newCLI(t)
	c.setup()
	c.fails("sending with false", "address", "add", "--user", "ann@acme.example", "--sendmail", "false", "ann@home.example")
	var addrs []addressOut
	c.json(&addrs, "address", "list", "--user", "ann@acme.example")
	if len(addrs) != 1 {
		t.Fatalf("after a failed send: %+v, want the primary address alone", addrs)
	}
	sendmail, captured := captureSendmail(t)
	c.ok("address", "add", "--user", "ann@acme.example", "--sendmail", sendmail, "ann@home.example")
	raw, _ := os.ReadFile(captured)
	m := codeRe.FindStringSubmatch(string(raw))
	if m == nil {
		t.Fatalf("no code in %s", raw)
	}
	var before []addressOut
	c.json(&before, "address", "list", "--user", "ann@acme.example")
	c.fails("sending with false", "address", "add", "--user", "ann@acme.example", "--sendmail", "false", "--resend", "ann@home.example")
	var after []addressOut
	c.json(&after, "address", "list", "--user", "ann@acme.example")
	if len(after) != 2 || len(before) != 2 || after[1].Confirmed ||
		time.Time(after[1].CodeExpiresAt) != time.Time(before[1].CodeExpiresAt) || time.Time(after[1].CreatedAt) != time.Time(before[1].CreatedAt) {
		t.Fatalf("a failed --resend changed the address: %+v, was %+v", after, before)
	}
	c.ok("address", "verify", m[1])
}
