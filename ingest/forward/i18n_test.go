package forward

import (
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/subject"
)

// TestTurkishCaseFolding: labels and separators are compared with the
// four Turkish i's made one, so Turkish written in capitals, in title case
// or with a plain I (keyboards without Turkish letters) all unwrap.
func TestTurkishCaseFolding(t *testing.T) {
	block := func(sep, from, subj string) string {
		return sep + "\n" + from + ": María Ortega <maria.ortega@cliente.example>\n" +
			subj + ": Teklif\nKime: Ann Seller <ann@acme.example>\n\nMerhaba\n"
	}
	tests := []struct{ name, text string }{
		{"title case", block("-------- İletilen İleti --------", "Kimden", "Konu")},
		{"capitals with dotted I", block("-------- İLETİLEN İLETİ --------", "KİMDEN", "KONU")},
		{"capitals with plain I", block("-------- ILETILEN ILETI --------", "KIMDEN", "KONU")},
		{"lower case", block("-------- iletilen ileti --------", "kimden", "konu")},
		{"dotless i typed", block("-------- ıletılen ıletı --------", "Kımden", "Konu")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := Unwrap(Input{Subject: "Teklif", Text: tt.text}, Options{})
			if !ok || o.From.Email != "maria.ortega@cliente.example" || o.Subject != "Teklif" || len(o.To) != 1 {
				t.Fatalf("got %+v, %v", o, ok)
			}
		})
	}
	for _, s := range []string{"İLT: Teklif", "ILT: Teklif", "İlt: Teklif"} {
		if !subject.IsForward(s) || subject.StripPrefixes(s) != "Teklif" {
			t.Errorf("subject %q: IsForward %v, stripped %q", s, subject.IsForward(s), subject.StripPrefixes(s))
		}
	}
	if fold("İSTANBUL") != fold("istanbul") || fold("Iı") != "ii" {
		t.Errorf("fold: %q %q %q", fold("İSTANBUL"), fold("istanbul"), fold("Iı"))
	}
}

// TestTypographicQuotes: names in the quotes of every language come out
// bare, in header blocks and in attribution lines.
func TestTypographicQuotes(t *testing.T) {
	for _, q := range [][2]string{
		{`"`, `"`}, {"“", "”"}, {"„", "“"}, {"„", "”"}, {"”", "”"}, {"«", "»"}, {"« ", " »"},
		{"»", "«"}, {"‘", "’"}, {"‚", "‘"}, {"‹", "›"}, {"「", "」"}, {"『", "』"}, {"'", "'"},
	} {
		name := q[0] + "María Ortega" + q[1]
		got := parseAddressList(name + " <maria.ortega@cliente.example>, " + q[0] + "Bob Buyer" + q[1] + " <bob@customer.example>")
		want := []Address{{"María Ortega", "maria.ortega@cliente.example"}, {"Bob Buyer", "bob@customer.example"}}
		if !sameAddresses(got, want, false) {
			t.Errorf("quotes %s…%s: got %+v", q[0], q[1], got)
		}
		text := "Dnia 19/06/2025, 14:05 użytkownik " + name + " <maria.ortega@cliente.example> napisał:\n\n> Dzień dobry\n"
		o, ok := Unwrap(Input{Subject: "PD: Oferta", Text: text}, Options{})
		if !ok || o.From != want[0] {
			t.Errorf("attribution with %s…%s: got %+v, %v", q[0], q[1], o, ok)
		}
	}
}

// TestLabelsWithoutColon: after a separator, a label some clients write
// without its colon counts when its value fits the field; before any
// separator, or with a value that does not fit, it does not.
func TestLabelsWithoutColon(t *testing.T) {
	text := "-------- Forwarded Message --------\nFrom\tMaría Ortega <maria.ortega@cliente.example>\n" +
		"Date  Thu, 19 Jun 2025 14:05:09 +0200\nSubject Quote 4711\nTo Ann Seller <ann@acme.example>\nCc bob@customer.example\n\nHello\n"
	o, ok := Unwrap(Input{Subject: "Quote 4711", Text: text}, Options{})
	if !ok {
		t.Fatal("not unwrapped")
	}
	if o.From.Email != "maria.ortega@cliente.example" || o.Subject != "Quote 4711" || len(o.To) != 1 || len(o.Cc) != 1 ||
		!o.Date.Equal(time.Date(2025, 6, 19, 12, 5, 9, 0, time.UTC)) || o.Body != "Hello" {
		t.Errorf("got %+v", o)
	}
	// Prose that starts with a label word is no header.
	prose := "-------- Forwarded Message --------\nFrom: María Ortega <maria.ortega@cliente.example>\nSubject: Quote\nTo be honest, the price is fine.\n"
	o, ok = Unwrap(Input{Subject: "Quote", Text: prose}, Options{})
	if !ok || len(o.To) != 0 || !strings.HasPrefix(o.Body, "To be honest") {
		t.Errorf("prose taken for a To line: %+v", o)
	}
}

// TestUnknownFromLabel: Gmail writes the From label in the user's language
// and the others in English; a language no table holds still unwraps,
// because after an explicit separator an unknown first label with an
// address is the sender.
func TestUnknownFromLabel(t *testing.T) {
	text := "---------- Forwarded message ---------\nMingi Silt: María Ortega <maria.ortega@cliente.example>\n" +
		"Date: Thu, Jun 19, 2025 at 2:05 PM\nSubject: Quote\nTo: Ann Seller <ann@acme.example>\n\nHello\n"
	o, ok := Unwrap(Input{Subject: "Quote", Text: text}, Options{})
	if !ok || o.From.Email != "maria.ortega@cliente.example" || o.From.Name != "María Ortega" {
		t.Fatalf("got %+v, %v", o, ok)
	}
	// Without a separator the same block is not trusted.
	if o, ok := Unwrap(Input{Subject: "Fwd: Quote", Text: strings.SplitN(text, "\n", 2)[1]}, Options{}); ok {
		t.Errorf("block without separator and with an unknown label unwrapped: %+v", o)
	}
}

// TestDateZoneFromForward: a date written without a zone is read in the
// forwarding message's zone, and the original says so.
func TestDateZoneFromForward(t *testing.T) {
	text := "---------- Forwarded message ---------\nFrom: María Ortega <maria.ortega@cliente.example>\n" +
		"Date: Thu, Jun 19, 2025 at 2:05 PM\nSubject: Quote\n\nHello\n"
	ny := time.FixedZone("", -4*3600)
	o, ok := Unwrap(Input{Subject: "Quote", Text: text}, Options{Zone: ny})
	if !ok || !o.Date.Equal(time.Date(2025, 6, 19, 18, 5, 0, 0, time.UTC)) || !o.DateNoZone {
		t.Fatalf("got %v (no zone %v), %v", o.Date, o.DateNoZone, ok)
	}
	text = strings.Replace(text, "2:05 PM", "2:05 PM GMT+2", 1)
	o, _ = Unwrap(Input{Subject: "Quote", Text: text}, Options{Zone: ny})
	if !o.Date.Equal(time.Date(2025, 6, 19, 12, 5, 0, 0, time.UTC)) || o.DateNoZone {
		t.Errorf("with a zone: %v (no zone %v)", o.Date, o.DateNoZone)
	}
}

// TestNote: the forwarder's text above the block, or around an attached
// original, is kept; a nested forward keeps the outermost note only.
func TestNote(t *testing.T) {
	inline := "Can you call her?\nThanks, Ann\n\n---------- Forwarded message ---------\nFrom: María <maria@cliente.example>\nSubject: Quote\n\nHello\n"
	o, _ := Unwrap(Input{Subject: "Fwd: Quote", Text: inline}, Options{})
	if o == nil || o.Note != "Can you call her?\nThanks, Ann" {
		t.Errorf("inline note: %+v", o)
	}
	customer := crlf(customerMail)
	o, _ = Unwrap(Input{Subject: "Fwd: Re: Quote 4711", Text: "Please file this.\n", Attached: [][]byte{customer}}, Options{})
	if o == nil || o.Note != "Please file this." {
		t.Errorf("attached note: %+v", o)
	}
	nested := "Boss, see below.\n\n---------- Forwarded message ---------\nFrom: Colin <colin@acme.example>\nSubject: Fwd: Quote\n\nColin's note\n\n" +
		"---------- Forwarded message ---------\nFrom: María <maria@cliente.example>\nSubject: Quote\n\nHello\n"
	o, _ = Unwrap(Input{Subject: "Fwd: Fwd: Quote", Text: nested}, Options{})
	if o == nil || o.From.Email != "maria@cliente.example" || o.Note != "Boss, see below." {
		t.Errorf("nested note: %+v", o)
	}
	if o, _ := Unwrap(Input{Subject: "Fwd: Quote", Text: strings.SplitN(inline, "\n\n", 2)[1]}, Options{}); o == nil || o.Note != "" {
		t.Errorf("no note: %+v", o)
	}
}

// TestIntroWithoutSubjectPrefix: Apple Mail's localised "Begin forwarded
// message:" unwraps though the subject has no forward prefix (Apple Mail
// lets users remove it, and some languages' prefixes are unknown).
func TestIntroWithoutSubjectPrefix(t *testing.T) {
	for _, intro := range []string{"Begin forwarded message:", "Anfang der weitergeleiteten Nachricht:",
		"Début du message réexpédié :", "Başlangıç: İleti başlangıcı:", "İleti başlangıcı:", "Начало переадресованного сообщения:",
		"転送されたメッセージ:", "以下是转发的邮件：", "전달된 메시지:"} {
		text := "> " + intro + "\n>\n> From: María Ortega <maria.ortega@cliente.example>\n> Subject: Quote\n> Date: 19 June 2025 at 14:05:09 GMT+2\n>\n> Hello\n"
		o, ok := Unwrap(Input{Subject: "Quote", Text: text}, Options{})
		if intro == "Başlangıç: İleti başlangıcı:" {
			continue // a label-like line: whatever it gives, it must not panic
		}
		if !ok || o.From.Email != "maria.ortega@cliente.example" {
			t.Errorf("%q: got %+v, %v", intro, o, ok)
		}
	}
}

// TestLabelTable: every label means one field in every language.
func TestLabelTable(t *testing.T) {
	if len(labelConflicts) > 0 {
		t.Errorf("labels with two meanings: %q", labelConflicts)
	}
	for _, c := range clientStrings {
		for _, w := range []string{c.from, c.to, c.cc, c.date, c.subject} {
			if w != "" {
				if _, ok := labels[fold(w)]; !ok {
					t.Errorf("%s/%s: label %q not in the table", c.client, c.lang, w)
				}
			}
		}
	}
}
