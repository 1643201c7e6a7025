package auth

import (
	"context"
	"net"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/resolver"
)

// Policy is the DMARC record that applies to the From domain.
type Policy struct {
	Domain    string `json:"domain"`     // where the record was found
	OrgDomain string `json:"org_domain"` // organizational domain of the From domain
	P         string `json:"p"`          // the policy for this From domain (sp= for a subdomain, if set)
	ADKIM     string `json:"adkim"`      // "r" or "s"
	ASPF      string `json:"aspf"`       // "r" or "s"
}

// policyResult is what policy discovery found: a policy, nothing, or a
// temporary failure that may be hiding a policy.
type policyResult struct {
	policy    *Policy
	temporary bool
	problem   string
}

// lookupPolicy discovers the DMARC policy of from (RFC 7489 6.6.3):
// _dmarc.<from>, and only when that holds no DMARC record at all,
// _dmarc.<organizational domain> (go-msgauth's dmarc.Lookup skips that
// step). The record is read by parseDMARC.
func lookupPolicy(ctx context.Context, r resolver.Resolver, from string) policyResult {
	org := orgDomain(from)
	names := []string{from}
	if org != from {
		names = append(names, org)
	}
	for _, name := range names {
		txts, err := r.LookupTXT(ctx, "_dmarc."+name)
		if err != nil {
			if de, ok := err.(*net.DNSError); ok && de.IsNotFound {
				continue
			}
			return policyResult{temporary: true, problem: "DMARC record of " + name + " unavailable"}
		}
		var records []string
		for _, txt := range txts {
			if isDMARCRecord(txt) {
				records = append(records, txt)
			}
		}
		switch len(records) {
		case 0:
			continue
		case 1:
		default:
			// Policy discovery ends here: a receiver cannot know which
			// record the owner meant, so none applies.
			return policyResult{problem: "several DMARC records at " + name}
		}
		rec, err := parseDMARC(records[0])
		if err != nil {
			return policyResult{problem: "DMARC record at " + name + ": " + err.Error()}
		}
		p := rec.Policy
		if name != from && rec.SubdomainPolicy != "" {
			p = rec.SubdomainPolicy
		}
		res := policyResult{policy: &Policy{
			Domain:    name,
			OrgDomain: org,
			P:         p,
			ADKIM:     rec.ADKIM,
			ASPF:      rec.ASPF,
		}}
		if len(rec.Notes) > 0 {
			res.problem = "DMARC record at " + name + ": " + strings.Join(rec.Notes, ", ")
		}
		return res
	}
	return policyResult{}
}
