package bccaddr

import (
	"strings"
	"testing"
)

func TestSlug(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Acme", "acme"},
		{"Acme Corp.", "acme-corp"},
		// Latin letters keep their base letter, as slugs and
		// transliterations spell them, rather than splitting the name.
		{"  Über  GmbH ", "uber-gmbh"},
		{"Bücher & Söhne", "bucher-sohne"},
		{"Société Générale", "societe-generale"},
		{"Großhandel Ærø Łódź", "grosshandel-aero-lodz"},
		{"Ｆｕｌｌｗｉｄｔｈ", "fullwidth"},
		{"R&D 42", "r-d-42"},
		// A name without Latin letters or digits gives no slug (init
		// refuses it, naming the name).
		{"株式会社サンプル", ""},
	} {
		if got := Slug(tc.in); got != tc.want {
			t.Errorf("Slug(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	const slug, dom = "acme", "bcc.example.com"
	for _, tc := range []struct {
		addr string
		want Target
		ok   bool
	}{
		{"acme@bcc.example.com", Target{Kind: Universal}, true},
		{"ACME@BCC.EXAMPLE.COM.", Target{Kind: Universal}, true},
		{"<acme@bcc.example.com>", Target{Kind: Universal}, true},
		{"acme+deal-abcdefgh234567@bcc.example.com", Target{Deal, "abcdefgh234567"}, true},
		{"acme+lead-zz@bcc.example.com", Target{Lead, "zz"}, true},
		{"acme+confirm-abc@bcc.example.com", Target{Confirm, "abc"}, true},
		{"acme+deal-@bcc.example.com", Target{}, false},
		{"acme+deal-ABC1@bcc.example.com", Target{}, false}, // '1' is not base32
		{"acme+person-abc@bcc.example.com", Target{}, false},
		{"acme@other.example.com", Target{}, false},
		{"other@bcc.example.com", Target{}, false},
		{"acmex@bcc.example.com", Target{}, false},
		{"acme+deal-" + strings.Repeat("a", 65) + "@bcc.example.com", Target{}, false},
		{"", Target{}, false},
		{"@bcc.example.com", Target{}, false},
	} {
		got, ok := Parse(tc.addr, slug, dom)
		if ok != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", tc.addr, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) < 26 || seen[tok] {
			t.Fatalf("token %q too short or repeated", tok)
		}
		seen[tok] = true
		for _, k := range []Kind{Deal, Lead} {
			addr := Address("acme", "Bcc.Example.com", Target{k, tok})
			got, ok := Parse(addr, "acme", "bcc.example.com")
			if !ok || got.Kind != k || got.Token != tok {
				t.Fatalf("round trip of %q gave %+v %v", addr, got, ok)
			}
		}
	}
}

// TestParseFoldsCaseAsAddressesDo: an address is the company's in any
// case of its letters, folded as mailaddr folds every address: the
// Kelvin sign is the letter K (NFC), but the dotted capital I (U+0130),
// whose lower case unicode.ToLower gives as "i", is another letter.
func TestParseFoldsCaseAsAddressesDo(t *testing.T) {
	for _, tc := range []struct {
		addr, slug string
		want       Target
		ok         bool
	}{
		{"ACME@BCC.Kite.Example", "acme", Target{Kind: Universal}, true},
		{"Acme+Deal-KXyz@bcc.kite.example", "acme", Target{Kind: Deal, Token: "kxyz"}, true},
		{"acme+deal-\u212Axyz@bcc.kite.example", "acme", Target{Kind: Deal, Token: "kxyz"}, true},
		{"acme+deal-\u0130xyz@bcc.kite.example", "acme", Target{}, false},
		{"\u0130cme@bcc.kite.example", "icme", Target{}, false},
		{"icme@bcc.\u0130ite.example", "icme", Target{}, false},
	} {
		got, ok := Parse(tc.addr, tc.slug, "bcc.kite.example")
		if got != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q, %q) = %+v %v, want %+v %v", tc.addr, tc.slug, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("acme+deal-abcdefgh@bcc.example.com")
	f.Add("acme@bcc.example.com")
	f.Add("acme+lead-@bcc.example.com")
	f.Add("+@")
	f.Fuzz(func(t *testing.T, addr string) {
		tgt, ok := Parse(addr, "acme", "bcc.example.com")
		if !ok {
			return
		}
		// Whatever parses must print back to an address that parses the same.
		again, ok2 := Parse(Address("acme", "bcc.example.com", tgt), "acme", "bcc.example.com")
		if !ok2 || again != tgt {
			t.Fatalf("%q parsed to %+v but its address parses to %+v %v", addr, tgt, again, ok2)
		}
	})
}

// TestCheckSlug: a slug given at init (a company name without Latin
// letters has none of its own) is accepted only when Parse reads every
// address made from it back.
func TestCheckSlug(t *testing.T) {
	tok := strings.Repeat("a", 26)
	for _, slug := range []string{"sample", "a", "sales.acme", "acme-jp", "acme_jp", "2go", strings.Repeat("x", MaxSlug)} {
		if err := CheckSlug(slug); err != nil {
			t.Errorf("CheckSlug(%q) = %v, want nil", slug, err)
			continue
		}
		for _, tg := range []Target{{Kind: Universal}, {Deal, tok}, {Lead, tok}, {Confirm, "abcd"}} {
			addr := Address(slug, "bcc.example.com", tg)
			if at := strings.IndexByte(addr, '@'); at > 64 {
				t.Errorf("%s: local part of %d octets", addr, at)
			}
			if got, ok := Parse(strings.ToUpper(addr), slug, "bcc.example.com"); !ok || got != tg {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", addr, got, ok, tg)
			}
		}
	}
	for _, slug := range []string{"", "Sample", "sample+x", "-sample", "sample-", ".sample", "a..b", "サンプル",
		"a b", "a@b", `a"b`, "a/b", strings.Repeat("x", MaxSlug+1)} {
		if CheckSlug(slug) == nil {
			t.Errorf("CheckSlug(%q) = nil, want an error", slug)
		}
	}
}
