package forward

import "testing"

// TestMuttIntro: mutt (and NeoMutt) name the original's sender in their
// intro line, "----- Forwarded message from NAME <ADDRESS> -----", and
// copy the original's header under it only when told to: without a
// header the intro is the sender. A name without an address gives none.
func TestMuttIntro(t *testing.T) {
	text := "Can you call her back today?\n\n----- Forwarded message from María Ortega <maria.ortega@cliente.example> -----\n\nHello Ann,\n\nwe accept the quote.\n\n----- End forwarded message -----\n"
	o, ok := Unwrap(Input{Subject: "Fwd: Quote 4711", Text: text}, Options{})
	if !ok {
		t.Fatal("not unwrapped")
	}
	if o.From != (Address{"María Ortega", "maria.ortega@cliente.example"}) || o.Subject != "Quote 4711" || o.Via != "inline:mutt" {
		t.Errorf("From %+v subject %q via %s", o.From, o.Subject, o.Via)
	}
	if o.Note != "Can you call her back today?" {
		t.Errorf("Note %q", o.Note)
	}
	if o.Body != "Hello Ann,\n\nwe accept the quote." {
		t.Errorf("Body %q", o.Body)
	}
	// With the header copied under the intro, the header decides.
	withHeader := "----- Forwarded message from Maria <maria.ortega@cliente.example> -----\n\nDate: Thu, 19 Jun 2025 14:05:09 +0200\nFrom: Maria Ortega <maria@other.example>\nTo: ann@acme.example\nSubject: Quote\n\nHello\n"
	if o, ok := Unwrap(Input{Subject: "Fwd: Quote", Text: withHeader}, Options{}); !ok || o.From.Email != "maria@other.example" || o.Date.IsZero() {
		t.Errorf("with a header: %v %+v", ok, o)
	}
	// A name alone: no sender.
	nameOnly := "----- Forwarded message from Maria Ortega -----\n\nHello Ann\n\n----- End forwarded message -----\n"
	if o, ok := Unwrap(Input{Subject: "Fwd: Quote", Text: nameOnly}, Options{}); ok {
		t.Errorf("name only: unwrapped with From %+v", o.From)
	}
}
