package resolver

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/resolver/resolvertest"
)

// longTXT does not fit a 512-byte UDP answer without EDNS, and together
// with itself not in 1232 either, so truncation is real.
var longTXT = strings.Repeat("k", 250)

var testZone = `
$TTL 300
example.com.              IN TXT   "v=spf1 ip4:192.0.2.0/24 " "-all"
example.com.              IN MX    10 mx.example.com.
example.com.              IN A     192.0.2.1
example.com.              IN AAAA  2001:db8::1
mx.example.com.           IN A     192.0.2.25
www.example.com.          IN CNAME example.com.
big.example.com.          IN TXT   "` + longTXT + `" "` + longTXT + `" "` + longTXT + `"
big.example.com.          IN TXT   "` + longTXT + `" "` + longTXT + `" "` + longTXT + `"
broken.example.com.       IN TXT   "never served"
dead.example.com.         IN TXT   "never answered"
1.2.0.192.in-addr.arpa.   IN PTR   example.com.
`

func TestNetwork(t *testing.T) {
	addr := resolvertest.Start(t, testZone, resolvertest.Options{
		ServFail: []string{"broken.example.com"},
		Silent:   []string{"dead.example.com"},
	})
	n := &Network{Servers: []string{addr}, Timeout: 300 * time.Millisecond}
	ctx := context.Background()

	tests := []struct {
		name          string
		lookup        func() (any, error)
		want          any
		wantNotFound  bool
		wantTemporary bool
	}{
		{"txt", func() (any, error) { return n.LookupTXT(ctx, "EXAMPLE.com") }, []string{"v=spf1 ip4:192.0.2.0/24 -all"}, false, false},
		{"txt via cname", func() (any, error) { return n.LookupTXT(ctx, "www.example.com") }, []string{"v=spf1 ip4:192.0.2.0/24 -all"}, false, false},
		{"txt large answer", func() (any, error) { return n.LookupTXT(ctx, "big.example.com") },
			[]string{strings.Repeat(longTXT, 3), strings.Repeat(longTXT, 3)}, false, false},
		{"mx", func() (any, error) { return n.LookupMX(ctx, "example.com") }, []*net.MX{{Host: "mx.example.com.", Pref: 10}}, false, false},
		{"a and aaaa", func() (any, error) { return n.LookupIPAddr(ctx, "example.com") },
			[]net.IPAddr{{IP: net.ParseIP("192.0.2.1").To4()}, {IP: net.ParseIP("2001:db8::1")}}, false, false},
		{"a only", func() (any, error) { return n.LookupIPAddr(ctx, "mx.example.com") },
			[]net.IPAddr{{IP: net.ParseIP("192.0.2.25").To4()}}, false, false},
		{"ptr", func() (any, error) { return n.LookupAddr(ctx, "192.0.2.1") }, []string{"example.com."}, false, false},
		{"nxdomain", func() (any, error) { return n.LookupTXT(ctx, "nope.example.com") }, nil, true, false},
		{"nodata", func() (any, error) { return n.LookupTXT(ctx, "mx.example.com") }, nil, true, false},
		{"ptr nxdomain", func() (any, error) { return n.LookupAddr(ctx, "192.0.2.2") }, nil, true, false},
		{"servfail", func() (any, error) { return n.LookupTXT(ctx, "broken.example.com") }, nil, false, true},
		{"servfail on ip", func() (any, error) { return n.LookupIPAddr(ctx, "broken.example.com") }, nil, false, true},
		{"no answer", func() (any, error) { return n.LookupTXT(ctx, "dead.example.com") }, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.lookup()
			if tt.wantNotFound || tt.wantTemporary {
				checkDNSError(t, err, tt.wantNotFound, tt.wantTemporary)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNetworkTruncated makes every UDP answer truncated: only the retry
// over TCP can succeed.
func TestNetworkTruncated(t *testing.T) {
	addr := resolvertest.Start(t, testZone, resolvertest.Options{TruncateUDP: true})
	got, err := NewNetwork(addr).LookupTXT(context.Background(), "example.com")
	if err != nil || !reflect.DeepEqual(got, []string{"v=spf1 ip4:192.0.2.0/24 -all"}) {
		t.Errorf("got %v, %v", got, err)
	}
}

// TestNetworkDeadServer asks a socket that never answers: the lookup must
// fail as temporary, and within a bound close to the configured timeout.
func TestNetworkDeadServer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	n := &Network{Servers: []string{pc.LocalAddr().String()}, Timeout: 200 * time.Millisecond}

	start := time.Now()
	_, err = n.LookupTXT(context.Background(), "example.com")
	elapsed := time.Since(start)
	checkDNSError(t, err, false, true)
	if elapsed > 2*time.Second {
		t.Errorf("gave up after %v, want about %v", elapsed, n.Timeout)
	}
}

// TestNetworkFallsBackToNextServer puts a dead server first.
func TestNetworkFallsBackToNextServer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	good := resolvertest.StartServer(t, testZone)
	n := &Network{Servers: []string{pc.LocalAddr().String(), good}, Timeout: 200 * time.Millisecond}
	got, err := n.LookupMX(context.Background(), "example.com")
	if err != nil || len(got) != 1 {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestNetworkContextDeadline(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = NewNetwork(pc.LocalAddr().String()).LookupTXT(ctx, "example.com")
	checkDNSError(t, err, false, true)
}

func TestSystem(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(conf, []byte("nameserver 192.0.2.53\nnameserver 2001:db8::53\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func(old string) { resolvConf = old }(resolvConf)

	resolvConf = conf
	n, ok := System().(*Network)
	if !ok {
		t.Fatalf("System() with a resolv.conf is %T, want *Network", System())
	}
	if want := []string{"192.0.2.53:53", "[2001:db8::53]:53"}; !reflect.DeepEqual(n.Servers, want) {
		t.Errorf("servers %v, want %v", n.Servers, want)
	}

	resolvConf = filepath.Join(dir, "missing")
	if _, ok := System().(goResolver); !ok {
		t.Errorf("System() without resolv.conf is %T, want goResolver", System())
	}
}

// BenchmarkNetworkTXT measures one TXT question over loopback UDP.
func BenchmarkNetworkTXT(b *testing.B) {
	n := NewNetwork(resolvertest.StartServer(b, testZone))
	ctx := context.Background()
	for b.Loop() {
		if _, err := n.LookupTXT(ctx, "example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
