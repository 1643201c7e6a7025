//go:build linux

package main

// The attacks of issue 11 end to end: sent over SMTP through the real
// Postfix from a client address that is not one of Postfix's own
// (127.0.0.2, while Postfix listens on 127.0.0.1 only), so that Postfix
// treats the client as remote (local_header_rewrite_clients) and rewrites
// no header, delivered through the pipe (TestPostfixEndToEnd) and through
// LMTP (TestPostfixLMTPEndToEnd), with the one case table below.

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pfAttackerIP is where the attacker's mail comes from: a loopback
// address that is not Postfix's (Linux routes all of 127.0.0.0/8 to lo).
// attacker.example's SPF allows it (newPfWorld, pfAttackerZone), so SPF
// passes aligned for the attacker's own domain.
const pfAttackerIP = "127.0.0.2"

// pfAttackerZone is attacker.example in the test DNS.
const pfAttackerZone = `$ORIGIN attacker.example.
@               300 IN TXT "v=spf1 ip4:127.0.0.2 -all"
`

// sendRemote submits file over SMTP from a connection bound to
// pfAttackerIP (no XCLIENT: the client is what Postfix sees) and returns
// the queue id.
func (p *pfInstance) sendRemote(envFrom, rcpt, file string) string {
	p.t.Helper()
	out, stderr, err := pfExec(context.Background(), 30*time.Second, nil, "", pfLookPath(p.t, "swaks"),
		"--server", p.addr(), "--local-interface", pfAttackerIP, "--helo", "mx.attacker.example",
		"--from", envFrom, "--to", rcpt, "--data", "@"+file, "--timeout", "20")
	m := pfQueuedRe.FindStringSubmatch(out)
	if err != nil || m == nil {
		p.t.Fatalf("swaks from %s to %s: %v\n%s%s", pfAttackerIP, rcpt, err, out, stderr)
	}
	return m[1]
}

// smuggle talks SMTP to Postfix from pfAttackerIP, one command at a time,
// and sends as the data of one transaction the message first, then a bare
// <LF>.<LF>, then the commands and data of a second transaction from
// ann@acme.example (SMTP smuggling). It returns the queue ids Postfix
// gave and everything it replied.
//
// Why it matters: a relay that passes a bare <LF>.<LF> through unchanged
// (a shared outbound service that acme.example's SPF record allows, as
// big providers' are) carries the attacker's one message, and a server
// that ends the data there takes the rest as a second message, from the
// relay's address, with the envelope and From of the attacker's choice:
// SPF passes aligned for acme.example and smartbcc would file it as Ann's.
// Here the attacker connects directly, which stands for that relay.
func (p *pfInstance) smuggle(rcpt, first, second string) (qids []string, replies string) {
	p.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(pfAttackerIP)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", p.addr())
	if err != nil {
		p.t.Fatalf("smuggle: dial from %s: %v", pfAttackerIP, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	var all strings.Builder
	// reply reads one (multi-line) reply; "" when the server has closed.
	reply := func() string {
		var text strings.Builder
		for {
			line, err := r.ReadString('\n')
			text.WriteString(line)
			if err != nil || len(line) < 4 || line[3] != '-' {
				break
			}
		}
		all.WriteString(text.String())
		return text.String()
	}
	say := func(cmd string) string {
		if _, err := c.Write([]byte(cmd)); err != nil {
			return ""
		}
		return reply()
	}
	reply() // greeting
	say("EHLO mx.attacker.example\r\n")
	say("MAIL FROM:<evil@attacker.example>\r\n")
	say("RCPT TO:<" + rcpt + ">\r\n")
	if got := say("DATA\r\n"); !strings.HasPrefix(got, "354") {
		p.t.Fatalf("smuggle: DATA answered %q\n%s", got, all.String())
	}
	smuggled := first + "\n.\nMAIL FROM:<ann@acme.example>\r\nRCPT TO:<" + rcpt + ">\r\nDATA\r\n" + second + "\r\n.\r\n"
	if _, err := c.Write([]byte(smuggled)); err != nil {
		p.t.Fatalf("smuggle: write: %v", err)
	}
	// Up to four replies may follow (the first message's, MAIL, RCPT,
	// DATA, the second message's): read until the server has said all
	// it will, then QUIT.
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i := 0; i < 5; i++ {
		if reply() == "" {
			break
		}
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	say("QUIT\r\n")
	for _, m := range pfQueuedRe.FindAllStringSubmatch(all.String(), -1) {
		qids = append(qids, m[1])
	}
	return qids, all.String()
}

// runPfSmuggling sends one smuggling attempt (see smuggle) and checks that
// Postfix, configured as postfix-config says, took one message only: the
// attacker's own, whose text holds the would-be second message, refused by
// smartbcc as an unknown sender; the smuggled Message-ID is nowhere in the
// store, neither filed nor refused.
func runPfSmuggling(t *testing.T, pf *pfInstance, st *pfStoreCLI, prefix string) {
	t.Helper()
	firstID, smuggledID := prefix+"-carrier@attacker.example", prefix+"-smuggled@acme.example"
	first := "From: evil@attacker.example\r\nTo: Bob Buyer <bob@customer.example>\r\nSubject: Hello\r\n" +
		"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + firstID + ">\r\n\r\nHello.\r\n"
	second := pfAnnMessage(smuggledID, "Change of bank account", "Bob Buyer <bob@customer.example>", "Please pay to our new account.\n")
	qids, replies := pf.smuggle(pfUniversal, first, second)
	if len(qids) != 1 {
		t.Fatalf("smuggling: Postfix queued %d messages (%v), want 1: the attacker's own, with the rest as its text\n%s", len(qids), qids, replies)
	}
	if line := pf.logLine(qids[0], "status=", 40*time.Second); !strings.Contains(line, "status=sent") {
		t.Errorf("smuggling: Postfix did not deliver the carrier: %s", line)
	}
	msgs, rej := st.messages(), st.rejected()
	for id, ms := range msgs {
		if id == smuggledID || id == "<"+smuggledID+">" {
			t.Errorf("smuggling: the smuggled message was filed: %+v", ms)
		}
	}
	var carrier []pfRejection
	for _, r := range rej {
		switch {
		case strings.Contains(r.MessageID, smuggledID):
			t.Errorf("smuggling: Postfix delivered the smuggled message (refused by smartbcc as %s)", r.Reason)
		case r.Envelope.QueueID == qids[0]:
			carrier = append(carrier, r)
		}
	}
	if len(carrier) != 1 || carrier[0].Reason != "unknown_sender" || !strings.Contains(carrier[0].MessageID, firstID) {
		t.Errorf("smuggling: the carrier (queue id %s) was refused as %+v, want one rejection unknown_sender of <%s>", qids[0], carrier, firstID)
	}
}

// sendUTF8 submits msg from pfAttackerIP with MAIL FROM ... SMTPUTF8 (RFC
// 6531, which swaks does not speak) and returns the queue id.
func (p *pfInstance) sendUTF8(envFrom, rcpt, msg string) string {
	p.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(pfAttackerIP)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", p.addr())
	if err != nil {
		p.t.Fatalf("SMTPUTF8: dial from %s: %v", pfAttackerIP, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	var all strings.Builder
	reply := func() string {
		var last string
		for {
			line, err := r.ReadString('\n')
			all.WriteString(line)
			last = line
			if err != nil || len(line) < 4 || line[3] != '-' {
				return last
			}
		}
	}
	say := func(cmd, want string) {
		if _, err := c.Write([]byte(cmd)); err != nil {
			p.t.Fatalf("SMTPUTF8: write: %v", err)
		}
		if got := reply(); !strings.HasPrefix(got, want) {
			p.t.Fatalf("SMTPUTF8: %q answered %q, want %s\n%s", strings.TrimSpace(cmd), got, want, all.String())
		}
	}
	reply() // greeting
	say("EHLO mx.attacker.example\r\n", "250")
	if !strings.Contains(all.String(), "SMTPUTF8") {
		p.t.Fatalf("SMTPUTF8: Postfix does not announce it (smtputf8_enable):\n%s", all.String())
	}
	say("MAIL FROM:<"+envFrom+"> SMTPUTF8 BODY=8BITMIME\r\n", "250")
	say("RCPT TO:<"+rcpt+">\r\n", "250")
	say("DATA\r\n", "354")
	say(msg+".\r\n", "250")
	say("QUIT\r\n", "221")
	m := pfQueuedRe.FindStringSubmatch(all.String())
	if m == nil {
		p.t.Fatalf("SMTPUTF8: no queue id in\n%s", all.String())
	}
	return m[1]
}

// runPfSMTPUTF8 sends messages with UTF-8 in the header and in the
// envelope sender, received with SMTPUTF8 as a modern MTA sends them:
// Postfix delivers them (status=sent, never bounced: Postfix bounces such a
// message when the next hop does not announce SMTPUTF8), and smartbcc
// records each, here refused as an unknown sender, through the pipe and
// LMTP alike.
func runPfSMTPUTF8(t *testing.T, pf *pfInstance, st *pfStoreCLI, prefix string) {
	t.Helper()
	cases := []struct{ name, envFrom, id, from string }{
		{"UTF-8 header", "evil@attacker.example", prefix + "-utf8header@attacker.example", "Jörg Ärger <evil@attacker.example>"},
		{"UTF-8 sender", "jörg@attacker.example", prefix + "-utf8sender@attacker.example", "Jörg <jörg@attacker.example>"},
	}
	qids := make([]string, len(cases))
	for i, c := range cases {
		msg := "From: " + c.from + "\r\nTo: Bob Buyer <bob@customer.example>\r\nSubject: Grüße aus Köln\r\n" +
			"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + c.id + ">\r\n\r\nSchöne Grüße\r\n"
		qids[i] = pf.sendUTF8(c.envFrom, pfUniversal, msg)
	}
	for i, c := range cases {
		if line := pf.logLine(qids[i], "status=", 40*time.Second); !strings.Contains(line, "status=sent") {
			t.Errorf("%s: Postfix did not deliver it: %s", c.name, line)
		}
	}
	rej := st.rejected()
	for i, c := range cases {
		var got []pfRejection
		for _, r := range rej {
			if r.Envelope.QueueID == qids[i] {
				got = append(got, r)
			}
		}
		if len(got) != 1 || got[0].Reason != "unknown_sender" || !strings.Contains(got[0].MessageID, c.id) {
			t.Errorf("%s (queue id %s): recorded %+v, want one rejection unknown_sender of <%s>", c.name, qids[i], got, c.id)
		}
	}
}

// pfAttack is one delivery from a remote client and what must come of it.
type pfAttack struct {
	name    string
	envFrom string
	raw     string
	stored  string // the Message-ID it is filed under as Ann's, or
	reason  string // the reason it is refused with
}

// pfAttacks is the case table: the From differential of issue 11.1 and
// the prepended-header DKIM replay of 11.2, and, so that the table can
// fail, the genuine signed message itself sent from the same address
// (filed as Ann's: DKIM passes aligned).
func pfAttacks(t *testing.T, w *pfWorld, prefix string) []pfAttack {
	t.Helper()
	outsider := func(id, from string) string {
		return "From: " + from + "\r\nTo: Bob Buyer <bob@customer.example>\r\nSubject: Invoice\r\n" +
			"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + id + ">\r\n\r\nPay now.\r\n"
	}
	genuineID := prefix + "-genuine@acme.example"
	genuine := w.sign(t, pfAnnMessage(genuineID, "Proposal", "Bob Buyer <bob@customer.example>", "Here is our proposal.\n"))
	// HTML generators write lines far over RFC 5321's 1,000 octets, and
	// the signature covers them as they are: a transport that changes
	// them fails DKIM.
	longID := prefix + "-longline@acme.example"
	long := w.sign(t, pfAnnMessage(longID, "Newsletter", "Bob Buyer <bob@customer.example>",
		strings.Repeat("<td>widgets</td>", 70<<10/16)+"\n"))
	attacks := []pfAttack{
		{name: "genuine signed mail from the remote address", envFrom: "ann@acme.example", raw: genuine, stored: genuineID},
		{name: "genuine signed mail with a 70 KB line", envFrom: "ann@acme.example", raw: long, stored: longID},
	}
	// 11.1: SPF passes for attacker.example; a lenient reader found
	// ann@acme.example in these From fields.
	for i, from := range []string{
		`=?x-unknown?q?Ann?= "Seller, <ann@acme.example>, " <"evil"@attacker.example>`,
		`"ann@acme.example" <evil@attacker.example>`,
		`evil@attacker.example (ann@acme.example)`,
		`=?utf-8?q?ann=40acme.example?= <evil@attacker.example>`,
	} {
		attacks = append(attacks, pfAttack{name: "From " + from, envFrom: "evil@attacker.example",
			raw: outsider(prefix+"-diff"+string(rune('a'+i))+"@attacker.example", from), reason: "unknown_sender"})
	}
	for i, from := range []string{
		`ann@acme.example <evil@attacker.example>`,
		`Ann <ann@acme.example>, evil@attacker.example`,
		`"Ann <ann@acme.example>`,
	} {
		attacks = append(attacks, pfAttack{name: "From " + from, envFrom: "evil@attacker.example",
			raw: outsider(prefix+"-malformed"+string(rune('a'+i))+"@attacker.example", from), reason: "malformed_from"})
	}
	// 11.2: new fields on top of Ann's genuine signed message.
	for _, top := range []string{
		"Subject: Change of bank account",
		"Message-ID: <" + prefix + "-replay@attacker.example>",
		"Date: Tue, 03 Nov 2026 09:00:00 +0000",
		"To: victim@customer.example",
		"From: Ann Seller <ann@acme.example>",
		"Subject : obsolete spacing",
	} {
		attacks = append(attacks, pfAttack{name: "replay with " + top, envFrom: "evil@attacker.example",
			raw: top + "\r\n" + genuine, reason: "repeated_field"})
	}
	// A deciding field the genuine message did not have, put on top, is
	// not repeated, and its signature does not cover it: DKIM fails.
	for _, top := range []string{
		"References: <other@customer.example>",
		"In-Reply-To: <other@customer.example>",
		"Cc: victim@customer.example",
	} {
		attacks = append(attacks, pfAttack{name: "replay with " + top + " added", envFrom: "evil@attacker.example",
			raw: top + "\r\n" + genuine, reason: "auth_failed"})
	}
	return attacks
}

// runPfAttacks sends every attack from pfAttackerIP and checks, per case,
// that Postfix delivered it (status=sent: refused mail is recorded, never
// bounced), that its log line says nothing of why, and what the store
// made of it.
func runPfAttacks(t *testing.T, pf *pfInstance, st *pfStoreCLI, w *pfWorld, dir, prefix string) {
	t.Helper()
	attacks := pfAttacks(t, w, prefix)
	qids := make([]string, len(attacks))
	for i, a := range attacks {
		file := filepath.Join(dir, prefix+"-attack-"+string(rune('a'+i))+".eml")
		if err := os.WriteFile(file, []byte(a.raw), 0o644); err != nil {
			t.Fatal(err)
		}
		qids[i] = pf.sendRemote(a.envFrom, pfUniversal, file)
	}
	for i, a := range attacks {
		line := pf.logLine(qids[i], "status=", 40*time.Second)
		if !strings.Contains(line, "status=sent") {
			t.Errorf("%s: Postfix did not deliver it: %s", a.name, line)
		}
		_, said, _ := strings.Cut(line, "status=")
		for _, word := range []string{"unknown_sender", "malformed_from", "repeated_field", "auth_failed", "refused", "rejected"} {
			if strings.Contains(said, word) {
				t.Errorf("%s: Postfix's log tells why: %s", a.name, line)
			}
		}
	}
	// Every delivery has ended: read the store.
	msgs, rej := st.messages(), st.rejected()
	for i, a := range attacks {
		var filed []pfDetail
		for _, ms := range msgs {
			for _, m := range ms {
				if m.Envelope.QueueID == qids[i] {
					filed = append(filed, m)
				}
			}
		}
		var refused []pfRejection
		for _, r := range rej {
			if r.Envelope.QueueID == qids[i] {
				refused = append(refused, r)
			}
		}
		if a.stored != "" {
			if len(filed) != 1 || filed[0].MessageID != a.stored || filed[0].Owner.Email != "ann@acme.example" ||
				filed[0].Envelope.ClientIP != pfAttackerIP || filed[0].Auth.DKIM != "pass" || !filed[0].Auth.Aligned {
				t.Errorf("%s (queue id %s): filed %+v, refused %+v; want it filed once as Ann's %s, DKIM pass aligned, from client %s",
					a.name, qids[i], filed, refused, a.stored, pfAttackerIP)
			}
			continue
		}
		if len(filed) != 0 {
			t.Errorf("%s (queue id %s): filed as %s's message %d", a.name, qids[i], filed[0].Owner.Email, filed[0].ID)
		}
		if len(refused) != 1 || refused[0].Reason != a.reason || !strings.HasPrefix(refused[0].Code, "5.") {
			t.Errorf("%s (queue id %s): refused as %+v, want one rejection %s", a.name, qids[i], refused, a.reason)
		}
	}
	t.Logf("%s: %d attacks from %s checked", prefix, len(attacks), pfAttackerIP)
}
