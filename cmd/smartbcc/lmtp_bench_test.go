//go:build linux

package main

// LMTP server against pipe processes, in one run, on equal work: the same
// signed messages (DKIM and SPF checked against a zone file, every one
// stored) delivered by 32 concurrent pipe processes (`smartbcc ingest`, as
// Postfix's pipe runs it) and by 32 concurrent LMTP sessions to `smartbcc
// serve` (as Postfix's lmtp client, one cached connection per session).
// Reports deliveries per second and p50/p99 latency of each, their ratios,
// and the server's peak RSS. Not a test: nothing asserts a speed. Run by
// .ci/bench-lmtp:
//
//	SMARTBCC_BENCH_MESSAGES=5000 go test -run '^$' -bench LMTPvsPipe -benchtime 1x ./cmd/smartbcc

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	_ "github.com/mattn/go-sqlite3"
)

const benchConcurrency = 32

type benchRun struct {
	name      string
	elapsed   time.Duration
	latencies []time.Duration
}

func (r benchRun) rate() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

func (r benchRun) pct(p float64) time.Duration {
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func BenchmarkLMTPvsPipe(b *testing.B) {
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("SMARTBCC_BENCH_MESSAGES")); err == nil && v > 0 {
		n = v
	}
	bin := binary(b)
	// serve refuses to run as root: under root, every process of both
	// modes runs as nobody, in a directory nobody can use.
	dir, err := os.MkdirTemp("/tmp", "smartbcc-bench-")
	must(b, err)
	b.Cleanup(func() { os.RemoveAll(dir) })
	must(b, os.Chmod(dir, 0o777))
	binCopy := filepath.Join(dir, "smartbcc")
	must(b, copyFile(bin, binCopy))
	must(b, os.Chmod(binCopy, 0o755))
	bin = binCopy
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(b, err)
	must(b, os.Chmod(dir, 0o777))
	zone := filepath.Join(dir, "zone.txt")
	must(b, os.WriteFile(zone, []byte(fmt.Sprintf(`$ORIGIN acme.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc          300 IN TXT "v=DMARC1; p=reject"
sel._domainkey  300 IN TXT "v=DKIM1; k=ed25519; p=%s"
`, base64.StdEncoding.EncodeToString(pub))), 0o644))
	w := &world{bin: bin, dir: dir, priv: priv, zone: zone}

	// The messages: 8 KB signed bodies, with the Received: line the local
	// Postfix would have prepended (the LMTP server reads the client
	// address from it; the pipe gets it on its command line).
	msgs := make([][]byte, n)
	for i := range msgs {
		raw := pipeMessage(w, fmt.Sprintf("bench-%d@acme.example", i), 8<<10)
		msgs[i] = append([]byte("Received: from mail.acme.example (mail.acme.example [192.0.2.10])\r\n\tby mx.acme.example (Postfix) with ESMTP id B"+strconv.Itoa(i)+"\r\n\tfor <acme@bcc.acme.example>; Mon,  2 Nov 2026 09:00:01 +0000 (UTC)\r\n"), raw...)
	}
	newStore := func(name string) string {
		db := filepath.Join(dir, name)
		for _, args := range [][]string{
			{"init", "--company", "Acme", "--domain", "bcc.acme.example"},
			{"user", "add", "ann@acme.example", "--name", "Ann Seller"},
		} {
			if out, err := benchCmd(bin, db, nil, args...).CombinedOutput(); err != nil {
				b.Fatalf("smartbcc %s: %v %s", strings.Join(args, " "), err, out)
			}
		}
		return db
	}

	for b.Loop() {
		if os.Getenv("SMARTBCC_BENCH_MODES") == "lmtp" {
			// Only the LMTP half, for profiling the server
			// (SMARTBCC_BENCH_SERVE_CPUPROFILE=FILE,
			// SMARTBCC_BENCH_SERVE_SQL_TIMINGS=FILE: see profile.go).
			lmtp, rss := benchLMTP(b, bin, newStore("lmtp.db"), zone, dir, msgs)
			b.Logf("%-5s %d deliveries in %6.2fs: %7.1f/s  p50 %6.1f ms  p99 %6.1f ms; server peak RSS %.1f MB", lmtp.name, len(lmtp.latencies),
				lmtp.elapsed.Seconds(), lmtp.rate(), ms(lmtp.pct(.50)), ms(lmtp.pct(.99)), float64(rss)/(1<<20))
			continue
		}
		pipe := benchPipe(b, bin, newStore("pipe.db"), zone, msgs)
		lmtp, rss := benchLMTP(b, bin, newStore("lmtp.db"), zone, dir, msgs)
		for _, r := range []benchRun{pipe, lmtp} {
			b.Logf("%-5s %d deliveries in %6.2fs: %7.1f/s  p50 %6.1f ms  p99 %6.1f ms", r.name, len(r.latencies),
				r.elapsed.Seconds(), r.rate(), ms(r.pct(.50)), ms(r.pct(.99)))
		}
		b.Logf("LMTP/pipe: %.1fx deliveries/s, p50 %.2fx, p99 %.2fx; server peak RSS %.1f MB",
			lmtp.rate()/pipe.rate(), ms(lmtp.pct(.5))/ms(pipe.pct(.5)), ms(lmtp.pct(.99))/ms(pipe.pct(.99)), float64(rss)/(1<<20))
		b.ReportMetric(lmtp.rate()/pipe.rate(), "lmtp/pipe-rate")
		b.ReportMetric(lmtp.rate(), "lmtp-deliveries/s")
		b.ReportMetric(pipe.rate(), "pipe-deliveries/s")
		b.ReportMetric(ms(lmtp.pct(.99)), "lmtp-p99-ms")
		b.ReportMetric(ms(pipe.pct(.99)), "pipe-p99-ms")
		b.ReportMetric(float64(rss)/(1<<20), "server-peak-rss-MB")
		b.ReportMetric(0, "ns/op")
	}
}

// benchCmd is the binary with --db db, as nobody when we are root.
func benchCmd(bin, db string, stdin []byte, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
	cmd.Env = append(os.Environ(), "SMARTBCC_DB=")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		cmd.Dir = "/"
	}
	return cmd
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchPipe delivers every message with its own `smartbcc ingest`, 32 at
// a time.
func benchPipe(b *testing.B, bin, db, zone string, msgs [][]byte) benchRun {
	args := []string{"--dns-zone", zone, "--json", "ingest", "--recipient", "acme@bcc.acme.example", "--sender", "ann@acme.example",
		"--client-ip", "192.0.2.10", "--helo", "mail.acme.example"}
	run := benchRun{name: "pipe", latencies: make([]time.Duration, len(msgs))}
	var next, retries atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchConcurrency)
	start := time.Now()
	for range benchConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) {
					return
				}
				// A 75 (store busy past its timeout) is tried again at once,
				// as Postfix would later, until the message is stored (on a
				// loaded machine five tries were not always enough); the
				// latency counts every try.
				t0 := time.Now()
				var out []byte
				var err error
				for try := 0; try < 100; try++ {
					var stderr bytes.Buffer
					cmd := benchCmd(bin, db, msgs[i], args...)
					cmd.Stderr = &stderr
					out, err = cmd.Output()
					if cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 75 {
						retries.Add(1)
						err = fmt.Errorf("exit 75: %s", stderr.String())
						continue
					}
					break
				}
				el := time.Since(t0)
				if err == nil && !strings.Contains(string(out), `"status":"stored"`) {
					err = fmt.Errorf("not stored: %s", out)
				}
				if err != nil {
					errs <- fmt.Errorf("pipe delivery %d: %v", i, err)
					return
				}
				run.latencies[i] = el
			}
		}()
	}
	wg.Wait()
	run.elapsed = time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	checkBenchStore(b, db, len(msgs))
	if r := retries.Load(); r > 0 {
		b.Logf("pipe: %d deliveries exited 75 (store busy) and were tried again", r)
	}
	return run
}

// benchLMTP delivers every message over 32 LMTP sessions to one server and
// returns the run and the server's peak RSS.
func benchLMTP(b *testing.B, bin, db, zone, dir string, msgs [][]byte) (benchRun, int64) {
	sock := filepath.Join(dir, "lmtp.sock")
	cmd := benchCmd(bin, db, nil, "--dns-zone", zone, "serve", "--lmtp", "unix:"+sock, "--socket-mode", "0666")
	if prof := os.Getenv("SMARTBCC_BENCH_SERVE_CPUPROFILE"); prof != "" {
		cmd.Env = append(cmd.Env, "SMARTBCC_CPUPROFILE="+prof)
	}
	if t := os.Getenv("SMARTBCC_BENCH_SERVE_SQL_TIMINGS"); t != "" {
		cmd.Env = append(cmd.Env, "SMARTBCC_SQL_TIMINGS="+t)
	}
	var log lockedBuffer
	cmd.Stderr = &log
	must(b, cmd.Start())
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(log.String(), "listening on") {
		if time.Now().After(deadline) {
			b.Fatalf("serve does not start:\n%s", log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	run := benchRun{name: "lmtp", latencies: make([]time.Duration, len(msgs))}
	serverUser0, serverSys0 := procCPU(cmd.Process.Pid)
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchConcurrency)
	start := time.Now()
	for range benchConcurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("unix", sock)
			if err != nil {
				errs <- err
				return
			}
			c := smtp.NewClientLMTP(conn)
			defer c.Close()
			if err := c.Hello("mx.acme.example"); err != nil {
				errs <- err
				return
			}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(msgs) {
					return
				}
				t0 := time.Now()
				err := lmtpSend(c, "ann@acme.example", "acme@bcc.acme.example", msgs[i])
				if err != nil {
					errs <- fmt.Errorf("lmtp delivery %d: %v", i, err)
					return
				}
				run.latencies[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	run.elapsed = time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("%v\n%s", err, log.String())
	}
	rss := peakRSS(cmd.Process.Pid)
	// CPU per delivery, which the other work on the machine does not
	// change as it changes wall time: the server's, and this process's
	// (the 32 clients).
	serverUser, serverSys := procCPU(cmd.Process.Pid)
	serverUser, serverSys = serverUser-serverUser0, serverSys-serverSys0
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	clientCPU := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	per := func(d time.Duration) float64 { return ms(d) / float64(len(msgs)) }
	b.Logf("lmtp CPU per delivery: server %.2f ms (user %.2f, system %.2f), clients %.2f ms (load average %s)",
		per(serverUser+serverSys), per(serverUser), per(serverSys), per(clientCPU), loadAverage())
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	stopped = true
	checkBenchStore(b, db, len(msgs))
	return run, rss
}

func lmtpSend(c *smtp.Client, from, rcpt string, raw []byte) error {
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	resp, err := w.CloseWithLMTPResponse()
	if err != nil {
		return err
	}
	if r := resp[rcpt]; r == nil || !strings.Contains(r.StatusText, "Ok") {
		return fmt.Errorf("reply %+v", r)
	}
	return nil
}

// procCPU is the user and system CPU time a running process used so far.
func procCPU(pid int) (user, sys time.Duration) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut) * time.Second / 100, time.Duration(st) * time.Second / 100 // USER_HZ
}

func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// peakRSS is VmHWM of a running process, in bytes.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// checkBenchStore: equal work, every message stored, DKIM and SPF passed.
func checkBenchStore(b *testing.B, db string, n int) {
	h, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	must(b, err)
	defer h.Close()
	var total, authed int
	must(b, h.QueryRow(`SELECT count(*), count(*) FILTER (WHERE auth_dkim = 'pass' AND auth_spf = 'pass') FROM messages`).Scan(&total, &authed))
	if total != n || authed != n {
		b.Fatalf("%s: %d messages, %d with DKIM and SPF pass; want %d", db, total, authed, n)
	}
}
