//go:build linux

// End-to-end test with a real Postfix: a private Postfix instance (its own
// config, queue and data directories, loopback only, a free port) delivers
// the Bcc domain through the pipe service that `smartbcc postfix-config`
// prints, running the binary built from this package as an unprivileged
// user. Mail is sent with swaks over SMTP and with sendmail(1). The test
// needs root, postfix and swaks; it skips without them, except under
// CI=true where it fails so that a missing install step in .ci/run is
// caught.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// pfPipeUser is the unprivileged user the pipe runs as; created if missing.
const pfPipeUser = "smartbcc-test"

// ---------------------------------------------------------------------------
// Requirements

// pfNeed skips, or under CI=true fails: CI installs what the test needs,
// so there a skip would hide a broken install step.
func pfNeed(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: .ci/run must provide it)", msg)
	}
	t.Skip(msg)
}

func pfLookPath(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	pfNeed(t, "%s not installed (apt-get install postfix swaks)", name)
	return ""
}

// pfUnixUser returns the uid and gid of the unprivileged user the pipe
// runs as, creating the (system, no home, no shell) user if missing.
func pfUnixUser(t *testing.T, name string) (uint32, uint32) {
	t.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		useradd := pfLookPath(t, "useradd")
		out, addErr := exec.Command(useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput()
		// Another test process may have created it meanwhile: look again.
		if u, err = user.Lookup(name); err != nil {
			t.Fatalf("useradd %s: %v\n%s", name, addErr, out)
		}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil || uid == 0 {
		t.Fatalf("user %s: uid %q gid %q", name, u.Uid, u.Gid)
	}
	return uint32(uid), uint32(gid)
}

// pfSharedDir makes a directory every user can traverse (the pipe user
// must reach the binary, the zone file and the store), removed at the end.
// t.TempDir's parent is mode 0700, hence a directory of our own.
func pfSharedDir(t *testing.T) string {
	t.Helper()
	parent := os.TempDir()
	for p := parent; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			parent = "/tmp"
			break
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	dir, err := os.MkdirTemp(parent, "smartbcc-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func pfFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// pfExec runs a command with a time limit and returns its combined output.
func pfExec(ctx context.Context, timeout time.Duration, cred *syscall.Credential, stdin string, name string, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader(stdin)
	// Postfix's master daemonizes; never wait for a pipe it might hold.
	cmd.WaitDelay = 2 * time.Second
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		cmd.Dir = "/"
		cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C"}
	}
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%s timed out after %s: %w", name, timeout, err)
	}
	return out.String(), errb.String(), err
}

// ---------------------------------------------------------------------------
// A private Postfix instance

type pfInstance struct {
	t       *testing.T
	postfix string
	conf    string // config_directory
	queue   string
	maillog string
	port    int
}

// startPostfix writes main.cf and master.cf into dir/conf, with the lines
// printed by postfix-config appended, and starts Postfix. It is stopped
// when the test ends.
func startPostfix(t *testing.T, dir string, pfMaster, pfMain []string) *pfInstance {
	t.Helper()
	p := &pfInstance{
		t:       t,
		postfix: pfLookPath(t, "postfix"),
		conf:    filepath.Join(dir, "conf"),
		queue:   filepath.Join(dir, "queue"),
		maillog: filepath.Join(dir, "maillog"),
		port:    pfFreePort(t),
	}
	for _, d := range []string{dir, p.conf, p.queue} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// data_directory is left for "postfix start" to create, owned by
	// mail_owner as Postfix wants it.
	mainCF := fmt.Sprintf(`# Private Postfix instance of %s (removed at the end of the test).
compatibility_level = 3.6
queue_directory = %s
data_directory = %s
mail_owner = postfix
setgid_group = postdrop
myhostname = smartbcc-e2e.localdomain
mydomain = localdomain
myorigin = $myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
relay_domains =
relayhost =
# Only Postfix's own address: pfAttackerIP (127.0.0.2) is a remote client,
# not exempt from what postfix-config asks of remote clients.
mynetworks = 127.0.0.1/32
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
biff = no
# Postfix's default (compatibility level 1 and later): a message received
# with SMTPUTF8 holding UTF-8 is bounced by an lmtp or smtp client whose
# next hop does not announce SMTPUTF8 (runPfSMTPUTF8).
smtputf8_enable = yes
maillog_file = %s
maillog_file_prefixes = %s
# From smartbcc postfix-config:
%s
`, t.Name(), p.queue, filepath.Join(dir, "data"), p.maillog, dir, strings.Join(pfMain, "\n"))
	// No chroot anywhere: the instance needs no copies of /etc.
	masterCF := fmt.Sprintf(`127.0.0.1:%d inet n - n - - smtpd
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n -  0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n -  - trivial-rewrite
bounce     unix  - - n -  0 bounce
defer      unix  - - n -  0 bounce
trace      unix  - - n -  0 bounce
verify     unix  - - n -  1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -  - proxymap
proxywrite unix  - - n -  1 proxymap
smtp       unix  - - n -  - smtp
relay      unix  - - n -  - smtp
showq      unix  n - n -  - showq
error      unix  - - n -  - error
retry      unix  - - n -  - error
discard    unix  - - n -  - discard
anvil      unix  - - n -  1 anvil
scache     unix  - - n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
# From smartbcc postfix-config (plus --dns-zone):
%s
`, p.port, strings.Join(pfMaster, "\n"))
	for name, text := range map[string]string{"main.cf": mainCF, "master.cf": masterCF} {
		if err := os.WriteFile(filepath.Join(p.conf, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// postconf warns about unknown parameters and malformed master.cf
	// entries: the printed lines must not cause any.
	postconf := pfLookPath(t, "postconf")
	if _, stderr, err := pfExec(context.Background(), 20*time.Second, nil, "", postconf, "-c", p.conf, "-n"); err != nil || strings.Contains(stderr, "warning") {
		t.Fatalf("postconf -n: %v\n%s", err, stderr)
	}
	if _, stderr, err := pfExec(context.Background(), 20*time.Second, nil, "", postconf, "-c", p.conf, "-M"); err != nil || strings.Contains(stderr, "warning") {
		t.Fatalf("postconf -M: %v\n%s", err, stderr)
	}

	t.Cleanup(p.stop)
	out, stderr, err := pfExec(context.Background(), 60*time.Second, nil, "", p.postfix, "-c", p.conf, "start")
	if err != nil {
		t.Fatalf("postfix start: %v\n%s%s\nmaillog:\n%s", err, out, stderr, p.log())
	}
	// Wait for smtpd's port.
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr(), time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Postfix does not listen on %s: %v\nmaillog:\n%s", p.addr(), err, p.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return p
}

func (p *pfInstance) addr() string { return fmt.Sprintf("127.0.0.1:%d", p.port) }

func (p *pfInstance) log() string {
	b, _ := os.ReadFile(p.maillog)
	return string(b)
}

func (p *pfInstance) stop() {
	// postfix stop waits up to 5 s for the master to go, then kills it.
	out, stderr, err := pfExec(context.Background(), 30*time.Second, nil, "", p.postfix, "-c", p.conf, "stop")
	if err != nil {
		p.t.Errorf("postfix stop: %v\n%s%s", err, out, stderr)
		_, _, _ = pfExec(context.Background(), 15*time.Second, nil, "", p.postfix, "-c", p.conf, "abort")
	}
	if p.t.Failed() {
		p.t.Logf("Postfix maillog:\n%s", p.log())
	}
}

var pfQueuedRe = regexp.MustCompile(`queued as ([0-9A-Za-z]+)`)

// send submits the message in file over SMTP and returns its queue id.
func (p *pfInstance) send(envFrom, rcpt, file string) string {
	p.t.Helper()
	swaks := pfLookPath(p.t, "swaks")
	out, stderr, err := pfExec(context.Background(), 30*time.Second, nil, "", swaks,
		"--server", p.addr(), "--helo", "mail.acme.example", "--from", envFrom, "--to", rcpt,
		"--data", "@"+file, "--timeout", "20")
	m := pfQueuedRe.FindStringSubmatch(out)
	if err != nil || m == nil {
		p.t.Fatalf("swaks to %s: %v\n%s%s", rcpt, err, out, stderr)
	}
	return m[1]
}

// sendmail submits raw on this host with Postfix's sendmail(1) (through
// pickup, no SMTP) and returns its queue id, found in the maillog by the
// Message-ID.
func (p *pfInstance) sendmail(envFrom, rcpt, messageID, raw string) string {
	p.t.Helper()
	sendmail := pfLookPath(p.t, "sendmail")
	if out, stderr, err := pfExec(context.Background(), 30*time.Second, nil, raw, sendmail, "-C", p.conf, "-i", "-f", envFrom, "--", rcpt); err != nil {
		p.t.Fatalf("sendmail: %v\n%s%s", err, out, stderr)
	}
	re := regexp.MustCompile(`postfix/cleanup\[\d+\]: ([0-9A-Za-z]+): message-id=<` + regexp.QuoteMeta(messageID) + `>`)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if m := re.FindStringSubmatch(p.log()); m != nil {
			return m[1]
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("sendmail: no queue id for <%s> in the maillog", messageID)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logLine waits for the delivery log line of queue id qid that contains
// want ("status=sent", "status=deferred") and returns it.
func (p *pfInstance) logLine(qid, want string, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, l := range strings.Split(p.log(), "\n") {
			if strings.Contains(l, " "+qid+": to=<") && strings.Contains(l, want) {
				return l
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no %q line for %s in the maillog after %s", want, qid, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

type pfQueued struct {
	QueueName  string `json:"queue_name"`
	QueueID    string `json:"queue_id"`
	Recipients []struct {
		Address     string `json:"address"`
		DelayReason string `json:"delay_reason"`
	} `json:"recipients"`
}

// queue lists the instance's queue (postqueue -j: one JSON object a line).
func (p *pfInstance) queued() []pfQueued {
	p.t.Helper()
	out, stderr, err := pfExec(context.Background(), 20*time.Second, nil, "", pfLookPath(p.t, "postqueue"), "-c", p.conf, "-j")
	if err != nil {
		p.t.Fatalf("postqueue -j: %v\n%s", err, stderr)
	}
	var qs []pfQueued
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var q pfQueued
		if err := dec.Decode(&q); err != nil {
			p.t.Fatalf("postqueue -j output: %v\n%s", err, out)
		}
		qs = append(qs, q)
	}
	return qs
}

func (p *pfInstance) flush() {
	p.t.Helper()
	if _, stderr, err := pfExec(context.Background(), 20*time.Second, nil, "", pfLookPath(p.t, "postqueue"), "-c", p.conf, "-f"); err != nil {
		p.t.Fatalf("postqueue -f: %v\n%s", err, stderr)
	}
}

// waitQueueEmpty waits until nothing is queued (active deliveries done).
func (p *pfInstance) waitQueueEmpty(timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		q := p.queued()
		if len(q) == 0 {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("Postfix queue not empty after %s: %+v", timeout, q)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ---------------------------------------------------------------------------
// The store, read through the binary as the pipe user

type pfStoreCLI struct {
	t    *testing.T
	bin  string
	db   string
	cred *syscall.Credential
}

func (s *pfStoreCLI) run(args ...string) string {
	s.t.Helper()
	out, stderr, err := pfExec(context.Background(), 30*time.Second, s.cred, "", s.bin, append([]string{"--db", s.db}, args...)...)
	if err != nil {
		s.t.Fatalf("smartbcc %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

func (s *pfStoreCLI) json(v any, args ...string) {
	s.t.Helper()
	out := s.run(append([]string{"--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		s.t.Fatalf("smartbcc %s: not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

type pfLink struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
	How  string `json:"how"`
}

type pfEntry struct {
	ID int64 `json:"id"`
}

type pfDetail struct {
	ID        int64  `json:"id"`
	MessageID string `json:"message_id"`
	Owner     struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"owner"`
	Source   string `json:"source"`
	Envelope struct {
		Sender     string   `json:"sender"`
		Recipients []string `json:"recipients"`
		ClientIP   string   `json:"client_ip"`
		Helo       string   `json:"helo"`
		QueueID    string   `json:"queue_id"`
	} `json:"envelope"`
	Auth struct {
		DKIM    string `json:"dkim"`
		SPF     string `json:"spf"`
		DMARC   string `json:"dmarc"`
		Aligned bool   `json:"aligned"`
	} `json:"auth"`
	Links []pfLink `json:"links"`
}

type pfRejection struct {
	Reason    string `json:"reason"`
	Code      string `json:"code"`
	From      string `json:"from"`
	MessageID string `json:"message_id"`
	Envelope  struct {
		Sender  string `json:"sender"`
		QueueID string `json:"queue_id"`
	} `json:"envelope"`
}

// messages returns every stored message (the administrator's inbox) in
// detail, by Message-ID.
func (s *pfStoreCLI) messages() map[string][]pfDetail {
	s.t.Helper()
	var inbox []pfEntry
	s.json(&inbox, "inbox")
	m := map[string][]pfDetail{}
	for _, e := range inbox {
		var d pfDetail
		s.json(&d, "show", strconv.FormatInt(e.ID, 10))
		m[d.MessageID] = append(m[d.MessageID], d)
	}
	return m
}

func (s *pfStoreCLI) rejected() []pfRejection {
	s.t.Helper()
	var rs []pfRejection
	s.json(&rs, "rejected")
	return rs
}

func (d pfDetail) linkedTo(typ string, id int64) bool {
	for _, l := range d.Links {
		if l.Kind == typ && l.ID == id {
			return true
		}
	}
	return false
}

func (d pfDetail) hasLink(typ string, id int64, how string) bool {
	for _, l := range d.Links {
		if l.Kind == typ && l.ID == id && l.How == how {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// The test

func TestPostfixEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end Postfix test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		pfNeed(t, "the Postfix end-to-end test runs as root (it starts a private Postfix instance)")
	}
	for _, name := range []string{"postfix", "postconf", "postqueue", "swaks"} {
		pfLookPath(t, name)
	}
	started := time.Now()
	uid, gid := pfUnixUser(t, pfPipeUser)
	cred := &syscall.Credential{Uid: uid, Gid: gid}
	dir := pfSharedDir(t)

	// The binary, readable and executable by the pipe user.
	binDir := filepath.Join(dir, "bin")
	if err := os.Mkdir(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "smartbcc")
	if out, stderr, err := pfExec(context.Background(), 90*time.Second, nil, "", "go", "build", "-o", bin, "."); err != nil {
		t.Fatalf("go build: %v\n%s%s", err, out, stderr)
	}
	t.Logf("built the binary in %s", time.Since(started).Round(time.Millisecond))

	// The store, in a directory of the pipe user's, set up as that user so
	// that every file of it is the user's.
	storeDir := filepath.Join(dir, "store")
	if err := os.Mkdir(storeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(storeDir, int(uid), int(gid)); err != nil {
		t.Fatal(err)
	}
	st := &pfStoreCLI{t: t, bin: bin, db: filepath.Join(storeDir, "smartbcc.db"), cred: cred}
	if got := strings.TrimSpace(st.run("init", "--company", "Acme", "--domain", pfBccDomain)); got != pfUniversal {
		t.Fatalf("init printed %q, want %q", got, pfUniversal)
	}
	st.run("user", "add", "ann@acme.example", "--name", "Ann")
	st.run("person", "add", "--name", "Bob Buyer", "--email", "bob@customer.example")
	st.run("deal", "add", "--title", "200 widgets", "--person", "1")
	var deal struct {
		Item struct {
			ID  int64  `json:"id"`
			Bcc string `json:"bcc_address"`
		} `json:"item"`
	}
	st.json(&deal, "deal", "show", "1")
	if deal.Item.ID != 1 || !strings.HasPrefix(deal.Item.Bcc, "acme+deal-") || !strings.HasSuffix(deal.Item.Bcc, "@"+pfBccDomain) {
		t.Fatalf("deal show: %+v", deal)
	}

	w := newPfWorld(t, dir)

	// Postfix, configured with what postfix-config prints plus --dns-zone.
	cfg := st.run("postfix-config", "--domain", pfBccDomain, "--user", pfPipeUser, "--binary", bin, "--store", st.db)
	pfMaster, pfMain := pfConfigLines(t, cfg)
	svc := pfParseService(t, pfMaster)
	if svc.attrs["user"] != pfPipeUser || svc.argv[0] != bin {
		t.Fatalf("postfix-config ignored --user/--binary: %q", pfMaster)
	}
	var patched int
	for i, l := range pfMaster {
		if strings.Contains(l, " ingest ") {
			pfMaster[i] = strings.Replace(l, " ingest ", " --dns-zone "+w.zone+" --busy-timeout 300ms ingest ", 1)
			patched++
		}
	}
	if patched != 1 {
		t.Fatalf("cannot find where to add --dns-zone in %q", pfMaster)
	}
	pf := startPostfix(t, filepath.Join(dir, "postfix"), pfMaster, pfMain)
	t.Logf("Postfix listening on %s after %s", pf.addr(), time.Since(started).Round(time.Millisecond))

	writeMail := func(name, raw string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// (1) Signed, to the universal address. (2) Signed, to the deal's own
	// address. (3) From: Ann but unsigned, and the envelope sender's
	// domain does not allow 127.0.0.1: neither DKIM nor SPF passes aligned.
	// (4) Signed by Ann but with the null envelope sender, as bounces and
	// other automatic mail come: never filed. (5) Signed, submitted on this
	// host with sendmail(1): no SMTP client, so ${client_address} and
	// ${client_helo} are empty; DKIM alone files it.
	universalFile := writeMail("universal.eml", w.sign(t, pfAnnMessage("e2e-universal@acme.example", "Proposal", "Bob Buyer <bob@customer.example>", "Hello Bob,\nhere is our proposal.\n")))
	dealFile := writeMail("deal.eml", w.sign(t, pfAnnMessage("e2e-deal@acme.example", "200 widgets: offer", "Bob Buyer <bob@customer.example>", "The offer for the widgets.\n")))
	forgedFile := writeMail("forged.eml", pfAnnMessage("e2e-forged@attacker.example", "Please pay now", "Bob Buyer <bob@customer.example>", "Wire the money today.\n"))
	nullFile := writeMail("null.eml", w.sign(t, pfAnnMessage("e2e-null@acme.example", "Delivery report", "Bob Buyer <bob@customer.example>", "Sent with the null envelope sender.\n")))
	localRaw := w.sign(t, pfAnnMessage("e2e-local@acme.example", "From the web app", "Bob Buyer <bob@customer.example>", "Sent from this host.\n"))
	qUniversal := pf.send("ann@acme.example", pfUniversal, universalFile)
	qDeal := pf.send("ann@acme.example", deal.Item.Bcc, dealFile)
	qForged := pf.send("mallory@forged.example", pfUniversal, forgedFile)
	qNull := pf.send("<>", pfUniversal, nullFile)
	qLocal := pf.sendmail("ann@acme.example", pfUniversal, "e2e-local@acme.example", localRaw)

	// Wait (bounded) until Postfix has delivered all of them: a delivery
	// ends (status=sent) only after ingest committed and exited 0. All
	// were delivered: the refused ones too, recorded rather than bounced,
	// so that a spoofed sender gets no backscatter.
	for _, q := range []string{qUniversal, qDeal, qForged, qNull, qLocal} {
		l := pf.logLine(q, "status=", 30*time.Second)
		if !strings.Contains(l, "status=sent") || !strings.Contains(l, "relay=smartbcc") {
			t.Errorf("delivery of %s: %s", q, l)
		}
	}
	msgs, rej := st.messages(), st.rejected()
	rejByID := map[string]pfRejection{}
	for _, r := range rej {
		rejByID[r.MessageID] = r
	}

	if len(msgs) != 3 {
		var ids []string
		for id := range msgs {
			ids = append(ids, id)
		}
		t.Errorf("store holds %d messages, want 3: %q", len(msgs), ids)
	}
	if u := msgs["e2e-universal@acme.example"]; len(u) != 1 {
		t.Errorf("universal message stored %d times", len(u))
	} else {
		m := u[0]
		if m.Owner.Email != "ann@acme.example" {
			t.Errorf("universal message owner %q, want ann@acme.example", m.Owner.Email)
		}
		if m.Auth.DKIM != "pass" || m.Auth.DMARC != "pass" || !m.Auth.Aligned {
			t.Errorf("universal message auth %+v, want dkim pass, dmarc pass, aligned", m.Auth)
		}
		if m.Auth.SPF != "pass" {
			t.Errorf("universal message spf %q, want pass (ip4:127.0.0.1)", m.Auth.SPF)
		}
		if m.Envelope.QueueID != qUniversal || m.Envelope.ClientIP != "127.0.0.1" || m.Envelope.Sender != "ann@acme.example" ||
			m.Envelope.Helo != "mail.acme.example" || len(m.Envelope.Recipients) != 1 || m.Envelope.Recipients[0] != pfUniversal {
			t.Errorf("universal message envelope %+v, want what Postfix passed (queue id %s)", m.Envelope, qUniversal)
		}
		if m.hasLink("deal", deal.Item.ID, "bcc") {
			t.Errorf("mail to the universal address linked to the deal by bcc: %+v", m.Links)
		}
		if !m.linkedTo("person", 1) {
			t.Errorf("universal message not linked to Bob (person 1): %+v", m.Links)
		}
	}
	if d := msgs["e2e-deal@acme.example"]; len(d) != 1 {
		t.Errorf("deal message stored %d times", len(d))
	} else {
		m := d[0]
		if m.Owner.Email != "ann@acme.example" || !m.hasLink("deal", deal.Item.ID, "bcc") {
			t.Errorf("deal message: owner %q links %+v, want ann and deal:%d how=bcc", m.Owner.Email, m.Links, deal.Item.ID)
		}
		if m.Envelope.QueueID != qDeal {
			t.Errorf("deal message queue id %q, want %s", m.Envelope.QueueID, qDeal)
		}
		var item struct {
			Messages []pfEntry `json:"messages"`
		}
		st.json(&item, "deal", "show", strconv.FormatInt(deal.Item.ID, 10))
		if len(item.Messages) != 1 || item.Messages[0].ID != m.ID {
			t.Errorf("deal show lists %+v, want message %d", item.Messages, m.ID)
		}
	}
	if f := msgs["e2e-forged@attacker.example"]; len(f) != 0 {
		t.Errorf("forged message reached the inbox: %+v", f)
	}
	if r, ok := rejByID["e2e-forged@attacker.example"]; !ok {
		t.Errorf("the forged message is not in rejected: %+v", rej)
	} else if r.Reason != "auth_failed" || !strings.HasPrefix(r.Code, "5.7.") || r.Envelope.Sender != "mallory@forged.example" || r.Envelope.QueueID != qForged {
		t.Errorf("rejection %+v, want auth_failed, 5.7.x, envelope from mallory@forged.example, queue id %s", r, qForged)
	}
	if n := msgs["e2e-null@acme.example"]; len(n) != 0 {
		t.Errorf("mail with the null envelope sender was filed (Postfix passes it to the pipe as %q): %+v", "MAILER-DAEMON", n[0])
	}
	if r, ok := rejByID["e2e-null@acme.example"]; !ok || r.Reason != "bounce" {
		t.Errorf("mail with the null envelope sender: rejection %+v (recorded: %v), want reason bounce", r, ok)
	}
	if l := msgs["e2e-local@acme.example"]; len(l) != 1 {
		t.Errorf("locally submitted message stored %d times, want once; rejected: %+v", len(l), rejByID["e2e-local@acme.example"])
	} else if m := l[0]; m.Owner.Email != "ann@acme.example" || m.Auth.DKIM != "pass" || !m.Auth.Aligned || m.Envelope.QueueID != qLocal {
		t.Errorf("locally submitted message: owner %q auth %+v envelope %+v", m.Owner.Email, m.Auth, m.Envelope)
	}
	if len(rej) != 2 {
		t.Errorf("rejected lists %d, want 2: %+v", len(rej), rej)
	}
	pf.waitQueueEmpty(10 * time.Second)
	// No bounce nor any other mail was generated.
	if strings.Contains(pf.log(), "status=bounced") || strings.Contains(pf.log(), "sender non-delivery notification") {
		t.Errorf("Postfix bounced something:\n%s", pf.log())
	}
	t.Logf("five deliveries checked after %s", time.Since(started).Round(time.Millisecond))
	before := len(msgs)

	// A locked store: the pipe exits 75, Postfix keeps the message in its
	// deferred queue; once the lock is gone a flush delivers it, once.
	lockFile := writeMail("locked.eml", w.sign(t, pfAnnMessage("e2e-locked@acme.example", "Locked store", "bob@customer.example", "Sent while the store was locked.\n")))
	db, err := sql.Open("sqlite3", "file:"+st.db+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatalf("BEGIN EXCLUSIVE: %v", err)
	}
	locked := time.Now()
	qLocked := pf.send("ann@acme.example", pfUniversal, lockFile)
	line := pf.logLine(qLocked, "status=", 40*time.Second)
	t.Logf("locked store: %s (after %s)", line, time.Since(locked).Round(time.Millisecond))
	if !strings.Contains(line, "status=deferred") || !regexp.MustCompile(`dsn=4\.\d+\.\d+`).MatchString(line) {
		t.Errorf("delivery into a locked store: %s, want status=deferred with a 4.x.x dsn", line)
	}
	// qmgr moves the message to the deferred queue right after the log
	// line; give it a moment.
	var q []pfQueued
	for i := 0; i < 50; i++ {
		if q = pf.queued(); len(q) == 1 && q[0].QueueName == "deferred" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(q) != 1 || q[0].QueueID != qLocked || q[0].QueueName != "deferred" || len(q[0].Recipients) != 1 || q[0].Recipients[0].DelayReason == "" {
		t.Errorf("queue while the store is locked: %+v, want %s deferred with a reason", q, qLocked)
	} else if strings.Contains(q[0].Recipients[0].DelayReason, strings.TrimSuffix(strings.TrimPrefix(deal.Item.Bcc, "acme+deal-"), "@"+pfBccDomain)) {
		t.Errorf("a Bcc token leaked into Postfix's delay reason: %q", q[0].Recipients[0].DelayReason)
	}
	// The -wal and -shm files must still be the pipe user's although this
	// (root) process opened the store.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(st.db + suffix); err == nil {
			if sys, ok := fi.Sys().(*syscall.Stat_t); ok && sys.Uid != uid {
				t.Errorf("%s belongs to uid %d, want the pipe user %d", st.db+suffix, sys.Uid, uid)
			}
		}
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatalf("ROLLBACK: %v", err)
	}
	conn.Close()
	db.Close()
	if got := st.messages()["e2e-locked@acme.example"]; len(got) != 0 {
		t.Fatalf("message stored although the delivery was deferred: %+v", got)
	}
	pf.flush()
	line = pf.logLine(qLocked, "status=sent", 30*time.Second)
	t.Logf("after the flush: %s", line)
	got := st.messages()["e2e-locked@acme.example"]
	if len(got) != 1 || got[0].Owner.Email != "ann@acme.example" || got[0].Envelope.QueueID != qLocked {
		t.Errorf("after the retry the store holds %+v, want one message of ann's from %s", got, qLocked)
	}
	// The same message sent again (a client's retry, a second Bcc) is
	// delivered by Postfix but stored only once.
	qAgain := pf.send("ann@acme.example", pfUniversal, lockFile)
	if l := pf.logLine(qAgain, "status=", 30*time.Second); !strings.Contains(l, "status=sent") {
		t.Errorf("second delivery: %s", l)
	}
	if got := st.messages()["e2e-locked@acme.example"]; len(got) != 1 {
		t.Errorf("after a second delivery the message is stored %d times, want once", len(got))
	}
	pf.waitQueueEmpty(10 * time.Second)
	if n := len(st.messages()); n != before+1 {
		t.Errorf("store holds %d messages at the end, want %d", n, before+1)
	}

	// The attacks of issue 11 from a remote client (postfix_attack_e2e_test.go).
	runPfAttacks(t, pf, st, w, dir, "pipe")
	runPfSmuggling(t, pf, st, "pipe")
	runPfSMTPUTF8(t, pf, st, "pipe")
	pf.waitQueueEmpty(10 * time.Second)
	if strings.Contains(pf.log(), "status=bounced") {
		t.Errorf("Postfix bounced an attack")
	}
	t.Logf("done after %s", time.Since(started).Round(time.Millisecond))
}
