package forward

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/smartbcc/smartbcc/ingest/subject"
)

// wroteVerbs end the attribution line clients write above a quoted
// original: "On <date>, <name> <addr> wrote:" and its translations.
var wroteVerbs = []string{
	"wrote", "schrieb", "skrev", "a écrit", "escribió", "escreveu", "napsal",
	"kirjoitti", "írta", "geschreven", "schreef", "napísal", "scrisse",
	"ha scritto", "написал", "написала", "napisał", "pisze", "yazdı", "a scris",
	"写道", "寫道", "書きました",
}

// connectors are the words between a date and a name in attribution lines.
var connectors = map[string]bool{
	"am": true, "pm": true, "at": true, "um": true, "kl.": true, "om": true, "à": true,
	"às": true, "las": true, "o": true, "u": true, "klo": true, "időpontban": true,
	"používateľ": true, "heeft": true, "skrev": true, "schrieb": true, "den": true,
	"on": true, "le": true, "el": true, "em": true, "op": true, "dne": true, "d.": true,
	"uhr": true, "a": true, "alle": true, "w": true, "dnia": true,
}

var numericDateRE = regexp.MustCompile(`\d{1,4}[/.\-]\d{1,2}[/.\-]\d{2,4}(?:,?\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[AaPp][Mm])?)?`)

// maxAttributionLen keeps prose that merely ends in "wrote:" out.
const maxAttributionLen = 200

// wroteLine recognises an attribution line (possibly wrapped onto a second
// line, as Gmail does) at line i. It returns n, the lines it spans, when it
// is one; done when it decides the search (accepted, or a reply's quote).
// An attribution without an address is skipped: it might be prose.
func (sc *inlineScan) wroteLine(i int) (o *Original, n int, done bool) {
	ls, subj := sc.ls, sc.subj
	t := ls[i].text()
	n = 1
	if !endsWithColon(t) && i+1 < len(ls) {
		next := ls[i+1].text()
		if endsWithColon(next) && len(next) < 40 {
			t, n = t+" "+next, 2
		}
	}
	if !endsWithColon(t) || len(t) > maxAttributionLen || !containsAny(t, wroteVerbs) {
		return nil, 0, false
	}
	t = parenAddrRE.ReplaceAllString(t, "<$1>")
	loc, addr := findAddress(t)
	if loc == nil {
		return nil, n, false
	}
	// A reply's quote, unless the subject says forward; and a reply's
	// whatever the subject says when the message answers another
	// (In-Reply-To): a reply keeps the subject of the mail it answers,
	// "Fwd: ..." when that was a forward, and read as a forward the
	// reply was filed as the quoted author's, the replier's words
	// (above, or between the quoted lines) among his
	// (TestReplyUnderForwardSubject).
	if !isForwardSubject(subj) || sc.reply {
		return nil, n, true
	}
	prefix := strings.TrimRight(t[:loc[0]], " \t<")
	name, rest := nameAtEnd(prefix)
	if strings.EqualFold(name, addr) {
		name = ""
	}
	o = &Original{
		From:    Address{Name: name, Email: addr},
		Subject: subject.StripPrefixes(subj),
		Via:     "inline:generic",
	}
	dateText := numericDateRE.FindString(t)
	if dateText == "" {
		dateText = strings.Trim(rest, " ,")
		if f := strings.Fields(dateText); len(f) > 1 && connectors[strings.ToLower(f[0])] {
			dateText = strings.Join(f[1:], " ")
		}
	}
	o.setDate(dateText, wroteLangs(t), sc.zone)
	start := i + n
	d := ls[i].depth
	for k := start; k < len(ls); k++ {
		if ls[k].text() != "" {
			if ls[k].depth > d {
				d = ls[k].depth
			}
			break
		}
	}
	o.Body = body(ls, start, d)
	return o, n, true
}

// nameAtEnd extracts the display name written just before an address in
// an attribution line, and returns what precedes it (usually the date).
func nameAtEnd(prefix string) (name, rest string) {
	p := strings.TrimRight(prefix, " \t")
	for _, q := range quotePairs {
		if strings.HasSuffix(p, q[1]) {
			inner := strings.TrimSuffix(p, q[1])
			if j := strings.LastIndex(inner, q[0]); j >= 0 {
				return cleanName(inner[j+len(q[0]):]), inner[:j]
			}
		}
	}
	seg, before := p, ""
	if j := strings.LastIndex(p, ","); j >= 0 {
		seg, before = p[j+1:], p[:j]
	}
	f := strings.Fields(seg)
	cut := 0
	for k, w := range f {
		if connectors[strings.ToLower(w)] || strings.IndexFunc(w, unicode.IsDigit) >= 0 {
			cut = k + 1
		}
	}
	if cut > 0 {
		before = strings.TrimSpace(before + ", " + strings.Join(f[:cut], " "))
	}
	return cleanName(strings.Join(f[cut:], " ")), before
}

// wroteLangs are the languages whose attribution templates match line t,
// for the date parser.
func wroteLangs(t string) []string {
	f := fold(t)
	var out []string
	for _, c := range clientStrings {
		for _, w := range c.wrote {
			if v := wroteVerb(w); v != "" && strings.Contains(f, v) && !containsString(out, c.lang) {
				out = append(out, c.lang)
			}
		}
	}
	return out
}

func endsWithColon(t string) bool {
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：")
}
