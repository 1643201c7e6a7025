package commands

import (
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
)

func newShowCmd(app *App) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "show ID [--raw]",
		Short: "Show a message: headers, authentication, links, attachments",
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
			var d messageDetail
			var rawBytes []byte
			err = st.View(cmd.Context(), func(tx store.Tx) error {
				m, _, err := visibleMessage(tx, app, id)
				if err != nil {
					return err
				}
				if raw {
					rawBytes, err = tx.MessageRaw(id)
					return err
				}
				d, err = newNames(tx).messageDetail(m)
				return err
			})
			if err != nil {
				return err
			}
			if raw {
				_, err := app.IO.Out.Write(rawBytes)
				return err
			}
			if app.JSON {
				return app.printJSON(d)
			}
			printMessageDetail(app, d)
			return nil
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the stored bytes exactly as received")
	return cmd
}

func printMessageDetail(app *App, d messageDetail) {
	app.printf("Message %d %s\n", d.ID, displayID(string(d.MessageID)))
	app.printf("Owner:    %s (%s)\n", d.Owner.Email, sharing(d.Shared))
	app.printf("Date:     %s\n", rfc3339(time.Time(d.Date)))
	app.printf("Subject:  %s\n", d.Subject)
	for _, p := range d.Participants {
		if p.Name != "" {
			app.printf("%-9s %s <%s>\n", strings.ToUpper(p.Role[:1])+strings.ReplaceAll(p.Role[1:], "_", "-")+":", string(p.Name), p.Email)
		} else {
			app.printf("%-9s %s\n", strings.ToUpper(p.Role[:1])+strings.ReplaceAll(p.Role[1:], "_", "-")+":", p.Email)
		}
	}
	if d.ForwardedBy != "" {
		app.printf("Forwarded by: %s\n", d.ForwardedBy)
	}
	app.printf("Thread:   %d\n", d.ThreadID)
	app.printf("Auth:     mode=%s dkim=%s spf=%s dmarc=%s aligned=%v\n", d.Auth.Mode, d.Auth.DKIM, d.Auth.SPF, d.Auth.DMARC, d.Auth.Aligned)
	for _, s := range d.Auth.Signatures {
		app.printf("  dkim d=%s s=%s: %s aligned=%v %s\n", s.Domain, s.Selector, s.Result, s.Aligned, string(s.Reason))
	}
	for _, l := range d.Links {
		app.printf("Link:     %s %d (%s)\n", l.Kind, l.ID, l.How)
	}
	for _, a := range d.Attachments {
		app.printf("Attachment: %s (%s, %d bytes, sha256 %s)\n", string(a.Name), a.ContentType, a.Size, a.SHA256)
	}
	app.printf("\n%s\n", strings.TrimRight(d.Text, "\n"))
}

func newThreadCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "thread ID",
		Short: "Show a conversation in order (the messages you may see)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("thread", args[0])
			if err != nil {
				return err
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var out threadOut
			err = st.View(cmd.Context(), func(tx store.Tx) error {
				viewer, err := app.viewerID(tx)
				if err != nil {
					return err
				}
				th, err := tx.Thread(id)
				if err != nil {
					return err
				}
				msgs, err := tx.ListMessages(store.MessageQuery{Viewer: viewer, ThreadID: id, Oldest: true})
				if err != nil {
					return err
				}
				if len(msgs) == 0 {
					return store.Errorf(store.ENotFound, "no such thread %d", id)
				}
				n := newNames(tx)
				out = threadOut{ID: th.ID, Subject: nullString(th.Subject), Items: []itemRef{}}
				for _, k := range store.ItemKinds {
					if id := th.ItemID(k); id != 0 {
						r, err := n.ref(k, id)
						if err != nil {
							return err
						}
						out.Items = append(out.Items, r)
					}
				}
				out.Messages, err = n.messageEntries(msgs)
				return err
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(out)
			}
			app.printf("Thread %d: %s\n", out.ID, string(out.Subject))
			for _, r := range out.Items {
				app.printf("Belongs to %s %d %q\n", r.Kind, r.ID, r.Title)
			}
			printMessageTable(app, out.Messages)
			return nil
		},
	}
}
