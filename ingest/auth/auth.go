// Package auth decides whether a message really comes from the domain in
// its From header: DKIM and SPF, each counted only when aligned with that
// domain as DMARC (RFC 7489) defines it. Mail passes when either aligned
// check passes; "when both DKIM and SPF fail, the mail is not synced".
//
// The verdict is kept apart from the error, as in mox's spf package: Check
// fails only for input that is not a message; every DNS or signature
// problem is a result in the Verdict.
package auth

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/ingest/resolver"
)

// DefaultTimeout bounds all DNS work for one message when Checker.Timeout
// is zero; Postfix's pipe has its own, longer, limit.
const DefaultTimeout = 30 * time.Second

// Input is one message and the envelope it arrived with.
type Input struct {
	Raw []byte // the whole message, for DKIM
	// From is the message's author as the caller read it, once
	// (mailaddr.Author): its domain is what DKIM and SPF must align with.
	// Check never reads From out of Raw itself, so that the address
	// authenticated and the address that decides the owner are one
	// value. The zero Address (no single author) passes nothing;
	// FromError then says why there is none.
	From      mailaddr.Address
	FromError error
	ClientIP  net.IP // the SMTP client; nil skips SPF (result none)
	Helo      string
	MailFrom  string // reverse path; empty for bounces
}

// Checker verifies messages against DNS.
type Checker struct {
	Resolver resolver.Resolver
	Timeout  time.Duration
}

// Check authenticates in. The error is only for input that cannot be read
// as a message at all (ErrNotMessage); DNS trouble is a temperror in the
// verdict.
func (c *Checker) Check(ctx context.Context, in Input) (*Verdict, error) {
	fields, err := readHeader(in.Raw)
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r := anonymous{c.Resolver}
	v := &Verdict{Mode: ModeVerify, DMARC: "none"}
	from, fromProblem := fromDomain(in.From, in.FromError, in.Raw)
	v.FromDomain = from

	// The three checks are independent DNS round trips: run them at once.
	var (
		wg                    sync.WaitGroup
		pol                   policyResult
		sigs                  []Signature
		dkimProblem           string
		spfResult, spfProblem string
	)
	wg.Go(func() {
		if from != "" {
			pol = lookupPolicy(ctx, r, from)
		}
	})
	wg.Go(func() { sigs, dkimProblem = verifyDKIM(ctx, r, in.Raw, fields) })
	wg.Go(func() {
		spfResult, v.SPFDomain, spfProblem = checkSPF(ctx, r, in.ClientIP, in.Helo, in.MailFrom)
	})
	wg.Wait()

	v.Signatures, v.SPF, v.Policy = sigs, spfResult, pol.policy
	strictDKIM := pol.policy != nil && pol.policy.ADKIM == "s"
	strictSPF := pol.policy != nil && pol.policy.ASPF == "s"
	v.decide(strictDKIM, strictSPF, pol.temporary)
	switch {
	case pol.temporary:
		v.DMARC = "temperror"
	case pol.policy != nil && v.Aligned:
		v.DMARC = "pass"
	case pol.policy != nil:
		v.DMARC = "fail"
	}
	v.Reason = joinReasons(fromProblem, pol.problem, dkimProblem, spfProblemIfRelevant(spfResult, spfProblem))
	return v, nil
}

// spfProblemIfRelevant keeps the SPF explanation only where it explains a
// result that is not self-evident ("matched ip" after a pass says little).
func spfProblemIfRelevant(result, problem string) string {
	switch result {
	case "pass", "fail", "softfail", "neutral":
		return ""
	}
	if problem == "" {
		return ""
	}
	return "SPF: " + problem
}

func joinReasons(reasons ...string) string {
	out := ""
	for _, r := range reasons {
		if r == "" {
			continue
		}
		if out != "" {
			out += "; "
		}
		out += r
	}
	return out
}
