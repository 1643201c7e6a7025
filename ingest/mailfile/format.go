// Package mailfile reads mail messages out of files, directories and
// streams — single messages (.eml), mbox files (mboxo and mboxrd), Maildir
// folders and plain directory trees — and writes mboxrd.
//
// Every message is handed over as the exact bytes it had on disk, minus only
// the mbox framing, because the store keeps raw bytes as received and
// detects duplicates by hashing them: the same message must give the same
// bytes whichever archive it came from. Reading is streaming: an mbox is
// never held in memory, only the current message, and a message larger than
// Options.MaxSize is skipped without being buffered.
package mailfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Format names a way of storing messages in files.
type Format string

const (
	// FormatAuto detects the format: a directory with cur/ or new/ is a
	// Maildir, any other directory is walked, a file whose first line is a
	// From_ line is an mbox, a file that starts with a header field is a
	// single message.
	FormatAuto Format = "auto"
	// FormatEML is one message per file, taken as is.
	FormatEML Format = "eml"
	// FormatMaildir is a Maildir: files in cur/ and new/ (tmp/ holds
	// deliveries in progress: skipped), then Maildir++ and Dovecot
	// LAYOUT=fs folders and mail files lying in the root (see list).
	FormatMaildir Format = "maildir"
	// FormatMbox is an mbox read with mboxrd unquoting; it is what FormatAuto
	// picks for an mbox file.
	FormatMbox Format = "mbox"
	// FormatMboxo is an mbox whose writer quoted only "From " lines: exactly
	// one '>' is removed from ">From " lines and ">>From " lines are kept.
	FormatMboxo Format = "mboxo"
	// FormatMboxrd is an mbox whose writer quoted every line matching
	// ^>*From with one more '>': one '>' is removed from each such line.
	FormatMboxrd Format = "mboxrd"
	// FormatDir is a directory tree; every file in it is detected on its
	// own (Maildirs found inside are read as Maildirs).
	FormatDir Format = "dir"
)

// ParseFormat reads a --format value; the empty string means FormatAuto.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "":
		return FormatAuto, nil
	case FormatAuto, FormatEML, FormatMaildir, FormatMbox, FormatMboxo, FormatMboxrd, FormatDir:
		return f, nil
	}
	return "", fmt.Errorf("mailfile: unknown format %q (want auto, eml, maildir, mbox, mboxo, mboxrd or dir)", s)
}

// ErrTooLarge marks an Item whose message is larger than Options.MaxSize; its
// bytes were skipped, not read into memory.
var ErrTooLarge = errors.New("mailfile: message too large")

// ErrNotMessage marks an Item whose bytes are not a mail message at all
// (empty, binary, or text that starts with neither a header nor a From_
// line). The ingest command exits EX_DATAERR for it.
var ErrNotMessage = errors.New("mailfile: not a mail message")

// utf8BOM is skipped when detecting: some Windows tools put it in front of
// mbox and .eml files.
var utf8BOM = []byte("\xef\xbb\xbf")

var fromPrefix = []byte("From ")

// Detect tells from the first bytes of a file or stream what it holds:
// FormatMbox when its first line (after a UTF-8 byte order mark and blank
// lines) is a From_ line, or when a From_ line followed by header fields
// comes after some other text (mboxAfterPrologue); FormatEML when it starts
// with a header field, and "" when it is neither (empty, binary, or some
// other text).
func Detect(head []byte) Format {
	head = bytes.TrimPrefix(head, utf8BOM)
	if isHeaderLike(head) && (!bytes.HasPrefix(head, fromPrefix) || isObsFromField(head)) {
		// "From  :" (white space before the colon) is a header field.
		return FormatEML
	}
	rest := head
	for {
		line, after, ok := cutLine(rest)
		if !ok || !isBlank(line) {
			break
		}
		rest = after
	}
	if bytes.HasPrefix(rest, fromPrefix) {
		return FormatMbox
	}
	if mboxAfterPrologue(rest) {
		return FormatMbox
	}
	return ""
}

// mboxAfterPrologue reports whether head, which starts with neither a
// header nor a From_ line, holds a From_ line followed by header fields
// after some other text: an mbox with a few lines in front (a note saved
// with it, a line a tool wrote). Python's mailbox reads it as an mbox, and
// so do we: the text before the first From_ line is an input of its own,
// refused as no message (counted and named), and the messages after it
// are read, not refused with it.
func mboxAfterPrologue(head []byte) bool {
	for {
		i := bytes.Index(head, []byte("\nFrom "))
		if i < 0 {
			return false
		}
		head = head[i+1:]
		line, rest, ok := cutLine(head)
		if !ok {
			return false
		}
		if _, isFrom := parseFromLine(line); isFrom && startsHeaderBlock(rest) {
			return true
		}
	}
}

// isBlank reports whether line (with its line ending) is an empty line.
func isBlank(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}

// cutLine splits off the first line of p, line ending included; ok is false
// when p holds no complete line.
func cutLine(p []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		return nil, p, false
	}
	return p[:i+1], p[i+1:], true
}

// isHeaderLike reports whether p begins with what can start a message's
// header: a field name followed by ':' (obsolete white space before the colon
// allowed, a UTF-8 byte order mark before the name too), or a quoted From line (">From ", ">>From "): a From_ line that an
// earlier mbox writer kept at the top of the header. Only the first headerPeek bytes
// matter: no real field name is longer.
func isHeaderLike(p []byte) bool {
	if quoteDepth(p) > 0 {
		return true
	}
	// A message may start with a UTF-8 byte order mark (Windows tools
	// write one): the header follows it.
	p = bytes.TrimPrefix(p, utf8BOM)
	if len(p) > headerPeek {
		p = p[:headerPeek]
	}
	sawSpace := false
	for i, c := range p {
		switch {
		case c == ':':
			return i > 0
		case c == ' ' || c == '\t':
			if i == 0 {
				return false
			}
			sawSpace = true
		case c > ' ' && c < 0x7f:
			if sawSpace {
				return false
			}
		default:
			return false
		}
	}
	return false
}

// headerPeek bounds how much of a line isHeaderLike looks at.
const headerPeek = 256
