package lmtp

import "testing"

func TestTopReceived(t *testing.T) {
	cases := []struct {
		name, header string
		want         received
	}{
		{"postfix smtpd",
			"Received: from mail.acme.example (mail.acme.example [192.0.2.10])\r\n\tby mx.acme.example (Postfix) with ESMTP id 4ZxK2m0Qz3\r\n\tfor <acme@bcc.acme.example>; Mon,  2 Nov 2026 09:00:01 +0000 (UTC)\r\n",
			received{IP: "192.0.2.10", Helo: "mail.acme.example", QueueID: "4ZxK2m0Qz3"}},
		{"unknown name, port logging",
			"Received: from helo.example (unknown [198.51.100.7]:52044)\r\n\tby mx (Postfix) with ESMTP id ABC123; Mon, 2 Nov 2026 09:00:01 +0000\r\n",
			received{IP: "198.51.100.7", Helo: "helo.example", QueueID: "ABC123"}},
		{"ipv6",
			"Received: from h (h.example [IPv6:2001:db8::25])\r\n\tby mx (Postfix) with ESMTPS id Q1; date\r\n",
			received{IP: "2001:db8::25", Helo: "h", QueueID: "Q1"}},
		// The HELO is the client's text: it cannot move the address.
		{"hostile helo",
			"Received: from x (y [203.0.113.9]) by z (a [10.1.1.1])\r\n\tby mx (Postfix) with ESMTP id Q2; date\r\n",
			received{IP: "10.1.1.1", Helo: "x (y [203.0.113.9]) by z", QueueID: "Q2"}},
		// Picked up locally: no client address, as with the pipe.
		{"local submission",
			"Received: by mx.acme.example (Postfix, from userid 1000)\r\n\tid 4Zabc; Mon, 2 Nov 2026 09:00:01 +0000 (UTC)\r\n",
			received{QueueID: "4Zabc"}},
		{"none", "Subject: x\r\n", received{}},
		{"not an address", "Received: from a (b [not.an.ip])\r\n\tby mx (Postfix) with ESMTP id Q3; d\r\n", received{QueueID: "Q3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := []byte(c.header + "Received: from forged (forged [192.0.2.99])\r\n\tby elsewhere; d\r\nFrom: a@b.example\r\n\r\nbody\r\n")
			if c.name == "none" {
				raw = []byte(c.header + "\r\nReceived: from body (body [192.0.2.98])\r\n")
			}
			if got := topReceived(raw); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// A forged Received: below ours, or one in the body, is never read.
func TestTopReceivedIgnoresLowerFields(t *testing.T) {
	raw := []byte("X-Milter: added above\r\nReceived: by mx (Postfix, from userid 0)\r\n\tid Q9; d\r\n" +
		"Received: from spoof (spoof [192.0.2.10])\r\n\tby mx (Postfix) with ESMTP id SPOOF; d\r\n\r\n")
	if got := topReceived(raw); got.IP != "" || got.QueueID != "Q9" {
		t.Errorf("read a lower Received: %+v", got)
	}
}
