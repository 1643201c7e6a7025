// Package mailaddr is smartbcc's one reading of email addresses: a strict
// RFC 5322 parser (section 3.4 with the obsolete syntax of section 4 that
// receivers must accept, and RFC 6532's UTF-8) and the canonical form in
// which smartbcc compares addresses.
//
// Every decision that depends on an address (who owns a message, which
// domain authentication aligns with, where a confirmation code is sent)
// uses an Address from this package, and the author of a message is read
// once, by Author. There is no lenient fallback here: input that does not
// parse is an error, never a guess. (A lenient reading for showing
// participants of broken mail lives in ingest/parse and decides nothing.)
//
// The canonical form: the local part's ASCII letters lower case (smartbcc
// matches addresses case-insensitively; non-ASCII letters are lowered only
// to other non-ASCII letters, so that no other letter, such as the capital
// I with dot, becomes an ASCII one) and in Unicode NFC; the domain in IDNA
// ASCII form (UTS 46 lookup mapping), lower case, without a final dot.
package mailaddr

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

	"github.com/smartbcc/smartbcc/ingest/encword"
)

// ErrMalformed is wrapped by every parse error.
var ErrMalformed = errors.New("malformed address")

// Address is one mailbox: a decoded display name (for people; it decides
// nothing) and the canonical address.
type Address struct {
	Name   string // display name, encoded words decoded; may hold any text
	Local  string // canonical local part, unquoted
	Domain string // canonical domain: IDNA ASCII, lower case, or a "[literal]"
}

// Email is the canonical addr-spec, quoted where the local part needs it.
func (a Address) Email() string {
	if a.Local == "" && a.Domain == "" {
		return ""
	}
	return quoteLocal(a.Local) + "@" + a.Domain
}

func (a Address) String() string { return a.Email() }

// IsZero reports the zero Address.
func (a Address) IsZero() bool { return a == Address{} }

// Simple reports an address people type and mail systems agree on: a
// dot-atom local part of at most 64 octets (no quoting, so no specials
// such as "," or "<" that another program could split on) and a domain
// name with at least two labels.
func (a Address) Simple() bool {
	return len(a.Local) <= 64 && isDotAtom(a.Local) &&
		!strings.HasPrefix(a.Domain, "[") && strings.Contains(a.Domain, ".")
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// ParseAddrSpec reads exactly one addr-spec ("local@domain"), optionally
// surrounded by white space; no display name, no angle brackets, no
// comments. White space is the header's (space, tab, CR, LF): a no-break
// space (U+00A0) is a character of the address, as ParseList reads it,
// so that an address reads back as itself.
func ParseAddrSpec(s string) (Address, error) {
	s = strings.Trim(s, " \t\r\n")
	buf := getTokens()
	toks, trailing, err := tokenize(s, *buf)
	defer putTokens(buf, toks)
	if err != nil {
		return Address{}, errorf("%q: %v", s, err)
	}
	for _, t := range toks {
		trailing = trailing || t.space
	}
	if trailing {
		return Address{}, errorf("%q: white space or a comment inside the address", s)
	}
	p := &parser{toks: toks}
	a, err := p.addrSpec(p.words())
	if err == nil && !p.done() {
		err = fmt.Errorf("unexpected %q after the address", p.peek().text)
	}
	if err != nil {
		return Address{}, errorf("%q: %v", s, err)
	}
	return a, nil
}

// ParseSimple reads one addr-spec that is also Simple: what an
// administrator may register as a user's or an alternate address.
func ParseSimple(s string) (Address, error) {
	a, err := ParseAddrSpec(s)
	if err != nil {
		return a, err
	}
	if !a.Simple() {
		return Address{}, errorf("%q: want a plain address (letters, digits and !#$%%&'*+-/=?^_`{|}~ separated by dots, @, a domain name)", s)
	}
	return a, nil
}

// Canonical returns the canonical form of one addr-spec.
func Canonical(s string) (string, error) {
	a, err := ParseAddrSpec(s)
	if err != nil {
		return "", err
	}
	return a.Email(), nil
}

// ParseMailbox reads exactly one mailbox: "Name <local@domain>" or
// "local@domain", with comments and obsolete syntax.
func ParseMailbox(s string) (Address, error) { return ParseMailboxIn(s, "") }

// ParseMailboxIn is ParseMailbox with a display name that is not UTF-8
// read in legacy, as ParseListIn reads names.
func ParseMailboxIn(s, legacy string) (Address, error) {
	list, err := parseList(s, false, legacy)
	if err != nil {
		return Address{}, err
	}
	if len(list) != 1 {
		return Address{}, errorf("%d mailboxes where one is wanted", len(list))
	}
	return list[0], nil
}

// ParseList reads an address-list (To, Cc, Reply-To...): mailboxes and
// groups, whose members are returned in order. It is all or nothing: one
// malformed element makes the whole list an error.
func ParseList(s string) ([]Address, error) { return parseList(s, true, "") }

// ParseMailboxList reads a mailbox-list (From, RFC 5322 3.6.2): like
// ParseList, without groups.
func ParseMailboxList(s string) ([]Address, error) { return parseList(s, false, "") }

// ParseListIn is ParseList for a field of a message whose raw 8-bit header
// text may be in a legacy charset (encword.DecodeIn): a display name that
// is not UTF-8 is read in legacy. Only the names differ from ParseList's:
// an address is read as ParseList reads it (a local part or domain that is
// not UTF-8 is an error), because addresses decide and a charset guess
// must not change which address a field names.
func ParseListIn(s, legacy string) ([]Address, error) { return parseList(s, true, legacy) }

func parseList(s string, groups bool, legacy string) ([]Address, error) {
	buf := getTokens()
	toks, _, err := tokenize(s, *buf)
	defer putTokens(buf, toks)
	if err != nil {
		return nil, errorf("%v", err)
	}
	p := &parser{toks: toks, legacy: legacy}
	var out []Address
	for {
		// obs-addr-list / obs-mbox-list: empty elements are allowed.
		for p.take(",") {
		}
		if p.done() {
			return out, nil
		}
		list, err := p.address(groups)
		if err != nil {
			return nil, errorf("%v", err)
		}
		out = append(out, list...)
		if p.done() {
			return out, nil
		}
		if !p.take(",") {
			return nil, errorf("unexpected %q after an address", p.peek().text)
		}
	}
}

type parser struct {
	toks   []token
	i      int
	legacy string // the charset of display names that are not UTF-8 (ParseListIn)
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) peek() token {
	if p.done() {
		return token{}
	}
	return p.toks[p.i]
}

func (p *parser) isSpecial(c string) bool {
	t := p.peek()
	return t.kind == tkSpecial && t.text == c
}

func (p *parser) take(c string) bool {
	if p.isSpecial(c) {
		p.i++
		return true
	}
	return false
}

// words collects the atoms, quoted strings and dots before the next other
// special: a display name (phrase, obs-phrase) or a local part, which the
// special after it tells apart.
func (p *parser) words() []token {
	start := p.i
	for !p.done() {
		t := p.toks[p.i]
		if t.kind == tkAtom || t.kind == tkQuoted || t.kind == tkEncoded || t.kind == tkSpecial && t.text == "." {
			p.i++
			continue
		}
		break
	}
	return p.toks[start:p.i]
}

// address reads one address: a mailbox, or a group when groups is set.
func (p *parser) address(groups bool) ([]Address, error) {
	ws := p.words()
	switch {
	case p.isSpecial("<"):
		name, err := p.displayName(ws, true)
		if err != nil {
			return nil, err
		}
		a, err := p.angleAddr()
		if err != nil {
			return nil, err
		}
		a.Name = name
		return []Address{a}, nil
	case p.isSpecial("@"):
		a, err := p.addrSpec(ws)
		if err != nil {
			return nil, err
		}
		return []Address{a}, nil
	case p.isSpecial(":"):
		if !groups {
			return nil, fmt.Errorf("a group is not allowed here")
		}
		if _, err := p.displayName(ws, false); err != nil {
			return nil, err
		}
		p.i++
		var members []Address
		for {
			for p.take(",") {
			}
			if p.take(";") {
				return members, nil
			}
			if p.done() {
				return nil, fmt.Errorf("group without the closing \";\"")
			}
			m, err := p.address(false)
			if err != nil {
				return nil, err
			}
			members = append(members, m...)
			if p.take(";") {
				return members, nil
			}
			if !p.take(",") {
				return nil, fmt.Errorf("unexpected %q in a group", p.peek().text)
			}
		}
	case len(ws) == 0 && !p.done():
		return nil, fmt.Errorf("unexpected %q", p.peek().text)
	}
	return nil, fmt.Errorf("no address in %q", joinTokens(ws))
}

// angleAddr reads "<" [obs-route] addr-spec ">".
func (p *parser) angleAddr() (Address, error) {
	p.i++ // "<"
	// obs-route: "@a,@b:" before the address; the route means nothing.
	if p.isSpecial("@") || p.isSpecial(",") {
		for p.take(",") || p.isSpecial("@") {
			if p.take("@") {
				if _, err := p.domain(); err != nil {
					return Address{}, fmt.Errorf("in a route: %v", err)
				}
			}
		}
		if !p.take(":") {
			return Address{}, fmt.Errorf("route without \":\"")
		}
	}
	a, err := p.addrSpec(p.words())
	if err != nil {
		return Address{}, err
	}
	if !p.take(">") {
		if p.done() {
			return Address{}, fmt.Errorf("missing \">\"")
		}
		return Address{}, fmt.Errorf("unexpected %q in angle brackets", p.peek().text)
	}
	return a, nil
}

// addrSpec reads "@" domain after the local part ws.
func (p *parser) addrSpec(ws []token) (Address, error) {
	local, err := localPart(ws)
	if err != nil {
		return Address{}, err
	}
	if !p.take("@") {
		return Address{}, fmt.Errorf("missing \"@\" after %q", joinTokens(ws))
	}
	domain, err := p.domain()
	if err != nil {
		return Address{}, err
	}
	return Address{Local: local, Domain: domain}, nil
}

// localPart checks word *("." word) and returns the canonical local part.
func localPart(ws []token) (string, error) {
	if len(ws) == 0 {
		return "", fmt.Errorf("empty local part")
	}
	n := 0
	for _, t := range ws {
		n += len(t.text)
	}
	var b strings.Builder
	b.Grow(n)
	for i, t := range ws {
		if t.kind == tkEncoded {
			return "", fmt.Errorf("an encoded word is not an address")
		}
		wantWord := i%2 == 0
		isDot := t.kind == tkSpecial
		if wantWord == isDot {
			return "", fmt.Errorf("local part %q is not words separated by dots", joinTokens(ws))
		}
		b.WriteString(t.text)
	}
	if len(ws)%2 == 0 {
		return "", fmt.Errorf("local part %q ends with a dot", joinTokens(ws))
	}
	local := b.String()
	if !utf8.ValidString(local) {
		return "", fmt.Errorf("local part is not UTF-8")
	}
	return CanonicalLocal(local), nil
}

// domain reads dot-atom / obs-domain / domain-literal and canonicalises it.
func (p *parser) domain() (string, error) {
	if t := p.peek(); t.kind == tkLiteral {
		p.i++
		return strings.ToLower(t.text), nil
	}
	var b strings.Builder
	b.Grow(64)
	for {
		t := p.peek()
		if t.kind != tkAtom {
			if b.Len() == 0 {
				return "", fmt.Errorf("missing domain")
			}
			// One final dot is DNS's root: "acme.example." is the name
			// "acme.example" (the canonical form has none), as Postfix
			// reads an envelope address. Two are no name.
			if t.kind == tkSpecial && t.text == "." {
				return "", fmt.Errorf("domain %q ends with two dots", b.String()+".")
			}
			return canonicalDomain(strings.TrimSuffix(b.String(), "."))
		}
		p.i++
		b.WriteString(t.text)
		if !p.take(".") {
			break
		}
		b.WriteByte('.')
	}
	return canonicalDomain(b.String())
}

// displayName turns phrase tokens into text: words separated by one space
// where the header had white space, encoded words decoded (encword).
// RFC 5322 wants a phrase to start with a word; obs-phrase allows dots
// after the first one.
func (p *parser) displayName(ws []token, optional bool) (string, error) {
	if len(ws) == 0 {
		if optional {
			return "", nil
		}
		return "", fmt.Errorf("group without a name")
	}
	if ws[0].kind == tkSpecial {
		return "", fmt.Errorf("display name starts with a dot")
	}
	var b strings.Builder
	for i, t := range ws {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return encword.DecodeIn(b.String(), p.legacy), nil
}

func joinTokens(ws []token) string {
	var b strings.Builder
	for i, t := range ws {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		if t.kind == tkQuoted {
			b.WriteString(`"` + t.text + `"`)
		} else {
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// CanonicalLocal is a local part as an address keeps it: in NFC, its case
// folded by FoldCase.
func CanonicalLocal(s string) string {
	return FoldCase(norm.NFC.String(s))
}

// FoldCase lowers ASCII letters, and other letters only where the lower
// case is not ASCII: the dotted capital I (U+0130) stays as it is, where
// unicode.ToLower would make it "i", and so make İvy@ the address of ivy@.
// (The Kelvin sign stays too; in a local part NFC has made it the letter K
// already.) Every place that compares or stores addresses folds them with
// it (store.CanonicalEmail), never with strings.ToLower.
func FoldCase(s string) string {
	// Nearly every address is ASCII: fold it bytewise, without strings.Map's
	// call per rune (the import folds every participant's address, about
	// 0.2 CPU-seconds of the reference corpus), and without allocating
	// when it is lower case already.
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.Map(foldRune, s)
		}
		if 'A' <= c && c <= 'Z' {
			upper = true
		}
	}
	if !upper {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if l := unicode.ToLower(r); l >= utf8.RuneSelf {
		return l
	}
	return r
}

// idnaProfile is UTS 46 lookup (the Lookup profile) plus the DNS length
// limits: a label of more than 63 octets is no domain anyone can mail.
// StrictDomainName(false) lets an underscore through (see hostByte); the
// other ASCII symbols it would let through too are refused after it.
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.StrictDomainName(false),
	idna.BidiRule(),
	idna.Transitional(false),
	idna.CheckHyphens(true),
	idna.CheckJoiners(true),
	idna.VerifyDNSLength(true),
)

func canonicalDomain(s string) (string, error) {
	if ldhName(s) {
		// What nearly every address has: IDNA leaves such a name as it
		// is but for the case (FuzzCanonicalDomain), at a tenth of the
		// cost.
		return strings.ToLower(s), nil
	}
	return idnaDomain(s)
}

// idnaDomain is canonicalDomain without the ldhName shortcut.
func idnaDomain(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("domain is not UTF-8")
	}
	d, err := idnaProfile.ToASCII(s)
	if err != nil {
		return "", fmt.Errorf("domain %q: %v", s, err)
	}
	// Checked on what IDNA made of the name: it maps some characters to
	// ASCII symbols (a fullwidth plus sign to "+").
	for i := 0; i < len(d); i++ {
		if d[i] != '.' && !hostByte(d[i]) {
			return "", fmt.Errorf("domain %q: %q is not allowed in a domain name", s, d[i])
		}
	}
	return strings.ToLower(d), nil
}

// hostByte reports the ASCII bytes a label may have: letters, digits,
// hyphens, and the underscore. The underscore is atext (RFC 5322) and
// allowed in any DNS label (RFC 2181, section 11); internal hosts and old
// archives have addresses with one, and refusing them dropped those
// recipients from what show lists. The other atext symbols (+, =, / ...)
// are in no host name.
func hostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// ldhName reports a domain name canonicalDomain may take without IDNA:
// ASCII letters, digits, hyphens and underscores (hostByte) in labels of
// 1 to 63 octets, none starting or ending with a hyphen or with hyphens
// as its third and fourth characters (where "xn--" labels are, which IDNA
// checks), at most 253 octets in all.
func ldhName(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			if !hostByte(s[i]) {
				return false
			}
			continue
		}
		l := s[start:i]
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' || len(l) >= 4 && l[2] == '-' && l[3] == '-' {
			return false
		}
		start = i + 1
	}
	return true
}

// isDotAtom reports dot-atom-text: atext runs separated by single dots.
func isDotAtom(s string) bool {
	if s == "" {
		return false
	}
	for seg := range strings.SplitSeq(s, ".") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			if !isAtext(seg[i]) {
				return false
			}
		}
	}
	return true
}

// quoteLocal writes a local part as a dot-atom when it is one, else as a
// quoted-string.
func quoteLocal(s string) string {
	if isDotAtom(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
