package mailfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMboxWriterOutput(t *testing.T) {
	var b bytes.Buffer
	w := NewMboxWriter(&b)
	date := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	if err := w.Write("a@x", date, []byte("Subject: 1\n\nFrom here\n>From there\nno newline")); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("", time.Time{}, []byte("Subject: 2\r\n\r\nbody\r\n")); err != nil {
		t.Fatal(err)
	}
	want := "From a@x Tue Jan  2 02:04:05 2024\nSubject: 1\n\n>From here\n>>From there\nno newline\n\n" +
		"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\r\nSubject: 2\r\n\r\nbody\r\n\r\n"
	if b.String() != want {
		t.Errorf("wrote\n%q\nwant\n%q", b.String(), want)
	}
}

func TestMboxWriterRejects(t *testing.T) {
	for _, raw := range []string{"", "\nbody only\n", "not a header\n"} {
		var b bytes.Buffer
		if err := NewMboxWriter(&b).Write("a@x", time.Time{}, []byte(raw)); !errors.Is(err, ErrNotMessage) || b.Len() != 0 {
			t.Errorf("Write(%q) = %v, wrote %d bytes; want ErrNotMessage and nothing", raw, err, b.Len())
		}
	}
}

// TestMboxWriterOddSenders: the envelope sender is whatever an SMTP client or
// an archive's From_ line said. Each is written so that the message reads
// back whole, with the sender kept where a From_ line can hold it.
func TestMboxWriterOddSenders(t *testing.T) {
	// The longest sender a From_ line holds: "From " + sender + " " + a
	// 24-byte date + "\n" is maxFromLine bytes.
	longest := strings.Repeat("a", maxFromLine-len("From  \n")-24)
	for _, c := range []struct{ name, sender, want string }{
		{"fits", longest, longest},
		{"one byte too long", longest + "a", ""},
		{"2000 bytes", strings.Repeat("a", 2000), ""},
		// 600 bytes that are not UTF-8 would be 1,800 as U+FFFD.
		{"not UTF-8", "x@" + strings.Repeat("\xff", 600), "x@" + strings.Repeat("_", 600)},
		{"UTF-8 kept", "jürgen@bücher.example", "jürgen@bücher.example"},
		{"spaces and controls", "a b\tc\x00d@x", "a_b_c_d@x"},
	} {
		var b bytes.Buffer
		raw := []byte("Subject: x\n\nbody\n")
		if err := NewMboxWriter(&b).Write(c.sender, time.Time{}, raw); err != nil {
			t.Errorf("%s: Write: %v", c.name, err)
			continue
		}
		got := readItems(t, newMboxReader(bytes.NewReader(b.Bytes()), "odd", quoteMboxrd, DefaultMaxSize, readBufSize))
		if len(got) != 1 || got[0].Err != nil || !bytes.Equal(got[0].Raw, raw) || got[0].EnvelopeFrom != c.want {
			t.Errorf("%s: wrote %q, read back %+v; want the message with sender %q", c.name, b.Bytes(), got, c.want)
		}
	}
}

// roundTrip writes msgs with MboxWriter and reads them back as mboxrd.
func roundTrip(t testing.TB, msgs [][]byte) {
	t.Helper()
	var b bytes.Buffer
	w := NewMboxWriter(&b)
	for i, m := range msgs {
		if err := w.Write("s"+strings.Repeat(" x", i%2)+"@x", time.Unix(int64(i)*86400, 0), m); err != nil {
			t.Fatalf("Write(%q): %v", m, err)
		}
	}
	got := readItems(t, newMboxReader(bytes.NewReader(b.Bytes()), "rt", quoteMboxrd, DefaultMaxSize, readBufSize))
	if len(got) != len(msgs) {
		t.Fatalf("wrote %d messages, read %d back from\n%q", len(msgs), len(got), b.Bytes())
	}
	// An import of what was written finds it to be an mbox by itself.
	if len(msgs) > 0 {
		r, err := OpenReader(bytes.NewReader(b.Bytes()), "rt", Options{})
		if err != nil {
			t.Fatal(err)
		}
		if auto := readItems(t, r); !sameItems(auto, got) {
			t.Fatalf("read as %s by Detect, the messages differ from\n%q", Detect(b.Bytes()), b.Bytes())
		}
	}
	for i, m := range msgs {
		want := withFinalNewline(m)
		if got[i].Err != nil || !bytes.Equal(got[i].Raw, want) {
			t.Errorf("message %d: read back %q (err %v), want %q", i, got[i].Raw, got[i].Err, want)
		}
		if wantEnv := envelopeSender("s" + strings.Repeat(" x", i%2) + "@x"); got[i].EnvelopeFrom != wantEnv {
			t.Errorf("message %d: envelope %q, want %q", i, got[i].EnvelopeFrom, wantEnv)
		}
	}
}

// withFinalNewline is what a message reads back as: MboxWriter adds a line
// ending to a message without one.
func withFinalNewline(m []byte) []byte {
	if len(m) > 0 && m[len(m)-1] == '\n' {
		return m
	}
	nl := "\n"
	if i := bytes.IndexByte(m, '\n'); i > 0 && m[i-1] == '\r' {
		nl = "\r\n"
	}
	return append(append([]byte{}, m...), nl...)
}

func TestMboxWriterRoundTrip(t *testing.T) {
	msgs := []string{
		"Subject: plain\n\nbody\n",
		"Subject: crlf\r\n\r\nbody\r\n",
		"Subject: quoting\n\nFrom a\n>From b\n>>From c\n>Fromage\nFrom\n",
		"From a@x Mon Jan  1 00:00:00 2024\nSubject: starts with a From_ line\n",
		">>From a@x Mon Jan  1 00:00:00 2024\nSubject: starts quoted\n",
		"Subject: ends with blank lines\n\nbody\n\n\n",
		"Subject: no final newline",
		"Subject: no final newline, crlf\r\n\r\nx\r",
		"Subject: blank then From_\n\nx\n\nFrom a@x Mon Jan  1 00:00:00 2024\nSubject: inner\n",
		"Subject: NUL\x00\n\n\x00",
		"Subject: x\n\n" + strings.Repeat(">", maxFromLine) + "From deep\n",
		"Subject: x\n\n" + strings.Repeat("long line ", 100000) + "\n",
		"\xef\xbb\xbfSubject: starts with a byte order mark\n\nbody\n",
	}
	var raws [][]byte
	for _, m := range msgs {
		raws = append(raws, []byte(m))
	}
	roundTrip(t, raws)
	for _, m := range raws { // each alone too: first and last in the file
		roundTrip(t, [][]byte{m})
	}
}

// The writer counts the messages that gained a final line ending.
func TestMboxWriterCountsAddedNewlines(t *testing.T) {
	w := NewMboxWriter(&bytes.Buffer{})
	for _, m := range []string{"Subject: a\n\nx\n", "Subject: b\n\nno newline", "Subject: c\r\n\r\nx\r", "Subject: d\r\n\r\nx\r\n"} {
		if err := w.Write("a@x", time.Time{}, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if w.NewlinesAdded != 2 {
		t.Fatalf("NewlinesAdded = %d, want 2", w.NewlinesAdded)
	}
}
