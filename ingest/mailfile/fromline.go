package mailfile

import (
	"bytes"
	"strings"
	"time"
)

// A From_ line is "From " + the envelope sender + the date the message was
// written, but every writer has its own idea of both. Shapes seen in real
// archives (each has a case in TestFromLineShapes):
//
//	From jgentry@example.org Thu Apr  1 20:27:04 2004         mutt, qmail, procmail, Postfix, Apple Mail
//	From jgentry at example.org  Thu Apr  1 20:27:04 2004     Mailman 2 pipermail (address obscured)
//	From root at localhost  Thu Apr  1 20:27:04 2004          the same, from a host without a domain
//	From bbo|ker @end|ng |rom gm@||@com  Mon Feb  1 20:13:59 2021   newer Mailman archives (R-project lists)
//	From - Thu Apr 01 20:27:04 2004                            Thunderbird, Netscape
//	From ???@??? Thu Apr 01 20:27:04 2004                      Eudora
//	From 1785434522219118848@xxx Thu Apr 01 20:27:04 +0000 2004   Gmail (Takeout)
//	From "John Smith"@example.org Thu Apr  1 20:27:04 2004     a quoted local part with a space
//	From MAILER-DAEMON Thu Apr  1 20:27:04 2004                bounces; UW-IMAP's first message
//	From user@example.org Thu Apr  1 20:27:04 EST 2004          System V (a zone name before the year)
//	From user@example.org Thu, 01 Apr 2004 20:27:04 +0000       writers that put an RFC 5322 date
//	From user@example.org Thu Apr  1 20:27 2004 remote from x   no seconds, UUCP's "remote from"
//	From 1844347792267117879@xxx                               no date at all
//
// The sender is an address, or what writers put for none ("-",
// MAILER-DAEMON), with or without a date; or another single word (a git
// commit id, "root") followed by a complete date; or several words when
// they are an obscured address ("x at y") or a quoted local part with a
// space, followed by a complete date. What is not a From_ line: "From:"
// and the obsolete "From  :" (a header field), and prose such as "From
// here on", "From Russia with love", "From homestead?" or "From RFC 3261
// section 10".

// fromLine is what a From_ line says.
type fromLine struct {
	// sender is the envelope sender as written ("" when none).
	sender string
	// date is the date of the line in UTC; zero when it has none or it
	// cannot be read.
	date time.Time
}

// maxFromWords bounds the words of a From_ line looked at: a sender of
// more words than that is prose.
const maxFromWords = 16

// parseFromLine reads line (with its line ending) as a From_ line; ok is
// false when it is not shaped like one. It allocates only the sender of
// a line that is one, so that testing every "From " line of a body costs
// nothing.
func parseFromLine(line []byte) (f fromLine, ok bool) {
	sender, date, ok := scanFromLine(line)
	if !ok {
		return f, false
	}
	return fromLine{sender: string(sender), date: date}, true
}

// scanFromLine is parseFromLine; sender points into line.
func scanFromLine(line []byte) (sender []byte, date time.Time, ok bool) {
	if len(line) > maxFromLine || !bytes.HasPrefix(line, fromPrefix) {
		return nil, date, false
	}
	rest := bytes.TrimRight(line[len(fromPrefix):], "\r\n")
	rest = bytes.TrimLeft(rest, " \t")
	if len(rest) == 0 || rest[0] == ':' {
		// "From " alone, or "From  :" (a header field in obsolete syntax).
		return nil, date, false
	}
	var spans [maxFromWords]span
	var buf [maxFromWords][]byte
	words := buf[:0]
	for _, sp := range fromWords(rest, spans[:0]) {
		words = append(words, rest[sp.start:sp.end])
	}
	switch {
	case len(words) == 0:
		return nil, date, false
	case len(words) == 1:
		// No date: only an address, or a writer's placeholder for one.
		return words[0], date, addressLike(words[0])
	case startsDate(words[1]):
		// One-word sender: an address needs a date that only starts like
		// one ("From a@x 2024-01-01T00:00:00Z"); any other word (a git
		// commit id, "root") a complete date.
		date, ok := parseFromDate(words[1:])
		return words[0], date, ok || addressLike(words[0])
	}
	// Several words: an obscured address ("x at y", pipermail) or a quoted
	// local part with a space, then a complete date.
	for i := 2; i < len(words); i++ {
		if !startsDate(words[i]) {
			continue
		}
		if !obscuredOrQuoted(words[:i]) {
			continue
		}
		if date, ok := parseFromDate(words[i:]); ok {
			return rest[:spans[i-1].end], date, true
		}
	}
	return nil, date, false
}

// addressLike reports whether a one-word sender is an address or what
// writers put for none: "-" (Netscape, Thunderbird), MAILER-DAEMON, "<>".
// Prose ("From homestead?", "From RFC 3261") is not.
func addressLike(w []byte) bool {
	return bytes.IndexByte(w, '@') > 0 || string(w) == "-" || string(w) == "<>" ||
		bytes.EqualFold(w, []byte("MAILER-DAEMON"))
}

// obscuredOrQuoted reports whether the words of a several-word sender are
// an address: "local at domain" as pipermail obscures it, "local @end|ng
// |rom domain" as newer Mailman archives do (the R-project lists since
// 2020: "sending from", with a and l or i replaced by '@' and '|' in both
// parts), or a quoted local part holding white space ("\"John
// Smith\"@example.org").
func obscuredOrQuoted(words [][]byte) bool {
	if len(words) == 3 && bytes.EqualFold(words[1], []byte("at")) && bytes.IndexByte(words[0], '@') < 0 &&
		(bytes.IndexByte(words[2], '.') > 0 || isHostLabel(words[2])) {
		return true
	}
	if len(words) == 4 && string(words[1]) == mailmanSendingFrom[0] && string(words[2]) == mailmanSendingFrom[1] {
		return true
	}
	return words[0][0] == '"' && bytes.IndexByte(words[len(words)-1], '@') > 0
}

// isHostLabel reports whether w is a host name without dots ("localhost",
// "mailhub"): letters, digits and inner hyphens. Mailman 2 archives of a
// list whose mail came from such a host have "From root at localhost".
func isHostLabel(w []byte) bool {
	if len(w) == 0 || len(w) > 63 || w[0] == '-' || w[len(w)-1] == '-' {
		return false
	}
	for _, c := range w {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// mailmanSendingFrom is what newer Mailman archives put for the '@' of an
// obscured address: "@end|ng |rom", two words.
var mailmanSendingFrom = [2]string{"@end|ng", "|rom"}

// span is where a word is in a line.
type span struct{ start, end int }

// fromWords splits the rest of a From_ line at spaces and tabs into words,
// appended to spans up to its capacity; a word that starts with a double
// quote runs to the closing quote (a quoted local part may hold spaces)
// and on to the next space.
func fromWords(s []byte, spans []span) []span {
	i := 0
	for len(spans) < cap(spans) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i == len(s) {
			return spans
		}
		start, end := i, i
		if s[i] == '"' {
			end++
			for end < len(s) && s[end] != '"' {
				if s[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end+1, len(s))
		}
		for end < len(s) && s[end] != ' ' && s[end] != '\t' {
			end++
		}
		spans = append(spans, span{start, end})
		i = end
	}
	return spans
}

var weekdays = [...]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

var monthNames = [...]string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

// startsDate reports whether w can begin the date of a From_ line: a
// weekday name ("Thu", "Thu,", "Thursday") or a digit.
func startsDate(w []byte) bool {
	if len(w) == 0 {
		return false
	}
	if w[0] >= '0' && w[0] <= '9' {
		return true
	}
	return isWeekday(w)
}

// isWeekday reads an English weekday name, abbreviated to three letters
// or in full, optionally followed by a comma.
func isWeekday(w []byte) bool {
	w = bytes.TrimSuffix(w, []byte(","))
	return nameIndex(w, weekdays[:]) >= 0
}

// monthOf reads a month name ("Apr", "April"); 0 when w is none.
func monthOf(w []byte) time.Month {
	return time.Month(nameIndex(w, monthNames[:]) + 1)
}

// nameIndex finds w among names, written in full or abbreviated to three
// letters, in any case; -1 when it is none of them.
func nameIndex(w []byte, names []string) int {
	if len(w) < 3 {
		return -1
	}
	for i, n := range names {
		if len(w) != 3 && len(w) != len(n) {
			continue
		}
		match := true
		for j := range w {
			if w[j]|0x20 != n[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// parseFromDate reads the date at the start of words and reports whether it
// is complete: a month, a day, a time and a year in either of the orders
// writers use (ctime "Thu Apr  1 20:27:04 [ZONE] 2004 [ZONE]", RFC 5322
// "Thu, 01 Apr 2004 20:27:04 +0000"), the weekday optional. Words after the
// date ("remote from x", "extra info") are ignored. Without a zone the time
// is taken as UTC: a From_ line does not say where it was written.
func parseFromDate(words [][]byte) (time.Time, bool) {
	if len(words) > 0 && isWeekday(words[0]) {
		words = words[1:]
	}
	if len(words) < 4 {
		return time.Time{}, false
	}
	trim := func(w []byte) []byte { return bytes.TrimSuffix(w, []byte(",")) }
	var month time.Month
	var dayW, yearW, timeW []byte
	var zones [2][]byte
	if m := monthOf(trim(words[0])); m != 0 {
		// ctime: Apr 1 20:27:04 [EST] 2004 [-0500]
		month, dayW, timeW = m, trim(words[1]), words[2]
		rest := words[3:]
		if len(rest) > 1 && validZone(rest[0]) {
			zones[0], rest = rest[0], rest[1:]
		}
		yearW = rest[0]
		if len(rest) > 1 {
			zones[1] = rest[1]
		}
	} else {
		// RFC 5322: 01 Apr 2004 20:27:04 [+0000]
		month, dayW, yearW, timeW = monthOf(trim(words[1])), words[0], words[2], words[3]
		if len(words) > 4 {
			zones[0] = words[4]
		}
	}
	day, okDay := number(dayW, 2)
	year, okYear := number(yearW, 4)
	if month == 0 || !okDay || !okYear || len(yearW) == 3 || len(yearW) == 1 {
		return time.Time{}, false
	}
	if len(yearW) == 2 {
		// RFC 5322 section 4.3: 00-49 are 20xx, 50-99 19xx.
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
	}
	hour, minute, sec, ok := clock(timeW)
	if !ok || day < 1 || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	offset := 0
	for _, z := range zones {
		if off, ok := zoneOffset(z); ok {
			offset = off
		}
	}
	t := time.Date(year, month, day, hour, minute, min(sec, 59), 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31 Feb
	}
	return t.Add(-time.Duration(offset) * time.Second), true
}

// number reads up to max digits.
func number(w []byte, max int) (int, bool) {
	if len(w) == 0 || len(w) > max {
		return 0, false
	}
	n := 0
	for _, c := range w {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// clock reads hh:mm or hh:mm:ss.
func clock(w []byte) (h, m, s int, ok bool) {
	var v [3]int
	n := 0
	for part := range bytes.SplitSeq(w, []byte(":")) {
		if n == 3 {
			return 0, 0, 0, false
		}
		if v[n], ok = number(part, 2); !ok {
			return 0, 0, 0, false
		}
		n++
	}
	if n < 2 {
		return 0, 0, 0, false
	}
	return v[0], v[1], v[2], true
}

func validZone(w []byte) bool {
	_, ok := zoneOffset(w)
	return ok
}

// zoneOffset reads a numeric zone (+0000, -0500) or a common zone name as
// seconds east of UTC.
func zoneOffset(w []byte) (int, bool) {
	if len(w) == 5 && (w[0] == '+' || w[0] == '-') {
		hm, ok := number(w[1:], 4)
		if !ok || hm%100 > 59 {
			return 0, false
		}
		off := hm/100*3600 + hm%100*60
		if w[0] == '-' {
			off = -off
		}
		return off, true
	}
	if len(w) < 1 || len(w) > 4 {
		return 0, false
	}
	var up [4]byte
	for i, c := range w {
		up[i] = c &^ 0x20
	}
	if h, ok := zoneNames[string(up[:len(w)])]; ok {
		return h * 3600, true
	}
	return 0, false
}

// zoneNames are the zone names of RFC 5322 section 4.3, and those other
// From_ lines are seen with, as hours east of UTC.
var zoneNames = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "CET": 1, "MET": 1, "CEST": 2, "MEST": 2, "EET": 2,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "JST": 9,
}

// envelopeSender turns the sender of a From_ line into an address: "" for
// the null sender (MAILER-DAEMON, <>), Netscape's "-" and Eudora's
// "???@???"; an address pipermail obscured ("jgentry at example.org")
// gets its '@' back. An address obscured with "@end|ng |rom" cannot be
// restored ('|' stands for l or i, '@' for a or '.'): no sender.
func (f fromLine) envelopeSender() string {
	s := strings.TrimSuffix(strings.TrimPrefix(f.sender, "<"), ">")
	if strings.Contains(s, " "+mailmanSendingFrom[0]+" "+mailmanSendingFrom[1]+" ") {
		return ""
	}
	if local, domain, ok := strings.Cut(s, " at "); ok && !strings.ContainsAny(local+domain, " \t@") {
		s = local + "@" + domain
	}
	switch {
	case s == "-", strings.EqualFold(s, "MAILER-DAEMON"), strings.Contains(s, "???"):
		return ""
	}
	return s
}
