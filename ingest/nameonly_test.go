package ingest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

// TestNameOnlyParticipantsJoinNothing: a participant known only by a name
// has an empty email ("To: Ann Seller/Sales/Acme@Acme" in a Lotus Notes
// forward). Two unrelated messages with the same subject whose only shared
// participant is such a name must not join one thread through the empty
// address, nor make a person of it, whether they come in one batch (the
// batch's memory answers) or in two (the store answers). The package's
// tests compare every lookup answered from memory with the store's.
func TestNameOnlyParticipantsJoinNothing(t *testing.T) {
	notes := func(customer, id string) []byte {
		return []byte("From: Ann Seller <ann@acme.example>\r\nTo: acme@bcc.acme.example\r\nSubject: Fw: Quote\r\n" +
			"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + id + ">\r\n\r\n" +
			"---------------------- Forwarded by Ann Seller/Sales/Acme on 06/19/2025 03:10 PM ---------------------------\r\n\r\n\r\n" +
			"From: " + customer + " on 06/19/2025 02:05 PM\r\nTo: Ann Seller/Sales/Acme@Acme\r\ncc: Sales Team/Sales/Acme@Acme\r\n" +
			"Subject: Quote\r\n\r\nHello Ann\r\n")
	}
	for _, batched := range []bool{true, false} {
		t.Run(fmt.Sprintf("one batch %v", batched), func(t *testing.T) {
			h := newHarness(t, "NORMAL")
			ctx := context.Background()
			if err := h.db.Update(ctx, func(tx store.Tx) error {
				u, err := tx.UserByEmail(userAddr)
				if err != nil {
					return err
				}
				return tx.UpdateSettings(u.ID, store.Settings{AutoLink: true, CreatePersons: true})
			}); err != nil {
				t.Fatal(err)
			}
			in := ingest.New(ingest.Options{Store: h.db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourcePipe})
			raws := [][]byte{
				notes(`"Maria Ortega" <maria@cliente.example>`, "f1@acme.example"),
				notes(`"Pedro Pinto" <pedro@otro.example>`, "f2@acme.example"),
			}
			var rs []ingest.Result
			var batch []*ingest.Prepared
			for _, raw := range raws {
				p, err := in.Prepare(ctx, pipeDelivery(raw))
				if err != nil {
					t.Fatal(err)
				}
				batch = append(batch, p)
				if !batched {
					r, err := in.Commit(ctx, batch)
					if err != nil {
						t.Fatal(err)
					}
					rs, batch = append(rs, r...), nil
				}
			}
			if batched {
				var err error
				if rs, err = in.Commit(ctx, batch); err != nil {
					t.Fatal(err)
				}
			}
			for i, r := range rs {
				if r.Status != ingest.StatusStored {
					t.Fatalf("message %d: %s %s %v", i, r.Status, r.Reason, r.Explain)
				}
			}
			if rs[0].ThreadID == rs[1].ThreadID {
				t.Errorf("two customers' mails joined thread %d through a name-only participant\n%v", rs[1].ThreadID, rs[1].Explain)
			}
			if err := h.db.View(ctx, func(tx store.Tx) error {
				m, err := tx.Message(rs[1].ID)
				if err != nil {
					return err
				}
				named := 0
				for _, p := range m.Participants {
					if p.Email == "" {
						named++
					}
				}
				if named != 2 {
					t.Errorf("participants %+v: want the two name-only recipients kept", m.Participants)
				}
				persons, err := tx.Persons()
				if err != nil {
					return err
				}
				for _, p := range persons {
					if len(p.Emails) == 0 {
						t.Errorf("person %d %q was made without an address", p.ID, p.Name)
					}
				}
				if len(persons) != 3 { // Bob Buyer, Maria, Pedro
					t.Errorf("%d persons, want 3: %+v", len(persons), persons)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestNameOnlyRecipientIsNobody: whether a mail looks forwarded asks
// whether it went to anyone outside the company; a recipient in which no
// address can be read (To: Bob <bob@>, kept for show as a name only) is
// no one: the mail to it alone is unwrapped as before the name was kept.
func TestNameOnlyRecipientIsNobody(t *testing.T) {
	h := newHarness(t, "NORMAL")
	raw := "From: Ann Seller <ann@acme.example>\r\nTo: Bob <bob@>\r\nSubject: Quote\r\n" +
		"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <n1@acme.example>\r\n\r\nSee below.\r\n\r\n" +
		"---------- Forwarded message ---------\r\nFrom: Maria Ortega <maria@cliente.example>\r\n" +
		"Date: Mon, 2 Nov 2026 at 08:00\r\nSubject: Quote\r\nTo: <ann@acme.example>\r\n\r\nHello Ann\r\n"
	r, m := h.pipeStored(t, raw)
	if m.FromEmail != "maria@cliente.example" || m.ForwardedBy != userAddr {
		t.Errorf("from %q forwarded by %q: not unwrapped\n%v", m.FromEmail, m.ForwardedBy, r.Explain)
	}
}
