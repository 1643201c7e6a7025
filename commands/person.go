package commands

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/linker"
	"github.com/smartbcc/smartbcc/store"
)

// personEmail reads an address given for a person ("bob@x" or "Bob
// <bob@x>") with the one strict parser, in canonical form.
func personEmail(s string) (string, error) {
	a, err := mailaddr.ParseMailbox(strings.TrimSpace(s))
	if err != nil {
		return "", store.Errorf(store.EInvalid, "invalid email address %q: %s", s, addressProblem(err, s))
	}
	if a.Local == "" || strings.HasPrefix(a.Domain, "[") {
		return "", store.Errorf(store.EInvalid, "invalid email address %q", s)
	}
	return a.Email(), nil
}

// refuseContactAddress refuses to make a person's address a user's (user
// add, address add): the other half of checkPersonEmails. A contact's
// address given to a user would file that customer's own mail to the Bcc
// address as the user's (a mistyped user add would go unnoticed), and the
// linker, which skips the company's addresses, would silently stop linking
// the person by it. A colleague once made a contact (create-persons) is
// the expected case: the error says how to take the address from the
// person, which keeps their links and items.
func refuseContactAddress(tx store.Tx, email string) error {
	ps, err := tx.PersonsByEmails([]string{email})
	if err != nil || len(ps) == 0 {
		return err
	}
	p := ps[0]
	return store.Errorf(store.EConflict, "%s is the address of person %d (%s), a contact, so it cannot be a user's; if it is a colleague's now, remove it from the person first: smartbcc person set %d --remove-email %s",
		email, p.ID, printable(p.Name, false), p.ID, email)
}

// checkPersonEmails refuses addresses that are the company's own: a user's
// sender address or a Bcc address is never a contact's (the linker would
// never match it anyway).
func checkPersonEmails(tx store.Tx, emails []string) error {
	c, err := tx.Company()
	if err != nil {
		return err
	}
	for _, e := range emails {
		if a, err := tx.AddressByEmail(e); err == nil {
			u, err := tx.User(a.UserID)
			if err != nil {
				return err
			}
			return store.Errorf(store.EConflict, "%s is a sender address of user %s, not a contact's", e, u.Email)
		} else if !store.IsNotFound(err) {
			return err
		}
		if atBccDomain(c, e) {
			return store.Errorf(store.EInvalid, "%s is one of the company's Bcc addresses, not a contact's", e)
		}
	}
	return nil
}

// mailLinked is one stored message linked to a person because one of the
// person's addresses is on it.
type mailLinked struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

// personReport is what person add, set and merge print: the person and
// the stored mail that was linked to them just now.
type personReport struct {
	Person personOut    `json:"person"`
	Linked []mailLinked `json:"linked"`
}

// linkStoredMail links a person to the mail already stored with any of
// emails as a participant and explains each link; messages the actor may
// not see are linked but not reported.
func linkStoredMail(tx store.Tx, app *App, personID int64, emails []string) ([]mailLinked, error) {
	added, err := linker.LinkPersonMail(tx, personID, emails)
	if err != nil {
		return nil, err
	}
	viewer, err := app.viewerID(tx)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, e := range emails {
		want[e] = true
	}
	out := []mailLinked{}
	for _, l := range added {
		m, err := tx.Message(l.MessageID)
		if err != nil {
			return nil, err
		}
		if viewer != 0 && m.OwnerID != viewer && !m.Shared {
			continue
		}
		reason := "a participant address is theirs"
		for _, p := range m.Participants {
			if want[p.Email] && personRoleNames[p.Role] != "" {
				reason = p.Email + " is " + personRoleNames[p.Role]
				break
			}
		}
		out = append(out, mailLinked{ID: m.ID, Reason: reason})
	}
	return out, nil
}

var personRoleNames = map[string]string{store.RoleFrom: "the sender", store.RoleTo: "a recipient (To)",
	store.RoleCc: "a recipient (Cc)", store.RoleReplyTo: "the Reply-To"}

// addPerson creates a person with checked, canonical addresses and links
// the mail already stored with them.
func addPerson(tx store.Tx, app *App, p *store.Person) ([]mailLinked, error) {
	if err := checkPersonEmails(tx, p.Emails); err != nil {
		return nil, err
	}
	if err := tx.CreatePerson(p); err != nil {
		return nil, err
	}
	return linkStoredMail(tx, app, p.ID, p.Emails)
}

// findPerson resolves a person reference: an id or one of their addresses.
func findPerson(tx store.Tx, ref string) (*store.Person, error) {
	ref = strings.TrimSpace(ref)
	if !strings.Contains(ref, "@") {
		id, err := parseID("person", ref)
		if err != nil {
			return nil, err
		}
		return tx.Person(id)
	}
	e, err := personEmail(ref)
	if err != nil {
		return nil, err
	}
	ps, err := tx.PersonsByEmails([]string{e})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, store.Errorf(store.ENotFound, "no person has the address %s", e)
	}
	return &ps[0], nil
}

func printPersonReport(app *App, verb string, r personReport) {
	app.printf("%s person %d %s", verb, r.Person.ID, printable(r.Person.Name, false))
	if len(r.Person.Emails) > 0 {
		app.printf(" <%s>", strings.Join(r.Person.Emails, ">, <"))
	}
	app.printf("\n")
	if len(r.Linked) > 0 {
		app.printf("linked %s already stored:\n", plural(len(r.Linked), "message"))
		for _, l := range r.Linked {
			app.printf("  message %d: %s\n", l.ID, l.Reason)
		}
	}
}

func newPersonCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "person", Short: "Manage persons (contacts)", Args: cobra.NoArgs}
	var name, org string
	var emails []string
	add := &cobra.Command{
		Use:   "add --name NAME [--email E]... [--org ORG]",
		Short: "Add a person (a contact) with their email addresses",
		Long: `Adds a contact. An address belongs to at most one person: an address that is
already someone's is refused, naming them (merge the two, or move the
address with person set). Mail already stored with one of the addresses as
From, To, Cc or Reply-To is linked to the new person, and listed.

A person may have no address yet (a contact known from a call): mail is
then linked to them by hand (smartbcc link MESSAGE --person P) until an address
is added (smartbcc person set P --add-email E).`,
		Example: `  smartbcc person add --name "Bob Buyer" --email bob@customer.example --org "Customer Ltd"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(name) == "" {
				return store.Errorf(store.EInvalid, "a person needs a --name")
			}
			p := &store.Person{Name: strings.TrimSpace(name), Org: strings.TrimSpace(org)}
			for _, e := range emails {
				addr, err := personEmail(e)
				if err != nil {
					return err
				}
				p.Emails = append(p.Emails, addr)
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var rep personReport
			if err := st.Update(cmd.Context(), func(tx store.Tx) error {
				linked, err := addPerson(tx, app, p)
				rep = personReport{Person: newPersonOut(p), Linked: linked}
				return err
			}); err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(rep)
			}
			printPersonReport(app, "added", rep)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the person's name")
	add.Flags().StringVar(&org, "org", "", "organisation")
	add.Flags().StringArrayVar(&emails, "email", nil, "email address (repeatable; none for a person without one yet)")

	cmd.AddCommand(add, newPersonSetCmd(app), newPersonMergeCmd(app), newPersonRmCmd(app), newPersonListCmd(app), newPersonShowCmd(app))
	return cmd
}

func newPersonSetCmd(app *App) *cobra.Command {
	var name, org string
	var addEmails, removeEmails []string
	cmd := &cobra.Command{
		Use:   "set ID|EMAIL [--name NAME] [--org ORG] [--add-email E]... [--remove-email E]...",
		Short: "Change a person: name, org, addresses",
		Long: `Changes what is given. An added address that is another person's is
refused, naming them. Mail already stored with an added address is linked
to the person, and listed; a removed address keeps the links it made.`,
		Example: `  smartbcc person set 3 --add-email bob.buyer@customer.example
  smartbcc person set bob@customer.example --org "Customer Group"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := cmd.Flags()
			if !f.Changed("name") && !f.Changed("org") && len(addEmails) == 0 && len(removeEmails) == 0 {
				return usageErrorf("nothing to change: give --name, --org, --add-email or --remove-email")
			}
			add, err := canonicalEmails(addEmails)
			if err != nil {
				return err
			}
			remove, err := canonicalEmails(removeEmails)
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var rep personReport
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				p, err := findPerson(tx, args[0])
				if err != nil {
					return err
				}
				if f.Changed("name") {
					if strings.TrimSpace(name) == "" {
						return store.Errorf(store.EInvalid, "a person needs a name")
					}
					p.Name = name
				}
				if f.Changed("org") {
					p.Org = org
				}
				has := map[string]bool{}
				for _, e := range p.Emails {
					has[e] = true
				}
				for _, e := range remove {
					if !has[e] {
						return store.Errorf(store.EInvalid, "%s is not an address of person %d", e, p.ID)
					}
				}
				var gained []string
				for _, e := range add {
					if !has[e] {
						gained = append(gained, e)
					}
				}
				if err := checkPersonEmails(tx, gained); err != nil {
					return err
				}
				p.Emails = append(without(p.Emails, remove), gained...)
				if err := tx.UpdatePerson(p); err != nil {
					return err
				}
				linked, err := linkStoredMail(tx, app, p.ID, gained)
				rep = personReport{Person: newPersonOut(p), Linked: linked}
				return err
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(rep)
			}
			printPersonReport(app, "changed", rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "new name")
	cmd.Flags().StringVar(&org, "org", "", "new organisation (empty: none)")
	cmd.Flags().StringArrayVar(&addEmails, "add-email", nil, "add this address (repeatable)")
	cmd.Flags().StringArrayVar(&removeEmails, "remove-email", nil, "remove this address (repeatable)")
	return cmd
}

func canonicalEmails(in []string) ([]string, error) {
	var out []string
	for _, e := range in {
		c, err := personEmail(e)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// without returns list without the values of drop, in order.
func without(list, drop []string) []string {
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d] = true
	}
	out := []string{}
	for _, v := range list {
		if !gone[v] {
			out = append(out, v)
		}
	}
	return out
}

// mergeReport is what person merge prints: the person kept and what moved
// to them from the one removed.
type mergeReport struct {
	Person  personOut    `json:"person"`
	Removed int64        `json:"removed"`
	Emails  []string     `json:"emails"`
	Items   []itemRef    `json:"items"`
	Moved   int          `json:"moved"`
	Linked  []mailLinked `json:"linked"`
}

func newPersonMergeCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "merge KEEP OTHER",
		Short: "Merge two persons: OTHER's addresses, items and mail move to KEEP",
		Long: `Merges a duplicate into the person to keep: OTHER's addresses become KEEP's,
OTHER's deals, leads and projects name KEEP, and every message linked to
OTHER is linked to KEEP (a message linked to both is linked once). OTHER is
then removed. KEEP keeps its name; it takes OTHER's organisation if it had
none. Persons are named by id or by one of their addresses.`,
		Example: `  smartbcc person merge 3 9
  smartbcc person merge bob@customer.example bob.buyer@customer.example`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var rep mergeReport
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				keep, err := findPerson(tx, args[0])
				if err != nil {
					return err
				}
				other, err := findPerson(tx, args[1])
				if err != nil {
					return err
				}
				if keep.ID == other.ID {
					return store.Errorf(store.EInvalid, "%s and %s are the same person (%d)", args[0], args[1], keep.ID)
				}
				rep = mergeReport{Removed: other.ID, Emails: nonNil(other.Emails), Items: []itemRef{}}
				// Links: each message of OTHER's is KEEP's, once.
				msgs, err := tx.ListMessages(store.MessageQuery{ItemKind: store.KindPerson, ItemID: other.ID, Oldest: true})
				if err != nil {
					return err
				}
				for _, m := range msgs {
					links, err := tx.Links(m.ID)
					if err != nil {
						return err
					}
					how := store.HowPerson
					for _, l := range links {
						if l.Kind == store.KindPerson && l.ItemID == other.ID {
							how = l.How
						}
					}
					if _, err := tx.AddLink(store.Link{MessageID: m.ID, Kind: store.KindPerson, ItemID: keep.ID, How: how}); err != nil {
						return err
					}
					if _, err := tx.RemoveLink(m.ID, store.KindPerson, other.ID); err != nil {
						return err
					}
					rep.Moved++
				}
				// Items.
				for _, k := range store.ItemKinds {
					its, err := tx.ItemsOfPerson(k, other.ID)
					if err != nil {
						return err
					}
					for i := range its {
						its[i].PersonID = keep.ID
						if err := tx.UpdateItem(&its[i]); err != nil {
							return err
						}
						rep.Items = append(rep.Items, itemRef{Kind: k, ID: its[i].ID, Title: its[i].Title})
					}
				}
				// Addresses: free OTHER's, then give them to KEEP.
				if err := tx.DeletePerson(other.ID); err != nil {
					return err
				}
				keep.Emails = append(keep.Emails, other.Emails...)
				if keep.Org == "" {
					keep.Org = other.Org
				}
				if err := tx.UpdatePerson(keep); err != nil {
					return err
				}
				// Mail with OTHER's addresses that neither was linked to
				// (stored before OTHER existed) is KEEP's too.
				if rep.Linked, err = linkStoredMail(tx, app, keep.ID, other.Emails); err != nil {
					return err
				}
				rep.Person = newPersonOut(keep)
				return nil
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(rep)
			}
			app.printf("merged person %d into person %d %s\n", rep.Removed, rep.Person.ID, printable(rep.Person.Name, false))
			app.printf("moved: %s, %s", plural(len(rep.Emails), "address"), plural(rep.Moved, "linked message"))
			if len(rep.Items) > 0 {
				var names []string
				for _, it := range rep.Items {
					names = append(names, fmt.Sprintf("%s %d %q", it.Kind, it.ID, it.Title))
				}
				app.printf(", %s", strings.Join(names, ", "))
			}
			app.printf("\n")
			for _, l := range rep.Linked {
				app.printf("  also linked message %d: %s\n", l.ID, l.Reason)
			}
			return nil
		},
	}
}

// removeReport is what person rm prints.
type removeReport struct {
	Person   personOut `json:"person"`
	Unlinked int       `json:"unlinked"`
	Items    []itemRef `json:"items"`
}

func newPersonRmCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "rm ID|EMAIL",
		Short: "Remove a person and their links",
		Long: `Removes a contact: their addresses, and their links to mail (the mail
stays). Their deals, leads and projects stay, without a person.`,
		Example: "  smartbcc person rm 9",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var rep removeReport
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				p, err := findPerson(tx, args[0])
				if err != nil {
					return err
				}
				rep = removeReport{Person: newPersonOut(p), Items: []itemRef{}}
				msgs, err := tx.ListMessages(store.MessageQuery{ItemKind: store.KindPerson, ItemID: p.ID})
				if err != nil {
					return err
				}
				rep.Unlinked = len(msgs)
				for _, k := range store.ItemKinds {
					its, err := tx.ItemsOfPerson(k, p.ID)
					if err != nil {
						return err
					}
					for _, it := range its {
						rep.Items = append(rep.Items, itemRef{Kind: k, ID: it.ID, Title: it.Title})
					}
				}
				return tx.DeletePerson(p.ID)
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(rep)
			}
			app.printf("removed person %d %s: unlinked from %s", rep.Person.ID, printable(rep.Person.Name, false), plural(rep.Unlinked, "message"))
			if n := len(rep.Items); n > 0 {
				app.printf("; %s no longer name them", plural(n, "item"))
			}
			app.printf("\n")
			return nil
		},
	}
}

func newPersonListCmd(app *App) *cobra.Command {
	var email, query string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "list [--email ADDR] [--query TEXT] [--limit N] [--offset N]",
		Short: "List persons",
		Long: `Lists persons by id. --email finds the person an address belongs to;
--query keeps those whose name, organisation or an address contains TEXT
(any case).`,
		Example: `  smartbcc person list --email bob@customer.example
  smartbcc person list --query bigco`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := page.check(); err != nil {
				return err
			}
			var want string
			if email != "" {
				var err error
				if want, err = personEmail(email); err != nil {
					return err
				}
			}
			q := strings.ToLower(strings.TrimSpace(query))
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var ps []store.Person
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				if want != "" {
					ps, err = tx.PersonsByEmails([]string{want})
				} else {
					ps, err = tx.Persons()
				}
				return err
			}); err != nil {
				return err
			}
			out := []personOut{}
			for i := range ps {
				p := &ps[i]
				if q != "" && !strings.Contains(strings.ToLower(p.Name+"\x00"+p.Org+"\x00"+strings.Join(p.Emails, "\x00")), q) {
					continue
				}
				out = append(out, newPersonOut(p))
			}
			out, note := pageOf(out, page)
			if app.JSON {
				if err := app.printJSON(out); err != nil {
					return err
				}
			} else if len(out) > 0 {
				t := newTable("ID", "NAME", "ORG", "EMAILS")
				for _, p := range out {
					t.row(itoa(p.ID), p.Name, string(p.Org), strings.Join(p.Emails, ", "))
				}
				app.printTable(t)
			}
			printPage(app, len(out), note, "persons")
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the person with this address")
	cmd.Flags().StringVar(&query, "query", "", "only those whose name, org or address contains this `text`")
	page.addFor(cmd, 0, "persons")
	return cmd
}

func newPersonShowCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:     "show ID|EMAIL",
		Short:   "Show a person, their items and the messages linked to them",
		Example: "  smartbcc person show 3\n  smartbcc person show bob@customer.example",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return showItemOrPerson(cmd, app, store.KindPerson, func(tx store.Tx) (int64, error) {
				p, err := findPerson(tx, args[0])
				if err != nil {
					return 0, err
				}
				return p.ID, nil
			})
		},
	}
}

// newPersonForLink makes the person of link --new-person: from --email
// and --name, or the message's first customer participant that is not a
// person yet. Mail already stored with the address is linked too.
func newPersonForLink(tx store.Tx, app *App, m *store.Message, email, name string) (*store.Person, []mailLinked, error) {
	var p *store.Person
	if email != "" {
		e, err := personEmail(email)
		if err != nil {
			return nil, nil, err
		}
		if strings.TrimSpace(name) == "" {
			name = e[:strings.IndexByte(e, '@')]
			for _, part := range m.Participants {
				if part.Email == e && part.Name != "" {
					name = part.Name
				}
			}
		}
		p = &store.Person{Name: strings.TrimSpace(name), Emails: []string{e}}
	} else {
		var err error
		if p, err = personFromMessage(tx, m); err != nil {
			return nil, nil, err
		}
		if strings.TrimSpace(name) != "" {
			p.Name = strings.TrimSpace(name)
		}
	}
	linked, err := addPerson(tx, app, p)
	return p, linked, err
}
