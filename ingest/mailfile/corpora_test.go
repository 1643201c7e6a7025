package mailfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gombox "github.com/emersion/go-mbox"

	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
)

// goMboxSplit splits data with go-mbox, the mboxo reader we compare with.
func goMboxSplit(data []byte) ([][]byte, error) {
	r := gombox.NewReader(bytes.NewReader(data))
	var msgs [][]byte
	for {
		m, err := r.NextMessage()
		if err == io.EOF {
			return msgs, nil
		}
		if err != nil {
			return msgs, err
		}
		b, err := io.ReadAll(m)
		if err != nil {
			return msgs, err
		}
		msgs = append(msgs, b)
	}
}

// normalize removes go-mbox's quirks (CRLF endings, a trailing blank line
// now and then) so its messages compare with ours.
func normalize(b []byte) string {
	return strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
}

// readArchive reads a with its format and returns the items.
func readArchive(t *testing.T, a archivetest.Archive, corpora, maildirs string) []*Item {
	t.Helper()
	r, err := Open(a.Path(corpora, maildirs), Options{Format: Format(a.Format)})
	if err != nil {
		t.Fatal(err)
	}
	return readItems(t, r)
}

// checkArchive asserts what reading a gives: its messages, skipped inputs
// by cause, inputs that are no message and suspect messages, each as the
// table says.
func checkArchive(t *testing.T, a archivetest.Archive, items []*Item) {
	t.Helper()
	var messages, notMessage, suspects int
	skipped := map[string]int{}
	for _, it := range items {
		switch {
		case it.Skipped != "":
			skipped[it.Skipped]++
		case errors.Is(it.Err, ErrNotMessage):
			notMessage++
		case it.Err != nil:
			t.Errorf("%s: %v", it.Origin, it.Err)
		default:
			messages++
			if it.Suspect != "" {
				suspects++
				t.Logf("%s: %s", it.Origin, it.Suspect)
			}
		}
	}
	if messages != a.Messages || notMessage != a.NotMessage || suspects != a.Suspects {
		t.Errorf("%d messages, %d no message, %d suspect; want %d, %d, %d", messages, notMessage, suspects, a.Messages, a.NotMessage, a.Suspects)
	}
	if !maps.Equal(skipped, a.Skipped) && (len(skipped) > 0 || len(a.Skipped) > 0) {
		t.Errorf("skipped %v, want %v", skipped, a.Skipped)
	}
	if len(items) != a.Read() {
		t.Errorf("%d inputs read, want %d", len(items), a.Read())
	}
	if a.Records() != a.Python && a.PythonDiffers == "" {
		t.Errorf("table: %d records but Python counts %d, and no reason is given", a.Records(), a.Python)
	}
}

// TestArchives reads every archive of the table: the third-party corpora
// and the archives written in each writer's format. Each gives the
// messages, skipped inputs and suspects the table names.
func TestArchives(t *testing.T) {
	eachArchive(t, func(t *testing.T, a archivetest.Archive, corpora, maildirs string) {
		checkArchive(t, a, readArchive(t, a, corpora, maildirs))
	})
}

// eachArchive runs fn on every archive of the table, one subtest each,
// with the directories its path is found in: the corpora are looked for
// when the first archive of theirs comes (CorporaDir skips, or fails under
// CI=true, where they are missing).
func eachArchive(t *testing.T, fn func(t *testing.T, a archivetest.Archive, corpora, maildirs string)) {
	maildirs := t.TempDir()
	archivetest.MakeMaildirs(t, maildirs)
	var corpora string
	for _, a := range archivetest.Archives {
		t.Run(a.Name, func(t *testing.T) {
			if strings.HasPrefix(a.Name, "corpora/") && corpora == "" {
				corpora = archivetest.CorporaDir(t)
			}
			fn(t, a, corpora, maildirs)
		})
	}
}

// TestEveryCorpusArchiveIsNamed fails when the corpora hold an mbox or a
// Maildir the table does not name: every archive is asserted by name.
func TestEveryCorpusArchiveIsNamed(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	named := map[string]bool{}
	for _, a := range archivetest.Archives {
		named[a.Name] = true
	}
	filepath.WalkDir(corpora, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if archivetest.IsArchive(p, d.IsDir()) {
			rel, _ := filepath.Rel(corpora, p)
			if name := "corpora/" + filepath.ToSlash(rel); !named[name] {
				t.Errorf("%s is not in archivetest.Archives: add it with its counts", name)
			}
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
}

// TestArchivesPythonCounts re-checks the table's Python counts with
// Python's mailbox module, one subtest per archive (python3 is required
// under CI=true). TestArchives asserts that what we read is that count,
// or that the table says why not.
func TestArchivesPythonCounts(t *testing.T) {
	maildirs := t.TempDir()
	archivetest.MakeMaildirs(t, maildirs)
	corpora, haveCorpora := archivetest.FindCorpora()
	if !haveCorpora && os.Getenv("CI") == "true" {
		archivetest.CorporaDir(t) // fails
	}
	paths := map[string]archivetest.Archive{}
	var list []string
	for _, a := range archivetest.Archives {
		if strings.HasPrefix(a.Name, "corpora/") && !haveCorpora {
			continue
		}
		p := a.Path(corpora, maildirs)
		paths[p] = a
		list = append(list, p)
	}
	counts, ok := archivetest.PythonCounts(t, list)
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is not installed (CI=true: .ci/run installs it)")
		}
		t.Skip("python3 is not installed")
	}
	for _, a := range archivetest.Archives {
		p := a.Path(corpora, maildirs)
		if _, listed := paths[p]; !listed {
			continue
		}
		t.Run(a.Name, func(t *testing.T) {
			if got, ok := counts[p]; !ok || got != a.Python {
				t.Errorf("Python's mailbox counts %d (counted: %v), the table says %d", got, ok, a.Python)
			}
		})
	}
}

// TestCorporaAgainstOtherReaders compares our split of the third-party
// mboxes with the expected-output summaries MimeKit ships, and with
// go-mbox where go-mbox splits the same way: where no body line starts
// with "From " (go-mbox splits on every such line).
func TestCorporaAgainstOtherReaders(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	for _, a := range archivetest.Archives {
		path := a.Path(corpora, "")
		if !strings.HasPrefix(a.Name, "corpora/") || !strings.Contains(a.Name, "mbox") || strings.HasSuffix(a.Name, ".maildir") {
			continue
		}
		t.Run(a.Name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			items := readArchive(t, a, corpora, "")
			checkAccounting(t, string(data), quoteMboxrd)

			if summary, err := os.ReadFile(strings.TrimSuffix(path, ".mbox.txt") + "-summary.txt"); err == nil {
				want := bytes.Count(append([]byte("\n"), summary...), []byte("\nFrom "))
				if len(items) != want {
					t.Errorf("%d messages, MimeKit's summary lists %d", len(items), want)
				}
			}

			fromLines := bytes.Count(append([]byte("\n"), data...), []byte("\nFrom "))
			theirs, err := goMboxSplit(data)
			switch {
			case err != nil:
				t.Logf("go-mbox cannot read it: %v", err)
			case fromLines != len(items):
				t.Logf("go-mbox finds %d messages, we %d: %d lines start with \"From \"", len(theirs), len(items), fromLines)
			case len(theirs) != len(items):
				t.Errorf("go-mbox finds %d messages, we %d", len(theirs), len(items))
			default:
				for i := range items {
					if normalize(items[i].Raw) != normalize(theirs[i]) && !bytes.Contains(data, []byte("\n>")) {
						t.Errorf("message %d differs from go-mbox's", i+1)
					}
				}
			}
		})
	}
}

// genMboxo writes n random mboxo messages without quoted or quotable lines,
// the input on which go-mbox and we must agree. It returns the messages.
func genMboxo(w io.Writer, rng *rand.Rand, n int, crlf bool) []string {
	nl := "\n"
	if crlf {
		nl = "\r\n"
	}
	words := []string{"From", "from", "hello", ">", "Fromage", "Subject:", "", "x", "deal", "\x00", "é"}
	var msgs []string
	bw := bufio.NewWriter(w)
	for i := range n {
		var m strings.Builder
		fmt.Fprintf(&m, "Subject: message %d%sMessage-ID: <%d@x>%s%s", i, nl, i, nl, nl)
		for range rng.IntN(20) {
			var line []string
			for range rng.IntN(8) {
				line = append(line, words[rng.IntN(len(words))])
			}
			l := strings.Join(line, " ")
			if strings.HasPrefix(l, "From ") || strings.HasPrefix(l, ">") {
				l = "." + l
			}
			m.WriteString(l + nl)
		}
		msgs = append(msgs, m.String())
		fmt.Fprintf(bw, "From sender%d@x Mon Jan  1 00:00:00 2024%s%s%s", i, nl, m.String(), nl)
	}
	bw.Flush()
	return msgs
}

// TestGoMboxDifferential checks we split generated mboxo files as go-mbox
// does, and give each message back byte for byte.
func TestGoMboxDifferential(t *testing.T) {
	for seed := range uint64(50) {
		rng := rand.New(rand.NewPCG(seed, 1))
		var b bytes.Buffer
		msgs := genMboxo(&b, rng, 1+rng.IntN(30), seed%2 == 1)
		theirs, err := goMboxSplit(b.Bytes())
		if err != nil {
			t.Fatalf("seed %d: go-mbox: %v", seed, err)
		}
		ours := readItems(t, newMboxReader(bytes.NewReader(b.Bytes()), "gen", quoteMboxo, DefaultMaxSize, readBufSize))
		if len(ours) != len(theirs) || len(ours) != len(msgs) {
			t.Fatalf("seed %d: %d messages written, go-mbox reads %d, we %d", seed, len(msgs), len(theirs), len(ours))
		}
		for i := range ours {
			if string(ours[i].Raw) != msgs[i] {
				t.Errorf("seed %d message %d: got %q want %q", seed, i, ours[i].Raw, msgs[i])
			}
			if normalize(ours[i].Raw) != normalize(theirs[i]) {
				t.Errorf("seed %d message %d: go-mbox has %q", seed, i, theirs[i])
			}
		}
	}
}

// TestMime4jSplit compares our split of mime4j's mbox.rlug with the expected
// messages mime4j ships next to it (mbox.rlug-0 ... -4), byte for byte but
// for one convention: mime4j keeps the blank line before the next From_ line
// in the message, we drop it as framing (mboxrd, qmail's mbox(5)), so that a
// message hashes the same wherever it sits in an archive.
func TestMime4jSplit(t *testing.T) {
	dir := filepath.Join(archivetest.CorporaDir(t), "mime4j/mbox/src/test/resources/test-1")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("no mime4j corpus in the corpora: %v", err)
	}
	r, err := Open(filepath.Join(dir, "mbox.rlug"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := readItems(t, r)
	for i, it := range items {
		want, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("mbox.rlug-%d", i)))
		if err != nil {
			t.Fatalf("message %d: no expected file: %v", i, err)
		}
		if !bytes.Equal(append(it.Raw, '\n'), want) {
			t.Errorf("message %d: got %d bytes, mime4j expects %d\n%q\n%q", i, len(it.Raw), len(want), tail(it.Raw), tail(want))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("mbox.rlug-%d", len(items)))); err == nil {
		t.Errorf("only %d messages, mime4j expects more", len(items))
	}
}

func tail(b []byte) []byte { return b[max(0, len(b)-40):] }

// TestWriterArchivesFromLines checks what the From_ lines of each writer's
// archive gave: the envelope sender and the archive date of a message,
// and the bytes that must stay inside a message.
func TestWriterArchivesFromLines(t *testing.T) {
	tests := []struct {
		file     string
		n        int // message index, counting skipped records
		envelope string
		date     string // RFC 3339; "" for none
		contains string // a line the message holds
	}{
		{"pipermail.txt", 0, "jgentry@jimmy.harvard.example", "2004-04-01T20:27:04Z", "From: jgentry at jimmy.harvard.example (Jeff Gentry)\n"},
		{"pipermail.txt", 1, "a.smith@lab.example.org", "2004-04-01T21:02:11Z", "\nFrom the manual:"},
		{"pipermail.txt", 2, "bogus@does.not.exist.com", "2004-04-02T08:00:00Z", ""},
		{"pipermail.txt", 3, "kuhn@lists.example.net", "2004-04-05T09:13:45Z", ""},
		{"pipermail-sending-from.txt", 0, "", "2021-02-01T20:13:59Z", "Subject: [R] weighted.residuals()\n"},
		{"pipermail-sending-from.txt", 1, "", "2021-02-01T21:40:02Z", "\n\nSame here.\n"},
		{"pipermail-sending-from.txt", 2, "", "2021-02-02T08:00:00Z", "Subject: [Rd] digest\n"},
		{"thunderbird.mbox", 0, "", "2004-04-01T20:27:04Z", "\nFrom our side"},
		{"thunderbird.mbox", 1, "", "2004-04-02T09:00:00Z", "\n> >From our side"},
		{"apple-mail.mbox", 1, "ann@acme.example", "2017-07-21T12:01:02Z", ""},
		{"gmail-takeout.mbox", 0, "1785434522219118848@xxx", "2004-04-01T20:27:04Z", "X-GM-THRID: 1785434522219118848\r\n"},
		{"gmail-takeout.mbox", 1, "1785434533319118849@xxx", "2004-04-01T21:00:00Z", "\r\nFrom the price list"},
		{"eudora.mbx", 1, "", "2004-04-02T10:15:00Z", ""},
		{"netscape.mbox", 0, "", "2004-04-01T20:27:04Z", "\n--------------5C6B1D2E3F4A5B6C7D8E9F0A--\n"},
		{"netscape.mbox", 1, "", "2004-04-01T21:05:00Z", "\n\nThanks, Bob.\n"},
		{"netscape.mbox", 2, "", "", "\n\nFrom Monday on we deliver on Tuesdays.\n"},
		{"mutt.mbox", 0, "bob@customer.example", "2004-04-01T20:27:04Z", "\nFrom May on"},
		{"qmail.mbox", 0, "bob@customer.example", "2004-04-01T20:27:04Z", "\nFrom bob@customer.example Wed Mar 31 10:00:00 2004\n>From is how"},
		{"qmail.mbox", 1, "", "2004-04-01T20:30:00Z", ""},
		{"uw-imap.mbox", 1, "bob@customer.example", "2004-04-01T20:27:04Z", "Subject: from pine\n"},
		{"quoted-local-part.mbox", 0, `"John Smith"@customer.example`, "2004-04-01T20:27:04Z", ""},
		{"quoted-local-part.mbox", 1, `"x"@customer.example`, "2004-04-01T20:28:00Z", ""},
		{"no-dates.mbox", 0, "ann@acme.example", "", ""},
		{"no-dates.mbox", 1, "", "", ""},
		{"no-dates.mbox", 2, "", "", ""},
		{"date-shapes.mbox", 0, "a@customer.example", "2004-04-02T01:27:04Z", ""},
		{"date-shapes.mbox", 1, "a@customer.example", "2004-04-02T01:27:04Z", ""},
		{"date-shapes.mbox", 2, "a@customer.example", "2004-04-01T18:27:04Z", ""},
		{"date-shapes.mbox", 3, "a@customer.example", "2004-04-01T20:27:00Z", ""},
		{"date-shapes.mbox", 4, "a@customer.example", "2004-04-01T20:27:04Z", ""},
		{"git-format-patch.mbox", 1, "4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b", "2001-09-17T00:00:00Z", ""},
		{"obsolete-from-field.mbox", 0, "ann@acme.example", "2004-04-01T20:27:04Z", "\nFrom  :<ann@acme.example>\n"},
		{"obsolete-from-field.mbox", 1, "bob@customer.example", "2004-04-01T20:30:00Z", "\nFrom\t: Bob Buyer"},
		{"unquoted-body.mbox", 0, "bob@customer.example", "2004-04-01T20:27:04Z", "\n\nFrom here on, call the new number.\n"},
		{"glued.mbox", 0, "ann@acme.example", "2004-04-01T20:27:04Z", "\nFrom the archive of someone, first of April\nFrom: Bob Buyer"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s#%d", tt.file, tt.n+1), func(t *testing.T) {
			r, err := Open(filepath.Join(archivetest.WritersDir(), tt.file), Options{})
			if err != nil {
				t.Fatal(err)
			}
			items := readItems(t, r)
			if tt.n >= len(items) {
				t.Fatalf("only %d items", len(items))
			}
			it := items[tt.n]
			if it.Err != nil {
				t.Fatal(it.Err)
			}
			if it.EnvelopeFrom != tt.envelope {
				t.Errorf("envelope %q, want %q", it.EnvelopeFrom, tt.envelope)
			}
			got := ""
			if !it.ArchiveDate.IsZero() {
				got = it.ArchiveDate.Format(time.RFC3339)
			}
			if got != tt.date {
				t.Errorf("archive date %q, want %q", got, tt.date)
			}
			if !bytes.Contains(it.Raw, []byte(tt.contains)) {
				t.Errorf("message does not hold %q:\n%s", tt.contains, it.Raw)
			}
		})
	}
}

// TestSuspectNamesTheLine: a message that may be two glued together says
// where the second would start.
func TestSuspectNamesTheLine(t *testing.T) {
	path := filepath.Join(archivetest.WritersDir(), "glued.mbox")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := readItems(t, r)
	off := bytes.Index(data, []byte("From the archive"))
	if len(items) != 1 || !strings.Contains(items[0].Suspect, fmt.Sprintf("byte %d of", off)) {
		t.Fatalf("items %d, suspect %q; want one naming byte %d", len(items), items[0].Suspect, off)
	}
}

// TestArchivesUnderMaxSize reads every archive of the table again with a
// MaxSize that its larger messages exceed: each message under the limit
// must come out with the very bytes the unlimited read gives, and each
// over it refused as too large and named by the digest of those bytes.
// The limit can only turn a message into a refusal; it must never change
// another message (a message just over it once leaked into the next).
func TestArchivesUnderMaxSize(t *testing.T) {
	eachArchive(t, func(t *testing.T, a archivetest.Archive, corpora, maildirs string) {
		full := readArchive(t, a, corpora, maildirs)
		var sizes []int64
		for _, it := range full {
			if it.Err == nil {
				sizes = append(sizes, it.Size)
			}
		}
		if len(sizes) == 0 {
			t.Skip("no message to limit")
		}
		slices.Sort(sizes)
		limit := sizes[len(sizes)/2] // the median: about half are over it
		r, err := Open(a.Path(corpora, maildirs), Options{Format: Format(a.Format), MaxSize: limit})
		if err != nil {
			t.Fatal(err)
		}
		bounded := readItems(t, r)
		if len(bounded) != len(full) {
			t.Fatalf("MaxSize %d: %d items, unlimited %d", limit, len(bounded), len(full))
		}
		for i, it := range bounded {
			was := full[i]
			switch {
			case was.Err != nil:
			case was.Size > limit:
				want := sha256.Sum256(was.Raw)
				if !errors.Is(it.Err, ErrTooLarge) || it.RawSHA256 != hex.EncodeToString(want[:]) || it.Size != was.Size {
					t.Errorf("%s: over MaxSize %d: err %v, size %d, digest %s; want too large, %d bytes, digest %x",
						it.Origin, limit, it.Err, it.Size, it.RawSHA256, was.Size, want)
				}
			case it.Err != nil || !bytes.Equal(it.Raw, was.Raw):
				t.Errorf("%s: under MaxSize %d it reads as %d bytes (err %v), unlimited as %d", it.Origin, limit, len(it.Raw), it.Err, len(was.Raw))
			}
		}
	})
}
