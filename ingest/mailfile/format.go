// Package mailfile reads mail messages out of files, directories and
// streams — single messages (.eml), mbox files (mboxo and mboxrd), Maildir
// folders and plain directory trees, a file among them possibly
// gzip-compressed — and writes mboxrd.
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
	// ^>*From with one more '>': one '>' is removed from each such line,
	// and no Content-Length field is trusted (a writer that quotes does
	// not count; see mboxReader.ignoreCounts). It reads what MboxWriter
	// (export) wrote exactly as it was written.
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

// gzipMagic starts a gzip file (RFC 1952: ID1, ID2, CM=deflate). No text
// starts so: 0x1f is a control character.
var gzipMagic = []byte("\x1f\x8b\x08")

// packing is a way files are compressed or packed that a user may hand us
// instead of the mail itself (an mbox kept compressed, a Google Takeout
// zip): what it is called, and the command that gets at the mail.
type packing struct {
	magic  string
	at     int    // where magic is
	what   string // "an xz-compressed file"
	unpack string // the command for a file, %s its path
	pipe   string // the command for stdin: decompress to stdout; "" for an archive of files
}

var packings = []packing{
	{magic: string(gzipMagic), what: "a gzip-compressed file", unpack: "gunzip -k %s", pipe: "gunzip -c FILE"},
	{magic: "BZh", what: "a bzip2-compressed file", unpack: "bunzip2 -k %s", pipe: "bunzip2 -c FILE"},
	{magic: "\xfd7zXZ\x00", what: "an xz-compressed file", unpack: "xz -dk %s", pipe: "xz -dc FILE"},
	{magic: "\x28\xb5\x2f\xfd", what: "a zstd-compressed file", unpack: "zstd -d %s", pipe: "zstd -dc FILE"},
	{magic: "PK\x03\x04", what: "a zip archive", unpack: "unzip %s"},
	{magic: "PK\x05\x06", what: "a zip archive", unpack: "unzip %s"}, // an empty one
	{magic: "7z\xbc\xaf\x27\x1c", what: "a 7-Zip archive", unpack: "7z x %s"},
	{magic: "ustar", at: 257, what: "a tar archive", unpack: "tar -xf %s"},
}

// Packed reports whether head starts a compressed file or an archive of
// files (gzip, bzip2, xz, zstd, zip, 7-Zip, tar): a refusal of it as no
// message says what it is and how to get at the mail in it.
func Packed(head []byte) bool {
	for _, p := range packings {
		if len(head) >= p.at+len(p.magic) && string(head[p.at:p.at+len(p.magic)]) == p.magic {
			return true
		}
	}
	return false
}

// packedHint says, for a file or stream that is no message, what it is
// packed as and how to get at the mail in it; "" when it is not packed
// in a way we know. name is the file's path, or "" for a stream (stdin).
// A gzip-compressed file given by its path is read as what it holds
// (openFile): only one inside another, or one on stdin, comes here.
func packedHint(head []byte, name string) string {
	for _, p := range packings {
		if len(head) < p.at+len(p.magic) || string(head[p.at:p.at+len(p.magic)]) != p.magic {
			continue
		}
		switch {
		case p.pipe == "" && name == "":
			return p.what + ": unpack it first, with " + fmt.Sprintf(p.unpack, "FILE") + ", and import the mail files it holds" + takeoutNote(p)
		case p.pipe == "":
			return p.what + ": unpack it first, with " + fmt.Sprintf(p.unpack, shellQuote(name)) + ", and import the mail files it holds" + takeoutNote(p)
		case name == "" && p.magic == string(gzipMagic):
			return p.what + ": give its path instead, or decompress it first, with " + p.pipe + " | smartbcc ingest --user USER -"
		case name == "":
			return p.what + ": decompress it first, with " + p.pipe + " | smartbcc ingest --user USER -"
		}
		return p.what + ": decompress it first, with " + fmt.Sprintf(p.unpack, shellQuote(name)) + ", and import what comes out"
	}
	return ""
}

// takeoutNote points a zip's user at where Google Takeout, which hands
// out zip files, keeps the mail.
func takeoutNote(p packing) string {
	if strings.HasPrefix(p.magic, "PK") {
		return " (a Google Takeout has its mbox files in Takeout/Mail)"
	}
	return ""
}

// shellQuote quotes s for a POSIX shell when it needs it (Takeout's
// "All mail Including Spam and Trash.mbox" has spaces), so that a
// suggested command can be pasted as it is.
func shellQuote(s string) string {
	safe := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("@%+=:,./_-", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
