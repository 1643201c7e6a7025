package parse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"github.com/jhillyerd/enmime/v2"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// maxPartErrors is the MaxStoredPartErrors of parser.
const maxPartErrors = 20

// rawParser reads a part's header the way parser does but leaves its
// content alone: readLeaf decodes attachments itself.
var rawParser = enmime.NewParser(append(parserOptions[:len(parserOptions):len(parserOptions)], enmime.RawContent(true))...)

// readLeaf reads one leaf part of a multipart message, or a message that
// is not multipart; off is where its body starts in c, and head is the
// header enmime reads (c[:off], or its Content-* fields: splitRootHeader).
// A part that can be the message's text or HTML body (text/plain
// or text/html, not marked as an attachment) is enmime's ReadParts
// throughout: transfer decoding and conversion to UTF-8. Any other part is
// a file: its content is the transfer-decoded bytes as sent, without
// character set conversion (a CSV file in windows-1252 stays the file
// that was attached, and its SHA-256 is the file's), and without enmime's
// character set detection, which costs more than the rest of the parse
// on large text attachments. Base64 is decoded here in one pass into a
// buffer of the right size; 7bit, 8bit and binary content is the raw
// bytes themselves. Quoted-printable and unknown encodings are left to
// enmime.
//
// With sums, a base64 part that is neither a body candidate nor an
// attached message (whose contents Parse keeps) is decoded into a
// recycled buffer and hashed (readBase64Sum): its content is nil, its
// size and SHA-256 are in sums.
func readLeaf(p *enmime.Parser, head, c []byte, off int, sums map[*enmime.Part]fileSum) (*enmime.Part, error) {
	part, err := readPartHeader(head)
	if err != nil {
		return nil, err
	}
	body := c[off:]
	if bodyCandidate(part) {
		if readText(part, body) {
			return part, nil
		}
		return readParts(p, c)
	}
	switch strings.ToLower(part.Header.Get("Content-Transfer-Encoding")) {
	case "7bit", "8bit", "binary", "":
		part.Content = body[:len(body):len(body)]
	case "base64":
		if sums != nil && !strings.EqualFold(part.ContentType, "message/rfc822") {
			readBase64Sum(part, body, sums)
			break
		}
		content, warnings, err := decodeBase64(body)
		if err != nil {
			part.Content = nil
			addBase64Error(part, err)
			break
		}
		part.Content = content
		addBase64Warnings(part, warnings)
	default:
		return readParts(p, c)
	}
	return part, nil
}

// addBase64Error records the decoding error that left part without
// content, as enmime does.
func addBase64Error(part *enmime.Part, err error) {
	part.Errors = append(part.Errors, &enmime.Error{Name: enmime.ErrorMalformedBase64, Detail: err.Error(), Severe: true})
}

// addBase64Warnings records a warning for each character the decoder
// dropped, as enmime does, up to maxPartErrors problems on the part.
func addBase64Warnings(part *enmime.Part, warnings []string) {
	for _, w := range warnings {
		if len(part.Errors) >= maxPartErrors {
			break
		}
		part.Errors = append(part.Errors, &enmime.Error{Name: enmime.ErrorMalformedBase64, Detail: w})
	}
}

// bodyCandidate reports a part enmime's envelope may take as the text or
// HTML body.
func bodyCandidate(p *enmime.Part) bool {
	return (p.ContentType == "text/plain" || p.ContentType == "text/html") && p.Disposition != "attachment"
}

// base64Class is enmime's cleaning table (internal/coding.Base64Cleaner),
// indexed by the byte's low seven bits: -2 drop silently (white space and
// '='), -1 drop with a warning, else keep.
var base64Class = [128]int8{
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -2, -2, -1, -1, -2, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-2, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -2, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
}

// decodeBase64 decodes src as enmime does (its cleaner, then unpadded
// standard base64), with the same outcome: the content and a warning per
// dropped character, or an error for input that cannot be decoded.
func decodeBase64(src []byte) ([]byte, []string, error) {
	content, warnings, err := decodeBase64Into(nil, src)
	if err != nil {
		return nil, nil, err
	}
	return content[:len(content):len(content)], warnings, nil
}

// decodeBase64Into is decodeBase64 with dst's array as the output when
// it is big enough; the result keeps that array's capacity.
func decodeBase64Into(dst, src []byte) ([]byte, []string, error) {
	if need := base64.RawStdEncoding.DecodedLen(len(src)); cap(dst) >= need {
		dst = dst[:need]
	} else {
		dst = make([]byte, need)
	}
	var chunk [8192]byte // a multiple of 4
	var warnings []string
	n, k := 0, 0 // bytes decoded into dst, cleaned bytes waiting in chunk
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line = src[:i]
			src = src[i+1:]
		} else {
			src = nil
		}
		if l := len(line); l > 0 && line[l-1] == '\r' {
			line = line[:l-1]
		}
		// The usual line: whole quanta of clean base64, decoded at once.
		// The decoder refuses anything else ('=', white space, junk) and
		// the line then goes through the cleaner.
		if k == 0 && len(line)%4 == 0 {
			if m, err := base64.RawStdEncoding.Decode(dst[n:], line); err == nil {
				n += m
				continue
			}
		}
		for _, c := range line {
			switch base64Class[c&0x7f] {
			case -2:
				continue
			case -1:
				if len(warnings) < maxPartErrors {
					warnings = append(warnings, fmt.Sprintf("unexpected %q in base64 stream", c))
				}
				continue
			}
			chunk[k] = c
			k++
			if k == len(chunk) {
				m, err := base64.RawStdEncoding.Decode(dst[n:], chunk[:])
				if err != nil {
					return nil, nil, err
				}
				n, k = n+m, 0
			}
		}
		if k > 0 && k%4 == 0 {
			// Whole quanta again: back to the fast path.
			m, err := base64.RawStdEncoding.Decode(dst[n:], chunk[:k])
			if err != nil {
				return nil, nil, err
			}
			n, k = n+m, 0
		}
	}
	m, err := base64.RawStdEncoding.Decode(dst[n:], chunk[:k])
	if err != nil {
		return nil, nil, err
	}
	n += m
	return dst[:n], warnings, nil
}

// textCharsets are the declared character sets readText converts itself,
// each with the decoder enmime's charset table (internal/coding) gives
// it; nil is UTF-8, kept as it is. TestTextCharsetsMatchEnmime checks
// every byte of each against enmime. Any other charset is enmime's.
var textCharsets = map[string]*charmap.Charmap{
	"utf-8":        nil,
	"us-ascii":     charmap.Windows1252,
	"windows-1252": charmap.Windows1252,
	"iso-8859-1":   charmap.ISO8859_1,
	"koi8-r":       charmap.KOI8R,
}

// readText fills the content of a body candidate (a part enmime would
// transfer-decode and convert to UTF-8) the way enmime's ReadParts does,
// for the common cases: a character set of textCharsets, no transfer
// encoding, base64 or quoted-printable (decodeQP). It reports false, having changed nothing, for
// anything else, which the caller leaves to enmime. Declared UTF-8 and text that is all ASCII in an
// ASCII-compatible charset are the bytes as they are: enmime copies
// them three times through its readers (a 25 MB body must not cost
// 100 MB).
func readText(part *enmime.Part, body []byte) bool {
	cm, ok := textCharsets[strings.ToLower(part.Charset)]
	if !ok {
		return false
	}
	var warnings []string
	switch strings.ToLower(part.Header.Get("Content-Transfer-Encoding")) {
	case "", "7bit", "8bit", "binary":
		body = body[:len(body):len(body)]
	case "base64":
		content, w, err := decodeBase64(body)
		if err != nil {
			part.Content = nil
			addBase64Error(part, err)
			return true
		}
		body, warnings = content, w
	case "quoted-printable":
		content, ok := decodeQP(body)
		if !ok {
			return false
		}
		body = content
	default:
		return false
	}
	if cm != nil && !isASCII(body) {
		body = decodeCharmap(cm, body)
	}
	part.Content = body
	addBase64Warnings(part, warnings)
	return true
}

// decodeCharmap converts b from cm to UTF-8, as enmime's charset reader
// does (a charmap decoder never fails: unmapped bytes become U+FFFD).
func decodeCharmap(cm encoding.Encoding, b []byte) []byte {
	out, err := cm.NewDecoder().Bytes(b)
	if err != nil {
		panic("parse: charmap decoder failed: " + err.Error())
	}
	return out
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// fileSum is what ParseBodyMeta keeps of an attachment's content.
type fileSum struct {
	size   int
	sha256 [sha256.Size]byte
}

// decodeBufs recycles readBase64Sum's output buffers: decoding each
// attachment into a new buffer was the largest allocation of the parse
// after enmime's, for content nobody keeps.
var decodeBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledDecode is the largest buffer decodeBufs keeps; a bigger
// attachment's buffer is left to the collector.
const maxPooledDecode = 1 << 20

// readBase64Sum decodes body as the base64 case of readLeaf does, with
// the same errors and warnings on part, but into a recycled buffer, of
// which only the size and SHA-256 are kept (in sums; none after an
// error, when the content is nil as in readLeaf). The buffer goes back to
// the pool before readBase64Sum returns: nothing refers to it then
// (part.Content is nil, the sum is a copy).
func readBase64Sum(part *enmime.Part, body []byte, sums map[*enmime.Part]fileSum) {
	buf := decodeBufs.Get().(*[]byte)
	content, warnings, err := decodeBase64Into(*buf, body)
	part.Content = nil
	if err != nil {
		addBase64Error(part, err)
	} else {
		sums[part] = fileSum{size: len(content), sha256: sha256.Sum256(content)}
		addBase64Warnings(part, warnings)
	}
	if content != nil && cap(content) <= maxPooledDecode {
		*buf = content[:0]
	}
	decodeBufs.Put(buf)
}

// qpMaxLine bounds the lines decodeQP reads. enmime's cleaner
// (internal/coding.QPCleaner) breaks a line of 1,024 bytes with a soft
// line break, and may then lose a byte at the end of its read buffer;
// decodeQP leaves lines anywhere near that long to enmime.
const qpMaxLine = 1000

// decodeQP decodes quoted-printable text as enmime does: its cleaner
// first (an "=" not followed by two hex digits or a line break becomes
// "=3D", a control character other than tab, CR and LF or a byte above
// "~" becomes "=XX"), then the standard library's reader (qpDecode
// decodes as it does, byte for byte). ok is false
// where decodeQP cannot be sure to match enmime, which then decodes the
// part: a line of qpMaxLine bytes or more after cleaning, an "=" as the last
// or second-to-last byte (the cleaner's look-ahead then ends its stream
// early, losing bytes or not depending on its reader's buffer), or a
// decoding error.
func decodeQP(body []byte) (out []byte, ok bool) {
	if out, ok := qpDecodeClean(body); ok {
		return out, true
	}
	return qpScanDecode(body)
}

// qpScanDecode is decodeQP for any body: a scan for what decodeQP leaves
// to enmime and for what the cleaner changes, the cleaner's changes, then
// qpDecode.
func qpScanDecode(body []byte) (out []byte, ok bool) {
	clean := true
	line := 0
	for i := 0; i < len(body); i++ {
		c := body[i]
		if qpPlain[c] {
			// A run of bytes that count one each.
			j := i + 1
			for j < len(body) && qpPlain[body[j]] {
				j++
			}
			if line += j - i; line >= qpMaxLine {
				return nil, false
			}
			i = j - 1
			continue
		}
		switch {
		case c == '\r' || c == '\n':
			line = 0
			continue
		case c == '=':
			if i >= len(body)-2 {
				return nil, false
			}
			if !qpEscapeFollows(body[i+1:]) {
				clean = false
				line += 3
			} else {
				line++
			}
		case c == '\t':
			line++
		case c < ' ' || c > '~':
			clean = false
			line += 3
		default:
			line++
		}
		if line >= qpMaxLine {
			return nil, false
		}
	}
	src := body
	if !clean {
		src = make([]byte, 0, len(body)+len(body)/4)
		for i, c := range body {
			switch {
			case c == '=' && !qpEscapeFollows(body[i+1:]):
				src = append(src, "=3D"...)
			case c == '\t' || c == '\r' || c == '\n' || c == '=':
				src = append(src, c)
			case c < ' ' || c > '~':
				src = append(src, '=', upperHex[c>>4], upperHex[c&15])
			default:
				src = append(src, c)
			}
		}
	}
	return qpDecode(src)
}

// qpDecodeClean is decodeQP for the usual body, in one pass instead of
// decodeQP's scan and then qpDecode's: a body that enmime's cleaner leaves
// as it is (printable ASCII, tab, CR and LF; every "=" followed by two hex
// digits or a line break) with lines under qpMaxLine bytes and no "=" in
// its last two bytes. It decodes such a body as qpDecode does. ok is false
// for any other body, and where qpDecode would fail: decodeQP then scans
// and decodes it as before. Why: the scan was a third of decodeQP's time,
// and most quoted-printable bodies are clean.
func qpDecodeClean(body []byte) ([]byte, bool) {
	if n := len(body); n > 0 && body[n-1] == '=' || n > 1 && body[n-2] == '=' {
		return nil, false
	}
	out := make([]byte, 0, len(body))
	for src := body; len(src) > 0; {
		whole := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			whole, src = src[:i+1], src[i+1:]
		} else {
			src = nil
		}
		// The scan counts from each CR or LF: a whole line under the
		// limit is under it in every count.
		if len(whole) >= qpMaxLine {
			return nil, false
		}
		line := trimLineEnd(whole)
		var eol string
		if len(line) > 0 && line[len(line)-1] == '=' {
			// A soft line break, clean only with the line break right
			// after the "=".
			if rest := whole[len(line):]; string(rest) != "\n" && string(rest) != "\r\n" {
				return nil, false
			}
			line = line[:len(line)-1]
		} else {
			eol = lineBreak(whole)
		}
		for k := 0; k < len(line); k++ {
			c := line[k]
			if qpCleanLiteral[c] {
				j := k + 1
				for j < len(line) && qpCleanLiteral[line[j]] {
					j++
				}
				out = append(out, line[k:j]...)
				k = j - 1
				continue
			}
			if c == '=' && k+2 < len(line) && isHex(line[k+1]) && isHex(line[k+2]) {
				out = append(out, unhex(line[k+1])<<4|unhex(line[k+2]))
				k += 2
				continue
			}
			return nil, false
		}
		out = append(out, eol...)
	}
	return out, true
}

// trimLineEnd is line without its trailing white space and line break
// (space, tab, CR, LF), as the quoted-printable reader drops them.
func trimLineEnd(line []byte) []byte {
	for len(line) > 0 {
		if c := line[len(line)-1]; c != '\n' && c != '\r' && c != ' ' && c != '\t' {
			break
		}
		line = line[:len(line)-1]
	}
	return line
}

// lineBreak is the line break that ends line: "\r\n", "\n", or "" for a
// last line without one.
func lineBreak(line []byte) string {
	n := len(line)
	switch {
	case n >= 2 && line[n-2] == '\r' && line[n-1] == '\n':
		return "\r\n"
	case n >= 1 && line[n-1] == '\n':
		return "\n"
	}
	return ""
}

// qpBufSize is the buffer of the bufio.Reader the standard library's
// quoted-printable reader read its lines from (see qpDecode).
const qpBufSize = 4096

// qpDecode decodes src as the standard library's quoted-printable reader
// (mime/quotedprintable.NewReader over a bufio.Reader of qpBufSize bytes,
// read to its end) does, byte for byte, and fails where that reader
// returns an error. That reader went through its input a byte at a time
// and was a tenth of the parse workers' CPU; this is one pass over src.
//
// The reader takes src a line at a time (up to and including LF, which
// bufio must find within qpBufSize bytes), drops the line's trailing
// white space (space, tab, CR, LF), and then: a line that ends in "=" is
// a soft line break (the "=" goes; only white space then CRLF or LF may
// follow it, or the end of the input after other text); any other line
// gets its line break back as it was (CRLF or LF), a last line without
// one gets none. In the text, "=" and two hex digits (either case) is
// that byte, an "=" not followed by two hex digits is itself unless a
// line break or the end follows, tab, CR, LF and bytes above 0x7F are
// themselves, and other controls and DEL are errors.
func qpDecode(src []byte) ([]byte, bool) {
	out := make([]byte, 0, len(src))
	for len(src) > 0 {
		var whole []byte
		eof := false
		if i := bytes.IndexByte(src, '\n'); i >= 0 && i < qpBufSize {
			whole, src = src[:i+1], src[i+1:]
		} else if i < 0 && len(src) < qpBufSize {
			whole, src, eof = src, nil, true
		} else {
			return nil, false // bufio.ErrBufferFull
		}
		line := trimLineEnd(whole)
		var eol string
		if len(line) > 0 && line[len(line)-1] == '=' {
			rest := bytes.TrimLeft(whole[len(line):], " \t")
			line = line[:len(line)-1]
			if !bytes.HasPrefix(rest, []byte("\n")) && !bytes.HasPrefix(rest, []byte("\r\n")) &&
				!(len(rest) == 0 && len(line) > 0 && eof) {
				return nil, false
			}
		} else {
			eol = lineBreak(whole)
		}
		for k := 0; k < len(line); k++ {
			c := line[k]
			if qpLiteral[c] {
				j := k + 1
				for j < len(line) && qpLiteral[line[j]] {
					j++
				}
				out = append(out, line[k:j]...)
				k = j - 1
				continue
			}
			switch {
			case c == '=':
				if k+2 < len(line) && isHex(line[k+1]) && isHex(line[k+2]) {
					out = append(out, unhex(line[k+1])<<4|unhex(line[k+2]))
					k += 2
					continue
				}
				// Not an escape: "=" itself when a byte other than CR
				// or LF follows it (in the line, or its line break).
				var next byte
				switch {
				case k+1 < len(line):
					next = line[k+1]
				case eol != "":
					next = eol[0]
				default:
					return nil, false
				}
				if next == '\r' || next == '\n' {
					return nil, false
				}
			default: // other controls, DEL
				return nil, false
			}
			out = append(out, c)
		}
		out = append(out, eol...)
	}
	return out, true
}

var (
	// qpPlain are the bytes decodeQP counts one each and leaves as they
	// are: printable ASCII but "=", and tab.
	qpPlain = func() (t [256]bool) {
		for c := ' '; c <= '~'; c++ {
			t[c] = c != '='
		}
		t['\t'] = true
		return t
	}()
	// qpLiteral are the bytes qpDecode copies as they are: qpPlain, CR,
	// and bytes above 0x7F.
	qpLiteral = func() (t [256]bool) {
		t = qpPlain
		t['\r'] = true
		for c := 0x80; c <= 0xFF; c++ {
			t[c] = true
		}
		return t
	}()
)

// qpCleanLiteral are the bytes qpDecodeClean copies as they are: qpPlain
// and CR.
var qpCleanLiteral = func() (t [256]bool) {
	t = qpPlain
	t['\r'] = true
	return t
}()

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

const upperHex = "0123456789ABCDEF"

// qpEscapeFollows is the cleaner's validHexBytes on what follows an "=":
// a line break, or two hex digits.
func qpEscapeFollows(v []byte) bool {
	if len(v) > 0 && v[0] == '\n' {
		return true
	}
	if len(v) < 2 {
		return false
	}
	if v[0] == '\r' && v[1] == '\n' {
		return true
	}
	return isHex(v[0]) && isHex(v[1])
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f'
}
