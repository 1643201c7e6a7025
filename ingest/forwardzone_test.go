package ingest

import (
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/parse"
)

// TestForwardZoneIsParsesReading: the forward's zone, in which a date of
// the forwarded block written without one is read, is the offset parse
// reads in the forward's Date, on a server in any time zone: net/mail
// reads a zone name by the server's own zone ("EST" is +0000 on a UTC
// server, so the original's 09:00 was filed at 09:00 UTC, not 14:00).
func TestForwardZoneIsParsesReading(t *testing.T) {
	for _, tc := range []struct {
		name, date string
		want       int // seconds east of UTC
	}{
		{"numeric", "Mon, 30 Nov 2026 10:00:00 +0100", 3600},
		{"EST", "Mon, 30 Nov 2026 10:00:00 EST", -5 * 3600},
		{"PDT", "Mon, 30 Nov 2026 10:00:00 PDT", -7 * 3600},
		{"GMT", "Mon, 30 Nov 2026 10:00:00 GMT", 0},
		{"none", "", 0},
	} {
		m, err := parse.ParseHeader([]byte("From: a@b.example\r\nDate: " + tc.date + "\r\n\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		_, off := time.Date(2026, 11, 30, 9, 0, 0, 0, forwardZone(m)).Zone()
		if off != tc.want {
			t.Errorf("%s: forwardZone(Date: %s) is %+d s east of UTC, want %+d", tc.name, tc.date, off, tc.want)
		}
	}
}
