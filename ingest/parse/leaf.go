package parse

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// maxPartErrors is the MaxStoredPartErrors of parser.
const maxPartErrors = 20

// rawParser reads a part's header the way parser does but leaves its
// content alone: readLeaf decodes attachments itself.
var rawParser = enmime.NewParser(append(parserOptions[:len(parserOptions):len(parserOptions)], enmime.RawContent(true))...)

// readLeaf reads one leaf part of a multipart message; off is where its
// body starts. A part that can be the message's text or HTML body (text/plain
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
func readLeaf(p *enmime.Parser, c []byte, off int) (*enmime.Part, error) {
	part, err := readParts(rawParser, c[:off])
	if err != nil {
		return nil, err
	}
	body := c[off:]
	if bodyCandidate(part) {
		cte := strings.ToLower(part.Header.Get("Content-Transfer-Encoding"))
		if strings.EqualFold(part.Charset, "utf-8") && (cte == "" || cte == "7bit" || cte == "8bit" || cte == "binary") {
			// Declared UTF-8, no transfer encoding: enmime keeps the
			// bytes as they are (its charset reader passes "utf-8"
			// through), after copying them three times. A 25 MB body
			// must not cost 100 MB.
			part.Content = body[:len(body):len(body)]
			return part, nil
		}
		return readParts(p, c)
	}
	switch strings.ToLower(part.Header.Get("Content-Transfer-Encoding")) {
	case "7bit", "8bit", "binary", "":
		part.Content = body[:len(body):len(body)]
	case "base64":
		content, warnings, err := decodeBase64(body)
		if err != nil {
			part.Content = nil
			part.Errors = append(part.Errors, &enmime.Error{Name: enmime.ErrorMalformedBase64, Detail: err.Error(), Severe: true})
			break
		}
		part.Content = content
		for _, w := range warnings {
			if len(part.Errors) >= maxPartErrors {
				break
			}
			part.Errors = append(part.Errors, &enmime.Error{Name: enmime.ErrorMalformedBase64, Detail: w})
		}
	default:
		return readParts(p, c)
	}
	return part, nil
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
	dst := make([]byte, base64.RawStdEncoding.DecodedLen(len(src)))
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
	return dst[:n:n], warnings, nil
}
