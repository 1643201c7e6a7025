package auth

import (
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// TrustAuthResults reads the verdict an earlier receiver recorded, for
// archive imports whose DNS has long changed. Only Authentication-Results
// fields from authservID count (RFC 8601 5: anyone can write the others),
// and of those only the first, topmost one: the receiver we trust adds its
// own on top, so any lower one with the same id was forged upstream.
//
// Alignment is relaxed (no DMARC record is looked up), unless the trusted
// receiver reported a dmarc= result for this From domain, which was
// computed with the real policy and so wins.
//
// from is the message's author as the caller read it, fromErr why there
// is none (see Input.From).
func TrustAuthResults(raw []byte, from mailaddr.Address, fromErr error, authservID string) (*Verdict, error) {
	fields, err := readHeader(raw)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Mode: ModeTrustPrefix + authservID, SPF: "none", DMARC: "none"}
	fromDom, fromProblem := fromDomain(from, fromErr, raw)
	v.FromDomain = fromDom

	results, found := trustedResults(fields, authservID)
	var dmarcResult *authres.DMARCResult
	spfSeen := false
	for _, r := range results {
		switch r := r.(type) {
		case *authres.DKIMResult:
			if res := dkimValue(r.Value); res != "" {
				v.Signatures = append(v.Signatures, Signature{
					Domain: normalizeDomain(r.Domain),
					Result: res,
					Reason: r.Reason,
				})
			}
		case *authres.SPFResult:
			if spfSeen {
				continue
			}
			spfSeen = true
			v.SPF = spfValue(r.Value)
			v.SPFDomain, _ = spfIdentity(r.From, r.Helo)
		case *authres.DMARCResult:
			if dmarcResult == nil {
				dmarcResult = r
			}
		}
	}
	v.decide(false, false, false)

	problem := ""
	if !found {
		problem = "no Authentication-Results from " + authservID
	}
	if d := dmarcResult; d != nil && fromDom != "" && (d.From == "" || normalizeDomain(d.From) == fromDom) {
		switch d.Value {
		case authres.ResultPass, authres.ResultFail:
			v.DMARC = string(d.Value)
			if receiverSays := d.Value == authres.ResultPass; receiverSays != v.Aligned {
				problem = joinReasons(problem, "DMARC result of "+authservID+" overrides relaxed alignment")
				v.Aligned = receiverSays
			}
		case authres.ResultTempError:
			v.DMARC = "temperror"
		}
	}
	v.Reason = joinReasons(fromProblem, problem)
	return v, nil
}

// trustedResults returns the results of the first Authentication-Results
// field whose authserv-id is id. Comments are stripped first: go-msgauth's
// parser splits on every ';', including those inside comments. A result it
// cannot parse ends the list; the ones before it still count.
func trustedResults(fields []field, id string) (results []authres.Result, found bool) {
	for _, value := range values(fields, "Authentication-Results") {
		got, results, _ := authres.Parse(stripComments(value))
		if strings.EqualFold(got, id) && got != "" {
			return results, true
		}
	}
	return nil, false
}

// dkimValue maps a recorded DKIM result to ours; "" drops it ("none":
// there was no signature).
func dkimValue(v authres.ResultValue) string {
	switch v {
	case authres.ResultPass, authres.ResultTempError, authres.ResultPermError:
		return string(v)
	case authres.ResultNone:
		return ""
	default: // fail, neutral, policy, hardfail
		return "fail"
	}
}

func spfValue(v authres.ResultValue) string {
	switch v {
	case authres.ResultPass, authres.ResultFail, authres.ResultSoftFail, authres.ResultNeutral,
		authres.ResultTempError, authres.ResultPermError, authres.ResultNone:
		return string(v)
	case authres.ResultHardFail:
		return "fail"
	default:
		return "permerror"
	}
}

// stripComments removes RFC 5322 comments: parenthesised text, nested,
// with backslash quoting, outside quoted strings. Each comment becomes one
// space so that the tokens on either side stay apart. An unterminated
// comment runs to the end; an unterminated quoted string is kept as is.
func stripComments(s string) string {
	if strings.IndexByte(s, '(') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	depth := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case depth > 0:
			switch c {
			case '\\':
				i++ // quoted-pair: the next byte is literal
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					b.WriteByte(' ')
				}
			}
		case inQuote:
			b.WriteByte(c)
			switch c {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case '"':
				inQuote = false
			}
		case c == '"':
			inQuote = true
			b.WriteByte(c)
		case c == '(':
			depth = 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
