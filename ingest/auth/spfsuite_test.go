package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/smartbcc/smartbcc/ingest/resolver"
	"github.com/smartbcc/smartbcc/ingest/resolver/resolvertest"
)

// TestRFC7208Suite runs the RFC 7208 test suite shipped with
// blitiri.com.ar/go/spf through checkSPF twice: once with the zone
// resolver reading a master file made from each scenario's zone data, once
// with the network resolver asking a DNS server on loopback that serves
// the same file (SERVFAIL and silence where the suite says so). Each case
// is a subtest with its expected result; a case fails unless the library
// documents it as a deviation ("skip" in the suite). Both paths must pass
// the same cases, by name.
func TestRFC7208Suite(t *testing.T) {
	path := spfSuitePath(t)
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("RFC 7208 suite not available: %v", err)
	}
	defer f.Close()

	dec := yaml.NewDecoder(f)
	passed := map[string][]string{}
	total := 0
	for n := 1; ; n++ {
		var s spfSuite
		if err := dec.Decode(&s); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		t.Run(fmt.Sprintf("%02d", n), func(t *testing.T) {
			text, fail, silent := s.zone()
			z, err := resolver.ParseZone(strings.NewReader(text), "")
			if err != nil {
				t.Fatalf("zone of %q: %v\n%s", s.Description, err, text)
			}
			addr := resolvertest.Start(t, text, resolvertest.Options{ServFail: fail, Silent: silent})
			resolvers := []struct {
				kind string
				r    resolver.Resolver
			}{
				{"zone", failing{z, append(fail, silent...)}},
				{"network", &resolver.Network{Servers: []string{addr}, Timeout: 250 * time.Millisecond}},
			}
			names := slices.Sorted(maps.Keys(s.Tests))
			total += len(names)
			for _, name := range names {
				tc := s.Tests[name]
				for _, r := range resolvers {
					t.Run(r.kind+"/"+name, func(t *testing.T) {
						res, _, why := checkSPF(context.Background(), r.r, net.ParseIP(tc.Host), tc.Helo, tc.MailFrom)
						if slices.Contains(tc.Result, res) {
							passed[r.kind] = append(passed[r.kind], name)
							return
						}
						if tc.Skip != "" {
							t.Skipf("got %s, want %s: a documented deviation of the library (%s)", res, strings.Join(tc.Result, "|"), tc.Skip)
						}
						t.Errorf("%s: got %s (%s), want %s", tc.Description, res, why, strings.Join(tc.Result, "|"))
					})
				}
			}
		})
	}
	slices.Sort(passed["zone"])
	slices.Sort(passed["network"])
	t.Logf("RFC 7208 suite: %d cases; %d pass through the zone file, %d through the network", total, len(passed["zone"]), len(passed["network"]))
	if !slices.Equal(passed["zone"], passed["network"]) {
		t.Errorf("the zone file and the network pass different cases:\nzone:    %v\nnetwork: %v", passed["zone"], passed["network"])
	}
}

func spfSuitePath(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("go env GOMODCACHE: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "blitiri.com.ar", "go", "spf@v1.6.0", "testdata", "rfc7208-tests.yml")
}

type spfSuite struct {
	Description string
	Tests       map[string]spfCase
	ZoneData    map[string][]spfRecord `yaml:"zonedata"`
}

type spfCase struct {
	Description string
	Helo        string
	Host        string
	MailFrom    string `yaml:"mailfrom"`
	Result      stringList
	Skip        string // why the library is known to deviate
}

// spfRecord holds one of the suite's record kinds.
type spfRecord struct {
	A         stringList `yaml:"A"`
	AAAA      stringList `yaml:"AAAA"`
	MX        []any      `yaml:"MX"` // [preference, host]
	SPF       stringList `yaml:"SPF"`
	TXT       stringList `yaml:"TXT"`
	PTR       stringList `yaml:"PTR"`
	CNAME     string     `yaml:"CNAME"`
	TIMEOUT   bool       `yaml:"TIMEOUT"`
	SERVFAIL  bool       `yaml:"SERVFAIL"`
	CNAMELOOP bool       `yaml:"CNAMELOOP"`
}

// stringList accepts a scalar or a sequence.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = []string{n.Value}
		return nil
	}
	var s []string
	err := n.Decode(&s)
	*l = s
	return err
}

// zone writes the suite's zone data as an RFC 1035 master file, with the
// names to answer SERVFAIL (SERVFAIL) and not at all (TIMEOUT). A name with
// TXT records ignores its (obsolete) SPF-type records, as the RFC
// requires; without TXT they are served as TXT, as the library's own
// harness does. CNAMELOOP becomes a real loop, which every resolver here
// reports as a temporary failure.
func (s spfSuite) zone() (text string, servFail, silent []string) {
	var b strings.Builder
	b.WriteString("$TTL 300\n")
	for _, domain := range slices.Sorted(maps.Keys(s.ZoneData)) {
		records := s.ZoneData[domain]
		owner := zoneName(domain)
		hasTXT := false
		for _, r := range records {
			hasTXT = hasTXT || len(r.TXT) > 0
		}
		for _, r := range records {
			for _, a := range r.A {
				fmt.Fprintf(&b, "%s IN A %s\n", owner, a)
			}
			for _, a := range r.AAAA {
				fmt.Fprintf(&b, "%s IN AAAA %s\n", owner, a)
			}
			for _, txt := range r.TXT {
				fmt.Fprintf(&b, "%s IN TXT %s\n", owner, zoneStrings(txt))
			}
			if len(r.SPF) > 0 && !hasTXT {
				fmt.Fprintf(&b, "%s IN TXT %s\n", owner, zoneStrings(strings.Join(r.SPF, "")))
			}
			for _, p := range r.PTR {
				fmt.Fprintf(&b, "%s IN PTR %s\n", owner, zoneName(p))
			}
			if len(r.MX) == 2 {
				pref, _ := r.MX[0].(int)
				host, _ := r.MX[1].(string)
				fmt.Fprintf(&b, "%s IN MX %d %s\n", owner, pref, zoneName(host))
			}
			if r.CNAME != "" {
				fmt.Fprintf(&b, "%s IN CNAME %s\n", owner, zoneName(r.CNAME))
			}
			if r.CNAMELOOP {
				fmt.Fprintf(&b, "%s IN CNAME %s\n", owner, owner)
			}
			if r.SERVFAIL {
				servFail = append(servFail, domain)
			}
			if r.TIMEOUT {
				silent = append(silent, domain)
			}
		}
	}
	return b.String(), servFail, silent
}

// zoneName writes a name in presentation form, fully qualified.
func zoneName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			b.WriteByte(c)
		case strings.IndexByte(` '@;()"\\$`, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < '!' || c > '~':
			fmt.Fprintf(&b, "\\%03d", c)
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSuffix(b.String(), ".") + "."
}

// zoneStrings writes a TXT value as quoted character-strings of at most
// 255 octets each.
func zoneStrings(s string) string {
	var parts []string
	for {
		chunk := s
		if len(chunk) > 255 {
			chunk = chunk[:255]
		}
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < len(chunk); i++ {
			c := chunk[i]
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < ' ' || c > '~':
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
		parts = append(parts, b.String())
		s = s[len(chunk):]
		if s == "" {
			break
		}
	}
	return strings.Join(parts, " ")
}
