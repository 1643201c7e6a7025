package commands

import (
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
)

func newPersonCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "person", Short: "Manage persons (contacts)", Args: cobra.NoArgs}
	var name, org string
	var emails []string
	add := &cobra.Command{
		Use:   "add --name NAME --email E [--email E2 ...] [--org ORG]",
		Short: "Add a person with one or more email addresses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(name) == "" {
				return store.Errorf(store.EInvalid, "a person needs a --name")
			}
			p := &store.Person{Name: strings.TrimSpace(name), Org: strings.TrimSpace(org)}
			seen := map[string]bool{}
			for _, e := range emails {
				addr, err := normalizeEmail(e)
				if err != nil {
					return err
				}
				if !seen[addr] {
					seen[addr] = true
					p.Emails = append(p.Emails, addr)
				}
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			if err := st.Update(cmd.Context(), func(tx store.Tx) error { return tx.CreatePerson(p) }); err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(newPersonOut(p))
			}
			app.printf("person %d %s\n", p.ID, p.Name)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the person's name")
	add.Flags().StringVar(&org, "org", "", "organisation")
	add.Flags().StringArrayVar(&emails, "email", nil, "email address (repeatable)")

	list := &cobra.Command{
		Use:   "list",
		Short: "List persons",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var ps []store.Person
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				ps, err = tx.Persons()
				return err
			}); err != nil {
				return err
			}
			if app.JSON {
				out := []personOut{}
				for i := range ps {
					out = append(out, newPersonOut(&ps[i]))
				}
				return app.printJSON(out)
			}
			tw := tabwriter.NewWriter(app.IO.Out, 0, 4, 2, ' ', 0)
			defer tw.Flush()
			tw.Write([]byte("ID\tNAME\tORG\tEMAILS\n"))
			for _, p := range ps {
				tw.Write([]byte(itoa(p.ID) + "\t" + p.Name + "\t" + p.Org + "\t" + strings.Join(p.Emails, ", ") + "\n"))
			}
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show a person and the messages linked to them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("person", args[0])
			if err != nil {
				return err
			}
			return showItem(cmd, app, store.KindPerson, id)
		},
	}
	cmd.AddCommand(add, list, show)
	return cmd
}
