package commands

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/store"
)

// requireAdmin refuses administrator commands run --as a user.
func requireAdmin(app *App, what string) error {
	if app.As != "" {
		return store.Errorf(store.EPermission, "%s is for the administrator; run it without --as", what)
	}
	return nil
}

func newRejectedCmd(app *App) *cobra.Command {
	var since string
	cmd := &cobra.Command{
		Use:   "rejected [--since T]",
		Short: "List refused mail with the reason (administrator)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireAdmin(app, "rejected"); err != nil {
				return err
			}
			var t time.Time
			if since != "" {
				var err error
				if t, err = parseSince(since, app.Now()); err != nil {
					return err
				}
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var rs []store.Rejection
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				rs, err = tx.Rejections(t)
				return err
			}); err != nil {
				return err
			}
			if app.JSON {
				out := []rejectionOut{}
				for i := range rs {
					out = append(out, newRejectionOut(&rs[i]))
				}
				return app.printJSON(out)
			}
			tw := tabwriter.NewWriter(app.IO.Out, 0, 4, 2, ' ', 0)
			defer tw.Flush()
			fmt.Fprintf(tw, "ID\tAT\tCODE\tREASON\tFROM\tSUBJECT\tDETAIL\n")
			for _, r := range rs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, rfc3339(r.At), r.Code, r.Reason, r.From, truncate(r.Subject, 40), truncate(redactTokens(r.Detail), 80))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only since this time (RFC 3339, a date, or a duration like 24h)")
	return cmd
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, store.Errorf(store.EInvalid, "invalid --since %q: want RFC 3339, YYYY-MM-DD or a duration such as 24h", s)
}

func newQuarantineCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "quarantine", Short: "Mail held because its sender address is not confirmed yet", Args: cobra.NoArgs}
	var all bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List held mail",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireAdmin(app, "quarantine list"); err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var qs []store.Quarantined
			held := []heldOut{}
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				if qs, err = tx.QuarantineList(all); err != nil {
					return err
				}
				n := newNames(tx)
				for i := range qs {
					h, err := n.heldOut(&qs[i])
					if err != nil {
						return err
					}
					held = append(held, h)
				}
				return nil
			}); err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(held)
			}
			tw := tabwriter.NewWriter(app.IO.Out, 0, 4, 2, ' ', 0)
			defer tw.Flush()
			fmt.Fprintf(tw, "ID\tAT\tADDRESS\tSUBJECT\tRELEASED\n")
			for _, q := range qs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\n", q.ID, rfc3339(q.At), q.Address, truncate(q.Subject, 50), q.Released)
			}
			return nil
		},
	}
	list.Flags().BoolVar(&all, "all", false, "include released mail")

	var authFlag string
	release := &cobra.Command{
		Use:   "release ID",
		Short: "Ingest held mail again (after its sender address was confirmed)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireAdmin(app, "quarantine release"); err != nil {
				return err
			}
			id, err := parseID("quarantine", args[0])
			if err != nil {
				return err
			}
			mode, err := ingest.ParseAuthMode(authFlag)
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var q *store.Quarantined
			if err := st.View(cmd.Context(), func(tx store.Tx) error {
				q, err = tx.Quarantine(id)
				return err
			}); err != nil {
				return err
			}
			if q.Released {
				return store.Errorf(store.EConflict, "quarantined message %d was already released as message %d", id, q.FiledAs)
			}
			var checker ingest.Authenticator
			if mode.Kind == "verify" {
				r, err := app.Resolver()
				if err != nil {
					return err
				}
				checker = &auth.Checker{Resolver: r, Timeout: 20 * time.Second}
			}
			in := ingest.New(ingest.Options{Store: st, Auth: checker, AuthMode: mode, Source: store.SourcePipe, Releasing: true, Now: app.Now})
			res, err := in.Ingest(cmd.Context(), ingest.Delivery{Raw: q.Raw, Envelope: q.Envelope, Origin: fmt.Sprintf("quarantine:%d", id)})
			if err != nil {
				return err
			}
			switch res.Status {
			case ingest.StatusStored, ingest.StatusDuplicate:
				if err := st.Update(cmd.Context(), func(tx store.Tx) error {
					return tx.MarkReleased(id, res.ID, app.Now())
				}); err != nil {
					return err
				}
			case ingest.StatusQuarantined:
				return store.Errorf(store.EInvalid, "%s is still not confirmed; confirm it first (smartbcc address verify CODE)", q.Address)
			default:
				return store.Errorf(store.EInvalid, "quarantined message %d was %s on release: %s", id, res.Status, res.Reason)
			}
			if app.JSON {
				users, err := userDirectory(cmd.Context(), st)
				if err != nil {
					return err
				}
				return app.printJSON(newIngestLine(res, users))
			}
			app.printf("released quarantined message %d: %s as message %d\n", id, res.Status, res.ID)
			return nil
		},
	}
	release.Flags().StringVar(&authFlag, "auth", "verify", "verify, trust-authres=ID or off (a held message is checked again)")
	cmd.AddCommand(list, release)
	return cmd
}
