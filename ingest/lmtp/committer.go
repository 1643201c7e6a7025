package lmtp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

// committer is the group commit. One goroutine takes whatever deliveries
// queued up while the previous commit ran (up to batchSize messages and
// batchBytes bytes) and stores them in one transaction, so that they share
// one fsync. There is no timer: a lone delivery is committed at once, and
// groups form by themselves under load. Each delivery learns its own
// outcome only after the commit returned.
type committer struct {
	in         *ingest.Ingester
	batchSize  int
	batchBytes int64
	metrics    *Metrics
	before     func(n int)
	// timeout bounds one commit (Config.DeliveryTimeout).
	timeout time.Duration

	queue   chan *commitRequest
	mu      sync.Mutex
	closed  bool
	stopped chan struct{}
}

type commitRequest struct {
	p    *ingest.Prepared
	size int64
	done chan commitOutcome // buffered: the committer never waits for a session
}

type commitOutcome struct {
	r   ingest.Result
	err error // temporary or a bug: the delivery is answered 451
}

func newCommitter(in *ingest.Ingester, batchSize int, batchBytes int64, timeout time.Duration, m *Metrics, before func(int)) *committer {
	c := &committer{in: in, batchSize: batchSize, batchBytes: batchBytes, timeout: timeout, metrics: m, before: before,
		queue: make(chan *commitRequest, batchSize), stopped: make(chan struct{})}
	go c.run()
	return c
}

// submit queues p and returns the channel its outcome arrives on. It
// fails only when the committer is closed.
func (c *committer) submit(p *ingest.Prepared, size int64) (<-chan commitOutcome, error) {
	req := &commitRequest{p: p, size: size, done: make(chan commitOutcome, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, &ingest.TempError{Code: "4.3.2", Err: errors.New("shutting down")}
	}
	c.queue <- req
	return req.done, nil
}

// close stops the committer after the queued deliveries are committed.
func (c *committer) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.queue)
	}
	c.mu.Unlock()
	<-c.stopped
}

func (c *committer) run() {
	defer close(c.stopped)
	var group []*commitRequest
	for {
		req, ok := <-c.queue
		if !ok {
			return
		}
		group = append(group[:0], req)
		bytes := req.size
	more:
		for len(group) < c.batchSize && bytes < c.batchBytes {
			select {
			case req, ok := <-c.queue:
				if !ok {
					break more
				}
				group = append(group, req)
				bytes += req.size
			default:
				break more
			}
		}
		c.commit(group)
		clear(group)
	}
}

// commit stores a group in one transaction. When the group fails for a
// reason that is not temporary, the deliveries are committed one at a
// time, so that one bad delivery costs only itself; the one that still
// fails is answered 451 (the pipe exits 75 for it), never refused.
func (c *committer) commit(group []*commitRequest) {
	if c.before != nil {
		c.before(len(group))
	}
	preps := make([]*ingest.Prepared, len(group))
	for i, r := range group {
		preps[i] = r.p
	}
	results, err := c.commitOnce(preps)
	if err == nil {
		for i, r := range group {
			r.done <- commitOutcome{r: results[i]}
		}
		return
	}
	if store.IsTemporary(err) || len(group) == 1 {
		for _, r := range group {
			r.done <- commitOutcome{err: err}
		}
		return
	}
	for _, r := range group {
		res, err := c.commitOnce([]*ingest.Prepared{r.p})
		if err != nil {
			r.done <- commitOutcome{err: err}
			continue
		}
		r.done <- commitOutcome{r: res[0]}
	}
}

func (c *committer) commitOnce(preps []*ingest.Prepared) (results []ingest.Result, err error) {
	defer func() {
		// A bug in one commit must not stop the committer: the group is
		// answered 451 and Postfix tries again.
		if r := recover(); r != nil {
			results, err = nil, &ingest.TempError{Code: "4.3.0", Err: fmt.Errorf("internal error while committing: %v", r)}
		}
	}()
	start := time.Now()
	// Not a session's context: one delivery's timeout must not abort the
	// transaction of the others. But a deadline of its own: a database
	// host that vanished without closing the connection (powered off, a
	// failover that moved its address) leaves a statement waiting until
	// TCP gives up, minutes later; the committer would wait that long,
	// every delivery meanwhile answered 451 though the database was back
	// on a new connection. Past the delivery timeout every delivery of
	// the group has been answered 451 anyway; cancelled, the connection
	// is closed and nothing of the transaction is committed, or, cut
	// while committing, its outcome is unknown and the retry finds the
	// duplicate.
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	results, err = c.in.Commit(ctx, preps)
	el := time.Since(start).Seconds()
	c.metrics.CommitDuration.Observe(el)
	c.metrics.CommitBatch.Observe(float64(len(preps)))
	switch store.ErrorCode(err) {
	case store.EBusy:
		c.metrics.StoreBusy.Inc()
		c.metrics.StoreBusySeconds.Add(el)
	case store.EUnavailable:
		c.metrics.StoreUnavailable.Inc()
	}
	return results, err
}
