//go:build linux

// The Postfix end-to-end test again, with the LMTP transport: a private
// Postfix delivers the Bcc domain through the lines `postfix-config
// --lmtp` prints to `smartbcc serve`, run as an unprivileged user on a
// socket the test creates in Postfix's private directory and passes to
// it as systemd's socket activation does (so that the server can be
// killed and started again on the same socket). Mail comes over SMTP from
// "remote" client addresses (XCLIENT) and through sendmail(1).
package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// lmtpServer is a running `smartbcc serve`.
type lmtpServer struct {
	t       *testing.T
	cmd     *exec.Cmd
	log     *lockedBuffer
	exited  chan error
	metrics string
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs `smartbcc serve --lmtp systemd` as cred on the socket
// file f (fd 3 in the child). sh sets LISTEN_PID to its own pid, which the
// exec'd server keeps.
func startServe(t *testing.T, bin, db, zone string, cred *syscall.Credential, sock *os.File, busy string, extra ...string) *lmtpServer {
	t.Helper()
	metricsPort := pfFreePort(t)
	args := append([]string{"--db", db, "--dns-zone", zone, "--busy-timeout", busy, "serve", "--lmtp", "systemd",
		"--metrics", fmt.Sprintf("127.0.0.1:%d", metricsPort), "--hostname", "smartbcc.test", "--grace", "10s"}, extra...)
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"`, bin)
	cmd.Args = append(cmd.Args, args...)
	cmd.ExtraFiles = []*os.File{sock}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C"}
	s := &lmtpServer{t: t, cmd: cmd, log: &lockedBuffer{}, exited: make(chan error, 1), metrics: fmt.Sprintf("127.0.0.1:%d", metricsPort)}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.exited
		if t.Failed() {
			t.Logf("serve log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.log.String(), "listening on") {
		select {
		case err := <-s.exited:
			s.exited <- err
			t.Fatalf("serve exited: %v\n%s", err, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve does not start:\n%s", s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

func (s *lmtpServer) get(path string) (int, string) {
	s.t.Helper()
	resp, err := http.Get("http://" + s.metrics + path)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sendFrom submits file over SMTP as if from a remote client at addr with
// HELO helo (Postfix's XCLIENT), to one or more recipients, and returns
// the queue id.
func (p *pfInstance) sendFrom(addr, helo, envFrom string, rcpts []string, file string) string {
	p.t.Helper()
	out, stderr, err := pfExec(context.Background(), 30*time.Second, nil, "", pfLookPath(p.t, "swaks"),
		"--server", p.addr(), "--helo", helo, "--xclient-addr", addr, "--xclient-name", helo, "--xclient-helo", helo,
		"--from", envFrom, "--to", strings.Join(rcpts, ","), "--data", "@"+file, "--timeout", "20")
	m := pfQueuedRe.FindStringSubmatch(out)
	if err != nil || m == nil {
		p.t.Fatalf("swaks to %v: %v\n%s%s", rcpts, err, out, stderr)
	}
	return m[1]
}

// logLines waits until the maillog has n delivery lines of qid with want.
func (p *pfInstance) logLines(qid, want string, n int, timeout time.Duration) []string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var got []string
		for _, l := range strings.Split(p.log(), "\n") {
			if strings.Contains(l, " "+qid+": to=<") && strings.Contains(l, want) {
				got = append(got, l)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%d of %d %q lines for %s in the maillog after %s", len(got), n, want, qid, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPostfixLMTPEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end Postfix test skipped in -short mode")
	}
	if os.Geteuid() != 0 {
		pfNeed(t, "the Postfix end-to-end test runs as root (it starts a private Postfix instance)")
	}
	for _, name := range []string{"postfix", "postconf", "postqueue", "swaks", "sendmail"} {
		pfLookPath(t, name)
	}
	started := time.Now()
	uid, gid := pfUnixUser(t, pfPipeUser)
	cred := &syscall.Credential{Uid: uid, Gid: gid}
	dir := pfSharedDir(t)
	binDir := filepath.Join(dir, "bin")
	if err := os.Mkdir(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "smartbcc")
	if out, stderr, err := pfExec(context.Background(), 3*time.Minute, nil, "", "go", "build", "-o", bin, "."); err != nil {
		t.Fatalf("go build: %v\n%s%s", err, out, stderr)
	}
	storeDir := filepath.Join(dir, "store")
	if err := os.Mkdir(storeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(storeDir, int(uid), int(gid)); err != nil {
		t.Fatal(err)
	}
	st := &pfStoreCLI{t: t, bin: bin, db: filepath.Join(storeDir, "smartbcc.db"), cred: cred}
	st.run("init", "--company", "Acme", "--domain", pfBccDomain)
	st.run("user", "add", "ann@acme.example", "--name", "Ann")
	st.run("person", "add", "--name", "Bob Buyer", "--email", "bob@customer.example")
	st.run("deal", "add", "--title", "200 widgets", "--person", "1")
	var dealShow struct {
		Item struct {
			ID  int64  `json:"id"`
			Bcc string `json:"bcc_address"`
		} `json:"item"`
	}
	st.json(&dealShow, "deal", "show", "1")
	if !strings.HasPrefix(dealShow.Item.Bcc, "acme+deal-") {
		t.Fatalf("deal show: %+v", dealShow)
	}
	deal := struct {
		Item struct{ ID int64 }
		Bcc  string
	}{Bcc: dealShow.Item.Bcc}
	deal.Item.ID = dealShow.Item.ID
	token := strings.TrimSuffix(strings.TrimPrefix(deal.Bcc, "acme+deal-"), "@"+pfBccDomain)

	// DNS: acme.example's SPF allows only 192.0.2.77, a "remote" address
	// the mail comes from through XCLIENT; never 127.0.0.1.
	w := newPfWorld(t, dir)
	zone := filepath.Join(dir, "lmtp-zone.txt")
	text := fmt.Sprintf(`$ORIGIN acme.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.77 -all"
_dmarc          300 IN TXT "v=DMARC1; p=reject"
%s._domainkey  300 IN TXT "v=DKIM1; k=ed25519; p=%s"
%s`, pfSelector, base64.StdEncoding.EncodeToString(w.priv.Public().(ed25519.PublicKey)), pfAttackerZone)
	if err := os.WriteFile(zone, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	// A small message_size_limit, so that a message at Postfix's limit
	// is cheap; serve runs with the --max-size the lines say.
	cfg := st.run("postfix-config", "--domain", pfBccDomain, "--lmtp", "--max-size", "2000000")
	m := regexp.MustCompile(`smartbcc serve --lmtp \S+ (--max-size) ([0-9]+)\n`).FindStringSubmatch(cfg)
	if m == nil {
		t.Fatalf("postfix-config --lmtp names no serve --max-size:\n%s", cfg)
	}
	serveSize := m[1:]
	pfMaster, pfMain := pfConfigLines(t, cfg)
	params := pfMainParams(t, pfMain)
	if params["virtual_transport"] != "smartbcc-lmtp:unix:private/smartbcc" || params["smartbcc-lmtp_destination_recipient_limit"] == "" {
		t.Fatalf("postfix-config --lmtp: %q", pfMain)
	}
	pfMain = append(pfMain, "smtpd_authorized_xclient_hosts = 127.0.0.0/8")
	pf := startPostfix(t, filepath.Join(dir, "postfix"), pfMaster, pfMain)

	// The socket, where the printed transport looks for it, as systemd
	// would make it (contrib/smartbcc.socket): Postfix's, mode 0600.
	sockPath := filepath.Join(pf.queue, "private", "smartbcc")
	l, err := net.Listen("unix", sockPath)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pfUID, pfGID := pfUnixUser(t, "postfix")
	if err := os.Chown(sockPath, int(pfUID), int(pfGID)); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(sockPath, 0o600); err != nil {
		t.Fatal(err)
	}
	sock, err := l.(*net.UnixListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	srv := startServe(t, bin, st.db, zone, cred, sock, "300ms", serveSize...)
	t.Logf("Postfix and smartbcc serve running after %s", time.Since(started).Round(time.Millisecond))

	writeMail := func(name, raw string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(raw), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const good, bad = "192.0.2.77", "203.0.113.5"
	forgedReceived := "Received: from mail.acme.example (mail.acme.example [" + good + "])\r\n\tby mx.acme.example (Postfix) with ESMTP id FORGED1\r\n\tfor <" + pfUniversal + ">; Mon, 02 Nov 2026 08:59:00 +0000\r\n"

	// (1) signed, from the allowed address; (2) signed, to the universal
	// and the deal address in one SMTP transaction; (3) unsigned, from the
	// allowed address: SPF alone passes aligned; (4) unsigned, from another
	// address, with a forged lower Received: naming the allowed one; (5)
	// unsigned From: Ann with a foreign envelope sender; (6) signed, null
	// envelope sender; (7) signed, submitted on this host (no client).
	files := map[string]string{
		"signed":   writeMail("l-signed.eml", w.sign(t, pfAnnMessage("l-signed@acme.example", "Proposal", "Bob Buyer <bob@customer.example>", "Hello Bob\n"))),
		"two":      writeMail("l-two.eml", w.sign(t, pfAnnMessage("l-two@acme.example", "200 widgets: offer", "Bob Buyer <bob@customer.example>", "The offer.\n"))),
		"spfonly":  writeMail("l-spf.eml", pfAnnMessage("l-spf@acme.example", "SPF only", "bob@customer.example", "No signature.\n")),
		"received": writeMail("l-received.eml", forgedReceived+pfAnnMessage("l-received@attacker.example", "Pay now", "bob@customer.example", "Wire the money.\n")),
		"forged":   writeMail("l-forged.eml", pfAnnMessage("l-forged@attacker.example", "Please pay", "bob@customer.example", "Wire it.\n")),
		"null":     writeMail("l-null.eml", w.sign(t, pfAnnMessage("l-null@acme.example", "Report", "bob@customer.example", "Null sender.\n"))),
	}
	q := map[string]string{
		"signed":   pf.sendFrom(good, "mail.acme.example", "ann@acme.example", []string{pfUniversal}, files["signed"]),
		"two":      pf.sendFrom(good, "mail.acme.example", "ann@acme.example", []string{pfUniversal, deal.Bcc}, files["two"]),
		"spfonly":  pf.sendFrom(good, "mail.acme.example", "ann@acme.example", []string{pfUniversal}, files["spfonly"]),
		"received": pf.sendFrom(bad, "mail.acme.example", "ann@acme.example", []string{pfUniversal}, files["received"]),
		"forged":   pf.sendFrom(good, "mx.forged.example", "mallory@forged.example", []string{pfUniversal}, files["forged"]),
		"null":     pf.sendFrom(good, "mail.acme.example", "<>", []string{pfUniversal}, files["null"]),
		"local":    pf.sendmail("ann@acme.example", pfUniversal, "l-local@acme.example", w.sign(t, pfAnnMessage("l-local@acme.example", "From the web app", "bob@customer.example", "Local.\n"))),
	}
	for name, qid := range q {
		n := 1
		if name == "two" {
			n = 2
		}
		for _, l := range pf.logLines(qid, "status=", n, 40*time.Second) {
			if !strings.Contains(l, "status=sent") || !strings.Contains(l, "250 2.0.0") {
				t.Errorf("delivery of %s (%s): %s", name, qid, l)
			}
		}
	}
	msgs, rej := st.messages(), st.rejected()
	rejByID := map[string]pfRejection{}
	for _, r := range rej {
		rejByID[r.MessageID] = r
	}
	one := func(id string) (pfDetail, bool) {
		if len(msgs[id]) != 1 {
			t.Errorf("%s stored %d times, want once (rejected: %+v)", id, len(msgs[id]), rejByID[id])
			return pfDetail{}, false
		}
		return msgs[id][0], true
	}
	if m, ok := one("l-signed@acme.example"); ok {
		if m.Owner.Email != "ann@acme.example" || m.Auth.DKIM != "pass" || m.Auth.SPF != "pass" || !m.Auth.Aligned {
			t.Errorf("signed: owner %q auth %+v", m.Owner.Email, m.Auth)
		}
		if m.Envelope.ClientIP != good || m.Envelope.Helo != "mail.acme.example" || m.Envelope.QueueID != q["signed"] ||
			m.Envelope.Sender != "ann@acme.example" || len(m.Envelope.Recipients) != 1 || m.Envelope.Recipients[0] != pfUniversal {
			t.Errorf("signed: envelope %+v, want client %s, HELO mail.acme.example, queue id %s", m.Envelope, good, q["signed"])
		}
	}
	if m, ok := one("l-two@acme.example"); ok {
		if !m.hasLink("deal", deal.Item.ID, "bcc") || len(m.Envelope.Recipients) != 2 {
			t.Errorf("universal + deal in one transaction: links %+v envelope %+v", m.Links, m.Envelope)
		}
	}
	if m, ok := one("l-spf@acme.example"); ok && (m.Auth.SPF != "pass" || m.Auth.DKIM == "pass") {
		t.Errorf("unsigned from the allowed address: auth %+v, want SPF pass alone", m.Auth)
	}
	if m, ok := one("l-local@acme.example"); ok && (m.Auth.DKIM != "pass" || m.Envelope.ClientIP != "") {
		t.Errorf("local submission: auth %+v envelope %+v, want DKIM pass and no client address", m.Auth, m.Envelope)
	}
	for id, reason := range map[string]string{"l-received@attacker.example": "auth_failed", "l-forged@attacker.example": "auth_failed", "l-null@acme.example": "bounce"} {
		if len(msgs[id]) != 0 {
			t.Errorf("%s was filed: %+v", id, msgs[id][0])
		}
		if r, ok := rejByID[id]; !ok || r.Reason != reason {
			t.Errorf("%s: rejection %+v (recorded %v), want %s", id, r, ok, reason)
		}
	}
	if len(msgs) != 4 {
		t.Errorf("store holds %d messages, want 4", len(msgs))
	}
	// What the server told Postfix says nothing: no token, no reason.
	for _, l := range strings.Split(pf.log(), "\n") {
		_, said, _ := strings.Cut(l, "status=")
		// LMTP replies name their recipient (RFC 2033), which Postfix
		// itself gave and logs as to=<...>.
		said = strings.ReplaceAll(said, "<"+deal.Bcc+">", "<RCPT>")
		if strings.Contains(said, token) || strings.Contains(said, "auth_failed") || strings.Contains(said, "unknown_sender") {
			t.Errorf("the reply in Postfix's log shows more than it should: %s", l)
		}
	}
	if strings.Contains(srv.log.String(), token) {
		t.Errorf("the server's log shows a token:\n%s", srv.log.String())
	}
	if !regexp.MustCompile(`queue_id=` + q["signed"] + ` from=<ann@acme.example> to=<acme@bcc.acme.example> status=stored`).MatchString(srv.log.String()) {
		t.Errorf("no log line for the signed message:\n%s", srv.log.String())
	}
	if code, body := srv.get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if _, body := srv.get("/metrics"); !strings.Contains(body, `smartbcc_lmtp_deliveries_total{reason="",status="stored"} 5`) {
		t.Errorf("/metrics lacks 5 stored recipients:\n%s", grepLines(body, "smartbcc_lmtp_deliveries_total"))
	}
	pf.waitQueueEmpty(10 * time.Second)
	if strings.Contains(pf.log(), "status=bounced") {
		t.Errorf("Postfix bounced something")
	}
	t.Logf("seven deliveries checked after %s", time.Since(started).Round(time.Millisecond))

	// The attacks of issue 11 from a remote client (postfix_attack_e2e_test.go).
	runPfAttacks(t, pf, st, w, dir, "lmtp")
	runPfSmuggling(t, pf, st, "lmtp")
	runPfSMTPUTF8(t, pf, st, "lmtp")

	// A message as large as Postfix's message_size_limit takes, in lines
	// of 40 bytes: Postfix adds its Received: field and delivers it, and
	// serve, with the limit postfix-config printed, stores it (a 552
	// would make Postfix bounce what the pipe stores).
	var big strings.Builder
	big.WriteString(pfAnnMessage("l-limit@acme.example", "At the limit", "bob@customer.example", ""))
	for big.Len()+40 <= 1999000 {
		big.WriteString(strings.Repeat("y", 38) + "\r\n")
	}
	qLimit := pf.sendFrom(good, "mail.acme.example", "ann@acme.example", []string{pfUniversal}, writeMail("l-limit.eml", big.String()))
	if line := pf.logLine(qLimit, "status=", 40*time.Second); !strings.Contains(line, "status=sent") || !strings.Contains(line, "250 2.0.0") {
		t.Errorf("a message of %d bytes, at Postfix's limit: %s", big.Len(), line)
	}
	if got := st.messages()["l-limit@acme.example"]; len(got) != 1 {
		t.Errorf("the message at Postfix's limit is stored %d times, want once", len(got))
	}
	t.Logf("attacks checked after %s", time.Since(started).Round(time.Millisecond))

	// A locked store: 451, Postfix defers; after the lock is gone a flush
	// delivers the message, once.
	lockDB := func() (release func()) {
		db, err := sql.Open("sqlite3", "file:"+st.db+"?_busy_timeout=10000")
		if err != nil {
			t.Fatal(err)
		}
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
			t.Fatalf("BEGIN EXCLUSIVE: %v", err)
		}
		return func() {
			conn.ExecContext(context.Background(), "ROLLBACK")
			conn.Close()
			db.Close()
		}
	}
	release := lockDB()
	lockedFile := writeMail("l-locked.eml", w.sign(t, pfAnnMessage("l-locked@acme.example", "Locked", "bob@customer.example", "Locked store.\n")))
	qLocked := pf.sendFrom(good, "mail.acme.example", "ann@acme.example", []string{pfUniversal}, lockedFile)
	line := pf.logLine(qLocked, "status=", 40*time.Second)
	if !strings.Contains(line, "status=deferred") || !strings.Contains(line, "451 4.3.0") || strings.Contains(line, st.db) {
		t.Errorf("delivery into a locked store: %s, want status=deferred, 451 4.3.0, no path", line)
	}
	release()
	pf.flush()
	pf.logLine(qLocked, "status=sent", 30*time.Second)
	if got := st.messages()["l-locked@acme.example"]; len(got) != 1 {
		t.Errorf("after the retry the locked message is stored %d times, want once", len(got))
	}

	// SIGKILL while a delivery waits for the store: Postfix loses the
	// connection and defers; the server is started again on the same
	// socket, and the retry stores the message once.
	srv.cmd.Process.Kill()
	<-srv.exited
	srv.exited <- nil
	srv = startServe(t, bin, st.db, zone, cred, sock, "20s", serveSize...)
	release = lockDB()
	killFile := writeMail("l-kill.eml", w.sign(t, pfAnnMessage("l-kill@acme.example", "Killed", "bob@customer.example", "Killed server.\n")))
	qKill := pf.sendFrom(good, "mail.acme.example", "ann@acme.example", []string{pfUniversal}, killFile)
	waitFor(t, 20*time.Second, "the delivery to reach the server", func() bool {
		_, body := srv.get("/metrics")
		return strings.Contains(body, "smartbcc_lmtp_sessions 1")
	})
	time.Sleep(500 * time.Millisecond) // DATA sent, the commit waits for the lock
	srv.cmd.Process.Kill()
	<-srv.exited
	srv.exited <- nil
	release()
	line = pf.logLine(qKill, "status=", 40*time.Second)
	if !strings.Contains(line, "status=deferred") {
		t.Errorf("delivery to a killed server: %s, want deferred", line)
	}
	if got := st.messages()["l-kill@acme.example"]; len(got) != 0 {
		t.Errorf("stored although the server was killed before its commit: %d", len(got))
	}
	srv = startServe(t, bin, st.db, zone, cred, sock, "300ms", serveSize...)
	pf.flush()
	pf.logLine(qKill, "status=sent", 30*time.Second)
	if got := st.messages()["l-kill@acme.example"]; len(got) != 1 {
		t.Errorf("after the restart the message is stored %d times, want once", len(got))
	}

	// SIGKILL after the commit, before the reply: a proxy on Postfix's
	// socket passes the sessions to the server on a socket of its own,
	// holds back the reply to DATA (sent only once the message is
	// committed), kills the server and drops Postfix's connection. The
	// message is stored; Postfix, left without an answer, defers and
	// delivers again, and the retry is a duplicate: stored exactly once.
	srv.cmd.Process.Kill()
	<-srv.exited
	srv.exited <- nil
	innerPath := filepath.Join(dir, "inner.sock")
	inner, err := net.Listen("unix", innerPath)
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	innerSock, err := inner.(*net.UnixListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer innerSock.Close()
	srv = startServe(t, bin, st.db, zone, cred, innerSock, "300ms", serveSize...)
	victim := srv
	held := make(chan string, 1)
	go proxyLMTP(l, innerPath, func(reply string) {
		victim.cmd.Process.Kill()
		held <- reply
	})
	afterFile := writeMail("l-after.eml", w.sign(t, pfAnnMessage("l-after@acme.example", "Killed after commit", "bob@customer.example", "Committed, not answered.\n")))
	qAfter := pf.sendFrom(good, "mail.acme.example", "ann@acme.example", []string{pfUniversal}, afterFile)
	select {
	case reply := <-held:
		t.Logf("held back %q and killed the server", strings.TrimSpace(reply))
	case <-time.After(40 * time.Second):
		t.Fatalf("no reply to DATA reached the proxy:\n%s", grepLines(pf.log(), qAfter))
	}
	<-srv.exited
	srv.exited <- nil
	line = pf.logLine(qAfter, "status=", 40*time.Second)
	if !strings.Contains(line, "status=deferred") {
		t.Errorf("delivery whose reply was lost: %s, want deferred", line)
	}
	if got := st.messages()["l-after@acme.example"]; len(got) != 1 {
		t.Errorf("the server was killed after its commit, yet the message is stored %d times, want once", len(got))
	}
	srv = startServe(t, bin, st.db, zone, cred, innerSock, "300ms", serveSize...)
	pf.flush()
	pf.logLine(qAfter, "status=sent", 30*time.Second)
	if got := st.messages()["l-after@acme.example"]; len(got) != 1 {
		t.Errorf("after Postfix's retry the message is stored %d times, want once", len(got))
	}
	if !strings.Contains(srv.log.String(), "queue_id="+qAfter+" from=<ann@acme.example> to=<"+pfUniversal+"> status=duplicate") {
		t.Errorf("the retry is not logged as a duplicate:\n%s", srv.log.String())
	}

	// SIGTERM: the server stops and exits 0.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-srv.exited:
		srv.exited <- err
		if err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Errorf("serve did not stop within 15s of SIGTERM")
	}
	pf.waitQueueEmpty(10 * time.Second)
	t.Logf("done after %s", time.Since(started).Round(time.Millisecond))
}

// proxyLMTP passes each session accepted on l to the LMTP server at the
// Unix socket target, line by line from the server, until the first reply
// to DATA that says 250 (the server sends it after its commit): that one
// is handed to held instead, and both connections are closed. Sessions
// after it pass through. It returns when l is closed.
func proxyLMTP(l net.Listener, target string, held func(reply string)) {
	var once sync.Once
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			s, err := net.Dial("unix", target)
			if err != nil {
				return
			}
			defer s.Close()
			go func() {
				io.Copy(s, c)
				s.Close()
			}()
			br := bufio.NewReader(s)
			data := false
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				switch {
				case strings.HasPrefix(line, "354"):
					data = true
				case data && strings.HasPrefix(line, "250"):
					hold := false
					once.Do(func() { hold = true })
					if hold {
						held(line)
						return
					}
					data = false
				}
				if _, err := io.WriteString(c, line); err != nil {
					return
				}
			}
		}()
	}
}

func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func grepLines(s, substr string) string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			out = append(out, sc.Text())
		}
	}
	return strings.Join(out, "\n")
}
