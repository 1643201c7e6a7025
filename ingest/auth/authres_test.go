package auth

import (
	"reflect"
	"strings"
	"testing"
)

func TestStripComments(t *testing.T) {
	tests := []struct{ in, want string }{
		{"no comments", "no comments"},
		{"a (b) c", "a   c"},
		{"a (b (nested; deep) still) c", "a   c"},
		{`a (esc \) paren; x) c`, "a   c"},
		{`reason="keep (this); too" x`, `reason="keep (this); too" x`},
		{`q="esc \" (quote)" (gone)`, `q="esc \" (quote)"  `},
		{"open (never closed; x=y", "open "},
		{"stray ) paren", "stray ) paren"},
		{`"unterminated (quote`, `"unterminated (quote`},
	}
	for _, tt := range tests {
		if got := stripComments(tt.in); got != tt.want {
			t.Errorf("stripComments(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

const arFrom = "From: Alice <alice@example.com>\r\n"

func TestTrustAuthResults(t *testing.T) {
	tests := []struct {
		name                     string
		header                   string
		wantDKIM, wantSPF        string
		wantDMARC                string
		wantSPFDomain            string
		wantPass                 bool
		wantSigs                 int
		wantReasonContains       string
		wantFirstSignatureDomain string
	}{
		{
			name: "aligned dkim pass, comment with semicolon",
			header: "Authentication-Results: mx.example.net (Postfix; v2.1);\r\n" +
				" dkim=pass (2048-bit key; unprotected) header.d=example.com header.i=@example.com;\r\n" +
				" spf=fail smtp.mailfrom=bounce@evil.example\r\n",
			wantDKIM: "pass", wantSPF: "fail", wantDMARC: "none", wantSPFDomain: "evil.example",
			wantPass: true, wantSigs: 1, wantFirstSignatureDomain: "example.com",
		},
		{
			name:     "relaxed: subdomain signer",
			header:   "Authentication-Results: mx.example.net; dkim=pass header.d=mail.example.com\r\n",
			wantDKIM: "pass", wantSPF: "none", wantDMARC: "none", wantPass: true, wantSigs: 1,
		},
		{
			name:     "unaligned dkim pass",
			header:   "Authentication-Results: mx.example.net; dkim=pass header.d=mailer.example.org\r\n",
			wantDKIM: "fail", wantSPF: "none", wantDMARC: "none", wantPass: false, wantSigs: 1,
		},
		{
			name:     "aligned spf pass",
			header:   "Authentication-Results: mx.example.net; spf=pass smtp.mailfrom=alice@example.com\r\n",
			wantDKIM: "none", wantSPF: "pass", wantDMARC: "none", wantSPFDomain: "example.com", wantPass: true,
		},
		{
			name:     "spf from helo for a bounce",
			header:   "Authentication-Results: mx.example.net; spf=pass smtp.helo=mail.example.com\r\n",
			wantDKIM: "none", wantSPF: "pass", wantDMARC: "none", wantSPFDomain: "mail.example.com", wantPass: true,
		},
		{
			name: "other authserv-id ignored",
			header: "Authentication-Results: evil.example; dkim=pass header.d=example.com\r\n" +
				"Authentication-Results: mx.example.net; dkim=fail header.d=example.com\r\n",
			wantDKIM: "fail", wantSPF: "none", wantDMARC: "none", wantPass: false, wantSigs: 1,
		},
		{
			name: "first trusted header wins",
			header: "Authentication-Results: MX.example.net; spf=fail smtp.mailfrom=alice@example.com\r\n" +
				"Authentication-Results: mx.example.net; dkim=pass header.d=example.com\r\n",
			wantDKIM: "none", wantSPF: "fail", wantDMARC: "none", wantSPFDomain: "example.com", wantPass: false,
		},
		{
			name:     "receiver's dmarc=fail overrides relaxed alignment",
			header:   "Authentication-Results: mx.example.net; dkim=pass header.d=mail.example.com; dmarc=fail header.from=example.com\r\n",
			wantDKIM: "pass", wantSPF: "none", wantDMARC: "fail", wantPass: false, wantSigs: 1,
			wantReasonContains: "overrides",
		},
		{
			name:     "dmarc for another From domain is ignored",
			header:   "Authentication-Results: mx.example.net; dkim=pass header.d=example.com; dmarc=fail header.from=example.org\r\n",
			wantDKIM: "pass", wantSPF: "none", wantDMARC: "none", wantPass: true, wantSigs: 1,
		},
		{
			name:     "no trusted header",
			header:   "Subject: hi\r\n",
			wantDKIM: "none", wantSPF: "none", wantDMARC: "none", wantPass: false,
			wantReasonContains: "no Authentication-Results from mx.example.net",
		},
		{
			name:     "none result",
			header:   "Authentication-Results: mx.example.net; none\r\n",
			wantDKIM: "none", wantSPF: "none", wantDMARC: "none", wantPass: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(arFrom + tt.header + "\r\nbody\r\n")
			v, err := trustAuthResults(raw, "mx.example.net")
			if err != nil {
				t.Fatal(err)
			}
			if v.DKIM != tt.wantDKIM || v.SPF != tt.wantSPF || v.DMARC != tt.wantDMARC || v.Pass() != tt.wantPass {
				t.Errorf("got dkim=%s spf=%s dmarc=%s pass=%v; want %s %s %s %v\n%s",
					v.DKIM, v.SPF, v.DMARC, v.Pass(), tt.wantDKIM, tt.wantSPF, tt.wantDMARC, tt.wantPass, v.Summary())
			}
			if tt.wantSPFDomain != "" && v.SPFDomain != tt.wantSPFDomain {
				t.Errorf("SPF domain %q, want %q", v.SPFDomain, tt.wantSPFDomain)
			}
			if len(v.Signatures) != tt.wantSigs {
				t.Errorf("%d signatures, want %d", len(v.Signatures), tt.wantSigs)
			}
			if tt.wantFirstSignatureDomain != "" && (len(v.Signatures) == 0 || v.Signatures[0].Domain != tt.wantFirstSignatureDomain) {
				t.Errorf("signatures %+v, want first from %s", v.Signatures, tt.wantFirstSignatureDomain)
			}
			if !strings.Contains(v.Reason, tt.wantReasonContains) {
				t.Errorf("reason %q does not contain %q", v.Reason, tt.wantReasonContains)
			}
			if v.Mode != "trust-authres=mx.example.net" || v.Temporary() {
				t.Errorf("mode %q temporary %v", v.Mode, v.Temporary())
			}
		})
	}
}

func TestTrustAuthResultsNotAMessage(t *testing.T) {
	if _, err := trustAuthResults(nil, "mx.example.net"); err == nil {
		t.Error("accepted empty input")
	}
}

// FuzzTrustAuthResults feeds arbitrary Authentication-Results values
// through the comment stripper and the trusted parser: no panic, the
// stripper is idempotent and never grows its input, and the verdict holds
// only values of the documented sets.
func FuzzTrustAuthResults(f *testing.F) {
	f.Add("mx.example.net; dkim=pass (a; b) header.d=example.com")
	f.Add("mx.example.net (x (y) z); spf=softfail smtp.mailfrom=\"a(b)\"@example.com")
	f.Add("mx.example.net 1; dmarc=pass header.from=example.com; arc=none")
	f.Add("(unterminated")
	f.Fuzz(func(t *testing.T, value string) {
		stripped := stripComments(value)
		if len(stripped) > len(value) {
			t.Fatalf("stripComments grew %q to %q", value, stripped)
		}
		if again := stripComments(stripped); again != stripped {
			t.Fatalf("not idempotent: %q -> %q -> %q", value, stripped, again)
		}
		raw := []byte(arFrom + "Authentication-Results: " + value + "\r\n\r\nbody\r\n")
		v, err := trustAuthResults(raw, "mx.example.net")
		if err != nil {
			t.Fatalf("error on a message with a header: %v", err)
		}
		in := func(s string, set ...string) bool {
			for _, x := range set {
				if s == x {
					return true
				}
			}
			return false
		}
		if !in(v.DKIM, "pass", "fail", "none", "temperror", "permerror") ||
			!in(v.SPF, "pass", "fail", "softfail", "neutral", "none", "temperror", "permerror") ||
			!in(v.DMARC, "pass", "fail", "none", "temperror") {
			t.Fatalf("value out of set: %+v", v)
		}
		_ = v.Summary()
		// A receiver folds a long field at its semicolons: the same
		// results, read unfolded.
		if !strings.ContainsAny(value, "\r\n") {
			folded := strings.ReplaceAll(value, "; ", ";\r\n\t")
			fv, err := trustAuthResults([]byte(arFrom+"Authentication-Results: "+folded+"\r\n\r\nbody\r\n"), "mx.example.net")
			if err != nil || !reflect.DeepEqual(fv, v) {
				t.Fatalf("folded %q: %+v %v; unfolded %+v", folded, fv, err, v)
			}
		}
	})
}
