package storetest

import (
	"reflect"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

func (s suite) testSearch(t *testing.T) {
	if s.b.Name == "postgres" {
		// The query language is moving from FTS5's syntax to store/search's
		// own tree, which the PostgreSQL backend renders; until it lands
		// PostgreSQL understands words, addresses and prefix* only.
		t.Skip("FTS5 query syntax is SQLite's own")
	}
	f := s.newFixture(t)
	widgets := message(f.ann.ID, f.thread.ID, "w@x", "Quote for 200 widgets")
	widgets.TextBody = "Please find the price list attached. Delivery in March."
	widgets.Shared = true
	gadgets := message(f.ann.ID, f.thread.ID, "g@x", "Gadgets")
	gadgets.TextBody = "The widget price went up; 200 gadgets are cheaper."
	gadgets.Participants = []store.Participant{{Role: store.RoleTo, Name: "Carol Crème", Email: "carol@supplier.example"}}
	danMail := message(f.dan.ID, f.thread.ID, "d@x", "Internal note")
	danMail.TextBody = "widgets margin is confidential"
	// A customer's mail Ann forwarded, with her note above it.
	forwarded := message(f.ann.ID, f.thread.ID, "fw@x", "Delivery dates")
	forwarded.TextBody = "We need the delivery by Friday."
	forwarded.ForwardedBy, forwarded.ForwardNote = "ann@acme.example", "Can you call him back? He sounded urgent."
	forwarded.Participants = []store.Participant{{Role: store.RoleFrom, Name: "Dave Customer", Email: "dave@customer.example"}}
	f.insert(t, widgets, gadgets, danMail, forwarded)
	w, g, d, fw := widgets.ID, gadgets.ID, danMail.ID, forwarded.ID

	tests := []struct {
		q      string
		viewer int64
		want   []int64
	}{
		{"widgets", 0, []int64{d, w}},
		{"widget*", 0, []int64{d, g, w}},
		{`"200 widgets"`, 0, []int64{w}},
		{`"price list"`, 0, []int64{w}},
		{"price NOT list", 0, []int64{g}},
		{"bob", 0, []int64{d, w}},                  // participant name
		{"bob@customer.example", 0, []int64{d, w}}, // address as typed
		{"carol@supplier.example", 0, []int64{g}},  // another address
		{"(carol@supplier.example OR margin)", 0, []int64{d, g}},
		{"creme", 0, []int64{g}},             // diacritics folded
		{"subject: gadgets", 0, []int64{g}},  // column filter
		{"widgets", f.ann.ID, []int64{w}},    // dan's private mail hidden
		{"widgets", f.dan.ID, []int64{d, w}}, // ann's shared mail visible
		{"zebra", 0, []int64{}},
		{"urgent", 0, []int64{fw}},               // the forwarding user's note
		{`"call him back"`, 0, []int64{fw}},      // as a phrase
		{"friday urgent", f.ann.ID, []int64{fw}}, // body and note together
	}
	view(t, f.db, func(tx store.Tx) error {
		for _, tc := range tests {
			got, err := tx.ListMessages(store.MessageQuery{Search: tc.q, Viewer: tc.viewer})
			if err != nil {
				t.Errorf("search %q: %v", tc.q, err)
				continue
			}
			if !reflect.DeepEqual(ids(got), tc.want) {
				t.Errorf("search %q as %d = %v, want %v", tc.q, tc.viewer, ids(got), tc.want)
			}
		}
		return nil
	})
	for _, bad := range []string{`"unterminated`, "AND", "widgets AND", "nosuchcolumn: x", "(widgets"} {
		err := f.db.View(ctxb, func(tx store.Tx) error {
			_, err := tx.ListMessages(store.MessageQuery{Search: bad})
			return err
		})
		wantCode(t, "malformed search "+bad, err, store.EInvalid)
	}
}
