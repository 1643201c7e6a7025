package ingest

import (
	"cmp"
	"slices"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// batchTx is the store as the commit of one batch sees it. Committing a
// message reads the store a dozen times (is it a duplicate, which thread,
// which persons and items); one statement each, that was most of an
// import's time. Instead, at the start of the batch's transaction,
// prefetch reads what every message of the batch will look up, a few
// statements for the whole batch (store.Tx's lookups of many messages at
// once); from then on those lookups are answered from memory.
//
// The answers are exact, the same as the store would give at that point
// of the transaction:
//   - what other writers store cannot change them: the memory lives for one
//     transaction, read inside it (SQLite's writer holds the write lock
//     from BEGIN IMMEDIATE to COMMIT; on PostgreSQL a concurrent commit
//     could land between two lookups as it could between two statements,
//     and the unique keys decide as before). The next batch reads again.
//   - what the batch itself stores is added as it goes: every write the
//     commit makes that a lookup can see (InsertMessage, CreateThread,
//     SetThreadItem, CreatePerson) goes through batchTx, which updates its
//     memory the way the store's rows change.
//   - a lookup of a value prefetch did not read goes to the store, and its
//     answer is kept (and updated) like the others.
//
// Everything else passes through to the embedded Tx. Tests run every
// commit with check set, which asks the store each lookup again and fails
// on any difference.
type batchTx struct {
	store.Tx

	// Each map holds the values looked up so far; a key present with a
	// zero value is known to have no answer.
	keys   map[ownerKey]*store.Message  // duplicate key -> summary (nil: none)
	msgIDs map[ownerKey][]store.Message // own Message-ID -> summaries, oldest first
	// Threading looks only at what the new message's owner may see, so
	// these two are kept per viewer (the owner): viewer -> thread.
	refs     map[string]map[int64]int64       // NormMessageID -> thread of the first message naming it
	subjects map[subjectEmail]map[int64]int64 // newest thread of the subject with the participant
	threads  map[int64]*store.Thread
	persons  map[string]int64 // canonical email -> person (0: none)
	people   map[int64]*store.Person
	items    map[kindPerson][]store.Item // items of a person, by id
	item     map[kindItem]*store.Item    // Item (nil: not found)

	// check makes every answer from memory be compared with the store's
	// (tests).
	check func(what string, mem, db any)
}

type ownerKey struct {
	owner int64
	key   string
}

type subjectEmail struct{ subject, email string }

type kindPerson struct {
	kind   store.ItemKind
	person int64
}

type kindItem struct {
	kind store.ItemKind
	id   int64
}

// maxSameMessageID bounds how many messages of one owner with the same
// Message-ID are looked at (only legacy ones are read in full).
const maxSameMessageID = 50

// checkLookups, when set (by the package's tests), is given every lookup
// answered from memory with the store's own answer, to fail on any
// difference.
var checkLookups func(what string, mem, db any)

func newBatchTx(tx store.Tx) *batchTx {
	return &batchTx{Tx: tx,
		keys: map[ownerKey]*store.Message{}, msgIDs: map[ownerKey][]store.Message{},
		refs: map[string]map[int64]int64{}, subjects: map[subjectEmail]map[int64]int64{}, threads: map[int64]*store.Thread{},
		persons: map[string]int64{}, people: map[int64]*store.Person{},
		items: map[kindPerson][]store.Item{}, item: map[kindItem]*store.Item{},
	}
}

func normKey(k string) string   { return store.CleanText(k) }
func normEmail(e string) string { return store.CanonicalEmail(store.CleanText(e)) }

// prefetch reads what the batch's messages will look up.
func (b *batchTx) prefetch(batch []*Prepared) error {
	keys := map[int64][]string{}
	msgIDs := map[int64][]string{}
	refs := map[int64][]string{}
	type ownerSubjects struct {
		pairs []subjectEmail
	}
	subjects := map[int64]*ownerSubjects{}
	var emails []string
	autoLink := false
	for _, p := range batch {
		if p.msg == nil || p.owner == nil || p.res.Status != "" || p.confirmCode != "" {
			continue // refused, held or a confirmation: no lookups
		}
		m, owner := p.msg, p.owner.ID
		keys[owner] = append(keys[owner], m.DedupKey)
		if m.MessageID == "" {
			keys[owner] = append(keys[owner], "sha256:"+p.rawSHA256())
		} else {
			msgIDs[owner] = append(msgIDs[owner], m.MessageID)
		}
		refs[owner] = append(refs[owner], p.refs...)
		for _, pt := range m.Participants {
			if pt.Email != "" { // a name-only participant: no address to look up
				emails = append(emails, pt.Email)
			}
		}
		if !p.hasParents && p.normSubject != "" {
			os := subjects[owner]
			if os == nil {
				os = &ownerSubjects{}
				subjects[owner] = os
			}
			for _, pt := range m.Participants {
				if e := normEmail(pt.Email); e != "" {
					os.pairs = append(os.pairs, subjectEmail{store.CleanText(p.normSubject), e})
				}
			}
		}
		autoLink = autoLink || p.owner.Settings.AutoLink
	}
	for owner, ks := range keys {
		found, err := b.Tx.MessagesByKeys(owner, ks)
		if err != nil {
			return err
		}
		for _, k := range ks {
			b.keys[ownerKey{owner, normKey(k)}] = nil
		}
		for i := range found {
			b.keys[ownerKey{owner, found[i].DedupKey}] = &found[i]
		}
	}
	for owner, ids := range msgIDs {
		found, err := b.Tx.MessagesByMessageIDs(owner, ids, maxSameMessageID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			b.msgIDs[ownerKey{owner, store.NormMessageID(id)}] = nil
		}
		for _, m := range found { // oldest first
			k := ownerKey{owner, store.NormMessageID(m.MessageID)}
			b.msgIDs[k] = append(b.msgIDs[k], m)
		}
	}
	for owner, ids := range refs {
		if len(ids) == 0 {
			continue
		}
		found, err := b.Tx.ReferencedThreads(owner, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			setViewer(b.refs, store.NormMessageID(id), owner, 0)
		}
		for id, th := range found {
			setViewer(b.refs, id, owner, th.ID)
			b.threads[th.ID] = &th
		}
	}
	for owner, os := range subjects {
		// Each message's own pairs are asked.
		qs := make([]store.SubjectEmail, len(os.pairs))
		for i, k := range os.pairs {
			qs[i] = store.SubjectEmail{Subject: k.subject, Email: k.email}
		}
		found, err := b.Tx.SubjectThreads(owner, qs)
		if err != nil {
			return err
		}
		for _, k := range os.pairs {
			setViewer(b.subjects, k, owner, 0)
		}
		for _, st := range found {
			setViewer(b.subjects, subjectEmail{st.Thread.Subject, st.Email}, owner, st.Thread.ID)
			th := st.Thread
			b.threads[th.ID] = &th
		}
	}
	if len(emails) > 0 {
		found, err := b.Tx.PersonsByEmails(emails)
		if err != nil {
			return err
		}
		for _, e := range emails {
			b.persons[normEmail(e)] = 0
		}
		var ids []int64
		for i := range found {
			b.addPerson(&found[i])
			ids = append(ids, found[i].ID)
		}
		if autoLink && len(ids) > 0 {
			for _, kind := range store.ItemKinds {
				items, err := b.Tx.ItemsOfPersons(kind, ids)
				if err != nil {
					return err
				}
				for _, id := range ids {
					b.items[kindPerson{kind, id}] = nil
				}
				for _, it := range items {
					k := kindPerson{kind, it.PersonID}
					b.items[k] = append(b.items[k], it)
				}
			}
		}
	}
	return nil
}

func (b *batchTx) addPerson(p *store.Person) {
	cp := *p
	cp.Emails = slices.Clone(p.Emails)
	b.people[p.ID] = &cp
	for _, e := range p.Emails {
		b.persons[normEmail(e)] = p.ID
	}
}

// filedByKey is MessageByKey as a summary: the commit needs only the
// message's id, thread and sharing.
func (b *batchTx) filedByKey(owner int64, key string) (*store.Message, error) {
	k := ownerKey{owner, normKey(key)}
	m, ok := b.keys[k]
	if !ok {
		full, err := b.Tx.MessageByKey(owner, key)
		if err != nil && !store.IsNotFound(err) {
			return nil, err
		}
		if full != nil {
			m = full
		}
		b.keys[k] = m
	} else if b.check != nil {
		full, err := b.Tx.MessageByKey(owner, key)
		b.check("MessageByKey "+key, idOf(m), idOf(notFoundNil(full, err)))
	}
	if m == nil {
		return nil, store.Errorf(store.ENotFound, "no message of user %d with key %s", owner, key)
	}
	cp := *m
	return &cp, nil
}

// sameMessageID lists up to maxSameMessageID of the owner's messages whose
// own Message-ID is msgID, oldest first (summaries).
func (b *batchTx) sameMessageID(owner int64, msgID string) ([]store.Message, error) {
	k := ownerKey{owner, store.NormMessageID(msgID)}
	list, ok := b.msgIDs[k]
	if !ok {
		var err error
		list, err = b.Tx.ListMessages(store.MessageQuery{Owner: owner, MessageID: msgID, Oldest: true, Limit: maxSameMessageID})
		if err != nil {
			return nil, err
		}
		b.msgIDs[k] = list
	} else if b.check != nil {
		db, err := b.Tx.ListMessages(store.MessageQuery{Owner: owner, MessageID: msgID, Oldest: true, Limit: maxSameMessageID})
		if err != nil {
			return nil, err
		}
		b.check("messages with Message-ID "+msgID, ids(list[:min(len(list), maxSameMessageID)]), ids(db))
	}
	return slices.Clone(list[:min(len(list), maxSameMessageID)]), nil
}

// setViewer records one viewer's answer for key.
func setViewer[K comparable](m map[K]map[int64]int64, key K, viewer, thread int64) {
	byViewer := m[key]
	if byViewer == nil {
		byViewer = map[int64]int64{}
		m[key] = byViewer
	}
	byViewer[viewer] = thread
}

// ThreadByReferences answers from memory when it holds every id.
func (b *batchTx) ThreadByReferences(viewer int64, msgIDs []string) (*store.Thread, error) {
	var best int64
	for _, id := range msgIDs {
		id = store.NormMessageID(id)
		if id == "" {
			continue
		}
		th, ok := b.refs[id][viewer]
		if !ok {
			return b.remember(b.Tx.ThreadByReferences(viewer, msgIDs))
		}
		if th != 0 {
			best = th
			break
		}
	}
	if b.check != nil {
		db, err := b.Tx.ThreadByReferences(viewer, msgIDs)
		b.check("ThreadByReferences", best, threadID(db, err))
	}
	if best == 0 {
		return nil, store.Errorf(store.ENotFound, "no thread names these Message-IDs")
	}
	return b.Thread(best)
}

// ThreadBySubject answers from memory when it holds every pair.
func (b *batchTx) ThreadBySubject(viewer int64, normSubject string, participants []string) (*store.Thread, error) {
	subject := store.CleanText(normSubject)
	var best int64
	for _, e := range participants {
		if e = normEmail(e); e == "" {
			continue
		}
		th, ok := b.subjects[subjectEmail{subject, e}][viewer]
		if !ok {
			return b.remember(b.Tx.ThreadBySubject(viewer, normSubject, participants))
		}
		best = max(best, th)
	}
	if b.check != nil {
		db, err := b.Tx.ThreadBySubject(viewer, normSubject, participants)
		b.check("ThreadBySubject "+normSubject, best, threadID(db, err))
	}
	if best == 0 {
		return nil, store.Errorf(store.ENotFound, "no thread with subject %q and these participants", normSubject)
	}
	return b.Thread(best)
}

// remember keeps a thread the store found.
func (b *batchTx) remember(th *store.Thread, err error) (*store.Thread, error) {
	if err != nil {
		return nil, err
	}
	cp := *th
	b.threads[th.ID] = &cp
	return th, nil
}

// Thread answers from memory for a thread read or written before.
func (b *batchTx) Thread(id int64) (*store.Thread, error) {
	th, ok := b.threads[id]
	if !ok {
		return b.remember(b.Tx.Thread(id))
	}
	if b.check != nil {
		db, err := b.Tx.Thread(id)
		b.check("Thread", *th, notFoundZero(db, err))
	}
	cp := *th
	return &cp, nil
}

// PersonsByEmails answers from memory when it holds every address.
func (b *batchTx) PersonsByEmails(emails []string) ([]store.Person, error) {
	var ids []int64
	for _, e := range emails {
		if e = normEmail(e); e == "" {
			continue
		}
		id, ok := b.persons[e]
		if !ok {
			found, err := b.Tx.PersonsByEmails(emails)
			if err != nil {
				return nil, err
			}
			for i := range found {
				b.addPerson(&found[i])
			}
			for _, e := range emails {
				if _, ok := b.persons[normEmail(e)]; !ok {
					b.persons[normEmail(e)] = 0
				}
			}
			return found, nil
		}
		if id != 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]store.Person, 0, len(ids))
	for _, id := range ids {
		p := *b.people[id]
		p.Emails = slices.Clone(p.Emails)
		out = append(out, p)
	}
	if b.check != nil {
		db, err := b.Tx.PersonsByEmails(emails)
		if err != nil {
			return nil, err
		}
		b.check("PersonsByEmails", out, db)
	}
	return out, nil
}

// ItemsOfPerson answers from memory for a person looked up before.
func (b *batchTx) ItemsOfPerson(kind store.ItemKind, personID int64) ([]store.Item, error) {
	k := kindPerson{kind, personID}
	items, ok := b.items[k]
	if !ok {
		var err error
		if items, err = b.Tx.ItemsOfPerson(kind, personID); err != nil {
			return nil, err
		}
		b.items[k] = items
	} else if b.check != nil {
		db, err := b.Tx.ItemsOfPerson(kind, personID)
		if err != nil {
			return nil, err
		}
		b.check("ItemsOfPerson", len(items), len(db))
		if len(db) > 0 {
			b.check("ItemsOfPerson", items, db)
		}
	}
	return slices.Clone(items), nil
}

// Item answers from memory for an item read before (a commit changes no
// item).
func (b *batchTx) Item(kind store.ItemKind, id int64) (*store.Item, error) {
	k := kindItem{kind, id}
	it, ok := b.item[k]
	if !ok {
		var err error
		it, err = b.Tx.Item(kind, id)
		if err != nil && !store.IsNotFound(err) {
			return nil, err
		}
		b.item[k] = it
	}
	if it == nil {
		return nil, store.Errorf(store.ENotFound, "no such %s %d", kind, id)
	}
	cp := *it
	return &cp, nil
}

// InsertMessage stores m and adds it to what the lookups know.
func (b *batchTx) InsertMessage(m *store.Message) error {
	if err := b.Tx.InsertMessage(m); err != nil {
		return err
	}
	// The store has put m's values in the form it keeps (PrepareMessage).
	sum := *m
	sum.TextBody, sum.Raw = "", nil
	sum.Participants, sum.Attachments, sum.References, sum.Auth.Details = nil, nil, nil, nil
	if k := (ownerKey{m.OwnerID, m.DedupKey}); hasKey(b.keys, k) {
		b.keys[k] = &sum
	}
	if list, ok := b.msgIDs[ownerKey{m.OwnerID, store.NormMessageID(m.MessageID)}]; ok {
		k := ownerKey{m.OwnerID, store.NormMessageID(m.MessageID)}
		list = append(list, sum)
		slices.SortStableFunc(list, func(x, y store.Message) int {
			return cmp.Or(listDate(x).Compare(listDate(y)), cmp.Compare(x.ID, y.ID))
		})
		b.msgIDs[k] = list
	}
	// m is seen by its owner, and by everyone when shared.
	sees := func(viewer int64) bool { return viewer == m.OwnerID || m.Shared }
	for _, id := range append([]string{m.MessageID, m.InReplyTo}, m.References...) {
		id = store.NormMessageID(id)
		for viewer, th := range b.refs[id] {
			if th == 0 && id != "" && sees(viewer) {
				b.refs[id][viewer] = m.ThreadID // the first message naming it
			}
		}
	}
	th, err := b.Thread(m.ThreadID)
	if err != nil {
		return err
	}
	for _, p := range m.Participants {
		if p.Email == "" {
			continue // a name-only participant joins no thread
		}
		k := subjectEmail{th.Subject, p.Email}
		for viewer, cur := range b.subjects[k] {
			if sees(viewer) {
				b.subjects[k][viewer] = max(cur, th.ID)
			}
		}
	}
	return nil
}

// listDate is the date messages are listed by: the Date header, or the
// arrival time without one.
func listDate(m store.Message) time.Time {
	if m.Date.IsZero() {
		return m.ReceivedAt
	}
	return m.Date
}

func hasKey[V any](m map[ownerKey]V, k ownerKey) bool {
	_, ok := m[k]
	return ok
}

// CreateThread stores t and remembers it.
func (b *batchTx) CreateThread(t *store.Thread) error {
	if err := b.Tx.CreateThread(t); err != nil {
		return err
	}
	cp := *t
	b.threads[t.ID] = &cp
	return nil
}

// SetThreadItem stores the thread's item and updates the thread in memory.
func (b *batchTx) SetThreadItem(threadID int64, kind store.ItemKind, itemID int64) error {
	if err := b.Tx.SetThreadItem(threadID, kind, itemID); err != nil {
		return err
	}
	if th := b.threads[threadID]; th != nil {
		switch kind {
		case store.KindDeal:
			th.DealID = itemID
		case store.KindLead:
			th.LeadID = itemID
		case store.KindProject:
			th.ProjectID = itemID
		}
	}
	return nil
}

// CreatePerson stores p, which has no items yet, and remembers it.
func (b *batchTx) CreatePerson(p *store.Person) error {
	if err := b.Tx.CreatePerson(p); err != nil {
		return err
	}
	b.addPerson(p)
	for _, kind := range store.ItemKinds {
		b.items[kindPerson{kind, p.ID}] = nil
	}
	return nil
}

func idOf(m *store.Message) int64 {
	if m == nil {
		return 0
	}
	return m.ID
}

func notFoundNil(m *store.Message, err error) *store.Message {
	if err != nil {
		return nil
	}
	return m
}

func threadID(th *store.Thread, err error) int64 {
	if err != nil {
		return 0
	}
	return th.ID
}

func notFoundZero(th *store.Thread, err error) store.Thread {
	if err != nil {
		return store.Thread{}
	}
	return *th
}

func ids(msgs []store.Message) []int64 {
	out := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}
