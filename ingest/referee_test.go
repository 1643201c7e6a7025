package ingest

import (
	"context"
	"net/textproto"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/mailfile"
	"github.com/smartbcc/smartbcc/ingest/mailfile/archivetest"
	"github.com/smartbcc/smartbcc/store"
)

// importCorpusMessage imports message n (from 1) of a corpus file into a
// new store as an archive import for ann (--auth off --keep-bulk).
func importCorpusMessage(t *testing.T, corpora, file string, n int) (store.Store, Result) {
	t.Helper()
	st := openTestStore(t)
	in := New(Options{Store: st, AuthMode: AuthMode{Kind: "off"}, Source: store.SourceImport,
		Owner: "ann@acme.example", KeepBulk: true})
	r, err := mailfile.Open(filepath.Join(corpora, filepath.FromSlash(file)), mailfile.Options{MaxSize: DefaultMaxSize})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var it *mailfile.Item
	for range n {
		if it, err = r.Next(); err != nil {
			t.Fatalf("%s: message %d: %v", file, n, err)
		}
	}
	return st, ingestWithDeadline(t, in, *ItemDelivery(it, store.Envelope{}))
}

// importCorpusStored imports message n of a corpus file as
// importCorpusMessage does, wants it stored, and returns the stored
// message with the result.
func importCorpusStored(t *testing.T, corpora, file string, n int) (*store.Message, Result) {
	t.Helper()
	st, res := importCorpusMessage(t, corpora, file, n)
	if res.Status != StatusStored {
		t.Fatalf("%s: %s (%s)", res.Origin, res.Status, res.Reason)
	}
	var m *store.Message
	err := st.View(context.Background(), func(tx store.Tx) error {
		var err error
		m, err = tx.Message(res.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, res
}

// TestCorpusMessageDate: a message is dated by its Date header; without
// a readable one, by the date its archive gives it (the mbox From_ line);
// without that either, it has no date (null, listed by its arrival). It
// is never dated by the time of the import. Python's email package,
// notmuch and mu give no date to these messages; Python's mailbox keeps
// the From_ line.
func TestCorpusMessageDate(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	for _, tt := range []struct {
		file string
		msg  int    // the message's number in the file (mbox), from 1
		want string // RFC 3339, "" for none
	}{
		// "From MAILER-DAEMON Sun Aug  7 11:40:37 2022 extra info", no Date.
		{"cpython-email-data/Lib/test/test_email/data/mailbox_01.mbox", 1, "2022-08-07T11:40:37Z"},
		// A file with no Date and no archive around it.
		{"cpython-email-data/Lib/test/test_email/data/msg_11.txt", 1, ""},
		{"mime4j/core/src/test/resources/mimetools-testmsgs/multi-simple.msg", 1, ""},
		// A Date header decides.
		{"cpython-email-data/Lib/test/test_email/data/msg_01.txt", 1, "2001-05-04T18:05:44Z"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			m, res := importCorpusStored(t, corpora, tt.file, tt.msg)
			got := ""
			if !m.Date.IsZero() {
				got = m.Date.UTC().Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("%s: date %q, want %q (received %s)", res.Origin, got, tt.want, m.ReceivedAt.Format(time.RFC3339))
			}
		})
	}
}

// TestCorpusRefusalReason: automatic mail is refused with the reason it
// is. A delivery status notification (multipart/report;
// report-type=delivery-status) is a bounce, also when it carries
// Auto-Submitted (RFC 3834 asks it of every automatic message); an
// automatic message of another kind is an auto_reply.
func TestCorpusRefusalReason(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	for _, tt := range []struct{ file, want string }{
		{"cpython-email-data/Lib/test/test_email/data/msg_25.txt", "bounce"},                           // Auto-Submitted: auto-generated (failure)
		{"enmime/dsn/testdata/dsn_with_multipart_alternative.raw", "bounce"},                           // Auto-Submitted: auto-replied
		{"mimekit/UnitTests/TestData/messages/bounce.txt", "bounce"},                                   // Postfix, auto-replied
		{"ruby-mail/spec/fixtures/emails/multipart_report_emails/multi_address_bounce1.eml", "bounce"}, // Postfix
		{"ruby-mail/spec/fixtures/emails/multipart_report_emails/report_422.eml", "bounce"},            // sendmail's delay warning
		{"ruby-mail/spec/fixtures/emails/mime_emails/raw_email_with_mimepart_without_content_type.eml", "bounce"},
		{"mox/testdata/dmarc-reports/mailru.eml", "auto_reply"}, // an automatic report, no DSN
	} {
		t.Run(tt.file, func(t *testing.T) {
			_, res := importCorpusMessage(t, corpora, tt.file, 1)
			if res.Status != StatusRejected || res.Reason != tt.want {
				t.Errorf("%s: %s (%s), want rejected (%s)", res.Origin, res.Status, res.Reason, tt.want)
			}
		})
	}
}

// TestNoiseReason: each kind of automatic mail gets its own reason.
func TestNoiseReason(t *testing.T) {
	none := func(string) bool { return false }
	for _, tt := range []struct {
		name   string
		header map[string]string
		null   bool
		want   string
	}{
		{"Precedence: auto_reply", map[string]string{"Precedence": "auto_reply"}, false, "auto_reply"},
		{"Precedence: bulk", map[string]string{"Precedence": "bulk"}, false, "bulk"},
		{"vacation reply, null sender", map[string]string{"Auto-Submitted": "auto-replied"}, true, "auto_reply"},
		{"DSN with Auto-Submitted", map[string]string{"Auto-Submitted": "auto-replied",
			"Content-Type": `multipart/report; report-type="delivery-status"; boundary=x`}, true, "bounce"},
		{"DSN with a broken parameter", map[string]string{"Auto-Submitted": "auto-generated (failure)",
			"Content-Type": "multipart/report; report-type=delivery-status;\tbo"}, false, "bounce"},
		{"read receipt", map[string]string{"Content-Type": "multipart/report; report-type=disposition-notification; boundary=x"}, false, "bounce"},
		{"ordinary mail", map[string]string{"Content-Type": "text/plain"}, false, ""},
	} {
		h := textproto.MIMEHeader{}
		for k, v := range tt.header {
			h.Set(k, v)
		}
		if got, _ := noise(h, Delivery{NullSender: tt.null}, none, false); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestCorpusReplyWithAttachedMail: a reply to someone outside the company
// that carries mail as attachments is the replier's message, not a
// forward of the first attached one; a forward with an attached original
// is still unwrapped. Python, notmuch and mu show the outer message of
// each; smartbcc unwraps forwards only.
func TestCorpusReplyWithAttachedMail(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	for _, tt := range []struct {
		file                           string
		msg                            int
		from, forwardedBy, subjectWant string
	}{
		// "Re: ..." with three spam samples attached as message/rfc822.
		{"stalwart-mail-parser/resources/eml/thirdparty/015.eml", 1, "jsterr@proxforge.de", "", "Re: (#5290765) Proxmox Shop E-Mails"},
		// Netscape 3 replied with the message it answers attached.
		{"mimekit/UnitTests/TestData/mbox/content-length.mbox.txt", 1, "mailusr1@navstar1.mcom.com", "", "Re: mailusr1@navstar1 3.0b6gold #1"},
		// Forwards: the attached original is filed.
		{"mime4j/core/src/test/resources/mimetools-testmsgs/mp-msg-rfc822.msg", 1, "deuschle@mnh.telekom.de", "specht@kulturbox.de", "Re: 34Mbit/s Netz"},
		{"spamscope-mail-parser/tests/mails/mail_test_7", 1, "chiarodiluce@gmail.com", "geronazzo@voidstudicom.it", "Ordine"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			m, res := importCorpusStored(t, corpora, tt.file, tt.msg)
			if m.FromEmail != tt.from || m.ForwardedBy != tt.forwardedBy || m.Subject != tt.subjectWant {
				t.Errorf("%s: from %q forwarded by %q subject %q, want %q, %q, %q", res.Origin,
					m.FromEmail, m.ForwardedBy, m.Subject, tt.from, tt.forwardedBy, tt.subjectWant)
			}
		})
	}
}

// TestCorpusDigestIsNotAForward: a multipart/digest is a collection of
// messages its sender put together (a list's digest), not a forward: it
// is filed as the digest itself, with its own sender and subject, and the
// text of its messages is its text, also those written without a
// Content-Type (message/rfc822 by default in a digest, RFC 2046 5.1.5).
// It was filed as the sender of its second message, the first being lost.
func TestCorpusDigestIsNotAForward(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	m, _ := importCorpusStored(t, corpora, "mime4j/core/src/test/resources/mimetools-testmsgs/multi-digest.msg", 1)
	if m.FromEmail != "nsb@bellcore.com" || m.ForwardedBy != "" || m.Subject != "Sample digest message" {
		t.Errorf("from %q forwarded by %q subject %q, want the digest's own", m.FromEmail, m.ForwardedBy, m.Subject)
	}
	for _, want := range []string{"This is implicitly-typed ASCII text.", "This is explicitly typed plain ASCII text."} {
		if !strings.Contains(m.TextBody, want) {
			t.Errorf("text %q does not hold %q", m.TextBody, want)
		}
	}
}

// TestUnderscoreDomainIsAParticipant: an address whose domain has an
// underscore (RFC 5322 atext; RFC 2181 allows it in any DNS label) is a
// participant like any other. IDNA's host-name rules refused it, and the
// recipient was missing from show, from the participants and from person
// linking, while the other addresses of the field were listed.
func TestUnderscoreDomainIsAParticipant(t *testing.T) {
	corpora := archivetest.CorporaDir(t)
	m, _ := importCorpusStored(t, corpora, "spamscope-mail-parser/tests/mails/mail_test_2", 1)
	for _, want := range []store.Participant{
		{Role: "to", Email: "echo@tu-berlin.de"},
		{Role: "to", Name: "Porcile, M.", Email: "mporcile@server_mail.it"},
	} {
		if !slices.ContainsFunc(m.Participants, func(p store.Participant) bool {
			return p.Role == want.Role && p.Name == want.Name && p.Email == want.Email
		}) {
			t.Errorf("participants %+v lack %+v", m.Participants, want)
		}
	}
}
