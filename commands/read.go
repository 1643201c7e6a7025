package commands

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
)

func jsonLine(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

func messageEntries(tx store.Tx, msgs []store.Message) ([]messageEntry, error) {
	return newNames(tx).messageEntries(msgs)
}

// printMessageTable prints messages as a table: the owner of each (a
// listing may hold several users' mail), the subject in its original
// case, and the links with their names.
func printMessageTable(app *App, entries []messageEntry) {
	if len(entries) == 0 {
		return
	}
	t := newTable("ID", "DATE", "OWNER", "FROM", "SUBJECT", "LINKS", "SHARING")
	for _, e := range entries {
		// The name people know the sender by; the address when there is
		// none (show has both).
		from := string(e.FromName)
		if from == "" {
			from = string(e.From)
		}
		t.row(itoa(e.ID), app.tableTime(time.Time(e.Date)), e.Owner.Email, from, string(e.Subject),
			strings.Join(e.linkNames, ", "), sharing(e.Shared))
	}
	app.printTable(t)
}

type inboxOptions struct {
	user     string
	item     string
	person   int64
	unlinked bool
	limit    int
}

func parseItemRef(s string) (store.ItemKind, int64, error) {
	kind, id, ok := strings.Cut(s, ":")
	k := store.ItemKind(kind)
	if !ok || !k.Valid() {
		return "", 0, store.Errorf(store.EInvalid, "invalid item %q: want deal:ID, lead:ID, project:ID or person:ID", s)
	}
	n, err := parseID(kind, id)
	return k, n, err
}

func newInboxCmd(app *App) *cobra.Command {
	var opts inboxOptions
	cmd := &cobra.Command{
		Use:   "inbox --user U [--item deal:ID] [--person ID] [--unlinked]",
		Short: "List the messages a user may see, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := store.MessageQuery{Unlinked: opts.unlinked, Limit: opts.limit}
			if opts.item != "" {
				k, id, err := parseItemRef(opts.item)
				if err != nil {
					return err
				}
				q.ItemKind, q.ItemID = k, id
			}
			if opts.person != 0 {
				q.ItemKind, q.ItemID = store.KindPerson, opts.person
			}
			return listMessages(cmd, app, opts.user, q)
		},
	}
	cmd.Flags().StringVar(&opts.user, "user", "", "whose inbox (default: --as, or everything for the administrator)")
	cmd.Flags().StringVar(&opts.item, "item", "", "only messages linked to this item (deal:ID, lead:ID, project:ID, person:ID)")
	cmd.Flags().Int64Var(&opts.person, "person", 0, "only messages linked to this person")
	cmd.Flags().BoolVar(&opts.unlinked, "unlinked", false, "only messages linked to nothing")
	cmd.Flags().IntVar(&opts.limit, "limit", 0, "at most this many messages")
	return cmd
}

// listMessages lists what the viewer may see. --user names whose mail to
// read; with --as (or without) the permission rule is the actor's.
func listMessages(cmd *cobra.Command, app *App, userRef string, q store.MessageQuery) error {
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	if app.JSON {
		// Streamed a page of rows at a time: memory does not grow with
		// the mailbox.
		out := app.jsonArray()
		err := st.View(cmd.Context(), func(tx store.Tx) error {
			viewer, _, err := app.readingAs(tx, userRef)
			if err != nil {
				return err
			}
			q.Viewer = viewer
			names := newNames(tx)
			return store.EachMessage(tx, q, 0, func(m *store.Message) error {
				e, err := names.messageEntry(m)
				if err != nil {
					return err
				}
				return out.Add(e)
			})
		})
		if err != nil {
			return err
		}
		return out.Close()
	}
	var entries []messageEntry
	err = st.View(cmd.Context(), func(tx store.Tx) error {
		viewer, _, err := app.readingAs(tx, userRef)
		if err != nil {
			return err
		}
		q.Viewer = viewer
		msgs, err := tx.ListMessages(q)
		if err != nil {
			return err
		}
		entries, err = messageEntries(tx, msgs)
		return err
	})
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		app.printf("no messages\n")
		return nil
	}
	printMessageTable(app, entries)
	return nil
}

func newSearchCmd(app *App) *cobra.Command {
	var user string
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY --user U",
		Short: "Full-text search over subject, participants and body (prefix* and \"phrase\")",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return listMessages(cmd, app, user, store.MessageQuery{Search: strings.Join(args, " "), Limit: limit})
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "search what this user may see")
	cmd.Flags().IntVar(&limit, "limit", 100, "at most this many results")
	return cmd
}

// visibleMessage loads a message the actor may see. A private message of
// another user is reported as not found, not as forbidden, so that ids
// reveal nothing.
func visibleMessage(tx store.Tx, app *App, id int64) (*store.Message, *store.User, error) {
	actor, err := app.actor(tx)
	if err != nil {
		return nil, nil, err
	}
	m, err := tx.Message(id)
	if err != nil {
		return nil, nil, err
	}
	if actor != nil && m.OwnerID != actor.ID && !m.Shared {
		return nil, nil, store.Errorf(store.ENotFound, "no such message %d", id)
	}
	return m, actor, nil
}
