package auth

import "testing"

func TestOrgDomain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"example.com", "example.com"},
		{"Mail.Sub.Example.COM.", "example.com"},
		{"example.co.uk", "example.co.uk"},
		{"a.b.example.co.uk", "example.co.uk"},
		{"co.uk", "co.uk"}, // a public suffix is its own organization
		{"com", "com"},
		{"host.example.test", "example.test"},
	}
	for _, tt := range tests {
		if got := orgDomain(tt.in); got != tt.want {
			t.Errorf("orgDomain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAligned(t *testing.T) {
	tests := []struct {
		domain, from string
		strict, want bool
	}{
		{"example.com", "example.com", true, true},
		{"EXAMPLE.com.", "example.com", true, true},
		{"mail.example.com", "example.com", false, true},
		{"mail.example.com", "example.com", true, false},
		{"example.com", "sub.example.com", false, true},
		{"example.com", "sub.example.com", true, false},
		{"evil-example.com", "example.com", false, false},
		{"other.co.uk", "example.co.uk", false, false}, // same public suffix is not the same organization
		{"mail.example.co.uk", "example.co.uk", false, true},
		{"", "example.com", false, false},
		{"example.com", "", false, false},
		// Case folds as in addresses: a letter that unicode.ToLower makes
		// ASCII is another letter.
		{"\u0130nfo.example", "info.example", true, false},
		{"mail.\u0130nfo.example", "info.example", false, false},
		{"INFO.example", "info.example", true, true},
	}
	for _, tt := range tests {
		if got := aligned(tt.domain, tt.from, tt.strict); got != tt.want {
			t.Errorf("aligned(%q, %q, strict=%v) = %v, want %v", tt.domain, tt.from, tt.strict, got, tt.want)
		}
	}
}
