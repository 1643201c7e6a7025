package ingest

import (
	"context"
	"fmt"

	"github.com/smartbcc/smartbcc/store"
)

// Held mail (quarantine) is mail from an alternate address of a user that
// was not confirmed yet. Confirming the address releases it: each held
// message is ingested again, as if it arrived now, and filed as the user's.
// Every confirmation path does this (address verify, and a reply to the
// confirmation email through the pipe, an import or LMTP), so it lives here.

// releasing returns an Ingester like in that re-ingests held mail: it never
// holds mail again and owns nothing by force.
func (in *Ingester) releasing() *Ingester {
	opt := in.opt
	opt.Releasing, opt.Owner, opt.DryRun, opt.Source = true, "", false, store.SourcePipe
	return New(opt)
}

// Release ingests one held message again, with in's authentication, and
// marks it released when it was filed (or was filed already). An error is
// temporary or a bug; every decision about the message is in the Result.
func (in *Ingester) Release(ctx context.Context, q *store.Quarantined) (Result, error) {
	rin := in
	if !in.opt.Releasing {
		rin = in.releasing()
	}
	res, err := rin.Ingest(ctx, Delivery{Raw: q.Raw, Envelope: q.Envelope, Origin: fmt.Sprintf("quarantine:%d", q.ID), Size: int64(len(q.Raw))})
	if err != nil {
		return res, err
	}
	if res.Status == StatusStored || res.Status == StatusDuplicate {
		err = in.opt.Store.Update(ctx, func(tx store.Tx) error { return tx.MarkReleased(q.ID, res.ID, in.opt.Now()) })
	}
	return res, err
}

// ReleaseHeld releases the mail held for address (for every address when
// "") that is confirmed by now. It returns how many messages were released
// and how many of those addresses' stay held: refused on the second look,
// or a temporary failure (DNS); those wait in the quarantine for the
// administrator (quarantine release, quarantine drop).
func (in *Ingester) ReleaseHeld(ctx context.Context, address string) (released, held int, err error) {
	var ready []store.Quarantined
	err = in.opt.Store.View(ctx, func(tx store.Tx) error {
		qs, err := tx.QuarantineList(false)
		if err != nil {
			return err
		}
		for _, q := range qs {
			if address != "" && q.Address != address {
				continue
			}
			a, err := tx.AddressByEmail(q.Address)
			if store.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if !a.Confirmed || a.UserID != q.UserID {
				continue
			}
			full, err := tx.Quarantine(q.ID)
			if err != nil {
				return err
			}
			ready = append(ready, *full)
		}
		return nil
	})
	if err != nil || len(ready) == 0 {
		return 0, 0, err
	}
	rin := in.releasing()
	for i := range ready {
		res, err := rin.Release(ctx, &ready[i])
		switch {
		case err != nil && IsTemporary(err):
			held++
		case err != nil:
			return released, held, err
		case res.Status == StatusStored || res.Status == StatusDuplicate:
			released++
		default:
			held++
		}
	}
	return released, held, nil
}
