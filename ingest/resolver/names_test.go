package resolver

import (
	"context"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/resolver/resolvertest"
)

func TestInvalidName(t *testing.T) {
	long := strings.Repeat("a", 63)
	tests := []struct {
		name, want string
	}{
		{"example.com", ""},
		{"example.com.", ""},
		{".", ""},
		{long + ".example.com", ""},
		{long + "a.example.com", "label longer than 63 octets"},
		{"a...example.com", "empty label"},
		{".example.com", "empty label"},
		{"example..com.", "empty label"},
		{"", "empty name"},
		// 4 labels of 63 octets: 4*64+1 = 257 wire octets.
		{long + "." + long + "." + long + "." + long, "name longer than 255 octets"},
		// 3*64 + 62 + 1 = 255: the longest name there is.
		{long + "." + long + "." + long + "." + long[:61], ""},
		{long + "." + long + "." + long + "." + long[:62], "name longer than 255 octets"},
		{"o'brien.allow.example.com", ""},
		{"with space.example.com", ""},
	}
	for _, tt := range tests {
		if got := invalidName(tt.name); got != tt.want {
			t.Errorf("invalidName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNameForms(t *testing.T) {
	tests := []struct {
		text, presentation string
	}{
		{"example.com", "example.com."},
		{"o'brien.example.com", `o\'brien.example.com.`},
		{"a b.example.com", `a\ b.example.com.`},
		{`back\slash.example.com`, `back\\slash.example.com.`},
		{`q"u;o(t)e@s.example.com`, `q\"u\;o\(t\)e\@s.example.com.`},
		{"caf\xc3\xa9.example.com", `caf\195\169.example.com.`},
		{"tab\tnul\x00.example.com", `tab\009nul\000.example.com.`},
	}
	for _, tt := range tests {
		p := presentation(tt.text)
		if p != tt.presentation {
			t.Errorf("presentation(%q) = %q, want %q", tt.text, p, tt.presentation)
		}
		back, ok := textName(p)
		if !ok || back != dnsFqdn(tt.text) {
			t.Errorf("textName(%q) = %q, %v; want %q", p, back, ok, dnsFqdn(tt.text))
		}
	}
	// Other spellings of the same names.
	for p, want := range map[string]string{
		`o\039brien.example.com.`: "o'brien.example.com.",
		`a\032b.example.com`:      "a b.example.com.",
		`plain.example.com.`:      "plain.example.com.",
	} {
		if got, ok := textName(p); !ok || got != want {
			t.Errorf("textName(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
	if got, ok := textName(`dot\.inside.example.com.`); ok {
		t.Errorf("textName of a label holding a dot = %q, want no text form", got)
	}
}

func dnsFqdn(s string) string { return strings.TrimSuffix(s, ".") + "." }

// escapedZone writes owner names the ways zone files and servers do:
// escaped (\', \032, \DDD) or raw where the format allows it.
const escapedZone = `
$TTL 300
o\'brien.allow.example.com.   IN A    127.0.0.2
o'neil.allow.example.com.     IN A    127.0.0.3
alice.allow.example.com.      IN A    127.0.0.4
with\032space.example.com.    IN TXT  "space"
semi\;colon.example.com.      IN TXT  "semicolon"
quote\"d.example.com.         IN TXT  "quote"
paren\(s\).example.com.       IN TXT  "parens"
at\@sign.example.com.         IN TXT  "at"
back\\slash.example.com.      IN TXT  "backslash"
caf\195\169.example.com.      IN TXT  "utf-8"
alias\032name.example.com.    IN CNAME with\032space.example.com.
example.com.                  IN MX   10 mail\032x.example.com.
dot\.inside.example.com.      IN TXT  "unreachable"
`

// TestEscapedNames asks for names with characters DNS escapes, as SPF
// macros make them from local parts ("exists:%{l}.allow.example.com" for
// o'brien@example.com), through the zone resolver and the network
// resolver: both must find what the zone holds however it was written.
func TestEscapedNames(t *testing.T) {
	z, err := ParseZone(strings.NewReader(escapedZone), "")
	if err != nil {
		t.Fatal(err)
	}
	n := &Network{Servers: []string{resolvertest.StartServer(t, escapedZone)}, Timeout: time.Second}
	ctx := context.Background()

	ips := []struct{ name, want string }{
		{"o'brien.allow.example.com", "127.0.0.2"},
		{"O'Brien.Allow.Example.COM", "127.0.0.2"},
		{"o'neil.allow.example.com", "127.0.0.3"},
		{"alice.allow.example.com", "127.0.0.4"},
	}
	txts := []struct{ name, want string }{
		{"with space.example.com", "space"},
		{"semi;colon.example.com", "semicolon"},
		{`quote"d.example.com`, "quote"},
		{"paren(s).example.com", "parens"},
		{"at@sign.example.com", "at"},
		{`back\slash.example.com`, "backslash"},
		{"caf\xc3\xa9.example.com", "utf-8"},
		{"alias name.example.com", "space"},
	}
	missing := []string{
		"o\\'brien.allow.example.com", // the escaped spelling is not the name
		"obrien.allow.example.com",
		"CAF\xc3\x89.example.com", // only ASCII letters fold (RFC 4343)
		"dot.inside.example.com",
	}
	for _, r := range []struct {
		kind string
		r    Resolver
	}{{"zone", z}, {"network", n}} {
		t.Run(r.kind, func(t *testing.T) {
			for _, c := range ips {
				got, err := r.r.LookupIPAddr(ctx, c.name)
				if err != nil || len(got) != 1 || !got[0].IP.Equal(net.ParseIP(c.want)) {
					t.Errorf("A %q = %v, %v; want %s", c.name, got, err, c.want)
				}
			}
			for _, c := range txts {
				got, err := r.r.LookupTXT(ctx, c.name)
				if err != nil || !reflect.DeepEqual(got, []string{c.want}) {
					t.Errorf("TXT %q = %q, %v; want %q", c.name, got, err, c.want)
				}
			}
			for _, name := range missing {
				_, err := r.r.LookupTXT(ctx, name)
				checkDNSError(t, err, true, false)
			}
			mx, err := r.r.LookupMX(ctx, "example.com")
			if err != nil || len(mx) != 1 || mx[0].Host != "mail x.example.com." {
				t.Errorf("MX = %v, %v; want the host as text", mx, err)
			}
		})
	}
}

// TestUnpackableNames: a name DNS cannot carry is not found, at once and
// by every resolver, never a temporary error. The network resolver is
// pointed at a server that never answers, so asking at all would show as
// a timeout.
func TestUnpackableNames(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	dead := &Network{Servers: []string{pc.LocalAddr().String()}, Timeout: 2 * time.Second}
	z, err := ParseZone(strings.NewReader("example.com. 60 IN TXT \"x\"\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 63)
	names := map[string]string{
		"long label":   "lyme.eater@" + long + "4.example.com",
		"empty label":  "a...example.com",
		"leading dot":  ".example.com",
		"long name":    long + "." + long + "." + long + "." + long + ".example.com",
		"empty":        "",
		"macro result": strings.Repeat("x", 64) + ".allow.example.com",
	}
	ctx := context.Background()
	for _, r := range []struct {
		kind string
		r    Resolver
	}{{"network", dead}, {"zone", z}, {"mock", Mock{TXT: map[string][]string{"example.com": {"x"}}}}} {
		for what, name := range names {
			t.Run(r.kind+"/"+what, func(t *testing.T) {
				start := time.Now()
				_, err := r.r.LookupTXT(ctx, name)
				checkDNSError(t, err, true, false)
				if err != nil && !strings.Contains(err.Error(), "invalid domain name") {
					t.Errorf("error %q does not say why", err)
				}
				_, err = r.r.LookupIPAddr(ctx, name)
				checkDNSError(t, err, true, false)
				_, err = r.r.LookupMX(ctx, name)
				checkDNSError(t, err, true, false)
				if d := time.Since(start); d > time.Second {
					t.Errorf("took %v: a question was sent", d)
				}
			})
		}
	}
}

// FuzzNameForms: every text name DNS can carry survives the trip to
// presentation form and back, and a name it cannot carry is refused
// before miekg/dns sees it.
func FuzzNameForms(f *testing.F) {
	for _, s := range []string{"example.com", "o'brien.example.com", `a\b.c`, "caf\xc3\xa9.x", "a..b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if invalidName(text) != "" {
			return
		}
		back, ok := textName(presentation(text))
		if text == "." {
			if !ok || back != "." {
				t.Fatalf("root: %q, %v", back, ok)
			}
			return
		}
		if !ok || back != strings.TrimSuffix(text, ".")+"." {
			t.Fatalf("textName(presentation(%q)) = %q, %v", text, back, ok)
		}
	})
}
