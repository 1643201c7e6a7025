package auth

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest/resolver"
	"github.com/smartbcc/smartbcc/ingest/resolver/resolvertest"
)

// TestParseDMARC reads records as published against RFC 7489's grammar
// (6.4) and rules (6.3, 6.6.3): one case per rule, each with the record a
// receiver applies, or why none applies.
func TestParseDMARC(t *testing.T) {
	rec := func(p, sp, adkim, aspf string, pct int, rua ...string) *dmarcRecord {
		return &dmarcRecord{Policy: p, SubdomainPolicy: sp, ADKIM: adkim, ASPF: aspf, Percent: pct, ReportURIs: rua}
	}
	rua := "mailto:dmarc@example.com"
	tests := []struct {
		name, txt string
		want      *dmarcRecord
		wantErr   error // errNotDMARC, errNoPolicy, or any error when errAny
		errAny    bool
	}{
		// The version tag.
		{"minimal", "v=DMARC1; p=reject", rec("reject", "", "r", "r", 100), nil, false},
		{"no spaces", "v=DMARC1;p=quarantine", rec("quarantine", "", "r", "r", 100), nil, false},
		{"spaces and tabs around = and ;", "v = DMARC1 ;\tp =\treject ;", rec("reject", "", "r", "r", 100), nil, false},
		{"trailing separator", "v=DMARC1; p=none;", rec("none", "", "r", "r", 100), nil, false},
		{"empty tag", "v=DMARC1; ; p=reject", rec("reject", "", "r", "r", 100), nil, false},
		{"tag name V in capitals", "V=DMARC1; p=reject", rec("reject", "", "r", "r", 100), nil, false},
		{"version in lower case", "v=dmarc1; p=reject", nil, errNotDMARC, false},
		{"other version", "v=DMARC2; p=reject", nil, errNotDMARC, false},
		{"version not first", "p=reject; v=DMARC1", nil, errNotDMARC, false},
		{"no separator after version", "v=DMARC1 p=reject", nil, errNotDMARC, false},
		{"empty", "", nil, errNotDMARC, false},
		{"SPF record", "v=spf1 -all", nil, errNotDMARC, false},

		// p and sp: case-insensitive values, 6.6.3 when invalid.
		{"tag and value in capitals", "v=DMARC1; P=Reject; ADKIM=S; ASPF=S", rec("reject", "", "s", "s", 100), nil, false},
		{"p after other tags", "v=DMARC1; adkim=s; p=reject", rec("reject", "", "s", "r", 100), nil, false},
		{"first p counts", "v=DMARC1; p=quarantine; p=none", rec("quarantine", "", "r", "r", 100), nil, false},
		{"sp", "v=DMARC1; p=reject; sp=None", rec("reject", "none", "r", "r", 100), nil, false},
		{"no p, no rua", "v=DMARC1", nil, errNoPolicy, false},
		{"no p, adkim only", "v=DMARC1; adkim=s", nil, errNoPolicy, false},
		{"invalid p, no rua", "v=DMARC1; p=block", nil, errNoPolicy, false},
		{"empty p, no rua", "v=DMARC1; p=", nil, errNoPolicy, false},
		{"invalid sp, no rua", "v=DMARC1; p=reject; sp=bogus", nil, errNoPolicy, false},
		{"invalid p, invalid rua", "v=DMARC1; p=block; rua=no uri", nil, nil, true},
		{"invalid p, valid rua", "v=DMARC1; p=block; adkim=s; rua=" + rua, rec("none", "", "s", "r", 100, rua), nil, false},
		{"no p, valid rua", "v=DMARC1; rua=" + rua + "; aspf=s", rec("none", "", "r", "s", 100, rua), nil, false},
		{"invalid sp, valid rua", "v=DMARC1; p=reject; sp=bogus; rua=" + rua, rec("none", "", "r", "r", 100, rua), nil, false},
		{"rua with size limit", "v=DMARC1; p=block; rua=" + rua + "!10m", rec("none", "", "r", "r", 100, rua), nil, false},
		{"rua list, one valid", "v=DMARC1; p=block; rua=bogus , " + rua, rec("none", "", "r", "r", 100, rua), nil, false},
		{"rua https", "v=DMARC1; p=block; rua=https://dmarc.example.com/r", rec("none", "", "r", "r", 100, "https://dmarc.example.com/r"), nil, false},

		// adkim, aspf, pct: an invalid value takes the default.
		{"adkim strict", "v=DMARC1; p=reject; adkim=s", rec("reject", "", "s", "r", 100), nil, false},
		{"aspf strict", "v=DMARC1; p=reject; aspf=s", rec("reject", "", "r", "s", 100), nil, false},
		{"adkim invalid", "v=DMARC1; p=reject; adkim=x", rec("reject", "", "r", "r", 100), nil, false},
		{"aspf spelled out", "v=DMARC1; p=reject; aspf=strict", rec("reject", "", "r", "r", 100), nil, false},
		{"adkim empty", "v=DMARC1; p=reject; adkim=", rec("reject", "", "r", "r", 100), nil, false},
		{"first adkim counts", "v=DMARC1; p=reject; adkim=s; adkim=r", rec("reject", "", "s", "r", 100), nil, false},
		{"pct", "v=DMARC1; p=reject; pct=20", rec("reject", "", "r", "r", 20), nil, false},
		{"pct zero", "v=DMARC1; p=reject; pct=0", rec("reject", "", "r", "r", 0), nil, false},
		{"pct over 100", "v=DMARC1; p=reject; pct=101", rec("reject", "", "r", "r", 100), nil, false},
		{"pct negative", "v=DMARC1; p=reject; pct=-1", rec("reject", "", "r", "r", 100), nil, false},
		{"pct four digits", "v=DMARC1; p=reject; pct=0050", rec("reject", "", "r", "r", 100), nil, false},

		// Unknown tags and stray text are ignored.
		{"other tags", "v=DMARC1; p=reject; ruf=mailto:f@example.com; fo=1:d; rf=afrf; ri=3600; np=none; foo=bar",
			rec("reject", "", "r", "r", 100), nil, false},
		{"stray text", "v=DMARC1; p=reject; hello world; adkim=s", rec("reject", "", "s", "r", 100), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDMARC(tt.txt)
			switch {
			case tt.errAny:
				if err == nil {
					t.Fatalf("parseDMARC(%q) = %+v, want an error", tt.txt, got)
				}
				return
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("parseDMARC(%q) = %+v, %v; want %v", tt.txt, got, err, tt.wantErr)
				}
				return
			case err != nil:
				t.Fatalf("parseDMARC(%q): %v", tt.txt, err)
			}
			got.Notes = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseDMARC(%q)\n got %+v\nwant %+v", tt.txt, got, tt.want)
			}
		})
	}
}

// TestDMARCDecisions checks, through the network resolver and a DNS server
// on loopback, that every reading of a record which changes the decision
// does change it: a message from example.com signed only by
// mail.example.com, and sent from an IP that mail.example.com's SPF
// authorizes, passes under relaxed alignment and fails under strict.
func TestDMARCDecisions(t *testing.T) {
	msg := sign(t, []byte("From: Alice <alice@example.com>\r\nTo: bob@customer.example.org\r\n"+
		"Subject: Quote\r\nDate: Mon, 02 Jun 2025 10:00:00 +0000\r\nMessage-ID: <q@example.com>\r\n\r\nHi Bob\r\n"),
		"d=mail.example.com s=ed key=ed1")
	rua := "rua=mailto:dmarc@example.com"
	tests := []struct {
		name, record string
		wantDKIM     bool // the signature aligns
		wantSPF      bool // the MAIL FROM domain aligns
		wantDMARC    string
	}{
		{"no record: relaxed", "", true, true, "none"},
		{"relaxed", "v=DMARC1; p=reject", true, true, "pass"},
		{"strict dkim", "v=DMARC1; p=reject; adkim=s", false, true, "pass"},
		{"strict both", "v=DMARC1; p=reject; adkim=s; aspf=s", false, false, "fail"},
		{"strict both in capitals", "v=DMARC1; P=Reject; ADKIM=S; ASPF=S", false, false, "fail"},
		{"tag names in capitals", "V=DMARC1; P=reject; Adkim=s; Aspf=s", false, false, "fail"},
		{"spaces around =", "v=DMARC1 ; p = reject ; adkim = s ; aspf = s", false, false, "fail"},
		{"p after adkim", "v=DMARC1; adkim=s; aspf=s; p=reject", false, false, "fail"},
		{"invalid adkim is relaxed", "v=DMARC1; p=reject; adkim=x; aspf=s", true, false, "pass"},
		{"invalid p, no rua: no policy", "v=DMARC1; p=block; adkim=s; aspf=s", true, true, "none"},
		{"no p, no rua: no policy", "v=DMARC1; adkim=s; aspf=s", true, true, "none"},
		{"invalid p with rua: p=none, strict", "v=DMARC1; p=block; adkim=s; aspf=s; " + rua, false, false, "fail"},
		{"no p with rua: p=none, strict", "v=DMARC1; adkim=s; aspf=s; " + rua, false, false, "fail"},
		{"invalid sp, no rua: no policy", "v=DMARC1; p=reject; sp=x; adkim=s; aspf=s", true, true, "none"},
		{"invalid sp with rua: strict", "v=DMARC1; p=reject; sp=x; adkim=s; aspf=s; " + rua, false, false, "fail"},
		{"lower-case version: not DMARC", "v=dmarc1; p=reject; adkim=s; aspf=s", true, true, "none"},
		{"version not first: not DMARC", "p=reject; v=DMARC1; adkim=s; aspf=s", true, true, "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zone := "$TTL 300\n" +
				"ed._domainkey.mail.example.com. TXT " + dkimRecord(t, "ed1") + "\n" +
				"mail.example.com. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
			if tt.record != "" {
				zone += "_dmarc.example.com. TXT \"" + tt.record + "\"\n"
			}
			addr := resolvertest.StartServer(t, zone)
			c := &Checker{Resolver: &resolver.Network{Servers: []string{addr}, Timeout: 2 * time.Second}}
			v, err := c.Check(context.Background(), withAuthor(Input{Raw: msg, ClientIP: net.ParseIP("192.0.2.10"),
				Helo: "mail.example.com", MailFrom: "bounce@mail.example.com"}))
			if err != nil {
				t.Fatal(err)
			}
			dkimAligned := len(v.Signatures) == 1 && v.Signatures[0].Aligned
			if dkimAligned != tt.wantDKIM || v.SPFAligned != tt.wantSPF || v.DMARC != tt.wantDMARC ||
				v.Pass() != (tt.wantDKIM || tt.wantSPF) || v.Temporary() {
				t.Errorf("record %q: %s\nwant dkim aligned=%v, spf aligned=%v, dmarc=%s", tt.record, v.Summary(), tt.wantDKIM, tt.wantSPF, tt.wantDMARC)
			}
		})
	}
}

func TestIsDMARCRecord(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=DMARC1; p=reject":    true,
		"v=DMARC1":              true,
		"v=DMARC1; p=bogus":     true, // a DMARC record, with no valid policy
		" v = DMARC1 ;":         true,
		"v=DMARC10; p=reject":   false,
		"v=spf1 -all":           false,
		"google-site-verify=x":  false,
		"v=DMARC1p=reject":      false,
		strings.Repeat("x", 10): false,
	} {
		if got := isDMARCRecord(txt); got != want {
			t.Errorf("isDMARCRecord(%q) = %v, want %v", txt, got, want)
		}
	}
}

func TestWithEmptyLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"From: a@example.com\r\nSubject: x\r\n", "From: a@example.com\r\nSubject: x\r\n\r\n"},
		{"From: a@example.com\r\nSubject: x", "From: a@example.com\r\nSubject: x\r\n\r\n"},
		{"From: a@example.com\nSubject: x\n", "From: a@example.com\nSubject: x\n\n"},
		{"From: a@example.com", "From: a@example.com\r\n\r\n"},
		{"From: a@example.com\r\n\r\n", "From: a@example.com\r\n\r\n"},
		{"From: a@example.com\r\n\r\nbody", "From: a@example.com\r\n\r\nbody"},
		{"From: a@example.com\n\nbody\n", "From: a@example.com\n\nbody\n"},
		{"From: a@example.com\r\nSubject: folded\r\n x\r\n", "From: a@example.com\r\nSubject: folded\r\n x\r\n\r\n"},
	}
	for _, tt := range tests {
		if got := string(withEmptyLine([]byte(tt.in))); got != tt.want {
			t.Errorf("withEmptyLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
