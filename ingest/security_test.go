package ingest_test

// The attacks of issue 11 through the package API, with real
// authentication (DKIM signatures, SPF) against a mock DNS. The same
// attacks run end to end through Postfix in cmd/smartbcc.

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/auth"
	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/ingest/resolver"
	"github.com/smartbcc/smartbcc/store"
)

// attackerIP is the remote client the attacker sends from; attacker.example
// authorises it in SPF, so mail from that domain passes aligned.
const attackerIP = "198.51.100.66"

// authWorld is DNS for acme.example (a DKIM key) and attacker.example (SPF
// allowing attackerIP, its own DKIM key), and signers for both.
type authWorld struct {
	dns              resolver.Mock
	acmeKey, evilKey crypto.Signer
}

func newAuthWorld(tb testing.TB) *authWorld {
	w := &authWorld{dns: resolver.Mock{TXT: map[string][]string{}}}
	for domain, key := range map[string]*crypto.Signer{"acme.example": &w.acmeKey, "attacker.example": &w.evilKey} {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		*key = priv
		w.dns.TXT["sel._domainkey."+domain] = []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}
	}
	w.dns.TXT["attacker.example"] = []string{"v=spf1 ip4:" + attackerIP + " -all"}
	w.dns.TXT["acme.example"] = []string{"v=spf1 ip4:192.0.2.10 -all"}
	w.dns.TXT["_dmarc.acme.example"] = []string{"v=DMARC1; p=reject"}
	return w
}

// sign signs raw for domain with the world's key (relaxed/relaxed, the
// usual header set).
func (w *authWorld) sign(tb testing.TB, domain string, raw []byte) []byte {
	key := w.acmeKey
	if domain == "attacker.example" {
		key = w.evilKey
	}
	var out bytes.Buffer
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain: domain, Selector: "sel", Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: []string{"From", "To", "Subject", "Date", "Message-ID", "References", "In-Reply-To"},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// verifying is an ingester of h's store with --auth verify against w.
func (w *authWorld) verifying(h *harness) *ingest.Ingester {
	return ingest.New(ingest.Options{Store: h.db, Auth: &auth.Checker{Resolver: w.dns, Timeout: 5 * time.Second},
		AuthMode: ingest.AuthMode{Kind: "verify"}, Source: store.SourcePipe})
}

func remoteDelivery(raw []byte, sender, ip string) ingest.Delivery {
	return ingest.Delivery{Raw: raw, Envelope: store.Envelope{Sender: sender, Recipients: []string{universalAddr},
		ClientIP: ip, Helo: "mx.attacker.example"}, Origin: "stdin", Size: int64(len(raw))}
}

// The finding of issue 11.1: authentication read the quoted attacker
// address, the owner lookup a comma split that found ann. The From is now
// read once: the attacker passes authentication for attacker.example, and
// that same address is nobody's.
func TestFromReadOnceOutsiderIsNobody(t *testing.T) {
	w := newAuthWorld(t)
	h := newHarness(t, "NORMAL")
	in := w.verifying(h)
	froms := map[string]string{
		"quoted name with an address, unknown charset": `=?x-unknown?q?Ann?= "Seller, <ann@acme.example>, " <"evil"@attacker.example>`,
		"quoted name only":  `"ann@acme.example" <evil@attacker.example>`,
		"comment":           `evil@attacker.example (ann@acme.example)`,
		"encoded word name": `=?utf-8?q?ann=40acme.example?= <evil@attacker.example>`,
	}
	for name, from := range froms {
		t.Run(name, func(t *testing.T) {
			raw := []byte("From: " + from + "\r\nTo: bob@customer.example\r\nSubject: invoice\r\n" +
				"Message-ID: <diff-" + strings.ReplaceAll(name, " ", "-") + "@attacker.example>\r\nDate: Mon, 02 Nov 2026 09:00:00 +0000\r\n\r\nPay now.\r\n")
			r, err := in.Ingest(context.Background(), remoteDelivery(raw, "evil@attacker.example", attackerIP))
			checkOutcome(t, r, err)
			if r.Status != ingest.StatusRejected || r.Reason != "unknown_sender" {
				t.Fatalf("From %s: %s %s (user %q), want rejected unknown_sender", from, r.Status, r.Reason, r.User)
			}
		})
	}
}

// A From the strict parser refuses is refused, even where a lenient
// reader would have found a user's address in it.
func TestMalformedFromRefused(t *testing.T) {
	w := newAuthWorld(t)
	h := newHarness(t, "NORMAL")
	in := w.verifying(h)
	for i, from := range []string{
		`ann@acme.example <evil@attacker.example>`,
		`Ann <ann@acme.example>, evil@attacker.example`,
		`"Ann <ann@acme.example>`,
		`<ann@acme.example`,
		`ann@acme.example;`,
		`Group: ann@acme.example;`,
		``,
	} {
		raw := []byte("From: " + from + "\r\nTo: bob@customer.example\r\nSubject: s\r\nMessage-ID: <malformed" +
			string(rune('a'+i)) + "@attacker.example>\r\n\r\nbody\r\n")
		r, err := in.Ingest(context.Background(), remoteDelivery(w.sign(t, "attacker.example", raw), "evil@attacker.example", attackerIP))
		checkOutcome(t, r, err)
		if r.Status != ingest.StatusRejected || r.Reason != "malformed_from" {
			t.Errorf("From: %s: %s %s (user %q), want rejected malformed_from", from, r.Status, r.Reason, r.User)
		}
	}
	// No From at all.
	raw := []byte("To: bob@customer.example\r\nSubject: s\r\nMessage-ID: <nofrom@attacker.example>\r\n\r\nbody\r\n")
	if r, err := in.Ingest(context.Background(), remoteDelivery(raw, "evil@attacker.example", attackerIP)); err != nil || r.Reason != "malformed_from" {
		t.Errorf("no From: %s %s %v, want rejected malformed_from", r.Status, r.Reason, err)
	}
}

// annMail is a genuine message of ann's, signed by acme.example.
func annMail(id string) string {
	return "From: Ann Seller <ann@acme.example>\r\nTo: Bob Buyer <bob@customer.example>\r\nCc: carl@acme.example\r\n" +
		"Subject: Proposal\r\nDate: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + id + ">\r\n" +
		"In-Reply-To: <ask@customer.example>\r\nReferences: <ask@customer.example>\r\n\r\nHere is our proposal.\r\n"
}

// The finding of issue 11.2: a genuine signed message with new fields put
// on top still verifies (DKIM signs the bottom-most instance), and was
// stored as a new message of ann's each time. A second instance of any
// singleton field is now refused.
func TestPrependedHeaderReplayRefused(t *testing.T) {
	w := newAuthWorld(t)
	h := newHarness(t, "NORMAL")
	in := w.verifying(h)
	genuine := w.sign(t, "acme.example", []byte(annMail("genuine@acme.example")))
	// The genuine message itself is ann's (from her server's address).
	if r, err := in.Ingest(context.Background(), remoteDelivery(genuine, userAddr, "192.0.2.10")); err != nil || r.Status != ingest.StatusStored {
		t.Fatalf("genuine message: %s %s %v", r.Status, r.Reason, err)
	}
	for _, top := range []string{
		"Subject: Change of bank account",
		"Message-ID: <replay1@attacker.example>",
		"Date: Tue, 03 Nov 2026 09:00:00 +0000",
		"To: victim@customer.example",
		"Cc: victim@customer.example",
		"References: <other@customer.example>",
		"In-Reply-To: <other@customer.example>",
		"From: Ann Seller <ann@acme.example>",
		"Subject : obsolete spacing",
		"SUBJECT: upper case",
	} {
		name, _, _ := strings.Cut(top, ":")
		raw := append([]byte(top+"\r\n"), genuine...)
		r, err := in.Ingest(context.Background(), remoteDelivery(raw, "evil@attacker.example", attackerIP))
		checkOutcome(t, r, err)
		if r.Status != ingest.StatusRejected || r.Reason != "repeated_field" {
			t.Errorf("genuine message with %q on top: %s %s, want rejected repeated_field", name, r.Status, r.Reason)
		}
	}
}

// signedProposal is ann's proposal to Bob with Message-ID <msgID>, signed
// by acme.example over the fields keys names (h=).
func (w *authWorld) signedProposal(t *testing.T, msgID string, keys ...string) []byte {
	t.Helper()
	raw := "From: Ann Seller <ann@acme.example>\r\nTo: Bob Buyer <bob@customer.example>\r\nSubject: Proposal\r\n" +
		"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + msgID + ">\r\n\r\nHere is our proposal.\r\n"
	var out bytes.Buffer
	if err := dkim.Sign(&out, strings.NewReader(raw), &dkim.SignOptions{
		Domain: "acme.example", Selector: "sel", Signer: w.acmeKey, HeaderKeys: keys,
	}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// The other half of issue 11.2: a field the genuine message did not have,
// put on top, is no repeated field, and a signer that lists only the fields
// present (h=From:To:Subject:Date:Message-ID) does not cover it. DKIM vouches
// for what it signs only: a deciding field the signature leaves out makes
// it fail, so the copy is not filed again (threaded as the attacker likes).
func TestUnsignedDecidingFieldFailsDKIM(t *testing.T) {
	w := newAuthWorld(t)
	h := newHarness(t, "NORMAL")
	in := w.verifying(h)
	genuine := w.signedProposal(t, "narrow@acme.example", "From", "To", "Subject", "Date", "Message-ID")
	// Sent as it is from anywhere, it is ann's (a replay of the same
	// bytes is a duplicate).
	if r, err := in.Ingest(context.Background(), remoteDelivery(genuine, "evil@attacker.example", attackerIP)); err != nil || r.Status != ingest.StatusStored {
		t.Fatalf("genuine message from the attacker's address: %s %s %v, want stored (DKIM passes)", r.Status, r.Reason, err)
	}
	for _, top := range []string{
		"References: <victim-thread@customer.example>",
		"In-Reply-To: <victim-thread@customer.example>",
		"Cc: victim@customer.example",
		"Sender: evil@attacker.example",
		// Read as parse reads them (white space before the colon, a
		// byte order mark before the first field), not skipped.
		"References : <victim-thread@customer.example>",
		"In-Reply-To\t: <victim-thread@customer.example>",
		"\ufeffReferences: <victim-thread@customer.example>",
	} {
		r, err := in.Ingest(context.Background(), remoteDelivery(append([]byte(top+"\r\n"), genuine...), "evil@attacker.example", attackerIP))
		checkOutcome(t, r, err)
		if r.Status != ingest.StatusRejected || r.Reason != "auth_failed" {
			t.Errorf("genuine message with %q added: %s %s, want rejected auth_failed", top, r.Status, r.Reason)
		}
	}
}

// A signer that also lists fields the message does not have (h= with
// References and In-Reply-To absent: "oversigning") makes adding them
// break the signature. The verifier must see the fields parse reads: a
// byte order mark before an added References hides it from go-msgauth
// (whose field name is then "\ufeffReferences") but not from parse, which
// threads by it.
func TestOversignedFieldAfterBOMFailsDKIM(t *testing.T) {
	w := newAuthWorld(t)
	h := newHarness(t, "NORMAL")
	in := w.verifying(h)
	genuine := w.signedProposal(t, "oversigned@acme.example", "From", "To", "Subject", "Date", "Message-ID", "References", "In-Reply-To")
	if r, err := in.Ingest(context.Background(), remoteDelivery(genuine, "evil@attacker.example", attackerIP)); err != nil || r.Status != ingest.StatusStored {
		t.Fatalf("genuine message: %s %s %v, want stored (DKIM passes)", r.Status, r.Reason, err)
	}
	for _, tc := range []struct{ name, top, reason string }{
		{"References", "References: <victim-thread@customer.example>", "auth_failed"},
		{"BOM References", "\ufeffReferences: <victim-thread@customer.example>", "auth_failed"},
		{"BOM In-Reply-To", "\ufeffIn-Reply-To: <victim-thread@customer.example>", "auth_failed"},
	} {
		r, err := in.Ingest(context.Background(), remoteDelivery(append([]byte(tc.top+"\r\n"), genuine...), "evil@attacker.example", attackerIP))
		checkOutcome(t, r, err)
		if r.Status != ingest.StatusRejected || r.Reason != tc.reason {
			t.Errorf("%s: genuine message with %q added: %s %s, want rejected %s", tc.name, tc.top, r.Status, r.Reason, tc.reason)
		}
	}
}

// Each singleton field twice is refused, with a reason that names it.
func TestRepeatedSingletonsRefused(t *testing.T) {
	h := newHarness(t, "NORMAL")
	for _, name := range parse.Singletons {
		raw := textMail("single-"+name+"@acme.example", name+": <one@x.example>", name+": <two@x.example>")
		r, err := h.pipe.Ingest(context.Background(), pipeDelivery(raw))
		checkOutcome(t, r, err)
		if r.Status != ingest.StatusRejected || r.Reason != "repeated_field" || !strings.Contains(strings.Join(r.Explain, " "), name) {
			t.Errorf("%s twice: %s %s %q, want rejected repeated_field naming %s", name, r.Status, r.Reason, r.Explain, name)
		}
	}
}

// capture is an Authenticator that records the author it was asked about
// and lets everything pass: the differential below checks that what is
// authenticated is what decides the owner, whatever the verdict.
type capture struct {
	mu   sync.Mutex
	from []string
}

func (c *capture) Check(_ context.Context, in auth.Input) (*auth.Verdict, error) {
	c.mu.Lock()
	c.from = append(c.from, in.From.Email())
	c.mu.Unlock()
	return &auth.Verdict{Mode: "verify", FromDomain: in.From.Domain, DKIM: "pass", SPF: "pass", DMARC: "pass", Aligned: true}, nil
}

func (c *capture) last() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.from) == 0 {
		return "", false
	}
	f := c.from[len(c.from)-1]
	c.from = nil
	return f, true
}

// FuzzFromDifferential: for any header bytes, the address authentication
// aligns with and the address that decides the owner are the same, or the
// message is refused. The store has one user, ann@acme.example; the
// authenticator passes everything and records the address it was given,
// so a message stored as ann's must have been authenticated as ann's.
func FuzzFromDifferential(f *testing.F) {
	for _, s := range []string{
		"From: Ann <ann@acme.example>\r\n",
		"From: =?x-unknown?q?Ann?= \"Seller, <ann@acme.example>, \" <\"evil\"@attacker.example>\r\n",
		"From: evil@attacker.example\r\nFrom: ann@acme.example\r\n",
		"From : ann@acme.example\r\nFrom: evil@attacker.example\r\n",
		"Sender: ann@acme.example\r\nFrom: a@x.example, b@y.example\r\n",
		"From: \"ann\"@ACME.example (x)\r\n",
		"\xef\xbb\xbfFrom: ann@acme.example\r\n",
		"X: y\r\n From: ann@acme.example\r\n",
	} {
		f.Add([]byte(s))
	}
	h := newHarness(f, "OFF")
	c := &capture{}
	in := ingest.New(ingest.Options{Store: h.db, Auth: c, AuthMode: ingest.AuthMode{Kind: "verify"}, Source: store.SourcePipe})
	f.Fuzz(func(t *testing.T, header []byte) {
		raw := append(append([]byte{}, header...), "Subject: s\r\n\r\nbody\r\n"...)
		p, err := in.Prepare(context.Background(), pipeDelivery(raw))
		if err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		authed, checked := c.last()
		r := p.Result()
		if r.Status == ingest.StatusRejected {
			return
		}
		if !checked {
			t.Fatalf("%q: not refused (%q) and never authenticated", header, r.Status)
		}
		if r.User != userAddr || authed != userAddr {
			t.Fatalf("%q: owner %q but authenticated as %q", header, r.User, authed)
		}
	})
}

// dkimCount counts the fields called name as go-msgauth's verifier reads
// a header (textproto lines, a continuation only after a first field,
// the name trimmed and compared with strings.EqualFold): an oracle written
// apart from parse.Fields.Count.
func dkimCount(raw []byte, name string) int {
	tr := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	var fields []string
	for {
		l, err := tr.ReadLine()
		if err != nil || l == "" {
			break
		}
		if len(fields) > 0 && (l[0] == ' ' || l[0] == '\t') {
			continue
		}
		k, _, _ := strings.Cut(l, ":")
		fields = append(fields, strings.TrimSpace(k))
	}
	n := 0
	for _, k := range fields {
		if strings.EqualFold(k, name) {
			n++
		}
	}
	return n
}

// FuzzSingletons: whatever the header, a message in which a DKIM verifier
// would find a singleton field more than once is never stored.
func FuzzSingletons(f *testing.F) {
	for _, s := range []string{
		"Subject: a\r\nSubject: b\r\n",
		"Subject : a\r\nsubject: b\r\n",
		"\u017fubject: a\r\nSubject: b\r\n",
		"To: a@x.example\r\n\tTo: b@x.example\r\n",
		"Date: x\r\nDATE\t: y\r\n",
		"References: <a@x>\r\nIn-Reply-To: <b@x>\r\n",
	} {
		f.Add([]byte(s))
	}
	h := newHarness(f, "OFF")
	f.Fuzz(func(t *testing.T, header []byte) {
		raw := append([]byte("From: Ann <ann@acme.example>\r\nMessage-ID: <fuzz-single@acme.example>\r\n"), header...)
		raw = append(raw, "\r\n\r\nbody\r\n"...)
		p, err := h.pipe.Prepare(context.Background(), pipeDelivery(raw))
		if err != nil {
			t.Fatalf("Prepare: %v", err)
		}
		if p.Result().Status == ingest.StatusRejected {
			return
		}
		for _, name := range parse.Singletons {
			if n := dkimCount(raw, name); n > 1 {
				t.Fatalf("%q: %d %s fields as DKIM reads them, yet %s", raw, n, name, p.Result().Status)
			}
		}
	})
}

// A Delivered-To of our own Bcc address in a live delivery is a loop (or
// a forgery): refused, recorded, and never bounced, even with --bounce,
// since postfix-config no longer lets Postfix bounce it (flags=D). In an
// archive, one such field is how an MDA delivered it: not a loop.
func TestDeliveredToOurAddressIsALoop(t *testing.T) {
	h := newHarness(t, "NORMAL")
	raw := textMail("loop1@acme.example", "Delivered-To: "+universalAddr)
	r, err := h.pipe.Ingest(context.Background(), pipeDelivery(raw))
	checkOutcome(t, r, err)
	if r.Status != ingest.StatusRejected || r.Reason != "loop" {
		t.Fatalf("live delivery with Delivered-To %s: %s %s, want rejected loop", universalAddr, r.Status, r.Reason)
	}
	if d := ingest.Dispose(r, true); d.Exit != ingest.ExitOK || d.Stderr != "" {
		t.Errorf("loop disposition with --bounce: exit %d stderr %q, want 0 and nothing", d.Exit, d.Stderr)
	}
	archived := ingest.Delivery{Raw: textMail("loop2@acme.example", "Delivered-To: "+universalAddr), Origin: "archive"}
	r, err = h.imp.Ingest(context.Background(), archived)
	checkOutcome(t, r, err)
	if r.Status != ingest.StatusStored {
		t.Errorf("archived message delivered once to %s: %s %s, want stored", universalAddr, r.Status, r.Reason)
	}
}

// openNesting is a multipart message nested depth levels deep without a
// single close delimiter: enmime's reader doubles its time with each
// level (25 levels, under 1 KB, took 79 s).
func openNesting(depth int) string {
	var b strings.Builder
	b.WriteString("From: Carol <carol@customer.example>\r\nSubject: nested\r\nMessage-ID: <open@customer.example>\r\n" +
		"Content-Type: multipart/mixed; boundary=\"n0\"\r\n\r\n")
	for i := 1; i < depth; i++ {
		b.WriteString("--n" + itoa(i-1) + "\r\nContent-Type: multipart/mixed; boundary=\"n" + itoa(i) + "\"\r\n\r\n")
	}
	b.WriteString("--n" + itoa(depth-1) + "\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n")
	return b.String()
}

func itoa(i int) string { return strconv.Itoa(i) }

// A structure enmime cannot read in time, on the message itself or in a
// message attached to it (forward unwrapping parses those), is read
// within a bound, and the mail is still filed.
func TestHostileOpenNestingBounded(t *testing.T) {
	h := newHarness(t, "NORMAL")
	own := strings.Replace(openNesting(40), "From: Carol <carol@customer.example>", "From: Ann <ann@acme.example>", 1)
	forwarded := string(mail("fwd-open@acme.example", []string{`Content-Type: multipart/mixed; boundary="f"`, "Subject: Fwd: nested"},
		"--f\r\nContent-Type: text/plain\r\n\r\nFYI\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n"+openNesting(40)+"\r\n--f--\r\n"))
	for name, raw := range map[string]string{"own": own, "attached": forwarded} {
		start := time.Now()
		r, _, _ := ingestBounded(t, h.pipe, pipeDelivery([]byte(raw)), time.Minute)
		t.Logf("%s: %s %s in %s", name, r.Status, r.Reason, time.Since(start))
		if r.Status != ingest.StatusStored {
			t.Errorf("%s: %s %s, want stored", name, r.Status, r.Reason)
		}
	}
}

// An archive imported for a user with --auth off reads each singleton
// field given twice (the first, as readers show it) instead of refusing
// the message: the owner is given and nothing is verified, so nothing can
// be replayed. With authentication on, the same import refuses it.
func TestRepeatedSingletonsImportedWithAuthOff(t *testing.T) {
	h := newHarness(t, "NORMAL")
	verifying := ingest.New(ingest.Options{Store: h.db, AuthMode: ingest.AuthMode{Kind: "verify"}, Source: store.SourceImport, Owner: userAddr})
	for _, name := range parse.Singletons {
		raw := textMail("import-"+name+"@acme.example", name+": <one@x.example>", name+": <two@x.example>")
		d := ingest.Delivery{Raw: raw, Origin: "archive.mbox", Size: int64(len(raw))}
		r, err := verifying.Ingest(context.Background(), d)
		checkOutcome(t, r, err)
		if r.Status != ingest.StatusRejected || r.Reason != "repeated_field" {
			t.Errorf("%s twice, imported with --auth verify: %s %s, want rejected repeated_field", name, r.Status, r.Reason)
		}
		r, err = h.imp.Ingest(context.Background(), d)
		checkOutcome(t, r, err)
		if r.Status != ingest.StatusStored || !strings.Contains(strings.Join(r.Explain, " "), "2 "+name+" fields") {
			t.Errorf("%s twice, imported with --auth off: %s %s %q, want stored, its explanation naming the field", name, r.Status, r.Reason, r.Explain)
		}
	}
}
