package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// The lookups of many messages at once answer, value by value, what
// their single counterparts answer (ingest relies on it: a batch commit
// must decide as message-by-message commits would).
func (s suite) testBatchLookups(t *testing.T) {
	f := s.newFixture(t)
	var other, price1, price2 store.Thread
	update(t, f.db, func(tx store.Tx) error {
		other = store.Thread{Subject: "other"}
		price1 = store.Thread{Subject: "price list", DealID: f.deal.ID}
		price2 = store.Thread{Subject: "price list"}
		for _, th := range []*store.Thread{&other, &price1, &price2} {
			if err := tx.CreateThread(th); err != nil {
				return err
			}
		}
		return nil
	})
	day := func(d int) time.Time { return testTime.AddDate(0, 0, d) }
	// The reply arrives before the message it answers; a later message in
	// another thread names the same root (the first filed wins).
	child := message(f.ann.ID, f.thread.ID, "child@customer.example", "Re: Widgets")
	child.InReplyTo, child.References = "<parent@acme.example>", []string{"root@acme.example"}
	unrelated := message(f.ann.ID, other.ID, "unrelated@x.example", "Other")
	unrelated.References = []string{"far@x.example", "root@acme.example"}
	// Three messages of ann with one Message-ID (reused), filed out of
	// date order, and one of dan.
	reused := []*store.Message{
		message(f.ann.ID, other.ID, "same@x", "first"),
		message(f.ann.ID, other.ID, "same@x", "second"),
		message(f.ann.ID, other.ID, "same@x", "third"),
		message(f.dan.ID, other.ID, "same@x", "dan's"),
	}
	for i, m := range reused {
		m.DedupKey = fmt.Sprintf("content:%d", i)
		m.Date = day(3 - i)
	}
	p1 := message(f.ann.ID, price1.ID, "p1@x", "Price list")
	p2 := message(f.ann.ID, price2.ID, "p2@x", "Price list")
	p2.Participants = []store.Participant{{Role: store.RoleTo, Email: "carol@customer.example"}, {Role: store.RoleCc, Email: "bob@customer.example"}}
	f.insert(t, append([]*store.Message{child, unrelated, p1, p2}, reused...)...)
	var carol store.Person
	var lost, lead store.Item
	update(t, f.db, func(tx store.Tx) error {
		carol = store.Person{Name: "Carol", Emails: []string{"carol@customer.example"}}
		if err := tx.CreatePerson(&carol); err != nil {
			return err
		}
		lost = store.Item{Kind: store.KindDeal, Title: "lost one", PersonID: carol.ID, Status: store.StatusLost}
		lead = store.Item{Kind: store.KindLead, Title: "a lead", PersonID: f.bob.ID}
		for _, it := range []*store.Item{&lost, &lead} {
			if err := tx.CreateItem(it); err != nil {
				return err
			}
		}
		return nil
	})

	view(t, f.db, func(tx store.Tx) error {
		// MessagesByKeys against MessageByKey.
		keys := []string{child.DedupKey, "mid:nobody@x", reused[1].DedupKey, reused[3].DedupKey, child.DedupKey, ""}
		for _, owner := range []*store.User{f.ann, f.dan} {
			got, err := tx.MessagesByKeys(owner.ID, keys)
			if err != nil {
				t.Fatalf("MessagesByKeys: %v", err)
			}
			var want []int64
			for _, k := range slices.Compact(slices.Clone(keys)) {
				if m, err := tx.MessageByKey(owner.ID, k); err == nil && !slices.Contains(want, m.ID) {
					want = append(want, m.ID)
				}
			}
			if g := ids(got); !sameSet(g, want) {
				t.Errorf("MessagesByKeys(user %d) = %v, MessageByKey finds %v", owner.ID, g, want)
			}
			for _, m := range got {
				if m.DedupKey == "" || m.ThreadID == 0 || m.OwnerID != owner.ID {
					t.Errorf("MessagesByKeys entry = %+v", m)
				}
			}
		}

		// MessagesByMessageIDs against ListMessages by Message-ID, per id.
		msgIDs := []string{"<same@x>", "child@customer.example", "nobody@x", "p1@x"}
		for _, perID := range []int{1, 2, 50} {
			got, err := tx.MessagesByMessageIDs(f.ann.ID, msgIDs, perID)
			if err != nil {
				t.Fatalf("MessagesByMessageIDs: %v", err)
			}
			var want []int64
			for _, id := range msgIDs {
				list, err := tx.ListMessages(store.MessageQuery{Owner: f.ann.ID, MessageID: id, Oldest: true, Limit: perID})
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, ids(list)...)
			}
			if g := ids(got); !sameSet(g, want) {
				t.Errorf("MessagesByMessageIDs(perID %d) = %v, ListMessages finds %v", perID, g, want)
			}
			// Oldest first among the same id.
			var same []int64
			for _, m := range got {
				if m.MessageID == "same@x" {
					same = append(same, m.ID)
				}
			}
			if wantSame := []int64{reused[2].ID, reused[1].ID, reused[0].ID}[:min(perID, 3)]; !reflect.DeepEqual(same, wantSame) {
				t.Errorf("MessagesByMessageIDs(perID %d) for same@x = %v, want %v (oldest first)", perID, same, wantSame)
			}
		}

		// ReferencedThreads against ThreadByReferences, one id at a time.
		refs := []string{"child@customer.example", "<parent@acme.example>", "root@acme.example", "far@x.example",
			"nobody@x", "PARENT@acme.example", "same@x", " <p2@x> ", ""}
		got, err := tx.ReferencedThreads(f.ann.ID, refs)
		if err != nil {
			t.Fatalf("ReferencedThreads: %v", err)
		}
		for _, id := range refs {
			th, err := tx.ThreadByReferences(f.ann.ID, []string{id})
			g, ok := got[store.NormMessageID(id)]
			switch {
			case store.IsNotFound(err) && ok:
				t.Errorf("ReferencedThreads[%q] = thread %d, ThreadByReferences finds none", id, g.ID)
			case err == nil && (!ok || !reflect.DeepEqual(g, *th)):
				t.Errorf("ReferencedThreads[%q] = %+v (%v), ThreadByReferences finds %+v", id, g, ok, *th)
			case err != nil && !store.IsNotFound(err):
				t.Fatal(err)
			}
		}
		if len(got) != 6 {
			t.Errorf("ReferencedThreads = %v, want 6 ids", got)
		}

		// SubjectThreads against ThreadBySubject, one address at a time.
		subjects := []string{"price list", "widgets", "other", "nothing"}
		emails := []string{"BOB@customer.example", "carol@customer.example", "ann@acme.example", "nobody@x.example"}
		var asked []store.SubjectEmail
		for _, subj := range subjects {
			for _, e := range emails {
				asked = append(asked, store.SubjectEmail{Subject: subj, Email: e})
			}
		}
		asked = append(asked, asked[1], asked[0]) // asked twice, answered once
		pairs, found := subjectThreads(t, tx, f.ann.ID, asked)
		n := 0
		for _, subj := range subjects {
			for _, e := range emails {
				if sameAsThreadBySubject(t, tx, f.ann.ID, subj, e, found) {
					n++
				}
			}
		}
		if n != len(pairs) || n == 0 {
			t.Errorf("SubjectThreads gives %d pairs, ThreadBySubject finds %d", len(pairs), n)
		}
		// Only the pairs asked are answered: each found pair alone gives
		// itself and nothing else.
		for _, p := range pairs {
			one, err := tx.SubjectThreads(f.ann.ID, []store.SubjectEmail{{Subject: p.Thread.Subject, Email: p.Email}})
			if err != nil {
				t.Fatal(err)
			}
			if len(one) != 1 || !reflect.DeepEqual(one[0], p) {
				t.Errorf("SubjectThreads(%q, %s) alone = %+v, want %+v", p.Thread.Subject, p.Email, one, p)
			}
		}

		// ItemsOfPersons against ItemsOfPerson.
		for _, kind := range store.ItemKinds {
			persons := []int64{f.bob.ID, carol.ID, f.bob.ID, 9999}
			got, err := tx.ItemsOfPersons(kind, persons)
			if err != nil {
				t.Fatalf("ItemsOfPersons(%s): %v", kind, err)
			}
			var want []store.Item
			for _, p := range []int64{f.bob.ID, carol.ID, 9999} {
				items, err := tx.ItemsOfPerson(kind, p)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, items...)
			}
			slices.SortFunc(got, func(a, b store.Item) int { return int(a.ID - b.ID) })
			slices.SortFunc(want, func(a, b store.Item) int { return int(a.ID - b.ID) })
			if len(got) != len(want) || (len(want) > 0 && !reflect.DeepEqual(got, want)) {
				t.Errorf("ItemsOfPersons(%s) = %+v, ItemsOfPerson finds %+v", kind, got, want)
			}
		}
		if _, err := tx.ItemsOfPersons("task", nil); store.ErrorCode(err) != store.EInvalid {
			t.Errorf("ItemsOfPersons(task) error = %v, want invalid", err)
		}

		// Nothing asked, nothing found.
		if m, err := tx.MessagesByKeys(f.ann.ID, nil); err != nil || len(m) != 0 {
			t.Errorf("MessagesByKeys(nil) = %v, %v", m, err)
		}
		if m, err := tx.MessagesByMessageIDs(f.ann.ID, nil, 50); err != nil || len(m) != 0 {
			t.Errorf("MessagesByMessageIDs(nil) = %v, %v", m, err)
		}
		if r, err := tx.ReferencedThreads(f.ann.ID, nil); err != nil || len(r) != 0 {
			t.Errorf("ReferencedThreads(nil) = %v, %v", r, err)
		}
		if p, err := tx.SubjectThreads(f.ann.ID, nil); err != nil || len(p) != 0 {
			t.Errorf("SubjectThreads(nil) = %v, %v", p, err)
		}
		if p, err := tx.SubjectThreads(f.ann.ID, []store.SubjectEmail{{Subject: "price list"}, {Email: "ann@acme.example"}}); err != nil || len(p) != 0 {
			t.Errorf("SubjectThreads(empty subject or email) = %v, %v", p, err)
		}
		return nil
	})
}

// sameSet reports whether got holds each of want's ids once, and nothing
// else.
func sameSet(got, want []int64) bool {
	got, want = slices.Clone(got), slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, slices.Compact(want))
}

// A subject asked about with many addresses at once (a message with a long
// recipient list): each pair is answered as ThreadBySubject answers it,
// across two threads of the subject, one newer than the other, and a
// newest one that only dan sees.
func (s suite) testSubjectThreadsManyAddresses(t *testing.T) {
	f := s.newFixture(t)
	addr := func(i int) string { return fmt.Sprintf("guest%03d@customer.example", i) }
	withGuests := func(m *store.Message, from, to int) *store.Message {
		for i := from; i < to; i++ {
			m.Participants = append(m.Participants, store.Participant{Role: store.RoleCc, Email: addr(i)})
		}
		return m
	}
	var older, newer, dans, other store.Thread
	update(t, f.db, func(tx store.Tx) error {
		for _, th := range []*store.Thread{&older, &newer, &dans, &other} {
			th.Subject = "all hands"
			if th == &other {
				th.Subject = "other"
			}
			if err := tx.CreateThread(th); err != nil {
				return err
			}
		}
		return nil
	})
	dansMessage := withGuests(message(f.dan.ID, dans.ID, "dan@x", "All hands"), 0, 150)
	f.insert(t,
		withGuests(message(f.ann.ID, older.ID, "old@x", "All hands"), 0, 100),
		withGuests(message(f.ann.ID, newer.ID, "new@x", "All hands"), 50, 120),
		withGuests(message(f.ann.ID, other.ID, "other@x", "Other"), 0, 150),
		dansMessage)
	var asked []store.SubjectEmail
	for i := 0; i < 160; i++ {
		asked = append(asked, store.SubjectEmail{Subject: "all hands", Email: addr(i)})
	}
	asked = append(asked, store.SubjectEmail{Subject: "other", Email: addr(3)}, store.SubjectEmail{Subject: "all hands", Email: "ann@acme.example"})
	view(t, f.db, func(tx store.Tx) error {
		_, found := subjectThreads(t, tx, f.ann.ID, asked)
		for _, a := range asked {
			sameAsThreadBySubject(t, tx, f.ann.ID, a.Subject, a.Email, found)
		}
		// The expected threads, spelled out: 0-49 only in the older
		// thread, 50-119 in the newer, 120-149 only in dan's (not ann's
		// to see), 150-159 nowhere.
		for i, want := range map[int]int64{0: older.ID, 49: older.ID, 50: newer.ID, 119: newer.ID, 120: 0, 149: 0, 159: 0} {
			if got := found[[2]string{"all hands", addr(i)}].ID; got != want {
				t.Errorf("SubjectThreads(all hands, %s) = thread %d, want %d", addr(i), got, want)
			}
		}
		return nil
	})
}

// A message whose recipient list is huge, filed twice under one subject
// (an all-staff announcement in an archive, or an attacker's 1 MB Cc
// field): the second one's lookup of its subject's threads answers its
// 20,000 pairs in one pass over the first one's participants. Asked pair by
// pair, each pair went over all 20,000 of them: 400 million comparisons,
// minutes for one message. The deadline is generous (the lookup takes a
// fraction of a second); past it the store cancels the query.
func (s suite) testSubjectThreadsHugeRecipientList(t *testing.T) {
	f := s.newFixture(t)
	const n = 20000
	m := message(f.ann.ID, f.thread.ID, "announce@acme.example", "All staff")
	asked := make([]store.SubjectEmail, 0, n)
	for i := 0; i < n; i++ {
		e := fmt.Sprintf("staff%05d@acme.example", i)
		m.Participants = append(m.Participants, store.Participant{Role: store.RoleTo, Email: e})
		asked = append(asked, store.SubjectEmail{Subject: f.thread.Subject, Email: e})
	}
	f.insert(t, m)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := f.db.View(ctx, func(tx store.Tx) error {
		pairs, err := tx.SubjectThreads(f.ann.ID, asked)
		if err != nil {
			return err
		}
		if len(pairs) != n {
			t.Errorf("SubjectThreads gives %d pairs, want %d", len(pairs), n)
		}
		for _, p := range pairs {
			if p.Thread.ID != f.thread.ID {
				t.Errorf("SubjectThreads(%s) = thread %d, want %d", p.Email, p.Thread.ID, f.thread.ID)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("SubjectThreads of %d addresses: %v", n, err)
	}
}

// subjectThreads asks SubjectThreads and returns its answer, also by
// [subject, email]; a pair answered twice fails the test.
func subjectThreads(t *testing.T, tx store.Tx, viewer int64, asked []store.SubjectEmail) ([]store.SubjectThread, map[[2]string]store.Thread) {
	t.Helper()
	pairs, err := tx.SubjectThreads(viewer, asked)
	if err != nil {
		t.Fatalf("SubjectThreads: %v", err)
	}
	found := map[[2]string]store.Thread{}
	for _, p := range pairs {
		key := [2]string{p.Thread.Subject, p.Email}
		if _, dup := found[key]; dup {
			t.Errorf("SubjectThreads gives %v twice", key)
		}
		found[key] = p.Thread
	}
	return pairs, found
}

// sameAsThreadBySubject checks SubjectThreads' answer for one pair (in
// found) against ThreadBySubject's, and reports whether there is one.
func sameAsThreadBySubject(t *testing.T, tx store.Tx, viewer int64, subject, email string, found map[[2]string]store.Thread) bool {
	t.Helper()
	th, err := tx.ThreadBySubject(viewer, subject, []string{email})
	g, ok := found[[2]string{subject, store.CanonicalEmail(email)}]
	switch {
	case store.IsNotFound(err) && ok:
		t.Errorf("SubjectThreads(%q, %s) = thread %d, ThreadBySubject finds none", subject, email, g.ID)
	case err == nil && (!ok || !reflect.DeepEqual(g, *th)):
		t.Errorf("SubjectThreads(%q, %s) = %+v (%v), ThreadBySubject finds %+v", subject, email, g, ok, *th)
	case err != nil && !store.IsNotFound(err):
		t.Fatal(err)
	}
	return err == nil
}
