package lmtp

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// listener applies the session limits go-smtp does not have: at most
// MaxSessions connections (the next ones are told 421 and closed, and
// Postfix tries again later), a whole-session deadline, and a register of
// the connections so that Shutdown can close idle ones and, after the
// grace period, cut the rest (go-smtp's Shutdown only waits for them).
type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		s := l.s
		if s.shutting.Load() {
			go refuse(c, "421 4.3.2 Shutting down, try again later\r\n")
			continue
		}
		if s.sessionCount() >= s.cfg.MaxSessions {
			s.cfg.Metrics.SessionsRefused.Inc()
			go refuse(c, "421 4.3.2 Too many sessions, try again later\r\n")
			continue
		}
		wc := &conn{Conn: c, s: s, deadline: time.Now().Add(s.cfg.SessionTimeout), id: s.nextID.Add(1)}
		wc.idle.Store(true)
		s.track(wc)
		return wc, nil
	}
}

func refuse(c net.Conn, reply string) {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Write([]byte(reply))
	_ = c.Close()
}

// conn is one client connection. Every deadline go-smtp sets is capped by
// the session's own, and once the server shuts down an idle connection's
// next read times out at once (go-smtp then says 421 and closes).
type conn struct {
	net.Conn
	s        *Server
	id       uint64
	deadline time.Time // end of the session
	// idle is false from MAIL to the end of the transaction.
	idle atomic.Bool
	// body is true from the start of a message's data until the
	// transaction is reset after it (go-smtp resets only once it has
	// read the data to its end): its lines may be of any length.
	body atomic.Bool
	// lineLen is the length of the line being read so far. Reads come
	// from one goroutine at a time (go-smtp reads the data on another one
	// while the session's waits for it).
	lineLen   int
	closeOnce sync.Once
}

// Read applies maxLineLength to the lines of commands, as go-smtp's
// MaxLineLength does (smtp.ErrTooLongLine, which it answers 500 5.4.0 and
// closes), but not to a message's data: see maxLineLength.
func (c *conn) Read(b []byte) (int, error) {
	body := c.body.Load()
	if c.lineLen > maxLineLength && !body {
		return 0, smtp.ErrTooLongLine
	}
	n, err := c.Conn.Read(b)
	for _, ch := range b[:n] {
		if ch == '\n' {
			c.lineLen = 0
			continue
		}
		c.lineLen++
		if c.lineLen > maxLineLength && !body {
			return 0, smtp.ErrTooLongLine
		}
	}
	return n, err
}

// chunkingLine is the LHLO line go-smtp always writes. The server does
// not offer CHUNKING: go-smtp reads BDAT chunks through the command
// line limit (a message line over 64 KB got a permanent 554, where DATA
// takes it), and after a chunk refused or reset it runs the next
// transaction beside the previous one's reading, whose result can answer
// the next message before its commit. A client sends everything with
// DATA instead, the path Postfix uses; nothing is lost (8BITMIME and
// SMTPUTF8 stay, BINARYMIME was never offered). A client that sends BDAT
// anyway is refused (session.LMTPData).
var chunkingLine = []byte("250-CHUNKING\r\n")

// Write drops chunkingLine. go-smtp writes each reply line with a Write
// of its own (textproto flushes every line).
func (c *conn) Write(b []byte) (int, error) {
	if bytes.Equal(b, chunkingLine) {
		return len(b), nil
	}
	return c.Conn.Write(b)
}

func (c *conn) capped(t time.Time) time.Time {
	if t.IsZero() || t.After(c.deadline) {
		return c.deadline
	}
	return t
}

func (c *conn) SetDeadline(t time.Time) error { return c.Conn.SetDeadline(c.capped(t)) }

func (c *conn) SetWriteDeadline(t time.Time) error { return c.Conn.SetWriteDeadline(c.capped(t)) }

func (c *conn) SetReadDeadline(t time.Time) error {
	if c.idle.Load() && c.s.shutting.Load() {
		t = time.Now()
	}
	return c.Conn.SetReadDeadline(c.capped(t))
}

// wakeIfIdle makes a connection that waits for its next command stop
// waiting (Shutdown).
func (c *conn) wakeIfIdle() {
	if c.idle.Load() {
		_ = c.Conn.SetReadDeadline(time.Now())
	}
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() { c.s.untrack(c) })
	return err
}
