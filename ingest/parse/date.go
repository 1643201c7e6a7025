package parse

import (
	"strconv"
	"strings"
	"time"
)

// ParseDate reads a Date header as Python's email.utils.parsedate_to_datetime
// does (its _parsedate_tz, followed line by line here), because archives
// hold every date shape a mail program ever wrote and Python's reading is
// the one people check against: RFC 5322 dates, asctime dates ("Mon May 30
// 16:40:39 2005"), RFC 850 dates ("Monday, 30-May-05 ..."), a missing day
// name or comma, two-digit years (69-99 are 19xx, 00-68 20xx), "." between
// the time's parts, the North American zone names. A date without a zone,
// with an unknown zone name or with "-0000" has no known offset; it is
// read as UTC, which is what Python's naive datetime becomes when stored.
// ok is false where Python gives no date.
func ParseDate(s string) (t time.Time, ok bool) {
	data := strings.Fields(s)
	if len(data) == 0 {
		return time.Time{}, false
	}
	if strings.HasSuffix(data[0], ",") || isDayName(data[0]) {
		data = data[1:]
	} else if i := strings.LastIndexByte(data[0], ','); i >= 0 {
		data[0] = data[0][i+1:]
	}
	if len(data) == 3 { // RFC 850
		if stuff := strings.Split(data[0], "-"); len(stuff) == 3 {
			data = append(stuff, data[1:]...)
		}
	}
	if len(data) == 4 {
		s := data[3]
		i := strings.IndexByte(s, '+')
		if i == -1 {
			i = strings.IndexByte(s, '-')
		}
		if i > 0 {
			data = append(data[:3:3], s[:i], s[i:])
		} else {
			data = append(data, "")
		}
	}
	if len(data) < 5 {
		return time.Time{}, false
	}
	dd, mm, yy, tm, tz := data[0], data[1], data[2], data[3], data[4]
	if dd == "" || mm == "" || yy == "" {
		return time.Time{}, false
	}
	month := monthIndex(strings.ToLower(mm))
	if month == 0 {
		dd, mm = mm, strings.ToLower(dd)
		if month = monthIndex(mm); month == 0 {
			return time.Time{}, false
		}
	}
	dd = strings.TrimSuffix(dd, ",")
	if i := strings.IndexByte(yy, ':'); i > 0 {
		yy, tm = tm, yy
	}
	if strings.HasSuffix(yy, ",") {
		yy = yy[:len(yy)-1]
		if yy == "" {
			return time.Time{}, false
		}
	}
	if yy == "" || !(yy[0] >= '0' && yy[0] <= '9') {
		yy, tz = tz, yy
	}
	tm = strings.TrimSuffix(tm, ",")
	var thh, tmm, tss string
	parts := strings.Split(tm, ":")
	switch {
	case len(parts) == 2:
		thh, tmm, tss = parts[0], parts[1], "0"
	case len(parts) == 3:
		thh, tmm, tss = parts[0], parts[1], parts[2]
	case len(parts) == 1 && strings.Contains(parts[0], "."):
		parts = strings.Split(parts[0], ".")
		switch len(parts) {
		case 2:
			thh, tmm, tss = parts[0], parts[1], "0"
		case 3:
			thh, tmm, tss = parts[0], parts[1], parts[2]
		default:
			return time.Time{}, false
		}
	default:
		return time.Time{}, false
	}
	var n [5]int
	for i, v := range []string{yy, dd, thh, tmm, tss} {
		x, ok := pyInt(v)
		if !ok {
			return time.Time{}, false
		}
		n[i] = x
	}
	year, day, hour, min, sec := n[0], n[1], n[2], n[3], n[4]
	if year < 100 {
		if year > 68 {
			year += 1900
		} else {
			year += 2000
		}
	}
	offset := 0 // seconds east of UTC; unknown zones read as UTC
	tz = strings.ToUpper(tz)
	if o, known := zoneNames[tz]; known {
		offset = o
	} else if o, ok := pyInt(tz); ok {
		sign := 1
		if o < 0 {
			sign, o = -1, -o
		}
		offset = sign * (o/100*3600 + o%100*60)
	}
	// Python's datetime() refuses fields out of range.
	if year < 1 || year > 9999 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59 ||
		offset <= -86400 || offset >= 86400 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, min, sec, 0, time.FixedZone("", offset)).UTC(), true
}

var zoneNames = map[string]int{
	"UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
	"AST": -4 * 3600, "ADT": -3 * 3600, "EST": -5 * 3600, "EDT": -4 * 3600,
	"CST": -6 * 3600, "CDT": -5 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
	"PST": -8 * 3600, "PDT": -7 * 3600,
}

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
	"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}

// monthIndex is 1-12 for a month name, 0 otherwise.
func monthIndex(s string) int {
	for i, m := range monthNames {
		if m == s {
			return i%12 + 1
		}
	}
	return 0
}

func isDayName(s string) bool {
	switch strings.ToLower(s) {
	case "mon", "tue", "wed", "thu", "fri", "sat", "sun":
		return true
	}
	return false
}

// pyInt is Python's int() on a string of ASCII digits: an optional sign,
// surrounding white space, "_" between digits.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "_") {
		if strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
			return 0, false
		}
		s = strings.ReplaceAll(s, "_", "")
	}
	if len(s) > 1 && (s[0] == '+' || s[0] == '-') && s[1] == '_' {
		return 0, false
	}
	if len(s) > 18 {
		return 0, false // too large for any field anyway
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
