package mailfile

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	gombox "github.com/emersion/go-mbox"
)

var benchMbox = sync.OnceValue(func() []byte {
	// ~50 MB of mail shaped like a sales archive: mostly 2–20 KB messages,
	// some 200 KB to 2 MB ones (attachments as base64 lines).
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.Grow(52 << 20)
	text := strings.Repeat("Thanks for the call today, here are the figures we talked about. ", 3)
	b64 := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwYWJjZGVmZ2hpamts", 2)[:76]
	for i := 0; b.Len() < 50<<20; i++ {
		fmt.Fprintf(&b, "From sales%d@example.com Mon Jan  1 00:00:00 2024\n", i%50)
		fmt.Fprintf(&b, "Return-Path: <sales@example.com>\nReceived: from mx.example.com by bcc.example.com\nFrom: Sales <sales@example.com>\nTo: customer%d@example.org\nSubject: Offer %d\nMessage-ID: <%d@example.com>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\n", i, i, i)
		lines, line := 30+rng.IntN(250), text[:40+rng.IntN(len(text)-40)]
		if rng.IntN(20) == 0 {
			lines, line = 3000+rng.IntN(25000), b64
		}
		for range lines {
			b.WriteString(line)
			b.WriteByte('\n')
		}
		if rng.IntN(10) == 0 {
			b.WriteString(">From the quoted line\n")
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
})

// BenchmarkSplit is our splitter on the ~50 MB mbox.
func BenchmarkSplit(b *testing.B) {
	data := benchMbox()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := newMboxReader(bytes.NewReader(data), "bench", quoteMboxrd, DefaultMaxSize, readBufSize)
		n := 0
		for {
			item, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || item.Err != nil {
				b.Fatal(err, item.Err)
			}
			n++
		}
		if n == 0 {
			b.Fatal("no messages")
		}
	}
}

// BenchmarkGoMboxSplit is the baseline: go-mbox on the same input, each
// message read into memory as ours are.
func BenchmarkGoMboxSplit(b *testing.B) {
	data := benchMbox()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := gombox.NewReader(bytes.NewReader(data))
		n := 0
		for {
			m, err := r.NextMessage()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadAll(m); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n == 0 {
			b.Fatal("no messages")
		}
	}
}

// BenchmarkMboxWriter writes the benchmark messages back as mboxrd.
func BenchmarkMboxWriter(b *testing.B) {
	var msgs [][]byte
	r := newMboxReader(bytes.NewReader(benchMbox()), "bench", quoteMboxrd, DefaultMaxSize, readBufSize)
	var total int64
	for {
		item, err := r.Next()
		if err != nil {
			break
		}
		msgs = append(msgs, item.Raw)
		total += item.Size
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		w := NewMboxWriter(io.Discard)
		for _, m := range msgs {
			if err := w.Write("s@x", benchDate, m); err != nil {
				b.Fatal(err)
			}
		}
	}
}

var benchDate time.Time
