// Package sqlcond renders a search query tree (package search) as a SQL
// condition on messages m. The structure of the tree (AND, OR, NOT, links,
// dates, attachments) is the same SQL on every backend; what differs, the
// full-text match and how a time is bound, each backend gives in a Dialect.
package sqlcond

import (
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

// MessageDate is the date a message sorts and filters by.
const MessageDate = `coalesce(m.date, m.received_at)`

// Dialect is what a backend renders itself.
type Dialect struct {
	// FullText renders a node that the backend's full-text index answers
	// as a whole (ok false: render its structure). It is asked first, for
	// every node, and must answer every *search.Text.
	FullText func(search.Node) (sql string, args []any, ok bool)
	// Time is a time as the backend binds it.
	Time func(time.Time) any
	// True is the backend's condition that always holds.
	True string
}

// Render renders n as a condition on messages m, with its arguments.
func Render(n search.Node, d Dialect) (string, []any, error) {
	if sql, args, ok := d.FullText(n); ok {
		return sql, args, nil
	}
	switch n := n.(type) {
	case *search.And, *search.Or:
		nodes, op := []search.Node(nil), " AND "
		if a, ok := n.(*search.And); ok {
			nodes = a.Nodes
		} else {
			nodes, op = n.(*search.Or).Nodes, " OR "
		}
		var parts []string
		var args []any
		for _, c := range nodes {
			sql, a, err := Render(c, d)
			if err != nil {
				return "", nil, err
			}
			parts = append(parts, sql)
			args = append(args, a...)
		}
		return "(" + strings.Join(parts, op) + ")", args, nil
	case *search.Not:
		sql, args, err := Render(n.Node, d)
		if err != nil {
			return "", nil, err
		}
		return "NOT " + sql, args, nil
	case *search.Linked:
		if n.ID <= 0 {
			// person:ADDRESS whose person was not looked up: matching
			// nothing would hide the caller's mistake.
			return "", nil, store.Errorf(store.EInternal, "search: %s was not resolved to an id", n)
		}
		return `EXISTS (SELECT 1 FROM links l WHERE l.message_id = m.id AND l.kind = ? AND l.item_id = ?)`,
			[]any{n.Kind, n.ID}, nil
	case *search.DateRange:
		var parts []string
		var args []any
		if !n.Since.IsZero() {
			parts = append(parts, MessageDate+` >= ?`)
			args = append(args, d.Time(n.Since))
		}
		if !n.Until.IsZero() {
			parts = append(parts, MessageDate+` < ?`)
			args = append(args, d.Time(n.Until))
		}
		if len(parts) == 0 {
			return d.True, nil, nil
		}
		return "(" + strings.Join(parts, " AND ") + ")", args, nil
	case *search.HasAttachment:
		return `EXISTS (SELECT 1 FROM attachments a WHERE a.message_id = m.id)`, nil, nil
	}
	return "", nil, store.Errorf(store.EInternal, "search: cannot translate %T", n)
}
