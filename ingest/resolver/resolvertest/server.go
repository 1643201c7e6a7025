// Package resolvertest runs a real DNS server on the loopback interface,
// answering from a master-file zone, so that tests can exercise
// resolver.Network (and anything built on it) over UDP and TCP.
package resolvertest

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Options make the server misbehave the ways real servers do.
type Options struct {
	// ServFail names (any case, trailing dot optional) are answered with
	// SERVFAIL, whatever the type asked.
	ServFail []string
	// Silent names get no answer at all, as from a dead server.
	Silent []string
	// TruncateUDP answers every UDP question with an empty, truncated
	// reply, so that clients must ask again over TCP.
	TruncateUDP bool
}

// StartServer serves zoneText (an RFC 1035 master file, names relative to
// the root) on 127.0.0.1 over UDP and TCP on the same random port, until
// the test ends. It returns the address as HOST:PORT.
func StartServer(t testing.TB, zoneText string) (addr string) {
	return Start(t, zoneText, Options{})
}

// Start is StartServer with misbehaviour.
func Start(t testing.TB, zoneText string, opts Options) (addr string) {
	t.Helper()
	h, err := newHandler(zoneText, opts)
	if err != nil {
		t.Fatalf("resolvertest: zone: %v", err)
	}
	pc, ln := listenPair(t)
	var started sync.WaitGroup
	started.Add(2)
	udp := &dns.Server{PacketConn: pc, Handler: h, NotifyStartedFunc: started.Done}
	tcp := &dns.Server{Listener: ln, Handler: h, NotifyStartedFunc: started.Done}
	for _, s := range []*dns.Server{udp, tcp} {
		go func() {
			// The error after Shutdown is expected; earlier ones show as
			// failing lookups in the test itself.
			_ = s.ActivateAndServe()
		}()
	}
	started.Wait()
	t.Cleanup(func() {
		_ = udp.Shutdown()
		_ = tcp.Shutdown()
	})
	return pc.LocalAddr().String()
}

// listenPair finds a port free for both UDP and TCP.
func listenPair(t testing.TB) (net.PacketConn, net.Listener) {
	t.Helper()
	var last error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("resolvertest: %v", err)
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return pc, ln
		}
		pc.Close()
		last = err
	}
	t.Fatalf("resolvertest: no port free for both UDP and TCP: %v", last)
	return nil, nil
}

type handler struct {
	records  map[string][]dns.RR // by lower-case FQDN
	servFail map[string]bool
	silent   map[string]bool
	truncate bool
}

func newHandler(zoneText string, opts Options) (*handler, error) {
	h := &handler{
		records:  map[string][]dns.RR{},
		servFail: nameSet(opts.ServFail),
		silent:   nameSet(opts.Silent),
		truncate: opts.TruncateUDP,
	}
	zp := dns.NewZoneParser(strings.NewReader(zoneText), ".", "")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		name := key(rr.Header().Name)
		h.records[name] = append(h.records[name], rr)
	}
	return h, zp.Err()
}

func nameSet(names []string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[key(n)] = true
	}
	return set
}

// key is the form names are compared in: wire form with ASCII letters in
// lower case, so that every way of writing a name in presentation form
// ("o'brien", "o\'brien", "o\039brien") and the form a question arrives in
// meet. A name that does not pack is kept as written (it matches nothing
// real).
func key(name string) string {
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(name), buf, 0, nil, false)
	if err != nil {
		return "!" + name
	}
	for i := range buf[:n] {
		if c := buf[i]; 'A' <= c && c <= 'Z' {
			buf[i] = c + 'a' - 'A'
		}
	}
	return string(buf[:n])
}

func (h *handler) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	if len(req.Question) != 1 {
		reply(w, new(dns.Msg).SetRcode(req, dns.RcodeFormatError))
		return
	}
	q := req.Question[0]
	name := key(q.Name)
	if h.silent[name] {
		return
	}
	resp := new(dns.Msg).SetReply(req)
	resp.RecursionAvailable = true
	udp := w.LocalAddr().Network() == "udp"
	switch {
	case h.servFail[name]:
		resp.Rcode = dns.RcodeServerFailure
	case h.truncate && udp:
		resp.Truncated = true
	default:
		h.answer(resp, name, q.Qtype)
	}
	if opt := req.IsEdns0(); opt != nil {
		resp.SetEdns0(opt.UDPSize(), false)
	}
	if udp {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = int(opt.UDPSize())
		}
		resp.Truncate(size)
	}
	reply(w, resp)
}

// answer fills resp as a recursive server would: the CNAME chain from name,
// then the records of qtype at its end; NXDOMAIN for a name with no records.
func (h *handler) answer(resp *dns.Msg, name string, qtype uint16) {
	for range 8 {
		rrs, exists := h.records[name]
		if !exists {
			if len(resp.Answer) == 0 {
				resp.Rcode = dns.RcodeNameError
			}
			return
		}
		var cname string
		for _, rr := range rrs {
			switch {
			case rr.Header().Rrtype == qtype:
				resp.Answer = append(resp.Answer, dns.Copy(rr))
			case rr.Header().Rrtype == dns.TypeCNAME:
				cname = key(rr.(*dns.CNAME).Target)
				resp.Answer = append(resp.Answer, dns.Copy(rr))
			}
		}
		if cname == "" || qtype == dns.TypeCNAME {
			return
		}
		name = cname
	}
	resp.Answer = nil
	resp.Rcode = dns.RcodeServerFailure // CNAME loop
}

func reply(w dns.ResponseWriter, m *dns.Msg) {
	// A client that went away is not the server's problem.
	_ = w.WriteMsg(m)
}
