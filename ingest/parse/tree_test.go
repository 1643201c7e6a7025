package parse

import (
	"bytes"
	"fmt"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
)

// diffTree reports the first difference between two part trees, "" when
// they are the same in every field enmime fills.
// contentFields is p's header as the envelope uses it: a message's own
// header (the root) is given to enmime as its Content-* fields only (see
// splitRootHeader), a part's whole.
func contentFields(p *enmime.Part) textproto.MIMEHeader {
	if p.Parent != nil {
		return p.Header
	}
	h := textproto.MIMEHeader{}
	for k, v := range p.Header {
		if strings.HasPrefix(k, "Content-") {
			h[k] = v
		}
	}
	return h
}

func diffTree(path string, a, b *enmime.Part) string {
	if (a == nil) != (b == nil) {
		return fmt.Sprintf("%s: one tree has a part the other lacks (%v, %v)", path, a != nil, b != nil)
	}
	if a == nil {
		return ""
	}
	at := fmt.Sprintf("%s[%s %s]", path, a.PartID, a.ContentType)
	type field struct {
		name string
		x, y any
	}
	fields := []field{
		{"PartID", a.PartID, b.PartID},
		{"Header", contentFields(a), contentFields(b)},
		{"Boundary", a.Boundary, b.Boundary},
		{"ContentID", a.ContentID, b.ContentID},
		{"ContentType", a.ContentType, b.ContentType},
		{"Disposition", a.Disposition, b.Disposition},
		{"FileName", a.FileName, b.FileName},
		{"FileModDate", a.FileModDate, b.FileModDate},
		{"Epilogue", string(a.Epilogue), string(b.Epilogue)},
		{"Charset", a.Charset, b.Charset},
		{"OrigCharset", a.OrigCharset, b.OrigCharset},
		{"Errors", errorList(a.Errors), errorList(b.Errors)},
		{"Content", string(a.Content), string(b.Content)},
	}
	if textAttachment(a) {
		// A text file attached: its content is the file as sent where
		// enmime converts it to UTF-8 (see readLeaf; TestTextAttachment).
		fields = fields[:9]
	}
	for _, f := range fields {
		if !reflect.DeepEqual(f.x, f.y) {
			x, y := fmt.Sprintf("%q", f.x), fmt.Sprintf("%q", f.y)
			if len(x) > 300 {
				x = x[:300] + "..."
			}
			if len(y) > 300 {
				y = y[:300] + "..."
			}
			return fmt.Sprintf("%s: %s differs:\n  split: %s\n  enmime: %s", at, f.name, x, y)
		}
	}
	if d := diffTree(at+">", a.FirstChild, b.FirstChild); d != "" {
		return d
	}
	return diffTree(path, a.NextSibling, b.NextSibling)
}

// textAttachment reports a part whose content readTree keeps as sent
// where enmime converts it: a text file attached.
//
// The message itself can be one (a single part of type text/x-anything,
// which enmime's envelope takes as an attachment): readSingle keeps it as
// sent through the same readLeaf, so its charset problems are enmime's
// alone too (FuzzTree found "Content-Type: text/0; charset=0").
func textAttachment(p *enmime.Part) bool {
	return p.FirstChild == nil && !bodyCandidate(p) && strings.HasPrefix(p.ContentType, "text/")
}

// errorList is the problems as text, sorted. The offset in a base64 error
// is the decoder's reading position, which differs between enmime's
// streaming decoder and decodeBase64 for the same input: it is left out.
// Sorted because enmime reports the malformed parameters of one header in
// map order, which differs from one call to the next (FuzzTree failed at
// random on "Content-TYpe:1;080;019").
func errorList(errs []*enmime.Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, base64Offset.ReplaceAllString(e.Error(), "at input byte N"))
	}
	slices.Sort(out)
	return out
}

var base64Offset = regexp.MustCompile(`at input byte \d+`)

// checkTree compares readTree (readSingle for a message that is not
// multipart) with enmime's ReadParts on raw. It reports whether they took
// the message (false: they left it to enmime).
// enmimeParser is parser as enmime alone makes it: without the media
// types remembered by parseMediaType, the reference the fast paths are
// compared with. It reads RFC 2231 values in other charsets than UTF-8
// as parser does (utf8Params), which is no part of splitting a tree.
var enmimeParser = enmime.NewParser(append(parserOptions[:len(parserOptions)-1:len(parserOptions)-1],
	enmime.SetCustomParseMediaType(func(v string) (string, map[string]string, []string, error) {
		return mediatype.Parse(utf8Params(v))
	}))...)

func checkTree(t testing.TB, name string, raw []byte) bool {
	t.Helper()
	fast, _, ok := readTree(parser, raw, DefaultLimits, nil)
	if !ok {
		fast, ok = readSingle(parser, raw)
		if !ok {
			return false
		}
	}
	slow, err := enmimeParser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		t.Errorf("%s: readTree took a message enmime refuses: %v", name, err)
		return true
	}
	if d := diffTree("", fast, slow); d != "" {
		t.Errorf("%s: %s", name, d)
	}
	// And the envelope built from it, as Parse uses it.
	fe, err1 := parser.EnvelopeFromPart(fast)
	se, err2 := enmimeParser.ReadEnvelope(bytes.NewReader(raw))
	if (err1 == nil) != (err2 == nil) {
		t.Errorf("%s: envelope errors differ: %v / %v", name, err1, err2)
		return true
	}
	// A text attachment's conversion problems are enmime's alone.
	sameErrors := fast.DepthMatchFirst(textAttachment) != nil || reflect.DeepEqual(errorList(fe.Errors), errorList(se.Errors))
	if err1 == nil && (fe.Text != se.Text || fe.HTML != se.HTML || len(fe.Attachments) != len(se.Attachments) ||
		len(fe.Inlines) != len(se.Inlines) || len(fe.OtherParts) != len(se.OtherParts) || !sameErrors) {
		t.Errorf("%s: envelopes differ", name)
	}
	return true
}

func isMultipart(raw []byte) bool {
	h, err := Header(raw)
	return err == nil && strings.Contains(strings.ToLower(h.Get("Content-Type")), "multipart/")
}

// TestTreeMatchesEnmime parses every message of the shared corpora (and of
// the benchmark mbox when SMARTBCC_BENCH_MBOX is set) both ways.
func TestTreeMatchesEnmime(t *testing.T) {
	corpora := archivetest.CorporaDir(t) // SMARTBCC_CORPORA; fails under CI=true when absent
	var multipart, taken int
	check := func(name string, raw []byte) {
		if isMultipart(raw) {
			multipart++
		}
		if checkTree(t, name, raw) {
			taken++
		}
	}
	filepath.WalkDir(corpora, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil || fi.Size() > 8<<20 {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		if strings.Contains(strings.ToLower(filepath.Base(p)), "mbox") {
			r, err := mailfile.OpenReader(bytes.NewReader(raw), p, mailfile.Options{Format: mailfile.FormatMbox})
			if err == nil {
				for {
					it, err := r.Next()
					if err != nil {
						break
					}
					if it.Err == nil {
						check(it.Origin, it.Raw)
					}
				}
				return nil
			}
		}
		check(p, raw)
		return nil
	})
	if msgs, _ := benchMessages(); len(msgs) > 0 {
		for i, m := range msgs {
			check(fmt.Sprintf("bench #%d", i+1), m)
		}
	}
	t.Logf("%d multipart messages, %d split by readTree", multipart, taken)
	if multipart < 100 || taken*10 < multipart*7 {
		t.Errorf("readTree took %d of %d multipart messages; want most of them", taken, multipart)
	}
}

// The structures readTree must split as enmime does, and those it must
// leave to enmime.
var treeCases = []struct {
	name  string
	raw   string
	taken bool
}{
	{"lf", "Content-Type: multipart/mixed; boundary=b\n\npreamble\n--b\nContent-Type: text/plain\n\none\n--b\nContent-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n--b--\nepilogue\n", true},
	{"crlf", "Content-Type: multipart/mixed; boundary=\"b 1\"\r\n\r\n--b 1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\none\r\n\r\n--b 1\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b 1--\r\n", true},
	{"nested", "Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/alternative; boundary=i\n\n--i\nContent-Type: text/plain\n\nt\n--i\nContent-Type: text/html\n\n<b>h</b>\n--i--\ninner epilogue\n--o\nContent-Type: message/rfc822\n\nFrom: a@b.example\nSubject: s\n\nbody\n--o--\n", true},
	{"empty part", "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\nContent-Type: text/plain\n\nx\n--b--", false},
	{"empty content", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n--b\nContent-Type: text/plain\n--b--", true},
	{"empty media type", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: ; charset=utf-8\n\nx\n--b--\n", false},
	{"not a boundary", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n--bx is not one\n--b--\n", true},
	{"padding after boundary", "Content-Type: multipart/mixed; boundary=b\n\n--b  \nContent-Type: text/plain\n\nx\n--b \t\nContent-Type: text/plain\n\ny\n--b--  \n", true},
	{"blank lines before boundary", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n\n\n--b\r\nContent-Type: text/plain\r\n\r\ny\r\n\r\n\r\n--b--\n", true},
	{"no close delimiter", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n", false},
	{"boundary inside a line", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx --b \n--b--\n", false},
	{"boundary after CR", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\r\r\n--b\n--b--\n", false},
	{"part without content type", "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n", false},
	{"text with boundary", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; boundary=c\n\nx\n--b--\n", false},
	{"multipart without boundary", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed\n\nx\n--b--\n", false},
	{"root without boundary", "Content-Type: multipart/mixed\n\n--\nContent-Type: text/plain\n\nx\n----\n", false},
	{"close delimiter in preamble", "Content-Type: multipart/mixed; boundary=b\n\n--b--\n", false},
	{"single part", "Content-Type: text/plain\n\n--b\n", true},
	{"single part, declared UTF-8", "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\ncaf\xc3\xa9 \xff\n", true},
	{"single part, base64", "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0=\n", true},
	{"single part, broken type", "Content-Type: text/plain foo\n\nx\n", false},
	{"delimiter last line", "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nx\n--b\n", false},
}

func TestTreeCases(t *testing.T) {
	for _, c := range treeCases {
		t.Run(c.name, func(t *testing.T) {
			if got := checkTree(t, c.name, []byte(c.raw)); got != c.taken {
				t.Errorf("readTree took it: %v, want %v", got, c.taken)
			}
		})
	}
}

// TestParseUsesTree checks that Parse gives the same Message with and
// without readTree.
func TestParseUsesTree(t *testing.T) {
	for _, c := range treeCases {
		fast, err := Parse([]byte(c.raw), DefaultLimits)
		useTree = false
		slow, err2 := Parse([]byte(c.raw), DefaultLimits)
		useTree = true
		if (err == nil) != (err2 == nil) {
			t.Fatalf("%s: Parse: %v, without readTree: %v", c.name, err, err2)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: Parse differs with readTree:\n%+v\n%+v", c.name, fast, slow)
		}
	}
}

// FuzzTree: whatever readTree accepts, it splits exactly as enmime does.
func FuzzTree(f *testing.F) {
	for _, c := range treeCases {
		f.Add([]byte(c.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 64<<10 {
			return
		}
		checkTree(t, "fuzz", raw)
	})
}

// eachCorpusFile calls check with every regular file under corpora of at
// most 8 MB, whole, named by its path.
func eachCorpusFile(corpora string, check func(name string, raw []byte)) {
	filepath.WalkDir(corpora, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err != nil || fi.Size() > 8<<20 {
			return nil
		}
		if raw, err := os.ReadFile(p); err == nil {
			check(p, raw)
		}
		return nil
	})
}

// ParseHeader gives the header fields Parse gives, on every corpus message.
func TestParseHeaderMatchesParse(t *testing.T) {
	corpora := archivetest.CorporaDir(t) // SMARTBCC_CORPORA; fails under CI=true when absent
	n := 0
	check := func(name string, raw []byte) {
		full, err := Parse(raw, DefaultLimits)
		head, err2 := ParseHeader(raw)
		if err != nil || err2 != nil {
			if (err == nil) != (err2 == nil) && err2 != nil {
				t.Errorf("%s: Parse: %v, ParseHeader: %v", name, err, err2)
			}
			return
		}
		n++
		full.Text, full.HTML, full.Attachments, full.Attached, full.Problems, head.Problems = "", "", nil, nil, nil, nil
		full.Digest, full.IsDigest = nil, false
		if !reflect.DeepEqual(full, head) {
			t.Errorf("%s: ParseHeader differs from Parse:\n%+v\n%+v", name, head, full)
		}
	}
	eachCorpusFile(corpora, check)
	for _, c := range treeCases {
		check(c.name, []byte(c.raw))
	}
	t.Logf("%d messages compared", n)
}

// checkScanHeader compares scanHeader, where it takes a header, with
// enmime's ReadHeader (enmimeSplitHeader); it reports whether it took it.
func checkScanHeader(t testing.TB, name string, c []byte) bool {
	t.Helper()
	orig := bytes.Clone(c)
	ct, off, plain := scanHeader(c)
	if !bytes.Equal(c, orig) {
		t.Fatalf("%s: scanHeader changed its input", name)
	}
	if !plain {
		return false
	}
	h, hoff := enmimeSplitHeader(c)
	if h == nil {
		t.Errorf("%s: scanHeader took a header enmime refuses", name)
		return true
	}
	if ct != h.Get("Content-Type") || off != hoff {
		t.Errorf("%s: scanHeader %q at %d, enmime %q at %d", name, ct, off, h.Get("Content-Type"), hoff)
	}
	return true
}

var scanHeaderCases = []struct {
	name  string
	raw   string
	plain bool
}{
	{"crlf", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nbody", true},
	{"lf", "content-type:text/html\nX: y\n\nbody", true},
	{"folded", "Content-Type: multipart/mixed;\r\n\tboundary=\"b\"  \r\n  ; x=1\r\n\r\n--b", true},
	{"empty value folded", "Content-Type:\r\n text/plain\r\n\r\n", true},
	{"second content-type", "Content-Type: text/plain\nContent-TYPE: text/html\n\n", true},
	{"no content-type", "Subject: x\n\nbody", true},
	{"empty header", "\r\nbody", true},
	{"trailing white space", "Content-Type: text/plain \t\r\n\r\n", true},
	{"high bytes in value", "Content-Type: text/plain; name=\"\xc3\xa9\"\n\n", true},
	{"no empty line", "Content-Type: text/plain\r\n", false},
	{"space before colon", "Content-Type : text/plain\n\n", false},
	{"bare CR", "Content-Type: text/plain\rX: y\n\n", false},
	{"blank continuation", "Content-Type: text/plain\n \n\n", false},
	{"continuation first", " x\nContent-Type: text/plain\n\n", false},
	{"no colon", "Content-Type text/plain\n\n", false},
	{"colon first", ":x\n\n", false},
	{"8bit name", "Cont\xe9nt: x\n\n", false},
	{"long line", "X: " + strings.Repeat("a", 5000) + "\n\n", false},
}

func TestScanHeaderCases(t *testing.T) {
	for _, c := range scanHeaderCases {
		if got := checkScanHeader(t, c.name, []byte(c.raw)); got != c.plain {
			t.Errorf("%s: scanHeader took it: %v, want %v", c.name, got, c.plain)
		}
	}
}

// TestScanHeaderMatchesEnmime reads the header of every message of the
// corpora and of each of its parts (every line after a line starting
// with "--") both ways.
func TestScanHeaderMatchesEnmime(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	var taken, all int
	check := func(name string, raw []byte) {
		starts := []int{0}
		for i := 0; i+2 < len(raw); i++ {
			if raw[i] == '\n' && raw[i+1] == '-' && raw[i+2] == '-' {
				if j := bytes.IndexByte(raw[i+1:], '\n'); j >= 0 {
					starts = append(starts, i+1+j+1)
				}
			}
		}
		for _, s := range starts {
			all++
			if checkScanHeader(t, name, raw[s:]) {
				taken++
			}
		}
	}
	eachCorpusFile(corpora, check)
	if msgs, _ := benchMessages(); len(msgs) > 0 {
		for i, m := range msgs {
			check(fmt.Sprintf("bench #%d", i+1), m)
		}
	}
	t.Logf("scanHeader took %d of %d headers", taken, all)
	if taken*2 < all {
		t.Errorf("scanHeader took %d of %d headers; want most", taken, all)
	}
}

// FuzzScanHeader: whatever header scanHeader takes, it reads as enmime.
func FuzzScanHeader(f *testing.F) {
	for _, c := range scanHeaderCases {
		f.Add([]byte(c.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkScanHeader(t, "fuzz", raw)
	})
}
