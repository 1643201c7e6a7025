package resolver

import (
	"context"
	"errors"
	"net"
	"testing"
)

// checkDNSError fails unless err is exactly what both authentication
// libraries need: a bare *net.DNSError (a plain type assertion, as spf
// does), with the wanted class.
func checkDNSError(t *testing.T, err error, wantNotFound, wantTemporary bool) {
	t.Helper()
	de, ok := err.(*net.DNSError)
	if !ok {
		t.Fatalf("error %v (%T) is not a bare *net.DNSError", err, err)
	}
	if de.IsNotFound != wantNotFound || de.Temporary() != wantTemporary {
		t.Errorf("error %v: IsNotFound=%v Temporary()=%v, want %v, %v",
			err, de.IsNotFound, de.Temporary(), wantNotFound, wantTemporary)
	}
	// go-msgauth's test: a net.Error whose Temporary() is true.
	var ne net.Error = de
	if ne.Temporary() != wantTemporary {
		t.Errorf("as net.Error, Temporary()=%v, want %v", ne.Temporary(), wantTemporary)
	}
}

func TestNormalize(t *testing.T) {
	wrapped := &net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}
	tests := []struct {
		name          string
		in            error
		wantNotFound  bool
		wantTemporary bool
	}{
		{"not found stays not found", wrapped, true, false},
		{"wrapped not found is unwrapped", errors.Join(errors.New("ctx"), wrapped), true, false},
		{"timeout is temporary", &net.DNSError{Err: "i/o timeout", IsTimeout: true}, false, true},
		{"unclassified DNS error becomes temporary", &net.DNSError{Err: "server misbehaving"}, false, true},
		{"deadline is temporary", context.DeadlineExceeded, false, true},
		{"canceled is temporary", context.Canceled, false, true},
		{"anything else is temporary", errors.New("connection refused"), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDNSError(t, Normalize(tt.in, "x.example", "srv"), tt.wantNotFound, tt.wantTemporary)
		})
	}
	if Normalize(nil, "x", "y") != nil {
		t.Error("Normalize(nil) != nil")
	}
}
