package resolver

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/miekg/dns"
)

// Zone answers from an RFC 1035 master file, for tests and air-gapped
// replays (--dns-zone). Only the record types sender authentication reads
// are kept (A, AAAA, TXT, MX, CNAME, PTR); others are accepted and ignored.
// A zone cannot express a failing server: use Mock or resolvertest for that.
type Zone struct {
	m Mock
}

var _ Resolver = (*Zone)(nil)

// LoadZoneFile reads the master file at path. Relative owner names are
// relative to the root unless the file sets $ORIGIN.
func LoadZoneFile(path string) (*Zone, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := parseZone(f, ".", path)
	if err != nil {
		return nil, err
	}
	return z, nil
}

// ParseZone reads a master file from r; origin completes relative names
// ("" means the root).
func ParseZone(r io.Reader, origin string) (*Zone, error) {
	return parseZone(r, origin, "")
}

func parseZone(r io.Reader, origin, file string) (*Zone, error) {
	if origin == "" {
		origin = "."
	}
	origin = dns.Fqdn(origin)
	m := Mock{
		TXT:           map[string][]string{},
		MX:            map[string][]*net.MX{},
		A:             map[string][]string{},
		AAAA:          map[string][]string{},
		PTR:           map[string][]string{},
		CNAME:         map[string]string{},
		canonicalKeys: true,
	}
	zp := dns.NewZoneParser(r, origin, file)
	// $INCLUDE would let a zone given on the command line read any file.
	zp.SetIncludeAllowed(false)
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		// Owner names and targets arrive in presentation form ("o\'brien",
		// "\032"); they are kept as the text callers ask for.
		name := canonicalPresentation(rr.Header().Name)
		if name == "" {
			continue // a label holding a dot: no question can reach it
		}
		switch rr := rr.(type) {
		case *dns.A:
			m.A[name] = append(m.A[name], rr.A.String())
		case *dns.AAAA:
			m.AAAA[name] = append(m.AAAA[name], rr.AAAA.String())
		case *dns.TXT:
			// A record's character-strings form one text (RFC 7208 3.3,
			// RFC 6376 3.6.2.2); separate records stay separate.
			m.TXT[name] = append(m.TXT[name], joinStrings(rr.Txt))
		case *dns.MX:
			if host := canonicalPresentation(rr.Mx); host != "" {
				m.MX[name] = append(m.MX[name], &net.MX{Host: host + ".", Pref: rr.Preference})
			}
		case *dns.CNAME:
			if target := canonicalPresentation(rr.Target); target != "" {
				m.CNAME[name] = target
			}
		case *dns.PTR:
			if host := canonicalPresentation(rr.Ptr); host != "" {
				m.PTR[name] = append(m.PTR[name], host+".")
			}
		}
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("zone: %w", err)
	}
	return &Zone{m: m}, nil
}

func (z *Zone) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return z.m.LookupTXT(ctx, name)
}

func (z *Zone) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return z.m.LookupMX(ctx, name)
}

func (z *Zone) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return z.m.LookupIPAddr(ctx, host)
}

func (z *Zone) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return z.m.LookupAddr(ctx, addr)
}
