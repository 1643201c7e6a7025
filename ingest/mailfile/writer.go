package mailfile

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MboxWriter writes messages in mboxrd format: "From sender date" line,
// the message with every line matching ^>*From quoted by one more '>', and a
// blank line. Reading the result with FormatMboxrd gives back each message's
// bytes exactly (a final newline is added to a message that lacks one).
type MboxWriter struct {
	w io.Writer
	// NewlinesAdded counts the messages written so far that had no final
	// line ending: mboxrd cannot tell that from framing, so they gained
	// one (reading them back gives the message with it).
	NewlinesAdded int
}

// NewMboxWriter returns a writer that appends messages to w. Wrap w in a
// bufio.Writer: messages are written in many small pieces.
func NewMboxWriter(w io.Writer) *MboxWriter {
	return &MboxWriter{w: w}
}

// Write appends one message. envelopeFrom is the envelope sender ("" is the
// null sender, written as MAILER-DAEMON); white space, control characters and
// bytes that are not UTF-8 in it become '_', so that the From_ line stays one
// word plus the date. A sender too long for a From_ line a reader accepts
// (which no SMTP path is: RFC 5321 allows 256 octets) is written as "-", an
// unknown sender, rather than failing the message: it is attacker-chosen
// text, and an export must not stop on it. A zero date is written as the
// Unix epoch, so that the output depends on the input only.
//
// raw must not be empty and must start with a header field: the reader
// recognises a From_ line by the header that follows it, and a message
// that starts with anything else could not be told from body text.
func (mw *MboxWriter) Write(envelopeFrom string, date time.Time, raw []byte) error {
	if len(raw) == 0 {
		return fmt.Errorf("%w: empty", ErrNotMessage)
	}
	if !isHeaderLike(raw) && quoteDepth(raw) == 0 && !bytes.HasPrefix(raw, fromPrefix) {
		return fmt.Errorf("%w: does not start with a header field", ErrNotMessage)
	}
	// Keep the file's line endings consistent with the message's.
	nl := "\n"
	if i := bytes.IndexByte(raw, '\n'); i > 0 && raw[i-1] == '\r' {
		nl = "\r\n"
	}
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	line := fromLineFor(envelopeSender(envelopeFrom), date, nl)
	if len(line) > maxFromLine {
		line = fromLineFor(unknownSender, date, nl)
	}
	if _, err := io.WriteString(mw.w, line); err != nil {
		return err
	}
	// Write runs of unquoted lines in one piece, a '>' before each line
	// that needs quoting.
	start := 0
	for lineStart := 0; lineStart < len(raw); {
		if quoteDepth(raw[lineStart:]) > 0 || bytes.HasPrefix(raw[lineStart:], fromPrefix) {
			if _, err := mw.w.Write(raw[start:lineStart]); err != nil {
				return err
			}
			if _, err := io.WriteString(mw.w, ">"); err != nil {
				return err
			}
			start = lineStart
		}
		i := bytes.IndexByte(raw[lineStart:], '\n')
		if i < 0 {
			break
		}
		lineStart += i + 1
	}
	if _, err := mw.w.Write(raw[start:]); err != nil {
		return err
	}
	tail := nl // the blank line that ends every message
	if raw[len(raw)-1] != '\n' {
		tail = nl + nl
		mw.NewlinesAdded++
	}
	_, err := io.WriteString(mw.w, tail)
	return err
}

// unknownSender is what a From_ line says when the sender cannot be written;
// the reader gives it back as no envelope sender.
const unknownSender = "-"

func fromLineFor(sender string, date time.Time, nl string) string {
	return "From " + sender + " " + date.UTC().Format(time.ANSIC) + nl
}

// envelopeSender is the one word a From_ line holds for s. Each byte that is
// not UTF-8 becomes one '_' (strings.Map would make it a three-byte U+FFFD,
// tripling the length of a sender made of such bytes).
func envelopeSender(s string) string {
	if s == "" {
		return "MAILER-DAEMON"
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unicode.IsSpace(r) || unicode.IsControl(r) {
			r = '_'
		}
		b.WriteRune(r)
		i += n
	}
	return b.String()
}
