package parse

import (
	"bytes"
	"net/textproto"
	"strings"
)

// Field is one header field as it was written.
type Field struct {
	// Name is the field name with white space around it removed, the way
	// DKIM verifiers (go-msgauth) name a field: everything before the
	// first colon, trimmed.
	Name string
	// Value is everything after the first colon, unfolded (the line
	// breaks of folding removed, the white space kept), undecoded.
	Value string
	// Valid is false for a line RFC 5322 cannot read as a field: no
	// colon, a name with characters outside 33-126, white space inside
	// the name, or a continuation line with nothing to continue. Such a
	// line decides nothing, but it is still counted by Count, because a
	// DKIM verifier sees it too.
	Valid bool
	// Offset is where the field's first line starts in the input.
	Offset int
}

// Fields is a header section in order, as ReadFields read it.
type Fields []Field

// bom is the UTF-8 byte order mark some programs write at the start of
// an .eml file.
var bom = []byte("\xef\xbb\xbf")

// ReadFields reads the header section at the start of raw: every line up
// to the first empty line (or to the end), each field unfolded. It is
// linear in the header's length and never fails; an input without any
// valid field first is no message (see IsMessage).
//
// It accepts what RFC 5322 section 4 says receivers must: white space
// between the field name and the colon ("Subject :", Appendix A.6.3), bare
// LF line ends, and a UTF-8 byte order mark before the first field.
// body is the offset of the body in raw (after the empty line).
func ReadFields(raw []byte) (fs Fields, body int) {
	// The value of a folded field is put together in folded and made a
	// string once, when the field ends: adding each line to the string
	// copied the value so far, and a field folded over 40,000 lines took
	// seconds.
	var folded []byte
	isFolded := false
	endFolded := func() {
		if isFolded {
			fs[len(fs)-1].Value = string(folded)
			isFolded = false
		}
	}
	pos := 0
	if bytes.HasPrefix(raw, bom) {
		pos = len(bom)
	}
	for pos < len(raw) {
		end := len(raw)
		next := len(raw)
		if i := bytes.IndexByte(raw[pos:], '\n'); i >= 0 {
			end, next = pos+i, pos+i+1
		}
		line, start := raw[pos:end], pos
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		pos = next
		if len(line) == 0 {
			endFolded()
			return fs, pos
		}
		if (line[0] == ' ' || line[0] == '\t') && len(fs) > 0 {
			// Folding: the line break goes, the white space stays.
			if !isFolded {
				folded = append(folded[:0], fs[len(fs)-1].Value...)
				isFolded = true
			}
			folded = append(folded, line...)
			continue
		}
		endFolded()
		f := newField(line)
		f.Offset = start
		fs = append(fs, f)
	}
	endFolded()
	return fs, len(raw)
}

func newField(line []byte) Field {
	name, value, colon := bytes.Cut(line, []byte(":"))
	f := Field{Name: strings.TrimSpace(string(name)), Value: string(value)}
	if !colon {
		return f
	}
	// ftext, then optional white space before the colon (obs-optional).
	trimmed := bytes.TrimRight(name, " \t")
	f.Valid = len(trimmed) > 0
	for _, c := range trimmed {
		if c < 33 || c > 126 {
			f.Valid = false
			break
		}
	}
	return f
}

// IsMessage reports whether the input starts with a header field: whether
// it is a message at all.
func (fs Fields) IsMessage() bool {
	return len(fs) > 0 && fs[0].Valid
}

// Values returns the raw values of the valid fields called key (ASCII
// case-insensitive), in order. It makes Fields a mailaddr.Header.
func (fs Fields) Values(key string) []string {
	var out []string
	for _, f := range fs {
		if f.Valid && asciiEqualFold(f.Name, key) {
			out = append(out, f.Value)
		}
	}
	return out
}

// Get returns the first raw value of key, or "".
func (fs Fields) Get(key string) string {
	for _, f := range fs {
		if f.Valid && asciiEqualFold(f.Name, key) {
			return f.Value
		}
	}
	return ""
}

// Count returns how many lines a DKIM verifier would take for the field
// key: go-msgauth compares trimmed names with strings.EqualFold (Unicode
// simple folding: "ſubject" is a Subject to it), valid or not. Counting
// this way means that no field a signature may cover goes unseen.
func (fs Fields) Count(key string) int {
	n := 0
	for _, f := range fs {
		if strings.EqualFold(f.Name, key) {
			n++
		}
	}
	return n
}

// Header returns the valid fields as a MIMEHeader with canonical keys and
// the values decoded for display (encword; text that is not UTF-8 read in
// the message's legacy charset, see headerText), each trimmed.
func (fs Fields) Header() textproto.MIMEHeader {
	t := headerText{fs: fs}
	return t.header()
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Singletons are the fields RFC 5322 3.6 allows at most once that decide
// or show something here: a second instance is how a genuine signed mail
// is replayed with new content on top (DKIM signs the bottom-most, readers
// show the top-most).
var Singletons = []string{"From", "Sender", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References"}

// RepeatedSingleton returns the first singleton field that appears more
// than once (counted as DKIM counts, see Count) and how often, or "".
func (fs Fields) RepeatedSingleton() (name string, n int) {
	for _, s := range Singletons {
		if c := fs.Count(s); c > 1 {
			return s, c
		}
	}
	return "", 0
}
