package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/smartbcc/smartbcc/store"
)

// Exit statuses of a pipe(8) delivery, from sysexits(3): Postfix retries
// on 75 and bounces on any other non-zero status.
const (
	ExitOK       = 0
	ExitDataErr  = 65 // EX_DATAERR: input that is not a message at all, or too large
	ExitNoUser   = 67 // EX_NOUSER: unknown Bcc address or token (--bounce)
	ExitTempFail = 75 // EX_TEMPFAIL: retry later, nothing lost
	ExitNoPerm   = 77 // EX_NOPERM: refused sender (--bounce)
)

// Disposition is what one delivery tells the MTA, for both transports:
// the pipe's exit status and stderr line, and the LMTP reply. Postfix must
// see the same outcome whichever transport delivered the mail, so both
// take it from this one table and nowhere else.
//
//	outcome                                        pipe        LMTP
//	stored, duplicate, quarantined, confirmed      0           250 2.0.0
//	refused (recipient, sender, policy)            0           250 2.0.0
//	not a message                                  65          554 5.6.0
//	over the size limit                            65          552 5.3.4
//	temporary (store, DNS, timeout, bug)           75          451 4.x.x
//	--bounce: unknown recipient                    67          550 5.1.1
//	--bounce: refused sender                       77          550 5.7.1
//
// What reaches Postfix ends up in its logs and in DSNs to the envelope
// sender, who may be anyone, and a pipe's output does so even on exit 0
// (a success DSN, NOTIFY=SUCCESS). So the pipe prints nothing at all when
// it exits 0, whatever was decided (stored, unknown sender, failed
// authentication, an alternate address: an outsider cannot tell them
// apart), and on any other exit one line: the enhanced status code and
// the same text the LMTP reply has, a reason word for a temporary failure
// (store_busy, timeout...). Never an address, a token, a confirmation
// code, a path or a resolver address: those are in the store (smartbcc
// rejected) and in Detail, which is for the administrator's own terminal.
type Disposition struct {
	// Status and Reason are for logs and metrics: Status is a Result
	// status or "temporary"; Reason is a word from a closed set.
	Status string
	Reason string

	Exit   int    // pipe: exit status
	Stderr string // pipe: the line printed on stderr, "" for none
	// Detail is the decision in full (reason, the address concerned,
	// what failed) for an import run at the administrator's terminal:
	// never printed where an MTA reads it.
	Detail string

	Code     int    // LMTP: reply code
	Enhanced string // LMTP: enhanced status code, "2.0.0"
	Text     string // LMTP: reply text after the enhanced code
}

// Temporary reports whether the MTA should keep the mail and retry.
func (d Disposition) Temporary() bool { return d.Exit == ExitTempFail }

// StatusTemporary is Disposition.Status for a delivery that will be retried.
const StatusTemporary = "temporary"

// Dispose is the disposition of a decided delivery.
func Dispose(r Result, bounce bool) Disposition {
	d := Disposition{Status: r.Status, Reason: reasonWord(r.Reason), Exit: ExitOK,
		Code: 250, Enhanced: "2.0.0", Text: "Ok"}
	switch {
	case r.Refused == RefusedData:
		d.Exit, d.Code, d.Enhanced, d.Text = ExitDataErr, 554, "5.6.0", "Not a readable message"
	case r.Refused == RefusedSize:
		// A permanent refusal the sender learns of, as LMTP refuses
		// it at the door (DisposeTooLarge): the user who sent a
		// proposal too large to file must know it is not in the CRM.
		// It tells an outsider nothing (SMTP's SIZE announces the
		// limit), and Postfix's smaller message_size_limit refuses
		// such mail at SMTP time, before any bounce.
		d = tooLarge(d)
	case r.Refused == RefusedRecipient && bounce:
		d.Exit, d.Code, d.Enhanced, d.Text = ExitNoUser, 550, "5.1.1", "No such recipient"
	case r.Refused == RefusedSender && bounce:
		d.Exit, d.Code, d.Enhanced, d.Text = ExitNoPerm, 550, "5.7.1", "Sender not accepted"
	}
	if d.Exit != ExitOK {
		d.Stderr = d.Enhanced + " " + d.Text
	}
	if r.Status == StatusRejected || r.Status == StatusQuarantined {
		detail := r.Reason
		if len(r.Explain) > 0 {
			detail = r.Explain[len(r.Explain)-1]
		}
		d.Detail = fmt.Sprintf("%s %s: %s", r.Code, r.Status, RedactTokens(detail))
	}
	return d
}

// DisposeRecipient is the disposition for the i-th envelope recipient of
// a delivery to several (LMTP): the message's own, unless this recipient,
// delivered alone as the pipe delivers it, would have been refused as an
// unknown recipient (not a Bcc address, or an unknown item token).
func DisposeRecipient(r Result, i int, bounce bool) Disposition {
	if i < len(r.UnknownRecipients) && r.UnknownRecipients[i] && r.Refused != RefusedData && r.Refused != RefusedPolicy && r.Refused != RefusedSize {
		alone := r
		alone.Status, alone.Reason, alone.Refused, alone.Code = StatusRejected, "unknown_recipient", RefusedRecipient, "5.1.1"
		alone.Explain = []string{"unknown_recipient: not a Bcc address of this company, or an unknown item token"}
		return Dispose(alone, bounce)
	}
	return Dispose(r, bounce)
}

// DisposeFailure is the disposition of a delivery that could not be
// decided: every such failure is temporary (75, 4xx), so the MTA keeps
// the mail. err's TempError code is used when it has one.
func DisposeFailure(err error) Disposition {
	code, reason, text := "4.3.0", "internal", "Temporary failure, try again later"
	var te *TempError
	switch {
	case errors.As(err, &te):
		code = te.Code
		switch {
		case strings.HasPrefix(code, "4.7."):
			reason = "auth_temporary"
		case code == "4.4.7":
			reason = "timeout"
		case code == "4.3.1":
			reason = "resources"
		case code == "4.3.2":
			reason = "shutting_down"
		case code == "4.4.2":
			// LMTP: the data did not arrive whole, the client was too
			// slow or went away; not a failure of smartbcc's own.
			reason = "connection"
		}
	case errors.Is(err, context.DeadlineExceeded):
		code, reason = "4.4.7", "timeout"
	case store.ErrorCode(err) == store.EBusy:
		reason = "store_busy"
	case store.ErrorCode(err) == store.EUnavailable && strings.Contains(err.Error(), "read-only"):
		// The store's own message says so (store/sqlite/error.go); the
		// administrator reading Postfix's log needs this one most.
		reason = "store_read_only"
	case store.ErrorCode(err) == store.EUnavailable:
		reason = "store_unavailable"
	}
	return Disposition{Status: StatusTemporary, Reason: reason, Exit: ExitTempFail,
		Stderr: fmt.Sprintf("%s smartbcc: temporary failure (%s); Postfix will retry", code, reason),
		Detail: fmt.Sprintf("%s smartbcc: %s (temporary)", code, oneLine(RedactTokens(err.Error()))),
		Code:   451, Enhanced: code, Text: text}
}

// DisposeNoMessage is the disposition of a pipe delivery with nothing on
// standard input.
func DisposeNoMessage() Disposition {
	return Disposition{Status: StatusRejected, Reason: "not_a_message", Exit: ExitDataErr,
		Stderr: "5.6.0 no message on standard input", Code: 554, Enhanced: "5.6.0", Text: "Not a readable message"}
}

// DisposeTooLarge is the disposition of an LMTP DATA that went over the
// size the server announced (SIZE): like any MTA, refused at the door.
// A pipe delivery over --max-size is refused alike (Dispose, RefusedSize).
func DisposeTooLarge() Disposition {
	d := tooLarge(Disposition{Status: StatusRejected, Reason: "too_large"})
	d.Stderr = d.Enhanced + " " + d.Text
	return d
}

// tooLarge is d for a message over the size limit: a bounce from the
// pipe, whose stderr line (the enhanced code first, which Postfix's
// pipe(8) takes for the DSN's status) says why, 552 from LMTP.
func tooLarge(d Disposition) Disposition {
	d.Exit, d.Code, d.Enhanced, d.Text = ExitDataErr, 552, "5.3.4", "Message too large"
	return d
}

// reasonWord keeps a reason only when it is one word of [a-z_] (a closed
// set: "confirmed ann@..." is not), for logs and metric labels.
func reasonWord(s string) string {
	if s == "" || len(s) > 40 {
		return ""
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return ""
		}
	}
	return s
}

// RedactTokens hides item tokens and confirmation codes (they are
// capabilities) in anything printed for Postfix.
func RedactTokens(s string) string {
	for _, k := range []string{"+deal-", "+lead-", "+confirm-"} {
		for {
			i := strings.Index(s, k)
			if i < 0 {
				break
			}
			j := i + len(k)
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '2' && s[j] <= '7') {
				j++
			}
			s = s[:i] + strings.ToUpper(k[1:2]) + k[2:] + "[token]" + s[j:]
		}
	}
	return s
}

// oneLine keeps the first line of s, for a one-line log or stderr message.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}
