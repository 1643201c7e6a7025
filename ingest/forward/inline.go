package forward

import (
	"regexp"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/subject"
)

// strength is how sure a separator is that a forward follows.
type strength int

const (
	// weak: Outlook's underscore line, a bare "From:/Sent:" block or an
	// "On ... wrote:" line. Replies look the same; needs a forward subject.
	weak strength = iota
	// original: "-----Original Message-----" and unknown dashed phrases;
	// counts unless the subject is a reply.
	original
	// strong: a separator that says "forwarded"; always counts.
	strong
)

func accepted(s strength, subj string) bool {
	switch s {
	case strong:
		return true
	case original:
		return !isReplySubject(subj)
	default:
		return isForwardSubject(subj)
	}
}

var (
	// dashRE matches "---------- Forwarded message ---------" and the like;
	// yahooRE the same with the header fields Yahoo writes after it.
	dashRE       = regexp.MustCompile(`^(-{2,})\s*([^-].*?)\s*-{2,}$`)
	yahooRE      = regexp.MustCompile(`^(-{2,})\s*([^-].*?)\s*-{2,}\s*([^-\s].*)$`)
	underscoreRE = regexp.MustCompile(`^_{8,}$`)
)

// maxBlankBeforeHeaders is how many blank lines may separate a separator
// from its header block (Apple Mail writes one, Outlook 2013 none).
const maxBlankBeforeHeaders = 3

// findInline finds the first forward block in text and returns its
// original, or false. The first recognised block decides: a reply's quoted
// header stops the search, so history quoted in a reply is never taken for
// a forward.
//
// lead reports whether the forwarder wrote text of her own above the block.
func findInline(text, subj string) (o *Original, lead, ok bool) {
	ls := splitLines(text)
	o, at, ok := scan(ls, subj)
	if !ok {
		return nil, false, false
	}
	for _, l := range ls[:at] {
		if l.text() != "" {
			return o, true, true
		}
	}
	return o, false, true
}

// scan returns the original of the first block and the line it starts at.
func scan(ls []line, subj string) (*Original, int, bool) {
	for i := 0; i < len(ls); i++ {
		t := ls[i].text()
		if t == "" {
			continue
		}
		if m := yahooRE.FindStringSubmatch(t); m != nil && !dashRE.MatchString(t) {
			if h := parseRunOn(m[3]); h.isBlock() {
				o, ok := decide(h, dashStrength(m[2]), subj, "yahoo", body(ls, i+1, ls[i].depth))
				return o, i, ok
			}
			continue
		}
		if m := dashRE.FindStringSubmatch(t); m != nil {
			phrase := m[2]
			st := dashStrength(phrase)
			if o, done := blockAfter(ls, i, st, subj, dashClient(m[1], phrase)); done {
				return o, i, o != nil
			}
			continue
		}
		if underscoreRE.MatchString(t) {
			if o, done := blockAfter(ls, i, weak, subj, "outlook"); done {
				return o, i, o != nil
			}
			continue
		}
		if isIntroLine(t) {
			client := "apple_mail"
			if strings.EqualFold(strings.TrimSpace(strings.TrimSuffix(t, ":")), "forwarded message") {
				client = "generic"
			}
			if o, done := blockAfter(ls, i, strong, subj, client); done {
				return o, i, o != nil
			}
			continue
		}
		if o, n, done := wroteLine(ls, i, subj); done {
			return o, i, o != nil
		} else if n > 0 {
			i += n - 1
			continue
		}
		if _, _, ok := labelOf(t); ok {
			h, end := parseBlock(ls, i, ls[i].depth)
			if h.isBlock() {
				o, ok := decide(h, weak, subj, "outlook", body(ls, end, ls[i].depth))
				return o, i, ok
			}
			// The lines of a failed block cannot start a better one; skipping
			// them keeps long runs of "Label:" lines linear.
			i = end - 1
		}
	}
	return nil, 0, false
}

// isIntroLine matches Apple Mail's "Begin forwarded message:" in any
// language, and MailMate's "Forwarded message:".
func isIntroLine(t string) bool {
	if !strings.HasSuffix(t, ":") || len(t) > 80 || strings.Contains(t, "@") {
		return false
	}
	return containsAny(t, forwardStems)
}

func dashStrength(phrase string) strength {
	if containsAny(phrase, forwardStems) {
		return strong
	}
	return original
}

func dashClient(dashes, phrase string) string {
	switch {
	case len(dashes) == 5 && strings.EqualFold(strings.TrimSpace(phrase), "original message"):
		return "outlook"
	case len(dashes) == 10 && containsAny(phrase, forwardStems):
		return "gmail"
	case len(dashes) == 8 && containsAny(phrase, forwardStems):
		return "thunderbird"
	}
	return "generic"
}

// blockAfter parses the header block following the separator at line i.
// done is false when no block follows (the separator was something else);
// when done, o is nil if the block was refused.
func blockAfter(ls []line, i int, st strength, subj, client string) (o *Original, done bool) {
	k := i + 1
	for blanks := 0; k < len(ls) && ls[k].text() == ""; k++ {
		if blanks++; blanks > maxBlankBeforeHeaders {
			return nil, false
		}
	}
	if k >= len(ls) || ls[k].depth < ls[i].depth {
		return nil, false
	}
	d := ls[k].depth
	h, end := parseBlock(ls, k, d)
	if !h.isBlock() {
		return nil, false
	}
	o, _ = decide(h, st, subj, client, body(ls, end, d))
	return o, true
}

// decide turns an accepted header block into an Original. A block whose
// From has no address yields nil: Unwrap never invents a sender.
func decide(h headers, st strength, subj, client, bodyText string) (*Original, bool) {
	if !accepted(st, subj) {
		return nil, false
	}
	from := parseAddressList(h[fieldFrom])
	if len(from) == 0 || from[0].Email == "" {
		return nil, false
	}
	o := &Original{
		From:    from[0],
		To:      parseAddressList(h[fieldTo]),
		Cc:      parseAddressList(h[fieldCc]),
		Subject: h[fieldSubject],
		Body:    bodyText,
		Via:     "inline:" + client,
	}
	if _, ok := h[fieldSubject]; !ok {
		o.Subject = subject.StripPrefixes(subj)
	}
	setDate(o, h[fieldDate])
	return o, true
}

func setDate(o *Original, s string) {
	s = strings.TrimSpace(s)
	if t, ok := parseDate(s); ok {
		o.Date = t
	} else {
		o.DateText = s
	}
}
