package ingest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRejectionReasonsListed: every reason word this package refuses mail
// with is in RejectionReasons, so that rejected --reason takes it. The
// refusals are found in the source: refuse(StatusRejected, "word", ...),
// a Disposition of StatusRejected with its Reason, and noise's words.
func TestRejectionReasonsListed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`refuse\(StatusRejected, "([a-z_]+)"`),
		regexp.MustCompile(`Status: StatusRejected, Reason: "([a-z_]+)"`),
	}
	noiseWord := regexp.MustCompile(`return "([a-z_]+)", `)
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ps := patterns
		if f == "noise.go" {
			ps = append(ps, noiseWord)
		}
		for _, re := range ps {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				found++
				if !slices.Contains(RejectionReasons, m[1]) {
					t.Errorf("%s refuses mail as %q, which RejectionReasons leaves out", f, m[1])
				}
			}
		}
	}
	if found < 20 {
		t.Errorf("found %d refusals in the source: the patterns no longer match it", found)
	}
}
