package mailfile

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSize is the MaxSize used when Options.MaxSize is 0 or less.
const DefaultMaxSize = 64 << 20

// Options says how to read.
type Options struct {
	// Format is the format of the path or stream; "" means FormatAuto.
	Format Format
	// MaxSize: a message larger than this many bytes is not held in
	// memory; it is skipped in a streaming way and reported as an Item with
	// Err = ErrTooLarge and its Size. 0 means DefaultMaxSize.
	MaxSize int64
	// IncludeDeleted reads mail the user deleted and the mail program
	// had yet to purge (see SkipDeleted) as any other; else each is a
	// skipped Item.
	IncludeDeleted bool
}

func (o Options) maxSize() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

// Item is one message, or one problem with one message.
type Item struct {
	// Raw is the message, its original bytes less the mbox framing; nil
	// when Err is set.
	Raw []byte
	// Origin names where the message came from, for errors and --explain:
	// "path" (a single-message file), "path:#N" (the Nth message of an
	// mbox, from 1) or "path@offset" (bytes that are no message).
	Origin string
	// Offset is the byte offset of the message's From_ line in its mbox
	// (0 for other files).
	Offset int64
	// EnvelopeFrom is the sender from the mbox From_ line, "" when there is
	// none or it is the null sender.
	EnvelopeFrom string
	// ArchiveDate is when the archive says the message arrived, apart
	// from its header: the date of its mbox From_ line, or the delivery
	// time in a Maildir file name. Zero when there is none.
	ArchiveDate time.Time
	// Size is the message size in bytes, also when Raw is nil.
	Size int64
	// RawSHA256 is the SHA-256 (hex) of a message too large to keep (Err
	// is ErrTooLarge, Raw is nil), or of an input that is no message
	// (ErrNotMessage, a .partial.emlx), read through all the same: its
	// refusal is recorded once however often the archive is imported.
	RawSHA256 string
	// Err is a problem with this message only (ErrTooLarge, ErrNotMessage,
	// a read error): the caller records it and goes on with the next Item.
	Err error
	// Skipped, when set, is why this input was deliberately not read as a
	// message (one of the Skip* causes); Raw is nil and Err wraps
	// ErrSkipped. The caller counts it and names Origin in its summary:
	// nothing is left out silently.
	Skipped string
	// Suspect, when set, says why the message may hold more than one
	// message: a line inside it looks like a From_ line followed by a
	// header. The message is read as it is; the caller reports it.
	Suspect string
}

// ErrUnreadable marks an Item whose file is damaged in itself: a
// compressed file cut short or corrupt, an Apple Mail .emlx whose length
// is wrong or that lacks its attachments. Reading it again gives the same
// error, so it is refused once (RawSHA256 names it). A read error that
// is not ErrUnreadable is the system's (the disk, the network, a
// permission): it may pass, and is retried, never recorded as final.
var ErrUnreadable = errors.New("mailfile: damaged input")

// readError is a read error of the input name; damaged ones (see
// damaged) are ErrUnreadable too.
type readError struct {
	name string
	err  error
}

func (e *readError) Error() string { return fmt.Sprintf("mailfile: reading %s: %v", e.name, e.err) }

func (e *readError) Unwrap() []error {
	if damaged(e.err) {
		return []error{e.err, ErrUnreadable}
	}
	return []error{e.err}
}

// errEmlxLength is an .emlx file's length that its bytes do not match.
var errEmlxLength = errors.New("wrong length")

// damaged reports whether err says the bytes read are damaged, not that
// reading them failed: what gzip and flate find wrong in their input,
// and a stream cut short, which is how they report a truncated file
// (a read error of the file under them is returned as it is).
func damaged(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &corrupt) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errEmlxLength)
}

// damageDigest names a damaged input for its refusal (Item.RawSHA256):
// the SHA-256 of the bytes read before the damage and of the error,
// which names the file and the damage, so that two files cut short
// alike (or before their first byte) are told apart.
func damageDigest(read []byte, err error) string {
	sum := sha256.New()
	sum.Write(read)
	sum.Write([]byte{0})
	sum.Write([]byte(err.Error()))
	return hex.EncodeToString(sum.Sum(nil))
}

// emptyDigest names an empty input for its refusal (Item.RawSHA256).
// The SHA-256 of its bytes, none, is every empty file's, and the store
// records a refusal of no bytes every time (store.EmptySHA256), so an
// empty file in an archive gained a row on every import; named by its
// path it is refused once, and two empty files are two refusals.
func emptyDigest(name string) string {
	return damageDigest(nil, fmt.Errorf("%w: empty: %s", ErrNotMessage, name))
}

// unreadable sets item.Err to the read error err of name, and when it is
// damage, the digest of read and of it.
func unreadable(item *Item, name string, read []byte, err error) {
	item.Err = &readError{name: name, err: err}
	item.RawSHA256 = ""
	if errors.Is(item.Err, ErrUnreadable) {
		item.RawSHA256 = damageDigest(read, item.Err)
	}
}

// ErrSkipped marks an Item that was deliberately not read as a message;
// Item.Skipped says why.
var ErrSkipped = errors.New("mailfile: skipped")

func skipped(cause, why string) error {
	return fmt.Errorf("%w (%s): %s", ErrSkipped, cause, why)
}

// Causes of a skipped input (Item.Skipped).
const (
	// SkipEmpty is an mbox From_ line with no message after it.
	SkipEmpty = "empty"
	// SkipFolderData is UW-IMAP's "FOLDER INTERNAL DATA" pseudo message
	// at the top of an mbox.
	SkipFolderData = "folder_internal_data"
	// SkipDeleted is mail the user deleted, which the mail program had
	// yet to purge: a Thunderbird mbox message flagged expunged
	// (X-Mozilla-Status has 0x0008) until the folder is compacted, a
	// Maildir file flagged T (trashed: IMAP's \Deleted, gone at the next
	// expunge), an nmh message removed by rmm (",N"). Options.IncludeDeleted
	// reads it.
	SkipDeleted = "deleted"
)

// includeDeletedHint ends the reason of every SkipDeleted Item.
const includeDeletedHint = "; --include-deleted imports it"

// Reader yields Items one at a time; Next returns io.EOF after the last one.
type Reader interface {
	Next() (*Item, error)
	Close() error
}

// Open reads the messages in path: a single-message file, an mbox file, a
// Maildir, or a directory tree walked in sorted order (see Format). Only a
// path that cannot be read at all is an error here; problems with the files
// in it come back as Items with Err.
func Open(path string, opt Options) (Reader, error) {
	format := opt.Format
	if format == "" {
		format = FormatAuto
	}
	if _, err := ParseFormat(string(format)); err != nil {
		return nil, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if format == FormatMaildir || format == FormatDir {
			return nil, fmt.Errorf("mailfile: %s is not a directory", path)
		}
		return &tree{opt: opt, fileFormat: format, stack: [][]entry{{{path: path, kind: kindFile}}}}, nil
	}
	root := entry{path: path, kind: kindDir}
	if isDbox(path) {
		root = skipDbox(path)
		return &tree{opt: opt, stack: [][]entry{{root}}}, nil
	}
	switch format {
	case FormatMaildir:
		if !isMaildir(path) {
			return nil, fmt.Errorf("mailfile: %s is not a Maildir (no cur/ or new/)", path)
		}
		root.kind = kindMaildir
	case FormatAuto:
		if isMaildir(path) {
			root.kind = kindMaildir
		}
	}
	fileFormat := format
	if format == FormatMaildir || format == FormatDir {
		fileFormat = FormatAuto
	}
	return &tree{opt: opt, fileFormat: fileFormat, stack: [][]entry{{root}}}, nil
}

// OpenReader reads messages from a stream such as stdin, named name in
// Origins. With FormatAuto it peeks at the first bytes: an mbox (Postfix
// pipe(8) with flags=F prepends a From_ line) or a single message. Closing
// the Reader does not close r.
func OpenReader(r io.Reader, name string, opt Options) (Reader, error) {
	format := opt.Format
	if format == "" {
		format = FormatAuto
	}
	switch format {
	case FormatAuto, FormatEML, FormatMbox, FormatMboxo, FormatMboxrd:
	default:
		return nil, fmt.Errorf("mailfile: format %q cannot be read from a stream", format)
	}
	return openStream(bufio.NewReaderSize(&sticky{r: r}, readBufSize), nil, name, false, format, opt), nil
}

// detectHead is how much of a file Detect gets to see.
const detectHead = 4096

// openStream reads br, named name; isFile says name is a file's path (for
// the commands a refusal suggests), not a stream such as stdin.
func openStream(br *bufio.Reader, closer io.Closer, name string, isFile bool, format Format, opt Options) Reader {
	maxSize := opt.maxSize()
	if format == FormatAuto {
		head, err := br.Peek(detectHead)
		// A read error after some bytes (a truncated gzip file) is met
		// again where it is, by the reader (the source is sticky): the
		// messages before it are read.
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull && len(head) == 0 {
			item := &Item{Origin: name}
			unreadable(item, name, nil, err)
			return &single{closer: closer, item: item}
		}
		// An .emlx file's first line is no header nor From_ line: it is
		// told apart first, lest an mbox quoted in its body pass for one.
		// Only a file so named is one (never stdin, where a pipe
		// delivery comes).
		if n, line, ok := emlxLength(head); ok && isFile && strings.HasSuffix(strings.ToLower(name), ".emlx") {
			return &single{br: br, closer: closer, name: name, isFile: isFile, maxSize: maxSize, emlxLen: n, emlxLine: line}
		}
		format = Detect(head)
		if format == "" {
			return &single{br: br, closer: closer, name: name, isFile: isFile, maxSize: maxSize, notMessage: true}
		}
	}
	switch format {
	case FormatMbox, FormatMboxrd:
		m := newMboxReader(br, name, quoteMboxrd, maxSize, readBufSize)
		m.closer, m.keepDeleted = closer, opt.IncludeDeleted
		m.ignoreCounts = format == FormatMboxrd
		return m
	case FormatMboxo:
		m := newMboxReader(br, name, quoteMboxo, maxSize, readBufSize)
		m.closer, m.keepDeleted = closer, opt.IncludeDeleted
		return m
	}
	return &single{br: br, closer: closer, name: name, maxSize: maxSize}
}

// single yields the one message of an .eml file or stream.
type single struct {
	br         *bufio.Reader
	closer     io.Closer
	name       string
	maxSize    int64
	notMessage bool  // Detect found neither a header nor a From_ line
	isFile     bool  // name is a file's path
	item       *Item // set when the item is known before reading
	// emlxLen is the length of the message of an Apple Mail .emlx file,
	// which starts after its first line (emlxLine bytes); 0 for others.
	emlxLen  int64
	emlxLine int
	done     bool
}

func (s *single) Next() (*Item, error) {
	if s.done {
		return nil, io.EOF
	}
	s.done = true
	defer s.Close()
	if s.item != nil {
		return s.item, nil
	}
	item := &Item{Origin: s.name}
	if s.notMessage {
		head, _ := s.br.Peek(detectHead)
		path := ""
		if s.isFile {
			path = s.name
		}
		why := packedHint(head, path)
		if why == "" {
			why = "starts with neither a header field nor a From_ line"
		}
		sum := sha256.New()
		n, err := io.Copy(sum, s.br)
		item.Size = n
		item.RawSHA256 = hex.EncodeToString(sum.Sum(nil))
		item.Err = fmt.Errorf("%w: %s", ErrNotMessage, why)
		if n == 0 {
			item.Err = fmt.Errorf("%w: empty", ErrNotMessage)
			item.RawSHA256 = emptyDigest(s.name)
		}
		if err != nil {
			unreadable(item, s.name, []byte(item.RawSHA256), err)
		}
		return item, nil
	}
	var src io.Reader = s.br
	if s.emlxLen > 0 {
		if strings.HasSuffix(strings.ToLower(s.name), ".partial.emlx") {
			// Storing it would lose the attachments without a word.
			item.Size = s.emlxLen
			sum := sha256.New()
			if _, err := io.Copy(sum, s.br); err != nil {
				unreadable(item, s.name, nil, err)
				return item, nil
			}
			item.RawSHA256 = hex.EncodeToString(sum.Sum(nil))
			item.Err = fmt.Errorf("mailfile: an Apple Mail message without its attachments, which Apple Mail keeps apart: "+
				"export the mailbox in Apple Mail (Mailbox > Export Mailbox) and import the .mbox it writes%w", errQuiet{ErrUnreadable})
			return item, nil
		}
		// The message is the emlxLen bytes after the first line; Apple's
		// property list (flags) follows it.
		s.br.Discard(s.emlxLine)
		src = &exactly{r: io.LimitReader(s.br, s.emlxLen), n: s.emlxLen}
	}
	raw, err := io.ReadAll(io.LimitReader(src, s.maxSize+1))
	item.Size = int64(len(raw))
	switch {
	case err != nil:
		unreadable(item, s.name, raw, err)
	case item.Size > s.maxSize:
		sum := sha256.New()
		sum.Write(raw)
		n, err := io.Copy(sum, src)
		item.Size += n
		item.Err = ErrTooLarge
		item.RawSHA256 = hex.EncodeToString(sum.Sum(nil))
		if err != nil {
			unreadable(item, s.name, []byte(item.RawSHA256), err)
		}
	case item.Size == 0:
		item.Err = fmt.Errorf("%w: empty", ErrNotMessage)
		item.RawSHA256 = emptyDigest(s.name)
	case s.emlxLen > 0 && !emlxTail(s.br):
		unreadable(item, s.name, raw, fmt.Errorf("the %d bytes of message its first line gives are followed by no property list, "+
			"as Apple Mail writes it: is the length wrong?%w", s.emlxLen, errQuiet{errEmlxLength}))
	default:
		item.Raw = raw
		item.Suspect = gluedLine(raw, s.name)
	}
	return item, nil
}

// emlxTail reports whether what follows an .emlx file's message is what
// Apple Mail puts there, its property list (or nothing): else the length
// the file starts with is wrong, and the message read would be cut short
// or run on.
func emlxTail(br *bufio.Reader) bool {
	rest, _ := br.Peek(64)
	rest = bytes.TrimLeft(rest, " \t\r\n")
	return len(rest) == 0 || bytes.HasPrefix(rest, []byte("<?xml")) || bytes.HasPrefix(rest, []byte("<!DOCTYPE plist")) ||
		bytes.HasPrefix(rest, []byte("<plist"))
}

// exactly reads the n bytes of an .emlx file's message from r, which
// stops after them, and fails when r ends before.
type exactly struct {
	r    io.Reader
	n    int64
	read int64
}

func (e *exactly) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.read += int64(n)
	if err == io.EOF && e.read < e.n {
		err = fmt.Errorf("the file ends before the %d bytes of message its first line gives%w", e.n, errQuiet{errEmlxLength})
	}
	return n, err
}

// emlxLength reads the first line of an Apple Mail .emlx file: the
// message's length in bytes, padded with spaces ("2381      "); line is
// that line's length. ok only when a header field follows it.
func emlxLength(head []byte) (n int64, line int, ok bool) {
	first, rest, ok := cutLine(head)
	if !ok {
		return 0, 0, false
	}
	digits := bytes.TrimRight(first, " \t\r\n")
	v, ok := number(digits, 12)
	if !ok || v == 0 || !isHeaderLike(rest) || quoteDepth(rest) > 0 {
		return 0, 0, false
	}
	return int64(v), len(first), true
}

func (s *single) Close() error {
	s.done = true
	if s.closer != nil {
		c := s.closer
		s.closer = nil
		return c.Close()
	}
	return nil
}

type entryKind int

const (
	kindFile entryKind = iota
	kindDir
	kindMaildir
	kindSkip // not read: Item.Skipped
)

type entry struct {
	path string
	kind entryKind
	// cause and why say why a kindSkip entry is not read.
	cause, why string
	// date is the delivery time a Maildir file name gives (zero if none).
	date time.Time
}

func skip(path, cause, why string) entry {
	return entry{path: path, kind: kindSkip, cause: cause, why: why}
}

// tree walks files and directories lazily, depth first in sorted order, with
// one file open at a time.
type tree struct {
	opt        Options
	fileFormat Format    // format of each file: auto or what the caller forced
	stack      [][]entry // pending entries, one slice per directory level
	cur        Reader
	curDate    time.Time // the date of cur's Maildir file name
}

func (t *tree) Next() (*Item, error) {
	for {
		if t.cur != nil {
			item, err := t.cur.Next()
			if err == nil {
				if item.ArchiveDate.IsZero() {
					item.ArchiveDate = t.curDate
				}
				return item, nil
			}
			t.cur.Close()
			t.cur = nil
			if err != io.EOF {
				return nil, err
			}
		}
		if len(t.stack) == 0 {
			return nil, io.EOF
		}
		top := t.stack[len(t.stack)-1]
		if len(top) == 0 {
			t.stack = t.stack[:len(t.stack)-1]
			continue
		}
		e := top[0]
		t.stack[len(t.stack)-1] = top[1:]
		switch e.kind {
		case kindSkip:
			return &Item{Origin: e.path, Skipped: e.cause, Err: skipped(e.cause, e.why)}, nil
		case kindFile:
			br, closer, err := openFile(e.path)
			if err != nil {
				item := &Item{Origin: e.path, Err: err}
				if errors.Is(err, ErrUnreadable) {
					item.RawSHA256 = damageDigest(nil, err)
				}
				return item, nil
			}
			t.cur, t.curDate = openStream(br, closer, e.path, true, t.fileFormat, t.opt), e.date
		case kindDir, kindMaildir:
			children, err := list(e, t.opt.IncludeDeleted)
			if err != nil {
				return &Item{Origin: e.path, Err: err}, nil
			}
			t.stack = append(t.stack, children)
		}
	}
}

// openFile opens a file to read; a gzip-compressed one (an mbox kept
// compressed, `smartbcc export - | gzip`) is read as what it holds, so
// that the user need not make room for it decompressed. Only a file
// named by its path is: on stdin, where a pipe delivery comes too,
// nothing is decompressed.
func openFile(path string) (*bufio.Reader, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	br := bufio.NewReaderSize(&sticky{r: f}, readBufSize)
	if head, _ := br.Peek(len(gzipMagic)); !bytes.Equal(head, gzipMagic) {
		return br, f, nil
	}
	// gzip.Reader reads every member of the file: `gzip -c >> x.gz`
	// appends one.
	gz, err := gzip.NewReader(br)
	if err != nil {
		f.Close()
		return nil, nil, &readError{name: path, err: err}
	}
	return bufio.NewReaderSize(&sticky{r: gz}, readBufSize), closers{gz, f}, nil
}

// sticky returns the first error of r for good: a bufio.Reader hands an
// error out once (to a Peek, say), and a file read again after one may
// well say EOF, which would end the input early without a word.
type sticky struct {
	r   io.Reader
	err error
}

func (s *sticky) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.err = err
	return n, err
}

// errQuiet wraps a sentinel error so that %w adds it to a message
// without its text (the message already says it).
type errQuiet struct{ err error }

func (e errQuiet) Error() string { return "" }
func (e errQuiet) Unwrap() error { return e.err }

// closers closes each in turn, returning the first error.
type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (t *tree) Close() error {
	t.stack = nil
	if t.cur != nil {
		err := t.cur.Close()
		t.cur = nil
		return err
	}
	return nil
}

// list returns what to read in a directory, in order; what it does not
// read comes back as kindSkip entries, so that the caller counts and
// names it.
//
// A Maildir gives the files of cur/ and new/ (tmp/ holds deliveries in
// progress: skipped), then the other entries of its root in name order:
// Maildir++ folders (".Sent", ".Archive.2020"), KMail's folders of
// subfolders (".inbox.directory"), LAYOUT=fs folders ("Sent",
// and "Archive" above "Archive/2020"), files of mail lying in the root
// itself (as in notmuch's corpus), and the mail store's own state
// (dovecot-uidlist, maildirfolder..., skipped). A plain directory gives its
// entries in name order. Hidden names (".DS_Store", ".git") are skipped,
// but for Maildir++ folders and KMail's folders of subfolders.
func list(e entry, includeDeleted bool) ([]entry, error) {
	children, err := readDir(e.path)
	if err != nil {
		return nil, err
	}
	var out []entry
	if e.kind == kindMaildir {
		for _, sub := range []string{"cur", "new", "tmp"} {
			files, err := readDir(filepath.Join(e.path, sub))
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			for _, f := range files {
				name := filepath.Base(f.path)
				switch {
				case f.kind == kindSkip:
				case sub == "tmp":
					f = skip(f.path, SkipMaildirTmp, "a delivery in progress, or one that never finished (Maildir tmp/)")
				case strings.HasPrefix(name, "."):
					// The Maildir spec says to ignore names starting with '.'.
					f = skip(f.path, SkipHidden, "a hidden file")
				case f.kind != kindFile:
					f = skip(f.path, SkipNotFile, "a directory inside "+sub+"/")
				case sub == "cur" && !includeDeleted && maildirTrashed(name):
					f = skip(f.path, SkipDeleted, "deleted: flagged T (trashed) in its Maildir name, to be removed at the next expunge"+includeDeletedHint)
				default:
					f.date = maildirTime(name)
				}
				out = append(out, f)
			}
		}
	}
	for _, c := range children {
		name := filepath.Base(c.path)
		switch {
		case e.kind == kindMaildir && (name == "cur" || name == "new" || name == "tmp") && c.kind == kindDir:
			continue
		case c.kind == kindSkip:
		case c.kind == kindDir && isDbox(c.path):
			c = skipDbox(c.path)
		case c.kind == kindDir && isMaildir(c.path):
			c.kind = kindMaildir
		case c.kind == kindDir && isKMailSubfolders(name):
			// walked: the Maildirs in it are found there
		case c.kind == kindDir && name == "Attachments" && hasDir(children, "Messages"):
			// Apple Mail's library: the attachments of the .partial.emlx
			// files in Messages/, which are refused and say what to do;
			// one line here, not a refusal per PDF and picture.
			c = skip(c.path, SkipState, "Apple Mail's store of the attachments of .partial.emlx messages")
		case strings.HasPrefix(name, "."):
			c = skip(c.path, SkipHidden, "a hidden file or directory")
		case isMailboxState(name, c.kind == kindDir):
			c = skip(c.path, SkipState, "the mail store's own state or index, not mail")
		case c.kind == kindFile && !includeDeleted && isMHRemoved(name):
			c = skip(c.path, SkipDeleted, "deleted: nmh's rmm keeps a removed message as ,N until it is purged"+includeDeletedHint)
		case c.kind == kindFile && name == "context" && isMHContext(c.path):
			c = skip(c.path, SkipState, "nmh's context (the current folder), not mail")
		}
		out = append(out, c)
	}
	return out, nil
}

// Causes of a skipped file (Item.Skipped) in a directory walk.
const (
	// SkipMaildirTmp is a file in a Maildir's tmp/: a delivery in
	// progress, or one that never finished.
	SkipMaildirTmp = "maildir_tmp"
	// SkipHidden is a hidden file or directory (".DS_Store", ".git").
	SkipHidden = "hidden"
	// SkipState is a mail store's own state or index (Dovecot's and
	// Courier's files, Thunderbird's .msf, Apple Mail's table_of_contents).
	SkipState = "mailbox_state"
	// SkipLink is a symbolic link to a directory: not followed, it could
	// loop.
	SkipLink = "link_to_directory"
	// SkipNotFile is a socket, a device, a pipe, a dangling link, or a
	// directory where only files belong.
	SkipNotFile = "not_a_file"
	// SkipDbox is a directory of Dovecot's dbox mail store (isDbox).
	SkipDbox = "dovecot_dbox"
)

// isDbox recognises a directory of Dovecot's dbox mail store: an sdbox
// mailbox's dbox-Mails/ (u.N files, one message each) or an mdbox's
// storage/ (m.N files, many messages each; also an mdbox mailbox's
// dbox-Mails/, which holds only its index). Their files are Dovecot's
// own format, a header line and metadata around the message.
func isDbox(dir string) bool {
	switch filepath.Base(dir) {
	case "dbox-Mails":
		return true
	case "storage":
		des, err := os.ReadDir(dir)
		if err != nil {
			return false
		}
		for _, de := range des {
			if n, ok := strings.CutPrefix(de.Name(), "m."); ok && de.Type().IsRegular() {
				if _, ok := number([]byte(n), 10); ok {
					return true
				}
			}
		}
	}
	return false
}

// skipDbox is a dbox directory, one skipped input that says how to get
// the mail out of it: Dovecot itself copies a user's mail to a Maildir.
func skipDbox(path string) entry {
	return skip(path, SkipDbox, "Dovecot's dbox mail store (sdbox or mdbox), whose files are Dovecot's own format, not messages: "+
		"export the user's mail first, where that Dovecot runs, with doveadm backup -u USER maildir:/tmp/USER-export, "+
		"and import that Maildir")
}

// maildirTrashed reports whether a Maildir file name's info ("...:2,ST")
// has the flag T: trashed, IMAP's \Deleted. Flags are upper case ASCII
// letters; Dovecot's keywords (lower case) follow them.
func maildirTrashed(name string) bool {
	i := strings.LastIndex(name, ":2,")
	if i < 0 {
		i = strings.LastIndex(name, "!2,") // maildir_sep where ':' cannot be
	}
	return i >= 0 && strings.IndexByte(name[i+3:], 'T') >= 0
}

// isMHRemoved reports whether name is how nmh's rmm keeps a removed
// message: a comma and the message number (",42"), until it is purged.
func isMHRemoved(name string) bool {
	n, ok := strings.CutPrefix(name, ",")
	if !ok {
		return false
	}
	_, ok = number([]byte(n), 10)
	return ok
}

// isMailboxState recognises the files (and directories) mail stores keep
// next to the mail: Dovecot (dovecot-uidlist, dovecot.index*,
// dovecot-keywords, subscriptions), Courier (courierimapuiddb,
// courierimapkeywords/), Maildir++'s maildirfolder marker, Thunderbird's
// summary files (*.msf) and Apple Mail's table_of_contents and Info.plist.
func isMailboxState(name string, dir bool) bool {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, "dovecot"), strings.HasPrefix(lower, "courier"):
		return true
	case dir:
		return false
	case lower == "subscriptions", lower == "maildirfolder", lower == "table_of_contents", lower == "info.plist",
		strings.HasSuffix(lower, ".msf"):
		return true
	}
	return false
}

// maildirTime reads the delivery time at the start of a Maildir file name
// ("1642966915.M2P3.host:2,S": seconds since 1970); zero when the name
// does not start with a plausible one.
func maildirTime(name string) time.Time {
	end := strings.IndexByte(name, '.')
	if end < 9 || end > 10 {
		return time.Time{}
	}
	secs, err := strconv.ParseInt(name[:end], 10, 64)
	if err != nil || secs < 100_000_000 { // 1973: older names are no times
		return time.Time{}
	}
	return time.Unix(secs, 0).UTC()
}

// readDir lists dir in name order as entries: regular files (also through
// symlinks) and directories (not through symlinks, which could loop: those
// are skipped entries, as are sockets, devices and dangling links).
func readDir(dir string) ([]entry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := make([]entry, 0, len(des))
	for _, de := range des {
		p := filepath.Join(dir, de.Name())
		switch t := de.Type(); {
		case t.IsDir():
			out = append(out, entry{path: p, kind: kindDir})
		case t.IsRegular():
			out = append(out, entry{path: p, kind: kindFile})
		case t&fs.ModeSymlink != 0:
			st, err := os.Stat(p)
			switch {
			case err == nil && st.Mode().IsRegular():
				out = append(out, entry{path: p, kind: kindFile})
			case err == nil && st.IsDir():
				out = append(out, skip(p, SkipLink, "a link to a directory is not followed"))
			default:
				out = append(out, skip(p, SkipNotFile, "a link to nothing readable"))
			}
		default:
			out = append(out, skip(p, SkipNotFile, "not a regular file ("+t.String()+")"))
		}
	}
	return out, nil
}

// isMHContext recognises the file "context" that nmh (MH) keeps beside
// its folders ("Current-Folder: inbox"): shaped like a header, so it
// would be stored as a message of no sender, subject or date. A message
// that happens to be named so has a message's header and is read.
func isMHContext(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false // read as any file: the reader says what is wrong
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	// Current-Folder is nmh's own entry, on whichever line nmh put it.
	return bytes.Contains(bytes.ToLower(head), []byte("current-folder:")) && isHeaderLike(head) && !startsHeaderBlock(head)
}

// hasDir reports whether entries holds a directory of that name.
func hasDir(entries []entry, name string) bool {
	for _, e := range entries {
		if e.kind == kindDir && filepath.Base(e.path) == name {
			return true
		}
	}
	return false
}

// isKMailSubfolders recognises the hidden directory in which KMail keeps
// the subfolders of a folder: ".inbox.directory" beside "inbox". Mail
// in it would be lost with the hidden files.
func isKMailSubfolders(name string) bool {
	const suffix = ".directory"
	return len(name) > len(suffix)+1 && name[0] == '.' && strings.HasSuffix(name, suffix)
}

// isMaildir reports whether dir has a cur/ or new/ subdirectory.
func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new"} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}
