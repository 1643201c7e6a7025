package lmtp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/ingest/bccaddr"
	"github.com/smartbcc/smartbcc/store"
	"github.com/smartbcc/smartbcc/store/backend"
	"github.com/smartbcc/smartbcc/store/storetest"
)

const (
	universal = "acme@bcc.acme.example"
	annAddr   = "ann@acme.example"
)

// testServer is a server on loopback over a store with a company, Ann
// and one deal, with authentication off (these tests are about the
// protocol; the Postfix end-to-end test checks authentication).
type testServer struct {
	t        testing.TB
	srv      *Server
	db       store.Store
	path     string // the store's DSN
	addr     string
	dealAddr string
	log      bytes.Buffer
	logMu    sync.Mutex
	served   chan error
}

func (ts *testServer) Write(b []byte) (int, error) {
	ts.logMu.Lock()
	defer ts.logMu.Unlock()
	return ts.log.Write(b)
}

func (ts *testServer) logText() string {
	ts.logMu.Lock()
	defer ts.logMu.Unlock()
	return ts.log.String()
}

func newTestServer(t *testing.T, configure func(*Config)) *testServer {
	t.Helper()
	return newTestServerTB(t, func(c *Config, _ store.Store) {
		if configure != nil {
			configure(c)
		}
	})
}

func newTestServerTB(t testing.TB, configure func(*Config, store.Store)) *testServer {
	t.Helper()
	// The backend SMARTBCC_TEST_STORE chooses (SQLite by default).
	return newTestServerDSN(t, storetest.Fresh(t), configure)
}

// newTestServerDSN is newTestServerTB on the store dsn names.
func newTestServerDSN(t testing.TB, dsn string, configure func(*Config, store.Store)) *testServer {
	t.Helper()
	ctx := context.Background()
	ts := &testServer{t: t, served: make(chan error, 1)}
	db := storetest.OpenDSN(t, dsn, backend.Options{BusyTimeout: 300 * time.Millisecond})
	ts.db, ts.path = db, dsn
	tok, err := bccaddr.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.CreateCompany("Acme", "", "bcc.acme.example"); err != nil {
			return err
		}
		u, err := tx.CreateUser(annAddr, "Ann Seller")
		if err != nil {
			return err
		}
		if err := tx.UpdateSettings(u.ID, store.Settings{AutoLink: true}); err != nil {
			return err
		}
		p := &store.Person{Name: "Bob Buyer", Emails: []string{"bob@customer.example"}}
		if err := tx.CreatePerson(p); err != nil {
			return err
		}
		return tx.CreateItem(&store.Item{Kind: store.KindDeal, Title: "Widgets", PersonID: p.ID, Token: tok})
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.dealAddr = bccaddr.Address("acme", "bcc.acme.example", bccaddr.Target{Kind: bccaddr.Deal, Token: tok})
	in := ingest.New(ingest.Options{Store: db, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourcePipe, DirectoryTTL: time.Second})
	cfg := Config{Ingester: in, Hostname: "lmtp.test", Log: NewMaillog(ts), ErrorLog: NewMaillog(ts)}
	if configure != nil {
		configure(&cfg, db)
	}
	ts.srv = New(cfg)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	go func() { ts.served <- ts.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ts.srv.Shutdown(ctx)
	})
	return ts
}

// client is an LMTP client after LHLO.
func (ts *testServer) client() *smtp.Client {
	ts.t.Helper()
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		ts.t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	if err := c.Hello("postfix.test"); err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { c.Close() })
	return c
}

// replies is one line per recipient: "250 2.0.0" or the error's code.
type replies map[string]string

// deliver sends raw to rcpts and returns each recipient's reply.
func (ts *testServer) deliver(c *smtp.Client, from string, rcpts []string, raw []byte) (replies, error) {
	if err := c.Mail(from, nil); err != nil {
		return nil, err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return nil, err
		}
	}
	w, err := c.Data()
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	resp, err := w.CloseWithLMTPResponse()
	out := replies{}
	for r := range resp {
		out[r] = "250 2.0.0"
	}
	if lerr, ok := err.(smtp.LMTPDataError); ok {
		for r, e := range lerr {
			out[r] = fmt.Sprintf("%d %d.%d.%d", e.Code, e.EnhancedCode[0], e.EnhancedCode[1], e.EnhancedCode[2])
		}
		err = nil
	}
	return out, err
}

func annMail(id string, extra ...string) []byte {
	h := []string{"From: Ann Seller <ann@acme.example>", "To: Bob Buyer <bob@customer.example>",
		"Subject: Widgets", "Date: Mon, 02 Nov 2026 09:00:00 +0000", "Message-ID: <" + id + ">"}
	h = append(h, extra...)
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\nHello Bob\r\n")
}

func strangerMail(id string) []byte {
	return []byte("From: Mallory <mallory@elsewhere.example>\r\nTo: bob@customer.example\r\nSubject: Hi\r\n" +
		"Date: Mon, 02 Nov 2026 09:00:00 +0000\r\nMessage-ID: <" + id + ">\r\n\r\nx\r\n")
}

// stored counts the messages with this Message-ID and their links.
func (ts *testServer) stored(msgID string) (n int, links int) {
	ts.t.Helper()
	err := ts.db.View(context.Background(), func(tx store.Tx) error {
		msgs, err := tx.ListMessages(store.MessageQuery{Limit: 1000})
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.MessageID == msgID {
				n++
				ls, err := tx.Links(m.ID)
				if err != nil {
					return err
				}
				for _, l := range ls {
					if l.Kind != store.KindPerson {
						links++
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		ts.t.Fatal(err)
	}
	return n, links
}

func (ts *testServer) rejections() []store.Rejection {
	ts.t.Helper()
	var rs []store.Rejection
	err := ts.db.View(context.Background(), func(tx store.Tx) error {
		var err error
		rs, err = tx.Rejections(time.Time{})
		return err
	})
	if err != nil {
		ts.t.Fatal(err)
	}
	return rs
}

// rawConn is a line-level client for dialog tests.
type rawConn struct {
	t testing.TB
	c net.Conn
	r *bufio.Reader
}

func (ts *testServer) raw() *rawConn {
	ts.t.Helper()
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { c.Close() })
	return &rawConn{t: ts.t, c: c, r: bufio.NewReader(c)}
}

func (rc *rawConn) send(s string) {
	rc.t.Helper()
	if _, err := rc.c.Write([]byte(s)); err != nil {
		rc.t.Fatalf("write %q: %v", s, err)
	}
}

// line reads one reply line (without CRLF); "" at EOF.
func (rc *rawConn) line(timeout time.Duration) string {
	rc.t.Helper()
	_ = rc.c.SetReadDeadline(time.Now().Add(timeout))
	l, err := rc.r.ReadString('\n')
	if err != nil && l == "" {
		return ""
	}
	return strings.TrimRight(l, "\r\n")
}

// reply reads a whole (possibly multi-line) reply and returns its last line.
func (rc *rawConn) reply(timeout time.Duration) string {
	rc.t.Helper()
	for {
		l := rc.line(timeout)
		if len(l) < 4 || l[3] != '-' {
			return l
		}
	}
}
