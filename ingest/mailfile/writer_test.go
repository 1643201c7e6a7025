package mailfile

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
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

// roundTrip writes msgs with MboxWriter and reads them back as mboxrd
// (--format mboxrd), which gives every message back as it was written.
// Auto-detected, the file reads the same unless a message's own
// Content-Length misleads that reading (see countMisleads).
func roundTrip(t testing.TB, msgs [][]byte) {
	t.Helper()
	var b bytes.Buffer
	w := NewMboxWriter(&b)
	for i, m := range msgs {
		if err := w.Write("s"+strings.Repeat(" x", i%2)+"@x", time.Unix(int64(i)*86400, 0), m); err != nil {
			t.Fatalf("Write(%q): %v", m, err)
		}
	}
	r, err := OpenReader(bytes.NewReader(b.Bytes()), "rt", Options{Format: FormatMboxrd})
	if err != nil {
		t.Fatal(err)
	}
	got := readItems(t, r)
	if len(got) != len(msgs) {
		t.Fatalf("wrote %d messages, read %d back from\n%q", len(msgs), len(got), b.Bytes())
	}
	// An import of what was written finds it to be an mbox by itself, and
	// reads the same unless a count could say otherwise.
	if len(msgs) > 0 && !slices.ContainsFunc(msgs, countMisleads) {
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

// countMisleads reports whether raw's header has a Content-Length field
// (one, readable, as the reader takes it) that an auto-detected read of
// what MboxWriter writes may trust wrongly, as mutt and Dovecot would: one
// that counts more bytes than MboxWriter writes of its body (the messages
// after it may be read as its own), or exactly as many when MboxWriter
// quoted lines in it (they are read back with the '>' added: see
// mboxReader.keepQuotes).
func countMisleads(raw []byte) bool {
	r := newMboxReader(bytes.NewReader(nil), "", quoteMboxrd, DefaultMaxSize, 0)
	r.contentLength = -1
	body := withFinalNewline(raw)
	for inHeader := true; inHeader; {
		line, rest, ok := cutLine(body)
		if !ok {
			return false // no body: the reader counts none
		}
		body = rest
		switch {
		case isBlank(line):
			inHeader = false
		case line[0] == 'C' || line[0] == 'c':
			r.readContentLength(line)
		}
	}
	if r.contentLength < 0 {
		return false
	}
	quoted := int64(0) // the '>' MboxWriter adds
	for l := body; len(l) > 0; {
		if quoteDepth(l) > 0 || bytes.HasPrefix(l, fromPrefix) {
			quoted++
		}
		i := bytes.IndexByte(l, '\n')
		if i < 0 {
			break
		}
		l = l[i+1:]
	}
	written := int64(len(body)) + quoted
	return r.contentLength > written || r.contentLength == written && quoted > 0
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

// TestExportReadBackAsMboxrd: a stored message may carry a Content-Length
// field its sender chose, which export keeps, and which can count exactly
// through the next message export writes. Read as mboxrd (--format mboxrd)
// the file gives back both messages; detected by itself it is read as
// mutt and Dovecot read it, the second message inside the first, as
// documented. Found by FuzzMboxReader (seed ea493dd0dce4c4b4).
func TestExportReadBackAsMboxrd(t *testing.T) {
	second := []byte("Subject: 2\n\nFrom me, the second\n")
	var probe bytes.Buffer
	NewMboxWriter(&probe).Write("b@x", time.Unix(86400, 0), second)
	// The first body, its blank line, then all of the second as written.
	body := "line\n"
	n := len(body) + 1 + probe.Len() - 1 // the file's last blank line is framing
	first := []byte(fmt.Sprintf("Subject: 1\nContent-Length: %d\n\n%s", n, body))
	if !countMisleads(first) {
		t.Fatal("the first message's count does not reach past it")
	}
	var b bytes.Buffer
	w := NewMboxWriter(&b)
	if err := w.Write("a@x", time.Unix(0, 0), first); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("b@x", time.Unix(86400, 0), second); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		format Format
		want   [][]byte
	}{
		{FormatMboxrd, [][]byte{first, second}},
		{FormatAuto, [][]byte{append(append(append([]byte{}, first...), '\n'), probe.Bytes()[:probe.Len()-1]...)}},
	} {
		r, err := OpenReader(bytes.NewReader(b.Bytes()), "export.mbox", Options{Format: c.format})
		if err != nil {
			t.Fatal(err)
		}
		got := readItems(t, r)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d messages, want %d, from\n%q", c.format, len(got), len(c.want), b.Bytes())
			continue
		}
		for i := range got {
			if got[i].Err != nil || !bytes.Equal(got[i].Raw, c.want[i]) {
				t.Errorf("%s: message %d is %q (err %v), want %q", c.format, i, got[i].Raw, got[i].Err, c.want[i])
			}
		}
	}
}
