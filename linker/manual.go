package linker

import (
	"github.com/smartbcc/smartbcc/store"
)

// LinkResult is what a manual link changed.
type LinkResult struct {
	// Added are the links that are new (the message's, and with its
	// thread its thread's).
	Added []store.Link
	// Moved is set when the thread belonged to another item of the kind
	// and now belongs to this one.
	Moved *Move
}

// Move says that a thread moved from one item to another.
type Move struct {
	ThreadID int64
	Messages []int64 // the thread's messages, whose links moved
	From     int64   // the item of the same kind it belonged to
}

// Link links a message to a person, deal, lead or project by hand. For a
// deal, lead or project the whole thread follows unless messageOnly is
// set: every message of the thread is linked and the thread belongs to the
// item from now on, so new messages inherit it. A thread belongs to at
// most one item of each kind, so the links to the item it belonged to
// before are removed (Moved reports it). With messageOnly, only the
// message is linked and its thread keeps what it belongs to.
//
// viewer is the user acting (0: the administrator). No one changes links
// on a message they may not see: the thread's messages viewer may not see
// (another user's private mail in a shared thread) keep their links.
func Link(tx store.Tx, viewer, msgID int64, kind store.ItemKind, itemID int64, messageOnly bool) (*LinkResult, error) {
	m, err := tx.Message(msgID)
	if err != nil {
		return nil, err
	}
	if err := checkTarget(tx, kind, itemID); err != nil {
		return nil, err
	}
	res := &LinkResult{}
	if kind == store.KindPerson || m.ThreadID == 0 || messageOnly {
		l := store.Link{MessageID: msgID, Kind: kind, ItemID: itemID, How: store.HowManual}
		ok, err := tx.AddLink(l)
		if err != nil {
			return nil, err
		}
		if ok {
			res.Added = append(res.Added, l)
		}
		return res, nil
	}
	th, err := tx.Thread(m.ThreadID)
	if err != nil {
		return nil, err
	}
	msgs, err := visibleThreadMessages(tx, viewer, th.ID)
	if err != nil {
		return nil, err
	}
	if prev := th.ItemID(kind); prev != 0 && prev != itemID {
		mv := &Move{ThreadID: th.ID, From: prev}
		for _, tm := range msgs {
			if _, err := tx.RemoveLink(tm.ID, kind, prev); err != nil {
				return nil, err
			}
			mv.Messages = append(mv.Messages, tm.ID)
		}
		res.Moved = mv
	}
	if th.ItemID(kind) != itemID {
		if err := tx.SetThreadItem(th.ID, kind, itemID); err != nil {
			return nil, err
		}
	}
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
			res.Added = append(res.Added, l)
		}
	}
	return res, nil
}

// Unlink removes a link. For a deal, lead or project the whole thread is
// unlinked from the item and the thread no longer belongs to it, unless
// messageOnly is set. It returns the messages that lost the link (none
// when the message was not linked to it).
//
// As with Link, the thread's messages viewer may not see keep their links.
func Unlink(tx store.Tx, viewer, msgID int64, kind store.ItemKind, itemID int64, messageOnly bool) ([]int64, error) {
	m, err := tx.Message(msgID)
	if err != nil {
		return nil, err
	}
	if kind == store.KindPerson || m.ThreadID == 0 || messageOnly {
		ok, err := tx.RemoveLink(msgID, kind, itemID)
		if err != nil || !ok {
			return nil, err
		}
		return []int64{msgID}, nil
	}
	th, err := tx.Thread(m.ThreadID)
	if err != nil {
		return nil, err
	}
	msgs, err := visibleThreadMessages(tx, viewer, th.ID)
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
	return affected, nil
}

// visibleThreadMessages lists the thread's messages viewer may see: her
// own and shared ones (all of them for the administrator, viewer 0).
func visibleThreadMessages(tx store.Tx, viewer, threadID int64) ([]store.Message, error) {
	msgs, err := tx.ThreadMessages(threadID)
	if err != nil || viewer == 0 {
		return msgs, err
	}
	out := msgs[:0]
	for _, m := range msgs {
		if m.OwnerID == viewer || m.Shared {
			out = append(out, m)
		}
	}
	return out, nil
}

// checkTarget checks that mail may be linked to the item by hand: it
// exists, it was not removed, and a converted lead names its deal instead.
func checkTarget(tx store.Tx, kind store.ItemKind, id int64) error {
	if kind == store.KindPerson {
		_, err := tx.Person(id)
		return err
	}
	if !kind.Valid() {
		return store.Errorf(store.EInvalid, "cannot link to %q", kind)
	}
	it, err := tx.Item(kind, id)
	if err != nil {
		return err
	}
	switch {
	case it.Status == store.StatusDeleted:
		return store.Errorf(store.EConflict, "%s %d was removed; mail cannot be linked to it", kind, id)
	case it.ConvertedTo != 0:
		return store.Errorf(store.EConflict, "lead %d was converted to deal %d: link to the deal", id, it.ConvertedTo)
	}
	return nil
}

// BccItem finds the item that mail to an item's Bcc address (its token)
// files into. A removed item's address is refused exactly like an unknown
// token (ENotFound with the same message), so that it reveals nothing; a
// converted lead's address files into the deal it became.
func BccItem(tx store.Tx, kind store.ItemKind, token string) (*store.Item, error) {
	it, err := tx.ItemByToken(kind, token)
	if err != nil {
		return nil, err
	}
	if it.ConvertedTo != 0 {
		if it, err = tx.Item(store.KindDeal, it.ConvertedTo); err != nil {
			return nil, err
		}
	}
	if it.Status == store.StatusDeleted {
		return nil, store.Errorf(store.ENotFound, "no %s with that token", kind)
	}
	return it, nil
}

// liveThreadItem is the item a thread's new mail inherits: none for a
// removed item, the deal for a converted lead.
func liveThreadItem(tx store.Tx, kind store.ItemKind, id int64) (store.ItemKind, int64, string, error) {
	it, err := tx.Item(kind, id)
	if store.IsNotFound(err) {
		return kind, 0, "", nil
	}
	if err != nil {
		return kind, 0, "", err
	}
	if it.ConvertedTo != 0 {
		return store.KindDeal, it.ConvertedTo, "lead converted to it", nil
	}
	if it.Status == store.StatusDeleted {
		return kind, 0, "removed", nil
	}
	return kind, id, "", nil
}

// LinkPersonMail links a person to the stored mail on which one of emails
// is a From, To, Cc or Reply-To participant, as ingest would have done had
// the person existed when the mail arrived: for a contact created, or
// given an address, after the mail. It returns the links that are new,
// oldest message first.
func LinkPersonMail(tx store.Tx, personID int64, emails []string) ([]store.Link, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	msgs, err := tx.ListMessages(store.MessageQuery{Participants: emails, Oldest: true})
	if err != nil {
		return nil, err
	}
	var added []store.Link
	for _, m := range msgs {
		l := store.Link{MessageID: m.ID, Kind: store.KindPerson, ItemID: personID, How: store.HowPerson}
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
