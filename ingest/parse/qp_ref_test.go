package parse

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"mime/quotedprintable"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
)

// refQPDecode is how decodeQP decoded before qpDecode: the standard
// library's reader over a pooled 4 KB bufio.Reader, read to its end. It
// is the reference qpDecode must match byte for byte, and the baseline
// of BenchmarkDecodeQP.
func refQPDecode(src []byte) ([]byte, bool) {
	var buf bytes.Buffer
	buf.Grow(len(src) + bytes.MinRead)
	br := getBufReader(bytes.NewReader(src))
	_, err := buf.ReadFrom(quotedprintable.NewReader(br))
	putBufReader(br)
	if err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// checkQPDecode: qpDecode(src) is refQPDecode(src), decodeQP(src) is
// refDecodeQP(src), and so is qpDecodeClean(src) where it decodes.
func checkQPDecode(t testing.TB, src []byte) {
	t.Helper()
	got, ok := qpDecode(src)
	want, wantOK := refQPDecode(src)
	if ok != wantOK || !bytes.Equal(got, want) {
		t.Fatalf("qpDecode(%.300q) = %.300q, %v; the standard library's reader: %.300q, %v", src, got, ok, want, wantOK)
	}
	got, ok = decodeQP(src)
	want, wantOK = refDecodeQP(src)
	if ok != wantOK || !bytes.Equal(got, want) {
		t.Fatalf("decodeQP(%.300q) = %.300q, %v; before: %.300q, %v", src, got, ok, want, wantOK)
	}
	// The one-pass path alone: where it decodes, it decodes as before.
	if got, ok = qpDecodeClean(src); ok && (!wantOK || !bytes.Equal(got, want)) {
		t.Fatalf("qpDecodeClean(%.300q) = %.300q; before: %.300q, %v", src, got, want, wantOK)
	}
}

// qpCleanPieces make clean random inputs, which qpDecodeClean decodes
// itself, but for lone CR and "=" before them and broken soft breaks and
// escapes, which it must leave to the scan.
var qpCleanPieces = []string{
	"a", "Hello", " ", "\t", "=41", "=c3=a9", "=C3=A9", "=3D", "=\r\n", "=\n", "\r\n", "\n", "  \r\n", "\t\n",
	"~", "=", "=4", "\r", "= \r\n", "=\r", "\r\r\n",
}

// qpPieces make the random inputs of TestQPDecodeSameAsRef: escapes in
// both cases, broken escapes, soft breaks with and without white space,
// lone CR and LF, white space before line breaks, controls, DEL, high
// bytes.
var qpPieces = []string{
	"a", "Hello", " ", "\t", "=", "==", "=4", "=41", "=c3=a9", "=C3=A9", "=ZZ", "=\r\n", "=\n", "= \r\n", "=\t\n",
	"= x\n", "=\r", "\r\n", "\n", "\r", "\r\r\n", "  \r\n", "\t\n", "\x00", "\x1b", "\x7f", "\x80", "\xe9", "~", "=3D",
}

// TestQPDecodeSameAsRef: qpDecode decodes as the standard library's
// reader did, or fails where it failed, on the decodeQP cases, lines
// around the reader's 4 KB buffer, random quoted-printable, the corpus
// messages (the bodies of their quoted-printable parts and the whole
// files) and the reference corpus when SMARTBCC_BENCH_MBOX names it.
func TestQPDecodeSameAsRef(t *testing.T) {
	for _, c := range qpCases {
		checkQPDecode(t, []byte(c.body))
	}
	for _, n := range []int{qpMaxLine - 2, qpMaxLine - 1, qpMaxLine, qpBufSize - 3, qpBufSize - 2, qpBufSize - 1, qpBufSize, qpBufSize + 1} {
		line := strings.Repeat("x", n)
		for _, s := range []string{line, line + "\n", line + "\r\n", line + "=", line + "=\n", line + "  \n",
			"a\n" + line, "a\n" + line + "\nb", line[:n/2] + "\r" + line[n/2:] + "\n", line + "=41"} {
			checkQPDecode(t, []byte(s))
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 200000 {
		var b strings.Builder
		for n := r.IntN(30); n >= 0; n-- {
			b.WriteString(qpPieces[r.IntN(len(qpPieces))])
		}
		checkQPDecode(t, []byte(b.String()))
	}
	onePass := 0
	for range 20000 {
		var b strings.Builder
		for n := r.IntN(30); n >= 0; n-- {
			p := qpCleanPieces[r.IntN(len(qpCleanPieces))]
			if r.IntN(10) == 0 {
				p = strings.Repeat(p, r.IntN(300))
			}
			b.WriteString(p)
		}
		checkQPDecode(t, []byte(b.String()))
		if _, ok := qpDecodeClean([]byte(b.String())); ok {
			onePass++
		}
	}
	if onePass < 1000 {
		t.Errorf("qpDecodeClean decoded only %d of the clean random inputs", onePass)
	}
	decoded := 0
	onePass = 0
	check := func(name string, raw []byte) {
		checkQPDecode(t, raw)
		for _, body := range qpBodies(raw) {
			checkQPDecode(t, body)
			if _, ok := decodeQP(body); ok {
				decoded++
			}
			if _, ok := qpDecodeClean(body); ok {
				onePass++
			}
		}
	}
	if msgs, _ := benchMessages(); len(msgs) > 0 {
		for i, m := range msgs {
			check(fmt.Sprintf("bench #%d", i+1), m)
		}
	}
	eachCorpusFile(archivetest.CorporaDir(t), check)
	if decoded < 100 {
		t.Errorf("decodeQP decoded only %d quoted-printable bodies of the corpora", decoded)
	}
	if onePass < 100 {
		t.Errorf("qpDecodeClean decoded only %d quoted-printable bodies of the corpora", onePass)
	}
}

// refDecodeQP is decodeQP as it was, with the standard library's reader.
func refDecodeQP(body []byte) (out []byte, ok bool) {
	clean := true
	line := 0
	for i, c := range body {
		switch {
		case c == '\r' || c == '\n':
			line = 0
			continue
		case c == '=':
			if i >= len(body)-2 {
				return nil, false
			}
			if !qpEscapeFollows(body[i+1:]) {
				clean = false
				line += 3
			} else {
				line++
			}
		case c == '\t':
			line++
		case c < ' ' || c > '~':
			clean = false
			line += 3
		default:
			line++
		}
		if line >= qpMaxLine {
			return nil, false
		}
	}
	src := body
	if !clean {
		src = make([]byte, 0, len(body)+len(body)/4)
		for i, c := range body {
			switch {
			case c == '=' && !qpEscapeFollows(body[i+1:]):
				src = append(src, "=3D"...)
			case c == '\t' || c == '\r' || c == '\n' || c == '=':
				src = append(src, c)
			case c < ' ' || c > '~':
				src = append(src, '=', upperHex[c>>4], upperHex[c&15])
			default:
				src = append(src, c)
			}
		}
	}
	var buf bytes.Buffer
	buf.Grow(len(src) + bytes.MinRead)
	// The reader wraps what it reads in a bufio.Reader unless it is one:
	// a pooled one (see bufReaders), read to its end before it goes back.
	br := getBufReader(bytes.NewReader(src))
	_, err := buf.ReadFrom(quotedprintable.NewReader(br))
	putBufReader(br)
	if err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// qpBodies are the bodies of the quoted-printable parts of raw: what
// follows each header that declares the encoding, up to the next
// boundary-like line.
func qpBodies(raw []byte) [][]byte {
	var out [][]byte
	for rest := raw; ; {
		i := bytes.Index(bytes.ToLower(rest), []byte("content-transfer-encoding: quoted-printable"))
		if i < 0 {
			return out
		}
		rest = rest[i:]
		j := bytes.Index(rest, []byte("\n\n"))
		if k := bytes.Index(rest, []byte("\r\n\r\n")); k >= 0 && (j < 0 || k < j) {
			j = k + 2
		}
		if j < 0 {
			return out
		}
		rest = rest[j+2:]
		body := rest
		if k := bytes.Index(body, []byte("\n--")); k >= 0 {
			body = body[:k+1]
		}
		out = append(out, body)
	}
}

func FuzzQPDecodeSameAsRef(f *testing.F) {
	for _, c := range qpCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, src []byte) { checkQPDecode(t, src) })
}

// BenchmarkDecodeQP decodes the quoted-printable bodies of the reference
// corpus (SMARTBCC_BENCH_MBOX) with decodeQP, with its scan and qpDecode
// alone (scan: no one-pass path), and with the standard library's reader
// as before (ref).
func BenchmarkDecodeQP(b *testing.B) {
	msgs, _ := corpus(b)
	var bodies [][]byte
	var size int64
	for _, m := range msgs {
		for _, body := range qpBodies(m) {
			bodies = append(bodies, body)
			size += int64(len(body))
		}
	}
	for _, bm := range []struct {
		name string
		fn   func([]byte) ([]byte, bool)
	}{{"ref", refDecodeQP}, {"scan", qpScanDecode}, {"new", decodeQP}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, body := range bodies {
					bm.fn(body)
				}
			}
		})
	}
}
