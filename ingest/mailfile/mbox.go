package mailfile

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// How an mbox is split (there is no standard; these rules keep message bytes
// intact on every mbox variant we have seen, see TestCorpora):
//
//   - A From_ line is a line that starts with "From ", is at most
//     maxFromLine bytes long, looks like an envelope ("From " + one word,
//     optionally followed by a date that starts with a weekday name or a
//     digit), and is followed by the start of a message: a header field, a
//     quoted ">From " line, or another From_ line (directly or after one
//     blank line: an empty message in between). The very first line of the
//     file needs only to start with "From ".
//   - The line before does not matter. The classic rule "a From_ line follows
//     a blank line" both splits too much (a body paragraph "From Russia with
//     love" after a blank line) and too little (Netscape and Content-Length
//     mboxes put From_ lines right after the previous body); the shape of the
//     line and of the next one tell framing from text far better. So "From
//     here on" in a body is never a From_ line, blank line before it or not.
//   - When a blank line precedes a From_ line, that one blank line is framing
//     and is dropped, as is one blank line at the end of the file: writers
//     put one after every message.
//   - Lines matching ^>+From (mboxrd) or ^>From (mboxo) lose one '>'.
//   - Content-Length headers are ignored: they are wrong too often.
//   - Empty messages (two From_ lines with nothing or one blank line between)
//     are skipped; blank lines before the first From_ line are framing; other
//     bytes before it come back as one ErrNotMessage Item.
//   - Line endings are kept as they are: LF and CRLF both work.
const (
	// maxFromLine bounds a From_ line and the '>' run of a quoted line, so
	// that decisions never depend on the read buffer size.
	maxFromLine = 1000
	// lookahead is how many bytes after a From_ candidate are examined.
	lookahead = 2048
	// readBufSize is the bufio buffer: large, so that nearly every line is
	// one ReadSlice call and lookahead fits.
	readBufSize = 256 << 10
	// lookaheadDepth bounds chained From_ lines in the lookahead.
	lookaheadDepth = 3
	// keepScratch is the largest message buffer kept between messages.
	keepScratch = 4 << 20
)

// quoting says which '>'-quoted lines get unquoted.
type quoting int

const (
	quoteMboxrd quoting = iota
	quoteMboxo
)

// mboxReader splits an mbox stream into Items.
type mboxReader struct {
	br      *bufio.Reader
	closer  io.Closer
	name    string
	quote   quoting
	maxSize int64

	off     int64 // bytes consumed from br
	partial bool  // the last ReadSlice ended inside a line
	started bool  // a From_ line has been seen
	done    bool

	// the current message (or, before the first From_ line, the preamble)
	msg       []byte
	size      int64
	tooLarge  bool
	envelope  string
	msgOff    int64
	blankLen  int // length of the last line when it was blank, else 0
	yielded   int
	candidate []byte // copy of a From_ candidate while looking ahead

	// accounting, for tests: every byte read is message, framing or quote
	framing int64
	quotes  int64
}

func newMboxReader(r io.Reader, name string, q quoting, maxSize int64, bufSize int) *mboxReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < bufSize {
		br = bufio.NewReaderSize(r, bufSize)
	}
	return &mboxReader{br: br, name: name, quote: q, maxSize: maxSize}
}

func (r *mboxReader) Close() error {
	r.done = true
	r.msg = nil
	if r.closer != nil {
		c := r.closer
		r.closer = nil
		return c.Close()
	}
	return nil
}

func (r *mboxReader) Next() (*Item, error) {
	for !r.done {
		line, err := r.br.ReadSlice('\n')
		if len(line) > 0 {
			atLineStart := !r.partial
			r.partial = line[len(line)-1] != '\n'
			lineOff := r.off
			r.off += int64(len(line))
			if item := r.line(line, atLineStart, lineOff); item != nil {
				return item, nil
			}
		}
		if err == nil || err == bufio.ErrBufferFull {
			continue
		}
		r.done = true
		if err != io.EOF {
			item := r.emit()
			if item == nil {
				item = &Item{Origin: fmt.Sprintf("%s@%d", r.name, r.off), Offset: r.off}
			}
			item.Raw = nil
			item.Err = fmt.Errorf("mailfile: reading %s: %w", r.name, err)
			return item, nil
		}
		// One blank line after the last message is framing too.
		if r.started && r.blankLen > 0 {
			r.dropBlank()
		}
		if item := r.emit(); item != nil {
			return item, nil
		}
	}
	return nil, io.EOF
}

// line handles one chunk returned by ReadSlice: a whole line, or a piece of a
// line longer than the buffer. It returns the previous message when line is a
// From_ line that ends it.
func (r *mboxReader) line(line []byte, atLineStart bool, off int64) *Item {
	if !atLineStart {
		r.add(line)
		return nil
	}
	complete := line[len(line)-1] == '\n'
	if complete && isBlank(line) {
		if !r.started && r.size == 0 {
			r.framing += int64(len(line)) // blank lines before the first From_ line
			return nil
		}
		r.add(line)
		r.blankLen = len(line)
		return nil
	}
	switch line[0] {
	case 'F', 0xef:
		if !complete {
			break
		}
		if !r.started && r.size == 0 {
			// The first line of the file needs no lookahead: Detect (or
			// the caller's --format) already said this is an mbox.
			if l := bytes.TrimPrefix(line, utf8BOM); bytes.HasPrefix(l, fromPrefix) && len(l) <= maxFromLine {
				r.candidate = append(r.candidate[:0], line...)
				return r.startMessage(off)
			}
			break
		}
		if !isEnvelopeLine(line) {
			break
		}
		// Peek invalidates line: keep a copy.
		r.candidate = append(r.candidate[:0], line...)
		line = r.candidate
		// Peek never returns more than the buffer holds; a short read
		// (EOF or an error) just means less to look at.
		next, _ := r.br.Peek(min(lookahead, r.br.Size()))
		if startsMessage(next, lookaheadDepth) {
			return r.startMessage(off)
		}
	case '>':
		if n := r.unquoteLen(line); n > 0 {
			r.quotes += int64(n)
			line = line[n:]
		}
	}
	r.add(line)
	r.blankLen = 0
	return nil
}

// startMessage ends the current message at the From_ line in r.candidate
// (which started at off) and begins the next one.
func (r *mboxReader) startMessage(off int64) *Item {
	if r.blankLen > 0 {
		r.dropBlank()
	}
	item := r.emit()
	r.started = true
	r.framing += int64(len(r.candidate))
	r.envelope = envelopeAddress(r.candidate)
	r.msgOff = off
	return item
}

// dropBlank removes the blank line that ends the current message: it is the
// separator before a From_ line (or the end of the file).
func (r *mboxReader) dropBlank() {
	r.size -= int64(r.blankLen)
	if !r.tooLarge {
		r.msg = r.msg[:len(r.msg)-r.blankLen]
	}
	r.framing += int64(r.blankLen)
	r.blankLen = 0
}

// add appends body bytes to the current message, or only counts them once
// the message has grown past MaxSize.
func (r *mboxReader) add(p []byte) {
	r.size += int64(len(p))
	if r.tooLarge {
		return
	}
	// +2: the last line may still turn out to be the blank separator.
	if r.size > r.maxSize+2 {
		r.tooLarge = true
		r.msg = nil
		return
	}
	r.msg = append(r.msg, p...)
}

// emit returns the current message as an Item (nil if it is empty) and
// resets the message state.
func (r *mboxReader) emit() *Item {
	defer func() {
		r.size, r.tooLarge, r.blankLen, r.envelope = 0, false, 0, ""
	}()
	if r.size == 0 {
		r.msg = r.msg[:0]
		return nil
	}
	if !r.started {
		r.msg = r.msg[:0]
		return &Item{
			Origin: fmt.Sprintf("%s@0", r.name),
			Size:   r.size,
			Err:    fmt.Errorf("%w: %d bytes before the first From_ line", ErrNotMessage, r.size),
		}
	}
	r.yielded++
	item := &Item{
		Origin:       fmt.Sprintf("%s:#%d", r.name, r.yielded),
		Offset:       r.msgOff,
		EnvelopeFrom: r.envelope,
		Size:         r.size,
	}
	if r.size > r.maxSize {
		item.Err = ErrTooLarge
		return item
	}
	// Callers keep Raw, so it gets its own exact-size copy; the scratch
	// buffer is reused unless a rare big message made it big.
	item.Raw = bytes.Clone(r.msg)
	r.msg = r.msg[:0]
	if cap(r.msg) > keepScratch {
		r.msg = nil
	}
	return item
}

// unquoteLen is how many '>' to remove from the start of line: 1 for a quoted
// From line under the reader's quoting rule, else 0.
func (r *mboxReader) unquoteLen(line []byte) int {
	n := quoteDepth(line)
	switch {
	case n == 1, n > 1 && r.quote == quoteMboxrd:
		return 1
	}
	return 0
}

// quoteDepth returns n > 0 when line is n '>' followed by "From " (with
// n < maxFromLine), else 0.
func quoteDepth(line []byte) int {
	n := 0
	for n < len(line) && n < maxFromLine && line[n] == '>' {
		n++
	}
	if n == 0 || n == maxFromLine || !bytes.HasPrefix(line[n:], fromPrefix) {
		return 0
	}
	return n
}

// isEnvelopeLine reports whether line looks like a From_ line: "From ", one
// word (the envelope sender, "-" for Netscape), and optionally a date that
// starts with a weekday name or a digit. "From here on" does not qualify.
func isEnvelopeLine(line []byte) bool {
	if len(line) > maxFromLine || !bytes.HasPrefix(line, fromPrefix) {
		return false
	}
	rest := bytes.TrimRight(line[len(fromPrefix):], "\r\n")
	rest = bytes.TrimLeft(rest, " \t")
	word := bytes.IndexAny(rest, " \t")
	if word == 0 || len(rest) == 0 {
		return false
	}
	if word < 0 {
		return true
	}
	date := bytes.TrimLeft(rest[word:], " \t")
	if len(date) == 0 || date[0] >= '0' && date[0] <= '9' {
		return true
	}
	if len(date) < 3 || len(date) > 3 && date[3] != ' ' && date[3] != ',' && date[3] != '\t' {
		return false
	}
	switch string(date[:3]) {
	case "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return true
	}
	return false
}

// startsMessage reports whether p, the bytes after a From_ candidate, begin a
// message: a header field or quoted From line, or (up to depth times) another
// From_ line, possibly after one blank line, that itself starts a message.
func startsMessage(p []byte, depth int) bool {
	if isHeaderLike(p) {
		return true
	}
	if depth == 0 {
		return false
	}
	line, rest, ok := cutLine(p)
	if ok && isBlank(line) {
		line, rest, ok = cutLine(rest)
	}
	return ok && isEnvelopeLine(line) && startsMessage(rest, depth-1)
}

// envelopeAddress returns the sender from a From_ line: "" for a null sender
// (MAILER-DAEMON, <>) or Netscape's placeholder "-".
func envelopeAddress(line []byte) string {
	line = bytes.TrimPrefix(line, utf8BOM)
	rest := bytes.TrimLeft(bytes.TrimPrefix(line, fromPrefix), " \t")
	if i := bytes.IndexAny(rest, " \t\r\n"); i >= 0 {
		rest = rest[:i]
	}
	addr := string(bytes.TrimSuffix(bytes.TrimPrefix(rest, []byte("<")), []byte(">")))
	switch addr {
	case "-", "MAILER-DAEMON":
		return ""
	}
	return addr
}
