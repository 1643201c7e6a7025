package ingest

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/ingest/forward"
	"github.com/smartbcc/smartbcc/ingest/mailaddr"
	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/ingest/subject"
	"github.com/smartbcc/smartbcc/store"
)

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// Prepared is a message after everything that needs no store writes.
type Prepared struct {
	d   Delivery
	res Result // Status set when the decision is already final (refused)

	msg         *store.Message // what will be stored
	owner       *store.User
	bccTokens   []bccaddr.Target
	confirmCode string
	quarantine  *store.Address // unconfirmed alternate address
	// confirmedAddress is the alternate address this message confirmed
	// (set by Commit): its held mail is released after the commit.
	confirmedAddress string
	refs             []string // Message-IDs for threading
	hasParents       bool     // In-Reply-To or References present
	normSubject      string
	listMail         bool
	universal        bool // sent to the universal address
	// rcptTargets are the envelope recipients' Bcc targets, by index
	// (ok false: not a Bcc address); see Result.UnknownRecipients.
	rcptTargets []rcptTarget
	rawSHA      string // see rawSHA256
	// key is the duplicate key of the delivery's own content (dedup.go);
	// msg.DedupKey is the original's when a forward is unwrapped.
	key  string
	from string // the author's address; a display reading when there is none
	// author is the message's one author (mailaddr.Author), read once in
	// sender; authorErr says why there is none.
	author    mailaddr.Address
	authorErr error
	dir       *directory
	// internalOf caches dir.internal for the participants (see internal)
	// and for the To and Cc addresses unwrapForward asks about.
	internalOf map[string]bool
}

// internal reports the company's own addresses (directory.internal), for
// the participants from what the parse worker found.
func (p *Prepared) internal(email string) bool {
	if v, ok := p.internalOf[email]; ok {
		return v
	}
	return p.dir.internal(email)
}

// internalMemo is dir.internal for the parse worker, which asks about
// the same To and Cc addresses in unwrapForward and again in fill: each
// is read (mailaddr.Canonical) once, the answer kept in internalOf.
func (p *Prepared) internalMemo(email string) bool {
	if v, ok := p.internalOf[email]; ok {
		return v
	}
	own := p.dir.internal(email)
	if p.internalOf == nil {
		p.internalOf = map[string]bool{}
	}
	p.internalOf[email] = own
	return own
}

// rawSHA256 returns the hex SHA-256 of the raw bytes, computed once.
func (p *Prepared) rawSHA256() string {
	if p.rawSHA == "" && p.d.Raw == nil && p.d.RawSHA256 != "" {
		p.rawSHA = p.d.RawSHA256
	}
	if p.rawSHA == "" {
		sum := sha256.Sum256(p.d.Raw)
		p.rawSHA = hex.EncodeToString(sum[:])
	}
	return p.rawSHA
}

// Result is the decision so far (final when Status is set).
func (p *Prepared) Result() Result { return p.res }

func (p *Prepared) refuse(status, reason, class, code, detail string) {
	p.res.Status, p.res.Reason, p.res.Refused, p.res.Code = status, reason, class, code
	if detail != "" {
		p.res.explainf("%s: %s", reason, detail)
	}
}

// Prepare does the store-independent work on one delivery: parse, noise
// checks, recipients, sender, authentication and forward unwrapping. It
// returns an error only for temporary failures.
func (in *Ingester) Prepare(ctx context.Context, d Delivery) (*Prepared, error) {
	return in.prepare(ctx, d, "")
}

// prepare is Prepare with the delivery's duplicate key when the caller
// has computed it already ("" otherwise).
func (in *Ingester) prepare(ctx context.Context, d Delivery, key string) (p *Prepared, err error) {
	defer func() {
		// A bug on one hostile message must not take an import down, nor
		// make Postfix bounce the mail: report it as temporary.
		if r := recover(); r != nil {
			p, err = nil, &TempError{Code: "4.3.0", Err: fmt.Errorf("internal error while preparing %s: %v", d.Origin, r)}
		}
	}()
	dir, err := in.directory(ctx)
	if err != nil {
		return nil, err
	}
	p = &Prepared{d: d, dir: dir, key: key}
	defer func() {
		// The SHA-256 of the raw bytes names refused mail and keys mail
		// without a Message-ID (a store from before content keys); the
		// worker computes it for those, and commit for the rare others.
		if p != nil && (p.res.Status != "" || p.msg == nil || p.msg.MessageID == "") {
			p.rawSHA256()
		}
	}()
	p.res.Origin = d.Origin
	p.res.Links = []LinkOut{}
	if d.Size == 0 {
		p.d.Size = int64(len(d.Raw))
	}

	switch {
	case d.Skipped != "" || errors.Is(d.ReadErr, mailfile.ErrSkipped):
		// Not a message, deliberately: counted, never recorded as refused.
		p.res.Status, p.res.Reason = StatusSkipped, cmp.Or(d.Skipped, "skipped")
		if d.ReadErr != nil {
			p.res.explainf("%v", d.ReadErr)
		}
		return p, nil
	case errors.Is(d.ReadErr, mailfile.ErrNotMessage):
		p.refuse(StatusRejected, "not_a_message", RefusedData, "5.6.0", d.ReadErr.Error())
		return p, nil
	case errors.Is(d.ReadErr, mailfile.ErrUnreadable):
		// Damaged in itself: the same again on every run, refused once
		// (the reader names it by a digest).
		p.refuse(StatusRejected, "unreadable", RefusedData, "5.6.0", d.ReadErr.Error())
		return p, nil
	case d.ReadErr != nil && !errors.Is(d.ReadErr, mailfile.ErrTooLarge):
		// What the system reports (the disk, the network, a permission)
		// may pass: recorded as refused, the input would be left out
		// for good. A temporary failure is retried: the pipe exits 75,
		// an import (Run) goes on with the other inputs and names it.
		return nil, &TempError{Code: "4.3.0", Err: d.ReadErr}
	case d.ReadErr != nil || int64(len(d.Raw)) > in.opt.MaxSize:
		p.refuse(StatusRejected, "too_large", RefusedSize, "5.3.4",
			fmt.Sprintf("message of %d bytes is over the %d byte limit", p.d.Size, in.opt.MaxSize))
		return p, nil
	}
	// Everything that decides is read from the header alone, once
	// (parse.ParseHeader: linear in the header), and the cheap refusals
	// come before the MIME parse and before any DNS: noise, repeated
	// fields, recipients, sender. Half of a typical archive is list mail,
	// and a hostile message costs no more than its header.
	m, err := parse.ParseHeader(d.Raw)
	if err != nil {
		p.refuse(StatusRejected, "not_a_message", RefusedData, "5.6.0", err.Error())
		return p, nil
	}
	p.res.MessageID = m.MessageID
	if len(m.From) > 0 {
		p.from = m.From[0].Email // for the record only; see sender
	}
	p.msg = &store.Message{MessageID: m.MessageID, Subject: m.Subject, FromEmail: p.from}
	if reason, detail := noise(m.Header, d, dir.isBcc, in.opt.KeepBulk && dir.owner != nil); reason != "" {
		p.refuse(StatusRejected, reason, RefusedPolicy, "5.7.0", detail)
		return p, nil
	}
	// RFC 5322 3.6 allows these fields once. DKIM signs the bottom-most
	// instance and readers show the top-most: a second one is how a
	// genuine signed message is replayed with a new subject or date, so
	// it is refused rather than read either way.
	//
	// Except in an archive imported for a user (--user) with --auth off:
	// there the owner is given and nothing is verified, so no signature
	// can be replayed and no From decides anything, and refusing would
	// only leave out of the store real mail that old mailers wrote with
	// three Cc fields. The top-most of each is read, as mail readers show
	// it; a malformed From is taken there on the same grounds (sender).
	if name, n := m.Fields.RepeatedSingleton(); name != "" {
		detail := fmt.Sprintf("%d %s fields where RFC 5322 allows one", n, name)
		if dir.owner == nil || in.opt.AuthMode.Kind != "off" {
			p.refuse(StatusRejected, "repeated_field", RefusedSender, "5.7.1", detail)
			return p, nil
		}
		p.res.explainf("%s: the first is read (owner given by --user, --auth off)", detail)
	}
	p.listMail = m.Header.Get("List-Id") != "" || m.Header.Get("List-Unsubscribe") != ""

	// Recipients: which Bcc addresses was this sent to?
	if !in.recipients(p, m) {
		return p, nil
	}
	// Sender to owner.
	if !in.sender(p, m) {
		return p, nil
	}
	hold := func() {
		p.refuse(StatusQuarantined, "unconfirmed_sender", RefusedNone, "2.0.0",
			p.quarantine.Email+" is an alternate address of "+dir.users[p.quarantine.UserID].Email+" that is not confirmed yet; held until it is")
	}
	if in.opt.Releasing && p.quarantine != nil {
		// Held mail is released once its address is confirmed: until
		// then, checking its authentication again decides nothing.
		hold()
		return p, nil
	}
	// Authentication: mail that arrives is checked before it is held, so
	// that forged mail is refused rather than kept.
	if err := in.authenticate(ctx, p); err != nil {
		return nil, err
	}
	if p.res.Status != "" {
		return p, nil
	}
	if p.quarantine != nil {
		hold()
		return p, nil
	}
	if p.confirmCode != "" {
		return p, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, &TempError{Code: "4.4.7", Err: fmt.Errorf("gave up before parsing the body: %w", err)}
	}
	// The store keeps an attachment's name, type, size and SHA-256; its
	// content lives once, in the raw message (parse.AttachmentContent).
	m.ParseBodyMeta(d.Raw, in.opt.Limits)
	for _, pr := range m.Problems {
		p.res.explainf("parse: %s", pr)
	}
	in.fill(p, m)
	return p, nil
}

// recipients finds the Bcc targets. It reports false when the message is
// refused.
func (in *Ingester) recipients(p *Prepared, m *parse.Message) bool {
	c := p.dir.company
	var candidates []string
	source := "envelope"
	if len(p.d.Envelope.Recipients) > 0 {
		candidates = p.d.Envelope.Recipients
	} else {
		source = "headers"
		for _, k := range []string{"Delivered-To", "X-Original-To"} {
			for _, v := range m.Header.Values(k) {
				candidates = append(candidates, strings.TrimSpace(v))
			}
		}
		// Strictly read, as anything that decides: a field that does not
		// parse names no recipient.
		for _, k := range []string{"To", "Cc", "Bcc"} {
			for _, v := range m.Fields.Values(k) {
				list, _ := mailaddr.ParseList(v)
				for _, a := range list {
					candidates = append(candidates, a.Email())
				}
			}
		}
	}
	universal := false
	seen := map[bccaddr.Target]bool{}
	for _, rc := range candidates {
		t, ok := bccaddr.Parse(rc, c.Slug, c.BccDomain)
		if source == "envelope" {
			p.rcptTargets = append(p.rcptTargets, rcptTarget{t, ok})
		}
		if !ok || seen[t] {
			continue
		}
		seen[t] = true
		switch t.Kind {
		case bccaddr.Universal:
			universal = true
		case bccaddr.Confirm:
			p.confirmCode = t.Token
		default:
			p.bccTokens = append(p.bccTokens, t)
		}
	}
	p.universal = universal
	p.markUnknownRecipients(func(t bccaddr.Target, ok bool) bool { return !ok })
	if universal || len(p.bccTokens) > 0 || p.confirmCode != "" {
		p.res.explainf("recipients (%s): universal=%v, item addresses=%d", source, universal, len(p.bccTokens))
		return true
	}
	if p.dir.owner != nil {
		p.res.explainf("no Bcc address among the recipients; filed for %s as the import's owner", p.dir.owner.Email)
		return true
	}
	p.refuse(StatusRejected, "unknown_recipient", RefusedRecipient, "5.1.1",
		NoBccRecipient+" ("+source+")")
	return false
}

type rcptTarget struct {
	t  bccaddr.Target
	ok bool
}

// markUnknownRecipients sets Result.UnknownRecipients for the envelope
// recipients unknown says are.
func (p *Prepared) markUnknownRecipients(unknown func(t bccaddr.Target, ok bool) bool) {
	for i, rt := range p.rcptTargets {
		if unknown(rt.t, rt.ok) {
			if p.res.UnknownRecipients == nil {
				p.res.UnknownRecipients = make([]bool, len(p.rcptTargets))
			}
			p.res.UnknownRecipients[i] = true
		}
	}
}

// sender maps the author to the owning user. The author is read once,
// strictly (mailaddr.Author: one From field holding one mailbox), and that
// one value is what authentication aligns with, what finds the owner and
// what a confirmation reply is checked against. With --user the owner is
// given, and a From that cannot be read only matters to authentication.
func (in *Ingester) sender(p *Prepared, m *parse.Message) bool {
	p.author, p.authorErr = mailaddr.Author(m.Fields)
	if p.authorErr == nil {
		p.from = p.author.Email()
	}
	if p.dir.owner != nil && p.confirmCode == "" {
		p.owner = p.dir.owner
		p.res.User = p.owner.Email
		p.res.explainf("owner %s given by --user", p.owner.Email)
		return true
	}
	if p.authorErr != nil {
		p.refuse(StatusRejected, "malformed_from", RefusedSender, "5.7.1",
			"the From field does not hold exactly one readable address: "+p.authorErr.Error())
		return false
	}
	email := p.from
	a, ok := p.dir.addresses[email]
	if p.confirmCode != "" {
		// A reply to a confirmation email: its sender must be the
		// unconfirmed address; the code is checked in Commit.
		if !ok {
			p.refuse(StatusRejected, "unknown_sender", RefusedSender, "5.7.1", email+" has no pending confirmation")
			return false
		}
		p.owner = p.dir.users[a.UserID]
		return true
	}
	if !ok {
		p.refuse(StatusRejected, "unknown_sender", RefusedSender, "5.7.1", email+" is not a user's sender address")
		return false
	}
	p.owner = p.dir.users[a.UserID]
	if p.owner == nil {
		p.refuse(StatusRejected, "unknown_sender", RefusedSender, "5.7.1", email+" belongs to no user")
		return false
	}
	p.res.User = p.owner.Email
	if !a.Confirmed && !a.Primary {
		q := a
		p.quarantine = &q
		return true
	}
	p.res.explainf("sender %s is %s of user %s", email, map[bool]string{true: "the primary address", false: "a confirmed alternate address"}[a.Primary], p.owner.Email)
	return true
}

// NoBccRecipient is the detail of a message refused because none of its
// recipients is a Bcc address of the company: what an archive of one
// user's mail imported without --user gets for every message, which the
// import's view says once.
const NoBccRecipient = "no recipient is this company's Bcc address"

// ExplainNoClientIP is the --explain line of a message of an archive
// imported with --auth verify: the import's output says once, for all of
// them, what to do about it.
const ExplainNoClientIP = "auth: archive message without client IP, SPF cannot be checked"

func (in *Ingester) authenticate(ctx context.Context, p *Prepared) error {
	var v *auth.Verdict
	var err error
	mode := in.opt.AuthMode
	if p.dir.owner != nil && p.confirmCode == "" && mode.Kind == "verify" && in.opt.Source == store.SourceImport && p.d.Envelope.ClientIP == "" {
		// An archive has no SMTP envelope: only DKIM can be verified.
		p.res.explainf("%s", ExplainNoClientIP)
	}
	if mode.Kind != "off" && p.authorErr != nil {
		// Only reached with --user: without it, sender refused already.
		p.refuse(StatusRejected, "malformed_from", RefusedSender, "5.7.1",
			"no single From address to authenticate: "+p.authorErr.Error())
		return nil
	}
	switch mode.Kind {
	case "off":
		v = auth.Skipped()
	case "trust-authres":
		v, err = auth.TrustAuthResults(p.d.Raw, p.author, p.authorErr, mode.AuthservID)
	default:
		if in.opt.Auth == nil {
			return fmt.Errorf("no authenticator configured")
		}
		ip := net.ParseIP(p.d.Envelope.ClientIP)
		v, err = in.opt.Auth.Check(ctx, auth.Input{Raw: p.d.Raw, From: p.author, FromError: p.authorErr, ClientIP: ip, Helo: p.d.Envelope.Helo, MailFrom: p.d.Envelope.Sender})
	}
	if err != nil {
		p.refuse(StatusRejected, "auth_failed", RefusedSender, "5.7.1", "cannot check authentication: "+err.Error())
		return nil
	}
	p.msg.Auth = store.AuthResult{Mode: mode.String(), DKIM: v.DKIM, SPF: v.SPF, DMARC: v.DMARC, Aligned: v.Aligned}
	p.msg.Auth.Details, _ = json.Marshal(v)
	p.res.Auth = AuthOut{DKIM: v.DKIM, SPF: v.SPF, DMARC: v.DMARC, Aligned: v.Aligned}
	p.res.explainf("auth: %s", v.Summary())
	switch decision, why := v.Decision(); decision {
	case auth.DecisionStored:
		return nil
	case auth.DecisionDeferred:
		return &TempError{Code: "4.7.0", Err: errors.New(why)}
	default:
		p.refuse(StatusRejected, "auth_failed", RefusedSender, "5.7.1", why)
		return nil
	}
}

// fill builds the message to store, unwrapping a forwarded customer mail.
func (in *Ingester) fill(p *Prepared, m *parse.Message) {
	now := in.opt.Now().UTC()
	msg := p.msg
	msg.OwnerID = p.owner.ID
	msg.Source = in.opt.Source
	msg.ReceivedAt = now
	msg.Shared = p.owner.Settings.DefaultShared
	msg.Raw = p.d.Raw
	msg.Size = int64(len(p.d.Raw))
	msg.Envelope = p.d.Envelope
	msg.MessageID, msg.InReplyTo, msg.References = m.MessageID, m.InReplyTo, m.References
	msg.Subject, msg.Date = m.Subject, m.Date
	msg.TextBody = m.Text
	msg.FromEmail = p.from
	if p.authorErr == nil {
		msg.FromName = p.author.Name
	} else if len(m.From) > 0 {
		msg.FromName = m.From[0].Name
	}
	add := func(role string, list []parse.Address) {
		for _, a := range list {
			msg.Participants = append(msg.Participants, store.Participant{Role: role, Name: a.Name, Email: a.Email})
		}
	}
	add(store.RoleFrom, m.From)
	if p.authorErr != nil && p.dir.owner != nil && in.opt.Source == store.SourceImport {
		// An archive whose owner is given: the From decides nothing, and
		// a list archive that obscured it still names its sender.
		if a, ok := pipermailAuthor(m.Fields, p.d.Envelope.Sender); ok {
			msg.FromEmail, msg.FromName = a.Email(), a.Name
			msg.Participants = append(msg.Participants, store.Participant{Role: store.RoleFrom, Name: a.Name, Email: a.Email()})
			p.res.explainf("from: %s, as the pipermail archive obscured it in From and in its From_ line", a.Email())
		}
	}
	add(store.RoleSender, m.Sender)
	add(store.RoleTo, m.To)
	add(store.RoleCc, m.Cc)
	add(store.RoleBcc, m.Bcc)
	add(store.RoleReplyTo, m.ReplyTo)
	for i, a := range m.Attachments {
		msg.Attachments = append(msg.Attachments, store.Attachment{Index: i, Name: a.Name, ContentType: a.ContentType,
			Size: a.Size, SHA256: a.SHA256})
	}
	// The same content again is a duplicate (dedup.go).
	if p.key == "" {
		p.key = contentKey(p.d.Raw)
	}
	msg.DedupKey = p.key
	if msg.Date.IsZero() {
		// No Date header that can be read: the date the archive gives
		// (its mbox From_ line, a Maildir file name's time), else none
		// (null; listed and searched by its arrival, store.MessageQuery).
		// Never the time of the import: a message of 2005 imported
		// today is no mail of today.
		msg.Date = p.d.ArchiveDate.UTC()
	}

	in.unwrapForward(p, m)

	// Decoded headers may carry CR, LF or other controls (an encoded-word
	// can decode to "\r\nBcc: x"): nothing we print or export may turn them
	// into lines of their own.
	msg.Subject, msg.FromName = oneLineText(msg.Subject), oneLineText(msg.FromName)
	for i := range msg.Participants {
		msg.Participants[i].Name = oneLineText(msg.Participants[i].Name)
	}

	// The message as the store will keep it, and its search text (the
	// tokens of subject, participants and body), are computed here in
	// the parse worker: the commit, one writer for all workers, only
	// writes. (InsertMessage prepares again, cheaply: see PrepareMessage.)
	store.PrepareForInsert(msg)

	// Whether each participant is the company's own address, decided here
	// in the parse worker (reading an address is not cheap) rather than
	// in the commit, which asks several times per participant.
	for _, pt := range msg.Participants {
		own := p.internalMemo(pt.Email) // makes internalOf
		p.internalOf[store.CanonicalEmail(pt.Email)] = own
	}

	p.refs = compact(append([]string{msg.MessageID, msg.InReplyTo}, msg.References...))
	p.hasParents = msg.InReplyTo != "" || len(msg.References) > 0
	p.normSubject = subject.Normalize(msg.Subject)
}

// unwrapForward replaces the participants, subject and date by those of
// the customer's original when the user forwarded a customer's mail.
func (in *Ingester) unwrapForward(p *Prepared, m *parse.Message) {
	msg := p.msg
	// A digest (multipart/digest, alone or as a list's digest inside
	// multipart/mixed) is messages its sender collected, not a forward:
	// it is filed as itself, its messages' text being its text (parse
	// puts them there, and puts none in Attached). Their text is not
	// looked into for inline forwards either: a quoted "Original Message"
	// of some list post would make the digest that post.
	if m.IsDigest || len(m.Digest) > 0 {
		p.res.explainf("forward: a digest of %d message(s) is filed as itself, not as a forward", len(m.Digest))
		return
	}
	toOthers := false
	for _, a := range append(append([]parse.Address{}, m.To...), m.Cc...) {
		// A recipient known only by a name says nothing of whom the
		// mail went to: it is neither the company's nor someone else's.
		if a.Email != "" && !p.internalMemo(a.Email) {
			toOthers = true
		}
	}
	// An attached message makes mail a forward, unless its subject says
	// it is a reply to someone outside the company: a reply that carries
	// mail as attachments ("here are the three mails that went to spam")
	// is the user's reply, threaded under the conversation it answers.
	attachedForward := len(m.Attached) > 0 && !(subject.IsReply(m.Subject) && toOthers)
	looksForwarded := subject.IsForward(m.Subject) || attachedForward || !toOthers
	if !looksForwarded {
		return
	}
	// A date the forward's block writes without a zone (Gmail, Outlook)
	// was written where the user forwarded it: her Date's zone.
	zone := forwardZone(m)
	orig, ok := forward.Unwrap(forward.Input{Subject: m.Subject, Text: m.Text, HTML: m.HTML, Attached: m.Attached, InReplyTo: m.InReplyTo},
		forward.Options{MaxDepth: 5, MaxAttached: in.opt.MaxSize, Zone: zone})
	if !ok || orig.From.Email == "" {
		switch {
		case subject.IsForward(m.Subject) && m.InReplyTo != "":
			// A reply keeps the subject it answers ("Fwd: ..."); its
			// "On ..., X wrote:" quote is a reply's (forward.Input).
			p.res.explainf("forward: the subject says forward, but the mail answers another message (In-Reply-To) and holds no forwarded block with a sender; filed as the user's own mail")
		case subject.IsForward(m.Subject):
			p.res.explainf("forward: the subject says forward but no original sender was found; filed as the user's own mail")
		}
		return
	}
	origFrom := store.CanonicalEmail(orig.From.Email)
	if p.dir.internal(origFrom) {
		p.res.explainf("forward: the original is from the company's own %s; filed as is", origFrom)
		return
	}
	msg.ForwardedBy = msg.FromEmail
	msg.ForwardedAt = msg.Date // the forward's own date; Date becomes the original's
	msg.ForwardNote = orig.Note
	msg.FromName, msg.FromEmail = orig.From.Name, origFrom
	if orig.Subject != "" {
		msg.Subject = orig.Subject
	}
	switch {
	case !orig.Date.IsZero():
		msg.Date = orig.Date.UTC()
		if orig.DateNoZone {
			p.res.explainf("forward: the original's date %q has no time zone; read in the forward's zone %s",
				orig.Date.Format("2006-01-02 15:04:05"), orig.Date.Format("-07:00"))
		}
	case orig.DateText != "":
		p.res.explainf("forward: the original's date %q could not be read; the forward's date is used", oneLineText(orig.DateText))
	default:
		p.res.explainf("forward: the forwarded block gives no date; the forward's date is used")
	}
	if orig.MessageID != "" {
		msg.MessageID, msg.InReplyTo, msg.References = orig.MessageID, orig.InReplyTo, orig.References
		// Forwarding the same original twice, or forwarding it and
		// importing it, is one message: the original's content decides.
		if orig.Raw != nil {
			msg.DedupKey = contentKey(orig.Raw)
		}
	} else {
		msg.InReplyTo, msg.References = "", nil
	}
	if orig.Body != "" {
		msg.TextBody = orig.Body
	}
	parts := []store.Participant{{Role: store.RoleFrom, Name: orig.From.Name, Email: origFrom}}
	for _, a := range orig.To {
		parts = append(parts, store.Participant{Role: store.RoleTo, Name: a.Name, Email: store.CanonicalEmail(a.Email)})
	}
	for _, a := range orig.Cc {
		parts = append(parts, store.Participant{Role: store.RoleCc, Name: a.Name, Email: store.CanonicalEmail(a.Email)})
	}
	msg.Participants = parts
	p.res.MessageID = msg.MessageID
	p.res.explainf("forward: unwrapped %s (%d layer(s)); the original sender %s is the participant, %s forwarded it",
		orig.Via, orig.Depth, origFrom, msg.ForwardedBy)
	if orig.Note != "" {
		p.res.explainf("forward: %s's note above the forwarded mail is kept (%d characters)", msg.ForwardedBy, len([]rune(orig.Note)))
	}
}

// forwardZone is the zone of the forwarding message's Date header
// (parse.Message.Date is in UTC); UTC when it has none that can be read.
// It only places a zone-less date of the forwarded block in time; nothing
// is decided by it.
func forwardZone(m *parse.Message) *time.Location {
	t, err := mail.ParseDate(strings.TrimSpace(m.Fields.Get("Date")))
	if err != nil {
		return time.UTC
	}
	// The instant is parse's (m.Date), as everywhere else: net/mail reads
	// a zone name by the server's own time zone ("EST" is +0000 on a UTC
	// server). The zone is then the offset that makes the wall clock
	// written in the field that instant.
	if !m.Date.IsZero() && !m.Date.Equal(t) {
		wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		if off := wall.Sub(m.Date); off > -24*time.Hour && off < 24*time.Hour {
			return time.FixedZone("", int(off/time.Second))
		}
	}
	return t.Location()
}

// oneLineText replaces control characters by spaces.
func oneLineText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

func compact(ids []string) []string {
	seen := map[string]bool{}
	out := ids[:0]
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

var errDryRun = errors.New("dry run")
