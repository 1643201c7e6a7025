package mailfile

import (
	"strings"
	"testing"
	"time"
)

// TestFromLineShapes reads the From_ line of every writer we know of: the
// line is a From_ line, its envelope sender and its date are what the
// writer meant.
func TestFromLineShapes(t *testing.T) {
	d := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	tests := []struct {
		writer, line string
		sender       string
		date         time.Time // zero: none
	}{
		{"mutt", "From jgentry@example.org Thu Apr  1 20:27:04 2004\n", "jgentry@example.org", d("2004-04-01T20:27:04Z")},
		{"qmail mbox(5)", "From jgentry@example.org Thu Apr  1 20:27:04 2004\n", "jgentry@example.org", d("2004-04-01T20:27:04Z")},
		{"pipermail (obscured)", "From jgentry at jimmy.harvard.edu  Thu Apr  1 20:27:04 2004\n", "jgentry@jimmy.harvard.edu", d("2004-04-01T20:27:04Z")},
		{"pipermail, no address", "From bogus at does.not.exist.com  Sat Jan  1 00:00:00 2005\n", "bogus@does.not.exist.com", d("2005-01-01T00:00:00Z")},
		{"pipermail, CRLF", "From a.b at lists.example.org  Mon Dec 31 23:59:59 2007\r\n", "a.b@lists.example.org", d("2007-12-31T23:59:59Z")},
		{"pipermail, a host without dots", "From root at localhost  Thu Apr  1 20:27:04 2004\n", "root@localhost", d("2004-04-01T20:27:04Z")},
		{"pipermail, a host without dots, hyphenated", "From cron at mail-hub  Thu Apr  1 20:27:04 2004\n", "cron@mail-hub", d("2004-04-01T20:27:04Z")},
		{"pipermail, a domain starting with a digit", "From v_x at 163.example  Mon Jan 25 04:34:50 2016\n", "v_x@163.example", d("2016-01-25T04:34:50Z")},
		{"newer Mailman (sending from)", "From bbo|ker @end|ng |rom gm@||@com  Mon Feb  1 20:13:59 2021\n", "", d("2021-02-01T20:13:59Z")},
		{"newer Mailman, '@' in the local part", "From j@me@5431 @end|ng |rom hotm@||@com  Sun May 28 10:53:21 2023\n", "", d("2023-05-28T10:53:21Z")},
		{"a local user and a date", "From root Mon Jan  1 00:00:00 2024\n", "root", d("2024-01-01T00:00:00Z")},
		{"null sender, no date", "From <>\n", "", time.Time{}},
		{"Thunderbird", "From - Thu Apr 01 20:27:04 2004\n", "", d("2004-04-01T20:27:04Z")},
		{"Netscape, no date", "From - \n", "", time.Time{}},
		{"Eudora", "From ???@??? Thu Apr 01 20:27:04 2004\n", "", d("2004-04-01T20:27:04Z")},
		{"Gmail Takeout", "From 1785434522219118848@xxx Thu Apr 01 20:27:04 +0000 2004\n", "1785434522219118848@xxx", d("2004-04-01T20:27:04Z")},
		{"Gmail, no date", "From 1844347792267117879@xxx\n", "1844347792267117879@xxx", time.Time{}},
		{"Apple Mail", "From ann@example.com Fri Jul 21 11:43:30 2017\n", "ann@example.com", d("2017-07-21T11:43:30Z")},
		{"quoted local part", "From \"John Smith\"@example.org Thu Apr  1 20:27:04 2004\n", "\"John Smith\"@example.org", d("2004-04-01T20:27:04Z")},
		{"quoted local part, no space", "From \"x\"@example.org Thu Apr  1 20:27:04 2004\n", "\"x\"@example.org", d("2004-04-01T20:27:04Z")},
		{"MAILER-DAEMON", "From MAILER-DAEMON Sun Aug  7 11:40:37 2022 extra info\n", "", d("2022-08-07T11:40:37Z")},
		{"angle brackets", "From <a@x> Mon Jan  1 00:00:00 2024\r\n", "a@x", d("2024-01-01T00:00:00Z")},
		{"null sender", "From <> Mon Jan  1 00:00:00 2024\n", "", d("2024-01-01T00:00:00Z")},
		{"System V zone name", "From a@x Thu Apr  1 20:27:04 EST 2004\n", "a@x", d("2004-04-02T01:27:04Z")},
		{"zone after the year", "From a@x Thu Apr  1 20:27:04 2004 -0500\n", "a@x", d("2004-04-02T01:27:04Z")},
		{"RFC 5322 date", "From a@x Thu, 01 Apr 2004 20:27:04 +0200\n", "a@x", d("2004-04-01T18:27:04Z")},
		{"no seconds, UUCP", "From a@x Thu Apr  1 20:27 2004 remote from gateway\n", "a@x", d("2004-04-01T20:27:00Z")},
		{"two-digit year", "From a@x Thu, 1 Apr 04 20:27:04 GMT\n", "a@x", d("2004-04-01T20:27:04Z")},
		{"ISO date (one word sender: kept, date unread)", "From a@x 2024-01-01T00:00:00Z\n", "a@x", time.Time{}},
		{"tab separated", "From a@x\tThu Apr  1 20:27:04 2004\n", "a@x", d("2004-04-01T20:27:04Z")},
		{"git format-patch", "From 3f2a1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f Mon Sep 17 00:00:00 2001\n", "3f2a1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f", d("2001-09-17T00:00:00Z")},
		{"impossible date (one word sender: kept)", "From a@x Mon Feb 31 00:00:00 2024\n", "a@x", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.writer, func(t *testing.T) {
			f, ok := parseFromLine([]byte(tt.line))
			if !ok {
				t.Fatalf("%q is not read as a From_ line", tt.line)
			}
			if got := f.envelopeSender(); got != tt.sender {
				t.Errorf("sender %q, want %q", got, tt.sender)
			}
			if !f.date.Equal(tt.date) {
				t.Errorf("date %v, want %v", f.date, tt.date)
			}
		})
	}
}

// TestNotFromLines: prose and header fields that start with "From" are not
// From_ lines, however they continue.
func TestNotFromLines(t *testing.T) {
	for _, line := range []string{
		"From here on\n",
		"From Russia with love\n",
		"From Monday on\n",
		"From Monday to Friday we are open\n",
		"From my phone Mon\n",
		"From the desk of Ann, Thu Apr 1\n",
		// Prose shapes seen unquoted in a public pipermail archive (its
		// 41 such lines are where Python's mailbox splits and we do not).
		"From each node I can ping:\n",
		"From homestead?\n",
		"From which folder should I run it ?\n",
		"From RFC 3261 section 10, the registrar must answer\n",
		"From the 3gpp spec I read, it seems the server\n",
		"From Bono's log I see that on Mon Jan  4 07:07:28 2016 it stopped\n",
		"From netstat I can see it listening on ports 9160 and 9042\n",
		"From me at home, Mon Jan  1 00:00:00 2024\n",
		"From me at -home Mon Jan  1 00:00:00 2024\n",
		"From a@b at localhost Mon Jan  1 00:00:00 2024\n",
		"From me at home on Mon Jan  1 00:00:00 2024\n",
		"From @end|ng |rom Mon Feb  1 20:13:59 2021\n",
		"From x @end|ng |rom y z Mon Feb  1 20:13:59 2021\n",
		"From \n",
		"From: a@x\n",
		"From  :<a@x>\n",
		"From\t: a@x\n",
		"from a@x Mon Jan  1 00:00:00 2024\n",
		"From a@x Mon" + strings.Repeat(" ", maxFromLine) + "\n",
	} {
		if f, ok := parseFromLine([]byte(line)); ok {
			t.Errorf("%.40q read as a From_ line (%+v)", line, f)
		}
	}
}
