// Package resolver is the one DNS interface every sender check (DKIM, SPF,
// DMARC) asks through, with implementations for the network, the system
// configuration, a master file and unit-test maps.
//
// Every error an implementation returns is a bare *net.DNSError with
// IsNotFound or IsTemporary set. That is not a nicety: go-msgauth treats a
// lookup error as temporary only when it is a net.Error whose Temporary() is
// true, and blitiri.com.ar/go/spf type-asserts *net.DNSError directly, so a
// wrapped error would turn a passing SERVFAIL into a permanent failure and
// refuse mail that a retry would have accepted.
package resolver

import (
	"context"
	"errors"
	"net"
)

// Resolver answers the four kinds of question sender authentication asks.
// The method set matches *net.Resolver and spf.DNSResolver on purpose.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// NotFound reports that name does not exist or has no records of the asked
// type (NXDOMAIN and NOERROR/NODATA are the same thing to every caller here).
func NotFound(name, server string) *net.DNSError {
	return &net.DNSError{Err: "no such record", Name: name, Server: server, IsNotFound: true}
}

// Temporary reports a failure that a later retry may not see: SERVFAIL, a
// timeout, a network error.
func Temporary(name, server, why string) *net.DNSError {
	return &net.DNSError{Err: why, Name: name, Server: server, IsTemporary: true}
}

// Timeout is Temporary with IsTimeout also set.
func Timeout(name, server string) *net.DNSError {
	return &net.DNSError{Err: "timeout", Name: name, Server: server, IsTemporary: true, IsTimeout: true}
}

// Normalize turns any lookup error into a bare *net.DNSError that both
// authentication libraries classify correctly. Anything it cannot classify
// as "not found" is temporary: refusing mail over an error we do not
// understand would lose it, retrying it costs a little delay.
func Normalize(err error, name, server string) error {
	if err == nil {
		return nil
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		out := *de // a copy, unwrapped
		if out.Name == "" {
			out.Name = name
		}
		if out.IsTimeout {
			out.IsTemporary = true
		}
		if !out.IsNotFound && !out.IsTemporary {
			out.IsTemporary = true
		}
		out.UnwrapErr = nil
		return &out
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return Timeout(name, server)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return Timeout(name, server)
	}
	return Temporary(name, server, err.Error())
}
