package resolver

import (
	"context"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/resolver/resolvertest"
)

func TestLoadZoneFile(t *testing.T) {
	z, err := LoadZoneFile("testdata/example.zone")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name   string
		lookup func() (any, error)
		want   any
	}{
		{"strings of one record are joined", func() (any, error) { return z.LookupTXT(ctx, "example.com") },
			[]string{"v=spf1 ip4:192.0.2.0/24 -all"}},
		{"records stay separate", func() (any, error) { return z.LookupTXT(ctx, "TWO.example.com.") },
			[]string{"first", "second"}},
		{"cname to apex", func() (any, error) { return z.LookupTXT(ctx, "alias.example.com") },
			[]string{"v=spf1 ip4:192.0.2.0/24 -all"}},
		{"relative and absolute mx", func() (any, error) { return z.LookupMX(ctx, "example.com") },
			[]*net.MX{{Host: "mx1.example.com.", Pref: 10}, {Host: "mx2.example.net.", Pref: 20}}},
		{"a and aaaa", func() (any, error) { return z.LookupIPAddr(ctx, "example.com") },
			[]net.IPAddr{{IP: net.ParseIP("192.0.2.1")}, {IP: net.ParseIP("2001:db8::1")}}},
		{"ptr", func() (any, error) { return z.LookupAddr(ctx, "192.0.2.1") }, []string{"example.com."}},
		{"dmarc", func() (any, error) { return z.LookupTXT(ctx, "_dmarc.example.com") }, []string{"v=DMARC1; p=reject"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.lookup()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	_, err = z.LookupTXT(ctx, "_dmarc.sub.example.com")
	checkDNSError(t, err, true, false)
	_, err = z.LookupMX(ctx, "mx1.example.com") // exists, but no MX
	checkDNSError(t, err, true, false)
}

func TestParseZoneErrors(t *testing.T) {
	tests := []struct {
		name, zone string
	}{
		{"unknown type", "example.com. 300 IN BOGUS x\n"},
		{"bad address", "example.com. 300 IN A 300.1.1.1\n"},
		{"unterminated quote", "example.com. 300 IN TXT \"open\n"},
		{"include refused", "$INCLUDE /etc/passwd\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseZone(strings.NewReader(tt.zone), ""); err == nil {
				t.Errorf("ParseZone(%q) accepted it", tt.zone)
			}
		})
	}
}

func TestParseZoneOrigin(t *testing.T) {
	z, err := ParseZone(strings.NewReader("@ 60 IN TXT \"hello\"\nwww 60 IN CNAME @\n"), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	got, err := z.LookupTXT(context.Background(), "www.example.org")
	if err != nil || !reflect.DeepEqual(got, []string{"hello"}) {
		t.Errorf("got %v, %v", got, err)
	}
}

// FuzzParseZone checks that no master file crashes the parser and that
// whatever it accepts can be queried without error other than the two
// classes of this package.
func FuzzParseZone(f *testing.F) {
	f.Add("example.com. 300 IN TXT \"v=spf1 -all\"\n")
	f.Add("$ORIGIN example.com.\n@ IN MX 10 mx\nmx IN A 192.0.2.1\n")
	f.Add("a.example. 1 CNAME b.example.\nb.example. 1 CNAME a.example.\n")
	f.Fuzz(func(t *testing.T, zone string) {
		z, err := ParseZone(strings.NewReader(zone), "example.com")
		if err != nil {
			return
		}
		ctx := context.Background()
		for _, name := range []string{"example.com", "a.example", "www.example.com"} {
			_, err := z.LookupTXT(ctx, name)
			if err == nil {
				continue
			}
			de, ok := err.(*net.DNSError)
			if !ok || de.IsNotFound == de.IsTemporary {
				t.Fatalf("lookup %s: badly classified error %#v", name, err)
			}
		}
	})
}

// TestTXTEscapes checks that presentation-form escapes in a master file
// reach callers as the bytes they stand for, through Zone and through the
// wire (Network), which both keep miekg/dns's escaped form otherwise.
func TestTXTEscapes(t *testing.T) {
	zone := `example.com. 60 IN TXT "say \"hi\"; a\065 back\\slash" " end"` + "\n"
	want := []string{`say "hi"; aA back\slash end`}

	z, err := ParseZone(strings.NewReader(zone), "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := z.LookupTXT(context.Background(), "example.com"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("zone: got %q, %v; want %q", got, err, want)
	}

	n := NewNetwork(resolvertest.StartServer(t, zone))
	if got, err := n.LookupTXT(context.Background(), "example.com"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("network: got %q, %v; want %q", got, err, want)
	}
}
