package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

// testTimesRoundTrip: every time is kept in UTC to the microsecond, and a
// struct the store filled in equals what a later read returns.
func (s suite) testTimesRoundTrip(t *testing.T) {
	f := s.newFixture(t)
	zone := time.FixedZone("JST", 9*3600)
	fine := time.Date(2024, 3, 1, 19, 0, 0, 123456789, zone) // nanoseconds, not UTC
	want := time.Date(2024, 3, 1, 10, 0, 0, 123456000, time.UTC)

	m := message(f.ann.ID, f.thread.ID, "t@x", "times")
	m.Date, m.ReceivedAt = fine, fine.Add(time.Second)
	f.insert(t, m)
	if !m.Date.Equal(want) || m.Date.Location() != time.UTC || !m.ReceivedAt.Equal(want.Add(time.Second)) {
		t.Errorf("InsertMessage left Date %v ReceivedAt %v, want %v in UTC", m.Date, m.ReceivedAt, want)
	}
	garbled := message(f.ann.ID, f.thread.ID, "y@x", "year 12345")
	garbled.Date = time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC)
	f.insert(t, garbled)
	if !garbled.Date.IsZero() {
		t.Errorf("a Date in year 12345 became %v, want none", garbled.Date)
	}

	var u *store.User
	var p store.Person
	var it store.Item
	var th store.Thread
	addr := store.Address{UserID: f.ann.ID, Email: "ann@home.example", CodeExpires: fine, CreatedAt: fine, ConfirmedAt: &fine}
	rej := store.Rejection{At: fine, Code: "5.7.1", Reason: "auth_failed"}
	q := store.Quarantined{At: fine, UserID: f.ann.ID, Address: "ann@home.example", ReleasedAt: &fine, Raw: []byte("x")}
	update(t, f.db, func(tx store.Tx) error {
		var err error
		if u, err = tx.CreateUser("carl@acme.example", "Carl"); err != nil {
			return err
		}
		p = store.Person{Name: "P", CreatedAt: fine}
		it = store.Item{Kind: store.KindDeal, Title: "D", CreatedAt: fine}
		th = store.Thread{Subject: "s", CreatedAt: fine}
		for _, err := range []error{tx.CreatePerson(&p), tx.CreateItem(&it), tx.CreateThread(&th),
			tx.AddAddress(&addr), tx.InsertRejection(&rej), tx.InsertQuarantine(&q)} {
			if err != nil {
				return err
			}
		}
		_, err = tx.AddLink(store.Link{MessageID: m.ID, Kind: store.KindDeal, ItemID: it.ID, How: store.HowManual, CreatedAt: fine})
		return err
	})
	for what, got := range map[string]time.Time{"Person": p.CreatedAt, "Item": it.CreatedAt, "Thread": th.CreatedAt,
		"Address.CreatedAt": addr.CreatedAt, "Address.CodeExpires": addr.CodeExpires, "Address.ConfirmedAt": *addr.ConfirmedAt,
		"Rejection": rej.At, "Quarantined.At": q.At, "Quarantined.ReleasedAt": *q.ReleasedAt} {
		if !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("%s: the store left %v, want %v", what, got, want)
		}
	}
	// A time the store chose itself is as precise as what it keeps.
	if u.CreatedAt.Nanosecond()%1000 != 0 || u.CreatedAt.Location() != time.UTC {
		t.Errorf("CreateUser set CreatedAt %v: not UTC microseconds", u.CreatedAt)
	}

	view(t, f.db, func(tx store.Tx) error {
		same := func(what string, got, want time.Time) {
			t.Helper()
			if !got.Equal(want) || got.Location() != time.UTC || got != want {
				t.Errorf("%s read back %v, want exactly %v", what, got, want)
			}
		}
		gm, err := tx.Message(m.ID)
		if err != nil {
			return err
		}
		same("Message.Date", gm.Date, m.Date)
		same("Message.ReceivedAt", gm.ReceivedAt, m.ReceivedAt)
		gg, err := tx.Message(garbled.ID)
		if err != nil {
			return err
		}
		same("garbled Message.Date", gg.Date, time.Time{})
		gu, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		same("User.CreatedAt", gu.CreatedAt, u.CreatedAt)
		gp, err := tx.Person(p.ID)
		if err != nil {
			return err
		}
		same("Person.CreatedAt", gp.CreatedAt, p.CreatedAt)
		gi, err := tx.Item(store.KindDeal, it.ID)
		if err != nil {
			return err
		}
		same("Item.CreatedAt", gi.CreatedAt, it.CreatedAt)
		gt, err := tx.Thread(th.ID)
		if err != nil {
			return err
		}
		same("Thread.CreatedAt", gt.CreatedAt, th.CreatedAt)
		ga, err := tx.AddressByEmail(addr.Email)
		if err != nil {
			return err
		}
		same("Address.CreatedAt", ga.CreatedAt, addr.CreatedAt)
		same("Address.CodeExpires", ga.CodeExpires, addr.CodeExpires)
		if ga.ConfirmedAt == nil {
			t.Errorf("Address.ConfirmedAt lost")
		} else {
			same("Address.ConfirmedAt", *ga.ConfirmedAt, *addr.ConfirmedAt)
		}
		rs, err := tx.Rejections(time.Time{})
		if err != nil || len(rs) != 1 {
			return fmt.Errorf("Rejections = %v, %v", rs, err)
		}
		same("Rejection.At", rs[0].At, rej.At)
		// since is compared to the microsecond too.
		if rs, err := tx.Rejections(fine); err != nil || len(rs) != 1 {
			t.Errorf("Rejections(since the exact time) = %v, %v; want the one", rs, err)
		}
		gq, err := tx.Quarantine(q.ID)
		if err != nil {
			return err
		}
		same("Quarantined.At", gq.At, q.At)
		if gq.ReleasedAt == nil {
			t.Errorf("Quarantined.ReleasedAt lost")
		} else {
			same("Quarantined.ReleasedAt", *gq.ReleasedAt, *q.ReleasedAt)
		}
		ls, err := tx.Links(m.ID)
		if err != nil || len(ls) != 1 {
			return fmt.Errorf("Links = %v, %v", ls, err)
		}
		same("Link.CreatedAt", ls[0].CreatedAt, want)
		return nil
	})

	// Times given to ConfirmAddress and MarkReleased are kept the same way.
	update(t, f.db, func(tx store.Tx) error {
		if err := tx.ConfirmAddress(addr.ID, fine); err != nil {
			return err
		}
		return tx.MarkReleased(q.ID, m.ID, fine)
	})
	view(t, f.db, func(tx store.Tx) error {
		ga, err := tx.AddressByEmail(addr.Email)
		if err == nil && (ga.ConfirmedAt == nil || *ga.ConfirmedAt != want) {
			t.Errorf("ConfirmAddress kept %v, want %v", ga.ConfirmedAt, want)
		}
		gq, err2 := tx.Quarantine(q.ID)
		if err2 == nil && (gq.ReleasedAt == nil || *gq.ReleasedAt != want) {
			t.Errorf("MarkReleased kept %v, want %v", gq.ReleasedAt, want)
		}
		return errors.Join(err, err2)
	})
}

// testEmailsCanonical: addresses are kept lower-case and found in any case.
func (s suite) testEmailsCanonical(t *testing.T) {
	f := s.newFixture(t)
	m := message(f.ann.ID, f.thread.ID, "e@x", "emails")
	m.FromEmail, m.ForwardedBy = " Ann@ACME.example ", "ANN@acme.example"
	m.Participants = []store.Participant{{Role: store.RoleFrom, Name: "Ann", Email: "Ann@Acme.Example"},
		{Role: store.RoleTo, Email: "CAROL@Customer.example"}}
	f.insert(t, m)
	var p store.Person
	var u *store.User
	update(t, f.db, func(tx store.Tx) error {
		p = store.Person{Name: "Carol", Emails: []string{"Carol@Customer.Example", "carol@customer.example", " CAROL@home.example"}}
		if err := tx.CreatePerson(&p); err != nil {
			return err
		}
		var err error
		u, err = tx.CreateUser("  Erin@ACME.example", "Erin")
		if err != nil {
			return err
		}
		if _, err = tx.CreateUser("irin@acme.example", "Irin"); err != nil {
			return err
		}
		return tx.CreatePerson(&store.Person{Name: "Ivy", Emails: []string{"ivy@customer.example"}})
	})
	if want := []string{"carol@customer.example", "carol@home.example"}; !reflect.DeepEqual(p.Emails, want) {
		t.Errorf("CreatePerson left emails %q, want %q", p.Emails, want)
	}
	if u.Email != "erin@acme.example" {
		t.Errorf("CreateUser email %q, want erin@acme.example", u.Email)
	}
	view(t, f.db, func(tx store.Tx) error {
		got, err := tx.Message(m.ID)
		if err != nil {
			return err
		}
		if got.FromEmail != "ann@acme.example" || got.ForwardedBy != "ann@acme.example" ||
			got.Participants[0].Email != "ann@acme.example" || got.Participants[1].Email != "carol@customer.example" {
			t.Errorf("message emails: from %q forwarded by %q participants %+v", got.FromEmail, got.ForwardedBy, got.Participants)
		}
		if !reflect.DeepEqual(got.Participants, m.Participants) {
			t.Errorf("InsertMessage left participants %+v, the store has %+v", m.Participants, got.Participants)
		}
		ps, err := tx.PersonsByEmails([]string{"CAROL@CUSTOMER.EXAMPLE"})
		if err != nil || len(ps) != 1 || ps[0].ID != p.ID {
			t.Errorf("PersonsByEmails in upper case = %+v, %v", ps, err)
		}
		th, err := tx.ThreadBySubject(f.ann.ID, "widgets", []string{"Carol@customer.EXAMPLE"})
		if err != nil || th.ID != f.thread.ID {
			t.Errorf("ThreadBySubject with a participant in another case = %v, %v", th, err)
		}
		if gu, err := tx.UserByEmail("ERIN@acme.example"); err != nil || gu.ID != u.ID {
			t.Errorf("UserByEmail = %v, %v", gu, err)
		}
		// A letter that unicode.ToLower makes ASCII (the dotted capital I,
		// U+0130, to "i") is another letter, as mailaddr reads it: such an
		// address finds no one else's.
		if gu, err := tx.UserByEmail("\u0130rin@acme.example"); !store.IsNotFound(err) {
			t.Errorf("UserByEmail(\u0130rin@acme.example) = %v, %v; want not found (irin@ is another address)", gu, err)
		}
		if ps, err := tx.PersonsByEmails([]string{"\u0130vy@customer.example"}); err != nil || len(ps) != 0 {
			t.Errorf("PersonsByEmails(\u0130vy@customer.example) = %+v, %v; want no one (ivy@ is another address)", ps, err)
		}
		return nil
	})
}

func (s suite) testUpdateRollsBack(t *testing.T) {
	db := s.openTest(t)
	boom := errors.New("boom")
	err := db.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	err = db.View(context.Background(), func(tx store.Tx) error { _, err := tx.Company(); return err })
	wantCode(t, "Company after rollback", err, store.ENotFound)

	// A panic rolls back too, and the store stays usable.
	func() {
		defer func() { recover() }()
		db.Update(context.Background(), func(tx store.Tx) error {
			tx.CreateCompany("Acme", "", "bcc.acme.example")
			panic("boom")
		})
	}()
	err = db.View(context.Background(), func(tx store.Tx) error { _, err := tx.Company(); return err })
	wantCode(t, "Company after a panic", err, store.ENotFound)
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
}

func (s suite) testViewRefusesWrites(t *testing.T) {
	db := s.openTest(t)
	err := db.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.CreateCompany("Acme", "", "bcc.acme.example")
		return err
	})
	wantCode(t, "write in View", err, store.EInternal)
}

// testTxUnusableAfterError: after the database refused a statement, the
// transaction only fails (PostgreSQL aborts it; SQLite is made to agree),
// and Update commits nothing even when fn returns nil. Errors found before
// asking the database leave it usable.
func (s suite) testTxUnusableAfterError(t *testing.T) {
	db := s.openTest(t)
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateUser("ann@acme.example", "Ann"); return err })

	var conflict, after error
	err := db.Update(ctxb, func(tx store.Tx) error {
		if err := tx.CreatePerson(&store.Person{Name: "Bob"}); err != nil {
			return err
		}
		_, conflict = tx.CreateUser("ann@acme.example", "Ann again") // the database refuses it
		_, after = tx.Users()
		return nil // a careless fn: goes on as if nothing happened
	})
	wantCode(t, "CreateUser of an existing address", conflict, store.EConflict)
	if after == nil {
		t.Errorf("Users after a failed statement succeeded; the transaction must be unusable")
	}
	wantCode(t, "call after the failed statement", after, store.EConflict)
	if err == nil {
		t.Errorf("Update committed after a failed statement")
	}
	wantCode(t, "Update after a failed statement", err, store.EConflict)
	view(t, db, func(tx store.Tx) error {
		ps, err := tx.Persons()
		if err == nil && len(ps) != 0 {
			t.Errorf("persons %+v were committed with a broken transaction", ps)
		}
		return err
	})

	// Bad input and missing records are found before the database is
	// asked: the transaction goes on.
	update(t, db, func(tx store.Tx) error {
		_, err := tx.CreateUser("  ", "Nobody")
		wantCode(t, "CreateUser without address", err, store.EInvalid)
		_, err = tx.User(999)
		wantCode(t, "User(999)", err, store.ENotFound)
		_, err = tx.ItemByToken(store.KindDeal, "no-such-token")
		wantCode(t, "ItemByToken", err, store.ENotFound)
		_, err = tx.MessageByKey(1, "mid:none")
		wantCode(t, "MessageByKey", err, store.ENotFound)
		_, err = tx.ThreadByReferences(1, []string{"none@x"})
		wantCode(t, "ThreadByReferences", err, store.ENotFound)
		_, err = tx.CreateUser("dan@acme.example", "Dan")
		return err
	})
	view(t, db, func(tx store.Tx) error {
		_, err := tx.UserByEmail("dan@acme.example")
		return err
	})
}

// testReadOnly: a store opened read-only reads, and refuses an Update as
// unavailable (a temporary failure), not as a bug.
func (s suite) testReadOnly(t *testing.T) {
	dsn := s.b.Fresh(t)
	db := s.openAt(t, dsn, backend.Options{})
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); return err })
	ro := s.openAt(t, dsn, backend.Options{ReadOnly: true})
	err := ro.Update(ctxb, func(tx store.Tx) error { return nil })
	wantCode(t, "Update on a read-only store", err, store.EUnavailable)
	view(t, ro, func(tx store.Tx) error {
		c, err := tx.Company()
		if err == nil && c.Slug != "acme" {
			t.Errorf("slug %q", c.Slug)
		}
		return err
	})
}

// testBusy: another handle holds the writer lock longer than the busy
// timeout; Update gives up with EBusy, a temporary error that says how
// long it waited. Readers are not blocked meanwhile.
func (s suite) testBusy(t *testing.T) {
	dsn := s.b.Fresh(t)
	holder := s.openAt(t, dsn, backend.Options{})
	db := s.openAt(t, dsn, backend.Options{BusyTimeout: 200 * time.Millisecond})
	update(t, db, func(tx store.Tx) error { _, err := tx.CreateUser("ann@acme.example", "Ann"); return err })

	locked, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- holder.Update(ctxb, func(tx store.Tx) error {
			if _, err := tx.CreateUser("dan@acme.example", "Dan"); err != nil {
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-held:
		t.Fatalf("holder: %v", err)
	}

	start := time.Now()
	err := db.Update(ctxb, func(tx store.Tx) error {
		_, err := tx.CreateCompany("Acme", "", "bcc.acme.example")
		return err
	})
	waited := time.Since(start)
	wantCode(t, "Update while another writer holds the lock", err, store.EBusy)
	if !store.IsTemporary(err) {
		t.Errorf("busy error %v is not temporary", err)
	}
	if err != nil && !strings.Contains(err.Error(), "200ms") {
		t.Errorf("message %q does not say how long it waited", err)
	}
	if waited < 150*time.Millisecond {
		t.Errorf("gave up after %v, before the busy timeout", waited)
	}
	view(t, db, func(tx store.Tx) error {
		users, err := tx.Users()
		if err == nil && len(users) != 1 {
			t.Errorf("a reader saw %d users while the writer was not done, want 1", len(users))
		}
		return err
	})

	close(release)
	if err := <-held; err != nil {
		t.Fatalf("holder: %v", err)
	}
	update(t, db, func(tx store.Tx) error {
		_, err := tx.CreateCompany("Acme", "", "bcc.acme.example")
		return err
	})
}

// testConcurrentWriters stands in for Postfix running many ingest
// processes at once: each goroutine opens its own handle (own
// connections, as a separate process would) and commits one message per
// transaction after looking for it first. With the writer lock and the
// default busy timeout nobody should even see EBusy; anything else would
// be a lost delivery.
func (s suite) testConcurrentWriters(t *testing.T) {
	const writers, perWriter = 8, 50
	dsn := s.b.Fresh(t)
	setup := s.openAt(t, dsn, backend.Options{})
	var owner, thread int64
	update(t, setup, func(tx store.Tx) error {
		u, err := tx.CreateUser("ann@acme.example", "Ann")
		if err != nil {
			return err
		}
		th := &store.Thread{Subject: "load"}
		owner = u.ID
		err = tx.CreateThread(th)
		thread = th.ID
		return err
	})

	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			db, err := s.b.Open(ctxb, dsn, backend.Options{})
			if err != nil {
				errs <- err
				return
			}
			defer db.Close()
			for i := 0; i < perWriter; i++ {
				err := db.Update(ctxb, func(tx store.Tx) error {
					m := message(owner, thread, fmt.Sprintf("w%d-%d@load.example", w, i), "load")
					if _, err := tx.MessageByKey(owner, m.DedupKey); !store.IsNotFound(err) {
						return fmt.Errorf("MessageByKey before insert: %v", err)
					}
					return tx.InsertMessage(m)
				})
				if err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if store.ErrorCode(err) == store.EBusy {
			t.Errorf("busy despite the default timeout: %v", err)
		} else {
			t.Errorf("writer failed: %v (code %s)", err, store.ErrorCode(err))
		}
	}
	view(t, setup, func(tx store.Tx) error {
		all, err := tx.ListMessages(store.MessageQuery{})
		if err == nil && len(all) != writers*perWriter {
			t.Errorf("%d messages stored, want %d", len(all), writers*perWriter)
		}
		return err
	})
}

// testTextCleaned: text with NUL characters and invalid UTF-8, as hostile
// or broken mail carries, is kept (U+FFFD in their place) and found again
// by the same bytes, on every backend; the raw bytes stay as they came.
func (s suite) testTextCleaned(t *testing.T) {
	f := s.newFixture(t)
	bad := "a\x00b\xffc"
	clean := "a\uFFFDb\uFFFDc"
	m := message(f.ann.ID, f.thread.ID, "bad\xff@x", "Subject "+bad)
	m.FromName, m.TextBody = bad, "body "+bad
	m.References = []string{"ref\x00@x"}
	m.Participants = append(m.Participants, store.Participant{Role: store.RoleCc, Name: bad, Email: "odd\xff@x.example"})
	m.Attachments = []store.Attachment{{Index: 0, Name: bad, ContentType: "text/plain"}}
	m.Raw = []byte("Subject: " + bad + "\r\n\r\n\x00\xff")
	raw := append([]byte(nil), m.Raw...)
	f.insert(t, m)
	if m.Subject != "Subject "+clean || m.FromName != clean || m.MessageID != "bad\uFFFD@x" {
		t.Errorf("InsertMessage left subject %q from %q message-id %q", m.Subject, m.FromName, m.MessageID)
	}
	var th store.Thread
	update(t, f.db, func(tx store.Tx) error {
		th = store.Thread{Subject: "thread " + bad}
		if err := tx.CreateThread(&th); err != nil {
			return err
		}
		if err := tx.CreatePerson(&store.Person{Name: bad, Emails: []string{"p\xff@x.example"}}); err != nil {
			return err
		}
		if err := tx.InsertRejection(&store.Rejection{Code: "5.7.1", Reason: "x", Detail: bad, Subject: bad}); err != nil {
			return err
		}
		return tx.InsertQuarantine(&store.Quarantined{UserID: f.ann.ID, Address: "q\xff@x", Subject: bad, Raw: []byte(bad)})
	})
	view(t, f.db, func(tx store.Tx) error {
		got, err := tx.Message(m.ID)
		if err != nil {
			return err
		}
		want := *m
		want.Raw = nil
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Message =\n%+v\nwant\n%+v", *got, want)
		}
		if r, err := tx.MessageRaw(m.ID); err != nil || string(r) != string(raw) {
			t.Errorf("MessageRaw = %q, %v; want the bytes as they came", r, err)
		}
		// Lookups with the same bad bytes find what was stored.
		if byKey, err := tx.MessageByKey(f.ann.ID, "mid:bad\xff@x"); err != nil || byKey.ID != m.ID {
			t.Errorf("MessageByKey with invalid UTF-8 = %v, %v", byKey, err)
		}
		if th2, err := tx.ThreadByReferences(f.ann.ID, []string{"ref\x00@x"}); err != nil || th2.ID != f.thread.ID {
			t.Errorf("ThreadByReferences with a NUL = %v, %v", th2, err)
		}
		if ps, err := tx.PersonsByEmails([]string{"P\xff@x.example"}); err != nil || len(ps) != 1 || ps[0].Name != clean {
			t.Errorf("PersonsByEmails with invalid UTF-8 = %+v, %v", ps, err)
		}
		if th2, err := tx.ThreadBySubject(f.ann.ID, "thread "+bad, []string{"odd\xff@x.example"}); err == nil {
			t.Errorf("ThreadBySubject found %v in a thread without that participant", th2)
		}
		rs, err := tx.Rejections(time.Time{})
		if err != nil || len(rs) != 1 || rs[0].Detail != clean {
			t.Errorf("Rejections = %+v, %v", rs, err)
		}
		qs, err := tx.QuarantineList(false)
		if err != nil || len(qs) != 1 || qs[0].Subject != clean || qs[0].Address != "q\uFFFD@x" {
			t.Errorf("QuarantineList = %+v, %v", qs, err)
		}
		return nil
	})
}
