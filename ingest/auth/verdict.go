package auth

import (
	"fmt"
	"strings"
)

// Modes of a verdict, as --auth names them.
const (
	ModeVerify = "verify"
	ModeOff    = "off"
	// ModeTrustPrefix is followed by the trusted authserv-id.
	ModeTrustPrefix = "trust-authres="
)

// Verdict is what sender authentication concluded about one message. The
// per-method results are kept for --explain and the stored record; the
// decision is Pass, and Temporary says whether to ask for a retry instead.
type Verdict struct {
	Mode       string      `json:"mode"`
	FromDomain string      `json:"from_domain"`
	DKIM       string      `json:"dkim"` // pass (an aligned pass), fail, none, temperror, permerror
	SPF        string      `json:"spf"`  // pass fail softfail neutral none temperror permerror
	SPFDomain  string      `json:"spf_domain"`
	SPFAligned bool        `json:"spf_aligned"`
	DMARC      string      `json:"dmarc"` // pass, fail, none (no record), temperror
	Policy     *Policy     `json:"policy,omitempty"`
	Aligned    bool        `json:"aligned"` // an aligned DKIM pass or an aligned SPF pass
	Signatures []Signature `json:"signatures,omitempty"`
	// Reason explains what the results alone do not: a From header with
	// no single domain, a reader failure, an ignored signature.
	Reason string `json:"reason,omitempty"`
}

// Skipped is the verdict of --auth off: nothing checked, everything let
// through, and the record says so.
func Skipped() *Verdict {
	return &Verdict{Mode: ModeOff, DKIM: "none", SPF: "none", DMARC: "none"}
}

// Pass reports whether the message may be filed: authentication aligned
// with the From domain, or switched off.
func (v *Verdict) Pass() bool {
	return v.Mode == ModeOff || v.Aligned
}

// Temporary reports that the message did not pass but a temporary DNS
// failure could have changed that, so the caller should defer (exit 75)
// rather than refuse. Only failures that could matter count: an SPF or
// DKIM temperror for an aligned domain, or a DMARC record that could not be
// fetched while a relaxed-aligned pass waited for it. A verdict read from
// Authentication-Results is never temporary: a retry reads the same header.
func (v *Verdict) Temporary() bool {
	if v.Mode != ModeVerify || v.Pass() {
		return false
	}
	relaxedPass := v.SPF == "pass" && v.SPFAligned
	for _, s := range v.Signatures {
		if s.Result == "temperror" && s.Aligned {
			return true
		}
		relaxedPass = relaxedPass || (s.Result == "pass" && s.Aligned)
	}
	if v.SPF == "temperror" && v.SPFAligned {
		return true
	}
	return v.DMARC == "temperror" && relaxedPass
}

// What authentication alone decides for a message (Decision). The words
// are ingest's statuses: stored, rejected, and deferred for a temporary
// failure (the pipe exits 75 and Postfix retries).
const (
	DecisionStored   = "stored"
	DecisionRejected = "rejected"
	DecisionDeferred = "deferred"
)

// Decision is what the verdict alone makes of the message, and why in a
// few words when it is not stored. ingest and "auth check" both use it.
func (v *Verdict) Decision() (decision, why string) {
	switch {
	case v.Pass():
		return DecisionStored, ""
	case v.Temporary():
		return DecisionDeferred, "authentication could not be decided, a DNS answer it needs was not available: " + v.Summary()
	case v.FromDomain == "":
		why := "the message has no single From domain to authenticate"
		if v.Reason != "" {
			why += " (" + v.Reason + ")"
		}
		return DecisionRejected, why
	}
	return DecisionRejected, "neither DKIM nor SPF passed aligned with the From domain " + v.FromDomain
}

// Summary is one line for --explain and stderr. It holds domains, results
// and the verifiers' reasons, never message content or keys.
func (v *Verdict) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "auth=%s", v.Mode)
	if v.Mode == ModeOff {
		return b.String() + " (not checked)"
	}
	fmt.Fprintf(&b, " from=%s aligned=%s", orDash(v.FromDomain), yesNo(v.Aligned))
	fmt.Fprintf(&b, " dkim=%s", v.DKIM)
	fmt.Fprintf(&b, " spf=%s", v.SPF)
	if v.SPFDomain != "" {
		fmt.Fprintf(&b, " (%s, %s)", v.SPFDomain, alignedWord(v.SPFAligned))
	}
	fmt.Fprintf(&b, " dmarc=%s", v.DMARC)
	if p := v.Policy; p != nil {
		fmt.Fprintf(&b, " (%s p=%s adkim=%s aspf=%s)", p.Domain, p.P, p.ADKIM, p.ASPF)
	}
	for _, s := range v.Signatures {
		fmt.Fprintf(&b, " sig=%s/%s/%s:%s,%s", orDash(s.Domain), orDash(s.Selector), orDash(s.Algorithm), s.Result, alignedWord(s.Aligned))
		if s.Reason != "" {
			fmt.Fprintf(&b, "(%s)", s.Reason)
		}
	}
	if v.Reason != "" {
		fmt.Fprintf(&b, " reason=%q", v.Reason)
	}
	if v.Temporary() {
		b.WriteString(" temporary")
	}
	return b.String()
}

// decide derives the alignment fields and summaries from the per-method
// results. strictDKIM/strictSPF come from the policy (relaxed without one).
// policyUnknown is set when the DMARC record could not be fetched: then the
// per-method Aligned flags show relaxed alignment (the most a record could
// allow) but Aligned demands strict alignment, the only kind no record can
// take away.
func (v *Verdict) decide(strictDKIM, strictSPF, policyUnknown bool) {
	from := v.FromDomain
	dkimPass := false
	for i := range v.Signatures {
		s := &v.Signatures[i]
		s.Aligned = aligned(s.Domain, from, strictDKIM && !policyUnknown)
		if s.Result == "pass" && aligned(s.Domain, from, strictDKIM || policyUnknown) {
			dkimPass = true
		}
	}
	v.SPFAligned = aligned(v.SPFDomain, from, strictSPF && !policyUnknown)
	spfPass := v.SPF == "pass" && aligned(v.SPFDomain, from, strictSPF || policyUnknown)
	v.Aligned = dkimPass || spfPass
	v.DKIM = summarizeDKIM(v.Signatures)
}

// summarizeDKIM is the DKIM result for the From domain: pass if an aligned
// signature verified; otherwise the most hopeful failure, so that a
// temperror is not hidden behind a fail.
func summarizeDKIM(sigs []Signature) string {
	if len(sigs) == 0 {
		return "none"
	}
	has := map[string]bool{}
	for _, s := range sigs {
		if s.Result == "pass" && !s.Aligned {
			has["fail"] = true // verified, but for someone else
			continue
		}
		has[s.Result] = true
	}
	for _, r := range []string{"pass", "temperror", "fail", "permerror"} {
		if has[r] {
			return r
		}
	}
	return "none"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func alignedWord(b bool) string {
	if b {
		return "aligned"
	}
	return "unaligned"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
