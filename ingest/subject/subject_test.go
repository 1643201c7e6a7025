package subject

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Quote for ACME", "quote for acme"},
		{"Re: Quote for ACME", "quote for acme"},
		{"RE: RE: re:Quote   for\tACME ", "quote for acme"},
		{"Fwd: Re: Quote", "quote"},
		{"FW: Quote", "quote"},
		{"Fw: Quote", "quote"},
		{"AW: WG: Angebot", "angebot"},
		{"TR : Devis", "devis"},
		{"Tr: Devis", "devis"},
		{"RIF: I: Preventivo", "preventivo"},
		{"SV: VS: Tilbud", "tilbud"},
		{"Antw: Doorst: Offerte", "offerte"},
		{"RV: ENC: Orçamento", "orçamento"},
		{"Odp: PD: Oferta", "oferta"},
		{"Re[2]: Quote", "quote"},
		{"Re(3): Quote", "quote"},
		{"Re^2: Quote", "quote"},
		{"Redir.: Ofertă", "ofertă"},
		{"VL: Tarjous", "tarjous"},
		{"Videresend: Tilbud", "tilbud"},
		{"回复：报价", "报价"},
		{"答复: 转发: 报价", "报价"},
		{"回覆：轉寄：報價", "報價"},
		{"返信: 転送: 見積もり", "見積もり"},
		{"Ответ: Fwd: Предложение", "предложение"},
		{"[EXTERNAL] Re: Quote", "quote"},
		{"Fwd: [EXTERNAL] RE: Quote", "quote"},
		{"[sales-list] Re: [sales-list] Quote", "quote"},
		// Netscape, Mozilla, early Thunderbird and Evolution wrote a
		// forward's subject in brackets.
		{"[Fwd: Quote for ACME]", "quote for acme"},
		{"Re: [Fwd: Re: Quote]", "quote"},
		{"[sales-list] [Fwd: [Ticket 4711] Quote]", "[ticket 4711] quote"},
		{"[Fwd:Quote]", "quote"},
		{"[Fwd: Quote cut short by a clie", "quote cut short by a clie"},
		// A tag with spaces carries meaning: kept.
		{"Re: [Ticket 4711] Quote", "[ticket 4711] quote"},
		// A tag after the subject proper is kept.
		{"Re: Quote [draft]", "quote [draft]"},
		// Words that merely start like a prefix are not prefixes.
		{"Review: Q3", "review: q3"},
		{"Reply needed", "reply needed"},
		{"Fwding costs", "fwding costs"},
		{"Info: pricing", "info: pricing"},
		{"", ""},
		{"   ", ""},
		{"Re:", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStripPrefixesKeepsCase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"FW: Integer consequat non purus", "Integer consequat non purus"},
		{"Redir.: Integer consequat non purus", "Integer consequat non purus"},
		{"Fwd:  Two  spaces", "Two  spaces"},
		{"No prefix", "No prefix"},
		{"[Fwd: Integer [consequat] non purus]", "Integer [consequat] non purus"},
	}
	for _, tt := range tests {
		if got := StripPrefixes(tt.in); got != tt.want {
			t.Errorf("StripPrefixes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsForwardIsReply(t *testing.T) {
	tests := []struct {
		in             string
		forward, reply bool
	}{
		{"Fwd: x", true, false},
		{"FW: x", true, false},
		{"WG: x", true, false},
		{"TR: x", true, false},
		{"ENC: x", true, false},
		{"Vs: x", true, false},
		{"VL: x", true, false},
		{"RV: x", true, false},
		{"Redir.: x", true, false},
		{"Videresend: x", true, false},
		{"I: x", true, false},
		{"転送: x", true, false},
		{"转发：x", true, false},
		{"[EXTERNAL] Fwd: x", true, false},
		{"Fwd: Re: x", true, false},
		{"Re: Fwd: x", false, true},
		{"[Fwd: x]", true, false},
		{"[list] [Fwd: Re: x]", true, false},
		{"Re: [Fwd: x]", false, true},
		{"[Re: x]", false, false},
		{"AW: x", false, true},
		{"Re[2]: x", false, true},
		{"SV: x", false, true},
		{"x", false, false},
		{"Forward planning", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		if got := IsForward(tt.in); got != tt.forward {
			t.Errorf("IsForward(%q) = %v, want %v", tt.in, got, tt.forward)
		}
		if got := IsReply(tt.in); got != tt.reply {
			t.Errorf("IsReply(%q) = %v, want %v", tt.in, got, tt.reply)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Re: Fwd: x", "[a] RE[2]: b", "回复：报价", "Redir.: y", "İ: x", "\xff Re: x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		if again := Normalize(n); again != n {
			t.Fatalf("not idempotent: Normalize(%q) = %q, Normalize of that = %q", s, n, again)
		}
		if IsForward(s) && IsReply(s) {
			t.Fatalf("%q is both forward and reply", s)
		}
		// A reply or a forward threads with the message it answers.
		for _, p := range []string{"Re: ", "AW: ", "Fwd: ", "[EXTERNAL] RE: "} {
			if got := Normalize(p + s); got != n {
				t.Fatalf("Normalize(%q) = %q, Normalize(%q) = %q", p+s, got, s, n)
			}
		}
		if !IsReply("Re: "+s) || !IsForward("Fwd: "+s) {
			t.Fatalf("%q: Re: is a reply %v, Fwd: a forward %v", s, IsReply("Re: "+s), IsForward("Fwd: "+s))
		}
	})
}
