package parse

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
)

// refReadFields is ReadFields as it was, adding each continuation line
// to the value string: the reference of TestReadFieldsSameAsRef.
func refReadFields(raw []byte) (fs Fields, body int) {
	pos := 0
	if bytes.HasPrefix(raw, bom) {
		pos = len(bom)
	}
	for pos < len(raw) {
		end := len(raw)
		next := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		line, start := raw[pos:end], pos
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		pos = next
		if len(line) == 0 {
			return fs, pos
		}
		if (line[0] == ' ' || line[0] == '\t') && len(fs) > 0 {
			// Folding: the line break goes, the white space stays.
			fs[len(fs)-1].Value += string(line)
			continue
		}
		f := newField(line)
		f.Offset = start
		fs = append(fs, f)
	}
	return fs, len(raw)
}

func checkReadFields(t *testing.T, name string, raw []byte) {
	t.Helper()
	fs, body := ReadFields(raw)
	wantFs, wantBody := refReadFields(raw)
	if body != wantBody || !reflect.DeepEqual(fs, wantFs) {
		t.Fatalf("%s: ReadFields(%.300q) = %+v, %d; before: %+v, %d", name, raw, fs, body, wantFs, wantBody)
	}
}

// TestReadFieldsSameAsRef: ReadFields reads what it read before it put
// folded values together in a buffer, on random headers of fields,
// continuation lines (first, after a broken line, several in a row),
// CR and LF line ends, a byte order mark and empty lines; on every corpus
// file; and on the reference corpus when SMARTBCC_BENCH_MBOX names it.
func TestReadFieldsSameAsRef(t *testing.T) {
	pieces := []string{"From: a@b.example", "Subject: x", "X-A:", "Bad line", "No colon here", " cont", "\tcont tab",
		"  ", " ", "\r\n", "\n", "\r", ":", " : ", "Name : v", "\xef\xbb\xbf", "", "body"}
	r := rand.New(rand.NewPCG(7, 8))
	for i := range 50000 {
		var b strings.Builder
		for n := r.IntN(20); n >= 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
			if r.IntN(3) > 0 {
				b.WriteString([]string{"\r\n", "\n"}[r.IntN(2)])
			}
		}
		checkReadFields(t, fmt.Sprintf("random #%d", i), []byte(b.String()))
	}
	if msgs, _ := benchMessages(); len(msgs) > 0 {
		for i, m := range msgs {
			checkReadFields(t, fmt.Sprintf("bench #%d", i+1), m)
		}
	}
	eachCorpusFile(archivetest.CorporaDir(t), func(name string, raw []byte) { checkReadFields(t, name, raw) })
}

// TestFoldedFieldIsLinear: a field folded over many lines costs a few
// allocations, not one per line, each a copy of the value so far (40,000
// lines took ReadFields 10 s, and a message of a few megabytes could
// hold a parse worker for hours). Allocations, not time, so that the
// test is the same on any machine.
func TestFoldedFieldIsLinear(t *testing.T) {
	raw := []byte("From: a@b.example\r\nX-Long: a\r\n" + strings.Repeat(" folded\r\n", 10000) + "Subject: s\r\n\r\nbody\r\n")
	allocs := testing.AllocsPerRun(5, func() { ReadFields(raw) })
	if allocs > 100 {
		t.Errorf("ReadFields of a field folded over 10,000 lines: %v allocations", allocs)
	}
	fs, _ := ReadFields(raw)
	if want := " a" + strings.Repeat(" folded", 10000); len(fs) != 3 || fs[1].Value != want || fs[2].Name != "Subject" {
		t.Errorf("fields %d, X-Long %.40q (%d bytes, want %d)", len(fs), fs[1].Value, len(fs[1].Value), len(want))
	}
}
