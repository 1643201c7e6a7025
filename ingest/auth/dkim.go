package auth

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/ingest/resolver"
)

// Signature is the outcome of one DKIM-Signature field.
type Signature struct {
	Domain    string `json:"domain"`    // d=
	Selector  string `json:"selector"`  // s=
	Algorithm string `json:"algorithm"` // a=
	Result    string `json:"result"`    // pass, fail, temperror, permerror
	Reason    string `json:"reason,omitempty"`
	Aligned   bool   `json:"aligned"` // d= is aligned with the From domain
}

// maxSignatures bounds the work one message can make us do; a mailing
// list hop adds one signature, nobody needs ten.
const maxSignatures = 10

// verifyDKIM checks every DKIM signature of raw, asking r for the keys.
// problem is set when the verifier could not read the message at all.
func verifyDKIM(ctx context.Context, r resolver.Resolver, raw []byte, fields []field) (sigs []Signature, problem string) {
	opts := &dkim.VerifyOptions{
		// The errors of r are bare *net.DNSError, which go-msgauth needs
		// to tell temperror from permerror.
		LookupTXT:        func(name string) ([]string, error) { return r.LookupTXT(ctx, name) },
		MaxVerifications: maxSignatures,
	}
	tags := values(fields, "DKIM-Signature")
	if len(tags) == 0 {
		return nil, "" // nothing to verify: skip reading the body
	}
	// The verifier reads the fields parse reads: after a byte order mark,
	// which parse skips (parse.ReadFields). Given it, go-msgauth names the
	// first field "\ufeffReferences", and a References put there on top of
	// a message whose signature lists References as absent (oversigning)
	// would pass, and thread the message as the attacker likes.
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(withEmptyLine(bytes.TrimPrefix(raw, byteOrderMark))), opts)
	switch {
	case errors.Is(err, dkim.ErrTooManySignatures):
		problem = "only the first 10 DKIM signatures were checked"
	case err != nil:
		// The verifier could not read the message: every signature is
		// unverifiable, which is permanent (the bytes will not change).
		for _, tag := range tags {
			t := tagList(tag)
			sigs = append(sigs, Signature{Domain: normalizeDomain(t["d"]), Selector: t["s"], Algorithm: t["a"],
				Result: "permerror", Reason: "unreadable message: " + err.Error()})
		}
		return sigs, ""
	}
	// The fields that decide, as parse reads them, for every signature
	// that passes (unsignedSingleton).
	deciding, _ := parse.ReadFields(raw)
	// go-msgauth returns one verification per signature field in header
	// order, but not the selector or algorithm: take those from the fields.
	for i, v := range verifs {
		s := Signature{Domain: normalizeDomain(v.Domain), Result: "pass"}
		if i < len(tags) {
			t := tagList(tags[i])
			s.Selector, s.Algorithm = t["s"], t["a"]
			if s.Domain == "" {
				s.Domain = normalizeDomain(t["d"])
			}
		}
		if v.Err == nil {
			// DKIM vouches only for what it signs. A field that decides
			// (parse.Singletons) present in the message but left out of
			// h= can have been added or changed by anyone who holds a copy
			// (issue 11.2: a genuine signed message given a References
			// field it did not have is threaded, and stored again, as the
			// attacker likes): such a signature does not pass.
			if name := unsignedSingleton(deciding, v.HeaderKeys); name != "" {
				s.Result, s.Reason = "fail", "the signature does not cover the "+name+" field"
			}
		}
		if v.Err != nil {
			s.Reason = strings.TrimPrefix(v.Err.Error(), "dkim: ")
			switch {
			case dkim.IsTempFail(v.Err):
				s.Result = "temperror"
			case dkim.IsPermFail(v.Err):
				s.Result = "permerror"
			default:
				s.Result = "fail"
			}
		}
		sigs = append(sigs, s)
	}
	return sigs, problem
}

// unsignedSingleton returns the first field of parse.Singletons present in
// fs that signed (a signature's h=) does not name, or "". Presence is read
// as parse reads the fields that decide (fs is parse.ReadFields', counted
// as Fields.Count counts), not by readHeader, which skips a field with
// white space before its colon and does not know a byte order mark:
// "References : <x>" on top of a genuine message threads it all the same.
func unsignedSingleton(fs parse.Fields, signed []string) string {
	for _, name := range parse.Singletons {
		present := fs.Count(name) > 0
		if present && !slices.ContainsFunc(signed, func(k string) bool { return strings.EqualFold(strings.TrimSpace(k), name) }) {
			return name
		}
	}
	return ""
}

// tagList reads a DKIM tag=value list (RFC 6376 3.2), whitespace removed.
func tagList(s string) map[string]string {
	tags := map[string]string{}
	for part := range strings.SplitSeq(s, ";") {
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		tags[strings.TrimSpace(k)] = strings.Join(strings.Fields(v), "")
	}
	return tags
}

// withEmptyLine returns raw with the empty line that ends a header added
// when raw is a header alone. RFC 5322 3.5 makes the empty line optional
// when there is no body, but go-msgauth cannot read such a message and
// fails every signature as permerror. The body of such a message is
// empty, and an empty body canonicalises the same with or without the
// empty line (RFC 6376 3.4.3, 3.4.4), so the signer hashed exactly this.
// The line ending follows the message's own; raw itself is not changed.
func withEmptyLine(raw []byte) []byte {
	for rest := raw; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return raw // the header ends before the end of the message
		}
	}
	eol := []byte("\r\n")
	if !bytes.Contains(raw, eol) && bytes.IndexByte(raw, '\n') >= 0 {
		eol = []byte("\n")
	}
	out := make([]byte, 0, len(raw)+2*len(eol))
	out = append(out, raw...)
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, eol...)
	}
	return append(out, eol...)
}
