package parse

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"
)

// TestParseDateAsPython checks each line of testdata/dates.txt: the date
// Python's email.utils gives for the same Date header.
func TestParseDateAsPython(t *testing.T) {
	f, err := os.Open("testdata/dates.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		in, want, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		got, ok := ParseDate(in)
		g := "none"
		if ok {
			g = got.Format(time.RFC3339)
		}
		if g != want {
			t.Errorf("ParseDate(%q) = %s, want %s (Python)", in, g, want)
		}
	}
}
