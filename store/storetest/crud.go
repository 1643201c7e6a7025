package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
)

func (s suite) testCompany(t *testing.T) {
	db := s.openTest(t)
	err := db.View(ctxb, func(tx store.Tx) error { _, err := tx.Company(); return err })
	wantCode(t, "Company before init", err, store.ENotFound)

	// The slug is given, or made from the name (""); either way it is
	// checked (bccaddr.CheckSlug) before anything is written.
	tests := []struct {
		name, slug, domain string
		code               string
	}{
		{"", "", "bcc.acme.example", store.EInvalid},
		{"株式会社サンプル", "", "bcc.acme.example", store.EInvalid},
		{"株式会社サンプル", "sample+x", "bcc.acme.example", store.EInvalid},
		{"株式会社サンプル", "Sample", "bcc.acme.example", store.EInvalid},
		{"Acme Widgets Ltd.", "", "", store.EInvalid},
		{"International Widget Manufacturing Corporation", "", "bcc.acme.example", store.EInvalid},
		{"Acme Widgets Ltd.", "", "BCC.Acme.Example", ""},
		{"Other", "", "bcc.other.example", store.EConflict},
		{"株式会社サンプル", "sample", "bcc.other.example", store.EConflict},
	}
	for _, tc := range tests {
		err := db.Update(ctxb, func(tx store.Tx) error { _, err := tx.CreateCompany(tc.name, tc.slug, tc.domain); return err })
		wantCode(t, "CreateCompany "+tc.name+" slug "+tc.slug, err, tc.code)
	}
	// A name without Latin letters is set up with the slug given.
	jp := s.openTest(t)
	update(t, jp, func(tx store.Tx) error {
		_, err := tx.CreateCompany("株式会社サンプル", "sample", "bcc.sample.example")
		return err
	})
	view(t, jp, func(tx store.Tx) error {
		c, err := tx.Company()
		if err == nil && (c.Name != "株式会社サンプル" || c.Slug != "sample" || c.BccDomain != "bcc.sample.example") {
			t.Errorf("company %+v", c)
		}
		return err
	})
	view(t, db, func(tx store.Tx) error {
		c, err := tx.Company()
		if err != nil {
			return err
		}
		if c.ID != 1 || c.Name != "Acme Widgets Ltd." || c.Slug != "acme-widgets-ltd" || c.BccDomain != "bcc.acme.example" || c.CreatedAt.IsZero() {
			t.Errorf("company %+v", c)
		}
		return nil
	})
}

func (s suite) testUsers(t *testing.T) {
	db := s.openTest(t)
	var ann *store.User
	update(t, db, func(tx store.Tx) error {
		var err error
		ann, err = tx.CreateUser("ann@acme.example", "Ann Seller")
		return err
	})
	tests := []struct {
		email string
		code  string
	}{
		{"dan@acme.example", ""},
		{"ANN@acme.example", store.EConflict}, // any case
		{"  ", store.EInvalid},
	}
	for _, tc := range tests {
		err := db.Update(ctxb, func(tx store.Tx) error { _, err := tx.CreateUser(tc.email, "X"); return err })
		wantCode(t, "CreateUser "+tc.email, err, tc.code)
	}
	// An alternate address of one user cannot become another user.
	update(t, db, func(tx store.Tx) error {
		return tx.AddAddress(&store.Address{UserID: ann.ID, Email: "ann@home.example"})
	})
	err := db.Update(ctxb, func(tx store.Tx) error { _, err := tx.CreateUser("ann@home.example", "Y"); return err })
	wantCode(t, "CreateUser with another user's alternate address", err, store.EConflict)

	update(t, db, func(tx store.Tx) error {
		return tx.UpdateSettings(ann.ID, store.Settings{AutoLink: true, CreatePersons: true})
	})
	wantCode(t, "UpdateSettings of nobody", db.Update(ctxb, func(tx store.Tx) error {
		return tx.UpdateSettings(999, store.Settings{})
	}), store.ENotFound)

	view(t, db, func(tx store.Tx) error {
		u, err := tx.User(ann.ID)
		if err != nil {
			return err
		}
		want := store.Settings{AutoLink: true, CreatePersons: true}
		if u.Email != "ann@acme.example" || u.Name != "Ann Seller" || u.Settings != want || !u.CreatedAt.Equal(ann.CreatedAt) {
			t.Errorf("User = %+v", u)
		}
		if u, err := tx.UserByEmail("Ann@ACME.example"); err != nil || u.ID != ann.ID {
			t.Errorf("UserByEmail any case = %v, %v", u, err)
		}
		_, err = tx.UserByEmail("ann@home.example")
		wantCode(t, "UserByEmail of an alternate address", err, store.ENotFound)
		_, err = tx.User(999)
		wantCode(t, "User(999)", err, store.ENotFound)
		users, err := tx.Users()
		if err != nil {
			return err
		}
		if len(users) != 2 || users[0].Email != "ann@acme.example" || users[1].Email != "dan@acme.example" {
			t.Errorf("Users = %+v", users)
		}
		return nil
	})
}

func (s suite) testAddresses(t *testing.T) {
	db := s.openTest(t)
	var ann, dan *store.User
	expires := testTime.Add(24 * time.Hour)
	alt := &store.Address{Email: "ann@home.example", CodeHash: "hash-1", CodeExpires: expires, CreatedAt: testTime}
	update(t, db, func(tx store.Tx) error {
		ann, _ = tx.CreateUser("ann@acme.example", "Ann")
		dan, _ = tx.CreateUser("dan@acme.example", "Dan")
		alt.UserID = ann.ID
		return tx.AddAddress(alt)
	})
	if alt.ID == 0 {
		t.Fatal("AddAddress did not set the id")
	}
	adds := []struct {
		what string
		a    store.Address
		code string
	}{
		{"same address, other case, other user", store.Address{UserID: dan.ID, Email: "ANN@home.example"}, store.EConflict},
		{"another user's primary", store.Address{UserID: dan.ID, Email: "ann@acme.example"}, store.EConflict},
		{"no such user", store.Address{UserID: 999, Email: "x@y.example"}, store.ENotFound},
		{"second primary", store.Address{UserID: ann.ID, Email: "p@y.example", Primary: true}, store.EInvalid},
		{"empty", store.Address{UserID: ann.ID}, store.EInvalid},
	}
	for _, tc := range adds {
		err := db.Update(ctxb, func(tx store.Tx) error { return tx.AddAddress(&tc.a) })
		wantCode(t, "AddAddress "+tc.what, err, tc.code)
	}

	view(t, db, func(tx store.Tx) error {
		as, err := tx.Addresses(ann.ID)
		if err != nil {
			return err
		}
		if len(as) != 2 || !as[0].Primary || !as[0].Confirmed || as[0].ConfirmedAt == nil || as[1].Email != "ann@home.example" || as[1].Confirmed {
			t.Errorf("Addresses = %+v", as)
		}
		a, err := tx.AddressByEmail("Ann@Home.example")
		if err != nil {
			return err
		}
		if a.ID != alt.ID || a.UserID != ann.ID || a.CodeHash != "hash-1" || !a.CodeExpires.Equal(expires) || !a.CreatedAt.Equal(testTime) || a.ConfirmedAt != nil {
			t.Errorf("AddressByEmail = %+v", a)
		}
		if a, err := tx.AddressByCodeHash("hash-1"); err != nil || a.ID != alt.ID {
			t.Errorf("AddressByCodeHash = %v, %v", a, err)
		}
		_, err = tx.AddressByCodeHash("nope")
		wantCode(t, "AddressByCodeHash unknown", err, store.ENotFound)
		_, err = tx.AddressByCodeHash("")
		wantCode(t, "AddressByCodeHash empty", err, store.ENotFound)
		_, err = tx.Addresses(999)
		wantCode(t, "Addresses of nobody", err, store.ENotFound)
		return nil
	})

	confirmedAt := testTime.Add(time.Hour)
	update(t, db, func(tx store.Tx) error { return tx.ConfirmAddress(alt.ID, confirmedAt) })
	wantCode(t, "ConfirmAddress(999)", db.Update(ctxb, func(tx store.Tx) error { return tx.ConfirmAddress(999, confirmedAt) }), store.ENotFound)
	view(t, db, func(tx store.Tx) error {
		// The code still finds the address, now confirmed, so that a
		// second reply is "already confirmed", not "unknown code".
		a, err := tx.AddressByCodeHash("hash-1")
		if err != nil {
			return err
		}
		if !a.Confirmed || a.ConfirmedAt == nil || !a.ConfirmedAt.Equal(confirmedAt) || a.Status() != "confirmed" {
			t.Errorf("after ConfirmAddress: %+v", a)
		}
		return nil
	})

	removes := []struct {
		what   string
		userID int64
		email  string
		code   string
	}{
		{"primary", ann.ID, "ann@acme.example", store.EInvalid},
		{"someone else's", dan.ID, "ann@home.example", store.ENotFound},
		{"unknown", ann.ID, "nobody@x.example", store.ENotFound},
		{"alternate, other case", ann.ID, "ANN@home.example", ""},
		{"again", ann.ID, "ann@home.example", store.ENotFound},
	}
	for _, tc := range removes {
		err := db.Update(ctxb, func(tx store.Tx) error { return tx.RemoveAddress(tc.userID, tc.email) })
		wantCode(t, "RemoveAddress "+tc.what, err, tc.code)
	}
}

func (s suite) testPersons(t *testing.T) {
	db := s.openTest(t)
	bob := &store.Person{Name: " Bob Buyer ", Org: "Customer Ltd", Emails: []string{"bob@customer.example", "BOB@customer.example", "", "bob@home.example"}}
	carol := &store.Person{Name: "Carol", Emails: []string{"shared@customer.example"}}
	dave := &store.Person{Name: "Dave", Emails: []string{"dave@customer.example"}}
	update(t, db, func(tx store.Tx) error {
		for _, p := range []*store.Person{bob, carol, dave} {
			if err := tx.CreatePerson(p); err != nil {
				return err
			}
		}
		return nil
	})
	wantCode(t, "CreatePerson empty", db.Update(ctxb, func(tx store.Tx) error { return tx.CreatePerson(&store.Person{}) }), store.EInvalid)
	// An address belongs to at most one person, whatever its case; the
	// refusal names the person who has it.
	err := db.Update(ctxb, func(tx store.Tx) error {
		return tx.CreatePerson(&store.Person{Name: "Eve", Emails: []string{"eve@x.example", "Shared@Customer.example"}})
	})
	if wantCode(t, "CreatePerson with Carol's address", err, store.EConflict); err != nil &&
		err.Error() != fmt.Sprintf("shared@customer.example is already the address of person %d (Carol)", carol.ID) {
		t.Errorf("conflict message %q", err)
	}

	view(t, db, func(tx store.Tx) error {
		p, err := tx.Person(bob.ID)
		if err != nil {
			return err
		}
		if p.Name != "Bob Buyer" || p.Org != "Customer Ltd" || !reflect.DeepEqual(p.Emails, []string{"bob@customer.example", "bob@home.example"}) || p.CreatedAt.IsZero() {
			t.Errorf("Person = %+v", p)
		}
		_, err = tx.Person(999)
		wantCode(t, "Person(999)", err, store.ENotFound)
		all, err := tx.Persons()
		if err != nil {
			return err
		}
		if len(all) != 3 || all[2].Name != "Dave" || len(all[1].Emails) != 1 || all[2].Org != "" {
			t.Errorf("Persons = %+v", all)
		}
		lookups := []struct {
			emails []string
			want   []int64
		}{
			{[]string{"BOB@HOME.example"}, []int64{bob.ID}},
			{[]string{"shared@customer.example", "bob@customer.example", "dave@customer.example"}, []int64{bob.ID, carol.ID, dave.ID}},
			{[]string{"nobody@x.example"}, nil},
			{nil, nil},
		}
		for _, l := range lookups {
			ps, err := tx.PersonsByEmails(l.emails)
			if err != nil {
				return err
			}
			var got []int64
			for _, p := range ps {
				got = append(got, p.ID)
			}
			if !reflect.DeepEqual(got, l.want) {
				t.Errorf("PersonsByEmails(%v) = %v, want %v", l.emails, got, l.want)
			}
		}
		return nil
	})

	// UpdatePerson rewrites name, org and the whole address list, under
	// the same rule; DeletePerson removes the person and its links and
	// leaves its items without a person.
	update(t, db, func(tx store.Tx) error {
		p := *dave
		p.Name, p.Org, p.Emails = " David ", "Customer", []string{"DAVID@customer.example", "dave@customer.example"}
		return tx.UpdatePerson(&p)
	})
	for _, tc := range []struct {
		what string
		p    store.Person
		code string
	}{
		{"taking Bob's address", store.Person{ID: dave.ID, Name: "David", Emails: []string{"bob@home.example"}}, store.EConflict},
		{"no name and no address", store.Person{ID: dave.ID}, store.EInvalid},
		{"no such person", store.Person{ID: 999, Name: "X"}, store.ENotFound},
	} {
		err := db.Update(ctxb, func(tx store.Tx) error { return tx.UpdatePerson(&tc.p) })
		wantCode(t, "UpdatePerson "+tc.what, err, tc.code)
	}
	view(t, db, func(tx store.Tx) error {
		p, err := tx.Person(dave.ID)
		if err != nil {
			return err
		}
		if p.Name != "David" || p.Org != "Customer" || !reflect.DeepEqual(p.Emails, []string{"david@customer.example", "dave@customer.example"}) {
			t.Errorf("after UpdatePerson: %+v", p)
		}
		return nil
	})
	// Dave's old address is free again once he gives it up.
	update(t, db, func(tx store.Tx) error {
		p := store.Person{ID: dave.ID, Name: "David", Emails: []string{"david@customer.example"}}
		if err := tx.UpdatePerson(&p); err != nil {
			return err
		}
		return tx.CreatePerson(&store.Person{Name: "Dave's successor", Emails: []string{"dave@customer.example"}})
	})
	deal := &store.Item{Kind: store.KindDeal, Title: "Carol's deal", PersonID: carol.ID, Token: "tc"}
	update(t, db, func(tx store.Tx) error { return tx.CreateItem(deal) })
	update(t, db, func(tx store.Tx) error { return tx.DeletePerson(carol.ID) })
	wantCode(t, "DeletePerson twice", db.Update(ctxb, func(tx store.Tx) error { return tx.DeletePerson(carol.ID) }), store.ENotFound)
	view(t, db, func(tx store.Tx) error {
		_, err := tx.Person(carol.ID)
		wantCode(t, "Person after DeletePerson", err, store.ENotFound)
		if ps, err := tx.PersonsByEmails([]string{"shared@customer.example"}); err != nil || len(ps) != 0 {
			t.Errorf("Carol's address still finds %+v, %v", ps, err)
		}
		d, err := tx.Item(store.KindDeal, deal.ID)
		if err != nil || d.PersonID != 0 || d.Title != "Carol's deal" {
			t.Errorf("Carol's deal after DeletePerson: %+v, %v", d, err)
		}
		return nil
	})
}

func (s suite) testItems(t *testing.T) {
	db := s.openTest(t)
	var bob store.Person
	update(t, db, func(tx store.Tx) error {
		bob = store.Person{Name: "Bob", Emails: []string{"bob@customer.example"}}
		return tx.CreatePerson(&bob)
	})
	creates := []struct {
		what string
		it   store.Item
		code string
	}{
		{"deal", store.Item{Kind: store.KindDeal, Title: "Widgets", PersonID: bob.ID, Token: "t1"}, ""},
		{"second deal", store.Item{Kind: store.KindDeal, Title: "Gadgets", Status: store.StatusWon, Token: "t2"}, ""},
		{"lead with the deal's token", store.Item{Kind: store.KindLead, Title: "Lead", PersonID: bob.ID, Token: "t1"}, ""},
		{"project", store.Item{Kind: store.KindProject, Title: "Rollout", PersonID: bob.ID, Status: store.StatusDeleted}, ""},
		{"duplicate token", store.Item{Kind: store.KindDeal, Title: "Dup", Token: "t1"}, store.EConflict},
		{"bad status", store.Item{Kind: store.KindDeal, Title: "X", Status: "pending"}, store.EInvalid},
		{"bad kind", store.Item{Kind: store.KindPerson, Title: "X"}, store.EInvalid},
		{"no title", store.Item{Kind: store.KindDeal}, store.EInvalid},
		{"no such person", store.Item{Kind: store.KindDeal, Title: "X", PersonID: 999}, store.ENotFound},
		{"project token", store.Item{Kind: store.KindProject, Title: "X", Token: "t9"}, store.EInvalid},
	}
	for _, tc := range creates {
		err := db.Update(ctxb, func(tx store.Tx) error { return tx.CreateItem(&tc.it) })
		wantCode(t, "CreateItem "+tc.what, err, tc.code)
	}
	view(t, db, func(tx store.Tx) error {
		// Each kind numbers from 1.
		for _, kind := range store.ItemKinds {
			it, err := tx.Item(kind, 1)
			if err != nil {
				return err
			}
			if it.Kind != kind || it.ID != 1 || it.CreatedAt.IsZero() {
				t.Errorf("Item(%s, 1) = %+v", kind, it)
			}
		}
		d, _ := tx.Item(store.KindDeal, 1)
		if d.Title != "Widgets" || d.PersonID != bob.ID || d.Status != store.StatusOpen || d.Token != "t1" {
			t.Errorf("deal 1 = %+v", d)
		}
		_, err := tx.Item(store.KindDeal, 42)
		if wantCode(t, "Item(deal, 42)", err, store.ENotFound); err != nil && err.Error() != "no such deal 42" {
			t.Errorf("message %q", err)
		}
		deals, err := tx.Items(store.KindDeal)
		if err != nil || len(deals) != 2 || deals[1].Status != store.StatusWon {
			t.Errorf("Items(deal) = %+v, %v", deals, err)
		}
		if it, err := tx.ItemByToken(store.KindLead, "t1"); err != nil || it.Kind != store.KindLead || it.ID != 1 {
			t.Errorf("ItemByToken(lead, t1) = %+v, %v", it, err)
		}
		for _, tc := range []struct {
			kind  store.ItemKind
			token string
		}{{store.KindDeal, "nope"}, {store.KindDeal, ""}, {store.KindProject, "t1"}} {
			_, err := tx.ItemByToken(tc.kind, tc.token)
			wantCode(t, "ItemByToken "+string(tc.kind)+" "+tc.token, err, store.ENotFound)
		}
		projects, err := tx.ItemsOfPerson(store.KindProject, bob.ID)
		if err != nil || len(projects) != 1 || projects[0].Status != store.StatusDeleted {
			t.Errorf("ItemsOfPerson(project) = %+v, %v (all statuses expected)", projects, err)
		}
		deals, err = tx.ItemsOfPerson(store.KindDeal, bob.ID)
		if err != nil || len(deals) != 1 || deals[0].ID != 1 {
			t.Errorf("ItemsOfPerson(deal) = %+v, %v", deals, err)
		}
		return nil
	})

	// UpdateItem: title, person, owner, status and a lead's conversion;
	// nothing else moves.
	var ann *store.User
	update(t, db, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		var err error
		ann, err = tx.CreateUser("ann@acme.example", "Ann")
		return err
	})
	update(t, db, func(tx store.Tx) error {
		d, err := tx.Item(store.KindDeal, 1)
		if err != nil {
			return err
		}
		d.Title, d.PersonID, d.OwnerID, d.Status = " Widgets, 300 ", 0, ann.ID, store.StatusWon
		if err := tx.UpdateItem(d); err != nil {
			return err
		}
		l, err := tx.Item(store.KindLead, 1)
		if err != nil {
			return err
		}
		l.ConvertedTo, l.Status = 2, store.StatusWon
		return tx.UpdateItem(l)
	})
	view(t, db, func(tx store.Tx) error {
		d, err := tx.Item(store.KindDeal, 1)
		if err != nil {
			return err
		}
		if d.Title != "Widgets, 300" || d.PersonID != 0 || d.OwnerID != ann.ID || d.Status != store.StatusWon || d.Token != "t1" || d.ConvertedTo != 0 {
			t.Errorf("deal after UpdateItem = %+v", d)
		}
		l, err := tx.Item(store.KindLead, 1)
		if err != nil {
			return err
		}
		if l.ConvertedTo != 2 || l.Status != store.StatusWon || l.PersonID != bob.ID {
			t.Errorf("lead after UpdateItem = %+v", l)
		}
		if it, err := tx.ItemByToken(store.KindLead, "t1"); err != nil || it.ConvertedTo != 2 {
			t.Errorf("ItemByToken(lead) after conversion = %+v, %v", it, err)
		}
		return nil
	})
	owned := &store.Item{Kind: store.KindProject, Title: "Owned", OwnerID: ann.ID}
	update(t, db, func(tx store.Tx) error { return tx.CreateItem(owned) })
	view(t, db, func(tx store.Tx) error {
		p, err := tx.Item(store.KindProject, owned.ID)
		if err != nil || p.OwnerID != ann.ID {
			t.Errorf("CreateItem with owner: %+v, %v", p, err)
		}
		return nil
	})
	for _, tc := range []struct {
		what string
		it   store.Item
		code string
	}{
		{"no such deal", store.Item{Kind: store.KindDeal, ID: 99, Title: "X", Status: store.StatusOpen}, store.ENotFound},
		{"bad status", store.Item{Kind: store.KindDeal, ID: 1, Title: "X", Status: "pending"}, store.EInvalid},
		{"no title", store.Item{Kind: store.KindDeal, ID: 1, Status: store.StatusOpen}, store.EInvalid},
		{"no such owner", store.Item{Kind: store.KindDeal, ID: 1, Title: "X", Status: store.StatusOpen, OwnerID: 99}, store.ENotFound},
		{"no such person", store.Item{Kind: store.KindDeal, ID: 1, Title: "X", Status: store.StatusOpen, PersonID: 99}, store.ENotFound},
		{"a deal is not converted", store.Item{Kind: store.KindDeal, ID: 1, Title: "X", Status: store.StatusOpen, ConvertedTo: 2}, store.EInvalid},
		{"converted to no such deal", store.Item{Kind: store.KindLead, ID: 1, Title: "X", Status: store.StatusWon, ConvertedTo: 99}, store.ENotFound},
	} {
		err := db.Update(ctxb, func(tx store.Tx) error { return tx.UpdateItem(&tc.it) })
		wantCode(t, "UpdateItem "+tc.what, err, tc.code)
	}
}

func (s suite) testThreadsAndLinks(t *testing.T) {
	f := s.newFixture(t)
	m := message(f.ann.ID, f.thread.ID, "m1@acme.example", "Widgets")
	f.insert(t, m)

	update(t, f.db, func(tx store.Tx) error { return tx.SetThreadItem(f.thread.ID, store.KindDeal, f.deal.ID) })
	setItem := []struct {
		what   string
		thread int64
		kind   store.ItemKind
		item   int64
		code   string
	}{
		{"no such deal", f.thread.ID, store.KindDeal, 999, store.ENotFound},
		{"person", f.thread.ID, store.KindPerson, f.bob.ID, store.EInvalid},
		{"no such thread", 999, store.KindDeal, f.deal.ID, store.ENotFound},
	}
	for _, tc := range setItem {
		err := f.db.Update(ctxb, func(tx store.Tx) error { return tx.SetThreadItem(tc.thread, tc.kind, tc.item) })
		wantCode(t, "SetThreadItem "+tc.what, err, tc.code)
	}
	view(t, f.db, func(tx store.Tx) error {
		th, err := tx.Thread(f.thread.ID)
		if err == nil && (th.DealID != f.deal.ID || th.ItemID(store.KindDeal) != f.deal.ID || th.Subject != "widgets") {
			t.Errorf("Thread = %+v", th)
		}
		_, err2 := tx.Thread(999)
		wantCode(t, "Thread(999)", err2, store.ENotFound)
		return err
	})
	update(t, f.db, func(tx store.Tx) error { return tx.SetThreadItem(f.thread.ID, store.KindDeal, 0) })
	view(t, f.db, func(tx store.Tx) error {
		th, err := tx.Thread(f.thread.ID)
		if err == nil && th.DealID != 0 {
			t.Errorf("SetThreadItem 0 did not clear: %+v", th)
		}
		return err
	})

	adds := []struct {
		what string
		l    store.Link
		new  bool
		code string
	}{
		{"deal", store.Link{MessageID: m.ID, Kind: store.KindDeal, ItemID: f.deal.ID, How: store.HowBcc}, true, ""},
		{"again", store.Link{MessageID: m.ID, Kind: store.KindDeal, ItemID: f.deal.ID, How: store.HowManual}, false, ""},
		{"person", store.Link{MessageID: m.ID, Kind: store.KindPerson, ItemID: f.bob.ID, How: store.HowPerson}, true, ""},
		{"no such deal", store.Link{MessageID: m.ID, Kind: store.KindDeal, ItemID: 999, How: store.HowManual}, false, store.ENotFound},
		{"no such message", store.Link{MessageID: 999, Kind: store.KindDeal, ItemID: f.deal.ID, How: store.HowManual}, false, store.ENotFound},
		{"bad kind", store.Link{MessageID: m.ID, Kind: "task", ItemID: 1, How: store.HowManual}, false, store.EInvalid},
		{"no how", store.Link{MessageID: m.ID, Kind: store.KindDeal, ItemID: f.deal.ID}, false, store.EInvalid},
	}
	for _, tc := range adds {
		var isNew bool
		err := f.db.Update(ctxb, func(tx store.Tx) error {
			var err error
			isNew, err = tx.AddLink(tc.l)
			return err
		})
		wantCode(t, "AddLink "+tc.what, err, tc.code)
		if isNew != tc.new {
			t.Errorf("AddLink %s reported new=%v, want %v", tc.what, isNew, tc.new)
		}
	}
	view(t, f.db, func(tx store.Tx) error {
		ls, err := tx.Links(m.ID)
		if err != nil {
			return err
		}
		if len(ls) != 2 || ls[0].Kind != store.KindDeal || ls[0].How != store.HowBcc || ls[1].Kind != store.KindPerson || ls[0].CreatedAt.IsZero() {
			t.Errorf("Links = %+v", ls)
		}
		return nil
	})
	for _, want := range []bool{true, false} {
		var removed bool
		update(t, f.db, func(tx store.Tx) error {
			var err error
			removed, err = tx.RemoveLink(m.ID, store.KindDeal, f.deal.ID)
			return err
		})
		if removed != want {
			t.Errorf("RemoveLink = %v, want %v", removed, want)
		}
	}
}

func (s suite) testRejections(t *testing.T) {
	db := s.openTest(t)
	env := store.Envelope{Sender: "eve@evil.example", Recipients: []string{"acme@bcc.acme.example"}, ClientIP: "192.0.2.1", Helo: "evil", QueueID: "ABC"}
	update(t, db, func(tx store.Tx) error {
		for i, reason := range []string{"auth_failed", "unknown_sender"} {
			r := &store.Rejection{At: testTime.Add(time.Duration(i) * time.Hour), Code: "5.7.1", Reason: reason,
				Detail: "DKIM and SPF failed", Envelope: env, From: "ann@acme.example", MessageID: "x@y", Subject: "Hi", RawSHA256: "abc", Size: 12}
			if err := tx.InsertRejection(r); err != nil {
				return err
			}
			if r.ID == 0 {
				t.Error("InsertRejection did not set the id")
			}
		}
		return nil
	})
	tests := []struct {
		since time.Time
		want  []string
	}{
		{time.Time{}, []string{"auth_failed", "unknown_sender"}},
		{testTime.Add(30 * time.Minute), []string{"unknown_sender"}},
		{testTime.Add(48 * time.Hour), nil},
	}
	view(t, db, func(tx store.Tx) error {
		for _, tc := range tests {
			rs, err := tx.Rejections(tc.since)
			if err != nil {
				return err
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.Reason)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Rejections(%v) = %v, want %v", tc.since, got, tc.want)
			}
			if len(rs) > 0 && (!reflect.DeepEqual(rs[0].Envelope, env) || rs[0].Size != 12 || rs[0].At.Location() != time.UTC) {
				t.Errorf("rejection = %+v", rs[0])
			}
		}
		return nil
	})
	// The same bytes refused again for the same reason (an archive
	// imported twice) are recorded once; another reason is recorded.
	var first int64
	update(t, db, func(tx store.Tx) error {
		rs, err := tx.Rejections(time.Time{})
		if err != nil || len(rs) == 0 {
			return err
		}
		first = rs[0].ID
		again := &store.Rejection{Code: "5.7.1", Reason: "auth_failed", RawSHA256: "abc", Size: 12}
		if err := tx.InsertRejection(again); err != nil {
			return err
		}
		if again.ID != first {
			t.Errorf("the same refusal again got id %d, want the first one's, %d", again.ID, first)
		}
		return tx.InsertRejection(&store.Rejection{Code: "5.7.1", Reason: "auth_failed", RawSHA256: "def", Size: 12})
	})
	view(t, db, func(tx store.Tx) error {
		rs, err := tx.Rejections(time.Time{})
		if err == nil && len(rs) != 3 {
			t.Errorf("%d rejections after a repeated one and a new one, want 3", len(rs))
		}
		return err
	})
	// An input of no bytes (not mail) has nothing to be the same as.
	update(t, db, func(tx store.Tx) error {
		for range 2 {
			if err := tx.InsertRejection(&store.Rejection{Code: "5.6.0", Reason: "not_a_message", RawSHA256: store.EmptySHA256}); err != nil {
				return err
			}
		}
		return nil
	})
	view(t, db, func(tx store.Tx) error {
		rs, err := tx.Rejections(time.Time{})
		if err == nil && len(rs) != 5 {
			t.Errorf("%d rejections after two of no bytes, want 5", len(rs))
		}
		return err
	})
}

func (s suite) testQuarantine(t *testing.T) {
	f := s.newFixture(t)
	raw := []byte("From: ann@home.example\r\n\r\nheld\r\n")
	q := &store.Quarantined{At: testTime, UserID: f.ann.ID, Address: "ann@home.example",
		Envelope: store.Envelope{Sender: "ann@home.example"}, From: "ann@home.example", Subject: "held", MessageID: "h@x", Raw: raw}
	update(t, f.db, func(tx store.Tx) error { return tx.InsertQuarantine(q) })
	wantCode(t, "InsertQuarantine for nobody", f.db.Update(ctxb, func(tx store.Tx) error {
		return tx.InsertQuarantine(&store.Quarantined{UserID: 999, Raw: raw})
	}), store.ENotFound)

	view(t, f.db, func(tx store.Tx) error {
		got, err := tx.Quarantine(q.ID)
		if err != nil {
			return err
		}
		if string(got.Raw) != string(raw) || got.Released || got.ReleasedAt != nil || got.Envelope.Sender != "ann@home.example" {
			t.Errorf("Quarantine = %+v", got)
		}
		list, err := tx.QuarantineList(false)
		if err != nil || len(list) != 1 || list[0].Raw != nil {
			t.Errorf("QuarantineList = %+v, %v (raw must not be loaded)", list, err)
		}
		_, err = tx.Quarantine(999)
		wantCode(t, "Quarantine(999)", err, store.ENotFound)
		return nil
	})

	m := message(f.ann.ID, f.thread.ID, "h@x", "held")
	f.insert(t, m)
	at := testTime.Add(time.Hour)
	update(t, f.db, func(tx store.Tx) error { return tx.MarkReleased(q.ID, m.ID, at) })
	for _, tc := range []struct {
		what      string
		id, filed int64
		code      string
	}{{"no such entry", 999, m.ID, store.ENotFound}, {"no such message", q.ID, 999, store.ENotFound}} {
		err := f.db.Update(ctxb, func(tx store.Tx) error { return tx.MarkReleased(tc.id, tc.filed, at) })
		wantCode(t, "MarkReleased "+tc.what, err, tc.code)
	}
	view(t, f.db, func(tx store.Tx) error {
		pending, _ := tx.QuarantineList(false)
		all, err := tx.QuarantineList(true)
		if len(pending) != 0 || len(all) != 1 || !all[0].Released || all[0].FiledAs != m.ID || all[0].ReleasedAt == nil || !all[0].ReleasedAt.Equal(at) {
			t.Errorf("after release: pending %+v all %+v", pending, all)
		}
		return err
	})

	update(t, f.db, func(tx store.Tx) error { return tx.DeleteQuarantined(q.ID) })
	wantCode(t, "DeleteQuarantined twice", f.db.Update(ctxb, func(tx store.Tx) error { return tx.DeleteQuarantined(q.ID) }), store.ENotFound)
	view(t, f.db, func(tx store.Tx) error {
		_, err := tx.Quarantine(q.ID)
		wantCode(t, "Quarantine after DeleteQuarantined", err, store.ENotFound)
		return nil
	})
}

// idCase is a kind of row that the product removes and that scripts and
// administrators name by id: how to add the nth one and how to remove it.
type idCase struct {
	name   string
	add    func(tx store.Tx, n int) (int64, error)
	remove func(tx store.Tx, id int64, n int) error
}

// removableRows are the kinds of row whose ids must never be given twice.
func removableRows(f *fixture) []idCase {
	return []idCase{
		{"person", func(tx store.Tx, n int) (int64, error) {
			p := &store.Person{Name: fmt.Sprintf("P%d", n)}
			err := tx.CreatePerson(p)
			return p.ID, err
		}, func(tx store.Tx, id int64, _ int) error { return tx.DeletePerson(id) }},
		{"held mail", func(tx store.Tx, n int) (int64, error) {
			q := &store.Quarantined{At: testTime, UserID: f.ann.ID, Address: "ann@home.example", Raw: []byte("S: x\r\n\r\n")}
			err := tx.InsertQuarantine(q)
			return q.ID, err
		}, func(tx store.Tx, id int64, _ int) error { return tx.DeleteQuarantined(id) }},
		{"address", func(tx store.Tx, n int) (int64, error) {
			a := &store.Address{UserID: f.ann.ID, Email: fmt.Sprintf("ann%d@home.example", n), CreatedAt: testTime}
			err := tx.AddAddress(a)
			return a.ID, err
		}, func(tx store.Tx, _ int64, n int) error {
			return tx.RemoveAddress(f.ann.ID, fmt.Sprintf("ann%d@home.example", n))
		}},
	}
}

// testIDsNeverReused: the ids of persons, held mail and addresses are what
// scripts and administrators name them by (person rm 7, quarantine release
// 7), so an id once given is never given to another row, even after the
// newest row is removed: a command naming the removed one must find
// nothing, not its successor.
func (s suite) testIDsNeverReused(t *testing.T) {
	f := s.newFixture(t)
	for _, c := range removableRows(f) {
		seen := map[int64]bool{}
		// Remove the newest, then an older one, then the newest again.
		var ids []int64
		for n := 0; n < 6; n++ {
			var id int64
			update(t, f.db, func(tx store.Tx) (err error) { id, err = c.add(tx, n); return err })
			if seen[id] {
				t.Errorf("%s %d got id %d again", c.name, n, id)
			}
			seen[id] = true
			ids = append(ids, id)
			if n%2 == 1 {
				victim := n
				if n == 3 {
					victim = 0
				}
				update(t, f.db, func(tx store.Tx) error { return c.remove(tx, ids[victim], victim) })
			}
		}
	}
}

// testCopyKeepsIDsGiven: a store copied into another (smartbcc migrate)
// gives no id the old one gave, not even that of its newest row removed
// before the copy. The copy into the other backend is
// commands.TestMigrateSQLiteToPostgresAndBack's.
func (s suite) testCopyKeepsIDsGiven(t *testing.T) {
	f := s.newFixture(t)
	cases := removableRows(f)
	removed := map[string]int64{}
	for _, c := range cases {
		var kept, gone int64
		update(t, f.db, func(tx store.Tx) (err error) { kept, err = c.add(tx, 0); return err })
		update(t, f.db, func(tx store.Tx) (err error) { gone, err = c.add(tx, 1); return err })
		update(t, f.db, func(tx store.Tx) error { return c.remove(tx, gone, 1) })
		if gone <= kept {
			t.Fatalf("%s: ids %d then %d", c.name, kept, gone)
		}
		removed[c.name] = gone
	}
	dst := s.openAt(t, s.b.Fresh(t), backend.Options{})
	err := dst.(store.Loader).Load(ctxb, func(put func(t *store.Table, row []any) error) error {
		return f.db.(store.Dumper).Dump(ctxb, put)
	})
	if err != nil {
		t.Fatalf("copy: %v", err)
	}
	for _, c := range cases {
		var id int64
		update(t, dst, func(tx store.Tx) (err error) { id, err = c.add(tx, 2); return err })
		if id <= removed[c.name] {
			t.Errorf("%s added to the copy got id %d; the old store had given up to %d", c.name, id, removed[c.name])
		}
	}
}
