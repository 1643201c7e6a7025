package ingest_test

import (
	"context"
	"testing"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/bccaddr"
)

// TestUnknownRecipientsPerEnvelopeRecipient: one delivery to several
// recipients (LMTP) is filed once, and each recipient is answered as a
// delivery to it alone would be (the pipe's one recipient per delivery).
func TestUnknownRecipientsPerEnvelopeRecipient(t *testing.T) {
	h := newHarness(t, "NORMAL")
	unknownDeal := bccaddr.Address("acme", "bcc.acme.example", bccaddr.Target{Kind: bccaddr.Deal, Token: "aaaaaaaaaaaaaaaaaaaaaaaaaa"})
	d := pipeDelivery(textMail("rcpts@acme.example"))
	d.Envelope.Recipients = []string{universalAddr, h.dealAddr, unknownDeal, "someone@elsewhere.example"}
	r, err := h.pipe.Ingest(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != ingest.StatusStored || len(r.Links) == 0 {
		t.Fatalf("not stored with the deal link: %+v", r)
	}
	want := []int{250, 250, 550, 550}
	for i, code := range want {
		if got := ingest.DisposeRecipient(r, i, true).Code; got != code {
			t.Errorf("recipient %d (%s): %d, want %d", i, d.Envelope.Recipients[i], got, code)
		}
		if got := ingest.DisposeRecipient(r, i, false).Code; got != 250 {
			t.Errorf("recipient %d without --bounce: %d, want 250", i, got)
		}
	}

	// Only unknown recipients: the message itself is refused, and so is
	// each recipient.
	d = pipeDelivery(textMail("rcpts2@acme.example"))
	d.Envelope.Recipients = []string{unknownDeal, "someone@elsewhere.example"}
	r, err = h.pipe.Ingest(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Reason != "unknown_recipient" {
		t.Fatalf("want unknown_recipient: %+v", r)
	}
	for i := range d.Envelope.Recipients {
		if got := ingest.DisposeRecipient(r, i, true); got.Code != 550 || got.Exit != ingest.ExitNoUser {
			t.Errorf("recipient %d: %+v", i, got)
		}
	}
}
