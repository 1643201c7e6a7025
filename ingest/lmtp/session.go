package lmtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

// session is one LMTP connection's transaction state. MAIL and RCPT only
// record the envelope: an unknown Bcc token is never refused at RCPT time,
// so that guessing reveals nothing, just as with the pipe. Everything is
// decided after DATA, by the same code as a pipe delivery.
type session struct {
	s     *Server
	c     *conn
	from  string
	mail  bool
	rcpts []string
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	wc, ok := c.Conn().(*conn)
	if !ok {
		return nil, errors.New("connection not accepted through the server's listener")
	}
	return &session{s: s, c: wc}, nil
}

// errNoChunking answers BDAT: a command the server does not offer
// (RFC 3030 forbids it unannounced), permanent as for any such command.
var errNoChunking = &smtp.SMTPError{Code: 502, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "BDAT not offered, use DATA"}

var errShuttingDown = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, try again later"}

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	if ss.s.shutting.Load() {
		return errShuttingDown
	}
	ss.c.idle.Store(false)
	ss.c.body.Store(false)
	ss.from, ss.mail, ss.rcpts = from, true, ss.rcpts[:0]
	return nil
}

func (ss *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.mail, ss.rcpts = "", false, nil
	ss.c.idle.Store(true)
	ss.c.body.Store(false)
}

func (ss *session) Logout() error {
	ss.c.idle.Store(true)
	return nil
}

// Data is SMTP's; an LMTP server calls LMTPData.
func (ss *session) Data(r io.Reader) error {
	return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Use LMTP"}
}

// LMTPData reads the message, decides it once for all its recipients and
// answers each recipient from the disposition table after the commit.
func (ss *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	if _, chunked := r.(*io.PipeReader); chunked {
		// BDAT, which the server does not announce (see conn.Write).
		// Returned at once, before anything is read or recorded: go-smtp
		// answers it for the chunk, or for each recipient after an empty
		// last one, and discards the chunk.
		ss.s.cfg.Log.Printf("session=%d BDAT refused: CHUNKING is not offered, the client must use DATA", ss.c.id)
		return errNoChunking
	}
	// From here to the Reset after the data, lines may be of any length.
	ss.c.body.Store(true)
	s := ss.s
	start := time.Now()
	rcpts := append([]string(nil), ss.rcpts...)
	answer := func(disp func(i int) ingest.Disposition, r ingest.Result, queueID string) {
		el := time.Since(start)
		s.cfg.Metrics.DeliveryDuration.Observe(el.Seconds())
		for i, rc := range rcpts {
			d := disp(i)
			s.cfg.Metrics.Deliveries.WithLabelValues(d.Status, d.Reason).Inc()
			s.cfg.Log.Delivery(ss.c.id, queueID, ss.from, rc, r, d, el)
			status.SetStatus(rc, reply(d))
		}
	}
	failAll := func(d ingest.Disposition, queueID string) error {
		answer(func(int) ingest.Disposition { return d }, ingest.Result{}, queueID)
		return nil
	}

	if !s.enter() {
		_, _ = io.Copy(io.Discard, r)
		return failAll(ingest.DisposeFailure(&ingest.TempError{Code: "4.3.2", Err: errors.New("shutting down")}), "")
	}
	defer s.leave()

	_ = ss.c.SetReadDeadline(time.Now().Add(s.cfg.DataTimeout))
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.DataTimeout+s.cfg.DeliveryTimeout)
	defer cancel()
	raw, held, err := s.readMessage(ctx, r)
	defer func() { s.budget.give(held) }()
	if err != nil {
		var se *smtp.SMTPError
		switch {
		case errors.As(err, &se) && se == smtp.ErrDataTooLarge:
			return failAll(ingest.DisposeTooLarge(), "")
		case errors.Is(err, errNoRoom):
			return failAll(ingest.DisposeFailure(&ingest.TempError{Code: "4.3.1", Err: err}), "")
		default:
			// Timeout or the client went away: nothing was stored.
			return failAll(ingest.DisposeFailure(&ingest.TempError{Code: "4.4.2", Err: fmt.Errorf("reading the message: %w", err)}), "")
		}
	}

	ctx, cancelDelivery := context.WithTimeout(context.Background(), s.cfg.DeliveryTimeout)
	defer cancelDelivery()
	env := store.Envelope{Sender: ss.from, Recipients: rcpts}
	if s.cfg.ClientFromReceived {
		rc := topReceived(raw)
		env.ClientIP, env.Helo, env.QueueID = rc.IP, rc.Helo, rc.QueueID
	} else {
		env.QueueID = topReceived(raw).QueueID
	}
	// Parsing needs several times the message's size: take room for it
	// before, so that many large messages cannot be parsed at once.
	if more := prepareCharge(len(raw)) - held; more > 0 {
		if !s.budget.take(ctx, more) {
			return failAll(ingest.DisposeFailure(&ingest.TempError{Code: "4.3.1", Err: errNoRoom}), env.QueueID)
		}
		held += more
	}
	d := ingest.Delivery{Raw: raw, Envelope: env, NullSender: ss.from == "",
		Origin: "lmtp session " + strconv.FormatUint(ss.c.id, 10), Size: int64(len(raw))}
	p, err := s.prepareOne(ctx, d)
	if err != nil {
		return failAll(ingest.DisposeFailure(err), env.QueueID)
	}
	done, err := s.committer.submit(p, int64(len(raw)))
	if err != nil {
		return failAll(ingest.DisposeFailure(err), env.QueueID)
	}
	var out commitOutcome
	select {
	case out = <-done:
	case <-ctx.Done():
		// Not answered 250: even if the commit happens after all,
		// Postfix delivers again and the duplicate is found.
		return failAll(ingest.DisposeFailure(&ingest.TempError{Code: "4.4.7",
			Err: fmt.Errorf("not decided within %s", s.cfg.DeliveryTimeout)}), env.QueueID)
	}
	if out.err != nil {
		return failAll(ingest.DisposeFailure(out.err), env.QueueID)
	}
	answer(func(i int) ingest.Disposition { return ingest.DisposeRecipient(out.r, i, s.cfg.Bounce) }, out.r, env.QueueID)
	return nil
}

// prepareOne runs ingest Prepare with at most a few at a time.
func (s *Server) prepareOne(ctx context.Context, d ingest.Delivery) (*ingest.Prepared, error) {
	select {
	case s.prepare <- struct{}{}:
	case <-ctx.Done():
		return nil, &ingest.TempError{Code: "4.4.7", Err: errors.New("timed out waiting to be decided")}
	}
	defer func() { <-s.prepare }()
	return s.cfg.Ingester.Prepare(ctx, d)
}

// reply turns a disposition into the one error type go-smtp does not turn
// into a permanent 554: an unwrapped *smtp.SMTPError.
func reply(d ingest.Disposition) error {
	var ec smtp.EnhancedCode
	for i, part := range strings.SplitN(d.Enhanced, ".", 3) {
		ec[i], _ = strconv.Atoi(part)
	}
	return &smtp.SMTPError{Code: d.Code, EnhancedCode: ec, Message: d.Text}
}

var errNoRoom = errors.New("too many messages in progress")

const readChunk = 64 << 10

// prepareCharge is the room a message of n bytes takes while it is parsed.
func prepareCharge(n int) int64 { return 3 * int64(n) }

// dataLimit is go-smtp's MaxMessageBytes for messages of at most maxSize
// bytes. Its DATA reader refuses a message the moment it has read its
// limit, before it looks for the end of the data: with the limit at
// maxSize, a message of exactly maxSize bytes, which the pipe and the
// archive readers take, got a permanent 552. One byte more accepts it and
// still refuses every larger one. go-smtp announces its limit as SIZE, so
// SIZE says one byte more than --max-size: a message of that very size
// passes MAIL FROM and is refused after its data, as too large for
// --max-size, instead of a message the limit allows being refused.
func dataLimit(maxSize int64) int64 { return maxSize + 1 }

// readMessage reads one DATA into memory, taking room from the budget as
// it goes; held is the room taken. The size limit is go-smtp's (dataLimit),
// announced as SIZE. A message that finds no room is read to its end (the
// client must get its replies after the data) and refused for now.
func (s *Server) readMessage(ctx context.Context, r io.Reader) (raw []byte, held int64, err error) {
	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	buf := make([]byte, 0, 4096)
	if !s.budget.take(wait, int64(cap(buf))) {
		_, _ = io.Copy(io.Discard, r)
		return nil, 0, errNoRoom
	}
	held = int64(cap(buf))
	for {
		if len(buf) == cap(buf) {
			// go-smtp stops at dataLimit: room for one byte more lets
			// the reader report it.
			n := min(max(2*cap(buf), cap(buf)+readChunk), int(dataLimit(s.cfg.MaxSize))+1)
			if n <= cap(buf) {
				n = cap(buf) + readChunk
			}
			if !s.budget.take(wait, int64(n-cap(buf))) {
				_, _ = io.Copy(io.Discard, r)
				return nil, held, errNoRoom
			}
			held += int64(n - cap(buf))
			nb := make([]byte, len(buf), n)
			copy(nb, buf)
			buf = nb
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, held, nil
		}
		if err != nil {
			return nil, held, err
		}
	}
}

// enter registers a delivery in progress; false once the server is done.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return false
	}
	s.inflight++
	return true
}

func (s *Server) leave() {
	s.mu.Lock()
	s.inflight--
	if s.inflight == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// waitDeliveries blocks new deliveries and waits for those in progress.
func (s *Server) waitDeliveries() {
	s.mu.Lock()
	s.done = true
	for s.inflight > 0 {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// clientAddr is for logs.
func clientAddr(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil && a.String() != "" && a.String() != "@" {
		return a.String()
	}
	return "local"
}
