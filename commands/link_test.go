package commands

import (
	"encoding/json"
	"testing"
)

func TestLinkCreatesItemsFromEmail(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	c.ok("person", "add", "--name", "Bob", "--email", "bob@customer.example")
	first := c.mustDeliver(w, w.sign(annMail("n1@acme.example", "Rollout for 50 seats", "Bob <bob@customer.example>", "x\n")), universal, "192.0.2.10", "stored")
	reply := w.sign(annMail("n2@acme.example", "Re: Rollout for 50 seats", "Bob <bob@customer.example>", "y\n", "In-Reply-To: <n1@acme.example>"))
	second := c.mustDeliver(w, reply, universal, "192.0.2.10", "stored")
	if second.ThreadID != first.ThreadID {
		t.Fatalf("reply in thread %d, want %d", second.ThreadID, first.ThreadID)
	}

	var res linkReport
	c.json(&res, "link", itoa(second.ID), "--new-deal", "")
	if res.Target.Kind != "deal" || res.Target.Title != "Re: Rollout for 50 seats" || !res.Created {
		t.Fatalf("new deal %+v", res)
	}
	if len(res.Messages) != 2 {
		t.Fatalf("linking one message must link its whole thread: %+v", res.Messages)
	}
	var deal itemDetail
	c.json(&deal, "deal", "show", itoa(res.Target.ID))
	if deal.Item.Person == nil || deal.Item.Person.ID != 1 || deal.Item.Status != "open" {
		t.Fatalf("new deal %+v, want person 1 and open", deal.Item)
	}
	// A later message of the thread inherits the deal.
	third := c.mustDeliver(w, w.sign(annMail("n3@acme.example", "Re: Rollout for 50 seats", "bob@customer.example", "z\n",
		"References: <n1@acme.example> <n2@acme.example>")), universal, "192.0.2.10", "stored")
	if !third.hasLink("deal", res.Target.ID, "thread") {
		t.Fatalf("third message links %+v, want deal %d by thread", third.Links, res.Target.ID)
	}

	// --new-person takes the customer participant that is not yet a person.
	raw := w.sign(annMail("n4@acme.example", "Intro", "Carol <carol@new.example>", "hi\n"))
	m := c.mustDeliver(w, raw, universal, "192.0.2.10", "stored")
	var p linkReport
	c.json(&p, "link", itoa(m.ID), "--new-person")
	if p.Target.Kind != "person" || p.Target.Title != "Carol" || !p.Created {
		t.Fatalf("new person %+v", p)
	}
	var carol personDetail
	c.json(&carol, "person", "show", itoa(p.Target.ID))
	if len(carol.Person.Emails) != 1 || carol.Person.Emails[0] != "carol@new.example" {
		t.Fatalf("new person %+v", carol.Person)
	}
	c.fails("no customer participant", "link", itoa(m.ID), "--new-person")
	c.fails("exactly one", "link", itoa(m.ID), "--deal", "1", "--lead", "1")
	c.fails("no such lead", "link", itoa(m.ID), "--lead", "7")
	c.fails("no such message", "link", "999", "--deal", "1")
}

// TestNewPersonSkipsTheCompanysBccAddresses: --new-person passes over the
// company's Bcc addresses as ingest does (they are the company's own, and
// never a contact's), instead of proposing one and failing on it.
func TestNewPersonSkipsTheCompanysBccAddresses(t *testing.T) {
	c := newCLI(t)
	c.setup()
	w := newMailWorld(t)
	for _, tc := range []struct{ name, to, want string }{
		{"universal in To", universal + ", Nora <nora@customer.example>", "nora@customer.example"},
		{"universal upper case", "ACME@BCC.ACME.EXAMPLE, Olga <olga@customer.example>", "olga@customer.example"},
	} {
		m := c.mustDeliver(w, w.sign(annMail("np-"+tc.want, "Intro", tc.to, "hi\n")), universal, "192.0.2.10", "stored")
		r := c.run("--json", "link", itoa(m.ID), "--new-person")
		var p linkReport
		if r.code != 0 || json.Unmarshal([]byte(r.out), &p) != nil {
			t.Errorf("%s: link --new-person: exit %d, %q; want a person %s", tc.name, r.code, r.err, tc.want)
			continue
		}
		var got personDetail
		c.json(&got, "person", "show", itoa(p.Target.ID))
		if len(got.Person.Emails) != 1 || got.Person.Emails[0] != tc.want {
			t.Errorf("%s: new person %+v, want %s", tc.name, got.Person, tc.want)
		}
	}
}
