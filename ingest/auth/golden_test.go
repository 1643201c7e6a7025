package auth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/miekg/dns"

	"github.com/smartbcc/smartbcc/ingest/resolver"
	"github.com/smartbcc/smartbcc/ingest/resolver/resolvertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.result from the current output")

// TestGolden runs every testdata/NN-name case (see testdata/README.md):
// sign the message with keys made now, publish them in the case's zone,
// check, and compare the verdict with NN-name.result. Every case runs
// twice, with the same expected verdict: through resolver.Zone reading the
// zone, and through resolver.Network asking a DNS server on loopback that
// serves it.
func TestGolden(t *testing.T) {
	msgs, err := filepath.Glob("testdata/*.msg")
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, m := range msgs {
		base := strings.TrimSuffix(m, ".msg")
		t.Run(filepath.Base(base), func(t *testing.T) {
			t.Parallel()
			c := loadCase(t, base)
			for _, network := range []bool{false, true} {
				if *update && network {
					continue // the zone run wrote the file
				}
				c.network = network
				t.Run(map[bool]string{false: "zone", true: "network"}[network], func(t *testing.T) {
					runGolden(t, base, c)
				})
			}
		})
	}
}

// goldenResult is what a .result file holds.
type goldenResult struct {
	Verdict   *Verdict `json:"verdict"`
	Pass      bool     `json:"pass"`
	Temporary bool     `json:"temporary"`
	Summary   string   `json:"summary"`
}

func runGolden(t *testing.T, base string, c *goldenCase) {
	v, err := (&Checker{Resolver: c.resolver(t), Timeout: 5 * time.Second}).Check(context.Background(), withAuthor(c.input))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	got, err := json.MarshalIndent(goldenResult{v, v.Pass(), v.Temporary(), v.Summary()}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(base+".result", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(base + ".result")
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("verdict differs from %s.result\ngot:\n%s\nwant:\n%s", base, got, want)
	}
}

type goldenCase struct {
	input    Input
	zone     string
	servfail []string
	network  bool
}

func (c *goldenCase) resolver(t *testing.T) resolver.Resolver {
	if c.network {
		addr := resolvertest.Start(t, c.zone, resolvertest.Options{ServFail: c.servfail})
		return &resolver.Network{Servers: []string{addr}, Timeout: 2 * time.Second}
	}
	z, err := resolver.ParseZone(strings.NewReader(c.zone), "")
	if err != nil {
		t.Fatalf("zone: %v\n%s", err, c.zone)
	}
	return failing{z, c.servfail}
}

func loadCase(t *testing.T, base string) *goldenCase {
	t.Helper()
	msg := toCRLF(mustRead(t, base+".msg"))
	c := &goldenCase{}
	alterBody, bareLF, headerOnly := false, false, false
	for _, line := range strings.Split(string(mustRead(t, base+".how")), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch verb {
		case "sign":
			msg = sign(t, msg, arg)
		case "alter-body":
			alterBody = true
		case "bare-lf":
			bareLF = true
		case "client-ip":
			c.input.ClientIP = net.ParseIP(arg)
		case "helo":
			c.input.Helo = arg
		case "mail-from":
			c.input.MailFrom = arg
		case "servfail":
			c.servfail = append(c.servfail, arg)
		case "header-only":
			headerOnly = true
		default:
			t.Fatalf("%s.how: unknown directive %q", base, line)
		}
	}
	if alterBody {
		msg = append(msg, "-- \r\nSent through the sales-list\r\n"...)
	}
	if headerOnly {
		// Drop the empty line that ends the header (the body is empty).
		i := bytes.Index(msg, []byte("\r\n\r\n"))
		if i < 0 || i+4 != len(msg) {
			t.Fatalf("%s: header-only needs a message without body", base)
		}
		msg = msg[:i+2]
	}
	if bareLF {
		msg = bytes.ReplaceAll(msg, []byte("\r\n"), []byte("\n"))
	}
	c.input.Raw = msg
	c.zone = keyPlaceholder.ReplaceAllStringFunc(string(mustRead(t, base+".dns")), func(p string) string {
		return dkimRecord(t, keyPlaceholder.FindStringSubmatch(p)[1])
	})
	return c
}

var keyPlaceholder = regexp.MustCompile(`\{\{key ([a-z0-9-]+)\}\}`)

// sign adds one DKIM-Signature to msg as described by "d=… s=… key=… [h=…]".
func sign(t testing.TB, msg []byte, spec string) []byte {
	t.Helper()
	opts := &dkim.SignOptions{
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             []string{"From", "To", "Cc", "Subject", "Date", "Message-ID"},
	}
	for _, kv := range strings.Fields(spec) {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "d":
			opts.Domain = v
		case "s":
			opts.Selector = v
		case "key":
			opts.Signer = testKey(t, v)
		case "h":
			opts.HeaderKeys = strings.Split(v, ":")
		default:
			t.Fatalf("sign: unknown parameter %q", kv)
		}
	}
	var out bytes.Buffer
	if err := dkim.Sign(&out, bytes.NewReader(msg), opts); err != nil {
		t.Fatalf("sign %s: %v", spec, err)
	}
	return out.Bytes()
}

var (
	keysMu sync.Mutex
	keys   = map[string]crypto.Signer{}
)

// testKey returns the key called name, made on first use: RSA-2048 for
// names starting with "rsa", Ed25519 for "ed".
func testKey(t testing.TB, name string) crypto.Signer {
	keysMu.Lock()
	defer keysMu.Unlock()
	if k, ok := keys[name]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	switch {
	case strings.HasPrefix(name, "rsa"):
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case strings.HasPrefix(name, "ed"):
		_, k, err = ed25519.GenerateKey(rand.Reader)
	default:
		t.Fatalf("key %q: name must start with rsa or ed", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	keys[name] = k
	return k
}

// dkimRecord is the zone-file TXT data publishing key name, split into
// strings of at most 255 bytes as a TXT record requires.
func dkimRecord(t testing.TB, name string) string {
	var rec string
	switch pub := testKey(t, name).Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		rec = "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		rec = "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	var parts []string
	for len(rec) > 200 {
		parts = append(parts, fmt.Sprintf("%q", rec[:200]))
		rec = rec[200:]
	}
	parts = append(parts, fmt.Sprintf("%q", rec))
	return strings.Join(parts, " ")
}

// failing makes the names it lists fail temporarily, as a SERVFAIL would;
// a zone file cannot say that.
type failing struct {
	resolver.Resolver
	names []string
}

func (f failing) fails(name string) error {
	for _, n := range f.names {
		if strings.EqualFold(strings.TrimSuffix(name, "."), n) {
			return resolver.Temporary(name, "test", "server answered SERVFAIL")
		}
	}
	return nil
}

func (f failing) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if err := f.fails(name); err != nil {
		return nil, err
	}
	return f.Resolver.LookupTXT(ctx, name)
}

func (f failing) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if err := f.fails(name); err != nil {
		return nil, err
	}
	return f.Resolver.LookupMX(ctx, name)
}

func (f failing) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if err := f.fails(host); err != nil {
		return nil, err
	}
	return f.Resolver.LookupIPAddr(ctx, host)
}

func (f failing) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if rev, err := dns.ReverseAddr(addr); err == nil {
		if err := f.fails(rev); err != nil {
			return nil, err
		}
	}
	return f.Resolver.LookupAddr(ctx, addr)
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toCRLF(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}
