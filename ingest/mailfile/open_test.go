package mailfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

const mboxTwo = "From a@x Mon Jan  1 00:00:00 2024\nSubject: m1\n\nx\n\nFrom b@x Mon Jan  1 00:00:00 2024\nSubject: m2\n\ny\n"

// writeTree creates files under dir; a name ending in "/" is a directory.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// summary is one line per item: origin relative to dir, then the Subject or
// the error.
// openSummary opens path (in dir; "" for dir itself), reads every item
// and returns them with their summary lines, dir left out of them.
func openSummary(t *testing.T, dir, path string, opt Options) ([]*Item, []string) {
	t.Helper()
	r, err := Open(filepath.Join(dir, path), opt)
	if err != nil {
		t.Fatal(err)
	}
	items := readItems(t, r)
	var got []string
	for _, line := range summary(t, dir, items) {
		got = append(got, strings.ReplaceAll(line, dir+"/", ""))
	}
	return items, got
}

func summary(t *testing.T, dir string, items []*Item) []string {
	var out []string
	for _, it := range items {
		origin := strings.TrimPrefix(filepath.ToSlash(it.Origin), filepath.ToSlash(dir)+"/")
		switch {
		case it.Skipped != "":
			out = append(out, origin+" skipped:"+it.Skipped)
		case errors.Is(it.Err, ErrNotMessage):
			out = append(out, origin+" not-message")
		case errors.Is(it.Err, ErrTooLarge):
			out = append(out, origin+" too-large")
		case it.Err != nil:
			out = append(out, origin+" error "+it.Err.Error())
		default:
			subject, _, _ := strings.Cut(strings.TrimPrefix(string(it.Raw), "Subject: "), "\n")
			out = append(out, origin+" "+subject)
		}
	}
	return out
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a.eml":                           "Subject: a\n\nbody\n",
		"b.mbox":                          mboxTwo,
		"c.bin":                           "\x89PNG\r\n\x1a\n\x00",
		"d.empty":                         "",
		"e.big":                           "Subject: e\n\n" + strings.Repeat("x", 1000) + "\n",
		".hidden":                         "Subject: hidden\n",
		"sub/f.eml":                       "Subject: f\n",
		"Maildir/cur/1.host:2,S":          "Subject: cur1\n",
		"Maildir/cur/2.host:2,":           "Subject: cur2\n",
		"Maildir/new/3.host":              "Subject: new3\n",
		"Maildir/tmp/4.host":              "Subject: tmp4\n",
		"Maildir/dovecot-uidlist":         "3 V1 N4\n",
		"Maildir/.Sent/cur/5.host:2,S":    "Subject: sent5\n",
		"Maildir/.Sent/maildirfolder":     "",
		"Maildir/.Junk/new/.6.host":       "Subject: dotfile\n",
		"Maildir/.Junk/new/7.host":        "Subject: junk7\n",
		"Maildir/notmaildir/x":            "Subject: nope\n",
		"Maildir/cur/8.host-mbox-style:2": "From a@x Mon Jan  1 00:00:00 2024\nSubject: cur8\n",
	})
	tests := []struct {
		name string
		path string
		opt  Options
		want []string
	}{
		{
			name: "directory walk",
			path: ".",
			opt:  Options{MaxSize: 500},
			want: []string{
				".hidden skipped:hidden",
				"Maildir/cur/1.host:2,S cur1", "Maildir/cur/2.host:2, cur2", "Maildir/cur/8.host-mbox-style:2:#1 cur8",
				"Maildir/new/3.host new3", "Maildir/tmp/4.host skipped:maildir_tmp",
				"Maildir/.Junk/new/.6.host skipped:hidden", "Maildir/.Junk/new/7.host junk7",
				"Maildir/.Sent/cur/5.host:2,S sent5", "Maildir/.Sent/maildirfolder skipped:mailbox_state",
				"Maildir/dovecot-uidlist skipped:mailbox_state", "Maildir/notmaildir/x nope",
				"a.eml a", "b.mbox:#1 m1", "b.mbox:#2 m2", "c.bin not-message", "d.empty not-message", "e.big too-large",
				"sub/f.eml f",
			},
		},
		{
			name: "maildir",
			path: "Maildir",
			opt:  Options{Format: FormatMaildir},
			want: []string{
				"Maildir/cur/1.host:2,S cur1", "Maildir/cur/2.host:2, cur2", "Maildir/cur/8.host-mbox-style:2:#1 cur8",
				"Maildir/new/3.host new3", "Maildir/tmp/4.host skipped:maildir_tmp",
				"Maildir/.Junk/new/.6.host skipped:hidden", "Maildir/.Junk/new/7.host junk7",
				"Maildir/.Sent/cur/5.host:2,S sent5", "Maildir/.Sent/maildirfolder skipped:mailbox_state",
				"Maildir/dovecot-uidlist skipped:mailbox_state", "Maildir/notmaildir/x nope",
			},
		},
		{name: "mbox file", path: "b.mbox", want: []string{"b.mbox:#1 m1", "b.mbox:#2 m2"}},
		{name: "eml file", path: "a.eml", opt: Options{Format: FormatEML}, want: []string{"a.eml a"}},
		{name: "mbox forced as eml", path: "b.mbox", opt: Options{Format: FormatEML}, want: []string{"b.mbox From a@x Mon Jan  1 00:00:00 2024"}},
		{name: "eml forced as mbox", path: "a.eml", opt: Options{Format: FormatMboxrd}, want: []string{"a.eml@0 not-message"}},
		{name: "binary file", path: "c.bin", want: []string{"c.bin not-message"}},
		{name: "empty eml", path: "d.empty", opt: Options{Format: FormatEML}, want: []string{"d.empty not-message"}},
		{name: "too large", path: "e.big", opt: Options{MaxSize: 1000}, want: []string{"e.big too-large"}},
		{name: "just fits", path: "e.big", opt: Options{MaxSize: 1013}, want: []string{"e.big e"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(filepath.Join(dir, tt.path), tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			got := summary(t, dir, readItems(t, r))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.eml": "Subject: a\n", "plain/": ""})
	tests := []struct {
		name string
		path string
		opt  Options
	}{
		{"missing", "nope", Options{}},
		{"maildir that is not", "plain", Options{Format: FormatMaildir}},
		{"file as dir", "a.eml", Options{Format: FormatDir}},
		{"bad format", "a.eml", Options{Format: "pst"}},
	}
	for _, tt := range tests {
		if r, err := Open(filepath.Join(dir, tt.path), tt.opt); err == nil {
			r.Close()
			t.Errorf("%s: Open succeeded", tt.name)
		}
	}
}

func TestOpenReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opt  Options
		want []string
	}{
		{"single message", "Received: x\nSubject: s\n\nbody\n", Options{}, []string{"- Received: x"}},
		{"postfix flags=F", "From a@x Mon Jan  1 00:00:00 2024\nSubject: s\n\n>From quoted\n", Options{}, []string{"-:#1 s"}},
		{"mbox", mboxTwo, Options{}, []string{"-:#1 m1", "-:#2 m2"}},
		{"binary", "\x00\x01\x02", Options{}, []string{"- not-message"}},
		{"empty", "", Options{}, []string{"- not-message"}},
		{"too large", "Subject: s\n\n" + strings.Repeat("x", 100), Options{MaxSize: 50}, []string{"- too-large"}},
		{"forced eml", mboxTwo, Options{Format: FormatEML}, []string{"- From a@x Mon Jan  1 00:00:00 2024"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := OpenReader(strings.NewReader(tt.in), "-", tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			items := readItems(t, r)
			got := summary(t, "", items)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, it := range items {
				if it.Err == nil && it.Size != int64(len(it.Raw)) {
					t.Errorf("size %d, raw %d bytes", it.Size, len(it.Raw))
				}
				if errors.Is(it.Err, ErrTooLarge) && it.Size != int64(len(tt.in)) {
					t.Errorf("too-large size %d, want %d", it.Size, len(tt.in))
				}
				if want := sha256.Sum256([]byte(tt.in)); errors.Is(it.Err, ErrTooLarge) && it.RawSHA256 != hex.EncodeToString(want[:]) {
					t.Errorf("too-large digest %s, want %x", it.RawSHA256, want)
				}
			}
		})
	}
	if _, err := OpenReader(strings.NewReader(""), "-", Options{Format: FormatMaildir}); err == nil {
		t.Error("OpenReader accepted FormatMaildir")
	}
}

// A Maildir file name starts with its delivery time: the archive date.
func TestMaildirTime(t *testing.T) {
	tests := map[string]string{
		"1642966915.M2P3.host:2,S":     "2022-01-23T19:41:55Z",
		"1080849600.M1P1.mx.example":   "2004-04-01T20:00:00Z",
		"1642968136.5.mox":             "2022-01-23T20:02:16Z",
		"01:2,":                        "",
		"12.host":                      "",
		"x1642966915.M2P3.host":        "",
		"16429669150000.M2P3.host:2,S": "",
		"099999999.M1.host":            "",
	}
	for name, want := range tests {
		got := ""
		if d := maildirTime(name); !d.IsZero() {
			got = d.Format(time.RFC3339)
		}
		if got != want {
			t.Errorf("maildirTime(%q) = %q, want %q", name, got, want)
		}
	}
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Maildir/new/1080849600.M1P1.mx.example": "Subject: s\n\nb\n"})
	r, err := Open(filepath.Join(dir, "Maildir"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := readItems(t, r)
	if len(items) != 1 || !items[0].ArchiveDate.Equal(time.Unix(1080849600, 0)) {
		t.Fatalf("items %+v, want one dated by its name", items)
	}
}

// A file read as one message that holds a From_ line followed by a header
// (an mbox read with --format eml) is read as it is, and said to be
// suspect; ordinary messages are not.
func TestSingleMessageSuspect(t *testing.T) {
	tests := []struct {
		in      string
		opt     Options
		suspect bool
	}{
		{"From a@x Mon Jan  1 00:00:00 2024\nFrom: a@x\nSubject: 1\n\nx\n\nFrom b@x Mon Jan  1 00:00:00 2024\nFrom: b@x\nSubject: 2\n\ny\n",
			Options{Format: FormatEML}, true},
		{"Subject: s\n\nFrom here on\nthe text\n", Options{}, false},
		// A message attached as message/rfc822 with its own From_ line.
		{"Subject: s\n\nfoo\nFrom a@x Mon Jan  1 00:00:00 2024\nFrom: a@x\nSubject: glued\n\nx\n", Options{}, false},
		{"From a@x Mon Jan  1 00:00:00 2024\nFrom: a@x\nSubject: only one\n\nx\n", Options{Format: FormatEML}, false},
		{"Subject: s\n\nFrom Russia with love\nYear: 1963\n", Options{}, false},
		{"From  :<a@x>\nSubject: s\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nb\n", Options{}, false},
	}
	for _, tt := range tests {
		r, err := OpenReader(strings.NewReader(tt.in), "-", tt.opt)
		if err != nil {
			t.Fatal(err)
		}
		items := readItems(t, r)
		if len(items) != 1 || (items[0].Suspect != "") != tt.suspect {
			t.Errorf("%.40q: items %d, suspect %q; want suspect %v", tt.in, len(items), items[0].Suspect, tt.suspect)
		}
	}
}

// gzipped compresses s as gzip(1) does.
func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A gzip-compressed file (an mbox kept compressed, `smartbcc export - |
// gzip`) is read as what it holds, every message with its bytes; a file
// packed in a way we do not read is no message, and says how to get at
// the mail in it.
func TestOpenCompressed(t *testing.T) {
	dir := t.TempDir()
	twoGz := gzipped(t, mboxTwo)
	tarHead := make([]byte, 512)
	copy(tarHead, "Inbox.mbox")
	copy(tarHead[257:], "ustar\x0000")
	writeTree(t, dir, map[string]string{
		"b.mbox.gz":        twoGz,
		"a.eml.gz":         gzipped(t, "Subject: a\r\n\r\nbody\x00\r\n"),
		"c.mbox.gz":        twoGz + gzipped(t, "From c@x Mon Jan  1 00:00:00 2024\nSubject: m3\n\nz\n"), // gzip -c >> c.mbox.gz
		"cut.mbox.gz":      twoGz[:len(twoGz)-10],
		"binary.gz":        gzipped(t, "\x00\x01\x02"),
		"Mail.tgz":         gzipped(t, string(tarHead)),
		"m.mbox.bz2":       "BZh91AY&SY\x00\x01\x02",
		"m.mbox.xz":        "\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F",
		"m.mbox.zst":       "\x28\xb5\x2f\xfd\x04\x00",
		"takeout-2026.zip": "PK\x03\x04\x14\x00\x00\x00",
		"m.7z":             "7z\xbc\xaf\x27\x1c\x00\x04",
		"Mail.tar":         string(tarHead),
	})
	tests := []struct {
		path string
		opt  Options
		want []string
		raw  []string // the messages' bytes
	}{
		{path: "b.mbox.gz", want: []string{"b.mbox.gz:#1 m1", "b.mbox.gz:#2 m2"}, raw: []string{"Subject: m1\n\nx\n", "Subject: m2\n\ny\n"}},
		{path: "b.mbox.gz", opt: Options{Format: FormatMboxrd}, want: []string{"b.mbox.gz:#1 m1", "b.mbox.gz:#2 m2"}},
		{path: "a.eml.gz", want: []string{"a.eml.gz a\r"}, raw: []string{"Subject: a\r\n\r\nbody\x00\r\n"}},
		{path: "c.mbox.gz", want: []string{"c.mbox.gz:#1 m1", "c.mbox.gz:#2 m2", "c.mbox.gz:#3 m3"}},
		{path: "cut.mbox.gz", want: []string{"cut.mbox.gz:#1 m1", "cut.mbox.gz:#2 error mailfile: reading cut.mbox.gz: unexpected EOF"}},
		{path: "binary.gz", want: []string{"binary.gz not-message: starts with neither a header field nor a From_ line"}},
		{path: "Mail.tgz", want: []string{"Mail.tgz not-message: a tar archive: unpack it first, with tar -xf Mail.tgz, and import the mail files it holds"}},
		{path: "m.mbox.bz2", want: []string{"m.mbox.bz2 not-message: a bzip2-compressed file: decompress it first, with bunzip2 -k m.mbox.bz2, and import what comes out"}},
		{path: "m.mbox.xz", want: []string{"m.mbox.xz not-message: an xz-compressed file: decompress it first, with xz -dk m.mbox.xz, and import what comes out"}},
		{path: "m.mbox.zst", want: []string{"m.mbox.zst not-message: a zstd-compressed file: decompress it first, with zstd -d m.mbox.zst, and import what comes out"}},
		{path: "takeout-2026.zip", want: []string{"takeout-2026.zip not-message: a zip archive: unpack it first, with unzip takeout-2026.zip, and import the mail files it holds (a Google Takeout has its mbox files in Takeout/Mail)"}},
		{path: "m.7z", want: []string{"m.7z not-message: a 7-Zip archive: unpack it first, with 7z x m.7z, and import the mail files it holds"}},
		{path: "Mail.tar", want: []string{"Mail.tar not-message: a tar archive: unpack it first, with tar -xf Mail.tar, and import the mail files it holds"}},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+string(tt.opt.Format), func(t *testing.T) {
			items, got := openSummary(t, dir, tt.path, tt.opt)
			for i, it := range items {
				if errors.Is(it.Err, ErrNotMessage) {
					_, why, _ := strings.Cut(it.Err.Error(), ErrNotMessage.Error()+": ")
					got[i] += ": " + strings.ReplaceAll(why, dir+"/", "")
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i, raw := range tt.raw {
				if i >= len(items) || string(items[i].Raw) != raw {
					t.Errorf("message %d is not %q", i+1, raw)
				}
			}
		})
	}
	// On stdin (where it could be a pipe delivery) nothing is
	// decompressed; the refusal says what to do.
	r, err := OpenReader(strings.NewReader(twoGz), "stdin", Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := readItems(t, r)
	if len(items) != 1 || !errors.Is(items[0].Err, ErrNotMessage) ||
		!strings.Contains(items[0].Err.Error(), "a gzip-compressed file: give its path instead, or decompress it first, with gunzip -c FILE |") {
		t.Errorf("gzip on stdin: %d items, first %v", len(items), items[0].Err)
	}
}

// emlx is a message as Apple Mail's library keeps it: its length on a
// line of its own, the message, then Apple's property list.
func emlx(msg string) string {
	return fmt.Sprintf("%-10d\n", len(msg)) + msg + "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict><key>flags</key><integer>8590195713</integer></dict></plist>\n"
}

// Apple Mail's library (~/Library/Mail/V10/.../Messages/*.emlx) keeps one
// message a file, after a line with its length and before a property
// list: the message is read with exactly its bytes. A .partial.emlx lacks
// the attachments, which Apple Mail keeps apart: refused, saying how to
// get the whole message.
func TestOpenEmlx(t *testing.T) {
	dir := t.TempDir()
	const m1 = "From: Bob <bob@customer.example>\nSubject: e1\n\nFrom here on, crates.\n"
	const m2 = "Subject: e2\r\n\r\nno final newline"
	writeTree(t, dir, map[string]string{
		"Messages/1.emlx":         emlx(m1),
		"Messages/2.emlx":         emlx(m2),
		"Messages/3.partial.emlx": emlx("Subject: e3\n\n"),
		"Messages/4.emlx":         emlx(m1)[:40],                                // cut short
		"Messages/5.emlx":         fmt.Sprintf("%-10d\n", 30) + "Subject: ab\n", // shorter than it says
		"Messages/6.emlx":         "11\n" + "Subject: x\nlonger than eleven\n",  // longer, and no property list after it
		"Messages/6b.emlx":        "11\n" + "Subject: y\n",                      // no property list at all
		"Messages/8.txt":          "11\n" + "Subject: z\nlonger\n",              // not named .emlx: not read as one
		"Messages/7.emlx":         emlx("Subject: big\n\n" + strings.Repeat("x", 100) + "\n"),
	})
	items, got := openSummary(t, dir, "Messages", Options{MaxSize: 100})
	want := []string{
		"Messages/1.emlx From: Bob <bob@customer.example>",
		"Messages/2.emlx e2\r",
		"Messages/3.partial.emlx error mailfile: an Apple Mail message without its attachments, which Apple Mail keeps apart: " +
			"export the mailbox in Apple Mail (Mailbox > Export Mailbox) and import the .mbox it writes",
		fmt.Sprintf("Messages/4.emlx error mailfile: reading Messages/4.emlx: the file ends before the %d bytes of message its first line gives", len(m1)),
		"Messages/5.emlx error mailfile: reading Messages/5.emlx: the file ends before the 30 bytes of message its first line gives",
		"Messages/6.emlx error mailfile: reading Messages/6.emlx: the 11 bytes of message its first line gives are followed by no property list, " +
			"as Apple Mail writes it: is the length wrong?",
		"Messages/6b.emlx y",
		"Messages/7.emlx too-large",
		"Messages/8.txt not-message",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, raw := range []string{m1, m2} {
		if string(items[i].Raw) != raw || items[i].Size != int64(len(raw)) {
			t.Errorf("message %d is %q, want %q", i+1, items[i].Raw, raw)
		}
	}
	if string(items[6].Raw) != "Subject: y\n" {
		t.Errorf("message 6b is %q", items[6].Raw)
	}
	if sum := sha256.Sum256([]byte("Subject: big\n\n" + strings.Repeat("x", 100) + "\n")); items[7].Size != 115 || items[7].RawSHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("too large: size %d digest %s", items[7].Size, items[7].RawSHA256)
	}
}

// An input that is no message carries the digest of its bytes, so that
// its refusal is recorded once however often the archive is imported;
// an mbox's bytes before its first From_ line too, held in memory or not.
func TestNotMessageDigest(t *testing.T) {
	digest := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"c.bin":            "\x89PNG\r\n\x1a\n\x00",
		"p.mbox":           "a note\nmore\n\nFrom a@x Mon Jan  1 00:00:00 2024\nFrom: a@x\nSubject: 1\n",
		"3.partial.emlx":   emlx("Subject: e3\n\n"),
		"m.mbox.xz":        "\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F",
		"empty/cur/1.host": "",
	})
	for _, tt := range []struct {
		path string
		max  int64
		want string
	}{
		{"c.bin", 0, digest("\x89PNG\r\n\x1a\n\x00")},
		{"p.mbox", 0, digest("a note\nmore\n")},
		{"p.mbox", 5, digest("a note\nmore\n")},
		{"3.partial.emlx", 0, digest(emlx("Subject: e3\n\n"))},
		{"m.mbox.xz", 0, digest("\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F")},
	} {
		r, err := Open(filepath.Join(dir, tt.path), Options{MaxSize: tt.max})
		if err != nil {
			t.Fatal(err)
		}
		items := readItems(t, r)
		if len(items) == 0 || items[0].Err == nil || items[0].RawSHA256 != tt.want {
			t.Errorf("%s (max %d): first item %+v, want digest %s", tt.path, tt.max, items[0], tt.want)
		}
	}
}

// In Apple Mail's library the attachments of .partial.emlx messages lie
// in Attachments/ beside Messages/: one skipped input (the messages say
// what to do), not a refusal per PDF and picture.
func TestAppleMailAttachments(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"INBOX.mbox/Info.plist":                       "<plist/>",
		"INBOX.mbox/U/Data/Messages/1.emlx":           emlx("Subject: e1\n\nhi\n"),
		"INBOX.mbox/U/Data/Messages/2.partial.emlx":   emlx("Subject: e2\n\n"),
		"INBOX.mbox/U/Data/Attachments/2/2/quote.pdf": "%PDF-1.4\n\x00\x01",
		"INBOX.mbox/U/Data/Attachments/2/3/logo.png":  "\x89PNG\r\n\x1a\n\x00",
		"Other/Attachments/a.eml":                     "Subject: kept\n\nx\n", // no Messages/ beside it: read
	})
	r, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range summary(t, dir, readItems(t, r)) {
		got = append(got, strings.ReplaceAll(line, dir+"/", ""))
	}
	want := []string{
		"INBOX.mbox/Info.plist skipped:mailbox_state",
		"INBOX.mbox/U/Data/Attachments skipped:mailbox_state",
		"INBOX.mbox/U/Data/Messages/1.emlx e1",
		"INBOX.mbox/U/Data/Messages/2.partial.emlx error mailfile: an Apple Mail message without its attachments, which Apple Mail keeps apart: " +
			"export the mailbox in Apple Mail (Mailbox > Export Mailbox) and import the .mbox it writes",
		"Other/Attachments/a.eml kept",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A file damaged in itself (a truncated or corrupt .gz, an .emlx whose
// length is wrong) is ErrUnreadable, with a digest that is the same on
// every read of it and differs between two such files: its refusal is
// recorded once however often the archive is imported. An error the
// system reports (the disk, the network) is not: it may pass, and the
// caller retries it rather than record it.
func TestDamagedInputs(t *testing.T) {
	dir := t.TempDir()
	twoGz := gzipped(t, mboxTwo)
	badSum := []byte(gzipped(t, "Subject: a\n\nbody\n"))
	badSum[len(badSum)-8] ^= 0xff // the CRC-32 in the trailer
	const m1 = "From: Bob <bob@customer.example>\nSubject: e1\n\nhello\n"
	writeTree(t, dir, map[string]string{
		"cut.mbox.gz":    twoGz[:len(twoGz)-10],
		"cut2.mbox.gz":   twoGz[:len(twoGz)-12],
		"head.eml.gz":    "\x1f\x8b\x08\x00\x00",
		"sum.eml.gz":     string(badSum),
		"short.emlx":     emlx(m1)[:40],
		"long.emlx":      "11\n" + "Subject: x\nlonger than eleven\n",
		"deflate.eml.gz": "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\xff\xff\xff",
	})
	digests := map[string]string{}
	for _, path := range []string{"cut.mbox.gz", "cut2.mbox.gz", "head.eml.gz", "sum.eml.gz", "short.emlx", "long.emlx", "deflate.eml.gz"} {
		var first string
		for run := range 2 {
			r, err := Open(filepath.Join(dir, path), Options{})
			if err != nil {
				t.Fatal(err)
			}
			items := readItems(t, r)
			last := items[len(items)-1]
			if !errors.Is(last.Err, ErrUnreadable) || last.RawSHA256 == "" || last.Raw != nil {
				t.Errorf("%s: last item err %v digest %q raw %q, want ErrUnreadable, a digest, no raw", path, last.Err, last.RawSHA256, last.Raw)
				break
			}
			if run == 0 {
				first = last.RawSHA256
			} else if last.RawSHA256 != first {
				t.Errorf("%s: digest %s on the second read, %s on the first", path, last.RawSHA256, first)
			}
		}
		if other, ok := digests[first]; ok && first != "" {
			t.Errorf("%s and %s have the same digest", path, other)
		}
		digests[first] = path
	}

	// What the system reports is no damage of the file: not ErrUnreadable.
	boom := errors.New("input/output error")
	partial := emlx("Subject: e3\n\n" + strings.Repeat("x", 5000) + "\n")
	rd := openStream(bufio.NewReader(io.MultiReader(strings.NewReader(partial[:4500]), iotest.ErrReader(boom))), nil, "3.partial.emlx", true, FormatAuto, Options{})
	if items := readItems(t, rd); len(items) != 1 || !errors.Is(items[0].Err, boom) || errors.Is(items[0].Err, ErrUnreadable) || items[0].RawSHA256 != "" {
		t.Errorf(".partial.emlx that cannot be read through: %d items, first err %v digest %q, want %v, not ErrUnreadable, no digest",
			len(items), items[0].Err, items[0].RawSHA256, boom)
	}
	for name, r := range map[string]io.Reader{
		"mbox": io.MultiReader(strings.NewReader("From a@x Mon Jan  1 00:00:00 2024\nSubject: 1\n\npartial"), iotest.ErrReader(boom)),
		"eml":  io.MultiReader(strings.NewReader("Subject: 1\n\npartial"), iotest.ErrReader(boom)),
	} {
		rd, err := OpenReader(r, name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		items := readItems(t, rd)
		last := items[len(items)-1]
		if !errors.Is(last.Err, boom) || errors.Is(last.Err, ErrUnreadable) || last.RawSHA256 != "" {
			t.Errorf("%s: last item err %v digest %q, want %v, not ErrUnreadable, no digest", name, last.Err, last.RawSHA256, boom)
		}
	}
}

// Dovecot's dbox stores (sdbox: a dbox-Mails/ of u.N files per mailbox;
// mdbox: storage/ of m.N files shared by the mailboxes) hold mail in
// Dovecot's own file format, not as messages: each is one skipped input
// that says how to export it, not a refusal per file.
func TestDovecotDbox(t *testing.T) {
	dir := t.TempDir()
	const dbox = "2 M1 C5f3a1b2c\nN 0000000000000123\n\x01\x02From: a@x\nSubject: s\n\nbody\n\n\x01T1234\n"
	writeTree(t, dir, map[string]string{
		"sdbox/mailboxes/INBOX/dbox-Mails/dovecot.index": "\x07\x03",
		"sdbox/mailboxes/INBOX/dbox-Mails/u.1":           dbox,
		"sdbox/mailboxes/INBOX/dbox-Mails/u.2":           dbox,
		"sdbox/mailboxes/Sent/dbox-Mails/u.1":            dbox,
		"mdbox/storage/dovecot.map.index":                "\x07\x03",
		"mdbox/storage/m.1":                              dbox,
		"mdbox/storage/m.2":                              dbox,
		"mdbox/mailboxes/INBOX/dbox-Mails/dovecot.index": "\x07\x03",
		"other/storage/a.eml":                            "Subject: kept\n\nx\n", // no m.N files: read
	})
	items, got := openSummary(t, dir, "", Options{})
	want := []string{
		"mdbox/mailboxes/INBOX/dbox-Mails skipped:dovecot_dbox",
		"mdbox/storage skipped:dovecot_dbox",
		"other/storage/a.eml kept",
		"sdbox/mailboxes/INBOX/dbox-Mails skipped:dovecot_dbox",
		"sdbox/mailboxes/Sent/dbox-Mails skipped:dovecot_dbox",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, it := range items {
		if it.Skipped == SkipDbox && !strings.Contains(it.Err.Error(), "doveadm backup -u USER maildir:") {
			t.Errorf("%s: %v does not say how to export it", it.Origin, it.Err)
		}
	}
	// Given itself, a dbox directory says the same.
	for _, sub := range []string{"sdbox/mailboxes/INBOX/dbox-Mails", "mdbox/storage"} {
		r, err := Open(filepath.Join(dir, sub), Options{})
		if err != nil {
			t.Fatal(err)
		}
		items := readItems(t, r)
		if len(items) != 1 || items[0].Skipped != SkipDbox {
			t.Errorf("%s: %v", sub, summary(t, dir, items))
		}
	}
}

// Mail the user deleted and the mail program had yet to purge:
// Thunderbird's messages flagged expunged (X-Mozilla-Status 0x0008) until
// the folder is compacted, a Maildir file flagged T (trashed, \Deleted
// in IMAP) until it is expunged, nmh's ",N" files that rmm leaves. It is
// one skipped input each, cause deleted, unless IncludeDeleted; each
// case has its own expected list.
func TestDeletedMail(t *testing.T) {
	dir := t.TempDir()
	// Thunderbird writes its own fields above the message (POP3 mail:
	// X-Account-Key and X-UIDL first); an X-Mozilla-Status anywhere else,
	// or under another program's From_ line (an export of a store), is a
	// header any sender can write, and decides nothing.
	tb := "From - Mon Jan  1 00:00:00 2024\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\nSubject: kept\n\nx\n\n" +
		"From - Mon Jan  1 00:00:00 2024\nX-Mozilla-Status: 0009\nX-Mozilla-Status2: 00000000\nSubject: expunged\n\ny\n\n" +
		"From - Mon Jan  1 00:00:00 2024\nX-Mozilla-Status: 8000\nSubject: kept2\n\nz\n\n" +
		"From - Mon Jan  1 00:00:00 2024\nSubject: quotes it\n\nX-Mozilla-Status: 0009\n\n" +
		"From - Mon Jan  1 00:00:00 2024\nX-Account-Key: account2\nX-UIDL: 17\nX-Mozilla-Status: 0009\nSubject: pop3 expunged\n\nx\n\n" +
		"From - Mon Jan  1 00:00:00 2024\nReceived: from x\nX-Mozilla-Status: 0009\nSubject: sender wrote it\n\nx\n\n" +
		"From ann@acme.example Mon Jan  1 00:00:00 2024\nX-Mozilla-Status: 0009\nSubject: exported\n\nx\n"
	writeTree(t, dir, map[string]string{
		"Inbox":                             tb,
		"md/cur/1700000000.M1P1.host:2,S":   "Subject: seen\n\nx\n",
		"md/cur/1700000001.M1P1.host:2,ST":  "Subject: trashed\n\nx\n",
		"md/cur/1700000002.M1P1.host:2,FSa": "Subject: flagged\n\nx\n",
		"md/cur/1700000003.M1P1.host:2,Tb":  "Subject: trashed2\n\nx\n",
		"md/new/1700000004.M1P1.host":       "Subject: new\n\nx\n",
		"mh/inbox/1":                        "Subject: mh1\n\nx\n",
		"mh/inbox/,2":                       "Subject: removed\n\nx\n",
		"mh/inbox/,notes":                   "Subject: not rmm's\n\nx\n",
	})
	for _, tt := range []struct {
		path    string
		include bool
		want    []string
	}{
		// (A message is summarised by its first header line.)
		{"Inbox", false, []string{"Inbox:#1 X-Mozilla-Status: 0001", "Inbox:#2 skipped:deleted", "Inbox:#3 X-Mozilla-Status: 8000", "Inbox:#4 quotes it",
			"Inbox:#5 skipped:deleted", "Inbox:#6 Received: from x", "Inbox:#7 X-Mozilla-Status: 0009"}},
		{"Inbox", true, []string{"Inbox:#1 X-Mozilla-Status: 0001", "Inbox:#2 X-Mozilla-Status: 0009", "Inbox:#3 X-Mozilla-Status: 8000", "Inbox:#4 quotes it",
			"Inbox:#5 X-Account-Key: account2", "Inbox:#6 Received: from x", "Inbox:#7 X-Mozilla-Status: 0009"}},
		{"md", false, []string{"md/cur/1700000000.M1P1.host:2,S seen", "md/cur/1700000001.M1P1.host:2,ST skipped:deleted",
			"md/cur/1700000002.M1P1.host:2,FSa flagged", "md/cur/1700000003.M1P1.host:2,Tb skipped:deleted", "md/new/1700000004.M1P1.host new"}},
		{"md", true, []string{"md/cur/1700000000.M1P1.host:2,S seen", "md/cur/1700000001.M1P1.host:2,ST trashed",
			"md/cur/1700000002.M1P1.host:2,FSa flagged", "md/cur/1700000003.M1P1.host:2,Tb trashed2", "md/new/1700000004.M1P1.host new"}},
		{"mh", false, []string{"mh/inbox/,2 skipped:deleted", "mh/inbox/,notes not rmm's", "mh/inbox/1 mh1"}},
		{"mh", true, []string{"mh/inbox/,2 removed", "mh/inbox/,notes not rmm's", "mh/inbox/1 mh1"}},
	} {
		r, err := Open(filepath.Join(dir, tt.path), Options{IncludeDeleted: tt.include})
		if err != nil {
			t.Fatal(err)
		}
		items := readItems(t, r)
		got := summary(t, dir, items)
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s (include deleted: %v): got\n%s\nwant\n%s", tt.path, tt.include, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
		for _, it := range items {
			if it.Skipped == SkipDeleted && !strings.Contains(it.Err.Error(), "--include-deleted") {
				t.Errorf("%s: %v does not name --include-deleted", it.Origin, it.Err)
			}
		}
	}
}
