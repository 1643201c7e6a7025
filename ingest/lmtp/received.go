package lmtp

import (
	"bytes"
	"net"
	"regexp"
	"strings"
)

// Where the SMTP client address and HELO name come from.
//
// The pipe gets them from Postfix on its command line (${client_address},
// ${client_helo}). LMTP has no such channel: Postfix would send them with
// XFORWARD, which go-smtp does not implement. They are taken instead from
// the topmost Received: field, the one the local Postfix's smtpd prepends
// when it accepts the mail, and never from a lower one, which the sender
// writes. Postfix writes its first line as
//
//	Received: from HELO (NAME [ADDR])        or  ... (NAME [ADDR]:PORT)
//
// and folds before "by". HELO is the client's own text (it may hold
// spaces, brackets and parentheses), NAME is a verified host name or
// "unknown", ADDR the address the connection came from. So the address is
// read from the end of that first line, which the client cannot write,
// and HELO is what lies between "from " and it. Mail Postfix picked up
// locally ("Received: by HOST (Postfix, from userid N)") has no client
// address, as with the pipe. Anyone who can connect to the LMTP socket
// can write that field: the socket must be reachable by Postfix only.

// received is what the topmost Received: field says.
type received struct {
	IP, Helo, QueueID string
}

var (
	receivedFrom = regexp.MustCompile(`^from (.+) \(([A-Za-z0-9._-]+) \[(?:IPv6:)?([0-9A-Fa-f:.]+)\](?::[0-9]+)?\)$`)
	receivedID   = regexp.MustCompile(`(?:^|\s)id ([0-9A-Za-z]+)(?:;|\s|$)`)
)

// topReceived reads the first Received: field of raw's header.
func topReceived(raw []byte) received {
	field, ok := firstField(raw, "received")
	if !ok {
		return received{}
	}
	var out received
	first, rest, _ := strings.Cut(field, "\n")
	first = strings.TrimSpace(strings.TrimSuffix(first, "\r"))
	if m := receivedFrom.FindStringSubmatch(first); m != nil {
		if ip := net.ParseIP(m[3]); ip != nil {
			out.IP, out.Helo = ip.String(), strings.TrimSpace(m[1])
		}
	}
	// The queue id, for the log: "... with ESMTP id 4ZxK2m0Qz3; date".
	all := strings.Join(strings.Fields(first+" "+rest), " ")
	if i := strings.LastIndexByte(all, ';'); i >= 0 {
		all = all[:i+1]
	}
	if m := receivedID.FindStringSubmatch(all); m != nil && len(m[1]) <= 32 {
		out.QueueID = m[1]
	}
	return out
}

// firstField returns the value of the first header field called name
// (lower case), continuation lines included, up to 8 KB.
func firstField(raw []byte, name string) (string, bool) {
	const maxField = 8 << 10
	for len(raw) > 0 {
		line, rest, _ := bytes.Cut(raw, []byte("\n"))
		if len(bytes.TrimRight(line, "\r")) == 0 {
			return "", false // end of the header
		}
		raw = rest
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || !strings.EqualFold(string(bytes.TrimRight(line[:colon], " \t")), name) {
			continue
		}
		var b strings.Builder
		b.Write(bytes.TrimLeft(line[colon+1:], " \t"))
		for len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') && b.Len() < maxField {
			line, raw, _ = bytes.Cut(raw, []byte("\n"))
			b.WriteByte('\n')
			b.Write(line)
		}
		return b.String(), true
	}
	return "", false
}
