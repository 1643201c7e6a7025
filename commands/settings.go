package commands

import (
	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
)

func newSettingsCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "settings", Short: "Show or change a user's mail-sync settings", Args: cobra.NoArgs}
	var userRef string
	show := &cobra.Command{
		Use:   "show [--user U]",
		Short: "Show a user's settings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var u *store.User
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				u, err = app.userForChange(tx, userRef)
				return err
			}); err != nil {
				return err
			}
			return printSettings(app, u)
		},
	}
	show.Flags().StringVar(&userRef, "user", "", "the `user` (email or id); with --as, that user")

	var setUser string
	set := &cobra.Command{
		Use:   "set [--user U] (auto-link on|off | default-sharing private|shared | create-persons on|off)",
		Short: "Change one setting",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var u *store.User
			err = st.Update(cmd.Context(), func(tx store.Tx) error {
				if u, err = app.userForChange(tx, setUser); err != nil {
					return err
				}
				if err := applySetting(&u.Settings, args[0], args[1]); err != nil {
					return err
				}
				return tx.UpdateSettings(u.ID, u.Settings)
			})
			if err != nil {
				return err
			}
			return printSettings(app, u)
		},
	}
	set.Flags().StringVar(&setUser, "user", "", "the `user` (email or id); with --as, that user")
	cmd.AddCommand(show, set)
	return cmd
}

func applySetting(s *store.Settings, name, value string) error {
	onOffValue := func() (bool, error) {
		switch value {
		case "on", "true", "yes":
			return true, nil
		case "off", "false", "no":
			return false, nil
		}
		return false, store.Errorf(store.EInvalid, "invalid value %q for %s: want on or off", value, name)
	}
	var err error
	switch name {
	case "auto-link":
		s.AutoLink, err = onOffValue()
	case "create-persons":
		s.CreatePersons, err = onOffValue()
	case "default-sharing":
		switch value {
		case "private":
			s.DefaultShared = false
		case "shared":
			s.DefaultShared = true
		default:
			err = store.Errorf(store.EInvalid, "invalid value %q for default-sharing: want private or shared", value)
		}
	default:
		err = store.Errorf(store.EInvalid, "unknown setting %q: want auto-link, default-sharing or create-persons", name)
	}
	return err
}

func printSettings(app *App, u *store.User) error {
	if app.JSON {
		return app.printJSON(settingsReport{User: userRef{ID: u.ID, Email: u.Email}, Settings: newSettingsOut(u.Settings)})
	}
	app.printf("user: %s\nauto-link: %s\ndefault-sharing: %s\ncreate-persons: %s\n",
		u.Email, onOff(u.Settings.AutoLink), sharing(u.Settings.DefaultShared), onOff(u.Settings.CreatePersons))
	return nil
}
