package ingest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

func ingestOK(t *testing.T, in *ingest.Ingester, d ingest.Delivery, status string) ingest.Result {
	t.Helper()
	r, err := in.Ingest(context.Background(), d)
	checkOutcome(t, r, err)
	if r.Status != status {
		t.Fatalf("%s: %s (%s), want %s: %v", d.Origin, r.Status, r.Reason, status, r.Explain)
	}
	return r
}

func importDeliveryOf(raw []byte) ingest.Delivery {
	return ingest.Delivery{Raw: raw, Origin: "archive", Size: int64(len(raw))}
}

// The same message again, however it travelled, is a duplicate: Postfix
// delivers it twice with other trace fields, and Ann's Sent folder (Bcc,
// mailbox state, LF endings, mbox framing) is imported later.
func TestSameContentIsADuplicate(t *testing.T) {
	h := newHarness(t, "NORMAL")
	first := ingestOK(t, h.pipe, pipeDelivery(append([]byte("Received: from a by b; Mon, 2 Nov 2026 09:00:01 +0000\r\n"), textMail("same1@acme.example")...)), ingest.StatusStored)

	again := append([]byte("X-Original-To: acme@bcc.acme.example\r\nReceived: from c by d; Mon, 2 Nov 2026 10:00:00 +0000\r\n"), textMail("same1@acme.example")...)
	if r := ingestOK(t, h.pipe, pipeDelivery(again), ingest.StatusDuplicate); r.ID != first.ID {
		t.Fatalf("duplicate of %d, want %d", r.ID, first.ID)
	}
	sent := strings.ReplaceAll(string(textMail("same1@acme.example", "Bcc: acme@bcc.acme.example", "X-Mozilla-Status: 0001")), "\r\n", "\n") + "\n"
	if r := ingestOK(t, h.imp, importDeliveryOf([]byte(sent)), ingest.StatusDuplicate); r.ID != first.ID {
		t.Fatalf("duplicate of %d, want %d", r.ID, first.ID)
	}
	checkConsistent(t, sqlDB(t, h.dsn))
}

// A different message that reuses a Message-ID (a broken client, a test
// suite, an attacker) is stored as its own message and reported: the
// owner's first message is untouched, the second is not threaded with it
// through the shared id, and a later delivery of either is a duplicate of
// that one. (Before content keys the second was dropped as a duplicate.)
func TestMessageIDReusedWithOtherContent(t *testing.T) {
	h := newHarness(t, "NORMAL")
	a := textMail("reused@acme.example")
	// Another subject: the subject fallback of threading does not apply.
	b := []byte(strings.Replace(string(mail("reused@acme.example", []string{"Content-Type: text/plain"}, "Something else entirely\r\n")),
		"Subject: Proposal", "Subject: Invoice", 1))
	ra := ingestOK(t, h.pipe, pipeDelivery(a), ingest.StatusStored)
	rb := ingestOK(t, h.pipe, pipeDelivery(b), ingest.StatusStored)
	if rb.ID == ra.ID || rb.Reason != ingest.ReasonMessageIDReused || rb.MessageID != "reused@acme.example" {
		t.Fatalf("second message %+v, want its own message reported as %s", rb, ingest.ReasonMessageIDReused)
	}
	if rb.ThreadID == ra.ThreadID {
		t.Fatalf("the second message joined thread %d through the reused Message-ID", ra.ThreadID)
	}
	if r := ingestOK(t, h.pipe, pipeDelivery(a), ingest.StatusDuplicate); r.ID != ra.ID {
		t.Fatalf("first again: duplicate of %d, want %d", r.ID, ra.ID)
	}
	if r := ingestOK(t, h.pipe, pipeDelivery(b), ingest.StatusDuplicate); r.ID != rb.ID {
		t.Fatalf("second again: duplicate of %d, want %d", r.ID, rb.ID)
	}
	err := h.db.View(context.Background(), func(tx store.Tx) error {
		raw, err := tx.MessageRaw(ra.ID)
		if err != nil {
			return err
		}
		if string(raw) != string(a) {
			t.Errorf("the first message's bytes changed")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// In an import, the summary counts and names it.
	c := mail("reused@acme.example", []string{"Content-Type: text/plain"}, "A third text\r\n")
	sum, err := h.imp.Run(context.Background(), &sliceSource{ds: []ingest.Delivery{importDeliveryOf(a), importDeliveryOf(c)}}, ingest.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Stored != 1 || sum.Duplicate != 1 || sum.Reused != 1 || len(sum.ReusedNames) != 1 || sum.Unaccounted() != 0 {
		t.Fatalf("summary %+v, want 1 stored (reported as reusing a Message-ID) and 1 duplicate", sum)
	}
	checkConsistent(t, sqlDB(t, h.dsn))
}

// A customer cannot make Ann's forward of his mail vanish, nor make it
// join another thread, by giving it the Message-ID of a message Ann has.
func TestForwardedOriginalWithAReusedMessageID(t *testing.T) {
	h := newHarness(t, "NORMAL")
	own := ingestOK(t, h.pipe, pipeDelivery(textMail("taken@acme.example")), ingest.StatusStored)
	original := "From: Bob Buyer <bob@customer.example>\r\nTo: ann@acme.example\r\nSubject: Cheap watches\r\n" +
		"Message-ID: <taken@acme.example>\r\nDate: Tue, 03 Nov 2026 08:00:00 +0000\r\n\r\nNot what Ann sent.\r\n"
	fwd := func(id string) []byte {
		return []byte("From: Ann Seller <ann@acme.example>\r\nTo: " + universalAddr + "\r\nSubject: Fwd: Cheap watches\r\n" +
			"Message-ID: <" + id + ">\r\nDate: Tue, 03 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=xx\r\n\r\n--xx\r\nContent-Type: text/plain\r\n\r\nFYI\r\n" +
			"--xx\r\nContent-Type: message/rfc822\r\n\r\n" + original + "--xx--\r\n")
	}
	r := ingestOK(t, h.pipe, pipeDelivery(fwd("fwd1@acme.example")), ingest.StatusStored)
	if r.ID == own.ID || r.Reason != ingest.ReasonMessageIDReused || r.ThreadID == own.ThreadID {
		t.Fatalf("forward %+v; Ann's own message is %d in thread %d", r, own.ID, own.ThreadID)
	}
	// The same original forwarded again is the same message.
	if again := ingestOK(t, h.pipe, pipeDelivery(fwd("fwd2@acme.example")), ingest.StatusDuplicate); again.ID != r.ID {
		t.Fatalf("second forward: duplicate of %d, want %d", again.ID, r.ID)
	}
}

// Stores written before content keys filed messages under "mid:" +
// Message-ID or "sha256:" + the raw bytes: the same content is still a
// duplicate of them, other content with the same Message-ID is not.
func TestLegacyDuplicateKeys(t *testing.T) {
	h := newHarness(t, "NORMAL")
	withID := textMail("legacy1@acme.example")
	noID := []byte("From: Ann Seller <ann@acme.example>\r\nTo: bob@customer.example\r\nSubject: no id\r\n\r\nHi\r\n")
	sum := sha256.Sum256(noID)
	var ids [2]int64
	err := h.db.Update(context.Background(), func(tx store.Tx) error {
		u, err := tx.UserByEmail(userAddr)
		if err != nil {
			return err
		}
		th := &store.Thread{Subject: "proposal"}
		if err := tx.CreateThread(th); err != nil {
			return err
		}
		for i, m := range []*store.Message{
			{OwnerID: u.ID, ThreadID: th.ID, DedupKey: "mid:legacy1@acme.example", MessageID: "legacy1@acme.example", Subject: "Proposal", Source: store.SourcePipe, Raw: withID},
			{OwnerID: u.ID, ThreadID: th.ID, DedupKey: "sha256:" + hex.EncodeToString(sum[:]), Subject: "no id", Source: store.SourcePipe, Raw: noID},
		} {
			if err := tx.InsertMessage(m); err != nil {
				return err
			}
			ids[i] = m.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := ingestOK(t, h.imp, importDeliveryOf(append([]byte("Received: by x\r\n"), withID...)), ingest.StatusDuplicate); r.ID != ids[0] {
		t.Fatalf("duplicate of %d, want %d", r.ID, ids[0])
	}
	if r := ingestOK(t, h.imp, importDeliveryOf(noID), ingest.StatusDuplicate); r.ID != ids[1] {
		t.Fatalf("duplicate of %d, want %d", r.ID, ids[1])
	}
	other := mail("legacy1@acme.example", []string{"Content-Type: text/plain"}, "Other text\r\n")
	if r := ingestOK(t, h.imp, importDeliveryOf(other), ingest.StatusStored); r.Reason != ingest.ReasonMessageIDReused {
		t.Fatalf("other content: %+v", r)
	}
}

// sliceSource yields deliveries from a slice.
type sliceSource struct {
	ds []ingest.Delivery
	i  int
}

func (s *sliceSource) Next() (*ingest.Delivery, error) {
	if s.i == len(s.ds) {
		return nil, io.EOF
	}
	s.i++
	return &s.ds[s.i-1], nil
}
