package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/smartbcc/smartbcc/ingest"
)

// niceThreads counts the threads of this process at niceness nice.
func niceThreads(t *testing.T, nice int) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil || len(stats) == 0 {
		t.Fatalf("no threads in /proc/self/task: %v", err)
	}
	n := 0
	for _, name := range stats {
		if statNice(name) == nice {
			n++
		}
	}
	return n
}

// threadNice is the niceness of thread tid of this process.
func threadNice(t *testing.T, tid int) int {
	t.Helper()
	return statNice(fmt.Sprintf("/proc/self/task/%d/stat", tid))
}

// statNice reads the niceness from a thread's stat file; -100 when the
// thread is gone.
func statNice(name string) int {
	b, err := os.ReadFile(name)
	if err != nil {
		return -100 // the thread ended meanwhile
	}
	// Fields after the command name, which is in parentheses and may hold
	// anything: state is field 3, nice field 19.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	v, err := strconv.Atoi(fields[19-3])
	if err != nil {
		return -100
	}
	return v
}

// An archive import parses at a lower priority than its writer, on threads
// of their own that end with the run; a pipe delivery's run keeps the
// process's priority.
func TestImportWorkersRunNiced(t *testing.T) {
	if before := niceThreads(t, 10); before != 0 {
		t.Fatalf("%d threads at niceness 10 before any run", before)
	}
	h := newHarness(t, "NORMAL")
	for _, c := range []struct {
		name string
		in   *ingest.Ingester
		want int
	}{{"import", h.imp, 2}, {"pipe", h.pipe, 0}} {
		// The source holds its end until the first results are seen, so
		// that the workers are still there, waiting for more.
		const n = 3
		seen := make(chan struct{})
		src := &countingSource{next: func(i int) *ingest.Delivery {
			if i == n {
				<-seen
				return nil
			}
			return importDelivery(len(c.name)*10+i, 1000)
		}}
		var during []int
		var mainNiced bool
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		_, err := c.in.Run(ctx, src, ingest.RunOptions{Workers: 2,
			OnResult: func(ingest.Result) {
				during = append(during, niceThreads(t, 10))
				mainNiced = mainNiced || threadNice(t, os.Getpid()) == 10
				if len(during) == n {
					close(seen)
				}
			}})
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, got := range during {
			if got != c.want {
				t.Errorf("%s: %d threads at niceness 10 at result %d, want %d (the workers)", c.name, got, i, c.want)
			}
		}
		if mainNiced {
			t.Errorf("%s: the main thread was at niceness 10 during the run", c.name)
		}
		// The workers' threads end with them, shortly after Run returns.
		deadline := time.Now().Add(5 * time.Second)
		for niceThreads(t, 10) != 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if left := niceThreads(t, 10); left != 0 {
			t.Errorf("%s: %d threads at niceness 10 after the run, want 0", c.name, left)
		}
	}
}
