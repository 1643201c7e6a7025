package commands

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/store"
)

// pipeMemoryLimit is the Go runtime's soft memory limit for one pipe
// delivery (see runIngest).
const pipeMemoryLimit = 64 << 20

// watchdogGrace is how long after --timeout the pipe's watchdog ends the
// process, if the delivery has not ended by itself.
const watchdogGrace = 250 * time.Millisecond

type ingestOptions struct {
	recipients []string
	sender     string
	clientIP   string
	helo       string
	queueID    string
	user       string
	auth       string
	format     string
	maxSize    int64
	progress   bool
	dryRun     bool
	keepBulk   bool
	// includeDeleted imports mail the user had deleted that the mail
	// program had yet to purge (mailfile.SkipDeleted).
	includeDeleted bool
	explain        bool
	verbose        bool
	quiet          bool
	bounce         bool
	timeout        time.Duration
	workers        int
	commitSize     int64
}

func newIngestCmd(app *App) *cobra.Command {
	var opts ingestOptions
	cmd := &cobra.Command{
		Use:   "ingest [FILE|DIR|-]...",
		Short: "File messages from .eml files, mbox files, Maildirs or stdin (Postfix pipe)",
		Long: `Reads .eml files, mbox files (mboxo, mboxrd and mboxcl2), Maildir
folders and directories of them, or stdin, and files each message. A file
compressed with gzip (archive.mbox.gz) is read as what it holds.

As a Postfix pipe(8) transport (no FILE and no --user) it reads one message
on stdin and exits with a sysexits status: 0 stored, duplicate or
deliberately dropped; 65 not a message; 75 temporary failure (Postfix
retries); with --bounce also 67 unknown Bcc address and 77 refused sender.

With files, or with --user (an archive import; "-" reads an archive on
stdin), it shows one progress line on a terminal, a line for each problem
naming its input (archive.mbox:#1234), and a summary; -v adds a line per
message, -q prints only the problems. It exits 0 when every input was
handled (refused mail and inputs that are not mail are handled), 2 for a
path or --user that is not there, 130 when interrupted: what was not
committed (at most --commit-size of mail, or a second of work) is rolled
back, and the same command run again continues where it stopped (what is
stored is recognised and skipped).`,
		Example: `  # an archive for one user, authentication off (archives have no client IP)
  smartbcc ingest --user ann@acme.example --auth off old-mail.mbox
  # a Maildir and a directory of .eml files, one line per message
  smartbcc ingest --user ann@acme.example --auth off -v ~/Maildir exported/
  # what would happen, storing nothing
  smartbcc ingest --user ann@acme.example --auth off --dry-run old-mail.mbox
  # an archive on stdin
  xzcat old-mail.mbox.xz | smartbcc ingest --user ann@acme.example --auth off -
  # as Postfix runs it (master.cf, see smartbcc postfix-config)
  smartbcc ingest --recipient acme@bcc.acme.example --sender ann@acme.example --client-ip 192.0.2.10 < msg.eml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("progress") {
				opts.progress = app.IO.IsTerminal
			}
			if opts.pipeMode(args) {
				return runIngest(cmd, app, opts, args)
			}
			return runImport(cmd, app, opts, args)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.recipients, "recipient", nil, "envelope recipient (repeatable); Postfix: ${recipient}")
	f.StringVar(&opts.sender, "sender", "", "envelope sender; empty for the null sender")
	f.StringVar(&opts.clientIP, "client-ip", "", "SMTP client IP address (SPF)")
	f.StringVar(&opts.helo, "helo", "", "SMTP HELO/EHLO name (SPF)")
	f.StringVar(&opts.queueID, "queue-id", "", "Postfix queue id, for the logs")
	f.StringVar(&opts.user, "user", "", "owner of every message (archive import)")
	f.StringVar(&opts.auth, "auth", "verify", "verify, trust-authres=AUTHSERV-ID, or off")
	f.StringVar(&opts.format, "format", "auto", "input format: auto, eml, mbox, mboxo, mboxrd, maildir, dir")
	f.Int64Var(&opts.maxSize, "max-size", ingest.DefaultMaxSize, "largest message in bytes; larger ones are refused")
	f.BoolVar(&opts.progress, "progress", false, "show the progress line (default: when stderr is a terminal)")
	f.BoolVar(&opts.dryRun, "dry-run", false, "decide, store nothing")
	f.BoolVar(&opts.keepBulk, "keep-bulk", false, "with --user: file list and bulk mail (Precedence: list, bulk, junk) instead of refusing it")
	f.BoolVar(&opts.includeDeleted, "include-deleted", false, "archive import: also import mail the user had deleted that the mail program had yet to purge (Thunderbird before compacting, Maildir flag T, nmh ,N files)")
	f.BoolVar(&opts.explain, "explain", false, "print why each message went where it went")
	f.BoolVarP(&opts.verbose, "verbose", "v", false, "archive import: print a line for each message")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "archive import: print only problems (no progress, no summary)")
	f.BoolVar(&opts.bounce, "bounce", false, "exit 67/77 for unknown recipients and refused senders so Postfix bounces")
	f.DurationVar(&opts.timeout, "timeout", 5*time.Minute, "give up with 75 (retry) after this long; keep it below Postfix's command_time_limit (archive imports: no limit unless given)")
	f.IntVar(&opts.workers, "workers", 0, "parse workers for archives (default: one per CPU)")
	f.Int64Var(&opts.commitSize, "commit-size", ingest.DefaultCommitBytes, "archive import: raw bytes of mail per transaction; a transaction is also committed after a second, so deliveries wait for an import that long at most")
	cmd.MarkFlagsMutuallyExclusive("quiet", "verbose")
	cmd.MarkFlagsMutuallyExclusive("quiet", "explain")
	return cmd
}

// pipeMode is one message on stdin, as Postfix delivers it: no file and
// no --user (ingestPipe in root.go reads the raw command line the same
// way, for the errors of a command line that does not parse).
func (o ingestOptions) pipeMode(args []string) bool {
	return o.user == "" && (len(args) == 0 || (len(args) == 1 && args[0] == "-"))
}

// newIngester opens the store and makes an Ingester as the flags ask.
func newIngester(ctx context.Context, cmd *cobra.Command, app *App, opts ingestOptions, pipe bool) (*ingest.Ingester, store.Store, error) {
	mode, err := ingest.ParseAuthMode(opts.auth)
	if err != nil {
		return nil, nil, err
	}
	if opts.keepBulk && opts.user == "" {
		// Only an archive import has an owner who chose to keep list mail.
		return nil, nil, store.Errorf(store.EInvalid, "--keep-bulk needs --user: it is for archives imported for one user")
	}
	if pipe {
		app.StoreOptions.Synchronous = "FULL"
	} else {
		app.StoreOptions.Synchronous = "NORMAL"
		// An archive's raw mail goes to pack files beside a SQLite
		// store, written once instead of twice through the WAL.
		app.StoreOptions.RawPacks = true
	}
	st, err := app.Store(ctx)
	if err != nil {
		return nil, nil, err
	}
	var checker ingest.Authenticator
	if mode.Kind == "verify" {
		r, err := app.Resolver()
		if err != nil {
			return nil, nil, err
		}
		checker = &auth.Checker{Resolver: r, Timeout: 20 * time.Second}
	}
	source := store.SourceImport
	if pipe {
		source = store.SourcePipe
	}
	return ingest.New(ingest.Options{
		Store: st, Auth: checker, AuthMode: mode, MaxSize: opts.maxSize, Source: source,
		Owner: opts.user, KeepBulk: opts.keepBulk, DryRun: opts.dryRun, Now: app.Now,
	}), st, nil
}

// envelope is the envelope the flags give.
func (o ingestOptions) envelope(cmd *cobra.Command) (store.Envelope, bool) {
	env := store.Envelope{Sender: o.sender, Recipients: o.recipients, ClientIP: o.clientIP, Helo: o.helo, QueueID: o.queueID}
	// Postfix passes the null sender as "" with null_sender= in master.cf,
	// and as MAILER-DAEMON without it.
	nullSender := cmd.Flags().Changed("sender") &&
		(strings.Trim(o.sender, "<>") == "" || strings.EqualFold(o.sender, "MAILER-DAEMON"))
	return env, nullSender
}

// runIngest is a Postfix pipe delivery: one message on stdin.
func runIngest(cmd *cobra.Command, app *App, opts ingestOptions, args []string) (err error) {
	const pipe = true
	ctx, cancel := context.WithTimeout(cmd.Context(), opts.timeout)
	defer cancel()
	if pipe && app.exitProcess != nil {
		// Every stage gives up with 75 when ctx ends; this is the last
		// line of defence for one that cannot be interrupted (a lock
		// wait inside SQLite, a library without a context): Postfix
		// kills a pipe at its time limit and then bounces the mail.
		// Whatever was under way is rolled back or, if it committed,
		// found again as a duplicate when Postfix retries.
		watchdog := time.AfterFunc(opts.timeout+watchdogGrace, func() {
			d := ingest.DisposeFailure(&ingest.TempError{Code: "4.4.7", Err: fmt.Errorf("gave up after %s (--timeout)", opts.timeout)})
			fmt.Fprintln(app.IO.ErrOut, d.Stderr)
			app.exitProcess(d.Exit)
		})
		defer watchdog.Stop()
		// Postfix runs up to ten deliveries at once (maxproc 10): keep
		// the Go heap near what is live rather than letting it grow to
		// twice that before collecting. A 25 MB message then costs
		// under 150 MB at its peak. GOMEMLIMIT, when set, wins.
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(pipeMemoryLimit)
		}
	}
	// Whatever goes wrong in here, Postfix must get 75 and retry, never
	// Go's panic status 2 (which it would bounce).
	defer func() {
		if r := recover(); r != nil {
			err = tempExit(app, &ingest.TempError{Code: "4.3.0", Err: fmt.Errorf("internal error: %v", r)}, pipe)
		}
	}()
	format, err := mailfile.ParseFormat(opts.format)
	if err != nil {
		return ingestFailure(app, store.Errorf(store.EInvalid, "%v", err), pipe)
	}
	in, st, err := newIngester(ctx, cmd, app, opts, pipe)
	if err != nil {
		return ingestFailure(app, err, pipe)
	}
	env, nullSender := opts.envelope(cmd)
	app.stdinHint("the message")
	r, err := mailfile.OpenReader(app.IO.In, "stdin", mailfile.Options{Format: format, MaxSize: opts.maxSize, IncludeDeleted: opts.includeDeleted})
	if err != nil {
		return ingestFailure(app, err, pipe)
	}
	defer r.Close()
	src := &deliveries{readers: []mailfile.Reader{r}, env: env, nullSender: nullSender}
	var users map[string]userRef
	if app.JSON {
		if users, err = userDirectory(ctx, st); err != nil {
			return ingestFailure(app, err, pipe)
		}
	}
	worst := exitOK
	sum, runErr := in.Run(ctx, src, ingest.RunOptions{
		Workers:     opts.workers,
		BusyRetries: 0, // Postfix retries later; its time limit is better spent there
		OnResult: func(r ingest.Result) {
			if app.JSON && !opts.explain {
				// Not printed, and then not on stderr either.
				r.Explain = nil
			}
			disp := ingest.Dispose(r, opts.bounce)
			if disp.Exit > worst {
				worst = disp.Exit
			}
			if opts.dryRun {
				r = unfiled(r)
			}
			printResult(app, r, disp, opts, pipe, users)
		},
	})
	if runErr != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return tempExit(app, &ingest.TempError{Code: "4.4.7", Err: fmt.Errorf("gave up after %s (--timeout); the message will be retried", opts.timeout)}, pipe)
		}
		return ingestFailure(app, runErr, pipe)
	}
	if app.outputErr != nil {
		return ingestFailure(app, app.outputErr, pipe)
	}
	if sum.Total == 0 {
		d := ingest.DisposeNoMessage()
		return &exitError{code: d.Exit, err: errors.New(d.Stderr)}
	}
	if worst != exitOK {
		return &exitError{code: worst, silent: true}
	}
	return nil
}

// runImport is an archive import: files, directories, or an archive on
// stdin ("-", or no argument with --user). Its exit statuses are the
// ordinary ones (0, 1, 2, 130), never sysexits.
func runImport(cmd *cobra.Command, app *App, opts ingestOptions, args []string) error {
	format, err := mailfile.ParseFormat(opts.format)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if _, err := ingest.ParseAuthMode(opts.auth); err != nil {
		return asUsage(err)
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	// Every path is looked at before anything is read or stored: a typo
	// is a usage error, not a half-done import.
	var totalBytes int64
	stdin := 0
	for _, path := range args {
		if path == "-" {
			stdin++
			totalBytes = -1
			continue
		}
		n, err := inputSize(path)
		if err != nil {
			return usageErrorf("cannot read %s: %v", path, errors.Unwrap(err))
		}
		if totalBytes >= 0 {
			totalBytes += n
		}
	}
	if stdin > 1 {
		return usageErrorf("stdin (-) can be read only once")
	}

	ctx := cmd.Context()
	if cmd.Flags().Changed("timeout") {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.timeout)
		defer cancel()
	}
	// Ctrl-C (or SIGTERM) cancels the run: the open transaction is
	// rolled back, everything committed before it is stored. A second
	// Ctrl-C kills.
	ctx, stopSignals := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSignals()

	in, st, err := newIngester(ctx, cmd, app, opts, false)
	if err != nil {
		return err
	}
	if opts.user != "" {
		// An unknown --user is a typo on the command line.
		err := st.View(ctx, func(tx store.Tx) error { _, err := findUser(tx, opts.user); return err })
		if store.IsNotFound(err) {
			return usageErrorf("%v (smartbcc user list shows the users)", err)
		}
		if err != nil {
			return err
		}
	}
	env, nullSender := opts.envelope(cmd)
	var readers []mailfile.Reader
	defer func() {
		for _, r := range readers {
			r.Close()
		}
	}()
	for _, path := range args {
		var r mailfile.Reader
		var err error
		if path == "-" {
			app.stdinHint("mail (a message or an mbox)")
			r, err = mailfile.OpenReader(app.IO.In, "stdin", mailfile.Options{Format: format, MaxSize: opts.maxSize, IncludeDeleted: opts.includeDeleted})
		} else {
			r, err = mailfile.Open(path, mailfile.Options{Format: format, MaxSize: opts.maxSize, IncludeDeleted: opts.includeDeleted})
		}
		if err != nil {
			return usageErrorf("cannot read %s: %v", path, err)
		}
		readers = append(readers, r)
	}
	src := &deliveries{readers: readers, env: env, nullSender: nullSender}

	var users map[string]userRef
	if app.JSON {
		if users, err = userDirectory(ctx, st); err != nil {
			return err
		}
	}
	start := time.Now()
	view := &importView{out: app.IO.Out, errOut: app.IO.ErrOut, quiet: opts.quiet, verbose: opts.verbose,
		explain: opts.explain, dryRun: opts.dryRun, json: app.JSON, start: start, totalBytes: totalBytes,
		read: src.read, width: app.IO.ErrWidth}
	if opts.progress && !opts.quiet && !app.JSON {
		view.progress = app.IO.ErrOut
		ticker := time.NewTicker(500 * time.Millisecond)
		done := make(chan struct{})
		defer func() { ticker.Stop(); close(done) }()
		go func() {
			for {
				select {
				case <-ticker.C:
					view.tick()
				case <-done:
					return
				}
			}
		}()
	}
	sum, runErr := in.Run(ctx, src, ingest.RunOptions{
		Workers:     opts.workers,
		CommitBytes: opts.commitSize,
		BusyRetries: 4,
		OnResult: func(r ingest.Result) {
			disp := ingest.Dispose(r, false)
			view.result(r, disp)
			if app.JSON {
				if !opts.explain {
					r.Explain = nil
				}
				if opts.dryRun {
					r = unfiled(r)
				}
				if err := app.printJSONLine(newIngestLine(r, users)); err != nil && app.outputErr == nil {
					app.outputErr = err
				}
			}
		},
	})
	view.finish()
	elapsed := time.Since(start)
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) && cmd.Context().Err() == nil {
			// Our signal, not the caller's cancellation.
			what := "stored"
			if opts.dryRun {
				what = "checked"
				sum.Stored = sum.Total
			}
			fmt.Fprintf(app.IO.ErrOut, "interrupted after %s %s; run the same command again to continue\n", thousands(sum.Stored), what)
			return &exitError{code: exitInterrupted, silent: true}
		}
		if errors.Is(runErr, context.DeadlineExceeded) {
			return fmt.Errorf("gave up after %s (--timeout) with %s stored; run the same command again to continue", opts.timeout, thousands(sum.Stored))
		}
		var unread *ingest.UnreadError
		if errors.As(runErr, &unread) {
			// Every other input was read: the summary, then each input
			// not read, and a failure a script sees (exit 1, as for a
			// store that failed: an archive import has no sysexits).
			if !opts.quiet {
				view.summary(sum, elapsed)
			}
			for _, u := range unread.Inputs {
				fmt.Fprintf(app.IO.ErrOut, "%s: not read: %s\n", printable(u.Origin, false), readCause(u.Err))
			}
			inputs := "inputs"
			if len(unread.Inputs) == 1 {
				inputs = "input"
			}
			return fmt.Errorf("%s %s not read (an error the system reported, nothing recorded for them): run the same command again to import them",
				thousands(len(unread.Inputs)), inputs)
		}
		if ingest.IsTemporary(runErr) {
			return fmt.Errorf("%v; %s stored so far: run the same command again to continue", runErr, thousands(sum.Stored))
		}
		return runErr
	}
	if !opts.quiet {
		view.summary(sum, elapsed)
	}
	if app.outputErr != nil {
		return app.outputErr
	}
	return nil
}

// readCause is what the system said of a read that failed, without the
// path the line names already ("input/output error").
func readCause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// inputSize is the size in bytes of a file, or of the files under a
// directory (for the progress line's estimate), a gzip-compressed file
// counted at the size it reads as (gzipSize).
func inputSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if !fi.IsDir() {
		return gzipSize(path, fi.Size()), nil
	}
	var n int64
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // the reader reports what it cannot read
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += gzipSize(p, info.Size())
			}
		}
		return nil
	})
	return n, err
}

// gzipSize is how many bytes a file named *.gz reads as, which the
// import decompresses: the size gzip's trailer gives (modulo 4 GiB, and
// only its last member's, but an estimate), when it is larger than the
// file's; size otherwise. Only the name is looked at, so that a
// directory of 100,000 mail files is not opened twice.
func gzipSize(path string, size int64) int64 {
	if !strings.HasSuffix(strings.ToLower(path), ".gz") || size < 18 {
		return size // 18: gzip's smallest header and trailer
	}
	f, err := os.Open(path)
	if err != nil {
		return size
	}
	defer f.Close()
	var trailer [4]byte
	if _, err := f.ReadAt(trailer[:], size-4); err != nil {
		return size
	}
	return max(size, int64(binary.LittleEndian.Uint32(trailer[:])))
}

func printResult(app *App, r ingest.Result, disp ingest.Disposition, opts ingestOptions, pipe bool, users map[string]userRef) {
	if app.JSON {
		if err := app.printJSONLine(newIngestLine(r, users)); err != nil && app.outputErr == nil {
			app.outputErr = err
		}
	} else if !pipe || opts.explain {
		id := ""
		if r.ID != 0 {
			id = fmt.Sprintf(" #%d", r.ID)
		}
		what := displayID(r.MessageID)
		if r.Status == ingest.StatusSkipped {
			what = r.Origin
		}
		fmt.Fprintf(app.IO.Out, "%s%s %s", r.Status, id, what)
		if r.Reason != "" {
			fmt.Fprintf(app.IO.Out, " (%s)", r.Reason)
		}
		for _, l := range r.Links {
			fmt.Fprintf(app.IO.Out, " %s:%d/%s", l.Type, l.ID, l.How)
		}
		fmt.Fprintln(app.IO.Out)
	}
	if opts.explain && !app.JSON {
		for _, e := range r.Explain {
			fmt.Fprintf(app.IO.Out, "  - %s\n", printable(e, false))
		}
	}
	// What Postfix sees is decided by the disposition table; an import
	// at the administrator's terminal says more.
	line := disp.Detail
	if pipe {
		line = disp.Stderr
	}
	if line != "" {
		fmt.Fprintln(app.IO.ErrOut, printable(line, false))
	}
}

// userDirectory maps each user's email to its reference, for the owner
// of ingest results (which name users by email).
func userDirectory(ctx context.Context, st store.Store) (map[string]userRef, error) {
	out := map[string]userRef{}
	err := st.View(ctx, func(tx store.Tx) error {
		users, err := tx.Users()
		for _, u := range users {
			out[u.Email] = userRef{ID: u.ID, Email: u.Email}
		}
		return err
	})
	return out, err
}

// unfiled is a --dry-run result as it is printed: nothing was filed, so
// the ids the run gave inside the transaction it rolled back (a message, a
// new thread, held mail) name nothing and are left out (JSON null). A
// duplicate's id is the stored message's, and stays.
func unfiled(r ingest.Result) ingest.Result {
	if r.Status != ingest.StatusDuplicate {
		r.ID, r.ThreadID = 0, 0
	}
	return r
}

// newIngestLine is the JSON vocabulary's form of an ingest result.
func newIngestLine(r ingest.Result, users map[string]userRef) ingestLine {
	out := ingestLine{ID: nullID(r.ID), MessageID: nullString(r.MessageID), Status: r.Status, Reason: nullString(r.Reason),
		ThreadID: nullID(r.ThreadID), Links: []linkOut{}, Origin: nullString(r.Origin), Suspect: nullString(r.Suspect), Explain: nonNil(r.Explain)}
	if u, ok := users[r.User]; ok {
		out.Owner = &u
	}
	for _, l := range r.Links {
		out.Links = append(out.Links, linkOut{Kind: store.ItemKind(l.Type), ID: l.ID, How: l.How})
	}
	if r.Auth.DKIM != "" || r.Auth.SPF != "" || r.Auth.DMARC != "" {
		out.Auth = &authSummaryOut{DKIM: r.Auth.DKIM, SPF: r.Auth.SPF, DMARC: r.Auth.DMARC, Aligned: r.Auth.Aligned}
	}
	if r.ID != 0 {
		shared := r.Shared
		out.Shared = &shared
	}
	return out
}

// displayID is a Message-ID as the lines about a message show it: the
// sender wrote it, so its control characters are made visible.
func displayID(id string) string {
	if id == "" {
		return "(no Message-ID)"
	}
	return "<" + printable(id, false) + ">"
}

// ingestFailure turns an error into an exit status. In pipe mode every
// failure that is not about the message itself (busy or unwritable store,
// a store without a company, DNS) keeps the mail queued: 75.
func ingestFailure(app *App, err error, pipe bool) error {
	if pipe {
		return tempExit(app, err, true)
	}
	if ingest.IsTemporary(err) || errors.Is(err, context.DeadlineExceeded) {
		return tempExit(app, err, false)
	}
	return err
}

// tempExit reports a failure as temporary, from the disposition table:
// for Postfix (pipe) only the code and a reason word, at a terminal the
// error itself.
func tempExit(app *App, err error, pipe bool) error {
	d := ingest.DisposeFailure(err)
	if pipe {
		fmt.Fprintln(app.IO.ErrOut, d.Stderr)
	} else {
		fmt.Fprintln(app.IO.ErrOut, d.Detail)
	}
	return &exitError{code: d.Exit, silent: true}
}

// redactTokens hides item tokens and confirmation codes in anything
// printed for Postfix or shown in lists.
func redactTokens(s string) string { return ingest.RedactTokens(s) }

// deliveries adapts file readers to ingest.Source.
type deliveries struct {
	readers    []mailfile.Reader
	i          int
	env        store.Envelope
	nullSender bool
	bytes      atomic.Int64
	count      atomic.Int64
	eof        atomic.Bool
}

// read is how many messages and bytes have been read so far, and whether
// that is all.
func (d *deliveries) read() (int, int64, bool) {
	return int(d.count.Load()), d.bytes.Load(), d.eof.Load()
}

func (d *deliveries) Next() (*ingest.Delivery, error) {
	for d.i < len(d.readers) {
		it, err := d.readers[d.i].Next()
		if err == io.EOF {
			d.i++
			continue
		}
		if err != nil {
			return nil, err
		}
		d.bytes.Add(it.Size)
		d.count.Add(1)
		del := ingest.ItemDelivery(it, d.env)
		del.NullSender = d.nullSender
		return del, nil
	}
	d.eof.Store(true)
	return nil, io.EOF
}

// printRunProblems says which messages of an import may be several glued
// together, and which reuse another's Message-ID: an archive must never
// lose mail silently. (What was skipped is said as it happens, one line
// each.)
func printRunProblems(w io.Writer, sum ingest.Summary) {
	if n := sum.SkippedBy[mailfile.SkipDeleted]; n > 0 {
		were, them := "messages the user had deleted (and the mail program had yet to purge) were", "them"
		if n == 1 {
			were, them = "message the user had deleted (and the mail program had yet to purge) was", "it"
		}
		fmt.Fprintf(w, "note: %s %s not imported; --include-deleted imports %s\n", thousands(n), were, them)
	}
	if sum.Reused > 0 {
		more := ""
		if n := sum.Reused - len(sum.ReusedNames); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		have, each := "messages have", "each was"
		if sum.Reused == 1 {
			have, each = "message has", "it was"
		}
		fmt.Fprintf(w, "note: %d stored %s the Message-ID of another message of the same user with other content; "+
			"%s stored as a message of its own: %s%s\n", sum.Reused, have, each, strings.Join(sum.ReusedNames, ", "), more)
	}
	if sum.Suspects > 0 {
		more := ""
		if n := sum.Suspects - len(sum.SuspectNames); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		hold := "messages hold"
		if sum.Suspects == 1 {
			hold = "message holds"
		}
		fmt.Fprintf(w, "warning: %d %s a line that looks like the start of another message, "+
			"so an archive format this reader does not know may have glued messages together (see --explain): %s%s\n",
			sum.Suspects, hold, strings.Join(sum.SuspectNames, ", "), more)
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
