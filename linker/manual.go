package linker

import (
	"github.com/smartbcc/smartbcc/store"
)

// Link links a message to a person, deal, lead or project by hand. For a
// deal, lead or project the whole thread follows: every message of the
// thread is linked and the thread belongs to the item from now on, so new
// messages inherit it. A thread belongs to at most one item of each kind,
// so the links to the item it belonged to before are removed.
func Link(tx store.Tx, msgID int64, kind store.ItemKind, itemID int64) ([]store.Link, error) {
	m, err := tx.Message(msgID)
	if err != nil {
		return nil, err
	}
	if err := checkItem(tx, kind, itemID); err != nil {
		return nil, err
	}
	if kind == store.KindPerson || m.ThreadID == 0 {
		ok, err := tx.AddLink(store.Link{MessageID: msgID, Kind: kind, ItemID: itemID, How: store.HowManual})
		if err != nil || !ok {
			return nil, err
		}
		return []store.Link{{MessageID: msgID, Kind: kind, ItemID: itemID, How: store.HowManual}}, nil
	}
	th, err := tx.Thread(m.ThreadID)
	if err != nil {
		return nil, err
	}
	msgs, err := tx.ThreadMessages(th.ID)
	if err != nil {
		return nil, err
	}
	if prev := th.ItemID(kind); prev != 0 && prev != itemID {
		for _, tm := range msgs {
			if _, err := tx.RemoveLink(tm.ID, kind, prev); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.SetThreadItem(th.ID, kind, itemID); err != nil {
		return nil, err
	}
	var added []store.Link
	for _, tm := range msgs {
		how := store.HowThread
		if tm.ID == msgID {
			how = store.HowManual
		}
		l := store.Link{MessageID: tm.ID, Kind: kind, ItemID: itemID, How: how}
		ok, err := tx.AddLink(l)
		if err != nil {
			return nil, err
		}
		if ok {
			added = append(added, l)
		}
	}
	return added, nil
}

// Unlink removes a link. For a deal, lead or project the whole thread is
// unlinked from the item and the thread no longer belongs to it. It
// returns the messages that lost the link.
func Unlink(tx store.Tx, msgID int64, kind store.ItemKind, itemID int64) ([]int64, error) {
	m, err := tx.Message(msgID)
	if err != nil {
		return nil, err
	}
	if kind == store.KindPerson || m.ThreadID == 0 {
		ok, err := tx.RemoveLink(msgID, kind, itemID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, store.Errorf(store.ENotFound, "message %d is not linked to %s %d", msgID, kind, itemID)
		}
		return []int64{msgID}, nil
	}
	th, err := tx.Thread(m.ThreadID)
	if err != nil {
		return nil, err
	}
	msgs, err := tx.ThreadMessages(th.ID)
	if err != nil {
		return nil, err
	}
	var affected []int64
	for _, tm := range msgs {
		ok, err := tx.RemoveLink(tm.ID, kind, itemID)
		if err != nil {
			return nil, err
		}
		if ok {
			affected = append(affected, tm.ID)
		}
	}
	if th.ItemID(kind) == itemID {
		if err := tx.SetThreadItem(th.ID, kind, 0); err != nil {
			return nil, err
		}
	}
	if len(affected) == 0 {
		return nil, store.Errorf(store.ENotFound, "message %d is not linked to %s %d", msgID, kind, itemID)
	}
	return affected, nil
}

func checkItem(tx store.Tx, kind store.ItemKind, id int64) error {
	if kind == store.KindPerson {
		_, err := tx.Person(id)
		return err
	}
	if !kind.Valid() {
		return store.Errorf(store.EInvalid, "cannot link to %q", kind)
	}
	_, err := tx.Item(kind, id)
	return err
}
