package commands

import (
	"strings"

	"github.com/spf13/cobra"
)

// jsonSchemas names, per command, the schema in docs/schema/NAME.schema.json
// that its --json output follows; "" marks a command that prints no
// records. Every runnable command must be listed (a test walks the command
// tree), and the tests validate every JSON document a command prints
// against its schema. A command added without an entry fails the tests;
// a JSON output changed without its schema fails them too.
var jsonSchemas = map[string]string{
	"init":               "init",
	"user add":           "user-add",
	"user list":          "user-list",
	"person add":         "person-add",
	"person list":        "person-list",
	"person show":        "person-show",
	"person set":         "person-set",
	"person merge":       "person-merge",
	"person rm":          "person-rm",
	"deal add":           "item-add",
	"deal list":          "item-list",
	"deal set":           "item-set",
	"deal rm":            "item-rm",
	"deal show":          "item-show",
	"lead add":           "item-add",
	"lead list":          "item-list",
	"lead set":           "item-set",
	"lead rm":            "item-rm",
	"lead show":          "item-show",
	"project add":        "item-add",
	"project list":       "item-list",
	"project set":        "item-set",
	"project rm":         "item-rm",
	"project show":       "item-show",
	"bcc":                "bcc",
	"settings show":      "settings",
	"settings set":       "settings",
	"address add":        "address-add",
	"address list":       "address-list",
	"address remove":     "address-remove",
	"address verify":     "address-verify",
	"ingest":             "ingest", // JSON Lines: the schema describes one line
	"inbox":              "inbox",
	"show":               "show",
	"thread":             "thread",
	"link":               "link",
	"unlink":             "unlink",
	"share":              "share",
	"unshare":            "unshare",
	"rejected":           "rejected",
	"quarantine list":    "quarantine-list",
	"quarantine release": "quarantine-release",
	"quarantine drop":    "quarantine-drop",
	"lead convert":       "lead-convert",
	"search":             "search",
	"export":             "export",
	"auth check":         "auth-check",
	"postfix-config":     "",
	"demo":               "",
	"serve":              "", // a server: its records are log lines
	"migrate":            "migrate",
	// Text for people and shells: no records.
	"man":                   "",
	"help":                  "",
	"completion bash":       "",
	"completion zsh":        "",
	"completion fish":       "",
	"completion powershell": "",
}

// textOnly reports a command whose output is text for people or programs
// other than a JSON reader (Postfix lines, the manual, a completion
// script, the demo's story): --json is refused there, so that --json
// prints JSON or nothing. (serve writes log lines, help is help.)
func textOnly(path string) bool {
	schema, known := jsonSchemas[path]
	return known && schema == "" && path != "serve" && path != "help"
}

// commandPath is a command's path without the program name: "deal add".
func commandPath(c *cobra.Command) string {
	p := c.CommandPath()
	if i := strings.IndexByte(p, ' '); i >= 0 {
		return p[i+1:]
	}
	return ""
}

// annotateSchemas records each runnable command's schema on the App when
// it runs, so that printJSON knows which schema the output follows.
func annotateSchemas(app *App, c *cobra.Command) {
	for _, sub := range c.Commands() {
		annotateSchemas(app, sub)
	}
	if c.RunE == nil {
		return
	}
	run := c.RunE
	c.RunE = func(cmd *cobra.Command, args []string) error {
		app.command = commandPath(cmd)
		app.schema = jsonSchemas[app.command]
		if app.JSON && textOnly(app.command) {
			return usageErrorf("%s prints text only (no records): run it without --json", app.command)
		}
		return run(cmd, args)
	}
}

// jsonCheck, when set (by the tests), sees every JSON document a command
// prints with the command's path ("deal list") and the name of its schema;
// an error fails the command.
var jsonCheck func(command, schema string, doc []byte) error
