//go:build linux

package main

// Reliability tests that run the real binary as Postfix's pipe(8) would:
// one process per delivery, exit status read as sysexits. They show that
// nothing is lost (load, crashes, faults all end stored exactly once after
// retries) and nothing half-written stays behind. Timings are logged, never
// asserted; every process runs under a generous deadline that only catches
// hangs.

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	_ "github.com/mattn/go-sqlite3"

	"github.com/smartbcc/smartbcc/ingest/hostiletest"
	"github.com/smartbcc/smartbcc/store/storetest"
)

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

func TestMain(m *testing.M) {
	if os.Getenv("SMARTBCC_TEST_RSS_FILE") != "" {
		os.Exit(rssWrapper())
	}
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// binary builds smartbcc once for all tests of this package.
func binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "smartbcc-bin-")
		if build.err != nil {
			return
		}
		goTool := "go"
		if p, err := exec.LookPath("go"); err == nil {
			goTool = p
		} else if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
			goTool = p
		}
		build.path = filepath.Join(build.dir, "smartbcc")
		cmd := exec.Command(goTool, "build", "-o", build.path, ".")
		out, err := cmd.CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// rssWrapper is this test binary run as a wrapper: it runs os.Args[1:]
// and writes the child's peak resident set size to $SMARTBCC_TEST_RSS_FILE.
//
// Why a wrapper: Go starts processes with vfork, so a child of the test
// process inherits the test process's own peak RSS (hundreds of MB after
// building a 50 MB message) as its ru_maxrss. A child of this small, fresh
// process inherits only the wrapper's few MB.
func rssWrapper() int {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	if cmd.ProcessState == nil {
		fmt.Fprintln(os.Stderr, "rss wrapper:", err)
		return 111
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	os.WriteFile(os.Getenv("SMARTBCC_TEST_RSS_FILE"), []byte(fmt.Sprint(rss)), 0o600)
	return cmd.ProcessState.ExitCode()
}

const (
	universal = "acme@bcc.acme.example"
	goodIP    = "192.0.2.10"
)

// world is a store with a company, a user, a person and a deal, and a DNS
// zone file with the DKIM key, SPF and DMARC records of acme.example.
type world struct {
	t       *testing.T
	bin     string
	dir     string
	db      string
	zone    string
	priv    ed25519.PrivateKey
	dealBcc string
	dealID  int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, bin: binary(t), dir: t.TempDir()}
	w.db = filepath.Join(w.dir, "smartbcc.db")
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	w.priv = priv
	w.zone = filepath.Join(w.dir, "zone.txt")
	zone := fmt.Sprintf(`$ORIGIN acme.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc          300 IN TXT "v=DMARC1; p=reject"
sel._domainkey  300 IN TXT "v=DKIM1; k=ed25519; p=%s"
$ORIGIN home.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.20 -all"
`, base64.StdEncoding.EncodeToString(pub))
	if err := os.WriteFile(w.zone, []byte(zone), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// setup creates the company, ann, Bob and a deal in w.db.
func (w *world) setup() {
	w.t.Helper()
	w.ok(nil, "init", "--company", "Acme", "--domain", "bcc.acme.example")
	w.ok(nil, "user", "add", "ann@acme.example", "--name", "Ann Seller")
	w.ok(nil, "settings", "set", "--user", "ann@acme.example", "auto-link", "on")
	w.ok(nil, "person", "add", "--name", "Bob Buyer", "--email", "bob@customer.example")
	var d struct {
		ID  int64  `json:"id"`
		Bcc string `json:"bcc_address"`
	}
	if err := json.Unmarshal([]byte(w.ok(nil, "--json", "deal", "add", "--title", "Widgets", "--person", "1")), &d); err != nil || d.Bcc == "" {
		w.t.Fatalf("deal add: %v %+v", err, d)
	}
	w.dealBcc, w.dealID = d.Bcc, d.ID
}

type proc struct {
	out, err string
	code     int
	killed   bool
	maxRSS   int64 // bytes
	elapsed  time.Duration
}

// run runs the binary with --db w.db; a deadline catches hangs.
func (w *world) run(stdin []byte, args ...string) (proc, error) {
	return runBinary(w.bin, w.db, 2*time.Minute, stdin, args...)
}

// runRSS is run, measuring the process's peak memory (proc.maxRSS).
func (w *world) runRSS(stdin []byte, args ...string) proc {
	w.t.Helper()
	self, err := os.Executable()
	if err != nil {
		w.t.Fatal(err)
	}
	file := filepath.Join(w.t.TempDir(), "rss")
	p, err := runCommand(self, []string{w.bin, "--db", w.db}, []string{"SMARTBCC_TEST_RSS_FILE=" + file}, 2*time.Minute, stdin, args...)
	if err != nil {
		w.t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		w.t.Fatalf("no RSS measured: %v", err)
	}
	fmt.Sscan(string(b), &p.maxRSS)
	return p
}

func runBinary(bin, db string, deadline time.Duration, stdin []byte, args ...string) (proc, error) {
	return runCommand(bin, []string{"--db", db}, nil, deadline, stdin, args...)
}

func runCommand(bin string, pre, env []string, deadline time.Duration, stdin []byte, args ...string) (proc, error) {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(pre, args...)...)
	cmd.Env = append(append(os.Environ(), "SMARTBCC_DB="), env...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(stdin), &out, &errb
	start := time.Now()
	err := cmd.Run()
	p := proc{out: out.String(), err: errb.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		return p, fmt.Errorf("smartbcc %s: hung for more than %s", strings.Join(args, " "), deadline)
	}
	if cmd.ProcessState == nil {
		return p, fmt.Errorf("smartbcc %s: %v", strings.Join(args, " "), err)
	}
	p.code = cmd.ProcessState.ExitCode()
	return p, nil
}

func (w *world) mustRun(stdin []byte, args ...string) proc {
	w.t.Helper()
	p, err := w.run(stdin, args...)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) ok(stdin []byte, args ...string) string {
	w.t.Helper()
	p := w.mustRun(stdin, args...)
	if p.code != 0 {
		w.t.Fatalf("smartbcc %s: exit %d, stderr %q", strings.Join(args, " "), p.code, p.err)
	}
	return p.out
}

// pipeArgs are the arguments postfix-config puts into master.cf.
func (w *world) pipeArgs(rcpt, ip string, extra ...string) []string {
	return append([]string{"--dns-zone", w.zone, "--json", "ingest", "--recipient", rcpt,
		"--sender", "ann@acme.example", "--client-ip", ip, "--helo", "mail.acme.example", "--queue-id", "4XyZ"}, extra...)
}

func (w *world) deliver(raw []byte, rcpt string, extra ...string) (proc, error) {
	return w.run(raw, w.pipeArgs(rcpt, goodIP, extra...)...)
}

// annMail is a message from ann, DKIM-signed by acme.example when sign.
func (w *world) annMail(id, subject, body string, extra ...string) []byte {
	h := append([]string{
		"From: Ann Seller <ann@acme.example>",
		"To: Bob Buyer <bob@customer.example>",
		"Subject: " + subject,
		"Date: Mon, 02 Nov 2026 09:00:00 +0000",
		"Message-ID: <" + id + ">",
		"MIME-Version: 1.0",
	}, extra...)
	if !hasHeader(extra, "Content-Type") {
		h = append(h, "Content-Type: text/plain; charset=utf-8")
	}
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + body)
}

func hasHeader(h []string, name string) bool {
	for _, l := range h {
		if strings.HasPrefix(strings.ToLower(l), strings.ToLower(name)+":") {
			return true
		}
	}
	return false
}

func (w *world) sign(raw []byte) []byte {
	var out bytes.Buffer
	if err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain: "acme.example", Selector: "sel", Signer: w.priv,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"},
	}); err != nil {
		panic(err)
	}
	return out.Bytes()
}

type result struct {
	MessageID string `json:"message_id"`
	ID        int64  `json:"id"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
	Links     []struct {
		Type string `json:"type"`
		ID   int64  `json:"id"`
		How  string `json:"how"`
	} `json:"links"`
	Auth struct {
		DKIM    string `json:"dkim"`
		Aligned bool   `json:"aligned"`
	} `json:"auth"`
}

func parseResults(out string) ([]result, error) {
	var rs []result
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r result
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("ingest output is not JSON lines: %v: %q", err, out)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func oneResult(t *testing.T, p proc) result {
	t.Helper()
	rs, err := parseResults(p.out)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 {
		t.Fatalf("%d results, want 1: %q (stderr %q)", len(rs), p.out, p.err)
	}
	return rs[0]
}

// openDB opens the store from the test for checks.
func openDB(t *testing.T, dsn string) *storetest.DB { return storetest.SQL(t, dsn) }

func count(t *testing.T, db *storetest.DB, query string, args ...any) int {
	t.Helper()
	return db.Int(t, query, args...)
}

// checkConsistent runs the store's consistency check (store.Checker).
func checkConsistent(t *testing.T, db *storetest.DB) {
	t.Helper()
	storetest.Check(t, db.DSN())
}

var tempLine = regexp.MustCompile(`^4\.\d{1,3}\.\d{1,3} `)

// wantTempFail checks a delivery deferred as Postfix expects: 75 and one
// clear stderr line with a 4.x.x enhanced status code.
func wantTempFail(t *testing.T, p proc, what string) {
	t.Helper()
	t.Logf("%s: exit %d after %s, stderr %q", what, p.code, p.elapsed.Round(time.Millisecond), p.err)
	if p.code != 75 {
		t.Fatalf("%s: exit %d, want 75 (stderr %q, stdout %q)", what, p.code, p.err, p.out)
	}
	if !tempLine.MatchString(p.err) {
		t.Fatalf("%s: stderr %q does not start with a 4.x.x status code", what, p.err)
	}
	if n := strings.Count(strings.TrimRight(p.err, "\n"), "\n"); n != 0 {
		t.Fatalf("%s: stderr has %d lines, want one: %q", what, n+1, p.err)
	}
}

// --- Load -------------------------------------------------------------

// TestLoadConcurrentPipeDeliveries: 32 ingest processes at once deliver
// 2,000 distinct DKIM-signed messages (verified against a zone file) plus
// 200 re-deliveries into one store, while another process once holds the
// write lock past the busy timeout. Every message is stored exactly once,
// no exit status other than 0 or 75 occurs, and every 75 is retried (as
// Postfix would) until stored.
func TestLoadConcurrentPipeDeliveries(t *testing.T) {
	const workers = 32
	distinct, redeliver := 2000, 200
	if testing.Short() {
		distinct, redeliver = 200, 20
	}
	w := newWorld(t)
	w.setup()

	type job struct {
		id   string
		raw  []byte
		rcpt string
	}
	var jobs []job
	viaDeal := map[string]bool{}
	for i := 0; i < distinct; i++ {
		id := fmt.Sprintf("load-%04d@acme.example", i)
		var extra []string
		if i%5 == 4 {
			extra = append(extra, fmt.Sprintf("In-Reply-To: <load-%04d@acme.example>", i-1))
		}
		raw := w.sign(w.annMail(id, fmt.Sprintf("Quote %d", i%300), fmt.Sprintf("Offer number %d.\n", i), extra...))
		rcpt := universal
		if i%10 == 0 {
			rcpt = w.dealBcc
			viaDeal[id] = true
		}
		jobs = append(jobs, job{id, raw, rcpt})
	}
	r := mrand.New(mrand.NewPCG(7, 11))
	for _, k := range r.Perm(distinct)[:redeliver] {
		j := jobs[k]
		if k%3 == 0 && !viaDeal[j.id] {
			// The second copy reaches the deal's own address: it adds the link.
			j.rcpt = w.dealBcc
			viaDeal[j.id] = true
		}
		jobs = append(jobs, j)
	}
	r.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })

	// A quarter of the way in, another process (this test) holds the write
	// lock for longer than the busy timeout, as a long import might:
	// deliveries waiting on it give up with 75 and are retried.
	var done atomic.Int64
	lockHeld := make(chan error, 1)
	go func() {
		for done.Load() < int64(len(jobs)/4) {
			time.Sleep(10 * time.Millisecond)
		}
		if done.Load() >= int64(len(jobs)) {
			lockHeld <- nil
			return
		}
		lockHeld <- holdWriteLock(w.db, 6*time.Second)
	}()

	var mu sync.Mutex
	exits := map[int]int{}
	stored := map[string]int{}
	statuses := map[string]int{}
	var retries, maxAttempts int
	var failures []string
	ch := make(chan job)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for j := range ch {
				for attempt := 1; ; attempt++ {
					p, err := w.deliver(j.raw, j.rcpt)
					mu.Lock()
					if err != nil {
						failures = append(failures, err.Error())
						mu.Unlock()
						break
					}
					exits[p.code]++
					if attempt > maxAttempts {
						maxAttempts = attempt
					}
					switch {
					case p.code == 75 && attempt < 100:
						retries++
						mu.Unlock()
						time.Sleep(time.Duration(20+mrand.IntN(100)) * time.Millisecond)
						continue
					case p.code != 0:
						failures = append(failures, fmt.Sprintf("%s: exit %d after %d attempts: %q", j.id, p.code, attempt, p.err))
					default:
						rs, err := parseResults(p.out)
						if err != nil || len(rs) != 1 {
							failures = append(failures, fmt.Sprintf("%s: results %v %q", j.id, err, p.out))
						} else {
							statuses[rs[0].Status]++
							if rs[0].Status == "stored" {
								stored[j.id]++
							}
						}
					}
					mu.Unlock()
					break
				}
				done.Add(1)
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	elapsed := time.Since(start)
	if err := <-lockHeld; err != nil {
		t.Fatalf("holding the write lock: %v", err)
	}
	t.Logf("%d deliveries (%d distinct + %d again) by %d concurrent processes in %s (%.0f deliveries/s); exits %v; %d retries after 75, at most %d attempts; statuses %v",
		len(jobs), distinct, redeliver, workers, elapsed.Round(time.Millisecond), float64(len(jobs))/elapsed.Seconds(), exits, retries, maxAttempts, statuses)
	for _, f := range failures[:min(len(failures), 10)] {
		t.Error(f)
	}
	if len(failures) > 0 {
		t.Fatalf("%d deliveries failed", len(failures))
	}
	for code := range exits {
		if code != 0 && code != 75 {
			t.Errorf("exit status %d occurred %d times; only 0 and 75 may", code, exits[code])
		}
	}
	for _, j := range jobs {
		if stored[j.id] != 1 {
			t.Errorf("%s reported stored %d times, want exactly once", j.id, stored[j.id])
		}
	}
	if statuses["stored"] != distinct || statuses["duplicate"] != redeliver {
		t.Errorf("statuses %v, want %d stored and %d duplicate", statuses, distinct, redeliver)
	}
	db := openDB(t, w.db)
	if n := count(t, db, `SELECT count(*) FROM messages`); n != distinct {
		t.Errorf("%d messages in the store, want %d", n, distinct)
	}
	if n := count(t, db, `SELECT count(DISTINCT message_id) FROM messages WHERE message_id LIKE 'load-%'`); n != distinct {
		t.Errorf("%d distinct Message-IDs in the store, want %d", n, distinct)
	}
	for id := range viaDeal {
		if n := count(t, db, `SELECT count(*) FROM links l JOIN messages m ON m.id = l.message_id WHERE m.message_id = ? AND l.kind = 'deal' AND l.item_id = ?`, id, w.dealID); n != 1 {
			t.Errorf("%s reached the deal address but has %d deal links", id, n)
		}
	}
	checkConsistent(t, db)
}

// holdWriteLock takes the store's write lock from this process and keeps
// it for d.
func holdWriteLock(path string, d time.Duration) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=30000")
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		return err
	}
	time.Sleep(d)
	_, err = conn.ExecContext(ctx, `ROLLBACK`)
	return err
}

// --- Crash ------------------------------------------------------------

// TestCrashKilledDeliveriesAreRetried kills deliveries with SIGKILL at
// random points (before, during and after the store transaction), retries
// each until it exits 0, and checks that the store is consistent and every
// message is stored once.
func TestCrashKilledDeliveriesAreRetried(t *testing.T) {
	rounds := 80
	if testing.Short() {
		rounds = 20
	}
	w := newWorld(t)
	w.setup()
	attachment := make([]byte, 384<<10)
	rand.Read(attachment)
	message := func(i int) []byte {
		body := "--c\r\nContent-Type: text/plain\r\n\r\nThe signed contract.\r\n--c\r\nContent-Type: application/pdf\r\n" +
			"Content-Disposition: attachment; filename=\"contract.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString(attachment[i%1024:]) + "\r\n--c--\r\n"
		return w.sign(w.annMail(fmt.Sprintf("crash-%03d@acme.example", i), fmt.Sprintf("Contract %d", i), body,
			`Content-Type: multipart/mixed; boundary="c"`, "Cc: Carol <carol@customer.example>, Bob <bob@customer.example>"))
	}
	db := openDB(t, w.db)

	// Calibrate: how long does one such delivery take here?
	var durations []time.Duration
	for i := 0; i < 3; i++ {
		p, err := w.deliver(message(1000+i), universal)
		if err != nil || p.code != 0 {
			t.Fatalf("calibration delivery: %v exit %d %q", err, p.code, p.err)
		}
		durations = append(durations, p.elapsed)
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	typical := durations[1]

	r := mrand.New(mrand.NewPCG(3, 5))
	var killedBefore, killedAfter, finished, kills int
	for i := 0; i < rounds; i++ {
		raw := message(i)
		id := fmt.Sprintf("crash-%03d@acme.example", i)
		for k := 0; k < 1+r.IntN(3); k++ {
			// Half the kills aim inside a typical run, half anywhere in 0-50 ms.
			var delay time.Duration
			if r.IntN(2) == 0 {
				delay = time.Duration(r.Int64N(int64(typical) * 3 / 2))
			} else {
				delay = time.Duration(r.Int64N(int64(50 * time.Millisecond)))
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			cmd := exec.CommandContext(ctx, w.bin, append([]string{"--db", w.db}, w.pipeArgs(universal, goodIP)...)...)
			cmd.Stdin = bytes.NewReader(raw)
			if err := cmd.Start(); err != nil {
				cancel()
				t.Fatal(err)
			}
			time.Sleep(delay)
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err := cmd.Wait()
			cancel()
			kills++
			ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
			switch {
			case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
				if count(t, db, `SELECT count(*) FROM messages WHERE message_id = ?`, id) > 0 {
					killedAfter++
				} else {
					killedBefore++
				}
			case ws.Exited() && (ws.ExitStatus() == 0 || ws.ExitStatus() == 75):
				finished++
			default:
				t.Fatalf("delivery ended %v (%v), want killed, 0 or 75", cmd.ProcessState, err)
			}
		}
		// Postfix retries until the delivery exits 0.
		for attempt := 1; ; attempt++ {
			p, err := w.deliver(raw, universal)
			if err != nil {
				t.Fatal(err)
			}
			if p.code == 0 {
				res := oneResult(t, p)
				if res.Status != "stored" && res.Status != "duplicate" {
					t.Fatalf("%s: retried delivery %s %s", id, res.Status, res.Reason)
				}
				break
			}
			if p.code != 75 || attempt > 20 {
				t.Fatalf("%s: retry %d exit %d %q", id, attempt, p.code, p.err)
			}
		}
	}
	t.Logf("typical delivery %s; %d rounds, %d kills: %d killed before the commit was visible, %d killed after it, %d had already exited",
		typical.Round(time.Microsecond), rounds, kills, killedBefore, killedAfter, finished)
	checkConsistent(t, db)
	if n := count(t, db, `SELECT count(*) FROM messages WHERE message_id LIKE 'crash-%'`); n != rounds+3 {
		t.Errorf("%d crash messages stored, want %d", n, rounds+3)
	}
	if n := count(t, db, `SELECT count(*) FROM (SELECT message_id FROM messages GROUP BY message_id HAVING count(*) > 1) AS twice`); n != 0 {
		t.Errorf("%d messages stored more than once", n)
	}
	if n := count(t, db, `SELECT count(*) FROM messages m WHERE message_id LIKE 'crash-%' AND (SELECT count(*) FROM attachments a WHERE a.message_id = m.id) != 1`); n != 0 {
		t.Errorf("%d crash messages without exactly their one attachment", n)
	}
}

// --- Faults -----------------------------------------------------------

// faultMessage is what each fault test delivers, then retries once the
// fault is gone.
func (w *world) faultMessage(id string, bodySize int) []byte {
	body := strings.Repeat("All work and no play makes a dull quote.\n", bodySize/41+1)
	return w.sign(w.annMail(id, "Fault "+id, body))
}

// retryStored delivers raw again after a fault and wants it stored once,
// with nothing half-written left by the failed attempts.
func (w *world) retryStored(raw []byte, id string) {
	w.t.Helper()
	p := w.mustRun(raw, w.pipeArgs(universal, goodIP)...)
	if p.code != 0 {
		w.t.Fatalf("retry after the fault: exit %d %q", p.code, p.err)
	}
	if r := oneResult(w.t, p); r.Status != "stored" {
		w.t.Fatalf("retry after the fault: %s %s, want stored (was it half-stored before?)", r.Status, r.Reason)
	}
	db := openDB(w.t, w.db)
	if n := count(w.t, db, `SELECT count(*) FROM messages WHERE message_id = ?`, id); n != 1 {
		w.t.Fatalf("%d copies of %s", n, id)
	}
	checkConsistent(w.t, db)
}

// nothingWritten checks that a failed delivery left no message and no
// rejection record (a retry is not a refusal).
func nothingWritten(t *testing.T, dbPath string) {
	t.Helper()
	db := openDB(t, dbPath)
	if n := count(t, db, `SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("%d messages stored by a failed delivery", n)
	}
	if n := count(t, db, `SELECT count(*) FROM rejections`); n != 0 {
		t.Fatalf("%d rejections recorded by a delivery that will be retried", n)
	}
	checkConsistent(t, db)
	db.Close()
}

func TestFaultStoreFileReadOnly(t *testing.T) {
	w := newWorld(t)
	w.setup()
	how := "chmod 0400"
	if os.Geteuid() == 0 {
		// Root ignores file modes: make the file immutable instead.
		if out, err := exec.Command("chattr", "+i", w.db).CombinedOutput(); err != nil {
			t.Skipf("running as root and chattr +i is not possible here (%v: %s); root ignores chmod 0400", err, bytes.TrimSpace(out))
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", w.db).Run() })
		how = "chattr +i"
	} else if err := os.Chmod(w.db, 0o400); err != nil {
		t.Fatal(err)
	}
	raw := w.faultMessage("ro@acme.example", 500)
	p, err := w.deliver(raw, universal)
	if err != nil {
		t.Fatal(err)
	}
	wantTempFail(t, p, "store file read-only ("+how+")")
	if !strings.Contains(p.err, "store_read_only") {
		t.Errorf("stderr %q does not say the store is read-only", p.err)
	}
	if os.Geteuid() == 0 {
		exec.Command("chattr", "-i", w.db).Run()
	} else {
		os.Chmod(w.db, 0o600)
	}
	nothingWritten(t, w.db)
	w.retryStored(raw, "ro@acme.example")
}

// TestFaultStoreFileReadOnlyUnprivileged is the production case: the
// pipe runs as an unprivileged user (postfix-config's user=) and the store
// file is chmod 0400. Run as root, the test drops to uid/gid 65534.
func TestFaultStoreFileReadOnlyUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the delivery as another user (TestFaultStoreFileReadOnly covers chmod 0400 as this user)")
	}
	const nobody = 65534
	w := newWorld(t)
	base, err := os.MkdirTemp("", "smartbcc-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	storeDir := filepath.Join(base, "store")
	bin := filepath.Join(base, "smartbcc")
	zone := filepath.Join(base, "zone.txt")
	for _, err := range []error{
		os.Chmod(base, 0o755),
		os.Mkdir(storeDir, 0o700),
		copyFileMode(w.bin, bin, 0o755),
		copyFileMode(w.zone, zone, 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	w.bin, w.zone, w.db = bin, zone, filepath.Join(storeDir, "smartbcc.db")
	w.setup()
	for _, p := range []string{storeDir, w.db} {
		if err := os.Chown(p, nobody, nobody); err != nil {
			t.Fatal(err)
		}
	}
	asNobody := func(raw []byte) proc {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--db", w.db}, w.pipeArgs(universal, goodIP)...)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
		var out, errb bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(raw), &out, &errb
		start := time.Now()
		err := cmd.Run()
		if ctx.Err() != nil || cmd.ProcessState == nil {
			t.Fatalf("delivery as uid %d did not finish: %v", nobody, err)
		}
		return proc{out: out.String(), err: errb.String(), code: cmd.ProcessState.ExitCode(), elapsed: time.Since(start)}
	}
	if err := os.Chmod(w.db, 0o400); err != nil {
		t.Fatal(err)
	}
	raw := w.faultMessage("ro-nobody@acme.example", 500)
	p := asNobody(raw)
	wantTempFail(t, p, "store file chmod 0400, delivery as uid 65534")
	if !strings.Contains(p.err, "store_read_only") {
		t.Errorf("stderr %q does not say the store is read-only", p.err)
	}
	if err := os.Chmod(w.db, 0o600); err != nil {
		t.Fatal(err)
	}
	nothingWritten(t, w.db)
	// The test's own checks may have created -wal/-shm as root: give them
	// to the pipe user, as an administrator would.
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Chown(w.db+suffix, nobody, nobody)
	}
	p = asNobody(raw)
	if p.code != 0 || oneResult(t, p).Status != "stored" {
		t.Fatalf("after chmod 0600: exit %d %q %q", p.code, p.out, p.err)
	}
	checkConsistent(t, openDB(t, w.db))
}

func copyFileMode(from, to string, mode os.FileMode) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, mode)
}

// mountTmpfs mounts a tmpfs for the test or skips it.
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): %v: %s", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

func TestFaultFilesystemReadOnly(t *testing.T) {
	w := newWorld(t)
	mnt := mountTmpfs(t, "size=16m,mode=0700")
	w.db = filepath.Join(mnt, "smartbcc.db")
	w.setup()
	if out, err := exec.Command("mount", "-o", "remount,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only: %v %s", err, out)
	}
	raw := w.faultMessage("rofs@acme.example", 500)
	p, err := w.deliver(raw, universal)
	if err != nil {
		t.Fatal(err)
	}
	wantTempFail(t, p, "store on a read-only file system")
	if !strings.Contains(p.err, "store_read_only") {
		// SQLite cannot create the -shm file and says "unable to open
		// database file: no such file or directory" of a file that exists.
		t.Errorf("stderr %q does not say the store is read-only", p.err)
	}
	if out, err := exec.Command("mount", "-o", "remount,rw", mnt).CombinedOutput(); err != nil {
		t.Fatalf("remount rw: %v %s", err, out)
	}
	nothingWritten(t, w.db)
	w.retryStored(raw, "rofs@acme.example")
}

func TestFaultDirectoryMissing(t *testing.T) {
	w := newWorld(t)
	w.db = filepath.Join(w.dir, "no-such-dir", "smartbcc.db")
	raw := w.faultMessage("nodir@acme.example", 100)
	p, err := w.deliver(raw, universal)
	if err != nil {
		t.Fatal(err)
	}
	wantTempFail(t, p, "store directory missing")
	if _, err := os.Stat(filepath.Dir(w.db)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the missing directory was created (%v)", err)
	}
}

func TestFaultDiskFull(t *testing.T) {
	for _, tc := range []struct {
		name  string
		slack int64 // bytes left free after filling
	}{
		{"no space at all", 0},
		{"space for the shared memory file but not the message", 128 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			mnt := mountTmpfs(t, "size=8m,mode=0700")
			w.db = filepath.Join(mnt, "smartbcc.db")
			w.setup()
			var st syscall.Statfs_t
			if err := syscall.Statfs(mnt, &st); err != nil {
				t.Fatal(err)
			}
			free := int64(st.Bavail) * st.Bsize
			filler := filepath.Join(mnt, "filler")
			f, err := os.Create(filler)
			if err != nil {
				t.Fatal(err)
			}
			chunk := make([]byte, 4096)
			for written := int64(0); written+int64(len(chunk)) <= free-tc.slack; written += int64(len(chunk)) {
				if _, err := f.Write(chunk); err != nil {
					break
				}
			}
			f.Close()
			raw := w.faultMessage("full@acme.example", 300<<10)
			p, err := w.deliver(raw, universal)
			if err != nil {
				t.Fatal(err)
			}
			wantTempFail(t, p, "disk full ("+tc.name+")")
			os.Remove(filler)
			nothingWritten(t, w.db)
			w.retryStored(raw, "full@acme.example")
		})
	}
}

// TestFaultDatabaseLocked holds the write lock from another process (this
// test) for longer than the busy timeout: the delivery gives up with 75.
func TestFaultDatabaseLocked(t *testing.T) {
	w := newWorld(t)
	w.setup()
	db, err := sql.Open("sqlite3", "file:"+w.db+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	raw := w.faultMessage("locked@acme.example", 500)
	p, err := w.deliver(raw, universal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db.Close()
	wantTempFail(t, p, "store locked by another process")
	if !strings.Contains(p.err, "busy") && !strings.Contains(p.err, "locked") {
		t.Errorf("stderr %q does not say the store is busy or locked", p.err)
	}
	nothingWritten(t, w.db)
	w.retryStored(raw, "locked@acme.example")
}

// TestFaultDNSServerSilent points --dns-server at a UDP socket that reads
// and never answers: DKIM, SPF and DMARC cannot be decided, so the
// delivery is deferred, and nothing is stored or recorded as refused.
func TestFaultDNSServerSilent(t *testing.T) {
	w := newWorld(t)
	w.setup()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	raw := w.faultMessage("dns@acme.example", 500)
	args := []string{"--dns-server", pc.LocalAddr().String(), "--json", "ingest", "--recipient", universal,
		"--sender", "ann@acme.example", "--client-ip", goodIP, "--helo", "mail.acme.example"}
	p := w.mustRun(raw, args...)
	wantTempFail(t, p, "DNS server not answering")
	if p.out != "" {
		t.Errorf("a deferred delivery printed a result: %q", p.out)
	}
	nothingWritten(t, w.db)
	w.retryStored(raw, "dns@acme.example")
}

// TestConcurrentFirstOpen: 16 deliveries arrive at once at a store file
// that does not exist yet (Postfix started before "smartbcc init"). They
// race to create the file and its schema; each defers with 75, and the
// store they leave behind is sound: init works on it, each migration is
// recorded once, the file is 0600.
func TestConcurrentFirstOpen(t *testing.T) {
	w := newWorld(t)
	raw := w.faultMessage("first@acme.example", 100)
	var wg sync.WaitGroup
	procs := make([]proc, 16)
	errs := make([]error, 16)
	for i := range procs {
		wg.Go(func() { procs[i], errs[i] = w.deliver(raw, universal) })
	}
	wg.Wait()
	seen := map[string]int{}
	for i, p := range procs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		seen[strings.ReplaceAll(p.err, w.dir, "DIR")]++
		if p.code != 75 || !tempLine.MatchString(p.err) {
			t.Errorf("delivery %d to a store without a company: exit %d %q, want 75 and a 4.x.x line", i, p.code, p.err)
		}
	}
	t.Logf("16 concurrent first deliveries: %v", seen)
	w.setup()
	db := openDB(t, w.db)
	if n := count(t, db, `SELECT count(*) FROM migrations`); n != count(t, db, `SELECT count(DISTINCT name) FROM migrations`) || n == 0 {
		t.Errorf("migrations recorded %d times for %d migrations", n, count(t, db, `SELECT count(DISTINCT name) FROM migrations`))
	}
	checkConsistent(t, db)
	if fi, err := os.Stat(w.db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("store mode %v %v, want 0600", fi.Mode().Perm(), err)
	}
	w.retryStored(raw, "first@acme.example")
}

// --- Hostile input through the pipe -------------------------------------

func bigMessage(w *world, id string, size int) []byte {
	data := make([]byte, size*3/4)
	r := mrand.New(mrand.NewPCG(1, 2))
	for i := 0; i+8 <= len(data); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			data[i+j] = byte(v >> (8 * j))
		}
	}
	var b strings.Builder
	s := base64.StdEncoding.EncodeToString(data)
	b.Grow(len(s) * 78 / 76)
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	body := "--b\r\nContent-Type: text/plain\r\n\r\nSee the file.\r\n--b\r\nContent-Type: application/octet-stream\r\n" +
		"Content-Disposition: attachment; filename=\"big.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b.String() + "\r\n--b--\r\n"
	return w.annMail(id, "Big file", body, `Content-Type: multipart/mixed; boundary="b"`)
}

// TestHostilePipe50MB: over the default 25 MB limit a 50 MB delivery is
// refused as too_large, recorded and bounced (65, "5.3.4 Message too
// large" for the DSN); with --max-size raised it is stored
// (or cleanly refused). Peak memory (the child's max RSS) stays bounded.
func TestHostilePipe50MB(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB deliveries: not in -short")
	}
	w := newWorld(t)
	w.setup()
	raw := bigMessage(w, "big50@acme.example", 50<<20)
	args := []string{"--json", "ingest", "--auth", "off", "--recipient", universal, "--sender", "ann@acme.example"}

	p := w.runRSS(raw, args...)
	t.Logf("%d bytes, default limit: exit %d in %s, max RSS %.0f MB, stderr %q", len(raw), p.code, p.elapsed.Round(time.Millisecond), float64(p.maxRSS)/1e6, p.err)
	if p.code != 65 {
		t.Fatalf("exit %d %q, want 65", p.code, p.err)
	}
	if r := oneResult(t, p); r.Status != "rejected" || r.Reason != "too_large" {
		t.Fatalf("result %+v, want rejected too_large", r)
	}
	if p.err != "5.3.4 Message too large\n" {
		t.Errorf("stderr %q, want the one line for the DSN", p.err)
	}
	if p.maxRSS > 256<<20 {
		t.Errorf("max RSS %d bytes refusing a too large message; want it bounded by the limit, not the message", p.maxRSS)
	}
	var rej []struct {
		Reason string `json:"reason"`
		Size   int64  `json:"size"`
	}
	if err := json.Unmarshal([]byte(w.ok(nil, "--json", "rejected")), &rej); err != nil || len(rej) != 1 || rej[0].Reason != "too_large" {
		t.Fatalf("rejected list %+v %v", rej, err)
	}

	p = w.runRSS(raw, append(args, "--max-size", fmt.Sprint(64<<20))...)
	t.Logf("%d bytes, --max-size 64 MB: exit %d in %s, max RSS %.0f MB, stderr %q", len(raw), p.code, p.elapsed.Round(time.Millisecond), float64(p.maxRSS)/1e6, p.err)
	if p.code != 0 {
		t.Fatalf("exit %d %q", p.code, p.err)
	}
	r := oneResult(t, p)
	if r.Status != "stored" && (r.Status != "rejected" || r.Reason == "") {
		t.Fatalf("result %+v, want stored or refused with a reason", r)
	}
	if p.maxRSS > 2<<30 {
		t.Errorf("max RSS %d bytes for a 50 MB message", p.maxRSS)
	}
	if r.Status == "stored" {
		got := w.ok(nil, "show", fmt.Sprint(r.ID), "--raw")
		if got != string(raw) {
			t.Fatalf("show --raw gives %d bytes, want the %d delivered", len(got), len(raw))
		}
	}
	checkConsistent(t, openDB(t, w.db))
}

// TestHostilePipeInputs runs broken and hostile messages through the pipe:
// each ends with exit 0 and a recorded outcome (or 65 for what is not a
// message at all), with bounded memory.
func TestHostilePipeInputs(t *testing.T) {
	w := newWorld(t)
	w.setup()
	type hostileCase struct {
		name string
		raw  []byte
		code int
	}
	var cases []hostileCase
	for i, h := range hostiletest.Cases() {
		c := hostileCase{name: h.Name, raw: h.Whole}
		if h.NotAMessage {
			c.code = 65
		}
		if h.Whole == nil {
			c.raw = w.annMail(fmt.Sprintf("phostile%d@acme.example", i), cmp.Or(h.Subject, "hostile"), h.Body, h.Extra...)
		}
		cases = append(cases, c)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := w.runRSS(c.raw, "--json", "ingest", "--auth", "off", "--recipient", universal, "--sender", "ann@acme.example")
			t.Logf("%d bytes: exit %d in %s, max RSS %.0f MB, out %.200q, stderr %.200q", len(c.raw), p.code, p.elapsed.Round(time.Millisecond), float64(p.maxRSS)/1e6, p.out, p.err)
			if p.code != c.code {
				t.Fatalf("exit %d, want %d: stderr %q", p.code, c.code, p.err)
			}
			if p.maxRSS > 1<<30 {
				t.Errorf("max RSS %d bytes", p.maxRSS)
			}
			if c.code == 0 {
				if r := oneResult(t, p); r.Status != "stored" && (r.Status != "rejected" || r.Reason == "") {
					t.Fatalf("result %+v", r)
				}
			}
		})
	}
	checkConsistent(t, openDB(t, w.db))
}

// --- Loops, noise and spoofing -----------------------------------------

// TestNoiseNeverFiledNorAnswered: our own confirmation mail, auto-replies,
// bulk mail, bounces and looping mail are refused (recorded, exit 0) and
// nothing is ever sent: no process is started and no connection made
// (checked with strace when it is installed), and a sendmail on PATH is
// never run.
func TestNoiseNeverFiledNorAnswered(t *testing.T) {
	w := newWorld(t)
	w.setup()
	fakeDir := t.TempDir()
	marker := filepath.Join(fakeDir, "sendmail-was-run")
	script := "#!/bin/sh\ntouch " + marker + "\ncat >/dev/null\n"
	for _, name := range []string{"sendmail", "mail", "mailx"} {
		if err := os.WriteFile(filepath.Join(fakeDir, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	strace, _ := exec.LookPath("strace")
	if strace != "" {
		if out, err := exec.Command(strace, "-f", "-qq", "-o", os.DevNull, "true").CombinedOutput(); err != nil {
			t.Logf("strace cannot trace here (%v: %s): only the sendmail on PATH is watched", err, bytes.TrimSpace(out))
			strace = ""
		}
	}
	report := `multipart/report; report-type=delivery-status; boundary="r"`
	reportBody := "--r\nContent-Type: text/plain\n\nDelivery failed.\n--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.customer.example\n--r--\n"
	cases := []struct {
		name, reason string
		raw          []byte
		sender       string
	}{
		{"our confirmation email", "own_mail", w.annMail("n1@acme.example", "Confirm your address", "code\n", "X-Smartbcc-Confirmation: 1"), "ann@acme.example"},
		{"Auto-Submitted", "auto_reply", w.annMail("n2@acme.example", "Out of office", "away\n", "Auto-Submitted: auto-replied"), "ann@acme.example"},
		{"X-Autoreply", "auto_reply", w.annMail("n3@acme.example", "Away", "away\n", "X-Autoreply: yes"), "ann@acme.example"},
		{"Precedence bulk", "bulk", w.annMail("n4@acme.example", "News", "news\n", "Precedence: bulk"), "ann@acme.example"},
		{"Precedence list", "bulk", w.annMail("n5@acme.example", "List", "list\n", "Precedence: list"), "ann@acme.example"},
		{"Precedence junk", "bulk", w.annMail("n6@acme.example", "Junk", "junk\n", "Precedence: junk"), "ann@acme.example"},
		{"null sender", "bounce", w.annMail("n7@acme.example", "Undelivered", "bounce\n"), ""},
		{"multipart/report", "bounce", w.annMail("n8@acme.example", "Delivery Status", reportBody, "Content-Type: "+report), "ann@acme.example"},
		{"already delivered to us", "loop", append([]byte("Delivered-To: "+universal+"\r\n"),
			w.annMail("n9@acme.example", "Loop", "again\n", "Delivered-To: "+universal)...), "ann@acme.example"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := w.sign(c.raw)
			args := []string{w.bin, "--db", w.db, "--dns-zone", w.zone, "--json", "ingest", "--recipient", universal,
				"--sender", c.sender, "--client-ip", goodIP, "--helo", "mail.acme.example", "--bounce"}
			trace := filepath.Join(t.TempDir(), "trace")
			if strace != "" {
				args = append([]string{strace, "-f", "-qq", "-e", "trace=execve,connect", "-o", trace}, args...)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Env = append(os.Environ(), "PATH="+fakeDir+":"+os.Getenv("PATH"), "SMARTBCC_DB=")
			cmd.Stdin = bytes.NewReader(raw)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			if ctx.Err() != nil || cmd.ProcessState == nil {
				t.Fatalf("ingest did not finish: %v", err)
			}
			p := proc{out: out.String(), err: errb.String(), code: cmd.ProcessState.ExitCode()}
			if p.code != 0 {
				t.Fatalf("exit %d, want 0 (dropped and logged, even with --bounce): %q", p.code, p.err)
			}
			r := oneResult(t, p)
			if r.Status != "rejected" || r.Reason != c.reason {
				t.Fatalf("result %s %s, want rejected %s", r.Status, r.Reason, c.reason)
			}
			if fileExists(marker) {
				t.Fatal("a sendmail was run")
			}
			if strace != "" {
				tr, err := os.ReadFile(trace)
				if err != nil {
					t.Fatal(err)
				}
				var execs, connects []string
				for _, line := range strings.Split(string(tr), "\n") {
					switch {
					case strings.Contains(line, "execve("):
						execs = append(execs, line)
					case strings.Contains(line, "connect("):
						connects = append(connects, line)
					}
				}
				if len(execs) != 1 || len(connects) != 0 {
					t.Fatalf("ingest started processes or made connections:\n%s", strings.Join(append(execs, connects...), "\n"))
				}
			}
		})
	}
	if strace == "" {
		t.Log("no usable strace: only the sendmail on PATH was watched")
	}
	var inbox []any
	if err := json.Unmarshal([]byte(w.ok(nil, "--json", "inbox")), &inbox); err != nil || len(inbox) != 0 {
		t.Fatalf("noise reached the inbox: %d %v", len(inbox), err)
	}
	var rej []any
	if err := json.Unmarshal([]byte(w.ok(nil, "--json", "rejected")), &rej); err != nil || len(rej) != len(cases) {
		t.Fatalf("rejected lists %d, want %d (%v)", len(rej), len(cases), err)
	}
}

// TestOwnConfirmationMailNeverConfirms: our confirmation email coming
// back (to the Bcc address or to its own reply address) and an
// auto-responder answering it are refused as noise and confirm nothing;
// only a real reply from the address does.
func TestOwnConfirmationMailNeverConfirms(t *testing.T) {
	w := newWorld(t)
	w.setup()
	dir := t.TempDir()
	captured := filepath.Join(dir, "mail.txt")
	script := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(script, []byte("#!/bin/sh\ncat > "+captured+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.ok(nil, "address", "add", "--user", "ann@acme.example", "--sendmail", script+" -i", "ann@home.example")
	confirmation, err := os.ReadFile(captured)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Reply-To: <([^>]+)>`).FindSubmatch(confirmation)
	if m == nil {
		t.Fatalf("no Reply-To in the confirmation email:\n%s", confirmation)
	}
	replyTo := string(m[1])
	status := func() string {
		var list []struct {
			Email     string `json:"email"`
			Confirmed bool   `json:"confirmed"`
		}
		if err := json.Unmarshal([]byte(w.ok(nil, "--json", "address", "list", "--user", "ann@acme.example")), &list); err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			if a.Email == "ann@home.example" {
				return map[bool]string{true: "confirmed", false: "unconfirmed"}[a.Confirmed]
			}
		}
		t.Fatalf("ann@home.example not listed: %+v", list)
		return ""
	}
	fromHome := func(raw []byte, rcpt string) result {
		t.Helper()
		p := w.mustRun(raw, "--dns-zone", w.zone, "--json", "ingest", "--recipient", rcpt, "--sender", "ann@home.example",
			"--client-ip", "192.0.2.20", "--helo", "mx.home.example")
		if p.code != 0 {
			t.Fatalf("exit %d %q", p.code, p.err)
		}
		return oneResult(t, p)
	}
	for _, rcpt := range []string{universal, replyTo} {
		if r := fromHome(confirmation, rcpt); r.Status != "rejected" || r.Reason != "own_mail" {
			t.Errorf("our confirmation email to %s: %s %s, want rejected own_mail", rcpt, r.Status, r.Reason)
		}
	}
	auto := []byte("From: Ann <ann@home.example>\r\nTo: <" + replyTo + ">\r\nSubject: Auto: I am on holiday\r\n" +
		"Auto-Submitted: auto-replied\r\nMessage-ID: <ooo@home.example>\r\n\r\nBack on Monday.\r\n")
	if r := fromHome(auto, replyTo); r.Status != "rejected" || r.Reason != "auto_reply" {
		t.Errorf("auto-reply to the confirmation: %s %s, want rejected auto_reply", r.Status, r.Reason)
	}
	if s := status(); s != "unconfirmed" {
		t.Fatalf("after noise only, ann@home.example is %s", s)
	}
	reply := []byte("From: Ann <ann@home.example>\r\nTo: <" + replyTo + ">\r\nSubject: Re: Confirm\r\nMessage-ID: <yes@home.example>\r\n\r\nyes\r\n")
	if r := fromHome(reply, replyTo); r.Status != "confirmed" {
		t.Errorf("the real reply: %s %s, want confirmed", r.Status, r.Reason)
	}
	if s := status(); s != "confirmed" {
		t.Fatalf("after the real reply, ann@home.example is %s", s)
	}
}

// TestStoreFileModes: whatever the umask, the store and its -wal and -shm
// files are created 0600 (they hold private mail).
func TestStoreFileModes(t *testing.T) {
	w := newWorld(t)
	init := exec.Command("/bin/sh", "-c", "umask 000; exec \"$0\" --db \"$1\" init --company Acme --domain bcc.acme.example", w.bin, w.db)
	if out, err := init.CombinedOutput(); err != nil {
		t.Fatalf("init: %v %s", err, out)
	}
	// A delivery waiting on stdin holds the store open: its -wal and -shm
	// exist now, created by that process under umask 000.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", "umask 000; exec \"$0\" --db \"$1\" ingest --auth off --recipient "+universal, w.bin, w.db)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		path := w.db + suffix
		var fi os.FileInfo
		for deadline := time.Now().Add(30 * time.Second); ; {
			if fi, err = os.Stat(path); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %#o, want 0600", filepath.Base(path), mode)
		}
	}
}

// TestSpoofingRefused: a forged From of a user without an aligned DKIM or
// SPF pass is refused, even with a forged Authentication-Results header or
// a valid signature of another domain.
func TestSpoofingRefused(t *testing.T) {
	w := newWorld(t)
	w.setup()
	_, evilKey, _ := ed25519.GenerateKey(rand.Reader)
	signAs := func(raw []byte, domain string) []byte {
		var out bytes.Buffer
		if err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{Domain: domain, Selector: "sel", Signer: evilKey,
			HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID"}}); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	forged := w.annMail("forged1@attacker.example", "Pay now", "wire money\n")
	cases := []struct {
		name string
		raw  []byte
		ip   string
	}{
		{"no signature, foreign IP", forged, "203.0.113.9"},
		{"forged Authentication-Results", append([]byte("Authentication-Results: mx.acme.example; dkim=pass header.d=acme.example; spf=pass smtp.mailfrom=acme.example; dmarc=pass\r\n"),
			w.annMail("forged2@attacker.example", "Pay now", "x\n")...), "203.0.113.9"},
		{"signed by another domain", signAs(w.annMail("forged3@attacker.example", "Pay now", "x\n"), "attacker.example"), "203.0.113.9"},
		{"signature with a key not in DNS", signAs(w.annMail("forged4@attacker.example", "Pay now", "x\n"), "acme.example"), "203.0.113.9"},
		{"valid signature, body altered", bytes.Replace(w.sign(w.annMail("forged5@attacker.example", "Pay", "pay 10\n")), []byte("pay 10"), []byte("pay 99"), 1), "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, bounce := range []bool{false, true} {
				args := w.pipeArgs(universal, c.ip)
				want := 0
				if bounce {
					args, want = append(args, "--bounce"), 77
				}
				p := w.mustRun(c.raw, args...)
				if p.code != want {
					t.Fatalf("bounce=%v: exit %d, want %d (%q)", bounce, p.code, want, p.err)
				}
				if r := oneResult(t, p); r.Status != "rejected" || r.Reason != "auth_failed" {
					t.Fatalf("result %s %s, want rejected auth_failed", r.Status, r.Reason)
				}
				// Nothing on exit 0 (a success DSN would carry it); with
				// --bounce the generic line, never why.
				if wantErr := map[bool]string{false: "", true: "5.7.1 Sender not accepted\n"}[bounce]; p.err != wantErr {
					t.Fatalf("bounce=%v: stderr %q, want %q", bounce, p.err, wantErr)
				}
			}
		})
	}
	var inbox []any
	if err := json.Unmarshal([]byte(w.ok(nil, "--json", "inbox")), &inbox); err != nil || len(inbox) != 0 {
		t.Fatalf("forged mail reached the inbox: %d %v", len(inbox), err)
	}
}

// TestGuessedTokenRevealsNothing: mail to a deal token guessed at random
// gets exactly the answer an unknown address gets (status, exit status,
// stderr, JSON), and an outsider cannot tell a real token from a guessed
// one. No token appears in any output.
func TestGuessedTokenRevealsNothing(t *testing.T) {
	w := newWorld(t)
	w.setup()
	realTok := strings.TrimPrefix(strings.Split(w.dealBcc, "@")[0], "acme+deal-")
	guess := make([]byte, 16)
	rand.Read(guess)
	guessTok := strings.ToLower(strings.TrimRight(base32(guess), "="))
	guessed := "acme+deal-" + guessTok + "@bcc.acme.example"
	foreign := "sales@elsewhere.example"

	norm := func(p proc, rcpt string) string {
		s := fmt.Sprintf("exit=%d\nout=%s\nerr=%s", p.code, p.out, p.err)
		return strings.ReplaceAll(s, rcpt, "RCPT")
	}
	n := 0
	deliverAs := func(from, rcpt string, bounce bool) proc {
		n++
		var raw []byte
		if from == "ann" {
			raw = w.sign(w.annMail(fmt.Sprintf("tok%d@acme.example", n), "Widgets", "x\n"))
		} else {
			raw = []byte(fmt.Sprintf("From: Mallory <mallory@elsewhere.example>\r\nTo: %s\r\nSubject: Widgets\r\nMessage-ID: <tok%d@elsewhere.example>\r\nDate: Mon, 02 Nov 2026 09:00:00 +0000\r\n\r\nx\r\n", rcpt, n))
		}
		args := w.pipeArgs(rcpt, goodIP)
		if from != "ann" {
			args = []string{"--dns-zone", w.zone, "--json", "ingest", "--recipient", rcpt, "--sender", "mallory@elsewhere.example",
				"--client-ip", "198.51.100.7", "--helo", "mx.elsewhere.example"}
		}
		if bounce {
			args = append(args, "--bounce")
		}
		p := w.mustRun(raw, args...)
		for _, tok := range []string{realTok, guessTok} {
			if strings.Contains(p.out+p.err, tok) {
				t.Fatalf("a token appears in the output: %q %q", p.out, p.err)
			}
		}
		// The Message-ID differs per delivery; it is not part of the shape.
		p.out = regexp.MustCompile(`tok\d+@`).ReplaceAllString(p.out, "ID@")
		return p
	}
	for _, bounce := range []bool{false, true} {
		// The user herself: a guessed token is an unknown address.
		g := deliverAs("ann", guessed, bounce)
		f := deliverAs("ann", foreign, bounce)
		// Her own JSON line may show who she is and how she authenticated
		// (a token is only looked up for an authenticated user); all else,
		// and everything Postfix sees (exit status, stderr), is the same.
		g.out = ownFields.ReplaceAllString(g.out, "")
		f.out = ownFields.ReplaceAllString(f.out, "")
		if norm(g, guessed) != norm(f, foreign) {
			t.Errorf("bounce=%v: a guessed token is answered differently from an unknown address:\n--- guessed token\n%s\n--- unknown address\n%s", bounce, norm(g, guessed), norm(f, foreign))
		}
		// An outsider: a real token and a guessed one look the same.
		real := deliverAs("mallory", w.dealBcc, bounce)
		fake := deliverAs("mallory", guessed, bounce)
		if norm(real, w.dealBcc) != norm(fake, guessed) {
			t.Errorf("bounce=%v: an outsider can tell a real token from a guessed one:\n--- real\n%s\n--- guessed\n%s", bounce, norm(real, w.dealBcc), norm(fake, guessed))
		}
	}
}

var ownFields = regexp.MustCompile(`"owner":(null|\{[^}]*\}),|"auth":(null|\{[^}]*\}),`)

func base32(b []byte) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	var s strings.Builder
	var acc, bits uint
	for _, c := range b {
		acc = acc<<8 | uint(c)
		bits += 8
		for bits >= 5 {
			s.WriteByte(alphabet[(acc>>(bits-5))&31])
			bits -= 5
		}
	}
	if bits > 0 {
		s.WriteByte(alphabet[(acc<<(5-bits))&31])
	}
	return s.String()
}
