package ingest_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

// FuzzIngestOne runs the whole ingest of one message, with --auth off, on
// arbitrary bytes: as a Postfix delivery to the universal address and as
// an archive import for ann. Whatever the bytes, the outcome is recorded
// (stored, duplicate, quarantined or rejected with a reason and a status
// code), never a panic (Prepare turns a panic into an "internal error"
// TempError, which fails here too) nor any other error: the store is
// always available.
//
// The store is set up once per fuzzing process and grows across inputs,
// so duplicates and threading against earlier inputs are exercised too.
// Seeds: testdata/fuzz/FuzzIngestOne (real-looking mail of each kind).
func FuzzIngestOne(f *testing.F) {
	f.Add(textMail("seed-inline@acme.example"))
	f.Add(manyParts("seed-parts@acme.example", 3))
	f.Add(nestedMultipart("seed-nest@acme.example", 4))
	f.Add(nestedRFC822("seed-fwd@acme.example", 2))
	h := newHarness(f, "OFF")
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, in := range []*ingest.Ingester{h.pipe, h.imp} {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			r, err := in.Ingest(ctx, pipeDelivery(raw))
			cancel()
			checkOutcome(t, r, err)
			// The same bytes again get the same decision: a stored
			// message is found as the duplicate of itself, a refused one
			// is refused for the same reason.
			ctx, cancel = context.WithTimeout(context.Background(), 30*time.Second)
			again, err := in.Ingest(ctx, pipeDelivery(raw))
			cancel()
			checkOutcome(t, again, err)
			switch r.Status {
			case ingest.StatusStored:
				if again.Status != ingest.StatusDuplicate || again.ID != r.ID {
					t.Fatalf("stored as %d, then %s (%d, %s) the second time", r.ID, again.Status, again.ID, again.Reason)
				}
			case ingest.StatusRejected:
				if again.Status != r.Status || again.Reason != r.Reason {
					t.Fatalf("rejected (%s), then %s (%s) the second time", r.Reason, again.Status, again.Reason)
				}
			}
			if r.Status != ingest.StatusStored {
				continue
			}
			// Stored means stored: the exact bytes are in the store.
			var got []byte
			err = h.db.View(context.Background(), func(tx store.Tx) error {
				var err error
				got, err = tx.MessageRaw(r.ID)
				return err
			})
			if err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("stored as %d but the raw bytes read back differ (%d of %d bytes, %v)", r.ID, len(got), len(raw), err)
			}
		}
	})
}
