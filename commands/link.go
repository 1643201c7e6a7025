package commands

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/linker"
	"github.com/smartbcc/smartbcc/store"
)

type linkOptions struct {
	deal, lead, project, person  int64
	newDeal, newLead, newProject string
	newPerson                    bool
}

func (o linkOptions) target() (store.ItemKind, int64, int) {
	n := 0
	var kind store.ItemKind
	var id int64
	for _, c := range []struct {
		k  store.ItemKind
		id int64
	}{{store.KindDeal, o.deal}, {store.KindLead, o.lead}, {store.KindProject, o.project}, {store.KindPerson, o.person}} {
		if c.id != 0 {
			kind, id = c.k, c.id
			n++
		}
	}
	return kind, id, n
}

func newLinkCmd(app *App, unlink bool) *cobra.Command {
	var opts linkOptions
	use, short := "link ID (--deal N | --lead N | --project N | --person N | --new-deal TITLE | --new-lead TITLE | --new-project TITLE | --new-person)",
		"Link a message (and its thread) to an item, or create the item from it"
	if unlink {
		use, short = "unlink ID (--deal N | --lead N | --project N | --person N)", "Remove a link from a message (and its thread)"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("message", args[0])
			if err != nil {
				return err
			}
			return runLink(cmd, app, id, opts, unlink)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&opts.deal, "deal", 0, "deal id")
	f.Int64Var(&opts.lead, "lead", 0, "lead id")
	f.Int64Var(&opts.project, "project", 0, "project id")
	f.Int64Var(&opts.person, "person", 0, "person id")
	if !unlink {
		f.StringVar(&opts.newDeal, "new-deal", "", "create a deal with this title (empty: the subject) and link it")
		f.StringVar(&opts.newLead, "new-lead", "", "create a lead with this title and link it")
		f.StringVar(&opts.newProject, "new-project", "", "create a project with this title and link it")
		f.BoolVar(&opts.newPerson, "new-person", false, "create a person from the customer participant and link it")
	}
	return cmd
}

func runLink(cmd *cobra.Command, app *App, msgID int64, opts linkOptions, unlink bool) error {
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
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	var changes []messageChange
	var created *store.Item
	var createdPerson *store.Person
	var target itemRef
	err = st.Update(cmd.Context(), func(tx store.Tx) error {
		m, _, err := visibleMessage(tx, app, msgID)
		if err != nil {
			return err
		}
		// Links follow the whole thread, but what is reported back must
		// not reveal messages the actor may not see.
		viewer, err := app.viewerID(tx)
		if err != nil {
			return err
		}
		visible := func(id int64) bool {
			if viewer == 0 || id == m.ID {
				return true
			}
			vm, err := tx.Message(id)
			return err == nil && (vm.OwnerID == viewer || vm.Shared)
		}
		if unlink {
			var affected []int64
			if target, err = newNames(tx).ref(kind, itemID); err != nil {
				return err
			}
			affected, err = linker.Unlink(tx, msgID, kind, itemID)
			for _, id := range affected {
				if visible(id) {
					changes = append(changes, messageChange{ID: id, Status: "unlinked"})
				}
			}
			return err
		}
		switch newKind {
		case store.KindPerson:
			createdPerson, err = personFromMessage(tx, m)
			if err != nil {
				return err
			}
			kind, itemID = store.KindPerson, createdPerson.ID
		case "":
		default:
			title := strings.TrimSpace(newTitle)
			if title == "" {
				title = m.Subject
			}
			if title == "" {
				title = "(no subject)"
			}
			var personID int64
			if ps, err := tx.PersonsByEmails(customerEmails(m)); err == nil && len(ps) > 0 {
				personID = ps[0].ID
			}
			created, err = createItem(tx, newKind, title, personID, store.StatusOpen)
			if err != nil {
				return err
			}
			kind, itemID = newKind, created.ID
		}
		if target, err = newNames(tx).ref(kind, itemID); err != nil {
			return err
		}
		added, err := linker.Link(tx, msgID, kind, itemID)
		for _, l := range added {
			if visible(l.MessageID) {
				changes = append(changes, messageChange{ID: l.MessageID, Status: "linked"})
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if app.JSON {
		return app.printJSON(linkReport{Target: target, Created: created != nil || createdPerson != nil, Messages: nonNil(changes)})
	}
	if unlink {
		app.printf("unlinked %s %d from %d message(s)\n", kind, itemID, len(changes))
		return nil
	}
	if created != nil {
		app.printf("created %s %d: %s\n", created.Kind, created.ID, created.Title)
	}
	if createdPerson != nil {
		app.printf("created person %d: %s\n", createdPerson.ID, createdPerson.Name)
	}
	app.printf("linked %s %d to %d message(s)\n", kind, itemID, len(changes))
	return nil
}

// linkReport is what link and unlink print: the item and, per message,
// what changed.
type linkReport struct {
	Target   itemRef         `json:"target"`
	Created  bool            `json:"created"`
	Messages []messageChange `json:"messages"`
}

type messageChange struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// shareReport is what share and unshare print.
type shareReport struct {
	Shared   bool            `json:"shared"`
	Messages []messageChange `json:"messages"`
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

// personFromMessage creates a person for the customer participant: the
// first participant address that is neither a user's nor already a person.
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
	for _, role := range []string{store.RoleFrom, store.RoleReplyTo, store.RoleTo, store.RoleCc} {
		for _, p := range m.Participants {
			if p.Role != role || internal[p.Email] || linker.IsMachineAddress(p.Email) {
				continue
			}
			if ps, err := tx.PersonsByEmails([]string{p.Email}); err == nil && len(ps) > 0 {
				continue
			}
			name := p.Name
			if name == "" {
				name = p.Email[:strings.IndexByte(p.Email, '@')]
			}
			per := &store.Person{Name: name, Emails: []string{p.Email}}
			if err := tx.CreatePerson(per); err != nil {
				return nil, err
			}
			return per, nil
		}
	}
	return nil, store.Errorf(store.EInvalid, "message %d has no customer participant that is not already a person", m.ID)
}

func newShareCmd(app *App, share bool) *cobra.Command {
	use, short := "share ID", "Share a message with the company (owner only)"
	if !share {
		use, short = "unshare ID", "Make a message private again (owner only)"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("message", args[0])
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			status := "changed"
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				m, actor, err := visibleMessage(tx, app, id)
				if err != nil {
					return err
				}
				if actor == nil {
					return store.Errorf(store.EPermission, "only the owner can change the sharing of message %d: run with --as OWNER", id)
				}
				if actor.ID != m.OwnerID {
					return store.Errorf(store.EPermission, "only the owner can change the sharing of message %d", id)
				}
				if m.Shared == share {
					status = "unchanged"
					return nil
				}
				return tx.SetShared(id, share)
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(shareReport{Shared: share, Messages: []messageChange{{ID: id, Status: status}}})
			}
			app.printf("message %d is %s\n", id, sharing(share))
			return nil
		},
	}
}
