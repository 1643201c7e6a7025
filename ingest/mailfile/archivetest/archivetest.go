// Package archivetest names the archives the import tests read, each with
// what it holds: the shared third-party corpora (read in place, never
// copied into the repository) and the archives we wrote in each mail
// writer's format (ingest/mailfile/testdata/writers, and Maildir trees
// built by MakeMaildirs). Tests of the reader and of the whole import go
// through the same table, so that every file is asserted by name.
package archivetest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Archive is one file or directory and what reading it gives.
type Archive struct {
	// Name is how tests call it: "corpora/<path under the corpora>" or
	// "writers/<file>" or "maildirs/<dir>".
	Name string
	// Format is the --format to read it with; "" is auto.
	Format string
	// Messages is how many messages the reader gives (whatever the
	// import then decides about them).
	Messages int
	// NotMessage is how many inputs the reader gives as no message at
	// all (bytes before the first From_ line, a binary file).
	NotMessage int
	// Skipped counts the inputs deliberately not read, by cause
	// (mailfile.Skip*).
	Skipped map[string]int
	// Suspects is how many messages may be several glued together.
	Suspects int
	// Python is what Python's mailbox module counts: len(mailbox.mbox(p)),
	// or for a directory the messages of every Maildir folder in it plus
	// the mail files outside them (see pythonCount).
	Python int
	// PythonDiffers explains why Python counts otherwise than Records;
	// empty when it counts the same.
	PythonDiffers string
	// Stored, Duplicate and Refused (by reason) are what an import with
	// --user and --auth off into an empty store makes of it.
	Stored, Duplicate int
	Refused           map[string]int
}

// Records is what Python's mailbox counts when it reads the archive the
// way we do: messages, the empty mbox records and UW-IMAP's folder data
// (Python reads both as messages), and for a Maildir the files that are
// no message.
func (a Archive) Records() int {
	n := a.Messages + a.Skipped["empty"] + a.Skipped["folder_internal_data"]
	if strings.HasPrefix(a.Name, "maildirs/") || a.Format == "maildir" {
		n += a.NotMessage
	}
	return n
}

// Read is every input the reader gives: what an import's summary counts as
// read.
func (a Archive) Read() int {
	n := a.Messages + a.NotMessage
	for _, c := range a.Skipped {
		n += c
	}
	return n
}

// root is the repository's root directory.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// WritersDir holds the archives we wrote in each writer's format.
func WritersDir() string {
	return filepath.Join(root(), "ingest", "mailfile", "testdata", "writers")
}

// FindCorpora finds the shared third-party corpora: $SMARTBCC_CORPORA,
// else ../shared/corpora next to the repository; ok is false when they
// are not there.
func FindCorpora() (dir string, ok bool) {
	dir = os.Getenv("SMARTBCC_CORPORA")
	if dir == "" {
		dir = filepath.Join(root(), "..", "shared", "corpora")
	}
	st, err := os.Stat(dir)
	return dir, err == nil && st.IsDir()
}

// CorporaDir is FindCorpora for a test that needs the corpora: absent,
// the test is skipped, or fails under CI=true (CI must provide them).
func CorporaDir(t testing.TB) string {
	t.Helper()
	dir, ok := FindCorpora()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no corpora at %s (CI=true: .ci/run must provide them, or set SMARTBCC_CORPORA)", dir)
		}
		t.Skipf("no corpora at %s (set SMARTBCC_CORPORA)", dir)
	}
	return dir
}

// Path is where a's file or directory is: corpora under CorporaDir,
// writers under WritersDir, maildirs under the directory MakeMaildirs
// filled (maildirs).
func (a Archive) Path(corpora, maildirs string) string {
	kind, rest, _ := strings.Cut(a.Name, "/")
	switch kind {
	case "corpora":
		return filepath.Join(corpora, filepath.FromSlash(rest))
	case "writers":
		return filepath.Join(WritersDir(), filepath.FromSlash(rest))
	case "maildirs":
		return filepath.Join(maildirs, filepath.FromSlash(rest))
	}
	panic("archivetest: unknown archive kind " + a.Name)
}

// IsArchive reports whether a corpus file or directory is an mbox or a
// Maildir, which the Archives table must name: every such file is tested
// by name, and a new one fails the test until it is added. A Maildir is a
// directory with cur/ or new/; an mbox is any file that starts with a
// From_ line, whatever its name (Python's mailbox reads each as one, and
// so do we with --format auto).
func IsArchive(path string, isDir bool) bool {
	if isDir {
		for _, sub := range []string{"cur", "new"} {
			if st, err := os.Stat(filepath.Join(path, sub)); err == nil && st.IsDir() {
				return true
			}
		}
		return false
	}
	head := make([]byte, 5)
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	n, _ := f.Read(head)
	return bytes.Equal(head[:n], []byte("From "))
}

// PythonCounts runs python3 once over paths and returns what Python's
// mailbox module counts in each (see Archive.Python); ok is false when
// python3 is not installed.
func PythonCounts(t testing.TB, paths []string) (counts map[string]int, ok bool) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, false
	}
	in, err := json.Marshal(paths)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", pythonCount)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.Bytes())
	}
	if err := json.Unmarshal(out, &counts); err != nil {
		t.Fatalf("python3 printed %q: %v", out, err)
	}
	return counts, true
}

// pythonCount counts with Python's mailbox module: an mbox file with
// mailbox.mbox; a directory by walking it: every directory with cur/ or
// new/ is a mailbox.Maildir (its own cur/ and new/ only: Maildir++ and
// LAYOUT=fs folders are directories of their own in the walk), and every
// other file that starts with "From " is a mailbox.mbox. Python has no
// reader for anything else (a message file outside cur/ and new/, a
// mail store's index): it counts none of it.
const pythonCount = `
import json, mailbox, os, sys
def is_maildir(d):
    return os.path.isdir(os.path.join(d, 'cur')) or os.path.isdir(os.path.join(d, 'new'))
def count_dir(top):
    n = 0
    for d, dirs, files in os.walk(top):
        dirs.sort()
        if is_maildir(d):
            n += len(mailbox.Maildir(d, factory=None, create=False))
            dirs[:] = [x for x in dirs if x not in ('cur', 'new', 'tmp')]
        for f in files:
            p = os.path.join(d, f)
            try:
                with open(p, 'rb') as fh:
                    head = fh.read(5)
            except OSError:
                continue  # a dangling link
            if head == b'From ':
                n += len(mailbox.mbox(p, factory=None, create=False))
    return n
out = {}
for p in json.load(sys.stdin):
    out[p] = count_dir(p) if os.path.isdir(p) else len(mailbox.mbox(p, factory=None, create=False))
print(json.dumps(out))
`

// Names lists the names of archives, sorted.
func Names(as []Archive) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	sort.Strings(out)
	return out
}

// MakeMaildirs builds, under dir, the directory trees named "maildirs/..."
// in Archives: Maildirs as mail stores and clients leave them (Git cannot
// keep their empty tmp/ directories, nor ':' in every file system, so they
// are made at test time, the same every time).
func MakeMaildirs(t testing.TB, dir string) {
	t.Helper()
	msg := func(name string) string {
		return "From: Bob Buyer <bob@customer.example>\nTo: ann@acme.example\nSubject: " + name +
			"\nMessage-ID: <" + name + "@maildirs.example>\nDate: Thu, 01 Apr 2004 20:27:04 +0000\n\nBody of " + name + ".\n"
	}
	mbox := func(names ...string) string {
		var b strings.Builder
		for _, n := range names {
			b.WriteString("From bob@customer.example Thu Apr  1 20:27:04 2004\n" + msg(n) + "\n")
		}
		return b.String()
	}
	files := map[string]string{
		// A Maildir as any MDA writes it: tmp/ holds a delivery in progress.
		"plain/cur/1080849600.M1P1.mx.example:2,S":  msg("plain-cur1"),
		"plain/cur/1080849700.M2P1.mx.example:2,RS": msg("plain-cur2"),
		"plain/new/1080849800.M3P1.mx.example":      msg("plain-new"),
		"plain/tmp/1080849900.M4P1.mx.example":      msg("plain-tmp"),

		// Maildir++ (Courier, Dovecot's default): folders are ".Name"
		// directories of the root, with the stores' state beside them.
		"maildir++/cur/1080849600.M1P1.mx.example:2,S": msg("pp-inbox1"),
		"maildir++/new/1080849601.M2P1.mx.example":     msg("pp-inbox2"),
		"maildir++/tmp/": "",
		"maildir++/.Sent/cur/1080849602.M3P1.mx.example:2,S":        msg("pp-sent"),
		"maildir++/.Sent/new/":                                      "",
		"maildir++/.Sent/tmp/":                                      "",
		"maildir++/.Sent/maildirfolder":                             "",
		"maildir++/.Archive.2020/cur/1080849603.M4P1.mx.example:2,": msg("pp-archive"),
		"maildir++/.Archive.2020/maildirfolder":                     "",
		"maildir++/.Drafts/cur/":                                    "",
		"maildir++/.Drafts/new/":                                    "",
		"maildir++/dovecot-uidlist":                                 "3 V1080849600 N3\n1 1080849600.M1P1.mx.example\n",
		"maildir++/dovecot-uidvalidity":                             "40b5c5c0\n",
		"maildir++/dovecot-uidvalidity.40b5c5c0":                    "",
		"maildir++/dovecot.index.log":                               "\x01\x02\x00\x00binary",
		"maildir++/dovecot-keywords":                                "0 $label1\n",
		"maildir++/subscriptions":                                   "Sent\nArchive.2020\n",
		"maildir++/courierimapuiddb":                                "1 1080849600 3\n",
		"maildir++/courierimapkeywords/:list":                       "$label1\n",

		// Dovecot LAYOUT=fs: folders are plain directories, and a parent
		// that holds no mail itself ("Archive") has no cur/ of its own.
		"fs/cur/1080849600.M1P1.mx.example:2,S": msg("fs-inbox"),
		"fs/new/":                               "",
		"fs/tmp/":                               "",
		"fs/Sent/cur/1080849601.M2P1.mx.example:2,S":        msg("fs-sent"),
		"fs/Sent/dovecot.index":                             "\x00index",
		"fs/Archive/2020/cur/1080849602.M3P1.mx.example:2,": msg("fs-2020"),
		"fs/Archive/2021/cur/1080849603.M4P1.mx.example:2,": msg("fs-2021a"),
		"fs/Archive/2021/new/1080849604.M5P1.mx.example":    msg("fs-2021b"),
		"fs/dovecot.list.index.log":                         "\x00log",
		"fs/subscriptions":                                  "Sent\nArchive/2020\n",

		// notmuch's test corpus: mail lies in folder roots too, next to
		// cur/ and new/, and in folders without cur/ and new/.
		"notmuch/cur/01:2,":         msg("nm-01"),
		"notmuch/cur/02:2,":         msg("nm-02"),
		"notmuch/bar/cur/03:2,":     msg("nm-03"),
		"notmuch/bar/baz/04:2,":     msg("nm-04"),
		"notmuch/bar/baz/cur/05:2,": msg("nm-05"),
		"notmuch/bar/baz/new/06:2,": msg("nm-06"),
		"notmuch/foo/07:2,":         msg("nm-07"),
		"notmuch/foo/cur/08:2,":     msg("nm-08"),
		"notmuch/foo/baz/09:2,":     msg("nm-09"),
		"notmuch/foo/baz/new/10:2,": msg("nm-10"),

		// Mail clients' folders: Thunderbird (mbox files and their .msf
		// summaries), an Apple Mail export (Inbox.mbox/mbox with its
		// table of contents), an MH folder (one message a file), KMail's
		// Maildirs, and what else lies around.
		"clients/.DS_Store":                          "\x00\x00\x00\x01Bud1",
		"clients/thunderbird/Inbox":                  mbox("tb-1", "tb-2"),
		"clients/thunderbird/Inbox.msf":              "// <!-- <mdb:mork:z v=\"1.4\"/> -->\n",
		"clients/apple/Inbox.mbox/mbox":              mbox("apple-1"),
		"clients/apple/Inbox.mbox/table_of_contents": "\x00\x00\x00\x02\xfe\xed",
		"clients/apple/Inbox.mbox/Info.plist":        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict/></plist>\n",
		"clients/mh/inbox/1":                         msg("mh-1"),
		"clients/mh/inbox/2":                         msg("mh-2"),
		"clients/mh/inbox/.mh_sequences":             "unseen: 2\n",
		"clients/mh/context":                         "Current-Folder: inbox\n", // nmh's state, beside the folders
		// KMail keeps the subfolders of folder "inbox" in the hidden
		// directory ".inbox.directory" beside it.
		"clients/kmail/inbox/cur/1080849600.M1P1.mx.example:2,S":                                      msg("kmail-inbox"),
		"clients/kmail/inbox/new/":                                                                    "",
		"clients/kmail/.inbox.directory/Customers/cur/1080849601.M2P1.mx.example:2,S":                 msg("kmail-customers"),
		"clients/kmail/.inbox.directory/Customers/new/":                                               "",
		"clients/kmail/.inbox.directory/.Customers.directory/2020/cur/1080849602.M3P1.mx.example:2,S": msg("kmail-2020"),
		"clients/kmail/.inbox.directory/.Customers.directory/2020/new/":                               "",

		// What is no mail inside a Maildir: an empty file, a binary one,
		// a directory where only files belong.
		"broken/cur/1080849600.M1P1.mx.example:2,S": msg("broken-ok"),
		"broken/cur/1080849601.M2P1.mx.example:2,S": "",
		"broken/cur/1080849602.M3P1.mx.example:2,S": "\x89PNG\r\n\x1a\n\x00\x00",
		"broken/cur/lost+found/":                    "",
		"broken/cur/.1080849603.M4P1.mx.example":    msg("broken-hidden"),
		"broken/new/":                               "",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"plain/tmp", "broken/tmp", "maildir++/.Archive.2020/new", "maildir++/.Archive.2020/tmp",
		"fs/Sent/new", "fs/Sent/tmp", "fs/Archive/2020/new", "notmuch/new", "notmuch/bar/new", "notmuch/foo/new", "notmuch/foo/baz/cur"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A link to a directory is not followed (it could loop); a link to
	// nothing is no file.
	if err := os.Symlink("thunderbird", filepath.Join(dir, "clients", "link-to-thunderbird")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere", filepath.Join(dir, "clients", "dangling")); err != nil {
		t.Fatal(err)
	}
}
