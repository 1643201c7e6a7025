package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
	"github.com/smartbcc/smartbcc/store"
)

// funcSource yields the deliveries a function makes; nil ends it.
type funcSource func(i int) *ingest.Delivery

type countingSource struct {
	next funcSource
	i    int
}

func (s *countingSource) Next() (*ingest.Delivery, error) {
	d := s.next(s.i)
	if d == nil {
		return nil, io.EOF
	}
	s.i++
	return d, nil
}

func importDelivery(i int, size int) *ingest.Delivery {
	raw := mail(fmt.Sprintf("pipeline%d@acme.example", i), []string{"Content-Type: text/plain"},
		strings.Repeat("All the figures for the order are in this line.\r\n", size/50+1))
	return &ingest.Delivery{Raw: raw, Origin: fmt.Sprintf("archive:#%d", i+1), Size: int64(len(raw))}
}

// runBounded runs an import that must finish within a minute (a deadlock
// in the pipeline fails here rather than hanging the test run).
func runBounded(t *testing.T, in *ingest.Ingester, src ingest.Source, opt ingest.RunOptions) (ingest.Summary, []ingest.Result) {
	t.Helper()
	var results []ingest.Result
	opt.OnResult = func(r ingest.Result) { results = append(results, r) }
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sum, err := in.Run(ctx, src, opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return sum, results
}

func checkInOrder(t *testing.T, results []ingest.Result, n int) {
	t.Helper()
	if len(results) != n {
		t.Fatalf("%d results, want %d", len(results), n)
	}
	for i, r := range results {
		if want := fmt.Sprintf("archive:#%d", i+1); r.Origin != want || r.Status != ingest.StatusStored {
			t.Fatalf("result %d: %s %s %s, want %s stored (results come in input order)", i, r.Origin, r.Status, r.Reason, want)
		}
	}
}

// A byte budget far smaller than the archive, batches of a few messages:
// every message comes out, in order, and nothing waits for ever.
func TestRunSmallBudget(t *testing.T) {
	h := newHarness(t, "NORMAL")
	const n = 300
	src := &countingSource{next: func(i int) *ingest.Delivery {
		if i == n {
			return nil
		}
		return importDelivery(i, 2000+i%7*3000)
	}}
	sum, results := runBounded(t, h.imp, src, ingest.RunOptions{Workers: 3, BatchSize: 16, BatchBytes: 40 << 10, InflightBytes: 60 << 10})
	checkInOrder(t, results, n)
	if sum.Stored != n {
		t.Fatalf("summary %+v", sum)
	}
	checkConsistent(t, sqlDB(t, h.dsn))
}

// Messages larger than the whole budget go through one at a time.
func TestRunMessagesLargerThanBudget(t *testing.T) {
	h := newHarness(t, "NORMAL")
	const n = 12
	src := &countingSource{next: func(i int) *ingest.Delivery {
		if i == n {
			return nil
		}
		size := 500
		if i%3 == 0 {
			size = 300 << 10
		}
		return importDelivery(i, size)
	}}
	_, results := runBounded(t, h.imp, src, ingest.RunOptions{BatchBytes: 64 << 10, InflightBytes: 100 << 10})
	checkInOrder(t, results, n)
}

// blockingSource hands out its messages, then waits until the test lets it
// end: what a slow archive (a pipe, a network file system) looks like.
type blockingSource struct {
	n       int
	i       int
	release chan struct{}
}

func (s *blockingSource) Next() (*ingest.Delivery, error) {
	if s.i == s.n {
		<-s.release
		return nil, io.EOF
	}
	s.i++
	return importDelivery(s.i-1, 1000), nil
}

// Messages that have been read are committed and reported while the source
// is still waiting for more; they do not wait for a full batch.
func TestRunSlowSourceCommitsWhatItHas(t *testing.T) {
	h := newHarness(t, "NORMAL")
	src := &blockingSource{n: 3, release: make(chan struct{})}
	seen := make(chan struct{})
	var results []ingest.Result
	opt := ingest.RunOptions{OnResult: func(r ingest.Result) {
		results = append(results, r)
		if len(results) == 3 {
			close(seen)
		}
	}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := h.imp.Run(ctx, src, opt)
		done <- err
	}()
	select {
	case <-seen:
	case <-time.After(30 * time.Second):
		t.Fatal("no results while the source waits: the batch waits to be full")
	}
	close(src.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkInOrder(t, results, 3)
}

// A run whose time is up returns at once, even while the source still
// waits for input (a pipe that stays open); what was committed stays.
func TestRunDeadlineWhileSourceWaits(t *testing.T) {
	h := newHarness(t, "NORMAL")
	src := &blockingSource{n: 3, release: make(chan struct{})}
	t.Cleanup(func() { close(src.release) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := h.imp.Run(ctx, src, ingest.RunOptions{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run: %v, want the deadline", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its deadline")
	}
}

// viewCounter counts the read transactions an ingester makes.
type viewCounter struct {
	store.Store
	views atomic.Int64
}

func (v *viewCounter) View(ctx context.Context, fn func(store.Tx) error) error {
	v.views.Add(1)
	return v.Store.View(ctx, fn)
}

// Importing into a mailbox that has mail already: a message that is there
// is found before parsing, and a new one costs no store read of its own.
func TestRunDuplicateCheckReadsOnlyForKnownKeys(t *testing.T) {
	h := newHarness(t, "NORMAL")
	const old, fresh = 40, 60
	if _, results := runBounded(t, h.imp, &countingSource{next: func(i int) *ingest.Delivery {
		if i == old {
			return nil
		}
		return importDelivery(i, 500)
	}}, ingest.RunOptions{}); len(results) != old {
		t.Fatalf("%d results", len(results))
	}
	vc := &viewCounter{Store: h.db}
	in := ingest.New(ingest.Options{Store: vc, AuthMode: ingest.AuthMode{Kind: "off"}, Source: store.SourceImport, Owner: userAddr})
	sum, _ := runBounded(t, in, &countingSource{next: func(i int) *ingest.Delivery {
		if i == old+fresh {
			return nil
		}
		return importDelivery(i, 500)
	}}, ingest.RunOptions{})
	if sum.Duplicate != old || sum.Stored != fresh {
		t.Fatalf("summary %+v, want %d duplicate and %d stored", sum, old, fresh)
	}
	// The directory, one page of keys, one lookup per known message.
	if n := vc.views.Load(); n > old+5 {
		t.Fatalf("%d read transactions for %d known and %d new messages", n, old, fresh)
	}
}

// An archive import runs with one P more than its parse workers, so that
// the writer, which hands its P over whenever SQLite keeps it a while, has
// one of its own; the process gets its own setting back afterwards.
func TestRunGivesTheWriterItsOwnP(t *testing.T) {
	if os.Getenv("GOMAXPROCS") != "" {
		t.Skip("GOMAXPROCS is set in the environment: Run leaves it alone")
	}
	prev := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(prev)
	h := newHarness(t, "NORMAL")
	for _, workers := range []int{1, 2, 4} {
		const n = 3
		src := &countingSource{next: func(i int) *ingest.Delivery {
			if i == n {
				return nil
			}
			return importDelivery(workers*10+i, 1000)
		}}
		var during []int
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		sum, err := h.imp.Run(ctx, src, ingest.RunOptions{Workers: workers,
			OnResult: func(ingest.Result) { during = append(during, runtime.GOMAXPROCS(0)) }})
		cancel()
		if err != nil || sum.Stored != n {
			t.Fatalf("workers=%d: %+v, %v", workers, sum, err)
		}
		want := max(2, workers+1)
		for i, p := range during {
			if p != want {
				t.Errorf("workers=%d: GOMAXPROCS %d during result %d, want %d", workers, p, i, want)
			}
		}
		if p := runtime.GOMAXPROCS(0); p != 2 {
			t.Errorf("workers=%d: GOMAXPROCS %d after the run, want 2 again", workers, p)
		}
	}
}
