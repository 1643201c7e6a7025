package auth

import (
	"fmt"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/ingest/parse"
)

// fromDomain returns the domain DMARC aligns against (RFC 7489 3.1): the
// domain of the author the caller read. A message with more than one From
// field (counted the way the DKIM verifier picks fields: parse.Fields.Count)
// has no one From a signature can be said to cover, since DKIM signs the
// bottom-most instance, so it has no domain either. ingest refuses such
// mail before it gets here; this is for every other caller. problem says
// why there is no domain.
func fromDomain(author mailaddr.Address, authorErr error, raw []byte) (domain, problem string) {
	fields, _ := parse.ReadFields(raw)
	if n := fields.Count("From"); n > 1 {
		return "", fmt.Sprintf("%d From fields", n)
	}
	if author.IsZero() {
		if authorErr != nil {
			return "", authorErr.Error()
		}
		return "", "no single From address"
	}
	if author.Domain == "" || strings.HasPrefix(author.Domain, "[") {
		return "", "From address has no domain name"
	}
	return normalizeDomain(author.Domain), ""
}
