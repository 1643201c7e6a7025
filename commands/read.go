package commands

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
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
	person   string
	unlinked bool
	page     pageFlags
	dates    dateFlags
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

// itemFilter keeps a listing (inbox, export) to the mail linked to one
// item, --item KIND:ID, or to one person, --person ID|EMAIL: one of the
// two. What it names must exist: a filter naming nothing is not found
// (exit 3), as a script cannot tell an empty list from a typo otherwise.
type itemFilter struct{ item, person string }

// apply sets q's item to the one the filter names, once it is found.
func (f itemFilter) apply(tx store.Tx, q *store.MessageQuery) error {
	switch {
	case f.item != "":
		k, id, err := parseItemRef(f.item)
		if err != nil {
			return err
		}
		if k == store.KindPerson {
			_, err = tx.Person(id)
		} else {
			_, err = tx.Item(k, id)
		}
		if err != nil {
			return err
		}
		q.ItemKind, q.ItemID = k, id
	case f.person != "":
		p, err := findPerson(tx, f.person)
		if err != nil {
			return err
		}
		q.ItemKind, q.ItemID = store.KindPerson, p.ID
	}
	return nil
}

// resolveQuery finds what the item filters of a query name, as
// itemFilter does for --item and --person: person:ADDRESS is the person
// with that address, and a deal, lead, project or person that does not
// exist is not found (exit 3), wherever the filter stands in the query
// (deal:99 OR offer too: a typo is no empty result). search, export
// --query and link --query read a query through it.
func resolveQuery(tx store.Tx, q *search.Query) error {
	return q.Items(func(l *search.Linked) error {
		var err error
		switch {
		case l.ID == 0 && l.Email != "":
			if _, err = personEmail(l.Email); err != nil {
				return usageErrorf("person: takes a person id or address, as in person:3 or person:bob@customer.example (not %q)", l.Email)
			}
			var p *store.Person
			if p, err = findPerson(tx, l.Email); err == nil {
				l.ID = p.ID
			}
		case store.ItemKind(l.Kind) == store.KindPerson:
			_, err = tx.Person(l.ID)
		default:
			_, err = tx.Item(store.ItemKind(l.Kind), l.ID)
		}
		return err
	})
}

func newInboxCmd(app *App) *cobra.Command {
	var opts inboxOptions
	cmd := &cobra.Command{
		Use:   "inbox [--user U] [--item KIND:ID | --person ID|EMAIL] [--unlinked] [--since T] [--until T] [--limit N] [--offset N]",
		Short: "List the messages a user may see, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := store.MessageQuery{Unlinked: opts.unlinked}
			filter := itemFilter{item: opts.item, person: opts.person}
			if filter.item != "" && filter.person != "" {
				return usageErrorf("give --item or --person, not both (search '%s person:%s' finds mail linked to both)",
					refOr(filter.item, "KIND:ID"), refOr(filter.person, "ID"))
			}
			if err := opts.dates.apply(app, &q); err != nil {
				return err
			}
			if err := opts.page.apply(&q); err != nil {
				return err
			}
			return listMessages(cmd, app, opts.user, q, filter)
		},
	}
	cmd.Flags().StringVar(&opts.user, "user", "", "whose inbox (default: --as, or everything for the administrator)")
	cmd.Flags().StringVar(&opts.item, "item", "", "only messages linked to this item (deal:ID, lead:ID, project:ID, person:ID)")
	cmd.Flags().StringVar(&opts.person, "person", "", "only messages linked to this person (id or address)")
	cmd.Flags().BoolVar(&opts.unlinked, "unlinked", false, "only messages linked to nothing")
	opts.page.add(cmd, 0)
	opts.dates.add(cmd)
	return cmd
}

// refOr is ref when the query language can take it as typed (deal:3,
// lead:3, project:3, person:3, or for a person 3 or an address), else the
// placeholder: a suggestion must work when typed.
func refOr(ref, placeholder string) string {
	kind, id, ok := strings.Cut(ref, ":")
	if !ok {
		kind, id = "", ref
	}
	switch kind {
	case "", "deal", "lead", "project", "person":
	default:
		return placeholder
	}
	if (kind == "" || kind == "person") && strings.Contains(id, "@") {
		// An address is one word of the query when nothing in it ends
		// the word or quotes it, nor the shell's single quotes.
		if _, err := personEmail(id); err != nil || strings.ContainsAny(id, " \t\"'()*") {
			return placeholder
		}
		return ref
	}
	if id == "" || strings.Trim(id, "0123456789") != "" {
		return placeholder
	}
	return ref
}

// pageFlags are --limit and --offset.
type pageFlags struct{ limit, offset int }

func (p *pageFlags) add(cmd *cobra.Command, defaultLimit int) {
	p.addFor(cmd, defaultLimit, "messages")
}

// addFor adds the flags of a listing of what (messages, persons, deals).
func (p *pageFlags) addFor(cmd *cobra.Command, defaultLimit int, what string) {
	cmd.Flags().IntVar(&p.limit, "limit", defaultLimit, "at most this many "+what+" (0: all)")
	cmd.Flags().IntVar(&p.offset, "offset", 0, "skip this many "+what+" first (the next page)")
}

func (p *pageFlags) check() error {
	if err := checkLimit(p.limit); err != nil {
		return err
	}
	if p.offset < 0 {
		return usageErrorf("invalid --offset %d: want 0 or more", p.offset)
	}
	return nil
}

func (p *pageFlags) apply(q *store.MessageQuery) error {
	if err := p.check(); err != nil {
		return err
	}
	q.Limit, q.Offset = p.limit, p.offset
	return nil
}

// pageOf is the page of a listing read whole (persons, items, refused
// and held mail) that --limit and --offset ask for, and the note saying
// it is cut, as inbox and search say it ("" when it is not).
func pageOf[T any](all []T, p pageFlags) ([]T, string) {
	start := min(p.offset, len(all))
	end := len(all)
	if p.limit > 0 {
		end = min(start+p.limit, len(all))
	}
	page := all[start:end]
	total := -1
	if p.limit > 0 && len(page) == p.limit || p.offset > 0 {
		total = len(all)
	}
	return page, pageNoteOf(p.limit, p.offset, len(page), total)
}

// printPage prints a listing's page note on stderr, and when the page is
// empty and has no note, that nothing was found (what: "persons").
func printPage(app *App, shown int, note, what string) {
	if shown == 0 && note == "" && !app.JSON {
		app.noneFound(what)
	}
	if note != "" {
		fmt.Fprintln(app.IO.ErrOut, note)
	}
}

// checkLimit refuses a negative --limit, which would otherwise list
// everything: "-1" is a mistake, not "all" (that is 0).
func checkLimit(limit int) error {
	if limit < 0 {
		return usageErrorf("invalid --limit %d: want 0 (all) or more", limit)
	}
	return nil
}

// dateFlags are --since and --until, as search.ParseTime reads them:
// --since from the start of the time given, --until to the end of it (the
// whole day for a date).
type dateFlags struct{ since, until string }

func (d *dateFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&d.since, "since", "", "only messages dated from `T` on (2026-01-31, 2026-01, 7d, 24h, yesterday, RFC 3339)")
	cmd.Flags().StringVar(&d.until, "until", "", "only messages dated up to the end of `T` (a date means that whole day)")
}

func (d *dateFlags) apply(app *App, q *store.MessageQuery) error {
	opt := app.searchOptions()
	if d.since != "" {
		start, _, err := search.ParseTime(d.since, opt)
		if err != nil {
			return usageErrorf("--since: %v", err)
		}
		q.Since = start
	}
	if d.until != "" {
		_, end, err := search.ParseTime(d.until, opt)
		if err != nil {
			return usageErrorf("--until: %v", err)
		}
		q.Until = end
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return usageErrorf("--since %s is not before --until %s", d.since, d.until)
	}
	return nil
}

// searchOptions are what reading a query or a time needs: the clock and
// the zone dates are given in.
func (a *App) searchOptions() search.Options {
	return search.Options{Now: a.Now(), Location: time.Local}
}

// listMessages lists what the viewer may see. --user names whose mail to
// read; with --as (or without) the permission rule is the actor's. When a
// limit cuts the list, stderr says how many there are.
func listMessages(cmd *cobra.Command, app *App, userRef string, q store.MessageQuery, filter itemFilter) error {
	st, err := app.Store(cmd.Context())
	if err != nil {
		return err
	}
	if app.JSON {
		// Read a page of rows at a time: memory does not grow with the
		// mailbox. Printed whole at the end, or not at all on a failure.
		out := app.jsonArray()
		defer out.Discard()
		shown, total := 0, -1
		err := st.View(cmd.Context(), func(tx store.Tx) error {
			viewer, _, err := app.readingAs(tx, userRef)
			if err != nil {
				return err
			}
			q.Viewer = viewer
			if err := filter.apply(tx, &q); err != nil {
				return err
			}
			if err := resolveQuery(tx, q.Search); err != nil {
				return err
			}
			names := newNames(tx)
			err = store.EachMessage(tx, q, 0, func(m *store.Message) error {
				e, err := names.messageEntry(m)
				if err != nil {
					return err
				}
				shown++
				return out.Add(e)
			})
			if err == nil && (q.Limit > 0 && shown == q.Limit || q.Offset > 0) {
				total, err = tx.CountMessages(q)
			}
			return err
		})
		if err != nil {
			return err
		}
		if note := pageNote(q, shown, total); note != "" {
			fmt.Fprintln(app.IO.ErrOut, note)
		}
		return out.Close()
	}
	var entries []messageEntry
	total := -1
	err = st.View(cmd.Context(), func(tx store.Tx) error {
		viewer, _, err := app.readingAs(tx, userRef)
		if err != nil {
			return err
		}
		q.Viewer = viewer
		if err := filter.apply(tx, &q); err != nil {
			return err
		}
		if err := resolveQuery(tx, q.Search); err != nil {
			return err
		}
		msgs, err := tx.ListMessages(q)
		if err != nil {
			return err
		}
		if q.Limit > 0 && len(msgs) == q.Limit || q.Offset > 0 {
			if total, err = tx.CountMessages(q); err != nil {
				return err
			}
		}
		entries, err = messageEntries(tx, msgs)
		return err
	})
	if err != nil {
		return err
	}
	note := pageNote(q, len(entries), total)
	switch {
	case len(entries) > 0:
		printMessageTable(app, entries)
	case note == "":
		// (A page past the end says so in its note instead.)
		app.noneFound("messages")
	}
	if note != "" {
		fmt.Fprintln(app.IO.ErrOut, note)
	}
	return err
}

// pageNote says on stderr that a list is cut and how to see the rest:
// "100 of 437 shown; --limit 0 for all".
func pageNote(q store.MessageQuery, shown, total int) string {
	return pageNoteOf(q.Limit, q.Offset, shown, total)
}

func pageNoteOf(limit, offset, shown, total int) string {
	if total < 0 || shown+offset >= total && offset == 0 {
		return ""
	}
	switch {
	case shown == 0:
		return fmt.Sprintf("none of %d shown after --offset %d", total, offset)
	case offset == 0:
		return fmt.Sprintf("%d of %d shown; --limit 0 for all", shown, total)
	case offset+shown < total:
		return fmt.Sprintf("%d-%d of %d shown; --offset %d for the next page, --limit 0 for all", offset+1, offset+shown, total, offset+shown)
	}
	return fmt.Sprintf("%d-%d of %d shown", offset+1, offset+shown, total)
}

type searchOptions struct {
	user  string
	sort  string
	page  pageFlags
	dates dateFlags
}

func newSearchCmd(app *App) *cobra.Command {
	var opts searchOptions
	cmd := &cobra.Command{
		Use:   "search QUERY... [--user U] [--sort relevance|date] [--since T] [--until T] [--limit N] [--offset N]",
		Short: "Search subjects, senders, recipients and bodies; best matches first",
		Long: `Searches the messages a user may see. The words of QUERY are searched as
words, in any order; the query language adds "phrases", prefix*, OR, NOT or
-word, parentheses and the filters from: to: subject: body: deal: lead:
project: person: (an id or an address) after: before: has:attachment (see
docs/cli.md, "Query language"). Japanese, Chinese, Korean and Thai are
found by any part of a word. A deal, lead, project or person a filter names
must exist (exit 3 otherwise).

Results come best match first (--sort date: newest first). When --limit
cuts them, stderr says how many there are.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pq, err := search.Parse(strings.Join(args, " "), app.searchOptions())
			if err != nil {
				return usageErrorf("%v", err)
			}
			q := store.MessageQuery{Search: pq}
			switch opts.sort {
			case "relevance", "rank":
				q.Sort = store.SortRelevance
			case "date", "newest":
				q.Sort = store.SortNewest
			default:
				return usageErrorf("invalid --sort %q: want relevance or date", opts.sort)
			}
			if err := opts.dates.apply(app, &q); err != nil {
				return err
			}
			if err := opts.page.apply(&q); err != nil {
				return err
			}
			return listMessages(cmd, app, opts.user, q, itemFilter{})
		},
	}
	cmd.Flags().StringVar(&opts.user, "user", "", "search what this user may see")
	cmd.Flags().StringVar(&opts.sort, "sort", "relevance", "order: relevance (best first) or date (newest first)")
	opts.page.add(cmd, 100)
	opts.dates.add(cmd)
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
