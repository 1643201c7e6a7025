package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/confirm"
	"github.com/smartbcc/smartbcc/linker"
	"github.com/smartbcc/smartbcc/store"
)

// Commit stores a batch of prepared messages in one transaction and returns
// one Result each. Either the whole batch is stored or none of it; the
// error is then temporary (store busy, disk full) or a bug.
func (in *Ingester) Commit(ctx context.Context, batch []*Prepared) ([]Result, error) {
	var results []Result
	err := in.opt.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if results, err = in.stage(tx, batch); err != nil {
			return err
		}
		if in.opt.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	for i, p := range batch {
		in.afterCommit(ctx, committed(p), &results[i])
	}
	return results, nil
}

// stage runs the statements of a batch in tx, which commits them or not.
func (in *Ingester) stage(tx store.Tx, batch []*Prepared) ([]Result, error) {
	results := make([]Result, len(batch))
	b := newBatchTx(tx)
	b.check = checkLookups
	if err := b.prefetch(batch); err != nil {
		return nil, err
	}
	for i, p := range batch {
		r, err := in.commitOne(b, p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.d.Origin, err)
		}
		results[i] = r
	}
	return results, nil
}

// commitFollowUp is what a stored message asks for once its transaction
// has committed: a confirmation changes the directory and may release
// mail held for the address it confirmed.
type commitFollowUp struct {
	confirmed        bool
	confirmedAddress string
}

func committed(p *Prepared) commitFollowUp {
	return commitFollowUp{confirmed: p.res.Status == StatusConfirmed, confirmedAddress: p.confirmedAddress}
}

// afterCommit does what f asks for and notes it in r.
func (in *Ingester) afterCommit(ctx context.Context, f commitFollowUp, r *Result) {
	if f.confirmed {
		in.Refresh()
	}
	if addr := f.confirmedAddress; addr != "" && !in.opt.DryRun && !in.opt.Releasing {
		// The mail held for the address is the user's now. A failure
		// here loses nothing: the confirmation is committed and the
		// mail stays held for the administrator.
		released, held, err := in.ReleaseHeld(ctx, addr)
		r.explainf("released %d message(s) held for %s", released, addr)
		if held > 0 || err != nil {
			r.explainf("%d message(s) still held for %s (smartbcc quarantine list)", held, addr)
		}
	}
}

func (in *Ingester) commitOne(tx *batchTx, p *Prepared) (Result, error) {
	res := p.res
	switch {
	case res.Status == StatusSkipped:
		return res, nil
	case p.confirmCode != "" && res.Status == "":
		return in.commitConfirmation(tx, p)
	case res.Status == StatusQuarantined:
		return res, in.commitQuarantine(tx, p)
	case res.Status != "":
		return res, in.recordRejection(tx, p)
	}
	msg := p.msg

	// Item addresses: an unknown token is refused like a foreign address,
	// so that guessing reveals nothing.
	var bccItems []store.Item
	for _, t := range p.bccTokens {
		it, err := linker.BccItem(tx, store.ItemKind(t.Kind), t.Token)
		if store.IsNotFound(err) {
			res.explainf("an item address with an unknown token was ignored")
			p.markUnknownRecipients(func(rt bccaddr.Target, ok bool) bool { return ok && rt == t })
			res.UnknownRecipients = p.res.UnknownRecipients
			continue
		}
		if err != nil {
			return res, err
		}
		bccItems = append(bccItems, *it)
	}
	if len(bccItems) == 0 && len(p.bccTokens) > 0 && !p.universal && p.dir.owner == nil {
		p.res = res
		p.refuse(StatusRejected, "unknown_recipient", RefusedRecipient, "5.1.1", NoBccRecipient)
		return p.res, in.recordRejection(tx, p)
	}

	// Duplicate: the same owner already has this message (the same
	// content, see dedup.go). A second delivery only adds what is new (a
	// deal address link).
	prev, reused, err := in.previousDelivery(tx, p)
	if err != nil {
		return res, err
	}
	if prev != nil {
		res.Status, res.ID, res.ThreadID, res.Shared = StatusDuplicate, prev.ID, prev.ThreadID, prev.Shared
		res.Reason = "already_stored"
		th, err := tx.Thread(prev.ThreadID)
		if err != nil {
			return res, err
		}
		plan := &linker.Plan{ThreadItems: map[store.ItemKind]int64{}}
		for _, it := range bccItems {
			plan.Links = append(plan.Links, store.Link{Kind: it.Kind, ItemID: it.ID, How: store.HowBcc})
			if th.ItemID(it.Kind) == 0 {
				plan.ThreadItems[it.Kind] = it.ID
			}
		}
		added, err := linker.Apply(tx, prev.ID, prev.ThreadID, plan)
		if err != nil {
			return res, err
		}
		res.Links = linksOut(added)
		res.explainf("duplicate of message %d (the same content); %d new link(s)", prev.ID, len(added))
		return res, nil
	}
	if reused != 0 {
		// Another message of this owner has this Message-ID and other
		// content: this one is stored as its own message, reported, and
		// does not join that message's thread through the shared id.
		res.Reason = ReasonMessageIDReused
		res.explainf("Message-ID <%s> is also that of message %d, whose content differs: stored as a message of its own", msg.MessageID, reused)
		p.refs = slices.DeleteFunc(p.refs, func(id string) bool { return id == msg.MessageID })
	}

	// Thread.
	th, how, err := in.findThread(tx, p)
	if err != nil {
		return res, err
	}
	res.explainf("thread: %s", how)

	plan, err := linker.MakePlan(tx, linker.Input{
		Owner: p.owner, Thread: th, Participants: msg.Participants, BccItems: bccItems,
		Internal: p.internal, ListMail: p.listMail,
	})
	if err != nil {
		return res, err
	}
	if th.ID == 0 {
		if err := tx.CreateThread(th); err != nil {
			return res, err
		}
	}
	msg.ThreadID = th.ID
	if err := tx.InsertMessage(msg); err != nil {
		return res, err
	}
	added, err := linker.Apply(tx, msg.ID, th.ID, plan)
	if err != nil {
		return res, err
	}
	res.Explain = append(res.Explain, plan.Explain...)
	res.Status, res.ID, res.ThreadID, res.Shared = StatusStored, msg.ID, th.ID, msg.Shared
	res.Links = linksOut(added)
	res.User = p.owner.Email
	res.explainf("sharing: %s (the owner's default)", map[bool]string{true: "shared", false: "private"}[msg.Shared])
	return res, nil
}

func (in *Ingester) findThread(tx *batchTx, p *Prepared) (*store.Thread, string, error) {
	msg := p.msg
	if len(p.refs) > 0 {
		th, err := tx.ThreadByReferences(p.owner.ID, p.refs)
		if err == nil {
			return th, fmt.Sprintf("joined thread %d through Message-ID references", th.ID), nil
		}
		if !store.IsNotFound(err) {
			return nil, "", err
		}
	}
	if !p.hasParents && p.normSubject != "" {
		var parts []string
		for _, pt := range msg.Participants {
			// A participant known only by a name has no address to
			// share: "" is nobody's, and not the company's either.
			if pt.Email != "" && !p.internal(pt.Email) {
				parts = append(parts, pt.Email)
			}
		}
		if len(parts) > 0 {
			th, err := tx.ThreadBySubject(p.owner.ID, p.normSubject, parts)
			if err == nil {
				return th, fmt.Sprintf("joined thread %d: same subject and a shared participant", th.ID), nil
			}
			if !store.IsNotFound(err) {
				return nil, "", err
			}
		}
	}
	return &store.Thread{Subject: p.normSubject, CreatedAt: msg.ReceivedAt}, "new thread", nil
}

func (in *Ingester) commitConfirmation(tx store.Tx, p *Prepared) (Result, error) {
	res := p.res
	a, err := tx.AddressByCodeHash(confirm.Hash(p.confirmCode))
	now := in.opt.Now()
	switch {
	case store.IsNotFound(err):
		p.refuse(StatusRejected, "bad_confirmation", RefusedSender, "5.7.1", "unknown confirmation code")
	case err != nil:
		return res, err
	case canonicalKey(a.Email) != p.from || p.authorErr != nil:
		p.refuse(StatusRejected, "bad_confirmation", RefusedSender, "5.7.1", "the reply came from "+p.from+", not from the address being confirmed")
	case a.Confirmed:
		res.Status, res.Reason, res.Code = StatusConfirmed, "already confirmed", "2.0.0"
		return res, nil
	case now.After(a.CodeExpires):
		p.refuse(StatusRejected, "bad_confirmation", RefusedSender, "5.7.1", "the confirmation code expired")
	default:
		if err := tx.ConfirmAddress(a.ID, now); err != nil {
			return res, err
		}
		res.Status, res.Reason, res.Code = StatusConfirmed, "confirmed "+a.Email, "2.0.0"
		p.confirmedAddress = a.Email
		res.explainf("reply to the confirmation email from %s: address confirmed", a.Email)
		return res, nil
	}
	return p.res, in.recordRejection(tx, p)
}

func (in *Ingester) commitQuarantine(tx store.Tx, p *Prepared) error {
	if in.opt.Releasing {
		return nil
	}
	return tx.InsertQuarantine(&store.Quarantined{
		At: in.opt.Now().UTC(), UserID: p.quarantine.UserID, Address: p.quarantine.Email,
		Envelope: p.d.Envelope, From: p.from, Subject: oneLineText(p.msg.Subject), MessageID: p.msg.MessageID, Raw: p.d.Raw,
	})
}

func (in *Ingester) recordRejection(tx store.Tx, p *Prepared) error {
	if in.opt.Releasing {
		// Held mail refused on release stays held: the quarantine is its
		// record, and the release says why. A row in rejected would
		// record a refusal that changed nothing, once per attempt.
		return nil
	}
	r := &store.Rejection{
		At: in.opt.Now().UTC(), Code: p.res.Code, Reason: p.res.Reason, Envelope: p.d.Envelope,
		From: p.from, MessageID: p.res.MessageID, RawSHA256: p.rawSHA256(), Size: p.d.Size,
	}
	if len(p.res.Explain) > 0 {
		r.Detail = p.res.Explain[len(p.res.Explain)-1]
	}
	if p.msg != nil {
		r.Subject = oneLineText(p.msg.Subject)
	}
	return tx.InsertRejection(r)
}

// ReasonMessageIDReused is the Reason of a stored message whose
// Message-ID another message of the same owner has, with other content.
const ReasonMessageIDReused = "message_id_reused"

// previousDelivery finds the message p is a delivery of again: the
// owner's message with the same duplicate key, or one stored before keys
// were content keys ("mid:" + Message-ID, "sha256:" + the raw bytes) whose
// content is the same. When there is none, reused is the id of another
// message of the owner with the same Message-ID (0 when none).
func (in *Ingester) previousDelivery(tx *batchTx, p *Prepared) (prev *store.Message, reused int64, err error) {
	msg := p.msg
	prev, err = tx.filedByKey(msg.OwnerID, msg.DedupKey)
	if err == nil || !store.IsNotFound(err) {
		return prev, 0, err
	}
	if msg.MessageID == "" {
		prev, err = tx.filedByKey(msg.OwnerID, "sha256:"+p.rawSHA256())
		if store.IsNotFound(err) {
			return nil, 0, nil
		}
		return prev, 0, err
	}
	same, err := tx.sameMessageID(msg.OwnerID, msg.MessageID)
	if err != nil {
		return nil, 0, err
	}
	for _, m := range same {
		if !strings.HasPrefix(m.DedupKey, contentKeyPrefix) {
			// A legacy key says nothing of the content: compare it.
			raw, err := tx.MessageRaw(m.ID)
			if err != nil {
				return nil, 0, err
			}
			if k := contentKey(raw); k == msg.DedupKey || k == p.key {
				prev, err = tx.Message(m.ID)
				return prev, 0, err
			}
		}
		if reused == 0 {
			reused = m.ID
		}
	}
	return nil, reused, nil
}

func linksOut(ls []store.Link) []LinkOut {
	out := make([]LinkOut, 0, len(ls))
	for _, l := range ls {
		out = append(out, LinkOut{Type: string(l.Kind), ID: l.ItemID, How: l.How})
	}
	return out
}
