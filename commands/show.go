package commands

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/ingest/subject"
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
			if raw && app.JSON {
				return usageErrorf("--raw prints the message's bytes, where --json would go: give one of the two")
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

// printMessageDetail prints a message for people. Everything that came
// with the mail (headers, names, the body) goes through printable, so that
// no control sequence of the sender's reaches the terminal; --raw is the
// way to the bytes as received.
func printMessageDetail(app *App, d messageDetail) {
	line := func(label, value string) {
		app.printf("%-9s %s\n", label+":", printable(value, false))
	}
	app.printf("Message %d %s\n", d.ID, printable(displayID(string(d.MessageID)), false))
	app.printf("Owner:    %s (%s)\n", d.Owner.Email, sharing(d.Shared))
	app.printf("Date:     %s\n", app.longTime(time.Time(d.Date)))
	line("Subject", string(d.Subject))
	for _, p := range d.Participants {
		label := strings.ToUpper(p.Role[:1]) + strings.ReplaceAll(p.Role[1:], "_", "-")
		switch {
		case p.Email == "":
			// Known only by a name or text in which no address could be
			// read (a forward's "Ann Seller/Sales/Acme", "Bob <bob@>"):
			// said so, not dressed as an address.
			line(label, string(p.Name)+" (no address)")
		case p.Name != "":
			line(label, string(p.Name)+" <"+string(p.Email)+">")
		default:
			line(label, string(p.Email))
		}
	}
	if d.ForwardedBy != "" {
		if at := time.Time(d.ForwardedAt); !at.IsZero() {
			app.printf("Forwarded by: %s on %s\n", d.ForwardedBy, app.longTime(at))
		} else {
			app.printf("Forwarded by: %s\n", d.ForwardedBy)
		}
	}
	app.printf("Thread:   %d\n", d.ThreadID)
	app.printf("Auth:     mode=%s dkim=%s spf=%s dmarc=%s aligned=%v\n", d.Auth.Mode, d.Auth.DKIM, d.Auth.SPF, d.Auth.DMARC, d.Auth.Aligned)
	for _, s := range d.Auth.Signatures {
		app.printf("  dkim d=%s s=%s: %s aligned=%v %s\n", printable(s.Domain, false), printable(s.Selector, false), s.Result, s.Aligned,
			printable(string(s.Reason), false))
	}
	for i, l := range d.Links {
		name := fmt.Sprintf("%s %d", l.Kind, l.ID)
		if i < len(d.linkNames) {
			name = d.linkNames[i]
		}
		app.printf("Link:     %s (%s)\n", printable(name, false), l.How)
	}
	for _, a := range d.Attachments {
		app.printf("Attachment: %s (%s, %d bytes, sha256 %s)\n", printable(string(a.Name), false), printable(a.ContentType, false), a.Size, a.SHA256)
	}
	// The forwarding user's note is hers, not the customer's: it stands
	// apart, before the customer's text.
	if d.ForwardNote != "" {
		app.printf("\nNote from %s:\n", d.ForwardedBy)
		for _, l := range strings.Split(strings.TrimRight(string(d.ForwardNote), "\r\n"), "\n") {
			app.printf("  | %s\n", printable(l, false))
		}
		app.printf("\nForwarded message from %s:\n", d.From)
	}
	app.printf("\n%s\n", printable(strings.TrimRight(d.Text, "\r\n"), true))
}

func newThreadCmd(app *App) *cobra.Command {
	var byMessage bool
	cmd := &cobra.Command{
		Use:   "thread (ID | MESSAGE-ID | --message ID)",
		Short: "Show a conversation in order (the messages you may see)",
		Long: `Shows a conversation, oldest first: the messages of it you may see, and the
deal, lead and project it belongs to. Name it by its thread id (show
prints it), by the Message-ID of one of its messages (<abc@host> or
abc@host), or by the id of one of its messages with --message.`,
		Example: `  smartbcc thread 4
  smartbcc thread '<CAF1x2y3@mail.example.com>'
  smartbcc thread --message 12`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
				th, err := findThread(tx, app, args[0], byMessage)
				if err != nil {
					return err
				}
				msgs, err := tx.ListMessages(store.MessageQuery{Viewer: viewer, ThreadID: th.ID, Oldest: true})
				if err != nil {
					return err
				}
				if len(msgs) == 0 {
					return store.Errorf(store.ENotFound, "no such thread %s", args[0])
				}
				n := newNames(tx)
				// The subject people wrote, from the first message they
				// may see, without Re: and Fwd: (the thread keeps only a
				// lower-cased key).
				out = threadOut{ID: th.ID, Subject: nullString(subject.StripPrefixes(msgs[0].Subject)), Items: []itemRef{}}
				out.Messages, err = n.messageEntries(msgs)
				if err != nil {
					return err
				}
				for _, k := range store.ItemKinds {
					// A user sees the thread's item only through a message
					// of it she may see that is linked to it: the thread's
					// item may have come from another user's private mail.
					if id := th.ItemID(k); id != 0 && (viewer == 0 || linkedTo(out.Messages, k, id)) {
						r, err := n.ref(k, id)
						if err != nil {
							return err
						}
						out.Items = append(out.Items, r)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			if app.JSON {
				return app.printJSON(out)
			}
			app.printf("Thread %d: %s\n", out.ID, printable(string(out.Subject), false))
			for _, r := range out.Items {
				app.printf("Belongs to %s\n", printable(r.label(), false))
			}
			printMessageTable(app, out.Messages)
			return nil
		},
	}
	cmd.Flags().BoolVar(&byMessage, "message", false, "ID is a message's id, not a thread's")
	return cmd
}

// linkedTo reports whether one of the messages is linked to the item.
func linkedTo(msgs []messageEntry, kind store.ItemKind, id int64) bool {
	for _, m := range msgs {
		for _, l := range m.Links {
			if l.Kind == kind && l.ID == id {
				return true
			}
		}
	}
	return false
}

// findThread resolves what thread was given: a thread id, a message id
// (byMessage) or a Message-ID. A message the actor may not see names no
// thread.
func findThread(tx store.Tx, app *App, ref string, byMessage bool) (*store.Thread, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case byMessage:
		id, err := parseID("message", ref)
		if err != nil {
			return nil, err
		}
		m, _, err := visibleMessage(tx, app, id)
		if err != nil {
			return nil, err
		}
		return tx.Thread(m.ThreadID)
	case strings.Contains(ref, "@"):
		mid := strings.TrimSuffix(strings.TrimPrefix(ref, "<"), ">")
		viewer, err := app.viewerID(tx)
		if err != nil {
			return nil, err
		}
		msgs, err := tx.ListMessages(store.MessageQuery{Viewer: viewer, MessageID: mid, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 {
			return nil, store.Errorf(store.ENotFound, "no message <%s>", mid)
		}
		return tx.Thread(msgs[0].ThreadID)
	}
	id, err := parseID("thread", ref)
	if err != nil {
		return nil, store.Errorf(store.EInvalid, "invalid thread %q: want a thread id, a Message-ID or --message ID", ref)
	}
	return tx.Thread(id)
}
