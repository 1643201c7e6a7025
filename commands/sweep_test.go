package commands

import (
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// leafCommands is every command a person can run, walked from the real
// command tree so that a command added later is swept too.
func leafCommands() []*cobra.Command {
	var out []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.HasParent() && c.Runnable() && !c.HasAvailableSubCommands() && !c.Hidden {
			out = append(out, c)
		}
	}
	walk(newRootCmd(newApp(IOStreams{})))
	sort.Slice(out, func(i, j int) bool { return out[i].CommandPath() < out[j].CommandPath() })
	return out
}

// TestCommandSweep runs every command with no arguments, with an id that
// does not exist, with an id that is no number and with an unknown flag:
// each ends with the status docs/cli.md gives ("Exit statuses") and, when
// it fails, says why in exactly one line on stderr and nothing on stdout.
func TestCommandSweep(t *testing.T) {
	c := newCLI(t)
	c.setup()
	// Statuses other than the rule, each for a reason.
	noArgs := map[string][]int{
		"ingest":     {exitDataErr}, // the Postfix pipe: empty stdin is no message
		"auth check": {exitFailure}, // reads stdin: an empty input is no message, "rejected"
	}
	badID := map[string][]int{
		"search": {exitOK},    // a query, not an id: no hits
		"export": {exitOK},    // a directory to export into
		"help":   {exitUsage}, // no such help topic
		"ingest": {exitUsage}, // no such file
	}
	for _, cmd := range leafCommands() {
		path := commandPath(cmd)
		takesID := false
		for _, f := range strings.Fields(cmd.Use)[1:] {
			if strings.HasPrefix(strings.TrimLeft(f, "[("), "-") {
				break // the flags
			}
			takesID = takesID || strings.Contains(f, "ID") || f == "KEEP"
		}
		type tcase struct {
			name string
			args []string
			want []int
		}
		cases := []tcase{
			{"unknown flag", []string{"--no-such-flag"}, []int{exitUsage}},
			{"an id that does not exist", []string{"999999"}, []int{exitUsage, exitNotFound}},
		}
		if path == "ingest" {
			cases[0].want = []int{exitTempFail} // the pipe's command line is broken: keep the mail queued
		}
		if w, ok := badID[path]; ok {
			cases[1].want = w
		}
		if takesID {
			cases = append(cases, tcase{"an id that is no number", []string{"x"}, []int{exitUsage}})
		}
		if path != "serve" && path != "demo" { // a server; a demo in a store of its own
			want := []int{exitOK, exitUsage}
			if w, ok := noArgs[path]; ok {
				want = w
			}
			cases = append(cases, tcase{"no arguments", nil, want})
		}
		for _, tc := range cases {
			t.Chdir(t.TempDir()) // export and ingest take paths
			args := append(strings.Fields(path), tc.args...)
			r := c.run(args...)
			ok := false
			for _, w := range tc.want {
				ok = ok || r.code == w
			}
			if !ok {
				t.Errorf("smartbcc %s (%s): exit %d, want one of %v; stderr %q", strings.Join(args, " "), tc.name, r.code, tc.want, r.err)
				continue
			}
			if r.code == exitOK || path == "auth check" && r.err == "" && r.out != "" {
				continue // success, or auth check's verdict on stdout
			}
			if strings.Count(r.err, "\n") != 1 || !strings.HasSuffix(r.err, "\n") {
				t.Errorf("smartbcc %s (%s): exit %d with stderr %q, want one line", strings.Join(args, " "), tc.name, r.code, r.err)
			}
			if r.out != "" {
				t.Errorf("smartbcc %s (%s): exit %d with stdout %q, want nothing", strings.Join(args, " "), tc.name, r.code, r.out)
			}
		}
	}
}

// TestEveryCommandHasExamples holds that the help of every command, groups
// included, has an Examples: section.
func TestEveryCommandHasExamples(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Hidden {
			return
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no Examples: in its help (commands/examples.go)", c.CommandPath())
			return
		}
		if !strings.Contains(c.Example, "smartbcc") {
			t.Errorf("%s: its examples never run smartbcc: %q", c.CommandPath(), c.Example)
		}
	}
	walk(newRootCmd(newApp(IOStreams{})))
	c := newCLI(t)
	out := c.ok("deal", "add", "--help")
	if !strings.Contains(out, "\nExamples:\n") {
		t.Errorf("deal add --help shows no Examples: section:\n%s", out)
	}
}
