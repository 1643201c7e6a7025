package parse

import (
	"bytes"
	"sync"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"github.com/smartbcc/smartbcc/ingest/mailfile/benchcorpus"
)

// benchMessages is a slice of the reference corpus (see .ci/bench-import):
// the first SMARTBCC_BENCH_N (default 2000) messages of the mbox named by
// SMARTBCC_BENCH_MBOX. Without it the benchmarks are skipped.
var benchMessages = sync.OnceValues(func() ([][]byte, error) {
	items, err := benchcorpus.Items()
	var msgs [][]byte
	for _, it := range items {
		if it.Err == nil {
			msgs = append(msgs, it.Raw)
		}
	}
	return msgs, err
})

func corpus(b *testing.B) ([][]byte, int64) {
	b.Helper()
	msgs, err := benchMessages()
	if err != nil {
		b.Fatal(err)
	}
	if len(msgs) == 0 {
		b.Skip("set SMARTBCC_BENCH_MBOX to an mbox (see .ci/bench-import)")
	}
	var total int64
	for _, m := range msgs {
		total += int64(len(m))
	}
	return msgs, total
}

func benchEach(b *testing.B, fn func(raw []byte) error) {
	msgs, total := corpus(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range msgs {
			if err := fn(m); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(msgs))*float64(b.N)/b.Elapsed().Seconds(), "msg/s")
}

// BenchmarkParse is our Parse on the corpus slice.
func BenchmarkParse(b *testing.B) {
	benchEach(b, func(raw []byte) error {
		_, err := Parse(raw, DefaultLimits)
		return err
	})
}

// BenchmarkParseMeta is the parse of an import: ParseHeader, then
// ParseBodyMeta (attachments hashed, not kept).
func BenchmarkParseMeta(b *testing.B) {
	benchEach(b, func(raw []byte) error {
		m, err := ParseHeader(raw)
		if err == nil {
			m.ParseBodyMeta(raw, DefaultLimits)
		}
		return err
	})
}

// BenchmarkParseEnmimeDefault is the baseline: enmime's ReadEnvelope with
// its default options (character detection, HTML to text).
func BenchmarkParseEnmimeDefault(b *testing.B) {
	benchEach(b, func(raw []byte) error {
		_, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		return err
	})
}

// BenchmarkParseEnmimeNoDetect is enmime's ReadEnvelope with character
// detection off, as Parse used it before it was reworked.
func BenchmarkParseEnmimeNoDetect(b *testing.B) {
	p := enmime.NewParser(enmime.DisableCharacterDetection(true), enmime.MaxStoredPartErrors(20))
	benchEach(b, func(raw []byte) error {
		_, err := p.ReadEnvelope(bytes.NewReader(raw))
		return err
	})
}
