package auth

import "testing"

// TestFromDomain: the domain comes from the author the caller read, and
// only when the header has one From field as the DKIM verifier counts them.
func TestFromDomain(t *testing.T) {
	tests := []struct {
		name, header, wantDomain, wantProblem string
	}{
		{"plain", "From: alice@Example.COM\r\n", "example.com", ""},
		{"display name", "From: \"Alice, Sales\" <alice@example.com>\r\n", "example.com", ""},
		{"encoded word in unknown charset", "From: =?x-unknown?q?Al=E9?= <alice@example.com>\r\n", "example.com", ""},
		{"folded", "From: Alice\r\n <alice@sub.example.com>\r\n", "sub.example.com", ""},
		{"no From", "To: bob@example.com\r\n", "", "no From field"},
		{"two From fields", "From: a@example.com\r\nFrom: b@example.org\r\n", "", "2 From fields"},
		{"a second From with space before the colon", "From: a@example.com\r\nFrom : b@example.org\r\n", "", "2 From fields"},
		{"two addresses", "From: a@example.com, b@example.org\r\n", "", "From does not hold exactly one mailbox: 2 mailboxes"},
		{"empty group", "From: undisclosed:;\r\n", "", "malformed address: a group is not allowed here"},
		{"no at sign", "From: alice at example dot com\r\n", "", "malformed address: no address in \"alice at example dot com\""},
		{"domain literal", "From: alice@[192.0.2.1]\r\n", "", "From address has no domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.header + "\r\nbody\r\n")
			a, err := authorOf(raw)
			domain, problem := fromDomain(a, err, raw)
			if domain != tt.wantDomain || problem != tt.wantProblem {
				t.Errorf("got %q, %q; want %q, %q", domain, problem, tt.wantDomain, tt.wantProblem)
			}
		})
	}
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    []field
		wantErr bool
	}{
		{"crlf and folding", "A: 1\r\nB: two\r\n\tlines\r\n\r\nC: body\r\n", []field{{"A", " 1"}, {"B", " two\tlines"}}, false},
		{"bare lf", "A: 1\nB: 2\n\nbody", []field{{"A", " 1"}, {"B", " 2"}}, false},
		{"mbox line and junk skipped", "From alice@example.com Mon Jan 1 00:00:00 2024\njunk\nA: 1\n", []field{{"A", " 1"}}, false},
		{"no end of header", "A: 1", []field{{"A", " 1"}}, false},
		{"empty", "", nil, true},
		{"body only", "\r\nhello\r\n", nil, true},
		{"not mail", "\x00\x01\x02", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readHeader([]byte(tt.raw))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("field %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
