package auth

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// dmarcRecord is a DMARC policy record (RFC 7489 6.3) as a receiver applies it:
// defaults filled in, invalid optional tags replaced by their defaults.
type dmarcRecord struct {
	Policy          string // p: none, quarantine or reject
	SubdomainPolicy string // sp: as Policy; "" when absent (p applies)
	ADKIM           string // "r" or "s"
	ASPF            string // "r" or "s"
	Percent         int    // pct, 0 to 100
	ReportURIs      []string
	// Notes say what was read differently from what was written: an
	// invalid tag replaced by its default, a policy taken as none.
	Notes []string
}

// Why a TXT record yields no DMARC policy.
var (
	// errNotDMARC: the record does not start with v=DMARC1; RFC 7489
	// 6.6.3 step 2 discards it as if it were not there.
	errNotDMARC = errors.New("not a DMARC record")
	// errNoPolicy: no valid p (or an invalid sp) and no valid rua; 6.6.3
	// step 6: no DMARC processing applies.
	errNoPolicy = errors.New("no valid policy (p=) and no valid report address (rua=)")
)

// parseDMARC reads a DMARC record as published. It replaces go-msgauth's
// dmarc.Parse, which is case-sensitive and fails the whole record over any
// bad tag, so that "adkim=S" gave relaxed alignment to a domain that asked
// for strict. The rules, from RFC 7489:
//
//   - The record is a tag list separated by ";" with optional spaces and
//     tabs around "=" and ";" (6.4). Tag names and values are
//     case-insensitive, as every literal of the ABNF is (RFC 5234 2.3),
//     except the version, which is written in %x form: the first tag must
//     be v with the exact value DMARC1 (6.3, "MUST match precisely"),
//     otherwise the record is not a DMARC record.
//   - p= may stand anywhere after v=: 6.4's grammar wants it second, but
//     receivers in use accept it anywhere and the owner's intent is plain.
//   - Unknown tags are ignored; a tag given twice counts the first time.
//   - An invalid adkim, aspf or pct takes its default (r, r, 100): "syntax
//     errors in the remainder of the record SHOULD be discarded in favor
//     of default values" (6.3).
//   - A missing or invalid p, or an invalid sp, makes the record apply as
//     p=none when rua holds at least one valid URI, and makes it no policy
//     at all otherwise (6.6.3 step 6). Only p and sp are replaced: the
//     alignment the owner asked for still applies.
func parseDMARC(txt string) (*dmarcRecord, error) {
	tags := strings.Split(txt, ";")
	name, value, ok := strings.Cut(tags[0], "=")
	if !ok || !strings.EqualFold(trimWSP(name), "v") || trimWSP(value) != "DMARC1" {
		return nil, errNotDMARC
	}
	r := &dmarcRecord{ADKIM: "r", ASPF: "r", Percent: 100}
	var p, sp string
	pSeen, spSeen, ruaSeen := false, false, false
	seen := map[string]bool{}
	for _, tag := range tags[1:] {
		name, value, ok := strings.Cut(tag, "=")
		name, value = strings.ToLower(trimWSP(name)), trimWSP(value)
		if !ok || name == "" {
			if trimWSP(tag) != "" {
				r.note("ignored " + quoteTag(tag))
			}
			continue
		}
		if seen[name] {
			r.note("ignored the second " + name + "=")
			continue
		}
		seen[name] = true
		lower := strings.ToLower(value)
		switch name {
		case "p":
			pSeen, p = true, lower
		case "sp":
			spSeen, sp = true, lower
		case "adkim", "aspf":
			mode := &r.ADKIM
			if name == "aspf" {
				mode = &r.ASPF
			}
			if lower == "r" || lower == "s" {
				*mode = lower
			} else {
				r.note("invalid " + name + "=" + value + ", relaxed used")
			}
		case "pct":
			n, err := strconv.Atoi(value)
			if err != nil || len(value) > 3 || n > 100 || value == "" || !allDigits(value) {
				r.note("invalid pct=" + value + ", 100 used")
			} else {
				r.Percent = n
			}
		case "rua":
			ruaSeen = true
			r.ReportURIs = reportURIs(value)
		}
	}
	validPolicy := func(s string) bool { return s == "none" || s == "quarantine" || s == "reject" }
	pOK := pSeen && validPolicy(p)
	spOK := !spSeen || validPolicy(sp)
	if pOK && spOK {
		r.Policy = p
		if spSeen {
			r.SubdomainPolicy = sp
		}
		return r, nil
	}
	if len(r.ReportURIs) == 0 {
		if ruaSeen {
			return nil, errors.New("no valid policy (p=) and no valid URI in rua=")
		}
		return nil, errNoPolicy
	}
	r.Policy = "none"
	switch {
	case !pSeen:
		r.note("no p=, applied as p=none because rua= is valid")
	case !pOK:
		r.note("invalid p=" + p + ", applied as p=none because rua= is valid")
	default:
		r.note("invalid sp=" + sp + ", applied as p=none because rua= is valid")
	}
	return r, nil
}

func (r *dmarcRecord) note(s string) { r.Notes = append(r.Notes, s) }

// isDMARCRecord applies RFC 7489 6.6.3 step 2: records not starting with
// v=DMARC1 are not DMARC records and are ignored.
func isDMARCRecord(txt string) bool {
	_, err := parseDMARC(txt)
	return !errors.Is(err, errNotDMARC)
}

// reportURIs returns the syntactically valid URIs of a rua or ruf value
// (6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ], commas
// separating them). A URI must be absolute: it has a scheme.
func reportURIs(value string) []string {
	var out []string
	for u := range strings.SplitSeq(value, ",") {
		u = trimWSP(u)
		if i := strings.LastIndexByte(u, '!'); i >= 0 && validSizeLimit(u[i+1:]) {
			u = u[:i]
		}
		parsed, err := url.Parse(u)
		if err != nil || parsed.Scheme == "" || (parsed.Opaque == "" && parsed.Host == "" && parsed.Path == "") {
			continue
		}
		out = append(out, u)
	}
	return out
}

func validSizeLimit(s string) bool {
	if s == "" {
		return false
	}
	if last := s[len(s)-1]; strings.IndexByte("kmgtKMGT", last) >= 0 {
		s = s[:len(s)-1]
	}
	return s != "" && allDigits(s)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trimWSP removes the spaces and tabs the grammar allows around tags.
func trimWSP(s string) string { return strings.Trim(s, " \t") }

func quoteTag(s string) string {
	s = trimWSP(s)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strconv.Quote(s)
}
