package resolver

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DefaultTimeout bounds one question to one server when Network.Timeout is
// zero. Mail delivery retries later, so a slow server should cost seconds,
// not the minute a stock resolver may spend.
const DefaultTimeout = 3 * time.Second

// ednsSize is the UDP payload size we advertise: the 2020 DNS flag day
// value, large enough for an RSA-2048 DKIM key and small enough to avoid IP
// fragmentation.
const ednsSize = 1232

// Network asks recursive DNS servers directly over UDP, retrying over TCP
// when an answer is truncated. Servers are asked in order; the next one is
// tried only when the previous failed temporarily.
type Network struct {
	Servers []string      // HOST:PORT
	Timeout time.Duration // per question and server; 0 means DefaultTimeout
}

var _ Resolver = (*Network)(nil)

// NewNetwork asks the single server at addr (HOST:PORT).
func NewNetwork(addr string) *Network {
	return &Network{Servers: []string{addr}}
}

func (n *Network) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := n.lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range rrs {
		if txt, ok := rr.(*dns.TXT); ok {
			out = append(out, joinStrings(txt.Txt))
		}
	}
	return out, nil
}

func (n *Network) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := n.lookup(ctx, name, dns.TypeMX)
	if err != nil {
		return nil, err
	}
	var out []*net.MX
	for _, rr := range rrs {
		if mx, ok := rr.(*dns.MX); ok {
			if host, ok := textName(mx.Mx); ok {
				out = append(out, &net.MX{Host: fqdn(host), Pref: mx.Preference})
			}
		}
	}
	return out, nil
}

// LookupIPAddr asks for A and AAAA records together. Like net.Resolver it
// returns what it found when only one of the two questions failed.
func (n *Network) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	type answer struct {
		rrs []dns.RR
		err error
	}
	aaaa := make(chan answer, 1)
	go func() {
		rrs, err := n.lookup(ctx, host, dns.TypeAAAA)
		aaaa <- answer{rrs, err}
	}()
	rrs4, err4 := n.lookup(ctx, host, dns.TypeA)
	six := <-aaaa

	var out []net.IPAddr
	for _, rr := range append(rrs4, six.rrs...) {
		switch rr := rr.(type) {
		case *dns.A:
			out = append(out, net.IPAddr{IP: rr.A})
		case *dns.AAAA:
			out = append(out, net.IPAddr{IP: rr.AAAA})
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	// Neither family answered: a temporary failure of either one wins,
	// because that family might have held the address.
	for _, err := range []error{err4, six.err} {
		if de, ok := err.(*net.DNSError); ok && de.IsTemporary {
			return nil, de
		}
	}
	if err4 != nil {
		return nil, err4
	}
	return nil, NotFound(host, n.server())
}

func (n *Network) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	rev, err := dns.ReverseAddr(addr)
	if err != nil {
		return nil, NotFound(addr, n.server())
	}
	rrs, err := n.lookup(ctx, rev, dns.TypePTR)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rr := range rrs {
		if ptr, ok := rr.(*dns.PTR); ok {
			if host, ok := textName(ptr.Ptr); ok {
				out = append(out, fqdn(host))
			}
		}
	}
	return out, nil
}

// lookup returns the records of type qtype for name, following CNAMEs the
// server did not follow itself. It never returns an empty slice with a nil
// error: no records is NotFound. A name DNS cannot carry is NotFound
// without a question asked.
func (n *Network) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	if why := invalidName(name); why != "" {
		return nil, invalid(name, n.server(), why)
	}
	target := name
	for range maxCNAMEHops {
		resp, server, err := n.ask(ctx, target, qtype)
		if err != nil {
			return nil, err
		}
		rrs, next := follow(resp.Answer, target, qtype)
		if len(rrs) > 0 {
			return rrs, nil
		}
		if next == "" || next == canonical(target) {
			return nil, NotFound(name, server)
		}
		target = next
	}
	return nil, Temporary(name, n.server(), "CNAME chain too long")
}

// follow walks the CNAME chain from name (text form) inside one answer
// section and returns the records of qtype at its end, or the name where
// the chain left the answer section. Owner names arrive in presentation
// form and are compared as text.
func follow(answer []dns.RR, name string, qtype uint16) ([]dns.RR, string) {
	cur := canonical(name)
	for range maxCNAMEHops {
		var found []dns.RR
		next := ""
		for _, rr := range answer {
			h := rr.Header()
			if canonicalPresentation(h.Name) != cur {
				continue
			}
			switch {
			case h.Rrtype == qtype:
				found = append(found, rr)
			case h.Rrtype == dns.TypeCNAME:
				next = canonicalPresentation(rr.(*dns.CNAME).Target)
				if next == "" {
					return nil, "" // an alias to a name no caller can ask for
				}
			}
		}
		if len(found) > 0 || next == "" {
			return found, cur
		}
		cur = next
	}
	return nil, cur
}

// ask puts one question to the servers in turn and returns the first
// answer that is not a temporary failure, classified: NXDOMAIN becomes
// NotFound, SERVFAIL, REFUSED and silence become Temporary.
func (n *Network) ask(ctx context.Context, name string, qtype uint16) (*dns.Msg, string, error) {
	q := new(dns.Msg)
	q.SetQuestion(presentation(name), qtype)
	q.RecursionDesired = true
	q.SetEdns0(ednsSize, false)

	var last error = Temporary(name, "", "no DNS server configured")
	for _, server := range n.Servers {
		resp, err := n.exchange(ctx, q, server)
		if err != nil {
			last = Normalize(err, name, server)
			if ctx.Err() != nil {
				return nil, server, last
			}
			continue
		}
		switch resp.Rcode {
		case dns.RcodeSuccess:
			return resp, server, nil
		case dns.RcodeNameError:
			return nil, server, NotFound(name, server)
		default:
			last = Temporary(name, server, "server answered "+dns.RcodeToString[resp.Rcode])
		}
	}
	return nil, "", last
}

// exchange asks one server over UDP and again over TCP if the answer was
// truncated, within one timeout for both.
func (n *Network) exchange(ctx context.Context, q *dns.Msg, server string) (*dns.Msg, error) {
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	c := &dns.Client{Net: "udp", UDPSize: ednsSize, Timeout: timeout}
	resp, _, err := c.ExchangeContext(ctx, q, server)
	if err == nil && resp.Truncated {
		c.Net = "tcp"
		resp, _, err = c.ExchangeContext(ctx, q, server)
	}
	if err == nil && resp.Id != q.Id {
		err = Temporary(q.Question[0].Name, server, "answer id mismatch")
	}
	return resp, err
}

func (n *Network) server() string {
	if len(n.Servers) == 1 {
		return n.Servers[0]
	}
	return ""
}

// joinStrings turns the character-strings of one TXT record into the one
// text that SPF, DKIM and DMARC read. miekg/dns keeps TXT strings in
// presentation form (a quote arrives as \" and a byte as \DDD), so they are
// unescaped here; the common case has no backslash and costs one scan.
func joinStrings(parts []string) string {
	size := 0
	escaped := false
	for _, p := range parts {
		size += len(p)
		escaped = escaped || strings.IndexByte(p, '\\') >= 0
	}
	if !escaped && len(parts) == 1 {
		return parts[0]
	}
	b := make([]byte, 0, size)
	for _, p := range parts {
		b = appendUnescaped(b, p)
	}
	return string(b)
}

func appendUnescaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		if i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			v := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			if v <= 255 {
				b = append(b, byte(v))
				i += 3
				continue
			}
		}
		b = append(b, s[i+1])
		i++
	}
	return b
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
