package mailfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
)

// How an mbox is split (there is no standard; these rules keep message bytes
// intact on every mbox variant we have seen, see TestCorpora):
//
//   - A From_ line is a line that starts with "From ", is at most
//     maxFromLine bytes long, is shaped like an envelope line of one of the
//     writers listed in fromline.go ("From " + a sender + a date, the
//     date optional after a one-word sender), and is followed by the start
//     of a message: a header field, a quoted ">From " line, or another
//     From_ line (directly or after one blank line: an empty message in
//     between). The very first line of the file needs only to start with
//     "From " and not be a header field ("From  :", obsolete syntax).
//   - The line before does not matter. The classic rule "a From_ line follows
//     a blank line" both splits too much (a body paragraph "From Russia with
//     love" after a blank line) and too little (Netscape and Content-Length
//     mboxes put From_ lines right after the previous body); the shape of the
//     line and of the next one tell framing from text far better. So "From
//     here on" in a body is never a From_ line, blank line before it or not.
//   - When a blank line precedes a From_ line, that one blank line is framing
//     and is dropped, as is one blank line at the end of the file: writers
//     put one after every message.
//   - A line that starts with "From " and is not taken as a From_ line
//     but is followed by header fields is reported (Item.Suspect): two
//     messages may have been glued together by a writer this reader does
//     not know.
//   - UW-IMAP's pseudo message that keeps folder state (Subject "DON'T
//     DELETE THIS MESSAGE -- FOLDER INTERNAL DATA" and an X-IMAP or
//     X-IMAPbase header field) is skipped, and said so, wherever it is.
//   - Lines matching ^>+From (mboxrd) or ^>From (mboxo) lose one '>',
//     except in a message whose Content-Length is right (below): it is
//     kept byte for byte. Whether it is right is known only where the
//     count ends (or at a From_ line inside the body), so the '>'
//     removed before are put back then (keepQuotes).
//   - A Content-Length header is trusted only where it is checked: when
//     a From_ line that would start a message lies inside the body it
//     counts, and the counted bytes end exactly where the next message's
//     From_ line starts (after one blank line or none) or where the file
//     ends, the From_ line is the body's. mboxcl2 writers quote nothing
//     and rely on it: a message quoting an mbox would otherwise be cut in
//     two. Any other Content-Length is ignored: they are wrong too often.
//   - Empty messages (two From_ lines with nothing or one blank line between)
//     come back as skipped Items (SkipEmpty); blank lines before the first
//     From_ line are framing; other bytes before it come back as one
//     ErrNotMessage Item.
//   - A UTF-8 byte order mark before a From_ line is framing, at the top
//     of the file or further on (mboxes concatenated, one written by a
//     Windows tool).
//   - Line endings are kept as they are: LF and CRLF both work.
const (
	// maxFromLine bounds a From_ line and the '>' run of a quoted line, so
	// that decisions never depend on the read buffer size.
	maxFromLine = 1000
	// lookahead is how many bytes after a From_ candidate are examined.
	lookahead = 2048
	// contentLengthReach bounds how far past a From_ candidate its
	// message's Content-Length is checked (withinContentLength), a
	// constant so that the decision never depends on the buffer size.
	contentLengthReach = 64 << 10
	// minBufSize is the smallest read buffer: what the lookahead past a
	// Content-Length's end needs.
	minBufSize = contentLengthReach + lookahead
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
	msg      []byte
	size     int64
	tooLarge bool
	// bigSum digests a message too large to keep, so that the refusal
	// names its bytes (Item.RawSHA256); the last two bytes wait in
	// bigTail, since they may turn out to be the blank line that separates
	// messages, which is not the message's.
	bigSum    hash.Hash
	bigTail   []byte
	from      fromLine // the From_ line of the current message
	suspect   string   // Item.Suspect of the current message
	msgOff    int64
	blankLen  int // length of the last line when it was blank, else 0
	yielded   int
	candidate []byte // copy of a From_ candidate while looking ahead

	// The current message's Content-Length, for mboxcl2 (see
	// withinContentLength): inHeader until the blank line that ends the
	// header, contentLength the header's value (-1: none or unreadable),
	// bodyStart the offset of the body's first byte.
	inHeader      bool
	contentLength int64
	bodyStart     int64
	// countEnd is where the counted body ends (-1: no count), checked
	// when the reader gets there; counted is set once the count is known
	// to be right. A message counted right is kept byte for byte: its
	// writer quoted nothing. Until then '>' are removed as the file's
	// quoting rule says, and where each was removed is noted in
	// unquotedAt (offsets in msg) so that it can be put back.
	countEnd   int64
	counted    bool
	unquotedAt []int
	// ignoreCounts trusts no Content-Length: the file was named mboxrd
	// (--format mboxrd), whose writer quotes, so a count is nobody's but
	// the sender's. Export writes mboxrd and keeps each message's bytes,
	// its Content-Length field too, which may count exactly through the
	// messages written after it: read as an auto-detected mbox (as mutt
	// and Dovecot read it) they would be that message's body.
	ignoreCounts bool

	// keepDeleted reads a message Thunderbird flagged expunged
	// (Options.IncludeDeleted); mozStatus is the first X-Mozilla-Status
	// of the current message's header (-1: none).
	keepDeleted bool
	mozStatus   int
	// mozPrelude is set while the current message can still be one
	// Thunderbird wrote: its From_ line is Thunderbird's ("From - DATE")
	// and every header line so far is of Thunderbird's own block at the
	// top (see thunderbirdPrelude). Only there is X-Mozilla-Status read:
	// anywhere else it is a header of the message, which any sender can
	// write, and a stored message carrying "X-Mozilla-Status: 0009" was
	// skipped as deleted when an export of the store was imported again.
	mozPrelude bool

	// preHead is the first bytes before the first From_ line, kept when
	// the rest is not (crOnly looks at them).
	preHead []byte

	// accounting, for tests: every byte read is message, framing or quote
	framing int64
	quotes  int64
}

func newMboxReader(r io.Reader, name string, q quoting, maxSize int64, bufSize int) *mboxReader {
	bufSize = max(bufSize, minBufSize)
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < bufSize {
		br = bufio.NewReaderSize(r, bufSize)
	}
	return &mboxReader{br: br, name: name, quote: q, maxSize: maxSize, countEnd: -1}
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
			// Between two lines no slice into the buffer is held, so
			// the check may Peek.
			if r.off == r.countEnd && !r.partial {
				r.checkCountEnd()
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
			read := item.Raw
			if read == nil {
				read = []byte(item.RawSHA256) // a message too large to keep
			}
			item.Raw = nil
			unreadable(item, r.name, read, err)
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
		if r.inHeader {
			r.inHeader = false
			r.bodyStart = off + int64(len(line))
			if r.contentLength >= 0 && !r.ignoreCounts {
				r.countEnd = r.bodyStart + r.contentLength
			}
		}
		r.add(line)
		r.blankLen = len(line)
		return nil
	}
	if r.inHeader && complete {
		switch line[0] {
		case 'C', 'c':
			r.readContentLength(line)
		case 'X', 'x':
			if r.mozPrelude {
				r.readMozStatus(line)
			}
		}
		if r.mozPrelude && line[0] != ' ' && line[0] != '\t' && !thunderbirdPrelude(line) {
			r.mozPrelude = false
		}
	}
	switch line[0] {
	case 'F', 0xef:
		if !complete {
			break
		}
		if !r.started && r.size == 0 {
			// The first line of the file needs no lookahead: Detect (or
			// the caller's --format) already said this is an mbox.
			if l := bytes.TrimPrefix(line, utf8BOM); bytes.HasPrefix(l, fromPrefix) && len(l) <= maxFromLine && !isObsFromField(l) {
				r.candidate = append(r.candidate[:0], line...)
				return r.startMessage(off)
			}
			break
		}
		// A byte order mark may stand before a From_ line further on
		// too: mboxes concatenated (cat a.mbox b.mbox), one of them
		// written by a Windows tool. It is framing, as at the top.
		from := bytes.TrimPrefix(line, utf8BOM)
		if !bytes.HasPrefix(from, fromPrefix) || len(from) > maxFromLine || isObsFromField(from) {
			break
		}
		// Peek invalidates line: keep a copy.
		r.candidate = append(r.candidate[:0], line...)
		line = r.candidate
		from = bytes.TrimPrefix(line, utf8BOM)
		if r.withinContentLength(off, len(line)) {
			r.keepQuotes()
			break
		}
		// Peek never returns more than the buffer holds; a short read
		// (EOF or an error) just means less to look at.
		next, _ := r.br.Peek(min(lookahead, r.br.Size()))
		if _, _, ok := scanFromLine(from); ok && startsMessage(next, lookaheadDepth) {
			return r.startMessage(off)
		}
		if r.suspect == "" && startsHeaderBlock(next) {
			r.suspect = fmt.Sprintf("the line at byte %d of %s starts with \"From \" and is followed by header fields, "+
				"but was not read as the start of a message: two messages may be glued together here", off, r.name)
		}
	case '>':
		if r.counted {
			break
		}
		if n := r.unquoteLen(line); n > 0 {
			r.quotes += int64(n)
			line = line[n:]
			if !r.tooLarge {
				r.unquotedAt = append(r.unquotedAt, len(r.msg))
			}
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
	line := bytes.TrimPrefix(r.candidate, utf8BOM)
	f, ok := parseFromLine(line)
	if !ok {
		// The first line of a file is taken whatever its shape.
		rest := bytes.TrimLeft(bytes.TrimRight(line[len(fromPrefix):], "\r\n"), " \t")
		if i := bytes.IndexAny(rest, " \t"); i >= 0 {
			rest = rest[:i]
		}
		f = fromLine{sender: string(rest)}
	}
	r.from = f
	r.msgOff = off
	r.inHeader, r.contentLength, r.countEnd, r.counted, r.mozStatus = true, -1, -1, false, -1
	r.mozPrelude = f.sender == "-"
	r.unquotedAt = r.unquotedAt[:0]
	return item
}

// readContentLength notes the value of a Content-Length header field of the
// current message; a second one makes it unreadable (-2): which would
// count?
func (r *mboxReader) readContentLength(line []byte) {
	const name = "content-length:"
	if len(line) < len(name) || !bytes.EqualFold(line[:len(name)], []byte(name)) {
		return
	}
	if r.contentLength != -1 {
		r.contentLength = -2
		return
	}
	n, ok := number(bytes.TrimSpace(line[len(name):]), 12)
	if ok {
		r.contentLength = int64(n)
	}
}

// readMozStatus notes the value of the first X-Mozilla-Status field of
// the current message: Thunderbird's flags, four hex digits.
func (r *mboxReader) readMozStatus(line []byte) {
	const name = "x-mozilla-status:"
	if r.mozStatus >= 0 || len(line) < len(name) || !bytes.EqualFold(line[:len(name)], []byte(name)) {
		return
	}
	v := bytes.TrimSpace(line[len(name):])
	if len(v) == 0 || len(v) > 4 {
		return
	}
	n := 0
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | int(c-'0')
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			n = n<<4 | int(c|0x20-'a'+10)
		default:
			return
		}
	}
	r.mozStatus = n
}

// thunderbirdPrelude reports whether a header line is one of the fields
// Thunderbird writes above a message it stores in a local folder
// (X-Account-Key and X-UIDL for POP3 mail, then X-Mozilla-Status,
// X-Mozilla-Status2 and X-Mozilla-Keys).
func thunderbirdPrelude(line []byte) bool {
	for _, name := range []string{"x-mozilla-", "x-account-key:", "x-uidl:"} {
		if len(line) >= len(name) && bytes.EqualFold(line[:len(name)], []byte(name)) {
			return true
		}
	}
	return false
}

// mozExpunged is Thunderbird's flag for a message the user deleted
// (MSG_FLAG_EXPUNGED): it stays in the mbox, hidden, until the folder is
// compacted.
const mozExpunged = 0x0008

// withinContentLength reports whether the From_ candidate of n bytes at
// off lies inside the body the current message's Content-Length counts,
// and that count is right: the body ends at a line end, followed by the
// end of the file or by a From_ line (after one blank line or none) that
// starts a message. A body that ends more than contentLengthReach bytes
// further on is left to the From_ lines.
func (r *mboxReader) withinContentLength(off int64, n int) bool {
	if r.inHeader || r.contentLength < 0 || r.ignoreCounts {
		return false
	}
	end := r.bodyStart + r.contentLength // where the counted body ends
	after := off + int64(n)              // where Peek starts
	if end < after {
		return false
	}
	if end-after > contentLengthReach {
		return false
	}
	k := int(end - after)
	p, _ := r.br.Peek(k + lookahead)
	if len(p) < k || k > 0 && p[k-1] != '\n' {
		return false
	}
	return nextMessageAt(p[k:])
}

// nextMessageAt reports whether p, the bytes a Content-Length says come
// after the body it counts, are what a right count is followed by: the
// end of the file, or a From_ line that starts a message, after one
// blank line or none.
func nextMessageAt(p []byte) bool {
	if line, after, ok := cutLine(p); ok && isBlank(line) {
		p = after
	}
	if len(p) == 0 {
		return true // Peek stopped short: the end of the file
	}
	line, next, ok := cutLine(p)
	if !ok {
		return false
	}
	_, _, isFrom := scanFromLine(line)
	return isFrom && startsMessage(next, lookaheadDepth)
}

// checkCountEnd is called when the reader has just read the last byte
// the current message's Content-Length counts, at a line end: if the
// count is right, the message is kept as written (keepQuotes). This is
// the only place a count that no From_ line inside its body tested
// (withinContentLength) is checked, and it needs no reach: the message
// is not emitted before its end anyway.
func (r *mboxReader) checkCountEnd() {
	r.countEnd = -1
	if r.counted {
		return
	}
	if p, _ := r.br.Peek(lookahead); nextMessageAt(p) {
		r.keepQuotes()
	}
}

// keepQuotes marks the current message as counted right by its
// Content-Length, so written by an mboxcl2 writer (Dovecot, mutt,
// Solaris mail), which quotes no "From " line; and readers that trust
// the count (Dovecot, mutt) unquote none. So a ">From " line in it is the
// sender's, and every '>' removed so far is put back. A message too
// large to keep is only digested: its digest stays that of the bytes
// unquoted, the same on every run. The one message this misreads is one
// whose Content-Length was short by exactly the '>' an mboxrd writer
// (export among them) then added: it reads back with them, a coincidence
// no reader can tell from an mboxcl2 message.
func (r *mboxReader) keepQuotes() {
	r.counted = true
	if len(r.unquotedAt) == 0 || r.tooLarge {
		r.unquotedAt = r.unquotedAt[:0]
		return
	}
	n := len(r.unquotedAt)
	out := make([]byte, 0, len(r.msg)+n)
	prev := 0
	for _, at := range r.unquotedAt {
		out = append(out, r.msg[prev:at]...)
		out = append(out, '>')
		prev = at
	}
	r.msg = append(out, r.msg[prev:]...)
	r.size += int64(n)
	r.quotes -= int64(n)
	r.unquotedAt = r.unquotedAt[:0]
}

// preHeadSize is how much of the bytes before the first From_ line
// crOnly needs.
const preHeadSize = 256

// crOnly reports whether head, the start of a file that holds no line
// ending a reader of lines sees before its first From_ line, is an mbox
// whose lines end in CR alone (classic Mac OS): a From_ line ended by CR,
// no LF anywhere.
func crOnly(head []byte) bool {
	head = bytes.TrimPrefix(head, utf8BOM)
	line, _, ok := bytes.Cut(head, []byte("\r"))
	return ok && bytes.IndexByte(head, '\n') < 0 && bytes.HasPrefix(line, fromPrefix) && len(line) < maxFromLine
}

// dropBlank removes the blank line that ends the current message: it is the
// separator before a From_ line (or the end of the file).
func (r *mboxReader) dropBlank() {
	r.size -= int64(r.blankLen)
	if !r.tooLarge {
		r.msg = r.msg[:len(r.msg)-r.blankLen]
	} else {
		r.bigTail = r.bigTail[:len(r.bigTail)-r.blankLen]
	}
	r.framing += int64(r.blankLen)
	r.blankLen = 0
}

// add appends body bytes to the current message, or only counts them once
// the message has grown past MaxSize.
func (r *mboxReader) add(p []byte) {
	if !r.started && len(r.preHead) < preHeadSize {
		r.preHead = append(r.preHead, p[:min(len(p), preHeadSize-len(r.preHead))]...)
	}
	r.size += int64(len(p))
	if r.tooLarge {
		r.digest(p)
		return
	}
	// +2: the last line may still turn out to be the blank separator.
	if r.size > r.maxSize+2 {
		r.tooLarge = true
		if r.bigSum == nil {
			r.bigSum = sha256.New()
		}
		r.bigSum.Reset()
		r.bigTail = r.bigTail[:0]
		r.digest(r.msg)
		r.digest(p)
		r.msg = nil
		return
	}
	r.msg = append(r.msg, p...)
}

// digest adds p to the digest of a message too large to keep, holding
// back its last two bytes (see bigTail).
func (r *mboxReader) digest(p []byte) {
	const held = 2
	if len(p) >= held {
		r.bigSum.Write(r.bigTail)
		r.bigSum.Write(p[:len(p)-held])
		r.bigTail = append(r.bigTail[:0], p[len(p)-held:]...)
		return
	}
	r.bigTail = append(r.bigTail, p...)
	if n := len(r.bigTail) - held; n > 0 {
		r.bigSum.Write(r.bigTail[:n])
		r.bigTail = append(r.bigTail[:0], r.bigTail[n:]...)
	}
}

// emit returns the current message as an Item (nil if it is empty) and
// resets the message state.
func (r *mboxReader) emit() *Item {
	defer func() {
		r.size, r.tooLarge, r.blankLen, r.from, r.suspect = 0, false, 0, fromLine{}, ""
	}()
	if r.size == 0 && !r.started {
		r.msg = r.msg[:0]
		return nil
	}
	if r.size == 0 {
		// A From_ line with no message after it: a record of the archive
		// all the same (Python's mailbox counts it), so it is counted.
		r.yielded++
		return &Item{Origin: fmt.Sprintf("%s:#%d", r.name, r.yielded), Offset: r.msgOff,
			Skipped: SkipEmpty, Err: skipped(SkipEmpty, "a From_ line with no message after it")}
	}
	if !r.started {
		// Its digest records its refusal once however often the archive
		// is imported.
		var digest string
		if r.tooLarge {
			r.bigSum.Write(r.bigTail)
			digest = hex.EncodeToString(r.bigSum.Sum(nil))
		} else {
			sum := sha256.Sum256(r.msg)
			digest = hex.EncodeToString(sum[:])
		}
		r.msg = r.msg[:0]
		why := fmt.Sprintf("%d bytes before the first From_ line", r.size)
		if crOnly(r.preHead) {
			why = fmt.Sprintf("%s ends its lines with CR alone (classic Mac OS): convert them first, with tr '\\r' '\\n' < %s > %s, and import that",
				r.name, shellQuote(r.name), shellQuote(r.name+".lf"))
		}
		return &Item{
			Origin:    fmt.Sprintf("%s@0", r.name),
			Size:      r.size,
			RawSHA256: digest,
			Err:       fmt.Errorf("%w: %s", ErrNotMessage, why),
		}
	}
	r.yielded++
	item := &Item{
		Origin:       fmt.Sprintf("%s:#%d", r.name, r.yielded),
		Offset:       r.msgOff,
		EnvelopeFrom: r.from.envelopeSender(),
		ArchiveDate:  r.from.date,
		Size:         r.size,
		Suspect:      r.suspect,
	}
	if r.size > r.maxSize {
		item.Err = ErrTooLarge
		if r.tooLarge {
			r.bigSum.Write(r.bigTail)
			item.RawSHA256 = hex.EncodeToString(r.bigSum.Sum(nil))
		} else {
			// Up to two bytes over: still held in r.msg.
			sum := sha256.Sum256(r.msg)
			item.RawSHA256 = hex.EncodeToString(sum[:])
			r.msg = r.msg[:0]
		}
		return item
	}
	if r.mozStatus >= 0 && r.mozStatus&mozExpunged != 0 && !r.keepDeleted {
		item.Skipped = SkipDeleted
		item.Err = skipped(SkipDeleted, "deleted in Thunderbird (X-Mozilla-Status flags it expunged), "+
			"kept in the file until the folder is compacted"+includeDeletedHint)
		r.msg = r.msg[:0]
		return item
	}
	if isFolderInternalData(r.msg) {
		item.Skipped = SkipFolderData
		item.Err = skipped(SkipFolderData, "the mail system's folder state (UW-IMAP), not a message")
		r.msg = r.msg[:0]
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

// isObsFromField reports whether line is a From header field in the
// obsolete syntax of RFC 5322 section 4.5.6: "From", white space, ':'.
func isObsFromField(line []byte) bool {
	rest := bytes.TrimLeft(line[len("From"):], " \t")
	return len(rest) > 0 && rest[0] == ':'
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
	if !ok {
		return false
	}
	_, _, isFrom := scanFromLine(line)
	return isFrom && startsMessage(rest, depth-1)
}

// startsHeaderBlock reports whether p starts with at least two header
// fields, one of them a field every message has (From, Date, Subject,
// Message-ID, To, Received, Return-Path...): what follows a From_ line. A
// header-like line or two in prose ("Year: 1963") does not qualify.
func startsHeaderBlock(p []byte) bool {
	fields, common := 0, false
	for fields < 50 {
		line, rest, ok := cutLine(p)
		if !ok || isBlank(line) {
			break
		}
		p = rest
		if line[0] == ' ' || line[0] == '\t' {
			if fields == 0 {
				return false
			}
			continue // a folded line
		}
		if !isHeaderLike(line) || quoteDepth(line) > 0 {
			break
		}
		fields++
		name, _, _ := bytes.Cut(line, []byte(":"))
		switch strings.ToLower(strings.TrimSpace(string(name))) {
		case "from", "date", "subject", "message-id", "to", "cc", "received", "return-path", "delivered-to",
			"mime-version", "content-type", "in-reply-to", "references", "sender", "reply-to":
			common = true
		}
	}
	return fields >= 2 && common
}

// gluedLine is Item.Suspect for a message read whole from one file (an
// .eml, a Maildir file, or an mbox read with --format eml): when the file
// starts with a From_ line, as an mbox does, and another line further on
// starts with "From " and is followed by header fields, it is probably
// an mbox read as one message. "" otherwise: a message attached as
// message/rfc822 may well start with its own From_ line.
func gluedLine(raw []byte, name string) string {
	if !bytes.HasPrefix(raw, fromPrefix) {
		return ""
	}
	for off := 1; off < len(raw); {
		j := bytes.Index(raw[off:], []byte("\nFrom "))
		if j < 0 {
			return ""
		}
		i := off + j + 1
		line, rest, ok := cutLine(raw[i:])
		if ok && !isObsFromField(line) && startsHeaderBlock(rest) {
			return fmt.Sprintf("the line at byte %d of %s starts with \"From \" and is followed by header fields, as is the first: "+
				"it may be an mbox read as one message (try --format mbox)", i, name)
		}
		off = i + 1
	}
	return ""
}

// isFolderInternalData recognises the pseudo message UW-IMAP (c-client:
// pine, alpine, the UW IMAP server) puts first in every mbox it writes to
// keep the folder's UIDs and keywords: it is no mail. It is told by its
// header fields, not by text anywhere in it, so that a mail quoting one is
// kept; and wherever it is in the file, so that mboxes concatenated with
// cat lose their later ones too, and a message the reader keeps is never
// one that, written first into a new mbox, would be skipped there.
func isFolderInternalData(raw []byte) bool {
	head := raw[:min(len(raw), 4096)]
	if !bytes.Contains(head, []byte("FOLDER INTERNAL DATA")) {
		return false // every message is looked at: the common case first
	}
	subject, imap := false, false
	for {
		line, rest, ok := cutLine(head)
		if !ok || isBlank(line) {
			return subject && imap
		}
		head = rest
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch strings.ToLower(string(name)) {
		case "subject":
			subject = subject || bytes.Contains(value, []byte("FOLDER INTERNAL DATA"))
		case "x-imap", "x-imapbase":
			imap = true
		}
	}
}
