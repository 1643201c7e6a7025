package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/search"
)

func (s suite) testInsertAndLoadMessage(t *testing.T) {
	f := s.newFixture(t)
	m := message(f.ann.ID, f.thread.ID, "m1@acme.example", "Widgets")
	m.InReplyTo = "parent@customer.example"
	m.References = []string{"root@customer.example", "parent@customer.example"}
	m.Date = time.Date(2024, 3, 1, 11, 30, 0, 0, time.FixedZone("CET", 3600))
	m.Shared = true
	m.ForwardedBy = "ann@acme.example"
	m.ForwardedAt = time.Date(2024, 3, 2, 9, 15, 0, 123456789, time.FixedZone("", -5*3600))
	m.ForwardNote = "Can you call him? «urgent»"
	m.Envelope = store.Envelope{Sender: "ann@acme.example", Recipients: []string{"acme@bcc.acme.example"}, ClientIP: "192.0.2.7", Helo: "mx", QueueID: "Q1"}
	m.Auth = store.AuthResult{Mode: "verify", DKIM: "pass", SPF: "pass", DMARC: "pass", Aligned: true, Details: []byte(`{"dkim":[]}`)}
	m.Attachments = []store.Attachment{
		{Index: 0, Name: "quote.pdf", ContentType: "application/pdf", Size: 4, SHA256: "h0", Content: []byte("%PDF")},
		{Index: 1, Name: "empty.txt", ContentType: "text/plain", Content: []byte{}},
		{Index: 2, Name: "in-raw.bin", ContentType: "application/octet-stream", Size: 9, SHA256: "h2"},
	}
	f.insert(t, m)
	if m.ID == 0 || m.Size != int64(len(m.Raw)) {
		t.Fatalf("InsertMessage set id %d size %d", m.ID, m.Size)
	}

	view(t, f.db, func(tx store.Tx) error {
		got, err := tx.Message(m.ID)
		if err != nil {
			return err
		}
		want := *m
		want.Raw = nil
		want.Date = m.Date.UTC()
		want.ForwardedAt = time.Date(2024, 3, 2, 14, 15, 0, 123456000, time.UTC) // UTC, to the microsecond
		want.Attachments = []store.Attachment{
			{Index: 0, Name: "quote.pdf", ContentType: "application/pdf", Size: 4, SHA256: "h0"},
			{Index: 1, Name: "empty.txt", ContentType: "text/plain"},
			{Index: 2, Name: "in-raw.bin", ContentType: "application/octet-stream", Size: 9, SHA256: "h2"},
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Message =\n%+v\nwant\n%+v", *got, want)
		}
		if got.Date.Location() != time.UTC {
			t.Errorf("Date not in UTC: %v", got.Date)
		}
		raw, err := tx.MessageRaw(m.ID)
		if err != nil || !bytes.Equal(raw, m.Raw) {
			t.Errorf("MessageRaw = %q, %v", raw, err)
		}
		c, err := tx.AttachmentContent(m.ID, 0)
		if err != nil || string(c) != "%PDF" {
			t.Errorf("AttachmentContent = %q, %v", c, err)
		}
		c, err = tx.AttachmentContent(m.ID, 1)
		if err != nil || c == nil || len(c) != 0 {
			t.Errorf("AttachmentContent of an empty attachment = %#v, %v", c, err)
		}
		// No content given: it is kept only in the raw message.
		if c, err = tx.AttachmentContent(m.ID, 2); !store.IsNotFound(err) {
			t.Errorf("AttachmentContent of an attachment kept in the raw message = %#v, %v; want not found", c, err)
		}
		byKey, err := tx.MessageByKey(f.ann.ID, m.DedupKey)
		if err != nil || byKey.ID != m.ID {
			t.Errorf("MessageByKey = %v, %v", byKey, err)
		}

		notFound := []struct {
			what string
			fn   func() error
		}{
			{"Message", func() error { _, err := tx.Message(999); return err }},
			{"MessageRaw", func() error { _, err := tx.MessageRaw(999); return err }},
			{"AttachmentContent", func() error { _, err := tx.AttachmentContent(m.ID, 7); return err }},
			{"MessageByKey other owner", func() error { _, err := tx.MessageByKey(f.dan.ID, m.DedupKey); return err }},
		}
		for _, tc := range notFound {
			wantCode(t, tc.what, tc.fn(), store.ENotFound)
		}
		return nil
	})
}

func (s suite) testInsertMessageErrors(t *testing.T) {
	f := s.newFixture(t)
	first := message(f.ann.ID, f.thread.ID, "dup@acme.example", "Dup")
	f.insert(t, first)

	noMsgID := message(f.ann.ID, f.thread.ID, "", "No Message-ID")
	noMsgID.DedupKey = "sha256:abc"
	otherOwner := message(f.dan.ID, f.thread.ID, "dup@acme.example", "Dup")
	dupAttachment := message(f.ann.ID, f.thread.ID, "att@acme.example", "Att")
	dupAttachment.Attachments = []store.Attachment{{Index: 0}, {Index: 0}}
	noKey := message(f.ann.ID, f.thread.ID, "nokey@acme.example", "x")
	noKey.DedupKey = ""

	tests := []struct {
		what string
		m    *store.Message
		code string
	}{
		{"same key, same owner", message(f.ann.ID, f.thread.ID, "dup@acme.example", "Dup"), store.EConflict},
		{"same key, other owner", otherOwner, ""},
		{"no Message-ID", noMsgID, ""},
		{"no such owner", message(999, f.thread.ID, "o@x", "x"), store.ENotFound},
		{"no such thread", message(f.ann.ID, 999, "t@x", "x"), store.ENotFound},
		{"duplicate attachment index", dupAttachment, store.EConflict},
		{"no dedup key", noKey, store.EInvalid},
	}
	for _, tc := range tests {
		err := f.db.Update(ctxb, func(tx store.Tx) error { return tx.InsertMessage(tc.m) })
		wantCode(t, "InsertMessage "+tc.what, err, tc.code)
	}
	// A refused message leaves nothing behind.
	view(t, f.db, func(tx store.Tx) error {
		all, err := tx.ListMessages(store.MessageQuery{})
		if err == nil && len(all) != 3 {
			t.Errorf("%d messages stored, want 3", len(all))
		}
		return err
	})
}

func (s suite) testSetShared(t *testing.T) {
	f := s.newFixture(t)
	m := message(f.ann.ID, f.thread.ID, "s@acme.example", "S")
	f.insert(t, m)
	for _, shared := range []bool{true, false} {
		update(t, f.db, func(tx store.Tx) error { return tx.SetShared(m.ID, shared) })
		view(t, f.db, func(tx store.Tx) error {
			got, err := tx.Message(m.ID)
			if err == nil && got.Shared != shared {
				t.Errorf("Shared = %v, want %v", got.Shared, shared)
			}
			return err
		})
	}
	wantCode(t, "SetShared(999)", f.db.Update(ctxb, func(tx store.Tx) error { return tx.SetShared(999, true) }), store.ENotFound)
}

// TestThreadByReferences: a thread is found through any Message-ID a
// message names, whichever arrives first.
func (s suite) testThreadByReferences(t *testing.T) {
	f := s.newFixture(t)
	var other store.Thread
	update(t, f.db, func(tx store.Tx) error {
		other = store.Thread{Subject: "other"}
		return tx.CreateThread(&other)
	})
	// The reply arrives before the message it answers.
	child := message(f.ann.ID, f.thread.ID, "child@customer.example", "Re: Widgets")
	child.InReplyTo = "<parent@acme.example>"
	child.References = []string{"root@acme.example"} // the parent only in In-Reply-To
	// A later message in another thread names the same root: the first
	// filed wins.
	unrelated := message(f.ann.ID, other.ID, "unrelated@x.example", "Other")
	unrelated.References = []string{"far@x.example", "root@acme.example"}
	f.insert(t, child, unrelated)

	tests := []struct {
		what string
		ids  []string
		want int64 // 0: not found
	}{
		{"own id", []string{"child@customer.example"}, f.thread.ID},
		{"parent that arrives late", []string{"parent@acme.example"}, f.thread.ID},
		{"root in angle brackets", []string{"<root@acme.example>"}, f.thread.ID},
		{"first listed wins", []string{"far@x.example", "parent@acme.example"}, other.ID},
		{"unknown then known", []string{"nobody@x", "", "root@acme.example"}, f.thread.ID},
		{"case matters", []string{"PARENT@acme.example"}, 0},
		{"nothing", nil, 0},
	}
	view(t, f.db, func(tx store.Tx) error {
		for _, tc := range tests {
			th, err := tx.ThreadByReferences(f.ann.ID, tc.ids)
			if tc.want == 0 {
				wantCode(t, "ThreadByReferences "+tc.what, err, store.ENotFound)
				continue
			}
			if err != nil || th.ID != tc.want {
				t.Errorf("ThreadByReferences %s = %v, %v; want thread %d", tc.what, th, err, tc.want)
			}
		}
		return nil
	})
}

func (s suite) testThreadBySubject(t *testing.T) {
	f := s.newFixture(t)
	var older, newer, elsewhere store.Thread
	update(t, f.db, func(tx store.Tx) error {
		for _, th := range []*store.Thread{&older, &newer, &elsewhere} {
			th.Subject = "price list"
			if th == &elsewhere {
				th.Subject = "something else"
			}
			if err := tx.CreateThread(th); err != nil {
				return err
			}
		}
		return nil
	})
	m1 := message(f.ann.ID, older.ID, "a@x", "Price list")
	m2 := message(f.ann.ID, newer.ID, "b@x", "Price list")
	m2.Participants = []store.Participant{{Role: store.RoleTo, Email: "carol@customer.example"}}
	m3 := message(f.ann.ID, elsewhere.ID, "c@x", "Something else")
	f.insert(t, m1, m2, m3)

	tests := []struct {
		subject string
		emails  []string
		want    int64
	}{
		{"price list", []string{"BOB@customer.example"}, older.ID},
		{"price list", []string{"carol@customer.example", "bob@customer.example"}, newer.ID},
		{"price list", []string{"nobody@x.example"}, 0},
		{"price list", nil, 0},
		{"widgets", []string{"bob@customer.example"}, 0},
	}
	view(t, f.db, func(tx store.Tx) error {
		for _, tc := range tests {
			th, err := tx.ThreadBySubject(f.ann.ID, tc.subject, tc.emails)
			if tc.want == 0 {
				wantCode(t, "ThreadBySubject "+tc.subject, err, store.ENotFound)
				continue
			}
			if err != nil || th.ID != tc.want {
				t.Errorf("ThreadBySubject(%q, %v) = %v, %v; want %d", tc.subject, tc.emails, th, err, tc.want)
			}
		}
		return nil
	})
}

// TestListMessages exercises every MessageQuery field.
func (s suite) testListMessages(t *testing.T) {
	f := s.newFixture(t)
	var th2 store.Thread
	update(t, f.db, func(tx store.Tx) error { th2 = store.Thread{Subject: "two"}; return tx.CreateThread(&th2) })

	day := func(d int) time.Time { return testTime.AddDate(0, 0, d) }
	annPrivate := message(f.ann.ID, f.thread.ID, "1@x", "ann private")
	annPrivate.Date = day(1)
	annShared := message(f.ann.ID, f.thread.ID, "2@x", "ann shared")
	annShared.Date, annShared.Shared = day(2), true
	danPrivate := message(f.dan.ID, th2.ID, "3@x", "dan private")
	danPrivate.Date = day(3)
	noDate := message(f.dan.ID, th2.ID, "4@x", "no date: sorted by arrival")
	noDate.Date, noDate.ReceivedAt, noDate.Shared = time.Time{}, day(4), true
	noDate.Participants = append(noDate.Participants, store.Participant{Role: store.RoleSender, Email: "relay@acme.example"})
	f.insert(t, annPrivate, annShared, danPrivate, noDate)
	update(t, f.db, func(tx store.Tx) error {
		if _, err := tx.AddLink(store.Link{MessageID: annShared.ID, Kind: store.KindDeal, ItemID: f.deal.ID, How: store.HowBcc}); err != nil {
			return err
		}
		_, err := tx.AddLink(store.Link{MessageID: danPrivate.ID, Kind: store.KindPerson, ItemID: f.bob.ID, How: store.HowPerson})
		return err
	})
	a, b, c, d := annPrivate.ID, annShared.ID, danPrivate.ID, noDate.ID

	tests := []struct {
		what string
		q    store.MessageQuery
		want []int64
	}{
		{"admin sees all, newest first", store.MessageQuery{}, []int64{d, c, b, a}},
		{"oldest first", store.MessageQuery{Oldest: true}, []int64{a, b, c, d}},
		{"ann sees own and shared", store.MessageQuery{Viewer: f.ann.ID}, []int64{d, b, a}},
		{"dan sees own and shared", store.MessageQuery{Viewer: f.dan.ID}, []int64{d, c, b}},
		{"owner", store.MessageQuery{Owner: f.ann.ID}, []int64{b, a}},
		{"viewer and owner", store.MessageQuery{Viewer: f.dan.ID, Owner: f.ann.ID}, []int64{b}},
		{"deal", store.MessageQuery{ItemKind: store.KindDeal, ItemID: f.deal.ID}, []int64{b}},
		{"person", store.MessageQuery{ItemKind: store.KindPerson, ItemID: f.bob.ID}, []int64{c}},
		{"person, dan owns it", store.MessageQuery{Viewer: f.dan.ID, ItemKind: store.KindPerson, ItemID: f.bob.ID}, []int64{c}},
		{"person, ann cannot see it", store.MessageQuery{Viewer: f.ann.ID, ItemKind: store.KindPerson, ItemID: f.bob.ID}, []int64{}},
		{"unlinked", store.MessageQuery{Unlinked: true}, []int64{d, a}},
		{"participant", store.MessageQuery{Participants: []string{"Bob@Customer.example"}}, []int64{d, c, b, a}},
		{"participant, as viewer", store.MessageQuery{Participants: []string{"bob@customer.example"}, Viewer: f.ann.ID}, []int64{d, b, a}},
		{"participant nobody has", store.MessageQuery{Participants: []string{"carl@customer.example"}}, []int64{}},
		{"sender is not a linking role", store.MessageQuery{Participants: []string{"relay@acme.example"}}, []int64{}},
		{"thread", store.MessageQuery{ThreadID: th2.ID, Oldest: true}, []int64{c, d}},
		{"limit", store.MessageQuery{Limit: 2}, []int64{d, c}},
		{"limit and offset", store.MessageQuery{Limit: 2, Offset: 1}, []int64{c, b}},
		{"offset only", store.MessageQuery{Offset: 3}, []int64{a}},
		{"search", store.MessageQuery{Search: search.MustParse("private")}, []int64{c, a}},
		{"search as viewer", store.MessageQuery{Search: search.MustParse("private"), Viewer: f.ann.ID}, []int64{a}},
		{"message id", store.MessageQuery{MessageID: "2@x"}, []int64{b}},
		{"message id in angle brackets", store.MessageQuery{MessageID: "<3@x>"}, []int64{c}},
		{"message id of another owner", store.MessageQuery{MessageID: "3@x", Owner: f.ann.ID}, []int64{}},
		{"message id nobody has", store.MessageQuery{MessageID: "9@x"}, []int64{}},
	}
	view(t, f.db, func(tx store.Tx) error {
		for _, tc := range tests {
			got, err := tx.ListMessages(tc.q)
			if err != nil {
				t.Errorf("%s: %v", tc.what, err)
				continue
			}
			if !reflect.DeepEqual(ids(got), tc.want) {
				t.Errorf("%s: got %v, want %v", tc.what, ids(got), tc.want)
			}
		}
		_, err := tx.ListMessages(store.MessageQuery{ItemKind: store.KindDeal})
		wantCode(t, "item kind without id", err, store.EInvalid)
		_, err = tx.ListMessages(store.MessageQuery{ItemKind: "task", ItemID: 1})
		wantCode(t, "bad item kind", err, store.EInvalid)

		tm, err := tx.ThreadMessages(f.thread.ID)
		if err != nil || !reflect.DeepEqual(ids(tm), []int64{a, b}) {
			t.Errorf("ThreadMessages = %v, %v", ids(tm), err)
		}
		// Listings carry the summary, not the bodies.
		got, _ := tx.ListMessages(store.MessageQuery{ThreadID: f.thread.ID})
		if len(got) == 2 && (got[0].Subject == "" || got[0].TextBody != "" || got[0].Envelope.Sender != annShared.Envelope.Sender || got[0].Date.IsZero()) {
			t.Errorf("listing entry = %+v", got[0])
		}
		return nil
	})
}

// EachMessage pages through a listing with MessageQuery.After: every
// message once, in the listing's order, whatever the page size, with
// equal sort times (ties broken by id), messages without a Date (sorted by
// arrival), a viewer, a limit and an offset.
func (s suite) testEachMessage(t *testing.T) {
	f := s.newFixture(t)
	var msgs []*store.Message
	for i := range 9 {
		m := message(f.ann.ID, f.thread.ID, fmt.Sprintf("each%d@x", i), fmt.Sprintf("each %d", i))
		m.Date = testTime.AddDate(0, 0, i/3) // three messages per day: ties
		switch {
		case i == 4:
			m.Date, m.ReceivedAt = time.Time{}, testTime.AddDate(0, 0, 1) // no Date: sorted by arrival
		case i%2 == 1:
			m.OwnerID, m.Shared = f.dan.ID, i == 5
		}
		msgs = append(msgs, m)
	}
	f.insert(t, msgs...)
	view(t, f.db, func(tx store.Tx) error {
		for _, q := range []store.MessageQuery{
			{Oldest: true},
			{},
			{Viewer: f.ann.ID, Oldest: true},
			{Viewer: f.ann.ID},
			{Owner: f.dan.ID},
			{Oldest: true, Limit: 5},
			{Limit: 4, Offset: 2},
			{Oldest: true, Offset: 7},
		} {
			want, err := tx.ListMessages(q)
			if err != nil {
				return err
			}
			for _, page := range []int{1, 2, 3, 100} {
				var got []store.Message
				err := store.EachMessage(tx, q, page, func(m *store.Message) error {
					got = append(got, *m)
					return nil
				})
				if err != nil {
					t.Errorf("%+v, page %d: %v", q, page, err)
					continue
				}
				if !reflect.DeepEqual(ids(got), ids(want)) {
					t.Errorf("%+v, page %d: %v, ListMessages gives %v", q, page, ids(got), ids(want))
				}
			}
		}
		// After alone continues a listing after a message.
		all, err := tx.ListMessages(store.MessageQuery{Oldest: true})
		if err != nil {
			return err
		}
		c := all[3].Cursor()
		rest, err := tx.ListMessages(store.MessageQuery{Oldest: true, After: &c})
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(ids(rest), ids(all[4:])) {
			t.Errorf("after %v: %v, want %v", c, ids(rest), ids(all[4:]))
		}
		stop := errors.New("stop")
		n := 0
		if err := store.EachMessage(tx, store.MessageQuery{}, 2, func(*store.Message) error { n++; return stop }); err != stop || n != 1 {
			t.Errorf("an error from fn: %v after %d calls", err, n)
		}
		return nil
	})
}

// Large messages are stored in pieces and read back byte for byte.
func (s suite) testRawInPieces(t *testing.T) {
	f := s.newFixture(t)
	for i, n := range []int{0, 1, rawPiece - 1, rawPiece, rawPiece + 1, 2 * rawPiece, 3*rawPiece + 12345} {
		m := message(f.ann.ID, f.thread.ID, fmt.Sprintf("piece%d@x", i), "pieces")
		m.Raw = make([]byte, n)
		for j := range m.Raw {
			m.Raw[j] = byte(j*7 + i)
		}
		f.insert(t, m)
		view(t, f.db, func(tx store.Tx) error {
			got, err := tx.MessageRaw(m.ID)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, m.Raw) {
				t.Errorf("%d bytes stored, %d read back differently", n, len(got))
			}
			return nil
		})
	}
}

// testHugeValues: mail decides the length of subjects, Message-IDs and
// addresses; a store keeps and finds them at any length (PostgreSQL's
// B-tree entries cannot exceed a third of a page).
func (s suite) testHugeValues(t *testing.T) {
	f := s.newFixture(t)
	long := func(prefix string, n int) string { return prefix + strings.Repeat("x", n) }
	subject := long("subject ", 1<<20)
	msgID := long("id", 100<<10) + "@x"
	ref := long("ref", 50<<10) + "@x"
	email := long("p", 20<<10) + "@customer.example"
	m := message(f.ann.ID, f.thread.ID, msgID, subject)
	m.References = []string{ref}
	// A body of 50,000 different words, the last of them searched for:
	// beyond the positions PostgreSQL keeps in a tsvector (16,383).
	var body strings.Builder
	for i := 0; i < 50000; i++ {
		fmt.Fprintf(&body, "w%dx ", i)
	}
	body.WriteString("zyzzyva")
	m.TextBody = body.String()
	m.Participants = append(m.Participants, store.Participant{Role: store.RoleCc, Name: long("n", 10<<10), Email: email})
	var th store.Thread
	update(t, f.db, func(tx store.Tx) error {
		th = store.Thread{Subject: subject}
		if err := tx.CreateThread(&th); err != nil {
			return err
		}
		m.ThreadID = th.ID
		if err := tx.InsertMessage(m); err != nil {
			return err
		}
		return tx.CreatePerson(&store.Person{Name: "P", Emails: []string{email}})
	})
	view(t, f.db, func(tx store.Tx) error {
		if got, err := tx.MessageByKey(f.ann.ID, m.DedupKey); err != nil || got.ID != m.ID || got.Subject != subject {
			t.Errorf("MessageByKey of a 100 KB key: %v", err)
		}
		if got, err := tx.ThreadByReferences(f.ann.ID, []string{ref}); err != nil || got.ID != th.ID {
			t.Errorf("ThreadByReferences of a 50 KB Message-ID = %v, %v", got, err)
		}
		if got, err := tx.ThreadBySubject(f.ann.ID, subject, []string{email}); err != nil || got.ID != th.ID {
			t.Errorf("ThreadBySubject of a 1 MB subject = %v, %v", got, err)
		}
		if got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("zyzzyva")}); err != nil || len(got) != 1 || got[0].ID != m.ID {
			t.Errorf("search for the last word of a 50,000-word body = %v, %v", ids(got), err)
		}
		if got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("w23456x")}); err != nil || len(got) != 1 {
			t.Errorf("search for a word in the middle of a 50,000-word body = %v, %v", ids(got), err)
		}
		if ps, err := tx.PersonsByEmails([]string{email}); err != nil || len(ps) != 1 {
			t.Errorf("PersonsByEmails of a 20 KB address = %v, %v", ps, err)
		}
		return nil
	})
	// 300,000 different words, and one of 5,000 letters: stored, and found
	// by what a backend can index of them.
	var many strings.Builder
	many.WriteString("aardwolf " + strings.Repeat("q", 5000) + " ")
	for i := 0; i < 300000; i++ {
		fmt.Fprintf(&many, "v%dx ", i)
	}
	big := message(f.ann.ID, th.ID, "many-words@x", "many words")
	big.TextBody = many.String()
	f.insert(t, big)
	view(t, f.db, func(tx store.Tx) error {
		for _, q := range []string{"aardwolf", strings.Repeat("q", 5000)} {
			if _, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse(q)}); err != nil {
				t.Errorf("search for %.20q in a message of 300,000 different words: %v", q, err)
			}
		}
		got, err := tx.ListMessages(store.MessageQuery{Search: search.MustParse("aardwolf")})
		if err != nil || len(got) != 1 || got[0].ID != big.ID {
			t.Errorf("search for the first word of 300,000 = %v, %v", ids(got), err)
		}
		return nil
	})
	// The same key again is a duplicate however long it is.
	err := f.db.Update(ctxb, func(tx store.Tx) error {
		dup := message(f.ann.ID, th.ID, msgID, "again")
		return tx.InsertMessage(dup)
	})
	wantCode(t, "InsertMessage of the same 100 KB key", err, store.EConflict)
}

// testThreadVisibility: threading looks only at the messages the viewer
// may see (own and shared), so another user's private message neither
// draws mail into its thread nor is found by its subject (issue 11.6).
func (s suite) testThreadVisibility(t *testing.T) {
	f := s.newFixture(t)
	var secret, open, dans store.Thread
	update(t, f.db, func(tx store.Tx) error {
		secret, open, dans = store.Thread{Subject: "secret deal"}, store.Thread{Subject: "open"}, store.Thread{Subject: "mine"}
		for _, th := range []*store.Thread{&secret, &open, &dans} {
			if err := tx.CreateThread(th); err != nil {
				return err
			}
		}
		return nil
	})
	private := message(f.ann.ID, secret.ID, "priv@acme.example", "Secret deal")
	shared := message(f.ann.ID, open.ID, "open@acme.example", "Open")
	shared.Shared = true
	f.insert(t, private, shared)

	type find struct {
		viewer  int64
		refs    []string
		subject string
		want    int64 // 0: not found
	}
	check := func(what string, cases []find) {
		t.Helper()
		view(t, f.db, func(tx store.Tx) error {
			for _, c := range cases {
				var th *store.Thread
				var err error
				if c.refs != nil {
					th, err = tx.ThreadByReferences(c.viewer, c.refs)
					// The batch form answers the same.
					got, berr := tx.ReferencedThreads(c.viewer, c.refs)
					if berr != nil {
						t.Fatal(berr)
					}
					var first int64
					for _, id := range c.refs {
						if g, ok := got[store.NormMessageID(id)]; ok {
							first = g.ID
							break
						}
					}
					if first != c.want {
						t.Errorf("%s: ReferencedThreads(viewer %d, %v) gives thread %d, want %d", what, c.viewer, c.refs, first, c.want)
					}
				} else {
					th, err = tx.ThreadBySubject(c.viewer, c.subject, []string{"bob@customer.example"})
					pairs, berr := tx.SubjectThreads(c.viewer, []store.SubjectEmail{{Subject: c.subject, Email: "bob@customer.example"}})
					if berr != nil {
						t.Fatal(berr)
					}
					var got int64
					for _, p := range pairs {
						got = p.Thread.ID
					}
					if got != c.want {
						t.Errorf("%s: SubjectThreads(viewer %d, %q) gives thread %d, want %d", what, c.viewer, c.subject, got, c.want)
					}
				}
				if c.want == 0 {
					wantCode(t, what+": thread lookup", err, store.ENotFound)
				} else if err != nil || th.ID != c.want {
					t.Errorf("%s: viewer %d refs %v subject %q = %v, %v; want thread %d", what, c.viewer, c.refs, c.subject, th, err, c.want)
				}
			}
			return nil
		})
	}
	ann, dan := f.ann.ID, f.dan.ID
	check("before sharing", []find{
		{viewer: ann, refs: []string{"priv@acme.example"}, want: secret.ID},
		{viewer: dan, refs: []string{"priv@acme.example"}, want: 0},
		{viewer: dan, refs: []string{"priv@acme.example", "open@acme.example"}, want: open.ID},
		{viewer: dan, refs: []string{"open@acme.example"}, want: open.ID},
		{viewer: ann, subject: "secret deal", want: secret.ID},
		{viewer: dan, subject: "secret deal", want: 0},
		{viewer: dan, subject: "open", want: open.ID},
	})
	// Dan's own message that names Ann's private one threads his own mail.
	own := message(dan, dans.ID, "dan1@acme.example", "Mine")
	own.References = []string{"priv@acme.example"}
	f.insert(t, own)
	check("Dan's own reference", []find{
		{viewer: dan, refs: []string{"priv@acme.example"}, want: dans.ID},
		{viewer: ann, refs: []string{"priv@acme.example"}, want: secret.ID},
	})
	update(t, f.db, func(tx store.Tx) error { return tx.SetShared(private.ID, true) })
	check("after Ann shares it", []find{
		{viewer: dan, subject: "secret deal", want: secret.ID},
		{viewer: dan, refs: []string{"priv@acme.example"}, want: secret.ID},
	})
}

// testNameOnlyParticipant: a participant known only by a name (an inline
// forward's "Ann Seller/Sales/Acme", a recipient in which no address can
// be read) is stored and loaded with an empty email, and that empty
// email is no address: no lookup by address finds it, so two messages
// share no thread, person or listing through it. (A person with no
// address, a contact known from a call, is not found by "" either.)
func (s suite) testNameOnlyParticipant(t *testing.T) {
	f := s.newFixture(t)
	var th1, th2 store.Thread
	noAddr := &store.Person{Name: "Called once"}
	update(t, f.db, func(tx store.Tx) error {
		for _, th := range []*store.Thread{&th1, &th2} {
			th.Subject = "quote"
			if err := tx.CreateThread(th); err != nil {
				return err
			}
		}
		return tx.CreatePerson(noAddr)
	})
	nameOnly := []store.Participant{
		{Role: store.RoleFrom, Name: "Ann Seller", Email: "ann@acme.example"},
		{Role: store.RoleTo, Name: "Ann Seller/Sales/Acme@Acme", Email: ""},
		{Role: store.RoleCc, Name: "Bob <bob@>", Email: ""},
	}
	m1 := message(f.ann.ID, th1.ID, "n1@x", "Quote")
	m1.Participants = nameOnly
	m2 := message(f.ann.ID, th2.ID, "n2@x", "Quote")
	m2.Participants = nameOnly
	f.insert(t, m1, m2)
	view(t, f.db, func(tx store.Tx) error {
		m, err := tx.Message(m2.ID)
		if err != nil {
			return err
		}
		if len(m.Participants) != 3 || m.Participants[1] != nameOnly[1] || m.Participants[2] != nameOnly[2] {
			t.Errorf("participants %+v, want %+v", m.Participants, nameOnly)
		}
		for _, emails := range [][]string{{""}, {" "}, {"", "nobody@x.example"}} {
			th, err := tx.ThreadBySubject(f.ann.ID, "quote", emails)
			wantCode(t, fmt.Sprintf("ThreadBySubject %q (thread %v)", emails, th), err, store.ENotFound)
			sts, err := tx.SubjectThreads(f.ann.ID, []store.SubjectEmail{{Subject: "quote", Email: emails[0]}})
			if err != nil || len(sts) != 0 {
				t.Errorf("SubjectThreads(quote, %q) = %+v, %v; want none", emails[0], sts, err)
			}
			ps, err := tx.PersonsByEmails(emails)
			if err != nil || len(ps) != 0 {
				t.Errorf("PersonsByEmails(%q) = %+v, %v; want none", emails, ps, err)
			}
			msgs, err := tx.ListMessages(store.MessageQuery{Participants: emails})
			if err != nil || len(msgs) != 0 {
				t.Errorf("ListMessages(participants %q) = %v, %v; want none", emails, ids(msgs), err)
			}
		}
		return nil
	})
}
