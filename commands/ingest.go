package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
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
	explain    bool
	bounce     bool
	timeout    time.Duration
	workers    int
}

func newIngestCmd(app *App) *cobra.Command {
	var opts ingestOptions
	cmd := &cobra.Command{
		Use:   "ingest [FILE|DIR|-]...",
		Short: "File messages from .eml files, mbox files, Maildirs or stdin (Postfix pipe)",
		Long: `Reads .eml files, mbox files (mboxo and mboxrd), Maildir folders, or stdin
("-" or no argument), and files each message.

As a Postfix pipe(8) transport it reads one message on stdin and exits with a
sysexits status: 0 stored, duplicate or deliberately dropped; 65 not a
message; 75 temporary failure (Postfix retries); with --bounce also 67
unknown Bcc address and 77 refused sender.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("progress") {
				opts.progress = app.IO.IsTerminal
			}
			return runIngest(cmd, app, opts, args)
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
	f.BoolVar(&opts.progress, "progress", false, "show a progress bar (default on a terminal)")
	f.BoolVar(&opts.dryRun, "dry-run", false, "decide, store nothing")
	f.BoolVar(&opts.keepBulk, "keep-bulk", false, "with --user: file list and bulk mail (Precedence: list, bulk, junk) instead of refusing it")
	f.BoolVar(&opts.explain, "explain", false, "print why each message went where it went")
	f.BoolVar(&opts.bounce, "bounce", false, "exit 67/77 for unknown recipients and refused senders so Postfix bounces")
	f.DurationVar(&opts.timeout, "timeout", 5*time.Minute, "give up with 75 (retry) after this long; keep it below Postfix's command_time_limit")
	f.IntVar(&opts.workers, "workers", 0, "parse workers for archives (default: one per CPU)")
	return cmd
}

// pipeMode is one message on stdin, as Postfix delivers it.
func (o ingestOptions) pipeMode(args []string) bool {
	return len(args) == 0 || (len(args) == 1 && args[0] == "-")
}

func runIngest(cmd *cobra.Command, app *App, opts ingestOptions, args []string) (err error) {
	pipe := opts.pipeMode(args)
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
	mode, err := ingest.ParseAuthMode(opts.auth)
	if err != nil {
		return ingestFailure(app, err, pipe)
	}
	format, err := mailfile.ParseFormat(opts.format)
	if err != nil {
		return ingestFailure(app, store.Errorf(store.EInvalid, "%v", err), pipe)
	}
	if opts.keepBulk && opts.user == "" {
		// Only an archive import has an owner who chose to keep list mail.
		return ingestFailure(app, store.Errorf(store.EInvalid, "--keep-bulk needs --user: it is for archives imported for one user"), pipe)
	}
	if pipe {
		app.StoreOptions.Synchronous = "FULL"
	} else {
		app.StoreOptions.Synchronous = "NORMAL"
	}
	st, err := app.Store(ctx)
	if err != nil {
		return ingestFailure(app, err, pipe)
	}
	var checker ingest.Authenticator
	if mode.Kind == "verify" {
		r, err := app.Resolver()
		if err != nil {
			return ingestFailure(app, err, pipe)
		}
		checker = &auth.Checker{Resolver: r, Timeout: 20 * time.Second}
	}
	source := store.SourceImport
	if pipe {
		source = store.SourcePipe
	}
	in := ingest.New(ingest.Options{
		Store: st, Auth: checker, AuthMode: mode, MaxSize: opts.maxSize, Source: source,
		Owner: opts.user, KeepBulk: opts.keepBulk, DryRun: opts.dryRun, Now: app.Now,
	})
	env := store.Envelope{Sender: opts.sender, Recipients: opts.recipients, ClientIP: opts.clientIP, Helo: opts.helo, QueueID: opts.queueID}
	// Postfix passes the null sender as "" with null_sender= in master.cf,
	// and as MAILER-DAEMON without it.
	nullSender := cmd.Flags().Changed("sender") &&
		(strings.Trim(opts.sender, "<>") == "" || strings.EqualFold(opts.sender, "MAILER-DAEMON"))

	var readers []mailfile.Reader
	var total int64
	if pipe {
		r, err := mailfile.OpenReader(app.IO.In, "stdin", mailfile.Options{Format: format, MaxSize: opts.maxSize})
		if err != nil {
			return ingestFailure(app, err, pipe)
		}
		readers = append(readers, r)
	} else {
		for _, path := range args {
			r, err := mailfile.Open(path, mailfile.Options{Format: format, MaxSize: opts.maxSize})
			if err != nil {
				for _, r := range readers {
					r.Close()
				}
				return store.Errorf(store.EInvalid, "cannot read %s: %v", path, err)
			}
			readers = append(readers, r)
			total += pathSize(path)
		}
	}
	defer func() {
		for _, r := range readers {
			r.Close()
		}
	}()
	src := &deliveries{readers: readers, env: env, nullSender: nullSender}

	var bar *progressbar.ProgressBar
	if opts.progress && !pipe && !app.JSON {
		bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(app.IO.ErrOut),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetDescription("importing"),
			progressbar.OptionSetItsString("msg"),
			progressbar.OptionShowIts(),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	var users map[string]userRef
	if app.JSON {
		if users, err = userDirectory(ctx, st); err != nil {
			return ingestFailure(app, err, pipe)
		}
	}
	var results []ingest.Result
	worst := exitOK
	start := time.Now()
	retries := 4
	if pipe {
		retries = 0
	}
	sum, runErr := in.Run(ctx, src, ingest.RunOptions{
		Workers:     opts.workers,
		BusyRetries: retries,
		OnResult: func(r ingest.Result) {
			if bar != nil {
				_ = bar.Set64(src.bytes.Load())
			}
			if pipe {
				results = append(results, r)
			}
			if app.JSON && !opts.explain {
				// Not printed, and then not on stderr either.
				r.Explain = nil
			}
			disp := ingest.Dispose(r, opts.bounce)
			if disp.Exit > worst {
				worst = disp.Exit
			}
			printResult(app, r, disp, opts, pipe, users)
		},
	})
	if bar != nil {
		_ = bar.Set64(src.bytes.Load())
		_ = bar.Finish()
	}
	if runErr != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return tempExit(app, &ingest.TempError{Code: "4.4.7", Err: fmt.Errorf("gave up after %s (--timeout); the message will be retried", opts.timeout)}, pipe)
		}
		return ingestFailure(app, runErr, pipe)
	}
	if !pipe && !app.JSON {
		el := time.Since(start).Seconds()
		skipped := ""
		if sum.Skipped > 0 {
			skipped = fmt.Sprintf(", %d skipped", sum.Skipped)
		}
		fmt.Fprintf(app.IO.ErrOut, "%d messages (%.1f MB) in %.1fs: %d stored, %d duplicate, %d rejected, %d quarantined%s\n",
			sum.Total, float64(sum.Bytes)/1e6, el, sum.Stored, sum.Duplicate, sum.Rejected, sum.Quarantined, skipped)
		printRunProblems(app.IO.ErrOut, sum)
	}
	if app.outputErr != nil {
		return ingestFailure(app, app.outputErr, pipe)
	}
	if pipe && sum.Total == 0 {
		d := ingest.DisposeNoMessage()
		return &exitError{code: d.Exit, err: errors.New(d.Stderr)}
	}
	if worst != exitOK {
		return &exitError{code: worst, silent: true}
	}
	return nil
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
			fmt.Fprintf(app.IO.Out, "  - %s\n", e)
		}
	}
	// What Postfix sees is decided by the disposition table; an import
	// at the administrator's terminal says more.
	line := disp.Detail
	if pipe {
		line = disp.Stderr
	}
	if line != "" {
		fmt.Fprintln(app.IO.ErrOut, line)
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

func displayID(id string) string {
	if id == "" {
		return "(no Message-ID)"
	}
	return "<" + id + ">"
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

func pathSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() {
		return -1
	}
	return fi.Size()
}

// deliveries adapts file readers to ingest.Source.
type deliveries struct {
	readers    []mailfile.Reader
	i          int
	env        store.Envelope
	nullSender bool
	bytes      atomic.Int64
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
		del := ingest.ItemDelivery(it, d.env)
		del.NullSender = d.nullSender
		return del, nil
	}
	return nil, io.EOF
}

// printRunProblems says what an import did not read as messages, and
// which messages may be several glued together: an archive must never
// lose mail silently.
func printRunProblems(w io.Writer, sum ingest.Summary) {
	// The rejected count by reason, so that the summary adds up:
	// read = stored + duplicate + rejected (by reason) + quarantined +
	// skipped (by cause).
	if sum.Rejected > 0 {
		var parts []string
		for _, reason := range sortedKeys(sum.Refused) {
			parts = append(parts, fmt.Sprintf("%s %d", reason, sum.Refused[reason]))
		}
		fmt.Fprintf(w, "rejected %d by reason: %s\n", sum.Rejected, strings.Join(parts, ", "))
	}
	for _, cause := range sortedKeys(sum.SkippedBy) {
		names := sum.SkippedNames[cause]
		more := ""
		if n := sum.SkippedBy[cause] - len(names); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		fmt.Fprintf(w, "skipped %d (%s): %s%s\n", sum.SkippedBy[cause], cause, strings.Join(names, ", "), more)
	}
	if sum.Reused > 0 {
		more := ""
		if n := sum.Reused - len(sum.ReusedNames); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		fmt.Fprintf(w, "note: %d stored messages have the Message-ID of another message of the same user with other content; "+
			"each was stored as a message of its own: %s%s\n", sum.Reused, strings.Join(sum.ReusedNames, ", "), more)
	}
	if sum.Suspects > 0 {
		more := ""
		if n := sum.Suspects - len(sum.SuspectNames); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		fmt.Fprintf(w, "warning: %d messages hold a line that looks like the start of another message, "+
			"so an archive format this reader does not know may have glued messages together (see --explain): %s%s\n",
			sum.Suspects, strings.Join(sum.SuspectNames, ", "), more)
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
