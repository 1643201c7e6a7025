package sqlite

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

// A batch that links each message's new thread to a deal (an UPDATE that
// opens a statement journal, at which FTS4 writes out the terms it holds)
// still adds one segment to the full-text index per commit, and its
// messages are found, also by a search in the same transaction.
func TestIndexOneSegmentPerCommit(t *testing.T) {
	db := openTest(t)
	const n = 6
	var ids []int64
	update(t, db, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		u, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		deal := &store.Item{Kind: store.KindDeal, Title: "Widgets", OwnerID: u.ID}
		if err := tx.CreateItem(deal); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			th := &store.Thread{Subject: fmt.Sprintf("order %d", i)}
			if err := tx.CreateThread(th); err != nil {
				return err
			}
			m := message(u.ID, th.ID, fmt.Sprintf("%d@bulk.example", i), th.Subject)
			m.TextBody = fmt.Sprintf("the quote for widgets number%d", i)
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
			ids = append(ids, m.ID)
			if err := tx.SetThreadItem(th.ID, store.KindDeal, deal.ID); err != nil {
				return err
			}
		}
		// The transaction's own messages are in the index already.
		got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("number3")})
		if err != nil {
			return err
		}
		if want := []int64{ids[3]}; !reflect.DeepEqual(msgIDs(got), want) {
			t.Errorf("search in the transaction: %v, want %v", msgIDs(got), want)
		}
		return nil
	})
	var segments int
	if err := db.writer.QueryRow(`SELECT count(*) FROM message_fts_segdir`).Scan(&segments); err != nil {
		t.Fatal(err)
	}
	if segments != 1 {
		t.Errorf("%d segments in the full-text index after one commit, want 1", segments)
	}
	view(t, db, func(tx store.Tx) error {
		for i, id := range ids {
			q := fmt.Sprintf("widgets number%d", i)
			got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse(q)})
			if err != nil || !reflect.DeepEqual(msgIDs(got), []int64{id}) {
				t.Errorf("%q = %v, %v; want [%d]", q, msgIDs(got), err, id)
			}
		}
		return nil
	})
}

// A message deleted in the transaction that inserted it leaves no entry
// in the full-text index behind.
func TestIndexPendingThenDeleted(t *testing.T) {
	db := openTest(t)
	update(t, db, func(tx store.Tx) error {
		u, th, err := seedAnn(tx)
		if err != nil {
			return err
		}
		m := message(u.ID, th.ID, "gone@bulk.example", "Gone")
		if err := tx.InsertMessage(m); err != nil {
			return err
		}
		_, err = tx.(*Tx).exec(`DELETE FROM messages WHERE id = ?`, m.ID)
		return err
	})
	var entries int
	if err := db.writer.QueryRow(`SELECT count(*) FROM message_fts`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if entries != 0 {
		t.Errorf("%d full-text entries after the message was deleted, want 0", entries)
	}
}
