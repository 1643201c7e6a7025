package linker

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	db, _ := storetest.Open(t, backend.Options{})
	return db
}

func update(t *testing.T, st store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := st.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func TestAutoLinkOneOpenItemRule(t *testing.T) {
	type item struct {
		kind   store.ItemKind
		person int // index into persons
		status string
	}
	for _, tc := range []struct {
		name     string
		autoLink bool
		persons  int // persons participating, each bob<i>@customer.example
		items    []item
		want     []string // "deal:N" of created-item index N+1
		explain  string
	}{
		{"no items", true, 1, nil, nil, "has no deal"},
		{"one open deal", true, 1, []item{{store.KindDeal, 0, "open"}}, []string{"deal:1"}, "only open deal"},
		{"one open one won", true, 1, []item{{store.KindDeal, 0, "open"}, {store.KindDeal, 0, "won"}}, []string{"deal:1"}, ""},
		{"two open deals", true, 1, []item{{store.KindDeal, 0, "open"}, {store.KindDeal, 0, "open"}}, nil, "2 open deals"},
		{"only won and lost", true, 1, []item{{store.KindDeal, 0, "won"}, {store.KindDeal, 0, "lost"}}, nil, "never auto-linked"},
		{"deleted", true, 1, []item{{store.KindDeal, 0, "deleted"}}, nil, "never auto-linked"},
		{"auto-link off", false, 1, []item{{store.KindDeal, 0, "open"}}, nil, "auto-link is off"},
		{"lead and project too", true, 1, []item{{store.KindLead, 0, "open"}, {store.KindProject, 0, "open"}}, []string{"lead:1", "project:1"}, ""},
		{"two persons, different open deals", true, 2, []item{{store.KindDeal, 0, "open"}, {store.KindDeal, 1, "open"}}, nil, "different open deals"},
		{"two persons, one has a deal", true, 2, []item{{store.KindDeal, 1, "open"}}, []string{"deal:1"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			var plan *Plan
			update(t, st, func(tx store.Tx) error {
				u, err := acmeAnn(tx)
				if err != nil {
					return err
				}
				u.Settings.AutoLink = tc.autoLink
				var parts []store.Participant
				var personIDs []int64
				for i := 0; i < tc.persons; i++ {
					e := "bob" + string(rune('a'+i)) + "@customer.example"
					p := &store.Person{Name: "Bob", Emails: []string{e}}
					if err := tx.CreatePerson(p); err != nil {
						return err
					}
					personIDs = append(personIDs, p.ID)
					parts = append(parts, store.Participant{Role: store.RoleTo, Email: e})
				}
				for _, it := range tc.items {
					if err := tx.CreateItem(&store.Item{Kind: it.kind, Title: "t", PersonID: personIDs[it.person], Status: it.status}); err != nil {
						return err
					}
				}
				parts = append(parts, store.Participant{Role: store.RoleFrom, Email: "ann@acme.example"})
				plan, err = MakePlan(tx, Input{Owner: u, Participants: parts, Internal: func(e string) bool { return e == "ann@acme.example" }})
				return err
			})
			var got []string
			persons := 0
			for _, l := range plan.Links {
				if l.Kind == store.KindPerson {
					persons++
					continue
				}
				if l.How != store.HowAuto {
					t.Errorf("link %+v is not auto", l)
				}
				got = append(got, string(l.Kind)+":"+itoa(l.ItemID))
			}
			if persons != tc.persons {
				t.Errorf("linked %d persons, want %d (never the user's own address)", persons, tc.persons)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("auto links %v, want %v\nexplain: %s", got, tc.want, strings.Join(plan.Explain, "\n"))
			}
			if tc.explain != "" && !strings.Contains(strings.Join(plan.Explain, "\n"), tc.explain) {
				t.Errorf("explain lacks %q:\n%s", tc.explain, strings.Join(plan.Explain, "\n"))
			}
		})
	}
}

// insertMessage stores a message in a new or given thread.
func insertMessage(t *testing.T, tx store.Tx, owner, thread int64, id string) *store.Message {
	t.Helper()
	if thread == 0 {
		th := &store.Thread{Subject: "widgets"}
		if err := tx.CreateThread(th); err != nil {
			t.Fatal(err)
		}
		thread = th.ID
	}
	m := &store.Message{OwnerID: owner, ThreadID: thread, DedupKey: "mid:" + id, MessageID: id, Subject: "Widgets",
		FromEmail: "bob@customer.example", Source: store.SourcePipe, Raw: []byte("Subject: Widgets\r\n\r\nx"), Size: 24}
	if err := tx.InsertMessage(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestManualLinkFollowsThread(t *testing.T) {
	st := openStore(t)
	update(t, st, func(tx store.Tx) error {
		u, err := acmeAnn(tx)
		if err != nil {
			return err
		}
		d1 := &store.Item{Kind: store.KindDeal, Title: "one", Status: "open", Token: "aaaa"}
		d2 := &store.Item{Kind: store.KindDeal, Title: "two", Status: "open", Token: "bbbb"}
		for _, d := range []*store.Item{d1, d2} {
			if err := tx.CreateItem(d); err != nil {
				return err
			}
		}
		m1 := insertMessage(t, tx, u.ID, 0, "m1@x")
		m2 := insertMessage(t, tx, u.ID, m1.ThreadID, "m2@x")
		res, err := Link(tx, 0, m2.ID, store.KindDeal, d1.ID, false)
		if err != nil {
			return err
		}
		if len(res.Added) != 2 || res.Moved != nil {
			t.Fatalf("manual link added %+v moved %+v, want both thread messages and no move", res.Added, res.Moved)
		}
		th, _ := tx.Thread(m1.ThreadID)
		if th.DealID != d1.ID {
			t.Fatalf("thread belongs to deal %d, want %d", th.DealID, d1.ID)
		}
		// A new message in the thread inherits the deal.
		plan, err := MakePlan(tx, Input{Owner: u, Thread: th})
		if err != nil {
			return err
		}
		if len(plan.Links) != 1 || plan.Links[0].ItemID != d1.ID || plan.Links[0].How != store.HowThread {
			t.Fatalf("new message in the thread: %+v", plan.Links)
		}
		// Linking the thread to another deal moves it: one deal per thread.
		res, err = Link(tx, 0, m1.ID, store.KindDeal, d2.ID, false)
		if err != nil {
			return err
		}
		if mv := res.Moved; mv == nil || mv.From != d1.ID || mv.ThreadID != m1.ThreadID || len(mv.Messages) != 2 {
			t.Fatalf("move reported as %+v, want thread %d (2 messages) from deal %d", mv, m1.ThreadID, d1.ID)
		}
		for _, m := range []*store.Message{m1, m2} {
			links, _ := tx.Links(m.ID)
			if len(links) != 1 || links[0].ItemID != d2.ID {
				t.Fatalf("message %d links %+v, want only deal %d", m.ID, links, d2.ID)
			}
		}
		affected, err := Unlink(tx, 0, m1.ID, store.KindDeal, d2.ID, false)
		if err != nil || len(affected) != 2 {
			t.Fatalf("unlink: %v, %v", affected, err)
		}
		th, _ = tx.Thread(m1.ThreadID)
		if th.DealID != 0 {
			t.Fatal("thread still belongs to the deal after unlink")
		}
		if affected, err := Unlink(tx, 0, m1.ID, store.KindDeal, d2.ID, false); err != nil || len(affected) != 0 {
			t.Fatalf("second unlink: %v, %v, want nothing changed", affected, err)
		}
		// --message-only: one message, and the thread stays as it is.
		res, err = Link(tx, 0, m2.ID, store.KindDeal, d1.ID, true)
		if err != nil || len(res.Added) != 1 || res.Added[0].MessageID != m2.ID || res.Moved != nil {
			t.Fatalf("message-only link: %+v, %v", res, err)
		}
		if th, _ = tx.Thread(m1.ThreadID); th.DealID != 0 {
			t.Fatalf("a message-only link gave the thread to deal %d", th.DealID)
		}
		if links, _ := tx.Links(m1.ID); len(links) != 0 {
			t.Fatalf("a message-only link linked the thread's other message: %+v", links)
		}
		return nil
	})
}

// A removed item takes no mail: its address is refused like an unknown
// token, its thread passes nothing on, and it cannot be linked by hand. A
// converted lead passes its deal on.
func TestRemovedAndConvertedItems(t *testing.T) {
	st := openStore(t)
	update(t, st, func(tx store.Tx) error {
		u, err := acmeAnn(tx)
		if err != nil {
			return err
		}
		gone := &store.Item{Kind: store.KindDeal, Title: "gone", Status: store.StatusDeleted, Token: "gone1"}
		deal := &store.Item{Kind: store.KindDeal, Title: "deal", Status: store.StatusOpen, Token: "deal1"}
		lead := &store.Item{Kind: store.KindLead, Title: "lead", Status: store.StatusOpen, Token: "lead1"}
		for _, it := range []*store.Item{gone, deal, lead} {
			if err := tx.CreateItem(it); err != nil {
				return err
			}
		}
		_, err = BccItem(tx, store.KindDeal, "gone1")
		_, errUnknown := BccItem(tx, store.KindDeal, "nope1")
		if !store.IsNotFound(err) || err.Error() != errUnknown.Error() {
			t.Fatalf("removed deal's token: %v; unknown token: %v (want the same not-found)", err, errUnknown)
		}
		if it, err := BccItem(tx, store.KindLead, "lead1"); err != nil || it.Kind != store.KindLead {
			t.Fatalf("lead token: %+v, %v", it, err)
		}
		lead.ConvertedTo, lead.Status = deal.ID, store.StatusWon
		if err := tx.UpdateItem(lead); err != nil {
			return err
		}
		if it, err := BccItem(tx, store.KindLead, "lead1"); err != nil || it.Kind != store.KindDeal || it.ID != deal.ID {
			t.Fatalf("converted lead's token files into %+v, %v; want deal %d", it, err, deal.ID)
		}

		m := insertMessage(t, tx, u.ID, 0, "g1@x")
		if _, err := Link(tx, 0, m.ID, store.KindDeal, gone.ID, false); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("linking to a removed deal: %v", err)
		}
		if _, err := Link(tx, 0, m.ID, store.KindLead, lead.ID, false); store.ErrorCode(err) != store.EConflict {
			t.Fatalf("linking to a converted lead: %v", err)
		}
		for _, tc := range []struct {
			kind store.ItemKind
			id   int64
			want []string
		}{
			{store.KindDeal, gone.ID, nil},
			{store.KindLead, lead.ID, []string{"deal:" + itoa(deal.ID) + ":thread"}},
		} {
			th := &store.Thread{Subject: "t"}
			if err := tx.CreateThread(th); err != nil {
				return err
			}
			if err := tx.SetThreadItem(th.ID, tc.kind, tc.id); err != nil {
				return err
			}
			if th, err = tx.Thread(th.ID); err != nil {
				return err
			}
			plan, err := MakePlan(tx, Input{Owner: u, Thread: th})
			if err != nil {
				return err
			}
			var got []string
			for _, l := range plan.Links {
				got = append(got, string(l.Kind)+":"+itoa(l.ItemID)+":"+l.How)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("thread of %s %d: links %v, want %v; explain %q", tc.kind, tc.id, got, tc.want, plan.Explain)
			}
		}
		return nil
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func TestBccLinkWinsAndSetsThread(t *testing.T) {
	st := openStore(t)
	update(t, st, func(tx store.Tx) error {
		u, err := acmeAnn(tx)
		if err != nil {
			return err
		}
		d := &store.Item{Kind: store.KindDeal, Title: "one", Status: "won", Token: "cccc"}
		if err := tx.CreateItem(d); err != nil {
			return err
		}
		plan, err := MakePlan(tx, Input{Owner: u, Thread: &store.Thread{}, BccItems: []store.Item{*d}})
		if err != nil {
			return err
		}
		// Even a won deal is linked when mail is sent to its own address.
		if len(plan.Links) != 1 || plan.Links[0].How != store.HowBcc || plan.ThreadItems[store.KindDeal] != d.ID {
			t.Fatalf("plan %+v", plan)
		}
		return nil
	})
}

func TestMachineAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"noreply@x.com": true, "no-reply@x.com": true, "MAILER-DAEMON@x.com": true, "list-request@x.com": true,
		"owner-list@x.com": true, "notifications@github.com": true, "bounces+123@x.com": true,
		"bob@customer.example": false, "noreen@x.com": false, "replyto@x.com": false,
	} {
		if got := IsMachineAddress(addr); got != want {
			t.Errorf("IsMachineAddress(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestNameOnlyParticipantIsNoPerson: a participant known only by a name
// (an inline forward's "To: Ann Seller/Sales/Acme", a recipient no reader
// reads an address in) has an empty email. It is no address: with
// create-persons on it makes no person (before, one nameless-address
// person per message was created and linked), and it matches none.
func TestNameOnlyParticipantIsNoPerson(t *testing.T) {
	st := openStore(t)
	update(t, st, func(tx store.Tx) error {
		u, err := acmeAnn(tx)
		if err != nil {
			return err
		}
		u.Settings.CreatePersons, u.Settings.AutoLink = true, true
		parts := []store.Participant{
			{Role: store.RoleFrom, Name: "Maria Ortega", Email: "maria@cliente.example"},
			{Role: store.RoleTo, Name: "Ann Seller/Sales/Acme", Email: ""},
			{Role: store.RoleCc, Name: "Bob <bob@>", Email: " "},
		}
		internal := func(e string) bool { return e == "ann@acme.example" }
		for i := range 2 {
			plan, err := MakePlan(tx, Input{Owner: u, Participants: parts, Internal: internal})
			if err != nil {
				return err
			}
			explain := strings.Join(plan.Explain, "\n")
			for _, p := range plan.NewPersons {
				if p.Name != "Maria Ortega" {
					t.Errorf("run %d: new person %q %v: a participant without an address made a person\n%s", i, p.Name, p.Emails, explain)
				}
			}
			if strings.Contains(explain, "\n: new person") || strings.HasPrefix(explain, ": new person") {
				t.Errorf("run %d: explain names an empty address:\n%s", i, explain)
			}
			m := insertMessage(t, tx, u.ID, 0, "n"+itoa(int64(i))+"@x")
			if _, err := Apply(tx, m.ID, m.ThreadID, plan); err != nil {
				return err
			}
		}
		persons, err := tx.Persons()
		if err != nil {
			return err
		}
		if len(persons) != 1 || persons[0].Name != "Maria Ortega" {
			t.Errorf("persons %+v, want only Maria Ortega", persons)
		}
		return nil
	})
}

// acmeAnn creates the company Acme and its user Ann, whom the tests link
// mail for.
func acmeAnn(tx store.Tx) (*store.User, error) {
	if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
		return nil, err
	}
	return tx.CreateUser("ann@acme.example", "Ann")
}
