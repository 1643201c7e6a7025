package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/ingest/resolver"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

// App holds the global flags and what commands share: the store, the DNS
// resolver, the clock and the streams.
type App struct {
	IO IOStreams

	// DBPath is the --db value: a SQLite file's path or a postgres:// URL.
	DBPath    string
	JSON      bool
	As        string
	DNSZone   string
	DNSServer string

	// Now is the clock; tests replace it.
	Now func() time.Time
	// UTC (--utc) shows times in UTC on a terminal too; Zone is the
	// local zone text output uses otherwise.
	UTC  bool
	Zone *time.Location
	// StoreOptions tune the store (pipe deliveries and imports differ in
	// durability needs).
	StoreOptions backend.Options

	db         store.Store
	exitStatus int
	// createsStore lets Store create a new store (init, demo); every
	// other command needs one that exists.
	createsStore bool
	// command is the running command's path ("deal list") and schema the
	// name of the JSON schema its output follows (schema.go).
	command string
	schema  string
	// outputErr is the first failure to print a result while a command
	// goes on (ingest --json).
	outputErr error
	// exitProcess ends the process (os.Exit), for the pipe's watchdog;
	// nil when smartbcc runs inside another program (tests).
	exitProcess func(int)
}

func newApp(io IOStreams) *App {
	return &App{IO: io, Now: time.Now, Zone: time.Local}
}

// Store opens the store on first use. The caller must not close it. Only
// init (createsStore) makes a new store: a command given a --db where
// there is none says so rather than leave an empty store behind.
func (a *App) Store(ctx context.Context) (store.Store, error) {
	if a.db != nil {
		return a.db, nil
	}
	opt := a.StoreOptions
	opt.MustExist = !a.createsStore
	db, err := backend.Open(ctx, a.DBPath, opt)
	if err != nil {
		if msg := err.Error(); errors.Is(err, store.ErrNoStore) {
			return nil, &store.Error{Code: store.ErrorCode(err), Err: err,
				Message: msg + " (set SMARTBCC_DB or --db, or run smartbcc init)"}
		}
		return nil, err
	}
	a.db = db
	return db, nil
}

func (a *App) close() {
	if a.db != nil {
		_ = a.db.Close()
		a.db = nil
	}
}

// Resolver returns the DNS resolver the global flags ask for.
func (a *App) Resolver() (resolver.Resolver, error) {
	switch {
	case a.DNSZone != "" && a.DNSServer != "":
		return nil, usageErrorf("--dns-zone and --dns-server cannot be used together")
	case a.DNSZone != "":
		z, err := resolver.LoadZoneFile(a.DNSZone)
		if err != nil {
			return nil, store.Errorf(store.EInvalid, "reading DNS zone %s: %v", a.DNSZone, err)
		}
		return z, nil
	case a.DNSServer != "":
		return resolver.NewNetwork(a.DNSServer), nil
	}
	return resolver.System(), nil
}

// actor returns the user given by --as, or nil for the administrator.
func (a *App) actor(tx store.Tx) (*store.User, error) {
	if a.As == "" {
		return nil, nil
	}
	return findUser(tx, a.As)
}

// viewerID is the user id reading commands filter by (0: administrator).
func (a *App) viewerID(tx store.Tx) (int64, error) {
	u, err := a.actor(tx)
	if err != nil || u == nil {
		return 0, err
	}
	return u.ID, nil
}

// findUser resolves a user reference: a numeric id or an email address.
func findUser(tx store.Tx, ref string) (*store.User, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, store.Errorf(store.EInvalid, "no user given")
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return tx.User(id)
	}
	// Read as user add read the address (mailaddr: a Unicode domain is
	// its A-label, "Name <addr>" is addr); the store folds the case.
	email := ref
	if e, err := normalizeEmail(ref); err == nil {
		email = e
	}
	u, err := tx.UserByEmail(email)
	if store.IsNotFound(err) {
		return nil, store.Errorf(store.ENotFound, "no such user %s", ref)
	}
	return u, err
}

// printJSON writes v as one indented JSON document.
func (a *App) printJSON(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := a.checkJSON(buf.Bytes()); err != nil {
		return err
	}
	_, err := a.IO.Out.Write(buf.Bytes())
	return err
}

// jsonArray writes a JSON array one element at a time, exactly as
// printJSON writes the whole slice, so that a listing of any size is
// printed without being held in memory. It is one JSON document or
// nothing (docs/cli.md): the elements are kept until Close, in memory up
// to jsonSpill bytes and then in an unlinked temporary file, and only
// Close writes them to stdout. A failure in the middle of the listing
// (Discard) leaves stdout empty rather than half an array, which a
// script in a pipe without pipefail would read as a shorter list or an
// error of its JSON reader's instead of ours.
type jsonArray struct {
	app     *App
	n       int
	mem     bytes.Buffer
	spill   *os.File     // nil until mem outgrows jsonSpill (or when no file could be made)
	noSpill bool         // creating the file failed: keep going in memory
	checked bytes.Buffer // what the schema check reads, in tests only
}

// jsonSpill is how much of a --json listing is kept in memory before it
// goes to a temporary file (a variable for tests).
var jsonSpill = 8 << 20

func (a *App) jsonArray() *jsonArray { return &jsonArray{app: a} }

func (w *jsonArray) write(p []byte) error {
	if jsonCheck != nil {
		w.checked.Write(p)
	}
	if w.spill != nil {
		_, err := w.spill.Write(p)
		return err
	}
	w.mem.Write(p)
	if w.mem.Len() > jsonSpill && !w.noSpill {
		// The file is unlinked at once: private mail's senders and
		// subjects are never left in TMPDIR, whatever ends the process.
		f, err := os.CreateTemp("", "smartbcc-json-*")
		if err != nil {
			w.noSpill = true
			return nil
		}
		_ = os.Remove(f.Name())
		if _, err := w.mem.WriteTo(f); err != nil {
			f.Close()
			return err
		}
		w.spill = f
	}
	return nil
}

// Add adds one element.
func (w *jsonArray) Add(v any) error {
	var buf bytes.Buffer
	if w.n == 0 {
		buf.WriteString("[\n  ")
	} else {
		buf.WriteString(",\n  ")
	}
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	w.n++
	return w.write(buf.Bytes())
}

// Close ends the array ("[]" when it had no element) and prints it.
func (w *jsonArray) Close() error {
	defer w.Discard()
	end := "\n]\n"
	if w.n == 0 {
		end = "[]\n"
	}
	if err := w.write([]byte(end)); err != nil {
		return err
	}
	if err := w.app.checkJSON(w.checked.Bytes()); err != nil {
		return err
	}
	if w.spill == nil {
		_, err := w.mem.WriteTo(w.app.IO.Out)
		return err
	}
	if _, err := w.spill.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w.app.IO.Out, w.spill)
	return err
}

// Discard drops what was added, printing nothing; after Close it does
// nothing.
func (w *jsonArray) Discard() {
	w.mem.Reset()
	if w.spill != nil {
		w.spill.Close()
		w.spill = nil
	}
}

// printJSONLine writes v as one line of JSON Lines (ingest --json).
func (a *App) printJSONLine(v any) error {
	var buf bytes.Buffer
	if err := jsonLine(&buf).Encode(v); err != nil {
		return err
	}
	if err := a.checkJSON(buf.Bytes()); err != nil {
		return err
	}
	_, err := a.IO.Out.Write(buf.Bytes())
	return err
}

func (a *App) checkJSON(doc []byte) error {
	if jsonCheck == nil {
		return nil
	}
	if err := jsonCheck(a.command, a.schema, doc); err != nil {
		return fmt.Errorf("internal error: --json output does not follow docs/schema/%s.schema.json: %v", a.schema, err)
	}
	return nil
}

func (a *App) printf(format string, args ...any) {
	fmt.Fprintf(a.IO.Out, format, args...)
}

// noneFound says on stderr that a listing found nothing ("no messages").
// Stdout carries only data: a script's `| wc -l` must count 0 and its
// `while read` read no row, so the notice for people goes where the page
// note and diagnostics go.
func (a *App) noneFound(what string) {
	fmt.Fprintf(a.IO.ErrOut, "no %s\n", what)
}

// parseID reads a numeric id argument.
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		if what == "message" && strings.Contains(s, "@") {
			// A Message-ID copied from a header, where show, link or
			// share want the store's id: the two are easily taken one
			// for the other, and thread finds the one by the other.
			mid := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">")
			hint := ""
			if !strings.ContainsAny(mid, "'<>") {
				hint = fmt.Sprintf(" (smartbcc thread '<%s>' lists them)", mid)
			}
			return 0, store.Errorf(store.EInvalid, "%q is a Message-ID, not a message id: give the number in the ID column%s", s, hint)
		}
		return 0, store.Errorf(store.EInvalid, "invalid %s id %q", what, s)
	}
	return id, nil
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// userForChange resolves the user a settings or address command reads or
// changes (--user): the administrator may name anyone, a user (--as) only
// themselves, and is the one meant when --user is left out, as reading
// commands take her without it.
func (a *App) userForChange(tx store.Tx, ref string) (*store.User, error) {
	if strings.TrimSpace(ref) == "" {
		if a.As == "" {
			return nil, usageErrorf("give --user U (whose settings and addresses), or run as the user with --as U")
		}
		ref = a.As
	}
	u, err := findUser(tx, ref)
	if err != nil {
		return nil, err
	}
	actor, err := a.actor(tx)
	if err != nil {
		return nil, err
	}
	if actor != nil && actor.ID != u.ID {
		return nil, store.Errorf(store.EPermission, "%s may only read and change their own settings and addresses, not those of %s", actor.Email, u.Email)
	}
	return u, nil
}

// readingAs decides whose view a reading command shows. userRef (--user)
// names a user; the administrator then sees what that user may see, and a
// user (--as) may only name themselves. It returns the viewer id (0: the
// administrator's whole view) and the named user, if any.
func (a *App) readingAs(tx store.Tx, userRef string) (int64, *store.User, error) {
	viewer, err := a.viewerID(tx)
	if err != nil || userRef == "" {
		return viewer, nil, err
	}
	u, err := findUser(tx, userRef)
	if err != nil {
		return 0, nil, err
	}
	if viewer != 0 && viewer != u.ID {
		// Not "your own mail": her view holds the mail shared with the
		// company too, which is what she may have been looking for.
		actor, err := a.actor(tx)
		if err != nil {
			return 0, nil, err
		}
		return 0, nil, store.Errorf(store.EPermission, "%s may read only their own view (their mail and the mail shared with the company), not %s's: leave out --user", actor.Email, u.Email)
	}
	return u.ID, u, nil
}
