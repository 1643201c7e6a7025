package auth

import (
	"bytes"
	"errors"
	"strings"
)

// ErrNotMessage is returned for input that has no header field at all:
// nothing to authenticate, and nothing a retry would change.
var ErrNotMessage = errors.New("auth: input has no message header")

// byteOrderMark is the UTF-8 byte order mark parse.ReadFields skips
// before the first field.
var byteOrderMark = []byte("\xef\xbb\xbf")

// field is one header field, unfolded (line breaks removed, the folding
// whitespace kept), in the order it appears.
type field struct {
	name, value string
}

// readHeader splits the header block off raw. It is lenient where mail is
// sloppy (bare LF, an mbox "From " line, a garbage line without a colon are
// skipped) because a verdict needs only the few fields it reads (never
// From: see Input.From); the DKIM verifier reads the header again with its
// own exact rules.
func readHeader(raw []byte) ([]field, error) {
	var fields []field
	// A folded value is put together in folded and made a string once, at
	// the next field or the end (as parse.ReadFields does): adding each
	// line to the string copied the value so far, quadratic in the lines.
	var folded []byte
	isFolded := false
	endFolded := func() {
		if isFolded {
			fields[len(fields)-1].value = string(folded)
			isFolded = false
		}
	}
	rest := bytes.TrimPrefix(raw, byteOrderMark) // as parse.ReadFields
	for len(rest) > 0 {
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			line, rest = rest, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			break // end of header
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(fields); n > 0 {
				if !isFolded {
					folded = append(folded[:0], fields[n-1].value...)
					isFolded = true
				}
				folded = append(folded, line...)
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
			continue
		}
		endFolded()
		fields = append(fields, field{name: string(name), value: string(value)})
	}
	endFolded()
	if len(fields) == 0 {
		return nil, ErrNotMessage
	}
	return fields, nil
}

// values returns the values of every field called name, in order.
func values(fields []field, name string) []string {
	var out []string
	for _, f := range fields {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}
