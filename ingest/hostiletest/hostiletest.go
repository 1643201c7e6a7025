// Package hostiletest is the broken and hostile mail every delivery path
// is tested with: the pipe (cmd/smartbcc) and the LMTP server
// (ingest/lmtp) take the same list, so that neither can drift from the
// other. Each test wraps a case in its own message and wants, per case,
// what that transport answers for it.
package hostiletest

import (
	"fmt"
	"strings"
)

// Case is one input. A message is the test's own header (with Subject,
// when set, as its subject) with the fields Extra added and Body as its
// body; Whole, when set, is sent as it is instead.
type Case struct {
	Name    string
	Subject string // "": the test's own
	Body    string
	Extra   []string
	Whole   []byte
	// NotAMessage: no message at all, which the pipe answers with 65 and
	// LMTP with 554 5.6.0. Every other case is a message, however broken:
	// its outcome (stored, or refused with a reason) is recorded, and the
	// transport answers 0 or 250.
	NotAMessage bool
}

// Cases returns the list, built anew (some bodies are a megabyte).
func Cases() []Case {
	var parts, nest, addrs strings.Builder
	parts.WriteString("--p\r\nContent-Type: text/plain\r\n\r\nMany files.\r\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&parts, "--p\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"f%d.txt\"\r\n\r\npart %d\r\n", i, i)
	}
	parts.WriteString("--p--\r\n")
	for i := 1; i < 1000; i++ {
		fmt.Fprintf(&nest, "--n%d\r\nContent-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n", i-1, i)
	}
	nest.WriteString("--n999\r\nContent-Type: text/plain\r\n\r\nthe bottom\r\n")
	for i := 999; i >= 0; i-- {
		fmt.Fprintf(&nest, "--n%d--\r\n", i)
	}
	for i := 0; addrs.Len() < 1<<20; i++ {
		if i > 0 {
			addrs.WriteString(", ")
		}
		fmt.Fprintf(&addrs, "p%d@c.example", i)
	}
	return []Case{
		{Name: "10000 MIME parts", Body: parts.String(), Extra: []string{`Content-Type: multipart/mixed; boundary="p"`}},
		{Name: "nested 1000 deep", Body: nest.String(), Extra: []string{`Content-Type: multipart/mixed; boundary="n0"`}},
		{Name: "1 MB header line", Body: "x\r\n", Extra: []string{"X-Long: " + strings.Repeat("a", 1<<20)}},
		{Name: "NUL bytes", Subject: "nul\x00", Body: "a\x00b\r\n", Extra: []string{"X-Nul: \x00"}},
		{Name: "bare CR and LF", Body: "one\rtwo\nthree\r\n", Extra: []string{"X-Bare: a\rb"}},
		{Name: "binary garbage", Whole: []byte("\x00\x01\x02garbage\xff\xfe"), NotAMessage: true},
		// A real message with one malformed Content-Type is still a
		// message: 65 would make Postfix bounce it.
		{Name: "malformed Content-Type in a part", Body: "--p\r\nContent-Type: text/plain\r\n\r\nhi\r\n--p\r\nContent-Type: application/pdf foo\r\n\r\nxx\r\n--p--\r\n",
			Extra: []string{`Content-Type: multipart/mixed; boundary="p"`}},
		{Name: "1 MB Cc line of 70,000 addresses", Body: "x\r\n", Extra: []string{"Cc: " + addrs.String()}},
		// The same recipients again under the same subject: threading
		// the second message looks for the subject's threads that have
		// each of its 70,000 addresses, which took minutes when each
		// address went over all of the first message's recipients.
		{Name: "1 MB Cc line of 70,000 addresses, again", Body: "again\r\n", Extra: []string{"Cc: " + addrs.String()}},
		// Fields the strict parser refuses, which the lenient reading
		// of recipients (parse) takes apart piece by piece: 70,000
		// addresses separated by ";", behind a quote that never
		// closes, and in groups each holding a member with no address.
		// Each has a subject of its own, so that each is threaded
		// against nothing but itself.
		{Name: "1 MB Cc line of 70,000 addresses separated by ;", Subject: "hostile semicolons", Body: "x\r\n",
			Extra: []string{"Cc: " + strings.ReplaceAll(addrs.String(), ", ", "; ")}},
		{Name: "1 MB Cc line behind an unclosed quote", Subject: "hostile quote", Body: "x\r\n",
			Extra: []string{"Cc: \"Bob <bob@c.example>, " + addrs.String()}},
		{Name: "Cc line of 70,000 groups with an unreadable member", Subject: "hostile groups", Body: "x\r\n",
			Extra: []string{"Cc: g: " + strings.ReplaceAll(addrs.String(), ", ", ", x@;, g: ") + ";"}},
	}
}
