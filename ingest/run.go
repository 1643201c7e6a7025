package ingest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/smartbcc/smartbcc/store"
)

// Source yields deliveries; io.EOF ends it.
type Source interface {
	Next() (*Delivery, error)
}

// Defaults of RunOptions.
const (
	defaultBatchSize  = 256
	defaultBatchBytes = 4 << 20
	// defaultBatchDelay is how long a batch that is not full waits for
	// more messages before it is committed anyway (a slow source).
	defaultBatchDelay = 250 * time.Millisecond
	// defaultMemoryLimit is RunOptions.MemoryLimit's default.
	defaultMemoryLimit = 48 << 20
)

// workerNice is the niceness of an archive import's parse worker threads.
//
// The writer is the import's one serial stage. With one P more than the
// workers (see Run) the kernel shares the cores evenly among the writer
// and the workers, and the workers, which have less to do per message,
// run ahead until the queue is full and then wait, leaving a core idle
// while the writer, which had only its share of a core before, catches
// up. At a lower priority the workers get what the writer leaves: it then
// runs at the speed of a core of its own, and they fill the other.
// Measured on 2 cores (reference corpus, 20,000 messages, 12 runs each,
// taking turns, on a noisy host): median wall 9.67 -> 9.20 s, faster in
// 9 of the 12 pairs. 10 rather than 19 (which did as well in 3 runs)
// leaves the workers a real share beside other busy processes.
const workerNice = 10

// RunOptions tune a bulk run.
type RunOptions struct {
	Workers    int   // parse workers; default GOMAXPROCS
	BatchSize  int   // messages per transaction; default 256
	BatchBytes int64 // raw bytes per transaction; default 4 MB
	// CommitBytes is how much raw mail an archive import's transaction
	// takes over its batches before it commits (see stream.go); default
	// DefaultCommitBytes.
	CommitBytes int64
	// InflightBytes bounds the raw bytes read but not yet committed
	// (queued, being parsed, waiting in the batch); default three
	// batches. A single larger message is still let through, alone.
	InflightBytes int64
	// OnResult is called in input order, from one goroutine.
	OnResult func(Result)
	// MemoryLimit is the Go heap's soft limit while an archive import
	// (Source import) runs: the collector then works harder rather than
	// let the heap grow to twice what is live, which keeps the process
	// well under 100 MB on any archive. 0 means 48 MB; negative leaves the
	// limit alone, as does GOMEMLIMIT when it is set.
	MemoryLimit int64
	// BusyRetries is how often a batch that found the store busy is tried
	// again after the store's own busy timeout. A pipe delivery sets none:
	// Postfix retries it later, and its time limit is better spent there.
	BusyRetries int
}

// Summary counts the outcomes of a run. Every input the readers met (a
// message, or a file or piece of an archive that was skipped) is counted
// once in Total and once in exactly one outcome:
//
//	Total = Stored + Duplicate + Rejected + Quarantined + Confirmed + Skipped
//
// Rejected is broken down by reason in Refused, Skipped by cause in
// SkippedBy; Unaccounted checks all three equations. Duplicate counts only
// deliveries of the same content (see Message.DedupKey).
type Summary struct {
	Total, Stored, Duplicate, Rejected, Quarantined, Confirmed, Skipped int
	Bytes                                                               int64

	Refused   map[string]int // Rejected by reason (auth_failed, bulk...)
	SkippedBy map[string]int // Skipped by cause (mailfile.Skip*)
	// Suspects counts messages that may be several messages glued
	// together (Delivery.Suspect): a problem of the run, whatever
	// happened to the message.
	Suspects int
	// Reused counts stored messages whose Message-ID another message of
	// the same owner has, with other content (ReasonMessageIDReused):
	// stored, and reported.
	Reused int

	// Named: the first few inputs of each kind of problem, so that a
	// summary can name them (the counts above are complete).
	SkippedNames map[string][]string // origins, by cause
	SuspectNames []string            // origins of Suspects
	ReusedNames  []string            // origins of Reused

	// Unread are the inputs that an error the system reported (a failing
	// disk, a permission) left unread, each named: not in Total, and
	// recorded nowhere, since they may read fine next time. Run goes on
	// with the other inputs and then returns an *UnreadError.
	Unread []UnreadInput
}

// UnreadInput is an input a read error the system reported left unread:
// a file, a directory, or the rest of an mbox from where it failed.
type UnreadInput struct {
	Origin string
	Err    error
}

// UnreadError ends a Run that read every input but Summary.Unread. It is
// temporary (IsTemporary): the pipe exits 75, and an import run again
// reads them, what was stored before being found a duplicate.
type UnreadError struct {
	Inputs []UnreadInput
	first  error // the first one's TempError
}

func (e *UnreadError) Error() string {
	if len(e.Inputs) == 1 {
		return e.first.Error()
	}
	return fmt.Sprintf("%d inputs not read, the first: %v", len(e.Inputs), e.first)
}

func (e *UnreadError) Unwrap() error { return e.first }

// maxNamed is how many inputs a Summary names per kind of problem.
const maxNamed = 10

func (s *Summary) add(r Result, d *Delivery, size int64) {
	s.Total++
	s.Bytes += size
	switch r.Status {
	case StatusStored:
		s.Stored++
		if r.Reason == ReasonMessageIDReused {
			s.Reused++
			if len(s.ReusedNames) < maxNamed {
				s.ReusedNames = append(s.ReusedNames, r.Origin)
			}
		}
	case StatusDuplicate:
		s.Duplicate++
	case StatusRejected:
		s.Rejected++
		if s.Refused == nil {
			s.Refused = map[string]int{}
		}
		s.Refused[r.Reason]++
	case StatusQuarantined:
		s.Quarantined++
	case StatusConfirmed:
		s.Confirmed++
	case StatusSkipped:
		s.Skipped++
		if s.SkippedBy == nil {
			s.SkippedBy, s.SkippedNames = map[string]int{}, map[string][]string{}
		}
		s.SkippedBy[r.Reason]++
		if len(s.SkippedNames[r.Reason]) < maxNamed {
			s.SkippedNames[r.Reason] = append(s.SkippedNames[r.Reason], r.Origin)
		}
	}
	if d != nil && d.Suspect != "" {
		s.Suspects++
		if len(s.SuspectNames) < maxNamed {
			s.SuspectNames = append(s.SuspectNames, d.Origin)
		}
	}
}

// Unaccounted returns how many inputs the outcomes do not account for
// (or account for twice): 0 when Total is the sum of the outcomes,
// Rejected the sum of Refused and Skipped the sum of SkippedBy.
func (s Summary) Unaccounted() int {
	abs := func(n int) int { return max(n, -n) }
	refused, skipped := 0, 0
	for _, c := range s.Refused {
		refused += c
	}
	for _, c := range s.SkippedBy {
		skipped += c
	}
	return abs(s.Total-(s.Stored+s.Duplicate+s.Rejected+s.Quarantined+s.Confirmed+s.Skipped)) +
		abs(s.Rejected-refused) + abs(s.Skipped-skipped)
}

type slot struct {
	d    *Delivery
	p    *Prepared
	dup  *Result // found duplicate before parsing
	err  error
	size int64
	done chan struct{}
}

// Run processes every delivery of src through a bounded pipeline: one
// reader, parse workers, and one writer (the caller's goroutine) that
// commits batches in input order while the workers parse the next ones.
// Memory stays bounded by InflightBytes and the queue lengths whatever
// the archive size. It stops at the first error that is not about one
// message.
func (in *Ingester) Run(ctx context.Context, src Source, opt RunOptions) (Summary, error) {
	in.busyRetries = opt.BusyRetries
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = defaultBatchSize
	}
	if opt.BatchBytes <= 0 {
		opt.BatchBytes = defaultBatchBytes
	}
	if opt.InflightBytes <= 0 {
		opt.InflightBytes = 3 * opt.BatchBytes
	}
	if opt.MemoryLimit == 0 {
		opt.MemoryLimit = defaultMemoryLimit
	}
	if prev := debug.SetMemoryLimit(-1); in.opt.Source == store.SourceImport && opt.MemoryLimit > 0 && prev == math.MaxInt64 {
		debug.SetMemoryLimit(opt.MemoryLimit)
		defer debug.SetMemoryLimit(prev)
	}
	// The writer is the one serial stage of an archive import, and it
	// spends most of its time in SQLite: whenever one of its calls into C
	// lasts more than 20 µs, Go's scheduler hands its P (the right to run
	// Go code) to a parse worker, and on return the writer waits for a P,
	// up to a worker's whole time slice, while its next statement could
	// run. Measured on 2 cores (reference corpus, 20,000 messages): the
	// writer was inside its commits 13.6 s of a 13.8 s import and waited
	// for parse results 0.14 s, for about 9 s of CPU. One P more than the
	// workers leaves the writer one of its own, and the kernel shares the
	// cores among the threads: 11.3 -> 10.0 s on a quiet machine, 15.1 ->
	// 10.6 s and 27.6 -> 20.4 s beside another process's load, for 4-7%
	// more CPU (more switching). A GOMAXPROCS the user set is left alone.
	if procs := runtime.GOMAXPROCS(0); in.opt.Source == store.SourceImport && os.Getenv("GOMAXPROCS") == "" && procs <= opt.Workers {
		runtime.GOMAXPROCS(opt.Workers + 1)
		defer runtime.GOMAXPROCS(procs)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dir, err := in.directory(ctx)
	if err != nil {
		return Summary{}, err
	}
	// The duplicate check before parsing looks in the store only for a
	// message whose key the owner's mail had when the run started.
	var known *knownKeys
	if dir.owner != nil {
		known = in.loadKnownKeys(ctx, dir.owner.ID)
	}

	budget := newByteBudget(opt.InflightBytes)
	jobs := make(chan *slot, opt.Workers)
	// Room for a whole batch: the workers parse the next batch while the
	// writer commits this one. InflightBytes bounds it in bytes.
	order := make(chan *slot, opt.BatchSize)
	readErr := make(chan error, 1)

	go func() {
		defer close(jobs)
		defer close(order)
		// A reader bug on hostile input must end the run with an error the
		// caller turns into 75 (retry), not crash the process with Go's 2.
		defer func() {
			if r := recover(); r != nil {
				readErr <- &TempError{Code: "4.3.0", Err: fmt.Errorf("internal error while reading: %v", r)}
			}
		}()
		for {
			// Read the next message only when there is room for it, so
			// that a large one is not held while others fill the budget.
			if !budget.wait(ctx) {
				readErr <- ctx.Err()
				return
			}
			d, err := src.Next()
			if err == io.EOF {
				readErr <- nil
				return
			}
			if err != nil {
				readErr <- err
				return
			}
			s := &slot{d: d, done: make(chan struct{}), size: int64(len(d.Raw))}
			if d.Size > s.size {
				s.size = d.Size
			}
			budget.add(int64(len(d.Raw)))
			select {
			case order <- s:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
			select {
			case jobs <- s:
			case <-ctx.Done():
				readErr <- ctx.Err()
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for w := 0; w < opt.Workers; w++ {
		workers.Add(1)
		work := func() {
			for {
				var s *slot
				select {
				case s = <-jobs:
				case <-ctx.Done():
					return
				}
				if s == nil {
					return
				}
				if r, key, ok := in.quickDuplicate(ctx, known, *s.d); ok {
					s.dup = &r
				} else {
					s.p, s.err = in.prepare(ctx, *s.d, key)
				}
				close(s.done)
			}
		}
		go func() {
			defer workers.Done()
			if in.opt.Source == store.SourceImport {
				runNiced(work) // see workerNice
			} else {
				work()
			}
		}()
	}
	// On an early return, let the workers wind down before the caller
	// closes the store under them.
	defer func() {
		cancel()
		workers.Wait()
	}()

	var sum Summary
	var batch []*slot
	var batchBytes int64
	// An archive import keeps a transaction open over several batches
	// (stream.go); the results of its batches wait in staged for its
	// commit.
	var stream *txStream
	if in.opt.Source == store.SourceImport && !in.opt.DryRun {
		stream = newTxStream(ctx, in, cmp.Or(opt.CommitBytes, DefaultCommitBytes))
	}
	type stagedResult struct {
		r      Result
		d      Delivery // without its raw mail
		size   int64
		follow commitFollowUp
	}
	var staged []stagedResult
	var unread *UnreadError
	if stream != nil {
		defer stream.abort()
	}
	report := func(r Result, d *Delivery, size int64) {
		if d.Suspect != "" {
			r.Suspect = d.Suspect
			r.explainf("%s", d.Suspect)
		}
		sum.add(r, d, size)
		if opt.OnResult != nil {
			opt.OnResult(r)
		}
	}
	// flush stores the batch: committed at once, or staged in the open
	// transaction, which commits when it is full or end is set.
	flush := func(end bool) error {
		if len(batch) > 0 {
			var preps []*Prepared
			for _, s := range batch {
				if s.p != nil {
					preps = append(preps, s.p)
				}
			}
			var results []Result
			var err error
			switch {
			case len(preps) == 0:
			case stream != nil:
				results, err = stream.stage(preps, batchBytes)
				if err != nil {
					return lostError(err, len(staged))
				}
			default:
				if results, err = in.commitWithRetry(ctx, preps); err != nil {
					return err
				}
			}
			i := 0
			for _, s := range batch {
				var r Result
				var follow commitFollowUp
				if s.dup != nil {
					r = *s.dup
				} else {
					r = results[i]
					follow = committed(s.p)
					i++
				}
				if stream != nil && stream.open() {
					d := *s.d
					d.Raw = nil
					staged = append(staged, stagedResult{r: r, d: d, size: s.size, follow: follow})
				} else {
					report(r, s.d, s.size)
				}
				budget.release(int64(len(s.d.Raw)))
				s.d, s.p = nil, nil
			}
			clear(batch)
			batch, batchBytes = batch[:0], 0
		}
		if stream == nil || !(end || stream.full()) {
			return nil
		}
		if err := stream.commit(); err != nil {
			return lostError(err, len(staged))
		}
		for i := range staged {
			st := &staged[i]
			in.afterCommit(ctx, st.follow, &st.r)
			report(st.r, &st.d, st.size)
		}
		clear(staged)
		staged = staged[:0]
		return nil
	}
	// A batch that is not full is committed anyway when the reader waits
	// for room (it cannot grow) or when it has waited defaultBatchDelay for
	// more (a slow source). An open transaction with no batch waiting
	// commits after defaultBatchDelay too: a slow source does not keep
	// other writers out.
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var due <-chan time.Time // timer.C while the batch is not empty
	commit := func() error {
		timer.Stop()
		due = nil
		return flush(true)
	}
	// stage stores a full batch; an open transaction may take more.
	stage := func() error {
		if err := flush(false); err != nil {
			return err
		}
		timer.Stop()
		due = nil
		if stream != nil && stream.open() {
			timer.Reset(defaultBatchDelay)
			due = timer.C
		}
		return nil
	}
	for {
		var s *slot
		select {
		case next, ok := <-order:
			if !ok {
				if err := commit(); err != nil {
					return sum, err
				}
				if err := <-readErr; err != nil || unread == nil {
					return sum, err
				}
				unread.Inputs = sum.Unread
				return sum, unread
			}
			s = next
		case <-budget.stalled:
			if err := stage(); err != nil {
				return sum, err
			}
			continue
		case <-due:
			if err := commit(); err != nil {
				return sum, err
			}
			continue
		case <-ctx.Done():
			return sum, ctx.Err()
		}
		select {
		case <-s.done:
		case <-due:
			if err := commit(); err != nil {
				return sum, err
			}
			select {
			case <-s.done:
			case <-ctx.Done():
				return sum, ctx.Err()
			}
		case <-ctx.Done():
			// The workers stop at once: s may never be done.
			return sum, ctx.Err()
		}
		if s.err != nil && s.d.ReadErr != nil && errors.Is(s.err, s.d.ReadErr) {
			// An error the system reported reading this input (prepare
			// made it a TempError): one failing file of a Maildir must
			// not leave the thousands after it unread. It is named at
			// the end, and the run fails then, so that a script sees it.
			sum.Unread = append(sum.Unread, UnreadInput{Origin: s.d.Origin, Err: s.d.ReadErr})
			if unread == nil {
				unread = &UnreadError{first: s.err}
			}
			budget.release(int64(len(s.d.Raw)))
			continue
		}
		if s.err != nil {
			// The messages read before it are good: they are stored.
			if err := commit(); err != nil {
				return sum, err
			}
			return sum, s.err
		}
		if len(batch) == 0 && due == nil {
			timer.Reset(defaultBatchDelay)
			due = timer.C
		}
		batch = append(batch, s)
		batchBytes += s.size
		if len(batch) >= opt.BatchSize || batchBytes >= opt.BatchBytes || budget.waiting() {
			if err := stage(); err != nil {
				return sum, err
			}
		}
	}
}

// byteBudget bounds the raw bytes in flight between the reader and the
// writer: the reader waits for room before it reads a message, so at most
// one message goes over the limit (a message larger than the whole budget
// goes through alone).
type byteBudget struct {
	mu      sync.Mutex
	cond    *sync.Cond
	limit   int64
	used    int64
	blocked bool
	// stalled wakes the writer when the reader starts to wait: the writer
	// may be waiting for a message that cannot come before it commits.
	stalled chan struct{}
}

func newByteBudget(limit int64) *byteBudget {
	b := &byteBudget{limit: limit, stalled: make(chan struct{}, 1)}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// wait blocks until there is room; false when ctx ended first.
func (b *byteBudget) wait(ctx context.Context) bool {
	stop := context.AfterFunc(ctx, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used >= b.limit {
		if ctx.Err() != nil {
			return false
		}
		if !b.blocked {
			b.blocked = true
			select {
			case b.stalled <- struct{}{}:
			default:
			}
		}
		b.cond.Wait()
	}
	b.blocked = false
	return ctx.Err() == nil
}

func (b *byteBudget) add(n int64) {
	b.mu.Lock()
	b.used += n
	b.mu.Unlock()
}

func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.cond.Broadcast()
	b.mu.Unlock()
}

// waiting reports whether the reader waits for the writer to commit: the
// batch is then as large as it can get.
func (b *byteBudget) waiting() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.blocked
}

// commitWithRetry commits a batch, waiting out a busy store a few times,
// and isolates a message that makes the batch fail for another reason.
func (in *Ingester) commitWithRetry(ctx context.Context, preps []*Prepared) ([]Result, error) {
	if len(preps) == 0 {
		return nil, nil
	}
	var err error
	for attempt := 0; ; attempt++ {
		var results []Result
		results, err = in.Commit(ctx, preps)
		if err == nil {
			return results, nil
		}
		if !store.IsTemporary(err) || attempt >= in.busyRetries {
			break
		}
		if err := waitToRetry(ctx, attempt); err != nil {
			return nil, err
		}
	}
	if store.IsTemporary(err) || len(preps) == 1 {
		return nil, err
	}
	// One bad message must not cost the others: commit them one by one.
	return oneByOne(preps, func(p *Prepared) ([]Result, error) { return in.Commit(ctx, []*Prepared{p}) })
}

// waitToRetry waits before the next attempt at a transaction that found
// the store busy, 200 ms longer after each attempt; it returns ctx's error
// if the run is cancelled meanwhile.
func waitToRetry(ctx context.Context, attempt int) error {
	select {
	case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// knownKeys holds 64-bit hashes of the duplicate keys of the mail an
// import's owner has when the run starts: the check before parsing then
// reads the store only for a message that is probably there (an import run
// again), not once for every new message.
type knownKeys struct {
	seed   maphash.Seed
	hashes []uint64 // sorted
	all    bool     // too many to load: look every message up
}

const (
	knownKeysPage = 5000
	maxKnownKeys  = 200_000 // 1.6 MB of hashes; a larger mailbox is looked up message by message
)

func (k *knownKeys) mayHave(key string) bool {
	if k.all {
		return true
	}
	_, found := slices.BinarySearch(k.hashes, maphash.String(k.seed, key))
	return found
}

// loadKnownKeys reads the owner's duplicate keys, a page at a time. On a
// store error, or for more than maxKnownKeys messages, every message is
// looked up (the check is only a shortcut: Commit decides).
func (in *Ingester) loadKnownKeys(ctx context.Context, ownerID int64) *knownKeys {
	k := &knownKeys{seed: maphash.MakeSeed()}
	errTooMany := errors.New("too many keys")
	err := in.opt.Store.View(ctx, func(tx store.Tx) error {
		return store.EachMessage(tx, store.MessageQuery{Owner: ownerID, Oldest: true}, knownKeysPage, func(m *store.Message) error {
			if len(k.hashes) == maxKnownKeys {
				return errTooMany
			}
			k.hashes = append(k.hashes, maphash.String(k.seed, m.DedupKey))
			return nil
		})
	})
	if err != nil {
		return &knownKeys{all: true}
	}
	slices.Sort(k.hashes)
	return k
}

// quickDuplicate skips the expensive parse for a message the forced owner
// already has: the same content (re-running an interrupted import). It
// returns the delivery's duplicate key either way, for Prepare. known is
// nil without a forced owner.
func (in *Ingester) quickDuplicate(ctx context.Context, known *knownKeys, d Delivery) (r Result, key string, ok bool) {
	if known == nil || d.ReadErr != nil || d.Skipped != "" {
		return Result{}, "", false
	}
	key = contentKey(d.Raw)
	if !known.mayHave(key) {
		return Result{}, key, false
	}
	dir, err := in.directory(ctx)
	if err != nil || dir.owner == nil {
		return Result{}, key, false
	}
	var prev *store.Message
	err = in.opt.Store.View(ctx, func(tx store.Tx) error {
		var err error
		prev, err = tx.MessageByKey(dir.owner.ID, key)
		return err
	})
	if err != nil {
		return Result{}, key, false
	}
	r = Result{MessageID: prev.MessageID, ID: prev.ID, Status: StatusDuplicate, Reason: "already_stored", User: dir.owner.Email,
		ThreadID: prev.ThreadID, Shared: prev.Shared, Origin: d.Origin, Links: []LinkOut{}}
	r.explainf("duplicate of message %d (the same content), found before parsing", prev.ID)
	return r, key, true
}
