package commands

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// newManCmd prints smartbcc(1), generated from the commands themselves
// (their usage, help, flags and examples), so the page cannot drift from
// the binary.
func newManCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "Print the manual page smartbcc(1), made from the commands' own help",
		Long: `Prints the manual page in roff, the format man(1) reads: every command with
its usage, description, options and examples, the global options, the exit
statuses and the environment. Install it where man looks, or read it at
once with man -l.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeMan(app.IO.Out, cmd.Root())
		},
	}
}

// writeMan writes the manual page of root in roff (man(7) macros).
func writeMan(w io.Writer, root *cobra.Command) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH SMARTBCC 1 \"\" %s \"smartbcc manual\"\n", roffQuote(strings.Fields(version())[1]))
	b.WriteString(".SH NAME\nsmartbcc \\- " + roffText(strings.ToLower(root.Short[:1])+root.Short[1:]) + "\n")
	b.WriteString(".SH SYNOPSIS\n.B smartbcc\n[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIarguments\\fR]\n")
	b.WriteString(".SH DESCRIPTION\n" + roffParagraphs(root.Long))
	b.WriteString(".SH COMMANDS\n")
	var cmds []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.Name() == "help" {
				continue
			}
			if sub.Runnable() && !sub.HasAvailableSubCommands() {
				cmds = append(cmds, sub)
			}
			walk(sub)
		}
	}
	walk(root)
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].CommandPath() < cmds[j].CommandPath() })
	for _, c := range cmds {
		fmt.Fprintf(&b, ".SS %s\n", roffQuote(strings.TrimPrefix(c.UseLine(), "smartbcc ")))
		long := c.Long
		if long == "" {
			long = c.Short + "."
		}
		b.WriteString(roffParagraphs(long))
		if flags := c.LocalNonPersistentFlags(); flags.HasAvailableFlags() {
			b.WriteString(".PP\nOptions:\n")
			b.WriteString(roffFlags(flags))
		}
		if ex := c.Example; ex != "" {
			b.WriteString(".PP\nExamples:\n.RS\n.nf\n")
			for _, l := range strings.Split(strings.TrimRight(ex, "\n"), "\n") {
				b.WriteString(roffLine(strings.TrimPrefix(l, "  ")) + "\n")
			}
			b.WriteString(".fi\n.RE\n")
		}
	}
	b.WriteString(".SH GLOBAL OPTIONS\n")
	b.WriteString(roffFlags(root.PersistentFlags()))
	b.WriteString(`.SH EXIT STATUS
.TP
.B 0
Success. An archive import that handled every input (refused mail and
inputs that are not mail are handled) exits 0.
.TP
.B 1
The command failed: a conflict, a permission, the store unavailable.
.TP
.B 2
Usage: an unknown command or flag, a missing, malformed or invalid argument
or value, an unknown \-\-user, a path that is not there.
.TP
.B 3
Not found: the message, user, person or item named does not exist (or is
another user's private message).
.TP
.B 4
auth check only: the message would be deferred (the pipe would exit 75).
.TP
.B 130
Interrupted (Ctrl\-C). An interrupted import keeps what it stored; the same
command run again continues.
.PP
.B ingest
in pipe mode, as Postfix runs it, exits with sysexits(3) statuses instead:
0 stored, duplicate or deliberately dropped, 65 not a message, 75 a
temporary failure (Postfix retries), and with \-\-bounce 67 and 77.
.SH ENVIRONMENT
.TP
.B SMARTBCC_DB
The store, as \-\-db: a SQLite file or a postgres:// URL.
.TP
.B PGHOST, PGUSER, PGPASSWORD, PGPASSFILE, ...
What a postgres:// URL leaves out.
.SH SEE ALSO
postfix(1), master(5), postconf(5), pipe(8), sqlite3(1), psql(1).
The command reference docs/cli.md, and README.md, in the source.
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// roffFlags is a .TP list of flags.
func roffFlags(fs *pflag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "\\-\\-" + roffText(f.Name)
		if f.Shorthand != "" {
			name = "\\-" + f.Shorthand + ", " + name
		}
		varname, usage := pflag.UnquoteUsage(f)
		b.WriteString(".TP\n.B " + name)
		if varname != "" {
			b.WriteString(" \\fI" + roffText(varname) + "\\fR")
		}
		b.WriteString("\n" + roffText(usage))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "0" {
			b.WriteString(" (default " + roffText(f.DefValue) + ")")
		}
		b.WriteString("\n")
	})
	return b.String()
}

// roffParagraphs turns help text into paragraphs; lines that are indented
// stay as they are (lists, tables).
func roffParagraphs(s string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		lines := strings.Split(para, "\n")
		indented := false
		for _, l := range lines {
			if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
				indented = true
			}
		}
		if indented {
			b.WriteString(".PP\n.nf\n")
			for _, l := range lines {
				b.WriteString(roffLine(l) + "\n")
			}
			b.WriteString(".fi\n")
			continue
		}
		b.WriteString(".PP\n")
		for _, l := range lines {
			b.WriteString(roffLine(l) + "\n")
		}
	}
	return b.String()
}

// roffText escapes text for roff: backslashes and hyphens.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	return strings.ReplaceAll(s, "-", `\-`)
}

// roffLine is a line of text that roff does not take for a request.
func roffLine(s string) string {
	s = roffText(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

func roffQuote(s string) string {
	return `"` + strings.ReplaceAll(roffText(s), `"`, `\(dq`) + `"`
}
