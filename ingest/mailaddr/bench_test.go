package mailaddr

import (
	"os"
	"strings"
	"testing"
)

// benchValues are address fields as mail writes them; SMARTBCC_ADDR_VALUES
// names a file of more (one field value a line).
func benchValues(b *testing.B) []string {
	vals := []string{
		`Jennifer Thomas <charles.martinez283@corp.example.de>`,
		`Priya Thomas <betty.moore477@example.com>, Ahmed Jackson <hiroshi.harris359@example.org>, Robert Lopez <olga.novak67@mail.example.co.uk>`,
		`"Müller, Jürgen" <j.mueller@bücher.example>`,
		`=?utf-8?q?Ren=C3=A9e?= <renee@example.fr>, ann@acme.example`,
		`undisclosed-recipients:;`,
	}
	if path := os.Getenv("SMARTBCC_ADDR_VALUES"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		vals = strings.Split(string(data), "\n")
	}
	return vals
}

func BenchmarkParseList(b *testing.B) {
	vals := benchValues(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, v := range vals {
			ParseList(v)
		}
	}
}

var domainCases = []string{
	"acme.example", "ACME.Example", "mail.example.co.uk", "a", "a.b", "1.2.3.4", "a-b.c", "-a.b", "a-.b",
	"xn--bcher-kva.example", "XN--bcher-kva.example", "ab--c.example", "a--b.example", "xn--.example",
	"a..b", ".a", "a.", strings.Repeat("a", 63) + ".example", strings.Repeat("a", 64) + ".example",
	strings.Repeat("abcdefgh.", 28) + "a", strings.Repeat("abcdefgh.", 28) + "ab", "a_b.example", "bücher.example", "",
}

// FuzzCanonicalDomain: a name ldhName takes is canonicalised as IDNA
// does it, error or not.
func FuzzCanonicalDomain(f *testing.F) {
	for _, d := range domainCases {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ldhName(s) {
			return
		}
		want, err := idnaDomain(s)
		if err != nil {
			t.Fatalf("%q: ldhName takes a name IDNA refuses: %v", s, err)
		}
		if got, _ := canonicalDomain(s); got != want {
			t.Fatalf("%q: %q, IDNA %q", s, got, want)
		}
	})
}

// TestCanonicalDomainCases: the cases, and each one ldhName takes and
// leaves, are as IDNA makes them.
func TestCanonicalDomainCases(t *testing.T) {
	taken := 0
	for _, d := range domainCases {
		got, err := canonicalDomain(d)
		want, err2 := idnaDomain(d)
		if got != want || (err == nil) != (err2 == nil) {
			t.Errorf("%q: %q, %v; IDNA %q, %v", d, got, err, want, err2)
		}
		if ldhName(d) {
			taken++
		}
	}
	if taken != 11 {
		t.Errorf("ldhName took %d of the cases, want 11", taken)
	}
}
