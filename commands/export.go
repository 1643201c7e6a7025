package commands

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

type exportOptions struct {
	user   string
	format string
	force  bool
	// Filters (AND): the mail linked to an item or a person, what a
	// search finds, dates.
	item   string
	person string
	query  string
	dates  dateFlags
}

func newExportCmd(app *App) *cobra.Command {
	var opts exportOptions
	cmd := &cobra.Command{
		Use:   "export [--user U] [--item deal:N | --person ID|EMAIL] [--query Q] [--since T] [--until T] [--format mbox|eml] [--force] (DIR | -)",
		Short: "Write the messages a user may see as one mboxrd file or .eml files",
		Long: `Writes every message the actor may see (the administrator: every stored
message) into DIR, oldest first: one mboxrd file (all.mbox, or user-ID.mbox
for one user's view) or one file per message (ID.eml, the message's bytes
exactly as received). DIR and any missing parent are created 0700, files
0600. Export writes only new files: an existing file, or a symbolic link, in
its way is refused unless --force, which replaces it (never writing through
a link). Rows are read a page at a time, so memory stays small whatever the
store's size.

Filters keep part of that, and add up: --item deal:N (or lead:N, project:N,
person:N) the mail linked to that item, --person the mail linked to a
person (an id or one of their addresses), --query what a search for Q finds
(the query language of search), --since and --until the mail dated in that
time. An item or person filter names the file too (all-deal-3.mbox). DIR "-"
writes one mbox to standard output instead, and the count to standard
error.

To import an mbox export again, give ingest --format mboxrd: it reads every
message back exactly. Detected by itself the file is read as any mbox,
where a right Content-Length field is trusted (as mutt and Dovecot do), and
a message whose own Content-Length, which its sender wrote, counts exactly
through the messages written after it would be read as holding them.`,
		Example: `  smartbcc export --format mbox ./backup
  smartbcc ingest --user ann@acme.example --format mboxrd ./backup/all.mbox
  smartbcc export --item deal:3 --format eml ./deal-3
  smartbcc --as ann@acme.example export --person bob@customer.example - | gzip > bob.mbox.gz
  smartbcc export --query 'from:bob@customer.example' --since 2026-01 --until 2026-06 ./h1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExport(cmd, app, opts, args[0])
		},
	}
	cmd.Flags().StringVar(&opts.user, "user", "", "export what this user may see")
	cmd.Flags().StringVar(&opts.format, "format", "mbox", "mbox (mboxrd) or eml")
	cmd.Flags().BoolVar(&opts.force, "force", false, "replace files (or links) already in the way")
	cmd.Flags().StringVar(&opts.item, "item", "", "only mail linked to this item (deal:N, lead:N, project:N, person:N)")
	cmd.Flags().StringVar(&opts.person, "person", "", "only mail linked to this person (id or address)")
	cmd.Flags().StringVar(&opts.query, "query", "", "only what a search for this `query` finds")
	opts.dates.add(cmd)
	return cmd
}

// exportReport is what export prints: where the messages went.
type exportReport struct {
	Format   string `json:"format"`
	Path     string `json:"path"`
	Messages int    `json:"messages"`
	// NewlinesAdded counts messages without a final line ending, which
	// the mbox format gives one (0 for eml, which keeps every byte).
	NewlinesAdded int `json:"newlines_added"`
	// unwritable are messages an mbox cannot hold (not printed).
	unwritable []int64
}

func runExport(cmd *cobra.Command, app *App, opts exportOptions, dir string) error {
	if opts.format != "mbox" && opts.format != "eml" {
		return store.Errorf(store.EInvalid, "invalid --format %q: want mbox or eml", opts.format)
	}
	stdout := dir == "-"
	switch {
	case stdout && opts.format != "mbox":
		return usageErrorf("- writes one mbox to standard output: --format eml needs a directory")
	case stdout && app.JSON:
		return usageErrorf("- writes the mbox to standard output, where --json would go: give a directory")
	case opts.item != "" && opts.person != "":
		return usageErrorf("give --item or --person, not both")
	}
	var base store.MessageQuery
	if err := opts.textFilters(app, &base); err != nil {
		return err
	}
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	var rep exportReport
	err = st.View(cmd.Context(), func(tx store.Tx) error {
		viewer, _, err := app.readingAs(tx, opts.user)
		if err != nil {
			return err
		}
		x := &exporter{tx: tx, viewer: viewer, dir: dir, force: opts.force, query: base}
		if err := x.filter(tx, opts); err != nil {
			return err
		}
		if stdout {
			rep, err = x.mboxTo(app.IO.Out)
			return err
		}
		if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
			// MkdirAll would say "mkdir DIR: not a directory".
			return store.Errorf(store.EInvalid, "cannot export into %s: it is a file, not a directory (give a directory, or - for standard output)", dir)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return store.Errorf(store.EInvalid, "cannot create %s: %v", dir, err)
		}
		if opts.format == "eml" {
			rep, err = x.eml()
		} else {
			rep, err = x.mbox()
		}
		return err
	})
	if err != nil {
		return err
	}
	if app.JSON {
		return app.printJSON(rep)
	}
	// With -, stdout is the mbox: what people read goes to stderr.
	w := app.IO.Out
	if stdout {
		w = app.IO.ErrOut
	}
	where := rep.Path
	if stdout {
		where = "standard output"
	}
	fmt.Fprintf(w, "exported %s to %s\n", plural(rep.Messages, "message"), where)
	if rep.NewlinesAdded > 0 {
		fmt.Fprintf(w, "%d of them had no final line ending; the mbox format gave them one (--format eml keeps every byte)\n", rep.NewlinesAdded)
	}
	return nil
}

// exporter writes what viewer (0: the administrator) may see, of what the
// filters select.
type exporter struct {
	tx     store.Tx
	viewer int64
	dir    string
	force  bool
	// query holds the filters; viewer, order and paging are added to it.
	query store.MessageQuery
	// suffix names the filter in the mbox file's name ("-deal-3").
	suffix string
}

// filter reads the filter flags into x.query.
func (x *exporter) filter(tx store.Tx, opts exportOptions) error {
	if err := (itemFilter{item: opts.item, person: opts.person}).apply(tx, &x.query); err != nil {
		return err
	}
	if err := resolveQuery(tx, x.query.Search); err != nil {
		return err
	}
	if x.query.ItemKind != "" {
		x.suffix = fmt.Sprintf("-%s-%d", x.query.ItemKind, x.query.ItemID)
	}
	return nil
}

// textFilters reads --query, --since and --until into q: usage errors, so
// checked before the store is opened.
func (opts exportOptions) textFilters(app *App, q *store.MessageQuery) error {
	if strings.TrimSpace(opts.query) != "" {
		pq, err := search.Parse(opts.query, app.searchOptions())
		if err != nil {
			return usageErrorf("--query: %v", err)
		}
		q.Search = pq
	}
	return opts.dates.apply(app, q)
}

// selection is x.query as a listing of what viewer may see, oldest first.
func (x *exporter) selection() store.MessageQuery {
	q := x.query
	q.Viewer, q.Oldest = x.viewer, true
	return q
}

// each calls fn for every message to export, oldest first, a page of rows
// at a time. The administrator's export is every stored message. A user's
// export leaves out a message only when another one the user may see has
// the same content (the same mail filed by two users), keeping the user's
// own: a copy, never a different message, and re-importing the export as
// the user gives back as many messages as it holds.
func (x *exporter) each(fn func(m *store.Message) error) error {
	return store.EachMessage(x.tx, x.selection(), 0, func(m *store.Message) error {
		if x.viewer != 0 {
			dup, err := x.copyOfAnother(m)
			if err != nil || dup {
				return err
			}
		}
		return fn(m)
	})
}

// copyOfAnother reports whether the viewer may see another message with
// m's content that the export keeps instead: the viewer's own, or else the
// first in the export's order. Only content keys say the content is the
// same (store keys written before them name a Message-ID only).
func (x *exporter) copyOfAnother(m *store.Message) (bool, error) {
	if m.MessageID == "" || !isContentKey(m.DedupKey) {
		return false, nil
	}
	// The copy kept instead must be in the export too: the same filters.
	q := x.selection()
	q.MessageID, q.Limit = m.MessageID, 100
	same, err := x.tx.ListMessages(q)
	if err != nil {
		return false, err
	}
	for i := range same {
		o := &same[i]
		if o.ID == m.ID || o.DedupKey != m.DedupKey {
			continue
		}
		mine, theirs := m.OwnerID == x.viewer, o.OwnerID == x.viewer
		if theirs && !mine || mine == theirs && before(o, m) {
			return true, nil
		}
	}
	return false, nil
}

func isContentKey(k string) bool {
	const prefix = "content:" // ingest's content keys (ingest/dedup.go)
	return len(k) > len(prefix) && k[:len(prefix)] == prefix
}

// before reports whether a comes before b in a listing oldest first.
func before(a, b *store.Message) bool {
	ca, cb := a.Cursor(), b.Cursor()
	if !ca.Sort.Equal(cb.Sort) {
		return ca.Sort.Before(cb.Sort)
	}
	return ca.ID < cb.ID
}

// mbox writes one mboxrd file, named after the view and the filter, never
// after an address: all.mbox, user-ID.mbox, all-deal-3.mbox.
func (x *exporter) mbox() (exportReport, error) {
	name := "all"
	if x.viewer != 0 {
		name = fmt.Sprintf("user-%d", x.viewer)
	}
	path := filepath.Join(x.dir, name+x.suffix+".mbox")
	f, commit, abort, err := x.create(path)
	if err != nil {
		return exportReport{Format: "mbox", Path: path}, err
	}
	defer abort()
	rep, err := x.writeMbox(f, path)
	if err == nil {
		err = commit()
	}
	if err != nil {
		return rep, exportError(path, err)
	}
	return rep, x.unwritable(rep)
}

// mboxTo writes one mboxrd stream to w (export -).
func (x *exporter) mboxTo(w io.Writer) (exportReport, error) {
	rep, err := x.writeMbox(w, "-")
	if err != nil {
		return rep, exportError("standard output", err)
	}
	return rep, x.unwritable(rep)
}

// unwritable refuses an export that left messages out.
func (x *exporter) unwritable(rep exportReport) error {
	if len(rep.unwritable) > 0 {
		return store.Errorf(store.EInvalid, "%d messages cannot be written to an mbox, as they do not start with a header field (%s): export them with --format eml",
			len(rep.unwritable), idList(rep.unwritable))
	}
	return nil
}

// writeMbox writes the messages as mboxrd to out and flushes it.
func (x *exporter) writeMbox(out io.Writer, path string) (exportReport, error) {
	rep := exportReport{Format: "mbox", Path: path}
	bw := bufio.NewWriterSize(out, 1<<20)
	w := mailfile.NewMboxWriter(bw)
	err := x.each(func(m *store.Message) error {
		raw, err := x.tx.MessageRaw(m.ID)
		if err != nil {
			return err
		}
		sender := m.Envelope.Sender
		if sender == "" {
			sender = m.FromEmail
		}
		switch err := w.Write(sender, m.Date, raw); {
		case errors.Is(err, mailfile.ErrNotMessage):
			// It does not start with a header field, so a reader could
			// not tell it from the message before: --format eml keeps it.
			rep.unwritable = append(rep.unwritable, m.ID)
			return nil
		case err != nil:
			return store.Errorf(store.EUnavailable, "writing %s: %v", rep.Path, err)
		}
		rep.Messages++
		return nil
	})
	if err == nil {
		err = bw.Flush()
	}
	rep.NewlinesAdded = w.NewlinesAdded
	return rep, err
}

// eml writes one file per message, ID.eml, byte for byte.
func (x *exporter) eml() (exportReport, error) {
	rep := exportReport{Format: "eml", Path: x.dir}
	err := x.each(func(m *store.Message) error {
		raw, err := x.tx.MessageRaw(m.ID)
		if err != nil {
			return err
		}
		path := filepath.Join(x.dir, fmt.Sprintf("%06d.eml", m.ID))
		f, commit, abort, err := x.create(path)
		if err != nil {
			return err
		}
		defer abort()
		if _, err := f.Write(raw); err != nil {
			return exportError(path, err)
		}
		if err := commit(); err != nil {
			return exportError(path, err)
		}
		rep.Messages++
		return nil
	})
	return rep, err
}

// create opens a new file for path, 0600, never through a symbolic link:
// without --force, path must not exist (O_EXCL also refuses a link, even a
// dangling one); with --force, the file is written under a temporary name
// beside it and renamed over path on commit, which replaces a file or a
// link without writing through it. commit syncs and closes the file;
// abort, deferred, removes what was created unless commit succeeded.
func (x *exporter) create(path string) (f *os.File, commit func() error, abort func(), err error) {
	target := path
	if x.force {
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, nil, nil, err
		}
		target = filepath.Join(filepath.Dir(path), ".export-"+hex.EncodeToString(rnd[:])+".tmp")
	}
	f, err = os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			what := "a file"
			if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
				what = "a symbolic link"
			}
			return nil, nil, nil, store.Errorf(store.EConflict, "%s is %s already: export writes only new files (--force replaces them)", path, what)
		}
		return nil, nil, nil, store.Errorf(store.EUnavailable, "cannot create %s: %v", path, err)
	}
	done := false
	commit = func() error {
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if target != path {
			if err := os.Rename(target, path); err != nil {
				return err
			}
		}
		done = true
		return nil
	}
	abort = func() {
		if !done {
			f.Close()
			os.Remove(target) // ours: created with O_EXCL above
		}
	}
	return f, commit, abort, nil
}

func exportError(path string, err error) error {
	var se *store.Error
	if errors.As(err, &se) {
		return err
	}
	return store.Errorf(store.EUnavailable, "writing %s: %v", path, err)
}

func idList(ids []int64) string {
	s := ""
	for i, id := range ids {
		if i == 10 {
			return s + fmt.Sprintf(" and %d more", len(ids)-10)
		}
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(id)
	}
	return s
}
