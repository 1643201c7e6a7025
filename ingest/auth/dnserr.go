package auth

import (
	"context"
	"net"

	"github.com/smartbcc/smartbcc/ingest/resolver"
)

// anonymous drops the server address from DNS errors before the libraries
// turn them into reasons: a verdict should read the same whichever server
// answered, and the stored reason need not reveal the resolver setup.
// The errors stay bare *net.DNSError, which the libraries require.
type anonymous struct{ r resolver.Resolver }

func anonymize(err error) error {
	if de, ok := err.(*net.DNSError); ok && de.Server != "" {
		c := *de
		c.Server = ""
		return &c
	}
	return err
}

func (a anonymous) LookupTXT(ctx context.Context, name string) ([]string, error) {
	txt, err := a.r.LookupTXT(ctx, name)
	return txt, anonymize(err)
}

func (a anonymous) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	mx, err := a.r.LookupMX(ctx, name)
	return mx, anonymize(err)
}

func (a anonymous) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ips, err := a.r.LookupIPAddr(ctx, host)
	return ips, anonymize(err)
}

func (a anonymous) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	names, err := a.r.LookupAddr(ctx, addr)
	return names, anonymize(err)
}
