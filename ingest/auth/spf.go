package auth

import (
	"context"
	"errors"
	"net"
	"strings"

	"blitiri.com.ar/go/spf"

	"github.com/smartbcc/smartbcc/ingest/resolver"
)

// spfIdentity is the domain SPF authorizes (RFC 7208 2.4): the MAIL FROM
// domain, or the HELO name for a null reverse path (bounces), and the
// sender to give check_host for that case.
func spfIdentity(mailFrom, helo string) (domain, sender string) {
	mailFrom = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(mailFrom), "<"), ">")
	if at := strings.LastIndexByte(mailFrom, '@'); at >= 0 {
		return normalizeDomain(mailFrom[at+1:]), mailFrom
	}
	helo = normalizeDomain(helo)
	if helo == "" {
		return "", ""
	}
	return helo, "postmaster@" + helo
}

// checkSPF evaluates SPF for ip and the envelope. result is one of the
// RFC 7208 results; reason explains it in a few words.
func checkSPF(ctx context.Context, r resolver.Resolver, ip net.IP, helo, mailFrom string) (result, domain, reason string) {
	domain, sender := spfIdentity(mailFrom, helo)
	switch {
	case ip == nil:
		return "none", domain, "no client IP"
	case domain == "":
		return "none", "", "no MAIL FROM or HELO domain"
	}
	res, err := spf.CheckHostWithSender(ip, helo, sender, spf.WithResolver(r), spf.WithContext(ctx))
	if err != nil && !errors.Is(err, spf.ErrNoResult) {
		reason = err.Error()
	}
	return string(res), domain, reason
}
