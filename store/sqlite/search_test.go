package sqlite

import (
	"testing"
)

func TestQuoteAddresses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"widgets", "widgets"},
		{"bob@x.example", `"bob@x.example"`},
		{"bob@x.ex*", `"bob@x.ex" *`},
		{`"a.b c" d.e`, `"a.b c" "d.e"`},
		{"(a@b OR c)", `("a@b" OR c)`},
		{"  v1.2  ", `  "v1.2"  `},
		{`"open`, `"open`},
	}
	for _, tc := range tests {
		if got := quoteAddresses(tc.in); got != tc.want {
			t.Errorf("quoteAddresses(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
