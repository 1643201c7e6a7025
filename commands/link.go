package commands

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/linker"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

// selection is how a bulk command names its messages: ids (with "-" for
// ids on stdin, one per line) or a search query.
type selection struct {
	args  []string
	query string
}

func (sel *selection) addFlags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&sel.query, "query", "", "the messages a search `query` finds (the query language of search), instead of ids")
}

// ids reads the message ids of the arguments, and of stdin for "-".
func (sel selection) ids(in io.Reader, hint func(what string)) ([]int64, error) {
	if sel.query != "" && len(sel.args) > 0 {
		return nil, usageErrorf("give message ids or --query, not both")
	}
	if sel.query == "" && len(sel.args) == 0 {
		return nil, usageErrorf("give one or more message ids, - to read ids from stdin, or --query")
	}
	var ids []int64
	seen := map[int64]bool{}
	add := func(id int64) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	stdin := false
	for _, a := range sel.args {
		if a == "-" {
			if stdin {
				continue
			}
			stdin = true
			hint("message ids (one per line)")
			sc := bufio.NewScanner(in)
			for n := 1; sc.Scan(); n++ {
				line := strings.TrimSpace(sc.Text())
				if line == "" {
					continue
				}
				id, err := strconv.ParseInt(line, 10, 64)
				if err != nil || id <= 0 {
					return nil, store.Errorf(store.EInvalid, "invalid message id %q on line %d of stdin", line, n)
				}
				add(id)
			}
			if err := sc.Err(); err != nil {
				return nil, store.Errorf(store.EInvalid, "reading message ids from stdin: %v", err)
			}
			continue
		}
		id, err := parseID("message", a)
		if err != nil {
			return nil, err
		}
		add(id)
	}
	if sel.query == "" && len(ids) == 0 {
		// Only "-", and stdin held no id: what a pipe from a search
		// that found nothing gives.
		return nil, store.Errorf(store.ENotFound, "no message ids on stdin")
	}
	return ids, nil
}

// messages loads the selected messages the actor may see, in the order
// given (a query: newest first). own restricts a query to the actor's own
// mail (sharing). An id the actor may not see fails the whole command.
func (sel selection) messages(tx store.Tx, app *App, ids []int64, own bool) ([]*store.Message, error) {
	if sel.query == "" {
		out := make([]*store.Message, 0, len(ids))
		for _, id := range ids {
			m, _, err := visibleMessage(tx, app, id)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	}
	actor, err := app.actor(tx)
	if err != nil {
		return nil, err
	}
	pq, err := search.Parse(sel.query, app.searchOptions())
	if err != nil {
		return nil, usageErrorf("--query: %v", err)
	}
	if err := resolveQuery(tx, pq); err != nil {
		return nil, err
	}
	q := store.MessageQuery{Search: pq}
	if actor != nil {
		q.Viewer = actor.ID
		if own {
			q.Owner = actor.ID
		}
	}
	list, err := tx.ListMessages(q)
	if err != nil {
		return nil, err
	}
	out := make([]*store.Message, 0, len(list))
	for i := range list {
		out = append(out, &list[i])
	}
	return out, nil
}

type linkOptions struct {
	deal, lead, project          int64
	person                       string // an id or an address: resolved in the transaction
	newDeal, newLead, newProject string
	newPerson                    bool
	email, name                  string
	messageOnly                  bool
	sel                          selection
}

// target is the item given and how many were: a person's id is 0 here,
// since --person may be an address, which the transaction resolves.
func (o linkOptions) target() (store.ItemKind, int64, int) {
	n := 0
	var kind store.ItemKind
	var id int64
	for _, c := range []struct {
		k  store.ItemKind
		id int64
	}{{store.KindDeal, o.deal}, {store.KindLead, o.lead}, {store.KindProject, o.project}} {
		if c.id != 0 {
			kind, id = c.k, c.id
			n++
		}
	}
	if o.person != "" {
		kind, id = store.KindPerson, 0
		n++
	}
	return kind, id, n
}

func newLinkCmd(app *App, unlink bool) *cobra.Command {
	var opts linkOptions
	use, short := "link (ID... | - | --query Q) (--deal N | --lead N | --project N | --person ID|EMAIL | --new-deal TITLE | --new-lead TITLE | --new-project TITLE | --new-person [--email ADDR] [--name NAME])",
		"Link messages (and their threads) to an item, or create the item from them"
	long := `Links each message, and for a deal, lead or project its whole thread, to
the item: the thread then belongs to that item and new mail in it follows.
A thread belongs to at most one deal, one lead and one project: linking it
to another deal moves it, and says so. --message-only links the message
alone and leaves its thread as it is.

Messages are given as ids, as - (ids on stdin, one per line, as
jq -r '.[].id' prints them), or as --query Q (what search Q finds). The
command changes all of them in one transaction, or nothing, and reports
per message what changed.

A --new-... flag creates the item from the first message (an empty title,
or none, takes its subject; the person is its customer participant) and
links every message to it. --new-person creates a person from the customer participant,
or from --email ADDR and --name NAME; mail already stored with the person's
address is linked to it too.`
	example := `  smartbcc link 12 --deal 3
  smartbcc link 12 13 14 --new-deal "Follow-up order"
  smartbcc --json search widgets | jq -r '.[].id' | smartbcc link - --deal 3
  smartbcc link --query 'from:bob@customer.example' --new-deal 'Bob, 2027'
  smartbcc link 12 --new-person --email carol@new.example --name Carol`
	if unlink {
		use, short = "unlink (ID... | - | --query Q) (--deal N | --lead N | --project N | --person ID|EMAIL)", "Remove a link from messages (and their threads)"
		long = `Removes the link from each message, and for a deal, lead or project from
its whole thread, which then no longer belongs to the item (--message-only:
the message alone). Messages are given as in link. A message that was not
linked is reported unchanged.`
		example = `  smartbcc unlink 12 --deal 3
  smartbcc unlink --query 'subject:newsletter' --person 4`
	}
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.sel.args = args
			return runLink(cmd, app, opts, unlink)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&opts.deal, "deal", 0, "deal id")
	f.Int64Var(&opts.lead, "lead", 0, "lead id")
	f.Int64Var(&opts.project, "project", 0, "project id")
	f.StringVar(&opts.person, "person", "", "person id or address")
	f.BoolVar(&opts.messageOnly, "message-only", false, "only the message, not its thread")
	opts.sel.addFlags(cmd)
	if !unlink {
		f.StringVar(&opts.newDeal, "new-deal", "", "create a deal with this title (empty: the subject) and link it")
		f.StringVar(&opts.newLead, "new-lead", "", "create a lead with this title (empty: the subject) and link it")
		f.StringVar(&opts.newProject, "new-project", "", "create a project with this title (empty: the subject) and link it")
		f.BoolVar(&opts.newPerson, "new-person", false, "create a person (the customer participant, or --email/--name) and link it")
		f.StringVar(&opts.email, "email", "", "with --new-person: the person's email address")
		f.StringVar(&opts.name, "name", "", "with --new-person: the person's name")
	}
	return cmd
}

// linkReport is what link and unlink print: the item, whether the command
// created it, per message what changed, and the threads that moved.
type linkReport struct {
	Target   itemRef         `json:"target"`
	Created  bool            `json:"created"`
	Messages []messageChange `json:"messages"`
	Moved    []threadMove    `json:"moved"`
}

type messageChange struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// threadMove says a thread moved from another item to the target.
type threadMove struct {
	ThreadID int64   `json:"thread_id"`
	Messages int     `json:"messages"`
	From     itemRef `json:"from"`
}

// shareReport is what share and unshare print.
type shareReport struct {
	Shared   bool            `json:"shared"`
	Messages []messageChange `json:"messages"`
}

func runLink(cmd *cobra.Command, app *App, opts linkOptions, unlink bool) error {
	kind, itemID, n := opts.target()
	newKind, newTitle := store.ItemKind(""), ""
	for _, c := range []struct {
		k     store.ItemKind
		title string
		set   bool
	}{
		{store.KindDeal, opts.newDeal, cmd.Flags().Changed("new-deal")},
		{store.KindLead, opts.newLead, cmd.Flags().Changed("new-lead")},
		{store.KindProject, opts.newProject, cmd.Flags().Changed("new-project")},
		{store.KindPerson, "", opts.newPerson},
	} {
		if c.set {
			newKind, newTitle = c.k, c.title
			n++
		}
	}
	if n != 1 {
		return usageErrorf("give exactly one of --deal, --lead, --project, --person or a --new-... flag")
	}
	if newKind != "" && newKind != store.KindPerson {
		flag := "--new-" + string(newKind)
		if err := dashTitle(flag, newTitle, fmt.Sprintf("ids on stdin are the argument - (link - %s TITLE); %s '' takes the first message's subject", flag, flag)); err != nil {
			return err
		}
	}
	if (opts.email != "" || opts.name != "") && newKind != store.KindPerson {
		return usageErrorf("--email and --name go with --new-person")
	}
	if opts.messageOnly && (kind == store.KindPerson || newKind == store.KindPerson) {
		return usageErrorf("--message-only is for deals, leads and projects: a person is linked to single messages anyway")
	}
	ids, err := opts.sel.ids(app.IO.In, app.stdinHint)
	if err != nil {
		return err
	}
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	rep := linkReport{Messages: []messageChange{}, Moved: []threadMove{}}
	var extra []string // text lines: what was created, extra mail linked
	err = st.Update(cmd.Context(), func(tx store.Tx) error {
		if kind == store.KindPerson {
			p, err := findPerson(tx, opts.person)
			if err != nil {
				return err
			}
			itemID = p.ID
		}
		msgs, err := opts.sel.messages(tx, app, ids, false)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			return store.Errorf(store.ENotFound, "no message matches %q", opts.sel.query)
		}
		// Links follow whole threads, but what is reported back must not
		// reveal messages the actor may not see.
		viewer, err := app.viewerID(tx)
		if err != nil {
			return err
		}
		visible := func(id int64) bool {
			if viewer == 0 {
				return true
			}
			vm, err := tx.Message(id)
			return err == nil && (vm.OwnerID == viewer || vm.Shared)
		}
		nm := newNames(tx)
		first := msgs[0]
		if newKind != "" {
			// The new item is made from the first message's
			// participants, which a query's list (summaries) does not
			// hold: read it whole.
			if first, err = tx.Message(first.ID); err != nil {
				return err
			}
		}
		switch newKind {
		case "":
		case store.KindPerson:
			p, linked, err := newPersonForLink(tx, app, first, opts.email, opts.name)
			if err != nil {
				return err
			}
			kind, itemID, rep.Created = store.KindPerson, p.ID, true
			extra = append(extra, fmt.Sprintf("created person %d %q <%s>", p.ID, p.Name, strings.Join(p.Emails, ">, <")))
			for _, l := range linked {
				rep.Messages = append(rep.Messages, messageChange{ID: l.ID, Status: "linked"})
				extra = append(extra, fmt.Sprintf("  message %d: %s", l.ID, l.Reason))
			}
		default:
			title := strings.TrimSpace(newTitle)
			if title == "" {
				title = first.Subject
			}
			if title == "" {
				title = "(no subject)"
			}
			var personID int64
			if ps, err := tx.PersonsByEmails(customerEmails(first)); err == nil && len(ps) > 0 {
				personID = ps[0].ID
			}
			it, err := createItem(tx, newKind, title, personID, store.StatusOpen, first.OwnerID)
			if err != nil {
				return err
			}
			kind, itemID, rep.Created = newKind, it.ID, true
			extra = append(extra, fmt.Sprintf("created %s %d %q", it.Kind, it.ID, it.Title))
		}
		if rep.Target, err = nm.ref(kind, itemID); err != nil {
			return err
		}
		reported := map[int64]bool{}
		for _, c := range rep.Messages {
			reported[c.ID] = true
		}
		for _, m := range msgs {
			var changed []int64
			if unlink {
				if changed, err = linker.Unlink(tx, viewer, m.ID, kind, itemID, opts.messageOnly); err != nil {
					return err
				}
			} else {
				res, err := linker.Link(tx, viewer, m.ID, kind, itemID, opts.messageOnly)
				if err != nil {
					return err
				}
				for _, l := range res.Added {
					changed = append(changed, l.MessageID)
				}
				if mv := res.Moved; mv != nil {
					from, err := nm.ref(kind, mv.From)
					if err != nil {
						return err
					}
					seen := 0
					for _, id := range mv.Messages {
						if visible(id) {
							seen++
						}
					}
					rep.Moved = append(rep.Moved, threadMove{ThreadID: mv.ThreadID, Messages: seen, From: from})
				}
			}
			status := "linked"
			if unlink {
				status = "unlinked"
			}
			// The selected message first, then the thread's others.
			self := false
			for _, id := range changed {
				if id == m.ID {
					self = true
				}
			}
			if !reported[m.ID] {
				reported[m.ID] = true
				if self {
					rep.Messages = append(rep.Messages, messageChange{ID: m.ID, Status: status})
				} else {
					rep.Messages = append(rep.Messages, messageChange{ID: m.ID, Status: "unchanged"})
				}
			}
			for _, id := range changed {
				if !reported[id] && visible(id) {
					reported[id] = true
					rep.Messages = append(rep.Messages, messageChange{ID: id, Status: status})
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if app.JSON {
		return app.printJSON(rep)
	}
	for _, line := range extra {
		app.printf("%s\n", line)
	}
	target := fmt.Sprintf("%s %d %q", rep.Target.Kind, rep.Target.ID, rep.Target.Title)
	for _, mv := range rep.Moved {
		app.printf("moved thread %d (%s) from %s %d %q to %s %d\n", mv.ThreadID, plural(mv.Messages, "message"),
			mv.From.Kind, mv.From.ID, mv.From.Title, rep.Target.Kind, rep.Target.ID)
	}
	changed := 0
	for _, c := range rep.Messages {
		if c.Status == "unchanged" {
			if unlink {
				app.printf("message %d: was not linked to %s\n", c.ID, target)
			} else {
				app.printf("message %d: already linked to %s\n", c.ID, target)
			}
			continue
		}
		changed++
		if unlink {
			app.printf("message %d: unlinked from %s\n", c.ID, target)
		} else {
			app.printf("message %d: linked to %s\n", c.ID, target)
		}
	}
	if unlink {
		app.printf("unlinked %s from %s\n", target, plural(changed, "message"))
	} else {
		app.printf("linked %s to %s\n", target, plural(changed, "message"))
	}
	return nil
}

// plural is "1 message", "3 messages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// customerEmails are the message's participants that are not the
// company's: the From of a customer's mail first, then the recipients.
func customerEmails(m *store.Message) []string {
	var out []string
	for _, role := range []string{store.RoleFrom, store.RoleReplyTo, store.RoleTo, store.RoleCc} {
		for _, p := range m.Participants {
			if p.Role == role && p.Email != m.ForwardedBy {
				out = append(out, p.Email)
			}
		}
	}
	return out
}

// personFromMessage makes (not stores) a person for the customer
// participant: the first participant address that is neither a user's nor
// already a person's.
func personFromMessage(tx store.Tx, m *store.Message) (*store.Person, error) {
	users, err := tx.Users()
	if err != nil {
		return nil, err
	}
	internal := map[string]bool{}
	for _, u := range users {
		addrs, err := tx.Addresses(u.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			internal[a.Email] = true
		}
	}
	c, err := tx.Company()
	if err != nil {
		return nil, err
	}
	for _, role := range []string{store.RoleFrom, store.RoleReplyTo, store.RoleTo, store.RoleCc} {
		for _, p := range m.Participants {
			// The company's Bcc addresses are its own, as ingest reads
			// them (directory.internal), and never a contact's
			// (checkPersonEmails would refuse one).
			// A participant known only by a name has no address to
			// make a contact of (it would be one with no address).
			if p.Role != role || p.Email == "" || internal[p.Email] || atBccDomain(c, p.Email) || linker.IsMachineAddress(p.Email) {
				continue
			}
			if ps, err := tx.PersonsByEmails([]string{p.Email}); err == nil && len(ps) > 0 {
				continue
			}
			name := p.Name
			if name == "" {
				name = p.Email[:strings.IndexByte(p.Email, '@')]
			}
			return &store.Person{Name: name, Emails: []string{p.Email}}, nil
		}
	}
	return nil, store.Errorf(store.EConflict, "message %d has no customer participant that is not already a person", m.ID)
}

func newShareCmd(app *App, share bool) *cobra.Command {
	var sel selection
	use, short := "share (ID... | - | --query Q)", "Share messages with the company (owner only)"
	example := `  smartbcc --as ann@acme.example share 12 13
  smartbcc --as ann@acme.example share --query 'deal:3'`
	if !share {
		use, short = "unshare (ID... | - | --query Q)", "Make messages private again (owner only)"
		example = `  smartbcc --as ann@acme.example unshare 12`
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: `Only the owner of a message decides whether it is shared with the company,
so run it as the owner (--as). Messages are given as ids, as - (ids on
stdin, one per line) or as --query Q (the owner's own mail that search Q
finds); all of them change in one transaction, or none.`,
		Example: example,
		RunE: func(cmd *cobra.Command, args []string) error {
			sel.args = args
			ids, err := sel.ids(app.IO.In, app.stdinHint)
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			rep := shareReport{Shared: share, Messages: []messageChange{}}
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				actor, err := app.actor(tx)
				if err != nil {
					return err
				}
				msgs, err := sel.messages(tx, app, ids, true)
				if err != nil {
					return err
				}
				if len(msgs) == 0 {
					return store.Errorf(store.ENotFound, "none of your messages matches %q", sel.query)
				}
				if actor == nil {
					// The administrator sees whose it is: naming the
					// owner makes the way on one that can be typed.
					owner, err := tx.User(msgs[0].OwnerID)
					if err != nil {
						return err
					}
					return store.Errorf(store.EPermission, "only the owner can change the sharing of message %d: run it with --as %s", msgs[0].ID, owner.Email)
				}
				for _, m := range msgs {
					if actor.ID != m.OwnerID {
						return store.Errorf(store.EPermission, "only the owner can change the sharing of message %d", m.ID)
					}
					if m.Shared == share {
						rep.Messages = append(rep.Messages, messageChange{ID: m.ID, Status: "unchanged"})
						continue
					}
					if err := tx.SetShared(m.ID, share); err != nil {
						return err
					}
					rep.Messages = append(rep.Messages, messageChange{ID: m.ID, Status: "changed"})
				}
				return nil
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(rep)
			}
			for _, c := range rep.Messages {
				if c.Status == "unchanged" {
					app.printf("message %d is %s already\n", c.ID, sharing(share))
				} else {
					app.printf("message %d is %s\n", c.ID, sharing(share))
				}
			}
			return nil
		},
	}
	sel.addFlags(cmd)
	return cmd
}

// bareTitleFlags gives --new-deal, --new-lead and --new-project typed
// without a title (last on the line, or followed by another flag) the
// empty title, which takes the first message's subject, as the help says.
// pflag's flag with a value would otherwise fail at the end of the line
// ("flag needs an argument"), or worse take the next flag as the title:
// "link 3 --new-deal --message-only" created a deal titled
// "--message-only". A title that begins with "-" and is no flag, or one
// given with "=", is left alone.
func bareTitleFlags(link *cobra.Command, args []string) []string {
	isFlag := func(a string) bool {
		if a == "--" {
			return true
		}
		name, ok := strings.CutPrefix(a, "--")
		if !ok {
			if len(a) == 2 && a[0] == '-' && a[1] != '-' {
				return link.Flags().ShorthandLookup(a[1:]) != nil || link.InheritedFlags().ShorthandLookup(a[1:]) != nil
			}
			return false
		}
		name, _, _ = strings.Cut(name, "=")
		return link.Flags().Lookup(name) != nil || link.InheritedFlags().Lookup(name) != nil
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		switch a {
		case "--new-deal", "--new-lead", "--new-project":
			if i+1 == len(args) || isFlag(args[i+1]) {
				a += "="
			}
		}
		out = append(out, a)
	}
	return out
}
