package forward

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/smartbcc/smartbcc/ingest/mailaddr"
)

// crlf turns a readable "\n" message into wire format.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

const customerMail = `From: Carla Customer <carla@customer.example>
To: Sam Sales <sam@acme.example>
Subject: Re: Quote 4711
Date: Tue, 02 Jan 2024 10:00:00 +0100
Message-ID: <c1@customer.example>
In-Reply-To: <s1@acme.example>
References: <s0@acme.example> <s1@acme.example>
Content-Type: text/plain; charset=utf-8

Yes, we accept the quote.
Carla
`

// wrapRFC822 builds a forward carrying inner as a message/rfc822 part.
func wrapRFC822(from, subject, note string, inner []byte) []byte {
	return append(append(crlf(`From: `+from+`
To: archive@bcc.acme.example
Subject: `+subject+`
Date: Wed, 03 Jan 2024 09:00:00 +0100
Message-ID: <`+strings.Fields(subject)[0]+`x@acme.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b-`+from[:3]+`"

--b-`+from[:3]+`
Content-Type: text/plain; charset=utf-8

`+note+`
--b-`+from[:3]+`
Content-Type: message/rfc822
Content-Disposition: attachment

`), inner...), crlf(`
--b-`+from[:3]+`--
`)...)
}

func TestUnwrapRFC822(t *testing.T) {
	customer := crlf(customerMail)
	colleague := wrapRFC822("Colin Colleague <colin@acme.example>", "Fwd: Re: Quote 4711", "FYI, see Carla's answer.", customer)
	// The outer forward's own text also carries an inline block; the
	// attachment must win.
	outerText := "Here it is.\n\n---------- Forwarded message ---------\nFrom: Someone Else <else@elsewhere.example>\nDate: Wed, 3 Jan 2024 at 09:00\nSubject: Fwd: Re: Quote 4711\n\nFYI\n"

	tests := []struct {
		name      string
		in        Input
		opt       Options
		wantOK    bool
		wantFrom  string
		wantDepth int
	}{
		{"single", Input{Subject: "Fwd: Re: Quote 4711", Attached: [][]byte{customer}}, Options{}, true, "carla@customer.example", 1},
		{"nested twice", Input{Subject: "Fwd: Fwd: Re: Quote 4711", Text: outerText, Attached: [][]byte{colleague}}, Options{}, true, "carla@customer.example", 2},
		{"max depth stops at colleague", Input{Subject: "Fwd: Fwd: Re: Quote 4711", Attached: [][]byte{colleague}}, Options{MaxDepth: 1}, true, "colin@acme.example", 1},
		{"too large falls back to inline", Input{Subject: "Fwd: Fwd: Re: Quote 4711", Text: outerText, Attached: [][]byte{colleague}}, Options{MaxAttached: 100}, true, "else@elsewhere.example", 1},
		{"too large and no inline", Input{Subject: "Fwd: x", Attached: [][]byte{colleague}}, Options{MaxAttached: 100}, false, "", 0},
		{"garbage attachment skipped", Input{Subject: "Fwd: x", Attached: [][]byte{[]byte("not a mail"), customer}}, Options{}, true, "carla@customer.example", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := Unwrap(tt.in, tt.opt)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if !ok {
				return
			}
			if o.From.Email != tt.wantFrom || o.Depth != tt.wantDepth {
				t.Errorf("From = %q depth %d, want %q depth %d", o.From.Email, o.Depth, tt.wantFrom, tt.wantDepth)
			}
		})
	}

	o, _ := Unwrap(Input{Subject: "Fwd: Fwd: Re: Quote 4711", Attached: [][]byte{colleague}}, Options{})
	want := Original{
		From: Address{"Carla Customer", "carla@customer.example"}, To: []Address{{"Sam Sales", "sam@acme.example"}},
		Subject: "Re: Quote 4711", MessageID: "c1@customer.example", InReplyTo: "s1@acme.example",
		Body: "Yes, we accept the quote.\r\nCarla", Via: "rfc822", Depth: 2,
		Date: time.Date(2024, 1, 2, 9, 0, 0, 0, time.UTC),
	}
	if o.From != want.From || len(o.To) != 1 || o.To[0] != want.To[0] || o.Subject != want.Subject ||
		o.MessageID != want.MessageID || o.InReplyTo != want.InReplyTo || o.Via != want.Via || o.Depth != want.Depth ||
		!o.Date.Equal(want.Date) || strings.ReplaceAll(o.Body, "\r\n", "\n") != strings.ReplaceAll(want.Body, "\r\n", "\n") {
		t.Errorf("got %+v\nwant %+v", *o, want)
	}
	if strings.Join(o.References, " ") != "s0@acme.example s1@acme.example" {
		t.Errorf("References = %v", o.References)
	}
	if !bytes.Contains(o.Raw, []byte("Message-ID: <c1@customer.example>")) {
		t.Errorf("Raw does not hold the customer's message: %q", o.Raw)
	}
}

// A customer's own mail that carries an old mail as an attachment is the
// original itself; the old mail is not unwrapped.
func TestAttachedMailOfCustomerNotFollowed(t *testing.T) {
	old := crlf("From: Old Supplier <old@supplier.example>\nSubject: Prices 2019\n\nold prices\n")
	carla := wrapRFC822("Carla Customer <carla@customer.example>", "Quote 4711", "Please match these prices.", old)
	o, ok := Unwrap(Input{Subject: "Fwd: Quote 4711", Attached: [][]byte{carla}}, Options{})
	if !ok || o.From.Email != "carla@customer.example" || o.Depth != 1 {
		t.Fatalf("got %+v, %v; want Carla at depth 1", o, ok)
	}
}

const gmailBlock = `---------- Forwarded message ---------
From: Carla Customer <carla@customer.example>
Date: Tue, 2 Jan 2024 at 10:00
Subject: Re: Quote 4711
To: Sam Sales <sam@acme.example>
Cc: Pat Purchasing <pat@customer.example>, <legal@customer.example>

Yes, we accept the quote.

Carla Customer | Head of Buying
Phone +1 555 0100 | carla.private@mail.example
`

func TestUnwrapInline(t *testing.T) {
	quote := func(s, prefix string) string {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(prefix+l, " ")
		}
		return strings.Join(lines, "\n") + "\n"
	}
	tests := []struct {
		name      string
		in        Input
		wantOK    bool
		wantFrom  Address
		wantVia   string
		wantDepth int
	}{
		{"gmail", Input{Subject: "Fwd: Re: Quote 4711", Text: "See below.\n\n" + gmailBlock},
			true, Address{"Carla Customer", "carla@customer.example"}, "inline:gmail", 1},
		{"quoted gmail", Input{Subject: "Fwd: Re: Quote 4711", Text: "See below.\n\n" + quote(gmailBlock, "> ") + "\n-- \nSam\n"},
			true, Address{"Carla Customer", "carla@customer.example"}, "inline:gmail", 1},
		{"nested inline, quoted inside", Input{Subject: "Fwd: Fwd: Re: Quote 4711", Text: "FYI\n\n---------- Forwarded message ---------\nFrom: Colin Colleague <colin@acme.example>\nDate: Wed, 3 Jan 2024 at 09:00\nSubject: Fwd: Re: Quote 4711\nTo: <sam@acme.example>\n\nSam, your customer.\n\n" + quote(gmailBlock, "> ")},
			true, Address{"Carla Customer", "carla@customer.example"}, "inline:gmail", 2},
		{"outlook underscore forward", Input{Subject: "FW: Quote 4711", Text: "Sam\n\n________________________________\nFrom: Carla Customer <carla@customer.example>\nSent: Tuesday, January 2, 2024 10:00 AM\nTo: Sam Sales <sam@acme.example>\nSubject: Quote 4711\n\nYes.\n"},
			true, Address{"Carla Customer", "carla@customer.example"}, "inline:outlook", 1},
		{"outlook original message, mailto form", Input{Subject: "FW: Quote 4711", Text: "-----Original Message-----\nFrom: Carla Customer [mailto:carla@customer.example]\nSent: Tuesday, January 2, 2024 10:00 AM\nTo: Sam Sales\nSubject: Quote 4711\n\nYes.\n"},
			true, Address{"Carla Customer", "carla@customer.example"}, "inline:outlook", 1},
		{"apple mail german", Input{Subject: "WG: Angebot", Text: "Anfang der weitergeleiteten Nachricht:\n\nVon: Carla Kundin <carla@customer.example>\nBetreff: Angebot\nDatum: 2. Januar 2024 um 10:00:00 MEZ\nAn: sam@acme.example\n\nJa.\n"},
			true, Address{"Carla Kundin", "carla@customer.example"}, "inline:apple_mail", 1},
		{"thunderbird french", Input{Subject: "Tr: Devis", Text: "-------- Message transféré --------\nSujet : \tDevis\nDate : \tTue, 2 Jan 2024 10:00:00 +0100\nDe : \tCarla Cliente <carla@customer.example>\nPour : \tsam@acme.example\n\nOui.\n"},
			true, Address{"Carla Cliente", "carla@customer.example"}, "inline:thunderbird", 1},
		{"wrote line under forward subject", Input{Subject: "FW: Quote 4711", Text: "On 02/01/2024 10:00, \"Carla Customer\" <carla@customer.example> wrote:\n\n    Yes.\n"},
			true, Address{"Carla Customer", "carla@customer.example"}, "inline:generic", 1},

		// Replies: the same blocks above quoted history are not forwards.
		{"outlook reply", Input{Subject: "RE: Quote 4711", Text: "Thanks!\n\n________________________________\nFrom: Carla Customer <carla@customer.example>\nSent: Tuesday, January 2, 2024 10:00 AM\nTo: Sam Sales <sam@acme.example>\nSubject: Quote 4711\n\nYes.\n"},
			false, Address{}, "", 0},
		{"wrote line in reply", Input{Subject: "Re: Quote 4711", Text: "Great.\n\nOn Tue, Jan 2, 2024 at 10:00 AM Carla Customer <carla@customer.example> wrote:\n> Yes.\n"},
			false, Address{}, "", 0},
		{"original message in reply", Input{Subject: "Re: Quote 4711", Text: "Great.\n\n-----Original Message-----\nFrom: Carla Customer <carla@customer.example>\nSent: Tuesday\nSubject: Quote 4711\n\nYes.\n"},
			false, Address{}, "", 0},
		// A reply quoting a forward is still a reply: the first block decides.
		{"reply quoting a forward", Input{Subject: "Re: Quote 4711", Text: "Great.\n\nOn Tue, Jan 2, 2024 at 10:00 AM Colin <colin@acme.example> wrote:\n> " + strings.ReplaceAll(gmailBlock, "\n", "\n> ")},
			false, Address{}, "", 0},

		// Never invent a sender.
		{"name without address", Input{Subject: "FW: Quote 4711", Text: "-----Original Message-----\nFrom: Carla Customer\nSent: 23 July 2022 07:53\nTo: Sam Sales\nSubject: Quote 4711\n\nYes.\n"},
			false, Address{}, "", 0},
		{"signature only, no block", Input{Subject: "Fwd: Quote", Text: "Please call me.\n\n--\nMallory <mallory@spam.example>\nFrom: mallory@spam.example\n"},
			false, Address{}, "", 0},
		{"plain mail", Input{Subject: "Quote", Text: "Hello,\nFrom: our side all is fine.\nDate: tomorrow\n"},
			false, Address{}, "", 0},
		{"empty", Input{}, false, Address{}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := Unwrap(tt.in, Options{})
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tt.wantOK, o)
			}
			if !ok {
				return
			}
			if o.From != tt.wantFrom || o.Via != tt.wantVia || o.Depth != tt.wantDepth {
				t.Errorf("From %+v via %s depth %d, want %+v via %s depth %d", o.From, o.Via, o.Depth, tt.wantFrom, tt.wantVia, tt.wantDepth)
			}
		})
	}
}

// Addresses outside the header block (the forwarder's note, the customer's
// signature) are never returned in any field.
func TestAddressesOutsideBlockNeverReturned(t *testing.T) {
	text := "From: Mallory <mallory@spam.example>\nmallory2@spam.example wrote a lot\n\n" + gmailBlock
	o, ok := Unwrap(Input{Subject: "Fwd: Re: Quote 4711", Text: text}, Options{})
	if !ok {
		t.Fatal("not unwrapped")
	}
	all := append(append([]Address{o.From}, o.To...), o.Cc...)
	got := map[string]bool{}
	for _, a := range all {
		got[a.Email] = true
	}
	for _, bad := range []string{"mallory@spam.example", "mallory2@spam.example", "carla.private@mail.example"} {
		if got[bad] {
			t.Errorf("%s returned from outside the block: %+v", bad, all)
		}
	}
	wantCc := []Address{{"Pat Purchasing", "pat@customer.example"}, {"", "legal@customer.example"}}
	if !sameAddresses(o.Cc, wantCc, false) {
		t.Errorf("Cc = %+v, want %+v", o.Cc, wantCc)
	}
	if !strings.HasPrefix(o.Body, "Yes, we accept the quote.") || !strings.Contains(o.Body, "carla.private@mail.example") {
		t.Errorf("Body = %q", o.Body)
	}
	// Gmail writes no zone: the date is read in Options.Zone (UTC here).
	if o.Subject != "Re: Quote 4711" || !o.Date.Equal(time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)) || !o.DateNoZone {
		t.Errorf("Subject %q, Date %v (no zone %v), DateText %q", o.Subject, o.Date, o.DateNoZone, o.DateText)
	}
}

func TestUnwrapHTMLOnly(t *testing.T) {
	html := `<div dir="ltr">See below<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" dir="auto">Carla Customer</strong> <span dir="auto">&lt;<a href="mailto:carla@customer.example">carla@customer.example</a>&gt;</span><br>Date: Tue, Jan 2, 2024 at 10:00 AM<br>Subject: Re: Quote 4711<br>To: Sam Sales &lt;<a href="mailto:sam@acme.example">sam@acme.example</a>&gt;<br></div><br><div dir="ltr">Yes, we accept the quote.<br><a href="mailto:carla.private@mail.example">write me</a></div></div></div>`
	o, ok := Unwrap(Input{Subject: "Fwd: Re: Quote 4711", HTML: html}, Options{})
	if !ok {
		t.Fatal("HTML-only forward not unwrapped")
	}
	if o.From != (Address{"Carla Customer", "carla@customer.example"}) || o.Via != "inline:gmail" {
		t.Errorf("From %+v via %s", o.From, o.Via)
	}
	if len(o.To) != 1 || o.To[0] != (Address{"Sam Sales", "sam@acme.example"}) {
		t.Errorf("To %+v", o.To)
	}
	if !strings.HasPrefix(o.Body, "Yes, we accept the quote.") {
		t.Errorf("Body %q", o.Body)
	}
	// Text wins over HTML when both are present.
	if o, ok := Unwrap(Input{Subject: "Fwd: x", Text: "just text", HTML: html}, Options{}); ok {
		t.Errorf("used HTML although Text was present: %+v", o)
	}
}

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []Address
	}{
		{"John Doe <john@x.example>", []Address{{"John Doe", "john@x.example"}}},
		{"john@x.example", []Address{{"", "john@x.example"}}},
		{`"Doe, John" <john@x.example>; 'jane@x.example' <jane@x.example>`, []Address{{"Doe, John", "john@x.example"}, {"", "jane@x.example"}}},
		{"Doe, John <john@x.example>, Roe, Jane<jane@x.example>", []Address{{"Doe, John", "john@x.example"}, {"Roe, Jane", "jane@x.example"}}},
		{"John Doe [mailto:john@x.example], jane@x.example", []Address{{"John Doe", "john@x.example"}, {"", "jane@x.example"}}},
		{"John Doe<mailto:john@x.example> <john@x.example<mailto:john@x.example>> on behalf of t@x.example<mailto:t@x.example>", []Address{{"John Doe", "john@x.example"}, {"on behalf of", "t@x.example"}}},
		{"John Doe (John@X.example)", []Address{{"John Doe", "john@x.example"}}},
		{"« Jean Dupont » < jean@x.example >", []Address{{"Jean Dupont", "jean@x.example"}}},
		{"John Doe; Jane Roe", []Address{{Name: "John Doe"}, {Name: "Jane Roe"}}},
		{"Sam Sales; bob@x.example", []Address{{Name: "Sam Sales"}, {"", "bob@x.example"}}},
		{"", nil},
	}
	for _, tt := range tests {
		got := parseAddressList(tt.in)
		if !sameAddresses(got, tt.want, false) {
			t.Errorf("parseAddressList(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// TestParseDateZoneNames: a date in RFC 5322 form with a zone name is
// the instant parse reads in a Date field, on a server in any time zone
// (net/mail reads the name by the server's own zone: "EST" is +0000 on a
// UTC server).
func TestParseDateZoneNames(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"EST", "Mon, 30 Nov 2026 09:00:00 EST", "2026-11-30T14:00:00Z"},
		{"PDT", "30 Nov 2026 09:00:00 PDT", "2026-11-30T16:00:00Z"},
		{"numeric", "Mon, 30 Nov 2026 09:00:00 +0100", "2026-11-30T08:00:00Z"},
	} {
		got, ok := parseDate(tc.in, nil, nil)
		if s := got.t.UTC().Format(time.RFC3339); !ok || s != tc.want || got.noZone {
			t.Errorf("%s: parseDate(%q) = %q %v (no zone %v), want %q", tc.name, tc.in, s, ok, got.noZone, tc.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	tests := []struct {
		in     string
		langs  []string
		want   string // RFC 3339, "" for unparsed
		noZone bool
	}{
		// Written with a zone.
		{"Wed, 3 Nov 2021 15:51:30 +0100", nil, "2021-11-03T15:51:30+01:00", false},
		{"Tuesday, November 2, 2021, 09:26:50 AM GMT+1", nil, "2021-11-02T09:26:50+01:00", false},
		{"25 October 2021 at 11:17:21 EEST", nil, "2021-10-25T11:17:21+03:00", false},
		{"Monday, September 19, 2022, 5:55:44 PM -0400", nil, "2022-09-19T17:55:44-04:00", false},
		{"26. Oktober 2021 um 14:25:08 OESZ", []string{"de"}, "2021-10-26T14:25:08+03:00", false},
		{"Dienstag, 2. November 2021, 09:26:50 MEZ", []string{"de"}, "2021-11-02T09:26:50+01:00", false},
		{"26. října 2021 14:25:08 GMT+3", []string{"cs"}, "2021-10-26T14:25:08+03:00", false},
		{"úterý 2. listopadu 2021 09:26:50 SEČ", []string{"cs"}, "2021-11-02T09:26:50+01:00", false},
		{"26. listopada 2021. u 14:25:08 EEST", []string{"hr"}, "2021-10-26T14:25:08+03:00", false}, // Croatian listopad is October
		{"26. oktober 2021 kl. 14.25.08 EEST", []string{"da"}, "2021-10-26T14:25:08+03:00", false},
		{"26. lokakuuta 2021 klo 14.25.08 UTC+3", []string{"fi"}, "2021-10-26T14:25:08+03:00", false},
		{"2021. október 26. 14:25:08 EEST", []string{"hu"}, "2021-10-26T14:25:08+03:00", false},
		{"26 октября 2021 г. в 14:25:08 GMT+3", []string{"ru"}, "2021-10-26T14:25:08+03:00", false},
		{"26 жовтня 2021 р. о 14:25:08 GMT+3", []string{"uk"}, "2021-10-26T14:25:08+03:00", false},
		{"26 Ekim 2021 14:25:08 GMT+3", []string{"tr"}, "2021-10-26T14:25:08+03:00", false},
		{"2 Kasım 2021 Salı 09:26:50 GMT+1", []string{"tr"}, "2021-11-02T09:26:50+01:00", false},
		{"2022年9月19日月曜日 17:55:44 -0400", []string{"ja"}, "2022-09-19T17:55:44-04:00", false},
		{"2. November 2021 09:26:50 IST", nil, "", false}, // ambiguous zone
		{"19 juin 2025 à 14:05:09 UTC−2", []string{"fr"}, "2025-06-19T14:05:09-02:00", false},
		// Written without a zone: read in the fallback zone.
		{"Wed, Oct 27, 2021 at 9:31 AM", []string{"en"}, "2021-10-27T09:31:00+02:00", true},
		{"Mi., 27. Okt. 2021 um 09:31 Uhr", []string{"de"}, "2021-10-27T09:31:00+02:00", true},
		{"st 27. 10. 2021 v 9:31", []string{"cs"}, "2021-10-27T09:31:00+02:00", true},
		{"ons. 27. okt. 2021 kl. 09.31", []string{"da"}, "2021-10-27T09:31:00+02:00", true},
		{"mié, 27 oct 2021 a las 9:31", []string{"es"}, "2021-10-27T09:31:00+02:00", true},
		{"2021. okt. 27., Sze, 9:31", []string{"hu"}, "2021-10-27T09:31:00+02:00", true},
		{"quarta, 27/10/2021 à(s) 09:31", []string{"pt-PT"}, "2021-10-27T09:31:00+02:00", true},
		{"qua., 27 de out. de 2021 às 09:31", []string{"pt-BR"}, "2021-10-27T09:31:00+02:00", true},
		{"27 Eki 2021 Çar, 09:31", []string{"tr"}, "2021-10-27T09:31:00+02:00", true},
		{"ср, 27 жовт. 2021 о 09:31", []string{"uk"}, "2021-10-27T09:31:00+02:00", true},
		{"sri, 27. lis 2021. u 09:31", []string{"hr"}, "2021-10-27T09:31:00+02:00", true},
		{"K, 27. oktoober 2021 kell 09:31", []string{"et"}, "2021-10-27T09:31:00+02:00", true},
		{"Donnerstag, 28. Oktober 2021 um 12:46", []string{"de"}, "2021-10-28T12:46:00+02:00", true},
		{"csütörtök, 2021. október 28. 12:46", []string{"hu"}, "2021-10-28T12:46:00+02:00", true},
		{"Wednesday, October 27, 2021 15:14", nil, "2021-10-27T15:14:00+02:00", true},
		{"2025年6月19日 下午2:05", []string{"zh-Hans"}, "2025-06-19T14:05:00+02:00", true},
		{"2025년 6월 19일 (목) 오후 2:05", []string{"ko"}, "2025-06-19T14:05:00+02:00", true},
		{"19/06/2025 2:05 م", []string{"ar"}, "2025-06-19T14:05:00+02:00", true},
		{"١٩‏/٠٦‏/٢٠٢٥ ٢:٠٥ م", []string{"ar"}, "2025-06-19T14:05:00+02:00", true},
		{"On Thursday, June 19th, 2025 at 2:05 PM", []string{"en"}, "2025-06-19T14:05:00+02:00", true},
		{"06/19/25 14:05", []string{"en"}, "2025-06-19T14:05:00+02:00", true},
		{"19 มิถุนายน 2568 14:05", []string{"th"}, "2025-06-19T14:05:00+02:00", true},
		{"Il-Ħamis, 19 ta’ Ġunju 2025 14:05:09 GMT+2", []string{"mt"}, "2025-06-19T14:05:09+02:00", false},
		{"ΠΈΜΠΤΗ 19 ΙΟΥΝΊΟΥ 2025 2:05 Μ.Μ.", []string{"el"}, "2025-06-19T14:05:00+02:00", true},
		{"PERŞEMBE, 19 HAZİRAN 2025 14:05", []string{"tr"}, "2025-06-19T14:05:00+02:00", true},
		{"", nil, "", false},
		{"sometime next week", nil, "", false},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in, tt.langs, plus2)
		s := ""
		if ok {
			s = got.t.Format(time.RFC3339)
		}
		if s != tt.want || (ok && got.noZone != tt.noZone) {
			t.Errorf("parseDate(%q, %v) = %q (no zone %v), want %q (no zone %v)", tt.in, tt.langs, s, got.noZone, tt.want, tt.noZone)
		}
	}
}

func FuzzUnwrap(f *testing.F) {
	f.Add("Fwd: Re: Quote 4711", "See below.\n\n"+gmailBlock)
	f.Add("FW: x", "> > -----Original Message-----\n> > From: a <a@b.example>\n> > Sent: now\n")
	f.Add("", "   ----- Forwarded Message ----- From: A <a@b.example>To: c@d.example Subject: x\n body")
	f.Add("FW: x", "On 1/2/2024, A <a@b.example> wrote:\n    hi")
	f.Fuzz(func(t *testing.T, subj, text string) {
		o, ok := Unwrap(Input{Subject: subj, Text: text}, Options{MaxDepth: 3})
		// A mail client's CRLF line endings read as LF ones.
		if !strings.Contains(text, "\r") {
			crlf, ok2 := Unwrap(Input{Subject: subj, Text: strings.ReplaceAll(text, "\n", "\r\n")}, Options{MaxDepth: 3})
			if ok2 != ok || !reflect.DeepEqual(crlf, o) {
				t.Fatalf("with CRLF: %v %+v; with LF: %v %+v", ok2, crlf, ok, o)
			}
		}
		if !ok {
			return
		}
		if o.Depth < 1 || o.Depth > 3 {
			t.Fatalf("depth %d out of range", o.Depth)
		}
		// Every returned address is as mailaddr reads it, and its local
		// part is written in the input, in NFC with its case folded. (The
		// domain is left out: IDNA maps what is written, a full-width
		// letter or a U-label, to other characters.)
		folded := mailaddr.FoldCase(norm.NFC.String(text))
		for _, a := range append(append([]Address{o.From}, o.To...), o.Cc...) {
			if a.Email == "" {
				continue
			}
			if c, err := mailaddr.Canonical(a.Email); err != nil || c != a.Email {
				t.Fatalf("address %q reads as %q (%v)", a.Email, c, err)
			}
			local := strings.Trim(a.Email[:strings.LastIndexByte(a.Email, '@')], `"`)
			if !strings.Contains(folded, local) {
				t.Fatalf("address %q not in input", a.Email)
			}
		}
		if o.From.Email == "" {
			t.Fatal("ok without a From address")
		}
	})
}

func BenchmarkUnwrapGmail(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Hi team,\n\nplease have a look at the customer's answer below.\n\nThanks,\nSam\n\n")
	sb.WriteString(gmailBlock)
	for i := 0; i < 40; i++ {
		sb.WriteString("> earlier line of the conversation number with some words in it\n")
	}
	in := Input{Subject: "Fwd: Re: Quote 4711", Text: sb.String()}
	b.SetBytes(int64(len(in.Text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := Unwrap(in, Options{}); !ok {
			b.Fatal("not unwrapped")
		}
	}
}

// Hostile input stays fast: long runs of header-like lines, separators
// and attribution lines must not make the scan quadratic. Measured as a
// benchmark (compare ns/op per byte with BenchmarkUnwrapGmail), never as a
// timed test.
func BenchmarkUnwrapHostileHeaderRuns(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 20000; i++ {
		sb.WriteString("To: someone@x.example\n---------- Forwarded message ---------\n> Cc: a@b.example\nOn Monday someone wrote:\n")
	}
	in := Input{Subject: "Fwd: x", Text: sb.String()}
	b.SetBytes(int64(len(in.Text)))
	for b.Loop() {
		Unwrap(in, Options{})
	}
}

func BenchmarkUnwrapHostileLongSeparators(b *testing.B) {
	line := "----- Forwarded Message ----- " + strings.Repeat("ABCDEFGHIJ", 400) + "\n"
	in := Input{Subject: "Fwd: x", Text: strings.Repeat(line, 2000)}
	b.SetBytes(int64(len(in.Text)))
	for b.Loop() {
		Unwrap(in, Options{})
	}
}

// TestAttachedAddressesReadAsMailaddr: an attached original's addresses
// are read as every address of a message is (parse, mailaddr), not by
// net/mail and strings.ToLower: the dotted capital I (U+0130) is another
// letter than "i", so "İvy@" is not the person ivy@; a domain is its
// IDNA A-label, as persons and users keep it.
func TestAttachedAddressesReadAsMailaddr(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		wantFrom       string
		wantTo         string
	}{
		{"ascii case", "Carla <Carla@Customer.Example>", "Sam@ACME.example", "carla@customer.example", "sam@acme.example"},
		{"dotted capital I", "Eve <\u0130vy@customer.example>", "\u0130rin@acme.example", "\u0130vy@customer.example", "\u0130rin@acme.example"},
		{"Kelvin sign", "Kim <\u212Aim@customer.example>", "sam@acme.example", "kim@customer.example", "sam@acme.example"},
		{"unicode domain", "Jo <jo@b\u00fccher.example>", "sam@ACME.example", "jo@xn--bcher-kva.example", "sam@acme.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner := crlf("From: " + tc.from + "\nTo: " + tc.to + "\nSubject: hello\nMessage-ID: <o1@customer.example>\n\nhi\n")
			o, ok := Unwrap(Input{Subject: "Fwd: hello", Attached: [][]byte{inner}}, Options{})
			if !ok {
				t.Fatalf("not unwrapped")
			}
			if o.From.Email != tc.wantFrom || len(o.To) != 1 || o.To[0].Email != tc.wantTo {
				t.Errorf("From %q, To %+v; want %q, %q", o.From.Email, o.To, tc.wantFrom, tc.wantTo)
			}
		})
	}
}

// TestInlineAddressesReadWhole: an address in a forward block is the
// whole address as written, read by mailaddr as a message's own addresses
// are, never an ASCII tail of it: "jürgen@" is not "rgen@", "éivy@" and
// ".ivy@" are not the person ivy@; a fragment that is no address as
// written names no one.
func TestInlineAddressesReadWhole(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []Address
	}{
		{"ascii", "Ivy <Ivy@Customer.example>", []Address{{"Ivy", "ivy@customer.example"}}},
		{"umlaut in local part", "Jürgen <jürgen@firma.example>", []Address{{"Jürgen", "jürgen@firma.example"}}},
		{"accent before ascii", "Eve <éivy@customer.example>", []Address{{"Eve", "éivy@customer.example"}}},
		{"dotted capital I", "\u0130vy@customer.example", []Address{{"", "\u0130vy@customer.example"}}},
		{"unicode domain", "Jo <jo@bücher.example>", []Address{{"Jo", "jo@xn--bcher-kva.example"}}},
		{"leading dot", "Eve <.ivy@customer.example>", []Address{{Name: "Eve <.ivy@customer.example"}}},
		{"underscore in domain", "Eve <ivy@customer.example_x.example>", []Address{{"Eve", "ivy@customer.example_x.example"}}},
		{"underscore after domain", "Eve _ivy@customer.example_", []Address{{Name: "Eve _ivy@customer.example_"}}},
		{"table bar after", "ivy@customer.example| Ivy", []Address{{"", "ivy@customer.example"}, {Name: "| Ivy"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseAddressList(tc.in); !sameAddresses(got, tc.want, false) {
				t.Errorf("parseAddressList(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
	// The same in an attribution line ("... wrote:").
	for _, tc := range []struct{ name, line, want string }{
		{"wrote ascii", "On Mon, 2 Jan 2024 at 10:00, Ivy <ivy@customer.example> wrote:", "ivy@customer.example"},
		{"wrote umlaut", "On Mon, 2 Jan 2024 at 10:00, Jürgen <jürgen@firma.example> wrote:", "jürgen@firma.example"},
		{"wrote accent before ascii", "On Mon, 2 Jan 2024 at 10:00, Eve <éivy@customer.example> wrote:", "éivy@customer.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := Unwrap(Input{Subject: "Fwd: hello", Text: "see below\n\n" + tc.line + "\n> Hi there\n"}, Options{})
			got := ""
			if ok {
				got = o.From.Email
			}
			if got != tc.want {
				t.Errorf("From %q, want %q", got, tc.want)
			}
		})
	}
}

// TestAttachedHeaderReadAsParse: an attached original's date, subject and
// Message-IDs are what parse reads of the same mail filed by itself, not
// enmime's view: "09:00 EST" is 14:00 UTC, not 09:00; an encoded-word is
// no Message-ID.
func TestAttachedHeaderReadAsParse(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		check       func(o *Original) string
		want        string
	}{
		{"zone name", "Date: Mon, 30 Nov 2026 09:00:00 EST", func(o *Original) string { return o.Date.UTC().Format(time.RFC3339) }, "2026-11-30T14:00:00Z"},
		{"encoded message-id", "Message-ID: =?utf-8?q?=3Cabc=40x.example=3E?=", func(o *Original) string { return o.MessageID }, "=?utf-8?q?=3Cabc=40x.example=3E?="},
		{"message-id with space", "Message-ID: <abc def@x.example>", func(o *Original) string { return o.MessageID }, ""},
		{"encoded in-reply-to", "In-Reply-To: =?utf-8?q?=3Cabc=40x.example=3E?=", func(o *Original) string { return o.InReplyTo }, "=?utf-8?q?=3Cabc=40x.example=3E?="},
		{"references with space", "References: <a@x.example> <b c@x.example>", func(o *Original) string { return strings.Join(o.References, " ") }, "a@x.example"},
		{"subject language", "Subject: =?utf-8*en?q?hello?=", func(o *Original) string { return o.Subject }, "hello"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inner := crlf("From: Carla <carla@customer.example>\nTo: sam@acme.example\n" + tc.field + "\n\nhi\n")
			o, ok := Unwrap(Input{Subject: "Fwd: hello", Attached: [][]byte{inner}}, Options{})
			if !ok {
				t.Fatalf("not unwrapped")
			}
			if got := tc.check(o); got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.field, got, tc.want)
			}
		})
	}
}

// TestReplyUnderForwardSubject: a reply keeps the subject it answers, and
// the answered mail may have been a forward: in the xfce-goodies-dev list
// archive (2005) three replies from three people, written with mutt and
// Mozilla, are titled "Fwd: [Feature #533] ..." and open with "On ...,
// roger wrote:" above Roger's quoted mail, one with its answer between
// his quoted lines; each has In-Reply-To naming Roger's message. Read as
// a forward of Roger's mail, the reply was filed as his, dated his, with
// the replier's words ("Should be fixed now.") in his text. A message
// with In-Reply-To answers a message (RFC 5322 3.6.4): an attribution
// line under a forward subject then opens a reply's quote, as under a
// reply subject. Separator blocks are not affected: a client that sets
// In-Reply-To on a forward (some do, to thread it) writes its separator.
func TestReplyUnderForwardSubject(t *testing.T) {
	interleaved := "Roger Seguin <roger@msn.example> wrote:\n> Hi,\n>\n> Now fixed.\n> However I couldn't close this feature request.\n\nShould be fixed now.\n\n> Cheers,\n> Roger\n\ngreets,\nBenedikt\n"
	above := "I closed it. Very strange.\n\nOn Fri, Jan 21, 2005 at 08:33:08PM +1100, Roger Seguin <roger@msn.example> wrote:\n> Hi,\n>\n> Now fixed.\n"
	for _, tt := range []struct {
		name, text, inReplyTo string
		want                  bool
	}{
		{"interleaved answer, In-Reply-To", interleaved, "<200501212033.08644.roger@msn.example>", false},
		{"answer above, In-Reply-To", above, "<200501212033.08644.roger@msn.example>", false},
		// Without In-Reply-To it is a forward, as before: a client that
		// forwards with an attribution line, the note above it.
		{"answer above, no In-Reply-To", above, "", true},
		// A forward separator decides whatever In-Reply-To says.
		{"gmail forward with In-Reply-To", "See below.\n\n" + gmailBlock, "<carla-1@customer.example>", true},
	} {
		in := Input{Subject: "Fwd: [Feature #533] directory for xfce4-genmon-plugin 1.1", Text: tt.text, InReplyTo: tt.inReplyTo}
		if _, ok := Unwrap(in, Options{}); ok != tt.want {
			t.Errorf("%s: unwrapped %v, want %v", tt.name, ok, tt.want)
		}
	}
}
