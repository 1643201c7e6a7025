package ingest

import (
	"net/textproto"
	"strings"

	"github.com/smartbcc/smartbcc/ingest/confirm"
	"github.com/smartbcc/smartbcc/ingest/parse"
)

// noise reports mail that must never be filed as customer mail nor
// answered: our own confirmation emails, auto-replies, bulk mail, bounces
// and loops. It returns a reason word and a human detail, or "" when the
// mail is ordinary. keepBulk (an archive import with --keep-bulk) lets
// list and bulk mail through.
func noise(h textproto.MIMEHeader, d Delivery, isBcc func(string) bool, keepBulk bool) (reason, detail string) {
	if h.Get(confirm.HeaderMarker) != "" {
		return "own_mail", "one of our own confirmation emails"
	}
	// A delivery status notification is a bounce, also when it says
	// Auto-Submitted: auto-generated or auto-replied, as RFC 3464
	// reports mostly do (RFC 3834 asks it of them).
	mt, params := parse.MediaType(h.Get("Content-Type"))
	isReport := mt == "multipart/report"
	if isReport && strings.EqualFold(params["report-type"], "delivery-status") {
		return "bounce", "multipart/report; report-type=" + params["report-type"]
	}
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "auto_reply", "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Sent"} {
		if h.Get(k) != "" {
			return "auto_reply", k + " header"
		}
	}
	switch p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); {
	case p == "auto_reply":
		return "auto_reply", "Precedence: " + p
	case (p == "bulk" || p == "list" || p == "junk") && !keepBulk:
		return "bulk", "Precedence: " + p
	}
	if d.NullSender {
		return "bounce", "null envelope sender"
	}
	if isReport {
		return "bounce", "multipart/report; report-type=" + params["report-type"]
	}
	// Loops. Nothing that delivers to us adds a Delivered-To of our
	// address (postfix-config prints the pipe without flags=D, because
	// with it Postfix bounces such mail to its sender itself): in a live
	// delivery one is a loop, or a forgery, refused without a bounce
	// either way. An archive may hold mail an MDA delivered to the Bcc
	// address once; a second one there is the loop.
	n := 0
	for _, v := range h.Values("Delivered-To") {
		if isBcc(strings.TrimSpace(v)) {
			n++
		}
	}
	if n > 1 || n == 1 && len(d.Envelope.Recipients) > 0 {
		return "loop", "already delivered to our Bcc address (Delivered-To)"
	}
	return "", ""
}
