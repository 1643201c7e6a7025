package auth

import (
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
)

// addressParser decodes encoded-word display names leniently: an unknown
// charset in the name must not hide the address, which is all we need.
var addressParser = mail.AddressParser{WordDecoder: &mime.WordDecoder{
	CharsetReader: func(_ string, input io.Reader) (io.Reader, error) { return input, nil },
}}

// fromDomain returns the domain of the single author address in the From
// field, which DMARC aligns against (RFC 7489 3.1). Anything else (no From,
// several From fields, several or no addresses) has no one domain to align
// with, so the message cannot pass; problem says why.
func fromDomain(fields []field) (domain, problem string) {
	froms := values(fields, "From")
	switch len(froms) {
	case 0:
		return "", "no From header"
	case 1:
	default:
		return "", fmt.Sprintf("%d From headers", len(froms))
	}
	list, err := addressParser.ParseList(froms[0])
	if err != nil {
		return "", fmt.Sprintf("unparseable From header: %v", err)
	}
	switch len(list) {
	case 0:
		return "", "From header has no address"
	case 1:
	default:
		return "", fmt.Sprintf("From header has %d addresses", len(list))
	}
	at := strings.LastIndexByte(list[0].Address, '@')
	domain = normalizeDomain(list[0].Address[at+1:])
	if at < 0 || domain == "" {
		return "", "From address has no domain"
	}
	return domain, ""
}
