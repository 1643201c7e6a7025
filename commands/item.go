package commands

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

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
	title    string
	personID int64
	status   string
}

// newItemCmd makes the deal, lead and project commands, which differ only
// in their kind.
func newItemCmd(app *App, kind store.ItemKind) *cobra.Command {
	cmd := &cobra.Command{Use: string(kind), Short: "Manage " + string(kind) + "s", Args: cobra.NoArgs}
	var opts itemAddOptions
	add := &cobra.Command{
		Use:   "add --title T [--person ID] [--status open|won|lost]",
		Short: "Add a " + string(kind),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runItemAdd(cmd, app, kind, opts)
		},
	}
	add.Flags().StringVar(&opts.title, "title", "", "title")
	add.Flags().Int64Var(&opts.personID, "person", 0, "the person it is with")
	add.Flags().StringVar(&opts.status, "status", store.StatusOpen, "open, won or lost")
	list := &cobra.Command{
		Use:   "list",
		Short: "List " + string(kind) + "s",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runItemList(cmd, app, kind)
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show a " + string(kind) + " and its linked messages",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(string(kind), args[0])
			if err != nil {
				return err
			}
			return showItem(cmd, app, kind, id)
		},
	}
	cmd.AddCommand(add, list, show)
	return cmd
}

func validStatus(s string) bool {
	return s == store.StatusOpen || s == store.StatusWon || s == store.StatusLost
}

// createItem validates and creates an item (with a Bcc token for deals and
// leads) inside tx; link --new-deal uses it too.
func createItem(tx store.Tx, kind store.ItemKind, title string, personID int64, status string) (*store.Item, error) {
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
	it := &store.Item{Kind: kind, Title: title, PersonID: personID, Status: status}
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

func runItemAdd(cmd *cobra.Command, app *App, kind store.ItemKind, opts itemAddOptions) error {
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
		it, err := createItem(tx, kind, opts.title, opts.personID, opts.status)
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

func runItemList(cmd *cobra.Command, app *App, kind store.ItemKind) error {
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	items := []itemOut{}
	if err := st.View(cmd.Context(), func(tx store.Tx) error {
		c, err := tx.Company()
		if err != nil {
			return err
		}
		all, err := tx.Items(kind)
		if err != nil {
			return err
		}
		n := newNames(tx)
		for i := range all {
			out, err := n.itemOut(c, &all[i])
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
		return app.printJSON(items)
	}
	tw := tabwriter.NewWriter(app.IO.Out, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	fmt.Fprintf(tw, "ID\tTITLE\tSTATUS\tPERSON\n")
	for _, it := range items {
		person := ""
		if it.Person != nil {
			person = fmt.Sprintf("%d %s", it.Person.ID, it.Person.Title)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", it.ID, it.Title, it.Status, person)
	}
	return nil
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
		app.printf("%s %d: %s\nstatus: %s\n", d.Item.Kind, d.Item.ID, d.Item.Title, d.Item.Status)
		if d.Item.BccAddress != "" {
			app.printf("bcc: %s\n", string(d.Item.BccAddress))
		}
	}
	if person != nil {
		app.printf("person %d: %s", person.ID, person.Name)
		if person.Org != "" {
			app.printf(" (%s)", person.Org)
		}
		app.printf(" <%s>\n", strings.Join(person.Emails, ">, <"))
	}
	for _, it := range pd.Items {
		app.printf("%s %d: %s (%s)\n", it.Kind, it.ID, it.Title, it.Status)
	}
	app.printf("messages: %d\n", len(d.Messages))
	printMessageTable(app, d.Messages)
	return nil
}
