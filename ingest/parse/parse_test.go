package parse

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

func TestParseFields(t *testing.T) {
	raw := "From: =?utf-8?q?J=C3=BCrgen?= <Juergen@Example.COM>\r\n" +
		"To: a@x.example, \"B, C\" <b@x.example>\r\n" +
		"Cc: c@x.example\r\n" +
		"Subject: =?utf-8?b?w5xiZXJ3ZWlzdW5n?=\r\n" +
		"Message-ID: <id1@x.example>\r\n" +
		"In-Reply-To: <id0@x.example>\r\n" +
		"References: <a@x> <b@x>\r\n  <id0@x.example>\r\n" +
		"Date: Tue, 03 Nov 2026 10:00:00 +0100\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHallo\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=offer.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n" +
		"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: bob@customer.example\r\nSubject: inner\r\n\r\ninner body\r\n" +
		"--b--\r\n"
	m, err := Parse([]byte(raw), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.From) != 1 || m.From[0].Email != "juergen@example.com" || m.From[0].Name != "Jürgen" {
		t.Errorf("From = %+v", m.From)
	}
	if len(m.To) != 2 || m.To[1].Name != "B, C" || len(m.Cc) != 1 {
		t.Errorf("To = %+v Cc = %+v", m.To, m.Cc)
	}
	if m.Subject != "Überweisung" || m.MessageID != "id1@x.example" || m.InReplyTo != "id0@x.example" {
		t.Errorf("subject %q id %q irt %q", m.Subject, m.MessageID, m.InReplyTo)
	}
	if strings.Join(m.References, " ") != "a@x b@x id0@x.example" {
		t.Errorf("references %v", m.References)
	}
	if m.Date.Hour() != 9 {
		t.Errorf("date %v not normalised to UTC", m.Date)
	}
	if !strings.Contains(m.Text, "Hallo") {
		t.Errorf("text %q", m.Text)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "offer.pdf" || string(m.Attachments[0].Content) != "%PDF-" {
		t.Errorf("attachments %+v", m.Attachments)
	}
	if len(m.Attached) != 1 || !strings.Contains(string(m.Attached[0]), "inner body") {
		t.Errorf("attached messages %q", m.Attached)
	}
}

func TestParseRefusesNonMessages(t *testing.T) {
	for _, raw := range []string{"", "\x00\x01\x02", "just some text\nwithout headers\n", ": no name\n\nbody"} {
		if _, err := Parse([]byte(raw), DefaultLimits); err != ErrNotMessage {
			t.Errorf("Parse(%q) err = %v, want ErrNotMessage", raw, err)
		}
	}
}

func TestParseKeepsBrokenMultipart(t *testing.T) {
	raw := "From: a@x.example\r\nSubject: broken\r\nContent-Type: multipart/report;\r\n\r\nI'm multipart without boundary\r\n"
	m, err := Parse([]byte(raw), DefaultLimits)
	if err != nil {
		t.Fatalf("broken multipart refused: %v", err)
	}
	if m.Subject != "broken" || len(m.From) != 1 || !strings.Contains(m.Text, "without boundary") {
		t.Errorf("fallback parse %+v", m)
	}
}

func TestDisplayNamesCannotInjectLines(t *testing.T) {
	raw := "From: =?utf-8?q?Eve=0D=0ABcc:_victim@x.example?= <eve@x.example>\r\nSubject: x\r\n\r\nbody\r\n"
	m, err := Parse([]byte(raw), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.From) != 1 || strings.ContainsAny(m.From[0].Name, "\r\n") {
		t.Fatalf("From = %+v", m.From)
	}
}

func TestMessageIDs(t *testing.T) {
	for in, want := range map[string]string{
		"<a@b>":                  "a@b",
		" <a@b> (comment) <c@d>": "a@b c@d",
		"a@b":                    "",
		"<>":                     "",
		"<a b@c>":                "",
	} {
		if got := strings.Join(MessageIDs(in), " "); got != want {
			t.Errorf("MessageIDs(%q) = %q, want %q", in, got, want)
		}
	}
	if MessageID("bare@id") != "bare@id" {
		t.Error("a bare Message-ID without brackets is lost")
	}
}

func TestAttachmentContentFromRaw(t *testing.T) {
	raw := []byte("From: a@x.example\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n" +
		"--b\r\nContent-Type: text/csv; charset=windows-1252\r\nContent-Disposition: attachment; filename=b.csv\r\n\r\nna\xefve;1\r\n" +
		"--b--\r\n")
	m, err := Parse(raw, DefaultLimits)
	if err != nil || len(m.Attachments) != 2 {
		t.Fatalf("parse: %v, %d attachments", err, len(m.Attachments))
	}
	for i, a := range m.Attachments {
		c, err := AttachmentContent(raw, i, DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(c)
		if hex.EncodeToString(sum[:]) != a.SHA256 || int64(len(c)) != int64(len(a.Content)) {
			t.Errorf("attachment %d decoded from raw differs from the parsed one", i)
		}
	}
	if c, _ := AttachmentContent(raw, 0, DefaultLimits); string(c) != "\x00\x01\x02\x03" {
		t.Errorf("attachment 0 = %q", c)
	}
	if _, err := AttachmentContent(raw, 2, DefaultLimits); err == nil {
		t.Error("attachment 2 of 2 found")
	}
}

// TestDisplayAddressesKeepQuotedCommas: a field the strict parser refuses
// (here for an address whose domain starts with a hyphen) is read address
// by address, and the commas inside a quoted name, a comment or angle
// brackets do not split it. A domain with an underscore, as in spamscope's
// mail_test_2, is an address (TestUnderscoreDomainIsAParticipant).
func TestDisplayAddressesKeepQuotedCommas(t *testing.T) {
	for _, tt := range []struct {
		field string
		want  []Address
	}{
		{`"Doe, John" <john@x.example>, bad@-server.it`,
			[]Address{{Name: "Doe, John", Email: "john@x.example"}}},
		{`"Doe, John" <john@x.example>, bad@-server.it, "Roe, Jane" <jane@y.example>`,
			[]Address{{Name: "Doe, John", Email: "john@x.example"}, {Name: "Roe, Jane", Email: "jane@y.example"}}},
		{`"Doe \", John" <john@x.example>, bad@-server.it`,
			[]Address{{Name: `Doe ", John`, Email: "john@x.example"}}},
		{`ann@x.example (Seller, Ann), bad@-server.it`,
			[]Address{{Email: "ann@x.example"}}},
		{`bad@-server.it, bob@y.example`,
			[]Address{{Email: "bob@y.example"}}},
	} {
		got := DisplayAddresses(tt.field)
		if !slices.Equal(got, tt.want) {
			t.Errorf("DisplayAddresses(%q) = %+v, want %+v", tt.field, got, tt.want)
		}
	}
}

// TestLegacyHeaderTextIsForDisplayOnly: raw 8-bit header text that is not
// UTF-8 is shown in the charset the body declares (else windows-1252),
// while the addresses, which decide, are read as written: a From whose
// address is not UTF-8 has no author, as before, and no participant.
func TestLegacyHeaderTextIsForDisplayOnly(t *testing.T) {
	raw := "From: \"Pawe\xb3 Kowalski\" <pawel@example.pl>\r\n" +
		"To: J\xfcrgen <j\xfcrgen@example.de>, \xa1Zo <zo@example.pl>\r\n" +
		"Subject: Zam\xf3wienie \xb1\r\n" +
		"X-Note: r\xeaczna\r\n" +
		"Content-Type: text/plain; charset=iso-8859-2\r\n\r\nbody\r\n"
	m, err := Parse([]byte(raw), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	// In iso-8859-2, as declared (windows-1252 would read "Zamówienie ±").
	if m.Subject != "Zamówienie ą" {
		t.Errorf("subject %q", m.Subject)
	}
	if got := m.Header.Get("X-Note"); got != "ręczna" {
		t.Errorf("X-Note %q", got)
	}
	if len(m.From) != 1 || m.From[0] != (Address{Name: "Paweł Kowalski", Email: "pawel@example.pl"}) {
		t.Errorf("From %+v", m.From)
	}
	// The address that is not UTF-8 is read as no address: the recipient
	// is kept as its text, a name only (TestUnreadRecipientsAreNames);
	// the other one keeps its name.
	if want := []Address{{Name: "Jürgen <jürgen@example.de>"}, {Name: "ĄZo", Email: "zo@example.pl"}}; !slices.Equal(m.To, want) {
		t.Errorf("To %+v, want %+v", m.To, want)
	}
	// What decides reads the field as written.
	if got := m.Fields.Get("Subject"); got != " Zam\xf3wienie \xb1" {
		t.Errorf("raw Subject %q", got)
	}
	if _, err := mailaddr.Author(Fields{{Name: "From", Value: " J\xfcrgen <j\xfcrgen@example.de>", Valid: true}}); err == nil {
		t.Error("a From address that is not UTF-8 was read")
	}

	// No charset declared: windows-1252.
	m, err = Parse([]byte("From: a@x.example\r\nSubject: Fr\xf6sche \x80\r\n\r\nbody\r\n"), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Frösche €" {
		t.Errorf("subject %q", m.Subject)
	}
}

// TestListDigest: a list's digest (multipart/mixed holding a table of
// contents and a multipart/digest, as Mailman sends it) has its messages
// as content, not as attached mail; a digest inside one of them adds no
// text (each byte is read at most twice).
func TestListDigest(t *testing.T) {
	inner := "Content-Type: multipart/digest; boundary=in\r\n\r\n--in\r\n\r\nSubject: deep\r\n\r\ndeep text\r\n--in--\r\n"
	raw := "From: list@lists.example\r\nSubject: Digest, Vol 1, Issue 2\r\nContent-Type: multipart/mixed; boundary=out\r\n\r\n" +
		"--out\r\nContent-Type: text/plain\r\n\r\nToday's Topics: 1. Offer\r\n" +
		"--out\r\nContent-Type: multipart/digest; boundary=dg\r\n\r\n" +
		"--dg\r\nContent-Type: message/rfc822\r\n\r\nFrom: bob@customer.example\r\nSubject: Offer\r\n\r\nPrice is 40.\r\n" +
		"--dg\r\nContent-Type: message/rfc822\r\n\r\nFrom: eve@x.example\r\nSubject: Nested\r\n" + inner +
		"--dg--\r\n--out--\r\n"
	m, err := Parse([]byte(raw), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m.IsDigest || len(m.Digest) != 2 || len(m.Attached) != 0 || len(m.Attachments) != 0 {
		t.Errorf("digest %v, %d messages, %d attached, %d files", m.IsDigest, len(m.Digest), len(m.Attached), len(m.Attachments))
	}
	for _, want := range []string{"Today's Topics", "Offer\n\nPrice is 40.", "Nested"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text %q does not hold %q", m.Text, want)
		}
	}
	if strings.Contains(m.Text, "deep") {
		t.Errorf("text %q holds a digest's digest", m.Text)
	}
}

// TestMissingEmptyLineAfterHeader: a body that follows the header without
// an empty line is read from the first line that is no field, for text
// and search; the fields, which decide, are still the header up to the
// first empty line, as a DKIM verifier reads it. Under a DKIM-Signature
// the text is not recovered: lines of the header are not signed as the
// body is, and could have been added to a signed message.
func TestMissingEmptyLineAfterHeader(t *testing.T) {
	head := "From: ann@acme.example\r\nSubject: offer\r\n"
	rest := "Price is 40.\r\nX-Late: field\r\n\r\nsecond paragraph\r\n"
	m, err := Parse([]byte(head+rest), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != rest {
		t.Errorf("text %q, want %q", m.Text, rest)
	}
	if m.BodyOffset != len(head+"Price is 40.\r\nX-Late: field\r\n\r\n") || m.Fields.Get("X-Late") != " field" || m.Fields[2].Valid {
		t.Errorf("the fields changed: offset %d, %+v", m.BodyOffset, m.Fields)
	}

	// The same after a byte order mark.
	if m, err := Parse([]byte("\xef\xbb\xbf"+head+rest), DefaultLimits); err != nil {
		t.Error(err)
	} else if m.Text != rest {
		t.Errorf("after a byte order mark: text %q, want %q", m.Text, rest)
	}

	signed := "DKIM-Signature: v=1; a=rsa-sha256; d=acme.example; s=s; h=from:subject; bh=x; b=y\r\n" + head
	m, err = Parse([]byte(signed+rest), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "second paragraph\r\n" {
		t.Errorf("signed: text %q, want only the signed body", m.Text)
	}
}

// TestInlineTextBodyIsNoAttachment: the text of a message whose body
// parts say "Content-Disposition: inline" (mutt's signed mail, Gmail's
// multipart/alternative of its time) is the text, not also a nameless
// file: show listed a signed mutt mail's own text as an attachment, and
// a Gmail mail's plain and HTML text as two. A named inline text part (a
// patch pasted as a file) and an inline image stay files. Parse and
// ParseBodyMeta alike.
func TestInlineTextBodyIsNoAttachment(t *testing.T) {
	head := "From: a@x.example\r\nTo: b@y.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
	inline := func(ctype, extra, body string) string {
		return "Content-Type: " + ctype + "\r\nContent-Disposition: inline" + extra + "\r\n\r\n" + body + "\r\n"
	}
	for _, tt := range []struct {
		name, raw string
		files     []string
		text      string
	}{
		{"alternative", head + "Content-Type: multipart/alternative; boundary=b\r\n\r\n" +
			"--b\r\n" + inline("text/plain; charset=us-ascii", "", "plain words") +
			"--b\r\n" + inline("text/html; charset=us-ascii", "", "<p>html words</p>") + "--b--\r\n",
			nil, "plain words"},
		{"signed", head + "Content-Type: multipart/signed; micalg=pgp-sha1; protocol=\"application/pgp-signature\"; boundary=s\r\nContent-Disposition: inline\r\n\r\n" +
			"--s\r\n" + inline("text/plain; charset=us-ascii", "", "signed words") +
			"--s\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\n\r\n" + "--s--\r\n",
			[]string{"signature.asc"}, "signed words"},
		{"mixed with a named text and an image", head + "Content-Type: multipart/mixed; boundary=m\r\n\r\n" +
			"--m\r\n" + inline("text/plain; charset=us-ascii", "", "see the patch") +
			"--m\r\n" + inline("text/plain; charset=us-ascii", "; filename=\"fix.patch\"", "--- a\r\n+++ b") +
			"--m\r\n" + inline("image/png", "; filename=\"logo.png\"", "PNG") + "--m--\r\n",
			[]string{"fix.patch", "logo.png"}, "see the patch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			full, err := Parse([]byte(tt.raw), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			meta, err := ParseHeader([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			meta.ParseBodyMeta([]byte(tt.raw), DefaultLimits)
			for _, m := range []*Message{full, meta} {
				var got []string
				for _, a := range m.Attachments {
					got = append(got, a.Name)
				}
				if !slices.Equal(got, tt.files) {
					t.Errorf("attachments %q, want %q", got, tt.files)
				}
				if !strings.Contains(m.Text, tt.text) {
					t.Errorf("text %q, want it to hold %q", m.Text, tt.text)
				}
			}
		})
	}
}

// TestUnreadRecipientsAreNames: in a recipient field (To, Cc, Bcc,
// Reply-To), a piece in which no address can be read is kept as a name
// only, its text as written (decoded, controls made spaces, bounded), in
// its place among the others; before, it was dropped and the message
// seemed to go to fewer people. Never in From or Sender, and an empty
// piece or group names nobody.
func TestUnreadRecipientsAreNames(t *testing.T) {
	long := strings.Repeat("x", 300) + "@"
	for _, tt := range []struct {
		field string
		want  []Address
	}{
		{"Bob <bob@>, Dave <dave@ok.example>", []Address{{Name: "Bob <bob@>"}, {Name: "Dave", Email: "dave@ok.example"}}},
		{"Eve <.eve@ok.example>, dave@ok.example", []Address{{Name: "Eve <.eve@ok.example>"}, {Email: "dave@ok.example"}}},
		{`Dave <dave@ok.example>, "Pat O'Neil pat@ok.example`, []Address{{Name: "Dave", Email: "dave@ok.example"}, {Name: `"Pat O'Neil pat@ok.example`}}},
		{"=?utf-8?q?Jos=C3=A9?= <jose@>, dave@ok.example", []Address{{Name: "José <jose@>"}, {Email: "dave@ok.example"}}},
		{"Bob\x1b[31m <bob@>, dave@ok.example", []Address{{Name: "Bob [31m <bob@>"}, {Email: "dave@ok.example"}}},
		{"bob@, , undisclosed-recipients: ;, dave@ok.example", []Address{{Name: "bob@"}, {Email: "dave@ok.example"}}},
		{long + ", dave@ok.example", []Address{{Name: strings.Repeat("x", 199) + "…"}, {Email: "dave@ok.example"}}},
	} {
		for _, field := range []string{"To", "Cc", "Bcc", "Reply-To"} {
			raw := "From: Ann <ann@acme.example>\r\n" + field + ": " + tt.field + "\r\nSubject: s\r\n\r\nbody\r\n"
			m, err := Parse([]byte(raw), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]Address{"To": m.To, "Cc": m.Cc, "Bcc": m.Bcc, "Reply-To": m.ReplyTo}[field]
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: %q = %+v, want %+v", field, tt.field, got, tt.want)
			}
		}
		// A sender is never a name alone.
		for _, field := range []string{"From", "Sender"} {
			m, err := Parse([]byte(field+": "+tt.field+"\r\nSubject: s\r\n\r\nbody\r\n"), DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range append(m.From, m.Sender...) {
				if a.Email == "" {
					t.Errorf("%s: %q gave a name-only %+v", field, tt.field, a)
				}
			}
		}
		// DisplayAddresses (forward blocks' senders) is unchanged.
		for _, a := range DisplayAddresses(tt.field) {
			if a.Email == "" {
				t.Errorf("DisplayAddresses(%q) gave a name-only %+v", tt.field, a)
			}
		}
	}
}

// TestUnclosedQuoteBeforeAnAddress: a display name whose closing quote was
// lost ("Bob <bob@x.example>, carol@y.example) ran, as a quoted string
// does, to the end of the field, so that everything after it was one
// piece: Bob's address was picked out of it and carol, the next
// recipient, was not listed at all. Thunderbird (JSMime), Python's email
// package and Postfix close such a quote at the end of the field, and
// show its text, carol's address in it. Here the quote ends at the "<"
// that follows it: the name is Bob's, and the pieces after his address
// are read as pieces. A quote with no "<" after it still runs to the end
// (a name only, TestUnreadRecipientsAreNames).
func TestUnclosedQuoteBeforeAnAddress(t *testing.T) {
	for _, tt := range []struct {
		field string
		want  []Address
	}{
		{`"Bob <bob@x.example>, carol@y.example`,
			[]Address{{Name: "Bob", Email: "bob@x.example"}, {Email: "carol@y.example"}}},
		{`"Smith, John <john@example.com>`,
			[]Address{{Name: "Smith, John", Email: "john@example.com"}}},
		{`dave@ok.example, "Smith, John <john@example.com>, Carol <carol@y.example>`,
			[]Address{{Email: "dave@ok.example"}, {Name: "Smith, John", Email: "john@example.com"}, {Name: "Carol", Email: "carol@y.example"}}},
		{`"Doe, John <john@x.example>, bad@-server.it`,
			[]Address{{Name: "Doe, John", Email: "john@x.example"}, {Name: "bad@-server.it"}}},
		{`"Bob, carol@y.example`,
			[]Address{{Name: `"Bob, carol@y.example`}}},
	} {
		m, err := Parse([]byte("From: ann@acme.example\r\nTo: "+tt.field+"\r\nSubject: s\r\n\r\nbody\r\n"), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.To, tt.want) {
			t.Errorf("To: %q = %+v, want %+v", tt.field, m.To, tt.want)
		}
	}
}

// TestGroupInARefusedField: a group ("Team: a@x.example, b@y.example;")
// in a field the strict parser refuses for another piece was cut at its
// commas and its members shown as text ("Team: a@x.example" and
// "b@y.example;", no address). A group is now one piece: its members are
// read as in any field (Python's email package and Thunderbird list
// them), a member with no address kept as a name, and a group whose ";"
// is missing runs to the end of the field, as Thunderbird reads it.
func TestGroupInARefusedField(t *testing.T) {
	for _, tt := range []struct {
		field string
		want  []Address
	}{
		{"Team: a@x.example, b@y.example;, Bob <bob@>",
			[]Address{{Email: "a@x.example"}, {Email: "b@y.example"}, {Name: "Bob <bob@>"}}},
		{"Team: a@x.example, Bob <bob@>, b@y.example;",
			[]Address{{Email: "a@x.example"}, {Name: "Bob <bob@>"}, {Email: "b@y.example"}}},
		{"Attn: Bob <bob@x.example>, bob@",
			[]Address{{Name: "Bob", Email: "bob@x.example"}, {Name: "bob@"}}},
		{"undisclosed-recipients:;, bob@",
			[]Address{{Name: "bob@"}}},
		{"bob@, Team: ;, dave@ok.example",
			[]Address{{Name: "bob@"}, {Email: "dave@ok.example"}}},
		{`"Sales: EU" <eu@x.example>, bob@`,
			[]Address{{Name: "Sales: EU", Email: "eu@x.example"}, {Name: "bob@"}}},
	} {
		m, err := Parse([]byte("From: ann@acme.example\r\nCc: "+tt.field+"\r\nSubject: s\r\n\r\nbody\r\n"), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Cc, tt.want) {
			t.Errorf("Cc: %q = %+v, want %+v", tt.field, m.Cc, tt.want)
		}
	}
}

// TestSemicolonSeparatedRecipients: addresses separated by ";" (as
// Outlook users type them, and as web forms and scripts then send them)
// are no address-list, so the strict parser refuses the field; the
// lenient reading took the whole field as one piece, and "bob@x.example;
// carol@y.example" was shown as one recipient with no address, "Bob
// <bob@x.example>; carol@y.example" as Bob alone, carol gone. Thunderbird
// (JSMime) reads a ";" that closes no group as a ",", and Python's
// email.utils.getaddresses finds both addresses; so does the lenient
// reading now. A ";" that closes a group still closes it.
func TestSemicolonSeparatedRecipients(t *testing.T) {
	for _, tt := range []struct {
		field string
		want  []Address
	}{
		{"bob@x.example; carol@y.example",
			[]Address{{Email: "bob@x.example"}, {Email: "carol@y.example"}}},
		{"Bob <bob@x.example>; carol@y.example",
			[]Address{{Name: "Bob", Email: "bob@x.example"}, {Email: "carol@y.example"}}},
		{`"Doe; John" <john@x.example>;Carol <carol@y.example>;`,
			[]Address{{Name: "Doe; John", Email: "john@x.example"}, {Name: "Carol", Email: "carol@y.example"}}},
		{"Team: a@x.example; carol@y.example",
			[]Address{{Email: "a@x.example"}, {Email: "carol@y.example"}}},
		{"Team: a@x.example, b@y.example; carol@y.example",
			[]Address{{Email: "a@x.example"}, {Email: "b@y.example"}, {Email: "carol@y.example"}}},
		{"bob@; carol@y.example",
			[]Address{{Name: "bob@"}, {Email: "carol@y.example"}}},
	} {
		m, err := Parse([]byte("From: ann@acme.example\r\nTo: "+tt.field+"\r\nSubject: s\r\n\r\nbody\r\n"), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.To, tt.want) {
			t.Errorf("To: %q = %+v, want %+v", tt.field, m.To, tt.want)
		}
	}
}

// TestUnclosedCommentAfterAnAddress: a comment that never closes (a field
// cut short: "bob@x.example (Bob Smith, Sal") made the field unreadable
// and the recipient was shown as text with no address. Python's email
// package and Thunderbird read the address before it; so does the
// lenient reading now, the comment's text kept as the name when the
// address has none (as Python does), so that nothing written is hidden.
func TestUnclosedCommentAfterAnAddress(t *testing.T) {
	for _, tt := range []struct {
		field string
		want  []Address
	}{
		{"bob@x.example (Bob Smith, Sal",
			[]Address{{Name: "Bob Smith, Sal", Email: "bob@x.example"}}},
		{"dave@ok.example, Bob <bob@x.example> (Sales (EU",
			[]Address{{Email: "dave@ok.example"}, {Name: "Bob", Email: "bob@x.example"}}},
		{"bob@x.example (Bob (Sales) Smith, carol@y.example",
			[]Address{{Name: "Bob (Sales) Smith, carol@y.example", Email: "bob@x.example"}}},
		// No address before it: the text, as before.
		{"Bob (Sales, carol@y.example",
			[]Address{{Name: "Bob (Sales, carol@y.example"}}},
	} {
		m, err := Parse([]byte("From: ann@acme.example\r\nTo: "+tt.field+"\r\nSubject: s\r\n\r\nbody\r\n"), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.To, tt.want) {
			t.Errorf("To: %q = %+v, want %+v", tt.field, m.To, tt.want)
		}
	}
}

// TestOddRecipientFields: shapes of real and hostile address fields, each
// alone and beside a piece no address can be read in ("bob@"), which
// sends the field to the lenient reading: there a route's "," and ":"
// (inside angle brackets), a comment's "," and ";", a quoted local part's
// "," and an encoded word's decoded "," or "<" split nothing and open no
// group, and an encoded word is never an address (RFC 2047, section 5).
func TestOddRecipientFields(t *testing.T) {
	bob := Address{Name: "bob@"}
	for _, tt := range []struct {
		field string
		want  []Address
	}{
		{"Bob <@relay.example,@b.example:bob@x.example>",
			[]Address{{Name: "Bob", Email: "bob@x.example"}}},
		{"Bob <@relay.example,@b.example:bob@x.example>, bob@",
			[]Address{{Name: "Bob", Email: "bob@x.example"}, bob}},
		{"bob@x.example (Bob (Sales; EU), ACME: HQ), carol@y.example",
			[]Address{{Email: "bob@x.example"}, {Email: "carol@y.example"}}},
		{"bob@x.example (Bob (Sales; EU), ACME: HQ), bob@",
			[]Address{{Email: "bob@x.example"}, bob}},
		{`"a,b;c:d"@x.example, bob@`,
			[]Address{{Email: `"a,b;c:d"@x.example`}, bob}},
		{`"bob smith"@X.Example`,
			[]Address{{Email: `"bob smith"@x.example`}}},
		{"=?utf-8?q?Doe=2C_John=3B_Sales=3A?= <john@x.example>, bob@",
			[]Address{{Name: "Doe, John; Sales:", Email: "john@x.example"}, bob}},
		{"=?utf-8?q?bob=40x=2Eexample?=, bob@",
			[]Address{{Name: "bob@x.example"}, bob}},
		{"=?utf-8?q?Bob_=3Cevil=40x=2Eexample=3E?= <bob@y.example>",
			[]Address{{Name: "Bob <evil@x.example>", Email: "bob@y.example"}}},
		{"José <jose@bücher.example>, bob@",
			[]Address{{Name: "José", Email: "jose@xn--bcher-kva.example"}, bob}},
		{"Ünïcödé <ü@例え.テスト>",
			[]Address{{Name: "Ünïcödé", Email: "ü@xn--r8jz45g.xn--zckzah"}}},
		{"bob@[192.0.2.1], bob@",
			[]Address{{Email: "bob@[192.0.2.1]"}, bob}},
		{"Bob<bob@x.example>,Carol<carol@y.example>,bob@",
			[]Address{{Name: "Bob", Email: "bob@x.example"}, {Name: "Carol", Email: "carol@y.example"}, bob}},
	} {
		m, err := Parse([]byte("From: ann@acme.example\r\nTo: "+tt.field+"\r\nSubject: s\r\n\r\nbody\r\n"), DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.To, tt.want) {
			t.Errorf("To: %q = %+v, want %+v", tt.field, m.To, tt.want)
		}
	}
}
