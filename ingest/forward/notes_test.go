package forward

import (
	"testing"
	"time"
)

// TestLotusNotes: the layouts of a Lotus Notes forward other than the
// fixture's (testdata/forwards/lotus_notes): the sender line with
// seconds and a bare address, the rule wrapped in two lines as archives
// keep it, "From: NAME on DATE", a colleague's memo that has only his
// Notes name (no sender: none is invented), and a Notes name with an "@"
// among the recipients (a name, no internet address).
func TestLotusNotes(t *testing.T) {
	rule := "---------------------- Forwarded by Ann Seller/Sales/Acme on 06/19/2025 03:10 PM ---------------------------\n\n\n"
	tests := []struct {
		name, text string
		from       Address // zero: not unwrapped
		date       time.Time
		to         []Address
		subject    string
	}{
		{"seconds and a bare address",
			rule + "maria.ortega@cliente.example on 06/19/2025 02:05:09 PM\nTo: ann@acme.example\ncc: \nSubject: Quote\n\n\nHello Ann\n",
			Address{"", "maria.ortega@cliente.example"}, time.Date(2025, 6, 19, 14, 5, 9, 0, time.UTC),
			[]Address{{"", "ann@acme.example"}}, "Quote"},
		{"rule wrapped",
			"---------------------- Forwarded by Ann Seller/Sales/Acme on 06/19/2025\n03:10 PM ---------------------------\n\n\n\"Maria Ortega\" <maria.ortega@cliente.example> on 06/19/2025 02:05 PM\nPlease respond to <maria.ortega@cliente.example>\nSent by: Maria's Assistant <assist@cliente.example>\nTo: <ann@acme.example>\ncc: \nSubject: Quote\n\nHello Ann\n",
			Address{"Maria Ortega", "maria.ortega@cliente.example"}, time.Date(2025, 6, 19, 14, 5, 0, 0, time.UTC),
			[]Address{{"", "ann@acme.example"}}, "Quote"},
		{"From label with the date",
			rule + "From: \"Maria Ortega\" <maria.ortega@cliente.example> on 06/19/2025 02:05 PM\nTo: Ann Seller/Sales/Acme@Acme\ncc: \nSubject: Quote\n\nHello Ann\n",
			Address{"Maria Ortega", "maria.ortega@cliente.example"}, time.Date(2025, 6, 19, 14, 5, 0, 0, time.UTC),
			[]Address{{"Ann Seller/Sales/Acme@Acme", ""}}, "Quote"},
		{"colleague by Notes name",
			rule + "From: Carl Colleague/Sales/Acme@Acme on 06/19/2025 02:05 PM\nTo: Ann Seller/Sales/Acme@Acme\ncc: \nSubject: Quote\n\nHello Ann\n",
			Address{}, time.Time{}, nil, ""},
		{"colleague's name line",
			rule + "Carl Colleague on 06/19/2025 02:05 PM\nTo: Ann Seller/Sales/Acme@Acme\ncc: \nSubject: Quote\n\nHello Ann\n",
			Address{}, time.Time{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := Unwrap(Input{Subject: "Fwd: Quote", Text: tt.text}, Options{})
			if tt.from == (Address{}) {
				if ok {
					t.Fatalf("unwrapped with From %+v, want not unwrapped", o.From)
				}
				return
			}
			if !ok {
				t.Fatal("not unwrapped")
			}
			if o.From != tt.from || o.Subject != tt.subject || o.Via != "inline:lotus_notes" {
				t.Errorf("From %+v subject %q via %s, want %+v %q inline:lotus_notes", o.From, o.Subject, o.Via, tt.from, tt.subject)
			}
			if !o.Date.Equal(tt.date) {
				t.Errorf("Date %v (text %q), want %v", o.Date, o.DateText, tt.date)
			}
			if !sameAddresses(o.To, tt.to, false) {
				t.Errorf("To %+v, want %+v", o.To, tt.to)
			}
			if o.Body != "Hello Ann" {
				t.Errorf("Body %q", o.Body)
			}
		})
	}
}
