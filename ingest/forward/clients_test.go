package forward

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The forwards in testdata/forwards/<client>/<lang>.txt are our own: the
// same customer mail forwarded by each client in each language, written
// in the client's format with the client's own strings (clientstrings.go)
// and dates formatted with the CLDR patterns of the language, as the
// client does. docs/forwards.md lists them. Every case must give the same
// original.
var (
	fxFrom    = Address{"María Ortega", "maria.ortega@cliente.example"}
	fxSubject = "Angebot 4711: 40 Stück / Quote"
	fxTo      = []Address{{"Ann Seller", "ann@acme.example"}}
	fxCc      = []Address{{"Bob Buyer", "bob@customer.example"}, {"", "carol@customer.example"}}
	fxBody    = "Hello Ann,\n\nwe accept the quote for 40 units.\n\nMaría"
	fxNote    = "Can you call her back today?"
	// The original was written on Thursday 19 June 2025 at 14:05:09 in
	// +02:00, the forwarding message's zone too.
	fxZone = time.FixedZone("", 2*3600)
)

// How a client writes the original's date.
const (
	dateZone   = "zone"    // with seconds and a zone
	dateNoZone = "no zone" // to the minute, no zone: read in the forward's zone
	dateNone   = "none"    // not at all
)

// clientFixtures lists every case: client, the subject the forward
// carries, how the client writes dates, and the languages.
var clientFixtures = []struct {
	client, subject, date string
	langs                 []string
}{
	{"thunderbird", fxSubject, dateZone, strings.Fields("ar bg ca cs da de el en es et fi fr ga he hr hu id it ja ko lt lv ms nb nl pl pt-BR pt-PT ro ru sk sl sr sv th tr uk vi zh-Hans zh-Hant")},
	{"thunderbird_android", fxSubject, dateZone, strings.Fields("ar bg ca cs da de el en es et fa fi fr ga he hi hr hu id it ja ko lt lv nb nl pl pt-BR pt-PT ro ru sk sl sr sv tr uk vi zh-Hans zh-Hant")},
	{"android_email", fxSubject, dateNone, strings.Fields("ar bg bn ca cs da de el en es et fa fi fil fr he hi hr hu id it ja ko lt lv ms nb nl pl pt-BR pt-PT ro ru sk sl sr sv th tr uk ur vi zh-Hans zh-Hant")},
	{"android_unified", fxSubject, dateNoZone, strings.Fields("ar bg bn ca cs da de el en es et fa fi fil fr he hi hr hu id it ja ko lt lv ms nb nl pl pt-BR pt-PT ro ru sk sl sr sv th tr uk ur vi zh-Hans zh-Hant")},
	{"gmail", fxSubject, dateNoZone, strings.Fields("ar bg bn ca cs da de el en es et fa fi fil fr he hi hr hu id it ja ko lt lv ms nb nl pl pt-BR pt-PT ro ru sk sl sr sv th tr uk ur vi zh-Hans zh-Hant")},
	// Apple Mail's "Begin forwarded message:" unwraps even without a
	// forward prefix in the subject.
	{"apple_mail", fxSubject, dateZone, strings.Fields("cs da de en es fi fr hr hu it nb nl pl pt-BR pt-PT ro ru sk sv tr uk")},
	// Outlook writes no separator: its bare header block needs the
	// forward prefix of the subject.
	{"outlook", "FW: " + fxSubject, dateNoZone, strings.Fields("cs da de en es fi fr hu it nb nl pl pt-BR pt-PT ru sk sv tr")},
	{"outlook_web", "FW: " + fxSubject, dateNoZone, []string{"en"}},
	{"outlook_classic", "FW: " + fxSubject, dateNoZone, []string{"en"}},
	{"yahoo", fxSubject, dateZone, strings.Fields("cs da de en es fi fr hu it nb nl pl pt-BR pt-PT ro ru sk sv tr uk")},
	{"protonmail", fxSubject, dateNoZone, []string{"en"}},
	// Zoho closes its block with the separator again.
	{"zoho", fxSubject, dateZone, []string{"en"}},
	// Lotus Notes writes the sender and date on a line of their own
	// under its "Forwarded by" rule.
	{"lotus_notes", fxSubject, dateNoZone, []string{"en"}},
}

func TestClientFixtures(t *testing.T) {
	for _, c := range clientFixtures {
		for _, lang := range c.langs {
			t.Run(c.client+"/"+lang, func(t *testing.T) {
				raw, err := os.ReadFile(filepath.Join("testdata", "forwards", c.client, lang+".txt"))
				if err != nil {
					t.Fatal(err)
				}
				o, ok := Unwrap(Input{Subject: c.subject, Text: string(raw)}, Options{Zone: fxZone})
				if !ok {
					t.Fatal("not unwrapped")
				}
				if o.From != fxFrom {
					t.Errorf("From = %+v, want %+v", o.From, fxFrom)
				}
				if o.Subject != fxSubject {
					t.Errorf("Subject = %q, want %q", o.Subject, fxSubject)
				}
				if !sameAddresses(o.To, fxTo, false) {
					t.Errorf("To = %+v, want %+v", o.To, fxTo)
				}
				if !sameAddresses(o.Cc, fxCc, false) {
					t.Errorf("Cc = %+v, want %+v", o.Cc, fxCc)
				}
				if o.Body != fxBody {
					t.Errorf("Body = %q, want %q", o.Body, fxBody)
				}
				if o.Note != fxNote {
					t.Errorf("Note = %q, want %q", o.Note, fxNote)
				}
				var want time.Time
				switch c.date {
				case dateZone:
					want = time.Date(2025, 6, 19, 14, 5, 9, 0, fxZone)
				case dateNoZone:
					want = time.Date(2025, 6, 19, 14, 5, 0, 0, fxZone)
				}
				if !o.Date.Equal(want) || o.DateNoZone != (c.date == dateNoZone) {
					t.Errorf("Date = %v (no zone %v, text %q), want %v (%s)", o.Date, o.DateNoZone, o.DateText, want, c.date)
				}
			})
		}
	}
}

// TestForwardsDoc keeps the table of docs/forwards.md and the cases of
// TestClientFixtures the same: every mark is a case, every case a mark.
func TestForwardsDoc(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "forwards.md"))
	if err != nil {
		t.Fatal(err)
	}
	columns := []string{"thunderbird", "thunderbird_android", "android_email", "android_unified", "gmail", "apple_mail", "outlook", "yahoo"}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != len(columns)+4 || !strings.HasPrefix(strings.TrimSpace(cells[2]), "`") {
			continue
		}
		lang := strings.Trim(strings.TrimSpace(cells[2]), "`")
		for i, c := range columns {
			if strings.TrimSpace(cells[3+i]) == "✓" {
				documented[c+"/"+lang] = true
			}
		}
	}
	for _, c := range clientFixtures {
		for _, lang := range c.langs {
			key := c.client + "/" + lang
			if !containsString(columns, c.client) {
				if !strings.Contains(string(doc), "(`"+c.client+"`)") {
					t.Errorf("docs/forwards.md does not name the English-only case %s", key)
				}
				continue
			}
			if !documented[key] {
				t.Errorf("case %s is not marked in docs/forwards.md", key)
			}
			delete(documented, key)
		}
	}
	for key := range documented {
		t.Errorf("docs/forwards.md marks %s, which no case tests", key)
	}
}
