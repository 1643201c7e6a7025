package search

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testOpts = Options{
	Now:      time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC),
	Location: time.UTC,
}

func TestParse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"widgets", "widgets"},
		{"Widgets 200", "(and widgets 200)"},
		{"widgets AND 200", "(and widgets 200)"},
		{`"price list"`, `"price list"`},
		{`"Price List"*`, `"price list*"`},
		{"widg*", "widg*"},
		{"a OR b", "(or a b)"},
		{"a b OR c", "(and a (or b c))"},
		{"a OR b c", "(and (or a b) c)"},
		{"(a b) OR c", "(or (and a b) c)"},
		{"a -b", "(and a (not b))"},
		{"a NOT b", "(and a (not b))"},
		{"NOT NOT a", "a"},
		{"-(a OR b)", "(not (or a b))"},
		// Plain words people type are words.
		{"follow-up", `"follow up"`},
		{"o'brien", `"o brien"`},
		{"C++", "c"},
		{"re:", "re"},
		{"Re: Quote", "(and re quote)"},
		{"bob@customer.example", `"bob customer example"`},
		{"unknown:thing", `"unknown thing"`},
		{"or and not", "(and or and not)"},
		{"OR", "or"},
		{"AND", "and"},
		{"NOT", "not"},
		{"a OR", "a"},
		{"a AND", "a"},
		{"a -", "a"},
		{"smile :)", "smile"},
		{"(widgets", "widgets"},
		{"widgets)", "widgets"},
		{`"unterminated phrase`, `"unterminated phrase"`},
		{"a ++ b", "(and a b)"},
		{"-5%", "(not 5)"},
		// Fields.
		{"from:bob", "from:bob"},
		{"FROM:Bob", "from:bob"},
		{`from:"Bob Buyer"`, `from:"bob buyer"`},
		{"to:carol@supplier.example", `to:"carol supplier example"`},
		{"subject:offer body:price", "(and subject:offer body:price)"},
		{"subject:", "subject"},
		{"deal:3 lead:#4 project:5 person:6", "(and deal:3 lead:4 project:5 person:6)"},
		// A person by address, as every --person flag takes one: kept as
		// typed for the caller to look up.
		{"person:Bob@Customer.example offer", "(and person:Bob@Customer.example offer)"},
		{`person:"bob@customer.example"`, "person:bob@customer.example"},
		{"after:2026-01-31", "since:2026-01-31T00:00:00Z"},
		{"before:2026-02", "until:2026-02-01T00:00:00Z"},
		{"after:7d", "since:2026-11-13T12:00:00Z"},
		{"has:attachment", "has:attachment"},
		{"from:ann OR from:bob invoice", "(and (or from:ann from:bob) invoice)"},
		// CJK: runs are phrases of bigrams.
		{"見積", "見積"},
		{"株式会社サンプル", `"株式 式会 会社 社サ サン ンプ プル"`},
		{"見", "見*"},
		{"subject:見積 -株式", "(and subject:見積 (not 株式))"},
	}
	for _, tc := range tests {
		q, err := Parse(tc.in, testOpts)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "nothing to search for"},
		{"++", "nothing to search for"},
		{"-", "nothing to search for"},
		{"()", "nothing to search for"},
		{"deal:abc", `deal: takes a deal id, as in deal:3 (not "abc")`},
		{"deal:bob@customer.example", `deal: takes a deal id, as in deal:3 (not "bob@customer.example")`},
		{"person:bob", `person: takes a person id or address, as in person:3 or person:bob@customer.example (not "bob")`},
		{"person:bob@cust*", `person: takes a person id or address`},
		{"after:someday", `after: cannot read "someday" as a time`},
		{"has:wings", `has: knows only has:attachment`},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in, testOpts)
		var qe *Error
		if !errors.As(err, &qe) {
			t.Errorf("Parse(%q) = %v, want a query error", tc.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): %q, want it to say %q", tc.in, err, tc.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct{ in, start, end string }{
		{"2026-01-31", "2026-01-31T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"2026-01", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"2026", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2026-01-31T09:30", "2026-01-31T09:30:00Z", "2026-01-31T09:31:00Z"},
		{"2026-01-31T09:30:00+09:00", "2026-01-31T00:30:00Z", "2026-01-31T00:30:00Z"},
		{"today", "2026-11-20T00:00:00Z", "2026-11-21T00:00:00Z"},
		{"yesterday", "2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z"},
		{"7d", "2026-11-13T12:00:00Z", "2026-11-13T12:00:00Z"},
		{"2w", "2026-11-06T12:00:00Z", "2026-11-06T12:00:00Z"},
		{"24h", "2026-11-19T12:00:00Z", "2026-11-19T12:00:00Z"},
	}
	for _, tc := range tests {
		start, end, err := ParseTime(tc.in, testOpts)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tc.in, err)
			continue
		}
		if s, e := start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339); s != tc.start || e != tc.end {
			t.Errorf("ParseTime(%q) = %s, %s; want %s, %s", tc.in, s, e, tc.start, tc.end)
		}
	}
	// Dates are read in the given zone.
	tokyo := time.FixedZone("JST", 9*3600)
	start, _, err := ParseTime("2026-01-31", Options{Location: tokyo})
	if err != nil || start.UTC().Format(time.RFC3339) != "2026-01-30T15:00:00Z" {
		t.Errorf("2026-01-31 in Tokyo = %v, %v", start.UTC(), err)
	}
	for _, bad := range []string{"", "soon", "-3d", "2026-13-01", "31.01.2026"} {
		if _, _, err := ParseTime(bad, testOpts); err == nil {
			t.Errorf("ParseTime(%q) succeeded", bad)
		}
	}
}

func TestHasText(t *testing.T) {
	for in, want := range map[string]bool{
		"widgets": true, "-widgets": false, "deal:3": false, "deal:3 widgets": true,
		"-(a OR -b)": true, "from:bob": true,
	} {
		if got := MustParse(in).HasText(); got != want {
			t.Errorf("HasText(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{`a OR (b -"c d") from:x deal:3`, "見積*", `((("`, "-", "after:7d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s, testOpts)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q): error of type %T", s, err)
			}
			return
		}
		if q.Root == nil {
			t.Fatalf("Parse(%q): nil root", s)
		}
		_ = q.String()
	})
}
