package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/smartbcc/smartbcc/ingest/parse"
	"github.com/smartbcc/smartbcc/store"
)

// Source yields deliveries; io.EOF ends it.
type Source interface {
	Next() (*Delivery, error)
}

// RunOptions tune a bulk run.
type RunOptions struct {
	Workers    int   // parse workers; default GOMAXPROCS
	BatchSize  int   // messages per transaction; default 256
	BatchBytes int64 // raw bytes per transaction; default 32 MB
	// OnResult is called in input order, from one goroutine.
	OnResult func(Result)
}

// Summary counts the outcomes of a run.
type Summary struct {
	Total, Stored, Duplicate, Rejected, Quarantined, Confirmed int
	Bytes                                                      int64
}

func (s *Summary) add(r Result, size int64) {
	s.Total++
	s.Bytes += size
	switch r.Status {
	case StatusStored:
		s.Stored++
	case StatusDuplicate:
		s.Duplicate++
	case StatusRejected:
		s.Rejected++
	case StatusQuarantined:
		s.Quarantined++
	case StatusConfirmed:
		s.Confirmed++
	}
}

type slot struct {
	p    *Prepared
	dup  *Result // found duplicate before parsing
	err  error
	size int64
	done chan struct{}
}

// Run processes every delivery of src through a bounded pipeline: one
// reader, parse workers, and one writer that commits batches in input
// order. Memory stays bounded by the queue lengths whatever the archive
// size. It stops at the first error that is not about one message.
func (in *Ingester) Run(ctx context.Context, src Source, opt RunOptions) (Summary, error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 256
	}
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = 32 << 20
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if _, err := in.directory(ctx); err != nil {
		return Summary{}, err
	}

	jobs := make(chan struct {
		d *Delivery
		s *slot
	}, opt.Workers)
	order := make(chan *slot, opt.Workers*4)
	readErr := make(chan error, 1)

	go func() {
		defer close(jobs)
		defer close(order)
		for {
			d, err := src.Next()
			if err == io.EOF {
				readErr <- nil
				return
			}
			if err != nil {
				readErr <- err
				return
			}
			s := &slot{done: make(chan struct{}), size: int64(len(d.Raw))}
			if d.Size > s.size {
				s.size = d.Size
			}
			select {
			case order <- s:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
			select {
			case jobs <- struct {
				d *Delivery
				s *slot
			}{d, s}:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
		}
	}()
	for w := 0; w < opt.Workers; w++ {
		go func() {
			for j := range jobs {
				if r, ok := in.quickDuplicate(ctx, *j.d); ok {
					j.s.dup = &r
				} else {
					j.s.p, j.s.err = in.Prepare(ctx, *j.d)
				}
				close(j.s.done)
			}
		}()
	}

	var sum Summary
	var batch []*slot
	var batchBytes int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var preps []*Prepared
		for _, s := range batch {
			if s.p != nil {
				preps = append(preps, s.p)
			}
		}
		results, err := in.commitWithRetry(ctx, preps)
		if err != nil {
			return err
		}
		i := 0
		for _, s := range batch {
			var r Result
			if s.dup != nil {
				r = *s.dup
			} else {
				r = results[i]
				i++
			}
			sum.add(r, s.size)
			if opt.OnResult != nil {
				opt.OnResult(r)
			}
		}
		batch, batchBytes = batch[:0], 0
		return nil
	}
	for s := range order {
		<-s.done
		if s.err != nil {
			cancel()
			return sum, s.err
		}
		batch = append(batch, s)
		batchBytes += s.size
		if len(batch) >= opt.BatchSize || batchBytes >= opt.BatchBytes || len(order) == 0 {
			if err := flush(); err != nil {
				cancel()
				return sum, err
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	return sum, <-readErr
}

// commitWithRetry commits a batch, waiting out a busy store a few times,
// and isolates a message that makes the batch fail for another reason.
func (in *Ingester) commitWithRetry(ctx context.Context, preps []*Prepared) ([]Result, error) {
	if len(preps) == 0 {
		return nil, nil
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		var results []Result
		results, err = in.Commit(ctx, preps)
		if err == nil {
			return results, nil
		}
		if !store.IsTemporary(err) {
			break
		}
		select {
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if store.IsTemporary(err) || len(preps) == 1 {
		return nil, err
	}
	// One bad message must not cost the others: commit them one by one.
	results := make([]Result, len(preps))
	for i, p := range preps {
		r, err := in.Commit(ctx, []*Prepared{p})
		if err != nil {
			if store.IsTemporary(err) || errors.Is(err, context.Canceled) {
				return nil, err
			}
			r = []Result{p.res}
			r[0].Status, r[0].Reason = StatusRejected, "store_error"
			r[0].explainf("could not be stored: %v", err)
		}
		results[i] = r[0]
	}
	return results, nil
}

// quickDuplicate skips the expensive parse for a message the forced owner
// already has under its Message-ID (re-running an interrupted import).
func (in *Ingester) quickDuplicate(ctx context.Context, d Delivery) (Result, bool) {
	dir, err := in.directory(ctx)
	if err != nil || dir.owner == nil || d.ReadErr != nil {
		return Result{}, false
	}
	h, err := parse.Header(d.Raw)
	if err != nil {
		return Result{}, false
	}
	id := parse.MessageID(h.Get("Message-Id"))
	if id == "" {
		return Result{}, false
	}
	var prev *store.Message
	err = in.opt.Store.View(ctx, func(tx store.Tx) error {
		var err error
		prev, err = tx.MessageByKey(dir.owner.ID, "mid:"+id)
		return err
	})
	if err != nil {
		return Result{}, false
	}
	r := Result{MessageID: id, ID: prev.ID, Status: StatusDuplicate, Reason: "already stored", User: dir.owner.Email,
		ThreadID: prev.ThreadID, Shared: prev.Shared, Origin: d.Origin, Links: []LinkOut{}}
	r.explainf("duplicate of message %d found by Message-ID before parsing", prev.ID)
	return r, true
}

var _ = fmt.Sprintf
