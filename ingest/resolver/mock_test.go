package resolver

import (
	"context"
	"net"
	"reflect"
	"testing"
)

func testMock() Mock {
	return Mock{
		TXT:   map[string][]string{"Example.COM.": {"v=spf1 -all"}},
		MX:    map[string][]*net.MX{"example.com": {{Host: "mx.example.com", Pref: 10}}},
		A:     map[string][]string{"mx.example.com": {"192.0.2.25"}},
		AAAA:  map[string][]string{"mx.example.com": {"2001:db8::25"}},
		PTR:   map[string][]string{"192.0.2.25": {"mx.example.com"}, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.": {"v6.example.com."}},
		CNAME: map[string]string{"www.example.com": "example.com", "loop1.example": "loop2.example", "loop2.example": "loop1.example"},
		Fail:  map[string]bool{"broken.example": true, "192.0.2.99": true},
	}
}

func TestMock(t *testing.T) {
	m := testMock()
	ctx := context.Background()
	tests := []struct {
		name          string
		lookup        func() (any, error)
		want          any
		wantNotFound  bool
		wantTemporary bool
	}{
		{"txt any case", func() (any, error) { return m.LookupTXT(ctx, "EXAMPLE.com") }, []string{"v=spf1 -all"}, false, false},
		{"txt through cname", func() (any, error) { return m.LookupTXT(ctx, "www.example.com.") }, []string{"v=spf1 -all"}, false, false},
		{"txt nxdomain", func() (any, error) { return m.LookupTXT(ctx, "nope.example.com") }, nil, true, false},
		{"txt failing", func() (any, error) { return m.LookupTXT(ctx, "broken.example") }, nil, false, true},
		{"cname loop is temporary", func() (any, error) { return m.LookupTXT(ctx, "loop1.example") }, nil, false, true},
		{"mx host is fqdn", func() (any, error) { return m.LookupMX(ctx, "example.com") }, []*net.MX{{Host: "mx.example.com.", Pref: 10}}, false, false},
		{"mx none", func() (any, error) { return m.LookupMX(ctx, "mx.example.com") }, nil, true, false},
		{"ip both families", func() (any, error) { return m.LookupIPAddr(ctx, "MX.example.com") },
			[]net.IPAddr{{IP: net.ParseIP("192.0.2.25")}, {IP: net.ParseIP("2001:db8::25")}}, false, false},
		{"ip none", func() (any, error) { return m.LookupIPAddr(ctx, "example.com") }, nil, true, false},
		{"ptr by address", func() (any, error) { return m.LookupAddr(ctx, "192.0.2.25") }, []string{"mx.example.com."}, false, false},
		{"ptr by reverse name", func() (any, error) { return m.LookupAddr(ctx, "2001:db8::1") }, []string{"v6.example.com."}, false, false},
		{"ptr failing", func() (any, error) { return m.LookupAddr(ctx, "192.0.2.99") }, nil, false, true},
		{"ptr missing", func() (any, error) { return m.LookupAddr(ctx, "192.0.2.100") }, nil, true, false},
		{"ptr not an address", func() (any, error) { return m.LookupAddr(ctx, "mx.example.com") }, nil, true, false},
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

func TestMockCanceledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := testMock().LookupTXT(ctx, "example.com")
	checkDNSError(t, err, false, true)
}
