package ingest_test

import (
	"context"
	"testing"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

// Issue 11.6 within one batch of a commit (as an import of several users'
// mail commits them): threading looks only at what each message's owner
// may see, and what the batch itself stores counts for an owner only when
// she may see it. The package's tests compare every lookup the batch
// answers from memory with the store's own answer (lookups_check_test.go).
func TestThreadVisibilityWithinOneBatch(t *testing.T) {
	h := newHarness(t, "NORMAL")
	ctx := context.Background()
	var annID int64
	if err := h.db.Update(ctx, func(tx store.Tx) error {
		u, err := tx.UserByEmail(userAddr)
		if err != nil {
			return err
		}
		annID = u.ID
		_, err = tx.CreateUser("carl@acme.example", "Carl")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	setShared := func(shared bool) {
		t.Helper()
		if err := h.db.Update(ctx, func(tx store.Tx) error {
			return tx.UpdateSettings(annID, store.Settings{AutoLink: true, DefaultShared: shared})
		}); err != nil {
			t.Fatal(err)
		}
	}
	in := ingest.New(ingest.Options{Store: h.db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourcePipe})
	from := func(who, id, subject string, extra ...string) []byte {
		hs := append([]string{"From: " + who, "To: Bob Buyer <bob@customer.example>", "Subject: " + subject,
			"Date: Mon, 02 Nov 2026 09:00:00 +0000", "Message-ID: <" + id + ">"}, extra...)
		raw := ""
		for _, l := range hs {
			raw += l + "\r\n"
		}
		return []byte(raw + "\r\nHello Bob\r\n")
	}
	const ann, carl = "Ann Seller <ann@acme.example>", "Carl <carl@acme.example>"
	commit := func(raws ...[]byte) []ingest.Result {
		t.Helper()
		var batch []*ingest.Prepared
		for _, raw := range raws {
			p, err := in.Prepare(ctx, pipeDelivery(raw))
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, p)
		}
		rs, err := in.Commit(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			if r.Status != ingest.StatusStored {
				t.Fatalf("message %d: %s %s %v", i, r.Status, r.Reason, r.Explain)
			}
		}
		return rs
	}

	setShared(false)
	rs := commit(
		from(ann, "a1@acme.example", "Secret terms"),
		from(carl, "c1@acme.example", "Re: Secret terms", "In-Reply-To: <a1@acme.example>", "References: <a1@acme.example>"),
		from(ann, "a2@acme.example", "Re: Secret terms", "In-Reply-To: <a1@acme.example>"),
		from(carl, "c2@acme.example", "Re: Secret terms", "References: <a1@acme.example> <c1@acme.example>"),
		from(carl, "c3@acme.example", "Secret terms"), // the same subject, the same customer
	)
	a1, c1, a2, c2, c3 := rs[0], rs[1], rs[2], rs[3], rs[4]
	if c1.ThreadID == a1.ThreadID || c3.ThreadID == a1.ThreadID {
		t.Errorf("Carl's mail joined Ann's private thread %d: c1 %d, c3 %d", a1.ThreadID, c1.ThreadID, c3.ThreadID)
	}
	if a2.ThreadID != a1.ThreadID {
		t.Errorf("Ann's reply is in thread %d, want her thread %d", a2.ThreadID, a1.ThreadID)
	}
	if c2.ThreadID != c1.ThreadID {
		t.Errorf("Carl's second reply is in thread %d, want his thread %d", c2.ThreadID, c1.ThreadID)
	}

	// Shared mail draws others' replies, in the same batch too.
	setShared(true)
	in.Refresh()
	rs = commit(
		from(ann, "a3@acme.example", "Open offer"),
		from(carl, "c4@acme.example", "Re: Open offer", "In-Reply-To: <a3@acme.example>"),
		from(carl, "c5@acme.example", "Re: Secret terms", "In-Reply-To: <a1@acme.example>"),
	)
	if rs[1].ThreadID != rs[0].ThreadID {
		t.Errorf("Carl's reply to Ann's shared message is in thread %d, want %d", rs[1].ThreadID, rs[0].ThreadID)
	}
	if rs[2].ThreadID == a1.ThreadID {
		t.Errorf("Carl's reply to Ann's private message joined her thread %d", a1.ThreadID)
	}
}
