// Package subject normalizes mail subjects for threading: it strips the
// reply and forward prefixes that mail clients in many languages stack in
// front of the original subject, so that "Re: AW: Fwd: Quote" and "quote"
// land in the same thread.
//
// Bracketed tags: a leading tag without whitespace inside, like "[EXTERNAL]"
// (added by corporate gateways) or "[sales-list]" (added by mailing lists),
// is stripped wherever it sits among the prefixes, because gateways and lists
// add it to some copies of a conversation and not to others. Tags containing
// spaces ("[Ticket 4711]") and tags after the first word of the real subject
// are kept: they usually carry meaning the sender typed.
package subject

import (
	"regexp"
	"sort"
	"strings"
)

// replyPrefixes are the abbreviations clients put in front of a reply.
var replyPrefixes = []string{
	"re", "aw", "antw", "antwort", "sv", "rif", "r", "res", "odp", "ynt",
	"vá", "válasz", "hv", "atb", "回复", "答复", "回覆", "答覆", "返信",
	"ответ", "отв", "απ", "σχετ",
}

// forwardPrefixes are the abbreviations clients put in front of a forward.
// "Vs" is the Norwegian/Danish forward ("videresend"); Finnish uses the same
// letters for a reply, but the Scandinavian meaning is the common one in the
// mail we see, so it counts as a forward.
var forwardPrefixes = []string{
	"fw", "fwd", "wg", "tr", "i", "vs", "vb", "vl", "rv", "enc", "doorst",
	"pd", "fs", "ilt", "redir", "videresend", "videresendt", "továbbítás",
	"转发", "轉寄", "轉發", "転送", "пересл", "переслано", "πρθ",
}

var (
	replySet   = setOf(replyPrefixes)
	forwardSet = setOf(forwardPrefixes)

	// prefixRE matches one prefix at the start: the word, an optional dot
	// ("Redir.:"), an optional counter ("Re[2]:", "Re(2):", "Re^2:") and a
	// colon, ASCII or full-width, possibly after a space ("TR :").
	prefixRE = regexp.MustCompile(`^(?i)(` + alternation() + `)\.?\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]`)

	// tagRE matches a leading bracketed tag without whitespace inside.
	tagRE = regexp.MustCompile(`^\[[^\[\]\s]{1,40}\]`)
)

func setOf(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[strings.ToLower(w)] = true
	}
	return m
}

// alternation builds the regexp alternation of every prefix, longest first,
// so that "fwd" is tried before "fw" and "redir" before "re".
func alternation() string {
	var all []string
	for w := range replySet {
		all = append(all, w)
	}
	for w := range forwardSet {
		all = append(all, w)
	}
	sort.Slice(all, func(i, j int) bool {
		if len(all[i]) != len(all[j]) {
			return len(all[i]) > len(all[j])
		}
		return all[i] < all[j]
	})
	for i, w := range all {
		all[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(all, "|")
}

// kind reports whether s starts with a reply prefix, a forward prefix, a
// bracketed tag ("tag"), or none (""); n is the length of what matched.
func kind(s string) (k string, n int) {
	if m := tagRE.FindString(s); m != "" {
		return "tag", len(m)
	}
	// The prefix is matched in a copy where Turkish İ and ı are plain i:
	// Go's case-insensitive matching does not fold them, so "İLT:" (the
	// Turkish Outlook forward) would not match "ilt". at maps the copy's
	// byte offsets back to s.
	head := s
	if len(head) > 64 {
		head = head[:64]
	}
	if !strings.ContainsRune(head, ':') && !strings.ContainsRune(head, '：') {
		// Every prefix ends with a colon: most subjects have none, and
		// the regexp's alternation of every prefix is slow to fail.
		return "", 0
	}
	f, at := dotlessI(head)
	m := prefixRE.FindStringSubmatchIndex(f)
	if m == nil {
		return "", 0
	}
	word := strings.ToLower(f[m[2]:m[3]])
	switch {
	case forwardSet[word]:
		return "forward", at[m[1]]
	default:
		return "reply", at[m[1]]
	}
}

// dotlessI returns s with İ and ı replaced by i, and for each byte offset
// of the result (and its end) the offset in s.
func dotlessI(s string) (string, []int) {
	var b strings.Builder
	at := make([]int, 0, len(s)+1)
	for i, r := range s {
		if r == 'İ' || r == 'ı' {
			r = 'i'
		}
		n := b.Len()
		b.WriteRune(r)
		for range b.Len() - n {
			at = append(at, i)
		}
	}
	at = append(at, len(s))
	return b.String(), at
}

// bracketedForward returns "Fwd: x" for "[Fwd: x]", the subject Netscape,
// the Mozilla suite, Thunderbird up to 2 and Evolution gave a forward:
// read as a plain prefix, it is stripped for threading and makes the mail
// a forward. The closing bracket is dropped when the subject ends with
// it (a client may have cut a long one short). Checked before the tags:
// "[Fwd:x]" has no space and would be taken for a list's tag.
func bracketedForward(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return "", false
	}
	if k, _ := kind(s[1:]); k != "forward" {
		return "", false
	}
	return strings.TrimSpace(strings.TrimSuffix(s[1:], "]")), true
}

// StripPrefixes removes every leading reply/forward prefix and leading
// bracketed tag, keeping the case and inner spacing of what remains:
// "FW: [EXTERNAL] Re: Quote for ACME" gives "Quote for ACME".
func StripPrefixes(s string) string {
	s = strings.TrimSpace(s)
	for {
		if inner, ok := bracketedForward(s); ok {
			s = inner
			continue
		}
		k, n := kind(s)
		if k == "" {
			return s
		}
		s = strings.TrimSpace(s[n:])
	}
}

// Normalize returns the threading key of a subject: prefixes and tags
// stripped (see StripPrefixes), whitespace runs collapsed to one space, and
// lower-cased. Normalize(Normalize(s)) == Normalize(s).
func Normalize(s string) string {
	s, _ = dotlessI(s)
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return strings.Join(strings.Fields(StripPrefixes(s)), " ")
}

// IsForward reports whether the subject's first prefix (after any leading
// bracketed tags) is a forward prefix: "Fwd: Re: x" is a forward,
// "Re: Fwd: x" is a reply.
func IsForward(s string) bool { return firstPrefix(s) == "forward" }

// IsReply reports whether the subject's first prefix (after any leading
// bracketed tags) is a reply prefix.
func IsReply(s string) bool { return firstPrefix(s) == "reply" }

func firstPrefix(s string) string {
	s = strings.TrimSpace(s)
	for {
		if _, ok := bracketedForward(s); ok {
			return "forward"
		}
		k, n := kind(s)
		if k != "tag" {
			return k
		}
		s = strings.TrimSpace(s[n:])
	}
}
