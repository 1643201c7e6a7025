package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/smartbcc/smartbcc/store"
)

// TestDisposition pins the one table both transports answer from: each
// outcome, with and without --bounce, to the pipe's exit status and the
// LMTP reply.
func TestDisposition(t *testing.T) {
	refused := func(status, reason, class, code string) Result {
		return Result{Status: status, Reason: reason, Refused: class, Code: code,
			Explain: []string{reason + ": ann@acme.example sent to acme+deal-abcdefgh234567@bcc.acme.example"}}
	}
	cases := []struct {
		name   string
		r      Result
		bounce bool
		exit   int
		reply  string // "code enhanced"
	}{
		{"stored", Result{Status: StatusStored, Code: "2.0.0"}, false, 0, "250 2.0.0"},
		{"stored bounce", Result{Status: StatusStored}, true, 0, "250 2.0.0"},
		{"duplicate", Result{Status: StatusDuplicate, Reason: "already_stored"}, true, 0, "250 2.0.0"},
		{"quarantined", refused(StatusQuarantined, "unconfirmed_sender", RefusedNone, "2.0.0"), true, 0, "250 2.0.0"},
		{"confirmed", Result{Status: StatusConfirmed, Reason: "confirmed ann@home.example"}, true, 0, "250 2.0.0"},
		{"not a message", refused(StatusRejected, "not_a_message", RefusedData, "5.6.0"), false, 65, "554 5.6.0"},
		{"not a message bounce", refused(StatusRejected, "not_a_message", RefusedData, "5.6.0"), true, 65, "554 5.6.0"},
		{"unknown recipient", refused(StatusRejected, "unknown_recipient", RefusedRecipient, "5.1.1"), false, 0, "250 2.0.0"},
		{"unknown recipient bounce", refused(StatusRejected, "unknown_recipient", RefusedRecipient, "5.1.1"), true, 67, "550 5.1.1"},
		{"unknown sender", refused(StatusRejected, "unknown_sender", RefusedSender, "5.7.1"), false, 0, "250 2.0.0"},
		{"unknown sender bounce", refused(StatusRejected, "unknown_sender", RefusedSender, "5.7.1"), true, 77, "550 5.7.1"},
		{"auth failed bounce", refused(StatusRejected, "auth_failed", RefusedSender, "5.7.1"), true, 77, "550 5.7.1"},
		{"bad confirmation bounce", refused(StatusRejected, "bad_confirmation", RefusedSender, "5.7.1"), true, 77, "550 5.7.1"},
		{"noise", refused(StatusRejected, "auto_reply", RefusedPolicy, "5.7.0"), true, 0, "250 2.0.0"},
		{"too large", refused(StatusRejected, "too_large", RefusedSize, "5.3.4"), false, 65, "552 5.3.4"},
		{"too large bounce", refused(StatusRejected, "too_large", RefusedSize, "5.3.4"), true, 65, "552 5.3.4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := Dispose(c.r, c.bounce)
			if d.Exit != c.exit {
				t.Errorf("exit %d, want %d", d.Exit, c.exit)
			}
			if got := fmt.Sprintf("%d %s", d.Code, d.Enhanced); got != c.reply {
				t.Errorf("reply %s, want %s", got, c.reply)
			}
			if d.Temporary() {
				t.Errorf("a decided delivery is not temporary")
			}
			checkNothingLeaks(t, d)
		})
	}
}

// TestDispositionSameTextForEverySenderRefusal: an outsider must not
// learn from the LMTP reply whether an address is a user's (unknown_sender
// vs auth_failed vs bad_confirmation).
func TestDispositionSameTextForEverySenderRefusal(t *testing.T) {
	for _, bounce := range []bool{false, true} {
		var texts []string
		for _, reason := range []string{"unknown_sender", "auth_failed", "bad_confirmation"} {
			d := Dispose(Result{Status: StatusRejected, Reason: reason, Refused: RefusedSender, Code: "5.7.1"}, bounce)
			texts = append(texts, fmt.Sprintf("%d %s %s", d.Code, d.Enhanced, d.Text))
		}
		q := Dispose(Result{Status: StatusQuarantined, Reason: "unconfirmed_sender", Code: "2.0.0"}, bounce)
		if !bounce {
			texts = append(texts, fmt.Sprintf("%d %s %s", q.Code, q.Enhanced, q.Text))
		}
		for _, s := range texts[1:] {
			if s != texts[0] {
				t.Errorf("bounce=%v: replies differ: %q", bounce, texts)
			}
		}
	}
}

func TestDispositionFailure(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		code   string
		reason string
	}{
		{"store busy", fmt.Errorf("commit: %w", store.Errorf(store.EBusy, "database /var/lib/smartbcc/x.db is locked")), "4.3.0", "store_busy"},
		{"store unavailable", store.Errorf(store.EUnavailable, "disk full"), "4.3.0", "store_unavailable"},
		{"dns", &TempError{Code: "4.7.0", Err: errors.New("dns temperror from 10.0.0.1:53")}, "4.7.0", "auth_temporary"},
		{"timeout", &TempError{Code: "4.4.7", Err: errors.New("gave up")}, "4.4.7", "timeout"},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), "4.4.7", "timeout"},
		{"bug", errors.New("nil pointer"), "4.3.0", "internal"},
		// LMTP: the client was too slow with its data, or went away.
		{"connection", &TempError{Code: "4.4.2", Err: errors.New("reading the message: i/o timeout")}, "4.4.2", "connection"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := DisposeFailure(c.err)
			if d.Exit != ExitTempFail || d.Code != 451 || d.Enhanced != c.code || d.Reason != c.reason || !d.Temporary() {
				t.Errorf("got %+v, want 75 / 451 %s (%s)", d, c.code, c.reason)
			}
			if !strings.HasPrefix(d.Stderr, c.code+" ") {
				t.Errorf("stderr %q does not start with the code", d.Stderr)
			}
			checkNothingLeaks(t, d)
		})
	}
}

func TestDisposeRecipient(t *testing.T) {
	stored := Result{Status: StatusStored, Code: "2.0.0", UnknownRecipients: []bool{false, true}}
	for _, c := range []struct {
		r      Result
		i      int
		bounce bool
		reply  int
	}{
		{stored, 0, true, 250},
		{stored, 1, true, 550},
		{stored, 1, false, 250},
		// Decided before the recipients are looked at: the same for all.
		{Result{Status: StatusRejected, Refused: RefusedData, UnknownRecipients: []bool{true}}, 0, true, 554},
		{Result{Status: StatusRejected, Refused: RefusedPolicy, UnknownRecipients: []bool{true}}, 0, true, 250},
	} {
		if d := DisposeRecipient(c.r, c.i, c.bounce); d.Code != c.reply {
			t.Errorf("%+v rcpt %d bounce=%v: %d, want %d", c.r, c.i, c.bounce, d.Code, c.reply)
		}
	}
}

// checkNothingLeaks: no token, confirmation code, address or path reaches
// the LMTP client, and no token the pipe's stderr.
func checkNothingLeaks(t *testing.T, d Disposition) {
	t.Helper()
	if strings.Contains(d.Stderr, "abcdefgh234567") {
		t.Errorf("stderr shows a token: %q", d.Stderr)
	}
	for _, bad := range []string{"@", "/", "abcdefgh", "10.0.0.1"} {
		if strings.Contains(d.Text, bad) {
			t.Errorf("LMTP text %q contains %q", d.Text, bad)
		}
	}
	if d.Reason != "" && reasonWord(d.Reason) != d.Reason {
		t.Errorf("reason %q is not a word", d.Reason)
	}
}

// TestPipeOutputLeaksNothing: Postfix puts a pipe's output into its log
// and into DSNs to the envelope sender, even on exit 0 (NOTIFY=SUCCESS).
// On exit 0 the pipe prints nothing, whatever was decided; on another
// exit, one line that tells no outsider whether an address is a user's
// (every sender refusal reads the same), and no path, resolver address,
// token or code.
func TestPipeOutputLeaksNothing(t *testing.T) {
	refusals := []Result{
		{Status: StatusRejected, Reason: "unknown_sender", Refused: RefusedSender, Code: "5.7.1", Explain: []string{"evil@x.example is not a user's sender address"}},
		{Status: StatusRejected, Reason: "auth_failed", Refused: RefusedSender, Code: "5.7.1", Explain: []string{"neither DKIM nor SPF passed aligned with acme.example"}},
		{Status: StatusRejected, Reason: "malformed_from", Refused: RefusedSender, Code: "5.7.1"},
		{Status: StatusRejected, Reason: "repeated_field", Refused: RefusedSender, Code: "5.7.1"},
		{Status: StatusRejected, Reason: "bad_confirmation", Refused: RefusedSender, Code: "5.7.1"},
		{Status: StatusQuarantined, Reason: "unconfirmed_sender", Code: "2.0.0", Explain: []string{"ann@home.example is an alternate address of ann@acme.example"}},
		{Status: StatusRejected, Reason: "unknown_recipient", Refused: RefusedRecipient, Code: "5.1.1", Explain: []string{"acme+deal-abcdefgh234567@bcc.example is unknown"}},
		{Status: StatusRejected, Reason: "too_large", Refused: RefusedSize, Code: "5.3.4"},
		{Status: StatusRejected, Reason: "loop", Refused: RefusedPolicy, Code: "5.7.0"},
		{Status: StatusStored, Code: "2.0.0"},
		{Status: StatusDuplicate, Code: "2.0.0"},
	}
	senderLines := map[string]bool{}
	for _, bounce := range []bool{false, true} {
		for _, r := range refusals {
			d := Dispose(r, bounce)
			if d.Exit == ExitOK && d.Stderr != "" {
				t.Errorf("%s bounce=%v: exit 0 but stderr %q", r.Reason, bounce, d.Stderr)
			}
			for _, bad := range []string{"@", "/", "abcdefgh", r.Reason + ":"} {
				if r.Reason != "" && strings.Contains(d.Stderr, bad) {
					t.Errorf("%s bounce=%v: stderr %q shows %q", r.Reason, bounce, d.Stderr, bad)
				}
			}
			if bounce && r.Refused == RefusedSender {
				senderLines[d.Stderr] = true
			}
		}
	}
	if len(senderLines) != 1 {
		t.Errorf("sender refusals with --bounce print %d different lines, want one: %v", len(senderLines), senderLines)
	}
	for _, err := range []error{
		store.Errorf(store.EBusy, "database /var/lib/smartbcc/smartbcc.db is locked"),
		&TempError{Code: "4.7.0", Err: errors.New("lookup _dmarc.acme.example on 10.0.0.53:53: i/o timeout")},
		&TempError{Code: "4.3.0", Err: errors.New("internal error: acme+confirm-abcdefgh234567@bcc.example")},
	} {
		d := DisposeFailure(err)
		for _, bad := range []string{"/var", "10.0.0.53", "abcdefgh", "acme.example", "@"} {
			if strings.Contains(d.Stderr, bad) {
				t.Errorf("%v: stderr %q shows %q", err, d.Stderr, bad)
			}
		}
	}
}
