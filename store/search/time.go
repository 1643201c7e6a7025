package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a point or a period of time as people write it in
// queries (after:, before:) and flags (--since, --until), and returns its
// start and its end (exclusive):
//
//	2026-01-31              that day, in opt.Location
//	2026-01                 that month
//	2026                    that year
//	2026-01-31T09:30        that minute; with seconds, that second
//	2026-01-31T09:30:00Z    RFC 3339: that instant (start = end)
//	today, yesterday        that day
//	7d, 2w, 36h, 90m        that long before opt.Now (start = end)
//
// So --since and after: use the start, --until uses the end (up to the end
// of the day named), and before: uses the start (before that day).
func ParseTime(s string, opt Options) (start, end time.Time, err error) {
	opt = opt.withDefaults()
	s = strings.TrimSpace(s)
	loc := opt.Location
	day := func(t time.Time) (time.Time, time.Time) {
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
		return d, d.AddDate(0, 0, 1)
	}
	switch strings.ToLower(s) {
	case "today":
		start, end = day(opt.Now.In(loc))
		return start, end, nil
	case "yesterday":
		start, end = day(opt.Now.In(loc).AddDate(0, 0, -1))
		return start, end, nil
	}
	if d, ok := parseAge(s); ok {
		t := opt.Now.Add(-d)
		return t, t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, t, nil
	}
	periods := []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02 15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006/01/02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	}
	for _, p := range periods {
		if t, err := time.ParseInLocation(p.layout, s, loc); err == nil {
			return t, p.next(t), nil
		}
	}
	return time.Time{}, time.Time{}, fmt.Errorf("cannot read %q as a time: want a date (2026-01-31), a month (2026-01), an RFC 3339 time, today, yesterday, or an age such as 7d, 2w or 24h", s)
}

// parseAge reads 7d, 2w, and Go durations (36h, 90m, 1h30m).
func parseAge(s string) (time.Duration, bool) {
	if len(s) >= 2 {
		unit := s[len(s)-1]
		if n, err := strconv.Atoi(s[:len(s)-1]); err == nil && n >= 0 {
			switch unit {
			case 'd':
				return time.Duration(n) * 24 * time.Hour, true
			case 'w':
				return time.Duration(n) * 7 * 24 * time.Hour, true
			}
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, true
	}
	return 0, false
}
