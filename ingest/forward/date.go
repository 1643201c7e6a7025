package forward

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// zoneOffsets are the zone names common in forward headers whose offset is
// unambiguous. Other names (IST, EEST in some locales, "MEZ") leave the
// date unparsed rather than silently wrong by hours.
var zoneOffsets = map[string]string{
	"UT": "+0000", "UTC": "+0000", "GMT": "+0000", "Z": "+0000",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
	"CET": "+0100", "CEST": "+0200", "EET": "+0200", "EEST": "+0300",
	"WET": "+0000", "WEST": "+0100", "BST": "+0100", "JST": "+0900",
}

var (
	gmtOffsetRE   = regexp.MustCompile(`\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$`)
	zoneNameRE    = regexp.MustCompile(`\b([A-Z]{1,4})$`)
	numericZoneRE = regexp.MustCompile(`[+-]\d{4}$`)
	dateLayouts   = buildLayouts()
)

func buildLayouts() []string {
	var out []string
	for _, wd := range []string{"", "Mon ", "Monday "} {
		for _, d := range []string{"Jan 2 2006", "January 2 2006", "2 Jan 2006", "2 January 2006"} {
			for _, tm := range []string{"15:04:05", "15:04", "3:04:05 PM", "3:04 PM"} {
				out = append(out, wd+d+" "+tm+" -0700")
			}
		}
	}
	return out
}

// parseDate reads the English date formats forward headers use. A date
// without a zone is left unparsed: guessing the writer's zone would shift it
// by hours, and DateText keeps what was written.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t, true
	}
	n := strings.ReplaceAll(s, ",", " ")
	n = strings.ReplaceAll(n, " at ", " ")
	n = strings.Join(strings.Fields(n), " ")
	if m := gmtOffsetRE.FindStringSubmatchIndex(n); m != nil {
		sign, hh := n[m[2]:m[3]], n[m[4]:m[5]]
		mm := "00"
		if m[6] >= 0 {
			mm = n[m[6]:m[7]]
		}
		if len(hh) == 1 {
			hh = "0" + hh
		}
		n = strings.TrimSpace(n[:m[0]]) + " " + sign + hh + mm
	} else if m := zoneNameRE.FindStringSubmatch(n); m != nil {
		off, ok := zoneOffsets[m[1]]
		if !ok {
			return time.Time{}, false
		}
		n = strings.TrimSpace(strings.TrimSuffix(n, m[1])) + " " + off
	} else if !numericZoneRE.MatchString(n) {
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, n); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
