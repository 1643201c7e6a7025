package mailfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// readItems drains r; it fails the test on a Next error other than io.EOF.
func readItems(t testing.TB, r Reader) []*Item {
	t.Helper()
	var items []*Item
	for {
		item, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		items = append(items, item)
		if len(items) > 1e6 {
			t.Fatal("Next does not stop")
		}
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return items
}

func readMbox(t testing.TB, data string, q quoting, maxSize int64) []*Item {
	t.Helper()
	return readItems(t, newMboxReader(strings.NewReader(data), "m", q, maxSize, readBufSize))
}

type wantMsg struct {
	raw      string
	envelope string
	from     string // a unique prefix of the From_ line: the offset is where it is in the input
	err      error
	skip     string // Item.Skipped
}

func TestMboxSplit(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		quote quoting
		want  []wantMsg
	}{
		{
			name: "two messages, blank line separator dropped",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbody 1\n\nFrom b@x Tue Jan  2 00:00:00 2024\nSubject: 2\n\nbody 2\n\n",
			want: []wantMsg{
				{raw: "Subject: 1\n\nbody 1\n", envelope: "a@x"},
				{raw: "Subject: 2\n\nbody 2\n", envelope: "b@x", from: "From b"},
			},
		},
		{
			name: "CRLF endings kept",
			in:   "From a@x Mon Jan  1 00:00:00 2024\r\nSubject: 1\r\n\r\nbody 1\r\n\r\nFrom b@x Tue Jan  2 00:00:00 2024\r\nSubject: 2\r\n\r\nbody 2\r\n\r\n",
			want: []wantMsg{
				{raw: "Subject: 1\r\n\r\nbody 1\r\n", envelope: "a@x"},
				{raw: "Subject: 2\r\n\r\nbody 2\r\n", envelope: "b@x", from: "From b"},
			},
		},
		{
			name: "From here on without a blank line before is body",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nline\nFrom here on\nNote: this\n",
			want: []wantMsg{{raw: "Subject: 1\n\nline\nFrom here on\nNote: this\n", envelope: "a@x"}},
		},
		{
			name: "From here on after a blank line is body",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nline\n\nFrom here on\n\nthe end\n",
			want: []wantMsg{{raw: "Subject: 1\n\nline\n\nFrom here on\n\nthe end\n", envelope: "a@x"}},
		},
		{
			name: "From Russia followed by a header-like line is body: not envelope-shaped",
			in:   "From - \nSubject: 1\n\nmovie:\n\nFrom Russia with love\nYear: 1963\n",
			want: []wantMsg{{raw: "Subject: 1\n\nmovie:\n\nFrom Russia with love\nYear: 1963\n"}},
		},
		{
			name: "envelope-shaped line not followed by a header is body",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nhi\n\nFrom me\n\nbye\n",
			want: []wantMsg{{raw: "Subject: 1\n\nhi\n\nFrom me\n\nbye\n", envelope: "a@x"}},
		},
		{
			name: "Netscape style: From_ right after the body, nothing dropped",
			in:   "From - \nSubject: 1\n\nbody 1\n--boundary--\nFrom - Mon Jun  3 12:50:27 1996\nReturn-Path: <x@y>\n\nbody 2\n",
			want: []wantMsg{
				{raw: "Subject: 1\n\nbody 1\n--boundary--\n"},
				{raw: "Return-Path: <x@y>\n\nbody 2\n", from: "From - Mon"},
			},
		},
		{
			name: "mbox with no blank lines at all splits on envelope lines",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\nFrom b@x Tue Jan  2 00:00:00 2024\nSubject: 2\n",
			want: []wantMsg{
				{raw: "Subject: 1\n", envelope: "a@x"},
				{raw: "Subject: 2\n", envelope: "b@x", from: "From b"},
			},
		},
		{
			name: "pipermail archive of mail from a host without dots",
			in: "From root at localhost  Thu Apr  1 20:27:04 2004\nFrom: root at localhost (Cron Daemon)\nDate: Thu, 1 Apr 2004 20:27:04 +0000\nSubject: one\n\nA\n\n" +
				"From root at localhost  Fri Apr  2 20:27:04 2004\nFrom: root at localhost (Cron Daemon)\nDate: Fri, 2 Apr 2004 20:27:04 +0000\nSubject: two\n\nB\n",
			want: []wantMsg{
				{raw: "From: root at localhost (Cron Daemon)\nDate: Thu, 1 Apr 2004 20:27:04 +0000\nSubject: one\n\nA\n", envelope: "root@localhost"},
				{raw: "From: root at localhost (Cron Daemon)\nDate: Fri, 2 Apr 2004 20:27:04 +0000\nSubject: two\n\nB\n", envelope: "root@localhost", from: "From root at localhost  Fri"},
			},
		},
		{
			name: "UW-IMAP folder data is skipped, first or after a message (mboxes concatenated)",
			in: "From MAILER-DAEMON Thu Apr  1 20:00:00 2004\nSubject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nX-IMAP: 1 2\n\nstate\n\n" +
				"From a@x Mon Jan  1 00:00:00 2024\nSubject: a\n\nA\n\n" +
				"From MAILER-DAEMON Thu Apr  1 20:00:00 2004\nsubject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nX-IMAPbase: 1 2\n\nstate\n",
			want: []wantMsg{
				{skip: SkipFolderData, err: ErrSkipped},
				{raw: "Subject: a\n\nA\n", envelope: "a@x", from: "From a"},
				{skip: SkipFolderData, err: ErrSkipped, from: "From MAILER-DAEMON Thu Apr  1 20:00:00 2004\nsubject"},
			},
		},
		{
			name: "a mail quoting UW-IMAP folder data, or with only its subject, is mail",
			in: "From a@x Mon Jan  1 00:00:00 2024\nSubject: fwd\n\n> Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nX-IMAP: 1 2\n\n" +
				"From b@x Mon Jan  1 00:00:00 2024\nSubject: FOLDER INTERNAL DATA\n\nX-IMAP: 1 2\n",
			want: []wantMsg{
				{raw: "Subject: fwd\n\n> Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\nX-IMAP: 1 2\n", envelope: "a@x"},
				{raw: "Subject: FOLDER INTERNAL DATA\n\nX-IMAP: 1 2\n", envelope: "b@x", from: "From b"},
			},
		},
		{
			name: "empty messages are skipped, and counted",
			in: "From a@x Mon Jan  1 00:00:00 2024\n\nFrom b@x Mon Jan  1 00:00:00 2024\nFrom c@x Mon Jan  1 00:00:00 2024\nSubject: c\n\n" +
				"From d@x Mon Jan  1 00:00:00 2024\n\nFrom e@x Mon Jan  1 00:00:00 2024\nSubject: e\n\nFrom f@x Mon Jan  1 00:00:00 2024\n",
			want: []wantMsg{
				{skip: SkipEmpty, err: ErrSkipped},
				{skip: SkipEmpty, err: ErrSkipped, from: "From b"},
				{raw: "Subject: c\n", envelope: "c@x", from: "From c"},
				{skip: SkipEmpty, err: ErrSkipped, from: "From d"},
				// The last From_ line has no message after it, so nothing
				// confirms it is framing: it stays in e's body.
				{raw: "Subject: e\n\nFrom f@x Mon Jan  1 00:00:00 2024\n", envelope: "e@x", from: "From e"},
			},
		},
		{
			name:  "mboxrd unquoting removes one '>' from every quoted From",
			in:    "From a@x Mon Jan  1 00:00:00 2024\nSubject: q\n\n>From x\n>>From y\n>>>From z\n>Fromage\n> From w\n",
			quote: quoteMboxrd,
			want:  []wantMsg{{raw: "Subject: q\n\nFrom x\n>From y\n>>From z\n>Fromage\n> From w\n", envelope: "a@x"}},
		},
		{
			name:  "mboxo unquoting removes '>' only from >From",
			in:    "From a@x Mon Jan  1 00:00:00 2024\nSubject: q\n\n>From x\n>>From y\n",
			quote: quoteMboxo,
			want:  []wantMsg{{raw: "Subject: q\n\nFrom x\n>>From y\n", envelope: "a@x"}},
		},
		{
			name: "no final newline",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nno newline",
			want: []wantMsg{{raw: "Subject: 1\n\nno newline", envelope: "a@x"}},
		},
		{
			name: "only one trailing blank line is framing",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbody\n\n\n",
			want: []wantMsg{{raw: "Subject: 1\n\nbody\n\n", envelope: "a@x"}},
		},
		{
			name: "blank lines and a byte order mark before the first From_ line",
			in:   "\n\r\n\xef\xbb\xbfFrom <a@x> Mon Jan  1 00:00:00 2024\nSubject: 1\n",
			want: []wantMsg{{raw: "Subject: 1\n", envelope: "a@x", from: "\xef"}},
		},
		{
			// cat a.mbox b.mbox > all.mbox, b written by a Windows tool:
			// its byte order mark is framing there too, not body of a.
			name: "a byte order mark before a From_ line further on (mboxes concatenated)",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nA\n\n\xef\xbb\xbfFrom b@x Tue Jan  2 00:00:00 2024\nSubject: 2\n\nB\n",
			want: []wantMsg{
				{raw: "Subject: 1\n\nA\n", envelope: "a@x"},
				{raw: "Subject: 2\n\nB\n", envelope: "b@x", from: "\xef\xbb\xbfFrom b"},
			},
		},
		{
			name: "a byte order mark before a line of prose that starts with From is body",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nA\n\n\xef\xbb\xbfFrom here on\nNote: x\n",
			want: []wantMsg{{raw: "Subject: 1\n\nA\n\n\xef\xbb\xbfFrom here on\nNote: x\n", envelope: "a@x"}},
		},
		{
			name: "bytes before the first From_ line are no message",
			in:   "garbage\nmore\n\nFrom MAILER-DAEMON Mon Jan  1 00:00:00 2024\nSubject: 1\n",
			want: []wantMsg{
				{err: ErrNotMessage},
				{raw: "Subject: 1\n", from: "From M"},
			},
		},
		{
			name: "a From_ line at the end of the file is body",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nbye\n\nFrom b@x Mon Jan  1 00:00:00 2024\n",
			want: []wantMsg{{raw: "Subject: 1\n\nbye\n\nFrom b@x Mon Jan  1 00:00:00 2024\n", envelope: "a@x"}},
		},
		{
			name: "NUL bytes are kept",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: \x00\n\n\x00\x00body\x00\n",
			want: []wantMsg{{raw: "Subject: \x00\n\n\x00\x00body\x00\n", envelope: "a@x"}},
		},
		{
			name: "header starting with a quoted From_ line",
			in:   "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nFrom b@x Mon Jan  1 00:00:00 2024\n>From b@x Sun Dec 31 00:00:00 2023\nSubject: 2\n",
			want: []wantMsg{
				{raw: "Subject: 1\n", envelope: "a@x"},
				{raw: "From b@x Sun Dec 31 00:00:00 2023\nSubject: 2\n", envelope: "b@x", from: "From b"},
			},
		},
		{
			name: "a From_ line with only a date-less sender (Gmail export)",
			in:   "From 1844347792267117879@xxx\nX-GM-THRID: 1\n\nb\n\nFrom 1844347839636459560@xxx\nX-GM-THRID: 2\n\nc\n",
			want: []wantMsg{
				{raw: "X-GM-THRID: 1\n\nb\n", envelope: "1844347792267117879@xxx"},
				{raw: "X-GM-THRID: 2\n\nc\n", envelope: "1844347839636459560@xxx", from: "From 18443478"},
			},
		},
		{
			// mboxcl2 (Solaris mail, some exporters) quotes nothing and
			// counts the body in Content-Length: a From_ line followed by a
			// header inside the counted bytes is the body's (a message
			// quoting an mbox), not the start of another message.
			name: "Content-Length (mboxcl2): a From_ line inside the counted body is body",
			in: "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\nContent-Length: 78\n\nold mail:\n\nFrom b@x Mon Jan  1 00:00:00 2024\nFrom: b@x\nSubject: old\n\nold body\n\n" +
				"From c@x Tue Jan  2 00:00:00 2024\nSubject: 2\nContent-Length: 7\n\nbody 2\n\n",
			want: []wantMsg{
				{raw: "Subject: 1\nContent-Length: 78\n\nold mail:\n\nFrom b@x Mon Jan  1 00:00:00 2024\nFrom: b@x\nSubject: old\n\nold body\n", envelope: "a@x"},
				{raw: "Subject: 2\nContent-Length: 7\n\nbody 2\n", envelope: "c@x", from: "From c"},
			},
		},
		{
			name: "Content-Length (mboxcl2) with CRLF, the last message counted to the end of the file",
			in: "From a@x Mon Jan  1 00:00:00 2024\r\ncontent-length:  49\r\n\r\nFrom b@x Mon Jan  1 00:00:00 2024\r\nSubject: old\r\n\r\n" +
				"From c@x Tue Jan  2 00:00:00 2024\r\nContent-Length: 53\r\n\r\nx\r\nFrom d@x Tue Jan  2 00:00:00 2024\r\nSubject: old2\r\n",
			want: []wantMsg{
				{raw: "content-length:  49\r\n\r\nFrom b@x Mon Jan  1 00:00:00 2024\r\nSubject: old\r\n", envelope: "a@x"},
				{raw: "Content-Length: 53\r\n\r\nx\r\nFrom d@x Tue Jan  2 00:00:00 2024\r\nSubject: old2\r\n", envelope: "c@x", from: "From c"},
			},
		},
		{
			// A Content-Length that does not end where the next message
			// (or the file) starts is wrong, as they often are: the
			// From_ lines decide, as without one.
			name: "a Content-Length that ends elsewhere is ignored",
			in: "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\nContent-Length: 30\n\nold mail:\n\nFrom b@x Mon Jan  1 00:00:00 2024\nFrom: b@x\nSubject: old\n\nold body\n\n" +
				"From c@x Tue Jan  2 00:00:00 2024\nSubject: 2\nContent-Length: 7000\n\nbody 2\n\nFrom d@x Tue Jan  2 00:00:00 2024\nSubject: 3\n\nbody 3\n",
			want: []wantMsg{
				{raw: "Subject: 1\nContent-Length: 30\n\nold mail:\n", envelope: "a@x"},
				{raw: "From: b@x\nSubject: old\n\nold body\n", envelope: "b@x", from: "From b"},
				{raw: "Subject: 2\nContent-Length: 7000\n\nbody 2\n", envelope: "c@x", from: "From c"},
				{raw: "Subject: 3\n\nbody 3\n", envelope: "d@x", from: "From d"},
			},
		},
		{
			// An mboxcl2 writer (Dovecot, mutt, Solaris mail) quotes
			// nothing: a ">From " line in a body whose count is right is
			// the sender's text, and Dovecot and mutt show it as such.
			name: "Content-Length (mboxcl2) right: quoted-looking lines kept as they are",
			in: "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\nContent-Length: 32\n\n> From you\n>From me\n>>From them\n\n" +
				"From c@x Tue Jan  2 00:00:00 2024\nSubject: 2\n\n>From q\n",
			want: []wantMsg{
				{raw: "Subject: 1\nContent-Length: 32\n\n> From you\n>From me\n>>From them\n", envelope: "a@x"},
				{raw: "Subject: 2\n\nFrom q\n", envelope: "c@x", from: "From c"},
			},
		},
		{
			name: "Content-Length (mboxcl2) right, a From_ line in the body: lines before and after it kept",
			in:   "From a@x Mon Jan  1 00:00:00 2024\r\nContent-Length: 70\r\n\r\n>From 1\r\nFrom b@x Mon Jan  1 00:00:00 2024\r\nSubject: old\r\n\r\n>>From 2\r\n",
			want: []wantMsg{
				{raw: "Content-Length: 70\r\n\r\n>From 1\r\nFrom b@x Mon Jan  1 00:00:00 2024\r\nSubject: old\r\n\r\n>>From 2\r\n", envelope: "a@x"},
			},
		},
		{
			// A wrong count says nothing about the writer: the file's
			// quoting rule applies, as without one.
			name: "Content-Length wrong: quoted lines unquoted",
			in: "From a@x Mon Jan  1 00:00:00 2024\nContent-Length: 5\n\n>From me\n>>From them\n\n" +
				"From c@x Tue Jan  2 00:00:00 2024\nContent-Length: 9\n\n>From q\n",
			want: []wantMsg{
				{raw: "Content-Length: 5\n\nFrom me\n>From them\n", envelope: "a@x"},
				{raw: "Content-Length: 9\n\nFrom q\n", envelope: "c@x", from: "From c"},
			},
		},
		{
			name:  "Content-Length right under mboxo rules: kept too",
			quote: quoteMboxo,
			in:    "From a@x Mon Jan  1 00:00:00 2024\nContent-Length: 8\n\n>From q\n",
			want:  []wantMsg{{raw: "Content-Length: 8\n\n>From q\n", envelope: "a@x"}},
		},
		{
			name: "only a From_ line: one empty record",
			in:   "From a@x Mon Jan  1 00:00:00 2024\n",
			want: []wantMsg{{skip: SkipEmpty, err: ErrSkipped}},
		},
		{
			name: "empty input: nothing",
			in:   "",
		},
	}
	// A Content-Length is checked up to contentLengthReach bytes past the
	// From_ line: further on, the From_ lines decide, as without one.
	far := "From b@x Mon Jan  1 00:00:00 2024\nSubject: old\n\n" + strings.Repeat("x", contentLengthReach) + "\n"
	tests = append(tests, struct {
		name  string
		in    string
		quote quoting
		want  []wantMsg
	}{
		name: "a Content-Length that ends beyond the reach is not checked",
		in:   "From a@x Mon Jan  1 00:00:00 2024\nContent-Length: " + strconv.Itoa(len(far)) + "\n\n" + far,
		want: []wantMsg{
			{raw: "Content-Length: " + strconv.Itoa(len(far)) + "\n", envelope: "a@x"},
			{raw: far[strings.Index(far, "\n")+1:], envelope: "b@x", from: "From b"},
		},
	})
	// The count is checked where it ends, however far that is: a body
	// longer than the reach keeps its quoted-looking lines too.
	long := ">From me\n" + strings.Repeat("y", 2*contentLengthReach) + "\n>From you\n"
	tests = append(tests, struct {
		name  string
		in    string
		quote quoting
		want  []wantMsg
	}{
		name: "Content-Length right beyond the reach: quoted-looking lines kept",
		in:   "From a@x Mon Jan  1 00:00:00 2024\nContent-Length: " + strconv.Itoa(len(long)) + "\n\n" + long + "\nFrom c@x Tue Jan  2 00:00:00 2024\nSubject: 2\n\n",
		want: []wantMsg{
			{raw: "Content-Length: " + strconv.Itoa(len(long)) + "\n\n" + long, envelope: "a@x"},
			{raw: "Subject: 2\n", envelope: "c@x", from: "From c"},
		},
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readMbox(t, tt.in, tt.quote, DefaultMaxSize)
			if len(got) != len(tt.want) {
				for i, it := range got {
					t.Logf("got[%d] = %q err=%v", i, it.Raw, it.Err)
				}
				t.Fatalf("got %d items, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Skipped != w.skip {
					t.Errorf("item %d: skipped %q, want %q", i, g.Skipped, w.skip)
				}
				if w.err != nil {
					if !errors.Is(g.Err, w.err) || g.Raw != nil {
						t.Errorf("item %d: err %v raw %q, want %v and no raw", i, g.Err, g.Raw, w.err)
					}
					if want := int64(max(0, strings.Index(tt.in, w.from))); w.skip != "" && g.Offset != want {
						t.Errorf("item %d: offset %d, want %d", i, g.Offset, want)
					}
					continue
				}
				if g.Err != nil {
					t.Errorf("item %d: unexpected error %v", i, g.Err)
				}
				if string(g.Raw) != w.raw {
					t.Errorf("item %d: raw\n%q\nwant\n%q", i, g.Raw, w.raw)
				}
				if g.EnvelopeFrom != w.envelope {
					t.Errorf("item %d: envelope %q, want %q", i, g.EnvelopeFrom, w.envelope)
				}
				if want := int64(max(0, strings.Index(tt.in, w.from))); w.from != "" && g.Offset != want || w.from == "" && g.Offset != 0 {
					t.Errorf("item %d: offset %d, want %d", i, g.Offset, want)
				}
				if g.Size != int64(len(g.Raw)) {
					t.Errorf("item %d: size %d, len(raw) %d", i, g.Size, len(g.Raw))
				}
			}
			checkAccounting(t, tt.in, tt.quote)
		})
	}
}

// checkAccounting reads data again and checks every input byte is either a
// message byte, framing or a removed quote.
func checkAccounting(t testing.TB, data string, q quoting) {
	t.Helper()
	r := newMboxReader(strings.NewReader(data), "m", q, DefaultMaxSize, readBufSize)
	var sum int64
	for _, it := range readItems(t, r) {
		sum += it.Size
	}
	if got := sum + r.framing + r.quotes; got != int64(len(data)) {
		t.Errorf("accounted %d bytes (messages %d, framing %d, quotes %d), input has %d",
			got, sum, r.framing, r.quotes, len(data))
	}
}

func TestMboxOrigins(t *testing.T) {
	in := "junk\n\nFrom a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\nFrom b@x Mon Jan  1 00:00:00 2024\nSubject: 2\n"
	got := readItems(t, newMboxReader(strings.NewReader(in), "box", quoteMboxrd, DefaultMaxSize, readBufSize))
	want := []string{"box@0", "box:#1", "box:#2"}
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Origin != want[i] {
			t.Errorf("item %d: origin %q, want %q", i, got[i].Origin, want[i])
		}
	}
}

func TestMboxMaxSize(t *testing.T) {
	const max = 100
	msg := func(n int) string { // a message of exactly n bytes
		s := "Subject: x\n\n"
		return s + strings.Repeat("y", n-len(s)-1) + "\n"
	}
	from := "From a@x Mon Jan  1 00:00:00 2024\n"
	in := from + msg(max) + "\n" + from + msg(max+1) + "\n" + from + msg(3*max) + "\n" + from + msg(max-1)
	got := readMbox(t, in, quoteMboxrd, max)
	want := []struct {
		size int64
		err  error
	}{{max, nil}, {max + 1, ErrTooLarge}, {3 * max, ErrTooLarge}, {max - 1, nil}}
	if len(got) != len(want) {
		t.Fatalf("got %d items, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].Size != w.size || !errors.Is(got[i].Err, w.err) {
			t.Errorf("item %d: size %d err %v, want %d %v", i, got[i].Size, got[i].Err, w.size, w.err)
		}
		if (got[i].Raw == nil) != (w.err != nil) {
			t.Errorf("item %d: raw %q with err %v", i, got[i].Raw, got[i].Err)
		}
	}
}

// TestMboxJustOverMaxSize: a message one or two bytes over MaxSize (which
// the reader still holds, as those bytes may be the blank separator) is
// refused, and none of its bytes end up in the message after it.
func TestMboxJustOverMaxSize(t *testing.T) {
	const max = 100
	from := "From a@x Mon Jan  1 00:00:00 2024\n"
	msg := func(n int) string { // a message of exactly n bytes
		s := "Subject: x\n\n"
		return s + strings.Repeat("y", n-len(s)-1) + "\n"
	}
	next := "Subject: next\n\nsmall\n"
	for _, over := range []int{1, 2, 3} {
		got := readMbox(t, from+msg(max+over)+"\n"+from+next, quoteMboxrd, max)
		if len(got) != 2 || !errors.Is(got[0].Err, ErrTooLarge) {
			t.Fatalf("%d over: %d items, first %v", over, len(got), got[0].Err)
		}
		if string(got[1].Raw) != next || got[1].Err != nil {
			t.Errorf("%d over: the next message is %q (err %v), want %q", over, got[1].Raw, got[1].Err, next)
		}
	}
}

// TestMboxTooLargeDigest: a message too large to keep is still named by
// the SHA-256 of its bytes, the same as if it had been kept: without the
// blank line that separates it from the next, with quoted From_ lines
// unquoted, and however it ends (a next From_ line, the end of the file).
func TestMboxTooLargeDigest(t *testing.T) {
	const max = 100
	from := "From a@x Mon Jan  1 00:00:00 2024\n"
	big := "Subject: big\n\n" + strings.Repeat("y", 150) + "\n>From here\n"
	bigCRLF := strings.ReplaceAll(big, "\n", "\r\n")
	for _, tc := range []struct {
		name, in string
		item     int // which item is the big one
	}{
		{"followed by a message", from + big + "\n" + from + "Subject: s\n\nsmall\n", 0},
		{"last, blank line at the end", from + "Subject: s\n\nsmall\n\n" + from + big + "\n", 1},
		{"last, no blank line", from + big, 0},
		{"CRLF separators", "From a@x Mon Jan  1 00:00:00 2024\r\n" + bigCRLF + "\r\n" + "From a@x Mon Jan  1 00:00:00 2024\r\nSubject: s\r\n\r\nx\r\n", 0},
		{"ends in blank lines of its own", from + big + "\n\n\n" + from + "Subject: s\n\nsmall\n", 0},
		{"one long line", from + "Subject: big\n\n" + strings.Repeat("z", 5000) + "\n\n" + from + "Subject: s\n\nx\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kept := readMbox(t, tc.in, quoteMboxrd, DefaultMaxSize)[tc.item]
			got := readMbox(t, tc.in, quoteMboxrd, max)[tc.item]
			if kept.Err != nil || !errors.Is(got.Err, ErrTooLarge) {
				t.Fatalf("errors %v and %v", kept.Err, got.Err)
			}
			want := sha256.Sum256(kept.Raw)
			if got.RawSHA256 != hex.EncodeToString(want[:]) {
				t.Errorf("digest %s, want %x (of %q)", got.RawSHA256, want, kept.Raw)
			}
			// The small pieces of a slow reader give the same digest.
			trickle := readItems(t, newMboxReader(iotest.OneByteReader(strings.NewReader(tc.in)), "m", quoteMboxrd, max, minBufSize))[tc.item]
			if trickle.RawSHA256 != got.RawSHA256 {
				t.Errorf("one byte at a time: digest %s, want %s", trickle.RawSHA256, got.RawSHA256)
			}
		})
	}
}

// TestMboxReadsSmallPieces feeds the reader one byte at a time and in a
// small buffer (a line longer than it): line, lookahead and Content-Length
// decisions must not depend on how the input arrives.
func TestMboxReadsSmallPieces(t *testing.T) {
	clBody := "quoted:\r\n>From q\r\nFrom c@x Mon Jan  1 00:00:00 2024\r\nSubject: old\r\n\r\n" + strings.Repeat("x", contentLengthReach-100) + "\r\n"
	in := "From a@x Mon Jan  1 00:00:00 2024\r\nSubject: 1\r\n\r\n" + strings.Repeat("long ", minBufSize/4) + "\r\n>From q\r\n\r\n" +
		"From b@x Mon Jan  1 00:00:00 2024\r\nSubject: 2\r\n\r\nFrom here on\r\n\r\n" +
		"From d@x Mon Jan  1 00:00:00 2024\r\nContent-Length: " + strconv.Itoa(len(clBody)) + "\r\n\r\n" + clBody + "\r\n" +
		"From e@x Mon Jan  1 00:00:00 2024\r\nSubject: 4\r\n\r\n"
	want := readMbox(t, in, quoteMboxrd, DefaultMaxSize)
	if len(want) != 4 {
		t.Fatalf("got %d items, want 4", len(want))
	}
	readers := map[string]io.Reader{
		"one byte": iotest.OneByteReader(strings.NewReader(in)),
		"half":     iotest.HalfReader(strings.NewReader(in)),
		"data+err": iotest.DataErrReader(strings.NewReader(in)),
	}
	for name, rd := range readers {
		for _, size := range []int{minBufSize, readBufSize} {
			got := readItems(t, newMboxReader(rd, "m", quoteMboxrd, DefaultMaxSize, size))
			if !sameItems(got, want) {
				t.Errorf("%s, buffer %d: items differ from one large read", name, size)
			}
			rd = iotest.OneByteReader(strings.NewReader(in))
		}
	}
}

func sameItems(a, b []*Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Raw, b[i].Raw) || a[i].Size != b[i].Size || a[i].Offset != b[i].Offset ||
			a[i].EnvelopeFrom != b[i].EnvelopeFrom || (a[i].Err == nil) != (b[i].Err == nil) {
			return false
		}
	}
	return true
}

func TestMboxReadError(t *testing.T) {
	boom := errors.New("boom")
	in := "From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\npartial"
	r := newMboxReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom)), "m", quoteMboxrd, DefaultMaxSize, readBufSize)
	got := readItems(t, r)
	if len(got) != 1 || !errors.Is(got[0].Err, boom) || got[0].Raw != nil {
		t.Fatalf("got %d items, want one with err %v", len(got), boom)
	}
}

func TestMboxHugeLine(t *testing.T) {
	line := strings.Repeat("x", 1<<20) + "\n"
	msg := "Subject: big\n\n" + line
	in := "From a@x Mon Jan  1 00:00:00 2024\n" + msg + "\n" + "From " + line + "\n" +
		"From b@x Mon Jan  1 00:00:00 2024\nSubject: 2\n"
	got := readMbox(t, in, quoteMboxrd, DefaultMaxSize)
	if len(got) != 2 {
		t.Fatalf("got %d items, want 2", len(got))
	}
	// A 1 MB line starting with "From " is too long to be a From_ line.
	if want := msg + "\nFrom " + line; string(got[0].Raw) != want {
		t.Errorf("first message has %d bytes, want %d", len(got[0].Raw), len(want))
	}
	if string(got[1].Raw) != "Subject: 2\n" {
		t.Errorf("second message %q", got[1].Raw)
	}
}

// generated yields an mbox of n bytes without holding it: one message whose
// body is lines of text, or (oneLine) a single line with NUL bytes and no
// blank lines.
type generated struct {
	left    int64
	started bool
	line    []byte
}

func (g *generated) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	if !g.started {
		g.started = true
		n := copy(p, "From a@x Mon Jan  1 00:00:00 2024\nSubject: big\n")
		g.left -= int64(n)
		return n, nil
	}
	n := 0
	for n < len(p) && g.left > 0 {
		c := copy(p[n:min(len(p), n+int(min(g.left, int64(len(g.line)))))], g.line)
		n += c
		g.left -= int64(c)
	}
	return n, nil
}

// TestMboxBoundedMemory reads 64 MB messages that are larger than MaxSize
// and checks the reader allocated a small multiple of MaxSize, not the input.
func TestMboxBoundedMemory(t *testing.T) {
	const total = 64 << 20
	const max = 1 << 20
	for name, line := range map[string][]byte{
		"lines":                []byte("some text in a line of a long message body\n"),
		"one line with NUL":    []byte("\x00no newline at all\x00"),
		"no blank lines, From": []byte("From x\n"),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			items := readItems(t, newMboxReader(&generated{left: total, line: line}, "m", quoteMboxrd, max, readBufSize))
			runtime.ReadMemStats(&after)
			if len(items) != 1 || !errors.Is(items[0].Err, ErrTooLarge) || items[0].Size < total-100 {
				t.Fatalf("got %d items (%+v), want one too-large item", len(items), items)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8*max {
				t.Errorf("allocated %d bytes reading %d", alloc, total)
			}
		})
	}
}

// An mbox whose lines end in CR alone (classic Mac OS: Eudora, Mac OS 9
// mail) is one line to a reader of lines: refused as no message, it says
// why and how to convert it, not that bytes come before its first From_
// line, which it starts with. Held in memory or not.
func TestMboxCROnly(t *testing.T) {
	in := "From a@x Mon Jan  1 00:00:00 2024\rFrom: a@x\rSubject: 1\r\rbody\r\rFrom b@x Mon Jan  1 00:00:00 2024\rSubject: 2\r\rbody\r"
	for _, max := range []int64{DefaultMaxSize, 10} {
		got := readItems(t, newMboxReader(strings.NewReader(in), "old.mbx", quoteMboxrd, max, readBufSize))
		if len(got) != 1 || !errors.Is(got[0].Err, ErrNotMessage) ||
			!strings.Contains(got[0].Err.Error(), "old.mbx ends its lines with CR alone (classic Mac OS): convert them first, with tr '\\r' '\\n' < old.mbx > old.mbx.lf, and import that") {
			t.Errorf("max %d: got %d items, first %v", max, len(got), got[0].Err)
		}
	}
	// A file with CRLF, or LF, line endings and text before its first
	// From_ line says what it said.
	got := readItems(t, newMboxReader(strings.NewReader("note\r\nFrom a@x Mon Jan  1 00:00:00 2024\r\nSubject: 1\r\n"), "m", quoteMboxrd, DefaultMaxSize, readBufSize))
	if len(got) != 2 || !strings.Contains(got[0].Err.Error(), "6 bytes before the first From_ line") {
		t.Errorf("CRLF: got %d items, first %v", len(got), got[0].Err)
	}
}
