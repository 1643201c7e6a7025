package ingest_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestReplyUnderForwardSubjectIsTheUsers: Ann answers a customer's mail
// whose subject was "Fwd: Quote" (the customer had forwarded something to
// her); her reply keeps that subject and quotes María under "On ...,
// María wrote:", with In-Reply-To naming María's mail. It is Ann's reply,
// filed as hers: read as a forward of María's mail it was filed as
// María's, dated hers, with Ann's answer as a note. The same mail without
// In-Reply-To is a forward, as before (forward.TestReplyUnderForwardSubject
// has the cases from a real list archive).
func TestReplyUnderForwardSubjectIsTheUsers(t *testing.T) {
	for _, tt := range []struct {
		name, inReplyTo, wantFrom, wantBy string
	}{
		{"In-Reply-To", "In-Reply-To: <m1@cliente.example>\r\n", userAddr, ""},
		{"none", "", "maria@cliente.example", userAddr},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, "NORMAL")
			raw := "From: Ann Seller <ann@acme.example>\r\nTo: Maria Ortega <maria@cliente.example>\r\nSubject: Fwd: Quote\r\n" +
				"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <a1@acme.example>\r\n" + tt.inReplyTo + "\r\n" +
				"Yes, 38 is our best price.\r\n\r\nOn Mon, 2 Nov 2026 at 08:00, Maria Ortega <maria@cliente.example> wrote:\r\n" +
				"> Can you do 40 per piece?\r\n"
			r, m := h.pipeStored(t, raw)
			if m.FromEmail != tt.wantFrom || m.ForwardedBy != tt.wantBy {
				t.Errorf("from %q forwarded by %q, want %q and %q\n%v", m.FromEmail, m.ForwardedBy, tt.wantFrom, tt.wantBy, r.Explain)
			}
			// --explain says why a "Fwd:" mail was filed as hers.
			if says := strings.Contains(fmt.Sprint(r.Explain), "answers another message (In-Reply-To)"); says != (tt.wantBy == "") {
				t.Errorf("explain names In-Reply-To: %v, want %v\n%v", says, tt.wantBy == "", r.Explain)
			}
		})
	}
}
