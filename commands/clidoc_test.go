package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestCommandReferenceCoversEveryCommand holds docs/cli.md to the command
// tree: every command is named in it (`smartbcc deal set` or `deal set`),
// and every flag of a command is written (`--status`) in a section of the
// reference that names the command; the global flags are in "Global
// flags". A command or flag added without its documentation fails here.
func TestCommandReferenceCoversEveryCommand(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(schemaDir(), "..", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range undocumented(string(doc)) {
		t.Error(p)
	}
}

// The check can fail: a flag, a command and a global flag taken out of
// the reference are each named.
func TestCommandReferenceCheckCatchesGaps(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(schemaDir(), "..", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	for _, tc := range []struct{ remove, want string }{
		{"--message-only", "flag --message-only of \"link\""},
		{"quarantine drop", "command \"quarantine drop\""},
		{"| `--utc` |", "global flag --utc"},
		{"--ascending", ""}, // not in the reference: nothing changes
	} {
		if tc.want != "" && !strings.Contains(doc, tc.remove) {
			t.Fatalf("docs/cli.md no longer holds %q: update this test", tc.remove)
		}
		got := strings.Join(undocumented(strings.ReplaceAll(doc, tc.remove, "")), "\n")
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("without %q: %q, want %q", tc.remove, got, tc.want)
		}
	}
}

// undocumented lists what the command tree has and doc does not.
func undocumented(doc string) []string {
	var problems []string
	sections := docSections(doc)
	root := newRootCmd(newApp(IOStreams{}))

	global := sections["Global flags"]
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(global, "`--"+f.Name) {
			problems = append(problems, fmt.Sprintf("global flag --%s is not in docs/cli.md, Global flags", f.Name))
		}
	})

	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Parent() == nil || c.Hidden || !c.Runnable() || c.Name() == "help" && c.Parent() == root {
			// (help is cobra's own: `smartbcc help CMD` is --help.)
			return
		}
		path := commandPath(c)
		// "The same verbs for `deal`, `lead` and `project`": the deal's
		// entry documents the three.
		documented := path
		if kind, verb, ok := strings.Cut(path, " "); ok && (kind == "lead" || kind == "project") && verb != "convert" {
			documented = "deal " + verb
		}
		// The last word may be one of alternatives: `smartbcc completion
		// bash|zsh|fish`.
		head, last := "", documented
		if i := strings.LastIndexByte(documented, ' '); i >= 0 {
			head, last = documented[:i+1], documented[i+1:]
		}
		mention := regexp.MustCompile("`(smartbcc )?" + regexp.QuoteMeta(head) + `([\w-]+\|)*` + regexp.QuoteMeta(last) + "[`| \\]]")
		var text strings.Builder
		for _, body := range sections {
			if mention.MatchString(body) {
				text.WriteString(body)
			}
		}
		if text.Len() == 0 {
			problems = append(problems, fmt.Sprintf("command %q is not in docs/cli.md (write it as `smartbcc %s ...`)", path, documented))
			return
		}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden || f.Name == "help" {
				return
			}
			if !regexp.MustCompile(`--` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(text.String()) {
				problems = append(problems, fmt.Sprintf("flag --%s of %q is not in docs/cli.md where %q is", f.Name, path, documented))
			}
		})
	}
	walk(root)
	return problems
}

// docSections splits a Markdown document at its headings: heading text ->
// the text under it (up to the next heading of any level).
func docSections(doc string) map[string]string {
	out := map[string]string{}
	name := ""
	var body strings.Builder
	flush := func() { out[name] += body.String(); body.Reset() }
	inCode := false
	for _, line := range strings.SplitAfter(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		if !inCode && strings.HasPrefix(line, "#") {
			flush()
			name = strings.TrimSpace(strings.TrimLeft(line, "#"))
			continue
		}
		body.WriteString(line)
	}
	flush()
	return out
}
