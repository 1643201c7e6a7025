package parse

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/jhillyerd/enmime/v2"
)

// Why this file exists: enmime finds the boundaries of a multipart message
// one byte at a time (boundaryReader.Read peeks and copies every byte
// through a bytes.Buffer), which is two thirds of the time it takes to
// parse real mail and is proportional to the size of the attachments.
//
// readTree splits the multipart structure itself, with bytes.Index, and
// leaves everything else to enmime: each part's header, media type, file
// name, transfer and character set decoding is enmime's Parser.ReadParts
// on that part's bytes, and the envelope (text and HTML bodies, the
// attachment, inline and other part lists, HTML-to-text) is enmime's
// Parser.EnvelopeFromPart on the tree. The split follows the rules of
// enmime's boundary reader exactly for every boundary it accepts: a line
// that starts with "--boundary" followed by white space (a delimiter) or by
// "--" (the close delimiter), the CRLF or LF before it belonging to the
// boundary. Wherever enmime's reader would do something else (a boundary
// inside a line, a missing close delimiter, a part without Content-Type,
// which enmime types differently below the top level), readTree gives up
// and the caller parses the whole message with enmime as before, so the
// result is enmime's in every case; TestTreeMatchesEnmime checks that on
// every message of the shared corpora.

// maxBoundary is the longest boundary readTree handles; RFC 2046 allows 70
// characters. enmime's reader peeks within a 4 KB buffer and misbehaves on
// longer ones; those messages are left to it.
const maxBoundary = 200

// treeReader builds enmime's part tree within limits: it stops adding
// parts at lim.MaxParts (counted over the whole tree) and does not descend
// below lim.MaxDepth, recording that in truncated, so that its work is
// linear in the input whatever the structure. enmime's own reader appends
// each part by walking its siblings (Part.AddChild), which is quadratic;
// here each parent remembers its last child.
type treeReader struct {
	p         *enmime.Parser
	lim       Limits
	parts     int
	truncated bool
	sums      map[*enmime.Part]fileSum // see readLeaf; nil: keep contents
}

// readTree builds enmime's part tree for a multipart message. ok is false
// when raw is not multipart or has a structure readTree leaves to enmime.
// truncated reports parts or levels left out by the limits.
func readTree(p *enmime.Parser, raw []byte, lim Limits, sums map[*enmime.Part]fileSum) (root *enmime.Part, truncated, ok bool) {
	ct, head, off, ok := splitRootHeader(raw)
	if !ok {
		return nil, false, false
	}
	mtype, params, _, err := parseMediaType(ct)
	if err != nil || !strings.HasPrefix(mtype, "multipart/") {
		return nil, false, false
	}
	boundary := params["boundary"]
	if !usableBoundary(boundary) {
		return nil, false, false
	}
	root, err = readParts(p, head)
	if err != nil || root.Boundary != boundary {
		return nil, false, false
	}
	tr := &treeReader{p: p, lim: lim, sums: sums}
	if !tr.readChildren(root, raw[off:], boundary, 0) {
		return nil, false, false
	}
	return root, tr.truncated, true
}

// readSingle reads a message that is not multipart as readLeaf reads a
// leaf: base64 decoded in one pass, declared UTF-8 text kept as it is,
// anything else by enmime. ok is false for a multipart message or a
// Content-Type enmime may read in its own way; the caller then uses
// enmime's reader.
func readSingle(p *enmime.Parser, raw []byte) (part *enmime.Part, ok bool) {
	ct, head, off, ok := splitRootHeader(raw)
	if !ok {
		return nil, false
	}
	if ct != "" {
		mtype, _, _, err := parseMediaType(ct)
		if err != nil || mtype == "" || strings.HasPrefix(mtype, "multipart/") {
			return nil, false
		}
	}
	part, err := readLeaf(p, head, raw, off, nil)
	if err != nil {
		return nil, false
	}
	return part, true
}

// appendChild adds child after last (nil: as parent's first child) and
// returns it, the new last child.
func appendChild(parent, last, child *enmime.Part) *enmime.Part {
	child.Parent = parent
	if last == nil {
		parent.FirstChild = child
	} else {
		last.NextSibling = child
	}
	return child
}

// readChildren splits body and adds its parts to parent.
func (tr *treeReader) readChildren(parent *enmime.Part, body []byte, boundary string, depth int) bool {
	parts, epilogue, stopped, ok := splitMultipart(body, boundary, tr.lim.MaxParts-tr.parts)
	if !ok {
		return false
	}
	if stopped {
		// The part limit was reached inside this body: what follows is
		// left out, close delimiter or not.
		tr.truncated = true
	}
	var last *enmime.Part
	for i, c := range parts {
		if tr.parts >= tr.lim.MaxParts {
			tr.truncated = true
			break
		}
		ct, off, ok := splitHeader(c)
		if !ok || ct == "" {
			// enmime gives a part without Content-Type no type at all,
			// where ReadParts would make it text/plain.
			return false
		}
		mtype, params, _, err := parseMediaType(ct)
		if err != nil || mtype == "" {
			return false
		}
		id := strconv.Itoa(i + 1)
		if depth > 0 {
			id = parent.PartID + "." + id
		}
		b := params["boundary"]
		var child *enmime.Part
		switch {
		case b == "" && !strings.HasPrefix(mtype, "multipart/"):
			child, err = readLeaf(tr.p, c[:off], c, off, tr.sums)
			if err != nil {
				return false
			}
			child.PartID = id
			tr.parts++
			last = appendChild(parent, last, child)
		case b != "" && strings.HasPrefix(mtype, "multipart/") && usableBoundary(b):
			if depth+1 > tr.lim.MaxDepth {
				// Deeper than any real mail: left out, not read.
				tr.truncated = true
				continue
			}
			child, err = readParts(tr.p, c[:off])
			if err != nil || child.Boundary != b {
				return false
			}
			child.PartID = id
			tr.parts++
			last = appendChild(parent, last, child)
			if !tr.readChildren(child, c[off:], b, depth+1) {
				return false
			}
		default:
			// multipart without boundary, or a boundary on another type:
			// enmime has special cases for both.
			return false
		}
	}
	parent.Epilogue = epilogue
	if depth > 0 {
		parent.PartID += ".0"
	}
	return true
}

func usableBoundary(b string) bool {
	return b != "" && len(b) <= maxBoundary
}

// splitHeader reads the header section of a part as enmime does and
// returns its Content-Type (the first, as enmime's header gives it) and
// the offset of the body; ok is false where enmime's ReadHeader fails.
// A plain header is read by scanHeader, anything else by enmime.
func splitHeader(c []byte) (ctype string, off int, ok bool) {
	if ctype, off, plain := scanHeader(c); plain {
		return ctype, off, true
	}
	return enmimeContentType(c)
}

// enmimeContentType is splitHeader for a header scanHeader does not take:
// enmime's ReadHeader reads it.
func enmimeContentType(c []byte) (ctype string, off int, ok bool) {
	h, off := enmimeSplitHeader(c)
	if h == nil {
		return "", 0, false
	}
	return h.Get("Content-Type"), off, true
}

// splitRootHeader is splitHeader for a message's own header section, with
// head, what enmime is given to read as that header: of a plain header
// (scanHeader), only its Content-* fields (mimeFields). A message's header
// has many fields (Received, DKIM-Signature...) and enmime reads each into
// a map through two buffers of its own, but uses only Content-*: every
// other field is ReadFields'. A plain header gives enmime no warnings to
// record, so none are lost. Any other header is given to enmime whole.
func splitRootHeader(raw []byte) (ctype string, head []byte, off int, ok bool) {
	if ctype, off, plain := scanHeader(raw); plain {
		return ctype, mimeFields(raw[:off]), off, true
	}
	// Not plain: scanHeader has looked already, enmime reads it.
	ctype, off, ok = enmimeContentType(raw)
	return ctype, raw[:off], off, ok
}

// mimeFields returns the fields of a plain header section h (every line
// ended by LF, the last one empty) whose names start with "Content-" in
// any case, each with its continuation lines, and the empty line.
func mimeFields(h []byte) []byte {
	out := make([]byte, 0, 256)
	keep := false
	for len(h) > 0 {
		line := h
		if nl := bytes.IndexByte(h, '\n'); nl >= 0 {
			line = h[:nl+1]
		}
		h = h[len(line):]
		switch {
		case isEmptyLine(line):
			return append(out, line...)
		case line[0] == ' ' || line[0] == '\t':
			// A continuation of the field before.
		default:
			keep = len(line) > len("content-") && asciiEqualFold(string(line[:len("content-")]), "content-")
		}
		if keep {
			out = append(out, line...)
		}
	}
	return out
}

func isEmptyLine(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}

// scanHeader reads a plain header section the way enmime's ReadHeader
// does, without its buffers and second parse: every line a field
// ("Name:value", the name printable ASCII without white space) or the
// continuation of one (white space, then more than white space), lines
// ended by LF or CRLF and holding no other CR, shorter than enmime's
// 4 KB read buffer, and an empty line at the end. For such a header,
// enmime joins each field's lines with single spaces, trims the white
// space at both ends of each line and after the colon, and stops after
// the empty line; so does scanHeader. It reports plain=false for any
// other header, which splitHeader leaves to enmime; FuzzScanHeader and
// TestScanHeaderMatchesEnmime compare the two.
func scanHeader(c []byte) (ctype string, off int, plain bool) {
	const maxLine = 4000
	var (
		first   = true  // no field yet
		inCT    = false // the field being read is the first Content-Type
		foundCT = false
		ct      []byte
		ctLines int
	)
	pos := 0
	for {
		nl := bytes.IndexByte(c[pos:], '\n')
		if nl < 0 || nl > maxLine {
			return "", 0, false
		}
		line := c[pos : pos+nl]
		pos += nl + 1
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if bytes.IndexByte(line, '\r') >= 0 {
			return "", 0, false
		}
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			t := bytes.Trim(line, " \t")
			if first || len(t) == 0 {
				return "", 0, false
			}
			if inCT {
				if ctLines == 1 {
					// ct is still a slice of c: never append to it.
					ct = append(make([]byte, 0, len(ct)+1+len(t)), ct...)
				}
				ct = append(append(ct, ' '), t...)
				ctLines++
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return "", 0, false
		}
		for _, b := range line[:colon] {
			if b < 33 || b > 126 {
				return "", 0, false
			}
		}
		first = false
		inCT = false
		if !foundCT && asciiEqualFold(string(line[:colon]), "Content-Type") {
			foundCT, inCT = true, true
			ct = bytes.Trim(line[colon+1:], " \t")
			ctLines = 1
		}
	}
	if ctLines > 1 {
		// Joined from several lines: a new slice already.
		return string(bytes.TrimLeft(ct, " \t")), pos, true
	}
	return string(ct), pos, true
}

// enmimeSplitHeader reads the header section of a part with enmime's
// ReadHeader and returns it with the offset of the body. Problems are not
// collected here: ReadParts reads the header again and records them on
// the part.
func enmimeSplitHeader(c []byte) (textproto.MIMEHeader, int) {
	r := bytes.NewReader(c)
	br := getBufReader(r)
	h, err := enmime.ReadHeader(br, discard{})
	off := len(c) - r.Len() - br.Buffered()
	putBufReader(br)
	if err != nil || h == nil {
		return nil, 0
	}
	return h, off
}

// bufReaders recycles the 4 KB buffers that reading a part's header and
// content goes through. enmime's ReadParts wraps its reader in a new
// bufio.Reader unless it is given one already, and each part of a message
// is read once or twice: without the pool these buffers were a third of
// the bytes a parse worker allocates, and the garbage collector's pace
// follows the bytes allocated.
var bufReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

func getBufReader(r io.Reader) *bufio.Reader {
	br := bufReaders.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

// putBufReader returns br to the pool. Nothing may use it afterwards:
// enmime keeps no reader once ReadParts or ReadHeader has returned (it
// copies every content it keeps).
func putBufReader(br *bufio.Reader) {
	br.Reset(nil)
	bufReaders.Put(br)
}

// readParts is p.ReadParts on c through a pooled reader.
func readParts(p *enmime.Parser, c []byte) (*enmime.Part, error) {
	br := getBufReader(bytes.NewReader(c))
	part, err := p.ReadParts(br)
	putBufReader(br)
	return part, err
}

type discard struct{}

func (discard) AddError(string, string, ...any)   {}
func (discard) AddWarning(string, string, ...any) {}

// splitMultipart cuts a multipart body into the contents of its parts and
// the epilogue. ok is false when enmime's boundary reader would not read
// the body as a sequence of parts closed by a close delimiter, each
// boundary at the start of a line. After max parts it stops looking
// (stopped): the rest is not read, and needs no close delimiter.
func splitMultipart(body []byte, boundary string, max int) (parts [][]byte, epilogue []byte, stopped, ok bool) {
	delim := []byte("--" + boundary)
	final := []byte("--" + boundary + "--")

	// The preamble: enmime looks for the boundary anywhere in each line.
	pos := 0
	for {
		if pos >= len(body) {
			return nil, nil, false, false // no part at all
		}
		end := lineEnd(body, pos)
		line := body[pos:end]
		if i := bytes.Index(line, delim); i >= 0 {
			if i > 0 || bytes.Contains(line, final) || end == len(body) && body[end-1] != '\n' {
				return nil, nil, false, false
			}
			if rest := line[len(delim):]; len(rest) > 0 && isSpace(rest[0]) {
				pos = end
				break
			}
		}
		pos = end
	}

	// The parts. pos is the start of a part's content.
	start := pos
	from := pos
	for {
		if len(parts) >= max {
			return parts, nil, true, true
		}
		j := bytes.Index(body[from:], delim)
		if j < 0 {
			return nil, nil, false, false // no close delimiter
		}
		i := from + j
		after := body[i+len(delim):]
		term := bytes.HasPrefix(after, []byte("--"))
		del := !term && len(after) > 0 && isSpace(after[0])
		if !term && !del {
			// Not a boundary for enmime either ("--boundaryX").
			from = i + 1
			continue
		}
		// enmime needs one byte after the white space to see a delimiter.
		if del && len(after) < 2 {
			return nil, nil, false, false
		}
		if i != start && body[i-1] != '\n' {
			return nil, nil, false, false // inside a line: enmime may still see it
		}
		if i-3 >= start && body[i-3] == '\r' && body[i-2] != '\n' {
			return nil, nil, false, false // "\r?\n--b": enmime's CR window sees it one byte early
		}
		contentEnd := i
		if i != start {
			contentEnd = i - 1
			if contentEnd > start && body[contentEnd-1] == '\r' {
				contentEnd--
			}
		}
		parts = append(parts, body[start:contentEnd])
		end := lineEnd(body, i)
		line := body[i:end]
		if term {
			return parts, body[end:], false, true
		}
		if bytes.Contains(line[len(delim):], final) || body[end-1] != '\n' {
			return nil, nil, false, false
		}
		start, from = end, end
	}
}

// lineEnd returns the index after the '\n' that ends the line at pos, or
// len(b).
func lineEnd(b []byte, pos int) int {
	if i := bytes.IndexByte(b[pos:], '\n'); i >= 0 {
		return pos + i + 1
	}
	return len(b)
}

// isSpace is enmime's test for the byte after a boundary.
func isSpace(c byte) bool { return unicode.IsSpace(rune(c)) }
