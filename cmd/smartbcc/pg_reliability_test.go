//go:build linux

package main

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// mxHost is one mail host piping into the shared PostgreSQL store: the
// smartbcc arguments and environment its pipe(8) transport runs with.
type mxHost struct {
	name string
	pre  []string // --db ...
	env  []string
	dir  string
}

func (h mxHost) deliver(w *world, raw []byte, rcpt string) (proc, error) {
	return runCommand(w.bin, h.pre, append(h.env, "TMPDIR="+h.dir, "HOME="+h.dir), 2*time.Minute, raw, w.pipeArgs(rcpt, goodIP)...)
}

// TestLoadTwoHostsPostgres: two MX hosts, each running 16 concurrent pipe
// processes with its own environment, file the same 2,000 DKIM-signed
// messages plus 200 re-deliveries (the second copy on the other host, at
// the same moment, half of them to a deal's own address) into one
// PostgreSQL store, and the server is restarted (fast shutdown, as a
// failover ends every connection) a third of the way in. Every message is
// stored exactly once with all its links, no exit status other than 0 or
// 75 occurs, every 75 is retried as Postfix would until it exits 0, and
// nothing half-written stays behind.
func TestLoadTwoHostsPostgres(t *testing.T) {
	const perHost = 16
	distinct, redeliver := 2000, 200
	if testing.Short() {
		distinct, redeliver = 200, 20
	}
	cluster := pgtest.NewCluster(t)
	dsn := pgtest.FreshIn(t, cluster.URL())
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")

	w := newWorld(t)
	w.db = dsn
	w.setup()

	// mx1 names the store by one URL in SMARTBCC_DB; mx2 by a URL with no
	// host, port, user or database, which the libpq environment variables
	// complete.
	hosts := []mxHost{
		{name: "mx1", env: []string{"SMARTBCC_DB=" + dsn + "&application_name=mx1"}},
		{name: "mx2", pre: []string{"--db", "postgres:///?sslmode=disable&application_name=mx2&search_path=" + url.QueryEscape(schema)},
			env: []string{"PGHOST=127.0.0.1", "PGPORT=" + u.Port(), "PGUSER=postgres", "PGDATABASE=" + strings.TrimPrefix(u.Path, "/")}},
	}
	for i := range hosts {
		hosts[i].dir = filepath.Join(t.TempDir(), hosts[i].name)
		if err := os.MkdirAll(hosts[i].dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}

	type job struct {
		id   string
		raw  []byte
		rcpt string
		host int
	}
	var jobs []job
	viaDeal := map[string]bool{}
	for i := 0; i < distinct; i++ {
		id := fmt.Sprintf("mx-%04d@acme.example", i)
		var extra []string
		if i%5 == 4 {
			extra = append(extra, fmt.Sprintf("In-Reply-To: <mx-%04d@acme.example>", i-1))
		}
		raw := w.sign(w.annMail(id, fmt.Sprintf("Quote %d", i%300), fmt.Sprintf("Offer number %d.\n", i), extra...))
		rcpt := universal
		if i%10 == 0 {
			rcpt = w.dealBcc
			viaDeal[id] = true
		}
		jobs = append(jobs, job{id, raw, rcpt, i % 2})
	}
	r := mrand.New(mrand.NewPCG(17, 19))
	r.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	// The second copy of a message goes to the other host right after the
	// first, so that both are in flight together; every other one reaches
	// the deal's own address and must add its link.
	again := map[int]bool{}
	for _, k := range r.Perm(distinct)[:redeliver] {
		again[k] = true
	}
	var all []job
	n := 0
	for k, j := range jobs {
		all = append(all, j)
		if !again[k] {
			continue
		}
		j.host = 1 - j.host
		if n%2 == 0 && !viaDeal[j.id] {
			j.rcpt = w.dealBcc
			viaDeal[j.id] = true
		}
		n++
		all = append(all, j)
	}
	jobs = all

	var done atomic.Int64
	restarted := make(chan error, 1)
	go func() {
		for done.Load() < int64(len(jobs)/3) {
			time.Sleep(10 * time.Millisecond)
		}
		at := done.Load()
		start := time.Now()
		err := cluster.Restart()
		t.Logf("server restarted after %d of %d deliveries, down %s", at, len(jobs), time.Since(start).Round(time.Millisecond))
		restarted <- err
	}()

	var mu sync.Mutex
	exits := map[int]int{}
	stored := map[string]int{}
	statuses := map[string]int{}
	perHostExits := map[string]map[int]int{}
	var retries, maxAttempts int
	var failures []string
	queues := []chan job{make(chan job), make(chan job)}
	var wg sync.WaitGroup
	start := time.Now()
	for hi, h := range hosts {
		perHostExits[h.name] = map[int]int{}
		for range perHost {
			wg.Go(func() {
				for j := range queues[hi] {
					for attempt := 1; ; attempt++ {
						p, err := h.deliver(w, j.raw, j.rcpt)
						mu.Lock()
						if err != nil {
							failures = append(failures, err.Error())
							mu.Unlock()
							break
						}
						exits[p.code]++
						perHostExits[h.name][p.code]++
						maxAttempts = max(maxAttempts, attempt)
						switch {
						case p.code == 75 && attempt < 200:
							retries++
							mu.Unlock()
							time.Sleep(time.Duration(50+mrand.IntN(150)) * time.Millisecond)
							continue
						case p.code != 0:
							failures = append(failures, fmt.Sprintf("%s on %s: exit %d after %d attempts: %q", j.id, h.name, p.code, attempt, p.err))
						default:
							rs, err := parseResults(p.out)
							if err != nil || len(rs) != 1 {
								failures = append(failures, fmt.Sprintf("%s: results %v %q", j.id, err, p.out))
							} else {
								statuses[rs[0].Status]++
								if rs[0].Status == "stored" {
									stored[j.id]++
								} else if rs[0].Status != "duplicate" {
									failures = append(failures, fmt.Sprintf("%s on %s: %s %s", j.id, h.name, rs[0].Status, rs[0].Reason))
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
	}
	for _, j := range jobs {
		queues[j.host] <- j
	}
	for _, q := range queues {
		close(q)
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := <-restarted; err != nil {
		t.Fatalf("restarting the server: %v", err)
	}
	t.Logf("%d deliveries (%d distinct + %d again) by 2 hosts x %d processes in %s (%.0f deliveries/s); exits %v (by host %v); %d retries after 75, at most %d attempts; statuses %v",
		len(jobs), distinct, redeliver, perHost, elapsed.Round(time.Millisecond), float64(len(jobs))/elapsed.Seconds(),
		exits, perHostExits, retries, maxAttempts, statuses)
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
	// A delivery whose commit reached the server just as it went down
	// learns nothing of it, exits 75, and its retry finds a duplicate: so
	// "stored" may be reported once or (for such a one) not at all, never
	// twice; the store decides.
	for id, n := range stored {
		if n > 1 {
			t.Errorf("%s reported stored %d times", id, n)
		}
	}
	if statuses["stored"]+statuses["duplicate"] != len(jobs) {
		t.Errorf("statuses %v for %d deliveries", statuses, len(jobs))
	}
	db := storetest.SQL(t, dsn)
	if n := db.Int(t, `SELECT count(*) FROM messages`); n != distinct {
		t.Errorf("%d messages in the store, want %d", n, distinct)
	}
	if n := db.Int(t, `SELECT count(DISTINCT message_id) FROM messages WHERE message_id LIKE 'mx-%'`); n != distinct {
		t.Errorf("%d distinct Message-IDs in the store, want %d", n, distinct)
	}
	// Every reply joined its parent's thread, whichever host filed which.
	if n := db.Int(t, `SELECT count(*) FROM messages c JOIN messages p ON p.message_id = c.in_reply_to WHERE c.thread_id != p.thread_id`); n != 0 {
		t.Errorf("%d replies in another thread than their parent", n)
	}
	var missing []string
	for id := range viaDeal {
		if n := db.Int(t, `SELECT count(*) FROM links l JOIN messages m ON m.id = l.message_id WHERE m.message_id = ? AND l.kind = 'deal' AND l.item_id = ?`, id, w.dealID); n != 1 {
			missing = append(missing, fmt.Sprintf("%s (%d links)", id, n))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d messages reached the deal address without exactly one deal link: %v", len(missing), missing[:min(10, len(missing))])
	}
	storetest.Check(t, dsn)
}

// TestFaultPostgres: what goes wrong between a mail host and its database
// is temporary: the delivery exits 75 with one 4.x.x line, nothing is
// half-written, and the same delivery is stored once the fault is gone.
func TestFaultPostgres(t *testing.T) {
	w := newWorld(t)
	dsn := pgtest.Fresh(t)
	w.db = dsn
	w.setup()
	closed := func() string { // a loopback port nobody listens on
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}()
	u, _ := url.Parse(dsn)
	withParam := func(k, v string) string {
		q := u.Query()
		q.Set(k, v)
		c := *u
		c.RawQuery = q.Encode()
		return c.String()
	}
	unreachable := *u
	unreachable.Host = closed
	wrongUser := *u
	wrongUser.User = url.User("no_such_role")
	faults := []struct {
		name string
		db   string
		hold bool // another session holds the messages table meanwhile
	}{
		{"connection refused", unreachable.String(), false},
		// A statement that waits longer than statement_timeout (here for a
		// table another session has locked) is cancelled by the server.
		{"statement timeout", withParam("statement_timeout", "200"), true},
		// A standby after a failover accepts connections and refuses writes.
		{"read-only server", withParam("default_transaction_read_only", "on"), false},
		{"authentication refused", wrongUser.String(), false},
		{"no such database", strings.Replace(dsn, u.Path, "/no_such_database", 1), false},
	}
	for i, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			id := fmt.Sprintf("pgfault-%d@acme.example", i)
			raw := w.faultMessage(id, 2000)
			release := func() {}
			if f.hold {
				release = holdTable(t, dsn, "messages")
			}
			p, err := runBinary(w.bin, f.db, 2*time.Minute, raw, w.pipeArgs(universal, goodIP)...)
			release()
			if err != nil {
				t.Fatal(err)
			}
			wantTempFail(t, p, f.name)
			if strings.Contains(p.err, "postgres") || strings.Contains(p.err, "127.0.0.1") {
				t.Errorf("stderr %q names the database: it goes into Postfix's logs and DSNs", p.err)
			}
			db := storetest.SQL(t, dsn)
			if n := db.Int(t, `SELECT count(*) FROM messages WHERE message_id = ?`, id); n != 0 {
				t.Fatalf("%d rows of a delivery that exited 75", n)
			}
			if n := db.Int(t, `SELECT count(*) FROM rejections`); n != 0 {
				t.Fatalf("%d rejections recorded by a delivery that will be retried", n)
			}
			// Postfix retries once the database is back: stored once.
			w.retryStored(raw, id)
		})
	}
}

// holdTable locks table in another session until release is called.
func holdTable(t *testing.T, dsn, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+table+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			tx.Rollback(ctx)
			conn.Close(ctx)
		})
	}
}
