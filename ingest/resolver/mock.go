package resolver

import (
	"context"
	"net"

	"github.com/miekg/dns"
)

// Mock answers from maps, for unit tests. Keys are host names (any case,
// trailing dot optional); PTR is keyed by IP address ("192.0.2.1") or by
// reverse name ("1.2.0.192.in-addr.arpa"). A name present in no map is
// NXDOMAIN; a name in Fail answers every question with a temporary error, as
// a SERVFAIL would.
type Mock struct {
	TXT   map[string][]string
	MX    map[string][]*net.MX
	A     map[string][]string
	AAAA  map[string][]string
	PTR   map[string][]string
	CNAME map[string]string
	Fail  map[string]bool

	// canonicalKeys says every key is already canonical, so a miss needs
	// no scan (Zone builds its maps that way; hand-written tests may not).
	canonicalKeys bool
}

var _ Resolver = Mock{}

const mockServer = "mock"

// maxCNAMEHops bounds chains and breaks loops.
const maxCNAMEHops = 8

func (m Mock) LookupTXT(ctx context.Context, name string) ([]string, error) {
	target, err := m.resolve(ctx, name)
	if err != nil {
		return nil, err
	}
	txt, ok := get(m, m.TXT, target)
	if !ok || len(txt) == 0 {
		return nil, NotFound(name, mockServer)
	}
	return append([]string(nil), txt...), nil
}

func (m Mock) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	target, err := m.resolve(ctx, name)
	if err != nil {
		return nil, err
	}
	mxs, ok := get(m, m.MX, target)
	if !ok || len(mxs) == 0 {
		return nil, NotFound(name, mockServer)
	}
	out := make([]*net.MX, len(mxs))
	for i, mx := range mxs {
		out[i] = &net.MX{Host: fqdn(mx.Host), Pref: mx.Pref}
	}
	return out, nil
}

func (m Mock) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	target, err := m.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	a, _ := get(m, m.A, target)
	aaaa, _ := get(m, m.AAAA, target)
	var out []net.IPAddr
	for _, s := range append(append([]string(nil), a...), aaaa...) {
		if ip := net.ParseIP(s); ip != nil {
			out = append(out, net.IPAddr{IP: ip})
		}
	}
	if len(out) == 0 {
		return nil, NotFound(host, mockServer)
	}
	return out, nil
}

func (m Mock) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, Normalize(err, addr, mockServer)
	}
	ip := net.ParseIP(addr)
	if ip == nil {
		return nil, NotFound(addr, mockServer)
	}
	rev, _ := dns.ReverseAddr(ip.String())
	keys := []string{canonical(rev), ip.String()}
	for _, k := range keys {
		if failing(m, k) {
			return nil, Temporary(addr, mockServer, "server failure")
		}
	}
	for _, k := range keys {
		if names, ok := get(m, m.PTR, k); ok && len(names) > 0 {
			out := make([]string, len(names))
			for i, n := range names {
				out[i] = fqdn(n)
			}
			return out, nil
		}
	}
	return nil, NotFound(addr, mockServer)
}

// resolve follows CNAMEs from name and returns the canonical target,
// failing on the first name marked as failing.
func (m Mock) resolve(ctx context.Context, name string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", Normalize(err, name, mockServer)
	}
	if why := invalidName(name); why != "" {
		return "", invalid(name, mockServer, why)
	}
	cur := canonical(name)
	for range maxCNAMEHops {
		if failing(m, cur) {
			return "", Temporary(name, mockServer, "server failure")
		}
		next, ok := get(m, m.CNAME, cur)
		if !ok {
			return cur, nil
		}
		cur = canonical(next)
	}
	// A real recursive server answers SERVFAIL to a CNAME loop.
	return "", Temporary(name, mockServer, "CNAME chain too long")
}

func failing(m Mock, name string) bool {
	fail, _ := get(m, m.Fail, name)
	return fail
}

// get looks canonical name up in a map whose keys may be written in any
// case, with or without the trailing dot.
func get[V any](m Mock, table map[string]V, name string) (V, bool) {
	if v, ok := table[name]; ok {
		return v, true
	}
	if !m.canonicalKeys {
		for k, v := range table {
			if canonical(k) == name {
				return v, true
			}
		}
	}
	var zero V
	return zero, false
}
