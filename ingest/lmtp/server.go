// Package lmtp is smartbcc's delivery server: an LMTP server (RFC 2033)
// that Postfix's lmtp(8) client delivers the Bcc domain to, for companies
// whose mail volume makes one process per delivery (the pipe transport)
// too slow.
//
// A delivery takes the same path as a pipe delivery: ingest Prepare (parse,
// recipients, sender, authentication) on the session's goroutine, then
// ingest Commit. Commits are grouped: whatever deliveries are waiting while
// one commit runs go into the next store transaction together, so that many
// deliveries share one fsync. Every recipient is answered from the
// disposition table (ingest/disposition.go) and only after the commit
// that stored its message returned: never 250 before the data is durable.
package lmtp

import (
	"context"
	"errors"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/smartbcc/smartbcc/ingest"
)

// Defaults of Config.
const (
	DefaultMaxSessions     = 64
	DefaultMaxRecipients   = 50
	DefaultCommandTimeout  = 5 * time.Minute
	DefaultDataTimeout     = 10 * time.Minute
	DefaultSessionTimeout  = 30 * time.Minute
	DefaultDeliveryTimeout = 2 * time.Minute
	DefaultBatchSize       = 256
	DefaultBatchBytes      = 16 << 20
)

// Config configures a Server. The zero value of every limit means its
// default; no limit can be switched off.
type Config struct {
	// Ingester decides and stores every delivery.
	Ingester *ingest.Ingester
	// Bounce answers unknown recipients and refused senders with 5xx, as
	// `ingest --bounce` exits 67 and 77; otherwise they get 250 and the
	// refusal is recorded.
	Bounce bool
	// Hostname is the name in the greeting.
	Hostname string
	// MaxSize is the largest message, announced as SIZE and enforced
	// while reading; default ingest.DefaultMaxSize.
	MaxSize int64
	// MaxRecipients per transaction (Postfix's
	// lmtp_destination_recipient_limit must not be larger).
	MaxRecipients int
	// MaxSessions open at once; more are answered 421 and closed.
	MaxSessions int
	// CommandTimeout is how long the server waits for a command line
	// (and for a reply to be written).
	CommandTimeout time.Duration
	// DataTimeout is how long the whole message of one DATA may take.
	DataTimeout time.Duration
	// SessionTimeout is the longest a connection may stay open.
	SessionTimeout time.Duration
	// DeliveryTimeout bounds deciding and storing one delivery after its
	// DATA was read; past it the recipients get 451 4.4.7.
	DeliveryTimeout time.Duration
	// MaxInflight bounds the bytes of messages held at once (being read,
	// decided or waiting for their commit), whatever the clients send;
	// default four times MaxSize. A delivery that cannot get room in time
	// is answered 451 4.3.1.
	MaxInflight int64
	// BatchSize and BatchBytes cap one commit group.
	BatchSize  int
	BatchBytes int64
	// ClientFromReceived takes the SMTP client address and HELO name
	// (for SPF) from the topmost Received: header, the one the local
	// Postfix prepends; see received.go.
	ClientFromReceived bool
	// Log gets one line per recipient (nil: none).
	Log *Maillog
	// Metrics, if set, are updated.
	Metrics *Metrics
	// ErrorLog gets go-smtp's and the server's own errors.
	ErrorLog smtp.Logger

	// beforeCommit, for tests, runs before each group commit.
	beforeCommit func(n int)
}

func (c *Config) defaults() {
	if c.MaxSize <= 0 {
		c.MaxSize = ingest.DefaultMaxSize
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = DefaultMaxRecipients
	}
	if c.MaxSessions <= 0 {
		c.MaxSessions = DefaultMaxSessions
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	if c.DataTimeout <= 0 {
		c.DataTimeout = DefaultDataTimeout
	}
	if c.SessionTimeout <= 0 {
		c.SessionTimeout = DefaultSessionTimeout
	}
	if c.DeliveryTimeout <= 0 {
		c.DeliveryTimeout = DefaultDeliveryTimeout
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = 4 * c.MaxSize
	}
	// A message of the largest size must always fit, parse included.
	if min := prepareCharge(int(c.MaxSize)) + readChunk; c.MaxInflight < min {
		c.MaxInflight = min
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.BatchBytes <= 0 {
		c.BatchBytes = DefaultBatchBytes
	}
	if c.Hostname == "" {
		c.Hostname = "localhost"
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
}

// Server is an LMTP server delivering into one store.
type Server struct {
	cfg       Config
	srv       *smtp.Server
	committer *committer
	budget    *budget
	prepare   chan struct{} // bounds concurrent Prepare calls

	shutting atomic.Bool
	nextID   atomic.Uint64

	mu    sync.Mutex
	conns map[*conn]struct{}
	// inflight counts deliveries between DATA and their answer; done is
	// set when Shutdown waits for them (idle is signalled at zero).
	inflight int
	done     bool
	idle     *sync.Cond
}

// maxLineLength bounds a command line, which go-smtp holds whole while
// it reads it. It does not bound the lines of a message: RFC 5321 allows
// 1,000 octets, but mail from generators of HTML has far longer lines,
// which Postfix's own SMTP server takes and the pipe stores, so a line of
// any length (within MaxSize) is taken as the pipe takes it. go-smtp
// would apply its one MaxLineLength to both and end the session inside
// the data: the client, told to try again later (4.4.2), tried a message
// that could never pass until it expired. go-smtp's own limit is off
// (MaxLineLength 0); conn.Read applies this one outside DATA (see
// conn.body).
const maxLineLength = 64 << 10

// New makes a server; Serve starts it.
func New(cfg Config) *Server {
	cfg.defaults()
	s := &Server{cfg: cfg, conns: map[*conn]struct{}{}, budget: newBudget(cfg.MaxInflight)}
	s.idle = sync.NewCond(&s.mu)
	// Parsing is CPU work and DNS is waiting: a few per core keeps the
	// cores busy without holding many parsed messages at once.
	s.prepare = make(chan struct{}, 4*runtime.GOMAXPROCS(0))
	s.committer = newCommitter(cfg.Ingester, cfg.BatchSize, cfg.BatchBytes, cfg.DeliveryTimeout, cfg.Metrics, cfg.beforeCommit)
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.LMTP = true
	srv.Domain = cfg.Hostname
	srv.MaxMessageBytes = dataLimit(cfg.MaxSize)
	srv.MaxRecipients = cfg.MaxRecipients
	// Postfix (smtputf8_enable = yes, its default) bounces a message that
	// came with SMTPUTF8 and holds UTF-8 in its header or envelope when
	// the next hop does not announce SMTPUTF8; the pipe takes the same
	// message. Nothing here depends on the addresses being ASCII: they
	// are recorded, and decided after DATA by the same code as the pipe's.
	srv.EnableSMTPUTF8 = true
	srv.ReadTimeout = cfg.CommandTimeout
	srv.WriteTimeout = cfg.CommandTimeout
	// No line limit of go-smtp's: conn applies maxLineLength to command
	// lines only.
	srv.MaxLineLength = 0
	if cfg.ErrorLog != nil {
		srv.ErrorLog = cfg.ErrorLog
	}
	s.srv = srv
	return s
}

// Serve accepts connections on l until Shutdown. It returns nil after a
// Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.srv.Serve(&listener{Listener: l, s: s})
	if s.shutting.Load() {
		return nil
	}
	return err
}

// Shutdown stops accepting connections, lets the deliveries in progress
// finish and be answered, and closes idle connections (a new transaction
// gets 421 4.3.2). When ctx ends first, the remaining connections are cut:
// a delivery stored but not answered is delivered again by Postfix and
// found a duplicate. The committer stops after the last session.
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutting.Store(true)
	s.mu.Lock()
	for c := range s.conns {
		c.wakeIfIdle()
	}
	s.mu.Unlock()
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		// Grace is over: cut every connection still open.
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Conn.SetDeadline(time.Now())
			_ = c.Conn.Close()
		}
		s.mu.Unlock()
	}
	// Deliveries waiting for a commit return when it is done; then
	// nothing can submit any more.
	s.waitDeliveries()
	s.committer.close()
	return err
}

// Closing reports whether Shutdown has begun (for /healthz).
func (s *Server) Closing() bool { return s.shutting.Load() }

func (s *Server) track(c *conn) {
	s.mu.Lock()
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	s.cfg.Metrics.Sessions.Inc()
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	_, ok := s.conns[c]
	delete(s.conns, c)
	s.mu.Unlock()
	if ok {
		s.cfg.Metrics.Sessions.Dec()
	}
}

func (s *Server) sessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
