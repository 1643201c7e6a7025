package forward

import (
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/smartbcc/smartbcc/ingest/parse"
)

// A forward header's date is written for people: "Mi., 27. Okt. 2021 um
// 09:31 Uhr" (Gmail), "26. října 2021 14:25:08 GMT+3" (Apple Mail),
// "2021年6月19日 下午2:05" (Android), "Wed, 3 Nov 2021 15:51:30 +0100"
// (Thunderbird). Every client formats it with the Unicode CLDR names of its
// language, so parseDate reads the words against calendars (months,
// weekdays, AM/PM) and takes numbers by their place, their markers (年 月
// 日, 년 월 일) and the language's order for all-numeric dates.
//
// Many clients write no time zone (Gmail, Outlook): the date is then read
// in the zone the caller gives (the forwarding message's own), and the
// result says so, so that --explain can tell.

// dateResult is a date read from a forward header.
type dateResult struct {
	t      time.Time
	noZone bool // no zone was written; t is in the fallback zone
}

// zoneOffsets are the zone abbreviations clients write whose offset is
// unambiguous, in seconds east of UTC, including the localised ones of CLDR
// (MEZ, OESZ, SEČ...). Ambiguous names (IST: India, Ireland or Israel) are
// left out: a date whose zone cannot be known is not read.
var zoneOffsets = map[string]int{
	"ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "wez": 0,
	"bst": 3600, "west": 3600, "wesz": 3600,
	"cet": 3600, "mez": 3600, "seč": 3600,
	"cest": 7200, "mesz": 7200, "selč": 7200,
	"eet": 7200, "oez": 7200, "eest": 10800, "oesz": 10800,
	"msk": 10800,
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
	"akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
	"jst": 9 * 3600, "kst": 9 * 3600, "hkt": 8 * 3600, "sgt": 8 * 3600,
	"aest": 10 * 3600, "aedt": 11 * 3600, "awst": 8 * 3600,
	"nzst": 12 * 3600, "nzdt": 13 * 3600,
}

// ambiguousZones name different offsets in different places.
var ambiguousZones = map[string]bool{"ist": true, "ast": true, "gst": true}

// gmtWords are the words CLDR writes before a GMT offset ("GMT+2",
// "UTC+02:00", Arabic "غرينتش+2", Bulgarian "Гринуич+2", Persian "گرینویچ").
var gmtWords = []string{"gmt", "utc", "غرينتش", "گرینویچ", "гринуич", "mag"}

var (
	// gmtOffsetRE finds "GMT+2", "UTC+02:00", "(GMT+01:00)" and the
	// localised forms after fold and digit normalisation.
	gmtOffsetRE = regexp.MustCompile(`\(?(` + strings.Join(gmtWords, "|") + `)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\)?`)
	// gmtAfterRE is the Persian order, the offset before the word:
	// "+2 گرینویچ".
	gmtAfterRE = regexp.MustCompile(`([+-])\s*(\d{1,2})(?::?(\d{2}))?\s*(` + strings.Join(gmtWords, "|") + `)`)
	// numericZoneRE is a bare "+0200" or "-04:00" after the time.
	numericZoneRE = regexp.MustCompile(`(?:^|\s)([+-])(\d{2}):?(\d{2})\)?\s*$`)
	// zoneWordRE is a trailing zone abbreviation, possibly in parentheses.
	zoneWordRE = regexp.MustCompile(`\(?([\p{L}]{1,5})\)?\s*$`)
	// timeRE finds 14:25, 9:31:00, 09.31, 14.25.08 (Danish, Finnish).
	timeRE = regexp.MustCompile(`(\d{1,2})\s*([:.])\s*(\d{2})(?:\s*[:.]\s*(\d{2}))?`)
)

// parseDate reads s, preferring the calendars of langs (the languages of
// the block's labels) and trying every other one after them. zone is the
// fallback for a date written without one (nil means UTC).
func parseDate(s string, langs []string, zone *time.Location) (dateResult, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 200 {
		return dateResult{}, false
	}
	if t, err := mail.ParseDate(s); err == nil {
		// The instant is parse's, as of the same date in a Date field:
		// net/mail reads a zone name by the server's own time zone ("EST"
		// is -0500 in New York and +0000 on a UTC server). net/mail stays
		// the gate, and parse does not read alone: it reads Python's wider
		// shapes, "June 19, 2025 2:05 PM" as 02:05 and "19 Jun 2025 14:05"
		// as UTC, where the calendars below read 14:05 in the forward's
		// zone (TestClientFixtures and TestCorpus fail so).
		if pt, ok := parse.ParseDate(s); ok && !pt.Equal(t) {
			t = pt
		}
		return dateResult{t: t}, true
	}
	if zone == nil {
		zone = time.UTC
	}
	n := normalizeDate(s)
	offset, hasZone, ok := takeZone(&n)
	if !ok {
		return dateResult{}, false
	}
	tried := map[string]bool{}
	try := func(lang string) (dateResult, bool) {
		if tried[lang] {
			return dateResult{}, false
		}
		tried[lang] = true
		cal, ok := calIndex[lang]
		if !ok {
			return dateResult{}, false
		}
		loc := zone
		if hasZone {
			loc = time.FixedZone("", offset)
		}
		t, ok := cal.read(n, lang, loc)
		return dateResult{t: t, noZone: !hasZone}, ok
	}
	for _, l := range langs {
		if r, ok := try(l); ok {
			return r, true
		}
	}
	for _, l := range calOrder {
		if r, ok := try(l); ok {
			return r, true
		}
	}
	return dateResult{}, false
}

// normalizeDate folds s, turns every decimal digit (Arabic-Indic,
// Devanagari, full-width...) into ASCII, the Unicode minus into "-", and
// drops the direction marks of right-to-left text.
func normalizeDate(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		switch {
		case r == '\u200e' || r == '\u200f' || r == '\u061c' || r == '\u202a' || r == '\u202c':
			continue
		case r == '\u2212' || r == '\u2013':
			r = '-'
		case r == '：':
			r = ':'
		case r == '，' || r == '、':
			r = ','
		case r == '（':
			r = '('
		case r == '）':
			r = ')'
		case unicode.IsDigit(r) && r > '9':
			r = '0' + digitValue(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// digitValue is the value of a decimal digit of any script: Unicode lays
// each script's ten digits out in order from its zero.
func digitValue(r rune) rune {
	for z := r; z > r-10; z-- {
		if !unicode.IsDigit(z - 1) {
			return r - z
		}
	}
	return 0
}

// takeZone removes the zone from *n and returns its offset. ok is false
// for a zone that cannot be known (an ambiguous abbreviation).
func takeZone(n *string) (offset int, has, ok bool) {
	s := *n
	if m := gmtOffsetRE.FindStringSubmatchIndex(s); m != nil {
		h, _ := strconv.Atoi(s[m[6]:m[7]])
		min := 0
		if m[8] >= 0 {
			min, _ = strconv.Atoi(s[m[8]:m[9]])
		}
		offset = h*3600 + min*60
		if s[m[4]:m[5]] == "-" {
			offset = -offset
		}
		*n = s[:m[0]] + " " + s[m[1]:]
		return offset, true, h <= 14 && min < 60
	}
	if m := gmtAfterRE.FindStringSubmatchIndex(s); m != nil {
		h, _ := strconv.Atoi(s[m[4]:m[5]])
		min := 0
		if m[6] >= 0 {
			min, _ = strconv.Atoi(s[m[6]:m[7]])
		}
		offset = h*3600 + min*60
		if s[m[2]:m[3]] == "-" {
			offset = -offset
		}
		*n = s[:m[0]] + " " + s[m[1]:]
		return offset, true, h <= 14 && min < 60
	}
	if m := numericZoneRE.FindStringSubmatchIndex(s); m != nil {
		h, _ := strconv.Atoi(s[m[4]:m[5]])
		min, _ := strconv.Atoi(s[m[6]:m[7]])
		offset = h*3600 + min*60
		if s[m[2]:m[3]] == "-" {
			offset = -offset
		}
		*n = s[:m[0]]
		return offset, true, h <= 14 && min < 60
	}
	// "GMT" alone, or a zone abbreviation at the end.
	if m := zoneWordRE.FindStringSubmatchIndex(s); m != nil {
		word := s[m[2]:m[3]]
		if ambiguousZones[word] {
			return 0, false, false // the date cannot be known
		}
		if off, known := zoneOffsets[word]; known {
			*n = s[:m[0]]
			return off, true, true
		}
	}
	return 0, false, true
}

// calendarIndex is a calendar with its names folded for lookup.
type calendarIndex struct {
	months   map[string]int // folded name, with and without a final "." -> 1..12
	weekdays map[string]bool
	am, pm   []string // folded, without dots and spaces
	order    string   // DMY, MDY or YMD
}

var (
	calIndex map[string]*calendarIndex
	calOrder []string // every language, in a fixed order
)

func init() {
	calIndex = map[string]*calendarIndex{}
	for lang, c := range calendars {
		ix := &calendarIndex{months: map[string]int{}, weekdays: map[string]bool{}, order: c.order}
		for i, names := range c.months {
			for _, n := range names {
				f := fold(n)
				if strings.IndexFunc(f, unicode.IsDigit) >= 0 {
					continue // "6月", "tháng 6": read through their markers
				}
				ix.months[f] = i + 1
				ix.months[strings.TrimSuffix(f, ".")] = i + 1
			}
		}
		for _, names := range c.weekdays {
			for _, n := range names {
				f := fold(n)
				ix.weekdays[f] = true
				ix.weekdays[strings.TrimSuffix(f, ".")] = true
			}
		}
		for _, a := range c.am {
			ix.am = append(ix.am, squeeze(fold(a)))
		}
		for _, p := range c.pm {
			ix.pm = append(ix.pm, squeeze(fold(p)))
		}
		calIndex[lang] = ix
		calOrder = append(calOrder, lang)
	}
	sort.Strings(calOrder)
	// English first among the rest: the most common fallback.
	for i, l := range calOrder {
		if l == "en" {
			copy(calOrder[1:i+1], calOrder[:i])
			calOrder[0] = "en"
		}
	}
}

// Markers written after a number (CJK) or, in Vietnamese, before it.
var (
	yearMarkers   = map[string]bool{"年": true, "년": true}
	monthMarkers  = map[string]bool{"月": true, "월": true}
	dayMarkers    = map[string]bool{"日": true, "일": true, "号": true}
	hourMarkers   = map[string]bool{"時": true, "时": true, "시": true, "點": true, "点": true}
	minuteMarkers = map[string]bool{"分": true, "분": true}
	secondMarkers = map[string]bool{"秒": true, "초": true}
	// Vietnamese writes "ngày 19 tháng 6 năm 2025" and the weekday as a
	// number: "Th 5" (Thứ Năm, Thursday).
	viBefore = map[string]byte{"ngày": 'd', "tháng": 'm', "thg": 'm', "năm": 'y', "th": 'w', "thứ": 'w'}
)

// token is a number or a word of a date line.
type token struct {
	word   string
	num    int
	digits int // 0 for a word
	used   bool
}

// read parses normalised text n with this calendar; loc is the zone of the
// result.
func (c *calendarIndex) read(n, lang string, loc *time.Location) (time.Time, bool) {
	hour, minute, second, haveTime := -1, 0, 0, false
	tokens := tokenize(n)
	year, month, day := -1, -1, -1
	pm, am := false, false
	// Markers first: 2025年6月19日, 2025년 6월 19일, ngày 19 tháng 6 năm 2025.
	for i := range tokens {
		t := &tokens[i]
		if t.digits > 0 && i+1 < len(tokens) {
			m := tokens[i+1].word
			switch {
			case yearMarkers[m]:
				year, t.used, tokens[i+1].used = t.num, true, true
			case monthMarkers[m]:
				month, t.used, tokens[i+1].used = t.num, true, true
			case dayMarkers[m]:
				day, t.used, tokens[i+1].used = t.num, true, true
			case hourMarkers[m] && t.num <= 23:
				hour, haveTime, t.used, tokens[i+1].used = t.num, true, true, true
				pm, am = c.dayPeriod(tokens, i, i+1)
			case minuteMarkers[m] && t.num <= 59:
				minute, t.used, tokens[i+1].used = t.num, true, true
			case secondMarkers[m] && t.num <= 60:
				second, t.used, tokens[i+1].used = t.num, true, true
			}
		}
		if k, ok := viBefore[t.word]; ok && lang == "vi" && i+1 < len(tokens) && tokens[i+1].digits > 0 {
			v := tokens[i+1].num
			switch k {
			case 'd':
				day = v
			case 'm':
				month = v
			case 'y':
				year = v
			}
			t.used, tokens[i+1].used = true, true
		}
	}
	// Month names. A word that is both a weekday and a month ("mar" in
	// Spanish) counts as a month only if no other month name is there.
	ambiguous := -1
	for i := range tokens {
		t := &tokens[i]
		if t.digits > 0 || t.used {
			continue
		}
		if m, ok := c.month(t.word); ok {
			t.used = true
			if c.weekdays[t.word] {
				ambiguous = m
				continue
			}
			if month >= 0 && month != m {
				return time.Time{}, false // two different months
			}
			month = m
		}
	}
	if month < 0 && ambiguous > 0 {
		month = ambiguous
	}
	// The time: the number pair joined by ":", or else by "." (Danish,
	// Finnish) when that pair is not itself part of a numeric date.
	for _, joiner := range []string{":", "."} {
		if haveTime {
			break
		}
		for i := 0; i+2 < len(tokens) && !haveTime; i++ {
			a, sep, b := tokens[i], tokens[i+1], tokens[i+2]
			if a.used || b.used || a.digits == 0 || a.digits > 2 || b.digits != 2 || sep.word != joiner ||
				a.num > 23 || b.num > 59 {
				continue
			}
			if joiner == "." && !dottedTime(tokens, i) {
				continue
			}
			hour, minute = a.num, b.num
			tokens[i].used, tokens[i+1].used, tokens[i+2].used = true, true, true
			last := i + 2
			if i+4 < len(tokens) && tokens[i+3].word == joiner && tokens[i+4].digits == 2 {
				second = tokens[i+4].num
				tokens[i+3].used, tokens[i+4].used = true, true
				last = i + 4
			}
			haveTime = true
			pm, am = c.dayPeriod(tokens, i, last)
		}
	}
	// What numbers remain make the date.
	var nums []int
	var digits []int
	for _, t := range tokens {
		if t.digits > 0 && !t.used {
			nums = append(nums, t.num)
			digits = append(digits, t.digits)
		}
	}
	switch {
	case month > 0:
		for i, v := range nums {
			switch {
			case year < 0 && (digits[i] == 4 || (v > 31 && digits[i] <= 4)):
				year = v
			case day < 0 && v >= 1 && v <= 31:
				day = v
			case year < 0 && digits[i] == 2:
				year = 2000 + v
			}
		}
	case len(nums) >= 3:
		y, m, d, ok := numericDate(nums[:3], digits[:3], c.order)
		if !ok {
			return time.Time{}, false
		}
		if year < 0 {
			year = y
		}
		month, day = m, d
	}
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	if lang == "th" && year > 2400 {
		year -= 543 // the Buddhist era Thai dates are often written in
	}
	if !haveTime {
		hour = 0
	}
	if am && pm {
		return time.Time{}, false
	}
	if pm && hour >= 1 && hour < 12 {
		hour += 12
	} else if am && hour == 12 {
		hour = 0
	}
	if hour > 23 || minute > 59 || second > 60 || year < 1900 || year > 2200 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, loc)
	if t.Day() != day {
		return time.Time{}, false // 31 June
	}
	return t, true
}

// month looks a month name up, exactly or, for abbreviations of other
// CLDR versions than ours (Gmail's Finnish "lokak." where CLDR now writes
// "loka"), as the prefix of three or more letters of one month's names only.
func (c *calendarIndex) month(w string) (int, bool) {
	if m, ok := c.months[w]; ok {
		return m, true
	}
	// Hebrew writes the month with the preposition: "19 ביוני 2025".
	if rest, ok := strings.CutPrefix(w, "ב"); ok {
		if m, ok := c.months[rest]; ok {
			return m, true
		}
	}
	if utf8.RuneCountInString(w) < 3 || c.weekdays[w] {
		return 0, false
	}
	found := 0
	for name, m := range c.months {
		if strings.HasPrefix(name, w) {
			if found != 0 && found != m {
				return 0, false
			}
			found = m
		}
	}
	return found, found != 0
}

// dayPeriod looks for an AM or PM marker right after the time (tokens
// first..last: "2:05 PM", "2:05 p. m.", "2:05 م") or right before it
// ("오후 2:05", "下午2:05", "午後2:05"), and marks it used.
func (c *calendarIndex) dayPeriod(tokens []token, first, last int) (pm, am bool) {
	match := func(from, to int) (bool, bool) {
		if from < 0 || to >= len(tokens) || from > to {
			return false, false
		}
		var b strings.Builder
		for k := from; k <= to; k++ {
			if tokens[k].digits > 0 || tokens[k].used {
				return false, false
			}
			b.WriteString(tokens[k].word)
		}
		w := squeeze(b.String())
		if w == "pm" || containsString(c.pm, w) {
			return true, false
		}
		if w == "am" || containsString(c.am, w) {
			return false, true
		}
		return false, false
	}
	for _, span := range [][2]int{{last + 1, last + 2}, {last + 1, last + 1}, {first - 2, first - 1}, {first - 1, first - 1}} {
		if p, a := match(span[0], span[1]); p || a {
			for k := span[0]; k <= span[1]; k++ {
				tokens[k].used = true
			}
			return p, a
		}
	}
	return false, false
}

// squeeze drops dots and spaces: "p. m." and "p.m." are "pm".
func squeeze(s string) string {
	if !strings.ContainsAny(s, ". ") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == ' ' {
			return -1
		}
		return r
	}, s)
}

// dottedTime reports whether the numbers joined by "." at tokens[i] are a
// time (09.31, 14.25.08) rather than a date (27.10.2021, 2021.10.27): a
// date part follows or precedes with another dot and number.
func dottedTime(tokens []token, i int) bool {
	if i >= 2 && tokens[i-1].word == "." && tokens[i-2].digits > 0 {
		return false
	}
	j := i + 3
	if j+1 < len(tokens) && tokens[j].word == "." && tokens[j+1].digits > 0 {
		// a third part: a time only when it is two digits and a year stands
		// elsewhere in the line
		if tokens[j+1].digits != 2 {
			return false
		}
		for k, t := range tokens {
			if (k < i || k > j+1) && t.digits == 4 {
				return true
			}
		}
		return false
	}
	return true
}

// numericDate orders three numbers by the language's convention, or by
// what the values allow (a four-digit first part is a year; a part over 12
// cannot be the month).
func numericDate(n, digits []int, order string) (y, m, d int, ok bool) {
	switch {
	case digits[0] == 4:
		order = "YMD"
	case digits[2] == 4 || digits[2] == 2:
		if order == "YMD" {
			order = "DMY"
		}
		if order == "MDY" && n[1] > 12 && n[0] <= 12 {
			break
		}
		if order == "DMY" && n[0] <= 12 && n[1] > 12 {
			order = "MDY"
		}
		if order == "MDY" && n[0] > 12 {
			order = "DMY"
		}
	}
	switch order {
	case "YMD":
		y, m, d = n[0], n[1], n[2]
	case "MDY":
		m, d, y = n[0], n[1], n[2]
	default:
		d, m, y = n[0], n[1], n[2]
	}
	if y < 100 {
		y += 2000
	}
	return y, m, d, m >= 1 && m <= 12 && d >= 1 && d <= 31
}

// tokenize splits a normalised date line into numbers, words and the
// punctuation that matters (":" and "."). A CJK character is a word of its
// own, so 2025年6月19日 gives 2025 年 6 月 19 日.
func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			v, _ := strconv.Atoi(s[i:min(j, i+9)])
			out = append(out, token{num: v, digits: j - i})
			i = j
		case r == ':' || r == '.':
			out = append(out, token{word: string(r)})
			i += size
		case isCJK(r):
			out = append(out, token{word: string(r)})
			i += size
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			j := i
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if r2 == '.' && j+1 < len(s) {
					// A dot inside a word belongs to it (Thai "มิ.ย.").
					if r3, _ := utf8.DecodeRuneInString(s[j+1:]); unicode.IsLetter(r3) && !isCJK(r3) {
						j += sz
						continue
					}
				}
				if !(unicode.IsLetter(r2) || unicode.Is(unicode.Mn, r2) || unicode.Is(unicode.Mc, r2) || r2 == '\'' || r2 == '׳' || r2 == '״') || isCJK(r2) {
					break
				}
				j += sz
			}
			w := s[i:j]
			// An abbreviation's final dot is dropped: "okt." is looked up
			// as "okt".
			if j < len(s) && s[j] == '.' {
				j++
			}
			out = append(out, token{word: w})
			i = j
		default:
			i += size
		}
	}
	return out
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}

// calendar is what a language's dates are written with (calendar_data.go).
type calendar struct {
	months   [12][]string // every form of each month's name
	weekdays [][]string
	am, pm   []string
	order    string // DMY, MDY or YMD for all-numeric dates
}
