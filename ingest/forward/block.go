package forward

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxLabelLen bounds where the colon of "Label: value" may be; longer
// prefixes are prose.
const maxLabelLen = 48

// labelOf splits "Label: value" when Label is a known header label,
// tolerating html2text's "*From:* value", French spacing "De :" and the
// full-width colon of CJK clients.
func labelOf(t string) (field, string, bool) {
	head := t
	if len(head) > maxLabelLen {
		head = head[:maxLabelLen]
	}
	i, n := strings.IndexByte(head, ':'), 1
	if j := strings.Index(head, "："); j >= 0 && (i < 0 || j < i) {
		i, n = j, len("：")
	}
	if i <= 0 {
		return fieldNone, "", false
	}
	key := strings.ToLower(strings.TrimSpace(strings.Trim(t[:i], "* \t")))
	f, ok := labels[key]
	if !ok {
		return fieldNone, "", false
	}
	return f, strings.TrimSpace(strings.TrimLeft(t[i+n:], "* \t")), true
}

// headers are the fields of one forward header block.
type headers map[field]string

func (h headers) set(f field, v string) {
	if _, seen := h[f]; !seen {
		h[f] = v
	}
}

// isBlock is the rule for a header block: From plus one of Subject, Date
// (or Sent) or To. Anything less is prose that happens to contain a colon.
func (h headers) isBlock() bool {
	_, from := h[fieldFrom]
	_, subj := h[fieldSubject]
	_, date := h[fieldDate]
	_, to := h[fieldTo]
	return from && (subj || date || to)
}

// parseBlock reads consecutive header lines at quoting depth d from start
// and returns them with the index of the first line after the block.
func parseBlock(ls []line, start, d int) (headers, int) {
	h := headers{}
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
		if f, v, ok := labelOf(t); ok {
			h.set(f, v)
			last = f
			continue
		}
		// A wrapped address list continues on the next line.
		if isAddressField(last) {
			prev := h[last]
			if strings.HasSuffix(prev, ",") || strings.HasSuffix(prev, ";") || u[0] == ' ' || u[0] == '\t' {
				h[last] = prev + " " + t
				continue
			}
		}
		break
	}
	return h, j
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
// label, "Jan:" is not).
func parseRunOn(s string) headers {
	if len(s) > maxRunOn {
		return headers{}
	}
	type hit struct {
		at, valueAt int
		f           field
	}
	var hits []hit
	prev := rune(0)
	for p := 0; p < len(s); {
		r, size := utf8.DecodeRuneInString(s[p:])
		if unicode.IsUpper(r) && !unicode.IsLower(prev) {
			head := s[p:]
			if len(head) > maxLabelLen {
				head = head[:maxLabelLen]
			}
			q, n := strings.IndexByte(head, ':'), 1
			if j := strings.Index(head, "："); j >= 0 && (q < 0 || j < q) {
				q, n = j, len("：")
			}
			if q > 0 {
				if f, ok := labels[strings.ToLower(strings.TrimSuffix(head[:q], " "))]; ok {
					hits = append(hits, hit{at: p, valueAt: p + q + n, f: f})
					prev = ':'
					p += q + n
					continue
				}
			}
		}
		prev = r
		p += size
	}
	h := headers{}
	if len(hits) == 0 || hits[0].at != 0 {
		return h
	}
	for i, ht := range hits {
		end := len(s)
		if i+1 < len(hits) {
			end = hits[i+1].at
		}
		h.set(ht.f, strings.TrimSpace(s[ht.valueAt:end]))
	}
	return h
}
