package auth

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/resolver"
)

func TestCheckNotAMessage(t *testing.T) {
	c := &Checker{Resolver: resolver.Mock{}}
	for _, raw := range []string{"", "\r\njust a body\r\n", "no colon anywhere"} {
		v, err := c.Check(context.Background(), Input{Raw: []byte(raw)})
		if !errors.Is(err, ErrNotMessage) || v != nil {
			t.Errorf("Check(%q) = %v, %v; want ErrNotMessage", raw, v, err)
		}
	}
}

// TestCheckTimeout points the checker at a server that never answers: the
// verdict must come back within about Checker.Timeout, as a temporary one
// (the aligned SPF domain could not be checked), not as an error.
func TestCheckTimeout(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	c := &Checker{Resolver: resolver.NewNetwork(pc.LocalAddr().String()), Timeout: 300 * time.Millisecond}
	in := Input{
		Raw:      []byte("From: alice@example.com\r\nSubject: hi\r\n\r\nbody\r\n"),
		ClientIP: net.ParseIP("192.0.2.10"),
		Helo:     "mail.example.com",
		MailFrom: "alice@example.com",
	}
	start := time.Now()
	v, err := c.Check(context.Background(), withAuthor(in))
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("took %v with a 300ms timeout", elapsed)
	}
	if v.SPF != "temperror" || v.DMARC != "temperror" || !v.Temporary() || v.Pass() {
		t.Errorf("verdict %s; want spf and dmarc temperror, temporary", v.Summary())
	}
}

// bigMessage is a 30 KB message signed by example.com with RSA-2048, and
// the zone that verifies it.
func bigMessage(b *testing.B) ([]byte, *resolver.Zone) {
	var body strings.Builder
	for body.Len() < 30*1024 {
		body.WriteString("Line of the quarterly price list: 40 units at 12.50, delivery in May.\r\n")
	}
	msg := []byte("From: Alice <alice@example.com>\r\nTo: bob@customer.example.org\r\n" +
		"Subject: Price list\r\nDate: Mon, 02 Jun 2025 10:00:00 +0000\r\n" +
		"Message-ID: <big@example.com>\r\n\r\n" + body.String())
	signed := sign(b, msg, "d=example.com s=sel1 key=rsa-bench")
	zone := "$TTL 300\n" +
		"sel1._domainkey.example.com. TXT " + dkimRecord(b, "rsa-bench") + "\n" +
		"example.com. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n" +
		"_dmarc.example.com. TXT \"v=DMARC1; p=reject\"\n"
	z, err := resolver.ParseZone(strings.NewReader(zone), "")
	if err != nil {
		b.Fatal(err)
	}
	return signed, z
}

// BenchmarkCheck is a full verdict (DKIM RSA-2048, SPF, DMARC) for a 30 KB
// message against an in-memory zone; compare with BenchmarkReadHeader.
func BenchmarkCheck(b *testing.B) {
	raw, z := bigMessage(b)
	c := &Checker{Resolver: z}
	in := Input{Raw: raw, ClientIP: net.ParseIP("192.0.2.10"), Helo: "mail.example.com", MailFrom: "alice@example.com"}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		v, err := c.Check(context.Background(), withAuthor(in))
		if err != nil || !v.Pass() {
			b.Fatalf("%v %v", v.Summary(), err)
		}
	}
}

// BenchmarkReadHeader is the baseline: only splitting the header off the
// same message.
func BenchmarkReadHeader(b *testing.B) {
	raw, _ := bigMessage(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readHeader(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCheckOddSignatures feeds signatures the verifier cannot use: each is
// reported, none passes, and none is mistaken for a DNS problem.
func TestCheckOddSignatures(t *testing.T) {
	tests := []struct {
		name, raw  string
		wantResult string
	}{
		{"header without end", "DKIM-Signature: v=1; d=example.com; s=x; a=rsa-sha256\r\nFrom: a@example.com", "permerror"},
		{"missing tags", "DKIM-Signature: v=1; d=example.com\r\nFrom: a@example.com\r\n\r\nbody\r\n", "permerror"},
		{"no key published", "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=AAAA; b=AAAA\r\nFrom: a@example.com\r\n\r\nbody\r\n", "permerror"},
	}
	c := &Checker{Resolver: resolver.Mock{}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := c.Check(context.Background(), withAuthor(Input{Raw: []byte(tt.raw)}))
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Signatures) != 1 || v.Signatures[0].Result != tt.wantResult || v.Pass() || v.Temporary() {
				t.Errorf("got %s", v.Summary())
			}
		})
	}
}
