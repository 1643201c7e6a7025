// Package commands is smartbcc's command line: one Cobra command per file,
// each with its own options struct, all writing through injected IO streams
// so they can be tested without a terminal (in the manner of cli/cli).
package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// IOStreams are the standard streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTerminal reports whether Out is a terminal (progress bars).
	IsTerminal bool
	// TermWidth is the width in columns of the terminal Out is, 0 when
	// Out is not a terminal: tables then fit it, and times are local.
	TermWidth int
}

// Main runs smartbcc with the process's arguments and streams and returns
// the exit status.
func Main() int {
	return run(context.Background(), os.Args[1:], IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		IsTerminal: isTerminal(os.Stderr), TermWidth: terminalWidth(os.Stdout)},
		func(app *App) { app.exitProcess = os.Exit })
}

// Run executes one command line and returns its exit status. Every error
// is printed here, once, as one line on stderr.
func Run(ctx context.Context, args []string, io IOStreams) int {
	return run(ctx, args, io, nil)
}

// run is Run with a hook to adjust the App (tests set the clock).
func run(ctx context.Context, args []string, io IOStreams, configure func(*App)) int {
	app := newApp(io)
	if configure != nil {
		configure(app)
	}
	defer app.close()
	root := newRootCmd(app)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return app.exitStatus
	}
	var ex *exitError
	if errors.As(err, &ex) && ex.silent {
		return ex.code
	}
	code := exitCode(err)
	if firstCommand(args) == "ingest" && !postfixStatus(code) {
		// A broken pipe command line (bad flag, say) must not bounce the
		// company's mail: Postfix keeps it queued while someone fixes it.
		fmt.Fprintln(io.ErrOut, "4.3.5 smartbcc: "+oneLine(err.Error()))
		return exitTempFail
	}
	fmt.Fprintln(io.ErrOut, "smartbcc: "+oneLine(err.Error()))
	return code
}

func newRootCmd(app *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "smartbcc",
		Short: "File Bcc copies of sales mail into the CRM",
		Long: `smartbcc files the Bcc copies of sales mail into a CRM store: Postfix pipes
each copy into "smartbcc ingest", which checks the sender, files the mail in
the sender's inbox, threads it and links it to deals, leads, projects and
persons. Administrators also import mbox archives and script linking and
sharing from the shell.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	f := root.PersistentFlags()
	f.StringVar(&app.DBPath, "db", envOr("SMARTBCC_DB", "./smartbcc.db"), "the store: a SQLite file `path`, or a postgres:// URL (env SMARTBCC_DB)")
	f.BoolVar(&app.JSON, "json", false, "print records as JSON")
	f.StringVar(&app.As, "as", "", "act as this `user` (email or id); permission rules apply")
	f.BoolVar(&app.UTC, "utc", false, "show times in UTC on a terminal too (JSON and piped text always are)")
	f.StringVar(&app.DNSZone, "dns-zone", "", "answer DNS queries from this RFC 1035 master `file`")
	f.StringVar(&app.DNSServer, "dns-server", "", "ask this DNS server (`host:port`)")
	f.DurationVar(&app.StoreOptions.BusyTimeout, "busy-timeout", 5*time.Second, "how long to wait for a locked store before giving up (ingest then exits 75)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageErrorf("%v", err) })

	root.AddCommand(
		newInitCmd(app),
		newUserCmd(app),
		newPersonCmd(app),
		newItemCmd(app, kindDeal),
		newItemCmd(app, kindLead),
		newItemCmd(app, kindProject),
		newBccCmd(app),
		newSettingsCmd(app),
		newAddressCmd(app),
		newIngestCmd(app),
		newServeCmd(app),
		newInboxCmd(app),
		newShowCmd(app),
		newThreadCmd(app),
		newLinkCmd(app, false),
		newLinkCmd(app, true),
		newShareCmd(app, true),
		newShareCmd(app, false),
		newRejectedCmd(app),
		newQuarantineCmd(app),
		newSearchCmd(app),
		newExportCmd(app),
		newAuthCmd(app),
		newPostfixConfigCmd(app),
		newDemoCmd(app),
		newMigrateCmd(app),
	)
	annotateSchemas(app, root)
	return root
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// terminalWidth is the width of the terminal f is, 0 when it is not one.
func terminalWidth(f *os.File) int {
	if !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 {
		return 80
	}
	return w
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// firstCommand is the first argument that is not a flag.
func firstCommand(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case strings.HasPrefix(a, "-"):
			if !strings.Contains(a, "=") && (a == "--db" || a == "--as" || a == "--dns-zone" || a == "--dns-server" || a == "--busy-timeout") {
				i++
			}
		default:
			return a
		}
	}
	return ""
}

// postfixStatus reports the statuses ingest gives on purpose.
func postfixStatus(code int) bool {
	switch code {
	case exitOK, exitDataErr, exitNoUser, exitTempFail, exitNoPerm:
		return true
	}
	return false
}
