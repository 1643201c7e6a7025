package lmtp

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/postgres/pgtest"
)

// stallProxy passes TCP connections to a PostgreSQL server. stall makes
// the connections open so far stop passing anything, without closing
// them: the database host is gone without a word (powered off, a
// failover that moved its address), and TCP has not noticed yet, which
// takes minutes. Connections made after it pass: the new primary.
type stallProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []*stallConn
}

type stallConn struct {
	mu      sync.Mutex
	stalled bool
	c, s    net.Conn
}

func newStallProxy(t *testing.T, target string) *stallProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &stallProxy{l: l, target: target}
	t.Cleanup(p.close)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			sc := &stallConn{c: c, s: s}
			p.mu.Lock()
			p.conns = append(p.conns, sc)
			p.mu.Unlock()
			go sc.pass(c, s)
			go sc.pass(s, c)
		}
	}()
	return p
}

// pass copies from one side to the other until the connection stalls
// (what is read then is never passed on) or closes.
func (sc *stallConn) pass(from, to net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		sc.mu.Lock()
		stalled := sc.stalled
		sc.mu.Unlock()
		if stalled {
			// Swallow everything, answer nothing.
			_, _ = io.Copy(io.Discard, from)
			return
		}
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			from.Close()
			to.Close()
			return
		}
	}
}

// close closes the proxy and every connection through it.
func (p *stallProxy) close() {
	p.l.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, sc := range p.conns {
		sc.c.Close()
		sc.s.Close()
	}
}

func (p *stallProxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, sc := range p.conns {
		sc.mu.Lock()
		sc.stalled = true
		sc.mu.Unlock()
	}
}

// dsn is target's URL through the proxy.
func (p *stallProxy) dsn(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.l.Addr().String()
	return u.String()
}

// TestCommitOnVanishedDatabase: the database host goes away in the middle
// of a group commit, without closing the connection. The delivery waiting
// for that commit is answered 451 after --timeout, and so is nothing
// after it: the next delivery is stored on a new connection. The commit
// once had no deadline of its own: it waited for TCP to give up on the
// lost host (minutes), every delivery meanwhile got 451 though the
// database was back, and once the queue was full sessions waited with no
// answer at all.
func TestCommitOnVanishedDatabase(t *testing.T) {
	base := pgtest.Fresh(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newStallProxy(t, u.Host)
	// Before the store is closed, which would wait for the stalled
	// connections.
	defer proxy.close()
	var once sync.Once
	ts := newTestServerDSN(t, proxy.dsn(t, base), func(c *Config, _ store.Store) {
		c.DeliveryTimeout = 2 * time.Second
		// The first commit finds its connection stalled.
		c.beforeCommit = func(int) { once.Do(proxy.stall) }
	})
	c := ts.client()
	got, err := ts.deliver(c, annAddr, []string{universal}, annMail("stalled@acme.example"))
	if err != nil {
		t.Fatal(err)
	}
	if got[universal] != "451 4.4.7" {
		t.Errorf("the delivery whose commit stalled: %q, want 451 4.4.7", got[universal])
	}
	// The database answers on new connections: the next delivery is
	// stored, and so is the first one when Postfix tries it again.
	for _, id := range []string{"after@acme.example", "stalled@acme.example"} {
		got, err = ts.deliver(c, annAddr, []string{universal}, annMail(id))
		if err != nil {
			t.Fatal(err)
		}
		if got[universal] != "250 2.0.0" {
			t.Errorf("%s after the stall: %q, want 250 2.0.0\nlog:\n%s", id, got[universal], ts.logText())
		}
	}
	for _, id := range []string{"after@acme.example", "stalled@acme.example"} {
		if n, _ := ts.stored(id); n != 1 {
			t.Errorf("%s stored %d times", id, n)
		}
	}
	ts.checkBudgetReturned()
}
