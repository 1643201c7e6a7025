package ingest

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

// batchCorpus is mail whose commit depends on what the same batch stored
// before it: replies before and after their parent, threads by subject,
// persons created by one message and linked by the next, the same content
// twice, a Message-ID used again with other content, mail without a
// Message-ID, and list mail refused in between.
func batchCorpus() [][]byte {
	msg := func(from, to, subject, id, inReplyTo, refs, body string, extra ...string) []byte {
		var b strings.Builder
		fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: Mon, 2 Nov 2026 09:00:00 +0000\r\n", from, to, subject)
		if id != "" {
			fmt.Fprintf(&b, "Message-ID: <%s>\r\n", id)
		}
		if inReplyTo != "" {
			fmt.Fprintf(&b, "In-Reply-To: <%s>\r\n", inReplyTo)
		}
		if refs != "" {
			fmt.Fprintf(&b, "References: %s\r\n", refs)
		}
		for _, h := range extra {
			b.WriteString(h + "\r\n")
		}
		fmt.Fprintf(&b, "\r\n%s\r\n", body)
		return []byte(b.String())
	}
	ann, bob, carol, dave := "Ann Seller <ann@acme.example>", "Bob Buyer <bob@customer.example>", "carol@customer.example", "Dave <dave@new.example>"
	return [][]byte{
		// A reply arrives before its parent; the parent then joins it.
		msg(bob, ann, "Re: Widgets", "r1@customer.example", "p1@acme.example", "<p1@acme.example>", "yes"),
		msg(ann, bob, "Widgets", "p1@acme.example", "", "", "200 widgets?"),
		msg(ann, bob, "Re: Re: Widgets", "r2@acme.example", "r1@customer.example", "<p1@acme.example> <r1@customer.example>", "good"),
		// Threads by subject: a new message without parents, the same
		// subject and a shared participant.
		msg(ann, carol, "Price list", "s1@acme.example", "", "", "attached"),
		msg(carol, ann, "Price list", "s2@customer.example", "", "", "thanks"),
		msg(ann, "Eve <eve@other.example>", "Price list", "s3@acme.example", "", "", "another one"),
		// A new participant becomes a person, the next message links it.
		msg(dave, ann, "Hello", "d1@new.example", "", "", "hi"),
		msg(ann, dave, "Re: Hello", "d2@acme.example", "d1@new.example", "", "hello Dave"),
		// The same content twice: a duplicate.
		msg(bob, ann, "Again", "dup@customer.example", "", "", "same"),
		msg(bob, ann, "Again", "dup@customer.example", "", "", "same"),
		// The same Message-ID with other content: stored, reported.
		msg(bob, ann, "Reused", "reused@customer.example", "", "", "one"),
		msg(bob, ann, "Reused", "reused@customer.example", "", "", "two"),
		// No Message-ID, twice the same, once other.
		msg(carol, ann, "No id", "", "", "", "first"),
		msg(carol, ann, "No id", "", "", "", "first"),
		msg(carol, ann, "No id", "", "", "", "second"),
		// List mail is refused; its neighbours are not.
		msg(bob, ann, "News", "list@lists.example", "", "", "weekly", "List-Id: <news.lists.example>", "Precedence: list"),
		msg(bob, ann, "Re: Widgets", "r3@customer.example", "r2@acme.example", "", "deal"),
		// Bob alone: his one open deal and his project are auto-linked.
		// With Carol, who has two open deals: no deal, the project.
		msg(ann, bob+", "+carol, "Offer", "o1@acme.example", "", "", "offer"),
		// A reply into the thread of a removed deal.
		msg(bob, ann, "Re: Old", "old2@customer.example", "old1@acme.example", "", "about the old one"),
		// A customer's mail the user forwarded, with a note above it.
		msg(ann, "ann@acme.example", "Fwd: Question", "fw1@acme.example", "", "",
			"can you call him?\r\n\r\n---------- Forwarded message ---------\r\nFrom: Frank <frank@cust.example>\r\n"+
				"Date: Mon, 2 Nov 2026 08:00:00 +0000\r\nSubject: Question\r\nTo: Ann Seller <ann@acme.example>\r\n\r\nWhat is the price?"),
	}
}

type batchOutcome struct {
	Results []string
	Notes   []string // forward notes
	Threads []string
	Links   []string
	Persons []string
}

// importBatches imports batchCorpus for ann into a fresh store with
// batches of size messages each (the last one possibly smaller).
func importBatches(t *testing.T, size int) batchOutcome {
	t.Helper()
	ctx := context.Background()
	db, _ := storetest.Open(t, backend.Options{})
	var oldThread int64
	// Thread ids are compared by the order in which threads appear: a
	// backend may leave gaps in its ids (PostgreSQL draws a batch's new
	// thread ids ahead from the sequence), which says nothing about which
	// messages share a thread.
	threadNo := map[int64]int64{}
	threadRef := func(id int64) int64 {
		if id == 0 {
			return 0
		}
		if n, ok := threadNo[id]; ok {
			return n
		}
		threadNo[id] = int64(len(threadNo) + 1)
		return threadNo[id]
	}
	err := db.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		ann, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		if err := tx.UpdateSettings(ann.ID, store.Settings{AutoLink: true, CreatePersons: true}); err != nil {
			return err
		}
		bob := &store.Person{Name: "Bob", Emails: []string{"bob@customer.example"}}
		carol := &store.Person{Name: "Carol", Emails: []string{"carol@customer.example"}}
		for _, p := range []*store.Person{bob, carol} {
			if err := tx.CreatePerson(p); err != nil {
				return err
			}
		}
		items := []*store.Item{
			{Kind: store.KindDeal, Title: "widgets", PersonID: bob.ID},
			{Kind: store.KindDeal, Title: "lost", PersonID: bob.ID, Status: store.StatusLost},
			{Kind: store.KindDeal, Title: "c1", PersonID: carol.ID},
			{Kind: store.KindDeal, Title: "c2", PersonID: carol.ID},
			{Kind: store.KindProject, Title: "rollout", PersonID: bob.ID},
			{Kind: store.KindDeal, Title: "removed", PersonID: carol.ID, Status: store.StatusDeleted},
		}
		for _, it := range items {
			if err := tx.CreateItem(it); err != nil {
				return err
			}
		}
		// A thread that belongs to the removed deal, with its first message.
		th := &store.Thread{Subject: "old", DealID: items[5].ID}
		if err := tx.CreateThread(th); err != nil {
			return err
		}
		oldThread = th.ID
		threadRef(oldThread)
		old := &store.Message{OwnerID: ann.ID, ThreadID: th.ID, DedupKey: "legacy", MessageID: "old1@acme.example",
			Subject: "Old", FromEmail: "ann@acme.example", Source: store.SourceImport, Raw: []byte("Subject: Old\r\n\r\nold\r\n")}
		return tx.InsertMessage(old)
	})
	if err != nil {
		t.Fatal(err)
	}
	in := New(Options{Store: db, AuthMode: AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: "ann@acme.example",
		Now: func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }})
	var out batchOutcome
	var batch []*Prepared
	commit := func() {
		results, err := in.Commit(ctx, batch)
		if err != nil {
			t.Fatalf("Commit of %d: %v", len(batch), err)
		}
		// The search text the parse worker computed is the one the
		// store computes from the message as stored (a store indexing
		// its mail again finds the same).
		err = db.View(ctx, func(tx store.Tx) error {
			for i, r := range results {
				if r.Status != StatusStored {
					continue
				}
				m, err := tx.Message(r.ID)
				if err != nil {
					return err
				}
				tokens := func(st store.SearchText) [4]string { return [4]string{st.Subject, st.Senders, st.Recipients, st.Body} }
				if got, want := *batch[i].msg.Search, store.MessageSearchText(m); tokens(got) != tokens(want) {
					t.Errorf("%s: search text from the worker %+v, from the store %+v", r.Origin, got, want)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range results {
			if m := batch[i].msg; m != nil && m.ForwardNote != "" {
				out.Notes = append(out.Notes, fmt.Sprintf("%s: %q", r.Origin, m.ForwardNote))
			}
			out.Results = append(out.Results, fmt.Sprintf("%s %s id=%d thread=%d links=%+v", r.Status, r.Reason, r.ID, threadRef(r.ThreadID), r.Links))
		}
		batch = nil
	}
	for i, raw := range batchCorpus() {
		p, err := in.Prepare(ctx, Delivery{Raw: raw, Origin: fmt.Sprintf("msg %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if batch = append(batch, p); len(batch) == size {
			commit()
		}
	}
	if len(batch) > 0 {
		commit()
	}
	err = db.View(ctx, func(tx store.Tx) error {
		msgs, err := tx.ListMessages(store.MessageQuery{Oldest: true})
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, m := range msgs {
			links, err := tx.Links(m.ID)
			if err != nil {
				return err
			}
			for _, l := range links {
				out.Links = append(out.Links, fmt.Sprintf("%d %s %d %s", l.MessageID, l.Kind, l.ItemID, l.How))
			}
			if seen[m.ThreadID] {
				continue
			}
			seen[m.ThreadID] = true
			th, err := tx.Thread(m.ThreadID)
			if err != nil {
				return err
			}
			out.Threads = append(out.Threads, fmt.Sprintf("%d %q deal=%d lead=%d project=%d", threadRef(th.ID), th.Subject, th.DealID, th.LeadID, th.ProjectID))
		}
		persons, err := tx.Persons()
		for _, p := range persons {
			out.Persons = append(out.Persons, fmt.Sprintf("%d %s %v", p.ID, p.Name, p.Emails))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if oldThread == 0 {
		t.Fatal("no old thread")
	}
	return out
}

// A batch decides as message-by-message commits would: the same results,
// threads, links and persons whatever the batch size (and every lookup
// answered from memory is checked against the store, see
// lookups_check_test.go).
func TestBatchCommitEqualsSingle(t *testing.T) {
	single := importBatches(t, 1)
	// The corpus's own expectations, so that "the same" is not "equally
	// wrong".
	want := map[int]string{0: "stored", 1: "stored", 8: "stored", 9: "duplicate", 10: "stored", 11: "stored message_id_reused",
		12: "stored", 13: "duplicate", 14: "stored", 15: "rejected", 17: "stored", 18: "stored"}
	for i, w := range want {
		if !strings.HasPrefix(single.Results[i], w+" ") {
			t.Errorf("message %d: %s, want %s", i, single.Results[i], w)
		}
	}
	thread := func(r string) string { return r[strings.Index(r, "thread="):strings.Index(r, " links")] }
	for _, same := range [][]int{{0, 1, 2, 16}, {3, 4}, {6, 7}} {
		for _, i := range same[1:] {
			if thread(single.Results[i]) != thread(single.Results[same[0]]) {
				t.Errorf("messages %d and %d in different threads: %s / %s", same[0], i, single.Results[same[0]], single.Results[i])
			}
		}
	}
	if thread(single.Results[5]) == thread(single.Results[3]) {
		t.Errorf("a subject without a shared participant joined the thread: %s", single.Results[5])
	}
	if strings.Contains(single.Results[17], "{Type:deal") || !strings.Contains(single.Results[17], "{Type:project") {
		t.Errorf("offer to Bob and Carol: %s, want Bob's project auto-linked, and no deal (Carol has two open ones)", single.Results[17])
	}
	if !strings.Contains(single.Results[16], "{Type:deal") {
		t.Errorf("Bob's reply: %s, want his one open deal auto-linked", single.Results[16])
	}
	if strings.Contains(single.Results[18], "{Type:deal ID:5 ") || !strings.Contains(single.Results[18], "{Type:deal ID:1 How:auto}") {
		t.Errorf("reply in the removed deal's thread: %s, want Bob's deal 1 auto-linked and not the removed deal 5", single.Results[18])
	}
	if len(single.Notes) != 1 || !strings.Contains(single.Notes[0], "can you call him?") {
		t.Errorf("forward notes %q, want the one of the forward", single.Notes)
	}
	if len(single.Persons) != 5 {
		t.Errorf("persons %v, want Bob, Carol, Dave, Eve and Frank", single.Persons)
	}
	for _, size := range []int{2, 3, 7, 100} {
		got := importBatches(t, size)
		if !reflect.DeepEqual(got, single) {
			t.Errorf("batches of %d differ from single commits:\n got %s\nwant %s", size, strings.Join(flatten(got), "\n     "), strings.Join(flatten(single), "\n     "))
		}
	}
}

func flatten(o batchOutcome) []string {
	var out []string
	out = append(out, o.Results...)
	out = append(out, o.Notes...)
	out = append(out, o.Threads...)
	out = append(out, o.Links...)
	return append(out, o.Persons...)
}
