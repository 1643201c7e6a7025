package forward

import (
	"regexp"
	"strings"
	"time"

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

// ruleChars are what clients draw separator rules with: ASCII dashes
// (Gmail, Thunderbird, Outlook), "=" (Zoho), the Unicode hyphen of
// ProtonMail's "‐‐‐‐‐‐‐ Original Message ‐‐‐‐‐‐‐" and other dashes.
const ruleChars = `\-=‐‑‒–—―_*`

var (
	// dashRE matches "---------- Forwarded message ---------" and the like;
	// yahooRE the same with the header fields Yahoo writes after it.
	dashRE       = regexp.MustCompile(`^([` + ruleChars + `]{2,})\s*([^` + ruleChars + `].*?)\s*[` + ruleChars + `]{2,}$`)
	yahooRE      = regexp.MustCompile(`^([` + ruleChars + `]{2,})\s*([^` + ruleChars + `].*?)\s*[` + ruleChars + `]{2,}\s*([^` + ruleChars + `\s].*)$`)
	underscoreRE = regexp.MustCompile(`^_{8,}$`)
)

// maxBlankBeforeHeaders is how many blank lines may separate a separator
// from its header block (Apple Mail writes one, Outlook 2013 none).
const maxBlankBeforeHeaders = 3

// inlineScan is one search for a forward block in a text.
type inlineScan struct {
	ls   []line
	subj string
	// reply: the message has In-Reply-To; an attribution line opens a
	// reply's quote (wroteLine).
	reply bool
	zone  *time.Location // for dates written without a zone
}

// findInline finds the first forward block in text and returns its
// original, or false. The first recognised block decides: a reply's quoted
// header stops the search, so history quoted in a reply is never taken for
// a forward.
//
// lead reports whether the forwarder wrote text of her own above the
// block; the text itself becomes the original's Note.
func findInline(text, subj string, reply bool, zone *time.Location) (o *Original, lead, ok bool) {
	sc := &inlineScan{ls: splitLines(text), subj: subj, reply: reply, zone: zone}
	o, at, ok := sc.scan()
	if !ok {
		return nil, false, false
	}
	var lines []string
	for _, l := range sc.ls[:at] {
		lines = append(lines, strings.TrimRight(l.raw, " \t"))
	}
	o.Note = note(strings.Join(lines, "\n"))
	return o, o.Note != "", true
}

// scan returns the original of the first block and the line it starts at.
func (sc *inlineScan) scan() (*Original, int, bool) {
	ls := sc.ls
	for i := 0; i < len(ls); i++ {
		t := ls[i].text()
		if t == "" {
			continue
		}
		if m := yahooRE.FindStringSubmatch(t); m != nil && !dashRE.MatchString(t) {
			if h := parseRunOn(m[3]); h.isBlock() {
				o, ok := sc.decide(h, dashStrength(m[2]), "yahoo", body(ls, i+1, ls[i].depth))
				return o, i, ok
			}
			continue
		}
		// Notes's rule is longer than a line; archives and gateways
		// that wrapped the text broke it in two.
		if m := notesWrappedRE.FindStringSubmatch(t); m != nil && i+1 < len(ls) && ls[i+1].depth == ls[i].depth {
			joined := t + " " + ls[i+1].text()
			if m := dashRE.FindStringSubmatch(joined); m != nil && notesRuleRE.MatchString(m[2]) {
				if o, done := sc.blockAfter(i+1, dashStrength(m[2]), "lotus_notes"); done {
					return o, i, o != nil
				}
			}
		}
		if m := dashRE.FindStringSubmatch(t); m != nil {
			phrase := m[2]
			st := dashStrength(phrase)
			if o, done := sc.blockAfter(i, st, dashClient(m[1], phrase)); done {
				return o, i, o != nil
			}
			if o, ok := sc.muttIntro(i, phrase); ok {
				return o, i, true
			}
			continue
		}
		if underscoreRE.MatchString(t) {
			if o, done := sc.blockAfter(i, weak, "outlook"); done {
				return o, i, o != nil
			}
			continue
		}
		if isIntroLine(t) {
			client := "apple_mail"
			if strings.EqualFold(strings.TrimSpace(strings.TrimSuffix(t, ":")), "forwarded message") {
				client = "generic"
			}
			if o, done := sc.blockAfter(i, strong, client); done {
				return o, i, o != nil
			}
			continue
		}
		if o, n, done := sc.wroteLine(i); done {
			return o, i, o != nil
		} else if n > 0 {
			i += n - 1
			continue
		}
		if _, _, _, ok := labelOf(t); ok {
			h, end := parseBlock(ls, i, ls[i].depth, false)
			if h.isBlock() {
				o, ok := sc.decide(h, weak, "outlook", body(ls, end, ls[i].depth))
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
// language, MailMate's "Forwarded message:", and the same lines without
// their colon.
func isIntroLine(t string) bool {
	// The longest phrase of any table is under 100 bytes; a longer line,
	// or one with an address, is prose.
	if len(t) > 120 || strings.Contains(t, "@") {
		return false
	}
	if !endsWithColon(t) && !strings.HasSuffix(t, "՝") && len(t) > 100 {
		return false
	}
	p := t
	for _, c := range colons {
		p = strings.TrimSuffix(strings.TrimSpace(p), c)
	}
	p = fold(p)
	if _, ok := introPhrases[p]; ok {
		return true
	}
	if _, ok := forwardPhrases[p]; ok {
		return true
	}
	hasColon := p != fold(t)
	return hasColon && len(t) <= 80 && containsAny(p, forwardStems)
}

// dashStrength: a phrase the tables name is what they say it is; an
// unknown one is strong when it holds a word for "forward", and counts as
// an "Original Message" otherwise.
func dashStrength(phrase string) strength {
	p := fold(phrase)
	if _, ok := forwardPhrases[p]; ok {
		return strong
	}
	if _, ok := originalPhrases[p]; ok {
		return original
	}
	if containsAny(p, forwardStems) {
		return strong
	}
	return original
}

func dashClient(dashes, phrase string) string {
	p := fold(phrase)
	switch {
	case notesRuleRE.MatchString(strings.TrimSpace(phrase)):
		return "lotus_notes"
	case strings.HasPrefix(dashes, "="):
		return "zoho"
	case strings.HasPrefix(dashes, "‐"):
		return "protonmail"
	case len(dashes) == 5 && p == "original message":
		return "outlook"
	case len(dashes) == 10 && dashStrength(phrase) == strong:
		return "gmail"
	case len(dashes) == 8 && dashStrength(phrase) == strong:
		return "thunderbird"
	case len(dashes) == 7 && dashStrength(phrase) == strong:
		return "protonmail"
	}
	return "generic"
}

// blockAfter parses the header block following the separator at line i.
// done is false when no block follows (the separator was something else);
// when done, o is nil if the block was refused.
func (sc *inlineScan) blockAfter(i int, st strength, client string) (o *Original, done bool) {
	ls := sc.ls
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
	h, end := parseBlock(ls, k, d, true)
	if client == "lotus_notes" {
		if nh, nend, ok := notesBlock(ls, k, d); ok {
			h, end = nh, nend
		}
	}
	if !h.isBlock() {
		return nil, false
	}
	// Zoho closes the block with the separator line again.
	if end < len(ls) && client == "zoho" && dashRE.MatchString(ls[end].text()) {
		end++
	}
	o, _ = sc.decide(h, st, client, body(ls, end, d))
	return o, true
}

// muttIntroPrefix starts the intro line mutt and NeoMutt write above a
// forwarded message by default ($forward_attribution_intro, "-----
// Forwarded message from %f -----"), the original's sender in it.
const muttIntroPrefix = "forwarded message from "

// muttIntro reads mutt's intro at line i when no header block follows it
// (mutt copies the original's header only when told to, and then that
// header decides, in blockAfter): the sender is the intro's, and the
// body everything under it.
func (sc *inlineScan) muttIntro(i int, phrase string) (*Original, bool) {
	p := strings.TrimSpace(phrase)
	if len(p) <= len(muttIntroPrefix) || !strings.EqualFold(p[:len(muttIntroPrefix)], muttIntroPrefix) {
		return nil, false
	}
	h := newHeaders()
	h.set(fieldFrom, p[len(muttIntroPrefix):], nil)
	// The body ends at mutt's "----- End forwarded message -----".
	end := len(sc.ls)
	for k := i + 1; k < len(sc.ls); k++ {
		if m := dashRE.FindStringSubmatch(sc.ls[k].text()); m != nil && sc.ls[k].depth == sc.ls[i].depth &&
			fold(m[2]) == "end forwarded message" {
			end = k
			break
		}
	}
	return sc.decide(h, strong, "mutt", body(sc.ls[:end], i+1, sc.ls[i].depth))
}

// decide turns an accepted header block into an Original. A block whose
// From has no address yields nil: Unwrap never invents a sender.
func (sc *inlineScan) decide(h headers, st strength, client, bodyText string) (*Original, bool) {
	if !accepted(st, sc.subj) {
		return nil, false
	}
	from := parseAddressList(h.v[fieldFrom])
	if len(from) == 0 || from[0].Email == "" {
		return nil, false
	}
	o := &Original{
		From:    from[0],
		To:      parseAddressList(h.v[fieldTo]),
		Cc:      parseAddressList(h.v[fieldCc]),
		Subject: h.v[fieldSubject],
		Body:    bodyText,
		Via:     "inline:" + client,
	}
	if !h.has(fieldSubject) {
		o.Subject = subject.StripPrefixes(sc.subj)
	}
	o.setDate(h.v[fieldDate], h.langs, sc.zone)
	return o, true
}

// setDate reads the date text s of the block; langs are the languages of
// its labels, zone the fallback for a date without one.
func (o *Original) setDate(s string, langs []string, zone *time.Location) {
	s = strings.TrimSpace(s)
	if r, ok := parseDate(s, langs, zone); ok {
		o.Date, o.DateNoZone = r.t, r.noZone
	} else {
		o.DateText = s
	}
}
