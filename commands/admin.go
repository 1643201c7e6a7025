package commands

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

// requireAdmin refuses administrator commands run --as a user.
func requireAdmin(app *App, what string) error {
	if app.As != "" {
		return store.Errorf(store.EPermission, "%s is for the administrator; run it without --as", what)
	}
	return nil
}

// sinceFlag reads --since as rejected and quarantine list take it: from
// the start of T on (zero when not given).
func sinceFlag(app *App, since string) (time.Time, error) {
	if since == "" {
		return time.Time{}, nil
	}
	t, _, err := search.ParseTime(since, app.searchOptions())
	if err != nil {
		return time.Time{}, usageErrorf("--since: %v", err)
	}
	return t, nil
}

func newRejectedCmd(app *App) *cobra.Command {
	var since, reason string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "rejected [--since T] [--reason WORD] [--limit N] [--offset N]",
		Short: "List refused mail with the reason (administrator)",
		Long: `Lists refused mail, newest first, with the reason. --reason keeps one
reason (auth_failed, unknown_sender, ...). --limit N shows the N most
recent, --offset N skips the N most recent: pages go back in time, as
inbox's do.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireAdmin(app, "rejected"); err != nil {
				return err
			}
			t, err := sinceFlag(app, since)
			if err != nil {
				return err
			}
			if err := page.check(); err != nil {
				return err
			}
			reason = strings.TrimSpace(reason)
			if reason != "" && !slices.Contains(ingest.RejectionReasons, reason) {
				return usageErrorf("invalid --reason %q: want one of %s", reason, strings.Join(ingest.RejectionReasons, ", "))
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
			if reason != "" {
				rs = slices.DeleteFunc(rs, func(r store.Rejection) bool { return r.Reason != reason })
			}
			// Newest first, as inbox lists: what was refused last is what
			// an administrator looks for, and pages go back in time. The
			// stores list oldest first (by time, then id).
			slices.Reverse(rs)
			rs, note := pageOf(rs, page)
			if app.JSON {
				out := []rejectionOut{}
				for i := range rs {
					out = append(out, newRejectionOut(&rs[i]))
				}
				if err := app.printJSON(out); err != nil {
					return err
				}
			} else if len(rs) > 0 {
				tab := newTable("ID", "AT", "CODE", "REASON", "FROM", "SUBJECT", "DETAIL")
				for _, r := range rs {
					tab.row(itoa(r.ID), app.tableTime(r.At), r.Code, r.Reason, r.From, r.Subject, redactTokens(r.Detail))
				}
				app.printTable(tab)
			}
			printPage(app, len(rs), note, "refused mail")
			return nil
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "only since `T` (2026-01-31, 7d, 24h, yesterday, RFC 3339)")
	cmd.Flags().StringVar(&reason, "reason", "", "only mail refused for this reason (auth_failed, unknown_sender, ...)")
	page.addFor(cmd, 0, "refusals")
	return cmd
}

func newQuarantineCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{Use: "quarantine", Short: "Mail held because its sender address is not confirmed yet", Args: cobra.NoArgs}
	var all bool
	var heldSince string
	list := &cobra.Command{
		Use:   "list [--all] [--since T]",
		Short: "List held mail (administrator)",
		Long: `Lists mail held because it came from an alternate address of a user that
is not confirmed yet. Confirming the address (address verify, or a reply to
the confirmation email) releases it; quarantine drop discards it.`,
		Example: "  smartbcc quarantine list\n  smartbcc --json quarantine list --all",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireAdmin(app, "quarantine list"); err != nil {
				return err
			}
			since, err := sinceFlag(app, heldSince)
			if err != nil {
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
				// Held from the start of T on, as rejected reads --since.
				qs = slices.DeleteFunc(qs, func(q store.Quarantined) bool { return q.At.Before(since) })
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
			if len(held) == 0 {
				app.noneFound("held mail")
				return nil
			}
			t := newTable("ID", "AT", "USER", "ADDRESS", "FROM", "SUBJECT", "STATUS")
			for _, h := range held {
				status := h.Status
				if h.FiledAs != 0 {
					status = fmt.Sprintf("released as message %d", h.FiledAs)
				}
				t.row(itoa(h.ID), app.tableTime(time.Time(h.At)), h.User.Email, h.Address, string(h.From), string(h.Subject), status)
			}
			app.printTable(t)
			return nil
		},
	}
	list.Flags().BoolVar(&all, "all", false, "include released mail")
	list.Flags().StringVar(&heldSince, "since", "", "only mail held since `T` (2026-01-31, 7d, 24h, yesterday, RFC 3339)")

	var authFlag string
	release := &cobra.Command{
		Use:   "release ID [--auth MODE]",
		Short: "Ingest held mail again once its sender address is confirmed (administrator)",
		Long: `Ingests held mail again, as if it arrived now: its address must be confirmed
by now (that is checked first). Confirming an address releases its held mail
by itself; this is for mail that could not be released then (a DNS failure,
say). Mail refused again (it fails authentication now) stays held, and the
attempt records nothing: release it with --auth off if you trust it, or drop
it.`,
		Example: "  smartbcc quarantine release 4",
		Args:    cobra.ExactArgs(1),
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
			in, err := releasingIngester(app, st, mode)
			if err != nil {
				return err
			}
			res, err := in.Release(cmd.Context(), q)
			if err != nil {
				return err
			}
			switch res.Status {
			case ingest.StatusStored, ingest.StatusDuplicate:
			case ingest.StatusQuarantined:
				return store.Errorf(store.EConflict, "%s is still not confirmed; confirm it first (smartbcc address verify CODE)", q.Address)
			default:
				// It stays held, and nothing is recorded (see ingest's
				// Release): the error says why, for the administrator to
				// release it with --auth off or drop it.
				return fmt.Errorf("quarantined message %d stays held: %s", id, refusedOnRelease(res))
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

	drop := &cobra.Command{
		Use:   "drop ID",
		Short: "Discard held mail for good (administrator)",
		Long: `Discards held mail, its bytes included: for mail from an address that will
never be confirmed. Released mail is not in the quarantine any more, so it
cannot be dropped here.`,
		Example: "  smartbcc quarantine drop 4",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := requireAdmin(app, "quarantine drop"); err != nil {
				return err
			}
			id, err := parseID("quarantine", args[0])
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var out heldOut
			if err := st.Update(cmd.Context(), func(tx store.Tx) error {
				q, err := tx.Quarantine(id)
				if err != nil {
					return err
				}
				if q.Released {
					return store.Errorf(store.EConflict, "quarantined message %d was released as message %d; it is not held", id, q.FiledAs)
				}
				if out, err = newNames(tx).heldOut(q); err != nil {
					return err
				}
				out.Status = "dropped"
				return tx.DeleteQuarantined(id)
			}); err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(out)
			}
			app.printf("dropped held message %d from %s (%s)\n", out.ID, out.Address, printable(string(out.Subject), false))
			return nil
		},
	}
	cmd.AddCommand(list, release, drop)
	return cmd
}

// refusedOnRelease says why a release refused held mail: the refusal's
// detail (from its explanation) and its reason.
func refusedOnRelease(res ingest.Result) string {
	for i := len(res.Explain) - 1; i >= 0; i-- {
		if detail, ok := strings.CutPrefix(res.Explain[i], res.Reason+": "); ok {
			return fmt.Sprintf("%s on release, %s (%s)", refusedWord(res.Status), detail, res.Reason)
		}
	}
	return fmt.Sprintf("%s on release (%s)", refusedWord(res.Status), res.Reason)
}

func refusedWord(status string) string {
	if status == ingest.StatusRejected {
		return "refused"
	}
	return status
}

// releasingIngester re-ingests held mail with the given authentication.
func releasingIngester(app *App, st store.Store, mode ingest.AuthMode) (*ingest.Ingester, error) {
	var checker ingest.Authenticator
	if mode.Kind == "verify" {
		r, err := app.Resolver()
		if err != nil {
			return nil, err
		}
		checker = &auth.Checker{Resolver: r, Timeout: 20 * time.Second}
	}
	return ingest.New(ingest.Options{Store: st, Auth: checker, AuthMode: mode, Source: store.SourcePipe, Releasing: true, Now: app.Now}), nil
}
