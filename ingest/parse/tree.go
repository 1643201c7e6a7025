package parse

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strconv"
	"strings"
	"unicode"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
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

// maxDepth bounds the nesting readTree follows; deeper mail is left to
// enmime.
const maxDepth = 30

// maxBoundary is the longest boundary readTree handles; RFC 2046 allows 70
// characters. enmime's reader peeks within a 4 KB buffer and misbehaves on
// longer ones; those messages are left to it.
const maxBoundary = 200

// readTree builds enmime's part tree for a multipart message. ok is false
// when raw is not multipart or has a structure readTree leaves to enmime.
func readTree(p *enmime.Parser, raw []byte) (root *enmime.Part, ok bool) {
	h, off := splitHeader(raw)
	if h == nil {
		return nil, false
	}
	mtype, params, _, err := mediatype.Parse(h.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mtype, "multipart/") {
		return nil, false
	}
	boundary := params["boundary"]
	if !usableBoundary(boundary) {
		return nil, false
	}
	root, err = p.ReadParts(bytes.NewReader(raw[:off]))
	if err != nil || root.Boundary != boundary {
		return nil, false
	}
	if !readChildren(p, root, raw[off:], boundary, 0) {
		return nil, false
	}
	return root, true
}

// readChildren splits body and adds its parts to parent.
func readChildren(p *enmime.Parser, parent *enmime.Part, body []byte, boundary string, depth int) bool {
	if depth > maxDepth {
		return false
	}
	parts, epilogue, ok := splitMultipart(body, boundary)
	if !ok {
		return false
	}
	for i, c := range parts {
		h, off := splitHeader(c)
		if h == nil || h.Get("Content-Type") == "" {
			// enmime gives a part without Content-Type no type at all,
			// where ReadParts would make it text/plain.
			return false
		}
		mtype, params, _, err := mediatype.Parse(h.Get("Content-Type"))
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
			child, err = readLeaf(p, c, off)
			if err != nil {
				return false
			}
			child.PartID = id
			parent.AddChild(child)
		case b != "" && strings.HasPrefix(mtype, "multipart/") && usableBoundary(b):
			child, err = p.ReadParts(bytes.NewReader(c[:off]))
			if err != nil || child.Boundary != b {
				return false
			}
			child.PartID = id
			parent.AddChild(child)
			if !readChildren(p, child, c[off:], b, depth+1) {
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
// returns it with the offset of the body. Problems are not collected here:
// ReadParts reads the header again and records them on the part.
func splitHeader(c []byte) (textproto.MIMEHeader, int) {
	r := bytes.NewReader(c)
	br := bufio.NewReaderSize(r, 4096)
	h, err := enmime.ReadHeader(br, discard{})
	if err != nil || h == nil {
		return nil, 0
	}
	return h, len(c) - r.Len() - br.Buffered()
}

type discard struct{}

func (discard) AddError(string, string, ...any)   {}
func (discard) AddWarning(string, string, ...any) {}

// splitMultipart cuts a multipart body into the contents of its parts and
// the epilogue. ok is false when enmime's boundary reader would not read
// the body as a sequence of parts closed by a close delimiter, each
// boundary at the start of a line.
func splitMultipart(body []byte, boundary string) (parts [][]byte, epilogue []byte, ok bool) {
	delim := []byte("--" + boundary)
	final := []byte("--" + boundary + "--")

	// The preamble: enmime looks for the boundary anywhere in each line.
	pos := 0
	for {
		if pos >= len(body) {
			return nil, nil, false // no part at all
		}
		end := lineEnd(body, pos)
		line := body[pos:end]
		if i := bytes.Index(line, delim); i >= 0 {
			if i > 0 || bytes.Contains(line, final) || end == len(body) && body[end-1] != '\n' {
				return nil, nil, false
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
		j := bytes.Index(body[from:], delim)
		if j < 0 {
			return nil, nil, false // no close delimiter
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
			return nil, nil, false
		}
		if i != start && body[i-1] != '\n' {
			return nil, nil, false // inside a line: enmime may still see it
		}
		if i-3 >= start && body[i-3] == '\r' && body[i-2] != '\n' {
			return nil, nil, false // "\r?\n--b": enmime's CR window sees it one byte early
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
			return parts, body[end:], true
		}
		if bytes.Contains(line[len(delim):], final) || body[end-1] != '\n' {
			return nil, nil, false
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
