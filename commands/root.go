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
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// IOStreams are the standard streams a command reads and writes.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTerminal reports whether ErrOut is a terminal (the progress line
	// of an import); ErrWidth is its width in columns.
	IsTerminal bool
	ErrWidth   int
	// TermWidth is the width in columns of the terminal Out is, 0 when
	// Out is not a terminal: tables then fit it, and times are local.
	TermWidth int
	// InTerminal reports whether In is a terminal: a command reading it
	// then says how to end what is typed.
	InTerminal bool
}

// Main runs smartbcc with the process's arguments and streams and returns
// the exit status.
func Main() int {
	return run(context.Background(), os.Args[1:], IOStreams{In: &stickyEOF{r: os.Stdin}, Out: os.Stdout, ErrOut: os.Stderr,
		IsTerminal: isTerminal(os.Stderr), ErrWidth: terminalWidth(os.Stderr), TermWidth: terminalWidth(os.Stdout),
		InTerminal: isTerminal(os.Stdin)},
		func(app *App) { app.exitProcess = os.Exit })
}

// stickyEOF reads r until its first end of input and reports the end from
// then on. A terminal's Ctrl-D ends one read only: a reader that looks
// ahead (the archive format's sniffing) and reads again would wait for a
// second Ctrl-D.
type stickyEOF struct {
	r   io.Reader
	eof bool
}

func (s *stickyEOF) Read(p []byte) (int, error) {
	if s.eof {
		return 0, io.EOF
	}
	n, err := s.r.Read(p)
	if err == io.EOF {
		s.eof = true
	}
	return n, err
}

// stdinHint tells a person at a terminal that the command reads what
// they type (what), and how to end it; piped input needs no word.
func (a *App) stdinHint(what string) {
	if a.IO.InTerminal {
		fmt.Fprintf(a.IO.ErrOut, "reading %s from standard input; end it with Ctrl-D\n", what)
	}
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
	if c, _, err := root.Find(args); err == nil && c.Name() == "link" && c.Parent() == root {
		args = bareTitleFlags(c, args)
	}
	root.SetArgs(args)
	var err error
	if vBeforeCommand(root, args) {
		err = usageErrorf("unknown shorthand flag: 'v' in -v%s", vHint)
	} else {
		var c *cobra.Command
		c, err = root.ExecuteContextC(ctx)
		if v, _ := root.Flags().GetBool("version"); err == nil && c == root && v {
			// cobra's template printed nothing: --json decides.
			err = app.printVersion()
		}
	}
	if err == nil {
		return app.exitStatus
	}
	var ex *exitError
	if errors.As(err, &ex) && ex.silent {
		return ex.code
	}
	code := exitCode(err)
	if ingestPipe(args) && !postfixStatus(code) {
		// A broken pipe command line (bad flag, say) must not bounce the
		// company's mail: Postfix keeps it queued while someone fixes it.
		fmt.Fprintln(io.ErrOut, "4.3.5 smartbcc: "+oneLine(err.Error()))
		return exitTempFail
	}
	fmt.Fprintln(io.ErrOut, "smartbcc: "+errorLine(err))
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
		Version:       version(),
	}
	// --version is printed by run, which knows --json: cobra's template
	// prints nothing (an empty one would be cobra's default).
	root.SetVersionTemplate(`{{""}}`)
	// --version is ours, so that cobra gives it no -v: -v is ingest's
	// --verbose, and a root -v printed the version before any command
	// ("smartbcc -v inbox") or took the command's place.
	root.Flags().Bool("version", false, "print the version and the revision it was built from")
	f := root.PersistentFlags()
	f.StringVar(&app.DBPath, "db", envOr("SMARTBCC_DB", "./smartbcc.db"), "the store: a SQLite file `path`, or a postgres:// URL (env SMARTBCC_DB)")
	f.BoolVar(&app.JSON, "json", false, "print records as JSON")
	f.StringVar(&app.As, "as", "", "act as this `user` (email or id); permission rules apply")
	f.BoolVar(&app.UTC, "utc", false, "show times in UTC on a terminal too (JSON and piped text always are)")
	f.StringVar(&app.DNSZone, "dns-zone", "", "answer DNS queries from this RFC 1035 master `file`")
	f.StringVar(&app.DNSServer, "dns-server", "", "ask this DNS server (`host:port`)")
	f.DurationVar(&app.StoreOptions.BusyTimeout, "busy-timeout", 5*time.Second, "how long to wait for a locked store before giving up (ingest then exits 75)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if msg := flagValueError(c, err); msg != "" {
			return usageErrorf("%s", msg)
		}
		if c.Name() == "bcc" && c.Parent() == c.Root() && strings.HasPrefix(err.Error(), "unknown flag: --project") {
			// Not a typo: a project is the one item with no address.
			return usageErrorf("projects have no Bcc address: Bcc the universal address (smartbcc bcc) or a deal's, then link the mail with link ID --project N")
		}
		return usageErrorf("%v%s", err, flagSuggestion(c, err))
	})

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
		newManCmd(app),
	)
	// The streams first: the completion command takes its writer when it
	// is made.
	root.SetIn(app.IO.In)
	root.SetOut(app.IO.Out)
	root.SetErr(app.IO.ErrOut)
	root.InitDefaultHelpCmd()
	strictHelp(root)
	root.InitDefaultCompletionCmd()
	annotateSchemas(app, root)
	registerCompletions(app, root)
	applyConventions(root)
	return root
}

// applyConventions makes every command follow the same rules: a command
// line with the wrong arguments is a usage error (exit 2), and a group
// of commands (deal, user...) run without one of them says which there
// are, in one line, rather than print its help and succeed.
func applyConventions(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		applyConventions(c)
	}
	if cmd.Example == "" {
		cmd.Example = exampleFor(cmd)
	}
	if cmd.HasParent() && cmd.HasAvailableSubCommands() && cmd.Run == nil && cmd.RunE == nil {
		cmd.Args = cobra.NoArgs
		cmd.RunE = func(c *cobra.Command, args []string) error {
			var names []string
			for _, sub := range c.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			return usageErrorf("%s needs a command: %s (see %s --help)", c.CommandPath(), strings.Join(names, ", "), c.CommandPath())
		}
	}
	if args := cmd.Args; args != nil {
		cmd.Args = func(c *cobra.Command, a []string) error { return argsError(c, a, args(c, a)) }
	}
}

// strictHelp makes "smartbcc help TOPIC" for a TOPIC that is no command a
// usage error, one line, rather than the usage text and success.
func strictHelp(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() != "help" || c.Run == nil {
			continue
		}
		show := c.Run
		c.RunE = func(c *cobra.Command, args []string) error {
			if found, rest, err := c.Root().Find(args); err != nil || found == nil || len(rest) > 0 || len(args) > 0 && found == c.Root() {
				return usageErrorf("unknown help topic %q (see smartbcc --help)", strings.Join(args, " "))
			}
			show(c, args)
			return nil
		}
	}
}

// argsError says what a command takes, in place of cobra's "accepts 1
// arg(s), received 0" and its "unknown command" for an argument given to
// a command that takes none.
func argsError(c *cobra.Command, args []string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	usage := strings.TrimPrefix(c.UseLine(), "smartbcc ")
	switch {
	case strings.HasPrefix(msg, "unknown command ") && !c.HasAvailableSubCommands():
		return usageErrorf("%s takes no arguments, got %q (usage: smartbcc %s)", c.CommandPath(), args[0], usage)
	case strings.HasPrefix(msg, "unknown command ") && len(args) > 0:
		// A group (deal, person...): cobra suggests only under the root,
		// where it sets the distance it suggests within.
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2
		}
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			return usageErrorf("unknown command %q for %q; did you mean %s?", args[0], c.CommandPath(), strings.Join(s, " or "))
		}
		return usageErrorf("unknown command %q for %q (see %s --help)", args[0], c.CommandPath(), c.CommandPath())
	case strings.HasPrefix(msg, "accepts "), strings.HasPrefix(msg, "requires "):
		msg = argCountWords.Replace(msg)
		return usageErrorf("%s %s (usage: smartbcc %s)", c.CommandPath(), msg, usage)
	}
	return asUsage(err)
}

// flagValueError words pflag's `invalid argument "abc" for "--limit" flag:
// strconv.ParseInt: parsing "abc": invalid syntax` as the other value
// errors are (`invalid --limit "abc": want a whole number`), saying what the
// flag takes rather than which Go parser failed; "" for other errors.
func flagValueError(c *cobra.Command, err error) string {
	m := pflagValueError.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	value, name := m[1], strings.TrimPrefix(m[2], "--")
	if short, _, ok := strings.Cut(name, ", --"); ok && len(short) == 2 { // "-v, --verbose"
		name = strings.TrimPrefix(name, short+", --")
	}
	f := c.Flags().Lookup(name)
	if f == nil {
		return ""
	}
	want := ""
	switch f.Value.Type() {
	case "int", "int64", "int32", "uint", "uint64":
		want = "a whole number"
	case "duration":
		want = "a duration such as 30s, 5m or 1h"
	case "bool":
		want = "true or false"
	default:
		return ""
	}
	return fmt.Sprintf("invalid --%s %q: want %s", f.Name, value, want)
}

// pflagValueError matches pflag's error for a value its flag type cannot
// parse: the value and the flag.
var pflagValueError = regexp.MustCompile(`^invalid argument "(.*)" for "(.+)" flag: `)

// flagSuggestion is "; did you mean --limit?" for pflag's "unknown flag:
// --limt", naming the command's flag (its own or a global one) within two
// edits of what was typed, or one that begins it or that it begins
// (--owner for --owner-id); "" when none is near.
// vHint names what a -v typed where no command has one may have meant.
const vHint = "; did you mean --version? (verbose is smartbcc ingest -v)"

// vBeforeCommand reports a -v among the global flags typed before the
// command, or alone: the root has no -v. Cobra would read it as a flag
// that takes a value, swallow the command's name, and run something else
// ("smartbcc -v ingest --user ann@acme.example FILE" said: unknown command
// "FILE").
func vBeforeCommand(root *cobra.Command, args []string) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-v":
			return true
		case a == "--" || a == "-" || !strings.HasPrefix(a, "-"):
			return false // the command, or an argument
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="):
			if f := root.PersistentFlags().Lookup(a[2:]); f != nil && f.NoOptDefVal == "" {
				i++ // its value
			}
		}
	}
	return false
}

func flagSuggestion(c *cobra.Command, err error) string {
	if strings.HasPrefix(err.Error(), "unknown shorthand flag: 'v' in -") {
		// Other tools' -v: the version, or verbose.
		return vHint
	}
	typed, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok || typed == "" {
		return ""
	}
	typed, _, _ = strings.Cut(typed, "=")
	best, bestDist := "", 3
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(strings.ToLower(typed), f.Name)
		if d > 2 && len(f.Name) >= 3 && len(typed) >= 3 &&
			(strings.HasPrefix(typed, f.Name) || strings.HasPrefix(f.Name, typed)) {
			d = 2
		}
		if d < bestDist && d < len([]rune(typed)) {
			best, bestDist = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return "; did you mean --" + best + "?"
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// argCountWords rewords cobra's argument count errors.
var argCountWords = strings.NewReplacer("accepts ", "takes ", "requires ", "needs ", "arg(s)", "argument(s)",
	", only received ", ", got ", ", received ", ", got ")

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

// ingestPipe reports whether a command line is an ingest in pipe mode
// (one message on stdin for Postfix): no file arguments and no --user.
// Anything that goes wrong with it must exit with a status Postfix reads.
func ingestPipe(args []string) bool {
	rest, ok := afterCommand(args, "ingest")
	if !ok {
		return false
	}
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			return len(rest[i+1:]) == 0 || len(rest[i+1:]) == 1 && rest[i+1] == "-"
		case a == "--user" || strings.HasPrefix(a, "--user="):
			return false
		case a == "-":
		case strings.HasPrefix(a, "-"):
			if !strings.Contains(a, "=") && ingestValueFlags[strings.TrimLeft(a, "-")] {
				i++
			}
		default:
			return false // a file or directory: an archive import
		}
	}
	return true
}

// ingestValueFlags are the flags of ingest (and the global ones) that take
// a value in the next argument.
var ingestValueFlags = map[string]bool{
	"recipient": true, "sender": true, "client-ip": true, "helo": true, "queue-id": true, "user": true,
	"auth": true, "format": true, "max-size": true, "timeout": true, "workers": true,
	"db": true, "as": true, "dns-zone": true, "dns-server": true, "busy-timeout": true,
}

// afterCommand returns the arguments after the command name when the
// command line runs that command.
func afterCommand(args []string, name string) ([]string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return nil, false
		case strings.HasPrefix(a, "-"):
			if !strings.Contains(a, "=") && (a == "--db" || a == "--as" || a == "--dns-zone" || a == "--dns-server" || a == "--busy-timeout") {
				i++
			}
		default:
			return args[i+1:], a == name
		}
	}
	return nil, false
}

// postfixStatus reports the statuses ingest gives on purpose.
func postfixStatus(code int) bool {
	switch code {
	case exitOK, exitDataErr, exitNoUser, exitTempFail, exitNoPerm:
		return true
	}
	return false
}
