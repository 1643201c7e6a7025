package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
)

// enmimeBase64 is what enmime makes of a base64 application/octet-stream
// part: the reference decodeBase64 follows.
func enmimeBase64(t testing.TB, body []byte) *enmime.Part {
	t.Helper()
	raw := append([]byte("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"), body...)
	p, err := parser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecodeBase64MatchesEnmime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 50000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	std := base64.StdEncoding.EncodeToString(data)
	var wrapped strings.Builder
	for i := 0; i < len(std); i += 76 {
		wrapped.WriteString(std[i:min(i+76, len(std))])
		wrapped.WriteString("\r\n")
	}
	cases := map[string]string{
		"empty":            "",
		"wrapped":          wrapped.String(),
		"one line":         std,
		"lf":               strings.ReplaceAll(wrapped.String(), "\r\n", "\n"),
		"padding":          "QQ==\r\n",
		"padding inside":   "QQ==QUJD\r\n",
		"no padding":       "QUI\r\n",
		"junk characters":  "QU!JD\r\nR*EVG\r\n",
		"tabs and spaces":  " QUJD\tREVG \r\n",
		"one char left":    "QUJDR\r\n",
		"high bytes":       "QUJD\xc1\xc2\r\n",
		"many junk":        strings.Repeat("Q!", 100),
		"exactly a chunk":  std[:8192],
		"chunk and a half": std[:8192+4096+3],
	}
	for name, in := range cases {
		content, warnings, err := decodeBase64([]byte(in))
		want := enmimeBase64(t, []byte(in))
		var wantErr, gotErr []string
		for _, e := range want.Errors {
			if e.Severe {
				wantErr = append(wantErr, e.Name)
			}
		}
		if err != nil {
			gotErr = append(gotErr, enmime.ErrorMalformedBase64)
		}
		if strings.Join(gotErr, ",") != strings.Join(wantErr, ",") {
			t.Errorf("%s: error %v, enmime %v", name, err, want.Errors)
			continue
		}
		if err != nil {
			continue
		}
		if !bytes.Equal(content, want.Content) {
			t.Errorf("%s: content differs: %d bytes, enmime %d", name, len(content), len(want.Content))
		}
		var wantWarn []string
		for _, e := range want.Errors {
			if !e.Severe && e.Name == enmime.ErrorMalformedBase64 {
				wantWarn = append(wantWarn, e.Detail)
			}
		}
		if strings.Join(warnings, "|") != strings.Join(wantWarn, "|") {
			t.Errorf("%s: warnings %q, enmime %q", name, warnings, wantWarn)
		}
	}
}

// A text file attached keeps its bytes: no conversion to UTF-8, so that
// its size and SHA-256 are those of the file.
func TestTextAttachment(t *testing.T) {
	csv := "Name;Stadt\r\nJürgen;Köln\r\n"
	latin1 := []byte{}
	for _, r := range csv {
		latin1 = append(latin1, byte(r))
	}
	raw := "From: a@x.example\r\nSubject: csv\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe\r\n" +
		"--b\r\nContent-Type: text/csv; charset=iso-8859-1\r\nContent-Disposition: attachment; filename=k.csv\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(latin1) + "\r\n" +
		"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=notes.txt\r\n\r\nno charset \xe9\r\n" +
		"--b--\r\n"
	m, err := Parse([]byte(raw), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Grüße") {
		t.Errorf("the text body is still converted to UTF-8: %q", m.Text)
	}
	if len(m.Attachments) != 2 {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	sum := sha256.Sum256(latin1)
	if a := m.Attachments[0]; !bytes.Equal(a.Content, latin1) || a.SHA256 != hex.EncodeToString(sum[:]) || a.Name != "k.csv" || a.ContentType != "text/csv" {
		t.Errorf("csv attachment %q %s, want the latin-1 bytes", a.Content, a.SHA256)
	}
	if a := m.Attachments[1]; string(a.Content) != "no charset \xe9" {
		t.Errorf("txt attachment %q, want the bytes as sent", a.Content)
	}
}

func BenchmarkDecodeBase64(b *testing.B) {
	data := make([]byte, 1<<20)
	std := base64.StdEncoding.EncodeToString(data)
	var wrapped strings.Builder
	for i := 0; i < len(std); i += 76 {
		wrapped.WriteString(std[i:min(i+76, len(std))])
		wrapped.WriteString("\r\n")
	}
	in := []byte(wrapped.String())
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		decodeBase64(in)
	}
}

// BenchmarkDecodeBase64Enmime is the baseline: enmime's decoding of the
// same part.
func BenchmarkDecodeBase64Enmime(b *testing.B) {
	data := make([]byte, 1<<20)
	std := base64.StdEncoding.EncodeToString(data)
	var wrapped strings.Builder
	for i := 0; i < len(std); i += 76 {
		wrapped.WriteString(std[i:min(i+76, len(std))])
		wrapped.WriteString("\r\n")
	}
	in := []byte(wrapped.String())
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		enmimeBase64(b, in)
	}
}

// TestTextCharsetsMatchEnmime: the text bodies readText converts itself
// (every charset of textCharsets, as spelled in mail, with each transfer
// encoding it reads) come out as enmime makes them, byte for byte, for
// ASCII text and for every byte value; and parts it leaves to enmime
// (quoted-printable, other charsets) are still split and read by enmime.
func TestTextCharsetsMatchEnmime(t *testing.T) {
	every := make([]byte, 0, 256)
	for i := range 256 {
		every = append(every, byte(i))
	}
	bodies := map[string][]byte{
		"ascii": []byte("Hello,\r\nplain text.\r\n"),
		"every": every,
		"empty": nil,
	}
	var charsets []string
	for cs := range textCharsets {
		charsets = append(charsets, cs, strings.ToUpper(cs))
	}
	charsets = append(charsets, "shift_jis", "utf8", "", "x-unknown")
	for _, cs := range charsets {
		for _, cte := range []string{"", "7bit", "8bit", "binary", "base64", "Base64", "quoted-printable"} {
			for bname, body := range bodies {
				for _, ctype := range []string{"text/plain", "text/html"} {
					var enc []byte
					switch strings.ToLower(cte) {
					case "base64":
						enc = []byte(base64.StdEncoding.EncodeToString(body) + "\r\n")
					case "quoted-printable":
						enc = []byte("caf=E9 =\r\nsoft\r\n")
					default:
						enc = body
					}
					h := "Content-Type: " + ctype
					if cs != "" {
						h += "; charset=" + cs
					}
					if cte != "" {
						h += "\r\nContent-Transfer-Encoding: " + cte
					}
					name := fmt.Sprintf("%s/%s/%s/%s", ctype, cs, cte, bname)
					raw := "From: a@x.example\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n" + h + "\r\n\r\n" + string(enc) + "\r\n--b--\r\n"
					if !checkTree(t, name, []byte(raw)) {
						t.Errorf("%s: readTree did not take it", name)
					}
					single := h + "\r\n\r\n" + string(enc)
					if !checkTree(t, name+" (single)", []byte(single)) {
						t.Errorf("%s (single): readSingle did not take it", name)
					}
				}
			}
		}
	}
}

// checkMeta compares ParseBodyMeta with ParseBody on raw: the same
// Message but for the attachments' Content, whose length is Size.
func checkMeta(t testing.TB, name string, raw []byte) {
	t.Helper()
	full, err := Parse(raw, DefaultLimits)
	if err != nil {
		return
	}
	meta, err := ParseHeader(raw)
	if err != nil {
		t.Fatalf("%s: ParseHeader: %v", name, err)
	}
	meta.ParseBodyMeta(raw, DefaultLimits)
	for i := range full.Attachments {
		a := &full.Attachments[i]
		if int64(len(a.Content)) != a.Size {
			t.Errorf("%s: attachment %d: Size %d, content %d bytes", name, i, a.Size, len(a.Content))
		}
		a.Content = nil
	}
	// enmime reports a header's malformed parameters in map order, which
	// differs between two readings of the same part: the problems are
	// compared as sets.
	slices.Sort(full.Problems)
	slices.Sort(meta.Problems)
	if !reflect.DeepEqual(full, meta) {
		t.Errorf("%s: ParseBodyMeta differs from ParseBody:\n%+v\n%+v", name, meta, full)
	}
}

// metaCases have base64 attachments that ParseBodyMeta decodes into its
// recycled buffers: clean, with junk (warnings), broken (an error), big
// (over the pooled size), next to an attached message and body text.
func metaCases() map[string]string {
	big := make([]byte, maxPooledDecode+10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	part := func(ctype, disp, cte, body string) string {
		h := "--b\r\nContent-Type: " + ctype + "\r\n"
		if disp != "" {
			h += "Content-Disposition: " + disp + "\r\n"
		}
		return h + "Content-Transfer-Encoding: " + cte + "\r\n\r\n" + body + "\r\n"
	}
	msg := func(parts ...string) string {
		return "From: a@x.example\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Join(parts, "") + "--b--\r\n"
	}
	text := part("text/plain; charset=utf-8", "", "8bit", "hello")
	return map[string]string{
		"clean":    msg(text, part("application/pdf", "attachment; filename=a.pdf", "base64", "JVBERi0xLjQK")),
		"junk":     msg(text, part("image/png", "inline", "base64", "iVBO!Rw0K\r\nGgo*AAA")),
		"broken":   msg(text, part("application/zip", "attachment", "base64", "QUJDR")),
		"big":      msg(text, part("application/octet-stream", "", "base64", base64.StdEncoding.EncodeToString(big))),
		"twice":    msg(part("application/pdf", "attachment", "base64", "JVBERi0xLjQK"), part("application/pdf", "attachment", "base64", "QUJD")),
		"attached": msg(text, part("message/rfc822", "attachment", "base64", base64.StdEncoding.EncodeToString([]byte("From: b@y.example\r\nSubject: inner\r\n\r\nbody\r\n")))),
		"other":    msg(text, part("image/gif", "", "base64", "R0lGODlh")),
	}
}

func TestParseBodyMetaMatchesParseBody(t *testing.T) {
	for name, raw := range metaCases() {
		checkMeta(t, name, []byte(raw))
		m, _ := ParseHeader([]byte(raw))
		m.ParseBodyMeta([]byte(raw), DefaultLimits)
		for _, a := range m.Attachments {
			if a.Content != nil {
				t.Errorf("%s: ParseBodyMeta kept the content of %s", name, a.ContentType)
			}
		}
	}
	for _, c := range treeCases {
		checkMeta(t, c.name, []byte(c.raw))
	}
	corpora := archivetest.CorporaDir(t)
	eachCorpusFile(corpora, func(name string, raw []byte) { checkMeta(t, name, raw) })
	if msgs, _ := benchMessages(); len(msgs) > 0 {
		for i, m := range msgs {
			checkMeta(t, fmt.Sprintf("bench #%d", i+1), m)
		}
	}
}

// FuzzParseBodyMeta: ParseBodyMeta is ParseBody without contents, on
// any input.
func FuzzParseBodyMeta(f *testing.F) {
	for _, raw := range metaCases() {
		if len(raw) < 4096 {
			f.Add([]byte(raw))
		}
	}
	for _, c := range treeCases {
		f.Add([]byte(c.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 64<<10 {
			return
		}
		checkMeta(t, "fuzz", raw)
	})
}

// qpCases are quoted-printable bodies: taken says decodeQP decodes them
// itself (the others are enmime's).
var qpCases = []struct {
	name, body string
	taken      bool
}{
	{"plain", "Hello,\r\nplain text.\r\n", true},
	{"escapes", "caf=C3=A9 na=c3=afve\r\n", true},
	{"soft breaks", "a long line that goes =\r\non and =\non\r\n", true},
	{"trailing white space", "text   \r\nmore\t\r\n", true},
	{"bare equals", "a = b, c=ZZ, d=4\r\n", true},
	{"double equals", "x==41==\r\n=\r\n", true},
	{"high bytes", "caf\xe9 \xff\x80\r\n", true},
	{"controls", "a\x00b\x01c\x1b\x7f\r\n", true},
	{"lf only", "one\ntwo=\nthree\n", true},
	{"cr only", "one\rtwo\r", true},
	{"equals at the end", "end=", false},
	{"equals before the end", "end=4", false},
	{"equals then newline at the end", "end=\n", false},
	{"long line", strings.Repeat("abcdefghij", 120) + "\r\n", false},
	{"long escaped line", strings.Repeat("\xe9", 400) + "\r\n", false},
	{"empty", "", true},
}

// TestQuotedPrintableMatchesEnmime: decodeQP's text, in every charset
// readText knows, is enmime's (checkTree compares the contents).
func TestQuotedPrintableMatchesEnmime(t *testing.T) {
	for _, c := range qpCases {
		if _, ok := decodeQP([]byte(c.body)); ok != c.taken {
			t.Errorf("%s: decodeQP took it: %v, want %v", c.name, ok, c.taken)
		}
		for cs := range textCharsets {
			for _, ctype := range []string{"text/plain", "text/html"} {
				checkQP(t, fmt.Sprintf("%s/%s/%s", c.name, cs, ctype), ctype+"; charset="+cs, []byte(c.body))
			}
		}
	}
}

func checkQP(t testing.TB, name, ctype string, body []byte) {
	t.Helper()
	h := "Content-Type: " + ctype + "\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
	raw := "From: a@x.example\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n" + h + string(body) + "\r\n--b--\r\n"
	checkTree(t, name, []byte(raw))
	checkTree(t, name+" (single)", append([]byte(h), body...))
}

// FuzzQuotedPrintable: whatever decodeQP decodes, it decodes as enmime.
func FuzzQuotedPrintable(f *testing.F) {
	for _, c := range qpCases {
		f.Add([]byte(c.body), uint8(0))
	}
	charsets := []string{"utf-8", "us-ascii", "iso-8859-1", "windows-1252", "koi8-r"}
	f.Fuzz(func(t *testing.T, body []byte, cs uint8) {
		if len(body) > 16<<10 || bytes.Contains(body, []byte("--b")) {
			return
		}
		checkQP(t, "fuzz", "text/plain; charset="+charsets[int(cs)%len(charsets)], body)
	})
}
