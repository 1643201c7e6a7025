package auth

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
)

// refReadHeader is readHeader as it was, adding each continuation line
// to the value string: the reference of TestReadHeaderSameAsRef.
func refReadHeader(raw []byte) ([]field, error) {
	var fields []field
	rest := bytes.TrimPrefix(raw, byteOrderMark) // as parse.ReadFields
	for len(rest) > 0 {
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			line, rest = rest, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break // end of header
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(fields); n > 0 {
				fields[n-1].value += string(line)
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
			continue
		}
		fields = append(fields, field{name: string(name), value: string(value)})
	}
	if len(fields) == 0 {
		return nil, ErrNotMessage
	}
	return fields, nil
}

func checkReadHeader(t *testing.T, name string, raw []byte) {
	t.Helper()
	got, err := readHeader(raw)
	want, wantErr := refReadHeader(raw)
	if err != wantErr || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: readHeader(%.300q) = %+v, %v; before: %+v, %v", name, raw, got, err, want, wantErr)
	}
}

// TestReadHeaderSameAsRef: readHeader reads what it read before it put
// folded values together in a buffer, on random headers (continuation
// lines first, after skipped lines, several in a row, CR and LF line
// ends) and on every file of the shared corpora.
func TestReadHeaderSameAsRef(t *testing.T) {
	pieces := []string{"From: a@b.example", "Subject: x", "X-A:", "Bad line", "Bad name: v", " cont", "\tcont tab",
		"  ", " ", "\r\n", "\n", "\r", ":", "\xef\xbb\xbf", "", "body"}
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 50000 {
		var b strings.Builder
		for n := r.IntN(20); n >= 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
			if r.IntN(3) > 0 {
				b.WriteString([]string{"\r\n", "\n"}[r.IntN(2)])
			}
		}
		checkReadHeader(t, fmt.Sprintf("random #%d", i), []byte(b.String()))
	}
	n := 0
	err := filepath.WalkDir(archivetest.CorporaDir(t), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err == nil {
			n++
			checkReadHeader(t, path, raw)
		}
		return err
	})
	if err != nil || n < 100 {
		t.Fatalf("%d corpus files: %v", n, err)
	}
}

// TestFoldedFieldIsLinear: a field folded over many lines costs a few
// allocations, not one per line, each a copy of the value so far.
// Allocations, not time, so that the test is the same on any machine.
func TestFoldedFieldIsLinear(t *testing.T) {
	raw := []byte("From: a@b.example\r\nX-Long: a\r\n" + strings.Repeat(" folded\r\n", 10000) + "Subject: s\r\n\r\nbody\r\n")
	allocs := testing.AllocsPerRun(5, func() { readHeader(raw) })
	if allocs > 100 {
		t.Errorf("readHeader of a field folded over 10,000 lines: %v allocations", allocs)
	}
	fields, _ := readHeader(raw)
	if want := " a" + strings.Repeat(" folded", 10000); len(fields) != 3 || fields[1].value != want || fields[2].name != "Subject" {
		t.Errorf("fields %d, X-Long %.40q (%d bytes, want %d)", len(fields), fields[1].value, len(fields[1].value), len(want))
	}
}
