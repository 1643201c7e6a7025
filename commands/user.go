package commands

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
)

func newUserCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users (salespeople)", Args: cobra.NoArgs}
	var name string
	add := &cobra.Command{
		Use:   "add EMAIL --name NAME",
		Short: "Add a user; EMAIL is their primary sender address",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireAdmin(app, "user add"); err != nil {
				return err
			}
			email, err := plainEmail(args[0], "--name")
			if err != nil {
				return err
			}
			if strings.TrimSpace(name) == "" {
				return store.Errorf(store.EInvalid, "a user needs a --name")
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var u *store.User
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				c, err := tx.Company()
				if err != nil {
					return err
				}
				if err := refuseBccDomain(c, email); err != nil {
					return err
				}
				if err := refuseContactAddress(tx, email); err != nil {
					return err
				}
				if a, err := tx.AddressByEmail(email); err == nil {
					return addressTaken(tx, a)
				} else if !store.IsNotFound(err) {
					return err
				}
				u, err = tx.CreateUser(email, strings.TrimSpace(name))
				return err
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(newUserOut(u))
			}
			app.printf("user %d %s\n", u.ID, u.Email)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "the user's name")
	list := &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var users []store.User
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				users, err = tx.Users()
				return err
			}); err != nil {
				return err
			}
			if app.JSON {
				out := []userOut{}
				for i := range users {
					out = append(out, newUserOut(&users[i]))
				}
				return app.printJSON(out)
			}
			if len(users) == 0 {
				app.noneFound("users")
				return nil
			}
			// Every setting, as settings show names them; new columns go last
			// (scripts read them by position).
			t := newTable("ID", "EMAIL", "NAME", "AUTO-LINK", "SHARING", "CREATE-PERSONS")
			for _, u := range users {
				t.row(itoa(u.ID), u.Email, u.Name, onOff(u.Settings.AutoLink), sharing(u.Settings.DefaultShared), onOff(u.Settings.CreatePersons))
			}
			app.printTable(t)
			return nil
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func sharing(shared bool) string {
	if shared {
		return "shared"
	}
	return "private"
}
