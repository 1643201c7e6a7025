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
		{"mbox after a prologue", "Saved by hand.\n\nFrom a@x Mon Jan  1 00:00:00 2024\nFrom: a@x\nSubject: x\n\nhi\n", FormatMbox},
		{"text that quotes a From_ line without a header", "Notes.\nFrom a@x Mon Jan  1 00:00:00 2024\nand more notes\n", ""},
		{"text with prose starting with From", "Notes.\nFrom here on: x\nSubject: y\n", ""},
	}
	for _, tt := range tests {
		if got := Detect([]byte(tt.head)); got != tt.want {
			t.Errorf("%s: Detect(%q) = %q, want %q", tt.name, tt.head, got, tt.want)
		}
	}
}
