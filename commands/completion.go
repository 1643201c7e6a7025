package commands

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

// Shell completion: cobra's completion command (bash, zsh, fish,
// powershell) with the store's own values completed as people type them:
// user emails (--user, --as, --owner), message ids (show, link, share...),
// deal, lead and project ids, person ids, and item references (--item
// deal:3). Each candidate carries a description (a subject, a title, a
// name), which zsh and fish show. Completion reads the store named by
// --db or SMARTBCC_DB and never creates one; when there is none it offers
// nothing.

// completionLimit is how many recent messages are offered.
const completionLimit = 200

// completeFromStore runs fn in a read transaction of the store and offers
// what it returns; nothing when the store cannot be read.
func completeFromStore(app *App, cmd *cobra.Command, fn func(tx store.Tx, prefix string) []string) func(string) ([]string, cobra.ShellCompDirective) {
	return func(prefix string) ([]string, cobra.ShellCompDirective) {
		st, err := app.Store(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		_ = st.View(cmd.Context(), func(tx store.Tx) error {
			out = fn(tx, prefix)
			return nil
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// candidate is "value\tdescription", as cobra takes it.
func candidate(value, desc string) string {
	desc = strings.Join(strings.Fields(printable(desc, false)), " ")
	if r := []rune(desc); len(r) > 60 {
		desc = string(r[:59]) + "…"
	}
	if desc == "" {
		return value
	}
	return value + "\t" + desc
}

func userCandidates(tx store.Tx, prefix string) []string {
	users, err := tx.Users()
	if err != nil {
		return nil
	}
	var out []string
	for _, u := range users {
		if strings.HasPrefix(u.Email, strings.ToLower(prefix)) {
			out = append(out, candidate(u.Email, u.Name))
		}
	}
	return out
}

func messageCandidates(app *App) func(tx store.Tx, prefix string) []string {
	return func(tx store.Tx, prefix string) []string {
		viewer, err := app.viewerID(tx)
		if err != nil {
			return nil
		}
		msgs, err := tx.ListMessages(store.MessageQuery{Viewer: viewer, Limit: completionLimit})
		if err != nil {
			return nil
		}
		var out []string
		for _, m := range msgs {
			if id := strconv.FormatInt(m.ID, 10); strings.HasPrefix(id, prefix) {
				out = append(out, candidate(id, m.Subject))
			}
		}
		return out
	}
}

func itemCandidates(kind store.ItemKind, withKind bool) func(tx store.Tx, prefix string) []string {
	return func(tx store.Tx, prefix string) []string {
		var out []string
		add := func(id int64, desc string) {
			v := strconv.FormatInt(id, 10)
			if withKind {
				v = string(kind) + ":" + v
			}
			if strings.HasPrefix(v, prefix) {
				out = append(out, candidate(v, desc))
			}
		}
		if kind == store.KindPerson {
			persons, err := tx.Persons()
			if err != nil {
				return nil
			}
			for _, p := range persons {
				add(p.ID, strings.TrimSpace(p.Name+" "+strings.Join(p.Emails, " ")))
			}
			return out
		}
		items, err := tx.Items(kind)
		if err != nil {
			return nil
		}
		for _, it := range items {
			if it.Status != store.StatusDeleted {
				add(it.ID, fmt.Sprintf("%s (%s)", it.Title, it.Status))
			}
		}
		return out
	}
}

// itemRefCandidates completes --item: the kind first, then its ids.
func itemRefCandidates(tx store.Tx, prefix string) []string {
	kind, _, ok := strings.Cut(prefix, ":")
	if !ok {
		return []string{"deal:", "lead:", "project:", "person:"}
	}
	k := store.ItemKind(kind)
	if !k.Valid() {
		return nil
	}
	return itemCandidates(k, true)(tx, prefix)
}

// registerCompletions attaches the completions to the commands that take
// such values, by command path.
func registerCompletions(app *App, root *cobra.Command) {
	flag := func(cmd *cobra.Command, name string, fn func(tx store.Tx, prefix string) []string) {
		if cmd.Flags().Lookup(name) == nil && cmd.PersistentFlags().Lookup(name) == nil {
			return
		}
		complete := completeFromStore(app, cmd, fn)
		_ = cmd.RegisterFlagCompletionFunc(name, func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return complete(toComplete)
		})
	}
	args := func(cmd *cobra.Command, fn func(tx store.Tx, prefix string) []string) {
		complete := completeFromStore(app, cmd, fn)
		cmd.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return complete(toComplete)
		}
	}
	flag(root, "as", userCandidates)
	if rejected, _, err := root.Find([]string{"rejected"}); err == nil && rejected.Flags().Lookup("reason") != nil {
		// The reason words: a closed list, no store needed.
		_ = rejected.RegisterFlagCompletionFunc("reason", func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, r := range ingest.RejectionReasons {
				if strings.HasPrefix(r, toComplete) {
					out = append(out, r)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		})
	}
	messages := messageCandidates(app)
	var walk func(cmd *cobra.Command)
	walk = func(cmd *cobra.Command) {
		for _, c := range cmd.Commands() {
			walk(c)
		}
		flag(cmd, "user", userCandidates)
		flag(cmd, "owner", userCandidates)
		flag(cmd, "item", itemRefCandidates)
		for _, k := range []store.ItemKind{store.KindDeal, store.KindLead, store.KindProject, store.KindPerson} {
			flag(cmd, string(k), itemCandidates(k, false))
		}
		flag(cmd, "message", messages)
		path := strings.TrimPrefix(cmd.CommandPath(), "smartbcc ")
		switch path {
		case "show", "link", "unlink", "share", "unshare", "thread":
			args(cmd, messages)
		case "deal show", "deal set", "deal rm":
			args(cmd, itemCandidates(store.KindDeal, false))
		case "lead show", "lead set", "lead rm", "lead convert":
			args(cmd, itemCandidates(store.KindLead, false))
		case "project show", "project set", "project rm":
			args(cmd, itemCandidates(store.KindProject, false))
		case "person show", "person set", "person rm", "person merge":
			args(cmd, itemCandidates(store.KindPerson, false))
		case "user add", "address add", "address remove", "address verify", "search", "export", "auth check", "ingest":
			// Free text, a new address or files: the shell's default.
		default:
			if cmd.ValidArgsFunction == nil && cmd.Args != nil {
				cmd.ValidArgsFunction = cobra.NoFileCompletions
			}
		}
	}
	walk(root)
}
