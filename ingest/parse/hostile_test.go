package parse

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Hostile shapes of issue 11.3: many parts (with and without a header of
// their own, which readTree and enmime treat differently), deep nesting,
// and nesting that does not close.

const hostileHeader = "From: Ann <ann@acme.example>\r\nSubject: hostile\r\nMessage-ID: <h@acme.example>\r\nMIME-Version: 1.0\r\n"

// manyParts is a multipart/mixed message of n parts; empty parts have no
// header at all ("--b" lines back to back).
func manyParts(n int, empty bool) []byte {
	var b strings.Builder
	b.WriteString(hostileHeader + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
	for i := 0; i < n; i++ {
		if empty {
			b.WriteString("--b\r\n")
		} else {
			fmt.Fprintf(&b, "--b\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", i)
		}
	}
	b.WriteString("--b--\r\n")
	return []byte(b.String())
}

// nested is a multipart message nested depth levels deep; closed says
// whether each level has its close delimiter.
func nested(depth int, closed bool) []byte {
	var b strings.Builder
	b.WriteString(hostileHeader + "Content-Type: multipart/mixed; boundary=\"n0\"\r\n\r\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--n%d\r\nContent-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--n%d\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n", depth-1)
	if closed {
		for i := depth - 1; i >= 0; i-- {
			fmt.Fprintf(&b, "--n%d--\r\n", i)
		}
	}
	return []byte(b.String())
}

type hostileShape struct {
	name string
	gen  func(n int) []byte
}

var hostileShapes = []hostileShape{
	{"parts", func(n int) []byte { return manyParts(n, false) }},
	{"empty-parts", func(n int) []byte { return manyParts(n, true) }},
	{"nesting", func(n int) []byte { return nested(n, true) }},
	{"open-nesting", func(n int) []byte { return nested(n, false) }},
}

// TestHostileStructureBounded: each shape at 25, 1001 and 80,000 parts or
// levels parses within a generous bound (80,000 took 37-38 s with enmime
// alone, and 25 unclosed levels 79 s) and keeps no more parts than the
// limit. Speed itself is measured by
// BenchmarkHostileLinear, not here.
func TestHostileStructureBounded(t *testing.T) {
	for _, s := range hostileShapes {
		for _, n := range []int{25, 1001, 80000} {
			t.Run(fmt.Sprintf("%s-%d", s.name, n), func(t *testing.T) { hostileBounded(t, s.gen(n)) })
		}
	}
}

func hostileBounded(t *testing.T, raw []byte) {
	{
		{
			start := time.Now()
			m, err := Parse(raw, DefaultLimits)
			el := time.Since(start)
			t.Logf("%d bytes in %s", len(raw), el)
			if err != nil {
				t.Fatal(err)
			}
			if el > 10*time.Second {
				t.Errorf("took %s", el)
			}
			if len(m.Attachments)+len(m.Attached) > DefaultLimits.MaxParts {
				t.Errorf("%d parts kept, limit %d", len(m.Attachments)+len(m.Attached), DefaultLimits.MaxParts)
			}
			if m.Subject != "hostile" {
				t.Errorf("subject %q", m.Subject)
			}
		}
	}
}

// BenchmarkHostileLinear parses each hostile shape at 1,000, 10,000 and
// 200,000 parts or levels, and reports the time per part of each size and
// the ratio of the largest to the smallest (ratio-200k/1k): parsing is
// linear when it stays under 2. ratio-200k/10k compares two sizes that are
// both beyond DefaultLimits (the scan past the limits alone). Run with
// -benchtime=1x; the ratios are taken within one run.
//
//	go test -run '^$' -bench HostileLinear -benchtime 1x ./ingest/parse
func BenchmarkHostileLinear(b *testing.B) {
	sizes := []int{1000, 10000, 200000}
	for _, s := range hostileShapes {
		b.Run(s.name, func(b *testing.B) {
			per := make([]float64, len(sizes))
			for b.Loop() {
				for i, n := range sizes {
					raw := s.gen(n)
					best := time.Duration(1 << 62)
					for range 3 {
						start := time.Now()
						if _, err := Parse(raw, DefaultLimits); err != nil {
							b.Fatal(err)
						}
						best = min(best, time.Since(start))
					}
					per[i] = float64(best.Nanoseconds()) / float64(n)
				}
			}
			for i, n := range sizes {
				b.ReportMetric(per[i], fmt.Sprintf("ns/part-%dk", n/1000))
			}
			b.ReportMetric(per[len(per)-1]/per[0], "ratio-200k/1k")
			// Both beyond DefaultLimits: the cost of scanning past the
			// limits alone, which must not grow with the input either.
			b.ReportMetric(per[len(per)-1]/per[1], "ratio-200k/10k")
			b.ReportMetric(0, "ns/op")
		})
	}
}
