package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
)

// A duplicate is the same message delivered again: the same owner, and
// the same content apart from what the way it travelled added. Its key
// (store.Message.DedupKey) is "content:" and a SHA-256 of the message with
//
//   - the header fields in traceFields (and those starting with one of
//     tracePrefixes) left out, with their continuation lines;
//   - a From_ line (or a quoted one, ">From ") at the top of the header
//     left out: mbox framing a writer kept;
//   - CRLF line endings read as LF, and the line endings at the very end
//     left out: mbox and Maildir writers change both.
//
// Everything else counts, the Message-ID field included: a message that
// reuses another's Message-ID with other content (a broken client, a test
// suite, an attacker) gets another key and is stored as its own message,
// and the owner's other message is not touched. A forwarded original
// attached to the user's forward is keyed by the original's content, so
// that forwarding it twice, or forwarding it and importing it, is one
// message.
//
// Which fields are "trace": those an MTA, a filter or a mailbox adds to a
// message in transit or in storage, never its author:
//
//   - trace and delivery: Received, Return-Path, Delivered-To,
//     X-Original-To, Envelope-To, X-Envelope-From, X-Envelope-To,
//     X-Delivered-To, X-Rcpt-To, X-Received, X-Forwarded-To,
//     X-Forwarded-For;
//   - what a receiving or sending MTA adds: Authentication-Results,
//     Received-SPF, DKIM-Signature, DomainKey-Signature, ARC-*,
//     X-Google-*, X-Gm-*, X-MS-Exchange-*, X-Spam-*, X-Virus-*,
//     X-Original-Authentication-Results;
//   - the mailbox's own state: Status, X-Status, X-Keywords, X-UID,
//     X-IMAP, X-IMAPbase, X-Mozilla-*, X-Account-Key, X-UIDL, X-GM-THRID,
//     X-Gmail-Labels, Content-Length, Lines, X-Evolution-*;
//   - Bcc, which the sender's copy has and the delivered one has not.
var traceFields = setOf(
	// trace and delivery
	"received", "return-path", "delivered-to", "x-original-to", "envelope-to", "x-envelope-from",
	"x-envelope-to", "x-delivered-to", "x-rcpt-to", "x-received", "x-forwarded-to", "x-forwarded-for",
	// added by a receiving or sending MTA
	"authentication-results", "received-spf", "dkim-signature", "domainkey-signature",
	"x-original-authentication-results",
	// the mailbox's own state
	"status", "x-status", "x-keywords", "x-uid", "x-imap", "x-imapbase", "x-account-key", "x-uidl",
	"x-gm-thrid", "x-gmail-labels", "content-length", "lines",
	// the sender's copy only
	"bcc",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

var tracePrefixes = []string{"arc-", "x-google-", "x-gm-", "x-ms-exchange-", "x-spam-", "x-virus-", "x-mozilla-", "x-evolution-"}

// isTraceField reports whether a field of this name is left out of the
// duplicate key. It does not allocate: it runs for every header line.
func isTraceField(name []byte) bool {
	name = bytes.TrimRight(name, " \t")
	var lower [64]byte
	if len(name) > len(lower) {
		return false
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	l := lower[:len(name)]
	if traceFields[string(l)] {
		return true
	}
	for _, p := range tracePrefixes {
		if len(l) >= len(p) && string(l[:len(p)]) == p {
			return true
		}
	}
	return false
}

// contentKeyPrefix starts the duplicate key of a message (DedupKey); keys
// written before it ("mid:", "sha256:") are read as legacy keys.
const contentKeyPrefix = "content:"

// contentKey returns the duplicate key of raw (see above). It reads raw
// once and allocates only the hash state: the import's workers compute it
// for every message before deciding to parse. The header is read line by
// line; the body, most of the bytes, is hashed in runs between CRLFs.
func contentKey(raw []byte) string {
	h := sha256.New()
	var buf [4096]byte
	out := buf[:0]
	write := func(p []byte) {
		if len(out)+len(p) > len(buf) {
			h.Write(out)
			out = buf[:0]
			if len(p) > len(buf) {
				h.Write(p)
				return
			}
		}
		out = append(out, p...)
	}
	nl := []byte{'\n'}
	// The header: each kept line (continuations with their field) and LF.
	rest := raw
	first, skipping := true, false
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			break // the end of the header; rest is the body
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			// A continuation line goes with its field.
		case first && (bytes.HasPrefix(line, []byte("From ")) || bytes.HasPrefix(line, []byte(">From "))):
			skipping = true
		default:
			name, _, ok := bytes.Cut(line, []byte{':'})
			skipping = ok && isTraceField(name)
		}
		first = false
		if !skipping {
			write(line)
			write(nl)
		}
	}
	// The body, when it holds more than line endings: a blank line, then
	// its bytes with CRLF as LF, the line endings at its end left out.
	body := bytes.TrimRight(rest, "\r\n")
	if len(body) > 0 {
		write(nl)
		h.Write(out)
		out = buf[:0]
		for len(body) > 0 {
			i := bytes.IndexByte(body, '\r')
			if i < 0 {
				h.Write(body)
				break
			}
			if i+1 < len(body) && body[i+1] == '\n' {
				h.Write(body[:i]) // the CR of a CRLF is left out
				body = body[i+1:]
				continue
			}
			h.Write(body[:i+1]) // a lone CR stays
			body = body[i+1:]
		}
	}
	h.Write(out)
	return contentKeyPrefix + hex.EncodeToString(h.Sum(nil))
}
