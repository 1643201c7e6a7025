package commands

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/store"
)

const (
	kindDeal    = store.KindDeal
	kindLead    = store.KindLead
	kindProject = store.KindProject
)

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

type itemAddOptions struct {
	title  string
	person string
	owner  string
	status string
}

type itemSetOptions struct {
	title  string
	person string
	owner  string
	status string
}

type itemListOptions struct {
	status string
	person string
	owner  string
	query  string
	page   pageFlags
}

// newItemCmd makes the deal, lead and project commands, which differ only
// in their kind (and leads convert to deals).
func newItemCmd(app *App, kind store.ItemKind) *cobra.Command {
	k := string(kind)
	cmd := &cobra.Command{Use: k, Short: "Manage " + k + "s", Args: cobra.NoArgs}
	var addOpts itemAddOptions
	add := &cobra.Command{
		Use:   "add --title T [--person ID|EMAIL] [--owner U] [--status open|won|lost]",
		Short: "Add a " + k,
		Long: "Adds a " + k + ". Its owner is --owner, else the user running it (--as), else nobody." +
			map[bool]string{true: " It gets its own Bcc address: mail sent to it is linked to the " + k + ".", false: ""}[kind.HasBccAddress()],
		Example: fmt.Sprintf("  smartbcc %s add --title 'Bigco rollout' --person 3 --owner ann@acme.example", k),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runItemAdd(cmd, app, kind, addOpts)
		},
	}
	add.Flags().StringVar(&addOpts.title, "title", "", "title")
	add.Flags().StringVar(&addOpts.person, "person", "", "the `person` it is with (id or address)")
	add.Flags().StringVar(&addOpts.owner, "owner", "", "the `user` it belongs to (email or id)")
	add.Flags().StringVar(&addOpts.status, "status", store.StatusOpen, "open, won or lost")

	var setOpts itemSetOptions
	set := &cobra.Command{
		Use:   "set ID [--title T] [--status open|won|lost] [--person ID|EMAIL] [--owner U]",
		Short: "Change a " + k + ": title, status, person, owner",
		Long: `Changes what is given and nothing else. --person 0 (or none) and --owner
none clear them. Changing the status never changes the mail already linked; auto-link
only ever links open items, so a won or lost ` + k + ` stops taking new mail
through its person. --status open brings back a removed ` + k + `.`,
		Example: fmt.Sprintf("  smartbcc %s set 3 --status won\n  smartbcc %s set 3 --title 'Bigco rollout, phase 2' --owner dan@acme.example", k, k),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(k, args[0])
			if err != nil {
				return err
			}
			return runItemSet(cmd, app, kind, id, setOpts)
		},
	}
	set.Flags().StringVar(&setOpts.title, "title", "", "new title")
	set.Flags().StringVar(&setOpts.status, "status", "", "open, won or lost")
	set.Flags().StringVar(&setOpts.person, "person", "", "the `person` it is with (id or address; 0 or none: nobody)")
	set.Flags().StringVar(&setOpts.owner, "owner", "", "the `user` it belongs to (email or id; none: nobody)")

	rm := &cobra.Command{
		Use:   "rm ID",
		Short: "Remove a " + k + " (its mail keeps its links)",
		Long: `Removes the ` + k + `: it leaves the lists and is never linked again. The mail
linked to it and its threads keep their history.` +
			map[bool]string{true: ` Its Bcc address stops accepting
mail: mail to it is refused like mail to an unknown address.`, false: ""}[kind.HasBccAddress()],
		Example: fmt.Sprintf("  smartbcc %s rm 3", k),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(k, args[0])
			if err != nil {
				return err
			}
			return runItemSet(cmd, app, kind, id, itemSetOptions{status: store.StatusDeleted})
		},
	}

	var listOpts itemListOptions
	list := &cobra.Command{
		Use:   "list [--status S] [--person ID|EMAIL] [--owner U] [--query TEXT] [--limit N] [--offset N]",
		Short: "List " + k + "s, newest first",
		Long: `Lists ` + k + `s, newest first. Removed ones are left out unless --status deleted
asks for them. --query keeps those whose title contains TEXT (any case).`,
		Example: fmt.Sprintf("  smartbcc %s list --status open --owner ann@acme.example\n  smartbcc %s list --person 3 --query rollout", k, k),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runItemList(cmd, app, kind, listOpts)
		},
	}
	list.Flags().StringVar(&listOpts.status, "status", "", "only open, won, lost or deleted ones (default: all but deleted)")
	list.Flags().StringVar(&listOpts.person, "person", "", "only those with this `person` (id or address)")
	list.Flags().StringVar(&listOpts.owner, "owner", "", "only those of this `user` (email or id)")
	list.Flags().StringVar(&listOpts.query, "query", "", "only those whose title contains this `text`")
	listOpts.page.addFor(list, 0, k+"s")

	show := &cobra.Command{
		Use:     "show ID",
		Short:   "Show a " + k + " and its linked messages",
		Example: fmt.Sprintf("  smartbcc %s show 3", k),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(k, args[0])
			if err != nil {
				return err
			}
			return showItem(cmd, app, kind, id)
		},
	}
	cmd.AddCommand(add, set, rm, list, show)
	if kind == store.KindLead {
		cmd.AddCommand(newLeadConvertCmd(app))
	}
	return cmd
}

func validStatus(s string) bool {
	return s == store.StatusOpen || s == store.StatusWon || s == store.StatusLost
}

// createItem validates and creates an item (with a Bcc token for deals and
// leads) inside tx; link --new-deal and lead convert use it too.
func createItem(tx store.Tx, kind store.ItemKind, title string, personID int64, status string, ownerID int64) (*store.Item, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		return nil, store.Errorf(store.EInvalid, "a %s needs a --title", kind)
	}
	if !validStatus(status) {
		return nil, store.Errorf(store.EInvalid, "invalid status %q: want open, won or lost", status)
	}
	if personID != 0 {
		if _, err := tx.Person(personID); err != nil {
			return nil, err
		}
	}
	it := &store.Item{Kind: kind, Title: title, PersonID: personID, Status: status, OwnerID: ownerID}
	if kind.HasBccAddress() {
		tok, err := bccaddr.NewToken()
		if err != nil {
			return nil, err
		}
		it.Token = tok
	}
	if err := tx.CreateItem(it); err != nil {
		return nil, err
	}
	return it, nil
}

// ownerRef resolves --owner: a user, or 0 for "none" and "".
func ownerRef(tx store.Tx, ref string) (int64, error) {
	switch strings.TrimSpace(strings.ToLower(ref)) {
	case "", "none":
		return 0, nil
	}
	u, err := findUser(tx, ref)
	if err != nil {
		return 0, err
	}
	return u.ID, nil
}

// personRefID resolves an item's --person, an id or one of the person's
// addresses as everywhere a person is named; "" is none, and so are "0"
// and "none" where clearing is meant (deal set).
func personRefID(tx store.Tx, ref string, clearing bool) (int64, error) {
	switch strings.ToLower(strings.TrimSpace(ref)) {
	case "":
		return 0, nil
	case "0", "none":
		if clearing {
			return 0, nil
		}
	}
	p, err := findPerson(tx, ref)
	if err != nil {
		return 0, err
	}
	return p.ID, nil
}

// mayChangeItem is the rule for changing items: the administrator may
// change any, a user (--as) those that are theirs or nobody's.
func mayChangeItem(app *App, tx store.Tx, it *store.Item) error {
	actor, err := app.actor(tx)
	if err != nil || actor == nil {
		return err
	}
	if it.OwnerID != 0 && it.OwnerID != actor.ID {
		owner, err := tx.User(it.OwnerID)
		if err != nil {
			return err
		}
		return store.Errorf(store.EPermission, "%s %d belongs to %s; only they or the administrator can change it", it.Kind, it.ID, owner.Email)
	}
	return nil
}

// dashTitle refuses "-" typed as a title (--title, --new-deal...): on
// these command lines a dash is stdin (link - reads message ids there),
// and a deal called "-" is what a sales team never means to create. why
// says what to type instead.
func dashTitle(flag, title, why string) error {
	if strings.TrimSpace(title) != "-" {
		return nil
	}
	return usageErrorf("%s \"-\" is not a title: %s", flag, why)
}

func runItemAdd(cmd *cobra.Command, app *App, kind store.ItemKind, opts itemAddOptions) error {
	if err := dashTitle("--title", opts.title, "give the "+string(kind)+"'s title"); err != nil {
		return err
	}
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	var view itemOut
	err = st.Update(cmd.Context(), func(tx store.Tx) error {
		c, err := tx.Company()
		if err != nil {
			return err
		}
		owner, err := ownerRef(tx, opts.owner)
		if err != nil {
			return err
		}
		if owner == 0 {
			if owner, err = app.viewerID(tx); err != nil {
				return err
			}
		}
		personID, err := personRefID(tx, opts.person, false)
		if err != nil {
			return err
		}
		it, err := createItem(tx, kind, opts.title, personID, opts.status, owner)
		if err != nil {
			return err
		}
		view, err = newNames(tx).itemOut(c, it)
		return err
	})
	if err != nil {
		return err
	}
	if app.JSON {
		return app.printJSON(view)
	}
	app.printf("%s %d %s\n", kind, view.ID, view.Title)
	if view.BccAddress != "" {
		app.printf("bcc: %s\n", string(view.BccAddress))
	}
	return nil
}

// runItemSet changes an item, and removes it (status deleted) for rm.
func runItemSet(cmd *cobra.Command, app *App, kind store.ItemKind, id int64, opts itemSetOptions) error {
	f := cmd.Flags()
	removing := opts.status == store.StatusDeleted
	if !removing && !f.Changed("title") && !f.Changed("status") && !f.Changed("person") && !f.Changed("owner") {
		return usageErrorf("nothing to change: give --title, --status, --person or --owner")
	}
	if f.Changed("status") && !validStatus(opts.status) {
		return store.Errorf(store.EInvalid, "invalid status %q: want open, won or lost (rm removes)", opts.status)
	}
	if err := dashTitle("--title", opts.title, "give the "+string(kind)+"'s title"); err != nil {
		return err
	}
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	var view, prev itemOut
	var linked int
	err = st.Update(cmd.Context(), func(tx store.Tx) error {
		c, err := tx.Company()
		if err != nil {
			return err
		}
		it, err := tx.Item(kind, id)
		if err != nil {
			return err
		}
		if err := mayChangeItem(app, tx, it); err != nil {
			return err
		}
		n := newNames(tx)
		if prev, err = n.itemOut(c, it); err != nil {
			return err
		}
		switch {
		case removing && it.Status == store.StatusDeleted:
			return store.Errorf(store.EConflict, "%s %d was removed already", kind, id)
		case it.ConvertedTo != 0:
			return store.Errorf(store.EConflict, "lead %d was converted to deal %d: change the deal", id, it.ConvertedTo)
		case it.Status == store.StatusDeleted && !f.Changed("status"):
			return store.Errorf(store.EConflict, "%s %d was removed; bring it back with --status open first", kind, id)
		}
		if f.Changed("title") {
			it.Title = opts.title
		}
		if f.Changed("status") || removing {
			it.Status = opts.status
		}
		if f.Changed("person") {
			if it.PersonID, err = personRefID(tx, opts.person, true); err != nil {
				return err
			}
		}
		if f.Changed("owner") {
			if it.OwnerID, err = ownerRef(tx, opts.owner); err != nil {
				return err
			}
		}
		if err := tx.UpdateItem(it); err != nil {
			return err
		}
		if removing {
			msgs, err := tx.ListMessages(store.MessageQuery{ItemKind: kind, ItemID: id})
			if err != nil {
				return err
			}
			linked = len(msgs)
		}
		view, err = n.itemOut(c, it)
		return err
	})
	if err != nil {
		return err
	}
	if app.JSON {
		return app.printJSON(view)
	}
	name := fmt.Sprintf("%s %d %q", kind, view.ID, view.Title)
	switch {
	case removing:
		app.printf("removed %s; its %s keep their links\n", name, plural(linked, "linked message"))
		if kind.HasBccAddress() {
			app.printf("its Bcc address no longer accepts mail\n")
		}
	default:
		app.printf("%s: %s\n", name, itemChanges(prev, view))
	}
	return nil
}

// itemChanges says what deal set changed, status first (`won (was
// open)`, or the status it keeps), then the title, person and owner that
// changed: a salesperson sees that --owner took.
func itemChanges(prev, now itemOut) string {
	parts := []string{now.Status}
	if prev.Status != now.Status {
		parts[0] += fmt.Sprintf(" (was %s)", prev.Status)
	}
	if prev.Title != now.Title {
		parts = append(parts, fmt.Sprintf("title was %q", printable(prev.Title, false)))
	}
	person := func(r *itemRef) string {
		if r == nil {
			return "none"
		}
		return fmt.Sprintf("person %d %q", r.ID, printable(r.Title, false))
	}
	if person(prev.Person) != person(now.Person) {
		parts = append(parts, fmt.Sprintf("person %s (was %s)", strings.TrimPrefix(person(now.Person), "person "), person(prev.Person)))
	}
	owner := func(u *userRef) string {
		if u == nil {
			return "none"
		}
		return u.Email
	}
	if owner(prev.Owner) != owner(now.Owner) {
		parts = append(parts, fmt.Sprintf("owner %s (was %s)", owner(now.Owner), owner(prev.Owner)))
	}
	if len(parts) == 1 && prev.Status == now.Status {
		parts = append(parts, "nothing changed")
	}
	return strings.Join(parts, "; ")
}

func runItemList(cmd *cobra.Command, app *App, kind store.ItemKind, opts itemListOptions) error {
	if opts.status != "" && !validStatus(opts.status) && opts.status != store.StatusDeleted {
		return store.Errorf(store.EInvalid, "invalid --status %q: want open, won, lost or deleted", opts.status)
	}
	if err := opts.page.check(); err != nil {
		return err
	}
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	items := []itemOut{}
	var note string
	query := strings.ToLower(strings.TrimSpace(opts.query))
	if err := st.View(cmd.Context(), func(tx store.Tx) error {
		c, err := tx.Company()
		if err != nil {
			return err
		}
		owner, err := ownerRef(tx, opts.owner)
		if err != nil {
			return err
		}
		var all []store.Item
		if opts.person != "" {
			var personID int64
			if personID, err = personRefID(tx, opts.person, false); err != nil {
				return err
			}
			all, err = tx.ItemsOfPerson(kind, personID)
		} else {
			all, err = tx.Items(kind)
		}
		if err != nil {
			return err
		}
		// Ids grow with time: newest first is highest id first.
		var kept []*store.Item
		for i := len(all) - 1; i >= 0; i-- {
			it := &all[i]
			switch {
			case opts.status == "" && it.Status == store.StatusDeleted,
				opts.status != "" && it.Status != opts.status,
				owner != 0 && it.OwnerID != owner,
				query != "" && !strings.Contains(strings.ToLower(it.Title), query):
				continue
			}
			kept = append(kept, it)
		}
		var page []*store.Item
		page, note = pageOf(kept, opts.page)
		n := newNames(tx)
		for _, it := range page {
			out, err := n.itemOut(c, it)
			if err != nil {
				return err
			}
			items = append(items, out)
		}
		return nil
	}); err != nil {
		return err
	}
	if app.JSON {
		if err := app.printJSON(items); err != nil {
			return err
		}
	} else if len(items) > 0 {
		t := newTable("ID", "TITLE", "STATUS", "PERSON", "OWNER", "CREATED")
		for _, it := range items {
			t.row(itoa(it.ID), it.Title, itemStatus(it), personName(it.Person), ownerEmail(it.Owner), app.tableTime(time.Time(it.CreatedAt)))
		}
		app.printTable(t)
	}
	printPage(app, len(items), note, string(kind)+"s")
	return nil
}

// itemStatus is an item's status as people read it.
func itemStatus(it itemOut) string {
	if it.ConvertedTo != nil {
		return fmt.Sprintf("converted to deal %d", it.ConvertedTo.ID)
	}
	return it.Status
}

// personName is "3 Bob Buyer", "" for none.
func personName(r *itemRef) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("%d %s", r.ID, r.Title)
}

func ownerEmail(u *userRef) string {
	if u == nil {
		return ""
	}
	return u.Email
}

// itemDetail is what `deal show` prints.
type itemDetail struct {
	Item     itemOut        `json:"item"`
	Messages []messageEntry `json:"messages"`
}

// personDetail is what `person show` prints.
type personDetail struct {
	Person   personOut      `json:"person"`
	Items    []itemOut      `json:"items"`
	Messages []messageEntry `json:"messages"`
}

func showItem(cmd *cobra.Command, app *App, kind store.ItemKind, id int64) error {
	return showItemOrPerson(cmd, app, kind, func(tx store.Tx) (int64, error) { return id, nil })
}

// showItemOrPerson prints an item or a person (found by find) with the
// messages linked to it that the viewer may see.
func showItemOrPerson(cmd *cobra.Command, app *App, kind store.ItemKind, find func(store.Tx) (int64, error)) error {
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	var d itemDetail
	var pd personDetail
	var person *store.Person
	err = st.View(cmd.Context(), func(tx store.Tx) error {
		c, err := tx.Company()
		if err != nil {
			return err
		}
		viewer, err := app.viewerID(tx)
		if err != nil {
			return err
		}
		id, err := find(tx)
		if err != nil {
			return err
		}
		n := newNames(tx)
		msgs, err := tx.ListMessages(store.MessageQuery{Viewer: viewer, ItemKind: kind, ItemID: id})
		if err != nil {
			return err
		}
		if kind == store.KindPerson {
			if person, err = n.person(id); err != nil {
				return err
			}
			pd.Person = newPersonOut(person)
			pd.Items = []itemOut{}
			for _, k := range store.ItemKinds {
				its, err := tx.ItemsOfPerson(k, id)
				if err != nil {
					return err
				}
				for i := range its {
					out, err := n.itemOut(c, &its[i])
					if err != nil {
						return err
					}
					pd.Items = append(pd.Items, out)
				}
			}
			pd.Messages, err = n.messageEntries(msgs)
			return err
		}
		it, err := n.item(kind, id)
		if err != nil {
			return err
		}
		if d.Item, err = n.itemOut(c, it); err != nil {
			return err
		}
		if it.PersonID != 0 {
			if person, err = n.person(it.PersonID); err != nil {
				return err
			}
		}
		d.Messages, err = n.messageEntries(msgs)
		return err
	})
	if err != nil {
		return err
	}
	if kind == store.KindPerson {
		if app.JSON {
			return app.printJSON(pd)
		}
		d.Messages = pd.Messages
	} else {
		if app.JSON {
			return app.printJSON(d)
		}
		app.printf("%s %d: %s\nstatus: %s\n", d.Item.Kind, d.Item.ID, printable(d.Item.Title, false), itemStatus(d.Item))
		if d.Item.Owner != nil {
			app.printf("owner: %s\n", d.Item.Owner.Email)
		}
		if d.Item.BccAddress != "" {
			// A removed item's address is refused like an unknown one:
			// shown bare, it would be copied into mail that is lost.
			note := ""
			if d.Item.Status == store.StatusDeleted {
				note = " (accepts no mail while the " + string(kind) + " is removed)"
			}
			app.printf("bcc: %s%s\n", string(d.Item.BccAddress), note)
		}
	}
	if person != nil {
		app.printf("person %d: %s", person.ID, printable(person.Name, false))
		if person.Org != "" {
			app.printf(" (%s)", printable(person.Org, false))
		}
		app.printf(" <%s>\n", strings.Join(person.Emails, ">, <"))
	}
	for _, it := range pd.Items {
		app.printf("%s %d: %s (%s)\n", it.Kind, it.ID, printable(it.Title, false), itemStatus(it))
	}
	app.printf("messages: %d\n", len(d.Messages))
	printMessageTable(app, d.Messages)
	return nil
}

// convertReport is what `lead convert` prints.
type convertReport struct {
	Lead     itemOut `json:"lead"`
	Deal     itemOut `json:"deal"`
	Messages int     `json:"messages"`
	Threads  int     `json:"threads"`
}

func newLeadConvertCmd(app *App) *cobra.Command {
	var title string
	cmd := &cobra.Command{
		Use:   "convert ID [--title T]",
		Short: "Convert a lead to a deal that keeps its mail, threads and Bcc address",
		Long: `Creates a deal from the lead (its title unless --title, its person and
owner) and moves the lead's mail to it: every message linked to the lead is
linked to the deal, and the lead's threads belong to the deal, so their new
mail follows. The lead is marked won and converted; mail to its Bcc address
files into the deal from now on.`,
		Example: "  smartbcc lead convert 7\n  smartbcc lead convert 7 --title 'Bigco, 500 seats'",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("lead", args[0])
			if err != nil {
				return err
			}
			if err := dashTitle("--title", title, "give the deal's title"); err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var rep convertReport
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				c, err := tx.Company()
				if err != nil {
					return err
				}
				lead, err := tx.Item(store.KindLead, id)
				if err != nil {
					return err
				}
				if err := mayChangeItem(app, tx, lead); err != nil {
					return err
				}
				switch {
				case lead.ConvertedTo != 0:
					return store.Errorf(store.EConflict, "lead %d was converted to deal %d already", id, lead.ConvertedTo)
				case lead.Status == store.StatusDeleted:
					return store.Errorf(store.EConflict, "lead %d was removed", id)
				}
				t := lead.Title
				if strings.TrimSpace(title) != "" {
					t = title
				}
				deal, err := createItem(tx, store.KindDeal, t, lead.PersonID, store.StatusOpen, lead.OwnerID)
				if err != nil {
					return err
				}
				viewer, err := app.viewerID(tx)
				if err != nil {
					return err
				}
				rep.Messages, rep.Threads, err = moveLeadMail(tx, viewer, lead.ID, deal.ID)
				if err != nil {
					return err
				}
				lead.ConvertedTo, lead.Status = deal.ID, store.StatusWon
				if err := tx.UpdateItem(lead); err != nil {
					return err
				}
				n := newNames(tx)
				if rep.Lead, err = n.itemOut(c, lead); err != nil {
					return err
				}
				rep.Deal, err = n.itemOut(c, deal)
				return err
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(rep)
			}
			app.printf("converted lead %d %q to deal %d %q: %s and %s moved\n", rep.Lead.ID, rep.Lead.Title,
				rep.Deal.ID, rep.Deal.Title, plural(rep.Messages, "message"), plural(rep.Threads, "thread"))
			app.printf("mail to the lead's Bcc address files into deal %d; the deal's own Bcc address is %s\n",
				rep.Deal.ID, string(rep.Deal.BccAddress))
			return nil
		},
	}
	cmd.Flags().StringVar(&title, "title", "", "the deal's title (default: the lead's)")
	return cmd
}

// moveLeadMail links the lead's mail to the deal, keeping how each message
// was linked, and gives the lead's threads to the deal (a thread that has a
// deal of its own keeps it). The lead's links stay, as history.
//
// The counts are of what viewer may see (0: the administrator, everything):
// a user converting her lead is not told how much of other users' private
// mail was linked to it.
func moveLeadMail(tx store.Tx, viewer, leadID, dealID int64) (messages, threads int, err error) {
	msgs, err := tx.ListMessages(store.MessageQuery{ItemKind: store.KindLead, ItemID: leadID, Oldest: true})
	if err != nil {
		return 0, 0, err
	}
	visible := func(m store.Message) bool { return viewer == 0 || m.OwnerID == viewer || m.Shared }
	seenThread, movedThread, visibleThread := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, m := range msgs {
		links, err := tx.Links(m.ID)
		if err != nil {
			return 0, 0, err
		}
		how := store.HowManual
		for _, l := range links {
			if l.Kind == store.KindLead && l.ItemID == leadID {
				how = l.How
			}
		}
		ok, err := tx.AddLink(store.Link{MessageID: m.ID, Kind: store.KindDeal, ItemID: dealID, How: how})
		if err != nil {
			return 0, 0, err
		}
		if ok && visible(m) {
			messages++
		}
		if visible(m) {
			visibleThread[m.ThreadID] = true
		}
		if m.ThreadID == 0 || seenThread[m.ThreadID] {
			continue
		}
		seenThread[m.ThreadID] = true
		th, err := tx.Thread(m.ThreadID)
		if err != nil {
			return 0, 0, err
		}
		if th.LeadID == leadID {
			if err := tx.SetThreadItem(th.ID, store.KindLead, 0); err != nil {
				return 0, 0, err
			}
			if th.DealID == 0 {
				if err := tx.SetThreadItem(th.ID, store.KindDeal, dealID); err != nil {
					return 0, 0, err
				}
			}
			movedThread[th.ID] = true
		}
	}
	for id := range movedThread {
		if visibleThread[id] {
			threads++
		}
	}
	return messages, threads, nil
}
