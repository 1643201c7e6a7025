package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// The listings that run once per message or once per page must seek an
// index, never scan the messages: ingest looks a Message-ID up for every
// new message, and export pages through the whole store with After. A scan
// there makes an import or an export quadratic in the store's size.
func TestListQueryPlans(t *testing.T) {
	db := openTest(t)
	after := &store.MessageCursor{Sort: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), ID: 7}
	const byMessageID = "SEARCH r USING INDEX message_refs_msgid (msgid=?)"
	for name, tc := range map[string]struct {
		q    store.MessageQuery
		seek string // a step the plan must have
	}{
		"Message-ID of an owner":         {store.MessageQuery{Owner: 1, MessageID: "a@b", Oldest: true, Limit: 50}, byMessageID},
		"Message-ID a viewer may see":    {store.MessageQuery{Viewer: 1, MessageID: "a@b", Oldest: true, Limit: 100}, byMessageID},
		"a page after a cursor":          {store.MessageQuery{Oldest: true, After: after, Limit: 500}, "messages_sort (<expr>>?)"},
		"a page after a cursor, newest":  {store.MessageQuery{After: after, Limit: 500}, "messages_sort (<expr><?)"},
		"a viewer's page after a cursor": {store.MessageQuery{Viewer: 1, Oldest: true, After: after, Limit: 500}, "messages_sort (<expr>>?)"},
		"an owner's page after a cursor": {store.MessageQuery{Owner: 1, After: after, Limit: 500}, "messages_owner_sort (owner_id=? AND <expr><?)"},
	} {
		q := tc.q
		err := db.View(context.Background(), func(st store.Tx) error {
			tx := st.(*Tx)
			query, args, err := tx.listQuery(q)
			if err != nil {
				return err
			}
			rows, err := tx.query("EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					return err
				}
				plan = append(plan, detail)
			}
			seeks := false
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN m") {
					t.Errorf("%s: the plan scans the messages: %q", name, plan)
				}
				seeks = seeks || strings.Contains(step, tc.seek)
			}
			if !seeks {
				t.Errorf("%s: the plan %q does not seek %q", name, plan, tc.seek)
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
