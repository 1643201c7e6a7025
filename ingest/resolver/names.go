package resolver

import (
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// Names cross this package in two forms.
//
// Callers (SPF, DKIM, DMARC) pass and receive names as text: labels
// separated by dots, every other byte standing for itself. An SPF macro
// such as %{l} puts a local part into a name byte for byte, so
// "o'brien.allow.example.com" and a name with a space or a UTF-8 byte are
// normal questions.
//
// miekg/dns speaks presentation form (RFC 1035 5.1): it escapes a space,
// a quote, a backslash and the other special characters ("o\'brien"), and
// bytes outside printable ASCII as \DDD. A zone file may write the same
// owner either way. Every name that comes from miekg/dns is therefore
// turned into text before it is compared or handed on, and every question
// is escaped before miekg/dns packs it: a name is found whichever way it
// was written.
//
// A text name that DNS cannot carry (an empty label, a label over 63
// octets, more than 255 octets in all) names nothing: it is not found, as
// RFC 7208 4.3 asks for SPF and as net.Resolver does. It is never a
// temporary failure, which would make a retry ask the same impossible
// question until the mail expires in the queue.

// maxLabel and maxName are RFC 1035 2.3.4's limits, in wire octets (the
// name's total counts each label's length byte and the root's zero).
const (
	maxLabel = 63
	maxName  = 255
)

// invalidName says why text cannot be asked in DNS, or "" if it can.
func invalidName(text string) string {
	name := strings.TrimSuffix(text, ".")
	if name == "" {
		if text == "." {
			return "" // the root
		}
		return "empty name"
	}
	wire := 1 // the root label
	for label := range strings.SplitSeq(name, ".") {
		switch {
		case label == "":
			return "empty label"
		case len(label) > maxLabel:
			return "label longer than 63 octets"
		}
		wire += 1 + len(label)
	}
	if wire > maxName {
		return "name longer than 255 octets"
	}
	return ""
}

// invalid is the error for a name DNS cannot carry: not found, with the
// reason in the text.
func invalid(text, server, why string) error {
	e := NotFound(text, server)
	e.Err = "invalid domain name (" + why + ")"
	return e
}

// presentation escapes a text name for miekg/dns, fully qualified.
func presentation(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '.':
			b.WriteByte(c)
		case c == ' ' || c == '\'' || c == '@' || c == ';' || c == '(' || c == ')' || c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < '!' || c > '~':
			b.WriteString(`\` + pad3(int(c)))
		default:
			b.WriteByte(c)
		}
	}
	return dns.Fqdn(b.String())
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	return strings.Repeat("0", 3-len(s)) + s
}

// textName turns a presentation-form name from miekg/dns into text. ok is
// false for a name that has no text form (a label holding a dot) or that is
// not a well-formed name: such a name cannot be the one a caller asked for.
func textName(p string) (text string, ok bool) {
	if strings.IndexByte(p, '\\') < 0 {
		return p, true
	}
	buf := make([]byte, maxName+1)
	n, err := dns.PackDomainName(dns.Fqdn(p), buf, 0, nil, false)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	for off := 0; off < n; {
		l := int(buf[off])
		off++
		if l == 0 {
			break
		}
		label := buf[off : off+l]
		for _, c := range label {
			if c == '.' {
				return "", false
			}
		}
		b.Write(label)
		b.WriteByte('.')
		off += l
	}
	if b.Len() == 0 {
		return ".", true
	}
	return b.String(), true
}

// canonical is the form every implementation compares text names in:
// ASCII letters in lower case (RFC 4343: other bytes compare exactly),
// without the trailing dot.
func canonical(name string) string {
	return strings.TrimSuffix(lowerASCII(name), ".")
}

// fqdn is canonical with the trailing dot, the form net.Resolver returns for
// MX hosts and PTR names.
func fqdn(name string) string {
	return canonical(name) + "."
}

// canonicalPresentation is canonical for a name from miekg/dns; "" when
// the name has no text form.
func canonicalPresentation(p string) string {
	t, ok := textName(p)
	if !ok {
		return ""
	}
	return canonical(t)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
