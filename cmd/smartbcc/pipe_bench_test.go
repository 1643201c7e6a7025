//go:build linux

package main

// The latency of one Postfix pipe(8) delivery, measured as Postfix sees it:
// a whole `smartbcc ingest` process per message (start, open the store,
// parse, DKIM and SPF against a zone file, commit with synchronous=FULL,
// exit). Run by .ci/bench-import; not a test, nothing asserts a speed.
//
//	go test -run '^$' -bench Pipe ./cmd/smartbcc
//
// With SMARTBCC_BENCH_PIPE_DIR set, BenchmarkPipeDelivery also leaves
// there a store, the zone file, pipeFiles distinct signed messages
// (msg-1.eml ...) and the command line (args), for hyperfine.

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const pipeFiles = 200

// pipeMessage is a DKIM-signed message of about size bytes from ann.
func pipeMessage(w *world, id string, size int) []byte {
	line := "Thanks for the call today; the quote for the 200 widgets is attached below, with the delivery dates we discussed.\n"
	body := strings.Repeat(line, size/len(line)+1)[:size]
	return w.sign(w.annMail(id, "Quote for 200 widgets", body))
}

func reportLatency(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPipeDelivery delivers a 30 KB signed message per iteration, as
// Postfix would: DKIM and SPF checked against the zone file, the result
// stored.
func BenchmarkPipeDelivery(b *testing.B) {
	w := benchWorld(b)
	args := w.pipeArgs(universal, goodIP)
	if dir := os.Getenv("SMARTBCC_BENCH_PIPE_DIR"); dir != "" {
		for i := 1; i <= pipeFiles; i++ {
			raw := pipeMessage(w, fmt.Sprintf("hyperfine%d@acme.example", i), 30<<10)
			must(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("msg-%d.eml", i)), raw, 0o644))
		}
		must(b, os.WriteFile(filepath.Join(dir, "zone.txt"), mustRead(b, w.zone), 0o644))
		a := append([]string{"--db", filepath.Join(dir, "smartbcc.db")}, args...)
		a[slices.Index(a, w.zone)] = filepath.Join(dir, "zone.txt")
		must(b, os.WriteFile(filepath.Join(dir, "args"), []byte(strings.Join(a, " ")+"\n"), 0o644))
		for _, suffix := range []string{"", "-wal"} {
			if _, err := os.Stat(w.db + suffix); err == nil {
				must(b, copyFile(w.db+suffix, filepath.Join(dir, "smartbcc.db"+suffix)))
			}
		}
	}
	var times []time.Duration
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		raw := pipeMessage(w, fmt.Sprintf("bench%d@acme.example", i), 30<<10)
		b.StartTimer()
		p, err := w.run(raw, args...)
		if err != nil {
			b.Fatal(err)
		}
		if p.code != 0 || !strings.Contains(p.out, `"status":"stored"`) || !strings.Contains(p.out, `"dkim":"pass"`) {
			b.Fatalf("delivery: exit %d, out %q, err %q", p.code, p.out, p.err)
		}
		times = append(times, p.elapsed)
	}
	reportLatency(b, times)
}

// BenchmarkPipeDeliveryStartOnly is the baseline: the same process
// started for `--help`, which opens nothing. The difference is the
// delivery's own work.
func BenchmarkPipeDeliveryStartOnly(b *testing.B) {
	bin := binary(b)
	var times []time.Duration
	for b.Loop() {
		p, err := runCommand(bin, nil, nil, time.Minute, nil, "--help")
		if err != nil || p.code != 0 {
			b.Fatal(err, p.code)
		}
		times = append(times, p.elapsed)
	}
	reportLatency(b, times)
}

// benchWorld is newWorld and setup for a benchmark: a store with the
// company and ann, a zone file with acme.example's DKIM key, SPF and DMARC.
// Only the world's methods that need no *testing.T are used on it.
func benchWorld(b *testing.B) *world {
	w := &world{bin: binary(b), dir: b.TempDir()}
	w.db = filepath.Join(w.dir, "smartbcc.db")
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	must(b, err)
	w.priv = priv
	w.zone = filepath.Join(w.dir, "zone.txt")
	zone := fmt.Sprintf(`$ORIGIN acme.example.
@               300 IN TXT "v=spf1 ip4:192.0.2.10 -all"
_dmarc          300 IN TXT "v=DMARC1; p=reject"
sel._domainkey  300 IN TXT "v=DKIM1; k=ed25519; p=%s"
`, base64.StdEncoding.EncodeToString(pub))
	must(b, os.WriteFile(w.zone, []byte(zone), 0o644))
	for _, args := range [][]string{
		{"init", "--company", "Acme", "--domain", "bcc.acme.example"},
		{"user", "add", "ann@acme.example", "--name", "Ann Seller"},
	} {
		p, err := runBinary(w.bin, w.db, time.Minute, nil, args...)
		if err != nil || p.code != 0 {
			b.Fatalf("smartbcc %s: %v %d %s", strings.Join(args, " "), err, p.code, p.err)
		}
	}
	return w
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func mustRead(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}
