package forward

import (
	"regexp"
	"strings"
)

// Lotus Notes (R4 to R7, the mail of many large companies around 2000)
// forwards a memo under a rule that names the forwarder,
//
//	---------------------- Forwarded by Ann Seller/HOU/ACME on 06/19/2025 03:10 PM ---------------------------
//
// and writes the original's sender and date on one line of their own,
// above To, cc and Subject, with "Please respond to" (the Reply-To) or
// "Sent by:" (a delegate) under it:
//
//	"Maria Ortega" <maria@cliente.example> on 06/19/2025 02:05:09 PM
//	Please respond to <maria@cliente.example>
//	To: <ann@acme.example>
//	cc: ...
//	Subject: ...
//
// A memo from a colleague in the same Notes domain has "From: Carl
// Colleague/HOU/ACME@ACME on 06/19/2025 02:05 PM" or just his Notes name:
// no internet address, so no sender is taken from it. The date is written
// in the forwarder's locale, without a zone.

var (
	// notesRuleRE is the phrase of Notes's rule: "Forwarded by NAME on DATE".
	notesRuleRE = regexp.MustCompile(`(?i)^forwarded by\s.+\son\s.+$`)
	// notesWrappedRE is the first half of a rule wrapped in two lines.
	notesWrappedRE = regexp.MustCompile(`(?i)^-{2,}\s*forwarded by\s.*[^-]$`)
	// notesSenderRE splits "SENDER on DATE TIME [AM|PM]".
	notesSenderRE = regexp.MustCompile(`(?i)^(.*?\S)\s+on\s+(\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?\s?m\.?)?)\s*$`)
	// notesAsideRE are the lines Notes writes between the sender line and To.
	notesAsideRE = regexp.MustCompile(`(?i)^(please respond to\b|sent by:)`)
)

// notesBlock reads the header block of a Lotus Notes forward starting at
// line k (after the rule and its blank lines). ok is false when the lines
// there are not Notes's (the caller then reads them as any client's).
func notesBlock(ls []line, k, d int) (h headers, end int, ok bool) {
	t := strings.TrimSpace(unquote(ls[k].raw, d))
	if _, _, _, isLabel := labelOf(t); isLabel {
		// "From: NAME on DATE": a block of labels whose From holds the date.
		h, end = parseBlock(ls, k, d, true)
		if m := notesSenderRE.FindStringSubmatch(h.v[fieldFrom]); m != nil {
			h.v[fieldFrom] = m[1]
			if !h.has(fieldDate) {
				h.v[fieldDate] = m[2]
			}
		}
		return h, end, h.isBlock()
	}
	m := notesSenderRE.FindStringSubmatch(t)
	if m == nil {
		return h, k, false
	}
	j := k + 1
	for j < len(ls) && ls[j].depth == d && notesAsideRE.MatchString(strings.TrimSpace(unquote(ls[j].raw, d))) {
		j++
	}
	if j >= len(ls) || ls[j].depth != d {
		return h, k, false
	}
	h, end = parseBlock(ls, j, d, false)
	if h.has(fieldFrom) || !(h.has(fieldTo) || h.has(fieldSubject)) {
		return h, k, false
	}
	h.v[fieldFrom] = m[1]
	if !h.has(fieldDate) {
		h.v[fieldDate] = m[2]
	}
	// Notes's labels are English in every locale it wrote these lines
	// in; its all-numeric date is read month first, as the US Notes
	// clients of that mail wrote it, unless it cannot be.
	h.langs = append([]string{"en"}, h.langs...)
	return h, end, true
}
