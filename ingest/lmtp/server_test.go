package lmtp

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/hostiletest"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// One message to the universal address, a deal address, a guessed token
// and a foreign address: filed once with the deal link, and each
// recipient answered as a pipe delivery to it alone would be.
func TestMultiRecipientOneTransaction(t *testing.T) {
	guess := bccaddr.Address("acme", "bcc.acme.example", bccaddr.Target{Kind: bccaddr.Deal, Token: "aaaaaaaaaaaaaaaaaaaaaaaaaa"})
	for _, bounce := range []bool{true, false} {
		t.Run(fmt.Sprintf("bounce=%v", bounce), func(t *testing.T) {
			ts := newTestServer(t, func(c *Config) { c.Bounce = bounce })
			c := ts.client()
			rcpts := []string{universal, ts.dealAddr, guess, "sales@elsewhere.example"}
			got, err := ts.deliver(c, annAddr, rcpts, annMail("multi@acme.example"))
			if err != nil {
				t.Fatal(err)
			}
			refused := "550 5.1.1"
			if !bounce {
				refused = "250 2.0.0"
			}
			want := replies{universal: "250 2.0.0", ts.dealAddr: "250 2.0.0", guess: refused, "sales@elsewhere.example": refused}
			for r, w := range want {
				if got[r] != w {
					t.Errorf("%s: %q, want %q", r, got[r], w)
				}
			}
			if n, links := ts.stored("multi@acme.example"); n != 1 || links != 1 {
				t.Errorf("stored %d times with %d item links, want once with the deal link", n, links)
			}
			log := ts.logText()
			if strings.Count(log, "status=stored") != 2 {
				t.Errorf("want a log line per recipient:\n%s", log)
			}
			tok := strings.TrimPrefix(strings.Split(ts.dealAddr, "@")[0], "acme+deal-")
			if strings.Contains(log, tok) || strings.Contains(log, "aaaaaaaaaaaaaaaaaaaaaaaaaa") {
				t.Errorf("the log shows a token:\n%s", log)
			}
			// The same transaction again: a duplicate, answered 250.
			got, err = ts.deliver(c, annAddr, rcpts[:2], annMail("multi@acme.example"))
			if err != nil || got[universal] != "250 2.0.0" || got[ts.dealAddr] != "250 2.0.0" {
				t.Fatalf("again: %v %v", got, err)
			}
			if n, _ := ts.stored("multi@acme.example"); n != 1 {
				t.Errorf("stored %d times after a second delivery", n)
			}
			ts.checkBudgetReturned()
		})
	}
}

// Refusals: a stranger and not-a-message, with and without --bounce.
func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		name   string
		bounce bool
		raw    []byte
		want   string
	}{
		{"stranger", false, strangerMail("s1@elsewhere.example"), "250 2.0.0"},
		{"stranger bounce", true, strangerMail("s2@elsewhere.example"), "550 5.7.1"},
		{"not a message", false, []byte("\x00\x01\x02 not mail at all"), "554 5.6.0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServer(t, func(cfg *Config) { cfg.Bounce = c.bounce })
			got, err := ts.deliver(ts.client(), "mallory@elsewhere.example", []string{universal}, c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got[universal] != c.want {
				t.Errorf("%q, want %q", got[universal], c.want)
			}
			if rs := ts.rejections(); len(rs) != 1 {
				t.Errorf("%d rejections recorded, want 1", len(rs))
			}
		})
	}
}

// Oversized mail is refused while it is read (go-smtp stops buffering at
// SIZE); the session goes on.
func TestOversized(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxSize = 4096 })
	c := ts.client()
	// One more than MaxSize: see dataLimit.
	if size, ok := c.MaxMessageSize(); !ok || size != 4097 {
		t.Errorf("SIZE %d %v, want 4097", size, ok)
	}
	big := annMail("big@acme.example", "X-Pad: "+strings.Repeat("x\r\n ", 4000))
	got, err := ts.deliver(c, annAddr, []string{universal}, big)
	if err != nil {
		t.Fatal(err)
	}
	if got[universal] != "552 5.3.4" {
		t.Errorf("oversized: %q, want 552 5.3.4", got[universal])
	}
	if n, _ := ts.stored("big@acme.example"); n != 0 {
		t.Errorf("oversized mail stored")
	}
	got, err = ts.deliver(c, annAddr, []string{universal}, annMail("small@acme.example"))
	if err != nil || got[universal] != "250 2.0.0" {
		t.Fatalf("next message: %v %v", got, err)
	}
	ts.checkBudgetReturned()
}

// TestLongLines: lines far over RFC 5321's 1,000 octets, as HTML
// generators write them, are stored with the message, whatever their
// length, as the pipe stores them (TestHostilePipeInputs, "1 MB header
// line"). A line over maxLineLength once got 451 4.4.2: Postfix retried a
// message that could never pass until it expired. The session goes on
// after each; a command line over maxLineLength still ends the session.
func TestLongLines(t *testing.T) {
	ts := newTestServer(t, nil)
	c := ts.client()
	for _, tc := range []struct {
		id   string
		line int
	}{
		{"line-2k@acme.example", 2500},
		{"line-60k@acme.example", 60 << 10},
		{"line-65k@acme.example", maxLineLength + 1},
		{"line-1m@acme.example", 1 << 20},
	} {
		line := strings.Repeat("<td>x</td>", tc.line/10) + strings.Repeat("x", tc.line%10)
		for _, where := range []string{"body", "header"} {
			id := where + "-" + tc.id
			var raw []byte
			if where == "body" {
				raw = append(annMail(id), line+"\r\n"...)
			} else {
				raw = annMail(id, "X-Long: "+line)
			}
			got, err := ts.deliver(c, annAddr, []string{universal}, raw)
			if err != nil {
				t.Fatalf("a %s line of %d bytes: %v", where, tc.line, err)
			}
			if got[universal] != "250 2.0.0" {
				t.Errorf("a %s line of %d bytes: %q, want 250 2.0.0", where, tc.line, got[universal])
			}
			if n, _ := ts.stored(id); n != 1 {
				t.Errorf("a %s line of %d bytes: stored %d times", where, tc.line, n)
			}
		}
	}
	ts.checkBudgetReturned()

	rc := ts.raw()
	rc.reply(time.Second)
	rc.send("LHLO postfix.test\r\n")
	rc.reply(time.Second)
	rc.send("NOOP " + strings.Repeat("x", maxLineLength) + "\r\n")
	if l := rc.reply(2 * time.Second); !strings.HasPrefix(l, "500 5.4.0") {
		t.Errorf("a command line over %d bytes: %q, want 500 5.4.0", maxLineLength, l)
	}
	if l := rc.line(2 * time.Second); l != "" {
		t.Errorf("after a too long command line the session goes on: %q", l)
	}
}

// TestSizeLimitIsExact: a message of exactly MaxSize bytes is stored, as
// the pipe and the archive readers store it; one byte more is refused.
func TestSizeLimitIsExact(t *testing.T) {
	const max = 4096
	ts := newTestServer(t, func(c *Config) { c.MaxSize = max })
	c := ts.client()
	// A message of n bytes: annMail with a folded X-Pad field (lines well
	// under the server's line length limit).
	sized := func(id string, n int) []byte {
		pad := n - len(annMail(id, "X-Pad: "))
		return annMail(id, "X-Pad: "+strings.Repeat("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n ", pad/51)+strings.Repeat("x", pad%51))
	}
	for _, tc := range []struct {
		id    string
		size  int
		reply string
	}{
		{"one-under@acme.example", max - 1, "250 2.0.0"},
		{"exact@acme.example", max, "250 2.0.0"},
		{"one-over@acme.example", max + 1, "552 5.3.4"},
		{"two-over@acme.example", max + 2, "552 5.3.4"},
	} {
		raw := sized(tc.id, tc.size)
		if len(raw) != tc.size {
			t.Fatalf("%s: built %d bytes, want %d", tc.id, len(raw), tc.size)
		}
		got, err := ts.deliver(c, annAddr, []string{universal}, raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		if got[universal] != tc.reply {
			t.Errorf("%d bytes (MaxSize %d): %q, want %q", tc.size, max, got[universal], tc.reply)
		}
		if n, _ := ts.stored(tc.id); (n == 1) != (tc.reply == "250 2.0.0") {
			t.Errorf("%d bytes: stored %d times", tc.size, n)
		}
	}
	ts.checkBudgetReturned()
}

// A client that stops sending in the middle of DATA, and one that goes
// away: nothing is stored, and the server keeps serving.
func TestSlowAndVanishingClients(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.DataTimeout = 300 * time.Millisecond })
	half := "MAIL FROM:<ann@acme.example>\r\nRCPT TO:<" + universal + ">\r\nDATA\r\n"

	slow := ts.raw()
	slow.reply(time.Second)
	slow.send("LHLO postfix.test\r\n")
	slow.reply(time.Second)
	slow.send(half)
	for i := 0; i < 3; i++ {
		slow.reply(time.Second)
	}
	slow.send(string(annMail("slow@acme.example"))[:40])
	// The server gives up on the data: a 4xx, then the connection closes.
	if l := slow.reply(2 * time.Second); !strings.HasPrefix(l, "4") && l != "" {
		t.Errorf("slow client got %q, want a 4xx or a closed connection", l)
	}

	gone := ts.raw()
	gone.reply(time.Second)
	gone.send("LHLO postfix.test\r\n")
	gone.reply(time.Second)
	gone.send(half)
	for i := 0; i < 3; i++ {
		gone.reply(time.Second)
	}
	gone.send(string(annMail("gone@acme.example"))[:60])
	gone.c.Close()

	time.Sleep(500 * time.Millisecond)
	for _, id := range []string{"slow@acme.example", "gone@acme.example"} {
		if n, _ := ts.stored(id); n != 0 {
			t.Errorf("%s stored from an incomplete DATA", id)
		}
	}
	// The log and the metrics blame the connection, not a bug of the
	// server's (reason=internal, what an administrator alerts on).
	for _, l := range strings.Split(strings.TrimSpace(ts.logText()), "\n") {
		if strings.Contains(l, "status=") && !strings.Contains(l, "status=temporary reason=connection ") {
			t.Errorf("an incomplete DATA logged as %q, want reason=connection", l)
		}
	}
	if v := testutil.ToFloat64(ts.srv.cfg.Metrics.Deliveries.WithLabelValues("temporary", "connection")); v != 2 {
		t.Errorf("%v deliveries counted with reason connection, want 2", v)
	}
	got, err := ts.deliver(ts.client(), annAddr, []string{universal}, annMail("after@acme.example"))
	if err != nil || got[universal] != "250 2.0.0" {
		t.Fatalf("after: %v %v", got, err)
	}
	ts.checkBudgetReturned()
}

func TestMaxSessions(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxSessions = 2 })
	a, b := ts.raw(), ts.raw()
	for _, c := range []*rawConn{a, b} {
		if l := c.reply(time.Second); !strings.HasPrefix(l, "220 ") {
			t.Fatalf("greeting %q", l)
		}
	}
	third := ts.raw()
	if l := third.reply(time.Second); !strings.HasPrefix(l, "421 4.3.2") {
		t.Errorf("third session: %q, want 421 4.3.2", l)
	}
	if v := testutil.ToFloat64(ts.srv.cfg.Metrics.SessionsRefused); v != 1 {
		t.Errorf("sessions refused metric %v, want 1", v)
	}
	a.send("QUIT\r\n")
	a.reply(time.Second)
	time.Sleep(100 * time.Millisecond)
	fourth := ts.raw()
	if l := fourth.reply(time.Second); !strings.HasPrefix(l, "220 ") {
		t.Errorf("after one left: %q", l)
	}
}

// Deliveries that arrive while a commit runs are committed together, and
// none is answered before its commit.
func TestGroupCommit(t *testing.T) {
	release := make(chan struct{})
	var groups []int
	var mu sync.Mutex
	first := make(chan struct{})
	var once sync.Once
	ts := newTestServer(t, func(c *Config) {
		c.beforeCommit = func(n int) {
			mu.Lock()
			groups = append(groups, n)
			mu.Unlock()
			once.Do(func() {
				close(first)
				<-release
			})
		}
	})
	const n = 8
	var answered atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, n+1)
	deliver := func(i int) {
		defer wg.Done()
		got, err := ts.deliver(ts.client(), annAddr, []string{universal}, annMail(fmt.Sprintf("g%d@acme.example", i)))
		if err == nil && got[universal] != "250 2.0.0" {
			err = fmt.Errorf("g%d: %v", i, got)
		}
		answered.Add(1)
		errs <- err
	}
	wg.Add(1)
	go deliver(0)
	<-first // the first commit is held
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go deliver(i)
	}
	// Wait until all n are queued behind the held commit.
	deadline := time.Now().Add(5 * time.Second)
	for len(ts.srv.committer.queue) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if a := answered.Load(); a != 0 {
		t.Fatalf("%d deliveries answered before their commit", a)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(groups) != 2 || groups[0] != 1 || groups[1] != n {
		t.Errorf("commit groups %v, want [1 %d]", groups, n)
	}
	ts.checkBudgetReturned()
	if c := testutil.CollectAndCount(ts.srv.cfg.Metrics.CommitBatch); c != 1 {
		t.Errorf("batch histogram has %d series", c)
	}
}

// A locked store is a temporary failure (451), and the delivery goes
// through once the lock is gone.
func TestStoreBusy(t *testing.T) {
	if storetest.Kind(t) != backend.SQLite {
		t.Skip("holds SQLite's write lock from another connection")
	}
	ts := newTestServer(t, nil)
	lock, err := sql.Open("sqlite3", "file:"+ts.path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	tx, err := lock.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`CREATE TABLE IF NOT EXISTS lock_holder (x)`); err != nil {
		t.Fatal(err)
	}
	c := ts.client()
	got, err := ts.deliver(c, annAddr, []string{universal}, annMail("busy@acme.example"))
	if err != nil {
		t.Fatal(err)
	}
	if got[universal] != "451 4.3.0" {
		t.Errorf("locked store: %q, want 451 4.3.0", got[universal])
	}
	if v := testutil.ToFloat64(ts.srv.cfg.Metrics.StoreBusy); v < 1 {
		t.Errorf("store busy metric %v", v)
	}
	tx.Rollback()
	got, err = ts.deliver(c, annAddr, []string{universal}, annMail("busy@acme.example"))
	if err != nil || got[universal] != "250 2.0.0" {
		t.Fatalf("after the lock: %v %v", got, err)
	}
	if n, _ := ts.stored("busy@acme.example"); n != 1 {
		t.Errorf("stored %d times", n)
	}
}

// SIGTERM's path: no new connections or transactions, the delivery in
// progress is committed and answered, idle connections are closed.
func TestShutdownFinishesDeliveries(t *testing.T) {
	release := make(chan struct{})
	inCommit := make(chan struct{})
	var once sync.Once
	ts := newTestServer(t, func(c *Config) {
		c.beforeCommit = func(int) {
			once.Do(func() {
				close(inCommit)
				<-release
			})
		}
	})
	idle := ts.raw()
	idle.reply(time.Second)
	idle.send("LHLO postfix.test\r\n")
	idle.reply(time.Second)

	result := make(chan string, 1)
	go func() {
		got, err := ts.deliver(ts.client(), annAddr, []string{universal}, annMail("shut@acme.example"))
		if err != nil {
			result <- err.Error()
			return
		}
		result <- got[universal]
	}()
	<-inCommit
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- ts.srv.Shutdown(ctx)
	}()
	// The idle connection is told and closed.
	if l := idle.reply(2 * time.Second); !strings.HasPrefix(l, "421") {
		t.Errorf("idle connection got %q, want 421", l)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) while a delivery was in progress", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if r := <-result; r != "250 2.0.0" {
		t.Errorf("delivery in progress: %q, want 250 2.0.0", r)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if n, _ := ts.stored("shut@acme.example"); n != 1 {
		t.Errorf("stored %d times", n)
	}
	if err := <-ts.served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestMetricsLint(t *testing.T) {
	ts := newTestServer(t, nil)
	if _, err := ts.deliver(ts.client(), annAddr, []string{universal}, annMail("m@acme.example")); err != nil {
		t.Fatal(err)
	}
	m := ts.srv.cfg.Metrics
	problems, err := testutil.GatherAndLint(m.Registry)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("metric %s: %s", p.Metric, p.Text)
	}
	if v := testutil.ToFloat64(m.Deliveries.WithLabelValues("stored", "")); v != 1 {
		t.Errorf("stored deliveries %v, want 1", v)
	}
}

// checkBudgetReturned: once every delivery is answered, all the room
// messages took is given back (a leak ends in 451 4.3.1 for everyone).
func (ts *testServer) checkBudgetReturned() {
	ts.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for ts.srv.budget.inUse() != 0 {
		if time.Now().After(deadline) {
			ts.t.Fatalf("%d bytes of the budget still taken after every delivery was answered", ts.srv.budget.inUse())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Many messages of different sizes through one session: the budget
// never runs out (it once leaked the difference between the read buffer
// and the parse charge).
func TestBudgetDoesNotLeak(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxSize = 64 << 10; c.MaxInflight = 1 })
	c := ts.client()
	for i := 0; i < 40; i++ {
		raw := annMail(fmt.Sprintf("b%d@acme.example", i), "X-Pad: "+strings.Repeat("y\r\n ", i*200))
		got, err := ts.deliver(c, annAddr, []string{universal}, raw)
		if err != nil || got[universal] != "250 2.0.0" {
			t.Fatalf("message %d: %v %v", i, got, err)
		}
	}
	ts.checkBudgetReturned()
}

// TestHostileInputs sends through LMTP the hostile messages that
// TestHostilePipeInputs (cmd/smartbcc) sends through the pipe, each in
// a session of its own: each gets the pipe's outcome (exit 0 is 250 and a
// recorded outcome, 65 is 554 5.6.0), and the server keeps serving.
func TestHostileInputs(t *testing.T) {
	mail := func(id, subject, body string, extra ...string) []byte {
		h := append([]string{"From: Ann Seller <ann@acme.example>", "To: Bob Buyer <bob@customer.example>",
			"Subject: " + subject, "Date: Mon, 02 Nov 2026 09:00:00 +0000", "Message-ID: <" + id + ">", "MIME-Version: 1.0"}, extra...)
		return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + body)
	}
	type hostileCase struct {
		name, id string
		raw      []byte
		reply    string
	}
	var cases []hostileCase
	for i, h := range hostiletest.Cases() {
		c := hostileCase{name: h.Name, raw: h.Whole, reply: "250 2.0.0"}
		if h.NotAMessage {
			c.reply = "554 5.6.0"
		}
		if h.Whole == nil {
			c.id = fmt.Sprintf("hostile%d@acme.example", i)
			c.raw = mail(c.id, cmp.Or(h.Subject, "Widgets"), h.Body, h.Extra...)
		}
		cases = append(cases, c)
	}
	ts := newTestServer(t, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(ts.rejections())
			got, err := ts.deliver(ts.client(), annAddr, []string{universal}, c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got[universal] != c.reply {
				t.Fatalf("%q, want %q", got[universal], c.reply)
			}
			if c.id != "" {
				if n, _ := ts.stored(c.id); n != 1 && len(ts.rejections()) != before+1 {
					t.Errorf("neither stored nor a rejection recorded")
				}
			}
		})
	}
	got, err := ts.deliver(ts.client(), annAddr, []string{universal}, annMail("after-hostile@acme.example"))
	if err != nil || got[universal] != "250 2.0.0" {
		t.Fatalf("after: %v %v", got, err)
	}
	ts.checkBudgetReturned()
}

// TestChunkingNotOffered: CHUNKING is not announced, so that a client
// sends every message with DATA, whose lines may be of any length
// (TestLongLines). A client that sends BDAT anyway (RFC 3030 forbids it
// unannounced) is refused, 502 5.5.1, nothing is stored and nothing is
// left running. BDAT once took a message with a line over 64 KB with a
// permanent 554 "transaction failed", where DATA stores it, while the log
// said 451 for each recipient.
func TestChunkingNotOffered(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxSize = 256 << 10 })
	// session: LHLO (no CHUNKING in its reply) and an envelope of two
	// recipients.
	session := func(name string) *rawConn {
		t.Helper()
		rc := ts.raw()
		rc.reply(time.Second)
		rc.send("LHLO postfix.test\r\n")
		for {
			l := rc.line(time.Second)
			if strings.Contains(strings.ToUpper(l), "CHUNKING") {
				t.Errorf("%s: LHLO announces %q", name, l)
			}
			if len(l) < 4 || l[3] != '-' {
				break
			}
		}
		rc.send("MAIL FROM:<ann@acme.example>\r\nRCPT TO:<" + universal + ">\r\nRCPT TO:<" + ts.dealAddr + ">\r\n")
		for i := 0; i < 3; i++ {
			if l := rc.reply(time.Second); !strings.HasPrefix(l, "250 ") {
				t.Fatalf("%s: envelope: %q", name, l)
			}
		}
		return rc
	}
	long := append(annMail("bdat-long@acme.example"), strings.Repeat("x", maxLineLength+1)+"\r\n"...)
	small := annMail("bdat-small@acme.example")
	for _, tc := range []struct {
		name   string
		chunks []string // BDAT commands with their data
		want   []string // the replies, in order
		closed bool     // the session ends; otherwise it goes on
	}{
		// The rest of the chunk is read through the command line limit.
		{"a line over 64 KB", []string{fmt.Sprintf("BDAT %d LAST\r\n%s", len(long), long)},
			[]string{"502 5.5.1", "500 5.4.0"}, true},
		// The second chunk has no transaction left.
		{"two chunks", []string{fmt.Sprintf("BDAT %d\r\n%s", len(small)-10, small[:len(small)-10]), fmt.Sprintf("BDAT 10 LAST\r\n%s", small[len(small)-10:])},
			[]string{"502 5.5.1", "502 5.5.1"}, false},
		// One reply per recipient.
		{"an empty last chunk", []string{"BDAT 0 LAST\r\n"}, []string{"502 5.5.1", "502 5.5.1"}, false},
		// go-smtp refuses it by its size before reading it.
		{"a chunk over the size limit", []string{fmt.Sprintf("BDAT %d LAST\r\n%s", 300<<10, strings.Repeat("y\r\n", 100<<10))},
			[]string{"552 5.3.4"}, false},
	} {
		rc := session(tc.name)
		for _, c := range tc.chunks {
			rc.send(c)
		}
		for _, w := range tc.want {
			if l := rc.reply(2 * time.Second); !strings.HasPrefix(l, w) {
				t.Errorf("%s: %q, want %s", tc.name, l, w)
			}
		}
		if tc.closed {
			if l := rc.line(2 * time.Second); l != "" {
				t.Errorf("%s: the session goes on: %q", tc.name, l)
			}
			continue
		}
		rc.send("NOOP\r\n")
		if l := rc.reply(2 * time.Second); !strings.HasPrefix(l, "250 ") {
			t.Errorf("%s: then NOOP got %q", tc.name, l)
		}
	}
	for _, id := range []string{"bdat-long@acme.example", "bdat-small@acme.example"} {
		if n, _ := ts.stored(id); n != 0 {
			t.Errorf("%s stored from a refused BDAT", id)
		}
	}
	if log := ts.logText(); strings.Contains(log, "status=") {
		t.Errorf("a delivery logged for a refused BDAT:\n%s", log)
	}
	// The long message with DATA is stored.
	rc := session("DATA")
	rc.send("DATA\r\n")
	if l := rc.reply(time.Second); !strings.HasPrefix(l, "354") {
		t.Fatalf("DATA: %q", l)
	}
	rc.send(string(long) + ".\r\n")
	for i := 0; i < 2; i++ {
		if l := rc.reply(2 * time.Second); !strings.HasPrefix(l, "250 2.0.0") {
			t.Errorf("DATA reply %d: %q", i, l)
		}
	}
	if n, _ := ts.stored("bdat-long@acme.example"); n != 1 {
		t.Errorf("stored %d times over DATA", n)
	}
	ts.checkBudgetReturned()
}

// TestTemporaryFailureSaysWhy: the log line of a delivery answered 451
// says what failed, for the administrator (the reply to Postfix, which
// reaches the sender's DSN, says nothing). It once said only
// reason=internal: a store that had lost a table (or any bug) left the
// administrator nothing to go on while Postfix retried for days.
func TestTemporaryFailureSaysWhy(t *testing.T) {
	ts := newTestServer(t, nil)
	storetest.SQL(t, ts.path).Exec(t, `ALTER TABLE rejections RENAME TO rejections_gone`)
	rc := ts.raw()
	rc.reply(time.Second)
	rc.send("LHLO postfix.test\r\nMAIL FROM:<mallory@elsewhere.example>\r\nRCPT TO:<" + universal + ">\r\nDATA\r\n")
	for i := 0; i < 4; i++ {
		rc.reply(time.Second)
	}
	rc.send(string(strangerMail("why@elsewhere.example")) + ".\r\n")
	reply := rc.reply(5 * time.Second)
	if !strings.HasPrefix(reply, "451 4.3.0") || strings.Contains(reply, "rejections") {
		t.Errorf("reply %q, want 451 4.3.0 that says nothing", reply)
	}
	var line string
	for _, l := range strings.Split(ts.logText(), "\n") {
		if strings.Contains(l, "status=temporary") {
			line = l
		}
	}
	if !strings.Contains(line, "reason=internal") || !strings.Contains(line, "rejections") {
		t.Errorf("the log does not say what failed: %q", line)
	}
}
