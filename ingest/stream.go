package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// One transaction over many batches, for an archive import.
//
// Every COMMIT writes to SQLite's log each page the transaction changed,
// and the indexes keyed by address, Message-ID and duplicate key are
// spread over their whole length: a batch of a few hundred messages
// touches most of their pages. Committed every 4 MB batch, an import of
// the reference corpus (20,000 messages, a 330 MB store) wrote 1.4 GB to
// the log and the database, and its 145 commits were 29% of the writer's
// SQL time (1.8 s). A transaction now lives over several batches instead,
// up to DefaultCommitBytes of raw mail (RunOptions.CommitBytes) or
// streamMaxOpen: 17 commits, 0.43 s.
//
// Each batch runs in a savepoint of the transaction (store.Savepointer):
// a batch that fails is undone alone and its messages are stored one by
// one, each in a savepoint of its own, so one bad message still costs no
// other. A savepoint is not free: SQLite copies each page the batch
// changes to a statement journal first (about 0.6 s of the writer's time
// on the reference corpus). Without savepoints a failed batch could only
// undo the whole transaction, whose earlier batches' raw mail is gone.
// Each batch's raw mail is released once the batch is in the transaction
// and its bytes are in their pack (Within waits for that), as it was once
// committed, so memory does not grow with the transaction.
//
// The price: a temporary failure (disk full) inside the transaction, or
// its COMMIT failing, undoes every batch of it: the run stops there with
// an error that says so, and running the same import again stores what
// is missing (what was committed is a duplicate then). Results are
// reported, and counted, only once committed. Other writers (deliveries)
// wait for the transaction up to streamMaxOpen, well inside the store's
// busy timeout.

const (
	// DefaultCommitBytes is the raw mail a transaction takes before it
	// commits.
	DefaultCommitBytes = 32 << 20
	// streamMaxOpen is how long a transaction stays open before it
	// commits, whatever it holds: other writers wait that long at most.
	streamMaxOpen = time.Second
)

// txStream keeps one write transaction open in a goroutine of its own
// (the store's Update runs a function; the run's writer loop hands it
// batches until it asks for the commit).
type txStream struct {
	in      *Ingester
	ctx     context.Context
	limit   int64            // raw bytes at which the transaction commits
	reqs    chan []*Prepared // nil once no transaction is open
	replies chan stageReply
	done    chan error // Update's result
	opened  time.Time
	bytes   int64
	// commitSoon is set when a staged message asks for an early commit
	// (a confirmation: later mail may depend on it).
	commitSoon bool
}

type stageReply struct {
	results []Result
	err     error
}

// errStreamAborted ends the transaction without committing it.
var errStreamAborted = errors.New("import stopped before its transaction committed")

// newTxStream returns a stream when the store's transactions have
// savepoints, nil otherwise (each batch then commits on its own).
func newTxStream(ctx context.Context, in *Ingester, limit int64) *txStream {
	ok := false
	if err := in.opt.Store.View(ctx, func(tx store.Tx) error {
		_, ok = tx.(store.Savepointer)
		return nil
	}); err != nil || !ok {
		return nil
	}
	return &txStream{in: in, ctx: ctx, limit: limit}
}

// open reports whether a transaction is open.
func (s *txStream) open() bool { return s.reqs != nil }

// full reports whether the open transaction should commit now.
func (s *txStream) full() bool {
	return s.open() && (s.bytes >= s.limit || time.Since(s.opened) >= streamMaxOpen || s.commitSoon)
}

// begin starts a transaction.
func (s *txStream) begin() {
	s.reqs = make(chan []*Prepared)
	s.replies = make(chan stageReply, 1)
	s.done = make(chan error, 1)
	s.opened, s.bytes, s.commitSoon = time.Now(), 0, false
	reqs, replies, done := s.reqs, s.replies, s.done
	go func() {
		done <- s.in.opt.Store.Update(s.ctx, func(tx store.Tx) error {
			sp, ok := tx.(store.Savepointer)
			if !ok {
				return store.Errorf(store.EInternal, "store transaction has no savepoints")
			}
			for {
				var batch []*Prepared
				var more bool
				select {
				case batch, more = <-reqs:
				case <-s.ctx.Done():
					return s.ctx.Err()
				}
				if !more {
					return nil
				}
				if batch == nil {
					return errStreamAborted
				}
				results, err := s.in.stageApart(tx, sp, batch)
				replies <- stageReply{results, err}
				if err != nil {
					return err
				}
			}
		})
	}()
}

// stage runs batch in the open transaction, opening one first if none
// is. A store found busy when the transaction begins is waited for, as
// commitWithRetry does; any other failure of a transaction that holds
// batches already is the run's end.
func (s *txStream) stage(batch []*Prepared, size int64) ([]Result, error) {
	for attempt := 0; ; attempt++ {
		fresh := !s.open()
		if fresh {
			s.begin()
		}
		results, err := s.send(batch)
		if err == nil {
			s.bytes += size
			for _, p := range batch {
				if f := committed(p); f.confirmed || f.confirmedAddress != "" {
					s.commitSoon = true
				}
			}
			return results, nil
		}
		if !fresh || !store.IsTemporary(err) || attempt >= s.in.busyRetries {
			return nil, err
		}
		// Nothing was staged: the batch is still whole.
		if err := waitToRetry(s.ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// send hands batch to the transaction's goroutine and waits for it. On
// an error the transaction is over (rolled back).
func (s *txStream) send(batch []*Prepared) ([]Result, error) {
	select {
	case s.reqs <- batch:
	case err := <-s.done:
		s.reqs = nil
		if err == nil {
			err = store.Errorf(store.EInternal, "transaction ended before its batch")
		}
		return nil, err
	}
	r := <-s.replies
	if r.err != nil {
		err := <-s.done // rolled back
		s.reqs = nil
		if err == nil {
			err = r.err
		}
		return nil, err
	}
	return r.results, nil
}

// commit commits the open transaction, if any.
func (s *txStream) commit() error {
	if !s.open() {
		return nil
	}
	close(s.reqs)
	s.reqs = nil
	return <-s.done
}

// abort rolls the open transaction back, if any.
func (s *txStream) abort() {
	if !s.open() {
		return
	}
	select {
	case s.reqs <- nil:
	case <-s.done:
		s.reqs = nil
		return
	}
	<-s.done
	s.reqs = nil
}

// lostError is the run's error when a transaction holding n messages
// failed: they are not stored, and their raw mail is gone from memory.
func lostError(err error, n int) error {
	if n == 0 {
		return err
	}
	return fmt.Errorf("%w (the last %d message(s) read were not stored: run the same import again to store them; what was stored is skipped as a duplicate)", err, n)
}

// stageApart stages batch in a savepoint of tx. When the batch fails for
// another reason than a temporary one, it is undone and its messages are
// staged one by one, each in a savepoint: the one that fails is refused
// as a store error and the others are kept.
func (in *Ingester) stageApart(tx store.Tx, sp store.Savepointer, batch []*Prepared) ([]Result, error) {
	var results []Result
	err := sp.Within(func() error {
		var err error
		results, err = in.stage(tx, batch)
		return err
	})
	if err == nil {
		return results, nil
	}
	if endsRun(err) {
		return nil, err
	}
	return oneByOne(batch, func(p *Prepared) (one []Result, err error) {
		err = sp.Within(func() error {
			one, err = in.stage(tx, []*Prepared{p})
			return err
		})
		return one, err
	})
}

// oneByOne stores each message of batch on its own with storeOne, after
// the batch as a whole failed: a message the store refuses for another
// reason than a temporary one is refused as a store error, and the
// others are kept. A temporary failure ends it.
func oneByOne(batch []*Prepared, storeOne func(*Prepared) ([]Result, error)) ([]Result, error) {
	results := make([]Result, len(batch))
	for i, p := range batch {
		one, err := storeOne(p)
		if err != nil {
			if endsRun(err) {
				return nil, err
			}
			results[i] = storeErrorResult(p, err)
			continue
		}
		results[i] = one[0]
	}
	return results, nil
}

// endsRun reports a failure that is no message's fault, which setting
// messages apart would not cure: a temporary one, or the run cancelled.
func endsRun(err error) bool {
	return store.IsTemporary(err) || errors.Is(err, context.Canceled)
}

// storeErrorResult is the result of a message the store refused.
func storeErrorResult(p *Prepared, err error) Result {
	r := p.res
	r.Status, r.Reason = StatusRejected, "store_error"
	r.explainf("could not be stored: %v", err)
	return r
}
