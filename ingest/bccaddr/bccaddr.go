// Package bccaddr makes and reads the company's Bcc addresses.
//
// The universal address is <slug>@<domain>. Deals and leads each have their
// own address <slug>+deal-<token>@<domain> / <slug>+lead-<token>@<domain>,
// where token carries 128 random bits so an outsider cannot aim mail at a
// deal by guessing. Replies to a confirmation email go to
// <slug>+confirm-<code>@<domain>.
//
// Parse is the one place that reads an address back; both the commands that
// print addresses and the ingest pipeline that receives mail use it.
package bccaddr

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// Kind says what a Bcc address points at.
type Kind string

const (
	Universal Kind = "universal"
	Deal      Kind = "deal"
	Lead      Kind = "lead"
	Confirm   Kind = "confirm"
)

// Target is a parsed Bcc address.
type Target struct {
	Kind  Kind
	Token string // deal/lead token or confirmation code; "" for Universal
}

// tokenEncoding is lowercase base32 without padding: safe in a local part,
// case-insensitive like most MTAs treat local parts.
var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a fresh token of 128 random bits (26 characters).
func NewToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("reading random token: %w", err)
	}
	return tokenEncoding.EncodeToString(b[:]), nil
}

// Slug turns a company name into the local part of its universal address:
// lowercase ASCII letters and digits, other runs folded into one '-'. A
// Latin letter with a diacritic keeps its base letter (Bücher & Söhne is
// bucher-sohne, not b-cher-s-hne), fullwidth letters are ASCII (NFKD), and
// the letters NFKD leaves whole are spelled as in transliteration.
func Slug(company string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(company)) {
		if unicode.Is(unicode.Mn, r) {
			continue // the accent of a decomposed letter
		}
		spelled, ok := latinSpelling[r]
		if !ok {
			spelled = string(r)
		}
		for _, c := range spelled {
			if c < 128 && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
				b.WriteRune(c)
				dash = false
			} else if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// MaxSlug is the longest slug: the longest address made from it,
// <slug>+deal-<token> (a token is 26 characters), keeps its local part
// within the 64 octets RFC 5321 lets a mail server refuse beyond.
const MaxSlug = 64 - len("+deal-") - 26

// CheckSlug says why slug cannot be the local part of the universal
// address, or returns nil. A slug is a dot-atom that Parse reads back as
// typed: lower-case ASCII letters and digits, with '-', '_' and single '.'
// between them; no '+', which separates a deal's or lead's token (and is
// Postfix's recipient delimiter), and no leading '-', which Postfix
// refuses in an address (allow_min_user). The slug is fixed at init: every
// address handed out contains it.
func CheckSlug(slug string) error {
	switch {
	case slug == "":
		return fmt.Errorf("it is empty")
	case len(slug) > MaxSlug:
		return fmt.Errorf("it is %d characters, the most is %d (a deal's address adds 32)", len(slug), MaxSlug)
	}
	for i, c := range slug {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.':
			if i == 0 || i == len(slug)-1 {
				return fmt.Errorf("it must begin and end with a letter or digit")
			}
			if c == '.' && slug[i-1] == '.' {
				return fmt.Errorf("two dots in a row")
			}
		case c >= 'A' && c <= 'Z':
			return fmt.Errorf("it has upper-case letters (addresses are read in lower case)")
		default:
			return fmt.Errorf("%q is not allowed: use lower-case letters a-z, digits, '-', '_' and '.'", c)
		}
	}
	return nil
}

// latinSpelling spells the lower-case Latin letters that NFKD does not
// decompose into a base letter and a mark.
var latinSpelling = map[rune]string{
	'ß': "ss", 'æ': "ae", 'ø': "o", 'œ': "oe", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i", 'ħ': "h",
}

// Address builds the address for a target.
func Address(slug, domain string, t Target) string {
	local := slug
	if t.Kind != Universal && t.Kind != "" {
		local = slug + "+" + string(t.Kind) + "-" + t.Token
	}
	return local + "@" + strings.ToLower(domain)
}

// Parse reads addr back into a Target. ok is false when addr is not one of
// the company's Bcc addresses at all. A well-formed address with a token
// that does not exist still parses; the caller looks the token up, and
// must refuse unknown tokens exactly as it refuses foreign addresses so that
// a guess reveals nothing.
func Parse(addr, slug, domain string) (Target, bool) {
	// Read as mailaddr reads a local part (NFC, then its case folded: a
	// letter whose lower case is ASCII folds only when it is ASCII itself,
	// so that the dotted capital I (U+0130) is not read as "i"; the Kelvin
	// sign is the letter K by NFC). The domain is ASCII, where that is
	// plain lower case.
	addr = mailaddr.CanonicalLocal(strings.TrimSpace(addr))
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return Target{}, false
	}
	local, dom := addr[:at], strings.TrimSuffix(addr[at+1:], ".")
	if dom != mailaddr.FoldCase(domain) || slug == "" {
		return Target{}, false
	}
	if local == slug {
		return Target{Kind: Universal}, true
	}
	rest, found := strings.CutPrefix(local, slug+"+")
	if !found {
		return Target{}, false
	}
	kind, token, found := strings.Cut(rest, "-")
	if !found || token == "" || !validToken(token) {
		return Target{}, false
	}
	switch Kind(kind) {
	case Deal, Lead, Confirm:
		return Target{Kind: Kind(kind), Token: token}, true
	}
	return Target{}, false
}

func validToken(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}
