package auth

import (
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// normalizeDomain is the form domains are compared in: lower case as
// every address is (mailaddr.FoldCase: a dotted capital I in a d= or MAIL
// FROM domain is not the "i" of the From domain), no trailing dot.
func normalizeDomain(d string) string {
	return strings.TrimSuffix(mailaddr.FoldCase(strings.TrimSpace(d)), ".")
}

// orgDomain is the organizational domain of RFC 7489 3.2: one label below
// the public suffix. A domain that is itself a public suffix (or that the
// list cannot judge) is its own organizational domain.
func orgDomain(domain string) string {
	domain = normalizeDomain(domain)
	org, err := publicsuffix.EffectiveTLDPlusOne(domain)
	if err != nil {
		return domain
	}
	return org
}

// aligned reports identifier alignment (RFC 7489 3.1): strict means the
// same domain, relaxed the same organizational domain.
func aligned(domain, from string, strict bool) bool {
	domain, from = normalizeDomain(domain), normalizeDomain(from)
	if domain == "" || from == "" {
		return false
	}
	if domain == from {
		return true
	}
	return !strict && orgDomain(domain) == orgDomain(from)
}
