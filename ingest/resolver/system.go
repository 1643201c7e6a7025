package resolver

import (
	"context"
	"net"

	"github.com/miekg/dns"
)

// resolvConf is where System finds the servers; a variable so tests can
// point it elsewhere.
var resolvConf = "/etc/resolv.conf"

// System asks the servers listed in /etc/resolv.conf with the Network code,
// so that timeouts and error classes are the same as with --dns-server.
// When the file cannot be read it falls back to the Go resolver, whose
// errors are normalised.
func System() Resolver {
	cfg, err := dns.ClientConfigFromFile(resolvConf)
	if err != nil || len(cfg.Servers) == 0 {
		return goResolver{net.DefaultResolver}
	}
	n := &Network{}
	for _, s := range cfg.Servers {
		n.Servers = append(n.Servers, net.JoinHostPort(s, cfg.Port))
	}
	return n
}

// goResolver adapts *net.Resolver to the error contract of this package:
// its errors can be wrapped, and an error that is neither "not found" nor
// marked temporary would make the libraries refuse mail for good.
type goResolver struct{ r *net.Resolver }

func (g goResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	txt, err := g.r.LookupTXT(ctx, name)
	return txt, Normalize(err, name, "")
}

func (g goResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	mx, err := g.r.LookupMX(ctx, name)
	return mx, Normalize(err, name, "")
}

func (g goResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ips, err := g.r.LookupIPAddr(ctx, host)
	return ips, Normalize(err, host, "")
}

func (g goResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	names, err := g.r.LookupAddr(ctx, addr)
	return names, Normalize(err, addr, "")
}
