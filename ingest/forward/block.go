package forward

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLabelLen bounds where the colon of "Label: value" may be; longer
// prefixes are prose.
const maxLabelLen = 48

// colons are the characters clients end a label with: ASCII, full-width
// (CJK), and the Armenian and Ethiopic ones.
var colons = []string{":", "：", "՝", "፡"}

// labelOf splits "Label: value" when Label is a known header label,
// tolerating html2text's "*From:* value", French spacing "De :" and the
// colons of other scripts. langs are the languages whose clients write
// the label.
func labelOf(t string) (field, string, []string, bool) {
	head := t
	if len(head) > maxLabelLen {
		head = head[:maxLabelLen]
	}
	i, n := -1, 0
	for _, c := range colons {
		if j := strings.Index(head, c); j >= 0 && (i < 0 || j < i) {
			i, n = j, len(c)
		}
	}
	if i <= 0 {
		return fieldNone, "", nil, false
	}
	key := fold(strings.Trim(t[:i], "* \t\u200f\u200e"))
	f, ok := labels[key]
	if !ok {
		return fieldNone, "", nil, false
	}
	return f, strings.TrimSpace(strings.TrimLeft(t[i+n:], "* \t")), labelLangs[key], true
}

// labelNoColon reads "Label value" for the clients that write a label
// without its colon (Yahoo's "Dw", some HTML renderings): the longest
// known label of up to three words that starts t, followed by a value.
// The value must look like what the field holds, which the caller checks.
func labelNoColon(t string) (field, string, []string, bool) {
	// ends[k] is where the k+1-th word ends.
	var ends []int
	in := false
	for i, r := range t {
		switch {
		case unicode.IsSpace(r) && in:
			ends = append(ends, i)
			in = false
		case !unicode.IsSpace(r):
			in = true
		}
		if len(ends) == 3 {
			break
		}
	}
	for k := len(ends); k >= 1; k-- {
		key := fold(t[:ends[k-1]])
		if f, ok := labels[key]; ok {
			if v := strings.TrimSpace(t[ends[k-1]:]); v != "" {
				return f, v, labelLangs[key], true
			}
		}
	}
	return fieldNone, "", nil, false
}

// plausible reports whether v can be the value of field f: an address
// field holds an address, a date parses.
func plausible(f field, v string) bool {
	switch f {
	case fieldFrom, fieldTo, fieldCc, fieldBcc:
		return emailRE.MatchString(v)
	case fieldDate:
		_, ok := parseDate(v, nil, nil)
		return ok
	case fieldSubject:
		return strings.TrimSpace(v) != ""
	}
	return false
}

// headers are the fields of one forward header block, and the languages
// its labels are written in.
type headers struct {
	v     map[field]string
	langs []string
}

func newHeaders() headers { return headers{v: map[field]string{}} }

func (h *headers) set(f field, v string, langs []string) {
	if _, seen := h.v[f]; !seen {
		h.v[f] = v
	}
	for _, l := range langs {
		if !containsString(h.langs, l) {
			h.langs = append(h.langs, l)
		}
	}
}

func (h headers) has(f field) bool { _, ok := h.v[f]; return ok }

// isBlock is the rule for a header block: From plus one of Subject, Date
// (or Sent) or To. Anything less is prose that happens to contain a colon.
func (h headers) isBlock() bool {
	return h.has(fieldFrom) && (h.has(fieldSubject) || h.has(fieldDate) || h.has(fieldTo))
}

// parseBlock reads consecutive header lines at quoting depth d from start
// and returns them with the index of the first line after the block.
//
// lax is set when an explicit separator introduced the block: then a label
// without its colon counts when its value fits the field, and an unknown
// label on the first line whose value holds an address is taken for From
// (Gmail writes the From label in the user's language, and a language we
// have no table for still has its forwards unwrapped).
func parseBlock(ls []line, start, d int, lax bool) (headers, int) {
	h := newHeaders()
	last := fieldNone
	j := start
	for ; j < len(ls); j++ {
		l := ls[j]
		if l.depth != d {
			break
		}
		u := unquote(l.raw, d)
		t := strings.TrimSpace(u)
		if t == "" {
			break
		}
		if f, v, langs, ok := labelOf(t); ok {
			h.set(f, v, langs)
			last = f
			continue
		}
		if lax {
			if f, v, langs, ok := labelNoColon(t); ok && !h.has(f) && plausible(f, v) {
				h.set(f, v, langs)
				last = f
				continue
			}
			if j == start && !h.has(fieldFrom) {
				if name, v, ok := unknownLabel(t); ok && name != "" && emailRE.MatchString(v) {
					h.set(fieldFrom, v, nil)
					last = fieldFrom
					continue
				}
			}
		}
		// A wrapped address list continues on the next line.
		if isAddressField(last) {
			prev := h.v[last]
			if strings.HasSuffix(prev, ",") || strings.HasSuffix(prev, ";") || u[0] == ' ' || u[0] == '\t' {
				h.v[last] = prev + " " + t
				continue
			}
		}
		break
	}
	return h, j
}

// unknownLabel splits "Label: value" for a label of at most three words
// that no table knows.
func unknownLabel(t string) (label, value string, ok bool) {
	for _, c := range colons {
		if i := strings.Index(t, c); i > 0 && i <= 30 {
			label = strings.TrimSpace(strings.Trim(t[:i], "*"))
			if len(strings.Fields(label)) > 3 || strings.ContainsAny(label, "<>@\"") {
				return "", "", false
			}
			return label, strings.TrimSpace(t[i+len(c):]), true
		}
	}
	return "", "", false
}

func isAddressField(f field) bool {
	return f == fieldFrom || f == fieldTo || f == fieldCc || f == fieldBcc
}

// maxRunOn bounds the work on one Yahoo header line.
const maxRunOn = 4096

// parseRunOn reads the header fields Yahoo writes on a single line after
// its separator: "From: A <a@x>To: b@x Cc: ...Sent: ...Subject: ...".
// A label is recognised where a capitalised known label followed by a
// colon starts and no lower-case letter precedes it ("MEZBetreff:" is a
// label, "Jan:" is not). Yahoo writes some labels without the colon
// (Polish "Dw", Portuguese "Assunto"): those count right after an address's
// ">" or a zone or number, where no name can go on.
func parseRunOn(s string) headers {
	h := newHeaders()
	if len(s) > maxRunOn {
		return h
	}
	type hit struct {
		at, valueAt int
		f           field
		langs       []string
	}
	var hits []hit
	seen := map[field]bool{}
	prev := rune(0)
	for p := 0; p < len(s); {
		r, size := utf8.DecodeRuneInString(s[p:])
		if unicode.IsUpper(r) && !unicode.IsLower(prev) {
			head := s[p:]
			if len(head) > maxLabelLen {
				head = head[:maxLabelLen]
			}
			q, n := -1, 0
			for _, c := range colons {
				if j := strings.Index(head, c); j >= 0 && (q < 0 || j < q) {
					q, n = j, len(c)
				}
			}
			if q > 0 {
				key := fold(strings.TrimSuffix(head[:q], " "))
				if f, ok := labels[key]; ok {
					hits = append(hits, hit{at: p, valueAt: p + q + n, f: f, langs: labelLangs[key]})
					seen[f] = true
					prev = ':'
					p += q + n
					continue
				}
			}
			// A label is a short word or two: without a space early in head
			// there is none to look up (and long runs of capitals stay cheap).
			if sp := strings.IndexAny(head, " \t"); sp > 0 && sp <= 24 && (prev == '>' || unicode.IsUpper(prev) || unicode.IsDigit(prev)) {
				if f, v, langs, ok := labelNoColon(head); ok && !seen[f] && v != "" && len(hits) > 0 {
					at := p + strings.Index(head, v)
					hits = append(hits, hit{at: p, valueAt: at, f: f, langs: langs})
					seen[f] = true
					prev = ' '
					p = at
					continue
				}
			}
		}
		prev = r
		p += size
	}
	if len(hits) == 0 || hits[0].at != 0 {
		return h
	}
	for i, ht := range hits {
		end := len(s)
		if i+1 < len(hits) {
			end = hits[i+1].at
		}
		h.set(ht.f, strings.TrimSpace(s[ht.valueAt:end]), ht.langs)
	}
	return h
}
