//go:build linux

package main

// Issue 11.3: whatever the input, a pipe delivery ends by itself before
// Postfix's time limit, with 75 when it could not finish: Postfix kills a
// pipe at its limit and then bounces the mail, to a forged sender too.

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileParts is a message of ann's with n MIME parts (about 100 bytes
// each: 200,000 make 20 MB).
func hostileParts(w *world, id string, n int) []byte {
	var b strings.Builder
	b.WriteString("--p\r\nContent-Type: text/plain\r\n\r\nMany files.\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "--p\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"f%d.txt\"\r\n\r\npart %d\r\n", i, i)
	}
	b.WriteString("--p--\r\n")
	return w.sign(w.annMail(id, "parts", b.String(), `Content-Type: multipart/mixed; boundary="p"`))
}

// openNested is a message of ann's nested depth levels deep without any
// close delimiter (enmime's reader doubles its time with each level).
func openNested(w *world, id string, depth int) []byte {
	var b strings.Builder
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--n%d\r\nContent-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--n%d\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n", depth-1)
	return w.sign(w.annMail(id, "nested", b.String(), `Content-Type: multipart/mixed; boundary="n0"`))
}

// TestPipeDeadline: with --timeout 2s a delivery of hostile input exits
// within 3 s, with 75 when a stage could not finish (a locked store
// waited on inside SQLite, a DNS server that never answers), and with a
// recorded outcome when the input itself is the only problem.
func TestPipeDeadline(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB deliveries: not in -short")
	}
	w := newWorld(t)
	w.setup()
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, _, err := silent.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	big := hostileParts(w, "deadline-parts@acme.example", 200000)
	t.Logf("hostile message: %d bytes", len(big))
	pipe := func(extra ...string) []string {
		return append([]string{"--busy-timeout", "60s", "--json", "ingest", "--timeout", "2s", "--recipient", universal,
			"--sender", "ann@acme.example", "--client-ip", goodIP, "--helo", "mail.acme.example"}, extra...)
	}
	check := func(name string, raw []byte, args []string, want int) {
		t.Helper()
		p := w.mustRun(raw, args...)
		t.Logf("%s: exit %d after %s, stderr %q", name, p.code, p.elapsed.Round(time.Millisecond), p.err)
		if p.elapsed > 3*time.Second {
			t.Errorf("%s: took %s with --timeout 2s, want under 3 s", name, p.elapsed.Round(time.Millisecond))
		}
		if p.code != want {
			t.Errorf("%s: exit %d, want %d", name, p.code, want)
		}
		if want == 75 {
			wantTempFail(t, p, name)
		}
	}

	// The DNS server never answers: authentication cannot be decided.
	check("20 MB of 200,000 parts, silent DNS server", big, append([]string{"--dns-server", silent.LocalAddr().String()}, pipe()...), 75)

	// The store is locked by another process for longer than --timeout,
	// and smartbcc would wait a minute for it (--busy-timeout).
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
	check("20 MB of 200,000 parts, store locked", big, append([]string{"--dns-zone", w.zone}, pipe()...), 75)
	if _, err := conn.ExecContext(ctx, `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	nothingWritten(t, w.db)

	// Nothing else in the way: the input alone must not take the time.
	check("20 MB of 200,000 parts, nothing in the way", big, append([]string{"--dns-zone", w.zone}, pipe()...), 0)
	check("40 open levels", openNested(w, "deadline-nested@acme.example", 40), append([]string{"--dns-zone", w.zone}, pipe()...), 0)
}

// BenchmarkPipeHostileRSS reports the peak resident memory (maxRSS-MB) of
// one pipe delivery of each hostile 25 MB shape, DKIM and SPF checked,
// the message stored: issue 11.3 wants each under 150 MB (Postfix runs
// ten at once). Memory, not time: run it once.
//
//	go test -run '^$' -bench PipeHostileRSS -benchtime 1x ./cmd/smartbcc
func BenchmarkPipeHostileRSS(b *testing.B) {
	w := benchWorld(b)
	self, err := os.Executable()
	must(b, err)
	const size = 25 << 20
	padded := func(n int) []byte {
		// n parts padded to size bytes in all.
		var sb strings.Builder
		pad := strings.Repeat("x", max(0, size/n-110))
		sb.WriteString("--p\r\nContent-Type: text/plain\r\n\r\nMany files.\r\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&sb, "--p\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f%d\"\r\n\r\n%s\r\n", i, pad)
		}
		sb.WriteString("--p--\r\n")
		return []byte(sb.String())
	}
	nest := func(depth int, closed bool) []byte {
		var sb strings.Builder
		for i := 1; i < depth; i++ {
			fmt.Fprintf(&sb, "--n%d\r\nContent-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n", i-1, i)
		}
		fmt.Fprintf(&sb, "--n%d\r\nContent-Type: text/plain\r\n\r\n%s\r\n", depth-1, strings.Repeat("bottom line\r\n", (size-sb.Len())/13))
		if closed {
			for i := depth - 1; i >= 0; i-- {
				fmt.Fprintf(&sb, "--n%d--\r\n", i)
			}
		}
		return []byte(sb.String())
	}
	shapes := []struct {
		name, ctype string
		body        []byte
	}{
		{"200000-parts", `multipart/mixed; boundary="p"`, padded(200000)},
		{"1000-parts", `multipart/mixed; boundary="p"`, padded(1000)},
		{"empty-parts", `multipart/mixed; boundary="p"`, []byte(strings.Repeat("--p\r\n", size/5) + "--p--\r\n")},
		{"nested-closed", `multipart/mixed; boundary="n0"`, nest(100000, true)},
		{"nested-open", `multipart/mixed; boundary="n0"`, nest(100000, false)},
		{"one-text-part", "text/plain; charset=utf-8", []byte(strings.Repeat("All work and no play makes a dull quote.\r\n", size/42))},
	}
	rss := map[string]float64{}
	for b.Loop() {
		for i, s := range shapes {
			raw := w.sign(w.annMail(fmt.Sprintf("rss%d-%d@acme.example", i, b.N), s.name, string(s.body), "Content-Type: "+s.ctype))
			file := filepath.Join(b.TempDir(), "rss")
			p, err := runCommand(self, []string{w.bin, "--db", w.db}, []string{"SMARTBCC_TEST_RSS_FILE=" + file}, 5*time.Minute, raw,
				append(w.pipeArgs(universal, goodIP), "--max-size", fmt.Sprint(32<<20))...)
			must(b, err)
			if p.code != 0 {
				b.Fatalf("%s: exit %d %q", s.name, p.code, p.err)
			}
			var maxRSS int64
			fmt.Sscan(string(mustRead(b, file)), &maxRSS)
			rss[s.name] = float64(maxRSS) / 1e6
			b.Logf("%s: %d bytes, exit %d in %s, max RSS %.0f MB, %.120s", s.name, len(raw), p.code, p.elapsed.Round(time.Millisecond), rss[s.name], p.out)
		}
	}
	for name, mb := range rss {
		b.ReportMetric(mb, "maxRSS-MB-"+name)
	}
	b.ReportMetric(0, "ns/op")
}
