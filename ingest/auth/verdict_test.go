package auth

import (
	"strings"
	"testing"
)

func TestVerdictPassTemporary(t *testing.T) {
	sig := func(result string, aligned bool) Signature {
		return Signature{Domain: "example.com", Result: result, Aligned: aligned}
	}
	tests := []struct {
		name          string
		v             Verdict
		wantPass      bool
		wantTemporary bool
	}{
		{"off passes", *Skipped(), true, false},
		{"aligned passes", Verdict{Mode: ModeVerify, Aligned: true, SPF: "temperror", SPFAligned: true}, true, false},
		{"hard fail", Verdict{Mode: ModeVerify, SPF: "fail", SPFAligned: true, Signatures: []Signature{sig("fail", true)}}, false, false},
		{"aligned dkim temperror", Verdict{Mode: ModeVerify, SPF: "fail", Signatures: []Signature{sig("temperror", true)}}, false, true},
		{"unaligned dkim temperror cannot help", Verdict{Mode: ModeVerify, SPF: "fail", Signatures: []Signature{sig("temperror", false)}}, false, false},
		{"aligned spf temperror", Verdict{Mode: ModeVerify, SPF: "temperror", SPFAligned: true}, false, true},
		{"unaligned spf temperror cannot help", Verdict{Mode: ModeVerify, SPF: "temperror"}, false, false},
		{"dmarc temperror with relaxed pass waiting", Verdict{Mode: ModeVerify, DMARC: "temperror", Signatures: []Signature{sig("pass", true)}}, false, true},
		{"dmarc temperror with nothing to gain", Verdict{Mode: ModeVerify, DMARC: "temperror", SPF: "fail", SPFAligned: true}, false, false},
		{"trusted headers never retry", Verdict{Mode: "trust-authres=mx", SPF: "temperror", SPFAligned: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.Pass(); got != tt.wantPass {
				t.Errorf("Pass() = %v, want %v", got, tt.wantPass)
			}
			if got := tt.v.Temporary(); got != tt.wantTemporary {
				t.Errorf("Temporary() = %v, want %v", got, tt.wantTemporary)
			}
		})
	}
}

func TestSummarizeDKIM(t *testing.T) {
	s := func(result string, aligned bool) Signature { return Signature{Result: result, Aligned: aligned} }
	tests := []struct {
		name string
		sigs []Signature
		want string
	}{
		{"none", nil, "none"},
		{"aligned pass wins", []Signature{s("fail", true), s("pass", true)}, "pass"},
		{"unaligned pass is fail", []Signature{s("pass", false)}, "fail"},
		{"temperror beats fail", []Signature{s("fail", true), s("temperror", true)}, "temperror"},
		{"fail beats permerror", []Signature{s("permerror", true), s("fail", true)}, "fail"},
		{"permerror alone", []Signature{s("permerror", true)}, "permerror"},
	}
	for _, tt := range tests {
		if got := summarizeDKIM(tt.sigs); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestSkippedSummary(t *testing.T) {
	v := Skipped()
	if v.Mode != "off" || !strings.Contains(v.Summary(), "auth=off") {
		t.Errorf("Skipped() = %+v, summary %q", v, v.Summary())
	}
}
