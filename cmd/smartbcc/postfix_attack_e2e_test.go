//go:build linux

package main

// The attacks of issue 11 end to end: sent over SMTP through the real
// Postfix from a client address that is not one of Postfix's own
// (127.0.0.2, while Postfix listens on 127.0.0.1 only), so that Postfix
// treats the client as remote (local_header_rewrite_clients) and rewrites
// no header, delivered through the pipe (TestPostfixEndToEnd) and through
// LMTP (TestPostfixLMTPEndToEnd), with the one case table below.

import (
	"context"
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
	attacks := []pfAttack{
		{name: "genuine signed mail from the remote address", envFrom: "ann@acme.example", raw: genuine, stored: genuineID},
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
