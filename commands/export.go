package commands

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/store"
)

func newExportCmd(app *App) *cobra.Command {
	var user, format string
	cmd := &cobra.Command{
		Use:   "export --user U --format mbox|eml DIR",
		Short: "Write the messages a user may see as one mboxrd file or .eml files",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "mbox" && format != "eml" {
				return store.Errorf(store.EInvalid, "invalid --format %q: want mbox or eml", format)
			}
			dir := args[0]
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return store.Errorf(store.EInvalid, "cannot create %s: %v", dir, err)
			}
			st, err := app.Store(cmd.Context())
			if err != nil {
				return err
			}
			var written int
			var out string
			err = st.View(cmd.Context(), func(tx store.Tx) error {
				viewer, u, err := app.readingAs(tx, user)
				if err != nil {
					return err
				}
				name := "all"
				if u != nil {
					name = u.Email
				} else if actor, _ := app.actor(tx); actor != nil {
					name = actor.Email
				}
				msgs, err := tx.ListMessages(store.MessageQuery{Viewer: viewer, Oldest: true})
				if err != nil {
					return err
				}
				msgs = oneCopyEach(msgs, viewer)
				if format == "eml" {
					out = dir
					for _, m := range msgs {
						raw, err := tx.MessageRaw(m.ID)
						if err != nil {
							return err
						}
						if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%06d.eml", m.ID)), raw, 0o600); err != nil {
							return store.Errorf(store.EUnavailable, "writing %s: %v", dir, err)
						}
						written++
					}
					return nil
				}
				out = filepath.Join(dir, name+".mbox")
				f, err := os.OpenFile(out, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
				if err != nil {
					return store.Errorf(store.EInvalid, "cannot write %s: %v", out, err)
				}
				defer f.Close()
				bw := bufio.NewWriterSize(f, 1<<20)
				w := mailfile.NewMboxWriter(bw)
				for _, m := range msgs {
					raw, err := tx.MessageRaw(m.ID)
					if err != nil {
						return err
					}
					sender := m.Envelope.Sender
					if sender == "" {
						sender = m.FromEmail
					}
					if err := w.Write(sender, m.Date, raw); err != nil {
						return store.Errorf(store.EUnavailable, "writing %s: %v", out, err)
					}
					written++
				}
				if err := bw.Flush(); err != nil {
					return store.Errorf(store.EUnavailable, "writing %s: %v", out, err)
				}
				return f.Sync()
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(exportReport{Format: format, Path: out, Messages: written})
			}
			app.printf("exported %d messages to %s\n", written, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "export what this user may see")
	cmd.Flags().StringVar(&format, "format", "mbox", "mbox (mboxrd) or eml")
	return cmd
}

// exportReport is what export prints: where the messages went.
type exportReport struct {
	Format   string `json:"format"`
	Path     string `json:"path"`
	Messages int    `json:"messages"`
}

// oneCopyEach keeps one message per Message-ID: when two users filed the
// same mail and the viewer sees both copies, the viewer's own is kept, so
// that re-importing the export gives the same messages.
func oneCopyEach(msgs []store.Message, viewer int64) []store.Message {
	keep := map[string]int{} // Message-ID -> index in out
	var out []store.Message
	for _, m := range msgs {
		if m.MessageID == "" {
			out = append(out, m)
			continue
		}
		i, seen := keep[m.MessageID]
		switch {
		case !seen:
			keep[m.MessageID] = len(out)
			out = append(out, m)
		case m.OwnerID == viewer && out[i].OwnerID != viewer:
			out[i] = m
		}
	}
	return out
}
