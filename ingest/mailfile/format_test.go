package mailfile

import "testing"

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		ok   bool
	}{
		{"", FormatAuto, true},
		{"auto", FormatAuto, true},
		{"EML", FormatEML, true},
		{" mboxrd ", FormatMboxrd, true},
		{"mboxo", FormatMboxo, true},
		{"mbox", FormatMbox, true},
		{"maildir", FormatMaildir, true},
		{"dir", FormatDir, true},
		{"mboxcl2", "", false},
		{"pst", "", false},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		head string
		want Format
	}{
		{"mbox", "From a@x Mon Jan  1 00:00:00 2024\nSubject: x\n", FormatMbox},
		{"mbox after blank lines", "\r\n\nFrom a@x Mon Jan  1 00:00:00 2024\n", FormatMbox},
		{"mbox after BOM", "\xef\xbb\xbfFrom -\n", FormatMbox},
		{"eml", "Received: from x\n\tby y\nSubject: x\n", FormatEML},
		{"eml with BOM", "\xef\xbb\xbfSubject: x\n", FormatEML},
		{"eml with obsolete space before colon", "Subject : x\n", FormatEML},
		{"empty", "", ""},
		{"only blank lines", "\n\n", ""},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00", ""},
		{"NUL in field name", "Sub\x00ject: x\n", ""},
		{"plain text", "hello world\n", ""},
		{"From: header is eml", "From: a@x\n", FormatEML},
		{"eml starting with a blank line", "\nbody\n", ""},
		{"colon first", ": x\n", ""},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.head)); got != tt.want {
			t.Errorf("%s: Detect(%q) = %q, want %q", tt.name, tt.head, got, tt.want)
		}
	}
}

func TestIsEnvelopeLine(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"From a@x Mon Jan  1 00:00:00 2024\n", true},
		{"From a@x  Sat Jan  3 01:05:34 1996\r\n", true},
		{"From a@x Thu, 01 Jan 2020 00:00:00 +0000\n", true},
		{"From a@x 2024-01-01T00:00:00Z\n", true},
		{"From 1844347792267117879@xxx\n", true},
		{"From - \n", true},
		{"From MAILER-DAEMON Sun Aug  7 11:40:37 2022 extra info\n", true},
		{"From here on\n", false},
		{"From Russia with love\n", false},
		{"From Monday on\n", false},
		{"From \n", false},
		{"From: a@x\n", false},
		{"from a@x Mon Jan  1 00:00:00 2024\n", false},
		{"From a@x Mon" + string(make([]byte, maxFromLine)) + "\n", false},
	}
	for _, tt := range tests {
		if got := isEnvelopeLine([]byte(tt.line)); got != tt.want {
			t.Errorf("isEnvelopeLine(%.40q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}

func TestEnvelopeAddress(t *testing.T) {
	tests := map[string]string{
		"From a@x Mon Jan  1 00:00:00 2024\n":           "a@x",
		"From <a@x> Mon Jan  1 00:00:00 2024\r\n":       "a@x",
		"From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n": "",
		"From <> Mon Jan  1 00:00:00 2024\n":            "",
		"From - Mon Jun  3 12:50:27 1996\n":             "",
		"\xef\xbb\xbfFrom b@y\n":                        "b@y",
	}
	for line, want := range tests {
		if got := envelopeAddress([]byte(line)); got != want {
			t.Errorf("envelopeAddress(%q) = %q, want %q", line, got, want)
		}
	}
}
