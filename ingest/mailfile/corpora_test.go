package mailfile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gombox "github.com/emersion/go-mbox"
)

const corpora = "../../../shared/corpora"

// corpusMboxes lists the third-party mbox files, skipping the test when the
// corpora are not there.
func corpusMboxes(t testing.TB) []string {
	if _, err := os.Stat(corpora); err != nil {
		t.Skip("no corpora at", corpora)
	}
	var files []string
	filepath.WalkDir(corpora, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.Contains(strings.ToLower(p), "mbox") &&
			!strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, "-summary.txt") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no mbox files in", corpora)
	}
	return files
}

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

// TestCorpora reads every third-party mbox: every message comes out without
// error, the count matches the expected-output summaries that MimeKit ships,
// and it matches go-mbox where go-mbox splits the same way: where no body
// line starts with "From " (go-mbox splits on every such line).
func TestCorpora(t *testing.T) {
	for _, path := range corpusMboxes(t) {
		name, _ := filepath.Rel(corpora, path)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			items := readItems(t, r)
			var sum int64
			for _, it := range items {
				if it.Err != nil {
					t.Errorf("%s: %v", it.Origin, it.Err)
				}
				sum += it.Size
			}
			if len(items) == 0 || sum == 0 {
				t.Fatalf("no messages")
			}
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
	dir := filepath.Join(corpora, "mime4j/mbox/src/test/resources/test-1")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("no mime4j corpus")
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
